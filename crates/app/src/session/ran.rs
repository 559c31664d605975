//! What a session has run, statement by statement, read from its inputs and where each
//! left the scenario (no replay: the program panel asks again whenever something
//! ran): the scenario text of an export, and the statements the program panel writes
//! as C or Python, each with the moment it can be returned to.

use super::{Input, Session, StepMode};
use sockscope_scenario::Statement;

/// The inputs to replay, and then the single tour steps to take, to stand just after
/// one statement ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moment {
    inputs: usize,
    singles: usize,
}

/// One statement the session has run, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Ran {
    pub statement: Statement,
    /// Where to go back to just after it; `None` for the statements the session
    /// started with (a shared link's scenario, a tour's hosts), which have no moment
    /// before them to return to.
    pub moment: Option<Moment>,
}

/// What replaying finds, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Replayed {
    Ran(Ran),
    /// The MSS changed here (not a statement of the language).
    Mss(u64),
}

impl Session {
    /// Everything run so far: the starting scenario's statements, then each input's.
    pub fn replayed(&self) -> Vec<Replayed> {
        let initial = &self.initial.statements()[..self.initial.position()];
        let mut out: Vec<Replayed> = initial
            .iter()
            .map(|st| {
                Replayed::Ran(Ran {
                    statement: st.clone(),
                    moment: None,
                })
            })
            .collect();
        // Where each input left the scenario tells which statements a tour step ran.
        let mut before = self.initial.position();
        for (k, input) in self.history.iter().enumerate() {
            let after = self.positions[k];
            match input {
                Input::Statement(st) => out.push(Replayed::Ran(Ran {
                    statement: st.clone(),
                    moment: Some(Moment {
                        inputs: k + 1,
                        singles: 0,
                    }),
                })),
                Input::ScenarioStep(_) => {
                    let ran = &self.runner.statements()[before..after];
                    out.extend(ran.iter().enumerate().map(|(j, st)| {
                        Replayed::Ran(Ran {
                            statement: st.clone(),
                            moment: Some(Moment {
                                inputs: k,
                                singles: j + 1,
                            }),
                        })
                    }));
                }
                Input::Mss(m) => out.push(Replayed::Mss(*m)),
                // Never kept in the history: switching replays from the start.
                Input::Behaviour(_) => {}
            }
            before = after;
        }
        out
    }

    /// The statements run so far, in order, each with its moment.
    pub fn ran(&self) -> Vec<Ran> {
        self.replayed()
            .into_iter()
            .filter_map(|r| match r {
                Replayed::Ran(ran) => Some(ran),
                Replayed::Mss(_) => None,
            })
            .collect()
    }

    /// Replays to the moment just after a statement ran. A tour step that ran several
    /// statements is retaken one statement at a time, so the world stops right there.
    pub fn seek_moment(&mut self, moment: Moment) {
        self.rewind_to(moment.inputs);
        for _ in 0..moment.singles {
            if self
                .apply(Input::ScenarioStep(StepMode::Statement))
                .is_err()
            {
                break;
            }
        }
    }

    /// Everything done so far as scenario text (a session can be exported and replayed
    /// by the CLI).
    pub fn script(&self) -> String {
        let mut out = String::new();
        for r in self.replayed() {
            match r {
                Replayed::Ran(ran) => out.push_str(&format!("{}\n", ran.statement)),
                Replayed::Mss(m) => out.push_str(&format!("# (the MSS was set to {m} here)\n")),
            }
        }
        out
    }
}
