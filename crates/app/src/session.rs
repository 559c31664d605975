//! The engine as the page uses it: a scenario runner (which owns the world and knows
//! the processes' names and variables), the inputs that led to its present state, and
//! how to replay them. Everything the learner does becomes a statement of the scenario
//! language, so stepping back is a replay and the session can be exported as text.

mod error;
mod ran;
mod steps;

pub use error::SessionError;
pub use ran::{Moment, Ran, Replayed};
pub use steps::{action_hint, pauses_between, step_at, step_end, step_starts, StepMode};

use sockscope_engine::{Behaviour, Call, Micros, Pid, TraceEntry, World};
use sockscope_scenario::{
    parse, parse_line, NetCmd, OutLine, Runner, Scenario, Setting, Statement, Stmt,
};

/// One thing the learner did, in a form that can be replayed.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A statement of the scenario language: a console line, a call from a form, a
    /// network command from a button.
    Statement(Statement),
    /// The next step of the loaded scenario (a guided tour): to its next narration, or
    /// one statement.
    ScenarioStep(StepMode),
    /// Change the maximum segment size from now on (not a statement of the language).
    Mss(u64),
    /// Textbook or Linux: the world replays from its start in that mode, as if the
    /// scenario began with `option behaviour …`. Never kept in `history`.
    Behaviour(Behaviour),
}

/// The world the page opens with: a client, and a server whose program listens on
/// port 80.
pub const DEFAULT_SCENARIO: &str = "\
host client 10.0.0.1
host server 10.0.0.2
server: l = socket(TCP); bind(l, *:80); listen(l, 5)
";

/// The most inputs replayed for one step back. History never reaches it: when it
/// would, its older half is folded into the starting point of replays at once
/// (`FOLD`), so the latest `MAX_HISTORY - FOLD` inputs at least can always be undone.
pub const MAX_HISTORY: usize = 20_000;

/// How many of the oldest inputs are folded into the starting point at a time. The
/// session keeps the runner as it stood after the first `FOLD` inputs of its history
/// (`checkpoint`) and folding is taking it: no input is ever run twice, and nothing
/// is moved per input (folding one input at a time ran each a second time and moved
/// all of history, 45 x slower per event in the stress scene than before history
/// was full).
pub const FOLD: usize = MAX_HISTORY / 2;

/// The most trace entries the session keeps: the ladder, the captures and the
/// narration show the latest events, and older ones are forgotten so that minutes of
/// play stay within a bounded memory (the stress scene records about 3,000 events a
/// virtual second). Replaying to an earlier moment rebuilds its trace.
pub const TRACE_KEPT: usize = 10_000;

/// The most lines of output the session keeps (the console shows the latest).
pub const LINES_KEPT: usize = 2_000;

/// Output may exceed `LINES_KEPT` by this much before it is cut back.
pub const LINES_SLACK: usize = LINES_KEPT / 4;

/// The trace may exceed `TRACE_KEPT` by this much before it is cut back, so that
/// cutting (which moves every kept entry) happens once per this many events.
pub const TRACE_SLACK: usize = TRACE_KEPT / 4;

#[derive(Clone, Debug)]
pub struct Session {
    initial: Runner,
    /// The runner after the first `FOLD` inputs of `history`, without its trace (as
    /// `initial` keeps none): the starting point once they are folded.
    checkpoint: Option<Box<Runner>>,
    pub runner: Runner,
    pub history: Vec<Input>,
    /// Events recorded after each input of `history` (forgotten ones included): where
    /// each input's events end.
    marks: Vec<usize>,
    /// The runner's position in its scenario after each input of `history`: which of
    /// the scenario's statements a tour step ran (`ran.rs`), without replaying.
    positions: Vec<usize>,
    /// Output of the most recent input (what the console shows first).
    pub last_output: Vec<OutLine>,
    /// For a tour: the position before its first step (its options and hosts done).
    tour_start: Option<usize>,
    /// Inputs folded into `initial` so far: a replay from the scenario cannot redo them.
    folded: usize,
}

impl Session {
    /// A session that has run the whole scenario (the default world, a shared link).
    pub fn finished(scenario: &Scenario) -> Self {
        let mut runner = Runner::new(scenario);
        runner.run_to_end();
        Self::from_runner(runner)
    }

    /// A session that stands before the scenario's first step, with only its `option`
    /// and `host` lines done (a guided tour).
    pub fn tour(scenario: &Scenario) -> Self {
        let mut runner = Runner::new(scenario);
        while let Some(st) = runner.statements().get(runner.position()) {
            if !matches!(st.kind, Stmt::Option(_) | Stmt::Host { .. }) {
                break;
            }
            runner.step();
        }
        let start = runner.position();
        Session {
            tour_start: Some(start),
            ..Self::from_runner(runner)
        }
    }

    /// A tour opened at step `step` counted in `mode` (a shared link). A step beyond the
    /// end opens the tour at its end and says so.
    pub fn tour_at(
        scenario: &Scenario,
        step: usize,
        mode: StepMode,
    ) -> (Self, Option<SessionError>) {
        let mut s = Self::tour(scenario);
        let total = s.tour_steps(mode).len();
        for _ in 0..step.min(total) {
            if let Err(e) = s.apply(Input::ScenarioStep(mode)) {
                return (s, Some(e));
            }
        }
        let problem = (step > total).then_some(SessionError::NoSuchStep { step, total });
        (s, problem)
    }

    /// Where each step of the tour begins (empty outside a tour).
    pub fn tour_steps(&self, mode: StepMode) -> Vec<usize> {
        match self.tour_start {
            Some(start) => step_starts(self.runner.statements(), start, mode),
            None => Vec::new(),
        }
    }

    /// The step the tour is at and how many steps it has, counted in `mode`.
    pub fn tour_progress(&self, mode: StepMode) -> (usize, usize) {
        let starts = self.tour_steps(mode);
        (step_at(&starts, self.runner.position()), starts.len())
    }

    /// The statements the next press of "Next step" in `mode` will run.
    pub fn next_step_statements(&self, mode: StepMode) -> &[Statement] {
        let (all, pos) = (self.runner.statements(), self.runner.position());
        &all[pos.min(all.len())..step_end(all, pos, mode)]
    }

    /// `step=N` (and `&single=1` when counted by statements) for a link that reopens
    /// this moment of the tour; `None` when the learner did more than step through it.
    pub fn tour_link_step(&self, mode: StepMode) -> Option<String> {
        let start = self.tour_start?;
        if !self
            .history
            .iter()
            .all(|i| matches!(i, Input::ScenarioStep(_)))
        {
            return None;
        }
        let pos = self.runner.position();
        let starts = self.tour_steps(StepMode::Narration);
        let on_a_start = pos == self.runner.statements().len() || starts.contains(&pos);
        Some(if mode == StepMode::Narration && on_a_start {
            format!("step={}", step_at(&starts, pos))
        } else {
            format!("step={}&single=1", pos - start)
        })
    }

    /// Undoes the last press of "Next step" and everything done after it. False when
    /// no step was taken.
    pub fn tour_back(&mut self) -> bool {
        match self
            .history
            .iter()
            .rposition(|i| matches!(i, Input::ScenarioStep(_)))
        {
            Some(k) => {
                self.rewind_to(k);
                true
            }
            None => false,
        }
    }

    /// Replays the tour from its start to the first moment of the part that begins at
    /// statement `index` (a `section`): its title and first narration, with what that
    /// narration talks about, in either mode.
    pub fn tour_jump(&mut self, index: usize, mode: StepMode) {
        let Some(start) = self.tour_start else {
            return;
        };
        let starts = step_starts(self.runner.statements(), start, StepMode::Narration);
        let end = starts
            .iter()
            .copied()
            .find(|&s| s > index)
            .unwrap_or(self.runner.statements().len());
        self.rewind_to(0);
        while self.runner.position() < end {
            if self.apply(Input::ScenarioStep(mode)).is_err() {
                break;
            }
        }
    }

    fn from_runner(runner: Runner) -> Self {
        Session {
            initial: runner.clone(),
            checkpoint: None,
            runner,
            history: Vec::new(),
            marks: Vec::new(),
            positions: Vec::new(),
            last_output: Vec::new(),
            tour_start: None,
            folded: 0,
        }
    }

    pub fn default_world() -> Self {
        Self::finished(&parse(DEFAULT_SCENARIO).expect("the built-in scenario parses"))
    }

    pub fn world(&self) -> &World {
        self.runner.world()
    }

    pub fn trace(&self) -> &[TraceEntry] {
        self.runner.world().trace()
    }

    /// Applies an input and records it. An input that is refused changes nothing and
    /// says why, except a tour step that stopped at a statement that could not run
    /// (after the learner's own changes): what it ran is kept, so that replays agree.
    pub fn apply(&mut self, input: Input) -> Result<(), SessionError> {
        if let Input::Behaviour(mode) = input {
            return self.set_behaviour(mode);
        }
        let before = self.runner.position();
        let result = Self::exec(&mut self.runner, &input);
        let outcome = match result {
            Ok(out) => {
                self.last_output = out;
                Ok(())
            }
            // The statements a failed tour step ran before it stopped stay done.
            Err(e @ SessionError::StepFailed { .. }) if self.runner.position() != before => Err(e),
            Err(e) => return Err(e),
        };
        self.record(input);
        outcome
    }

    fn record(&mut self, input: Input) {
        if self.history.len() == self.history.capacity() {
            // Doubling, but never past MAX_HISTORY: doubling past it would hold 60% more
            // than is ever used (megabytes once the stress scene has played 20 s).
            let len = self.history.len();
            self.history
                .reserve_exact((len * 2).clamp(16, MAX_HISTORY) - len);
        }
        self.history.push(input);
        self.mark();
    }

    /// Notes where the input just recorded left the trace and the scenario, keeps the
    /// checkpoint once history reaches `FOLD` inputs, and folds when it reaches
    /// `MAX_HISTORY`.
    fn mark(&mut self) {
        Self::bound_trace(&mut self.runner);
        self.marks.push(self.events() as usize);
        self.positions.push(self.runner.position());
        if self.history.len() == MAX_HISTORY {
            self.fold();
        }
        if self.history.len() == FOLD {
            self.checkpoint = Some(Box::new(Self::without_trace(&self.runner)));
        }
    }

    /// The oldest `FOLD` inputs become part of the starting point: it is the
    /// checkpoint taken after them.
    fn fold(&mut self) {
        let Some(checkpoint) = self.checkpoint.take() else {
            return;
        };
        self.initial = *checkpoint;
        self.folded += FOLD;
        self.history.drain(..FOLD);
        self.marks.drain(..FOLD);
        self.positions.drain(..FOLD);
    }

    /// A copy of `runner` that keeps no trace: every replay starts from it and then
    /// records its own events, so the starting point's would never be shown.
    fn without_trace(runner: &Runner) -> Runner {
        let mut copy = runner.clone();
        copy.forget_trace(0);
        copy.forget_lines(LINES_KEPT);
        copy
    }

    /// Cuts the runner's trace back to the last `TRACE_KEPT` entries once it has grown
    /// `TRACE_SLACK` beyond them, and its output likewise to `LINES_KEPT` lines.
    fn bound_trace(runner: &mut Runner) {
        if runner.world().trace().len() > TRACE_KEPT + TRACE_SLACK {
            runner.forget_trace(TRACE_KEPT);
        }
        if runner.lines().len() > LINES_KEPT + LINES_SLACK {
            runner.forget_lines(LINES_KEPT);
        }
    }

    /// Events that happened so far, those forgotten included (`TRACE_KEPT`).
    pub fn events(&self) -> u64 {
        self.world().events_recorded()
    }

    /// Trace entries the starting point of replays holds.
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub(crate) fn initial_trace_len(&self) -> usize {
        self.initial.world().trace().len()
    }

    /// Events that happened before the first one the trace still holds.
    pub fn events_forgotten(&self) -> u64 {
        self.events() - self.trace().len() as u64
    }

    fn exec(runner: &mut Runner, input: &Input) -> Result<Vec<OutLine>, SessionError> {
        match input {
            Input::Statement(st) => runner
                .execute(st)
                .map_err(|e| SessionError::Refused(e.kind.to_string())),
            Input::ScenarioStep(mode) => Self::scenario_step(runner, *mode),
            Input::Mss(mss) => {
                runner.world_mut().reconfigure(|c| c.mss = (*mss).max(1));
                Ok(Vec::new())
            }
            // `apply` takes it; it is never replayed.
            Input::Behaviour(_) => Ok(Vec::new()),
        }
    }

    /// Textbook or Linux, as the world behaves now.
    pub fn behaviour(&self) -> Behaviour {
        self.world().config().behaviour
    }

    /// Replays everything from the start in `mode`: the scenario gets (or loses) an
    /// `option behaviour linux` before its first statement, and every input is applied
    /// again. What the learner did stays; what it led to may now differ. Refused once
    /// inputs have been folded away: they could not be applied again.
    fn set_behaviour(&mut self, mode: Behaviour) -> Result<(), SessionError> {
        if mode == self.behaviour() {
            return Ok(());
        }
        if self.folded > 0 {
            return Err(SessionError::Unreplayable {
                folded: self.folded,
            });
        }
        let mut statements = self.initial.statements().to_vec();
        let mut done = self.initial.position();
        let mut tour_start = self.tour_start;
        let is_mode = |st: &Statement| matches!(st.kind, Stmt::Option(Setting::Behaviour(_)));
        while let Some(i) = statements.iter().position(is_mode) {
            statements.remove(i);
            done -= usize::from(i < done);
            tour_start = tour_start.map(|n| n - usize::from(i < n));
        }
        if mode != Behaviour::Textbook {
            statements.insert(
                0,
                Statement {
                    line: 0,
                    col: 0,
                    kind: Stmt::Option(Setting::Behaviour(mode)),
                },
            );
            done += 1;
            tour_start = tour_start.map(|n| n + 1);
        }
        self.initial = Runner::replay(&Scenario { statements }, done);
        self.tour_start = tour_start;
        let history = std::mem::take(&mut self.history);
        self.checkpoint = None;
        self.marks.clear();
        self.positions.clear();
        self.runner = self.initial.clone();
        for input in history {
            // Accepted once; in the other mode a call may fail, but it is still what
            // the learner did.
            let _ = Self::exec(&mut self.runner, &input);
            self.history.push(input);
            self.mark();
        }
        self.last_output.clear();
        Ok(())
    }

    /// One step of a tour. By narration: the statements from here up to where the next
    /// narration begins (`pauses_between`); by statement: just the next one.
    fn scenario_step(runner: &mut Runner, mode: StepMode) -> Result<Vec<OutLine>, SessionError> {
        if runner.is_finished() {
            return Err(SessionError::TourOver);
        }
        let end = step_end(runner.statements(), runner.position(), mode);
        let mut out = Vec::new();
        while runner.position() < end {
            match runner.step() {
                Some(Ok(mut lines)) => out.append(&mut lines),
                Some(Err(e)) => {
                    return Err(SessionError::StepFailed {
                        line: e.line,
                        message: e.kind.to_string(),
                    })
                }
                None => break,
            }
        }
        Ok(out)
    }

    /// Applies every statement of one console line; stops at the first refused one.
    pub fn line(&mut self, text: &str) -> Result<(), SessionError> {
        let statements = parse_line(text).map_err(SessionError::Unreadable)?;
        if statements.is_empty() {
            return Err(SessionError::EmptyLine);
        }
        let mut output = Vec::new();
        for st in statements {
            self.apply(Input::Statement(st))?;
            output.append(&mut self.last_output);
        }
        self.last_output = output;
        Ok(())
    }

    /// A call made from a form: issued without running the network (`&`), so the
    /// learner can watch what it starts.
    pub fn call(&mut self, pid: Pid, call: &Call) -> Result<(), SessionError> {
        let label = self.runner.label(pid);
        self.line(&format!("{label}: {call} &"))
    }

    pub fn net(&mut self, cmd: NetCmd) -> Result<(), SessionError> {
        self.apply(Input::Statement(Statement {
            line: 0,
            col: 0,
            kind: Stmt::Net(cmd),
        }))
    }

    /// Replays the first `n` inputs from the start.
    pub fn rewind_to(&mut self, n: usize) {
        let n = n.min(self.history.len());
        let mut runner = self.initial.clone();
        for input in &self.history[..n] {
            // Inputs were accepted once; the same runner accepts them again.
            let _ = Self::exec(&mut runner, input);
            Self::bound_trace(&mut runner);
        }
        self.runner = runner;
        self.history.truncate(n);
        self.marks.truncate(n);
        self.positions.truncate(n);
        if n < FOLD {
            // It stood after inputs that are undone now.
            self.checkpoint = None;
        }
        self.last_output.clear();
    }

    /// The events recorded after each input of `history` (the timeline's ticks).
    pub fn marks(&self) -> &[usize] {
        &self.marks
    }

    /// How many inputs must be replayed for the trace to contain event `n`.
    pub fn inputs_until_event(&self, n: u64) -> Option<usize> {
        self.marks.iter().position(|&m| m as u64 > n).map(|i| i + 1)
    }

    /// Replays to the moment just after event `n` happened. An input that ran many
    /// events (`net: run`) is replaced by single steps up to that event.
    pub fn seek_event(&mut self, n: u64) {
        let Some(k) = self.inputs_until_event(n) else {
            return;
        };
        let input = self.history[k - 1].clone();
        self.rewind_to(k - 1);
        let moves_network = matches!(&input, Input::Statement(st) if matches!(st.kind, Stmt::Net(NetCmd::Run(_) | NetCmd::Deliver(_) | NetCmd::Step(_))));
        if !moves_network {
            let _ = self.apply(input);
            return;
        }
        while self.events() <= n && self.world().poll_timeout().is_some() {
            if self.net(NetCmd::Step(1)).is_err() {
                break;
            }
        }
    }

    /// Plays up to virtual time `target`, event by event, so that stepping back undoes
    /// one event at a time; then the clock moves to `target`.
    pub fn play_until(&mut self, target: Micros) {
        while self.world().poll_timeout().is_some_and(|t| t <= target) {
            if self.net(NetCmd::Step(1)).is_err() {
                break;
            }
        }
        let left = target.saturating_sub(self.world().now());
        if left > 0 {
            let _ = self.net(NetCmd::Run(Some(left)));
        }
    }

    /// Undoes the last input (one event, one call or one network change).
    pub fn step_back(&mut self) -> bool {
        if self.history.is_empty() {
            return false;
        }
        self.rewind_to(self.history.len() - 1);
        true
    }
}
