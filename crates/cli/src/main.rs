//! `sockscope`: runs scenario files on the engine and checks their expectations, and
//! writes the programs their calls amount to.

mod args;
mod check;
mod code;
mod replay;
mod run;

use args::Command;
use std::process::ExitCode;

/// Exit code of a scenario that cannot be read at all.
pub const EXIT_PARSE: u8 = 2;
/// Exit code of a failed expectation or a statement that could not run.
pub const EXIT_FAILED: u8 = 1;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match args::parse(&argv) {
        Ok(Command::Help) => {
            print!("{}", args::HELP);
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("sockscope {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Run { file, json, pcap }) => run::run(&file, json, pcap.as_deref()),
        Ok(Command::Check { files }) => check::check(&files),
        Ok(Command::Replay { file }) => replay::replay(&file),
        Ok(Command::Code {
            file,
            lang,
            out,
            loopback,
        }) => code::code(&file, lang, out.as_deref(), loopback),
        Err(message) => {
            eprintln!("sockscope: {message}");
            eprintln!("Try `sockscope --help`.");
            ExitCode::from(EXIT_PARSE)
        }
    }
}

/// Reads and parses a scenario file, printing `FILE:LINE:COL: message` on failure.
pub fn load(file: &str) -> Result<sockscope_scenario::Scenario, ExitCode> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        eprintln!("{file}: cannot read: {e}");
        ExitCode::from(EXIT_PARSE)
    })?;
    sockscope_scenario::parse(&text).map_err(|e| {
        eprintln!("{file}:{e}");
        ExitCode::from(EXIT_PARSE)
    })
}
