//! The two kinds of failure: a scenario that cannot be read, and a statement that
//! cannot be carried out. Both name the line, so a learner can find it.

use crate::ast::ProcRef;
use serde::{Deserialize, Serialize};
use sockscope_engine::{CallRejected, WorldError};
use std::fmt;
use std::net::IpAddr;

/// The text is not a scenario. Printed as `LINE:COL: message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub col: u32,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A statement that makes no sense in the current world: an unknown host or variable,
/// a call on a process that is still blocked, a crashed host. Not an errno: no real
/// program could be in these situations. Printed as `LINE:COL: message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    pub line: u32,
    pub col: u32,
    pub kind: CannotRun,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.kind)
    }
}

impl std::error::Error for RunError {}

/// Why a statement cannot be carried out. A caller that cares which (the app, to
/// offer a way out of a blocked process, say) matches on it; `Display` is the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CannotRun {
    /// `option` once a host exists: the world is built from the options.
    OptionAfterHost {
        option: String,
    },
    HostExists(String),
    /// A host declared with an address another host already has.
    AddressTaken {
        ip: IpAddr,
        owner: String,
    },
    UnknownHost(String),
    HostCrashed(String),
    NoSuchProcess(ProcRef),
    /// A statement that only looks names a process no call has created.
    NoProcessYet(ProcRef),
    /// `fork(child)` where `HOST/child` exists.
    ProcessExists(ProcRef),
    NoVariable {
        proc: ProcRef,
        var: String,
    },
    /// A call on a process still blocked in an earlier one, written on `line`.
    Blocked {
        proc: String,
        call: String,
        line: u32,
    },
    /// The engine refused to issue the call.
    Rejected {
        proc: ProcRef,
        why: CallRejected,
    },
    /// The engine refused to build or change the world.
    World(WorldError),
    /// `expect A: call` where only looking is allowed (a goal's conditions).
    CallNotALook,
    /// A `net:` command that cannot be carried out, in its own words.
    Net(String),
}

impl fmt::Display for CannotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CannotRun::*;
        match self {
            OptionAfterHost { option } => write!(
                f,
                "option {option} comes after a host: options must come before the first host, because the world is built from them"
            ),
            HostExists(name) => write!(f, "there is already a host named {name}"),
            AddressTaken { ip, owner } => write!(f, "address {ip} already belongs to {owner}"),
            UnknownHost(name) => write!(
                f,
                "unknown host {name}; declare it first with `host {name} ADDRESS`"
            ),
            HostCrashed(host) => write!(
                f,
                "host {host} has crashed; it runs no programs until `net: restart {host}`"
            ),
            NoSuchProcess(p) => write!(f, "there is no process {p}"),
            NoProcessYet(p) => write!(
                f,
                "there is no process {p}; a process is created by its first call"
            ),
            ProcessExists(p) => write!(f, "there is already a process {p}"),
            NoVariable { proc, var } => write!(
                f,
                "{proc} has no variable {var}; variables are set by `{var} = socket(...)`, accept or dup"
            ),
            Blocked { proc, call, line } => write!(
                f,
                "{proc} is still blocked in `{call}` (line {line}) and can make no other call until it returns; let the network move (net: run) or have another process unblock it"
            ),
            Rejected { proc, why } => match why {
                CallRejected::Busy { .. } => write!(f, "{proc} is still blocked in an earlier call"),
                CallRejected::HostDown(_) => write!(f, "host {} has crashed", proc.host),
                CallRejected::NoSuchProcess(_) => write!(f, "there is no process {proc}"),
                CallRejected::ProcessDied(_) => write!(f, "{proc} died when its host crashed"),
            },
            World(e) => write!(f, "{e}"),
            CallNotALook => f.write_str("a call is made, not looked at: write it on a process line"),
            Net(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CannotRun {}

/// For the `net:` commands, which still word their refusals as text.
impl From<CannotRun> for String {
    fn from(e: CannotRun) -> String {
        e.to_string()
    }
}
