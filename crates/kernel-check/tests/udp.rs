//! UDP against the Linux kernel: datagram boundaries, truncation by a short buffer,
//! and what a sender learns (or does not) when nobody uses the port it sends to.
//!
//! Each scenario is written once against `Stack`; `agreeing` runs it on the engine, in
//! both modes, and on real sockets over the loopback interface and compares the
//! transcripts. Every receiver is non-blocking, so a datagram that never comes is
//! EAGAIN, not a wait.
//! Run with `cargo test -p sockscope-kernel-check --test udp -- --nocapture` to see
//! them side by side.
#![cfg(target_os = "linux")]

use sockscope_engine::{Behaviour, Errno};
mod common;
use common::*;
use sockscope_kernel_check::facts::table;
use sockscope_kernel_check::{Fact, Kernel, Model, Sock, Stack, Transcript};
use std::net::SocketAddr;

use Errno::*;

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A non-blocking UDP socket bound to 127.0.0.1 and a free port.
fn receiver(k: &mut dyn Stack) -> (Sock, SocketAddr) {
    let r = k.udp_socket();
    must(k.world(), "bind(127.0.0.1:0)", k.bind(r, lo(0)));
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(r, true));
    let addr = k.local_addr(r);
    (r, addr)
}

/// A UDP port on 127.0.0.1 that nobody uses: bound to find it, then closed.
fn unused_port(k: &mut dyn Stack) -> u16 {
    let (probe, addr) = receiver(k);
    must(k.world(), "close()", k.close(probe));
    addr.port()
}

fn boundaries(k: &mut dyn Stack, t: &mut Transcript) {
    let (r, to) = receiver(k);
    let s = k.udp_socket();
    for n in [100, 200] {
        t.bytes(&format!("sendto({n})"), k.send_to(s, n, to));
    }
    let sender = k.local_addr(s);
    t.holds(
        "sendto() bound the sender to the wildcard and a port",
        sender.ip().is_unspecified() && sender.port() != 0,
    );
    k.settle();
    for n in [1000, 1000] {
        match k.recv_from(r, n) {
            Ok((len, from)) => {
                t.bytes(&format!("recvfrom({n})"), Ok(len));
                t.holds(
                    "recvfrom() names the sender: 127.0.0.1 and its port",
                    from == lo(sender.port()),
                );
            }
            Err(e) => t.bytes(&format!("recvfrom({n})"), Err(e)),
        }
    }
    t.bytes(
        "recvfrom(1000) once both were read",
        k.recv_from(r, 1000).map(|(n, _)| n),
    );
}

#[test]
fn two_sendtos_are_two_recvfroms_even_with_room_for_both() {
    let (e, _) = agreeing(boundaries);
    let reads: Vec<&Fact> = e
        .facts()
        .iter()
        .filter(|(l, _)| l == "recvfrom(1000)")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(reads, [&Fact::Bytes(Ok(100)), &Fact::Bytes(Ok(200))]);
    assert_eq!(
        e.get("recvfrom() names the sender: 127.0.0.1 and its port"),
        &Fact::Holds(true)
    );
    assert_eq!(
        e.get("recvfrom(1000) once both were read"),
        &Fact::Bytes(Err(EAGAIN))
    );
}

fn truncation(k: &mut dyn Stack, t: &mut Transcript) {
    let (r, to) = receiver(k);
    let s = k.udp_socket();
    t.bytes("sendto(100)", k.send_to(s, 100, to));
    t.bytes("sendto(30)", k.send_to(s, 30, to));
    k.settle();
    t.bytes("recv(50) of the 100-byte datagram", k.recv(r, 50));
    t.bytes("recv(1000) next", k.recv(r, 1000));
    t.bytes("recv(1000) once more", k.recv(r, 1000));
}

#[test]
fn a_short_buffer_truncates_the_datagram_and_the_rest_is_lost() {
    let (e, _) = agreeing(truncation);
    assert_eq!(
        e.get("recv(50) of the 100-byte datagram"),
        &Fact::Bytes(Ok(50))
    );
    // Not the other 50 bytes: the next datagram.
    assert_eq!(e.get("recv(1000) next"), &Fact::Bytes(Ok(30)));
    assert_eq!(e.get("recv(1000) once more"), &Fact::Bytes(Err(EAGAIN)));
}

fn connected_refused(k: &mut dyn Stack, t: &mut Transcript) {
    let port = unused_port(k);
    let c = k.udp_socket();
    must(k.world(), "O_NONBLOCK", k.set_nonblocking(c, true));
    t.status(
        "connect() to a UDP port nobody uses",
        k.connect(c, lo(port)),
    );
    t.bytes("send(10)", k.send(c, 10));
    k.settle();
    t.bytes("recv(100) after the port unreachable", k.recv(c, 100));
    t.bytes("recv(100) again: the error was reported", k.recv(c, 100));
    t.bytes("send(10) again", k.send(c, 10));
    k.settle();
    t.bytes("send(10) after the second port unreachable", k.send(c, 10));
    t.bytes("send(10) once more", k.send(c, 10));
}

#[test]
fn a_connected_udp_socket_gets_econnrefused_once_on_its_next_call() {
    let (e, _) = agreeing(connected_refused);
    assert_eq!(e.get("send(10)"), &Fact::Bytes(Ok(10)));
    assert_eq!(
        e.get("recv(100) after the port unreachable"),
        &Fact::Bytes(Err(ECONNREFUSED))
    );
    assert_eq!(
        e.get("recv(100) again: the error was reported"),
        &Fact::Bytes(Err(EAGAIN))
    );
    assert_eq!(
        e.get("send(10) after the second port unreachable"),
        &Fact::Bytes(Err(ECONNREFUSED))
    );
    assert_eq!(e.get("send(10) once more"), &Fact::Bytes(Ok(10)));
}

fn unconnected_to_unused_port(k: &mut dyn Stack, t: &mut Transcript) {
    let port = unused_port(k);
    let (s, _) = receiver(k);
    t.bytes(
        "sendto(10) to a port nobody uses",
        k.send_to(s, 10, lo(port)),
    );
    k.settle();
    t.bytes("recvfrom(100) on the unconnected sender", k.recv(s, 100));
    t.bytes("sendto(10) again", k.send_to(s, 10, lo(port)));
    let (r, to) = receiver(k);
    t.bytes("sendto(10) to a port in use", k.send_to(s, 10, to));
    k.settle();
    t.bytes("recv(100) there", k.recv(r, 100));
}

#[test]
fn a_datagram_to_an_unused_port_is_dropped_and_an_unconnected_sender_is_not_told() {
    let (e, _) = agreeing(unconnected_to_unused_port);
    assert_eq!(
        e.get("sendto(10) to a port nobody uses"),
        &Fact::Bytes(Ok(10))
    );
    assert_eq!(
        e.get("recvfrom(100) on the unconnected sender"),
        &Fact::Bytes(Err(EAGAIN))
    );
    assert_eq!(e.get("sendto(10) again"), &Fact::Bytes(Ok(10)));
    assert_eq!(e.get("recv(100) there"), &Fact::Bytes(Ok(10)));
}

fn queued_datagrams(k: &mut dyn Stack, t: &mut Transcript) {
    let (r, to) = receiver(k);
    let s = k.udp_socket();
    for n in [100, 200, 300] {
        t.bytes(&format!("sendto({n})"), k.send_to(s, n, to));
    }
    k.settle();
    let shown = k.udp_recv_q(to);
    t.record(
        "the receiver's Recv-Q in ss",
        shown.map_or(Fact::State(None), Fact::Count),
    );
    let read: u64 = (0..3).filter_map(|_| k.recv(r, 1000).ok()).sum();
    t.count("bytes recv() then reads", read);
}

/// A simplification both modes keep (model.md, "Also different on Linux"): the
/// kernel's per-datagram bookkeeping is not modelled.
#[test]
fn linux_shows_buffer_memory_in_a_udp_recv_q_where_the_model_shows_payload_bytes() {
    let mut k = Kernel::isolated();
    let mut linux = Transcript::new("Linux");
    queued_datagrams(&mut k, &mut linux);
    for mode in Behaviour::ALL {
        let mut m = Model::with(mode);
        let mut e = Transcript::new("engine");
        queued_datagrams(&mut m, &mut e);
        println!("{mode} mode beside Linux:\n{}", table(&e, &linux).0);
        assert_eq!(e.get("the receiver's Recv-Q in ss"), &Fact::Count(600));
        assert_eq!(e.get("bytes recv() then reads"), &Fact::Count(600));
    }
    // Linux: each datagram's buffer (sk_buff truesize) counts, far above its payload.
    match linux.get("the receiver's Recv-Q in ss") {
        Fact::Count(n) => assert!(*n > 600, "Linux Recv-Q {n}"),
        other => panic!("Linux: {other}"),
    }
    assert_eq!(linux.get("bytes recv() then reads"), &Fact::Count(600));
}
