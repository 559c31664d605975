//! TCP timers: the retransmission timeout, giving up, and zero-window probes.

use super::Transmission;
use crate::arith::mul_sat;
use crate::errno::Errno;
use crate::ids::SockId;
use crate::ledger::Loss;
use crate::network::{serialization_ns, Path, HEADER_BYTES};
use crate::segment::Flags;
use crate::state::TcpState;
use crate::time::{ns_to_us_ceil, Micros};
use crate::trace::{Cause, TimerKind};
use crate::world::World;

impl World {
    /// Retransmission timeout for data: a simplified estimator that knows the
    /// configured round-trip time instead of measuring it (see model.md). On a
    /// rate-limited link an ACK can also be late by the queue and by serializing a
    /// full SendQ (everything unacknowledged sits there), so both are added: a slow
    /// link must not look like a lossy one.
    pub(super) fn data_rto(&self, id: SockId) -> Micros {
        let s = self.socket(id).expect("live structure");
        let peer = s
            .remote
            .ip
            .and_then(|ip| self.owner_of(ip))
            .unwrap_or(s.host);
        let (out, back) = (
            self.net.paths.get(&(s.host, peer)),
            self.net.paths.get(&(peer, s.host)),
        );
        let delay = |p: Option<&Path>| p.map_or(self.cfg.delay_us, |p| p.delay_us);
        let mut rto = mul_sat(delay(out).saturating_add(delay(back)), 2);
        let rate = out.map_or(self.cfg.link_rate, |p| p.rate);
        if let Some(rate) = rate.filter(|&r| r > 0) {
            let cap = s.sendq.capacity();
            let segments = cap.div_ceil(self.cfg.mss);
            let wire = cap.saturating_add(mul_sat(segments, HEADER_BYTES));
            rto = rto.saturating_add(ns_to_us_ceil(serialization_ns(wire, rate)));
        }
        for p in [out, back].into_iter().flatten() {
            rto = rto.saturating_add(p.backlog_us(self.now));
        }
        rto.max(self.cfg.min_rto_us).min(self.cfg.max_rto_us)
    }

    pub(super) fn ensure_retransmit_timer(&mut self, id: SockId) {
        if !self.timer_armed(id, TimerKind::Retransmit) {
            let rto = self.sock_mut(id).tcb.rto_us;
            self.arm_timer(id, TimerKind::Retransmit, rto);
        }
    }

    pub(in crate::world) fn timer_fired(&mut self, id: SockId, kind: TimerKind) {
        let cause = Cause::Timer(kind);
        match kind {
            TimerKind::Retransmit => self.retransmit_timeout(id),
            TimerKind::Persist => self.probe_window(id),
            TimerKind::TimeWait => {
                self.set_state(id, TcpState::Closed, cause);
                self.maybe_free(id);
            }
            // The blocked close() sees the timer gone and returns (`poll_linger`).
            TimerKind::Linger => {}
        }
    }

    fn retransmit_timeout(&mut self, id: SockId) {
        let (max_rto, mss) = (self.cfg.max_rto_us, self.cfg.mss);
        let limit = match self.sock_mut(id).state {
            TcpState::SynSent => self.cfg.syn_retries,
            TcpState::SynRcvd => self.cfg.synack_retries,
            _ => self.cfg.data_retries,
        };
        let s = self.sock_mut(id);
        s.tcb.retries += 1;
        s.tcb.rto_us = (s.tcb.rto_us * 2).min(max_rto);
        let give_up = s.tcb.retries > limit;
        if give_up {
            return self.give_up(id);
        }
        match s.state {
            TcpState::SynSent => self.send_syn(id, Flags::SYN),
            TcpState::SynRcvd => self.send_syn(id, Flags::SYN_ACK),
            _ if s.tcb.snd_una == s.tcb.snd_max => {}
            _ => {
                // Go back N: everything unacknowledged is sent again, and slow start
                // begins anew.
                s.tcb.snd_nxt = s.tcb.snd_una;
                s.tcb.cwnd = mss;
                self.tcp_output(id);
            }
        }
    }

    /// Retransmissions ran out: connect() fails, an incomplete structure is deleted,
    /// a connection is aborted. All with ETIMEDOUT.
    fn give_up(&mut self, id: SockId) {
        let s = self.sock_mut(id);
        if s.state == TcpState::SynRcvd && s.parent.is_some() {
            return self.free_socket(id);
        }
        if s.refs > 0 {
            s.error = Some(Errno::ETIMEDOUT);
        }
        let lost = s.sendq.clear();
        s.ledger.out.lost.add(Loss::TimedOut, lost);
        let opening = s.state == TcpState::SynSent;
        self.cancel_timer(id, TimerKind::Persist);
        self.set_state(id, TcpState::Closed, Cause::Timer(TimerKind::Retransmit));
        if opening {
            self.forget_peer(id);
        }
        self.maybe_free(id);
    }

    /// The peer's window is 0 and data waits: send one byte past the window to learn
    /// whether a window update was lost.
    fn probe_window(&mut self, id: SockId) {
        let (max, limit) = (self.cfg.max_rto_us, self.cfg.data_retries);
        let s = self.sock_mut(id);
        let t = &s.tcb;
        if s.unsent() == 0 || t.snd_wnd > 0 || t.snd_nxt != t.snd_una {
            return;
        }
        // A peer that answers keeps a shut window open forever; one that never answers
        // (it crashed) is given up like unacknowledged data.
        if t.unanswered_probes >= limit {
            return self.give_up(id);
        }
        s.tcb.unanswered_probes += 1;
        let t = &s.tcb;
        let (seq, runs) = (t.snd_nxt, s.sendq.peek(0, 1));
        self.send_segment(id, Flags::ACK, seq, runs, Transmission::Probe);
        let t = &mut self.sock_mut(id).tcb;
        t.persist_us = (t.persist_us * 2).min(max);
        let after = t.persist_us;
        self.arm_timer(id, TimerKind::Persist, after);
    }
}
