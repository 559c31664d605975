//! The event trace: everything that happened, in order, for animation and narration.

use crate::addr::{Endpoint, Family, Proto};
use crate::behaviour::Behaviour;
use crate::call::{Call, Ret};
use crate::difference::Difference;
use crate::ids::{HostId, Pid, SegId, SockId};
use crate::segment::{Flags, Segment};
use crate::state::TcpState;
use crate::time::Micros;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TimerKind {
    /// Retransmission of an unacknowledged SYN, SYN+ACK, data or FIN.
    Retransmit,
    /// Zero-window probe: asks a peer whose window is closed whether it opened.
    Persist,
    /// End of TIME_WAIT: the structure is deleted.
    TimeWait,
    /// SO_LINGER: a blocked close() gives up.
    Linger,
}

impl TimerKind {
    /// Every kind, in the order of a socket's timer table.
    pub const ALL: [TimerKind; 4] = [
        TimerKind::Retransmit,
        TimerKind::Persist,
        TimerKind::TimeWait,
        TimerKind::Linger,
    ];

    /// An armed timer of this kind keeps the world busy (`World::busy`): it will
    /// change something by itself. Zero-window probes and TIME_WAIT run in the
    /// background: a world with only those left is idle, or deadlocked.
    pub fn is_foreground(self) -> bool {
        matches!(self, TimerKind::Retransmit | TimerKind::Linger)
    }
}

/// Why a TCP state changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cause {
    /// A call of the program (`listen`, `connect`, `close`, `shutdown`).
    Call(String),
    /// An arriving segment with these flags.
    Segment {
        seg: SegId,
        flags: Flags,
    },
    Timer(TimerKind),
    HostCrash,
}

impl Cause {
    /// The cause "this segment arrived".
    pub fn of(seg: &Segment) -> Cause {
        Cause::Segment {
            seg: seg.id,
            flags: seg.flags,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// Random loss on the path.
    Loss,
    /// The user asked to drop this one.
    Injected,
    /// The destination host has crashed.
    HostDown,
    /// No host owns the destination address.
    NoRoute,
    /// A UDP datagram arrived at a full RecvQ.
    ReceiveBufferFull,
}

impl std::fmt::Display for DropReason {
    /// Why a segment never arrived, as a phrase: "lost on the way".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DropReason::Loss => "lost on the way",
            DropReason::Injected => "dropped as asked (drop next)",
            DropReason::HostDown => "dropped: the receiving host is down",
            DropReason::NoRoute => "dropped: no host has that address",
            DropReason::ReceiveBufferFull => "dropped: the receiver's RecvQ is full",
        })
    }
}

/// Why a TCP receiver threw an arriving segment away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiscardReason {
    /// A SYN at a listener whose list of half-open connections or queue of completed
    /// connections already holds `backlog` structures.
    BacklogFull,
    /// The segment does not start at the next byte expected.
    OutOfOrder,
    /// RecvQ has no room for (all of) its bytes.
    WindowFull,
    /// The structure no longer takes data in its state (e.g. after the peer's FIN).
    NotAccepting,
    /// An RST whose sequence number lies outside the receive window (RFC 793): it
    /// could be a stale or forged segment, so the connection ignores it.
    RstOutOfWindow,
}

/// Why a recv()/recvfrom() returned 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZeroRead {
    /// TCP: the peer's FIN was reached (or the connection is closed): end of stream.
    EndOfStream,
    /// The call asked for 0 bytes.
    AskedForZero,
    /// The program itself called shutdown(SHUT_RD) on this socket.
    ShutRead,
    /// UDP: the datagram at the head of RecvQ carried no bytes.
    EmptyDatagram,
}

/// One socket structure examined by the demultiplexer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemuxCandidate {
    pub sock: SockId,
    pub local: Endpoint,
    pub remote: Endpoint,
    pub state: Option<TcpState>,
    pub local_port: bool,
    pub local_ip: bool,
    pub remote_ip: bool,
    pub remote_port: bool,
    /// Wildcards among local address, remote address and remote port.
    pub wildcards: u8,
    /// The structure's family, which says how its addresses are spelled.
    #[serde(default)]
    pub family: Family,
    /// An AF_INET6 structure taking an IPv4 packet (dual stack, no IPV6_V6ONLY).
    #[serde(default)]
    pub dual_stack: bool,
    /// The structure takes no packets of this IP version (an IPv4 socket for IPv6, or
    /// an IPV6_V6ONLY one for IPv4): its local address cannot match.
    #[serde(default)]
    pub other_version: bool,
}

impl DemuxCandidate {
    pub fn matches(&self) -> bool {
        self.local_port && self.local_ip && self.remote_ip && self.remote_port
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DemuxOutcome {
    /// The winner took the segment.
    Delivered,
    /// No structure could take a TCP segment (or only one that does not listen): RST.
    Refused,
    /// No UDP structure matched: an ICMP port-unreachable would go back.
    PortUnreachable,
    /// Nothing matched and nothing is answered (e.g. an RST to nobody).
    Ignored,
}

/// How one arriving segment found its socket structure (MODEL.md §6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemuxRecord {
    /// The arriving segment; `None` for the "what if" of `World::explain_demux`.
    pub seg: Option<SegId>,
    pub host: HostId,
    pub proto: Proto,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Structures of the same protocol on the host, those on the destination port
    /// first; at most `DEMUX_LISTED` are listed.
    pub candidates: Vec<DemuxCandidate>,
    /// Structures examined but not listed.
    pub omitted: usize,
    pub winner: Option<SockId>,
    pub outcome: DemuxOutcome,
    /// The segment asks to open a connection (SYN without ACK). False for `explain`.
    #[serde(default)]
    pub syn: bool,
}

/// A process blocked in a call that cannot complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedCall {
    pub pid: Pid,
    pub host: HostId,
    pub call: Call,
    pub sock: SockId,
    /// Bytes the call asked for and bytes done so far.
    pub requested: u64,
    pub done: u64,
    /// The caller's SendQ: bytes in it and its capacity (SQS).
    pub sendq: u64,
    pub sqs: u64,
    /// The peer's RecvQ: bytes in it and its capacity (RQS).
    pub peer: Option<SockId>,
    pub peer_recvq: u64,
    pub peer_rqs: u64,
    /// Processes that could unblock this call (they hold the peer structure).
    pub waits_for: Vec<Pid>,
}

/// Every party blocked, nothing in flight, no timer that can help (MODEL.md §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlockReport {
    pub blocked: Vec<BlockedCall>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    CallIssued {
        pid: Pid,
        call: Call,
    },
    CallBlocked {
        pid: Pid,
        call: Call,
        progress: u64,
    },
    CallReturned {
        pid: Pid,
        call: Call,
        ret: Ret,
        /// For a recv()/recvfrom() that returned 0: why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zero: Option<ZeroRead>,
    },
    SocketCreated {
        sock: SockId,
        host: HostId,
    },
    SocketFreed {
        sock: SockId,
        host: HostId,
    },
    StateChanged {
        sock: SockId,
        from: TcpState,
        to: TcpState,
        cause: Cause,
    },
    SegmentSent {
        seg: Segment,
        sent_at: Micros,
        arrives_at: Micros,
    },
    SegmentArrived {
        seg: SegId,
        host: HostId,
    },
    SegmentDropped {
        seg: SegId,
        reason: DropReason,
    },
    /// The network holds segment `seg` back by `extra_us` beyond its path's delay
    /// (`net: reorder`): segments sent after it may arrive first.
    SegmentHeld {
        seg: SegId,
        extra_us: Micros,
    },
    /// The network will deliver segment `seg` twice (`net: duplicate`): the copy, with
    /// its own id `copy`, follows as a `SegmentSent` of its own.
    SegmentDuplicated {
        seg: SegId,
        copy: SegId,
    },
    /// A TCP receiver discarded an arriving segment (out of order or beyond the window).
    SegmentDiscarded {
        seg: SegId,
        sock: SockId,
        reason: DiscardReason,
    },
    Demux(DemuxRecord),
    TimerSet {
        sock: SockId,
        kind: TimerKind,
        at: Micros,
    },
    TimerFired {
        sock: SockId,
        kind: TimerKind,
    },
    Deadlock(DeadlockReport),
    HostCrashed {
        host: HostId,
    },
    HostRestarted {
        host: HostId,
    },
    /// This moment would go differently in the other mode; `now` is the world's.
    /// `difference.sentence(now)` says how.
    OtherMode {
        sock: Option<SockId>,
        now: Behaviour,
        difference: Difference,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// Position in the trace, from 0.
    pub n: u64,
    pub time: Micros,
    pub event: Event,
}
