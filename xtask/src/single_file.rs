//! `cargo xtask dist --single-file`: the built `dist/` folded into one HTML file that
//! runs from disk (file://, no server), like a downloadable PhET simulation.
//!
//! A page opened from a file may not fetch its neighbours, so everything it loads
//! goes inside it: the stylesheet in a `<style>`, boot.js in a classic `<script>`,
//! the wasm-bindgen module (its JS snippets folded in) and the loader in one inline
//! `<script type="module">` that instantiates the wasm from base64 bytes, the tools
//! module in a second one that leaves its loader in `globalThis.sockscopeTools`
//! (crates/app/src/tools_module.rs looks there first), the tours' texts in a third
//! that leaves them in `globalThis.sockscopeTours` (crates/app/src/tour_text.rs looks
//! there first), and the icon as a data: URL.
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
    let bindgen = inline_snippets(&text(BINDGEN_JS)?, dist)?;
    let module = inline_module(&bindgen, &bytes(&dist.join(WASM))?)?;
    let tools = crate::tools_module::NAME;
    let tools = tools_module(
        &text(&format!("{tools}.js"))?,
        &bytes(&dist.join(format!("{tools}_bg.wasm")))?,
    )?;
    let tours = tours_module(dist)?;
    let parts = Parts {
        css: text("style.css")?,
        boot: text("boot.js")?,
        modules: vec![tours, tools, module],
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
    /// Inline module scripts, in the order they go into the page.
    modules: Vec<String>,
    icon: Vec<u8>,
}

/// wasm-bindgen's module with each `import … from './snippets/…'` line replaced by
/// the snippet it names, run in a function whose exports become the names the import
/// bound: `import * as m from` gets `const m = {…}`, `import { a, b } from` gets
/// `const { a, b } = {…}`.
fn inline_snippets(bindgen: &str, dist: &Path) -> Res<String> {
    let mut out = String::with_capacity(bindgen.len());
    for line in bindgen.lines() {
        match snippet_import(line) {
            Some((binding, path)) => {
                let snippet = read(&dist.join(path))?;
                let mut names = Vec::new();
                let mut body = String::new();
                for l in snippet.lines() {
                    let (l, name) = exported(l);
                    names.extend(name);
                    body.push_str(l);
                    body.push('\n');
                }
                if names.is_empty() {
                    return Err(format!("{path} exports nothing that can be inlined"));
                }
                out.push_str(&format!(
                    "const {binding} = (() => {{\n{body}return {{ {} }};\n}})();\n",
                    names.join(", ")
                ));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// `import * as m from './snippets/x.js'` → (`m`, `./snippets/x.js`); the same with
/// `{ a, b }`; None for any other line.
fn snippet_import(line: &str) -> Option<(String, &str)> {
    let rest = line.strip_prefix("import ")?;
    let (what, from) = rest.split_once(" from ")?;
    let path = from.trim().trim_end_matches(';').trim_matches(['\'', '"']);
    if !path.starts_with("./snippets/") {
        return None;
    }
    let what = what.trim();
    let binding = match what.strip_prefix("* as ") {
        Some(name) => name.trim().to_owned(),
        None if what.starts_with('{') => what.to_owned(),
        None => return None,
    };
    Some((binding, path))
}

/// A snippet line without its `export`, and the name it exported.
fn exported(line: &str) -> (&str, Option<String>) {
    let Some(rest) = line.strip_prefix("export ") else {
        return (line, None);
    };
    let name = ["async function ", "function ", "const ", "let ", "class "]
        .iter()
        .find_map(|kw| rest.strip_prefix(kw))
        .map(|r| {
            r.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect::<String>()
        })
        .filter(|n| !n.is_empty());
    (rest, name)
}

/// The tools module's wasm-bindgen JS, followed by a loader that instantiates it
/// from its base64 bytes when the page first asks, and hands back the exports the
/// page calls (each must be there: a missing one would fail only when its panel opens).
fn tools_module(bindgen: &str, wasm: &[u8]) -> Res<String> {
    let name = crate::tools_module::NAME;
    check_bindgen(bindgen, name)?;
    let exports = crate::tools_module::EXPORTS;
    if let Some(missing) = exports
        .iter()
        .find(|e| !bindgen.contains(&format!("export function {e}(")))
    {
        return Err(format!("{name}.js does not export `{missing}`"));
    }
    let loader = format!(
        "{{\n\
         const toolsBase64 = \"{}\";\n\
         globalThis.sockscopeTools = async () => {{\n\
         const bytes = Uint8Array.from(atob(toolsBase64), (c) => c.charCodeAt(0));\n\
         await {INIT}({{ module_or_path: bytes }});\n\
         return {{ {} }};\n\
         }};\n\
         }}\n",
        base64(wasm),
        exports.join(", ")
    );
    Ok(format!("{}\n{loader}", bindgen.trim_end()))
}

/// The folders of dist/ whose scenario files the page fetches (index.html's copy-dir
/// of crates/scenario/tours and exercises).
const TOUR_FOLDERS: &[&str] = &["tours", "exercises"];

/// `globalThis.sockscopeTours = { "tours/udp.scn": "…", … }`: every scenario file of
/// [`TOUR_FOLDERS`], keyed by its path in dist/.
fn tours_module(dist: &Path) -> Res<String> {
    let mut entries = Vec::new();
    for folder in TOUR_FOLDERS {
        let dir = dist.join(folder);
        let listing = fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        let mut names: Vec<String> = listing
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".scn"))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(format!("{} has no .scn files", dir.display()));
        }
        for name in names {
            let text = read(&dir.join(&name))?;
            entries.push(format!(
                "{}: {}",
                js_string(&format!("{folder}/{name}")),
                js_string(&text)
            ));
        }
    }
    let entries = entries.join(",\n");
    Ok(format!("globalThis.sockscopeTours = {{\n{entries}\n}};\n"))
}

/// A JavaScript string literal of `text`; `<` is escaped too, so no `</script` can
/// end the inline script early.
fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A wasm-bindgen `--target web` module with everything in it: its init function, and
/// no import of another file (which a page from disk could not load).
fn check_bindgen(bindgen: &str, name: &str) -> Res<()> {
    if !bindgen.contains(&format!("async function {INIT}(")) {
        return Err(format!(
            "{name}.js has no `{INIT}` (did wasm-bindgen change its output?)"
        ));
    }
    if bindgen
        .lines()
        .any(|l| l.starts_with("import ") && l.contains(" from "))
    {
        return Err(format!(
            "{name}.js imports other files that cannot be inlined"
        ));
    }
    Ok(())
}

/// wasm-bindgen's module followed by a loader that hands `__wbg_init` the wasm's
/// bytes (it instantiates a BufferSource as it is, where a path would be fetched).
/// The module's `export`s stay: an inline module may declare them, nothing imports them.
fn inline_module(bindgen: &str, wasm: &[u8]) -> Res<String> {
    check_bindgen(bindgen, BINDGEN_JS.trim_end_matches(".js"))?;
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
    for text in [&parts.css, &parts.boot].into_iter().chain(&parts.modules) {
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
    let modules: String = parts
        .modules
        .iter()
        .map(|m| format!("<script type=\"module\">{m}</script>\n"))
        .collect();
    let scripts = format!("<script>{}</script>\n{modules}</body>", parts.boot);
    html = replace_once(&html, "</body>", &scripts)?;
    let policy = policy(&parts.css, &parts.boot, &parts.modules)?;
    let meta = format!(
        "<meta charset=\"utf-8\">\n  <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">"
    );
    replace_once(&html, "<meta charset=\"utf-8\">", &meta)
}

/// dist/'s policy (csp.rs) with the inline texts' hashes in place of `'self'`:
/// a page from a file has no origin to trust, and fetches nothing.
fn policy(css: &str, boot: &str, modules: &[String]) -> Res<String> {
    let mut scripts = vec![format!("'{}'", sha256(boot)?)];
    for m in modules {
        scripts.push(format!("'{}'", sha256(m)?));
    }
    Ok(format!(
        "default-src 'none'; script-src {} 'wasm-unsafe-eval'; \
         style-src '{}'; style-src-attr 'unsafe-inline'; img-src data:; \
         object-src 'none'; base-uri 'none'; form-action 'none'",
        scripts.join(" "),
        sha256(css)?
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

    #[test]
    fn a_snippet_import_is_replaced_by_the_snippet() {
        let dist = std::env::temp_dir().join(format!("sockscope-snip-{}", std::process::id()));
        fs::create_dir_all(dist.join("snippets/app-1")).unwrap();
        fs::write(
            dist.join("snippets/app-1/inline0.js"),
            "let n = 0;\nexport function load() { return n; }\n",
        )
        .unwrap();
        let star = "import * as import1 from \"./snippets/app-1/inline0.js\"\nconst i = { \"./snippets/app-1/inline0.js\": import1 };\n";
        let named =
            "import { load } from './snippets/app-1/inline0.js';\nfunction f() { load(); }\n";
        let (star, named) = (inline_snippets(star, &dist), inline_snippets(named, &dist));
        let _ = fs::remove_dir_all(&dist);
        let body = "let n = 0;\nfunction load() { return n; }\nreturn { load };\n})();\n";
        assert_eq!(
            star.unwrap(),
            format!("const import1 = (() => {{\n{body}const i = {{ \"./snippets/app-1/inline0.js\": import1 }};\n")
        );
        let named = named.unwrap();
        assert_eq!(
            named,
            format!("const {{ load }} = (() => {{\n{body}function f() {{ load(); }}\n")
        );
        assert!(check_bindgen(&format!("{named}async function __wbg_init(m) {{}}"), "x").is_ok());
    }

    #[test]
    fn a_js_string_keeps_every_character_and_cannot_end_its_script() {
        let text = "say \"a\\b\"\n\t</script>\u{2028}é";
        let js = js_string(text);
        assert_eq!(js, r#""say \"a\\b\"\n\u0009\u003c/script>\u2028é""#);
        assert!(!js.contains("</script"));
    }

    #[test]
    fn the_tools_loader_is_left_for_the_page_to_call() {
        let mut bindgen = String::from("async function __wbg_init(m) {}\n");
        for e in crate::tools_module::EXPORTS {
            bindgen.push_str(&format!("export function {e}() {{}}\n"));
        }
        let module = tools_module(&bindgen, b"\0asm").unwrap();
        assert!(module.contains("globalThis.sockscopeTools = async () =>"));
        assert!(module.contains("const toolsBase64 = \"AGFzbQ==\";"));
        assert!(module
            .contains("return { write_capture, mount_capture, mount_program, mount_throughput };"));
        // A module without one of them is refused when the file is built.
        let without = bindgen.replace("export function mount_program()", "function x()");
        let err = tools_module(&without, b"\0asm").unwrap_err();
        assert!(err.contains("does not export `mount_program`"), "{err}");
    }
}
