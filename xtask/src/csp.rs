//! Makes the built `index.html` run under a strict Content-Security-Policy: trunk
//! inlines its module loader (trunk issue #288), so it is moved into `start.js`, and
//! a CSP `<meta>` is added that allows scripts only from the page's own origin (and
//! WebAssembly compilation). Only `dist/` gets the policy: `trunk serve` injects
//! inline scripts of its own for live reload.

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
    fs::write(&index, add_policy(&html)?)
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
    fn a_page_without_an_inline_loader_is_an_error() {
        assert!(split_inline_module("<head></head>").is_err());
    }
}
