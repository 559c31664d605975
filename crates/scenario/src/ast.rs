//! The syntax tree of a scenario. It is plain data (serde both ways) so that the web
//! app can store, send and edit scenarios as JSON as well as text.

use crate::question::Question;
use serde::{Deserialize, Serialize};
use sockscope_engine::{Behaviour, Call, Errno, Fd, Injection, Micros, Proto, TcpState};
use std::net::{IpAddr, SocketAddr};

/// A whole scenario: its statements in source order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub statements: Vec<Statement>,
}

/// One statement and where it was written, so that every message can name its line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// 1-based line of the source.
    pub line: u32,
    /// 1-based column (in characters) where the statement starts.
    pub col: u32,
    pub kind: Stmt,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stmt {
    /// `option KEY VALUE`: a knob of the world, before the first host.
    Option(Setting),
    /// `host NAME ADDR...`: a machine, with its default process named like it.
    Host {
        name: String,
        addrs: Vec<IpAddr>,
    },
    /// `A: [var =] call(...) [&]`.
    Call {
        proc: ProcRef,
        call: CallStmt,
    },
    /// `A: fork(child)`: a new process `A/child` sharing descriptors and variables.
    Fork {
        proc: ProcRef,
        child: String,
    },
    /// `net: ...`.
    Net(NetCmd),
    /// `netstat HOST`.
    Netstat {
        host: String,
    },
    /// `ss HOST`: the same table as `ss -tan` prints it.
    Ss {
        host: String,
    },
    /// `explain HOST [TCP|UDP] from ADDR:PORT to ADDR:PORT`: the demultiplexer's table.
    Explain {
        host: String,
        packet: Packet,
    },
    Expect(Expect),
    /// `ask ID ...` and its lines: the learner predicts, then the engine answers.
    Ask(Box<Question>),
    /// `goal COND and COND ...` and its lines: an exercise the learner solves with
    /// their own calls.
    Goal(Box<Goal>),
    /// `say TEXT`: narration for a guided tour.
    Say(String),
    /// `section TITLE`: starts a part of a guided tour that the learner can jump to.
    Section(String),
}

/// `HOST` (its default process) or `HOST/PROC`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProcRef {
    pub host: String,
    pub proc: Option<String>,
}

impl ProcRef {
    pub fn host(host: &str) -> Self {
        ProcRef {
            host: host.to_string(),
            proc: None,
        }
    }
}

/// A call as written in a process line or an expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStmt {
    /// `var = ...`: keeps the returned descriptor under this name.
    pub var: Option<String>,
    pub call: CallExpr,
    /// Ends in `&`: issued without letting the network run, even if it blocks.
    pub background: bool,
}

/// A descriptor argument: a variable of the calling process or a plain number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FdRef {
    Var(String),
    Num(i32),
}

impl From<Fd> for FdRef {
    fn from(fd: Fd) -> FdRef {
        FdRef::Num(fd.0)
    }
}

/// The engine's `Call` with descriptors as written (they may be variable names); the
/// runner resolves them with `try_map_fd`.
pub type CallExpr = Call<FdRef>;

/// `option KEY VALUE`, one variant per knob of `WorldConfig` that a scenario may set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Seed(u64),
    Mss(u64),
    InitialCwnd(u64),
    Delay(Micros),
    Loss(f64),
    SndBuf(u64),
    RcvBuf(u64),
    TimeWait(Micros),
    InitialRto(Micros),
    MinRto(Micros),
    MaxRto(Micros),
    SynRetries(u32),
    SynackRetries(u32),
    DataRetries(u32),
    EphemeralFirst(u16),
    EphemeralLast(u16),
    /// Textbook (MODEL.md) or Linux where the two differ.
    Behaviour(Behaviour),
}

/// A direction (or both) between two hosts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub from: String,
    pub to: String,
    /// Written `<->`: the setting applies to both directions.
    pub both: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetCmd {
    /// Run until N segments have arrived or been dropped.
    Deliver(u64),
    /// Run N scheduled events (arrivals, timers, transmissions).
    Step(u64),
    /// Without a duration: until idle. With one: advance virtual time by it.
    Run(Option<Micros>),
    DropNext(Link),
    Loss(Link, f64),
    Delay(Link, Micros),
    /// Hold back this fraction of segments by this much, so later ones overtake them.
    Reorder(Link, f64, Micros),
    /// Deliver this fraction of segments twice.
    Duplicate(Link, f64),
    /// Put a segment of the author's making on the wire.
    Inject(Box<Injection>),
    Crash(String),
    Restart(String),
}

/// A packet to demultiplex: `[TCP|UDP] from ADDR:PORT to ADDR:PORT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    pub proto: Proto,
    pub from: SocketAddr,
    pub to: SocketAddr,
}

/// What a call came to when the scenario moved on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The integer the C function returns; `-1` matches any failure.
    Int(i64),
    /// -1 with this errno.
    Errno(Errno),
    /// Still blocked.
    Blocks,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueName {
    SendQ,
    RecvQ,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// `expect A: call == VALUE`: the call is issued and what it came to compared.
    Call {
        proc: ProcRef,
        call: CallStmt,
        want: Outcome,
    },
    /// `expect state A c == ESTABLISHED`.
    State {
        proc: ProcRef,
        fd: FdRef,
        want: TcpState,
    },
    /// `expect sendq A c == 6500`.
    Queue {
        queue: QueueName,
        proc: ProcRef,
        fd: FdRef,
        want: u64,
    },
    /// `expect netstat B [STATE] == N`: how many netstat rows (in that state).
    Netstat {
        host: String,
        state: Option<TcpState>,
        want: u64,
    },
    /// `expect deadlock` / `expect no deadlock`.
    Deadlock(bool),
    /// `expect blocked A` / `expect not blocked A`.
    Blocked { proc: ProcRef, want: bool },
    /// `expect returned A == VALUE`: the result of A's latest call that had blocked.
    Returned { proc: ProcRef, want: Outcome },
    /// `expect demux HOST[/PROC] [TCP|UDP] from .. to .. == VAR|none`.
    Demux {
        proc: ProcRef,
        packet: Packet,
        want: Option<FdRef>,
    },
    /// `expect transition SYN_SENT -> SYN_RCVD`: some structure has made that move.
    Transition { from: TcpState, to: TcpState },
}

/// What an exercise asks the learner to bring about: every condition holds at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// Expectations that only look (no calls), all of which must hold.
    pub conditions: Vec<Expect>,
    /// `prompt TEXT`: the goal in words; the conditions themselves when there is none.
    pub prompt: Option<String>,
    /// `hint TEXT` lines, offered one at a time.
    pub hints: Vec<String>,
}
