//! Captures of real programs: scenarios run on real sockets while tcpdump captures
//! loopback, and the TCP states the engine's reader and passive tracker infer from the
//! capture at each settle point are compared with what `ss` reported there (and its Recv-Q with
//! the most the capture allows)
//! (`sockscope_kernel_check::capture`). Each scenario prints how many states agree.
//!
//! The scenarios have the shapes of kernel.rs's closing and connecting comparisons,
//! written against the same `Stack` and making their connections the same way
//! (`common::listener_at`, `common::connected`). Each runs first on the engine in
//! Linux mode, whose transcript guides Linux's polls as in the comparisons.
//!
//! tcpdump is required (the test command installs it): without it the test fails.
//! The scenarios run one after another, each in a thread and a network namespace of
//! its own, so that no other program's traffic is in the capture and no spawn of
//! tcpdump copies another run's sockets.
#![cfg(target_os = "linux")]

mod common;
use common::{connected, listener_at, must, row_recv_q, state, Pair};
use sockscope_engine::{Behaviour, Shutdown};
use sockscope_kernel_check::capture::{self, Agreement, Scenario};
use sockscope_kernel_check::{Model, Stack, Transcript};
use std::net::SocketAddr;

/// A connection over loopback (::1 if `six`), accepted, with the network settled.
fn pair_on(k: &mut dyn Stack, six: bool) -> Pair {
    let at: SocketAddr = if six { "[::1]:0" } else { "127.0.0.1:0" }.parse().unwrap();
    let (l, server) = listener_at(k, at, false);
    connected(k, l, server)
}

/// Both rows of the connection, as ss shows them now.
fn both_rows(k: &mut dyn Stack, t: &mut Transcript, when: &str, p: &Pair) {
    state(
        k,
        t,
        &format!("client row {when}"),
        p.client,
        Some(p.server),
    );
    state(
        k,
        t,
        &format!("server row {when}"),
        p.server,
        Some(p.client),
    );
}

/// The client closes first; then the server: FIN_WAIT_2 / CLOSE_WAIT, then TIME_WAIT
/// and no row.
fn closer_first_on(k: &mut dyn Stack, t: &mut Transcript, six: bool) {
    let p = pair_on(k, six);
    both_rows(k, t, "once connected", &p);
    t.bytes("client: send(1000)", k.send(p.c, 1000));
    k.settle();
    both_rows(k, t, "after data", &p);
    row_recv_q(k, t, "server Recv-Q after data", p.server, p.client);
    t.status("client: close()", k.close(p.c));
    k.settle();
    both_rows(k, t, "after the client's close()", &p);
    t.bytes("server: recv(2000)", k.recv(p.s, 2000));
    t.status("server: close()", k.close(p.s));
    k.settle();
    both_rows(k, t, "after the server's close()", &p);
}

fn closer_first(k: &mut dyn Stack, t: &mut Transcript) {
    closer_first_on(k, t, false);
}

fn closer_first_ipv6(k: &mut dyn Stack, t: &mut Transcript) {
    closer_first_on(k, t, true);
}

/// shutdown(SHUT_WR) is a half close: the other end still sends.
fn half_close(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair_on(k, false);
    t.status(
        "client: shutdown(SHUT_WR)",
        k.shutdown(p.c, Shutdown::Write),
    );
    k.settle();
    both_rows(k, t, "after SHUT_WR", &p);
    t.bytes("server: send(300)", k.send(p.s, 300));
    k.settle();
    t.bytes("client: recv(1000)", k.recv(p.c, 1000));
    t.status("server: close()", k.close(p.s));
    k.settle();
    both_rows(k, t, "after the server's close()", &p);
}

/// A connection the listener has not accepted yet is ESTABLISHED on both ends, with
/// data waiting in it.
fn data_before_accept(k: &mut dyn Stack, t: &mut Transcript) {
    let l = k.socket();
    let lo: SocketAddr = "127.0.0.1:0".parse().unwrap();
    must(k.world(), "bind()", k.bind(l, lo));
    must(k.world(), "listen()", k.listen(l, 5));
    let server = k.local_addr(l);
    state(k, t, "listener row", server, None);
    let c = k.socket();
    t.status("client: connect()", k.connect(c, server));
    let client = k.local_addr(c);
    t.bytes("client: send(100) before accept()", k.send(c, 100));
    k.settle();
    state(k, t, "un-accepted connection row", server, Some(client));
    row_recv_q(k, t, "Recv-Q of the un-accepted connection", server, client);
    state(k, t, "client row", client, Some(server));
}

/// Linux resets a connection closed with unread data (RFC 2525): both rows go.
fn close_with_unread_data(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair_on(k, false);
    t.bytes("client: send(100)", k.send(p.c, 100));
    k.settle();
    t.status("server: close() with 100 bytes unread", k.close(p.s));
    k.settle();
    both_rows(k, t, "after the reset", &p);
}

const SCENARIOS: [(&str, Scenario); 5] = [
    ("closer_first", closer_first),
    ("closer_first_ipv6", closer_first_ipv6),
    ("half_close", half_close),
    ("data_before_accept", data_before_accept),
    ("close_with_unread_data", close_with_unread_data),
];

fn run(name: &str, scenario: Scenario) -> Agreement {
    let mut model = Model::with(Behaviour::Linux);
    let mut guide = Transcript::new("engine");
    scenario(&mut model, &mut guide);
    let a = capture::captured(name, scenario, &guide);
    println!("{a}");
    a
}

#[test]
fn states_inferred_from_tcpdump_captures_of_real_sockets_agree_with_ss_at_every_settle_point() {
    let results: Vec<Agreement> = SCENARIOS.iter().map(|(n, s)| run(n, *s)).collect();
    let total: usize = results.iter().map(|a| a.compared).sum();
    let agreed: usize = results.iter().map(|a| a.agreed).sum();
    println!("captures of real sockets: {agreed} of {total} facts agree with ss");
    for a in &results {
        assert!(a.compared > 0, "{}: nothing compared", a.scenario);
        // Cleaned up: tcpdump has exited and its file is gone.
        assert!(!a.file.exists(), "{} is left behind", a.file.display());
        let proc = format!("/proc/{}", a.tcpdump_pid);
        assert!(
            !std::path::Path::new(&proc).exists(),
            "tcpdump is still running"
        );
    }
    let differing: Vec<String> = results
        .iter()
        .filter(|a| a.agreed != a.compared)
        .map(|a| a.to_string())
        .collect();
    assert!(differing.is_empty(), "{}", differing.join("\n"));
}
