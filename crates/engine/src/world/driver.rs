//! The time surface: how a driver moves the world's virtual clock.
//!
//! The world is sans-IO, like quinn-proto's `Connection`: it never reads a clock and
//! never waits. Whatever changes it without a call (a segment arriving, a timer
//! firing, a transmission opportunity) is a *job* on the agenda, due at a moment of
//! virtual time. A driver asks when the next job is due and moves time; calls and
//! the network then interleave exactly as the driver chooses.
//!
//! The contract of the methods below:
//! - `poll_timeout()` is when the next job is due: `None` when nothing is scheduled,
//!   and never earlier than `now()`. It is O(1) and needs no `&mut`, so a view may
//!   ask it on every frame.
//! - `busy()` says that foreground work remains: a segment on the wire, an armed
//!   retransmission or linger timer, or a pending transmission; `poll_timeout()` is
//!   then `Some`. Zero-window probes and TIME_WAIT are background: a world with only
//!   those left is idle (or deadlocked), although `poll_timeout()` is `Some`.
//! - Running a job first sets the clock to its time (the clock never goes back), then
//!   retries the blocked calls it may have unblocked: a call that can return has
//!   returned before the next job runs.
//! - `step()` runs exactly one job, whatever its time. `run_until(t, max_events)` runs
//!   the jobs due by `t`, none later, then moves the clock to `t`.
//!   `run_until_idle(max_events)` runs while `busy()`. `deliver(n)` runs until `n`
//!   segments have arrived or been dropped. Each says what stopped it; the bounded
//!   ones never run more than `max_events` jobs.
//! - Jobs run earliest first, and in the order they were scheduled among jobs of the
//!   same moment; a cancelled or re-armed timer never runs. The same seed, calls and
//!   driver give the same trace.
//!
//! What keeps it cheap: the agenda's first job is always live. Everything that can
//! cancel a job (a call, a job, a crash) ends with `settle`, which drops cancelled jobs
//! from the front, so asking and stepping check each job's liveness about once.

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
    /// and TIME_WAIT timers may remain): `busy()` is false.
    Idle,
    /// Idle, and blocked processes wait on each other forever.
    Deadlock(DeadlockReport),
    /// `max_events` jobs ran and the run was not over: more work was due.
    Limit,
    /// `run_until` reached its time: nothing is due by then, and the clock says so.
    Reached,
}

impl World {
    /// When the next job is due (a segment arriving, a timer, a transmission), or
    /// `None` when nothing is scheduled. Never earlier than `now()`; O(1).
    pub fn poll_timeout(&self) -> Option<Micros> {
        self.queue.peek().map(|s| s.at)
    }

    /// Something can still change the world without a call: a segment is on the wire,
    /// or a retransmission/linger timer or a transmission is pending. (Zero-window
    /// probes and TIME_WAIT do not count: they run in the background.)
    pub fn busy(&self) -> bool {
        self.foreground > 0 || !self.net.in_flight.is_empty()
    }

    /// Runs the next job, whatever its time: the clock moves to it, then the calls it
    /// unblocked return. Returns false, changing nothing, when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        self.step_job().is_some()
    }

    /// Runs the jobs due at or before `t`, earliest first, and none due later.
    ///
    /// Returns `Reached` once nothing due by `t` remains, with the clock moved to `t`
    /// (or left where it is if `t` has passed). Returns `Limit` when `max_events` jobs
    /// have run and another is due by `t`: the clock then stands at the last job's
    /// time, and calling again goes on. When nothing is due by `t`, only the clock
    /// moves, in O(1).
    pub fn run_until(&mut self, t: Micros, max_events: u64) -> RunOutcome {
        let mut n = 0;
        while self.poll_timeout().is_some_and(|at| at <= t) {
            if n == max_events {
                return RunOutcome::Limit;
            }
            self.step_job();
            n += 1;
        }
        self.now = self.now.max(t);
        RunOutcome::Reached
    }

    /// Runs jobs while the world is `busy()`, then looks for a deadlock.
    ///
    /// Returns `Idle` or `Deadlock` once only background timers are left; the clock
    /// stays at the last job's time. A deadlock is also traced (`Event::Deadlock`),
    /// once for as long as it stays the same. Returns `Limit` when `max_events` jobs
    /// have run and the world is still busy.
    pub fn run_until_idle(&mut self, max_events: u64) -> RunOutcome {
        let mut n = 0;
        while self.busy() {
            if n == max_events {
                return RunOutcome::Limit;
            }
            self.step_job();
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

    /// Runs jobs while the world is `busy()`, until `n` segments have arrived (or been
    /// dropped where they would have arrived), e.g. "deliver 1". Returns how many did:
    /// fewer than `n` only if the world went idle first.
    pub fn deliver(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.busy() {
            if matches!(self.step_job(), Some(Job::Arrive(..))) {
                done += 1;
            }
        }
        done
    }

    /// Jobs run since the world began, by any of the methods above: a driver tells
    /// how far a run went by the difference.
    pub fn jobs_run(&self) -> u64 {
        self.jobs_run
    }

    /// Segments (and datagrams) handed to the network since the world began, in both
    /// directions, including handshakes, ACKs, probes and retransmissions.
    pub fn segments_sent(&self) -> u64 {
        self.next_seg
    }

    /// Runs the first job and says which it was. The first job is live (`settle`), so
    /// it is taken without asking.
    fn step_job(&mut self) -> Option<Job> {
        let next = self.queue.pop()?;
        debug_assert!(self.is_live(&next.job), "the agenda's first job is live");
        self.now = self.now.max(next.at);
        self.jobs_run += 1;
        self.run_job(next.job);
        self.wake();
        self.settle();
        Some(next.job)
    }

    /// Drops cancelled jobs from the front of the agenda, so that its first job is
    /// live again: the last thing done by everything that may cancel one.
    pub(super) fn settle(&mut self) {
        while let Some(s) = self.queue.peek() {
            if self.is_live(&s.job) {
                return;
            }
            self.queue.pop();
        }
    }

    /// The agenda keeps its promise (for `check_invariants`): the first job is live.
    pub(super) fn first_job_is_live(&self) -> bool {
        self.queue.peek().is_none_or(|s| self.is_live(&s.job))
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
