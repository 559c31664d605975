//! Arming and cancelling a structure's timers, and the count of foreground work.

use super::driver::Job;
use super::World;
use crate::ids::SockId;
use crate::socket::Armed;
use crate::time::Micros;
use crate::trace::{Event, TimerKind};

impl World {
    pub(super) fn arm_timer(&mut self, sock: SockId, kind: TimerKind, after: Micros) {
        let at = self.now + after;
        self.order += 1;
        let gen = self.order;
        self.set_timer_slot(sock, kind, Some(Armed { at, gen }));
        self.schedule(at, Job::Timer { sock, kind, gen });
        self.emit(|| Event::TimerSet { sock, kind, at });
    }

    pub(super) fn cancel_timer(&mut self, sock: SockId, kind: TimerKind) {
        self.set_timer_slot(sock, kind, None);
    }

    pub(super) fn timer_armed(&self, sock: SockId, kind: TimerKind) -> bool {
        self.socket(sock)
            .is_some_and(|s| s.timers.get(kind).is_some())
    }

    /// The one place a timer slot changes, so the count of foreground work stays true.
    pub(super) fn set_timer_slot(&mut self, sock: SockId, kind: TimerKind, new: Option<Armed>) {
        let fg = kind.is_foreground();
        let slot = self.sock_mut(sock).timers.slot(kind);
        let was = slot.is_some();
        *slot = new;
        if fg {
            match (was, new.is_some()) {
                (false, true) => self.foreground += 1,
                (true, false) => self.foreground -= 1,
                _ => {}
            }
        }
    }
}
