//! The engine as the page uses it: a scenario runner (which owns the world and knows
//! the processes' names and variables), the inputs that led to its present state, and
//! how to replay them. Everything the learner does becomes a statement of the scenario
//! language, so stepping back is a replay and the session can be exported as text.

use sockscope_engine::{Call, Pid, TraceEntry, World};
use sockscope_scenario::{
    parse, parse_line, Expect, NetCmd, OutLine, Runner, Scenario, Statement, Stmt,
};

/// One thing the learner did, in a form that can be replayed.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A statement of the scenario language: a console line, a call from a form, a
    /// network command from a button.
    Statement(Statement),
    /// The next statement of the loaded scenario (a guided tour).
    ScenarioStep,
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
        Self::from_runner(runner)
    }

    fn from_runner(runner: Runner) -> Self {
        Session {
            initial: runner.clone(),
            runner,
            history: Vec::new(),
            marks: Vec::new(),
            last_output: Vec::new(),
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
    /// says why.
    pub fn apply(&mut self, input: Input) -> Result<(), String> {
        self.last_output = Self::exec(&mut self.runner, &input)?;
        if self.history.len() == MAX_HISTORY {
            // Fold the oldest input into the starting point so replays stay bounded.
            let first = self.history.remove(0);
            self.marks.remove(0);
            let _ = Self::exec(&mut self.initial, &first);
        }
        self.history.push(input);
        self.marks.push(self.trace().len());
        Ok(())
    }

    fn exec(runner: &mut Runner, input: &Input) -> Result<Vec<OutLine>, String> {
        match input {
            Input::Statement(st) => runner.execute(st).map_err(|e| e.message),
            Input::ScenarioStep => Self::scenario_step(runner),
            Input::Mss(mss) => {
                runner.world_mut().config_mut().mss = (*mss).max(1);
                Ok(Vec::new())
            }
        }
    }

    /// One step of a tour: its narration, the statement it narrates, and the checks
    /// and printouts that follow it (they change nothing on screen by themselves).
    fn scenario_step(runner: &mut Runner) -> Result<Vec<OutLine>, String> {
        let kind = |r: &Runner| r.statements().get(r.position()).map(|st| st.kind.clone());
        if kind(runner).is_none() {
            return Err("The tour is over: there is no next step.".into());
        }
        let mut out = Vec::new();
        let mut run = |r: &mut Runner| -> Result<(), String> {
            match r.step() {
                Some(Ok(mut lines)) => {
                    out.append(&mut lines);
                    Ok(())
                }
                Some(Err(e)) => Err(format!("line {}: {}", e.line, e.message)),
                None => Ok(()),
            }
        };
        let mut narrated = false;
        while matches!(kind(runner), Some(Stmt::Say(_) | Stmt::Section(_))) {
            run(runner)?;
            narrated = true;
        }
        // A question waits for the learner: the narration before it is shown, and
        // the next step (the answer) runs it.
        if narrated && matches!(kind(runner), Some(Stmt::Ask(_))) {
            return Ok(out);
        }
        if kind(runner).is_some() {
            run(runner)?;
        }
        let passive = |k: &Option<Stmt>| match k {
            Some(Stmt::Expect(e)) => !matches!(e, Expect::Call { .. }),
            Some(Stmt::Netstat { .. } | Stmt::Explain { .. }) => true,
            _ => false,
        };
        while passive(&kind(runner)) {
            run(runner)?;
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
        while (self.trace().len() as u64) <= n && self.world().next_event_time().is_some() {
            if self.net(NetCmd::Step(1)).is_err() {
                break;
            }
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
        let mut tour_pos = self.initial.position();
        for input in &self.history {
            match input {
                Input::Statement(st) => out.push_str(&st.to_string()),
                Input::ScenarioStep => {
                    if let Some(st) = self.initial.statements().get(tour_pos) {
                        out.push_str(&st.to_string());
                    }
                    tour_pos += 1;
                }
                Input::Mss(m) => out.push_str(&format!("# (the MSS was set to {m} here)")),
            }
            out.push('\n');
        }
        out
    }
}
