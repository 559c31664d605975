//! Passive tracking of a capture of real programs: after each segment, the TCP state
//! each endpoint must be in, the bytes in flight each way, the windows advertised, and
//! the netstat rows each host would show.
//!
//! The states follow from the flags alone (RFC 793's diagram, read from outside): a
//! segment counts as received when it is seen, so for a capture taken at one end the
//! other end's states are a moment early; an end that has not answered a SYN yet has
//! no known state. What a capture cannot tell is said with
//! every result: how much each program has read (so a Recv-Q is only an upper bound),
//! how much each program has written that is not yet sent (so a Send-Q is a lower
//! bound), and the listening sockets and their queues.

use super::read::Packet;
use crate::{Proto, TcpState};
use std::net::SocketAddr;

/// One connection (or UDP flow) of the capture; side 0 sent its first packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub proto: Proto,
    pub ends: [SocketAddr; 2],
}

/// The picture right after one packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    /// Index into `Timeline::connections`.
    pub conn: usize,
    /// Which side sent the packet.
    pub from: usize,
    /// Sequence and acknowledgement numbers relative to each side's SYN.
    pub rel_seq: u64,
    pub rel_ack: u64,
    /// Per side: its state (TCP; `None` for UDP), data it sent that the other has not
    /// acknowledged, the window it last advertised (scaled, when both SYNs agreed on a
    /// scale), and the data bytes it has received.
    pub states: [Option<TcpState>; 2],
    pub in_flight: [u64; 2],
    pub window: [Option<u64>; 2],
    pub received: [u64; 2],
}

/// Every connection, and one moment per packet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    pub connections: Vec<Connection>,
    pub moments: Vec<Moment>,
}

/// A netstat row a host would show, as far as the capture can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub proto: Proto,
    pub local: SocketAddr,
    pub foreign: SocketAddr,
    /// At most this much is unread (the program may have read any of it).
    pub recv_q_at_most: u64,
    /// At least this much is in SendQ (sent, not acknowledged; unsent data is unseen).
    pub send_q_at_least: u64,
    pub state: Option<TcpState>,
}

/// What a capture cannot tell, in one sentence for every display of its results.
pub const LIMITS: &str = "A capture shows only what crossed the wire: how much each program has read is unknown, so Recv-Q is at most the bytes received; data not yet sent is unseen, so Send-Q is at least the bytes in flight; listening sockets appear only through the connections they accept.";

#[derive(Clone, Debug, Default)]
struct Side {
    state: Option<TcpState>,
    isn: Option<u32>,
    /// Highest relative sequence number sent, past the data (and a FIN).
    sent_end: u64,
    /// Relative sequence number of its FIN, once sent.
    fin_at: Option<u64>,
    /// Highest relative ack the other side sent for this side's data.
    acked: u64,
    window: Option<u64>,
    scale: Option<u8>,
    received: u64,
}

struct Conn {
    info: Connection,
    sides: [Side; 2],
}

/// Follows every packet in order.
pub fn track(packets: &[Packet]) -> Timeline {
    let mut conns: Vec<Conn> = Vec::new();
    let mut moments = Vec::with_capacity(packets.len());
    for p in packets {
        let found = conns.iter().position(|c| {
            c.info.proto == p.proto
                && (c.info.ends == [p.src, p.dst] || c.info.ends == [p.dst, p.src])
                && !(p.flags.syn && !p.flags.ack && closed(c))
        });
        let i = found.unwrap_or_else(|| {
            conns.push(Conn {
                info: Connection {
                    proto: p.proto,
                    ends: [p.src, p.dst],
                },
                sides: Default::default(),
            });
            conns.len() - 1
        });
        let c = &mut conns[i];
        let from = usize::from(c.info.ends[0] != p.src);
        let (rel_seq, rel_ack) = match p.proto {
            Proto::Tcp => tcp(c, from, p),
            Proto::Udp => {
                c.sides[1 - from].received += p.len;
                (0, 0)
            }
        };
        moments.push(Moment {
            conn: i,
            from,
            rel_seq,
            rel_ack,
            states: [c.sides[0].state, c.sides[1].state],
            in_flight: [0, 1].map(|s| c.sides[s].sent_end.saturating_sub(c.sides[s].acked.max(1))),
            window: [c.sides[0].window, c.sides[1].window],
            received: [c.sides[0].received, c.sides[1].received],
        });
    }
    Timeline {
        connections: conns.into_iter().map(|c| c.info).collect(),
        moments,
    }
}

/// Both ends closed (or in TIME_WAIT): a new SYN on the same addresses starts anew.
fn closed(c: &Conn) -> bool {
    c.sides
        .iter()
        .all(|s| matches!(s.state, Some(TcpState::Closed | TcpState::TimeWait) | None))
        && c.sides.iter().any(|s| s.state.is_some())
}

/// One TCP segment from side `s`: the numbers, then the states.
fn tcp(c: &mut Conn, s: usize, p: &Packet) -> (u64, u64) {
    let r = 1 - s;
    let f = p.flags;
    if f.syn {
        c.sides[s].isn = Some(p.seq);
        c.sides[s].scale = p.window_scale;
    }
    // Without its SYN in the capture, a side's numbers count from just before its
    // first segment, as Wireshark does.
    let isn = *c.sides[s].isn.get_or_insert(p.seq.wrapping_sub(1));
    let rel_seq = u64::from(p.seq.wrapping_sub(isn));
    let rel_ack = match (f.ack, c.sides[r].isn) {
        (true, Some(peer)) => u64::from(p.ack.wrapping_sub(peer)),
        _ => 0,
    };
    let end = rel_seq + p.len + u64::from(f.syn) + u64::from(f.fin);
    let side = &mut c.sides[s];
    side.sent_end = side.sent_end.max(end);
    if f.fin {
        side.fin_at = Some(rel_seq + p.len);
    }
    let both_scale = c.sides[0].scale.is_some() && c.sides[1].scale.is_some();
    let shift = if f.syn || !both_scale {
        0
    } else {
        c.sides[s].scale.unwrap_or(0)
    };
    c.sides[s].window = Some(u64::from(p.window) << shift);
    if f.ack {
        c.sides[r].acked = c.sides[r].acked.max(rel_ack);
    }
    c.sides[r].received += p.len;
    transition(c, s, p);
    (rel_seq, rel_ack)
}

/// The states after a segment from `s`, seen as received by the other side at once.
fn transition(c: &mut Conn, s: usize, p: &Packet) {
    use TcpState::*;
    let r = 1 - s;
    let f = p.flags;
    if f.rst {
        c.sides[s].state = Some(Closed);
        c.sides[r].state = Some(Closed);
        return;
    }
    let st = |c: &Conn, i: usize| c.sides[i].state;
    if f.syn && !f.ack {
        c.sides[s].state = Some(SynSent);
        // Whether the SYN found a listener shows only in the answer (SYN+ACK or RST),
        // except in a simultaneous open, where the receiver has sent its own SYN.
        if st(c, r) == Some(SynSent) {
            c.sides[r].state = Some(SynRcvd);
        }
        return;
    }
    if f.syn && f.ack {
        c.sides[s].state = Some(SynRcvd);
        if matches!(st(c, r), Some(SynSent | SynRcvd) | None) {
            c.sides[r].state = Some(Established);
        }
        if st(c, s) == Some(SynRcvd) && c.sides[s].acked > 1 {
            c.sides[s].state = Some(Established);
        }
        return;
    }
    // The ACK first: it may acknowledge the receiver's SYN or FIN.
    if f.ack {
        let fin_acked = c.sides[r].fin_at.is_some_and(|at| c.sides[r].acked > at);
        c.sides[r].state = match (st(c, r), fin_acked) {
            (Some(SynRcvd), _) => Some(Established),
            (Some(FinWait1), true) => Some(FinWait2),
            (Some(Closing), true) => Some(TimeWait),
            (Some(LastAck), true) => Some(Closed),
            (other, _) => other,
        };
    }
    if f.fin {
        c.sides[s].state = match st(c, s) {
            Some(CloseWait) => Some(LastAck),
            Some(LastAck) => Some(LastAck),
            Some(FinWait1 | FinWait2 | Closing | TimeWait) => st(c, s),
            _ => Some(FinWait1),
        };
        c.sides[r].state = match st(c, r) {
            Some(FinWait1) => Some(Closing),
            Some(FinWait2) => Some(TimeWait),
            Some(Closing | TimeWait | LastAck | Closed) => st(c, r),
            _ => Some(CloseWait),
        };
    }
}

impl Timeline {
    /// The rows every host would show right after moment `m`: one per side of every
    /// connection seen so far that is not CLOSED.
    pub fn netstat_at(&self, m: usize) -> Vec<Row> {
        let mut last: Vec<Option<&Moment>> = vec![None; self.connections.len()];
        for moment in self.moments.iter().take(m + 1) {
            last[moment.conn] = Some(moment);
        }
        let mut rows = Vec::new();
        for (c, moment) in self.connections.iter().zip(last) {
            let Some(mo) = moment else { continue };
            for side in 0..2 {
                // A closed end has no row; nor has an end not yet heard from.
                let unknown = c.proto == Proto::Tcp && mo.states[side].is_none();
                if mo.states[side] == Some(TcpState::Closed) || unknown {
                    continue;
                }
                rows.push(Row {
                    proto: c.proto,
                    local: c.ends[side],
                    foreign: c.ends[1 - side],
                    recv_q_at_most: mo.received[side],
                    send_q_at_least: mo.in_flight[side],
                    state: mo.states[side],
                });
            }
        }
        rows
    }
}
