//! Asking questions: the moment happens, and the engine gives the answer.

use super::calls::Came;
use super::{Failure, LineKind, Runner};
use crate::ast::{Outcome, QueueName, Statement};
use crate::error::CannotRun;
use crate::question::{Answer, Probe, Question};
use serde::{Deserialize, Serialize};
use sockscope_engine::experiment::echo;

/// The longest message `echo_limit` tries: each length is a run of its own, and a
/// search beyond this would keep a question waiting for seconds.
const ECHO_SEARCH_MAX: u64 = 20_000;

/// A question that has been asked, with the answer the engine gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    pub id: String,
    pub line: u32,
    /// What the engine says; `None` when it could give no answer (the scenario is
    /// wrong, which the run reports as a failure).
    pub answer: Option<Answer>,
}

impl Runner {
    pub(super) fn ask(&mut self, st: &Statement, q: &Question) -> Result<(), CannotRun> {
        self.emit(
            LineKind::Question,
            format!("ask {}: {}", q.id, q.prompt_text()),
        );
        if !q.choices.is_empty() {
            let options: Vec<String> = q
                .choices
                .iter()
                .map(|c| match c.text.as_str() {
                    "" => c.value.to_string(),
                    t => format!("{} ({t})", c.value),
                })
                .collect();
            self.emit(
                LineKind::Question,
                format!("  choices: {}", options.join(" | ")),
            );
        }
        let answer = match &q.probe {
            Probe::Returns { proc, call } => {
                let came = self.call(proc, call)?;
                Ok(Answer::Outcome(outcome(&came)))
            }
            Probe::Blocks { proc, call } => {
                self.call(proc, call)?;
                Ok(Answer::Yes(self.last_call_blocked))
            }
            probe => {
                for kind in &q.after {
                    let moment = Statement {
                        line: st.line,
                        col: st.col,
                        kind: kind.clone(),
                    };
                    self.dispatch(&moment)?;
                }
                self.read_probe(probe)?
            }
        };
        let problem = match &answer {
            Err(why) => Some(("an answer the engine can give".to_string(), why.clone())),
            Ok(a) => Self::question_problem(q, a),
        };
        if let Some((expected, got)) = problem {
            self.emit(
                LineKind::Fail,
                format!("ask {}: FAILED, the question is wrong: {got}", q.id),
            );
            self.failures.push(Failure {
                line: st.line,
                col: st.col,
                statement: format!("ask {}", q.id),
                expected,
                got,
            });
        }
        if let Ok(a) = &answer {
            let why = q
                .why
                .as_deref()
                .map(|w| format!(" — {w}"))
                .unwrap_or_default();
            self.emit(LineKind::Answer, format!("answer {}: {a}{why}", q.id));
        }
        self.asked.push(Asked {
            id: q.id.clone(),
            line: st.line,
            answer: answer.ok(),
        });
        Ok(())
    }

    /// What is wrong with a question whose right answer is `a`: no choice is right, or
    /// a hint was written for the right answer.
    fn question_problem(q: &Question, a: &Answer) -> Option<(String, String)> {
        if !q.choices.is_empty() && !q.choices.iter().any(|c| a.accepts(&c.value)) {
            return Some((
                "one of its choices to be right".into(),
                format!("the engine's answer is {a}, which is not among the choices"),
            ));
        }
        q.hints.iter().find(|h| a.accepts(&h.value)).map(|h| {
            (
                "hints only for wrong answers".into(),
                format!("the hint for {} is written for the right answer", h.value),
            )
        })
    }

    /// Reads what a state, queue, demux or deadlock probe asks about. The inner error
    /// says why the engine has no answer (the descriptor is not open, say).
    fn read_probe(&self, probe: &Probe) -> Result<Result<Answer, String>, CannotRun> {
        Ok(match probe {
            Probe::State { proc, fd } => self
                .socket_at(proc, fd)?
                .map(|s| Answer::State(s.state))
                .ok_or_else(|| format!("{proc}'s {fd} is not an open descriptor")),
            Probe::Queue { queue, proc, fd } => self
                .socket_at(proc, fd)?
                .map(|s| {
                    Answer::Bytes(match queue {
                        QueueName::SendQ => s.sendq.len(),
                        QueueName::RecvQ => s.recvq.len(),
                    })
                })
                .ok_or_else(|| format!("{proc}'s {fd} is not an open descriptor")),
            Probe::Demux { proc, packet } => {
                let (_, winner) = self.demux_winner(proc, packet)?;
                match winner {
                    None => Ok(Answer::Structure(Vec::new())),
                    Some(sock) => {
                        let names = self.sock_names(sock);
                        if names.is_empty() {
                            Err(format!(
                                "the packet goes to {sock}, which no variable names, so a learner cannot name it"
                            ))
                        } else {
                            Ok(Answer::Structure(names))
                        }
                    }
                }
            }
            Probe::Deadlock => Ok(Answer::Yes(self.world.deadlock().is_some())),
            Probe::EchoLimit { chunk } => self.echo_limit(*chunk),
            Probe::Returns { .. } | Probe::Blocks { .. } => {
                unreachable!("call probes are answered by their call")
            }
        })
    }

    /// The echo client's limit with this world's configuration, searched for on a fresh
    /// world (the scenario's own connections are not touched).
    fn echo_limit(&self, chunk: u64) -> Result<Answer, String> {
        let config = self.world.config().clone();
        // Every byte of a message that completes sits in one of five places at once
        // (two queues each way and the piece the server holds), so the limit is below
        // this; the search stops here rather than run on.
        let max = (config.sndbuf + config.rcvbuf)
            .saturating_mul(4)
            .saturating_add(chunk.saturating_mul(2))
            .min(ECHO_SEARCH_MAX);
        let spec = echo::EchoSpec { config, chunk };
        match echo::smallest_deadlock(&spec, max) {
            Ok(Some(n)) => Ok(Answer::Bytes(n)),
            Ok(None) => Err(format!(
                "no message of up to {max} bytes deadlocks the echo client with these buffers"
            )),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Every question asked so far, in order, with the engine's answers.
    pub fn asked(&self) -> &[Asked] {
        &self.asked
    }
}

/// A call's fate as an answer.
fn outcome(came: &Came) -> Outcome {
    match came {
        Came::Returned(Ok(v)) => Outcome::Int(v.as_int()),
        Came::Returned(Err(e)) => Outcome::Errno(*e),
        Came::StillBlocked => Outcome::Blocks,
    }
}
