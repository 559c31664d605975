//! The agenda driver: moving virtual time, one scheduled job at a time.

use super::World;
use crate::addr::Proto;
use crate::ids::{SegId, SockId};
use crate::network::WireSlot;
use crate::time::Micros;
use crate::trace::{DeadlockReport, Event, TimerKind};
use serde::{Deserialize, Serialize};

/// Something scheduled for a moment of virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) enum Job {
    Arrive(SegId, WireSlot),
    Timer {
        sock: SockId,
        kind: TimerKind,
        gen: u64,
    },
    /// A transmission opportunity: calls made at one instant are coalesced into segments.
    Output(SockId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) struct Scheduled {
    pub(super) at: Micros,
    pub(super) order: u64,
    pub(super) job: Job,
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunOutcome {
    /// Nothing left that could change the world by itself (only zero-window probes
    /// and TIME_WAIT timers may remain).
    Idle,
    /// Idle, and blocked processes wait on each other forever.
    Deadlock(DeadlockReport),
    /// The requested time or number of events was reached.
    Limit,
}

impl World {
    /// Runs the next scheduled thing (a segment arriving, a timer, a transmission).
    /// Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        while let Some(next) = self.queue.pop() {
            if !self.is_live(&next.job) {
                continue;
            }
            self.run_popped(next);
            return true;
        }
        false
    }

    /// `step` for a caller that has just found the first job live (`peek_live`,
    /// `peek_time`) and changed nothing since: the job is taken without asking
    /// `is_live` a second time. Drivers peek before every step, so this halves the
    /// liveness checks of a run.
    pub(crate) fn step_peeked(&mut self) {
        let next = self.queue.pop().expect("a job was just peeked");
        debug_assert!(self.is_live(&next.job), "the peeked job is live");
        self.run_popped(next);
    }

    fn run_popped(&mut self, next: Scheduled) {
        self.now = self.now.max(next.at);
        self.run_job(next.job);
        self.wake();
    }

    /// Runs until only background timers (zero-window probes, TIME_WAIT) are left, then
    /// looks for a deadlock. `max_events` bounds the work of one call.
    pub fn run_until_idle(&mut self, max_events: u64) -> RunOutcome {
        let mut n = 0;
        while self.foreground > 0 || !self.net.in_flight.is_empty() {
            if n == max_events {
                return RunOutcome::Limit;
            }
            if !self.step() {
                break;
            }
            n += 1;
        }
        match self.find_deadlock() {
            Some(report) => {
                if self.last_deadlock.as_ref() != Some(&report) {
                    self.last_deadlock = Some(report.clone());
                    self.emit(|| Event::Deadlock(report.clone()));
                }
                RunOutcome::Deadlock(report)
            }
            None => RunOutcome::Idle,
        }
    }

    /// Runs everything scheduled up to virtual time `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Micros) {
        // Only live jobs count: a cancelled timer due before `t` must not let `step()`
        // run the next live job, which may be due long after `t`.
        while let Some(next) = self.peek_live() {
            if next.at > t {
                break;
            }
            self.step_peeked();
        }
        self.now = self.now.max(t);
    }

    /// `run_until(t)` for a caller that has just seen (`peek_time`) that nothing is due
    /// until after `t`: only the clock moves, without looking at the agenda again.
    pub(crate) fn advance_to(&mut self, t: Micros) {
        // Only the first job is checked: a scan of the whole agenda here made debug
        // builds (the browser tests) quadratic in the experiment's length.
        debug_assert!(self
            .queue
            .peek()
            .is_none_or(|s| s.at > t || !self.is_live(&s.job)));
        self.now = self.now.max(t);
    }

    /// Runs until `n` segments have arrived (or been dropped), e.g. "deliver 1".
    /// Returns how many did.
    pub fn deliver(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && (self.foreground > 0 || !self.net.in_flight.is_empty()) {
            let Some(next) = self.peek_live() else { break };
            self.step_peeked();
            if matches!(next.job, Job::Arrive(..)) {
                done += 1;
            }
        }
        done
    }

    /// The next job that still matters, dropping cancelled ones on the way.
    fn peek_live(&mut self) -> Option<Scheduled> {
        while let Some(s) = self.queue.peek().copied() {
            if self.is_live(&s.job) {
                return Some(s);
            }
            self.queue.pop();
        }
        None
    }

    /// Something can still change the world without a call: a segment is on the wire,
    /// or a retransmission/linger timer or a transmission is pending. (Zero-window
    /// probes and TIME_WAIT do not count: they run in the background.)
    pub fn busy(&self) -> bool {
        self.foreground > 0 || !self.net.in_flight.is_empty()
    }

    /// Segments (and datagrams) handed to the network since the world began, in both
    /// directions, including handshakes, ACKs, probes and retransmissions.
    pub fn segments_sent(&self) -> u64 {
        self.next_seg
    }

    /// The time of the next live job, dropping cancelled ones on the way: O(log n),
    /// unlike `next_event_time`, for drivers that interleave programs with the network.
    pub(crate) fn peek_time(&mut self) -> Option<Micros> {
        self.peek_live().map(|s| s.at)
    }

    /// The time of the next scheduled thing, if any.
    pub fn next_event_time(&self) -> Option<Micros> {
        self.queue
            .iter()
            .filter(|s| self.is_live(&s.job))
            .map(|s| s.at)
            .min()
    }

    /// The current deadlock, if the world is quiet and blocked processes wait on each other.
    pub fn deadlock(&self) -> Option<DeadlockReport> {
        self.find_deadlock()
    }

    fn is_live(&self, job: &Job) -> bool {
        match *job {
            Job::Arrive(seg, slot) => self.net.in_flight.contains(slot, seg),
            Job::Timer { sock, kind, gen } => self
                .socket(sock)
                .and_then(|s| s.timers.get(kind))
                .is_some_and(|a| a.gen == gen),
            Job::Output(sock) => self.socket(sock).is_some_and(|s| s.tcb.output_scheduled),
        }
    }

    fn run_job(&mut self, job: Job) {
        match job {
            Job::Arrive(seg, slot) => self.arrive(seg, slot),
            Job::Timer { sock, kind, .. } => {
                self.set_timer_slot(sock, kind, None);
                self.emit(|| Event::TimerFired { sock, kind });
                self.timer_fired(sock, kind);
            }
            Job::Output(sock) => {
                self.sock_mut(sock).tcb.output_scheduled = false;
                self.foreground -= 1;
                self.tcp_output(sock);
            }
        }
    }

    pub(super) fn schedule(&mut self, at: Micros, job: Job) {
        self.order += 1;
        self.queue.push(Scheduled {
            at,
            order: self.order,
            job,
        });
    }

    /// Asks for a transmission opportunity at the current instant.
    pub(super) fn schedule_output(&mut self, id: SockId) {
        let s = self.sock_mut(id);
        if s.proto == Proto::Tcp && !s.tcb.output_scheduled {
            s.tcb.output_scheduled = true;
            self.foreground += 1;
            self.schedule(self.now, Job::Output(id));
        }
    }
}
