//! The two programs of a transfer, and the loop that interleaves them with the network.
//!
//! Each program has its own CPU clock in nanoseconds (finer than the world's µs, so
//! per-byte costs never round away). A call takes effect when the program issues it;
//! the program is then busy for the call's cost before it can issue the next. Both
//! sockets are non-blocking underneath, so that *this* loop decides when a blocked call
//! wakes up and charges the wake-up; to the programs they are ordinary blocking calls.
//! A call the engine would answer with EAGAIN (SendQ full, RecvQ empty) is not made:
//! it would change nothing measured here, and about half of all calls are such.

use super::{CostModel, ExperimentError, TransferResult, TransferSpec, INITIAL_CWND};
use crate::arith::mul_sat;
use crate::time::{ns_to_us_ceil, us_to_ns, Nanos, NS_PER_SEC};
use crate::{
    Call, CallReply, Endpoint, Errno, Family, Fd, Pid, Proto, RunOutcome, SockId, Value, World,
    WorldConfig,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Acts at this time (ns).
    Ready(Nanos),
    /// Inside a blocked call since this time (ns), until its socket lets it go on.
    Asleep(Nanos),
    /// Finished all its work at this time (ns).
    Done(Nanos),
}

struct Program {
    pid: Pid,
    fd: Fd,
    /// The structure `fd` names. The transfer never closes or dups a descriptor, so
    /// this stays true, and the check after every event needs no descriptor lookup.
    sock: Option<SockId>,
    phase: Phase,
    /// Inside a call: the bytes a send still has to copy; 1 while a recv waits.
    left: u64,
    calls: u64,
    moved: u64,
}

impl Program {
    fn ready_at(&self) -> Option<Nanos> {
        match self.phase {
            Phase::Ready(t) => Some(t),
            _ => None,
        }
    }
}

struct Transfer<'a> {
    w: World,
    spec: &'a TransferSpec,
    overhead_ns: Nanos,
    copy_ns: Nanos,
    sender: Program,
    receiver: Program,
    wakeups: u64,
    events: u64,
}

pub(super) fn run(
    spec: &TransferSpec,
    model: &CostModel,
    max_events: u64,
) -> Result<TransferResult, ExperimentError> {
    let (w, (pa, c), (pb, s)) = connect(spec, model)?;
    let t0 = us_to_ns(w.now());
    let program = |pid, fd| Program {
        pid,
        fd,
        sock: w.socket_of(pid, fd).map(|s| s.id),
        phase: Phase::Ready(t0),
        left: 0,
        calls: 0,
        moved: 0,
    };
    let segments_before = w.segments_sent();
    let (sender, receiver) = (program(pa, c), program(pb, s));
    let mut x = Transfer {
        w,
        spec,
        overhead_ns: us_to_ns(model.call_overhead_us),
        copy_ns: model.copy_ns_per_byte,
        sender,
        receiver,
        wakeups: 0,
        events: 0,
    };
    // Program steps are bounded too, although each one either makes an event or sleeps.
    let mut work = 0u64;
    let max_work = max_events.saturating_mul(2);
    let end = loop {
        if let Phase::Done(t) = x.receiver.phase {
            break t;
        }
        work += 1;
        if x.events >= max_events || work > max_work {
            return Err(ExperimentError::TooManyEvents {
                limit: max_events,
                received: x.receiver.moved,
            });
        }
        // The earliest program; the sender first on a tie, the network before both.
        // A program acts only when no network event is due by its time (rounded up to
        // the clock's µs), so acting just moves the clock: the peek here is the only
        // look at the agenda per iteration.
        let prog = match (x.sender.ready_at(), x.receiver.ready_at()) {
            (Some(s), Some(r)) if r < s => Some((r, 1)),
            (Some(s), _) => Some((s, 0)),
            (None, r) => r.map(|r| (r, 1)),
        };
        match (x.w.poll_timeout(), prog) {
            (Some(e), Some((t, _))) if e <= ns_to_us_ceil(t) => x.step(),
            (Some(_), None) => x.step(),
            (_, Some((t, 0))) => x.act_sender(t)?,
            (_, Some((t, _))) => x.act_receiver(t)?,
            (None, None) => {
                return Err(ExperimentError::Stalled {
                    received: x.receiver.moved,
                })
            }
        }
    };
    let seconds = end.saturating_sub(t0).max(1) as f64 / NS_PER_SEC as f64;
    Ok(TransferResult {
        seconds,
        bytes_per_s: spec.total_bytes as f64 / seconds,
        send_calls: x.sender.calls,
        recv_calls: x.receiver.calls,
        wakeups: x.wakeups,
        segments: x.w.segments_sent() - segments_before,
        events: x.events,
    })
}

impl Transfer<'_> {
    /// One network event (the one `poll_timeout` just found), then wake whoever it
    /// unblocked.
    fn step(&mut self) {
        self.w.step();
        self.events += 1;
        let now = us_to_ns(self.w.now());
        let overhead = self.overhead_ns;
        let sock = |p: &Program| p.sock.and_then(|id| self.w.socket(id));
        let broken = |s: &crate::socket::Socket| s.error.is_some() || !s.state.is_synchronized();
        // Only a sleeping program needs its socket looked at.
        let asleep = |p: &Program| matches!(p.phase, Phase::Asleep(_));
        let can_send = asleep(&self.sender)
            && sock(&self.sender).is_none_or(|s| s.sendq.free() > 0 || broken(s));
        let can_recv = asleep(&self.receiver)
            && sock(&self.receiver)
                .is_none_or(|s| !s.recvq.is_empty() || s.tcb.fin_received || broken(s));
        for (p, go) in [(&mut self.sender, can_send), (&mut self.receiver, can_recv)] {
            if let (Phase::Asleep(since), true) = (p.phase, go) {
                // The context switch back into the program is paid like a call.
                p.phase = Phase::Ready(since.max(now).saturating_add(overhead));
                self.wakeups += 1;
            }
        }
    }

    /// The world's clock to a program's time. A program acts only when no network
    /// event is due by then, so no event runs here: only the clock moves.
    fn clock_to(&mut self, at: Nanos) {
        let moved = self.w.run_until(ns_to_us_ceil(at), 0);
        debug_assert_eq!(moved, RunOutcome::Reached, "nothing was due");
    }

    /// send(send_size), or the rest of a send that was woken: copy what fits.
    fn act_sender(&mut self, at: Nanos) -> Result<(), ExperimentError> {
        self.clock_to(at);
        let p = &mut self.sender;
        let mut cost = 0;
        if p.left == 0 {
            p.left = self.spec.send_size.min(self.spec.total_bytes - p.moved);
            p.calls += 1;
            cost = self.overhead_ns;
        }
        let (pid, fd, len) = (p.pid, p.fd, p.left);
        let k = if p.sock.is_some_and(|s| self.w.send_would_block(s, len)) {
            0
        } else {
            match self.w.call(pid, Call::Send { fd, len }) {
                Ok(CallReply::Returned(Ok(Value::Bytes(k)))) => k,
                Ok(CallReply::Returned(Err(Errno::EAGAIN))) => 0,
                other => return Err(engine("send", other)),
            }
        };
        let p = &mut self.sender;
        p.left -= k;
        p.moved += k;
        let end = at
            .saturating_add(cost)
            .saturating_add(mul_sat(k, self.copy_ns));
        p.phase = match (p.left, k) {
            (0, _) if p.moved == self.spec.total_bytes => Phase::Done(end),
            (0, _) => Phase::Ready(end),
            // Copied some: look again once the copy is done (more room may have come).
            (_, 1..) => Phase::Ready(end),
            (_, 0) => Phase::Asleep(end),
        };
        Ok(())
    }

    /// recv(recv_size): returns what RecvQ holds, or sleeps until something arrives.
    fn act_receiver(&mut self, at: Nanos) -> Result<(), ExperimentError> {
        self.clock_to(at);
        let p = &mut self.receiver;
        let mut cost = 0;
        if p.left == 0 {
            p.left = 1;
            p.calls += 1;
            cost = self.overhead_ns;
        }
        let (pid, fd, len) = (p.pid, p.fd, self.spec.recv_size);
        let k = if p.sock.is_some_and(|s| self.w.recv_would_block(s, len)) {
            0
        } else {
            match self.w.call(pid, Call::Recv { fd, len }) {
                Ok(CallReply::Returned(Ok(Value::Bytes(0)))) => {
                    return Err(ExperimentError::Engine(
                        "the connection ended before every byte arrived".into(),
                    ))
                }
                Ok(CallReply::Returned(Ok(Value::Bytes(k)))) => k,
                Ok(CallReply::Returned(Err(Errno::EAGAIN))) => 0,
                other => return Err(engine("recv", other)),
            }
        };
        let p = &mut self.receiver;
        let end = at
            .saturating_add(cost)
            .saturating_add(mul_sat(k, self.copy_ns));
        if k == 0 {
            p.phase = Phase::Asleep(end);
            return Ok(());
        }
        p.left = 0;
        p.moved += k;
        p.phase = if p.moved >= self.spec.total_bytes {
            Phase::Done(end)
        } else {
            Phase::Ready(end)
        };
        Ok(())
    }
}

/// The connection could not be set up: with sane parameters this does not happen, but
/// a link of a few bytes per second or an enormous delay outlasts the SYN timers.
fn setup_failed(why: String) -> ExperimentError {
    ExperimentError::Engine(format!(
        "{why}; is the link too slow or the round trip too long for a handshake?"
    ))
}

fn engine(what: &str, reply: impl std::fmt::Debug) -> ExperimentError {
    ExperimentError::Engine(format!("{what} answered {reply:?}"))
}

type Side = (Pid, Fd);

/// A fresh world with one established connection; both descriptors non-blocking.
fn connect(spec: &TransferSpec, model: &CostModel) -> Result<(World, Side, Side), ExperimentError> {
    let half = model.rtt_us / 2;
    let mut w = World::new(WorldConfig {
        mss: model.mss,
        initial_cwnd: INITIAL_CWND,
        byte_counting: true,
        delay_us: half,
        link_rate: Some(model.link_bytes_per_s),
        sndbuf: spec.sndbuf,
        rcvbuf: spec.rcvbuf,
        trace: false,
        ..WorldConfig::default()
    });
    let fail = |e: crate::WorldError| ExperimentError::Engine(e.to_string());
    let (ip_a, ip_b) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
    let a = w.add_host("sender", &[IpAddr::V4(ip_a)]).map_err(fail)?;
    let b = w.add_host("receiver", &[IpAddr::V4(ip_b)]).map_err(fail)?;
    // An odd round trip keeps its last µs on the way back.
    w.set_path(b, a, model.rtt_us - half, 0.0);
    let pa = w.spawn(a, "sender").map_err(fail)?;
    let pb = w.spawn(b, "receiver").map_err(fail)?;
    let tcp = Call::Socket {
        proto: Proto::Tcp,
        family: Family::V4,
    };
    let l = descriptor(ok(&mut w, pb, tcp.clone())?)?;
    let port = Endpoint::new(None, Some(5001));
    ok(&mut w, pb, Call::Bind { fd: l, addr: port })?;
    ok(&mut w, pb, Call::Listen { fd: l, backlog: 1 })?;
    let c = descriptor(ok(&mut w, pa, tcp)?)?;
    let to = SocketAddr::new(IpAddr::V4(ip_b), 5001);
    let reply = w.call(pa, Call::Connect { fd: c, addr: to });
    if reply != Ok(CallReply::Blocked) {
        return Err(engine("connect", reply));
    }
    w.run_until_idle(10_000);
    let connected = w.process(pa).and_then(|p| p.last.clone());
    ok(&mut w, pb, Call::SetNonBlocking { fd: l, on: true })?;
    let accepted = w.call(pb, Call::Accept { fd: l });
    let s = match (connected, accepted) {
        (Some((_, Ok(Value::Zero))), Ok(CallReply::Returned(Ok(Value::Accepted { fd, .. })))) => fd,
        (Some((_, Err(e))), _) => return Err(setup_failed(format!("connect() failed with {e}"))),
        _ => return Err(setup_failed("the handshake did not complete".into())),
    };
    for (pid, fd) in [(pa, c), (pb, s)] {
        ok(&mut w, pid, Call::SetNonBlocking { fd, on: true })?;
    }
    Ok((w, (pa, c), (pb, s)))
}

/// The descriptor socket() returned.
fn descriptor(v: Value) -> Result<Fd, ExperimentError> {
    v.fd().ok_or_else(|| engine("socket", v))
}

fn ok(w: &mut World, pid: Pid, call: Call) -> Result<Value, ExperimentError> {
    match w.call(pid, call.clone()) {
        Ok(CallReply::Returned(Ok(v))) => Ok(v),
        other => Err(engine(call.name(), other)),
    }
}
