//! The echo deadlock of MODEL.md §3, searched for on the real engine.
//!
//! A client writes its whole message with one blocking send() before it reads the
//! echo; the server reads up to `chunk` bytes at a time and sends each piece back
//! before it reads again. With small enough queues the two end up blocked in send(),
//! each waiting for the other to read. Which message is the first to deadlock depends
//! on both buffer sizes, the server's read size, the MSS and the window rules, so an
//! exercise that asks for it must not take the number from its author: this module
//! plays both programs on a fresh world with the exercise's own configuration and
//! lets the engine's deadlock detector decide.

use crate::{Call, CallReply, Endpoint, Family, Fd, Pid, Proto, Ret, Value, World, WorldConfig};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// No run of one message takes more engine events than this; a run that would is an
/// error rather than an answer.
const MAX_EVENTS_PER_RUN: u64 = 1_000_000;

/// What a run needs: the world's configuration (buffer sizes, MSS, delays) and how much
/// the server asks for in each recv().
#[derive(Clone, Debug, PartialEq)]
pub struct EchoSpec {
    pub config: WorldConfig,
    pub chunk: u64,
}

/// A run that neither finished nor deadlocked: a bug in the engine or an absurd
/// configuration, said as text for the author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EchoError(pub String);

impl std::fmt::Display for EchoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the echo experiment failed: {}", self.0)
    }
}

/// Whether a message of `len` bytes deadlocks the client against the echo server.
pub fn deadlocks(spec: &EchoSpec, len: u64) -> Result<bool, EchoError> {
    Run::new(spec, len)?.finish()
}

/// The smallest message length in `1..=max_len` that deadlocks, if any.
///
/// Every length is tried in order rather than bisected: nothing guarantees that the
/// outcome is monotonic in the length, and "smallest" must mean the smallest.
pub fn smallest_deadlock(spec: &EchoSpec, max_len: u64) -> Result<Option<u64>, EchoError> {
    for len in 1..=max_len {
        if deadlocks(spec, len)? {
            return Ok(Some(len));
        }
    }
    Ok(None)
}

/// What a program does next once its current call has returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    Reading,
    Echoing,
}

/// A program and the descriptor of its connection.
type Side = (Pid, Fd);

struct Run {
    w: World,
    len: u64,
    client: Side,
    server: Side,
    server_next: Server,
    chunk: u64,
    /// Which of (client, server) is inside a call it has not yet returned from.
    in_call: [bool; 2],
    /// Bytes of the echo the client has read; it reads once its send() returned.
    echoed: u64,
    client_sent: bool,
}

impl Run {
    fn new(spec: &EchoSpec, len: u64) -> Result<Run, EchoError> {
        let mut cfg = spec.config.clone();
        cfg.trace = false;
        let mut w = World::new(cfg);
        let (client, server) = connect(&mut w)?;
        let mut run = Run {
            w,
            len,
            client,
            server,
            server_next: Server::Reading,
            chunk: spec.chunk.max(1),
            in_call: [false; 2],
            echoed: 0,
            client_sent: false,
        };
        run.issue_client(Call::Send { fd: client.1, len })?;
        let len = run.chunk;
        run.issue_server(Call::Recv { fd: server.1, len })?;
        Ok(run)
    }

    /// Plays both programs to the end: the client has its whole echo back (false), or
    /// the world is quiet with both blocked on each other (true).
    fn finish(mut self) -> Result<bool, EchoError> {
        for _ in 0..MAX_EVENTS_PER_RUN {
            if self.echoed >= self.len {
                return Ok(false);
            }
            let moved = self.poll_programs()?;
            if moved {
                continue;
            }
            if self.w.busy() {
                self.w.step();
                continue;
            }
            return match self.w.deadlock() {
                Some(_) => Ok(true),
                None => Err(EchoError(format!(
                    "with {} bytes the world went quiet without a deadlock",
                    self.len
                ))),
            };
        }
        Err(EchoError(format!(
            "a {}-byte message took more than {MAX_EVENTS_PER_RUN} steps",
            self.len
        )))
    }

    /// Issues the next call of each program whose call has returned. True if one did.
    fn poll_programs(&mut self) -> Result<bool, EchoError> {
        let mut moved = false;
        if let Some(ret) = self.returned(0) {
            moved = true;
            let got = bytes(&ret, "the client's call")?;
            if self.client_sent {
                self.echoed += got;
            }
            self.client_sent = true;
            if self.echoed < self.len {
                let fd = self.client.1;
                let want = self.len - self.echoed;
                self.issue_client(Call::Recv { fd, len: want })?;
            }
        }
        if let Some(ret) = self.returned(1) {
            moved = true;
            let got = bytes(&ret, "the server's call")?;
            let fd = self.server.1;
            let (next, call) = match self.server_next {
                Server::Reading if got > 0 => (Server::Echoing, Call::Send { fd, len: got }),
                // The client never closes, so a 0 here would be an engine bug.
                Server::Reading => return Err(EchoError("the server read end of file".into())),
                Server::Echoing => (
                    Server::Reading,
                    Call::Recv {
                        fd,
                        len: self.chunk,
                    },
                ),
            };
            self.server_next = next;
            self.issue_server(call)?;
        }
        Ok(moved)
    }

    /// The result of program `i`'s call (0 the client, 1 the server), once, when it
    /// has returned.
    fn returned(&mut self, i: usize) -> Option<Ret> {
        let pid = [self.client.0, self.server.0][i];
        let p = self.w.process(pid)?;
        if !self.in_call[i] || p.pending.is_some() {
            return None;
        }
        self.in_call[i] = false;
        p.last.as_ref().map(|(_, r)| *r)
    }

    fn issue_client(&mut self, call: Call) -> Result<(), EchoError> {
        self.in_call[0] = true;
        issue(&mut self.w, self.client.0, call)
    }

    fn issue_server(&mut self, call: Call) -> Result<(), EchoError> {
        self.in_call[1] = true;
        issue(&mut self.w, self.server.0, call)
    }
}

/// Makes a call; one that returns at once leaves its result in `last` like one that
/// blocked and later returned, so both are read the same way.
fn issue(w: &mut World, pid: Pid, call: Call) -> Result<(), EchoError> {
    let name = call.name();
    match w.call(pid, call) {
        Ok(CallReply::Returned(_)) | Ok(CallReply::Blocked) => Ok(()),
        Err(e) => Err(EchoError(format!("{name}() was refused: {e}"))),
    }
}

fn bytes(ret: &Ret, what: &str) -> Result<u64, EchoError> {
    match ret {
        Ok(Value::Bytes(n)) => Ok(*n),
        other => Err(EchoError(format!("{what} came to {other:?}"))),
    }
}

/// Client C (10.0.0.1) connected to server S (10.0.0.2) port 7; both blocking.
fn connect(w: &mut World) -> Result<(Side, Side), EchoError> {
    let fail = |e: crate::WorldError| EchoError(e.to_string());
    let (ip_c, ip_s) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
    let c = w.add_host("C", &[IpAddr::V4(ip_c)]).map_err(fail)?;
    let s = w.add_host("S", &[IpAddr::V4(ip_s)]).map_err(fail)?;
    let pc = w.spawn(c, "client").map_err(fail)?;
    let ps = w.spawn(s, "server").map_err(fail)?;
    let tcp = Call::Socket {
        proto: Proto::Tcp,
        family: Family::V4,
    };
    let l = fd(ok(w, ps, tcp.clone())?)?;
    let port = Endpoint::new(None, Some(7));
    ok(w, ps, Call::Bind { fd: l, addr: port })?;
    ok(w, ps, Call::Listen { fd: l, backlog: 1 })?;
    let cfd = fd(ok(w, pc, tcp)?)?;
    let to = SocketAddr::new(IpAddr::V4(ip_s), 7);
    issue(w, pc, Call::Connect { fd: cfd, addr: to })?;
    w.run_until_idle(MAX_EVENTS_PER_RUN);
    match w.process(pc).and_then(|p| p.last.clone()) {
        Some((_, Ok(_))) => {}
        other => return Err(EchoError(format!("connect() came to {other:?}"))),
    }
    let sfd = fd(ok(w, ps, Call::Accept { fd: l })?)?;
    Ok(((pc, cfd), (ps, sfd)))
}

fn ok(w: &mut World, pid: Pid, call: Call) -> Result<Value, EchoError> {
    let name = call.name();
    match w.call(pid, call) {
        Ok(CallReply::Returned(Ok(v))) => Ok(v),
        other => Err(EchoError(format!("{name}() came to {other:?}"))),
    }
}

fn fd(v: Value) -> Result<Fd, EchoError> {
    v.fd()
        .ok_or_else(|| EchoError(format!("expected a descriptor, got {v:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(buf: u64, chunk: u64) -> EchoSpec {
        EchoSpec {
            config: WorldConfig {
                sndbuf: buf,
                rcvbuf: buf,
                ..WorldConfig::default()
            },
            chunk,
        }
    }

    #[test]
    fn a_message_that_fits_in_the_queues_comes_back_whole() {
        assert_eq!(deadlocks(&spec(500, 500), 400), Ok(false));
    }

    #[test]
    fn the_smallest_deadlock_is_one_byte_more_than_the_largest_echo() {
        let s = spec(500, 500);
        let n = smallest_deadlock(&s, 10_000)
            .unwrap()
            .expect("some length deadlocks");
        assert_eq!(deadlocks(&s, n), Ok(true));
        assert_eq!(deadlocks(&s, n - 1), Ok(false));
    }

    #[test]
    fn the_deadlock_tour_counts_the_same_limit_as_the_search() {
        // The deadlock tour adds up five 500-byte places (two queues each way and the
        // piece the server holds) and shows 2500 completing and 2501 deadlocking.
        assert_eq!(smallest_deadlock(&spec(500, 500), 10_000), Ok(Some(2501)));
    }

    #[test]
    fn larger_buffers_move_the_limit_up() {
        let small = smallest_deadlock(&spec(500, 500), 20_000).unwrap();
        let large = smallest_deadlock(&spec(1000, 500), 20_000).unwrap();
        assert!(large > small, "{large:?} should exceed {small:?}");
    }
}
