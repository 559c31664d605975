//! What the tests of the `sockscope` binary share: running it, reading its output, and
//! where the example scenarios are. Each test binary uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn sockscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

pub fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenario")
}

/// The path of `examples/NAME` beside the scenario crate.
pub fn example(name: &str) -> String {
    scenario_dir()
        .join("examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}
