//! Plain-language sentences for trace events. Facts come from the engine; the words
//! are ours.

use sockscope_engine::call::{Call, Value};
use sockscope_engine::snapshot::Snapshot;
use sockscope_engine::trace::{Cause, DemuxOutcome, DropReason, Event, TimerKind};
use sockscope_engine::{HostId, Pid, SockId, TraceEntry};

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
        Call::Accept { .. } => "no connection has finished its handshake yet",
        Call::Connect { .. } => "connect() waits for the handshake to finish",
        Call::Close { .. } => "SO_LINGER makes close() wait for the closing handshake",
        _ => "it waits",
    }
}

fn returned(v: &Value, call: &Call) -> String {
    match (call, v) {
        (
            Call::Recv { .. } | Call::RecvFrom { .. },
            Value::Bytes(0) | Value::From { len: 0, .. },
        ) => "0: end of stream, the peer will send nothing more".to_string(),
        _ => v.to_string(),
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
        } => {
            let done = if *progress > 0 {
                format!(" ({progress} bytes copied so far)")
            } else {
                String::new()
            };
            format!(
                "{} blocks in {call}{done}: {}.",
                names.process(*pid),
                why_blocked(call)
            )
        }
        Event::CallReturned { pid, call, ret } => match ret {
            Ok(v) => format!(
                "{}: {call} returned {}.",
                names.process(*pid),
                returned(v, call)
            ),
            Err(e) => format!(
                "{}: {call} failed with {e}: {}.",
                names.process(*pid),
                e.explain()
            ),
        },
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
        Event::SegmentSent { seg, .. } => {
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
            let full =
                if seg.proto == sockscope_engine::Proto::Tcp && seg.window == 0 && !seg.flags.rst {
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
        Event::SegmentDropped { seg, reason } => {
            let why = match reason {
                DropReason::Loss => "lost on the way",
                DropReason::Injected => "dropped on purpose",
                DropReason::HostDown => "lost: its destination has crashed",
                DropReason::NoRoute => "lost: no host has that address",
                DropReason::ReceiveBufferFull => "dropped: the receiver's RecvQ has no room for it",
            };
            format!("Segment {} is {why}.", seg.0)
        }
        Event::SegmentDiscarded { seg, sock } => {
            format!(
                "{} discards segment {}: out of order, or no room in its window.",
                names.sock(*sock),
                seg.0
            )
        }
        Event::Demux(r) => match (r.winner, r.outcome) {
            (Some(w), DemuxOutcome::Delivered) => {
                let wild = r
                    .candidates
                    .iter()
                    .find(|c| c.sock == w)
                    .map_or(0, |c| c.wildcards);
                format!(
                    "{} demultiplexes segment {} from {}: structure #{} matches with {wild} wildcard(s) and wins.",
                    names.host(r.host),
                    r.seg.0,
                    r.src,
                    w.0
                )
            }
            (_, DemuxOutcome::PortUnreachable) => {
                format!(
                    "{}: no UDP structure has port {}; the datagram is thrown away.",
                    names.host(r.host),
                    r.dst.port()
                )
            }
            (_, DemuxOutcome::Ignored) => format!(
                "{}: the reset matches no structure and is ignored.",
                names.host(r.host)
            ),
            _ => format!(
                "{}: nothing listens on port {}, so it answers with a reset (RST).",
                names.host(r.host),
                r.dst.port()
            ),
        },
        Event::TimerFired { sock, kind } => match kind {
            TimerKind::Retransmit => {
                format!("{}: the retransmission timer fires.", names.sock(*sock))
            }
            TimerKind::Persist => format!(
                "{}: the peer's window is still 0, so it probes.",
                names.sock(*sock)
            ),
            TimerKind::TimeWait => return None,
            TimerKind::Linger => format!("{}: the SO_LINGER time is up.", names.sock(*sock)),
        },
        Event::Deadlock(report) => {
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
        Event::HostCrashed { host } => format!(
            "{} crashes: its structures vanish without a word to the peers.",
            names.host(*host)
        ),
        Event::HostRestarted { host } => {
            format!("{} boots again, with no sockets.", names.host(*host))
        }
    };
    Some(text)
}
