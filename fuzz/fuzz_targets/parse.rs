//! The scenario parser on arbitrary text: it must never panic, and whatever it accepts
//! must print back to text that parses to the same statements.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = sockscope_scenario::parse_line(text);
    if let Ok(scenario) = sockscope_scenario::parse(text) {
        let printed = scenario.to_string();
        let again = sockscope_scenario::parse(&printed).expect("printed scenarios parse");
        let kinds = |s: &sockscope_scenario::Scenario| s.statements.iter().map(|st| st.kind.clone()).collect::<Vec<_>>();
        assert_eq!(kinds(&scenario), kinds(&again), "print/parse round trip changed the statements");
    }
});
