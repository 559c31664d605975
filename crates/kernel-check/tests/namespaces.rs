//! Example scenarios and tours replayed on real sockets, each host a network namespace with its
//! own addresses, joined by a veth pair (root only: without it the tests fail, they
//! do not skip). Each `expect` whose answer timing does not decide is a fact; the
//! engine meets all of them in textbook mode (checked first), and each test pins
//! which ones Linux answers otherwise, and why, so a list that stopped being true
//! fails. Linux mode (the same scenario with `option behaviour linux`) is run too and
//! must agree with Linux wherever it is compared.
//! Run with `cargo test -p sockscope-kernel-check --test namespaces -- --nocapture` to
//! see the figures.
#![cfg(target_os = "linux")]

use sockscope_engine::Behaviour;
use sockscope_kernel_check::replay::{replay, Replay};
use sockscope_scenario::{Scenario, Setting, Statement, Stmt};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

/// Namespaces are made with `ip`; one replay at a time keeps their setup readable
/// in a failure and the machine's load low.
static TURN: Mutex<()> = Mutex::new(());

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenario")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    sockscope_scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// The lines where the scenario's expectations fail in Linux mode.
fn linux_mode_failures(scenario: &Scenario) -> BTreeSet<u32> {
    let mut linux = scenario.clone();
    linux.statements.insert(
        0,
        Statement {
            line: 0,
            col: 0,
            kind: Stmt::Option(Setting::Behaviour(Behaviour::Linux)),
        },
    );
    let report = sockscope_scenario::run(&linux);
    assert!(report.error.is_none(), "Linux mode: {:?}", report.error);
    report.failures.iter().map(|f| f.line).collect()
}

/// Replays a scenario; checks that the kernel disagrees exactly on the lines
/// `differ` and `timing`, that Linux mode fails exactly the `differ` ones (a `timing`
/// line reads a moment the engine's 50 ms links make visible and veths have passed
/// already), and that the replay stopped at line `reached` (`None`: ran to the end).
/// Prints the figures.
fn replayed(name: &str, differ: &[u32], timing: &[u32], reached: Option<u32>) -> Replay {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let scenario = load(name);
    assert!(
        sockscope_scenario::run(&scenario).ok(),
        "{name}: its expectations hold in the engine"
    );
    let r = replay(&scenario).unwrap_or_else(|e| {
        panic!("{name}: the namespaces could not be made ({e}); the replay needs root and `ip`")
    });
    let compared = r.facts.len();
    println!(
        "{name}: {} of {compared} facts agree with Linux ({} not compared)\n{}",
        r.agreeing(),
        r.not_compared.len(),
        r.table()
    );
    assert!(compared > 0, "{name}: nothing was compared");
    let disagree: BTreeSet<u32> = r
        .facts
        .iter()
        .filter(|f| !f.agrees)
        .map(|f| f.line)
        .collect();
    let expected: BTreeSet<u32> = differ.iter().chain(timing).copied().collect();
    assert_eq!(disagree, expected, "{name}: the lines where Linux differs");
    // Linux mode fails exactly where Linux behaves otherwise, among the lines compared.
    let compared_lines: BTreeSet<u32> = r.facts.iter().map(|f| f.line).collect();
    let linux_mode: Vec<u32> = linux_mode_failures(&scenario)
        .intersection(&compared_lines)
        .copied()
        .collect();
    assert_eq!(linux_mode, differ, "{name}: Linux mode against Linux");
    let stopped = r.stopped.as_ref().map(|(line, _)| *line);
    assert_eq!(stopped, reached, "{name}: where the replay stopped");
    r
}

#[test]
fn refused_connections_agree_with_linux_in_namespaces() {
    replayed("examples/refused.scn", &[], &[], None);
}

#[test]
fn time_wait_agrees_with_linux_in_namespaces_until_the_60_s_wait() {
    // Line 26: bind() with SO_REUSEADDR beside TIME_WAIT, where the old socket did not
    // set it: Linux refuses (EADDRINUSE), as Linux mode does
    // (`linux_needs_so_reuseaddr_on_the_old_socket_too_where_the_model_asks_only_the_new_one`).
    // `net: run 60s` is not waited for: the replay stops there.
    replayed("examples/time_wait.scn", &[26], &[], Some(29));
}

#[test]
fn fork_and_dup_agree_with_linux_in_namespaces() {
    let r = replayed("examples/fork_and_dup.scn", &[], &[], None);
    // send() on the closed descriptor is not replayed: the test process has one
    // descriptor table, shared with every other test thread.
    assert_eq!(r.not_compared.len(), 1, "{}", r.table());
}

#[test]
fn udp_boundaries_agree_with_linux_in_namespaces_until_a_datagram_is_dropped() {
    // `net: drop next` decides what follows: the replay stops there. The queue
    // lengths of a UDP socket are not compared (FIONREAD is one datagram's size).
    let r = replayed("examples/udp.scn", &[], &[], Some(17));
    assert!(r.agreeing() >= 3, "{}", r.table());
}

#[test]
fn ipv6_agrees_with_linux_in_namespaces_but_for_an_ipv4_address_on_an_ipv6_socket() {
    // Line 13: connect() of an IPv4 address on an IPv6 TCP socket is EINVAL on Linux
    // (a sockaddr_in is too short), as in Linux mode; the textbook says EAFNOSUPPORT.
    replayed("examples/ipv6.scn", &[13], &[], None);
}

#[test]
fn dual_stack_agrees_with_linux_in_namespaces() {
    replayed("examples/dual-stack.scn", &[], &[], None);
}

#[test]
fn the_time_wait_tour_agrees_with_linux_in_namespaces_until_the_60_s_wait() {
    replayed("tours/time-wait.scn", &[], &[], Some(65));
}

#[test]
fn the_socket_structure_tour_agrees_with_linux_in_namespaces_but_for_closed_rows() {
    // Line 16: a socket only created has no row on Linux (nor in Linux mode); the
    // textbook lists it in CLOSED. Line 35: the engine shows the server's connection
    // in SYN_RCVD while the client's last ACK is on its way; over a veth it has
    // arrived already. The replay stops at the question that closes a descriptor
    // after moving the network.
    replayed("tours/socket-structure.scn", &[16], &[35], Some(56));
}
