//! `cargo xtask serve`: trunk's dev server with live reload.

use crate::cmd::{self, Res};
use crate::{dist, tools};
use std::process::Command;

pub fn run(port: u16) -> Res<()> {
    tools::ensure_for_serve()?;
    dist::check_trunk_config()?;
    let port = port.to_string();
    let mut trunk = Command::new("trunk");
    // --offline: trunk must use the wasm-bindgen we installed, never download one.
    trunk.args([
        "serve",
        "--offline",
        "--address",
        "127.0.0.1",
        "--port",
        &port,
    ]);
    println!("sockscope: serving at http://127.0.0.1:{port}/");
    cmd::run(&mut trunk)
}
