//! Plain-language sentences for trace events. Facts come from the engine; the words
//! are ours.

use sockscope_engine::call::{Call, Ret, Value};
use sockscope_engine::segment::Segment;
use sockscope_engine::snapshot::Snapshot;
use sockscope_engine::trace::{
    Cause, DeadlockReport, DemuxOutcome, DemuxRecord, DiscardReason, DropReason, Event, TimerKind,
    ZeroRead,
};
use sockscope_engine::{HostId, Pid, Proto, SockId, TraceEntry};

/// Looks names up in the current snapshot; structures that are gone keep their number.
pub struct Names<'a>(pub &'a Snapshot);

impl Names<'_> {
    pub fn host(&self, id: HostId) -> String {
        self.0
            .hosts
            .iter()
            .find(|h| h.id == id)
            .map_or_else(|| id.to_string(), |h| h.name.clone())
    }

    pub fn process(&self, pid: Pid) -> String {
        self.0.processes.iter().find(|p| p.pid == pid).map_or_else(
            || pid.to_string(),
            |p| {
                let host = self.host(p.host);
                if p.name == host {
                    host
                } else {
                    format!("{} on {host}", p.name)
                }
            },
        )
    }

    /// Why a structure advertises a window of 0, as far as the present shows it.
    pub fn zero_window_reason(&self, local: std::net::SocketAddr) -> &'static str {
        let s = self
            .0
            .sockets
            .iter()
            .find(|s| s.local.socket_addr() == Some(local));
        match s {
            Some(s) if s.descriptors.is_empty() && s.parent.is_none() => {
                ", advertising a window of 0: its program has closed it and will read nothing more"
            }
            Some(s) if s.recvq.len >= s.recvq.capacity => {
                ", advertising a window of 0 because its RecvQ is full"
            }
            _ => ", advertising a window of 0",
        }
    }

    pub fn sock(&self, id: SockId) -> String {
        match self.0.socket(id) {
            Some(s) => format!("structure #{} on {}", id.0, self.host(s.host)),
            None => format!("structure #{}", id.0),
        }
    }
}

fn why_blocked(call: &Call) -> &'static str {
    match call {
        Call::Send { .. } | Call::SendTo { .. } => {
            "SendQ is full, so send() waits until acknowledged bytes make room"
        }
        Call::Recv { .. } | Call::RecvFrom { .. } => {
            "RecvQ is empty, so recv() waits for bytes or the end of the stream"
        }
        Call::Accept { .. } => {
            "the listener's queue of completed connections (its accept queue) is empty"
        }
        Call::Connect { .. } => "connect() waits for the handshake to finish",
        Call::Close { .. } => "SO_LINGER makes close() wait for the closing handshake",
        _ => "it waits",
    }
}

fn returned(v: &Value, zero: Option<ZeroRead>) -> String {
    match zero {
        Some(ZeroRead::EndOfStream) => "0: end of stream, the peer will send nothing more".into(),
        Some(ZeroRead::AskedForZero) => "0: the call asked for 0 bytes".into(),
        Some(ZeroRead::ShutRead) => {
            "0: this socket was shut for reading (shutdown SHUT_RD), so it reads nothing more"
                .into()
        }
        Some(ZeroRead::EmptyDatagram) => {
            "0: the datagram it took was empty (for UDP that ends nothing)".into()
        }
        None => v.to_string(),
    }
}

fn cause(c: &Cause) -> String {
    match c {
        Cause::Call(name) => format!("after {name}()"),
        Cause::Segment { flags, .. } => format!("on receiving {flags}"),
        Cause::Timer(TimerKind::TimeWait) => "because the TIME_WAIT quiet time is over".to_string(),
        Cause::Timer(TimerKind::Retransmit) => "because retransmissions ran out".to_string(),
        Cause::Timer(k) => format!("on a {k:?} timer"),
        Cause::HostCrash => "because its host crashed".to_string(),
    }
}

/// One sentence for an event, or `None` for bookkeeping nobody needs to read.
pub fn describe(e: &TraceEntry, names: &Names) -> Option<String> {
    let text = match &e.event {
        Event::CallIssued { .. } | Event::TimerSet { .. } | Event::SegmentArrived { .. } => {
            return None
        }
        Event::CallBlocked {
            pid,
            call,
            progress,
        } => blocked(names, *pid, call, *progress),
        Event::CallReturned {
            pid,
            call,
            ret,
            zero,
        } => call_returned(names, *pid, call, ret, *zero),
        Event::SocketCreated { sock, host } => format!(
            "{} creates socket structure #{}.",
            names.host(*host),
            sock.0
        ),
        Event::SocketFreed { sock, host } => {
            format!("{} deletes structure #{}.", names.host(*host), sock.0)
        }
        Event::StateChanged {
            sock,
            from,
            to,
            cause: c,
        } => {
            format!("{}: {from} → {to} {}.", names.sock(*sock), cause(c))
        }
        Event::SegmentSent { seg, .. } => sent(names, seg),
        Event::SegmentDropped { seg, reason } => {
            format!("Segment {} is {}.", seg.0, dropped(*reason))
        }
        Event::SegmentHeld { seg, extra_us } => format!(
            "The network holds segment {} back by {}: segments sent after it can overtake it.",
            seg.0,
            sockscope_scenario::units::format_duration(*extra_us)
        ),
        Event::SegmentDuplicated { seg, copy } => format!(
            "The network duplicates segment {}: a copy (segment {}) follows it to the receiver.",
            seg.0, copy.0
        ),
        Event::SegmentDiscarded { seg, sock, reason } => format!(
            "{} discards segment {}: {}.",
            names.sock(*sock),
            seg.0,
            discarded(*reason)
        ),
        Event::Demux(r) => demultiplexed(names, r),
        Event::TimerFired { sock, kind } => timer_fired(names, *sock, *kind)?,
        Event::Deadlock(report) => deadlock(names, report),
        Event::HostCrashed { host } => format!(
            "{} crashes: its structures vanish without a word to the peers.",
            names.host(*host)
        ),
        Event::HostRestarted { host } => {
            format!("{} boots again, with no sockets.", names.host(*host))
        }
        Event::OtherMode {
            now, difference, ..
        } => difference.sentence(*now),
    };
    Some(text)
}

fn blocked(names: &Names, pid: Pid, call: &Call, progress: u64) -> String {
    let done = if progress > 0 {
        format!(" ({progress} bytes copied so far)")
    } else {
        String::new()
    };
    format!(
        "{} blocks in {call}{done}: {}.",
        names.process(pid),
        why_blocked(call)
    )
}

fn call_returned(
    names: &Names,
    pid: Pid,
    call: &Call,
    ret: &Ret,
    zero: Option<ZeroRead>,
) -> String {
    match ret {
        Ok(v) => format!(
            "{}: {call} returned {}.",
            names.process(pid),
            returned(v, zero)
        ),
        Err(e) => format!(
            "{}: {call} failed with {e}: {}.",
            names.process(pid),
            e.explain()
        ),
    }
}

fn sent(names: &Names, seg: &Segment) -> String {
    if seg.forged {
        return format!(
            "A forged {} appears on the wire from {} to {}, as if {} had sent it.",
            seg.label(),
            seg.src,
            seg.dst,
            names.host(seg.from_host)
        );
    }
    let what = if seg.probe {
        "a zero-window probe".to_string()
    } else {
        seg.label()
    };
    let again = if seg.retransmission {
        " again (retransmission)"
    } else {
        ""
    };
    let full = if seg.proto == Proto::Tcp && seg.window == 0 && !seg.flags.rst {
        names.zero_window_reason(seg.src)
    } else {
        ""
    };
    format!(
        "{} sends {what}{again} to {}{full}.",
        names.host(seg.from_host),
        seg.dst
    )
}

fn dropped(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Loss => "lost on the way",
        DropReason::Injected => "dropped on purpose",
        DropReason::HostDown => "lost: its destination has crashed",
        DropReason::NoRoute => "lost: no host has that address",
        DropReason::ReceiveBufferFull => "dropped: the receiver's RecvQ has no room for it",
    }
}

fn discarded(reason: DiscardReason) -> &'static str {
    match reason {
        DiscardReason::BacklogFull => {
            "a SYN, but the listener's backlog is full; the client will send its SYN again later"
        }
        DiscardReason::OutOfOrder => {
            "it does not start at the next byte expected, so the sender will send it again"
        }
        DiscardReason::WindowFull => "RecvQ has no room for its bytes (the window was closed)",
        DiscardReason::RstOutOfWindow => "it is an RST whose sequence number lies outside the receive window, so it cannot be from the peer and is ignored",
        DiscardReason::NotAccepting => "the structure takes no more data in its state",
    }
}

fn demultiplexed(names: &Names, r: &DemuxRecord) -> String {
    match (r.winner, r.outcome) {
        (Some(w), DemuxOutcome::Delivered) => {
            let wild = r
                .candidates
                .iter()
                .find(|c| c.sock == w)
                .map_or(0, |c| c.wildcards);
            format!(
                "{} demultiplexes segment {} from {}: structure #{} matches with {wild} wildcard(s) and wins.",
                names.host(r.host),
                r.seg.map_or(0, |s| s.0),
                r.src,
                w.0
            )
        }
        (_, DemuxOutcome::PortUnreachable) => {
            format!(
                "{}: no UDP structure has port {}; the datagram is thrown away. A real host \
                 also answers with an ICMP port-unreachable message (not drawn here); a \
                 connected sender's next call fails with ECONNREFUSED.",
                names.host(r.host),
                r.dst.port()
            )
        }
        (_, DemuxOutcome::Ignored) => format!(
            "{}: the reset matches no structure and is ignored.",
            names.host(r.host)
        ),
        _ if r.syn => format!(
            "{}: nothing listens on port {}, so it answers with a reset (RST).",
            names.host(r.host),
            r.dst.port()
        ),
        _ => format!(
            "{}: no structure matches this segment (its connection is gone here), so it \
             answers with a reset (RST).",
            names.host(r.host)
        ),
    }
}

/// `None` for TIME_WAIT's end: the state change says it.
fn timer_fired(names: &Names, sock: SockId, kind: TimerKind) -> Option<String> {
    Some(match kind {
        TimerKind::Retransmit => {
            format!("{}: the retransmission timer fires.", names.sock(sock))
        }
        TimerKind::Persist => format!(
            "{}: the peer's window is still 0, so it probes.",
            names.sock(sock)
        ),
        TimerKind::TimeWait => return None,
        TimerKind::Linger => format!("{}: the SO_LINGER time is up.", names.sock(sock)),
    })
}

fn deadlock(names: &Names, report: &DeadlockReport) -> String {
    let who: Vec<String> = report
        .blocked
        .iter()
        .map(|b| format!("{} in {}", names.process(b.pid), b.call))
        .collect();
    format!(
        "Deadlock: {} wait for each other and nothing can move.",
        who.join(" and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockscope_scenario::{parse, Runner};

    /// Every sentence the narration gives for the trace of `text`.
    fn sentences(text: &str) -> Vec<String> {
        let mut runner = Runner::new(&parse(text).unwrap());
        runner.run_to_end();
        assert!(runner.report().ok(), "{}", runner.report().text());
        let snapshot = runner.world().snapshot();
        let names = Names(&snapshot);
        runner
            .world()
            .trace()
            .iter()
            .filter_map(|e| describe(e, &names))
            .collect()
    }

    fn said(all: &[String], part: &str) -> usize {
        all.iter().filter(|s| s.contains(part)).count()
    }

    const PAIR: &str = "host A 10.0.0.1\nhost B 10.0.0.2\n\
        B: l = socket(TCP); bind(l, *:9); listen(l, 5)\n\
        A: c = socket(TCP); connect(c, 10.0.0.2:9)\n\
        B: s = accept(l)\n";

    #[test]
    fn a_blocked_accept_names_the_empty_accept_queue_even_after_an_earlier_accept() {
        let all = sentences(&format!("{PAIR}B: s2 = accept(l) &\nexpect blocked B\n"));
        assert_eq!(said(&all, "accept queue) is empty"), 2, "{all:#?}");
        assert_eq!(said(&all, "finished its handshake"), 0);
    }

    #[test]
    fn only_the_peers_fin_is_narrated_as_the_end_of_the_stream() {
        let all = sentences(&format!(
            "{PAIR}expect B: recv(s, 0) == 0\n\
             expect A: shutdown(c, SHUT_RD) == 0\nexpect A: recv(c, 10) == 0\n\
             A: close(c)\nnet: run\nexpect B: recv(s, 10) == 0\n"
        ));
        assert_eq!(said(&all, "asked for 0 bytes"), 1, "{all:#?}");
        assert_eq!(said(&all, "shut for reading"), 1, "{all:#?}");
        assert_eq!(said(&all, "end of stream"), 1, "{all:#?}");
    }

    #[test]
    fn an_empty_datagram_is_not_an_end_of_stream() {
        let all = sentences(
            "host A 10.0.0.1\nhost B 10.0.0.2\nB: r = socket(UDP); bind(r, *:53)\n\
             A: u = socket(UDP); sendto(u, 0, 10.0.0.2:53)\nnet: run\n\
             expect B: recv(r, 100) == 0\n",
        );
        assert_eq!(said(&all, "datagram it took was empty"), 1, "{all:#?}");
        assert_eq!(said(&all, "end of stream"), 0, "{all:#?}");
    }

    #[test]
    fn a_syn_dropped_at_a_full_backlog_says_so() {
        let all = sentences(
            "host A 10.0.0.1\nhost B 10.0.0.2\nB: l = socket(TCP); bind(l, *:9); listen(l, 1)\n\
             A: c = socket(TCP); connect(c, 10.0.0.2:9)\nnet: run\n\
             A: d = socket(TCP); connect(d, 10.0.0.2:9) &\nnet: deliver 1\n",
        );
        assert_eq!(said(&all, "backlog is full"), 1, "{all:#?}");
        assert_eq!(said(&all, "out of order"), 0, "{all:#?}");
    }

    #[test]
    fn a_stale_segment_is_not_said_to_find_nobody_listening() {
        let all = sentences(&format!(
            "{PAIR}net: crash B; restart B\nA: send(c, 10)\nnet: run\n\
             A: x = socket(TCP)\nexpect A: connect(x, 10.0.0.2:7) == ECONNREFUSED\n"
        ));
        assert_eq!(
            said(&all, "no structure matches this segment"),
            1,
            "{all:#?}"
        );
        assert_eq!(said(&all, "nothing listens on port 7"), 1, "{all:#?}");
        assert_eq!(said(&all, "nothing listens on port 9"), 0, "{all:#?}");
    }

    #[test]
    fn what_the_other_mode_would_do_is_said_in_both_modes() {
        let close = "A: send(c, 300)\nnet: run\nB: close(s)\nnet: run\n";
        let all = sentences(&format!("{PAIR}{close}"));
        assert_eq!(
            said(
                &all,
                "On Linux, close() with 300 unread bytes would send an RST here"
            ),
            1,
            "{all:#?}"
        );
        let all = sentences(&format!("option behaviour linux\n{PAIR}{close}"));
        assert_eq!(
            said(
                &all,
                "In the textbook model, close() would throw the 300 unread bytes away"
            ),
            1,
            "{all:#?}"
        );
    }

    #[test]
    fn an_unmatched_datagram_mentions_the_icmp_answer() {
        let all = sentences(
            "host A 10.0.0.1\nhost B 10.0.0.2\nA: u = socket(UDP)\n\
             expect A: sendto(u, 5, 10.0.0.2:53) == 5\nnet: run\n",
        );
        assert_eq!(said(&all, "ICMP port-unreachable"), 1, "{all:#?}");
    }
}
