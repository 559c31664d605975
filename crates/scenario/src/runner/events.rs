//! Turning the engine's trace into output: segments arriving or lost, blocked calls
//! returning, deadlocks, crashes. Everything is read from the trace in order, so the
//! lines come out in the order things happened.

use super::{LineKind, OnWire, Runner};
use crate::format;
use sockscope_engine::trace::DeadlockReport;
use sockscope_engine::{Event, HostId};
use std::net::SocketAddr;

/// Wire lines listed per batch of events; the rest are counted.
const WIRE_LINES: usize = 24;

impl Runner {
    /// Reports the trace entries recorded since the last call.
    pub(super) fn absorb_trace(&mut self) {
        let entries: Vec<_> = self.world.trace()[self.seen..].to_vec();
        self.seen = self.world.trace().len();
        let mut wire_lines = 0usize;
        let mut unlisted = 0usize;
        for e in entries {
            match e.event {
                Event::SegmentSent { seg, .. } => {
                    let route = format!(
                        "{} -> {}",
                        self.place(Some(seg.from_host), seg.src),
                        self.place(seg.to_host, seg.dst)
                    );
                    let label = format::segment_label(&seg);
                    self.wire.insert(seg.id, OnWire { route, label });
                }
                Event::SegmentHeld { seg, extra_us } => {
                    if let Some(w) = self.wire.get_mut(&seg) {
                        let held = crate::units::format_duration(extra_us);
                        w.label
                            .push_str(&format!(", held back {held} by the network"));
                    }
                }
                Event::SegmentDuplicated { seg, copy } => {
                    self.duplicates.insert(copy, seg);
                }
                Event::SegmentArrived { seg, .. } | Event::SegmentDropped { seg, .. } => {
                    let Some(w) = self.wire.remove(&seg) else {
                        continue;
                    };
                    let copy_of = self.duplicates.remove(&seg);
                    if wire_lines == WIRE_LINES {
                        unlisted += 1;
                        continue;
                    }
                    wire_lines += 1;
                    let mut fate = match e.event {
                        Event::SegmentDropped { reason, .. } => {
                            format!(", {reason}")
                        }
                        _ => String::new(),
                    };
                    if let Some(of) = copy_of {
                        fate.push_str(&format!(", a copy of segment {} made by the network", of.0));
                    }
                    let text =
                        format!("  {:<9} {}  {}{fate}", format::at(e.time), w.route, w.label);
                    self.emit(LineKind::Wire, text);
                }
                Event::CallReturned { pid, ret, .. } => {
                    let Some(w) = self.waiting.remove(&pid) else {
                        continue;
                    };
                    self.bind(pid, w.var.as_deref(), &ret);
                    self.returned.insert(pid, ret);
                    self.emit(
                        LineKind::Returned,
                        format!(
                            "{} returned {} at {}",
                            w.text,
                            format::ret(&ret),
                            format::at(e.time)
                        ),
                    );
                }
                Event::Deadlock(report) => self.report_deadlock(&report),
                Event::HostCrashed { host } => self.crashed(host),
                Event::OtherMode {
                    now, difference, ..
                } => self.emit(
                    LineKind::OtherMode,
                    format!("  other mode: {}", difference.sentence(now)),
                ),
                _ => {}
            }
        }
        if unlisted > 0 {
            let more = format::count(unlisted as u64, "more segment");
            self.emit(LineKind::Wire, format!("  ({more} not listed)"));
        }
    }

    /// `A:32768`: the host's name and the port, or the bare address if no host has it.
    fn place(&self, host: Option<HostId>, addr: SocketAddr) -> String {
        match host.and_then(|h| self.world.host(h)) {
            Some(h) => format!("{}:{}", h.name, addr.port()),
            None => addr.to_string(),
        }
    }

    /// Calls blocked on a crashed host never return: say so and forget them.
    fn crashed(&mut self, host: HostId) {
        let gone: Vec<_> = self
            .waiting
            .keys()
            .copied()
            .filter(|pid| self.world.process(*pid).is_some_and(|p| p.host == host))
            .collect();
        let name = self
            .world
            .host(host)
            .map_or_else(|| host.to_string(), |h| h.name.clone());
        for pid in gone {
            if let Some(w) = self.waiting.remove(&pid) {
                self.emit(
                    LineKind::Returned,
                    format!("{} never returns: {name} crashed", w.text),
                );
            }
        }
    }

    fn report_deadlock(&mut self, report: &DeadlockReport) {
        self.emit(
            LineKind::Deadlock,
            "deadlock: every process below is blocked, nothing is on the wire, and no timer can help"
                .to_string(),
        );
        for b in &report.blocked {
            let who = self.waiting.get(&b.pid).map_or_else(
                || format!("{}: {}", self.label(b.pid), b.call),
                |w| w.text.clone(),
            );
            let waits: Vec<String> = b.waits_for.iter().map(|p| self.label(*p)).collect();
            self.emit(
                LineKind::Deadlock,
                format!(
                    "  {who}: {} of {} bytes done; own SendQ {}/{}, peer's RecvQ {}/{}; waits for {}",
                    b.done,
                    b.requested,
                    b.sendq,
                    b.sqs,
                    b.peer_recvq,
                    b.peer_rqs,
                    waits.join(" and ")
                ),
            );
        }
    }
}
