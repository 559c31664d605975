//! `cargo xtask` — sockscope's developer tasks.
//!
//! Plain `std` on purpose: this binary runs before any tool is installed, so it
//! must build quickly and never depend on anything but the Rust toolchain.

mod bench;
mod browser;
mod cmd;
mod csp;
mod dist;
mod e2e;
mod fuzz;
mod report;
mod serve;
mod shipped;
mod single_file;
mod static_server;
mod test;
mod tools;
mod tools_module;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--port N]  build and serve the app with trunk (default port 8080)
  dist [--single-file]
                    release build into dist/ (wasm-opt'd, relative URLs);
                    --single-file: also dist-single/sockscope.html, one file
                    that runs from disk with no server
  test [--long]     every suite: fmt, clippy, cargo test, fuzz, the wasm tests and
                    e2e in Chromium and Firefox
                    (--long: PROPTEST_CASES=10000; fuzz: 20,000 mutants
                    and 60 s of libFuzzer per target; the e2e soak test,
                    left out otherwise, plays the stress scene for 600 s)
  fuzz [--minutes N]
                    every cargo-fuzz target under libFuzzer for N minutes
                    each (default 5); fails on a crash, naming its input
  tools-module      build the tools module (the Captures, Program and throughput
                    panels) into dist/ (trunk runs it after every build; see
                    Trunk.toml)
  bench             size, load, frame and engine figures against the budgets
                    (builds dist and bench/floor; writes target/bench.json)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(true) => ExitCode::SUCCESS,
        // The command already reported why (e.g. the test summary), so stay quiet:
        // `cargo xtask test` must end with its `N passed, N failed` line.
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the subcommand; `Ok(false)` means "failed, and already said why".
fn dispatch(args: &[String]) -> cmd::Res<bool> {
    let (name, rest) = match args.split_first() {
        Some((name, rest)) => (name.as_str(), rest),
        None => ("help", &[][..]),
    };
    if name != "help" && name != "-h" && name != "--help" {
        // Every task runs commands relative to the workspace root and needs
        // freshly `cargo install`ed tools to be found on PATH.
        std::env::set_current_dir(cmd::repo_root())
            .map_err(|e| format!("cannot enter the workspace root: {e}"))?;
        tools::put_cargo_bin_on_path();
    }
    match name {
        "serve" => serve::run(parse_port(rest)?).map(|()| true),
        "dist" => parse_single_file(rest).and_then(dist::run).map(|()| true),
        "test" => test::run(parse_long(rest)?),
        "fuzz" => fuzz::run(parse_minutes(rest)?),
        "tools-module" => no_args(name, rest)
            .and_then(|()| tools_module::run())
            .map(|()| true),
        "bench" => no_args(name, rest)
            .and_then(|()| bench::run())
            .map(|()| true),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(true)
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

fn no_args(name: &str, rest: &[String]) -> cmd::Res<()> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(format!(
            "`{name}` takes no arguments (got `{arg}`)\n\n{USAGE}"
        )),
    }
}

/// `--port N` or `--port=N`; 8080 is what the README documents.
fn parse_port(rest: &[String]) -> cmd::Res<u16> {
    let value = match rest {
        [] => return Ok(8080),
        [flag, value] if flag == "--port" => value.as_str(),
        [flag] if flag.starts_with("--port=") => &flag["--port=".len()..],
        _ => return Err(format!("usage: cargo xtask serve [--port N]\n\n{USAGE}")),
    };
    value
        .parse()
        .map_err(|_| format!("`{value}` is not a valid port number"))
}

/// `--minutes N` or `--minutes=N` (at least 1); 5 when absent.
fn parse_minutes(rest: &[String]) -> cmd::Res<u64> {
    let value = match rest {
        [] => return Ok(5),
        [flag, value] if flag == "--minutes" => value.as_str(),
        [flag] if flag.starts_with("--minutes=") => &flag["--minutes=".len()..],
        _ => return Err(format!("usage: cargo xtask fuzz [--minutes N]\n\n{USAGE}")),
    };
    match value.parse() {
        Ok(minutes) if minutes > 0 => Ok(minutes),
        _ => Err(format!(
            "`{value}` is not a whole number of minutes (1 or more)"
        )),
    }
}

fn parse_single_file(rest: &[String]) -> cmd::Res<bool> {
    match rest {
        [] => Ok(false),
        [flag] if flag == "--single-file" => Ok(true),
        _ => Err(format!(
            "usage: cargo xtask dist [--single-file]\n\n{USAGE}"
        )),
    }
}

fn parse_long(rest: &[String]) -> cmd::Res<bool> {
    match rest {
        [] => Ok(false),
        [flag] if flag == "--long" => Ok(true),
        _ => Err(format!("usage: cargo xtask test [--long]\n\n{USAGE}")),
    }
}
