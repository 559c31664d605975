//! Goals: an exercise states what the world must come to, and the runner checks it
//! after every statement, counting the calls the learner made to get there.

use super::{LineKind, Runner};
use crate::ast::{Goal, Statement, Stmt};
use crate::error::CannotRun;
use serde::{Deserialize, Serialize};

/// An exercise's goal, and how far the learner is with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalStatus {
    pub goal: Goal,
    pub line: u32,
    /// Calls made since the goal was set.
    pub calls: u32,
    /// The calls it took, once every condition held at the same moment.
    pub reached_after: Option<u32>,
}

impl Runner {
    /// `goal …`: from now on, the runner checks it after every statement. A condition
    /// that names an unknown host or variable is a run error at once.
    pub(super) fn set_goal(&mut self, st: &Statement, goal: &Goal) -> Result<(), CannotRun> {
        for c in &goal.conditions {
            self.holds(c)?;
        }
        let text = goal
            .prompt
            .clone()
            .unwrap_or_else(|| goal.conditions_text());
        self.emit(LineKind::Goal, format!("goal: {text}"));
        self.goal = Some(GoalStatus {
            goal: goal.clone(),
            line: st.line,
            calls: 0,
            reached_after: None,
        });
        self.check_goal();
        Ok(())
    }

    /// After a statement: counts it if it made a call, and says when the goal is met.
    pub(super) fn after_statement(&mut self, st: &Statement) {
        let Some(g) = &mut self.goal else { return };
        if g.reached_after.is_some() {
            return;
        }
        let call = matches!(&st.kind, Stmt::Call { .. } | Stmt::Fork { .. })
            || matches!(&st.kind, Stmt::Expect(crate::ast::Expect::Call { .. }));
        if call {
            g.calls += 1;
        }
        self.check_goal();
    }

    fn check_goal(&mut self) {
        let Some(g) = &self.goal else { return };
        if g.reached_after.is_some() {
            return;
        }
        // A condition that cannot be read yet (a variable not set) does not hold.
        let met = g
            .goal
            .conditions
            .iter()
            .all(|c| self.holds(c).unwrap_or(false));
        if met {
            let calls = g.calls;
            if let Some(g) = &mut self.goal {
                g.reached_after = Some(calls);
            }
            let noun = if calls == 1 { "call" } else { "calls" };
            self.emit(LineKind::Pass, format!("goal reached after {calls} {noun}"));
        }
    }

    /// The exercise's goal, if the scenario has set one.
    pub fn goal(&self) -> Option<&GoalStatus> {
        self.goal.as_ref()
    }
}
