//! Demultiplexing (MODEL.md §6): which socket structure an arriving packet belongs to.
//!
//! The rule is the textbook's: the local port must equal the destination port, a
//! wildcard field matches anything, and among full matches the structure with the
//! fewest wildcards wins. An index makes the common case (a fully specified
//! connection) one lookup, so demultiplexing stays fast with thousands of structures.

use crate::addr::Proto;
use crate::ids::SockId;
use crate::socket::Socket;
use crate::trace::DemuxCandidate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

/// How many candidates a demux record lists; the rest are counted.
pub const DEMUX_LISTED: usize = 16;

type ExactKey = (Proto, u16, IpAddr, SocketAddr);

/// Per-host index of structures that have a local port.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DemuxIndex {
    /// Structures with every field filled in.
    exact: BTreeMap<ExactKey, SockId>,
    /// Structures with at least one wildcard, by protocol and local port.
    wild: BTreeMap<(Proto, u16), Vec<SockId>>,
    /// How many entries of `exact` each port has, so counting needs no scan.
    exact_on_port: BTreeMap<(Proto, u16), usize>,
    /// The last answer of `exact_remembered`: a connection's segments arrive one after
    /// another, and comparing the same 4-tuple is cheaper than walking the tree.
    /// Every change to the index forgets it.
    #[serde(skip)]
    recent: Option<(ExactKey, SockId)>,
}

fn exact_key(s: &Socket) -> Option<ExactKey> {
    Some((s.proto, s.local.port?, s.local.ip?, s.remote_addr()?))
}

impl DemuxIndex {
    pub fn insert(&mut self, s: &Socket) {
        self.recent = None;
        let Some(port) = s.local.port else { return };
        match exact_key(s) {
            Some(k) => {
                if self.exact.insert(k, s.id).is_none() {
                    *self.exact_on_port.entry((s.proto, port)).or_default() += 1;
                }
            }
            None => self.wild.entry((s.proto, port)).or_default().push(s.id),
        }
    }

    /// Must be called with the structure's endpoints as they were at `insert`.
    pub fn remove(&mut self, s: &Socket) {
        self.recent = None;
        let Some(port) = s.local.port else { return };
        match exact_key(s) {
            Some(k) => {
                if self.exact.remove(&k).is_some() {
                    let n = self.exact_on_port.entry((s.proto, port)).or_default();
                    *n -= 1;
                    if *n == 0 {
                        self.exact_on_port.remove(&(s.proto, port));
                    }
                }
            }
            None => {
                if let Some(v) = self.wild.get_mut(&(s.proto, port)) {
                    v.retain(|&id| id != s.id);
                    if v.is_empty() {
                        self.wild.remove(&(s.proto, port));
                    }
                }
            }
        }
    }

    /// The fully specified structure for this 4-tuple, if any.
    pub fn exact(&self, proto: Proto, local: SocketAddr, remote: SocketAddr) -> Option<SockId> {
        self.exact
            .get(&(proto, local.port(), local.ip(), remote))
            .copied()
    }

    /// `exact`, remembering a hit for the next lookup of the same 4-tuple.
    pub fn exact_remembered(
        &mut self,
        proto: Proto,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Option<SockId> {
        let key = (proto, local.port(), local.ip(), remote);
        match self.recent {
            Some((k, id)) if k == key => Some(id),
            _ => {
                let id = self.exact.get(&key).copied()?;
                self.recent = Some((key, id));
                Some(id)
            }
        }
    }

    /// Every structure of `proto` with local port `port`: wildcard ones first.
    pub fn on_port(&self, proto: Proto, port: u16) -> impl Iterator<Item = SockId> + '_ {
        let wild = self.wild.get(&(proto, port)).into_iter().flatten().copied();
        let lo = (
            proto,
            port,
            IpAddr::from([0u8; 4]),
            SocketAddr::from(([0u8; 4], 0)),
        );
        let exact = self
            .exact
            .range(lo..)
            .take_while(move |(k, _)| k.0 == proto && k.1 == port)
            .map(|(_, &id)| id);
        wild.chain(exact)
    }

    /// Number of indexed structures.
    pub fn len(&self) -> usize {
        self.exact.len() + self.wild.values().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many structures have local port `port`.
    pub fn count_on_port(&self, proto: Proto, port: u16) -> usize {
        self.wild_on_port(proto, port).len()
            + self.exact_on_port.get(&(proto, port)).copied().unwrap_or(0)
    }

    pub fn port_in_use(&self, proto: Proto, port: u16) -> bool {
        self.on_port(proto, port).next().is_some()
    }

    pub fn wild_on_port(&self, proto: Proto, port: u16) -> &[SockId] {
        self.wild.get(&(proto, port)).map_or(&[], |v| v.as_slice())
    }
}

/// Compares one structure's four fields against a packet from `src` to `dst`.
pub fn evaluate(s: &Socket, src: SocketAddr, dst: SocketAddr) -> DemuxCandidate {
    DemuxCandidate {
        sock: s.id,
        local: s.local,
        remote: s.remote,
        state: (s.proto == Proto::Tcp).then_some(s.state),
        local_port: s.local.port == Some(dst.port()),
        local_ip: s.local.ip.is_none_or(|ip| ip == dst.ip()),
        remote_ip: s.remote.ip.is_none_or(|ip| ip == src.ip()),
        remote_port: s.remote.port.is_none_or(|p| p == src.port()),
        wildcards: s.local.ip.is_none() as u8 + s.remote.wildcards(),
    }
}

/// The textbook rule over a list of evaluated candidates: fewest wildcards among full
/// matches; on a tie, the older structure.
pub fn choose(cands: &[DemuxCandidate]) -> Option<SockId> {
    cands
        .iter()
        .filter(|c| c.matches())
        .min_by_key(|c| (c.wildcards, c.sock))
        .map(|c| c.sock)
}
