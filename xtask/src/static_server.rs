//! A tiny static file server for the e2e tests: serves `dist/` exactly as a
//! plain production web server would (no SPA fallback, no dev-server magic),
//! which is what proves that dist/ works when copied anywhere. Like a production
//! server with precompressed files, it sends `X.gz` in place of `X` (with
//! `Content-Encoding: gzip`) to a browser that takes gzip, when `X.gz` exists: the
//! bench writes them, so its slow-link figures see the bytes a real visit carries.

use crate::cmd::Res;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Starts serving `root` on 127.0.0.1 at a free port (returned). The server
/// thread lives until the process exits, which is all the tests need.
pub fn spawn(root: &Path) -> Res<u16> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot serve {}: {e}", root.display()))?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            // One thread per connection: browsers open several at once.
            std::thread::spawn(move || {
                let _ = handle(stream, &root);
            });
        }
    });
    Ok(port)
}

fn handle(mut stream: TcpStream, root: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let head = read_head(&mut stream)?;
    let mut words = head.lines().next().unwrap_or_default().split_whitespace();
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"",
            false,
        );
    }
    let body_wanted = method == "GET";
    let Some(path) = resolve(root, target) else {
        return respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"not found\n",
            body_wanted,
        );
    };
    let ctype = content_type(&path);
    let gz = path.with_file_name(format!(
        "{}.gz",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let (body, encoding) = match std::fs::read(&gz) {
        Ok(body) if takes_gzip(&head) => (body, Some("gzip")),
        _ => (std::fs::read(&path)?, None),
    };
    let res = Reply {
        status: "200 OK",
        ctype,
        encoding,
    };
    respond_with(&mut stream, &res, &body, body_wanted)
}

/// Whether the request's `Accept-Encoding` names gzip.
fn takes_gzip(head: &str) -> bool {
    head.lines().any(|l| {
        l.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("accept-encoding")
                && value.split(',').any(|v| v.trim().starts_with("gzip"))
        })
    })
}

/// Reads the request head (up to the blank line); bodies are never needed.
fn read_head(stream: &mut TcpStream) -> io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    ctype: &str,
    body: &[u8],
    send_body: bool,
) -> io::Result<()> {
    let res = Reply {
        status,
        ctype,
        encoding: None,
    };
    respond_with(stream, &res, body, send_body)
}

struct Reply<'a> {
    status: &'a str,
    ctype: &'a str,
    encoding: Option<&'a str>,
}

fn respond_with(
    stream: &mut TcpStream,
    res: &Reply,
    body: &[u8],
    send_body: bool,
) -> io::Result<()> {
    let encoding = res.encoding.map_or(String::new(), |e| {
        format!("Content-Encoding: {e}\r\nVary: Accept-Encoding\r\n")
    });
    // `Connection: close` keeps the server trivially correct (no keep-alive parsing).
    let head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\n{encoding}Content-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        res.status,
        res.ctype,
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if send_body {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Maps a request target to a file under `root`, or None. Rejects `..`
/// segments outright and re-checks the canonical path, so neither traversal
/// nor a symlink can escape `root`.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let path = percent_decode(path.strip_prefix('/')?)?;
    let mut file = root.to_path_buf();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => file.push(s),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let file = file.canonicalize().ok()?;
    (file.starts_with(root) && file.is_file()).then_some(file)
}

/// `%xx` decoding; None for malformed escapes or non-UTF-8 results.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Browsers refuse `instantiateStreaming` without `application/wasm` and
/// module scripts without a JavaScript type, so these must be exact.
fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        fixture_named("files")
    }

    /// A folder of its own per test: tests run in parallel, and rewriting a shared
    /// file while another test reads it gives that test an empty file.
    fn fixture_named(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-static-{}-{name}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("sub/a b.js"), "1").unwrap();
        dir.canonicalize().unwrap()
    }

    #[test]
    fn resolves_files_and_index() {
        let root = fixture();
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
        assert_eq!(
            resolve(&root, "/index.html?x=1"),
            Some(root.join("index.html"))
        );
        assert_eq!(
            resolve(&root, "/sub/a%20b.js"),
            Some(root.join("sub/a b.js"))
        );
        assert_eq!(resolve(&root, "/missing.js"), None);
    }

    #[test]
    fn refuses_traversal() {
        let root = fixture();
        for target in [
            "/../etc/passwd",
            "/sub/../../x",
            "/%2e%2e/x",
            "/..%2fx",
            "/%2e%2e%5cx",
            "x",
            "/%zz",
        ] {
            assert_eq!(resolve(&root, target), None, "{target}");
        }
    }

    #[test]
    fn serves_exact_content_types_over_http() {
        let root = fixture_named("types");
        std::fs::write(root.join("m.wasm"), b"\0asm").unwrap();
        let port = spawn(&root).unwrap();
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET /m.wasm HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(
            reply.contains("Content-Type: application/wasm\r\n"),
            "{reply}"
        );
        assert!(reply.ends_with("\r\n\r\n\0asm"), "{reply}");
    }

    fn get(port: u16, path: &str, extra: &str) -> Vec<u8> {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n").unwrap();
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).unwrap();
        reply
    }

    #[test]
    fn sends_the_gz_beside_a_file_only_to_a_browser_that_takes_gzip() {
        let root = fixture_named("gzip");
        std::fs::write(root.join("z.js"), b"plain").unwrap();
        std::fs::write(root.join("z.js.gz"), b"GZIPPED").unwrap();
        let port = spawn(&root).unwrap();
        let gz = String::from_utf8(get(port, "/z.js", "Accept-Encoding: br, gzip, deflate\r\n"))
            .unwrap();
        assert!(gz.contains("Content-Encoding: gzip\r\n"), "{gz}");
        assert!(gz.contains("Content-Type: text/javascript"), "{gz}");
        assert!(gz.ends_with("\r\n\r\nGZIPPED"), "{gz}");
        let plain = String::from_utf8(get(port, "/z.js", "")).unwrap();
        assert!(!plain.contains("Content-Encoding"), "{plain}");
        assert!(plain.ends_with("\r\n\r\nplain"), "{plain}");
        // A file without a .gz beside it is sent as it is.
        let html = String::from_utf8(get(port, "/", "Accept-Encoding: gzip\r\n")).unwrap();
        assert!(!html.contains("Content-Encoding"), "{html}");
        assert!(html.ends_with("<p>hi</p>"), "{html}");
    }
}
