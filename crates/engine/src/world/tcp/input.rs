//! TCP input: an arriving segment, by the state of the structure it belongs to.

use super::MAX_CWND;
use crate::addr::{Endpoint, Proto};
use crate::behaviour::{Behaviour, DataAfterClose, OutOfOrder, RstVerdict};
use crate::difference::Difference;
use crate::errno::Errno;
use crate::ids::{HostId, SockId};
use crate::ledger::Loss;
use crate::queue::prefix_iter;
use crate::segment::{Flags, Segment};
use crate::socket::Tcb;
use crate::state::TcpState;
use crate::trace::{Cause, DemuxOutcome, DiscardReason, Event, TimerKind};
use crate::world::World;

impl World {
    pub(in crate::world) fn tcp_arrive(&mut self, host: HostId, seg: Segment) {
        let (winner, mut record) = if self.cfg.trace {
            let (w, r) = self.demux(host, &seg);
            (w, Some(r))
        } else {
            (self.demux_arriving(host, &seg), None)
        };
        if let Some(s) = winner.filter(|_| seg.forged) {
            self.sock_mut(s).ledger.forged_at = true;
        }
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
        let mode = self.behaviour();
        let parent = self.socket(id).expect("live structure");
        let l = parent
            .listener
            .as_ref()
            .expect("a LISTEN structure has lists");
        let (backlog, waiting) = (l.backlog, l.ready.len() as u64);
        let syn_list_full = l.incomplete.len() >= backlog.max(1) as usize;
        let full = |m: Behaviour| waiting >= m.accept_queue_holds(backlog);
        if !syn_list_full && full(mode) != full(mode.other()) {
            self.other_mode(Some(id), Difference::AcceptQueue { backlog, waiting });
        }
        if full(mode) || syn_list_full {
            return self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason: DiscardReason::BacklogFull,
            });
        }
        let parent = self.socket(id).expect("live structure");
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
            return self.rst_input(id, seg, cause);
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
            if !self.data_input(id, seg) {
                return;
            }
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
        // While the window is shut, a probe may carry one byte past snd_max: if SendQ
        // holds that byte. An ACK for anything else was never sent (a forged segment
        // can make the peer acknowledge a FIN or bytes nobody sent).
        let probe_byte = s.sendq.len() > s.tcb.snd_max.saturating_sub(s.tcb.snd_una);
        let t = &mut s.tcb;
        t.unanswered_probes = 0;
        let limit = t.snd_max + (t.snd_wnd == 0 && probe_byte) as u64;
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
            s.ledger.out.acked += n;
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
    /// (the sender will retransmit it). Returns false when the bytes ended the
    /// connection (Linux mode: data for a closed socket).
    fn data_input(&mut self, id: SockId, seg: &Segment) -> bool {
        let s = self.sock_mut(id);
        let open = matches!(
            s.state,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
        );
        let closing = matches!(s.state, TcpState::FinWait1 | TcpState::FinWait2);
        let beyond = open && seg.seq > s.tcb.rcv_nxt && !(closing && s.read_shut);
        if beyond && self.behaviour().out_of_order() == OutOfOrder::Keep {
            self.hold_out_of_order(id, seg);
            return true;
        }
        let s = self.sock_mut(id);
        if !open || seg.seq != s.tcb.rcv_nxt {
            let reason = if open {
                DiscardReason::OutOfOrder
            } else {
                DiscardReason::NotAccepting
            };
            self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason,
            });
            return true;
        }
        if closing && s.read_shut && seg.len > 0 {
            if !seg.probe && !seg.retransmission {
                let bytes = seg.len;
                self.other_mode(Some(id), Difference::DataAfterClose { bytes });
            }
            if self.behaviour().data_after_close() == DataAfterClose::Reset {
                let host = self.sock_mut(id).host;
                self.reset_for(host, seg);
                self.reset_input(id, Cause::of(seg));
                return false;
            }
        }
        let keep = self.behaviour().shut_read_keeps_bytes();
        let s = self.sock_mut(id);
        // After shutdown(SHUT_RD) bytes are acknowledged and dropped (textbook).
        let discard = s.read_shut && s.refs > 0 && !keep;
        let room = if discard {
            u64::MAX
        } else {
            self.offered_window(id, self.behaviour())
        };
        let s = self.sock_mut(id);
        let take = seg.len.min(room);
        if take > 0 {
            if !discard {
                for r in prefix_iter(&seg.runs, take) {
                    s.recvq.push(r);
                }
            } else {
                s.ledger.inc.lost.add(Loss::ShutRead, take);
            }
            s.tcb.rcv_nxt += take;
            s.ledger.inc.took(take, seg.forged);
            if !s.out_of_order.is_empty() {
                self.fill_gap(id);
            }
        }
        if take < seg.len {
            self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason: DiscardReason::WindowFull,
            });
        }
        true
    }

    fn fin_input(&mut self, id: SockId, seg: &Segment, cause: Cause) {
        let s = self.sock_mut(id);
        let fin_at = seg.seq + seg.len;
        if s.tcb.fin_received {
            if s.state == TcpState::TimeWait && fin_at + 1 == s.tcb.rcv_nxt {
                // The peer repeats its FIN: our ACK was lost. TIME_WAIT starts again.
                let tw = self.behaviour().time_wait(self.cfg.time_wait_us);
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
        let tw = self.behaviour().time_wait(self.cfg.time_wait_us);
        self.arm_timer(id, TimerKind::TimeWait, tw);
    }

    /// An RST for a synchronized connection is believed only with a plausible sequence
    /// number (`Behaviour::rst_verdict`): anything else may be an old duplicate or a
    /// forgery that guessed the addresses but not the numbers.
    fn rst_input(&mut self, id: SockId, seg: &Segment, cause: Cause) {
        let s = self.sock_mut(id);
        let (nxt, wnd) = (s.tcb.rcv_nxt, s.receive_window());
        let mode = self.behaviour();
        let verdict = mode.rst_verdict(seg.seq, nxt, wnd);
        if verdict != mode.other().rst_verdict(seg.seq, nxt, wnd) {
            let off = seg.seq - nxt;
            self.other_mode(Some(id), Difference::RstNotExact { off });
        }
        match verdict {
            RstVerdict::Reset => self.reset_input(id, cause),
            RstVerdict::ChallengeAck => self.ack_now(id),
            RstVerdict::Ignore => self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason: DiscardReason::RstOutOfWindow,
            }),
        }
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
        if s.state == TcpState::CloseWait && s.refs > 0 {
            self.other_mode(Some(id), Difference::ResetInCloseWait);
        }
        let error = self.behaviour().error_after_reset(self.sock_mut(id).state);
        let s = self.sock_mut(id);
        if s.refs > 0 {
            s.error = Some(error);
        }
        let (out, inc) = (s.sendq.clear(), s.recvq.clear());
        s.out_of_order.clear();
        s.ledger.out.lost.add(Loss::Reset, out);
        s.ledger.inc.lost.add(Loss::Reset, inc);
        self.cancel_timer(id, TimerKind::Retransmit);
        self.cancel_timer(id, TimerKind::Persist);
        self.set_state(id, TcpState::Closed, cause);
        if self.sock_mut(id).parent.is_some() {
            return self.free_socket(id);
        }
        self.maybe_free(id);
    }
}
