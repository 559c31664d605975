//! Every example scenario runs to the end with all its expectations met, and the
//! worked examples of MODEL.md print exactly their golden output.
//!
//! After a deliberate change of wording, `SOCKSCOPE_BLESS=1 cargo test` rewrites the
//! golden files; review their diff before committing it.

use sockscope_scenario::{parse, run, Report};
use std::path::{Path, PathBuf};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn run_file(path: &Path) -> Report {
    let text = std::fs::read_to_string(path).unwrap();
    let scenario = parse(&text).unwrap_or_else(|e| panic!("{}:{e}", path.display()));
    run(&scenario)
}

#[test]
fn every_example_meets_all_its_expectations() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scn"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "expected the example set, found {files:?}"
    );
    for path in files {
        let report = run_file(&path);
        assert!(
            report.error.is_none(),
            "{}:{}",
            path.display(),
            report.error.unwrap()
        );
        assert!(
            report.failures.is_empty(),
            "{}: {:#?}\n{}",
            path.display(),
            report.failures,
            report.text()
        );
        assert!(report.passed > 0, "{} checks nothing", path.display());
    }
}

/// Compares the run of `examples/NAME.scn` with `tests/golden/NAME.out`.
fn golden(name: &str) {
    let report = run_file(&examples_dir().join(format!("{name}.scn")));
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.out"));
    let got = report.text();
    if std::env::var_os("SOCKSCOPE_BLESS").is_some() {
        // Blessing rewrites what the test compares with: a CI run must not do it.
        assert!(
            std::env::var_os("CI").is_none(),
            "SOCKSCOPE_BLESS is refused when CI is set: it would rewrite the golden files"
        );
        std::fs::write(&golden, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (SOCKSCOPE_BLESS=1 writes it)", golden.display()));
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .position(|(g, w)| g != w)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
        panic!(
            "{name}: output differs from {} at line {}:\n--- expected\n{}\n+++ got\n{}\n\nfull output:\n{got}",
            golden.display(),
            first + 1,
            want.lines().nth(first).unwrap_or("(end)"),
            got.lines().nth(first).unwrap_or("(end)"),
        );
    }
}

#[test]
fn byte_stream_prints_its_golden_output() {
    golden("byte_stream");
}

#[test]
fn deadlock_prints_its_golden_output() {
    golden("deadlock");
}

#[test]
fn demux_prints_its_golden_output() {
    golden("demux");
}

#[test]
fn time_wait_prints_its_golden_output() {
    golden("time_wait");
}

#[test]
fn refused_prints_its_golden_output() {
    golden("refused");
}

#[test]
fn timeout_prints_its_golden_output() {
    golden("timeout");
}

#[test]
fn simultaneous_open_prints_its_golden_output() {
    golden("simultaneous_open");
}

#[test]
fn udp_prints_its_golden_output() {
    golden("udp");
}

#[test]
fn ss_prints_its_golden_output() {
    golden("ss");
}

#[test]
fn dual_stack_prints_its_golden_output() {
    golden("dual-stack");
}
