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
    /// IPV6_V6ONLY (level IPPROTO_IPV6): an AF_INET6 socket takes IPv6 only. Off, the
    /// Linux default, it is dual stack and also talks IPv4 (as `::ffff:a.b.c.d`).
    V6Only(bool),
}

impl SockOpt {
    pub fn name(&self) -> OptName {
        match self {
            SockOpt::SndBuf(_) => OptName::SndBuf,
            SockOpt::RcvBuf(_) => OptName::RcvBuf,
            SockOpt::Linger(_) => OptName::Linger,
            SockOpt::ReuseAddr(_) => OptName::ReuseAddr,
            SockOpt::V6Only(_) => OptName::V6Only,
        }
    }
}

impl fmt::Display for SockOpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SockOpt::SndBuf(n) | SockOpt::RcvBuf(n) => write!(f, "{}, {n}", self.name()),
            SockOpt::Linger(None) => write!(f, "{}, off", self.name()),
            SockOpt::Linger(Some(s)) => write!(f, "{}, {s}", self.name()),
            SockOpt::ReuseAddr(on) | SockOpt::V6Only(on) => {
                write!(f, "{}, {}", self.name(), *on as u8)
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OptName {
    SndBuf,
    RcvBuf,
    Linger,
    ReuseAddr,
    V6Only,
}

impl OptName {
    /// The option's level, setsockopt()'s second argument in C.
    pub fn level(self) -> &'static str {
        match self {
            OptName::V6Only => "IPPROTO_IPV6",
            _ => "SOL_SOCKET",
        }
    }
}

impl fmt::Display for OptName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptName::SndBuf => "SO_SNDBUF",
            OptName::RcvBuf => "SO_RCVBUF",
            OptName::Linger => "SO_LINGER",
            OptName::ReuseAddr => "SO_REUSEADDR",
            OptName::V6Only => "IPV6_V6ONLY",
        })
    }
}

/// Every call's C name, in the order a program usually makes them: what the scenario
/// language reads and the app's form offers.
pub const CALL_NAMES: [&str; 15] = [
    "socket",
    "bind",
    "listen",
    "connect",
    "accept",
    "send",
    "recv",
    "sendto",
    "recvfrom",
    "shutdown",
    "close",
    "setsockopt",
    "getsockopt",
    "dup",
    "fcntl",
];

/// One call of the sockets API, issued by a process.
///
/// Generic over how the descriptor argument is given, so that each call is written
/// once: the engine takes `Call<Fd>` (the default), the scenario language writes
/// `Call<FdRef>` (a variable name or a number) and resolves it with [`Call::try_map_fd`].
/// Its JSON names are snake_case (`{"send_to": ...}`), as scenarios store them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call<D = Fd> {
    Socket {
        proto: Proto,
        family: Family,
    },
    /// `addr.ip == None` is INADDR_ANY; `addr.port == None` (port 0) asks for an ephemeral port.
    Bind {
        fd: D,
        addr: Endpoint,
    },
    Listen {
        fd: D,
        backlog: u32,
    },
    Connect {
        fd: D,
        addr: SocketAddr,
    },
    Accept {
        fd: D,
    },
    Send {
        fd: D,
        len: u64,
    },
    Recv {
        fd: D,
        len: u64,
    },
    SendTo {
        fd: D,
        len: u64,
        to: SocketAddr,
    },
    RecvFrom {
        fd: D,
        len: u64,
    },
    Shutdown {
        fd: D,
        how: Shutdown,
    },
    Close {
        fd: D,
    },
    SetSockOpt {
        fd: D,
        opt: SockOpt,
    },
    GetSockOpt {
        fd: D,
        name: OptName,
    },
    Dup {
        fd: D,
    },
    /// fcntl(fd, F_SETFL, O_NONBLOCK) or clearing it.
    SetNonBlocking {
        fd: D,
        on: bool,
    },
}

impl<D> Call<D> {
    /// The descriptor the call works on (all but socket()). By value: a descriptor
    /// is a number or a short name.
    pub fn fd(&self) -> Option<D>
    where
        D: Clone,
    {
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
            | Call::SetNonBlocking { fd, .. } => Some(fd.clone()),
        }
    }

    /// The function name, as in C (one of [`CALL_NAMES`]).
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

    /// socket(), accept() and dup() return a new descriptor, which a program keeps.
    pub fn returns_descriptor(&self) -> bool {
        matches!(
            self,
            Call::Socket { .. } | Call::Accept { .. } | Call::Dup { .. }
        )
    }

    /// The same call with its descriptor given another way.
    pub fn map_fd<E>(self, f: impl FnOnce(D) -> E) -> Call<E> {
        match self.try_map_fd(|d| Ok::<E, std::convert::Infallible>(f(d))) {
            Ok(call) => call,
            Err(never) => match never {},
        }
    }

    /// The same call with its descriptor resolved by `f`, or `f`'s error (a variable
    /// that names no descriptor, say).
    pub fn try_map_fd<E, X>(self, f: impl FnOnce(D) -> Result<E, X>) -> Result<Call<E>, X> {
        Ok(match self {
            Call::Socket { proto, family } => Call::Socket { proto, family },
            Call::Bind { fd, addr } => Call::Bind { fd: f(fd)?, addr },
            Call::Listen { fd, backlog } => Call::Listen {
                fd: f(fd)?,
                backlog,
            },
            Call::Connect { fd, addr } => Call::Connect { fd: f(fd)?, addr },
            Call::Accept { fd } => Call::Accept { fd: f(fd)? },
            Call::Send { fd, len } => Call::Send { fd: f(fd)?, len },
            Call::Recv { fd, len } => Call::Recv { fd: f(fd)?, len },
            Call::SendTo { fd, len, to } => Call::SendTo {
                fd: f(fd)?,
                len,
                to,
            },
            Call::RecvFrom { fd, len } => Call::RecvFrom { fd: f(fd)?, len },
            Call::Shutdown { fd, how } => Call::Shutdown { fd: f(fd)?, how },
            Call::Close { fd } => Call::Close { fd: f(fd)? },
            Call::SetSockOpt { fd, opt } => Call::SetSockOpt { fd: f(fd)?, opt },
            Call::GetSockOpt { fd, name } => Call::GetSockOpt { fd: f(fd)?, name },
            Call::Dup { fd } => Call::Dup { fd: f(fd)? },
            Call::SetNonBlocking { fd, on } => Call::SetNonBlocking { fd: f(fd)?, on },
        })
    }
}

/// C-like spelling, the same the scenario language reads: `bind(3, *:99)`, or with
/// the descriptor as written, `bind(l, *:99)`.
impl<D: fmt::Display> fmt::Display for Call<D> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each call, in `CALL_NAMES` order.
    fn one_of_each() -> Vec<Call> {
        let (fd, len, to) = (Fd(3), 10, "10.0.0.2:80".parse().unwrap());
        vec![
            Call::Socket {
                proto: Proto::Tcp,
                family: Family::V4,
            },
            Call::Bind {
                fd,
                addr: Endpoint::ANY,
            },
            Call::Listen { fd, backlog: 5 },
            Call::Connect { fd, addr: to },
            Call::Accept { fd },
            Call::Send { fd, len },
            Call::Recv { fd, len },
            Call::SendTo { fd, len, to },
            Call::RecvFrom { fd, len },
            Call::Shutdown {
                fd,
                how: Shutdown::Write,
            },
            Call::Close { fd },
            Call::SetSockOpt {
                fd,
                opt: SockOpt::ReuseAddr(true),
            },
            Call::GetSockOpt {
                fd,
                name: OptName::Linger,
            },
            Call::Dup { fd },
            Call::SetNonBlocking { fd, on: true },
        ]
    }

    #[test]
    fn call_names_lists_every_call_in_order() {
        let names: Vec<&str> = one_of_each().iter().map(|c| c.name()).collect();
        assert_eq!(names, CALL_NAMES);
    }

    #[test]
    fn mapping_the_descriptor_keeps_the_rest_of_the_call() {
        for call in one_of_each() {
            let named = call.clone().map_fd(|fd| format!("v{}", fd.0));
            assert_eq!(named.fd().is_some(), call.fd().is_some());
            assert_eq!(named.to_string(), call.to_string().replace("(3", "(v3"));
            let back = named.try_map_fd(|v| v[1..].parse().map(Fd));
            assert_eq!(back, Ok(call));
        }
    }
}
