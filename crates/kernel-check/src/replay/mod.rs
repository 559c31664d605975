//! A scenario of the language replayed on real sockets, each host a network namespace
//! ([`Hosts`], any number of them on one bridge): its calls are made in order, and
//! each `expect` whose answer does not depend on timing becomes a fact, the engine's
//! answer (the expectation, which the engine meets) beside the kernel's.
//!
//! `option sndbuf` / `option rcvbuf` are set with setsockopt() on every socket made
//! (Linux doubles them, as Linux mode does), `option mss` is the links' MTU. A call
//! left blocked (`&`) runs on a thread of its own (`background`), and `expect
//! blocked` / `expect returned` read that thread.
//!
//! What timing decides is not replayed: the replay stops at the first `net:` line
//! other than `net: run` (deliver, step, drop, loss, a crash; also where a question's
//! `after` holds one), at a wait longer than [`MAX_WAIT`], at any other option,
//! and at anything else it cannot do, saying why. `net: run` lets the network
//! settle. Expectations the kernel cannot show (a deadlock, the demultiplexer's
//! choice, a transition seen in passing) and calls on a descriptor the scenario
//! closed (this test process has one descriptor table, shared by every thread, so a
//! closed number may belong to someone else already) are listed as not compared.

use crate::kernel::SsRow;
use crate::netns::Hosts;

mod background;
mod calls;
use background::Pending;
use calls::{ioctl_count, tcp_info_state};
use socket2::Socket;
use sockscope_engine::{Errno, SockOpt, TcpState};
use sockscope_scenario::{
    Answer, CallStmt, Expect, FdRef, NetCmd, Outcome, Probe, ProcRef, Question, QueueName,
    Scenario, Setting, Stmt,
};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
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
    /// The engine's answer to each question, by line.
    answers: BTreeMap<u32, Answer>,
    /// `option sndbuf` / `option rcvbuf`: set on every socket when it is made.
    buffers: Vec<SockOpt>,
    /// Calls left blocked, by process, and the results of those that returned.
    pending: BTreeMap<String, Pending>,
    finished: BTreeMap<String, CallResult>,
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
    let answers = sockscope_scenario::run(scenario)
        .questions
        .into_iter()
        .filter_map(|q| Some((q.line, q.answer?)))
        .collect();
    let v6 = hosts.iter().flat_map(|(_, a)| a).any(IpAddr::is_ipv6);
    let mtu = scenario.statements.iter().find_map(|s| match s.kind {
        Stmt::Option(Setting::Mss(mss)) => Some(link_mtu(mss, v6)),
        _ => None,
    });
    let hosts = Hosts::new(&hosts, mtu)?;
    let mut r = Replayer {
        hosts: &hosts,
        procs: BTreeMap::new(),
        answers,
        buffers: Vec::new(),
        pending: BTreeMap::new(),
        finished: BTreeMap::new(),
        out: Replay::default(),
    };
    for st in &scenario.statements {
        if let Err(why) = r.statement(st.line, &st.kind) {
            r.out.stopped = Some((st.line, why));
            break;
        }
    }
    // Sockets close before their namespaces go; a call still blocked returns
    // within the sockets' timeouts.
    let out = std::mem::take(&mut r.out);
    let pending = std::mem::take(&mut r.pending);
    drop(r);
    for (_, p) in pending {
        p.finish();
    }
    Ok(out)
}

/// The MTU that gives segments of `mss` payload bytes: IP and TCP headers, and the
/// 12 bytes of the timestamp option Linux puts in every segment.
fn link_mtu(mss: u64, v6: bool) -> u64 {
    let ip = if v6 { 40 } else { 20 };
    mss + ip + 20 + 12
}

fn proc_name(p: &ProcRef) -> String {
    p.to_string()
}

/// Whether a call's result is the outcome expected (a descriptor number is any: the
/// test process has one table for all its threads).
fn outcome_agrees(want: Outcome, got: &CallResult, descriptor: bool) -> bool {
    match (want, got, descriptor) {
        (Outcome::Int(n), Ok(_), true) => n >= 0,
        (Outcome::Int(-1), Err(_), _) => true,
        (Outcome::Int(n), Ok(m), false) => n == *m,
        (Outcome::Errno(w), Err(g), _) => w == *g,
        _ => false,
    }
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
                Setting::Seed(_)
                | Setting::Delay(_)
                | Setting::TimeWait(_)
                | Setting::Behaviour(_)
                | Setting::Mss(_),
            )
            | Stmt::Host { .. }
            | Stmt::Netstat { .. }
            | Stmt::Ss { .. }
            | Stmt::Explain { .. }
            | Stmt::Say(_)
            | Stmt::Section(_) => Ok(()),
            Stmt::Option(Setting::SndBuf(n)) => {
                self.buffers.push(SockOpt::SndBuf(*n));
                Ok(())
            }
            Stmt::Option(Setting::RcvBuf(n)) => {
                self.buffers.push(SockOpt::RcvBuf(*n));
                Ok(())
            }
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
            Stmt::Ask(q) => self.ask(line, q),
            Stmt::Goal(_) => Err("a goal is the learner's to reach".into()),
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

    /// A fact whose kernel side is a value of the same kind as the engine's: they agree
    /// when equal.
    fn fact_seen<T: PartialEq + std::fmt::Display>(
        &mut self,
        line: u32,
        text: String,
        want: &T,
        seen: &T,
    ) {
        self.fact(line, text, want.to_string(), seen.to_string(), seen == want);
    }

    fn expect(&mut self, line: u32, e: &Expect) -> Result<(), String> {
        let text = e.to_string();
        match e {
            Expect::Call { proc, call, want } => {
                self.compare_call(line, text, proc, call, *want)?
            }
            Expect::State { proc, fd, want } => self.compare_state(line, text, proc, fd, *want)?,
            Expect::Netstat { host, state, want } => {
                let seen = self.poll(|r| {
                    let n = r.count_rows(host, *state);
                    (n == *want, n)
                });
                self.fact_seen(line, text, want, &seen);
            }
            Expect::Queue {
                queue,
                proc,
                fd,
                want,
            } => self.compare_queue(line, text, *queue, proc, fd, *want)?,
            Expect::Blocked { proc, want } => {
                let seen = self.still_blocked(proc, *want);
                self.fact_seen(line, text, want, &seen);
            }
            Expect::Returned { proc, want } => {
                let got = self.returned(proc, *want)?;
                let agrees = match &got {
                    None => *want == Outcome::Blocks,
                    Some(r) => outcome_agrees(*want, r, false),
                };
                let linux = got.as_ref().map_or("blocks".into(), show);
                self.fact(line, text, want.to_string(), linux, agrees);
            }
            Expect::Deadlock(_) | Expect::Demux { .. } | Expect::Transition { .. } => {
                let why = "the kernel does not show it".into();
                self.out.not_compared.push((line, text, why));
            }
        }
        Ok(())
    }

    /// A question whose answer is a call's result or a state is compared like an
    /// expectation, with the engine's answer, once what makes its moment (`after
    /// ...`) is replayed like any statement: a call, `net: run`; a network move that
    /// timing decides stops the replay there.
    fn ask(&mut self, line: u32, q: &Question) -> Result<(), String> {
        for st in &q.after {
            self.statement(line, st)
                .map_err(|why| format!("question {}: {why}", q.id))?;
        }
        let text = format!("ask {}: {}", q.id, q.probe);
        match (&q.probe, self.answers.get(&line).cloned()) {
            (Probe::Returns { proc, call }, Some(Answer::Outcome(want))) => {
                self.compare_call(line, text, proc, call, want)
            }
            (Probe::State { proc, fd }, Some(Answer::State(want))) => {
                self.compare_state(line, text, proc, fd, want)
            }
            (Probe::Queue { queue, proc, fd }, Some(Answer::Bytes(want))) => {
                self.compare_queue(line, text, *queue, proc, fd, want)
            }
            (Probe::Blocks { proc, call }, Some(Answer::Yes(want))) => {
                // Made as if left blocked (`&`): its thread says whether it returns.
                let mut left = call.clone();
                left.background = true;
                let _started = self.call(proc, &left)?;
                let seen = self.still_blocked(proc, want);
                self.fact(line, text, want.to_string(), seen.to_string(), seen == want);
                Ok(())
            }
            (Probe::Returns { .. } | Probe::Blocks { .. }, _) => {
                Err(format!("question {}: its call is not compared", q.id))
            }
            _ => {
                let why = "the kernel does not show it".into();
                self.out.not_compared.push((line, text, why));
                Ok(())
            }
        }
    }

    /// The length of a TCP socket's queue (FIONREAD, TIOCOUTQ), polled for `want`.
    fn compare_queue(
        &mut self,
        line: u32,
        text: String,
        queue: QueueName,
        proc: &ProcRef,
        fd: &FdRef,
        want: u64,
    ) -> Result<(), String> {
        let (raw, udp) = self.raw_fd(proc, fd)?;
        if udp {
            let why = "a UDP socket's queues: Linux's ioctls give the next datagram's size".into();
            self.out.not_compared.push((line, text, why));
            return Ok(());
        }
        let request = match queue {
            QueueName::RecvQ => libc::FIONREAD,
            QueueName::SendQ => libc::TIOCOUTQ,
        };
        let seen = self.poll(|_| {
            let n = ioctl_count(raw, request);
            (n == want, n)
        });
        let agrees = seen == want;
        self.fact(line, text, want.to_string(), seen.to_string(), agrees);
        Ok(())
    }

    /// Makes the call and compares what it returns with `want`.
    fn compare_call(
        &mut self,
        line: u32,
        text: String,
        proc: &ProcRef,
        call: &CallStmt,
        want: Outcome,
    ) -> Result<(), String> {
        if let Some(why) = self.closed_descriptor(proc, call) {
            self.out.not_compared.push((line, text, why));
            return Ok(());
        }
        let got = self.call(proc, call)?;
        let agrees = outcome_agrees(want, &got, call.call.returns_descriptor());
        self.fact(line, text, want.to_string(), show(&got), agrees);
        Ok(())
    }

    /// The state of the structure behind a descriptor: the kernel's own (TCP_INFO)
    /// while the descriptor is open, else its row in `ss`; polled for `want`.
    fn compare_state(
        &mut self,
        line: u32,
        text: String,
        proc: &ProcRef,
        fd: &FdRef,
        want: TcpState,
    ) -> Result<(), String> {
        let ends = self.ends(proc, fd)?;
        let open = self.raw_fd(proc, fd).ok();
        let host = proc.host.clone();
        let seen = self.poll(|r| {
            let state = match (open, ends) {
                (Some((raw, false)), _) => tcp_info_state(raw),
                (_, Some((local, peer))) => r.row(&host, local, peer).and_then(|row| row.state),
                _ => None,
            };
            (state == Some(want), state)
        });
        let linux = seen.map_or("(no row)".into(), |s| s.to_string());
        self.fact(line, text, want.to_string(), linux, seen == Some(want));
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
        let pname = proc_name(proc);
        let known = self.procs.get(&pname).is_some_and(|p| p.contains_key(name));
        if !known {
            // A call left blocked may be about to name it.
            self.harvest(&pname)?;
        }
        self.procs
            .get_mut(&pname)
            .and_then(|p| p.get_mut(name))
            .ok_or_else(|| format!("{proc} has no descriptor {name}"))
    }
}
