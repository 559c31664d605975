//! Every worked number of MODEL.md, reproduced step by step.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::*;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn byte_stream_example_6500_1500_then_1500_then_4000() {
    let mut lab = lab(WorldConfig {
        mss: 1500,
        sndbuf: 10_000,
        rcvbuf: 10_000,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 22);
    let Lab { w, pa, pb, a, b } = &mut lab;
    for n in [1000, 2000, 5000] {
        assert_eq!(ok(w, *pa, Call::Send { fd: c, len: n }), Value::Bytes(n));
    }
    assert_eq!(sendq(w, *pa, c), 8000);

    // The first segment arrives, then its acknowledgment.
    assert_eq!(w.deliver(2), 2);
    assert_eq!(sendq(w, *pa, c), 6500);
    assert_eq!(recvq(w, *pb, s), 1500);
    let a_row = w
        .netstat(*a)
        .into_iter()
        .find(|r| r.state == "ESTABLISHED")
        .unwrap();
    assert_eq!(a_row.send_q, 6500);
    let b_row = w
        .netstat(*b)
        .into_iter()
        .find(|r| r.state == "ESTABLISHED")
        .unwrap();
    assert_eq!(b_row.recv_q, 1500);

    // Those 1500 bytes hold the whole first send and the start of the second.
    let runs: Vec<u64> = w
        .socket_of(*pb, s)
        .unwrap()
        .recvq
        .runs()
        .map(|r| r.len)
        .collect();
    assert_eq!(runs, vec![1000, 500]);

    assert_eq!(
        ok(w, *pb, Call::Recv { fd: s, len: 2000 }),
        Value::Bytes(1500)
    );

    w.run_until_idle(10_000);
    let waiting: Vec<(SendTag, u64)> = w
        .socket_of(*pb, s)
        .unwrap()
        .recvq
        .runs()
        .map(|r| (r.tag, r.len))
        .collect();
    let (second, third) = (waiting[0].0, waiting[1].0);
    assert_eq!(waiting, vec![(second, 1500), (third, 5000)]);
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: s, len: 4000 }),
        Value::Bytes(4000)
    );
    // The 4000 bytes: the last 1500 of the second send and the first 2500 of the third.
    let left: Vec<(SendTag, u64)> = w
        .socket_of(*pb, s)
        .unwrap()
        .recvq
        .runs()
        .map(|r| (r.tag, r.len))
        .collect();
    assert_eq!(left, vec![(third, 2500)]);
    let delivered: Vec<u64> = w
        .socket_of(*pb, s)
        .unwrap()
        .delivered
        .recent()
        .map(|r| r.len)
        .collect();
    assert_eq!(delivered, vec![1000, 2000, 2500]);
    assert_eq!(w.socket_of(*pb, s).unwrap().delivered.total(), 5500);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn both_sides_sending_1500_with_500_byte_buffers_deadlock() {
    let mut lab = lab(WorldConfig {
        sndbuf: 500,
        rcvbuf: 500,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 7);
    let Lab { w, pa, pb, .. } = &mut lab;
    blocks(w, *pa, Call::Send { fd: c, len: 1500 });
    blocks(w, *pb, Call::Send { fd: s, len: 1500 });
    let RunOutcome::Deadlock(report) = w.run_until_idle(100_000) else {
        panic!("expected a deadlock");
    };
    assert_eq!(report.blocked.len(), 2);
    for call in &report.blocked {
        // 500 in the peer's RecvQ, 500 in the own SendQ, 500 still in the caller's buffer.
        assert_eq!(call.peer_recvq, 500);
        assert_eq!(call.sendq, 500);
        assert_eq!(call.requested - call.done, 500);
        assert_eq!((call.sqs, call.peer_rqs), (500, 500));
    }
    // Zero-window probes come and go; the deadlock is reported all along.
    while w.in_flight().next().is_none() {
        assert!(w.step());
    }
    assert!(
        w.deadlock().is_some(),
        "a probe on the wire does not end the deadlock"
    );
    // Neither send ever returns, however long the network runs.
    w.run_until(w.now() + 600 * SEC, u64::MAX);
    assert!(pending(w, *pa).is_some() && pending(w, *pb).is_some());
    assert!(w.deadlock().is_some());
    assert!(w
        .trace()
        .iter()
        .any(|e| matches!(e.event, Event::Deadlock(_))));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn send_larger_than_sqs_returns_once_the_rest_has_moved_to_the_peer() {
    let mut lab = lab(WorldConfig {
        sndbuf: 500,
        rcvbuf: 700,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 7);
    let Lab { w, pa, pb, .. } = &mut lab;
    // n = 1000 > SQS = 500: it returns once at least 500 bytes reached the peer.
    blocks(w, *pa, Call::Send { fd: c, len: 1000 });
    assert_eq!(w.run_until_idle(10_000), RunOutcome::Idle);
    assert_eq!(returned(w, *pa), Ok(Value::Bytes(1000)));
    assert!(recvq(w, *pb, s) >= 500);

    // n = 1500 > SQS + RQS = 1200 with a full peer: the peer must read 300 first.
    blocks(w, *pa, Call::Send { fd: c, len: 1500 });
    w.run_until_idle(10_000);
    assert!(pending(w, *pa).is_some(), "send must wait for the reader");
    let mut read = 0;
    while pending(w, *pa).is_some() {
        read += ok(w, *pb, Call::Recv { fd: s, len: 100 }).as_int() as u64;
        w.run_until_idle(10_000);
    }
    assert_eq!(returned(w, *pa), Ok(Value::Bytes(1500)));
    // 1000 bytes were there before; the second send needed 300 more read.
    assert!(read >= 300 + 1000 - 700, "read {read}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn demux_prefers_the_specific_listener_over_the_wildcard_one() {
    let mut w = World::new(WorldConfig::default());
    let server = w
        .add_host(
            "S",
            &["10.1.2.3".parse().unwrap(), "192.168.3.2".parse().unwrap()],
        )
        .unwrap();
    let client = w.add_host("C", &["172.16.1.10".parse().unwrap()]).unwrap();
    let ps = w.spawn(server, "server").unwrap();
    let pc = w.spawn(client, "client").unwrap();

    // Structure 0: listener on *:99.
    let l0 = listen_on(&mut w, ps, "*:99", 5);
    // Structure 1: listener on 10.1.2.3:99 (SO_REUSEADDR lets it share the port).
    let l1 = tcp_socket(&mut w, ps);
    ok(
        &mut w,
        ps,
        Call::SetSockOpt {
            fd: l1,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    bind(&mut w, ps, l1, "10.1.2.3:99");
    ok(&mut w, ps, Call::Listen { fd: l1, backlog: 5 });

    // Structure 2: a connection accepted via structure 0 (from another client address,
    // through the other interface, before structure 1 existed in spirit).
    let other = w.add_host("O", &["192.168.3.9".parse().unwrap()]).unwrap();
    let po = w.spawn(other, "other").unwrap();
    let oc = tcp_socket(&mut w, po);
    connect_blocks(&mut w, po, oc, "192.168.3.2:99");
    w.run_until_idle(10_000);
    let accepted = ok(&mut w, ps, Call::Accept { fd: l0 }).fd().unwrap();
    let accepted_id = w.socket_of(ps, accepted).unwrap().id;
    assert_eq!(
        w.socket_of(ps, accepted).unwrap().local,
        ep("192.168.3.2:99")
    );

    // The reference packet: from 172.16.1.10:56789 to 10.1.2.3:99.
    let c = tcp_socket(&mut w, pc);
    bind(&mut w, pc, c, "172.16.1.10:56789");
    connect_blocks(&mut w, pc, c, "10.1.2.3:99");
    w.drain_trace();
    w.deliver(1);
    let record = w
        .trace()
        .iter()
        .find_map(|e| match &e.event {
            Event::Demux(r) => Some(r.clone()),
            _ => None,
        })
        .expect("the SYN was demultiplexed");
    let id0 = w.socket_of(ps, l0).unwrap().id;
    let id1 = w.socket_of(ps, l1).unwrap().id;
    assert_eq!(record.winner, Some(id1));
    let c0 = record.candidates.iter().find(|c| c.sock == id0).unwrap();
    let c1 = record.candidates.iter().find(|c| c.sock == id1).unwrap();
    let c2 = record
        .candidates
        .iter()
        .find(|c| c.sock == accepted_id)
        .unwrap();
    assert!(c0.matches() && c1.matches() && !c2.matches());
    assert_eq!((c0.wildcards, c1.wildcards), (3, 2));
    assert!(
        !c2.local_ip,
        "the accepted connection's local address differs"
    );
    // The new SYN_RCVD structure hangs off structure 1.
    let l1_sock = w.socket_of(ps, l1).unwrap();
    assert_eq!(l1_sock.listener.as_ref().unwrap().incomplete.len(), 1);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn netstat_prints_the_textbook_layout() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pb, b, .. } = &mut lab;
    listen_on(w, *pb, "*:80", 5);
    let rows = netstat_lines(w, *b);
    assert_eq!(
        rows,
        vec!["tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN"]
    );
    assert_eq!(
        NETSTAT_HEADER,
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn ipv6_structures_print_as_tcp6_and_udp6() {
    let mut w = World::new(WorldConfig::default());
    let h = w.add_host("H", &["2001:db8::1".parse().unwrap()]).unwrap();
    let p = w.spawn(h, "sshd").unwrap();
    let l = ok(
        &mut w,
        p,
        Call::Socket {
            proto: Proto::Tcp,
            family: Family::V6,
        },
    )
    .fd()
    .unwrap();
    bind(&mut w, p, l, "*:22");
    ok(&mut w, p, Call::Listen { fd: l, backlog: 5 });
    let u = ok(
        &mut w,
        p,
        Call::Socket {
            proto: Proto::Udp,
            family: Family::V6,
        },
    )
    .fd()
    .unwrap();
    bind(&mut w, p, u, "*:53");
    assert_eq!(
        netstat_lines(&w, h),
        vec![
            "tcp6       0      0 :::22                   :::*                    LISTEN",
            "udp6       0      0 :::53                   :::*",
        ]
    );
}
