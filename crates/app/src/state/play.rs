//! Time in the app: play (the clock follows real time, scaled by the speed), step one
//! event, run until idle, step back, and replay to an earlier moment.

use super::{State, AUTOPLAY_PAUSE_MS, REDUCED_MOTION_STEP_MS, VIRTUAL_US_PER_MS};
use crate::session::{Input, Moment};
use sockscope_engine::{Micros, MS};
use sockscope_scenario::NetCmd;

/// During play, a quiet stretch (nothing on the wire) that would end more than this
/// after the frame's time is skipped: the clock jumps to the next timer.
const QUIET_SKIP: Micros = 20 * MS;

impl State {
    fn paused(self) -> Self {
        State {
            playing: false,
            ..self
        }
    }

    /// Runs the next event, or says that nothing is scheduled.
    pub(super) fn step(self) -> Self {
        let s = self.paused();
        if s.session.borrow().world().poll_timeout().is_none() {
            State {
                notice: Some("Nothing is scheduled: the network is quiet.".into()),
                ..s
            }
        } else {
            s.with_session(|x| x.net(NetCmd::Step(1)))
        }
    }

    pub(super) fn run_idle(self) -> Self {
        self.paused().with_session(|x| x.net(NetCmd::Run(None)))
    }

    /// Undoes the last input, or says that this is the start.
    pub(super) fn step_back(self) -> Self {
        let moved = self.session.borrow_mut().step_back();
        let notice =
            (!moved).then(|| "This is the start: there is nothing to step back to.".to_string());
        State {
            notice,
            ..self.paused()
        }
        .refreshed()
    }

    /// Replays the first `n` inputs.
    pub(super) fn seek(self, n: usize) -> Self {
        self.session.borrow_mut().rewind_to(n);
        self.paused().refreshed()
    }

    /// Replays to the moment just after trace event `n`.
    pub(super) fn seek_event(self, n: u64) -> Self {
        self.session.borrow_mut().seek_event(n);
        self.paused().refreshed()
    }

    /// Replays to the moment just after a statement ran.
    pub(super) fn seek_moment(self, moment: Moment) -> Self {
        self.session.borrow_mut().seek_moment(moment);
        self.paused().refreshed()
    }

    /// Plays if something can move (or autoplay has a tour step to take).
    pub(super) fn play(self) -> Self {
        let busy = self.session.borrow().world().busy() || (self.autoplay && self.tour_has_next());
        let notice = (!busy)
            .then(|| "The network is quiet: issue a call, or step to the next timer.".to_string());
        State {
            playing: busy,
            notice,
            ..self
        }
    }

    pub(super) fn pause(self) -> Self {
        self.paused()
    }

    /// One animation frame of play: the clock moves by `real_ms` scaled by the speed,
    /// running every event that falls before it. A quiet stretch (nothing on the wire)
    /// is skipped, and play stops when nothing more can happen by itself.
    pub(super) fn tick(mut self, real_ms: f64) -> Self {
        if !self.playing {
            return self;
        }
        let (busy, now, next, on_wire) = {
            let s = self.session.borrow();
            let w = s.world();
            let on_wire = w.in_flight().next().is_some();
            (w.busy(), w.now(), w.poll_timeout(), on_wire)
        };
        if !busy {
            if self.autoplay && self.tour_has_next() && !self.question_pending() {
                // Let the learner read the narration before the next step.
                self.quiet_ms += real_ms;
                if self.quiet_ms >= AUTOPLAY_PAUSE_MS {
                    self.quiet_ms = 0.0;
                    let mode = self.tour_mode();
                    return self.with_session(|x| x.apply(Input::ScenarioStep(mode)));
                }
                return self;
            }
            self.playing = false;
            return self.refreshed();
        }
        if self.reduced_motion {
            self.quiet_ms += real_ms * self.speed;
            if self.quiet_ms < REDUCED_MOTION_STEP_MS {
                return self;
            }
            self.quiet_ms = 0.0;
            return self.with_session(|x| x.net(NetCmd::Step(1)));
        }
        self.quiet_ms = 0.0;
        let mut target = now + (real_ms.max(0.0) * VIRTUAL_US_PER_MS * self.speed) as Micros;
        self.skipped = None;
        if let Some(next) = next {
            if !on_wire && next > target + QUIET_SKIP {
                self.skipped = Some(next - now);
                target = next;
            }
        }
        self.session.borrow_mut().play_until(target);
        self.refreshed()
    }
}
