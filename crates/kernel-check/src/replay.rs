//! A scenario of the language replayed on real sockets, each host a network namespace
//! ([`Hosts`]): its calls are made in order, and each `expect` whose answer does not
//! depend on timing becomes a fact, the engine's answer (the expectation, which the
//! engine meets) beside the kernel's.
//!
//! What timing decides is not replayed: the replay stops at the first `net:` line
//! other than `net: run` (deliver, step, drop, loss, a crash), at a call left blocked
//! (`&`), at a wait longer than [`MAX_WAIT`], and at anything else it cannot do,
//! saying why. `net: run` lets the network settle. Expectations the kernel cannot
//! show (a deadlock, the demultiplexer's choice, a transition seen in passing) and
//! calls on a descriptor the scenario closed (this test process has one descriptor
//! table, shared by every thread, so a closed number may belong to someone else
//! already) are listed as not compared.

use crate::kernel::{errno_of, SsRow, CALL_TIMEOUT};
use crate::netns::Hosts;
use socket2::{Domain, SockAddr, Socket, Type};
use sockscope_engine::{Call, Errno, Family, Proto, SockOpt, TcpState};
use sockscope_scenario::{
    CallStmt, Expect, FdRef, NetCmd, Outcome, ProcRef, QueueName, Scenario, Setting, Stmt,
};
use std::collections::BTreeMap;
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// The longest `net: run DURATION` a replay waits through.
pub const MAX_WAIT: Duration = Duration::from_secs(3);
/// How long a look at `ss` polls for the engine's answer.
const LOOK_DEADLINE: Duration = Duration::from_secs(3);
const QUIET: Duration = Duration::from_millis(100);
const POLL: Duration = Duration::from_millis(10);

/// One expectation, on both sides.
#[derive(Clone, Debug)]
pub struct ReplayFact {
    pub line: u32,
    pub statement: String,
    /// What the engine gives (the expectation as written).
    pub engine: String,
    pub linux: String,
    pub agrees: bool,
}

#[derive(Debug, Default)]
pub struct Replay {
    pub facts: Vec<ReplayFact>,
    /// Expectations not compared: line, statement, why.
    pub not_compared: Vec<(u32, String, String)>,
    /// Where and why the replay stopped before the end.
    pub stopped: Option<(u32, String)>,
}

impl Replay {
    pub fn agreeing(&self) -> usize {
        self.facts.iter().filter(|f| f.agrees).count()
    }

    /// The facts side by side; `!=` marks a disagreement.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for f in &self.facts {
            let mark = if f.agrees { "  " } else { "!=" };
            out.push_str(&format!(
                "{mark} {:>3}  {:<48} engine {:<14} Linux {}\n",
                f.line, f.statement, f.engine, f.linux
            ));
        }
        for (line, stmt, why) in &self.not_compared {
            out.push_str(&format!("   {line:>3}  {stmt:<48} not compared: {why}\n"));
        }
        if let Some((line, why)) = &self.stopped {
            out.push_str(&format!("   stopped at line {line}: {why}\n"));
        }
        out
    }
}

/// A descriptor of a process: open, or closed by the scenario.
struct Desc {
    sock: Option<Socket>,
    /// (local, peer) when last seen, for the row of a structure its program closed.
    ends: Option<(SocketAddr, Option<SocketAddr>)>,
    udp: bool,
}

struct Replayer<'h> {
    hosts: &'h Hosts,
    procs: BTreeMap<String, BTreeMap<String, Desc>>,
    out: Replay,
}

type CallResult = Result<i64, Errno>;

/// Replays `scenario` with its two hosts as namespaces.
///
/// # Errors
/// If the namespaces cannot be made (not root, no `ip`, not two hosts).
pub fn replay(scenario: &Scenario) -> Result<Replay, String> {
    let hosts: Vec<(String, Vec<IpAddr>)> = scenario
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            Stmt::Host { name, addrs } => Some((name.clone(), addrs.clone())),
            _ => None,
        })
        .collect();
    let hosts = Hosts::new(&hosts)?;
    let mut r = Replayer {
        hosts: &hosts,
        procs: BTreeMap::new(),
        out: Replay::default(),
    };
    for st in &scenario.statements {
        if let Err(why) = r.statement(st.line, &st.kind) {
            r.out.stopped = Some((st.line, why));
            break;
        }
    }
    // Sockets close before their namespaces go.
    let out = std::mem::take(&mut r.out);
    drop(r);
    Ok(out)
}

fn proc_name(p: &ProcRef) -> String {
    p.to_string()
}

fn show(r: &CallResult) -> String {
    match r {
        Ok(n) => n.to_string(),
        Err(e) => e.to_string(),
    }
}

impl Replayer<'_> {
    fn statement(&mut self, line: u32, kind: &Stmt) -> Result<(), String> {
        match kind {
            Stmt::Option(
                Setting::Seed(_) | Setting::Delay(_) | Setting::TimeWait(_) | Setting::Behaviour(_),
            )
            | Stmt::Host { .. }
            | Stmt::Netstat { .. }
            | Stmt::Ss { .. }
            | Stmt::Explain { .. }
            | Stmt::Say(_)
            | Stmt::Section(_) => Ok(()),
            Stmt::Option(s) => Err(format!("option {s} is not set on the namespaces")),
            Stmt::Call { proc, call } => self.call(proc, call).map(|_| ()),
            Stmt::Fork { proc, child } => self.fork(proc, child),
            Stmt::Net(NetCmd::Run(None)) => {
                self.settle();
                Ok(())
            }
            Stmt::Net(NetCmd::Run(Some(us))) => {
                let d = Duration::from_micros(*us);
                if d > MAX_WAIT {
                    return Err(format!("`net: run` of {d:?} is longer than a test waits"));
                }
                std::thread::sleep(d);
                self.settle();
                Ok(())
            }
            Stmt::Net(cmd) => Err(format!("`net: {cmd}`: timing decides what follows")),
            Stmt::Expect(e) => self.expect(line, e),
            Stmt::Ask(_) | Stmt::Goal(_) => Err("questions and goals are the learner's".into()),
        }
    }

    fn fact(&mut self, line: u32, statement: String, engine: String, linux: String, agrees: bool) {
        self.out.facts.push(ReplayFact {
            line,
            statement,
            engine,
            linux,
            agrees,
        });
    }

    fn expect(&mut self, line: u32, e: &Expect) -> Result<(), String> {
        let text = e.to_string();
        match e {
            Expect::Call { proc, call, want } => {
                if let Some(why) = self.closed_descriptor(proc, call) {
                    self.out.not_compared.push((line, text, why));
                    return Ok(());
                }
                let got = self.call(proc, call)?;
                let agrees = match (want, &got, call.call.returns_descriptor()) {
                    // Descriptor numbers: one table for the whole test process.
                    (Outcome::Int(n), Ok(_), true) => *n >= 0,
                    (Outcome::Int(-1), Err(_), _) => true,
                    (Outcome::Int(n), Ok(m), false) => n == m,
                    (Outcome::Errno(w), Err(g), _) => w == g,
                    _ => false,
                };
                self.fact(line, text, want.to_string(), show(&got), agrees);
            }
            Expect::State { proc, fd, want } => {
                let Some((local, peer)) = self.ends(proc, fd)? else {
                    self.out
                        .not_compared
                        .push((line, text, "never bound".into()));
                    return Ok(());
                };
                let host = proc.host.clone();
                let seen = self.poll(|r| {
                    let state = r.row(&host, local, peer).and_then(|row| row.state);
                    (state == Some(*want), state)
                });
                let linux = seen.map_or("(no row)".into(), |s| s.to_string());
                self.fact(line, text, want.to_string(), linux, seen == Some(*want));
            }
            Expect::Netstat { host, state, want } => {
                let seen = self.poll(|r| {
                    let n = r.count_rows(host, *state);
                    (n == *want, n)
                });
                self.fact(
                    line,
                    text,
                    want.to_string(),
                    seen.to_string(),
                    seen == *want,
                );
            }
            Expect::Queue {
                queue,
                proc,
                fd,
                want,
            } => {
                let (raw, udp) = self.raw_fd(proc, fd)?;
                if udp {
                    let why = "a UDP socket's queues: Linux's ioctls give the next datagram's size"
                        .into();
                    self.out.not_compared.push((line, text, why));
                    return Ok(());
                }
                let request = match queue {
                    QueueName::RecvQ => libc::FIONREAD,
                    QueueName::SendQ => libc::TIOCOUTQ,
                };
                let seen = self.poll(|_| {
                    let n = ioctl_count(raw, request);
                    (n == *want, n)
                });
                self.fact(
                    line,
                    text,
                    want.to_string(),
                    seen.to_string(),
                    seen == *want,
                );
            }
            Expect::Deadlock(_)
            | Expect::Blocked { .. }
            | Expect::Returned { .. }
            | Expect::Demux { .. }
            | Expect::Transition { .. } => {
                let why = "the kernel does not show it".into();
                self.out.not_compared.push((line, text, why));
            }
        }
        Ok(())
    }

    /// Polls `look` until it says done, up to [`LOOK_DEADLINE`]; what it saw last.
    fn poll<T>(&self, look: impl Fn(&Self) -> (bool, T)) -> T {
        let deadline = Instant::now() + LOOK_DEADLINE;
        loop {
            let (done, seen) = look(self);
            if done || Instant::now() >= deadline {
                return seen;
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits until the rows of both namespaces stay the same for a while (bounded).
    fn settle(&self) {
        let picture = || {
            let mut all: Vec<String> = self
                .hosts
                .names()
                .flat_map(|host| self.hosts.ss(host))
                .map(|r| format!("{r:?}"))
                .collect();
            all.sort();
            all
        };
        let deadline = Instant::now() + MAX_WAIT;
        let mut last = picture();
        let mut since = Instant::now();
        while Instant::now() < deadline {
            std::thread::sleep(POLL);
            let now = picture();
            if now != last {
                (last, since) = (now, Instant::now());
            } else if since.elapsed() >= QUIET {
                return;
            }
        }
    }

    fn row(&self, host: &str, local: SocketAddr, peer: Option<SocketAddr>) -> Option<SsRow> {
        self.hosts.ss(host).into_iter().find(|r| {
            r.local == local
                && match peer {
                    Some(p) => r.peer == p,
                    None => r.peer.port() == 0,
                }
                && r.state.is_some()
        })
    }

    /// Rows as netstat counts them: TCP rows (in `state`, if given), and without a
    /// state the UDP ones too.
    fn count_rows(&self, host: &str, state: Option<TcpState>) -> u64 {
        let rows = self.hosts.ss(host);
        match state {
            Some(s) => rows.iter().filter(|r| r.state == Some(s)).count() as u64,
            None => rows.len() as u64,
        }
    }

    fn desc(&mut self, proc: &ProcRef, fd: &FdRef) -> Result<&mut Desc, String> {
        let FdRef::Var(name) = fd else {
            return Err(format!(
                "descriptor {fd} by number: numbers are not replayed"
            ));
        };
        self.procs
            .get_mut(&proc_name(proc))
            .and_then(|p| p.get_mut(name))
            .ok_or_else(|| format!("{proc} has no descriptor {name}"))
    }

    fn closed_descriptor(&mut self, proc: &ProcRef, call: &CallStmt) -> Option<String> {
        let fd = call.call.fd()?;
        match self.desc(proc, &fd) {
            Ok(d) if d.sock.is_none() => Some(format!(
                "{fd} was closed (one descriptor table for the whole test process)"
            )),
            _ => None,
        }
    }

    fn ends(
        &mut self,
        proc: &ProcRef,
        fd: &FdRef,
    ) -> Result<Option<(SocketAddr, Option<SocketAddr>)>, String> {
        let d = self.desc(proc, fd)?;
        if let Some(s) = &d.sock {
            d.ends = observe(s).or(d.ends);
        }
        Ok(d.ends)
    }

    fn raw_fd(&mut self, proc: &ProcRef, fd: &FdRef) -> Result<(i32, bool), String> {
        let d = self.desc(proc, fd)?;
        let s = d.sock.as_ref().ok_or("the descriptor was closed")?;
        Ok((s.as_raw_fd(), d.udp))
    }

    fn fork(&mut self, proc: &ProcRef, child: &str) -> Result<(), String> {
        let parent = self.procs.get(&proc_name(proc)).ok_or("no such process")?;
        let mut copy = BTreeMap::new();
        for (name, d) in parent {
            let sock = match &d.sock {
                Some(s) => Some(s.try_clone().map_err(|e| format!("fork: {e}"))?),
                None => None,
            };
            copy.insert(
                name.clone(),
                Desc {
                    sock,
                    ends: d.ends,
                    udp: d.udp,
                },
            );
        }
        let name = format!("{}/{child}", proc.host);
        self.procs.insert(name, copy);
        Ok(())
    }

    fn keep(
        &mut self,
        proc: &ProcRef,
        var: &Option<String>,
        sock: Socket,
        udp: bool,
    ) -> Result<(), String> {
        sock.set_read_timeout(Some(CALL_TIMEOUT))
            .and_then(|_| sock.set_write_timeout(Some(CALL_TIMEOUT)))
            .map_err(|e| format!("SO_RCVTIMEO: {e}"))?;
        let ends = observe(&sock);
        let name = var
            .clone()
            .unwrap_or_else(|| format!("_{}", self.procs.len()));
        self.procs.entry(proc_name(proc)).or_default().insert(
            name,
            Desc {
                sock: Some(sock),
                ends,
                udp,
            },
        );
        Ok(())
    }

    /// Makes one call; its result as C returns it.
    fn call(&mut self, proc: &ProcRef, c: &CallStmt) -> Result<CallResult, String> {
        if c.background {
            return Err("a call left blocked (`&`) needs a second thread of the program".into());
        }
        self.procs.entry(proc_name(proc)).or_default();
        if let Call::Socket { proto, family } = c.call {
            let domain = match family {
                Family::V4 => Domain::IPV4,
                Family::V6 => Domain::IPV6,
            };
            let ty = if proto == Proto::Udp {
                Type::DGRAM
            } else {
                Type::STREAM
            };
            let made = self
                .hosts
                .inside(&proc.host, || Socket::new(domain, ty, None))
                .map_err(|e| format!("setns: {e}"))?;
            return match made {
                Ok(s) => {
                    let n = s.as_raw_fd() as i64;
                    self.keep(proc, &c.var, s, proto == Proto::Udp)?;
                    Ok(Ok(n))
                }
                Err(e) => Ok(Err(errno_of(&e))),
            };
        }
        let fd = c
            .call
            .fd()
            .expect("every call but socket() names a descriptor");
        let d = self.desc(proc, &fd)?;
        let udp = d.udp;
        let Some(s) = d.sock.as_ref() else {
            return Err(format!("{fd} was closed: its number is not ours any more"));
        };
        let r = match &c.call {
            Call::Socket { .. } => unreachable!("handled above"),
            Call::Bind { addr, .. } => {
                let local = s.local_addr().ok().and_then(|a| a.as_socket());
                let any = match local {
                    Some(SocketAddr::V6(_)) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
                    _ => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
                };
                let at = SocketAddr::new(addr.ip.unwrap_or(any), addr.port.unwrap_or(0));
                zero(s.bind(&SockAddr::from(at)))
            }
            Call::Listen { backlog, .. } => zero(s.listen(*backlog as i32)),
            Call::Connect { addr, .. } => zero(s.connect(&SockAddr::from(*addr))),
            Call::Accept { .. } => match s.accept() {
                Ok((new, _)) => {
                    let n = new.as_raw_fd() as i64;
                    self.keep(proc, &c.var, new, false)?;
                    Ok(n)
                }
                Err(e) => Err(errno_of(&e)),
            },
            Call::Send { len, .. } => {
                let buf = vec![b'x'; *len as usize];
                count(s.send_with_flags(&buf, libc::MSG_NOSIGNAL))
            }
            Call::Recv { len, .. } | Call::RecvFrom { len, .. } => {
                let mut buf = vec![MaybeUninit::<u8>::uninit(); *len as usize];
                count(s.recv(&mut buf))
            }
            Call::SendTo { len, to, .. } => {
                let buf = vec![b'x'; *len as usize];
                count(s.send_to(&buf, &SockAddr::from(*to)))
            }
            Call::Shutdown { how, .. } => {
                let how = match how {
                    sockscope_engine::Shutdown::Read => std::net::Shutdown::Read,
                    sockscope_engine::Shutdown::Write => std::net::Shutdown::Write,
                    sockscope_engine::Shutdown::Both => std::net::Shutdown::Both,
                };
                zero(s.shutdown(how))
            }
            Call::Close { .. } => {
                let d = self.desc(proc, &fd)?;
                if let Some(s) = &d.sock {
                    d.ends = observe(s).or(d.ends);
                }
                d.sock = None;
                Ok(0)
            }
            Call::SetSockOpt { opt, .. } => zero(match opt {
                SockOpt::ReuseAddr(on) => s.set_reuse_address(*on),
                SockOpt::Linger(secs) => s.set_linger(secs.map(|n| Duration::from_secs(n.into()))),
                SockOpt::SndBuf(n) => s.set_send_buffer_size(*n as usize),
                SockOpt::RcvBuf(n) => s.set_recv_buffer_size(*n as usize),
                SockOpt::V6Only(on) => s.set_only_v6(*on),
            }),
            Call::GetSockOpt { .. } => Ok(0),
            Call::Dup { .. } => match s.try_clone() {
                Ok(new) => {
                    let n = new.as_raw_fd() as i64;
                    self.keep(proc, &c.var, new, udp)?;
                    Ok(n)
                }
                Err(e) => Err(errno_of(&e)),
            },
            Call::SetNonBlocking { on, .. } => zero(s.set_nonblocking(*on)),
        };
        if let Ok(d) = self.desc(proc, &fd) {
            if let Some(s) = &d.sock {
                d.ends = observe(s).or(d.ends);
            }
        }
        Ok(r)
    }
}

/// (local, peer) of a socket that has a local port.
fn observe(s: &Socket) -> Option<(SocketAddr, Option<SocketAddr>)> {
    let local = s.local_addr().ok()?.as_socket().filter(|a| a.port() != 0)?;
    let peer = s.peer_addr().ok().and_then(|a| a.as_socket());
    Some((local, peer))
}

fn zero(r: io::Result<()>) -> CallResult {
    r.map(|_| 0).map_err(|e| errno_of(&e))
}

fn count(r: io::Result<usize>) -> CallResult {
    r.map(|n| n as i64).map_err(|e| errno_of(&e))
}

fn ioctl_count(fd: i32, request: libc::Ioctl) -> u64 {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD/TIOCOUTQ write one int through the pointer, which is valid.
    let r = unsafe { libc::ioctl(fd, request, &mut n) };
    assert_eq!(r, 0, "Linux: ioctl: {}", io::Error::last_os_error());
    n as u64
}
