//! `cargo xtask test`: every suite, in order, continuing past failures so that
//! one run shows the whole picture; ends with a per-suite summary.

use crate::browser::Browser;
use crate::cmd::{self, cargo, Res, Teed};
use crate::report::Report;
use crate::{dist, e2e, fuzz, single_file, tools};
use std::path::Path;

/// Crates whose tests also run in the browsers, each with its package name.
const WASM_CRATES: &[(&str, &str)] = &[
    ("sockscope-engine", "crates/engine"),
    ("sockscope-app", "crates/app"),
];

/// The suite names in the summary, one per crate and browser.
const WASM_SUITES: &[(&str, usize, Browser)] = &[
    ("wasm engine (chromium)", 0, Browser::Chromium),
    ("wasm app (chromium)", 1, Browser::Chromium),
    ("wasm engine (firefox)", 0, Browser::Firefox),
    ("wasm app (firefox)", 1, Browser::Firefox),
];

/// Returns whether every suite passed (the summary has already been printed).
pub fn run(long: bool) -> Res<bool> {
    refuse_bless_in_ci(
        std::env::var_os("CI").is_some(),
        std::env::var_os("SOCKSCOPE_BLESS").is_some(),
    )?;
    let root = cmd::repo_root();
    let mut report = Report::default();
    report.suite("tools", tools::ensure_for_test);
    report.suite("fmt", || {
        cmd::run(cargo().args(["fmt", "--all", "--", "--check"]))
    });
    report.suite("clippy", || {
        cmd::run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    report.suite("clippy wasm32", || {
        cmd::run(cargo().args([
            "clippy",
            "-p",
            "sockscope-app",
            "-p",
            "sockscope-engine",
            "-p",
            "sockscope-scenario",
            "--all-targets",
            "--target",
            tools::WASM_TARGET,
            "--",
            "-D",
            "warnings",
        ]))
    });
    report.suite("cargo test", || cargo_test(long));
    report.suite("fuzz", || fuzz::suite(long));
    for &(name, krate, browser) in WASM_SUITES {
        report.suite(name, || {
            wasm_browser_test(&root, WASM_CRATES[krate], browser)
        });
    }
    let built = report
        .suite("dist", || {
            let gz = dist::build()?;
            let single =
                single_file::write(&root.join(dist::DIST), &root.join(single_file::OUT_DIR))?;
            let size = std::fs::metadata(&single).map_err(|e| e.to_string())?.len();
            Ok(format!("{gz} B shipped, gzip -9; single file {size} B"))
        })
        .is_some();
    for (name, browser) in [
        ("e2e (chromium)", Browser::Chromium),
        ("e2e (firefox)", Browser::Firefox),
    ] {
        report.suite(name, || match built {
            true => e2e::run(&root, browser, long),
            false => Err("skipped: dist failed".to_owned()),
        });
    }
    Ok(report.finish())
}

/// SOCKSCOPE_BLESS rewrites the golden files instead of comparing with them: a CI run
/// with it set would turn itself green, so it is refused there.
fn refuse_bless_in_ci(ci: bool, bless: bool) -> Res<()> {
    match ci && bless {
        true => Err(
            "SOCKSCOPE_BLESS is set in a CI run (CI is set): blessing rewrites the \
                     expected output instead of checking it; unset it"
                .to_owned(),
        ),
        false => Ok(()),
    }
}

/// Native tests; `--long` raises proptest's case count for a deeper search: every
/// property test, the scenario crate's own counts included (they take the larger), and
/// the engine's random sequences then drive over a million calls and network steps,
/// the count printed.
fn cargo_test(long: bool) -> Res<String> {
    let mut test = cargo();
    test.args(["test", "--workspace"]);
    if long {
        test.env("PROPTEST_CASES", "10000");
    }
    counted(cmd::run_tee(&mut test)?)
}

/// Browser tests of one crate, the way wasm-pack ran them but without it:
/// `cargo test --target wasm32-unknown-unknown` with wasm-bindgen-cli's
/// `wasm-bindgen-test-runner` as the target's runner. The runner picks its driver
/// from the first of GECKODRIVER / CHROMEDRIVER that is set, and reads the
/// browser's binary and flags (e.g. --no-sandbox, so Chromium runs as root in CI)
/// from the crate's webdriver.json.
fn wasm_browser_test(root: &Path, (package, dir): (&str, &str), browser: Browser) -> Res<String> {
    let capabilities = root.join(dir).join("webdriver.json");
    if !capabilities.exists() {
        return Err(format!(
            "{dir}/webdriver.json is missing (the browsers' binaries and flags)"
        ));
    }
    let mut test = cargo();
    // --no-fail-fast: every test binary runs, so one run shows every failure.
    test.args([
        "test",
        "--no-fail-fast",
        "-p",
        package,
        "--target",
        tools::WASM_TARGET,
    ])
    .current_dir(root.join(dir))
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("WASM_BINDGEN_TEST_ONLY_WEB", "1")
    .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &capabilities)
    .env_remove("GECKODRIVER")
    .env_remove("CHROMEDRIVER");
    match browser {
        Browser::Chromium => test.env("CHROMEDRIVER", tools::CHROMEDRIVER),
        Browser::Firefox => test.env("GECKODRIVER", tools::GECKODRIVER),
    };
    counted(cmd::run_tee(&mut test)?)
}

/// Turns libtest's `test result:` lines into the suite's outcome and counts.
pub fn counted(out: Teed) -> Res<String> {
    judge(out.ok, TestCounts::parse(&out.stdout), &out.failure)
}

/// A suite passes only if it ran tests and none failed or was ignored: an ignored
/// test checks nothing, so it cannot count as a pass.
fn judge(ok: bool, counts: TestCounts, failure: &str) -> Res<String> {
    if counts.failed > 0 {
        Err(format!("{counts}; see output above"))
    } else if !ok {
        Err(failure.to_owned())
    } else if counts.passed == 0 {
        Err("no tests ran".to_owned())
    } else if counts.ignored > 0 {
        Err(format!("{counts}: every test must run"))
    } else {
        Ok(counts.to_string())
    }
}

/// Sums over every `test result:` line (one per test binary and doc-test run).
#[derive(Debug, Default, PartialEq)]
struct TestCounts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl TestCounts {
    fn parse(stdout: &str) -> Self {
        let mut counts = Self::default();
        for line in stdout.lines() {
            let Some(rest) = line.trim().strip_prefix("test result: ") else {
                continue;
            };
            for part in rest.split([';', '.']) {
                let mut words = part.split_whitespace();
                let (Some(n), Some(kind)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(n) = n.parse::<u64>() else { continue };
                match kind {
                    "passed" => counts.passed += n,
                    "failed" => counts.failed += n,
                    "ignored" => counts.ignored += n,
                    _ => {}
                }
            }
        }
        counts
    }
}

impl std::fmt::Display for TestCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} ignored",
            self.passed, self.failed, self.ignored
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{judge, TestCounts};

    #[test]
    fn blessing_is_refused_in_ci_only() {
        assert!(super::refuse_bless_in_ci(true, true).is_err());
        assert!(super::refuse_bless_in_ci(true, false).is_ok());
        assert!(super::refuse_bless_in_ci(false, true).is_ok());
    }

    #[test]
    fn a_suite_with_ignored_or_no_tests_fails() {
        let c = |passed, failed, ignored| TestCounts {
            passed,
            failed,
            ignored,
        };
        assert!(judge(true, c(3, 0, 0), "").is_ok());
        assert!(judge(true, c(0, 0, 0), "").is_err());
        assert!(judge(true, c(3, 0, 1), "").is_err());
        assert!(judge(false, c(3, 1, 0), "").is_err());
        assert!(judge(false, c(3, 0, 0), "build failed").is_err());
    }

    #[test]
    fn sums_every_result_line() {
        let out = "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
                   test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n";
        let counts = TestCounts::parse(out);
        assert_eq!(
            counts,
            TestCounts {
                passed: 4,
                failed: 2,
                ignored: 1
            }
        );
        assert_eq!(counts.to_string(), "4 passed, 2 failed, 1 ignored");
    }
}
