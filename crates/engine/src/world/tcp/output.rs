//! TCP output: segments, the handshake's SYNs, sending with flow control (MODEL.md §3)
//! and window updates.

use super::Transmission;
use crate::addr::Proto;
use crate::behaviour::{Behaviour, DataAfterClose};
use crate::difference::Difference;
use crate::ids::{HostId, SegId, SockId};
use crate::queue::Run;
use crate::segment::{Flags, Segment};
use crate::socket::Tcb;
use crate::state::TcpState;
use crate::trace::{Cause, TimerKind};
use crate::world::World;

impl World {
    /// Sends a segment of this connection. `runs` is the payload. It counts as a
    /// retransmission when it repeats sequence space already sent.
    pub(in crate::world) fn send_tcp(
        &mut self,
        id: SockId,
        flags: Flags,
        seq: u64,
        runs: Vec<Run>,
    ) {
        let len: u64 = runs.iter().map(|r| r.len).sum();
        let occupies = len > 0 || flags.syn || flags.fin;
        let kind = if occupies && seq < self.sock_mut(id).tcb.snd_max {
            Transmission::Repeat
        } else {
            Transmission::First
        };
        self.send_segment(id, flags, seq, runs, kind);
    }

    pub(super) fn send_segment(
        &mut self,
        id: SockId,
        flags: Flags,
        seq: u64,
        runs: Vec<Run>,
        kind: Transmission,
    ) {
        let window = self.offered_window(id, self.behaviour());
        let s = self.sock_mut(id);
        let len: u64 = runs.iter().map(|r| r.len).sum();
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
            forged: false,
        };
        self.transmit(seg);
    }

    pub(super) fn ack_now(&mut self, id: SockId) {
        let seq = self.sock_mut(id).tcb.snd_nxt;
        self.send_tcp(id, Flags::ACK, seq, Vec::new());
    }

    /// The RST that answers a segment no structure takes (RFC 793's reset generation).
    pub(super) fn reset_for(&mut self, host: HostId, seg: &Segment) {
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
            forged: false,
        });
    }

    /// connect(): CLOSED → SYN_SENT, and the SYN goes out.
    pub(in crate::world) fn open_active(&mut self, id: SockId) {
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
    pub(super) fn send_syn(&mut self, id: SockId, flags: Flags) {
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
    pub(in crate::world) fn tcp_output(&mut self, id: SockId) {
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

    /// The receive window a segment offers in `mode`: RecvQ's free room, except that a
    /// closed end may shut it (`Behaviour::data_after_close`) and a window of 0 stays 0
    /// until `Behaviour::window_reopens_at` bytes are free.
    pub(in crate::world) fn offered_window(&self, id: SockId, mode: Behaviour) -> u64 {
        let s = self.socket(id).expect("live structure");
        let orphan = s.refs == 0 && s.parent.is_none();
        let free = if orphan && mode.data_after_close() == DataAfterClose::ShutWindow {
            0
        } else {
            s.recvq.free()
        };
        let reopen = mode.window_reopens_at(s.recvq.capacity(), self.cfg.mss);
        if s.tcb.last_adv_wnd == 0 && free < reopen {
            0
        } else {
            free
        }
    }

    /// After recv() made room: tell a sender that was held back by a small window.
    pub(in crate::world) fn maybe_window_update(&mut self, id: SockId) {
        let mss = self.cfg.mss;
        let s = self.sock_mut(id);
        let open = matches!(
            s.state,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
        );
        if s.proto != Proto::Tcp || !open || s.tcb.fin_received {
            return;
        }
        let last = s.tcb.last_adv_wnd;
        let mode = self.behaviour();
        let new = self.offered_window(id, mode);
        if last == 0 && (new > 0) != (self.offered_window(id, mode.other()) > 0) {
            let s = self.sock_mut(id);
            let free = s.recvq.free();
            let threshold = Behaviour::Linux.window_reopens_at(s.recvq.capacity(), mss);
            self.other_mode(Some(id), Difference::WindowReopens { free, threshold });
        }
        let s = self.sock_mut(id);
        let step = mss.min(s.recvq.capacity() / 2).max(1);
        if (last == 0 && new > 0) || new >= last.saturating_add(step) {
            self.ack_now(id);
        }
    }
}
