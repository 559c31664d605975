//! TCP: the state machine (MODEL.md §5), sending with flow control (§3), and its timers.

use super::World;
use crate::addr::{Endpoint, Proto};
use crate::arith::mul_sat;
use crate::errno::Errno;
use crate::ids::{HostId, SegId, SockId};
use crate::network::{serialization_ns, Path, HEADER_BYTES};
use crate::queue::{prefix_iter, Run};
use crate::segment::{Flags, Segment};
use crate::socket::Tcb;
use crate::state::TcpState;
use crate::time::{ns_to_us_ceil, Micros};
use crate::trace::{Cause, DemuxOutcome, DiscardReason, Event, TimerKind};

/// Slow start stops growing the congestion window here (4 GiB): beyond any buffer a
/// world can have, and far from overflowing the arithmetic on it.
const MAX_CWND: u64 = 1 << 32;

/// What a segment is to its connection, as the trace marks it (`Segment::probe`,
/// `Segment::retransmission`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Transmission {
    /// New sequence space, or none (a bare ACK).
    First,
    /// Sequence space sent before, sent again.
    Repeat,
    /// A zero-window probe: one byte past a shut window, not a retransmission.
    Probe,
}

impl World {
    pub(super) fn set_state(&mut self, id: SockId, to: TcpState, cause: Cause) {
        let s = self.sock_mut(id);
        let from = s.state;
        if from == to {
            return;
        }
        s.state = to;
        if to.is_synchronized() {
            s.was_connected = true;
        }
        self.emit(|| Event::StateChanged {
            sock: id,
            from,
            to,
            cause,
        });
    }

    /// A structure nobody refers to any more, whose connection is over, is deleted.
    fn maybe_free(&mut self, id: SockId) {
        let s = self.sock_mut(id);
        if s.state == TcpState::Closed && s.refs == 0 {
            self.free_socket(id);
        }
    }

    /// Retransmission timeout for data: a simplified estimator that knows the
    /// configured round-trip time instead of measuring it (see model.md). On a
    /// rate-limited link an ACK can also be late by the queue and by serializing a
    /// full SendQ (everything unacknowledged sits there), so both are added: a slow
    /// link must not look like a lossy one.
    fn data_rto(&self, id: SockId) -> Micros {
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

    fn initial_cwnd(&self) -> u64 {
        // Saturating: an absurd MSS from a user's setting must not overflow.
        self.cfg.initial_cwnd.saturating_mul(self.cfg.mss)
    }

    /// Sends a segment of this connection. `runs` is the payload. It counts as a
    /// retransmission when it repeats sequence space already sent.
    pub(super) fn send_tcp(&mut self, id: SockId, flags: Flags, seq: u64, runs: Vec<Run>) {
        let len: u64 = runs.iter().map(|r| r.len).sum();
        let occupies = len > 0 || flags.syn || flags.fin;
        let kind = if occupies && seq < self.sock_mut(id).tcb.snd_max {
            Transmission::Repeat
        } else {
            Transmission::First
        };
        self.send_segment(id, flags, seq, runs, kind);
    }

    fn send_segment(
        &mut self,
        id: SockId,
        flags: Flags,
        seq: u64,
        runs: Vec<Run>,
        kind: Transmission,
    ) {
        let s = self.sock_mut(id);
        let len: u64 = runs.iter().map(|r| r.len).sum();
        let window = s.receive_window();
        s.tcb.last_adv_wnd = window;
        let seg = Segment {
            id: SegId(0),
            proto: Proto::Tcp,
            src: s.local_addr().expect("a connection has both ends"),
            dst: s.remote_addr().expect("a connection has both ends"),
            from_host: s.host,
            to_host: None,
            flags,
            seq,
            ack: if flags.ack { s.tcb.rcv_nxt } else { 0 },
            window,
            len,
            runs,
            probe: kind == Transmission::Probe,
            retransmission: kind == Transmission::Repeat,
        };
        self.transmit(seg);
    }

    fn ack_now(&mut self, id: SockId) {
        let seq = self.sock_mut(id).tcb.snd_nxt;
        self.send_tcp(id, Flags::ACK, seq, Vec::new());
    }

    /// The RST that answers a segment no structure takes (RFC 793's reset generation).
    fn reset_for(&mut self, host: HostId, seg: &Segment) {
        if seg.flags.rst {
            return;
        }
        let (flags, seq, ack) = if seg.flags.ack {
            (Flags::RST, seg.ack, 0)
        } else {
            let ack = seg.seq + seg.len + seg.flags.syn as u64 + seg.flags.fin as u64;
            (Flags::RST_ACK, 0, ack)
        };
        self.transmit(Segment {
            id: SegId(0),
            proto: Proto::Tcp,
            src: seg.dst,
            dst: seg.src,
            from_host: host,
            to_host: None,
            flags,
            seq,
            ack,
            window: 0,
            len: 0,
            runs: Vec::new(),
            probe: false,
            retransmission: false,
        });
    }

    fn ensure_retransmit_timer(&mut self, id: SockId) {
        if !self.timer_armed(id, TimerKind::Retransmit) {
            let rto = self.sock_mut(id).tcb.rto_us;
            self.arm_timer(id, TimerKind::Retransmit, rto);
        }
    }

    /// connect(): CLOSED → SYN_SENT, and the SYN goes out.
    pub(super) fn open_active(&mut self, id: SockId) {
        let iss = self.rng.next_iss();
        let rto = self.cfg.initial_rto_us;
        let cwnd = self.initial_cwnd();
        let s = self.sock_mut(id);
        s.error = None;
        s.tcb = Tcb {
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            cwnd,
            rto_us: rto,
            ..Tcb::default()
        };
        self.set_state(id, TcpState::SynSent, Cause::Call("connect".into()));
        self.send_syn(id, Flags::SYN);
    }

    /// Sends (or resends) our SYN or SYN+ACK, which is sequence number `iss`. Only a
    /// resend after a timeout counts as a retransmission: the SYN+ACK of a
    /// simultaneous open is a new segment, although it repeats the SYN's number.
    fn send_syn(&mut self, id: SockId, flags: Flags) {
        let t = &self.sock_mut(id).tcb;
        let (iss, again) = (t.iss, t.retries > 0);
        let kind = if again {
            Transmission::Repeat
        } else {
            Transmission::First
        };
        self.send_segment(id, flags, iss, Vec::new(), kind);
        let t = &mut self.sock_mut(id).tcb;
        t.snd_nxt = iss + 1;
        t.snd_max = t.snd_max.max(iss + 1);
        self.ensure_retransmit_timer(id);
    }

    /// A transmission opportunity: as many segments as SendQ, the MSS and the peer's
    /// window allow, then the FIN once SendQ is all sent.
    pub(super) fn tcp_output(&mut self, id: SockId) {
        let Some(s) = self.socket(id) else { return };
        use TcpState::*;
        if !matches!(
            s.state,
            Established | CloseWait | FinWait1 | Closing | LastAck
        ) {
            return;
        }
        // Nothing to send, no FIN to come, no window to probe: the usual case at a
        // receiver, which gets here after every segment.
        if s.unsent() == 0 && !s.tcb.fin_queued {
            return;
        }
        let mss = self.cfg.mss;
        loop {
            let s = self.socket(id).expect("live structure");
            let t = &s.tcb;
            let usable =
                (t.snd_una.saturating_add(t.snd_wnd.min(t.cwnd))).saturating_sub(t.snd_nxt);
            let n = s.unsent().min(usable).min(mss);
            if n == 0 {
                break;
            }
            let (seq, runs) = (t.snd_nxt, s.sendq.peek(t.snd_nxt - t.snd_una, n));
            self.send_tcp(id, Flags::ACK, seq, runs);
            let t = &mut self.sock_mut(id).tcb;
            t.snd_nxt += n;
            t.snd_max = t.snd_max.max(t.snd_nxt);
            self.ensure_retransmit_timer(id);
        }
        let s = self.socket(id).expect("live structure");
        let t = &s.tcb;
        let fin_due = t.fin_queued
            && !t.fin_acked
            && s.unsent() == 0
            && t.fin_seq.is_none_or(|f| f == t.snd_nxt);
        if fin_due {
            let seq = t.snd_nxt;
            self.send_tcp(
                id,
                Flags {
                    fin: true,
                    ..Flags::ACK
                },
                seq,
                Vec::new(),
            );
            let t = &mut self.sock_mut(id).tcb;
            t.fin_seq = Some(seq);
            t.snd_nxt = seq + 1;
            t.snd_max = t.snd_max.max(seq + 1);
            self.ensure_retransmit_timer(id);
        }
        let s = self.socket(id).expect("live structure");
        let stalled = s.unsent() > 0 && s.tcb.snd_wnd == 0 && s.tcb.snd_nxt == s.tcb.snd_una;
        if stalled && !self.timer_armed(id, TimerKind::Persist) {
            let rto = self.data_rto(id);
            let t = &mut self.sock_mut(id).tcb;
            t.persist_us = if t.persist_us == 0 { rto } else { t.persist_us };
            let after = t.persist_us;
            self.arm_timer(id, TimerKind::Persist, after);
        }
    }

    /// After recv() made room: tell a sender that was held back by a small window.
    pub(super) fn maybe_window_update(&mut self, id: SockId) {
        let mss = self.cfg.mss;
        let s = self.sock_mut(id);
        let open = matches!(
            s.state,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
        );
        if s.proto != Proto::Tcp || !open || s.tcb.fin_received {
            return;
        }
        let (new, last) = (s.receive_window(), s.tcb.last_adv_wnd);
        let step = mss.min(s.recvq.capacity() / 2).max(1);
        if (last == 0 && new > 0) || new >= last.saturating_add(step) {
            self.ack_now(id);
        }
    }

    pub(super) fn tcp_arrive(&mut self, host: HostId, seg: Segment) {
        let (winner, mut record) = if self.cfg.trace {
            let (w, r) = self.demux(host, &seg);
            (w, Some(r))
        } else {
            (self.demux_arriving(host, &seg), None)
        };
        let state = winner.and_then(|w| self.socket(w)).map(|s| s.state);
        let outcome = match state {
            Some(st) if st != TcpState::Closed => DemuxOutcome::Delivered,
            _ if seg.flags.rst => DemuxOutcome::Ignored,
            _ => DemuxOutcome::Refused,
        };
        if let Some(mut record) = record.take() {
            record.outcome = outcome;
            self.emit(|| Event::Demux(record));
        }
        match (winner, state) {
            (Some(id), Some(TcpState::Listen)) => self.listen_input(id, host, &seg),
            (Some(id), Some(TcpState::SynSent)) => self.syn_sent_input(id, host, &seg),
            (Some(id), Some(st)) if st != TcpState::Closed => {
                self.synchronized_input(id, host, &seg)
            }
            _ => self.reset_for(host, &seg),
        }
    }

    /// A SYN at a listener creates a new structure in SYN_RCVD (MODEL.md §5).
    fn listen_input(&mut self, id: SockId, host: HostId, seg: &Segment) {
        if seg.flags.rst {
            return;
        }
        if seg.flags.ack {
            return self.reset_for(host, seg);
        }
        if !seg.flags.syn {
            return;
        }
        let parent = self.socket(id).expect("live structure");
        let l = parent
            .listener
            .as_ref()
            .expect("a LISTEN structure has lists");
        let backlog = l.backlog.max(1) as usize;
        if l.ready.len() >= backlog || l.incomplete.len() >= backlog {
            return self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason: DiscardReason::BacklogFull,
            });
        }
        let (family, opts) = (parent.family, parent.opts.clone());
        let (sqs, rqs) = (parent.sendq.capacity(), parent.recvq.capacity());
        let child = self.new_socket(host, Proto::Tcp, family);
        let iss = self.rng.next_iss();
        let rto = self.cfg.initial_rto_us;
        let cwnd = self.initial_cwnd();
        let c = self.sock_mut(child);
        c.sendq.set_capacity(sqs);
        c.recvq.set_capacity(rqs);
        c.opts = opts;
        c.parent = Some(id);
        // The new structure starts as a copy of the listener, so its first transition
        // is the textbook's LISTEN → SYN_RCVD.
        c.state = TcpState::Listen;
        c.tcb = Tcb {
            iss,
            irs: seg.seq,
            rcv_nxt: seg.seq + 1,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: seg.window,
            cwnd,
            rto_us: rto,
            ..Tcb::default()
        };
        self.set_endpoints(child, |c| {
            c.local = Endpoint::exact(seg.dst);
            c.remote = Endpoint::exact(seg.src);
        });
        let l = self
            .sock_mut(id)
            .listener
            .as_mut()
            .expect("still listening");
        l.incomplete.push(child);
        let cause = Cause::of(seg);
        self.set_state(child, TcpState::SynRcvd, cause);
        self.send_syn(child, Flags::SYN_ACK);
    }

    fn syn_sent_input(&mut self, id: SockId, host: HostId, seg: &Segment) {
        let cause = Cause::of(seg);
        let iss = self.sock_mut(id).tcb.iss;
        if seg.flags.ack && seg.ack != iss + 1 {
            return self.reset_for(host, seg);
        }
        if seg.flags.rst {
            if seg.flags.ack {
                self.sock_mut(id).error = Some(Errno::ECONNREFUSED);
                self.cancel_timer(id, TimerKind::Retransmit);
                self.set_state(id, TcpState::Closed, cause);
                self.forget_peer(id);
                self.maybe_free(id);
            }
            return;
        }
        if !seg.flags.syn {
            return;
        }
        let t = &mut self.sock_mut(id).tcb;
        t.irs = seg.seq;
        t.rcv_nxt = seg.seq + 1;
        t.snd_wnd = seg.window;
        if seg.flags.ack {
            t.snd_una = iss + 1;
            t.retries = 0;
            self.cancel_timer(id, TimerKind::Retransmit);
            self.sock_mut(id).tcb.rto_us = self.data_rto(id);
            self.set_state(id, TcpState::Established, cause);
            self.ack_now(id);
            self.tcp_output(id);
        } else {
            // Simultaneous open: both sides sent a SYN.
            self.set_state(id, TcpState::SynRcvd, cause);
            self.send_syn(id, Flags::SYN_ACK);
        }
    }

    fn synchronized_input(&mut self, id: SockId, host: HostId, seg: &Segment) {
        let cause = Cause::of(seg);
        if seg.flags.rst {
            return self.reset_input(id, cause);
        }
        let state = self.sock_mut(id).state;
        // In a simultaneous open, the peer's SYN+ACK repeats the SYN we know and
        // acknowledges ours: it completes the handshake like a plain ACK (RFC 793, fig. 8).
        let crossing =
            state == TcpState::SynRcvd && seg.flags.ack && seg.seq == self.sock_mut(id).tcb.irs;
        if seg.flags.syn && !crossing {
            let t = &self.sock_mut(id).tcb;
            if state == TcpState::SynRcvd && seg.seq == t.irs {
                self.send_syn(id, Flags::SYN_ACK);
            } else {
                // A repeated SYN+ACK means our ACK was lost: acknowledge again.
                self.ack_now(id);
            }
            return;
        }
        if !seg.flags.ack {
            return;
        }
        if state == TcpState::SynRcvd && !self.finish_handshake(id, host, seg, cause.clone()) {
            return;
        }
        if !self.ack_input(id, seg, cause.clone()) {
            return;
        }
        let mut need_ack = false;
        if seg.len > 0 {
            need_ack = true;
            self.data_input(id, seg);
        }
        if seg.flags.fin {
            need_ack = true;
            self.fin_input(id, seg, cause);
        }
        if need_ack && self.socket(id).is_some() {
            self.ack_now(id);
        }
        self.tcp_output(id);
    }

    /// SYN_RCVD → ESTABLISHED on the final ACK; a passive structure moves to the
    /// listener's accept queue. Returns false if the segment was refused.
    fn finish_handshake(&mut self, id: SockId, host: HostId, seg: &Segment, cause: Cause) -> bool {
        let iss = self.sock_mut(id).tcb.iss;
        if seg.ack != iss + 1 {
            self.reset_for(host, seg);
            return false;
        }
        let t = &mut self.sock_mut(id).tcb;
        t.snd_una = iss + 1;
        t.snd_wnd = seg.window;
        t.retries = 0;
        self.cancel_timer(id, TimerKind::Retransmit);
        self.sock_mut(id).tcb.rto_us = self.data_rto(id);
        self.set_state(id, TcpState::Established, cause);
        if let Some(parent) = self.sock_mut(id).parent {
            if let Some(l) = self.sock_mut(parent).listener.as_mut() {
                l.incomplete.retain(|&c| c != id);
                l.ready.push_back(id);
            }
        }
        true
    }

    /// Processes the acknowledgment and window of a segment. Returns false when the
    /// structure is gone (its last ACK arrived).
    fn ack_input(&mut self, id: SockId, seg: &Segment, cause: Cause) -> bool {
        let mss = self.cfg.mss;
        let byte_counting = self.cfg.byte_counting;
        let s = self.sock_mut(id);
        let t = &mut s.tcb;
        t.unanswered_probes = 0;
        // While the window is shut, a probe may carry one byte past snd_max.
        let limit = t.snd_max + (t.snd_wnd == 0) as u64;
        if seg.ack > limit {
            self.ack_now(id);
            return true;
        }
        t.snd_max = t.snd_max.max(seg.ack);
        let mut fin_now_acked = false;
        if seg.ack > t.snd_una {
            let mut n = seg.ack - t.snd_una;
            if let Some(f) = t.fin_seq {
                if seg.ack > f && !t.fin_acked {
                    t.fin_acked = true;
                    fin_now_acked = true;
                    n -= 1;
                }
            }
            t.snd_una = seg.ack;
            t.snd_nxt = t.snd_nxt.max(seg.ack);
            t.retries = 0;
            t.persist_us = 0;
            let grow = if byte_counting { n.min(mss) } else { mss };
            t.cwnd = t.cwnd.saturating_add(grow).min(MAX_CWND);
            s.sendq.discard(n);
            let all_acked = s.tcb.snd_una == s.tcb.snd_max;
            let rto = self.data_rto(id);
            self.sock_mut(id).tcb.rto_us = rto;
            self.cancel_timer(id, TimerKind::Retransmit);
            if !all_acked {
                self.arm_timer(id, TimerKind::Retransmit, rto);
            }
        }
        let s = self.sock_mut(id);
        if seg.ack >= s.tcb.snd_una {
            s.tcb.snd_wnd = seg.window;
            if seg.window > 0 {
                s.tcb.persist_us = 0;
                self.cancel_timer(id, TimerKind::Persist);
            }
        }
        if fin_now_acked {
            match self.sock_mut(id).state {
                TcpState::FinWait1 => self.set_state(id, TcpState::FinWait2, cause),
                TcpState::Closing => self.enter_time_wait(id, cause),
                TcpState::LastAck => {
                    self.set_state(id, TcpState::Closed, cause);
                    self.maybe_free(id);
                    return self.socket(id).is_some();
                }
                _ => {}
            }
        }
        true
    }

    /// In-order bytes go to RecvQ as far as it has room; everything else is discarded
    /// (the sender will retransmit it).
    fn data_input(&mut self, id: SockId, seg: &Segment) {
        let s = self.sock_mut(id);
        let open = matches!(
            s.state,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
        );
        if !open || seg.seq != s.tcb.rcv_nxt {
            let reason = if open {
                DiscardReason::OutOfOrder
            } else {
                DiscardReason::NotAccepting
            };
            return self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason,
            });
        }
        // After shutdown(SHUT_RD) bytes are acknowledged and dropped.
        let discard = s.read_shut && s.refs > 0;
        let room = if discard {
            u64::MAX
        } else {
            s.receive_window()
        };
        let take = seg.len.min(room);
        if take > 0 {
            if !discard {
                for r in prefix_iter(&seg.runs, take) {
                    s.recvq.push(r);
                }
            }
            s.tcb.rcv_nxt += take;
        }
        if take < seg.len {
            self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason: DiscardReason::WindowFull,
            });
        }
    }

    fn fin_input(&mut self, id: SockId, seg: &Segment, cause: Cause) {
        let s = self.sock_mut(id);
        let fin_at = seg.seq + seg.len;
        if s.tcb.fin_received {
            if s.state == TcpState::TimeWait && fin_at + 1 == s.tcb.rcv_nxt {
                // The peer repeats its FIN: our ACK was lost. TIME_WAIT starts again.
                let tw = self.cfg.time_wait_us;
                self.arm_timer(id, TimerKind::TimeWait, tw);
            }
            return;
        }
        if fin_at != s.tcb.rcv_nxt {
            return;
        }
        s.tcb.fin_received = true;
        s.tcb.rcv_nxt += 1;
        let fin_acked = s.tcb.fin_acked;
        match s.state {
            TcpState::Established => self.set_state(id, TcpState::CloseWait, cause),
            TcpState::FinWait1 if fin_acked => self.enter_time_wait(id, cause),
            TcpState::FinWait1 => self.set_state(id, TcpState::Closing, cause),
            TcpState::FinWait2 => self.enter_time_wait(id, cause),
            _ => {}
        }
    }

    fn enter_time_wait(&mut self, id: SockId, cause: Cause) {
        self.set_state(id, TcpState::TimeWait, cause);
        self.cancel_timer(id, TimerKind::Retransmit);
        self.cancel_timer(id, TimerKind::Persist);
        let tw = self.cfg.time_wait_us;
        self.arm_timer(id, TimerKind::TimeWait, tw);
    }

    /// An RST for an existing connection.
    fn reset_input(&mut self, id: SockId, cause: Cause) {
        let s = self.sock_mut(id);
        match s.state {
            // RFC 1337: an RST must not cut TIME_WAIT short.
            TcpState::TimeWait => return,
            TcpState::SynRcvd if s.parent.is_some() => return self.free_socket(id),
            _ => {}
        }
        if s.refs > 0 {
            s.error = Some(Errno::ECONNRESET);
        }
        s.sendq.clear();
        s.recvq.clear();
        self.cancel_timer(id, TimerKind::Retransmit);
        self.cancel_timer(id, TimerKind::Persist);
        self.set_state(id, TcpState::Closed, cause);
        if self.sock_mut(id).parent.is_some() {
            return self.free_socket(id);
        }
        self.maybe_free(id);
    }

    pub(super) fn timer_fired(&mut self, id: SockId, kind: TimerKind) {
        let cause = Cause::Timer(kind);
        match kind {
            TimerKind::Retransmit => self.retransmit_timeout(id),
            TimerKind::Persist => self.probe_window(id),
            TimerKind::TimeWait => {
                self.set_state(id, TcpState::Closed, cause);
                self.maybe_free(id);
            }
            TimerKind::Linger => self.sock_mut(id).error = Some(Errno::ETIMEDOUT),
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
        s.sendq.clear();
        let opening = s.state == TcpState::SynSent;
        self.cancel_timer(id, TimerKind::Persist);
        self.set_state(id, TcpState::Closed, Cause::Timer(TimerKind::Retransmit));
        if opening {
            self.forget_peer(id);
        }
        self.maybe_free(id);
    }

    /// A connect() that failed leaves the structure bound but unconnected, as Linux
    /// does, so the program may call connect() again.
    fn forget_peer(&mut self, id: SockId) {
        if self.socket(id).is_some() {
            self.set_endpoints(id, |s| s.remote = Endpoint::ANY);
        }
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
