//! Hosts and the processes that run on them.

use crate::call::Call;
use crate::ids::{Fd, HostId, Pid, SendTag, SockId};
use crate::time::Micros;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    pub id: HostId,
    pub name: String,
    pub addrs: Vec<IpAddr>,
    pub crashed: bool,
    /// Where the search for a free ephemeral port resumes.
    pub next_ephemeral: u16,
}

/// A call that blocked, with what it has done so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub call: Call,
    /// The structure the call works on; `None` until its descriptor is looked up
    /// (socket() has none, and a bad descriptor never gets one).
    pub sock: Option<SockId>,
    /// Bytes copied so far (send); 0 for calls without partial progress.
    pub progress: u64,
    /// The send() tag its bytes carry.
    pub tag: Option<SendTag>,
    pub since: Micros,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub pid: Pid,
    pub host: HostId,
    pub name: String,
    pub fds: BTreeMap<Fd, SockId>,
    pub pending: Option<Pending>,
    /// False once its host crashed.
    pub alive: bool,
    /// The most recent call that returned, with its result.
    pub last: Option<(Call, crate::call::Ret)>,
}

impl Process {
    /// The lowest free descriptor number; 0, 1 and 2 are stdin, stdout and stderr.
    pub fn lowest_free_fd(&self) -> Fd {
        let mut n = 3;
        for fd in self.fds.keys() {
            if fd.0 == n {
                n += 1;
            } else if fd.0 > n {
                break;
            }
        }
        Fd(n)
    }
}
