//! `cargo xtask dist --single-file`: the built `dist/` folded into one HTML file that
//! runs from disk (file://, no server), like a downloadable PhET simulation.
//!
//! A page opened from a file may not fetch its neighbours, so everything it loads
//! goes inside it: the stylesheet in a `<style>`, boot.js in a classic `<script>`,
//! the wasm-bindgen module and the loader in one inline `<script type="module">`
//! that instantiates the wasm from base64 bytes, and the icon as a data: URL.
//! The Content-Security-Policy stays as strict as dist/'s: scripts and styles only
//! by the hashes of exactly these inline texts, WebAssembly compilation allowed,
//! nothing fetched (`default-src 'none'`), images only as data: URLs.

use crate::cmd::Res;
use crate::dist;
use std::fs;
use std::path::{Path, PathBuf};

pub const OUT_DIR: &str = "dist-single";
pub const FILE: &str = "sockscope.html";

/// The wasm-bindgen output trunk writes (Trunk.toml: `filehash = false`).
const BINDGEN_JS: &str = "sockscope-app.js";
const WASM: &str = "sockscope-app_bg.wasm";
/// The init function's local name in wasm-bindgen's `--target web` module.
const INIT: &str = "__wbg_init";

/// Writes `out_dir/sockscope.html` from the built `dist`; returns its path.
pub fn write(dist: &Path, out_dir: &Path) -> Res<PathBuf> {
    let text = |name: &str| read(&dist.join(name));
    let module = inline_module(&text(BINDGEN_JS)?, &bytes(&dist.join(WASM))?)?;
    let parts = Parts {
        css: text("style.css")?,
        boot: text("boot.js")?,
        module,
        icon: bytes(&dist.join("favicon.svg"))?,
    };
    let html = page(&text("index.html")?, &parts)?;
    fs::create_dir_all(out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let file = out_dir.join(FILE);
    fs::write(&file, &html).map_err(|e| format!("writing {}: {e}", file.display()))?;
    println!(
        "{}: {} B, one file that runs from disk",
        file.display(),
        html.len()
    );
    Ok(file)
}

/// What goes inline.
struct Parts {
    css: String,
    boot: String,
    module: String,
    icon: Vec<u8>,
}

/// wasm-bindgen's module followed by a loader that hands `__wbg_init` the wasm's
/// bytes (it instantiates a BufferSource as it is, where a path would be fetched).
/// The module's `export`s stay: an inline module may declare them, nothing imports them.
fn inline_module(bindgen: &str, wasm: &[u8]) -> Res<String> {
    if !bindgen.contains(&format!("async function {INIT}(")) {
        return Err(format!(
            "{BINDGEN_JS} has no `{INIT}` (did wasm-bindgen change its output?)"
        ));
    }
    if bindgen
        .lines()
        .any(|l| l.starts_with("import ") && l.contains(" from "))
    {
        return Err(format!(
            "{BINDGEN_JS} imports other files (JS snippets); they cannot be inlined yet"
        ));
    }
    // In a block: the module already declares names such as `wasm`.
    let loader = format!(
        "{{\n\
         const wasmBase64 = \"{}\";\n\
         const wasmBytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));\n\
         const instance = await {INIT}({{ module_or_path: wasmBytes }});\n\
         dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {{ detail: {{ wasm: instance }} }}));\n\
         }}\n",
        base64(wasm)
    );
    Ok(format!("{}\n{loader}", bindgen.trim_end()))
}

/// dist/'s index.html with every file reference replaced by its content and a CSP
/// that names the inline texts by hash.
fn page(index: &str, parts: &Parts) -> Res<String> {
    for text in [&parts.css, &parts.boot, &parts.module] {
        if text.contains("</script") || text.contains("</style") {
            return Err("an inlined file contains `</script` or `</style`".to_owned());
        }
    }
    let mut html = index.to_owned();
    for (tag, marker) in [
        ("<meta", "http-equiv=\"Content-Security-Policy\""),
        ("<script", "src=\"./start.js\""),
        ("<script", "src=\"./boot.js\""),
        ("<link", "rel=\"modulepreload\""),
        ("<link", "rel=\"preload\""),
    ] {
        html = remove_tags(&html, tag, marker);
    }
    let style = format!("<style>{}</style>", parts.css);
    html = replace_tag(&html, "<link", "rel=\"stylesheet\"", &style)?;
    let icon = format!(
        "<link rel=\"icon\" href=\"data:image/svg+xml;base64,{}\">",
        base64(&parts.icon)
    );
    html = replace_tag(&html, "<link", "rel=\"icon\"", &icon)?;
    // From a file, `./` is the folder's listing; the reset link reloads this file.
    html = html.replace(
        "href=\"./\" data-testid=\"fatal-reset\"",
        &format!("href=\"{FILE}\" data-testid=\"fatal-reset\""),
    );
    let scripts = format!(
        "<script>{}</script>\n<script type=\"module\">{}</script>\n</body>",
        parts.boot, parts.module
    );
    html = replace_once(&html, "</body>", &scripts)?;
    let policy = policy(&parts.css, &parts.boot, &parts.module)?;
    let meta = format!(
        "<meta charset=\"utf-8\">\n  <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">"
    );
    replace_once(&html, "<meta charset=\"utf-8\">", &meta)
}

/// dist/'s policy (csp.rs) with the inline texts' hashes in place of `'self'`:
/// a page from a file has no origin to trust, and fetches nothing.
fn policy(css: &str, boot: &str, module: &str) -> Res<String> {
    let [css, boot, module] = [css, boot, module].map(sha256);
    Ok(format!(
        "default-src 'none'; script-src '{}' '{}' 'wasm-unsafe-eval'; \
         style-src '{}'; style-src-attr 'unsafe-inline'; img-src data:; \
         object-src 'none'; base-uri 'none'; form-action 'none'",
        boot?, module?, css?
    ))
}

/// `sha256-<base64>` of a text, as CSP hash sources are written.
fn sha256(text: &str) -> Res<String> {
    let dir = std::env::temp_dir().join(format!("sockscope-single-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let file = dir.join("inline.txt");
    fs::write(&file, text).map_err(|e| format!("writing {}: {e}", file.display()))?;
    let digests = dist::sri_digests(&file, &["sha256"]);
    let _ = fs::remove_dir_all(&dir);
    digests?
        .pop()
        .ok_or_else(|| "node printed no sha256 digest".to_owned())
}

/// The tag (`<link ...>`, or `<script ...></script>`) starting with `tag` whose
/// text contains `marker`, as a byte range of `html`.
fn find_tag(html: &str, tag: &str, marker: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(at) = html[from..].find(tag).map(|i| from + i) {
        let open_end = at + html[at..].find('>')? + 1;
        if html[at..open_end].contains(marker) {
            let end = match tag {
                "<script" => open_end + html[open_end..].find("</script>")? + "</script>".len(),
                _ => open_end,
            };
            return Some((at, end));
        }
        from = open_end;
    }
    None
}

fn remove_tags(html: &str, tag: &str, marker: &str) -> String {
    let mut html = html.to_owned();
    while let Some((start, end)) = find_tag(&html, tag, marker) {
        html.replace_range(start..end, "");
    }
    html
}

fn replace_tag(html: &str, tag: &str, marker: &str, with: &str) -> Res<String> {
    let (start, end) = find_tag(html, tag, marker)
        .ok_or_else(|| format!("dist/index.html has no {tag} {marker}>"))?;
    Ok(format!("{}{with}{}", &html[..start], &html[end..]))
}

fn replace_once(html: &str, anchor: &str, with: &str) -> Res<String> {
    let at = html
        .find(anchor)
        .ok_or_else(|| format!("dist/index.html lacks {anchor}"))?;
    Ok(format!(
        "{}{with}{}",
        &html[..at],
        &html[at + anchor.len()..]
    ))
}

/// Standard base64 with padding (what `atob` reads).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn read(path: &Path) -> Res<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn bytes(path: &Path) -> Res<Vec<u8>> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn tags_are_found_by_their_marker() {
        let html = "<link rel=\"icon\" href=\"a\"><script src=\"./boot.js\" defer></script><p>";
        assert_eq!(
            remove_tags(html, "<script", "src=\"./boot.js\""),
            "<link rel=\"icon\" href=\"a\"><p>"
        );
        assert_eq!(
            replace_tag(html, "<link", "rel=\"icon\"", "<i>").unwrap(),
            "<i><script src=\"./boot.js\" defer></script><p>"
        );
        assert!(replace_tag(html, "<link", "rel=\"stylesheet\"", "").is_err());
    }

    #[test]
    fn the_loader_follows_the_module() {
        let module = inline_module(
            "export function start() {}\nasync function __wbg_init(m) {}\n",
            b"\0asm",
        )
        .unwrap();
        assert!(module.contains("const wasmBase64 = \"AGFzbQ==\";"));
        assert!(module.contains("await __wbg_init({ module_or_path: wasmBytes })"));
        assert!(inline_module(
            "import x from './snippets/a.js';\nasync function __wbg_init(m) {}",
            b""
        )
        .is_err());
    }
}
