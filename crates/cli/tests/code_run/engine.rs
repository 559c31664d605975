//! What each call came to in the simulation, by its number in the generated programs.

use sockscope_engine::{Call, Event, Pid, Ret};
use sockscope_scenario::codegen::CallSite;
use sockscope_scenario::{Runner, Scenario};
use std::collections::BTreeMap;

/// One call's fate in the engine.
#[derive(Clone, Debug)]
pub struct Fate {
    /// `None`: still blocked when the scenario ended.
    pub ret: Option<Ret>,
    /// It returned during the statement that made it (at once, or once the network
    /// it let run had moved): Linux should answer within moments too.
    pub soon: bool,
    pub call: Call,
}

/// Runs the scenario statement by statement and hands each issued call its number:
/// the engine issues a statement's calls in the order the generator numbered them.
pub fn fates(scenario: &Scenario, sites: &[CallSite]) -> BTreeMap<usize, Fate> {
    let mut runner = Runner::new(scenario);
    let mut fates = BTreeMap::new();
    let mut waiting: BTreeMap<Pid, usize> = BTreeMap::new();
    let mut seen = 0;
    for stmt in 0..scenario.statements.len() {
        let result = runner.step().expect("a statement is left");
        assert!(result.is_ok(), "the scenario runs: {result:?}");
        let mut numbers = sites
            .iter()
            .filter(|s| s.stmt == stmt && !s.fork)
            .map(|s| s.seq);
        let trace = runner.world().trace();
        for entry in &trace[seen..] {
            match &entry.event {
                Event::CallIssued { pid, call } => {
                    let seq = numbers.next().expect("every issued call was generated");
                    waiting.insert(*pid, seq);
                    let fate = Fate {
                        ret: None,
                        soon: false,
                        call: call.clone(),
                    };
                    fates.insert(seq, fate);
                }
                Event::CallReturned { pid, ret, .. } => {
                    let seq = waiting.remove(pid).expect("a call returns once");
                    let fate = fates.get_mut(&seq).expect("issued before");
                    fate.ret = Some(*ret);
                    fate.soon = sites[seq].stmt == stmt;
                }
                _ => {}
            }
        }
        assert!(numbers.next().is_none(), "every generated call was issued");
        seen = trace.len();
    }
    fates
}
