//! Text, tree and JSON agree: what is printed reads back unchanged, and strange input
//! never makes the parser panic.
#![cfg(not(target_arch = "wasm32"))]

mod strategies;

use proptest::prelude::*;
use sockscope_engine::{Call, Fd};
use sockscope_scenario::*;

/// The engine call a parsed call statement stands for, when its descriptor is a number.
fn as_engine_call(expr: &CallExpr) -> Call {
    expr.clone().map_fd(|fd| match fd {
        FdRef::Num(n) => Fd(n),
        FdRef::Var(v) => panic!("a number was printed, a variable {v} was read"),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(strategies::cases(2000)))]

    #[test]
    fn every_engine_call_reads_back_from_its_display(call in strategies::call()) {
        let text = format!("A: {call}");
        let parsed = parse_line(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed.len(), 1);
        match &parsed[0].kind {
            Stmt::Call { call: c, .. } => prop_assert_eq!(as_engine_call(&c.call), call),
            other => prop_assert!(false, "{text} read as {other:?}"),
        }
    }

    #[test]
    fn every_statement_reads_back_from_its_display(stmt in strategies::stmt()) {
        let text = stmt.to_string();
        let parsed = parse_line(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed.len(), 1, "{}", text);
        prop_assert_eq!(&parsed[0].kind, &stmt, "{}", text);
    }

    #[test]
    fn a_scenario_survives_json_both_ways(stmts in proptest::collection::vec(strategies::stmt(), 0..12)) {
        let scenario = Scenario {
            statements: stmts
                .into_iter()
                .enumerate()
                .map(|(i, kind)| Statement { line: i as u32 + 1, col: 1, kind })
                .collect(),
        };
        let json = serde_json::to_string(&scenario).unwrap();
        let back: Scenario = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, scenario);
    }

    #[test]
    fn random_text_never_panics_the_parser(text in any::<String>()) {
        let _ = parse(&text);
        let _ = parse_line(&text);
    }

    #[test]
    fn near_miss_text_never_panics_the_parser(
        tokens in proptest::collection::vec(proptest::sample::select(TOKENS.to_vec()), 0..24),
        seps in proptest::collection::vec(proptest::sample::select(vec!["", " ", "\n", ";"]), 24),
    ) {
        let mut text = String::new();
        for (t, s) in tokens.iter().zip(seps) {
            text.push_str(t);
            text.push_str(s);
        }
        if let Ok(s) = parse(&text) {
            // Whatever parsed prints back to text that parses to the same statements.
            let again = parse(&s.to_string()).map_err(|e| TestCaseError::fail(format!("{text:?} -> {s}: {e}")))?;
            let kinds = |s: &Scenario| s.statements.iter().map(|s| s.kind.clone()).collect::<Vec<_>>();
            prop_assert_eq!(kinds(&again), kinds(&s));
        }
    }
}

/// Pieces of the language, to glue into almost-valid text.
const TOKENS: &[&str] = &[
    "A",
    "B/p",
    ":",
    "net:",
    "host",
    "option",
    "mss",
    "1500",
    "expect",
    "state",
    "sendq",
    "==",
    "=",
    "c",
    "socket(TCP)",
    "socket(",
    "bind(c,",
    "*:80",
    "[::1]:",
    "10.0.0.1",
    "10.0.0.1:80",
    "connect(c, 10.0.0.1:80)",
    ")",
    "(",
    ",",
    "&",
    "#",
    "say",
    "deliver",
    "run",
    "5s",
    "drop next",
    "->",
    "<->",
    "loss",
    "5%",
    "fork(x)",
    "recv(c, 64K)",
    "ESTABLISHED",
    "ECONNREFUSED",
    "blocks",
    "-1",
    "demux",
    "from",
    "to",
    "none",
    "explain",
    "netstat",
    "\u{e9}",
    "\u{1F600}",
    "\t",
    "\r",
    "[",
    "]",
    "%",
    "9999999999999999999999",
];

#[test]
fn every_example_file_survives_json_both_ways() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "scn") {
            let scenario = parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let json = serde_json::to_string_pretty(&scenario).unwrap();
            let back: Scenario = serde_json::from_str(&json).unwrap();
            assert_eq!(back, scenario, "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} example files found");
}

#[test]
fn json_names_are_readable() {
    let s = parse("A: c = socket(TCP)").unwrap();
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        json.contains("\"call\":{\"proc\":{\"host\":\"A\""),
        "{json}"
    );
    assert!(json.contains("\"socket\":{\"proto\":\"Tcp\""), "{json}");
}
