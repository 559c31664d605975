//! Which hosts a tour has used so far, so that it draws only those.

use sockscope_engine::{Event, HostId, TraceEntry, World};
use std::collections::BTreeSet;

/// Which hosts have been used: one of their processes made a call, a socket structure
/// was created on them, or a segment came from or went to them. Read from the engine's
/// trace, and only the part of it not read before.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UsedHosts {
    /// Trace entries read so far, and the last of them (to notice a replay that
    /// rewrote the trace).
    read: usize,
    last: Option<TraceEntry>,
    hosts: BTreeSet<HostId>,
}

impl UsedHosts {
    pub fn contains(&self, host: HostId) -> bool {
        self.hosts.contains(&host)
    }

    /// The same, brought up to date with the world's trace (read again from the start
    /// when the trace no longer begins as it did: the session stepped back).
    pub fn updated(&self, world: &World) -> Self {
        let trace = world.trace();
        let same_start = self.read == 0
            || (trace.len() >= self.read && trace.get(self.read - 1) == self.last.as_ref());
        let mut next = if same_start {
            self.clone()
        } else {
            UsedHosts::default()
        };
        for e in &trace[next.read..] {
            match &e.event {
                Event::CallIssued { pid, .. } => {
                    next.hosts.extend(world.process(*pid).map(|p| p.host));
                }
                Event::SocketCreated { host, .. } | Event::SegmentArrived { host, .. } => {
                    next.hosts.insert(*host);
                }
                Event::SegmentSent { seg, .. } => {
                    next.hosts.insert(seg.from_host);
                    next.hosts.extend(seg.to_host);
                }
                _ => {}
            }
        }
        next.read = trace.len();
        next.last = trace.last().cloned();
        next
    }
}
