//! The engine against the Linux kernel, scenario by scenario.
//!
//! Each scenario is written once against `Stack` and run on the engine and then on
//! real sockets over 127.0.0.1 (ports chosen free at run time; every wait bounded).
//! Tests named after a course fact assert that the two transcripts agree; tests
//! named `linux_..._where_the_model_...` assert both sides of a deliberate
//! difference (listed in crates/engine/model.md, "Where Linux differs").
//!
//! Run with `cargo test -p sockscope-kernel-check -- --nocapture` to see the
//! transcripts side by side.
#![cfg(target_os = "linux")]

use sockscope_engine::{Behaviour, Errno, Shutdown, TcpState};
mod common;
use common::*;
use sockscope_kernel_check::{assert_agree, kernel, Fact, Kernel, Model, Sock, Stack, Transcript};
use std::net::SocketAddr;

use Errno::*;

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn lo2(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 2], port))
}

fn any(port: u16) -> SocketAddr {
    SocketAddr::from(([0, 0, 0, 0], port))
}

/// A listener on 127.0.0.1 with a free port.
fn listener(k: &mut dyn Stack, reuse: bool) -> (Sock, SocketAddr) {
    listener_at(k, lo(0), reuse)
}

/// A connection over 127.0.0.1, accepted, with the network settled.
fn pair(k: &mut dyn Stack, reuse: bool) -> Pair {
    let (l, server) = listener(k, reuse);
    connected(k, l, server)
}

// ----- connecting -----

fn closed_port(k: &mut dyn Stack, t: &mut Transcript) {
    let port = k.free_port();
    let c = k.socket();
    t.status("connect() to a port nobody uses", k.connect(c, lo(port)));
    t.bytes("recv() on the refused socket", k.recv(c, 100));
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    let (e, _) = agreeing(closed_port);
    assert_eq!(
        e.get("connect() to a port nobody uses"),
        &Fact::Status(Err(ECONNREFUSED))
    );
}

fn syn_before_listen(k: &mut dyn Stack, t: &mut Transcript) {
    let srv = k.socket();
    must(k.world(), "bind(127.0.0.1:0)", k.bind(srv, lo(0)));
    let addr = k.local_addr(srv);
    let c = k.socket();
    t.status(
        "connect() to a port that is bound, not listening",
        k.connect(c, addr),
    );
    t.status("server: listen()", k.listen(srv, 5));
    state(k, t, "listener row", addr, None);
    // A new socket: retrying on the refused one is a separate matter (see
    // `a_refused_socket_can_connect_again`).
    let c = k.socket();
    t.status("connect() again, now that it listens", k.connect(c, addr));
    k.settle();
    let client = k.local_addr(c);
    state(k, t, "client row", client, Some(addr));
    state(k, t, "server row, not accepted yet", addr, Some(client));
}

#[test]
fn a_syn_before_listen_is_refused_even_after_bind() {
    let (e, _) = agreeing(syn_before_listen);
    assert_eq!(
        e.get("connect() to a port that is bound, not listening"),
        &Fact::Status(Err(ECONNREFUSED))
    );
    assert_eq!(
        e.get("server row, not accepted yet"),
        &Fact::State(Some(TcpState::Established))
    );
}

fn data_before_accept(k: &mut dyn Stack, t: &mut Transcript) {
    let (l, server) = listener(k, false);
    let c = k.socket();
    t.status("client: connect()", k.connect(c, server));
    let client = k.local_addr(c);
    t.bytes("client: send(100) before accept()", k.send(c, 100));
    k.settle();
    state(k, t, "listener row", server, None);
    state(k, t, "un-accepted connection row", server, Some(client));
    row_recv_q(k, t, "Recv-Q of the un-accepted connection", server, client);
    let s = k.accept(l);
    t.status("server: accept()", s.map(|_| ()));
    let s = must(k.world(), "accept()", s);
    t.bytes("server: recv(1000)", k.recv(s, 1000));
}

#[test]
fn data_sent_before_accept_waits_in_the_unaccepted_structure() {
    let (e, _) = agreeing(data_before_accept);
    assert_eq!(
        e.get("Recv-Q of the un-accepted connection"),
        &Fact::Count(100)
    );
    assert_eq!(e.get("server: recv(1000)"), &Fact::Bytes(Ok(100)));
}

fn byte_stream(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    for n in [1000, 2000, 5000] {
        t.bytes(&format!("client: send({n})"), k.send(p.c, n));
    }
    k.settle();
    t.count("server RecvQ once everything arrived", k.queues(p.s).0);
    t.count(
        "client SendQ once everything is acknowledged",
        k.queues(p.c).1,
    );
    for n in [2000, 4000, 10000] {
        t.bytes(&format!("server: recv({n})"), k.recv(p.s, n));
    }
}

#[test]
fn recv_returns_what_is_there_across_send_boundaries() {
    let (e, _) = agreeing(byte_stream);
    assert_eq!(e.get("server: recv(10000)"), &Fact::Bytes(Ok(2000)));
}

fn reconnect(k: &mut dyn Stack, t: &mut Transcript) {
    let srv = k.socket();
    must(k.world(), "bind(127.0.0.1:0)", k.bind(srv, lo(0)));
    let addr = k.local_addr(srv);
    let c = k.socket();
    t.status(
        "connect() to a port that is bound, not listening",
        k.connect(c, addr),
    );
    must(k.world(), "listen()", k.listen(srv, 5));
    t.status(
        "connect() again on the same socket, now that it listens",
        k.connect(c, addr),
    );
}

/// POSIX leaves a socket's state after a failed connect() unspecified; Linux lets a
/// program simply try again, and so does the engine (a failed connect() forgets the
/// peer, leaving the structure bound but unconnected).
#[test]
fn a_refused_socket_can_connect_again() {
    agreeing(reconnect);
}

// ----- closing -----

fn closer_first(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    t.status("client: close()", k.close(p.c));
    k.settle();
    state(k, t, "client row (closed first)", p.client, Some(p.server));
    state(k, t, "server row", p.server, Some(p.client));
    t.bytes("server: recv(100) after the FIN", k.recv(p.s, 100));
    t.status("server: close()", k.close(p.s));
    k.settle();
    state(
        k,
        t,
        "client row after the server's FIN",
        p.client,
        Some(p.server),
    );
    state(
        k,
        t,
        "server row after the last ACK",
        p.server,
        Some(p.client),
    );
    state(k, t, "listener row", p.server, None);
}

#[test]
fn the_closer_goes_to_fin_wait_2_and_time_wait_the_other_through_close_wait() {
    let (e, _) = agreeing(closer_first);
    assert_eq!(
        e.get("client row (closed first)"),
        &Fact::State(Some(TcpState::FinWait2))
    );
    assert_eq!(e.get("server row"), &Fact::State(Some(TcpState::CloseWait)));
    assert_eq!(
        e.get("client row after the server's FIN"),
        &Fact::State(Some(TcpState::TimeWait))
    );
    assert_eq!(e.get("server row after the last ACK"), &Fact::State(None));
}

fn half_close(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    t.status(
        "client: shutdown(SHUT_WR)",
        k.shutdown(p.c, Shutdown::Write),
    );
    k.settle();
    state(k, t, "client row", p.client, Some(p.server));
    state(k, t, "server row", p.server, Some(p.client));
    t.bytes("server: recv(100) after the FIN", k.recv(p.s, 100));
    t.bytes(
        "server: send(300) to the half-closed client",
        k.send(p.s, 300),
    );
    k.settle();
    t.bytes(
        "client: recv(1000) after its own SHUT_WR",
        k.recv(p.c, 1000),
    );
    t.bytes("client: send(10) after SHUT_WR", k.send(p.c, 10));
    t.status("server: close()", k.close(p.s));
    k.settle();
    state(
        k,
        t,
        "client row after the server's FIN",
        p.client,
        Some(p.server),
    );
    state(
        k,
        t,
        "server row after the last ACK",
        p.server,
        Some(p.client),
    );
    t.bytes(
        "client: recv(1000) after the server's FIN",
        k.recv(p.c, 1000),
    );
    t.status("client: close()", k.close(p.c));
}

#[test]
fn shutdown_write_is_a_half_close_the_closer_can_still_receive() {
    let (e, _) = agreeing(half_close);
    assert_eq!(
        e.get("client: recv(1000) after its own SHUT_WR"),
        &Fact::Bytes(Ok(300))
    );
    assert_eq!(
        e.get("client: send(10) after SHUT_WR"),
        &Fact::Bytes(Err(EPIPE))
    );
}

// ----- binding -----

/// The server closes first, so its side of the connection sits in TIME_WAIT on the
/// listener's port. Returns (server address, client address).
fn time_wait_on_server(
    k: &mut dyn Stack,
    t: &mut Transcript,
    reuse: bool,
) -> (SocketAddr, SocketAddr) {
    let p = pair(k, reuse);
    t.status("server: close() the connection first", k.close(p.s));
    t.status("server: close() the listener", k.close(p.l));
    k.settle();
    t.status("client: close()", k.close(p.c));
    k.settle();
    state(
        k,
        t,
        "server's old connection row",
        p.server,
        Some(p.client),
    );
    (p.server, p.client)
}

fn time_wait_bind(k: &mut dyn Stack, t: &mut Transcript) {
    // Both incarnations of the server set SO_REUSEADDR (see the difference test).
    let (server, client) = time_wait_on_server(k, t, true);
    let plain = k.socket();
    t.status(
        "restarted server without SO_REUSEADDR: bind() to the old address",
        k.bind(plain, server),
    );
    let reuse = k.socket();
    must(k.world(), "SO_REUSEADDR", k.set_reuseaddr(reuse, true));
    t.status(
        "restarted server with SO_REUSEADDR: bind() to the old address",
        k.bind(reuse, server),
    );
    t.status("restarted server: listen()", k.listen(reuse, 5));
    state(
        k,
        t,
        "old connection row, still there",
        server,
        Some(client),
    );
    let c = k.socket();
    t.status("a new client: connect()", k.connect(c, server));
}

#[test]
fn bind_fails_with_eaddrinuse_during_time_wait_unless_so_reuseaddr() {
    let (e, _) = agreeing(time_wait_bind);
    assert_eq!(
        e.get("server's old connection row"),
        &Fact::State(Some(TcpState::TimeWait))
    );
    assert_eq!(
        e.get("restarted server without SO_REUSEADDR: bind() to the old address"),
        &Fact::Status(Err(EADDRINUSE))
    );
    assert_eq!(
        e.get("restarted server with SO_REUSEADDR: bind() to the old address"),
        &Fact::Status(Ok(()))
    );
}

fn bound(k: &mut dyn Stack, addr: SocketAddr, reuse: bool) -> (Sock, u16) {
    let s = k.socket();
    if reuse {
        must(k.world(), "SO_REUSEADDR", k.set_reuseaddr(s, true));
    }
    must(k.world(), "bind()", k.bind(s, addr));
    let port = k.local_addr(s).port();
    (s, port)
}

fn try_bind(k: &mut dyn Stack, addr: SocketAddr, reuse: bool) -> Result<(), Errno> {
    let s = k.socket();
    if reuse {
        must(k.world(), "SO_REUSEADDR", k.set_reuseaddr(s, true));
    }
    k.bind(s, addr)
}

fn bind_conflicts(k: &mut dyn Stack, t: &mut Transcript) {
    let (_, p) = bound(k, any(0), false);
    t.status("bind(127.0.0.1:P) beside *:P", try_bind(k, lo(p), false));
    let (_, q) = bound(k, lo(0), false);
    t.status("bind(*:Q) beside 127.0.0.1:Q", try_bind(k, any(q), false));
    t.status(
        "bind(127.0.0.2:Q) beside 127.0.0.1:Q",
        try_bind(k, lo2(q), false),
    );
    t.status(
        "bind(127.0.0.1:Q) beside 127.0.0.1:Q",
        try_bind(k, lo(q), false),
    );
    let (_, r) = bound(k, any(0), true);
    t.status(
        "both SO_REUSEADDR, no listener: bind(127.0.0.1:R) beside *:R",
        try_bind(k, lo(r), true),
    );
    let (l, s) = bound(k, lo(0), true);
    must(k.world(), "listen()", k.listen(l, 5));
    t.status(
        "both SO_REUSEADDR: bind(127.0.0.1:S) beside a listener on 127.0.0.1:S",
        try_bind(k, lo(s), true),
    );
}

#[test]
fn bind_conflicts_between_wildcard_and_specific_addresses() {
    let (e, _) = agreeing(bind_conflicts);
    assert_eq!(
        e.get("bind(127.0.0.1:P) beside *:P"),
        &Fact::Status(Err(EADDRINUSE))
    );
    assert_eq!(
        e.get("bind(127.0.0.2:Q) beside 127.0.0.1:Q"),
        &Fact::Status(Ok(()))
    );
}

// ----- finite buffers -----

const SMALL: u64 = 500;
const CALL: u64 = 1500;
const MAX_ROUNDS: usize = 100;

/// Both ends set SO_SNDBUF = SO_RCVBUF = 500 and send 1500 at a time, non-blocking,
/// and nobody reads: each sends until EAGAIN. Returns what each end sent and its
/// (SO_SNDBUF, SO_RCVBUF) as getsockopt() reports them.
fn mutual_send(k: &mut dyn Stack, t: &mut Transcript) -> [(u64, (u64, u64)); 2] {
    let l = k.socket();
    must(k.world(), "SO_SNDBUF", k.set_sndbuf(l, SMALL));
    must(k.world(), "SO_RCVBUF", k.set_rcvbuf(l, SMALL));
    must(k.world(), "bind()", k.bind(l, lo(0)));
    must(k.world(), "listen()", k.listen(l, 5));
    let server = k.local_addr(l);
    let c = k.socket();
    must(k.world(), "SO_SNDBUF", k.set_sndbuf(c, SMALL));
    must(k.world(), "SO_RCVBUF", k.set_rcvbuf(c, SMALL));
    must(k.world(), "connect()", k.connect(c, server));
    let s = must(k.world(), "accept()", k.accept(l));
    k.settle();
    for x in [c, s] {
        must(k.world(), "O_NONBLOCK", k.set_nonblocking(x, true));
    }
    let (mut sent, mut last) = ([0u64; 2], [Ok(0); 2]);
    for round in 0.. {
        assert!(round < MAX_ROUNDS, "{}: sending never stopped", k.world());
        for (i, x) in [c, s].into_iter().enumerate() {
            last[i] = k.send(x, CALL);
            sent[i] += last[i].unwrap_or(0);
        }
        k.settle();
        if last.iter().all(|r| *r == Err(EAGAIN)) {
            break;
        }
    }
    t.bytes("client: send(1500) once it stops", last[0]);
    t.bytes("server: send(1500) once it stops", last[1]);
    let ((c_rq, c_sq), (s_rq, s_sq)) = (k.queues(c), k.queues(s));
    t.holds(
        "client sent = client SendQ + server RecvQ",
        sent[0] == c_sq + s_rq,
    );
    t.holds(
        "server sent = server SendQ + client RecvQ",
        sent[1] == s_sq + c_rq,
    );
    let (cb, sb) = (k.buffers(c), k.buffers(s));
    t.holds(
        "client sent <= its SO_SNDBUF + the server's SO_RCVBUF",
        sent[0] <= cb.0 + sb.1,
    );
    t.holds(
        "server sent <= its SO_SNDBUF + the client's SO_RCVBUF",
        sent[1] <= sb.0 + cb.1,
    );
    t.holds("both sent something", sent[0] > 0 && sent[1] > 0);
    println!(
        "{}: sent client {} server {}; client RecvQ {c_rq} SendQ {c_sq}, server RecvQ {s_rq} \
         SendQ {s_sq}; SO_SNDBUF/SO_RCVBUF client {cb:?} server {sb:?}",
        k.world(),
        sent[0],
        sent[1]
    );
    [(sent[0], cb), (sent[1], sb)]
}

/// Linux mode: the same figures as Linux (doubled buffers, RecvQ half of SO_RCVBUF).
#[test]
fn both_ends_sending_more_than_sqs_plus_rqs_stop_with_full_queues_in_linux_mode() {
    let mut model = Model::with(Behaviour::Linux);
    let mut e = Transcript::new("engine");
    let engine = mutual_send(&mut model, &mut e);
    let mut kernel = Kernel::isolated();
    let mut k = Transcript::following("Linux", &e);
    let linux = mutual_send(&mut kernel, &mut k);
    assert_agree(&e, &k);
    assert_eq!(engine.map(|(_, b)| b), linux.map(|(_, b)| b));
    println!(
        "linux mode: engine sent {:?}, Linux sent {:?}",
        engine.map(|(n, _)| n),
        linux.map(|(n, _)| n)
    );
}

#[test]
fn both_ends_sending_more_than_sqs_plus_rqs_stop_with_full_queues() {
    let mut model = Model::default();
    let mut e = Transcript::new("engine");
    let engine = mutual_send(&mut model, &mut e);
    let mut kernel = Kernel::isolated();
    let mut k = Transcript::following("Linux", &e);
    let linux = mutual_send(&mut kernel, &mut k);
    assert_agree(&e, &k);
    // The engine: exactly SQS + RQS each, as MODEL.md §3 computes it.
    for (sent, bufs) in engine {
        assert_eq!(bufs, (SMALL, SMALL));
        assert_eq!(sent, 2 * SMALL);
    }
    // Linux: its own buffer sizes bound it; far less than each tried to send.
    for (sent, (snd, rcv)) in linux {
        assert!(sent <= snd + rcv && sent < CALL * MAX_ROUNDS as u64);
    }
}

// ----- wrong calls -----

fn wrong_calls(k: &mut dyn Stack, t: &mut Transcript) {
    let l = k.socket();
    t.bytes("recv() on a socket never connected", k.recv(l, 10));
    t.status(
        "shutdown() on a socket never connected",
        k.shutdown(l, Shutdown::Write),
    );
    t.status("bind(127.0.0.1:0)", k.bind(l, lo(0)));
    t.status("bind() a second time", k.bind(l, lo(0)));
    t.status("listen()", k.listen(l, 5));
    t.bytes("recv() on a listener", k.recv(l, 10));
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(l, true));
    t.status(
        "non-blocking accept() with nobody connecting",
        k.accept(l).map(|_| ()),
    );
    let server = k.local_addr(l);
    let c = k.socket();
    t.status("connect()", k.connect(c, server));
    t.status("connect() a second time", k.connect(c, server));
    t.status("listen() on a connected socket", k.listen(c, 5));
    k.settle();
    let s = must(k.world(), "accept()", k.accept(l));
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(s, true));
    t.bytes("non-blocking recv() with nothing to read", k.recv(s, 10));
}

#[test]
fn calls_in_the_wrong_state_fail_with_the_same_errno() {
    agreeing(wrong_calls);
}

// ----- where Linux differs -----

fn close_with_unread_data(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    t.bytes("client: send(100)", k.send(p.c, 100));
    k.settle();
    t.status("server: close() with 100 bytes unread", k.close(p.s));
    k.settle();
    state(k, t, "client row", p.client, Some(p.server));
    state(k, t, "server row", p.server, Some(p.client));
    t.bytes("client: recv(1000)", k.recv(p.c, 1000));
    t.bytes("client: send(10)", k.send(p.c, 10));
}

#[test]
fn linux_resets_on_close_with_unread_data_where_the_model_discards() {
    let (e, k) = differing(close_with_unread_data);
    // The engine (MODEL.md §5): the bytes are discarded, a FIN ends the stream, the
    // window stays 0; the client reads end of stream and may still send (in vain).
    assert_eq!(e.get("client row"), &Fact::State(Some(TcpState::CloseWait)));
    assert_eq!(e.get("server row"), &Fact::State(Some(TcpState::FinWait2)));
    assert_eq!(e.get("client: recv(1000)"), &Fact::Bytes(Ok(0)));
    assert_eq!(e.get("client: send(10)"), &Fact::Bytes(Ok(10)));
    // Linux: close() with unread data sends RST (RFC 2525): both rows are gone, the
    // client's recv() fails with ECONNRESET, and sending after that is EPIPE.
    assert_eq!(k.get("client row"), &Fact::State(None));
    assert_eq!(k.get("server row"), &Fact::State(None));
    assert_eq!(k.get("client: recv(1000)"), &Fact::Bytes(Err(ECONNRESET)));
    assert_eq!(k.get("client: send(10)"), &Fact::Bytes(Err(EPIPE)));
}

fn data_to_a_closed_socket(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    t.status("client: close()", k.close(p.c));
    k.settle();
    t.bytes("server: send(100) to the closed client", k.send(p.s, 100));
    k.settle();
    state(k, t, "client row", p.client, Some(p.server));
    state(k, t, "server row", p.server, Some(p.client));
    t.bytes("server: send(100) again", k.send(p.s, 100));
}

#[test]
fn linux_resets_when_data_reaches_a_closed_socket_where_the_model_shuts_the_window() {
    let (e, k) = differing(data_to_a_closed_socket);
    // The engine: the closed end advertises window 0 and keeps FIN_WAIT_2; the
    // bytes wait in the server's SendQ and further sends are accepted.
    assert_eq!(e.get("client row"), &Fact::State(Some(TcpState::FinWait2)));
    assert_eq!(e.get("server row"), &Fact::State(Some(TcpState::CloseWait)));
    assert_eq!(e.get("server: send(100) again"), &Fact::Bytes(Ok(100)));
    // Linux: the first send() succeeds (it only copies), the data reaches a socket
    // nobody can read and is answered with RST: both rows vanish and the next send()
    // fails with EPIPE.
    assert_eq!(
        k.get("server: send(100) to the closed client"),
        &Fact::Bytes(Ok(100))
    );
    assert_eq!(k.get("client row"), &Fact::State(None));
    assert_eq!(k.get("server row"), &Fact::State(None));
    assert_eq!(k.get("server: send(100) again"), &Fact::Bytes(Err(EPIPE)));
}

fn buffer_sizes(k: &mut dyn Stack, t: &mut Transcript) {
    for n in [SMALL, 8192] {
        let s = k.socket();
        must(k.world(), "SO_SNDBUF", k.set_sndbuf(s, n));
        must(k.world(), "SO_RCVBUF", k.set_rcvbuf(s, n));
        let (snd, rcv) = k.buffers(s);
        t.count(&format!("getsockopt(SO_SNDBUF) after setting {n}"), snd);
        t.count(&format!("getsockopt(SO_RCVBUF) after setting {n}"), rcv);
    }
}

#[test]
fn linux_doubles_and_rounds_up_so_sndbuf_and_so_rcvbuf_where_the_model_keeps_what_was_set() {
    let (e, k) = differing(buffer_sizes);
    let get = |t: &Transcript, label: &str| match t.get(label) {
        Fact::Count(n) => *n,
        other => panic!("{label}: {other}"),
    };
    for name in ["SO_SNDBUF", "SO_RCVBUF"] {
        // The engine: SQS and RQS are exactly what was set (MODEL.md §3 arithmetic).
        for n in [SMALL, 8192] {
            let label = format!("getsockopt({name}) after setting {n}");
            assert_eq!(get(&e, &label), n);
        }
        // Linux: the value is doubled (room for bookkeeping) ...
        let label = format!("getsockopt({name}) after setting 8192");
        assert_eq!(get(&k, &label), 2 * 8192);
        // ... and a small one is raised to a minimum of a few kB (2304 for
        // SO_RCVBUF, 4608 for SO_SNDBUF on current kernels).
        let label = format!("getsockopt({name}) after setting {SMALL}");
        assert!(get(&k, &label) > 2 * SMALL, "{label}: {}", get(&k, &label));
    }
}

fn linger_expires(k: &mut dyn Stack, t: &mut Transcript) {
    let l = k.socket();
    must(k.world(), "SO_RCVBUF", k.set_rcvbuf(l, SMALL));
    must(k.world(), "bind()", k.bind(l, lo(0)));
    must(k.world(), "listen()", k.listen(l, 5));
    let server = k.local_addr(l);
    let c = k.socket();
    must(k.world(), "SO_SNDBUF", k.set_sndbuf(c, SMALL));
    must(k.world(), "connect()", k.connect(c, server));
    let client = k.local_addr(c);
    let _s = must(k.world(), "accept()", k.accept(l));
    k.settle();
    // Fill the server's RecvQ and the client's SendQ: the FIN cannot go out.
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(c, true));
    let mut last = Ok(0);
    for _ in 0..MAX_ROUNDS {
        last = k.send(c, CALL);
        k.settle();
        if last == Err(EAGAIN) {
            break;
        }
    }
    t.bytes("client: send() until its SendQ is full", last);
    must(k.world(), "O_NONBLOCK off", k.set_nonblocking(c, false));
    must(k.world(), "SO_LINGER", k.set_linger(c, Some(1)));
    t.status("client: close() with SO_LINGER 1 s", k.close(c));
    k.settle();
    state(k, t, "client row after close()", client, Some(server));
}

#[test]
fn linux_close_returns_0_when_so_linger_expires_where_the_model_says_etimedout() {
    agreeing_in(Behaviour::Linux, linger_expires);
    let mut model = Model::default();
    let mut e = Transcript::new("engine");
    linger_expires(&mut model, &mut e);
    let mut kernel = Kernel::isolated();
    let mut k = Transcript::new("Linux");
    linger_expires(&mut kernel, &mut k);
    println!("{}", sockscope_kernel_check::facts::table(&e, &k).0);
    // Linux's close() did wait for the linger time (else "returns 0" proves nothing).
    let took = kernel.last_close_took();
    println!("Linux: close() with SO_LINGER 1 s took {took:?}");
    assert!(took >= std::time::Duration::from_millis(900), "{took:?}");
    for t in [&e, &k] {
        assert_eq!(
            t.get("client: send() until its SendQ is full"),
            &Fact::Bytes(Err(EAGAIN)),
            "{}",
            t.world()
        );
    }
    // The engine (MODEL.md §5): close() fails with ETIMEDOUT after l_linger seconds.
    assert_eq!(
        e.get("client: close() with SO_LINGER 1 s"),
        &Fact::Status(Err(ETIMEDOUT))
    );
    // Linux: close() waits l_linger seconds, then returns 0 all the same.
    assert_eq!(
        k.get("client: close() with SO_LINGER 1 s"),
        &Fact::Status(Ok(()))
    );
    // Both: the structure lives on in FIN_WAIT_1, its FIN still behind the data.
    let fin_wait_1 = Fact::State(Some(TcpState::FinWait1));
    assert_eq!(e.get("client row after close()"), &fin_wait_1);
    let seen = k.get("client row after close()");
    assert_eq!(*seen, fin_wait_1, "{seen}");
}

fn reuse_needs_both(k: &mut dyn Stack, t: &mut Transcript) {
    // The old server did not set SO_REUSEADDR; the restarted one does.
    let (server, _) = time_wait_on_server(k, t, false);
    t.status(
        "restarted server with SO_REUSEADDR: bind() beside TIME_WAIT",
        try_bind(k, server, true),
    );
    // A socket bound to *:P without SO_REUSEADDR; a new one with it.
    let (_, p) = bound(k, any(0), false);
    t.status(
        "with SO_REUSEADDR: bind(127.0.0.1:P) beside *:P bound without it",
        try_bind(k, lo(p), true),
    );
}

#[test]
fn linux_needs_so_reuseaddr_on_the_old_socket_too_where_the_model_asks_only_the_new_one() {
    let (e, k) = differing(reuse_needs_both);
    for label in [
        "restarted server with SO_REUSEADDR: bind() beside TIME_WAIT",
        "with SO_REUSEADDR: bind(127.0.0.1:P) beside *:P bound without it",
    ] {
        // The engine (MODEL.md §6): SO_REUSEADDR on the socket that binds is enough.
        assert_eq!(e.get(label), &Fact::Status(Ok(())), "engine: {label}");
        // Linux: both sockets must have set it (a TIME_WAIT structure keeps the
        // setting of the socket it came from, here the old listener's).
        assert_eq!(
            k.get(label),
            &Fact::Status(Err(EADDRINUSE)),
            "Linux: {label}"
        );
    }
    assert_eq!(
        k.get("server's old connection row"),
        &Fact::State(Some(TcpState::TimeWait))
    );
}

fn beside_a_listener(k: &mut dyn Stack, t: &mut Transcript) {
    // MODEL.md §6's reference case: listeners on *:99 and on 10.1.2.3:99.
    let (l, p) = bound(k, any(0), true);
    must(k.world(), "listen()", k.listen(l, 5));
    t.status(
        "both SO_REUSEADDR: bind(127.0.0.1:P) beside a listener on *:P",
        try_bind(k, lo(p), true),
    );
    let (l, q) = bound(k, lo(0), true);
    must(k.world(), "listen()", k.listen(l, 5));
    t.status(
        "both SO_REUSEADDR: bind(*:Q) beside a listener on 127.0.0.1:Q",
        try_bind(k, any(q), true),
    );
}

#[test]
fn linux_refuses_a_specific_address_beside_a_wildcard_listener_even_with_so_reuseaddr() {
    let (e, k) = differing(beside_a_listener);
    for label in [
        "both SO_REUSEADDR: bind(127.0.0.1:P) beside a listener on *:P",
        "both SO_REUSEADDR: bind(*:Q) beside a listener on 127.0.0.1:Q",
    ] {
        // The engine (MODEL.md §6, BSD behaviour): allowed, and demultiplexing
        // prefers the specific structure.
        assert_eq!(e.get(label), &Fact::Status(Ok(())), "engine: {label}");
        // Linux: no bind may overlap a listener's address and port.
        assert_eq!(
            k.get(label),
            &Fact::Status(Err(EADDRINUSE)),
            "Linux: {label}"
        );
    }
}

fn send_unconnected(k: &mut dyn Stack, t: &mut Transcript) {
    let s = k.socket();
    t.bytes("send() on a socket never connected", k.send(s, 10));
    let (l, _) = listener(k, false);
    t.bytes("send() on a listener", k.send(l, 10));
    let port = k.free_port();
    let c = k.socket();
    t.status("connect() to a port nobody uses", k.connect(c, lo(port)));
    t.bytes("send() on the refused socket", k.send(c, 10));
}

#[test]
fn linux_says_epipe_for_send_on_an_unconnected_socket_where_the_model_says_enotconn() {
    let (e, k) = differing(send_unconnected);
    for label in [
        "send() on a socket never connected",
        "send() on a listener",
        "send() on the refused socket",
    ] {
        assert_eq!(e.get(label), &Fact::Bytes(Err(ENOTCONN)), "engine: {label}");
        assert_eq!(k.get(label), &Fact::Bytes(Err(EPIPE)), "Linux: {label}");
    }
}

fn connect_listener(k: &mut dyn Stack, t: &mut Transcript) {
    let (l, addr) = listener(k, false);
    t.status("connect() on a listening socket", k.connect(l, addr));
}

#[test]
fn linux_says_eisconn_for_connect_on_a_listener_where_the_model_says_einval() {
    let (e, k) = differing(connect_listener);
    let label = "connect() on a listening socket";
    assert_eq!(e.get(label), &Fact::Status(Err(EINVAL)));
    assert_eq!(k.get(label), &Fact::Status(Err(EISCONN)));
}

fn nonblocking_listener(k: &mut dyn Stack, t: &mut Transcript) {
    let (l, server) = listener(k, false);
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(l, true));
    let c = k.socket();
    must(k.world(), "connect()", k.connect(c, server));
    k.settle();
    let s = must(k.world(), "accept()", k.accept(l));
    let nb = k.is_nonblocking(s);
    t.holds("the accepted socket is non-blocking", nb);
}

#[test]
fn linux_accepted_sockets_do_not_inherit_o_nonblocking_where_the_model_copies_it() {
    let (e, k) = differing(nonblocking_listener);
    let label = "the accepted socket is non-blocking";
    // The engine copies the listener's options, O_NONBLOCK included (BSD does too).
    assert_eq!(e.get(label), &Fact::Holds(true));
    // Linux: accept() returns a blocking socket unless asked (accept4 SOCK_NONBLOCK).
    assert_eq!(k.get(label), &Fact::Holds(false));
}

fn unread_fin(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    must(k.world(), "close()", k.close(p.c));
    k.settle();
    state(k, t, "server row", p.server, Some(p.client));
    row_recv_q(
        k,
        t,
        "server row's Recv-Q, FIN not read yet",
        p.server,
        p.client,
    );
    t.count("server's RecvQ by ioctl(FIONREAD)", k.queues(p.s).0);
}

#[test]
fn linux_ss_counts_an_unread_fin_in_recv_q_where_the_model_shows_0() {
    let (e, k) = differing(unread_fin);
    let label = "server row's Recv-Q, FIN not read yet";
    assert_eq!(e.get(label), &Fact::Count(0));
    assert_eq!(k.get("server row"), &Fact::State(Some(TcpState::CloseWait)));
    // ss prints rcv_nxt − copied_seq: the FIN's sequence number counts.
    assert_eq!(k.get(label), &Fact::Count(1));
    // The bytes a program could read agree: none.
    assert_eq!(e.get("server's RecvQ by ioctl(FIONREAD)"), &Fact::Count(0));
    assert_eq!(k.get("server's RecvQ by ioctl(FIONREAD)"), &Fact::Count(0));
}

#[test]
fn linux_lists_no_row_for_a_socket_that_is_only_bound_where_the_model_shows_closed() {
    // The engine (MODEL.md §1: one row per structure, every structure starts CLOSED).
    let mut m = Model::default();
    let s = m.socket();
    must("engine", "bind()", m.bind(s, lo(0)));
    let addr = m.local_addr(s);
    let rows = m.w.netstat(m.host);
    assert!(
        rows.iter()
            .any(|r| r.local == addr.to_string() && r.state == "CLOSED"),
        "{rows:?}"
    );
    // Linux mode: no row, as ss.
    let mut m = Model::with(Behaviour::Linux);
    let s = m.socket();
    must("engine", "bind()", m.bind(s, lo(0)));
    let addr = m.local_addr(s);
    let rows = m.w.netstat(m.host);
    assert!(
        !rows.iter().any(|r| r.local == addr.to_string()),
        "{rows:?}"
    );
    // Linux: ss (like netstat) lists only listening and connected structures.
    let mut k = Kernel::isolated();
    let s = k.socket();
    must("Linux", "bind()", k.bind(s, lo(0)));
    let addr = k.local_addr(s);
    let rows = kernel::ss_rows();
    assert!(!rows.iter().any(|r| r.local == addr), "{rows:?}");
    // Once it listens, both show it.
    must("Linux", "listen()", k.listen(s, 5));
    let listed = k.state(addr, None, None);
    assert_eq!(listed, Fact::State(Some(TcpState::Listen)), "{listed}");
}

// ----- more of the sockets API, compared in both modes -----

fn abortive_close(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    must(k.world(), "SO_LINGER 0", k.set_linger(p.c, Some(0)));
    t.status("client: close() with SO_LINGER 0", k.close(p.c));
    k.settle();
    state(k, t, "client row", p.client, Some(p.server));
    state(k, t, "server row", p.server, Some(p.client));
    t.bytes("server: recv(100)", k.recv(p.s, 100));
}

#[test]
fn close_with_so_linger_0_resets_the_connection_at_once() {
    let (e, _) = agreeing(abortive_close);
    // No FIN and no TIME_WAIT: an RST, and the peer learns of it on its next call.
    assert_eq!(e.get("client row"), &Fact::State(None));
    assert_eq!(e.get("server: recv(100)"), &Fact::Bytes(Err(ECONNRESET)));
}

fn nonblocking_connect(k: &mut dyn Stack, t: &mut Transcript) {
    let (_, server) = listener(k, false);
    let c = k.socket();
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(c, true));
    t.status("connect() without blocking", k.connect(c, server));
    k.settle();
    let client = k.local_addr(c);
    state(k, t, "client row once settled", client, Some(server));
    t.status("connect() again once connected", k.connect(c, server));
    t.status("connect() a third time", k.connect(c, server));
}

#[test]
fn linux_reports_a_completed_non_blocking_connect_once_with_0_where_the_model_says_eisconn() {
    let (e, k) = differing(nonblocking_connect);
    for t in [&e, &k] {
        assert_eq!(
            t.get("connect() without blocking"),
            &Fact::Status(Err(EINPROGRESS))
        );
        assert_eq!(
            t.get("client row once settled"),
            &Fact::State(Some(TcpState::Established))
        );
        assert_eq!(t.get("connect() a third time"), &Fact::Status(Err(EISCONN)));
    }
    // BSD and the textbook's idiom: connect() again says EISCONN once connected.
    assert_eq!(
        e.get("connect() again once connected"),
        &Fact::Status(Err(EISCONN))
    );
    // Linux reports the completion once, with 0.
    assert_eq!(
        k.get("connect() again once connected"),
        &Fact::Status(Ok(()))
    );
}

fn shut_read(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k, false);
    t.bytes("client: send(100)", k.send(p.c, 100));
    k.settle();
    t.status("server: shutdown(SHUT_RD)", k.shutdown(p.s, Shutdown::Read));
    t.bytes("server: recv(1000) after SHUT_RD", k.recv(p.s, 1000));
    t.bytes(
        "client: send(50) after the server's SHUT_RD",
        k.send(p.c, 50),
    );
    k.settle();
    t.bytes("server: recv(1000) again", k.recv(p.s, 1000));
}

#[test]
fn linux_keeps_bytes_after_shut_rd_where_the_model_throws_them_away() {
    let (e, k) = differing(shut_read);
    // The engine: SHUT_RD empties RecvQ and discards what still arrives.
    assert_eq!(
        e.get("server: recv(1000) after SHUT_RD"),
        &Fact::Bytes(Ok(0))
    );
    assert_eq!(e.get("server: recv(1000) again"), &Fact::Bytes(Ok(0)));
    // Linux: what was queued stays readable, and later bytes are queued too.
    assert_eq!(
        k.get("server: recv(1000) after SHUT_RD"),
        &Fact::Bytes(Ok(100))
    );
    assert_eq!(k.get("server: recv(1000) again"), &Fact::Bytes(Ok(50)));
}
