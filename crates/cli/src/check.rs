//! `sockscope check FILE...`: runs scenarios and verifies every `expect` line.

use crate::{load, EXIT_FAILED, EXIT_PARSE};
use sockscope_scenario::{run, Report};
use std::process::ExitCode;

pub fn check(files: &[String]) -> ExitCode {
    let (mut passed, mut failed, mut unreadable) = (0usize, 0usize, 0usize);
    for file in files {
        let scenario = match load(file) {
            Ok(s) => s,
            Err(_) => {
                unreadable += 1;
                continue;
            }
        };
        let report = run(&scenario);
        print_failures(file, &report);
        passed += report.passed;
        failed += report.failures.len() + usize::from(report.error.is_some());
        let verdict = if report.ok() { "ok" } else { "FAILED" };
        let answered = report
            .questions
            .iter()
            .filter(|q| q.answer.is_some())
            .count();
        let questions = match report.questions.len() {
            0 => String::new(),
            n => format!("; questions: {answered} of {n} answered by the engine"),
        };
        println!(
            "{file}: {verdict} (expectations: {} passed, {} failed{questions})",
            report.passed,
            report.failures.len()
        );
    }
    println!("{passed} passed, {failed} failed");
    if unreadable > 0 {
        ExitCode::from(EXIT_PARSE)
    } else if failed > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Each failure as a small diff, and a statement that could not run.
fn print_failures(file: &str, report: &Report) {
    for f in &report.failures {
        println!("{file}:{}: {}", f.line, f.statement);
        println!("--- expected");
        println!("+++ got");
        println!("-{}", f.expected);
        println!("+{}", f.got);
    }
    if let Some(e) = &report.error {
        println!("{file}:{e}");
    }
}
