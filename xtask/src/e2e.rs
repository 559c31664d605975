//! End-to-end tests: the real release `dist/` behind a plain static server, in
//! Chromium driven by Playwright (playwright-core + Debian's chromium) and in
//! Firefox driven by puppeteer-core over WebDriver BiDi (Debian's firefox-esr);
//! nothing is downloaded. The same test files run in both (tests/e2e/browser.mjs
//! hides the difference), except those listed in `CHROMIUM_ONLY`.

use crate::browser::Browser;
use crate::cmd::{self, Res};
use crate::{dist, single_file, static_server, tools};
use std::path::{Path, PathBuf};
use std::process::Command;

const TEST_DIR: &str = "tests/e2e";

/// Test files that run in Chromium only, each with the reason (a Playwright feature
/// that tests/e2e/firefox.mjs cannot give over WebDriver BiDi, or pixels that are one
/// browser's); every other file runs in both browsers.
pub const CHROMIUM_ONLY: &[(&str, &str)] = &[
    (
        "screens.test.mjs",
        "its baselines are Chromium's pixels (Firefox draws text and form controls with other pixels), and its start-card tests use Playwright calls the Firefox backend does not offer (getByRole, addInitScript, emulateMedia)",
    ),
    (
        "soak.test.mjs",
        "it forces a garbage collection and reads the JS heap over the DevTools protocol (newCDPSession), and keeps the wasm exports with addInitScript; the Firefox backend over WebDriver BiDi has neither",
    ),
];

/// Test files that run only in a `--long` run, each with the reason.
pub const LONG_ONLY: &[(&str, &str)] = &[(
    "soak.test.mjs",
    "its bounds are about a steady state, which takes minutes to reach: the page's bounded stores (10,000 trace events, 20,000 inputs of history, the replay checkpoint) fill in the first 260 s of the stress scene (wasm 6.8 -> 25.0 MiB, flat after), so it plays ten minutes, which is a --long run's time",
)];

/// Seconds of wall time the soak test plays the stress scene in a `--long` run.
const LONG_SOAK_S: &str = "600";

/// Serves `dist/` and runs `node --test` on tests/e2e/*.test.mjs in `browser`;
/// `long` makes the soak test play for LONG_SOAK_S. Returns "N passed, N failed".
pub fn run(root: &Path, browser: Browser, long: bool) -> Res<String> {
    let node_modules = tools::node_modules()?;
    let driver = match browser {
        Browser::Chromium => "playwright-core",
        Browser::Firefox => "puppeteer-core",
    };
    if !node_modules.join(driver).exists() {
        return Err(format!("{driver} missing from {}", node_modules.display()));
    }
    let port = static_server::spawn(&root.join(dist::DIST))?;
    let url = format!("http://127.0.0.1:{port}/");
    let shots = root.join("target").join("e2e").join(browser.name());
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
        .args(test_files(browser, long)?)
        // NODE_PATH serves `require` (via createRequire); SOCKSCOPE_NODE_MODULES
        // lets ESM code resolve packages by absolute path, since ESM ignores NODE_PATH.
        .env("NODE_PATH", &node_modules)
        .env("SOCKSCOPE_NODE_MODULES", &node_modules)
        .env("SOCKSCOPE_BROWSER", browser.name())
        .env("SOCKSCOPE_CHROMIUM", tools::CHROMIUM)
        .env("SOCKSCOPE_FIREFOX", tools::FIREFOX)
        .env("SOCKSCOPE_URL", &url)
        .env(
            "SOCKSCOPE_SINGLE_FILE",
            root.join(single_file::OUT_DIR).join(single_file::FILE),
        )
        .env("SOCKSCOPE_SHOTS", &shots);
    if long {
        node.env("SOCKSCOPE_SOAK_S", LONG_SOAK_S);
    }
    let out = cmd::run_tee(&mut node)?;
    judge(out.ok, node_counts(&out.stdout), &out.failure)
}

/// A run passes only if node succeeded, ran tests, and none failed, was skipped or
/// left as a todo: a skipped test checks nothing, so it cannot count as a pass.
fn judge(ok: bool, counts: Option<NodeCounts>, failure: &str) -> Res<String> {
    match (ok, counts) {
        (true, Some(c)) if c.pass == 0 => Err("node --test ran no e2e tests".to_owned()),
        (true, Some(c)) if c.skipped + c.todo > 0 => Err(format!(
            "{} passed, but {} skipped and {} todo: every test must run",
            c.pass, c.skipped, c.todo
        )),
        (true, Some(c)) if c.fail == 0 => Ok(format!("{} passed, 0 failed", c.pass)),
        (_, Some(c)) => Err(format!(
            "{} passed, {} failed; see output above",
            c.pass, c.fail
        )),
        (true, None) => Err("node --test printed no summary".to_owned()),
        (false, None) => Err(failure.to_owned()),
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct NodeCounts {
    pass: u64,
    fail: u64,
    skipped: u64,
    todo: u64,
}

/// `tests/e2e/*.test.mjs` (not recursive: node_modules may live there), sorted,
/// less those that `browser` cannot run; helpers such as browser.mjs are not tests.
fn test_files(browser: Browser, long: bool) -> Res<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(TEST_DIR).map_err(|e| format!("cannot list {TEST_DIR}: {e}"))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .filter(|p| browser == Browser::Chromium || !listed(CHROMIUM_ONLY, p))
        .filter(|p| long || !listed(LONG_ONLY, p))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs files in {TEST_DIR}/"));
    }
    Ok(files)
}

fn listed(list: &[(&str, &str)], path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    list.iter().any(|(file, _)| *file == name)
}

/// The counts of node's summary (`ℹ pass 1` in spec, `# pass 1` in TAP); pass and
/// fail must be there, skipped and todo count as 0 when absent.
fn node_counts(stdout: &str) -> Option<NodeCounts> {
    let count = |key: &str| {
        stdout.lines().rev().find_map(|line| {
            let line = line.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
            line.strip_prefix(key)?.trim().parse::<u64>().ok()
        })
    };
    Some(NodeCounts {
        pass: count("pass ")?,
        fail: count("fail ")?,
        skipped: count("skipped ").unwrap_or(0),
        todo: count("todo ").unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::{judge, node_counts, NodeCounts};

    fn counts(pass: u64, fail: u64, skipped: u64, todo: u64) -> NodeCounts {
        NodeCounts {
            pass,
            fail,
            skipped,
            todo,
        }
    }

    #[test]
    fn parses_node_summaries() {
        let spec =
            "✔ x (1ms)\nℹ tests 3\nℹ pass 2\nℹ fail 1\nℹ cancelled 0\nℹ skipped 1\nℹ todo 0\n";
        assert_eq!(node_counts(spec), Some(counts(2, 1, 1, 0)));
        assert_eq!(
            node_counts("# pass 4\n# fail 0\n"),
            Some(counts(4, 0, 0, 0))
        );
        assert_eq!(node_counts("nothing"), None);
    }

    #[test]
    fn a_run_with_skipped_or_no_tests_fails() {
        assert!(judge(true, Some(counts(3, 0, 0, 0)), "").is_ok());
        assert!(judge(true, Some(counts(0, 0, 0, 0)), "").is_err());
        assert!(judge(true, Some(counts(3, 0, 1, 0)), "").is_err());
        assert!(judge(true, Some(counts(3, 0, 0, 1)), "").is_err());
        assert!(judge(true, None, "").is_err());
        assert!(judge(false, Some(counts(2, 1, 0, 0)), "").is_err());
    }
}
