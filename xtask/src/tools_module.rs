//! `cargo xtask tools-module`: builds the tools module (crates/app's `sockscope-tools`
//! binary: the Captures, Program and throughput panels' insides) and writes its
//! wasm-bindgen files beside the page's own, where the page fetches them the first
//! time a learner opens one of those panels. Trunk runs it after every build (Trunk.toml's
//! `post_build` hook), so `dist` and `serve` both carry it; it reads trunk's
//! `TRUNK_STAGING_DIR` and `TRUNK_PROFILE`, and writes into dist/ as a release build
//! when run by hand.

use crate::cmd::{self, Res};
use crate::tools;
use std::path::PathBuf;
use std::process::Command;

/// The binary, and the stem of its files (`sockscope-tools.js`, `…_bg.wasm`) that
/// crates/app/src/tools_module.rs loads.
pub const NAME: &str = "sockscope-tools";

/// The exports the page calls (crates/app/src/bin/sockscope-tools.rs): the
/// single-file build's loader hands exactly these to the page.
pub const EXPORTS: [&str; 4] = [
    "write_capture",
    "mount_capture",
    "mount_program",
    "mount_throughput",
];

pub fn run() -> Res<()> {
    let out = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(crate::dist::DIST));
    let release = std::env::var("TRUNK_PROFILE").map_or(true, |p| p != "debug");
    let mut build = Command::new("cargo");
    build
        .args(["build", "--package", "sockscope-app", "--bin", NAME])
        .args(["--target", tools::WASM_TARGET]);
    if release {
        build.arg("--release");
    }
    cmd::run(&mut build)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let wasm = target
        .join(tools::WASM_TARGET)
        .join(if release { "release" } else { "debug" })
        .join(format!("{NAME}.wasm"));
    cmd::run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", NAME])
            .arg("--out-dir")
            .arg(&out)
            .arg(&wasm),
    )
}
