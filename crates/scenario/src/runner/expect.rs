//! Checking `expect` statements against the world.

use super::calls::Came;
use super::{Failure, LineKind, Runner};
use crate::ast::{Expect, FdRef, Outcome, Packet, ProcRef, QueueName, Statement};
use crate::error::CannotRun;
use crate::format;
use sockscope_engine::socket::Socket;
use sockscope_engine::{Event, Pid, Ret, SockId, TcpState};

/// What was found, and whether it is what was expected.
struct Verdict {
    ok: bool,
    expected: String,
    got: String,
}

impl Verdict {
    /// A yes-or-no fact, named by `names[false]` and `names[true]`.
    fn either(want: bool, got: bool, names: [&str; 2]) -> Verdict {
        Verdict {
            ok: want == got,
            expected: names[want as usize].to_string(),
            got: names[got as usize].to_string(),
        }
    }

    fn compare<T: PartialEq + ToString>(want: T, got: T) -> Verdict {
        Verdict {
            ok: want == got,
            expected: want.to_string(),
            got: got.to_string(),
        }
    }
}

/// Does a call's fate match the expected outcome? `-1` stands for any failure.
fn matches(want: Outcome, came: &Came) -> bool {
    match (want, came) {
        (Outcome::Blocks, Came::StillBlocked) => true,
        (Outcome::Errno(e), Came::Returned(Err(got))) => e == *got,
        (Outcome::Int(-1), Came::Returned(Err(_))) => true,
        (Outcome::Int(n), Came::Returned(Ok(v))) => v.as_int() == n,
        _ => false,
    }
}

fn no_descriptor() -> String {
    "no open descriptor".to_string()
}

fn describe(came: &Came) -> String {
    match came {
        Came::Returned(r) => format::ret_short(r),
        Came::StillBlocked => "blocks".to_string(),
    }
}

impl Runner {
    pub(super) fn expect(&mut self, st: &Statement, e: &Expect) -> Result<(), CannotRun> {
        let v = self.verdict(e)?;
        if v.ok {
            self.passed += 1;
            self.emit(LineKind::Pass, format!("{e}: ok"));
        } else {
            self.emit(LineKind::Fail, format!("{e}: FAILED, got {}", v.got));
            self.failures.push(Failure {
                line: st.line,
                col: st.col,
                statement: e.to_string(),
                expected: v.expected,
                got: v.got,
            });
        }
        Ok(())
    }

    fn verdict(&mut self, e: &Expect) -> Result<Verdict, CannotRun> {
        if let Expect::Call { proc, call, want } = e {
            let came = self.call(proc, call)?;
            return Ok(Verdict {
                ok: matches(*want, &came),
                expected: want.to_string(),
                got: describe(&came),
            });
        }
        self.look(e)
    }

    /// Whether an expectation that makes no call holds now (what goals are made of).
    pub(super) fn holds(&self, e: &Expect) -> Result<bool, CannotRun> {
        self.look(e).map(|v| v.ok)
    }

    /// Checks an expectation by looking at the world; nothing changes.
    fn look(&self, e: &Expect) -> Result<Verdict, CannotRun> {
        Ok(match e {
            Expect::Call { .. } => return Err(CannotRun::CallNotALook),
            Expect::State { proc, fd, want } => {
                let got = self.socket_at(proc, fd)?.map(|s| s.state.to_string());
                Verdict::compare(want.to_string(), got.unwrap_or_else(no_descriptor))
            }
            Expect::Queue {
                queue,
                proc,
                fd,
                want,
            } => {
                let got = self.socket_at(proc, fd)?.map(|s| match queue {
                    QueueName::SendQ => s.sendq.len().to_string(),
                    QueueName::RecvQ => s.recvq.len().to_string(),
                });
                Verdict::compare(want.to_string(), got.unwrap_or_else(no_descriptor))
            }
            Expect::Netstat { host, state, want } => {
                let id = self.host_id(host)?;
                let rows = self.world.netstat(id);
                let got = rows
                    .iter()
                    .filter(|r| state.is_none_or(|s| r.state == s.to_string()))
                    .count() as u64;
                Verdict::compare(*want, got)
            }
            Expect::Deadlock(want) => {
                let got = self.world.deadlock().is_some();
                Verdict::either(*want, got, ["no deadlock", "a deadlock"])
            }
            Expect::Blocked { proc, want } => {
                let got = self.is_blocked(self.existing(proc)?);
                Verdict::either(*want, got, ["not blocked", "blocked"])
            }
            Expect::Returned { proc, want } => self.look_returned(proc, *want)?,
            Expect::Transition { from, to } => self.look_transition(*from, *to),
            Expect::Demux { proc, packet, want } => self.look_demux(proc, packet, want.as_ref())?,
        })
    }

    /// `expect returned A == VALUE`: the latest call of A's that blocked.
    fn look_returned(&self, proc: &ProcRef, want: Outcome) -> Result<Verdict, CannotRun> {
        let pid = self.existing(proc)?;
        Ok(match self.latest(pid) {
            Some(came) => Verdict {
                ok: matches(want, &came),
                expected: want.to_string(),
                got: describe(&came),
            },
            None => Verdict {
                ok: false,
                expected: want.to_string(),
                got: format!("no call of {proc} has blocked yet"),
            },
        })
    }

    /// `expect transition FROM -> TO`: some structure has made that move.
    fn look_transition(&self, from: TcpState, to: TcpState) -> Verdict {
        let seen = self.world.trace().iter().any(|t| {
            matches!(t.event, Event::StateChanged { from: f, to: g, .. } if f == from && g == to)
        });
        Verdict {
            ok: seen,
            expected: format!("a structure that went from {from} to {to}"),
            got: if seen {
                format!("a structure went from {from} to {to}")
            } else {
                format!("no structure went from {from} to {to}")
            },
        }
    }

    /// `expect demux ... == VAR|none`: where such a packet would go now.
    fn look_demux(
        &self,
        proc: &ProcRef,
        packet: &Packet,
        want: Option<&FdRef>,
    ) -> Result<Verdict, CannotRun> {
        let (pid, winner) = self.demux_winner(proc, packet)?;
        let wanted = match want {
            None => None,
            Some(fd) => {
                let fd = self.resolve_fd(proc, fd)?;
                self.world.socket_of(pid, fd).map(|s| s.id)
            }
        };
        let name = |s: Option<SockId>| s.map_or_else(|| "none".to_string(), |s| self.sock_name(s));
        Ok(Verdict {
            ok: winner == wanted && (want.is_none() || wanted.is_some()),
            expected: want.map_or_else(|| "none".to_string(), FdRef::to_string),
            got: name(winner),
        })
    }

    /// The process, and the structure of its host that such a packet would go to now.
    pub(super) fn demux_winner(
        &self,
        proc: &ProcRef,
        packet: &Packet,
    ) -> Result<(Pid, Option<SockId>), CannotRun> {
        let pid = self.existing(proc)?;
        let host = self.world.process(pid).map(|p| p.host);
        let host = host.ok_or_else(|| CannotRun::NoSuchProcess(proc.clone()))?;
        let record = self
            .world
            .explain_demux(host, packet.proto, packet.from, packet.to);
        Ok((pid, record.winner))
    }

    /// The structure a process's descriptor refers to, if the descriptor is open.
    pub(super) fn socket_at(
        &self,
        proc: &ProcRef,
        fd: &FdRef,
    ) -> Result<Option<&Socket>, CannotRun> {
        let pid = self.existing(proc)?;
        let fd = self.resolve_fd(proc, fd)?;
        Ok(self.world.socket_of(pid, fd))
    }

    fn is_blocked(&self, pid: Pid) -> bool {
        self.world.process(pid).is_some_and(|p| p.pending.is_some())
    }

    /// The fate of the process's latest call that blocked: still blocked, or its result.
    fn latest(&self, pid: Pid) -> Option<Came> {
        if self.waiting.contains_key(&pid) {
            return Some(Came::StillBlocked);
        }
        self.returned
            .get(&pid)
            .copied()
            .map(|r: Ret| Came::Returned(r))
    }
}
