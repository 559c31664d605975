//! Running the demultiplexer on an arriving segment and recording why it chose.

use super::World;
use crate::addr::Proto;
use crate::demux::{choose, evaluate, DEMUX_LISTED};
use crate::ids::{HostId, SockId};
use crate::segment::Segment;
use crate::trace::{DemuxCandidate, DemuxOutcome, DemuxRecord};
use std::net::SocketAddr;

impl World {
    /// Which structure on `host` would take a `proto` packet from `src` to `dst`:
    /// the textbook rule, answered from the index (one lookup for a connection).
    pub fn demux_lookup(
        &self,
        host: HostId,
        proto: Proto,
        src: SocketAddr,
        dst: SocketAddr,
    ) -> Option<SockId> {
        let idx = self.indexes.get(host.0 as usize)?;
        idx.exact(proto, dst, src).or_else(|| {
            let wild: Vec<DemuxCandidate> = idx
                .wild_on_port(proto, dst.port())
                .iter()
                .filter_map(|&id| self.socket(id))
                .map(|s| evaluate(s, src, dst))
                .collect();
            choose(&wild)
        })
    }

    /// `demux_lookup` for an arriving segment when no record is kept: the host's index
    /// remembers the last connection it found, and the next segment is most likely
    /// for the same one.
    pub(super) fn demux_arriving(&mut self, host: HostId, seg: &Segment) -> Option<SockId> {
        let idx = self.indexes.get_mut(host.0 as usize)?;
        idx.exact_remembered(seg.proto, seg.dst, seg.src)
            .or_else(|| self.demux_lookup(host, seg.proto, seg.src, seg.dst))
    }

    /// The structure an arriving segment belongs to, with the record of the decision.
    /// The outcome is filled in by the caller, which knows what the winner does with it.
    pub(super) fn demux(&self, host: HostId, seg: &Segment) -> (Option<SockId>, DemuxRecord) {
        let mut record = self.explain_demux(host, seg.proto, seg.src, seg.dst);
        record.seg = Some(seg.id);
        record.syn = seg.flags.syn && !seg.flags.ack;
        (record.winner, record)
    }

    /// The demultiplexer's reasoning for a packet from `src` to `dst` (MODEL.md §6):
    /// the structures it compared, field by field, and the winner. Also answers
    /// "what if such a packet arrived now?" for the view.
    pub fn explain_demux(
        &self,
        host: HostId,
        proto: Proto,
        src: SocketAddr,
        dst: SocketAddr,
    ) -> DemuxRecord {
        let empty = crate::demux::DemuxIndex::default();
        let idx = self.indexes.get(host.0 as usize).unwrap_or(&empty);
        let eval =
            |id: SockId| evaluate(self.socket(id).expect("indexed structures live"), src, dst);
        let wild: Vec<DemuxCandidate> = idx
            .wild_on_port(proto, dst.port())
            .iter()
            .map(|&id| eval(id))
            .collect();
        let winner = idx.exact(proto, dst, src).or_else(|| choose(&wild));

        let mut candidates: Vec<DemuxCandidate> = wild.into_iter().take(DEMUX_LISTED).collect();
        let examined = idx.count_on_port(proto, dst.port());
        for id in idx.on_port(proto, dst.port()).take(2 * DEMUX_LISTED) {
            if candidates.len() < DEMUX_LISTED && !candidates.iter().any(|c| c.sock == id) {
                candidates.push(eval(id));
            }
        }
        if let Some(w) = winner {
            if !candidates.iter().any(|c| c.sock == w) {
                candidates.pop();
                candidates.push(eval(w));
            }
        }
        let omitted = examined.saturating_sub(candidates.len());
        // In a small world, also list the structures on other ports: they fail on the port.
        if self.socks.len() <= 4 * DEMUX_LISTED {
            for s in self
                .sockets()
                .filter(|s| s.host == host && s.proto == proto)
            {
                if candidates.len() < DEMUX_LISTED && !candidates.iter().any(|c| c.sock == s.id) {
                    candidates.push(evaluate(s, src, dst));
                }
            }
        }
        DemuxRecord {
            seg: None,
            host,
            proto,
            src,
            dst,
            omitted,
            candidates,
            winner,
            outcome: if winner.is_some() {
                DemuxOutcome::Delivered
            } else if proto == Proto::Udp {
                DemuxOutcome::PortUnreachable
            } else {
                DemuxOutcome::Refused
            },
            syn: false,
        }
    }
}
