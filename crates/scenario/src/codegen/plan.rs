//! The language-neutral half of the generator: which program each process runs in,
//! the calls of every program in the scenario's order with their numbers, and the
//! comment each statement leaves in every program.

use super::CallSite;
use crate::ast::{CallExpr, CallStmt, Expect, FdRef, NetCmd, ProcRef, Statement, Stmt};
use crate::question::Probe;
use sockscope_engine::{Call, Family};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// What a program holds: for each statement, the comment it leaves, then the calls of
/// this program's processes it makes.
pub(super) struct ProgramPlan {
    /// The processes that run the program, root first; an index into it says which
    /// one makes a call (`who`).
    pub procs: Vec<ProcRef>,
    pub items: Vec<Item>,
}

impl ProgramPlan {
    /// Every descriptor variable the program's calls name, repeats included.
    pub fn vars(&self) -> Vec<String> {
        let mut vars = Vec::new();
        for item in &self.items {
            if let Item::Call(p) = item {
                vars.extend(p.var.clone());
                if let Some(FdRef::Var(v)) = p.call.fd() {
                    vars.push(v);
                }
            }
        }
        vars
    }
}

pub(super) enum Item {
    /// A statement as the scenario writes it, one line or more: the comment it leaves.
    Note {
        stmt: usize,
        lines: Vec<String>,
    },
    Call(Planned),
    Fork {
        stmt: usize,
        seq: usize,
        who: usize,
        /// Index into `procs` of the new process.
        child: usize,
        name: String,
        label: String,
    },
}

/// A call of this program, with what rendering needs to know beyond the call itself.
pub(super) struct Planned {
    pub stmt: usize,
    pub seq: usize,
    pub who: usize,
    /// `A: c = socket(TCP)`: what the program prints before the result.
    pub label: String,
    pub var: Option<String>,
    pub call: CallExpr,
    /// Written with `&`.
    pub background: bool,
    /// The family of the socket the descriptor argument refers to, as far as the
    /// scenario's text tells (AF_INET when it does not): a wildcard bind() needs it.
    pub family: Family,
}

pub(super) struct Plan {
    pub programs: Vec<ProgramPlan>,
    pub calls: Vec<CallSite>,
}

/// What a statement does to the processes, in the order the runner does it.
enum Act<'a> {
    Call(&'a ProcRef, &'a CallStmt),
    Fork(&'a ProcRef, &'a str),
    Crash(&'a str),
}

fn acts(st: &Stmt) -> Vec<Act<'_>> {
    match st {
        Stmt::Call { proc, call } => vec![Act::Call(proc, call)],
        Stmt::Fork { proc, child } => vec![Act::Fork(proc, child)],
        Stmt::Net(NetCmd::Crash(host)) => vec![Act::Crash(host)],
        Stmt::Expect(Expect::Call { proc, call, .. }) => vec![Act::Call(proc, call)],
        Stmt::Ask(q) => {
            let mut v: Vec<Act> = q.after.iter().flat_map(acts).collect();
            if let Probe::Returns { proc, call } | Probe::Blocks { proc, call } = &q.probe {
                v.push(Act::Call(proc, call));
            }
            v
        }
        _ => Vec::new(),
    }
}

/// `A/A` is `A`: the default process carries the host's name (as the runner reads it).
fn normal(r: &ProcRef) -> ProcRef {
    ProcRef {
        host: r.host.clone(),
        proc: r.proc.clone().filter(|p| *p != r.host),
    }
}

/// Every address the programs will write (hosts' first, then those of calls), in
/// order of appearance, repeats included.
pub(super) fn addresses(statements: &[Statement]) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for st in statements {
        if let Stmt::Host { addrs, .. } = &st.kind {
            out.extend(addrs.iter().copied());
        }
    }
    for st in statements {
        for act in acts(&st.kind) {
            if let Act::Call(_, cs) = act {
                out.extend(call_address(&cs.call));
            }
        }
    }
    out
}

/// Every port of the calls' addresses, in order of appearance, repeats included.
pub(super) fn ports(statements: &[Statement]) -> Vec<u16> {
    let mut out = Vec::new();
    for st in statements {
        for act in acts(&st.kind) {
            if let Act::Call(_, cs) = act {
                out.extend(match &cs.call {
                    Call::Bind { addr, .. } => addr.port,
                    Call::Connect { addr, .. } | Call::SendTo { to: addr, .. } => Some(addr.port()),
                    _ => None,
                });
            }
        }
    }
    out
}

/// The address a call names; the wildcard, however spelled, names none.
fn call_address(call: &CallExpr) -> Option<IpAddr> {
    match call {
        Call::Bind { addr, .. } => addr.bound_ip(),
        Call::Connect { addr, .. } | Call::SendTo { to: addr, .. } => Some(addr.ip()),
        _ => None,
    }
}

/// Which program and which of its processes each live process is.
#[derive(Default)]
struct Processes {
    programs: Vec<Vec<ProcRef>>,
    live: BTreeMap<ProcRef, (usize, usize)>,
}

impl Processes {
    /// A process as a call names it; one not seen yet starts a program of its own
    /// (or takes up again the program of an earlier process of that name: a host's
    /// default process after `net: restart`).
    fn find(&mut self, r: &ProcRef) -> (usize, usize) {
        let key = normal(r);
        if let Some(at) = self.live.get(&key) {
            return *at;
        }
        let program = match self.programs.iter().position(|p| p[0] == key) {
            Some(i) => i,
            None => {
                self.programs.push(vec![key.clone()]);
                self.programs.len() - 1
            }
        };
        self.live.insert(key, (program, 0));
        (program, 0)
    }

    fn fork(&mut self, parent: &ProcRef, child: &str) -> (usize, usize, usize) {
        let (program, who) = self.find(parent);
        let key = ProcRef {
            host: parent.host.clone(),
            proc: Some(child.to_string()),
        };
        let procs = &mut self.programs[program];
        let index = procs.iter().position(|p| *p == key).unwrap_or_else(|| {
            procs.push(key.clone());
            procs.len() - 1
        });
        self.live.insert(key, (program, index));
        (program, who, index)
    }

    /// The host's processes died; their names start afresh.
    fn crash(&mut self, host: &str) {
        self.live.retain(|p, _| p.host != host);
    }
}

/// The program of every process; each statement's comment in every program.
pub(super) fn plan(statements: &[Statement]) -> Plan {
    let mut placer = Placer::default();
    for (stmt, st) in statements.iter().enumerate() {
        for act in acts(&st.kind) {
            placer.place(stmt, act);
        }
    }
    let mut programs: Vec<ProgramPlan> = placer
        .procs
        .programs
        .into_iter()
        .map(|procs| ProgramPlan {
            procs,
            items: Vec::new(),
        })
        .collect();
    let mut placed = placer.placed.into_iter().peekable();
    for (stmt, st) in statements.iter().enumerate() {
        let lines = note(&st.kind);
        for p in &mut programs {
            p.items.push(Item::Note {
                stmt,
                lines: lines.clone(),
            });
        }
        while let Some((program, item)) = placed.next_if(|(_, i)| item_stmt(i) == stmt) {
            programs[program].items.push(item);
        }
    }
    Plan {
        programs,
        calls: placer.calls,
    }
}

/// Numbers the calls and forks in the scenario's order and puts each in its program.
#[derive(Default)]
struct Placer {
    procs: Processes,
    calls: Vec<CallSite>,
    /// (program, item) of every call and fork, in order.
    placed: Vec<(usize, Item)>,
    /// What each program's variables are known to be (by program).
    families: Vec<BTreeMap<String, Family>>,
}

impl Placer {
    fn place(&mut self, stmt: usize, act: Act) {
        let seq = self.calls.len();
        let (proc, program, item) = match act {
            Act::Crash(host) => return self.procs.crash(host),
            Act::Call(proc, cs) => {
                let (program, who) = self.procs.find(proc);
                self.families
                    .resize_with(self.procs.programs.len(), BTreeMap::new);
                let family = track_family(&mut self.families[program], cs);
                let item = Item::Call(Planned {
                    stmt,
                    seq,
                    who,
                    label: label(proc, cs),
                    var: cs.var.clone(),
                    call: cs.call.clone(),
                    background: cs.background,
                    family,
                });
                (proc, program, item)
            }
            Act::Fork(proc, child) => {
                let (program, who, index) = self.procs.fork(proc, child);
                let item = Item::Fork {
                    stmt,
                    seq,
                    who,
                    child: index,
                    name: child.to_string(),
                    label: format!("{proc}: fork({child})"),
                };
                (proc, program, item)
            }
        };
        let (label, fork) = match &item {
            Item::Call(p) => (p.label.clone(), false),
            Item::Fork { label, .. } => (label.clone(), true),
            Item::Note { .. } => unreachable!("only calls and forks are placed"),
        };
        self.calls.push(CallSite {
            seq,
            stmt,
            proc: proc.clone(),
            label,
            fork,
            program,
        });
        self.placed.push((program, item));
    }
}

fn item_stmt(item: &Item) -> usize {
    match item {
        Item::Note { stmt, .. } | Item::Fork { stmt, .. } | Item::Call(Planned { stmt, .. }) => {
            *stmt
        }
    }
}

/// `A: c = socket(TCP)`, as the runner prints a call (without the `&`).
fn label(proc: &ProcRef, cs: &CallStmt) -> String {
    match &cs.var {
        Some(v) => format!("{proc}: {v} = {}", cs.call),
        None => format!("{proc}: {}", cs.call),
    }
}

/// The family of the call's descriptor, and what the call tells of its variable's.
fn track_family(known: &mut BTreeMap<String, Family>, cs: &CallStmt) -> Family {
    let of_fd = match cs.call.fd() {
        Some(FdRef::Var(v)) => known.get(&v).copied(),
        _ => None,
    };
    let made = match &cs.call {
        Call::Socket { family, .. } => Some(*family),
        Call::Accept { .. } | Call::Dup { .. } => of_fd,
        _ => None,
    };
    if let (Some(var), Some(f)) = (&cs.var, made) {
        known.insert(var.clone(), f);
    }
    of_fd.unwrap_or(Family::V4)
}

/// The statement as the scenario writes it. A question keeps its line and prompt, not
/// its choices, hints or why (they would give the answer away before it is shown); a
/// goal keeps its conditions and prompt, not its hints.
fn note(st: &Stmt) -> Vec<String> {
    match st {
        Stmt::Ask(q) => {
            let text = q.to_string();
            let first = text.lines().next().unwrap_or_default().to_string();
            let prompt = q.prompt.iter().map(|p| format!("prompt {p}"));
            std::iter::once(first).chain(prompt).collect()
        }
        Stmt::Goal(g) => {
            let first = format!("goal {}", g.conditions_text());
            let prompt = g.prompt.iter().map(|p| format!("prompt {p}"));
            std::iter::once(first).chain(prompt).collect()
        }
        other => vec![other.to_string()],
    }
}
