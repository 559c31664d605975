//! A full backlog against the Linux kernel: listen(fd, 1) and three clients. What the
//! clients see (connected, or their SYN dropped and connect() still in progress), and
//! what `ss` shows for the listener (Recv-Q: connections waiting for accept(); Send-Q:
//! the backlog), compared at settle points a timer cannot reach: before the first
//! SYN retransmission (1 s), and once accept() has made room and that retransmission
//! got in.
//! Run with `cargo test -p sockscope-kernel-check --test backlog -- --nocapture` to
//! see the transcripts side by side.
#![cfg(target_os = "linux")]

use sockscope_engine::{Behaviour, Errno, TcpState};
mod common;
use common::*;
use sockscope_kernel_check::facts::table;
use sockscope_kernel_check::{Fact, Model, Sock, Stack, Transcript};
use std::net::SocketAddr;
use std::time::Duration;

use Errno::*;

const BACKLOG: u32 = 1;
const CLIENTS: usize = 3;
/// Long enough for every handshake, shorter than the first SYN retransmission (1 s).
const BEFORE_RETRANSMISSION: Duration = Duration::from_millis(500);

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn listener_row(k: &mut dyn Stack, t: &mut Transcript, when: &str, at: SocketAddr) {
    match k.listener_queues(at) {
        Some((recv_q, send_q)) => {
            t.count(
                &format!("listener Recv-Q (waiting for accept) {when}"),
                recv_q,
            );
            t.count(&format!("listener Send-Q (the backlog) {when}"), send_q);
        }
        None => {
            t.record(&format!("listener row {when}"), Fact::State(None));
        }
    }
}

fn client_rows(
    k: &mut dyn Stack,
    t: &mut Transcript,
    when: &str,
    cs: &[(Sock, SocketAddr)],
    server: SocketAddr,
) {
    for (i, (_, client)) in cs.iter().enumerate() {
        state(
            k,
            t,
            &format!("client {} row {when}", i + 1),
            *client,
            Some(server),
        );
    }
}

fn full_backlog(k: &mut dyn Stack, t: &mut Transcript) {
    let l = k.socket();
    must(k.world(), "bind(127.0.0.1:0)", k.bind(l, lo(0)));
    t.status(&format!("listen({BACKLOG})"), k.listen(l, BACKLOG));
    let server = k.local_addr(l);
    let mut cs = Vec::new();
    for i in 1..=CLIENTS {
        let c = k.socket();
        must(k.world(), "O_NONBLOCK", k.set_nonblocking(c, true));
        t.status(&format!("client {i}: connect()"), k.connect(c, server));
        cs.push((c, k.local_addr(c)));
        k.settle_for(BEFORE_RETRANSMISSION);
    }
    client_rows(k, t, "before any retransmission", &cs, server);
    listener_row(k, t, "before accept()", server);
    let (last, _) = cs[CLIENTS - 1];
    t.status("last client: connect() again", k.connect(last, server));
    t.status("server: accept()", k.accept(l).map(|_| ()));
    k.settle();
    client_rows(k, t, "once accept() made room", &cs, server);
    listener_row(k, t, "after one accept()", server);
}

#[test]
fn linux_queues_backlog_plus_one_connections_for_accept_where_the_model_queues_backlog() {
    // Linux mode agrees with Linux, which polls for each state the engine reached
    // (the last client's retransmitted SYN comes about 1 s after its first).
    let (_, k) = agreeing_in(Behaviour::Linux, full_backlog);
    let mut textbook = Model::with(Behaviour::Textbook);
    let mut e = Transcript::new("engine");
    full_backlog(&mut textbook, &mut e);
    println!("textbook mode beside Linux:\n{}", table(&e, &k).0);
    let established = Fact::State(Some(TcpState::Established));
    let syn_sent = Fact::State(Some(TcpState::SynSent));
    for t in [&e, &k] {
        for i in 1..=CLIENTS {
            assert_eq!(
                t.get(&format!("client {i}: connect()")),
                &Fact::Status(Err(EINPROGRESS)),
                "{}",
                t.world()
            );
        }
        assert_eq!(
            t.get("listener Send-Q (the backlog) before accept()"),
            &Fact::Count(BACKLOG.into()),
            "{}",
            t.world()
        );
        // The first client is in the accept queue, the last one's SYN was dropped: its
        // connect() is still in progress.
        assert_eq!(
            t.get("client 1 row before any retransmission"),
            &established
        );
        assert_eq!(t.get("client 3 row before any retransmission"), &syn_sent);
        assert_eq!(
            t.get("last client: connect() again"),
            &Fact::Status(Err(EALREADY)),
            "{}",
            t.world()
        );
    }
    // Linux (sk_acceptq_is_full: more than the backlog): backlog + 1 = 2 connections
    // wait for accept(); the second client is connected.
    assert_eq!(
        k.get("listener Recv-Q (waiting for accept) before accept()"),
        &Fact::Count(2)
    );
    assert_eq!(
        k.get("client 2 row before any retransmission"),
        &established
    );
    // Once accept() took one, the last client's retransmitted SYN got in.
    assert_eq!(k.get("client 3 row once accept() made room"), &established);
    assert_eq!(
        k.get("listener Recv-Q (waiting for accept) after one accept()"),
        &Fact::Count(2)
    );
    // The textbook (MODEL.md §5): the accept queue holds `backlog` connections, so
    // the second client's SYN was dropped too.
    assert_eq!(
        e.get("listener Recv-Q (waiting for accept) before accept()"),
        &Fact::Count(1)
    );
    assert_eq!(e.get("client 2 row before any retransmission"), &syn_sent);
}
