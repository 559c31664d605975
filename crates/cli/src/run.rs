//! `sockscope run FILE`: what every statement did, or the engine's trace as JSON lines;
//! with `--pcap OUT`, the run's segments as a capture file too.

use crate::{load, EXIT_FAILED};
use sockscope_scenario::Runner;
use std::io::Write;
use std::process::ExitCode;

pub fn run(file: &str, json: bool, pcap: Option<&str>) -> ExitCode {
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
    // What ran is written even when a statement failed: the capture shows how far it got.
    if let Some(out_file) = pcap {
        if let Err(why) = write_capture(runner.world().trace(), out_file) {
            eprintln!("{out_file}: {why}");
            return ExitCode::from(EXIT_FAILED);
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

fn write_capture(trace: &[sockscope_engine::TraceEntry], out_file: &str) -> Result<(), String> {
    use sockscope_engine::capture::{self, Format};
    let written =
        capture::write(trace, Format::for_file_name(out_file)).map_err(|e| e.to_string())?;
    std::fs::write(out_file, &written.bytes).map_err(|e| format!("cannot write: {e}"))?;
    eprintln!(
        "{out_file}: {} frames ({} dropped on the way), {} bytes",
        written.frames,
        written.dropped,
        written.bytes.len()
    );
    Ok(())
}
