//! The socket structure: what the kernel keeps for one socket (MODEL.md §1).

use crate::addr::{Endpoint, Family, Proto};
use crate::errno::Errno;
use crate::ids::{HostId, SockId};
use crate::ledger::Ledger;
use crate::queue::{ByteQueue, Delivered, Run};
use crate::state::TcpState;
use crate::time::Micros;
use crate::trace::TimerKind;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    pub reuse_addr: bool,
    pub linger: Option<u32>,
    pub nonblocking: bool,
    /// IPV6_V6ONLY: an AF_INET6 socket that takes no IPv4 (off: dual stack).
    #[serde(default)]
    pub v6only: bool,
}

/// TCP's sequence-space bookkeeping (RFC 793 names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tcb {
    pub iss: u64,
    pub irs: u64,
    /// Oldest unacknowledged sequence number; SendQ's first byte has this number.
    pub snd_una: u64,
    /// Next sequence number to send (pulled back to snd_una on a timeout).
    pub snd_nxt: u64,
    /// Highest sequence number ever sent (bounds acceptable ACKs).
    pub snd_max: u64,
    /// The peer's last advertised window.
    pub snd_wnd: u64,
    /// Congestion window: slow start lets it grow by one MSS per ACK from a small
    /// start, so the first data goes out one segment at a time.
    pub cwnd: u64,
    pub rcv_nxt: u64,
    /// The window we last advertised; a window update follows when it grows from small.
    pub last_adv_wnd: u64,
    /// The program ended sending (close or SHUT_WR): a FIN follows the data.
    pub fin_queued: bool,
    /// Sequence number of our FIN once sent.
    pub fin_seq: Option<u64>,
    pub fin_acked: bool,
    pub fin_received: bool,
    /// A recv() has returned 0 at the peer's FIN (`ss` stops counting it in Recv-Q).
    pub fin_read: bool,
    pub rto_us: Micros,
    pub retries: u32,
    /// Interval of the next zero-window probe; doubles while the window stays shut.
    pub persist_us: Micros,
    /// Zero-window probes sent since the peer last said anything.
    pub unanswered_probes: u32,
    /// A transmission opportunity is already scheduled for this instant.
    pub output_scheduled: bool,
}

/// A listening structure's two lists (MODEL.md §5, accepting).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    pub backlog: u32,
    /// Structures in SYN_RCVD, waiting for the final ACK.
    pub incomplete: Vec<SockId>,
    /// ESTABLISHED structures waiting for accept().
    pub ready: VecDeque<SockId>,
}

/// A UDP datagram in RecvQ: boundaries are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datagram {
    pub from: SocketAddr,
    pub runs: Vec<Run>,
    pub len: u64,
}

/// Bytes that arrived beyond a gap in the sequence space, kept until it fills (Linux
/// mode's out-of-order queue). They are copies: the sender keeps them in SendQ until
/// they are acknowledged, so the byte ledger does not count them until they are taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub runs: Vec<Run>,
    pub len: u64,
    /// From a forged segment (`net: inject`).
    pub forged: bool,
}

/// An armed timer; `gen` tells a fired timer from one that was re-armed or cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Armed {
    pub at: Micros,
    pub gen: u64,
}

/// A socket's timers: one slot per kind, indexed by `TimerKind` (quinn-proto's
/// `TimerTable`), so that code over all timers loops over `TimerKind::ALL`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerTable([Option<Armed>; TimerKind::ALL.len()]);

impl TimerTable {
    pub fn get(&self, kind: TimerKind) -> Option<Armed> {
        self.0[kind as usize]
    }

    pub fn slot(&mut self, kind: TimerKind) -> &mut Option<Armed> {
        &mut self.0[kind as usize]
    }

    /// The armed timers, in the order of `TimerKind::ALL`.
    pub fn armed(&self) -> impl Iterator<Item = (TimerKind, Armed)> + '_ {
        TimerKind::ALL
            .into_iter()
            .filter_map(|k| self.get(k).map(|a| (k, a)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Socket {
    pub id: SockId,
    pub host: HostId,
    pub proto: Proto,
    pub family: Family,
    /// TCP state; UDP structures stay CLOSED (netstat prints no state for them).
    pub state: TcpState,
    pub local: Endpoint,
    pub remote: Endpoint,
    pub sendq: ByteQueue,
    pub recvq: ByteQueue,
    pub delivered: Delivered,
    /// UDP only: RecvQ's datagrams, boundaries kept (`recvq` mirrors their bytes).
    pub datagrams: VecDeque<Datagram>,
    pub opts: Options,
    pub tcb: Tcb,
    pub listener: Option<Listener>,
    /// The listener that created this structure, until accept() takes it.
    pub parent: Option<SockId>,
    /// How many descriptors (in any process) refer to this structure.
    pub refs: u32,
    pub read_shut: bool,
    pub write_shut: bool,
    /// A pending error reported by the next call (SO_ERROR).
    pub error: Option<Errno>,
    /// The connection once existed (decides ENOTCONN versus EPIPE).
    pub was_connected: bool,
    /// A non-blocking connect() answered EINPROGRESS and no later connect() has
    /// reported how it ended (Linux reports success once, with 0).
    #[serde(default)]
    pub connect_unreported: bool,
    pub timers: TimerTable,
    /// Where the bytes of both directions went (`World::check_bytes`).
    #[serde(default)]
    pub ledger: Ledger,
    /// Segments beyond a gap, by sequence number (Linux mode; always empty in the
    /// textbook's go-back-N). Recv-Q does not count them, as `ss` does not.
    #[serde(default)]
    pub out_of_order: BTreeMap<u64, Held>,
}

impl Socket {
    pub fn new(id: SockId, host: HostId, proto: Proto, family: Family, sqs: u64, rqs: u64) -> Self {
        Socket {
            id,
            host,
            proto,
            family,
            state: TcpState::Closed,
            local: Endpoint::ANY,
            remote: Endpoint::ANY,
            sendq: ByteQueue::with_capacity(sqs),
            recvq: ByteQueue::with_capacity(rqs),
            delivered: Delivered::default(),
            datagrams: VecDeque::new(),
            opts: Options {
                reuse_addr: false,
                linger: None,
                nonblocking: false,
                v6only: false,
            },
            tcb: Tcb::default(),
            listener: None,
            parent: None,
            refs: 0,
            read_shut: false,
            write_shut: false,
            error: None,
            was_connected: false,
            connect_unreported: false,
            timers: TimerTable::default(),
            ledger: Ledger::default(),
            out_of_order: BTreeMap::new(),
        }
    }

    /// Free space we may advertise. A structure whose program closed it advertises 0,
    /// so flow control keeps the peer from sending bytes nobody will read (MODEL.md §5).
    pub fn receive_window(&self) -> u64 {
        if self.refs == 0 && self.parent.is_none() {
            0
        } else {
            self.recvq.free()
        }
    }

    /// Bytes in SendQ that were never transmitted.
    pub fn unsent(&self) -> u64 {
        let sent_data = self.tcb.snd_nxt.saturating_sub(self.tcb.snd_una);
        self.sendq.len().saturating_sub(sent_data)
    }

    /// Bytes transmitted but not yet acknowledged.
    pub fn in_flight(&self) -> u64 {
        self.sendq.len() - self.unsent()
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local.socket_addr()
    }

    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote.socket_addr()
    }
}
