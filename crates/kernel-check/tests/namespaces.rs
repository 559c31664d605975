//! Every tour and every example scenario replayed on real sockets, each host a network
//! namespace with its own addresses, all on one bridge (root only: without it the tests
//! fail, they do not skip). Each `expect` whose answer timing does not decide is a
//! fact; the engine meets all of them in textbook mode (checked first), and
//! [`DECISIONS`] pins for each scenario how many facts agree, which ones Linux answers
//! otherwise and why, and where the replay stops, so a list that stopped being true
//! fails — and so does a tour or example without a decision. Linux mode (the same
//! scenario with `option behaviour linux`) is run too and must fail exactly where Linux
//! differs, saying what Linux says.
//! Run with `cargo test -p sockscope-kernel-check --test namespaces -- --nocapture` to
//! see the tables.
#![cfg(target_os = "linux")]

use sockscope_engine::Behaviour;
use sockscope_kernel_check::replay::{replay, Replay};
use sockscope_scenario::{Scenario, Setting, Statement, Stmt};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the replay of one scenario shows.
struct Decision {
    /// `tours/NAME.scn` or `examples/NAME.scn`.
    name: &'static str,
    /// Facts agreeing, of facts compared (not counting `timing` lines).
    agree: (usize, usize),
    /// Lines where Linux behaves otherwise, and Linux mode does what Linux does.
    differ: &'static [u32],
    /// Lines reading a moment the engine's network shows (a segment in flight, a
    /// call still waiting for it, bytes a send() left in SendQ before `net: run`)
    /// that real links have passed already, or nearly: compared and shown, but
    /// asserted neither way (Linux mode included).
    timing: &'static [u32],
    /// The line where the replay stops (`None`: it runs to the end). With `cut`,
    /// the test cuts the scenario there, because what follows depends on timing the
    /// replay cannot see (a race of two SYNs).
    stops: Option<u32>,
    cut: bool,
    /// Lines where the textbook agrees with Linux but Linux mode keeps a simplification
    /// model.md lists: Linux mode fails there, saying something else.
    kept: &'static [u32],
    /// Why it stops there, and what the differences are.
    why: &'static str,
}

/// A scenario replayed until the replay stops by itself.
const fn d(
    name: &'static str,
    agree: (usize, usize),
    (differ, timing): (&'static [u32], &'static [u32]),
    stops: Option<u32>,
    why: &'static str,
) -> Decision {
    Decision {
        name,
        agree,
        differ,
        timing,
        stops,
        cut: false,
        kept: &[],
        why,
    }
}

/// A decision with lines where Linux mode keeps a simplification.
const fn kept(d: Decision, lines: &'static [u32]) -> Decision {
    Decision { kept: lines, ..d }
}

/// A decision whose scenario is cut at its `stops` line.
const fn cut_at(d: Decision) -> Decision {
    Decision { cut: true, ..d }
}

/// A scenario replayed before line `at` only.
const fn cut(name: &'static str, at: u32, why: &'static str) -> Decision {
    Decision {
        name,
        agree: (0, 0),
        differ: &[],
        timing: &[],
        stops: Some(at),
        cut: true,
        kept: &[],
        why,
    }
}

const NONE: (&[u32], &[u32]) = (&[], &[]);
const SIMULTANEOUS: &str = "a simultaneous open needs both SYNs in flight at \
    once, and over a veth the first arrives (and is refused) before the other side connects";

/// One decision per tour and example.
#[rustfmt::skip]
const DECISIONS: &[Decision] = &[
    d("tours/socket-structure.scn", (28, 30), (&[16, 100], &[35]), None,
        "16, 100: a TCP socket only created or bound, and a UDP socket only created, have \
         no row on Linux (nor in Linux mode), the textbook lists them; 35: the server's \
         SYN_RCVD while the client's last ACK is on its way"),
    d("tours/byte-stream.scn", (3, 3), (&[], &[18, 19]), Some(22),
        "18-19: the engine's bytes wait in SendQ until the network is moved, Linux's \
         are in the peer's RecvQ at once; stops at a question that moves the network"),
    cut_at(kept(d("tours/finite-buffers.scn", (6, 6), (&[], &[23, 24, 25]), Some(46),
        "23-25: Linux's 1000-byte buffers are 4608 / 2304 bytes, so send() returns at \
         once and the bytes move at once; Linux mode's send() returns at once too, but its \
         bytes wait for `net: run`. 37: Linux's RecvQ holds two 500-byte segments (1000), \
         Linux mode's half of SO_RCVBUF (1152): per-segment bookkeeping is not modelled \
         (model.md). Cut at line 46: from there the tour's arithmetic is that of \
         1000-byte queues, which Linux cannot have"), &[37])),
    d("tours/deadlock.scn", (0, 0), (&[], &[24, 25, 26, 27, 29, 30]), Some(32),
        "four hosts. 24-30: 500-byte buffers are 4608 / 2304 bytes on Linux, so neither \
         send() blocks (as in Linux mode) and the bytes move at once (in Linux mode they \
         wait for `net: run`); stops at the 10 min wait"),
    d("tours/throughput.scn", (5, 5), (&[], &[26, 32, 35, 41, 42, 53, 54, 55, 61]), None,
        "four hosts. 26-61: slow start read every few hundred ms of the engine's 50 ms \
         links; a veth moves the 48 KiB at once (and Linux mode's send() does not block, \
         so `expect returned` reads another call); the end agrees"),
    d("tours/connect-errors.scn", (0, 0), (&[], &[12, 13]), Some(17),
        "12-13: connect() still waiting for the SYN's answer, which a veth brings at \
         once; stops at `net: deliver`"),
    d("tours/server-side.scn", (4, 4), NONE, Some(26), "three hosts; stops at `net: deliver`"),
    d("tours/closing.scn", (1, 1), NONE, Some(16), "four hosts; stops at `net: step`"),
    d("tours/time-wait.scn", (16, 16), NONE, Some(65),
        "stops at the 60 s wait for TIME_WAIT to end"),
    d("tours/demux.scn", (4, 5), (&[23], &[]), Some(60),
        "four hosts. 23: bind() to one address of a port a wildcard listener holds, with \
         SO_REUSEADDR on the new socket only: Linux refuses, as Linux mode does; \
         stops at `net: deliver`"),
    cut("tours/simultaneous-open.scn", 11, SIMULTANEOUS),
    d("tours/udp.scn", (3, 3), NONE, Some(40), "stops at `net: drop`"),
    d("examples/byte_stream.scn", (0, 0), (&[], &[12]), Some(14),
        "12: bytes in SendQ until the network moves; stops at `net: deliver`"),
    d("examples/crash.scn", (1, 1), NONE, Some(11), "stops at `net: deliver`"),
    d("examples/deadlock.scn", (0, 0), (&[], &[14, 15, 16, 17, 18, 19]), Some(20),
        "14-19: 500-byte buffers are 4608 / 2304 bytes on Linux, so neither send() \
         blocks (as in Linux mode) and the bytes move at once (in Linux mode they wait \
         for `net: run`); stops at the 10 min wait"),
    d("examples/demux.scn", (1, 1), NONE, None,
        "three hosts; the demultiplexer's choices are not shown by the kernel"),
    d("examples/dual-stack.scn", (3, 3), NONE, None, ""),
    d("examples/fork_and_dup.scn", (5, 5), NONE, None,
        "send() on the closed descriptor is not replayed: one descriptor table for \
         the whole test process"),
    d("examples/ipv6.scn", (2, 3), (&[13], &[]), None,
        "13: connect() of an IPv4 address on an IPv6 TCP socket is EINVAL on Linux \
         (a sockaddr_in is too short), as in Linux mode"),
    d("examples/linger.scn", (3, 3), NONE, Some(16), "stops at `net: loss`"),
    d("examples/refused.scn", (4, 4), NONE, None, ""),
    cut("examples/simultaneous_open.scn", 8, SIMULTANEOUS),
    d("examples/ss.scn", (1, 1), NONE, Some(19), "stops at `net: deliver`"),
    d("examples/time_wait.scn", (7, 8), (&[26], &[]), Some(29),
        "26: bind() with SO_REUSEADDR beside TIME_WAIT where the old socket did not \
         set it: Linux refuses, as Linux mode does; stops at the 60 s wait"),
    d("examples/timeout.scn", (0, 0), NONE, Some(5), "`net: loss` comes before any fact"),
    d("examples/udp.scn", (3, 3), NONE, Some(17),
        "a UDP socket's queue lengths are not compared (FIONREAD is one datagram's \
         size); stops at `net: drop`"),
];

/// Every tour and example, by the name [`DECISIONS`] uses, with its text.
fn every_scenario() -> BTreeMap<String, String> {
    let mut all: BTreeMap<String, String> = sockscope_scenario::tours::ALL
        .iter()
        .map(|t| (format!("tours/{}.scn", t.name), t.text.to_string()))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenario/examples");
    for entry in std::fs::read_dir(&dir).expect("the examples directory") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "scn") {
            let name = path.file_name().unwrap().to_string_lossy();
            let text = std::fs::read_to_string(&path).expect("an example is readable");
            all.insert(format!("examples/{name}"), text);
        }
    }
    all
}

/// The lines where the scenario's expectations fail in Linux mode, with what Linux
/// mode got, and the line where Linux mode cannot go on (a call blocked for good
/// where the scenario goes on calling), if any.
fn linux_mode_failures(scenario: &Scenario) -> (BTreeMap<u32, String>, Option<u32>) {
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
    let failures = report
        .failures
        .iter()
        .map(|f| (f.line, f.got.clone()))
        .collect();
    (failures, report.error.map(|e| e.line))
}

/// Replays one scenario and checks it against its decision; the problems found.
fn check(d: &Decision, text: &str) -> Vec<String> {
    let name = d.name;
    let mut scenario = sockscope_scenario::parse(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert!(
        sockscope_scenario::run(&scenario).ok(),
        "{name}: its expectations hold in the engine"
    );
    if let (true, Some(at)) = (d.cut, d.stops) {
        scenario.statements.retain(|s| s.line < at);
    }
    let r: Replay = replay(&scenario).unwrap_or_else(|e| {
        panic!("{name}: the namespaces could not be made ({e}); the replay needs root and `ip`")
    });
    let (linux_mode, linux_mode_ends) = linux_mode_failures(&scenario);
    let timed = |line: &u32| d.timing.contains(line);
    let facts: Vec<_> = r.facts.iter().filter(|f| !timed(&f.line)).collect();
    let got = (facts.iter().filter(|f| f.agrees).count(), facts.len());
    let shown = r.facts.len() - facts.len();
    // A scenario replayed as it is needs no reason: none is printed, not "()".
    let why = if d.why.is_empty() {
        String::new()
    } else {
        format!(" ({})", d.why)
    };
    let verdict = match (got, shown) {
        ((_, 0), 0) => format!("not replayed: {}", d.why),
        ((n, m), 0) => format!("replayed: {n}/{m} agree{why}"),
        ((n, m), k) => format!("replayed: {n}/{m} agree, {k} shown at moments timing decides{why}"),
    };
    println!("{name}: {verdict}\n{}", r.table());
    let mut problems = Vec::new();
    let mut want = |what: &str, ok: bool, detail: String| {
        if !ok {
            problems.push(format!("{name}: {what}: {detail}"));
        }
    };
    want(
        "facts agreeing, of compared",
        got == d.agree,
        format!("{got:?}"),
    );
    let disagree: BTreeSet<u32> = facts.iter().filter(|f| !f.agrees).map(|f| f.line).collect();
    let expected: BTreeSet<u32> = d.differ.iter().copied().collect();
    want(
        "the lines where Linux differs",
        disagree == expected,
        format!("{disagree:?}"),
    );
    // Linux mode fails exactly where Linux behaves otherwise, among the lines
    // compared, and says there what Linux says.
    for f in &facts {
        if let Some(end) = linux_mode_ends {
            want(
                &format!("line {} in Linux mode", f.line),
                f.line < end,
                format!("Linux mode stopped at line {end}"),
            );
        }
        let mode = linux_mode.get(&f.line);
        let differs = d.differ.contains(&f.line);
        let kept = d.kept.contains(&f.line);
        want(
            &format!("line {} in Linux mode", f.line),
            mode.is_some() == (differs || kept),
            format!("Linux mode got {mode:?}, Linux {}", f.linux),
        );
        if let (true, Some(m)) = (differs, mode) {
            want(
                &format!("line {}: Linux mode against Linux", f.line),
                *m == f.linux,
                format!("Linux mode {m}, Linux {}", f.linux),
            );
        }
    }
    let stopped = r.stopped.as_ref().map(|(line, _)| *line);
    let stops = if d.cut { None } else { d.stops };
    want(
        "where the replay stops",
        stopped == stops,
        format!("{:?}", r.stopped),
    );
    problems
}

#[test]
fn every_tour_and_example_is_replayed_in_namespaces_or_says_why_not() {
    let all = every_scenario();
    let decided: BTreeSet<&str> = DECISIONS.iter().map(|d| d.name).collect();
    let undecided: Vec<&String> = all
        .keys()
        .filter(|n| !decided.contains(n.as_str()))
        .collect();
    assert!(undecided.is_empty(), "no replay decision for {undecided:?}");
    let mut problems = Vec::new();
    for d in DECISIONS {
        let text = all
            .get(d.name)
            .unwrap_or_else(|| panic!("{}: no such scenario", d.name));
        problems.extend(check(d, text));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
