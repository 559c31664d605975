//! Which files of a built `dist/` a visit to its `index.html` loads: the page, and
//! every local file it names (`src`, `href`, the loader's `'./x.js'`), followed into
//! the scripts it loads. Icons (fetched lazily, not needed to start) and links to
//! other pages (`<a href>`) are not followed, so `embed-example.*` never counts.

use crate::cmd::Res;
use std::path::{Path, PathBuf};

/// `index.html` and what it loads, in discovery order; only files that exist.
pub fn page_files(dir: &Path) -> Res<Vec<PathBuf>> {
    let mut found = vec![dir.join("index.html")];
    let mut next = 0;
    while let Some(file) = found.get(next).cloned() {
        next += 1;
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        let refs = match ext {
            "html" => html_refs(&read(&file)?),
            "js" | "mjs" => quoted_refs(&read(&file)?),
            _ => continue,
        };
        let base = file.parent().unwrap_or(dir);
        for name in refs {
            let path = base.join(name);
            if path.is_file() && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// Local references in a page, except in `<a>` tags and icon `<link>`s.
fn html_refs(html: &str) -> Vec<String> {
    html.split('<')
        .filter(|chunk| {
            let tag = chunk
                .split('>')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let anchor = tag.starts_with("a ") || tag == "a";
            let icon = tag.starts_with("link") && tag.contains("icon");
            !anchor && !icon
        })
        .flat_map(quoted_refs)
        .collect()
}

/// Quoted relative URLs starting with `./` (how trunk writes every URL with
/// `--public-url ./`), without query or fragment; never one that climbs with `..`.
fn quoted_refs(text: &str) -> Vec<String> {
    let mut refs = Vec::new();
    for quote in ['"', '\''] {
        let opener = format!("{quote}./");
        let mut rest = text;
        while let Some(at) = rest.find(&opener) {
            rest = &rest[at + opener.len()..];
            let Some(end) = rest.find(quote) else { break };
            let name = rest[..end].split(['?', '#']).next().unwrap_or_default();
            if !name.is_empty() && !name.split('/').any(|s| s == "..") {
                refs.push(name.to_owned());
            }
            rest = &rest[end..];
        }
    }
    refs
}

fn read(path: &Path) -> Res<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html><head>
<link rel="stylesheet" href="./style.css" integrity="sha384-x"/>
<link rel="icon" href="./favicon.svg"/>
<script src="./boot.js"></script>
<script type="module" src="./start.js"></script>
<link rel="modulepreload" href="./app.js"><link rel="preload" href="./app_bg.wasm?v=1" as="fetch">
</head><body><a href="./embed-example.html">embed</a><a class="button" href="./">Reset</a>
<img src="../secret.png"></body></html>"#;

    #[test]
    fn follows_the_page_and_its_loader() {
        let dir = std::env::temp_dir().join(format!("xtask-shipped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = [
            ("index.html", PAGE),
            ("style.css", "body{}"),
            ("favicon.svg", "<svg/>"),
            ("boot.js", "1"),
            (
                "start.js",
                "import init from './app.js'; init({ module_or_path: './app_bg.wasm' });",
            ),
            (
                "app.js",
                "import * as s from './snippets/x.js'; new URL('app_bg.wasm', import.meta.url)",
            ),
            ("app_bg.wasm", "\0asm"),
            (
                "embed-example.html",
                "<script src=\"./embed-example.js\"></script>",
            ),
            ("embed-example.js", "1"),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        std::fs::create_dir_all(dir.join("snippets")).unwrap();
        std::fs::write(dir.join("snippets/x.js"), "1").unwrap();
        let names: Vec<String> = page_files(&dir)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "index.html",
                "style.css",
                "boot.js",
                "start.js",
                "app.js",
                "app_bg.wasm",
                "snippets/x.js"
            ]
        );
    }

    #[test]
    fn reads_quoted_relative_urls_only() {
        assert_eq!(
            quoted_refs(r#"a "./x.js" b './y z.css#f' "./" "./../up" "/abs" 'q'"#),
            ["x.js", "y z.css"]
        );
    }
}
