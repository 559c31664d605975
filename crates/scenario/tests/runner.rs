//! How the runner carries statements out: the semantics of time, variables,
//! processes, run errors, stepping and replaying.

use sockscope_engine::{TcpState, MS, SEC};
use sockscope_scenario::*;

const TWO_HOSTS: &str = "host A 10.0.0.1\nhost B 10.0.0.2\n";

fn scenario(body: &str) -> Scenario {
    parse(&format!("{TWO_HOSTS}{body}")).unwrap_or_else(|e| panic!("{e}"))
}

fn report(body: &str) -> Report {
    run(&scenario(body))
}

/// The output, without the indented lines of segments on the wire.
fn text_lines(r: &Report) -> Vec<String> {
    r.lines
        .iter()
        .filter(|l| l.kind != LineKind::Wire)
        .map(|l| l.text.clone())
        .collect()
}

fn has_line(r: &Report, line: &str) -> bool {
    r.lines.iter().any(|l| l.text == line)
}

const LISTENING: &str = "B: l = socket(TCP); bind(l, *:80); listen(l, 5)\n";

#[test]
fn calls_print_their_c_result_and_errors_explain_the_errno() {
    let r = report("A: c = socket(TCP); bind(c, *:80)\nA: d = socket(TCP); bind(d, *:80)\n");
    assert_eq!(
        text_lines(&r)[2..],
        [
            "A: c = socket(TCP) = 3",
            "A: bind(c, *:80) = 0",
            "A: d = socket(TCP) = 4",
            "A: bind(d, *:80) = -1 EADDRINUSE (another socket structure already holds this local address and port)",
        ]
    );
}

#[test]
fn a_blocking_call_runs_the_network_until_it_returns_and_no_further() {
    let mut r = Runner::new(&scenario(&format!(
        "{LISTENING}A: c = socket(TCP); connect(c, 10.0.0.2:80)\n"
    )));
    r.run_to_end();
    let rep = r.report();
    assert!(rep.ok(), "{rep:?}");
    assert!(has_line(&rep, "A: connect(c, 10.0.0.2:80) blocks"));
    assert!(has_line(
        &rep,
        "A: connect(c, 10.0.0.2:80) returned 0 at t=100ms"
    ));
    // It stopped at the SYN+ACK's arrival: the final ACK is still on the wire.
    assert_eq!(r.world().now(), 100 * MS);
    assert_eq!(r.world().in_flight().count(), 1);
}

#[test]
fn an_ampersand_issues_the_call_without_moving_the_network() {
    let mut r = Runner::new(&scenario(&format!(
        "{LISTENING}A: c = socket(TCP); connect(c, 10.0.0.2:80) &\n"
    )));
    r.run_to_end();
    assert_eq!(r.world().now(), 0);
    let a = r.processes().iter().find(|p| p.label() == "A").unwrap();
    let state = r.world().socket_of(a.pid, a.vars["c"]).unwrap().state;
    assert_eq!(state, TcpState::SynSent);
    let rep = r.report();
    assert!(!rep.lines.iter().any(|l| l.kind == LineKind::Returned));
}

#[test]
fn a_call_left_blocked_when_the_world_is_idle_returns_later_and_sets_its_variable() {
    let r = report(&format!(
        "{LISTENING}B: s = accept(l)\nexpect blocked B\nA: c = socket(TCP); connect(c, 10.0.0.2:80)\nnet: run\nexpect state B s == ESTABLISHED\nexpect returned B == 4\n"
    ));
    assert!(r.ok(), "{:#?}", r.failures);
    assert!(has_line(&r, "B: s = accept(l) blocks"));
    assert!(r.lines.iter().any(|l| l.kind == LineKind::Returned
        && l.text
            .starts_with("B: s = accept(l) returned 4 (peer 10.0.0.1:")));
}

#[test]
fn a_call_on_a_blocked_process_is_a_run_error_naming_both_lines() {
    let r = report(&format!(
        "{LISTENING}B: s = accept(l)\nsay meanwhile\nB: close(l)\nsay never reached\n"
    ));
    let e = r.error.clone().expect("a run error");
    assert_eq!((e.line, e.col), (6, 4));
    assert!(
        e.kind.to_string().starts_with(
            "B is still blocked in `B: s = accept(l)` (line 4) and can make no other call"
        ),
        "{}",
        e.kind
    );
    assert!(
        !has_line(&r, "never reached"),
        "the run stops at a run error"
    );
}

#[test]
fn unknown_hosts_variables_and_processes_are_run_errors_with_their_line() {
    let cases = [
        (
            "C: c = socket(TCP)\n",
            "3:4: unknown host C; declare it first with `host C ADDRESS`",
        ),
        (
            "A: send(c, 10)\n",
            "3:4: A has no variable c; variables are set by `c = socket(...)`, accept or dup",
        ),
        (
            "expect blocked A/ghost\n",
            "3:1: there is no process A/ghost; a process is created by its first call",
        ),
        (
            "netstat Z\n",
            "3:1: unknown host Z; declare it first with `host Z ADDRESS`",
        ),
        (
            "host C 10.0.0.1\n",
            "3:1: address 10.0.0.1 already belongs to A",
        ),
        ("host A 10.0.0.9\n", "3:1: there is already a host named A"),
        (
            "net: restart A\n",
            "3:6: A is running; only a crashed host can restart",
        ),
        (
            "net: crash B\nB: c = socket(TCP)\n",
            "4:4: host B has crashed; it runs no programs until `net: restart B`",
        ),
    ];
    for (body, want) in cases {
        let e = report(body)
            .error
            .unwrap_or_else(|| panic!("{body}: no error"));
        assert_eq!(e.to_string(), want, "{body}");
    }
}

#[test]
fn a_run_error_has_a_kind_a_caller_can_match() {
    let r = report(&format!("{LISTENING}B: s = accept(l)\nB: close(l)\n"));
    let kind = r.error.expect("a run error").kind;
    assert!(
        matches!(&kind, CannotRun::Blocked { proc, line: 4, .. } if proc == "B"),
        "{kind:?}"
    );
    let r = report("A: close(c)\n");
    let kind = r.error.expect("a run error").kind;
    assert!(
        matches!(&kind, CannotRun::NoVariable { var, .. } if var == "c"),
        "{kind:?}"
    );
    let r = report("netstat C\n");
    assert_eq!(
        r.error.expect("a run error").kind,
        CannotRun::UnknownHost("C".into())
    );
}

#[test]
fn an_option_after_a_host_is_refused_at_run_time_too() {
    // The console and JSON bypass the parser's check; the runner keeps the rule.
    let mut r = Runner::new(&scenario(""));
    r.run_to_end();
    let st = &parse_line("option mss 100").unwrap()[0];
    let e = r.execute(st).unwrap_err();
    assert!(
        e.kind
            .to_string()
            .contains("options must come before the first host"),
        "{e}"
    );
}

#[test]
fn a_failed_expectation_is_recorded_and_the_run_goes_on() {
    let r = report("A: c = socket(TCP)\nexpect A: bind(c, 10.0.0.2:80) == 0\nsay still running\n");
    assert_eq!(r.passed, 0);
    assert_eq!(
        r.failures,
        vec![Failure {
            line: 4,
            col: 1,
            statement: "expect A: bind(c, 10.0.0.2:80) == 0".into(),
            expected: "0".into(),
            got: "EADDRNOTAVAIL".into(),
        }]
    );
    assert!(has_line(
        &r,
        "expect A: bind(c, 10.0.0.2:80) == 0: FAILED, got EADDRNOTAVAIL"
    ));
    assert!(has_line(&r, "still running"));
    assert!(r.error.is_none());
}

#[test]
fn minus_one_matches_any_failure_and_a_failed_socket_call_leaves_minus_one() {
    let r = report("A: c = socket(TCP); close(c)\nexpect A: close(c) == -1\nexpect A: d = dup(c) == EBADF\nexpect A: send(d, 1) == EBADF\n");
    assert!(r.ok(), "{:#?}", r.failures);
    assert!(has_line(
        &r,
        "A: send(d, 1) = -1 EBADF (this number is not an open descriptor of the process)"
    ));
}

#[test]
fn fork_copies_descriptors_and_variables_into_a_named_process() {
    let r = report(&format!(
        "{LISTENING}B: fork(child)\nexpect state B/child l == LISTEN\nB/child: close(l)\nexpect state B l == LISTEN\nB: fork(child)\n"
    ));
    assert_eq!(r.passed, 2, "{:#?}", r.failures);
    assert!(has_line(
        &r,
        "B: fork(child) = B/child (its own copy of the descriptors and variables)"
    ));
    assert_eq!(
        r.error.unwrap().kind.to_string(),
        "there is already a process B/child"
    );
}

#[test]
fn named_processes_are_created_by_their_first_call_with_their_own_variables() {
    let r = report("A/p: x = socket(UDP)\nA: x = socket(TCP)\nexpect A/p: close(x) == 0\nexpect A: close(x) == 0\n");
    assert!(r.ok(), "{:#?}", r.failures);
    // Each process has its own descriptor table: both sockets got descriptor 3.
    assert!(has_line(&r, "A/p: x = socket(UDP) = 3"));
    assert!(has_line(&r, "A: x = socket(TCP) = 3"));
}

#[test]
fn a_crash_ends_blocked_calls_and_a_restart_brings_a_fresh_process() {
    let r = report(&format!(
        "{LISTENING}B: s = accept(l)\nnet: crash B\nnet: restart B\nexpect not blocked B\nB: l2 = socket(TCP)\nexpect B: bind(l2, *:80) == 0\n"
    ));
    assert!(r.ok(), "{:?} {:#?}", r.error, r.failures);
    assert!(has_line(&r, "B: s = accept(l) never returns: B crashed"));
    assert!(has_line(&r, "B: l2 = socket(TCP) = 3"));
}

#[test]
fn the_deadlock_is_reported_with_who_waits_for_whom() {
    let r = run(&parse(
        "option sndbuf 500\noption rcvbuf 500\nhost A 10.0.0.1\nhost B 10.0.0.2\nB: l = socket(TCP); bind(l, *:7); listen(l, 5)\nA: c = socket(TCP); connect(c, 10.0.0.2:7)\nB: s = accept(l)\nA: send(c, 1500) &\nB: send(s, 1500)\nexpect deadlock\n",
    )
    .unwrap());
    assert!(r.ok(), "{:#?}", r.failures);
    let deadlock: Vec<&str> = r
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Deadlock)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(
        deadlock[1..],
        [
            "  A: send(c, 1500): 1000 of 1500 bytes done; own SendQ 500/500, peer's RecvQ 500/500; waits for B",
            "  B: send(s, 1500): 1000 of 1500 bytes done; own SendQ 500/500, peer's RecvQ 500/500; waits for A",
        ]
    );
}

#[test]
fn net_commands_move_the_clock_as_described() {
    let mut r = Runner::new(&scenario(&format!(
        "{LISTENING}A: c = socket(TCP); connect(c, 10.0.0.2:80) &\nnet: step\nnet: deliver 1\nnet: run\nnet: run 5s\n"
    )));
    let mut times = Vec::new();
    while let Some(step) = r.step() {
        step.unwrap();
        times.push(r.world().now());
    }
    // socket.. connect at 0; step sends nothing new (the SYN left at once): it is the
    // SYN's arrival at 50ms; deliver 1 brings the SYN+ACK; run delivers the last ACK.
    assert_eq!(
        times[times.len() - 4..],
        [50 * MS, 100 * MS, 150 * MS, 5 * SEC + 150 * MS]
    );
}

#[test]
fn path_settings_apply_per_direction() {
    let r = report(&format!(
        "{LISTENING}net: delay A -> B 1s\nA: c = socket(TCP); connect(c, 10.0.0.2:80)\n"
    ));
    // 1 s for the SYN there, the usual 50 ms for the SYN+ACK back.
    assert!(
        has_line(&r, "A: connect(c, 10.0.0.2:80) returned 0 at t=1.05s"),
        "{}",
        r.text()
    );
}

#[test]
fn drop_next_loses_exactly_one_segment() {
    let r = report(&format!("{LISTENING}net: drop next A -> B\nA: c = socket(TCP)\nexpect A: connect(c, 10.0.0.2:80) == 0\n"));
    assert!(r.ok());
    let lost: Vec<&String> = r
        .lines
        .iter()
        .map(|l| &l.text)
        .filter(|t| t.contains("dropped as asked"))
        .collect();
    assert_eq!(lost.len(), 1, "{}", r.text());
    assert!(lost[0].contains("A:32768 -> B:80  SYN"));
}

#[test]
fn every_statement_is_bounded_by_the_event_budget() {
    let mut r = Runner::new(&scenario(&format!(
        "{LISTENING}A: c = socket(TCP); connect(c, 10.0.0.2:80) &\nnet: run\n"
    )))
    .with_event_budget(2);
    r.run_to_end();
    let rep = r.report();
    assert!(rep.ok());
    assert!(
        rep.lines.iter().any(|l| l
            .text
            .starts_with("net: run: stopped after 2 events; the network is still busy")),
        "{}",
        rep.text()
    );
}

#[test]
fn stepping_yields_each_statements_output_in_turn() {
    let s = scenario("say one\nsay two; say three\n");
    let mut r = Runner::new(&s);
    let mut said = Vec::new();
    while let Some(out) = r.step() {
        said.extend(out.unwrap().into_iter().map(|l| (l.line, l.text)));
    }
    assert!(r.is_finished());
    assert_eq!(r.position(), s.statements.len());
    assert_eq!(
        said[2..],
        [(3, "one".to_string()), (4, "two; say three".to_string())]
    );
}

#[test]
fn replaying_to_a_statement_gives_the_same_world_as_stepping_there() {
    let s = parse(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/byte_stream.scn"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut stepped = Runner::new(&s);
    for n in 0..=s.statements.len() {
        let replayed = Runner::replay(&s, n);
        assert_eq!(replayed.position(), n);
        assert_eq!(
            replayed.world().snapshot(),
            stepped.world().snapshot(),
            "after {n} statements"
        );
        assert_eq!(replayed.lines(), stepped.lines());
        stepped.step();
    }
}

#[test]
fn the_same_scenario_always_prints_the_same_output() {
    let s = scenario(&format!(
        "{LISTENING}net: loss A <-> B 30%\nA: c = socket(TCP); connect(c, 10.0.0.2:80)\nB: s = accept(l)\nA: send(c, 20000)\nnet: run\n"
    ));
    assert_eq!(run(&s), run(&s));
}

#[test]
fn console_lines_run_after_the_scenario_on_the_same_world() {
    let mut r = Runner::new(&scenario(LISTENING));
    r.run_to_end();
    let mut out = Vec::new();
    for st in parse_line("A: c = socket(TCP); connect(c, 10.0.0.2:80)").unwrap() {
        out.extend(r.execute(&st).unwrap());
    }
    assert!(out
        .iter()
        .any(|l| l.text == "A: connect(c, 10.0.0.2:80) returned 0 at t=100ms"));
    let st = &parse_line("netstat B").unwrap()[0];
    let rows: Vec<String> = r.execute(st).unwrap().into_iter().map(|l| l.text).collect();
    assert_eq!(rows[0], "netstat B");
    assert_eq!(
        rows[2],
        "tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN"
    );
    assert!(rows[3].ends_with("SYN_RCVD"), "{rows:?}");
    // A failing console line is reported, and the runner carries on.
    let bad = &parse_line("A: send(zz, 1)").unwrap()[0];
    assert!(r.execute(bad).is_err());
    assert!(r.execute(st).is_ok());
}

#[test]
fn explain_prints_the_demultiplexers_table_naming_structures_by_variable() {
    let r = report("B: l = socket(TCP); bind(l, *:80); listen(l, 5)\nB: u = socket(UDP); bind(u, *:80)\nexplain B from 10.0.0.1:5000 to 10.0.0.2:80\nexplain B from 10.0.0.1:5000 to 10.0.0.2:81\n");
    let explain: Vec<&str> = r
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Explain)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(
        explain[0],
        "explain B TCP from 10.0.0.1:5000 to 10.0.0.2:80"
    );
    assert!(
        explain[1].starts_with("  Socket       Local Address"),
        "{explain:?}"
    );
    assert!(explain[2].starts_with("  l            0.0.0.0:80              0.0.0.0:*               LISTEN       yes   yes   yes   yes   3"));
    assert!(explain[2].ends_with("<- winner"));
    assert!(explain[3].starts_with("  the packet goes to l"));
    assert_eq!(explain.len(), 8, "{explain:?}");
    assert!(explain[6].contains("no"), "{explain:?}");
    assert_eq!(
        explain[7],
        "  no structure matches: the host would answer with a reset (RST)"
    );
}

#[test]
fn ss_prints_the_hosts_table_as_ss_does() {
    let r = report(&format!(
        "{LISTENING}A: c = socket(TCP); connect(c, 10.0.0.2:80) &\nnet: deliver 1\nss B\nnet: run\nss B\nss A\n"
    ));
    let lines = text_lines(&r);
    let at = |from: usize, stmt: &str| {
        let i = from + lines[from..].iter().position(|l| l == stmt).unwrap();
        (
            i,
            lines[i + 1..].iter().take(3).cloned().collect::<Vec<_>>(),
        )
    };
    let (first, syn) = at(0, "ss B");
    assert_eq!(
        syn[..3],
        [
            "State    Recv-Q Send-Q Local Address:Port Peer Address:Port Process",
            "LISTEN   0      5            0.0.0.0:80        0.0.0.0:*",
            "SYN-RECV 0      0           10.0.0.2:80       10.0.0.1:32768",
        ]
    );
    // Once the handshake is done the connection waits in the accept queue: ss
    // counts it in the listener's Recv-Q, beside the backlog in Send-Q.
    let (_, settled) = at(first + 1, "ss B");
    assert_eq!(
        settled[1..3],
        [
            "LISTEN 1      5            0.0.0.0:80        0.0.0.0:*",
            "ESTAB  0      0           10.0.0.2:80       10.0.0.1:32768",
        ]
    );
    let (_, client) = at(0, "ss A");
    assert_eq!(
        client[..2],
        [
            "State Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess",
            "ESTAB 0      0           10.0.0.1:32768     10.0.0.2:80",
        ]
    );
}

#[test]
fn option_behaviour_linux_makes_the_world_behave_as_linux_and_says_what_the_textbook_would_do() {
    let src = "option behaviour linux\nhost A 10.0.0.1\nhost B 10.0.0.2\nB: l = socket(TCP); bind(l, *:7); listen(l, 5)\nA: c = socket(TCP); connect(c, 10.0.0.2:7)\nB: s = accept(l)\nA: send(c, 300)\nnet: run\nB: close(s)\nnet: run\nA: recv(c, 100)\n";
    let scenario = sockscope_scenario::parse(src).unwrap();
    let mut r = sockscope_scenario::Runner::new(&scenario);
    r.run_to_end();
    let text: Vec<String> = r.lines().iter().map(|l| l.text.clone()).collect();
    assert_eq!(
        r.world().config().behaviour,
        sockscope_engine::Behaviour::Linux
    );
    assert!(
        text.contains(&"option behaviour linux".to_string()),
        "{text:#?}"
    );
    assert!(
        text.contains(&"  other mode: In the textbook model, close() would throw the 300 unread bytes away and send a FIN; the peer would read end of stream.".to_string()),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("A: recv(c, 100) = -1 ECONNRESET")),
        "{text:#?}"
    );
}

/// `option sndbuf` / `option rcvbuf` are SO_SNDBUF / SO_RCVBUF of every socket, so the
/// world's mode turns them into capacities as setsockopt() does: exact in the
/// textbook, doubled with Linux's minimums in Linux mode (as the kernel does when the
/// namespace replay sets them, crates/kernel-check/tests/namespaces.rs), whichever
/// of the options comes first.
#[test]
fn buffer_options_are_doubled_with_linux_minimums_in_linux_mode_and_exact_in_the_textbook() {
    let body = "host A 10.0.0.1\nhost B 10.0.0.2\nB: l = socket(TCP); bind(l, *:7); listen(l, 5)\nA: c = socket(TCP); connect(c, 10.0.0.2:7)\nB: s = accept(l)\nA: send(c, 3000) &\n";
    let capacities = |options: &str| {
        let scenario = sockscope_scenario::parse(&format!("{options}{body}")).unwrap();
        let mut r = sockscope_scenario::Runner::new(&scenario);
        r.run_to_end();
        let c = r.world().config();
        (
            c.sndbuf,
            c.rcvbuf,
            r.lines()
                .iter()
                .any(|l| l.text.ends_with("send(c, 3000) blocks")),
        )
    };
    let sizes = "option sndbuf 500\noption rcvbuf 500\n";
    assert_eq!(capacities(sizes), (500, 500, true));
    let linux = (4608, 1152, false);
    assert_eq!(
        capacities(&format!("option behaviour linux\n{sizes}")),
        linux
    );
    assert_eq!(
        capacities(&format!("{sizes}option behaviour linux\n")),
        linux
    );
}
