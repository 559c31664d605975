//! Where a tour's steps begin and end. This is the only place that decides where a
//! tour pauses: everything else (the panel's counter, links, jumps, the hint of what
//! the next step runs) counts steps with these functions.

use sockscope_scenario::{Statement, Stmt};

/// How far one press of a tour's "Next step" goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StepMode {
    /// To the next narration: everything the current narration talks about.
    #[default]
    Narration,
    /// One statement of the scenario.
    Statement,
}

/// Whether a press of "Next step" (by narration) ends between `done`, the statement it
/// has just run, and `next`. This is the only place that decides where a tour pauses.
///
/// A question is a step of its own: the tour stops before it, and the learner's
/// answer runs it.
pub fn pauses_between(done: &Stmt, next: &Stmt) -> bool {
    match (done, next) {
        // A question waits for the learner: the step before it stops in front of it.
        (_, Stmt::Ask(_)) => true,
        // Answering runs the question's moment and the checks after it, which show
        // nothing by themselves; what the world does next waits for the next step.
        (Stmt::Ask(_), next) => !is_check(next),
        // A part of the tour always begins a step of its own.
        (_, Stmt::Section(_)) => true,
        // Narration lines that follow one another are read together.
        (Stmt::Say(_) | Stmt::Section(_), Stmt::Say(_)) => false,
        // Otherwise narration begins the next moment.
        (_, Stmt::Say(_)) => true,
        _ => false,
    }
}

/// A statement that only looks (an expectation that makes no call, a printout).
fn is_check(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expect(e) => !matches!(e, sockscope_scenario::Expect::Call { .. }),
        Stmt::Netstat { .. } | Stmt::Ss { .. } | Stmt::Explain { .. } => true,
        _ => false,
    }
}

/// Where each step of a tour begins: `starts[k]` is the runner's position before the
/// (k+1)-th press of "Next step", counting presses in `mode` from `start` (the position
/// where the tour stands before its first step). The tour is over at `statements.len()`.
pub fn step_starts(statements: &[Statement], start: usize, mode: StepMode) -> Vec<usize> {
    let start = start.min(statements.len());
    (start..statements.len())
        .filter(|&i| {
            i == start
                || mode == StepMode::Statement
                || pauses_between(&statements[i - 1].kind, &statements[i].kind)
        })
        .collect()
}

/// What a statement makes the learner's programs or the network do, as a hint before
/// it runs: a call (without the value an expectation waits for) or a `net:` command.
/// Narration, checks and printouts give none, so no coming result is ever shown.
pub fn action_hint(stmt: &Stmt) -> Option<String> {
    match stmt {
        Stmt::Call { .. } | Stmt::Fork { .. } | Stmt::Net(_) => Some(stmt.to_string()),
        Stmt::Expect(sockscope_scenario::Expect::Call { proc, call, .. }) => {
            Some(format!("{proc}: {call}"))
        }
        _ => None,
    }
}

/// Where a step that begins at `pos` ends: the position of the first statement it does
/// not run (`statements.len()` at the end of the scenario).
pub fn step_end(statements: &[Statement], pos: usize, mode: StepMode) -> usize {
    let len = statements.len();
    match mode {
        StepMode::Statement => (pos + 1).min(len),
        StepMode::Narration => (pos + 1..len)
            .find(|&i| pauses_between(&statements[i - 1].kind, &statements[i].kind))
            .unwrap_or(len),
    }
}

/// The step the learner is at when the runner stands at `position`: how many steps
/// have begun before it. At a step's start this is the number of presses that led
/// there; between two starts (the mode was switched) it is the step under way.
pub fn step_at(starts: &[usize], position: usize) -> usize {
    starts.iter().take_while(|&&s| s < position).count()
}
