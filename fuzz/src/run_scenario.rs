//! Arbitrary text parsed and run as a scenario with a small event budget: running
//! must never panic, and the engine's invariants must hold afterwards.

/// Events per statement: enough for the examples, small enough that a runaway
/// scenario (a flood of sends, a long `wait`) costs milliseconds, not seconds.
const EVENT_BUDGET: u64 = 20_000;

pub fn run_scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = sockscope_scenario::parse(text) else {
        return;
    };
    let mut runner = sockscope_scenario::Runner::new(&scenario).with_event_budget(EVENT_BUDGET);
    runner.run_to_end();
    if let Err(e) = runner.world().check_invariants() {
        panic!("invariant broken: {e}\n{text}");
    }
}
