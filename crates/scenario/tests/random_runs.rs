//! Random but well-formed scenarios: the runner never panics, always prints the same
//! output for the same scenario, and leaves the engine consistent.
#![cfg(not(target_arch = "wasm32"))]

mod strategies;

use proptest::prelude::*;
use proptest::sample::select;
use sockscope_scenario::{parse, Runner};

fn var() -> impl Strategy<Value = &'static str> {
    select(vec!["x", "y", "z"])
}

fn addr() -> impl Strategy<Value = String> {
    (
        select(vec!["10.0.0.1", "10.0.0.2", "10.0.0.9"]),
        select(vec![80u16, 81, 0]),
    )
        .prop_map(|(ip, port)| format!("{ip}:{port}"))
}

fn size() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..3, 1u64..3000, Just(20_000)]
}

fn amp() -> impl Strategy<Value = &'static str> {
    select(vec!["", "", " &"])
}

fn call() -> impl Strategy<Value = String> {
    prop_oneof![
        (var(), select(vec!["TCP", "UDP"])).prop_map(|(v, p)| format!("{v} = socket({p})")),
        (
            var(),
            select(vec!["*:80", "*:81", "*:0", "10.0.0.1:80", "10.0.0.2:80"])
        )
            .prop_map(|(v, a)| format!("bind({v}, {a})")),
        (var(), 0u32..3).prop_map(|(v, n)| format!("listen({v}, {n})")),
        (var(), addr(), amp()).prop_map(|(v, a, amp)| format!("connect({v}, {a}){amp}")),
        (var(), var(), amp()).prop_map(|(v, l, amp)| format!("{v} = accept({l}){amp}")),
        (var(), size(), amp()).prop_map(|(v, n, amp)| format!("send({v}, {n}){amp}")),
        (var(), size(), amp()).prop_map(|(v, n, amp)| format!("recv({v}, {n}){amp}")),
        (var(), size(), addr()).prop_map(|(v, n, a)| format!("sendto({v}, {n}, {a})")),
        (var(), size(), amp()).prop_map(|(v, n, amp)| format!("recvfrom({v}, {n}){amp}")),
        (var(), select(vec!["SHUT_RD", "SHUT_WR", "SHUT_RDWR"]))
            .prop_map(|(v, h)| format!("shutdown({v}, {h})")),
        (var(), amp()).prop_map(|(v, amp)| format!("close({v}){amp}")),
        (
            var(),
            select(vec![
                "SO_SNDBUF, 700",
                "SO_RCVBUF, 300",
                "SO_LINGER, 0",
                "SO_LINGER, 1",
                "SO_LINGER, off",
                "SO_REUSEADDR, 1"
            ])
        )
            .prop_map(|(v, o)| format!("setsockopt({v}, {o})")),
        (var(), select(vec!["SO_SNDBUF", "SO_LINGER"]))
            .prop_map(|(v, o)| format!("getsockopt({v}, {o})")),
        (var(), var()).prop_map(|(v, w)| format!("{v} = dup({w})")),
        (var(), select(vec!["O_NONBLOCK", "0"])).prop_map(|(v, f)| format!("fcntl({v}, {f})")),
    ]
}

/// A forged segment on the prelude's connection, either way, numbered around what the
/// receiver expects (`net: inject`).
fn forgery() -> impl Strategy<Value = String> {
    let ends = [
        "10.0.0.1:32768 to 10.0.0.2:80",
        "10.0.0.2:80 to 10.0.0.1:32768",
    ];
    (
        select(ends.to_vec()),
        select(vec!["ACK", "RST", "FIN+ACK", "SYN", "RST+ACK"]),
        -2000i32..2000,
        select(vec!["", " len=100", " len=1200 win=0"]),
    )
        .prop_map(|(e, f, seq, len)| format!("net: inject TCP from {e} {f} seq={seq:+}{len}"))
}

fn proc_() -> impl Strategy<Value = &'static str> {
    select(vec!["A", "B", "A/p", "B/q"])
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (proc_(), call()).prop_map(|(p, c)| format!("{p}: {c}")),
        1 => (proc_(), select(vec!["p", "q", "r"])).prop_map(|(p, c)| format!("{p}: fork({c})")),
        1 => (1u64..6).prop_map(|n| format!("net: deliver {n}")),
        1 => (1u64..6).prop_map(|n| format!("net: step {n}")),
        1 => Just("net: run".to_string()),
        1 => select(vec!["1s", "30s", "2min"]).prop_map(|d| format!("net: run {d}")),
        1 => select(vec!["A -> B", "B -> A", "A <-> B"]).prop_map(|l| format!("net: drop next {l}")),
        1 => (select(vec!["A -> B", "B <-> A"]), select(vec!["0%", "20%", "100%"]))
            .prop_map(|(l, p)| format!("net: loss {l} {p}")),
        1 => (select(vec!["A -> B", "B -> A"]), select(vec!["1ms", "50ms", "2s"]))
            .prop_map(|(l, d)| format!("net: delay {l} {d}")),
        1 => (select(vec!["A -> B", "B -> A"]), select(vec!["0%", "30%"]), select(vec!["5ms", "80ms"]))
            .prop_map(|(l, p, d)| format!("net: reorder {l} {p} {d}")),
        1 => (select(vec!["A -> B", "B -> A"]), select(vec!["0%", "40%"]))
            .prop_map(|(l, p)| format!("net: duplicate {l} {p}")),
        1 => forgery(),
        1 => select(vec!["net: crash A", "net: crash B", "net: restart A", "net: restart B"])
            .prop_map(str::to_string),
        1 => (proc_(), var(), select(vec!["sendq", "recvq", "state"])).prop_map(|(p, v, q)| {
            if q == "state" {
                format!("expect state {p} {v} == ESTABLISHED")
            } else {
                format!("expect {q} {p} {v} == 0")
            }
        }),
        1 => (proc_(), call()).prop_map(|(p, c)| format!("expect {p}: {c} == 0")),
        1 => select(vec!["expect deadlock", "expect no deadlock", "expect blocked A", "expect returned B == 0", "netstat A", "netstat B"])
            .prop_map(str::to_string),
        1 => addr().prop_map(|a| format!("explain B from 10.0.0.1:5000 to {a}")),
        1 => (proc_(), var(), addr()).prop_map(|(p, v, a)| format!("expect demux {p} from 10.0.0.9:1 to {a} == {v}")),
    ]
}

fn scenario() -> impl Strategy<Value = String> {
    (
        select(vec![
            "",
            "option sndbuf 800\noption rcvbuf 600\n",
            "option mss 500\noption loss 10%\n",
            "option seed 7\noption initial_cwnd 4\n",
        ]),
        proptest::collection::vec(line(), 0..40),
    )
        .prop_map(|(opts, lines)| format!("{opts}{PRELUDE}{}\n", lines.join("\n")))
}

/// Two hosts with a connection, a listener and UDP sockets, so that random calls
/// find something to act on.
const PRELUDE: &str = "host A 10.0.0.1
host B 10.0.0.2 10.0.0.9
B: x = socket(TCP); bind(x, *:80); listen(x, 5)
A: x = socket(TCP); connect(x, 10.0.0.2:80)
B: y = accept(x)
A: y = socket(UDP); z = socket(TCP)
B: z = socket(UDP); bind(z, *:81)
";

/// Steps through every statement, going on past run errors as the app's console does,
/// and checks the engine's invariants (byte conservation included) after each.
fn run_all(text: &str) -> (Vec<String>, Runner) {
    let s = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut r = Runner::new(&s).with_event_budget(20_000);
    let mut out = Vec::new();
    while let Some(step) = r.step() {
        match step {
            Ok(lines) => out.extend(lines.into_iter().map(|l| l.text)),
            Err(e) => out.push(format!("error {e}")),
        }
        if let Err(broken) = r.world().check_invariants() {
            panic!(
                "engine invariant broken after statement {}: {broken}\n{text}",
                r.position()
            );
        }
    }
    (out, r)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(strategies::cases(300)))]

    #[test]
    fn random_scenarios_run_deterministically_without_panics(text in scenario()) {
        let (first, runner) = run_all(&text);
        let (second, _) = run_all(&text);
        prop_assert_eq!(&first, &second);
        prop_assert!(runner.is_finished());
    }
}
