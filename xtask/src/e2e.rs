//! End-to-end tests: the real release `dist/` behind a plain static server,
//! driven by Playwright (playwright-core + Debian's chromium, no downloads).

use crate::cmd::{self, Res};
use crate::{dist, static_server, tools};
use std::path::{Path, PathBuf};
use std::process::Command;

const TEST_DIR: &str = "tests/e2e";

/// Serves `dist/` and runs `node --test` on tests/e2e/*.test.mjs; returns "N passed, N failed".
pub fn run(root: &Path) -> Res<String> {
    let node_modules = tools::node_modules()?;
    if !node_modules.join("playwright-core").exists() {
        return Err(format!(
            "playwright-core missing from {}",
            node_modules.display()
        ));
    }
    let port = static_server::spawn(&root.join(dist::DIST))?;
    let url = format!("http://127.0.0.1:{port}/");
    let shots = root.join("target").join("e2e");
    std::fs::create_dir_all(&shots)
        .map_err(|e| format!("cannot create {}: {e}", shots.display()))?;
    println!(
        "sockscope: serving dist/ at {url}; screenshots go to {}",
        shots.display()
    );

    let mut node = Command::new("node");
    // Files are listed explicitly: how `node --test <dir>` treats a directory
    // differs between Node versions (recursive search in 20, glob in 22+).
    node.args(["--test", "--test-reporter=spec"])
        .args(test_files()?)
        // NODE_PATH serves `require` (via createRequire); SOCKSCOPE_NODE_MODULES
        // lets ESM code resolve packages by absolute path, since ESM ignores NODE_PATH.
        .env("NODE_PATH", &node_modules)
        .env("SOCKSCOPE_NODE_MODULES", &node_modules)
        .env("SOCKSCOPE_CHROMIUM", tools::CHROMIUM)
        .env("SOCKSCOPE_URL", &url)
        .env("SOCKSCOPE_SHOTS", &shots);
    let out = cmd::run_tee(&mut node)?;
    let counts = node_counts(&out.stdout);
    match (out.ok, counts) {
        (true, Some((pass, 0))) if pass > 0 => Ok(format!("{pass} passed, 0 failed")),
        (true, _) => Err("node --test ran no e2e tests".to_owned()),
        (false, Some((pass, fail))) => {
            Err(format!("{pass} passed, {fail} failed; see output above"))
        }
        (false, None) => Err(out.failure),
    }
}

/// `tests/e2e/*.test.mjs` (not recursive: node_modules may live there), sorted;
/// helpers such as browser.mjs are not tests.
fn test_files() -> Res<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(TEST_DIR).map_err(|e| format!("cannot list {TEST_DIR}: {e}"))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs files in {TEST_DIR}/"));
    }
    Ok(files)
}

/// `(pass, fail)` from node's summary (`ℹ pass 1` in spec, `# pass 1` in TAP).
fn node_counts(stdout: &str) -> Option<(u64, u64)> {
    let count = |key: &str| {
        stdout.lines().rev().find_map(|line| {
            let line = line.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
            line.strip_prefix(key)?.trim().parse::<u64>().ok()
        })
    };
    Some((count("pass ")?, count("fail ")?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_node_summaries() {
        let spec = "✔ x (1ms)\nℹ tests 3\nℹ pass 2\nℹ fail 1\nℹ cancelled 0\n";
        assert_eq!(super::node_counts(spec), Some((2, 1)));
        assert_eq!(super::node_counts("# pass 4\n# fail 0\n"), Some((4, 0)));
        assert_eq!(super::node_counts("nothing"), None);
    }
}
