//! Parse and run arbitrary text as a scenario with a small event budget: running must
//! never panic and the engine's invariants must hold afterwards.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(scenario) = sockscope_scenario::parse(text) else { return };
    let mut runner = sockscope_scenario::Runner::new(&scenario).with_event_budget(20_000);
    runner.run_to_end();
    if let Err(e) = runner.world().check_invariants() {
        panic!("invariant broken: {e}\n{text}");
    }
});
