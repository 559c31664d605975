//! `sockscope run FILE`: what every statement did, or the engine's trace as JSON lines.

use crate::{load, EXIT_FAILED};
use sockscope_scenario::Runner;
use std::io::Write;
use std::process::ExitCode;

pub fn run(file: &str, json: bool) -> ExitCode {
    let scenario = match load(file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut runner = Runner::new(&scenario);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut error = None;
    while let Some(step) = runner.step() {
        match step {
            Ok(lines) if !json => {
                for l in lines {
                    // A closed pipe (e.g. `| head`) is not an error of the scenario.
                    if writeln!(out, "{}", l.text).is_err() {
                        return ExitCode::SUCCESS;
                    }
                }
            }
            Ok(_) => {}
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if json {
        let trace: &[sockscope_engine::TraceEntry] = runner.world().trace();
        for entry in trace {
            let line = serde_json::to_string(entry).expect("trace entries are plain data");
            if writeln!(out, "{line}").is_err() {
                return ExitCode::SUCCESS;
            }
        }
    }
    match error {
        Some(e) => {
            eprintln!("{file}:{e}");
            ExitCode::from(EXIT_FAILED)
        }
        None => ExitCode::SUCCESS,
    }
}
