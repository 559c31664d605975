//! The scenario parser on arbitrary text: it must never panic, and whatever it
//! accepts must print back to text that parses to the same statements.

use sockscope_scenario::{Scenario, Stmt};

pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = sockscope_scenario::parse_line(text);
    let Ok(scenario) = sockscope_scenario::parse(text) else {
        return;
    };
    let printed = scenario.to_string();
    let again = sockscope_scenario::parse(&printed)
        .unwrap_or_else(|e| panic!("the printed scenario does not parse: {e}\n{printed}"));
    assert_eq!(
        kinds(&scenario),
        kinds(&again),
        "print/parse round trip changed the statements\n{printed}"
    );
}

fn kinds(scenario: &Scenario) -> Vec<Stmt> {
    scenario
        .statements
        .iter()
        .map(|st| st.kind.clone())
        .collect()
}
