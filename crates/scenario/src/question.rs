//! Questions: a moment of a scenario that the learner predicts before the engine shows
//! it. The author writes what to ask about and, optionally, the wording, the options,
//! hints for tempting wrong answers and a "why"; the right answer is never written by
//! the author. The runner reads it from the engine when the moment happens.

use crate::ast::{CallStmt, FdRef, Outcome, Packet, ProcRef, QueueName, Stmt};
use serde::{Deserialize, Serialize};
use sockscope_engine::{Errno, TcpState};

/// `ask ID PROBE [after MOMENT]` with the lines that follow it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Names the question in scores and in the messages sent to a host page.
    pub id: String,
    pub probe: Probe,
    /// What makes the moment happen before a state, queue, demux or deadlock probe is
    /// read (`after net: deliver 1`). Empty: the probe is read as things stand.
    pub after: Vec<Stmt>,
    /// `prompt TEXT`: the question as the learner reads it; a plain one is made from
    /// the probe when there is none.
    pub prompt: Option<String>,
    /// `choice VALUE [TEXT]`: the learner picks one instead of typing an answer.
    pub choices: Vec<Choice>,
    /// `hint VALUE TEXT`: said to a learner who gave that (wrong) answer.
    pub hints: Vec<Hint>,
    /// `why TEXT`: shown with the answer.
    pub why: Option<String>,
}

/// What a question asks about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Probe {
    /// `A: call`: what the call comes to (a number, an errno, or that it blocks). The
    /// call is the moment: it is made when the question is answered.
    Returns { proc: ProcRef, call: CallStmt },
    /// `blocks A: call`: whether the call blocks when it is made.
    Blocks { proc: ProcRef, call: CallStmt },
    /// `state A c`: the state of the structure behind the descriptor.
    State { proc: ProcRef, fd: FdRef },
    /// `sendq A c` / `recvq A c`: how many bytes that queue holds.
    Queue {
        queue: QueueName,
        proc: ProcRef,
        fd: FdRef,
    },
    /// `demux B [TCP|UDP] from .. to ..`: which structure such a packet goes to.
    Demux { proc: ProcRef, packet: Packet },
    /// `deadlock`: whether the programs are deadlocked.
    Deadlock,
    /// `echo_limit CHUNK`: the smallest message with which a client that writes it in
    /// one send() before reading deadlocks against an echo server that reads up to
    /// CHUNK bytes at a time, with this scenario's buffer sizes. The engine finds it
    /// by playing both programs on a fresh world (`experiment::echo`).
    EchoLimit { chunk: u64 },
}

/// An option of a multiple-choice question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: Answer,
    /// How the option reads; the value itself when empty.
    pub text: String,
}

/// Feedback for one particular wrong answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    pub value: Answer,
    pub text: String,
}

/// An answer: the engine's, or one the learner gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Outcome(Outcome),
    Yes(bool),
    State(TcpState),
    Bytes(u64),
    /// The structure's names (the variables that refer to it, any of them right), or
    /// no structure at all.
    Structure(Vec<String>),
}

/// The kind of answer a probe calls for, which decides how a typed answer is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    Outcome,
    YesNo,
    State,
    Bytes,
    Structure,
}

impl Probe {
    pub fn answer_kind(&self) -> AnswerKind {
        match self {
            Probe::Returns { .. } => AnswerKind::Outcome,
            Probe::Blocks { .. } | Probe::Deadlock => AnswerKind::YesNo,
            Probe::State { .. } => AnswerKind::State,
            Probe::Queue { .. } | Probe::EchoLimit { .. } => AnswerKind::Bytes,
            Probe::Demux { .. } => AnswerKind::Structure,
        }
    }

    /// The probe makes its own moment (a call) rather than looking at one.
    pub fn is_call(&self) -> bool {
        matches!(self, Probe::Returns { .. } | Probe::Blocks { .. })
    }
}

impl Question {
    /// The question as the learner reads it: the author's wording, or a plain one.
    pub fn prompt_text(&self) -> String {
        if let Some(p) = &self.prompt {
            return p.clone();
        }
        let after = if self.after.is_empty() {
            String::new()
        } else {
            let moment: Vec<String> = self.after.iter().map(|s| s.to_string()).collect();
            format!(" after `{}`", moment.join("; "))
        };
        match &self.probe {
            Probe::Returns { proc, call } => {
                format!("What will `{proc}: {}` return?", call.call)
            }
            Probe::Blocks { proc, call } => {
                format!("Will `{proc}: {}` block?", call.call)
            }
            Probe::State { proc, fd } => {
                format!("What state will the structure behind {proc}'s {fd} be in{after}?")
            }
            Probe::Queue { queue, proc, fd } => {
                let q = match queue {
                    QueueName::SendQ => "SendQ",
                    QueueName::RecvQ => "RecvQ",
                };
                format!("How many bytes will {proc}'s {fd} hold in its {q}{after}?")
            }
            Probe::Demux { proc, packet } => {
                let what = match packet.proto {
                    sockscope_engine::Proto::Tcp => "a TCP segment",
                    sockscope_engine::Proto::Udp => "a UDP datagram",
                };
                format!(
                    "{} receives {what} from {} to {}{after}. Which structure gets it? (a variable name, or none)",
                    proc.host, packet.from, packet.to
                )
            }
            Probe::Deadlock => format!("Will the programs be deadlocked{after}?"),
            Probe::EchoLimit { chunk } => format!(
                "What is the smallest message (in bytes) with which an echo client deadlocks, if it sends the whole message before reading and the server echoes {chunk} bytes at a time?"
            ),
        }
    }

    /// The hint the author wrote for this wrong answer, if any.
    pub fn hint_for(&self, given: &Answer) -> Option<&str> {
        self.hints
            .iter()
            .find(|h| h.value == *given)
            .map(|h| h.text.as_str())
    }

    /// Reads a learner's answer in the form this question calls for.
    pub fn read_answer(&self, text: &str) -> Result<Answer, String> {
        self.probe.answer_kind().read(text)
    }
}

impl Answer {
    /// Is `given` this answer? A structure is right by any of its names.
    pub fn accepts(&self, given: &Answer) -> bool {
        match (self, given) {
            (Answer::Structure(names), Answer::Structure(g)) => match (names.first(), g.first()) {
                (None, None) => true,
                (Some(_), Some(g)) => names.iter().any(|n| n == g),
                _ => false,
            },
            _ => self == given,
        }
    }
}

impl AnswerKind {
    /// What to type, for a placeholder or a message.
    pub fn help(self) -> &'static str {
        match self {
            AnswerKind::Outcome => {
                "a number such as 1500, an errno name such as ECONNREFUSED, or “blocks”"
            }
            AnswerKind::YesNo => "yes or no",
            AnswerKind::State => "a TCP state such as ESTABLISHED",
            AnswerKind::Bytes => "a number of bytes such as 1500",
            AnswerKind::Structure => "a variable name such as l, or none",
        }
    }

    /// Reads a typed answer. Names are read in any case; numbers must be exact.
    pub fn read(self, text: &str) -> Result<Answer, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err(format!("Type an answer first: {}.", self.help()));
        }
        let upper = t.to_ascii_uppercase();
        let not_it = || format!("“{t}” is not an answer here: type {}.", self.help());
        match self {
            AnswerKind::Outcome => {
                if upper == "BLOCKS" || upper == "BLOCK" {
                    return Ok(Answer::Outcome(Outcome::Blocks));
                }
                if let Some(e) = Errno::ALL.into_iter().find(|e| e.to_string() == upper) {
                    return Ok(Answer::Outcome(Outcome::Errno(e)));
                }
                if upper.starts_with('E') && upper.chars().all(|c| c.is_ascii_uppercase()) {
                    let names: Vec<String> = Errno::ALL.iter().map(|e| e.to_string()).collect();
                    return Err(format!(
                        "“{t}” is not an errno this simulation knows; it knows {}.",
                        names.join(", ")
                    ));
                }
                plain_number(t)
                    .and_then(|n| i64::try_from(n).ok())
                    .or_else(|| {
                        t.strip_prefix('-')
                            .and_then(plain_number)
                            .map(|n| -(n as i64))
                    })
                    .map(|n| Answer::Outcome(Outcome::Int(n)))
                    .ok_or_else(not_it)
            }
            AnswerKind::YesNo => match upper.as_str() {
                "YES" | "Y" | "TRUE" => Ok(Answer::Yes(true)),
                "NO" | "N" | "FALSE" => Ok(Answer::Yes(false)),
                _ => Err(not_it()),
            },
            AnswerKind::State => {
                let name = upper.replace('-', "_");
                let name = match name.as_str() {
                    "ESTAB" => "ESTABLISHED".to_string(),
                    "SYN_RECV" => "SYN_RCVD".to_string(),
                    _ => name,
                };
                TcpState::ALL
                    .into_iter()
                    .find(|s| s.to_string() == name)
                    .map(Answer::State)
                    .ok_or_else(|| {
                        let names: Vec<String> =
                            TcpState::ALL.iter().map(|s| s.to_string()).collect();
                        format!(
                            "“{t}” is not a TCP state; the states are {}.",
                            names.join(", ")
                        )
                    })
            }
            AnswerKind::Bytes => plain_number(t).map(Answer::Bytes).ok_or_else(not_it),
            AnswerKind::Structure => {
                if upper == "NONE" {
                    return Ok(Answer::Structure(Vec::new()));
                }
                let name_like = t
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '/' | ':'));
                if name_like {
                    Ok(Answer::Structure(vec![t.to_string()]))
                } else {
                    Err(not_it())
                }
            }
        }
    }
}

/// Digits, with `,`, `_` or a blank allowed between groups as people write them.
fn plain_number(t: &str) -> Option<u64> {
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
