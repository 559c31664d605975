//! The engine as the page uses it: a world, the inputs that led to it, and the trace.
//! Stepping back replays the inputs from the start: the engine is deterministic.

use sockscope_engine::{Call, CallRejected, HostId, Micros, Pid, TraceEntry, World};

/// One thing the learner did, in a form that can be replayed.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Call { pid: Pid, call: Call },
    /// Run the next scheduled thing (a segment arriving, a timer, a transmission).
    Step,
    /// Move the clock forward to this virtual time (running what falls before it).
    Clock(Micros),
    /// Run until only background timers are left.
    RunIdle,
    DropNext { from: HostId, to: HostId },
    Path { from: HostId, to: HostId, delay_us: Micros, loss: f64 },
    Mss(u64),
    Crash(HostId),
    Restart(HostId),
}

/// Bounds one "run until idle" so a page can never freeze.
const RUN_IDLE_LIMIT: u64 = 200_000;

#[derive(Clone, Debug)]
pub struct Session {
    initial: World,
    initial_trace: Vec<TraceEntry>,
    pub world: World,
    pub history: Vec<Input>,
    pub trace: Vec<TraceEntry>,
}

impl Session {
    pub fn new(mut world: World) -> Self {
        let initial_trace = world.drain_trace();
        Session {
            initial: world.clone(),
            trace: initial_trace.clone(),
            initial_trace,
            world,
            history: Vec::new(),
        }
    }

    /// Applies an input and records it. A rejected input changes nothing and says why.
    pub fn apply(&mut self, input: Input) -> Result<(), String> {
        Self::exec(&mut self.world, &input)?;
        self.trace.extend(self.world.drain_trace());
        self.history.push(input);
        Ok(())
    }

    fn exec(world: &mut World, input: &Input) -> Result<(), String> {
        match input {
            Input::Call { pid, call } => world
                .call(*pid, call.clone())
                .map(|_| ())
                .map_err(|e: CallRejected| e.to_string()),
            Input::Step => {
                if world.step() {
                    Ok(())
                } else {
                    Err("Nothing is scheduled: the network is quiet.".into())
                }
            }
            Input::Clock(t) => {
                world.run_until(*t);
                Ok(())
            }
            Input::RunIdle => {
                world.run_until_idle(RUN_IDLE_LIMIT);
                Ok(())
            }
            Input::DropNext { from, to } => {
                world.drop_next(*from, *to);
                Ok(())
            }
            Input::Path { from, to, delay_us, loss } => {
                world.set_path(*from, *to, *delay_us, *loss);
                Ok(())
            }
            Input::Mss(mss) => {
                world.config_mut().mss = (*mss).max(1);
                Ok(())
            }
            Input::Crash(h) => world.crash(*h).map_err(|e| e.to_string()),
            Input::Restart(h) => world.restart(*h).map_err(|e| e.to_string()),
        }
    }

    /// Replays the first `n` inputs from the start.
    pub fn rewind_to(&mut self, n: usize) {
        let n = n.min(self.history.len());
        let mut world = self.initial.clone();
        for input in &self.history[..n] {
            // Inputs were accepted once; the same world accepts them again.
            let _ = Self::exec(&mut world, input);
        }
        self.trace = self.initial_trace.clone();
        self.trace.extend(world.drain_trace());
        self.world = world;
        self.history.truncate(n);
    }

    /// Undoes the last input (one event, one call or one network change).
    pub fn step_back(&mut self) -> bool {
        if self.history.is_empty() {
            return false;
        }
        // A clock move with nothing in it is not worth a step of its own.
        while matches!(self.history.last(), Some(Input::Clock(_))) && self.history.len() > 1 {
            self.history.pop();
        }
        self.rewind_to(self.history.len() - 1);
        true
    }
}
