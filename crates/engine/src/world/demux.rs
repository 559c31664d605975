//! Running the demultiplexer on an arriving segment and recording why it chose.

use super::World;
use crate::demux::{choose, evaluate, DEMUX_LISTED};
use crate::ids::{HostId, SockId};
use crate::segment::Segment;
use crate::trace::{DemuxCandidate, DemuxOutcome, DemuxRecord};

impl World {
    /// The structure an arriving segment belongs to, with the record of the decision.
    /// The outcome is filled in by the caller, which knows what the winner does with it.
    pub(super) fn demux(&self, host: HostId, seg: &Segment) -> (Option<SockId>, DemuxRecord) {
        let idx = &self.indexes[host.0 as usize];
        let (src, dst) = (seg.src, seg.dst);
        let eval =
            |id: SockId| evaluate(self.socket(id).expect("indexed structures live"), src, dst);
        let wild: Vec<DemuxCandidate> = idx
            .wild_on_port(seg.proto, dst.port())
            .iter()
            .map(|&id| eval(id))
            .collect();
        let winner = idx.exact(seg.proto, dst, src).or_else(|| choose(&wild));

        let mut candidates: Vec<DemuxCandidate> = wild.into_iter().take(DEMUX_LISTED).collect();
        let mut examined = 0usize;
        for id in idx.on_port(seg.proto, dst.port()) {
            examined += 1;
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
                .filter(|s| s.host == host && s.proto == seg.proto)
            {
                if candidates.len() < DEMUX_LISTED && !candidates.iter().any(|c| c.sock == s.id) {
                    candidates.push(evaluate(s, src, dst));
                }
            }
        }
        let record = DemuxRecord {
            seg: seg.id,
            host,
            proto: seg.proto,
            src,
            dst,
            omitted,
            candidates,
            winner,
            outcome: DemuxOutcome::Delivered,
        };
        (winner, record)
    }
}
