//! Descriptors against the Linux kernel: dup() and fork() give a second descriptor
//! for one structure, which lives until the last of them is closed (no FIN before);
//! and a process's next descriptor is its lowest free number, so a closed one is
//! given out again.
//!
//! The kernel side is this test process, whose descriptor table every test thread
//! shares: the tests of this file take turns (`TURN`), so no other test takes a
//! number between a close() and the socket() that should get it back.
//! Run with `cargo test -p sockscope-kernel-check --test descriptors -- --nocapture`
//! to see the transcripts side by side.
#![cfg(target_os = "linux")]

use sockscope_engine::{Errno, TcpState};
mod common;
use common::*;
use sockscope_kernel_check::{Fact, Stack, Transcript};
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

use Errno::*;

static TURN: Mutex<()> = Mutex::new(());

fn my_turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A connection over 127.0.0.1, accepted, the network settled, both ends
/// non-blocking (a read that finds nothing says EAGAIN).
fn pair(k: &mut dyn Stack) -> Pair {
    let (l, server) = listener_at(k, lo(0), false);
    let p = connected(k, l, server);
    for end in [p.c, p.s] {
        must(k.world(), "O_NONBLOCK", k.set_nonblocking(end, true));
    }
    p
}

fn dup_shares(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k);
    let d = k.dup(p.c);
    t.status("client: dup()", d.map(|_| ()));
    let d = must(k.world(), "dup()", d);
    let (c_no, d_no) = (k.fd_number(p.c), k.fd_number(d));
    t.holds("the dup has a number of its own", c_no != d_no);
    must(k.world(), "O_NONBLOCK off", k.set_nonblocking(p.c, false));
    let nb = k.is_nonblocking(d);
    t.holds(
        "O_NONBLOCK cleared through one shows through the other",
        !nb,
    );
    t.status("client: close() of the first descriptor", k.close(p.c));
    k.settle();
    state(
        k,
        t,
        "client row, the dup still open",
        p.client,
        Some(p.server),
    );
    t.bytes("server: recv(100), no FIN came", k.recv(p.s, 100));
    t.bytes("client: send(100) through the dup", k.send(d, 100));
    k.settle();
    t.bytes("server: recv(1000)", k.recv(p.s, 1000));
    t.status("client: close() of the dup, the last", k.close(d));
    k.settle();
    state(
        k,
        t,
        "client row after the last close()",
        p.client,
        Some(p.server),
    );
    state(k, t, "server row", p.server, Some(p.client));
    t.bytes("server: recv(100) at the FIN", k.recv(p.s, 100));
}

#[test]
fn a_dup_keeps_the_structure_alive_until_the_last_descriptor_is_closed() {
    let _turn = my_turn();
    let (e, _) = agreeing(dup_shares);
    assert_eq!(
        e.get("client row, the dup still open"),
        &Fact::State(Some(TcpState::Established))
    );
    assert_eq!(
        e.get("server: recv(100), no FIN came"),
        &Fact::Bytes(Err(EAGAIN))
    );
    assert_eq!(e.get("server: recv(1000)"), &Fact::Bytes(Ok(100)));
    assert_eq!(
        e.get("client row after the last close()"),
        &Fact::State(Some(TcpState::FinWait2))
    );
    assert_eq!(e.get("server: recv(100) at the FIN"), &Fact::Bytes(Ok(0)));
}

fn fork_shares(k: &mut dyn Stack, t: &mut Transcript) {
    let p = pair(k);
    // The forking server: the child serves the connection, the parent closes its copy.
    let child = k.fork(p.s);
    t.status("server parent: close() after fork()", k.close(p.s));
    k.settle();
    state(
        k,
        t,
        "server row, the child's copy open",
        p.server,
        Some(p.client),
    );
    t.bytes("client: recv(100), no FIN came", k.recv(p.c, 100));
    t.status("server child: close()", k.close(child));
    k.settle();
    state(
        k,
        t,
        "server row after the child's close()",
        p.server,
        Some(p.client),
    );
    state(k, t, "client row", p.client, Some(p.server));
    t.bytes("client: recv(100) at the FIN", k.recv(p.c, 100));
}

#[test]
fn after_fork_the_structure_lives_until_parent_and_child_have_closed() {
    let _turn = my_turn();
    let (e, _) = agreeing(fork_shares);
    assert_eq!(
        e.get("server row, the child's copy open"),
        &Fact::State(Some(TcpState::Established))
    );
    assert_eq!(
        e.get("client: recv(100), no FIN came"),
        &Fact::Bytes(Err(EAGAIN))
    );
    assert_eq!(
        e.get("server row after the child's close()"),
        &Fact::State(Some(TcpState::FinWait2))
    );
    assert_eq!(e.get("client row"), &Fact::State(Some(TcpState::CloseWait)));
    assert_eq!(e.get("client: recv(100) at the FIN"), &Fact::Bytes(Ok(0)));
}

fn lowest_free(k: &mut dyn Stack, t: &mut Transcript) {
    let a = k.socket();
    let b = k.socket_beside(a);
    let (a_no, b_no) = (k.fd_number(a), k.fd_number(b));
    t.holds("socket() twice: two numbers", a_no != b_no);
    must(k.world(), "bind(127.0.0.1:0)", k.bind(b, lo(0)));
    let bound = k.local_addr(b);
    t.status("close() of the first", k.close(a));
    let c = k.socket_beside(b);
    let c_no = k.fd_number(c);
    t.holds("socket() after close(N) gets N again", c_no == a_no);
    t.status("close() of that one", k.close(c));
    let d = must(k.world(), "dup()", k.dup(b));
    let d_no = k.fd_number(d);
    t.holds("dup() also gets the lowest free number", d_no == a_no);
    t.status("close() of the original", k.close(b));
    t.holds(
        "the dup still names the bound structure",
        k.local_addr(d) == bound,
    );
}

#[test]
fn a_closed_descriptor_number_is_given_out_again_lowest_first() {
    let _turn = my_turn();
    let (e, _) = agreeing(lowest_free);
    for label in [
        "socket() after close(N) gets N again",
        "dup() also gets the lowest free number",
        "the dup still names the bound structure",
    ] {
        assert_eq!(e.get(label), &Fact::Holds(true), "{label}");
    }
}
