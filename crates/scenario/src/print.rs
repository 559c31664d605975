//! The AST printed back as scenario text. Every `Display` here reads back (through the
//! parser) to the same tree, so the runner can echo statements and the app can save
//! edited scenarios as text.

use crate::ast::*;
use crate::units::{format_duration, format_fraction};
use std::fmt;

impl fmt::Display for FdRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FdRef::Var(v) => f.write_str(v),
            FdRef::Num(n) => write!(f, "{n}"),
        }
    }
}

impl fmt::Display for ProcRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.proc {
            Some(p) => write!(f, "{}/{p}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl fmt::Display for CallStmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.var {
            write!(f, "{v} = ")?;
        }
        write!(f, "{}", self.call)?;
        if self.background {
            f.write_str(" &")?;
        }
        Ok(())
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Seed(n) => write!(f, "seed {n}"),
            Setting::Mss(n) => write!(f, "mss {n}"),
            Setting::InitialCwnd(n) => write!(f, "initial_cwnd {n}"),
            Setting::Delay(d) => write!(f, "delay {}", format_duration(*d)),
            Setting::Loss(p) => write!(f, "loss {}", format_fraction(*p)),
            Setting::SndBuf(n) => write!(f, "sndbuf {n}"),
            Setting::RcvBuf(n) => write!(f, "rcvbuf {n}"),
            Setting::TimeWait(d) => write!(f, "time_wait {}", format_duration(*d)),
            Setting::InitialRto(d) => write!(f, "initial_rto {}", format_duration(*d)),
            Setting::MinRto(d) => write!(f, "min_rto {}", format_duration(*d)),
            Setting::MaxRto(d) => write!(f, "max_rto {}", format_duration(*d)),
            Setting::SynRetries(n) => write!(f, "syn_retries {n}"),
            Setting::SynackRetries(n) => write!(f, "synack_retries {n}"),
            Setting::DataRetries(n) => write!(f, "data_retries {n}"),
            Setting::EphemeralFirst(p) => write!(f, "ephemeral_first {p}"),
            Setting::EphemeralLast(p) => write!(f, "ephemeral_last {p}"),
            Setting::Behaviour(b) => write!(f, "behaviour {b}"),
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arrow = if self.both { "<->" } else { "->" };
        write!(f, "{} {arrow} {}", self.from, self.to)
    }
}

impl fmt::Display for NetCmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetCmd::Deliver(n) => write!(f, "deliver {n}"),
            NetCmd::Step(n) => write!(f, "step {n}"),
            NetCmd::Run(None) => f.write_str("run"),
            NetCmd::Run(Some(d)) => write!(f, "run {}", format_duration(*d)),
            NetCmd::DropNext(l) => write!(f, "drop next {l}"),
            NetCmd::Loss(l, p) => write!(f, "loss {l} {}", format_fraction(*p)),
            NetCmd::Delay(l, d) => write!(f, "delay {l} {}", format_duration(*d)),
            NetCmd::Reorder(l, p, d) => write!(
                f,
                "reorder {l} {} {}",
                format_fraction(*p),
                format_duration(*d)
            ),
            NetCmd::Duplicate(l, p) => write!(f, "duplicate {l} {}", format_fraction(*p)),
            NetCmd::Inject(i) => write!(f, "inject {i}"),
            NetCmd::Crash(h) => write!(f, "crash {h}"),
            NetCmd::Restart(h) => write!(f, "restart {h}"),
        }
    }
}

impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {} to {}", self.proto, self.from, self.to)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Int(n) => write!(f, "{n}"),
            Outcome::Errno(e) => write!(f, "{e}"),
            Outcome::Blocks => f.write_str("blocks"),
        }
    }
}

impl fmt::Display for QueueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QueueName::SendQ => "sendq",
            QueueName::RecvQ => "recvq",
        })
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Call { proc, call, want } => write!(f, "expect {proc}: {call} == {want}"),
            Expect::State { proc, fd, want } => write!(f, "expect state {proc} {fd} == {want}"),
            Expect::Queue {
                queue,
                proc,
                fd,
                want,
            } => write!(f, "expect {queue} {proc} {fd} == {want}"),
            Expect::Netstat { host, state, want } => match state {
                Some(s) => write!(f, "expect netstat {host} {s} == {want}"),
                None => write!(f, "expect netstat {host} == {want}"),
            },
            Expect::Deadlock(true) => f.write_str("expect deadlock"),
            Expect::Deadlock(false) => f.write_str("expect no deadlock"),
            Expect::Blocked { proc, want: true } => write!(f, "expect blocked {proc}"),
            Expect::Blocked { proc, want: false } => write!(f, "expect not blocked {proc}"),
            Expect::Returned { proc, want } => write!(f, "expect returned {proc} == {want}"),
            Expect::Demux { proc, packet, want } => match want {
                Some(fd) => write!(f, "expect demux {proc} {packet} == {fd}"),
                None => write!(f, "expect demux {proc} {packet} == none"),
            },
            Expect::Transition { from, to } => write!(f, "expect transition {from} -> {to}"),
        }
    }
}

impl fmt::Display for Stmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stmt::Option(s) => write!(f, "option {s}"),
            Stmt::Host { name, addrs } => {
                write!(f, "host {name}")?;
                for a in addrs {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
            Stmt::Call { proc, call } => write!(f, "{proc}: {call}"),
            Stmt::Fork { proc, child } => write!(f, "{proc}: fork({child})"),
            Stmt::Net(cmd) => write!(f, "net: {cmd}"),
            Stmt::Netstat { host } => write!(f, "netstat {host}"),
            Stmt::Ss { host } => write!(f, "ss {host}"),
            Stmt::Explain { host, packet } => write!(f, "explain {host} {packet}"),
            Stmt::Expect(e) => write!(f, "{e}"),
            Stmt::Ask(q) => write!(f, "{q}"),
            Stmt::Goal(g) => write!(f, "{g}"),
            Stmt::Say(text) => write!(f, "say {text}"),
            Stmt::Section(title) => write!(f, "section {title}"),
        }
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)
    }
}

/// One statement per line.
impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.statements {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}

impl fmt::Display for crate::question::Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::question::Answer;
        match self {
            Answer::Outcome(o) => write!(f, "{o}"),
            Answer::Yes(true) => f.write_str("yes"),
            Answer::Yes(false) => f.write_str("no"),
            Answer::State(s) => write!(f, "{s}"),
            Answer::Bytes(n) => write!(f, "{n}"),
            Answer::Structure(names) if names.is_empty() => f.write_str("none"),
            Answer::Structure(names) => f.write_str(&names.join(" or ")),
        }
    }
}

impl fmt::Display for crate::question::Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::question::Probe;
        match self {
            Probe::Returns { proc, call } => write!(f, "{proc}: {call}"),
            Probe::Blocks { proc, call } => write!(f, "blocks {proc}: {call}"),
            Probe::State { proc, fd } => write!(f, "state {proc} {fd}"),
            Probe::Queue { queue, proc, fd } => write!(f, "{queue} {proc} {fd}"),
            Probe::Demux { proc, packet } => write!(f, "demux {proc} {packet}"),
            Probe::Deadlock => f.write_str("deadlock"),
            Probe::EchoLimit { chunk } => write!(f, "echo_limit {chunk}"),
        }
    }
}

/// The `ask` line and, one per line, the lines that belong to it.
impl fmt::Display for crate::question::Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ask {} {}", self.id, self.probe)?;
        if let Some((first, rest)) = self.after.split_first() {
            write!(f, " after {first}")?;
            for st in rest {
                // The moment's statements share the first one's `net:` or `HOST:`.
                let text = st.to_string();
                let item = text.split_once(": ").map_or(text.as_str(), |(_, i)| i);
                write!(f, "; {item}")?;
            }
        }
        if let Some(p) = &self.prompt {
            write!(f, "\nprompt {p}")?;
        }
        for c in &self.choices {
            write!(f, "\nchoice {}", c.value)?;
            if !c.text.is_empty() {
                write!(f, " {}", c.text)?;
            }
        }
        for h in &self.hints {
            write!(f, "\nhint {} {}", h.value, h.text)?;
        }
        if let Some(w) = &self.why {
            write!(f, "\nwhy {w}")?;
        }
        Ok(())
    }
}

/// The conditions as the learner reads them: `state A c == ESTABLISHED and …`.
impl crate::ast::Goal {
    pub fn conditions_text(&self) -> String {
        let parts: Vec<String> = self
            .conditions
            .iter()
            .map(|e| {
                let t = e.to_string();
                t.strip_prefix("expect ").unwrap_or(&t).to_string()
            })
            .collect();
        parts.join(" and ")
    }
}

/// The `goal` line and its `prompt` and `hint` lines.
impl fmt::Display for crate::ast::Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "goal {}", self.conditions_text())?;
        if let Some(p) = &self.prompt {
            write!(f, "\nprompt {p}")?;
        }
        for h in &self.hints {
            write!(f, "\nhint {h}")?;
        }
        Ok(())
    }
}
