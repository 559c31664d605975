//! The time-sequence graph of one direction of a connection, as Wireshark's
//! Stevens/tcptrace graphs draw it: each data segment's sequence range against time,
//! the ACK line of the other side, and the receive-window line (ACK + window) above
//! it, with retransmissions, zero windows and window probes marked.
//!
//! It works on [`Packet`]s, so a simulated run (through [`from_trace`]) and an
//! imported capture draw the same way.

use super::frame::WindowScale;
use super::passive::Timeline;
use super::read::Packet;
use crate::trace::{Event, TraceEntry};
use crate::Proto;

/// What a plotted segment was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Data,
    /// Data sent again (its range was sent before).
    Retransmission,
    /// A zero-window probe (one byte past a closed window).
    Probe,
}

/// One data segment: `seq..seq+len` at `time_us`, relative to the sender's SYN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentBar {
    /// Index into the packets the graph was made from.
    pub packet: usize,
    pub time_us: u64,
    pub seq: u64,
    pub len: u64,
    pub mark: Mark,
}

/// A point of the ACK or window line: from the receiver, at `time_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinePoint {
    pub packet: usize,
    pub time_us: u64,
    pub ack: u64,
    /// ACK + advertised window: the highest sequence number the sender may send.
    pub limit: u64,
    /// The window was 0.
    pub zero_window: bool,
}

/// The graph of the data that `sender` sends on connection `conn`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    pub segments: Vec<SegmentBar>,
    pub acks: Vec<LinePoint>,
    pub max_time_us: u64,
    pub max_seq: u64,
}

/// The packets of a simulated run, as a capture would hold them (dropped ones too:
/// a graph shows what was sent).
pub fn from_trace(trace: &[TraceEntry]) -> Vec<Packet> {
    let segments = trace.iter().filter_map(|e| match &e.event {
        Event::SegmentSent { seg, sent_at, .. } => Some((seg, *sent_at)),
        _ => None,
    });
    // The same 16-bit windows and scale as a written capture holds.
    let largest = segments.clone().map(|(s, _)| s.window).max().unwrap_or(0);
    let scale = WindowScale::for_largest(largest);
    segments
        .map(|(seg, sent_at)| Packet {
            frame: 0,
            time_us: sent_at,
            proto: seg.proto,
            src: seg.src,
            dst: seg.dst,
            flags: seg.flags,
            seq: seg.seq as u32,
            ack: seg.ack as u32,
            window: scale.field(seg),
            window_scale: seg.flags.syn.then_some(scale.0),
            len: seg.len,
        })
        .enumerate()
        .map(|(i, mut p)| {
            p.frame = i + 1;
            p
        })
        .collect()
}

/// The graph of what side `sender` (0 or 1) of connection `conn` sends.
pub fn graph(packets: &[Packet], timeline: &Timeline, conn: usize, sender: usize) -> Graph {
    let mut g = Graph::default();
    // The highest sequence number sent so far, to tell a retransmission.
    let mut sent_end = 0u64;
    let mut seen_zero_window = false;
    for (i, (p, m)) in packets.iter().zip(&timeline.moments).enumerate() {
        if m.conn != conn || p.proto != Proto::Tcp {
            continue;
        }
        g.max_time_us = g.max_time_us.max(p.time_us);
        if m.from == sender && p.len > 0 {
            // One byte into a window announced as 0, first sent or repeated: a probe.
            let mark = if seen_zero_window && p.len == 1 {
                Mark::Probe
            } else if m.rel_seq + p.len <= sent_end {
                Mark::Retransmission
            } else {
                Mark::Data
            };
            sent_end = sent_end.max(m.rel_seq + p.len);
            g.max_seq = g.max_seq.max(m.rel_seq + p.len);
            g.segments.push(SegmentBar {
                packet: i,
                time_us: p.time_us,
                seq: m.rel_seq,
                len: p.len,
                mark,
            });
        } else if m.from != sender && p.flags.ack {
            let window = m.window[m.from].unwrap_or(0);
            seen_zero_window = window == 0;
            let limit = m.rel_ack + window;
            g.max_seq = g.max_seq.max(limit);
            g.acks.push(LinePoint {
                packet: i,
                time_us: p.time_us,
                ack: m.rel_ack,
                limit,
                zero_window: window == 0,
            });
        }
    }
    g
}
