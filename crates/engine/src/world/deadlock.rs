//! Deadlock detection (MODEL.md §3): every party blocked, nothing in flight, and no
//! timer that can help.

use super::World;
use crate::addr::Proto;
use crate::call::Call;
use crate::ids::{Pid, SockId};
use crate::trace::{BlockedCall, DeadlockReport};
use std::collections::BTreeSet;

impl World {
    /// Processes holding a descriptor for `sock`.
    fn holders(&self, sock: SockId) -> Vec<Pid> {
        self.procs
            .iter()
            .filter(|p| p.alive && p.fds.values().any(|&s| s == sock))
            .map(|p| p.pid)
            .collect()
    }

    /// What one blocked call waits for, if only a program at the other end can give it.
    fn blocked_call(&self, pid: Pid) -> Option<BlockedCall> {
        let p = self.process(pid)?;
        let pending = p.pending.as_ref()?;
        let s = self.socket(pending.sock?)?;
        let (requested, waits_on_peer) = match pending.call {
            Call::Send { len, .. } | Call::SendTo { len, .. } => (len, s.proto == Proto::Tcp),
            Call::Recv { len, .. } | Call::RecvFrom { len, .. } => (len, s.proto == Proto::Tcp),
            // accept() and connect() wait for someone not yet known; close() for a timer.
            _ => return None,
        };
        if !waits_on_peer {
            return None;
        }
        let peer = self.peer_of(s.id);
        let waits_for = peer.map(|peer| self.holders(peer)).unwrap_or_default();
        let peer_sock = peer.and_then(|id| self.socket(id));
        Some(BlockedCall {
            pid,
            host: p.host,
            call: pending.call.clone(),
            sock: s.id,
            requested,
            done: pending.progress,
            sendq: s.sendq.len(),
            sqs: s.sendq.capacity(),
            peer,
            peer_recvq: peer_sock.map_or(0, |p| p.recvq.len()),
            peer_rqs: peer_sock.map_or(0, |p| p.recvq.capacity()),
            waits_for,
        })
    }

    pub(super) fn find_deadlock(&self) -> Option<DeadlockReport> {
        // A zero-window probe, or the ACK that answers it with a window still 0,
        // changes nothing: the circle stays closed while they travel.
        let helps = |f: &crate::network::InFlight| {
            let s = &f.seg;
            let answer_to_probe =
                s.len == 0 && s.window == 0 && s.flags == crate::segment::Flags::ACK;
            !(s.probe || answer_to_probe)
        };
        if self.foreground > 0 || self.net.in_flight.iter().any(helps) {
            return None;
        }
        let mut calls: Vec<BlockedCall> = self
            .procs
            .iter()
            .filter_map(|p| self.blocked_call(p.pid))
            .collect();
        // Keep only calls whose helpers are all blocked too, until nothing changes:
        // what remains waits in a circle.
        loop {
            let blocked: BTreeSet<Pid> = calls.iter().map(|c| c.pid).collect();
            let before = calls.len();
            calls.retain(|c| {
                !c.waits_for.is_empty() && c.waits_for.iter().all(|p| blocked.contains(p))
            });
            if calls.len() == before {
                break;
            }
        }
        (!calls.is_empty()).then_some(DeadlockReport { blocked: calls })
    }
}
