//! Demultiplexing (MODEL.md §6): which socket structure an arriving packet belongs to.
//!
//! The rule is the textbook's: the local port must equal the destination port, a
//! wildcard field matches anything, and among full matches the structure with the
//! fewest wildcards wins. An index makes the common case (a fully specified
//! connection) one lookup, so demultiplexing stays fast with thousands of structures.
//!
//! Dual stack: an AF_INET6 structure bound to the wildcard without IPV6_V6ONLY also
//! takes IPv4 packets. Among equally good matches an IPv4 structure goes first, as
//! Linux scores an AF_INET socket above a dual-stack one for IPv4.

use crate::addr::{Family, Proto};
use crate::ids::SockId;
use crate::socket::Socket;
use crate::trace::{DemuxCandidate, DemuxRecord};
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

/// A structure's local address with what its family and IPV6_V6ONLY make of it: the
/// addresses it takes packets for, per IP version on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub family: Family,
    pub v6only: bool,
    /// `None` is the wildcard; an AF_INET6 structure talking IPv4 keeps an IPv4 address.
    pub ip: Option<IpAddr>,
}

impl Binding {
    pub fn of(s: &Socket) -> Binding {
        Binding {
            family: s.family,
            v6only: s.opts.v6only,
            ip: s.local.ip,
        }
    }

    /// What this binding takes of IP version `wire`: `None` if nothing, `Some(None)`
    /// for every address, `Some(Some(ip))` for that one.
    pub fn reach(&self, wire: Family) -> Option<Option<IpAddr>> {
        match self.ip {
            Some(ip) => (Family::of(&ip) == wire).then_some(Some(ip)),
            None => (wire == self.family || self.dual_stack()).then_some(None),
        }
    }

    /// An AF_INET6 wildcard binding that also takes IPv4.
    pub fn dual_stack(&self) -> bool {
        self.family == Family::V6 && !self.v6only && self.ip.is_none()
    }

    /// How two bindings of one port meet: `None` if no address is in both; otherwise
    /// whether they name it the same way (the same address, or both the wildcard of an
    /// IP version both take), which SO_REUSEADDR's rule tells apart from an overlap of a
    /// wildcard and a specific address.
    pub fn overlap(&self, other: &Binding) -> Option<bool> {
        [Family::V4, Family::V6]
            .into_iter()
            .filter_map(|wire| match (self.reach(wire)?, other.reach(wire)?) {
                (a, b) if a == b => Some(true),
                (None, _) | (_, None) => Some(false),
                _ => None,
            })
            .max()
    }
}

/// Compares one structure's four fields against a packet from `src` to `dst`.
pub fn evaluate(s: &Socket, src: SocketAddr, dst: SocketAddr) -> DemuxCandidate {
    let binding = Binding::of(s);
    let wire = Family::of(&dst.ip());
    let reach = binding.reach(wire);
    DemuxCandidate {
        sock: s.id,
        local: s.local,
        remote: s.remote,
        state: (s.proto == Proto::Tcp).then_some(s.state),
        local_port: s.local.port == Some(dst.port()),
        local_ip: reach.is_some_and(|ip| ip.is_none_or(|ip| ip == dst.ip())),
        remote_ip: s.remote.ip.is_none_or(|ip| ip == src.ip()),
        remote_port: s.remote.port.is_none_or(|p| p == src.port()),
        wildcards: s.local.ip.is_none() as u8 + s.remote.wildcards(),
        family: s.family,
        dual_stack: s.family != wire && reach.is_some(),
        other_version: reach.is_none(),
    }
}

/// The textbook rule over a list of evaluated candidates: fewest wildcards among full
/// matches; then a structure of the packet's own family before a dual-stack one; on a
/// tie, the older structure.
pub fn choose(cands: &[DemuxCandidate]) -> Option<SockId> {
    cands
        .iter()
        .filter(|c| c.matches())
        .min_by_key(|c| (c.wildcards, c.dual_stack, c.sock))
        .map(|c| c.sock)
}

/// What the address families did in a demultiplexing decision, one sentence per
/// structure they decided for or against (none when every structure is of the
/// packet's own family). `name` says how to call a structure.
pub fn family_notes(record: &DemuxRecord, name: impl Fn(&DemuxCandidate) -> String) -> Vec<String> {
    let packet = match Family::of(&record.dst.ip()) {
        Family::V4 => "IPv4",
        Family::V6 => "IPv6",
    };
    let on_port = |c: &&DemuxCandidate| c.local_port;
    let mut notes = Vec::new();
    for c in record.candidates.iter().filter(on_port) {
        if c.dual_stack && record.winner == Some(c.sock) {
            notes.push(format!(
                "{} is an IPv6 socket bound to [::] without IPV6_V6ONLY, so it takes IPv4 packets too (dual stack); its rows show the IPv4 peer as ::ffff:{}",
                name(c),
                record.src.ip()
            ));
        } else if c.other_version && c.family == Family::V6 {
            notes.push(format!(
                "{} is an IPv6 socket with IPV6_V6ONLY: it takes no IPv4 packets",
                name(c)
            ));
        } else if c.other_version {
            notes.push(format!(
                "{} is an IPv4 socket: it takes no {packet} packets",
                name(c)
            ));
        }
    }
    notes
}
