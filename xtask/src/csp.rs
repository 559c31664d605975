//! Makes the built `index.html` run under a strict Content-Security-Policy: trunk
//! inlines its module loader (trunk issue #288), so it is moved into `start.js`, and
//! a CSP `<meta>` is added that allows scripts only from the page's own origin (and
//! WebAssembly compilation). Only `dist/` gets the policy: `trunk serve` injects
//! inline scripts of its own for live reload.
//!
//! The loader and trunk's preload links then move to the top of `<head>`, so the
//! browser starts fetching the wasm before it reads the stylesheet and the boot
//! script (trunk puts them last; a cold load waited a round trip for nothing).

use crate::cmd::Res;
use std::fs;
use std::path::Path;

pub const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'none'";

/// The loader's file name, next to index.html.
const LOADER: &str = "start.js";

/// Rewrites `index.html` in `dir` and writes the loader beside it.
pub fn harden(dir: &Path) -> Res<()> {
    let index = dir.join("index.html");
    let html =
        fs::read_to_string(&index).map_err(|e| format!("reading {}: {e}", index.display()))?;
    let (html, loader) = split_inline_module(&html)?;
    fs::write(dir.join(LOADER), loader).map_err(|e| format!("writing {LOADER}: {e}"))?;
    fs::write(&index, add_policy(&hoist_loading(&html))?)
        .map_err(|e| format!("writing {}: {e}", index.display()))?;
    println!("index.html: loader moved to {LOADER}, Content-Security-Policy added");
    Ok(())
}

/// Takes the one inline `<script type="module">` out of the page.
fn split_inline_module(html: &str) -> Res<(String, String)> {
    let open = "<script type=\"module\">";
    let start = html
        .find(open)
        .ok_or("index.html has no inline module script (did trunk change its output?)")?;
    let body_start = start + open.len();
    let end = html[body_start..]
        .find("</script>")
        .map(|i| body_start + i)
        .ok_or("the inline module script is not closed")?;
    let loader = html[body_start..end].trim().to_string();
    let tag = format!("<script type=\"module\" src=\"./{LOADER}\"></script>");
    let page = format!(
        "{}{}{}",
        &html[..start],
        tag,
        &html[end + "</script>".len()..]
    );
    Ok((page, format!("{loader}\n")))
}

/// Moves the loader and every `<link rel="modulepreload">` / `<link rel="preload">`
/// to just after `<meta charset>`, in their order. A page without them is unchanged.
fn hoist_loading(html: &str) -> String {
    let loader = format!("<script type=\"module\" src=\"./{LOADER}\"></script>");
    let mut rest = html.to_string();
    let mut moved = Vec::new();
    if let Some(at) = rest.find(&loader) {
        rest.replace_range(at..at + loader.len(), "");
        moved.push(loader);
    }
    for rel in ["<link rel=\"modulepreload\"", "<link rel=\"preload\""] {
        while let Some(at) = rest.find(rel) {
            let Some(end) = rest[at..].find('>').map(|i| at + i + 1) else {
                break;
            };
            moved.push(rest[at..end].to_string());
            rest.replace_range(at..end, "");
        }
    }
    let anchor = "<meta charset=\"utf-8\">";
    match rest.find(anchor) {
        Some(at) if !moved.is_empty() => {
            let at = at + anchor.len();
            let tags: String = moved.iter().map(|t| format!("\n  {t}")).collect();
            format!("{}{tags}{}", &rest[..at], &rest[at..])
        }
        _ => html.to_string(),
    }
}

fn add_policy(html: &str) -> Res<String> {
    let anchor = "<meta charset=\"utf-8\">";
    let at = html
        .find(anchor)
        .ok_or("index.html lacks <meta charset=\"utf-8\">")?
        + anchor.len();
    let meta = format!("\n  <meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\">");
    Ok(format!("{}{meta}{}", &html[..at], &html[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<head><meta charset=\"utf-8\">\n<script type=\"module\">\nimport init from './a.js';\nawait init();\n</script><link rel=x></head>";

    #[test]
    fn the_loader_moves_out_and_the_policy_goes_in() {
        let (page, loader) = split_inline_module(PAGE).unwrap();
        assert_eq!(loader, "import init from './a.js';\nawait init();\n");
        assert!(page.contains("<script type=\"module\" src=\"./start.js\"></script><link rel=x>"));
        assert!(!page.contains("import init"));
        let page = add_policy(&page).unwrap();
        assert!(page.contains("script-src 'self' 'wasm-unsafe-eval'"));
        assert!(page.find("Content-Security-Policy").unwrap() < page.find("start.js").unwrap());
    }

    #[test]
    fn the_wasm_is_fetched_before_the_stylesheet() {
        let page = "<head><meta charset=\"utf-8\">\n<link rel=\"stylesheet\" href=\"./s.css\"/><script src=\"./boot.js\"></script>\n<script type=\"module\" src=\"./start.js\"></script>\n<link rel=\"modulepreload\" href=\"./a.js\" crossorigin=\"anonymous\"><link rel=\"preload\" href=\"./a_bg.wasm\" as=\"fetch\"></head>";
        let page = add_policy(&hoist_loading(page)).unwrap();
        let at = |s: &str| {
            page.find(s)
                .unwrap_or_else(|| panic!("{s} is missing from {page}"))
        };
        assert!(at("Content-Security-Policy") < at("start.js"));
        assert!(at("start.js") < at("a.js") && at("a.js") < at("a_bg.wasm"));
        assert!(at("a_bg.wasm") < at("s.css") && at("a_bg.wasm") < at("boot.js"));
        assert_eq!(page.matches("a_bg.wasm").count(), 1);
    }

    #[test]
    fn a_page_without_an_inline_loader_is_an_error() {
        assert!(split_inline_module("<head></head>").is_err());
    }
}
