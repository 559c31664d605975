//! The generated programs are real: run side by side on this machine's loopback
//! (each process its own OS process, addresses 127.0.0.x, ports chosen free at run
//! time), in C and in Python, they print the call results the engine computed.
//!
//! A conductor (conductor.rs) gives each call its turn in the scenario's order, and
//! turns the `net:` lines that move the network into short waits. Where a scenario
//! cannot run as-is on Linux (crates/scenario/src/codegen/README.md), the difference
//! is listed with its reason, and the test checks that it is still there: a list that
//! stopped being true would be a wrong document.
//!
//! `cargo test -p sockscope-cli --test code_run -- --nocapture` prints every
//! comparison as a table.
#![cfg(target_os = "linux")]

mod conductor;
mod engine;
mod ports;

use engine::Fate;
use sockscope_engine::Call;
use sockscope_scenario::codegen::{self, generate, Lang, Options};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A call whose result is known to differ on Linux: its label, which occurrence of
/// that label (from 1), and why.
type Known = (&'static str, usize, &'static str);

fn scenario_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// What a result comes to for the comparison: a send that took part of its bytes is
/// `partial` (how many fit depends on buffer sizes Linux chooses itself: it doubles
/// SO_SNDBUF and tunes RecvQ, model.md "Where Linux differs").
fn verdict(call: &Call, value: &str) -> String {
    let len = match call {
        Call::Send { len, .. } | Call::SendTo { len, .. } => *len,
        _ => return value.to_string(),
    };
    match value.parse::<u64>() {
        Ok(n) if n > 0 && n < len => "partial".to_string(),
        _ => value.to_string(),
    }
}

/// A verdict with the number behind it when they differ: `partial 16384`.
fn shown(verdict: &str, value: &str) -> String {
    match verdict == value {
        true => verdict.to_string(),
        false => format!("{verdict} {value}"),
    }
}

fn engine_value(f: &Fate) -> String {
    match &f.ret {
        None => "blocks".to_string(),
        Some(Ok(v)) => v.as_int().to_string(),
        Some(Err(e)) => e.to_string(),
    }
}

/// Runs `rel` in `lang` on loopback and compares every call with the engine.
fn compare(rel: &str, lang: Lang, known: &[Known]) {
    let path = scenario_file(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario = sockscope_scenario::parse(&text).unwrap();
    assert!(
        sockscope_scenario::run(&scenario).ok(),
        "{rel}: its expectations hold in the engine"
    );
    let statements = &scenario.statements;
    let mut opts = Options::loopback(statements);
    opts.ports = ports::free_ports(&codegen::ports(statements));
    opts.conducted = true;
    let generated = generate(statements, lang, &opts);
    let fates = engine::fates(&scenario, &generated.calls);
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut run = conductor::start(&name, lang, &generated.programs);
    run.conduct(statements, &generated.calls, |seq| {
        fates.get(&seq).is_some_and(|f| f.soon)
    });
    let mut table = vec![format!("{rel} in {lang}:")];
    let mut wrong = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for site in generated.calls.iter().filter(|s| !s.fork) {
        let fate = &fates[&site.seq];
        let nth = seen.entry(&site.label).or_default();
        *nth += 1;
        let sim_value = engine_value(fate);
        let linux_value = run.results.get(&site.seq).map_or("blocks", String::as_str);
        let (sim, linux) = (
            verdict(&fate.call, &sim_value),
            verdict(&fate.call, linux_value),
        );
        let why = known
            .iter()
            .find(|(l, n, _)| *l == site.label && n == nth)
            .map(|k| k.2);
        let mark = match (sim == linux, why) {
            (true, None) => "  ",
            (false, Some(_)) => "~ ",
            _ => "X ",
        };
        table.push(format!(
            "{mark}{:<40} engine {:<12} Linux {:<12}{}",
            site.label,
            shown(&sim, &sim_value),
            shown(&linux, linux_value),
            why.map(|w| format!(" ({w})")).unwrap_or_default()
        ));
        if mark == "X " {
            wrong.push(site.label.clone());
        }
    }
    if !run.other.is_empty() {
        table.push(format!("other output: {:#?}", run.other));
    }
    let table = table.join("\n");
    println!("{table}\n");
    drop(run);
    assert!(
        wrong.is_empty()
            && known
                .iter()
                .all(|k| seen.get(k.0).is_some_and(|n| *n >= k.1)),
        "{table}\n\nthese differ where no difference is known, or a known one is gone: {wrong:?}"
    );
}

fn both(rel: &str, known: &[Known]) {
    for lang in Lang::ALL {
        compare(rel, lang, known);
    }
}

#[test]
fn the_byte_stream_example_connects_sends_and_receives_as_simulated() {
    both(
        "../scenario/examples/byte_stream.scn",
        &[(
            "B: recv(s, 2000)",
            1,
            "net: deliver 2 let one segment arrive; on Linux all 8000 bytes are there",
        )],
    );
}

#[test]
fn a_refused_connect_is_refused_on_linux_too() {
    both("../scenario/examples/refused.scn", &[]);
}

#[test]
fn bind_fails_with_eaddrinuse_during_time_wait_and_succeeds_with_so_reuseaddr() {
    both("tests/fixtures/code/reuse_after_time_wait.scn", &[]);
}

#[test]
fn a_nonblocking_send_takes_what_fits_then_fails_with_eagain() {
    both("tests/fixtures/code/nonblocking_send.scn", &[]);
}

#[test]
fn a_forked_worker_and_dup_behave_as_simulated() {
    both("../scenario/examples/fork_and_dup.scn", &[]);
}

#[test]
fn udp_keeps_message_boundaries_on_linux_too() {
    both(
        "../scenario/examples/udp.scn",
        &[(
            "B: recv(r, 100)",
            1,
            "net: drop next A -> B has no program form: Linux delivers that datagram",
        )],
    );
}

#[test]
fn the_time_wait_example_differs_only_where_model_md_says() {
    both(
        "../scenario/examples/time_wait.scn",
        &[
            (
                "S: bind(l3, *:80)",
                1,
                "Linux wants SO_REUSEADDR on the old socket too",
            ),
            (
                "S: bind(l2, *:80)",
                3,
                "net: run 60s is not waited out: TIME_WAIT is still there on Linux",
            ),
        ],
    );
}

#[test]
fn a_simultaneous_open_cannot_happen_on_loopback() {
    let refused = "on loopback the first SYN meets no SYN_SENT peer and is reset at once";
    both(
        "../scenario/examples/simultaneous_open.scn",
        &[
            ("A: connect(x, 10.0.0.2:6000)", 1, refused),
            (
                "B: connect(y, 10.0.0.1:5000)",
                1,
                "A's socket was refused and is closed",
            ),
            ("A: send(x, 10)", 1, "never connected"),
            ("B: recv(y, 100)", 1, "never connected"),
        ],
    );
}
