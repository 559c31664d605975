//! `sockscope code FILE`: the program each process's calls amount to, in C or Python,
//! printed under a header line each, or written as one file per process.

use crate::{load, EXIT_FAILED};
use sockscope_scenario::codegen::{generate, Lang, Options};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn code(file: &str, lang: Lang, out: Option<&str>, loopback: bool) -> ExitCode {
    let scenario = match load(file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut opts = match loopback {
        true => Options::loopback(&scenario.statements),
        false => Options::default(),
    };
    opts.source = Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let generated = generate(&scenario.statements, lang, &opts);
    if generated.programs.is_empty() {
        eprintln!("{file}: no process makes a call, so there is no program to write");
        return ExitCode::from(EXIT_FAILED);
    }
    match out {
        Some(dir) => write_files(dir, &generated.programs),
        None => print_all(&generated.programs),
    }
}

fn write_files(dir: &str, programs: &[sockscope_scenario::codegen::Program]) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("{dir}: cannot create: {e}");
        return ExitCode::from(EXIT_FAILED);
    }
    for p in programs {
        let path = Path::new(dir).join(&p.file_name);
        if let Err(e) = std::fs::write(&path, p.text()) {
            eprintln!("{}: cannot write: {e}", path.display());
            return ExitCode::from(EXIT_FAILED);
        }
        println!("wrote {} ({} lines)", path.display(), p.lines.len());
    }
    ExitCode::SUCCESS
}

/// Each program under `==> NAME <==`, as `head` prints several files.
fn print_all(programs: &[sockscope_scenario::codegen::Program]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    for (i, p) in programs.iter().enumerate() {
        let gap = if i == 0 { "" } else { "\n" };
        // A closed pipe (e.g. `| head`) is not an error of the scenario.
        if write!(out, "{gap}==> {} <==\n{}", p.file_name, p.text()).is_err() {
            return ExitCode::SUCCESS;
        }
    }
    ExitCode::SUCCESS
}
