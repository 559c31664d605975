//! Addresses against the Linux kernel: the wildcard written as C writes it, IPv6 over
//! `::1`, a dual-stack listener taking an IPv4 client (shown IPv4-mapped, as `ss` and
//! getpeername() give it), IPV6_V6ONLY, and the bind conflicts between the families.
//!
//! Each scenario is written once against `Stack`; `agreeing` runs it on the engine, in
//! both modes, and on real sockets over the loopback interface and compares the
//! transcripts.
//! Run with `cargo test -p sockscope-kernel-check --test addresses -- --nocapture` to
//! see them side by side.
#![cfg(target_os = "linux")]

use sockscope_engine::{Errno, TcpState};
mod common;
use common::*;
use sockscope_kernel_check::{Fact, Stack, Transcript};
use std::net::SocketAddr;

use Errno::*;

fn a(text: String) -> SocketAddr {
    text.parse().unwrap()
}

/// An IPv6 listener bound to `text` (a `{}` in it is the port), IPV6_V6ONLY or not;
/// returns it and its port.
fn listener6(k: &mut dyn Stack, text: &str, v6only: bool) -> (sockscope_kernel_check::Sock, u16) {
    let l = k.socket6();
    if v6only {
        must(k.world(), "IPV6_V6ONLY", k.set_v6only(l, true));
    }
    let port = k.free_port();
    let at = text.replace("{}", &port.to_string());
    must(k.world(), &format!("bind({at})"), k.bind_written(l, &at));
    must(k.world(), "listen()", k.listen(l, 5));
    (l, port)
}

// ----- the wildcard as C writes it -----

fn wildcard_spellings(k: &mut dyn Stack, t: &mut Transcript) {
    let p = k.free_port();
    let l4 = k.socket();
    t.status(
        "bind(0.0.0.0:P)",
        k.bind_written(l4, &format!("0.0.0.0:{p}")),
    );
    t.status("listen() on 0.0.0.0:P", k.listen(l4, 5));
    state(k, t, "row 0.0.0.0:P", a(format!("0.0.0.0:{p}")), None);
    let q = k.free_port();
    let l6 = k.socket6();
    must(k.world(), "IPV6_V6ONLY", k.set_v6only(l6, true));
    t.status("bind([::]:Q)", k.bind_written(l6, &format!("[::]:{q}")));
    t.status("listen() on [::]:Q", k.listen(l6, 5));
    state(k, t, "row [::]:Q", a(format!("[::]:{q}")), None);
    let c4 = k.socket();
    t.status(
        "connect(127.0.0.1:P)",
        k.connect(c4, a(format!("127.0.0.1:{p}"))),
    );
    let c6 = k.socket6();
    t.status("connect([::1]:Q)", k.connect(c6, a(format!("[::1]:{q}"))));
    // The same wildcard spelled `*` is the same address: the port is taken.
    let again4 = k.socket();
    t.status(
        "bind(*:P) beside 0.0.0.0:P",
        k.bind_written(again4, &format!("*:{p}")),
    );
    let again6 = k.socket6();
    must(k.world(), "IPV6_V6ONLY", k.set_v6only(again6, true));
    t.status(
        "bind(*:Q) beside [::]:Q",
        k.bind_written(again6, &format!("*:{q}")),
    );
    // The other family's wildcard does not fit an IPv4 socket.
    let wrong = k.socket();
    let r = k.free_port();
    t.status(
        "IPv4 socket: bind([::]:R)",
        k.bind_written(wrong, &format!("[::]:{r}")),
    );
}

#[test]
fn the_wildcard_written_0_0_0_0_or_in6addr_any_binds_every_address() {
    let (e, _) = agreeing(wildcard_spellings);
    assert_eq!(e.get("bind(0.0.0.0:P)"), &Fact::Status(Ok(())));
    assert_eq!(e.get("bind([::]:Q)"), &Fact::Status(Ok(())));
    assert_eq!(e.get("row [::]:Q"), &Fact::State(Some(TcpState::Listen)));
    assert_eq!(
        e.get("bind(*:P) beside 0.0.0.0:P"),
        &Fact::Status(Err(EADDRINUSE))
    );
    assert_eq!(
        e.get("IPv4 socket: bind([::]:R)"),
        &Fact::Status(Err(EAFNOSUPPORT))
    );
}

fn ipv4_wildcard_on_an_ipv6_socket(k: &mut dyn Stack, t: &mut Transcript) {
    let s = k.socket6();
    let p = k.free_port();
    t.status(
        "IPv6 socket: bind(0.0.0.0:P)",
        k.bind_written(s, &format!("0.0.0.0:{p}")),
    );
}

/// C passes a `struct sockaddr_in` (16 bytes) where AF_INET6 wants a
/// `sockaddr_in6`: Linux refuses the short length first (EINVAL); the engine names
/// the family (EAFNOSUPPORT), as it does for an IPv6 address on an IPv4 socket.
#[test]
fn linux_says_einval_for_an_ipv4_address_on_an_ipv6_socket_where_the_model_says_eafnosupport() {
    let (e, k) = differing(ipv4_wildcard_on_an_ipv6_socket);
    let label = "IPv6 socket: bind(0.0.0.0:P)";
    assert_eq!(e.get(label), &Fact::Status(Err(EAFNOSUPPORT)));
    assert_eq!(k.get(label), &Fact::Status(Err(EINVAL)));
}

fn ipv4_destination_on_an_ipv6_socket(k: &mut dyn Stack, t: &mut Transcript) {
    let r = k.udp_socket();
    let to = a("127.0.0.1:0".into());
    must(k.world(), "bind(127.0.0.1:0)", k.bind(r, to));
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(r, true));
    let to = k.local_addr(r);
    let tcp = k.socket6();
    t.status("IPv6 TCP socket: connect(127.0.0.1:P)", k.connect(tcp, to));
    let udp = k.udp_socket6();
    t.bytes(
        "IPv6 UDP socket: sendto(127.0.0.1:P)",
        k.send_to(udp, 10, to),
    );
    k.settle();
    t.bytes("the IPv4 receiver: recv(100)", k.recv(r, 100));
    let only = k.udp_socket6();
    must(k.world(), "IPV6_V6ONLY", k.set_v6only(only, true));
    t.bytes(
        "IPV6_V6ONLY UDP socket: sendto(127.0.0.1:P)",
        k.send_to(only, 10, to),
    );
    t.status(
        "IPV6_V6ONLY UDP socket: connect(127.0.0.1:P)",
        k.connect(only, to),
    );
}

/// connect() and sendto() with a `struct sockaddr_in` on an AF_INET6 socket: Linux
/// refuses TCP's as too short (EINVAL) and takes UDP's as the IPv4-mapped address
/// (dual stack), unless IPV6_V6ONLY; the model names the family (EAFNOSUPPORT).
#[test]
fn linux_refuses_an_ipv4_destination_on_an_ipv6_tcp_socket_with_einval_and_maps_it_for_udp() {
    let (e, k) = differing(ipv4_destination_on_an_ipv6_socket);
    for label in [
        "IPv6 TCP socket: connect(127.0.0.1:P)",
        "IPV6_V6ONLY UDP socket: connect(127.0.0.1:P)",
    ] {
        assert_eq!(e.get(label), &Fact::Status(Err(EAFNOSUPPORT)), "{label}");
    }
    let label = "IPv6 UDP socket: sendto(127.0.0.1:P)";
    assert_eq!(e.get(label), &Fact::Bytes(Err(EAFNOSUPPORT)));
    assert_eq!(k.get(label), &Fact::Bytes(Ok(10)));
    assert_eq!(
        k.get("IPv6 TCP socket: connect(127.0.0.1:P)"),
        &Fact::Status(Err(EINVAL))
    );
    assert_eq!(
        e.get("the IPv4 receiver: recv(100)"),
        &Fact::Bytes(Err(EAGAIN))
    );
    assert_eq!(k.get("the IPv4 receiver: recv(100)"), &Fact::Bytes(Ok(10)));
    assert_eq!(
        k.get("IPV6_V6ONLY UDP socket: sendto(127.0.0.1:P)"),
        &Fact::Bytes(Err(ENETUNREACH))
    );
    assert_eq!(
        k.get("IPV6_V6ONLY UDP socket: connect(127.0.0.1:P)"),
        &Fact::Status(Err(EAFNOSUPPORT))
    );
}

// ----- IPv6 over ::1 -----

fn ipv6_connection(k: &mut dyn Stack, t: &mut Transcript) {
    let (l, p) = listener6(k, "[::1]:{}", false);
    let server = a(format!("[::1]:{p}"));
    state(k, t, "listener [::1]:P", server, None);
    let c = k.socket6();
    t.status("connect([::1]:P)", k.connect(c, server));
    let client = k.local_addr(c);
    t.holds(
        "the client's address is ::1",
        client.ip().to_string() == "::1",
    );
    let s = must(k.world(), "accept()", k.accept(l));
    t.holds("accept()'s peer is the client", k.peer_addr(s) == client);
    k.settle();
    state(k, t, "server row", server, Some(client));
    state(k, t, "client row", client, Some(server));
    t.bytes("send(100)", k.send(c, 100));
    k.settle();
    t.bytes("recv(1000)", k.recv(s, 1000));
    t.status("client close()", k.close(c));
    k.settle();
    state(
        k,
        t,
        "server row after the client's FIN",
        server,
        Some(client),
    );
    state(
        k,
        t,
        "client row after the client's FIN",
        client,
        Some(server),
    );
    t.bytes("server recv() at end of stream", k.recv(s, 1000));
    t.status("server close()", k.close(s));
    k.settle();
    state(k, t, "client row at the end", client, Some(server));
    state(k, t, "server row at the end", server, Some(client));
}

#[test]
fn ipv6_over_loopback_connects_carries_data_and_closes_like_ipv4() {
    let (e, _) = agreeing(ipv6_connection);
    assert_eq!(
        e.get("server row"),
        &Fact::State(Some(TcpState::Established))
    );
    assert_eq!(e.get("recv(1000)"), &Fact::Bytes(Ok(100)));
    assert_eq!(
        e.get("server row after the client's FIN"),
        &Fact::State(Some(TcpState::CloseWait))
    );
    assert_eq!(
        e.get("client row at the end"),
        &Fact::State(Some(TcpState::TimeWait))
    );
    assert_eq!(e.get("server row at the end"), &Fact::State(None));
}

// ----- dual stack -----

fn dual_stack_listener(k: &mut dyn Stack, t: &mut Transcript) {
    let (l, p) = listener6(k, "[::]:{}", false);
    state(
        k,
        t,
        "listener [::]:P (ss: *:P)",
        a(format!("[::]:{p}")),
        None,
    );
    let c = k.socket();
    let server4 = a(format!("127.0.0.1:{p}"));
    t.status("IPv4 client: connect(127.0.0.1:P)", k.connect(c, server4));
    let client4 = k.local_addr(c);
    let s = must(k.world(), "accept()", k.accept(l));
    let mapped = |addr: SocketAddr| a(format!("[::ffff:{}]:{}", addr.ip(), addr.port()));
    t.holds(
        "accept()'s peer is ::ffff:127.0.0.1",
        k.peer_addr(s) == mapped(client4),
    );
    k.settle();
    state(
        k,
        t,
        "server row, mapped: [::ffff:127.0.0.1]:P",
        mapped(server4),
        Some(mapped(client4)),
    );
    state(k, t, "client row, plain IPv4", client4, Some(server4));
    t.bytes("client send(100)", k.send(c, 100));
    k.settle();
    t.bytes("server recv(1000)", k.recv(s, 1000));
    // An IPv6 client gets in through the same listener.
    let c6 = k.socket6();
    t.status(
        "IPv6 client: connect([::1]:P)",
        k.connect(c6, a(format!("[::1]:{p}"))),
    );
}

#[test]
fn a_dual_stack_listener_accepts_an_ipv4_client_with_a_mapped_address() {
    let (e, _) = agreeing(dual_stack_listener);
    assert_eq!(
        e.get("server row, mapped: [::ffff:127.0.0.1]:P"),
        &Fact::State(Some(TcpState::Established))
    );
    assert_eq!(
        e.get("accept()'s peer is ::ffff:127.0.0.1"),
        &Fact::Holds(true)
    );
}

fn v6only_listener(k: &mut dyn Stack, t: &mut Transcript) {
    let (_, p) = listener6(k, "[::]:{}", true);
    let c = k.socket();
    t.status(
        "IPv4 client: connect(127.0.0.1:P) to an IPV6_V6ONLY listener",
        k.connect(c, a(format!("127.0.0.1:{p}"))),
    );
    let c6 = k.socket6();
    t.status(
        "IPv6 client: connect([::1]:P)",
        k.connect(c6, a(format!("[::1]:{p}"))),
    );
    let only = k.socket6();
    must(k.world(), "IPV6_V6ONLY", k.set_v6only(only, true));
    t.status(
        "IPV6_V6ONLY client: connect([::ffff:127.0.0.1]:P)",
        k.connect(only, a(format!("[::ffff:127.0.0.1]:{p}"))),
    );
    let v4 = k.socket();
    t.status("IPV6_V6ONLY on an IPv4 socket", k.set_v6only(v4, true));
    t.status("IPV6_V6ONLY once bound", k.set_v6only(c6, false));
}

#[test]
fn ipv6_v6only_keeps_ipv4_out() {
    let (e, _) = agreeing(v6only_listener);
    let label = "IPv4 client: connect(127.0.0.1:P) to an IPV6_V6ONLY listener";
    assert_eq!(e.get(label), &Fact::Status(Err(ECONNREFUSED)));
    assert_eq!(
        e.get("IPV6_V6ONLY client: connect([::ffff:127.0.0.1]:P)"),
        &Fact::Status(Err(ENETUNREACH))
    );
    assert_eq!(
        e.get("IPV6_V6ONLY on an IPv4 socket"),
        &Fact::Status(Err(ENOPROTOOPT))
    );
    assert_eq!(e.get("IPV6_V6ONLY once bound"), &Fact::Status(Err(EINVAL)));
}

fn dual_stack_bind_conflicts(k: &mut dyn Stack, t: &mut Transcript) {
    // [::]:P dual stack first.
    let p = k.free_port();
    let d = k.socket6();
    t.status(
        "bind([::]:P) dual stack",
        k.bind_written(d, &format!("[::]:{p}")),
    );
    let s4 = k.socket();
    t.status(
        "then bind(0.0.0.0:P)",
        k.bind_written(s4, &format!("0.0.0.0:{p}")),
    );
    t.status(
        "then bind(127.0.0.1:P)",
        k.bind_written(s4, &format!("127.0.0.1:{p}")),
    );
    // 0.0.0.0:Q first.
    let q = k.free_port();
    let w4 = k.socket();
    t.status(
        "bind(0.0.0.0:Q)",
        k.bind_written(w4, &format!("0.0.0.0:{q}")),
    );
    let d6 = k.socket6();
    t.status(
        "then bind([::]:Q) dual stack",
        k.bind_written(d6, &format!("[::]:{q}")),
    );
    let o6 = k.socket6();
    must(k.world(), "IPV6_V6ONLY", k.set_v6only(o6, true));
    t.status(
        "then bind([::]:Q) IPV6_V6ONLY",
        k.bind_written(o6, &format!("[::]:{q}")),
    );
    // A specific IPv6 address never overlaps IPv4.
    let r = k.free_port();
    let w4 = k.socket();
    t.status(
        "bind(0.0.0.0:R)",
        k.bind_written(w4, &format!("0.0.0.0:{r}")),
    );
    let one = k.socket6();
    t.status(
        "then bind([::1]:R)",
        k.bind_written(one, &format!("[::1]:{r}")),
    );
    // A listener holds its port against SO_REUSEADDR too.
    let s = k.free_port();
    let l6 = k.socket6();
    must(k.world(), "SO_REUSEADDR", k.set_reuseaddr(l6, true));
    t.status(
        "bind([::]:S) with SO_REUSEADDR",
        k.bind_written(l6, &format!("[::]:{s}")),
    );
    t.status("listen() on [::]:S", k.listen(l6, 5));
    let r4 = k.socket();
    must(k.world(), "SO_REUSEADDR", k.set_reuseaddr(r4, true));
    t.status(
        "then bind(0.0.0.0:S) with SO_REUSEADDR",
        k.bind_written(r4, &format!("0.0.0.0:{s}")),
    );
}

#[test]
fn a_dual_stack_wildcard_and_the_ipv4_wildcard_conflict_unless_v6only() {
    let (e, _) = agreeing(dual_stack_bind_conflicts);
    for label in [
        "then bind(0.0.0.0:P)",
        "then bind(127.0.0.1:P)",
        "then bind([::]:Q) dual stack",
        "then bind(0.0.0.0:S) with SO_REUSEADDR",
    ] {
        assert_eq!(e.get(label), &Fact::Status(Err(EADDRINUSE)), "{label}");
    }
    assert_eq!(
        e.get("then bind([::]:Q) IPV6_V6ONLY"),
        &Fact::Status(Ok(()))
    );
    assert_eq!(e.get("then bind([::1]:R)"), &Fact::Status(Ok(())));
}
