//! The socket calls a program can make, and what they return.

use crate::addr::{Endpoint, Family, Proto};
use crate::errno::Errno;
use crate::ids::{Fd, Pid};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;

/// shutdown()'s `how`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shutdown {
    Read,
    Write,
    Both,
}

impl fmt::Display for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shutdown::Read => "SHUT_RD",
            Shutdown::Write => "SHUT_WR",
            Shutdown::Both => "SHUT_RDWR",
        })
    }
}

/// A socket option with its value, for setsockopt() and getsockopt().
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SockOpt {
    /// SO_SNDBUF: capacity of SendQ in bytes (SQS).
    SndBuf(u64),
    /// SO_RCVBUF: capacity of RecvQ in bytes (RQS).
    RcvBuf(u64),
    /// SO_LINGER: `None` is `l_onoff = 0`; `Some(s)` makes close() wait up to `s` seconds.
    Linger(Option<u32>),
    /// SO_REUSEADDR.
    ReuseAddr(bool),
}

impl SockOpt {
    pub fn name(&self) -> OptName {
        match self {
            SockOpt::SndBuf(_) => OptName::SndBuf,
            SockOpt::RcvBuf(_) => OptName::RcvBuf,
            SockOpt::Linger(_) => OptName::Linger,
            SockOpt::ReuseAddr(_) => OptName::ReuseAddr,
        }
    }
}

impl fmt::Display for SockOpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SockOpt::SndBuf(n) | SockOpt::RcvBuf(n) => write!(f, "{}, {n}", self.name()),
            SockOpt::Linger(None) => write!(f, "{}, off", self.name()),
            SockOpt::Linger(Some(s)) => write!(f, "{}, {s}", self.name()),
            SockOpt::ReuseAddr(on) => write!(f, "{}, {}", self.name(), *on as u8),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OptName {
    SndBuf,
    RcvBuf,
    Linger,
    ReuseAddr,
}

impl fmt::Display for OptName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptName::SndBuf => "SO_SNDBUF",
            OptName::RcvBuf => "SO_RCVBUF",
            OptName::Linger => "SO_LINGER",
            OptName::ReuseAddr => "SO_REUSEADDR",
        })
    }
}

/// One call of the sockets API, issued by a process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Call {
    Socket {
        proto: Proto,
        family: Family,
    },
    /// `addr.ip == None` is INADDR_ANY; `addr.port == None` (port 0) asks for an ephemeral port.
    Bind {
        fd: Fd,
        addr: Endpoint,
    },
    Listen {
        fd: Fd,
        backlog: u32,
    },
    Connect {
        fd: Fd,
        addr: SocketAddr,
    },
    Accept {
        fd: Fd,
    },
    Send {
        fd: Fd,
        len: u64,
    },
    Recv {
        fd: Fd,
        len: u64,
    },
    SendTo {
        fd: Fd,
        len: u64,
        to: SocketAddr,
    },
    RecvFrom {
        fd: Fd,
        len: u64,
    },
    Shutdown {
        fd: Fd,
        how: Shutdown,
    },
    Close {
        fd: Fd,
    },
    SetSockOpt {
        fd: Fd,
        opt: SockOpt,
    },
    GetSockOpt {
        fd: Fd,
        name: OptName,
    },
    Dup {
        fd: Fd,
    },
    /// fcntl(fd, F_SETFL, O_NONBLOCK) or clearing it.
    SetNonBlocking {
        fd: Fd,
        on: bool,
    },
}

impl Call {
    /// The descriptor the call works on (all but socket()).
    pub fn fd(&self) -> Option<Fd> {
        match self {
            Call::Socket { .. } => None,
            Call::Bind { fd, .. }
            | Call::Listen { fd, .. }
            | Call::Connect { fd, .. }
            | Call::Accept { fd }
            | Call::Send { fd, .. }
            | Call::Recv { fd, .. }
            | Call::SendTo { fd, .. }
            | Call::RecvFrom { fd, .. }
            | Call::Shutdown { fd, .. }
            | Call::Close { fd }
            | Call::SetSockOpt { fd, .. }
            | Call::GetSockOpt { fd, .. }
            | Call::Dup { fd }
            | Call::SetNonBlocking { fd, .. } => Some(*fd),
        }
    }

    /// The function name, as in C.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Socket { .. } => "socket",
            Call::Bind { .. } => "bind",
            Call::Listen { .. } => "listen",
            Call::Connect { .. } => "connect",
            Call::Accept { .. } => "accept",
            Call::Send { .. } => "send",
            Call::Recv { .. } => "recv",
            Call::SendTo { .. } => "sendto",
            Call::RecvFrom { .. } => "recvfrom",
            Call::Shutdown { .. } => "shutdown",
            Call::Close { .. } => "close",
            Call::SetSockOpt { .. } => "setsockopt",
            Call::GetSockOpt { .. } => "getsockopt",
            Call::Dup { .. } => "dup",
            Call::SetNonBlocking { .. } => "fcntl",
        }
    }
}

/// C-like spelling, the same the scenario language reads: `bind(3, *:99)`.
impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.name();
        match self {
            Call::Socket { proto, family } => match family {
                Family::V4 => write!(f, "{n}({proto})"),
                Family::V6 => write!(f, "{n}({proto}, {family})"),
            },
            Call::Bind { fd, addr } => write!(f, "{n}({fd}, {addr})"),
            Call::Listen { fd, backlog } => write!(f, "{n}({fd}, {backlog})"),
            Call::Connect { fd, addr } => write!(f, "{n}({fd}, {addr})"),
            Call::Send { fd, len } | Call::Recv { fd, len } | Call::RecvFrom { fd, len } => {
                write!(f, "{n}({fd}, {len})")
            }
            Call::SendTo { fd, len, to } => write!(f, "{n}({fd}, {len}, {to})"),
            Call::Shutdown { fd, how } => write!(f, "{n}({fd}, {how})"),
            Call::SetSockOpt { fd, opt } => write!(f, "{n}({fd}, {opt})"),
            Call::GetSockOpt { fd, name } => write!(f, "{n}({fd}, {name})"),
            Call::SetNonBlocking { fd, on } => {
                let v = if *on { "O_NONBLOCK" } else { "0" };
                write!(f, "{n}({fd}, F_SETFL, {v})")
            }
            Call::Accept { fd } | Call::Close { fd } | Call::Dup { fd } => write!(f, "{n}({fd})"),
        }
    }
}

/// What a successful call gives back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    /// A call whose C version returns 0.
    Zero,
    /// A new descriptor (socket, dup).
    Fd(Fd),
    /// A byte count (send, recv; 0 from recv means end of stream).
    Bytes(u64),
    /// accept(): the new descriptor and the peer's address.
    Accepted { fd: Fd, peer: SocketAddr },
    /// recvfrom(): bytes read and who sent them.
    From { len: u64, from: SocketAddr },
    /// getsockopt().
    Opt(SockOpt),
}

impl Value {
    /// The integer the C function would return.
    pub fn as_int(&self) -> i64 {
        match self {
            Value::Zero | Value::Opt(_) => 0,
            Value::Fd(fd) | Value::Accepted { fd, .. } => fd.0 as i64,
            Value::Bytes(n) | Value::From { len: n, .. } => *n as i64,
        }
    }

    pub fn fd(&self) -> Option<Fd> {
        match self {
            Value::Fd(fd) | Value::Accepted { fd, .. } => Some(*fd),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Accepted { fd, peer } => write!(f, "{fd} (peer {peer})"),
            Value::From { len, from } => write!(f, "{len} (from {from})"),
            Value::Opt(o) => write!(f, "0 ({o})"),
            v => write!(f, "{}", v.as_int()),
        }
    }
}

/// A call's result: a value, or -1 with errno.
pub type Ret = Result<Value, Errno>;

/// What `World::call` answers at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallReply {
    /// The call finished (successfully or with errno).
    Returned(Ret),
    /// The call blocks; it finishes later, as the network moves, with a `CallReturned` event.
    Blocked,
}

/// Reasons a call cannot even be issued. These are not errno values: no real program
/// could be in these situations, so they are reported to the user, not the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallRejected {
    NoSuchProcess(Pid),
    /// The process is blocked in an earlier call and cannot issue another.
    Busy {
        pid: Pid,
        pending: Call,
    },
    /// The process's host has crashed.
    HostDown(Pid),
    /// The process died when its host crashed; the host has booted again since.
    ProcessDied(Pid),
}

impl fmt::Display for CallRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallRejected::NoSuchProcess(p) => write!(f, "there is no process {p}"),
            CallRejected::Busy { pid, pending } => write!(
                f,
                "process {pid} is still blocked in {pending}; it can make no other call until that returns"
            ),
            CallRejected::HostDown(p) => write!(f, "the host of process {p} has crashed"),
            CallRejected::ProcessDied(p) => write!(f, "process {p} died when its host crashed; start a new one"),
        }
    }
}

impl std::error::Error for CallRejected {}
