//! The runner: carries out a scenario's statements on an engine `World`, one at a
//! time, and says what each did.
//!
//! Time (see GRAMMAR.md, "Semantics of time"): calls happen at the current virtual
//! time and the network moves only when a `net:` line says so, except that a call which
//! blocks lets the network run until it returns or the world is idle (`&` suppresses
//! that). The engine is deterministic, so stepping back is replaying from the start.

mod ask;
mod calls;
mod events;
mod expect;
mod goal;
mod net;
mod procs;
mod setup;
mod views;

pub use ask::Asked;
pub use goal::GoalStatus;
pub use procs::ProcInfo;

use crate::ast::{Scenario, Statement, Stmt};
use crate::error::{CannotRun, RunError};
use serde::{Deserialize, Serialize};
use sockscope_engine::{HostId, Layout, Micros, Pid, Ret, SegId, World, WorldConfig};
use std::collections::BTreeMap;

/// How many engine events one statement may run before the runner stops it, so that
/// no scenario can hang the app.
pub const DEFAULT_EVENT_BUDGET: u64 = 500_000;

/// What kind of thing an output line says, so that a front end can style it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A statement that only sets something up (option, host, net settings).
    Echo,
    /// A call and its immediate result, or "blocks".
    Call,
    /// A call that had blocked has returned (or never will).
    Returned,
    /// A segment arrived or was dropped.
    Wire,
    /// A network command's summary.
    Net,
    Netstat,
    Explain,
    Say,
    /// A question, asked before its moment.
    Question,
    /// The engine's answer to a question.
    Answer,
    /// The title of a part of a tour.
    Section,
    /// An exercise's goal.
    Goal,
    Pass,
    Fail,
    Deadlock,
    /// What the other mode (textbook or Linux) would have done at this moment.
    OtherMode,
}

/// One line of output, tied to the statement that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutLine {
    pub line: u32,
    pub kind: LineKind,
    pub text: String,
}

/// An expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub line: u32,
    pub col: u32,
    /// The `expect` statement as written.
    pub statement: String,
    pub expected: String,
    pub got: String,
}

/// Everything a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub lines: Vec<OutLine>,
    pub passed: usize,
    pub failures: Vec<Failure>,
    /// The statement that could not be carried out; the run stopped there.
    pub error: Option<RunError>,
    /// Every question asked, with the engine's answer.
    pub questions: Vec<Asked>,
    /// The exercise's goal and whether it was reached.
    pub goal: Option<GoalStatus>,
}

impl Report {
    /// Every expectation held and every statement ran.
    pub fn ok(&self) -> bool {
        self.failures.is_empty() && self.error.is_none()
    }

    /// The output as text, one line per output line.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }
}

/// A call that blocked and has not returned yet.
#[derive(Clone, Debug)]
struct Waiting {
    /// `A: s = accept(l)`, to repeat when it returns.
    text: String,
    /// Receives the descriptor when the call returns.
    var: Option<String>,
    line: u32,
}

/// What the scenario knows about a segment on the wire, to word its arrival.
#[derive(Clone, Debug)]
struct OnWire {
    route: String,
    label: String,
}

/// Executes a scenario statement by statement.
#[derive(Clone, Debug)]
pub struct Runner {
    statements: Vec<Statement>,
    next: usize,
    cfg: WorldConfig,
    world: World,
    procs: procs::Procs,
    /// Delay and loss of each direction that a `net:` line changed.
    paths: BTreeMap<(HostId, HostId), (Micros, f64)>,
    waiting: BTreeMap<Pid, Waiting>,
    /// Result of each process's latest call that had blocked.
    returned: BTreeMap<Pid, Ret>,
    /// Trace entries already turned into output.
    seen: usize,
    wire: BTreeMap<SegId, OnWire>,
    /// Copies the network made (`net: duplicate`) and the segment each copies.
    duplicates: BTreeMap<SegId, SegId>,
    budget: u64,
    lines: Vec<OutLine>,
    /// Lines of output forgotten from the front of `lines` (`forget_lines`).
    lines_forgotten: usize,
    /// Output of the statement being executed.
    out: Vec<OutLine>,
    current_line: u32,
    passed: usize,
    failures: Vec<Failure>,
    error: Option<RunError>,
    /// Questions asked, with the engine's answers.
    asked: Vec<Asked>,
    /// The latest call blocked when it was made (what a `blocks` question asks).
    last_call_blocked: bool,
    /// The exercise's goal, once set.
    goal: Option<GoalStatus>,
    /// `option sndbuf` and `option rcvbuf` as written: SO_SNDBUF and SO_RCVBUF of
    /// every socket, which the world's mode turns into queue capacities.
    buffer_options: (Option<u64>, Option<u64>),
}

impl Runner {
    pub fn new(scenario: &Scenario) -> Self {
        let cfg = WorldConfig::default();
        Runner {
            statements: scenario.statements.clone(),
            next: 0,
            world: World::new(cfg.clone()),
            cfg,
            buffer_options: (None, None),
            procs: procs::Procs::default(),
            paths: BTreeMap::new(),
            waiting: BTreeMap::new(),
            returned: BTreeMap::new(),
            seen: 0,
            wire: BTreeMap::new(),
            duplicates: BTreeMap::new(),
            budget: DEFAULT_EVENT_BUDGET,
            lines: Vec::new(),
            lines_forgotten: 0,
            out: Vec::new(),
            current_line: 0,
            passed: 0,
            failures: Vec::new(),
            error: None,
            asked: Vec::new(),
            last_call_blocked: false,
            goal: None,
        }
    }

    /// Limits the engine events a single statement may run.
    pub fn with_event_budget(mut self, events: u64) -> Self {
        self.budget = events.max(1);
        self
    }

    /// A runner that has executed the first `n` statements: how the app steps back.
    pub fn replay(scenario: &Scenario, n: usize) -> Self {
        let mut r = Runner::new(scenario);
        while r.next < n && r.step().is_some() {}
        r
    }

    /// Executes the next statement of the scenario. `None` once all have run.
    pub fn step(&mut self) -> Option<Result<Vec<OutLine>, RunError>> {
        let st = self.statements.get(self.next)?.clone();
        self.next += 1;
        let result = self.execute(&st);
        if let Err(e) = &result {
            self.error.get_or_insert_with(|| e.clone());
        }
        Some(result)
    }

    /// Executes every remaining statement, stopping at the first that cannot run.
    pub fn run_to_end(&mut self) -> &mut Self {
        while let Some(r) = self.step() {
            if r.is_err() {
                break;
            }
        }
        self
    }

    /// Executes a statement that is not part of the scenario (a console line). Its
    /// output joins the log. Statements check names and variables before they act, so
    /// one that fails has not touched the world.
    pub fn execute(&mut self, st: &Statement) -> Result<Vec<OutLine>, RunError> {
        self.current_line = st.line;
        self.out.clear();
        let result = self.dispatch(st).map_err(|kind| RunError {
            line: st.line,
            col: st.col,
            kind,
        });
        if result.is_ok() {
            self.after_statement(st);
        }
        let out = std::mem::take(&mut self.out);
        self.lines.extend(out.iter().cloned());
        result.map(|()| out)
    }

    fn dispatch(&mut self, st: &Statement) -> Result<(), CannotRun> {
        match &st.kind {
            Stmt::Option(s) => self.option(s),
            Stmt::Host { name, addrs } => self.host(name, addrs),
            Stmt::Call { proc, call } => self.call(proc, call).map(|_| ()),
            Stmt::Fork { proc, child } => self.fork(proc, child),
            Stmt::Net(cmd) => self.net(cmd).map_err(CannotRun::Net),
            Stmt::Netstat { host } => self.table(host, Layout::Netstat),
            Stmt::Ss { host } => self.table(host, Layout::Ss),
            Stmt::Explain { host, packet } => self.explain(host, packet),
            Stmt::Expect(e) => self.expect(st, e),
            Stmt::Ask(q) => self.ask(st, q),
            Stmt::Goal(g) => self.set_goal(st, g),
            Stmt::Say(text) => {
                self.emit(LineKind::Say, text.clone());
                Ok(())
            }
            Stmt::Section(title) => {
                self.emit(LineKind::Section, format!("== {title} =="));
                Ok(())
            }
        }
    }

    fn emit(&mut self, kind: LineKind, text: String) {
        self.out.push(OutLine {
            line: self.current_line,
            kind,
            text,
        });
    }

    // ----- looking at the run -----

    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world, for settings the language has no statement for (the app changes the
    /// MSS mid-run this way). Calls made through it bypass the runner's bookkeeping.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// How many statements of the scenario have been executed.
    pub fn position(&self) -> usize {
        self.next
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    pub fn is_finished(&self) -> bool {
        self.next >= self.statements.len()
    }

    /// The scenario's live processes with their variables.
    pub fn processes(&self) -> &[ProcInfo] {
        self.procs.all()
    }

    /// `A` or `A/child` for an engine process.
    pub fn label(&self, pid: Pid) -> String {
        self.procs.label(pid)
    }

    pub fn lines(&self) -> &[OutLine] {
        &self.lines
    }

    /// Lines of output written so far, those forgotten included: it changes whenever a
    /// line is written, even once old ones are forgotten.
    pub fn lines_written(&self) -> usize {
        self.lines_forgotten + self.lines.len()
    }

    /// Forgets the oldest lines of output so that at most `keep` remain (the console
    /// shows the latest; a page that plays for minutes writes a line per segment).
    pub fn forget_lines(&mut self, keep: usize) {
        let gone = self.lines.len().saturating_sub(keep);
        self.lines.drain(..gone);
        self.lines_forgotten += gone;
    }

    /// Forgets the world's oldest trace entries beyond the last `keep`
    /// (`World::forget_trace`); the events not yet reported stay.
    pub fn forget_trace(&mut self, keep: usize) {
        let keep = keep.max(self.world.trace().len() - self.seen);
        self.seen -= self.world.forget_trace(keep);
    }

    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    pub fn report(&self) -> Report {
        Report {
            lines: self.lines.clone(),
            passed: self.passed,
            failures: self.failures.clone(),
            error: self.error.clone(),
            questions: self.asked.clone(),
            goal: self.goal.clone(),
        }
    }
}

/// Runs a whole scenario.
pub fn run(scenario: &Scenario) -> Report {
    Runner::new(scenario).run_to_end().report()
}
