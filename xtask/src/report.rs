//! Suite bookkeeping for `cargo xtask test`: run everything, remember each
//! outcome, and finish with a summary a human (or CI grep) can read at a glance.

use crate::cmd::Res;

/// Outcome of one suite: `Ok(detail)` or `Err(why)`; details may be empty.
struct Suite {
    name: &'static str,
    outcome: Res<String>,
}

#[derive(Default)]
pub struct Report {
    suites: Vec<Suite>,
}

impl Report {
    /// Runs one suite under a banner and records its outcome; never aborts the run,
    /// so one broken suite cannot hide the state of the others.
    pub fn suite<T>(&mut self, name: &'static str, body: impl FnOnce() -> Res<T>) -> Option<T>
    where
        T: Detail,
    {
        println!("\n==> {name}");
        let result = body();
        let outcome = match &result {
            Ok(value) => Ok(value.detail()),
            Err(why) => {
                println!("{name}: FAILED: {why}");
                Err(why.clone())
            }
        };
        self.suites.push(Suite { name, outcome });
        result.ok()
    }

    /// Prints one line per suite and the final `N passed, N failed`; true if all passed.
    pub fn finish(&self) -> bool {
        println!("\n==> summary");
        for suite in &self.suites {
            println!("{}", summary_line(suite));
        }
        let failed = self.suites.iter().filter(|s| s.outcome.is_err()).count();
        println!("{} passed, {failed} failed", self.suites.len() - failed);
        failed == 0
    }
}

fn summary_line(suite: &Suite) -> String {
    match &suite.outcome {
        Ok(detail) if detail.is_empty() => format!("{}: ok", suite.name),
        Ok(detail) => format!("{}: ok ({detail})", suite.name),
        Err(why) => format!("{}: FAILED ({})", suite.name, first_line(why)),
    }
}

/// Summary lines stay one line each even when an error message is long.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// What a successful suite shows in its summary line (e.g. test counts).
pub trait Detail {
    fn detail(&self) -> String;
}

impl Detail for () {
    fn detail(&self) -> String {
        String::new()
    }
}

impl Detail for String {
    fn detail(&self) -> String {
        self.clone()
    }
}
