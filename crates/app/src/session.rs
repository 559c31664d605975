//! The engine as the page uses it: a scenario runner (which owns the world and knows
//! the processes' names and variables), the inputs that led to its present state, and
//! how to replay them. Everything the learner does becomes a statement of the scenario
//! language, so stepping back is a replay and the session can be exported as text.

use sockscope_engine::{Call, Micros, Pid, TraceEntry, World};
use sockscope_scenario::{parse, parse_line, NetCmd, OutLine, Runner, Scenario, Statement, Stmt};

/// How far one press of a tour's "Next step" goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StepMode {
    /// To the next narration: everything the current narration talks about.
    #[default]
    Narration,
    /// One statement of the scenario.
    Statement,
}

/// Whether a press of "Next step" (by narration) ends between `done`, the statement it
/// has just run, and `next`. This is the only place that decides where a tour pauses.
///
/// A question is a step of its own: the tour stops before it, and the learner's
/// answer runs it.
pub fn pauses_between(done: &Stmt, next: &Stmt) -> bool {
    match (done, next) {
        // A question waits for the learner: the step before it stops in front of it.
        (_, Stmt::Ask(_)) => true,
        // Answering runs the question's moment and the checks after it, which show
        // nothing by themselves; what the world does next waits for the next step.
        (Stmt::Ask(_), next) => !is_check(next),
        // A part of the tour always begins a step of its own.
        (_, Stmt::Section(_)) => true,
        // Narration lines that follow one another are read together.
        (Stmt::Say(_) | Stmt::Section(_), Stmt::Say(_)) => false,
        // Otherwise narration begins the next moment.
        (_, Stmt::Say(_)) => true,
        _ => false,
    }
}

/// A statement that only looks (an expectation that makes no call, a printout).
fn is_check(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expect(e) => !matches!(e, sockscope_scenario::Expect::Call { .. }),
        Stmt::Netstat { .. } | Stmt::Explain { .. } => true,
        _ => false,
    }
}

/// Where each step of a tour begins: `starts[k]` is the runner's position before the
/// (k+1)-th press of "Next step", counting presses in `mode` from `start` (the position
/// where the tour stands before its first step). The tour is over at `statements.len()`.
pub fn step_starts(statements: &[Statement], start: usize, mode: StepMode) -> Vec<usize> {
    let start = start.min(statements.len());
    (start..statements.len())
        .filter(|&i| {
            i == start
                || mode == StepMode::Statement
                || pauses_between(&statements[i - 1].kind, &statements[i].kind)
        })
        .collect()
}

/// What a statement makes the learner's programs or the network do, as a hint before
/// it runs: a call (without the value an expectation waits for) or a `net:` command.
/// Narration, checks and printouts give none, so no coming result is ever shown.
pub fn action_hint(stmt: &Stmt) -> Option<String> {
    match stmt {
        Stmt::Call { .. } | Stmt::Fork { .. } | Stmt::Net(_) => Some(stmt.to_string()),
        Stmt::Expect(sockscope_scenario::Expect::Call { proc, call, .. }) => {
            Some(format!("{proc}: {call}"))
        }
        _ => None,
    }
}

/// Where a step that begins at `pos` ends: the position of the first statement it does
/// not run (`statements.len()` at the end of the scenario).
pub fn step_end(statements: &[Statement], pos: usize, mode: StepMode) -> usize {
    let len = statements.len();
    match mode {
        StepMode::Statement => (pos + 1).min(len),
        StepMode::Narration => (pos + 1..len)
            .find(|&i| pauses_between(&statements[i - 1].kind, &statements[i].kind))
            .unwrap_or(len),
    }
}

/// The step the learner is at when the runner stands at `position`: how many steps
/// have begun before it. At a step's start this is the number of presses that led
/// there; between two starts (the mode was switched) it is the step under way.
pub fn step_at(starts: &[usize], position: usize) -> usize {
    starts.iter().take_while(|&&s| s < position).count()
}

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
}

/// The world the page opens with: a client, and a server whose program listens on
/// port 80.
pub const DEFAULT_SCENARIO: &str = "\
host client 10.0.0.1
host server 10.0.0.2
server: l = socket(TCP); bind(l, *:80); listen(l, 5)
";

/// The most statements replayed for one step back; beyond it, history is cut.
const MAX_HISTORY: usize = 20_000;

#[derive(Clone, Debug)]
pub struct Session {
    initial: Runner,
    pub runner: Runner,
    pub history: Vec<Input>,
    /// Length of the trace after each input of `history`: where each input's events end.
    marks: Vec<usize>,
    /// Output of the most recent input (what the console shows first).
    pub last_output: Vec<OutLine>,
    /// For a tour: the position before its first step (its options and hosts done).
    tour_start: Option<usize>,
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
    pub fn tour_at(scenario: &Scenario, step: usize, mode: StepMode) -> (Self, Option<String>) {
        let mut s = Self::tour(scenario);
        let total = s.tour_steps(mode).len();
        for _ in 0..step.min(total) {
            if let Err(e) = s.apply(Input::ScenarioStep(mode)) {
                return (s, Some(e));
            }
        }
        let problem = (step > total).then(|| {
            format!(
                "This tour has {total} steps, so there is no step {step}: it is shown at its end."
            )
        });
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
            runner,
            history: Vec::new(),
            marks: Vec::new(),
            last_output: Vec::new(),
            tour_start: None,
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
    pub fn apply(&mut self, input: Input) -> Result<(), String> {
        let before = self.runner.position();
        let result = Self::exec(&mut self.runner, &input);
        let outcome = match result {
            Ok(out) => {
                self.last_output = out;
                Ok(())
            }
            Err(e) if self.runner.position() != before => Err(e),
            Err(e) => return Err(e),
        };
        self.record(input);
        outcome
    }

    fn record(&mut self, input: Input) {
        if self.history.len() == MAX_HISTORY {
            // Fold the oldest input into the starting point so replays stay bounded.
            let first = self.history.remove(0);
            self.marks.remove(0);
            let _ = Self::exec(&mut self.initial, &first);
        }
        self.history.push(input);
        self.marks.push(self.trace().len());
    }

    fn exec(runner: &mut Runner, input: &Input) -> Result<Vec<OutLine>, String> {
        match input {
            Input::Statement(st) => runner.execute(st).map_err(|e| e.kind.to_string()),
            Input::ScenarioStep(mode) => Self::scenario_step(runner, *mode),
            Input::Mss(mss) => {
                runner.world_mut().reconfigure(|c| c.mss = (*mss).max(1));
                Ok(Vec::new())
            }
        }
    }

    /// One step of a tour. By narration: the statements from here up to where the next
    /// narration begins (`pauses_between`); by statement: just the next one.
    fn scenario_step(runner: &mut Runner, mode: StepMode) -> Result<Vec<OutLine>, String> {
        if runner.is_finished() {
            return Err("The tour is over: there is no next step.".into());
        }
        let end = step_end(runner.statements(), runner.position(), mode);
        let mut out = Vec::new();
        while runner.position() < end {
            match runner.step() {
                Some(Ok(mut lines)) => out.append(&mut lines),
                Some(Err(e)) => return Err(format!("line {}: {}", e.line, e.kind)),
                None => break,
            }
        }
        Ok(out)
    }

    /// Applies every statement of one console line; stops at the first refused one.
    pub fn line(&mut self, text: &str) -> Result<(), String> {
        let statements = parse_line(text).map_err(|e| e.to_string())?;
        if statements.is_empty() {
            return Err("The line is empty: type a call such as client: s = socket(TCP).".into());
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
    pub fn call(&mut self, pid: Pid, call: &Call) -> Result<(), String> {
        let label = self.runner.label(pid);
        self.line(&format!("{label}: {call} &"))
    }

    pub fn net(&mut self, cmd: NetCmd) -> Result<(), String> {
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
        }
        self.runner = runner;
        self.history.truncate(n);
        self.marks.truncate(n);
        self.last_output.clear();
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
        while (self.trace().len() as u64) <= n && self.world().poll_timeout().is_some() {
            if self.net(NetCmd::Step(1)).is_err() {
                break;
            }
        }
    }

    /// Moves the clock to `target` as play does: each event due by then is an input of
    /// its own (`net: step 1`), so that stepping back undoes one event at a time, and
    /// a `net: run` for the quiet rest moves the clock the rest of the way. This is
    /// the world's `run_until(target)`, with every event recorded.
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

    /// Everything done so far as scenario text: the starting scenario's statements,
    /// then each input (a session can be exported and replayed by the CLI).
    pub fn script(&self) -> String {
        let mut out = String::new();
        let executed = &self.initial.statements()[..self.initial.position()];
        for st in executed {
            out.push_str(&st.to_string());
            out.push('\n');
        }
        // Replaying tells how many of the scenario's statements each step ran.
        let mut replay = self.initial.clone();
        for input in &self.history {
            let before = replay.position();
            let _ = Self::exec(&mut replay, input);
            match input {
                Input::Statement(st) => out.push_str(&format!("{st}\n")),
                Input::ScenarioStep(_) => {
                    for st in &replay.statements()[before..replay.position()] {
                        out.push_str(&format!("{st}\n"));
                    }
                }
                Input::Mss(m) => out.push_str(&format!("# (the MSS was set to {m} here)\n")),
            }
        }
        out
    }
}
