//! Opening connections: MODEL.md §5, connecting and accepting.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::*;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn three_way_handshake_goes_syn_synack_ack() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, a, b } = &mut lab;
    let l = listen_on(w, *pb, "*:80", 5);
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    assert_eq!(state_of(w, *pa, c), TcpState::SynSent);
    // The client picked an ephemeral port and the address toward the server.
    let local = w.socket_of(*pa, c).unwrap().local;
    assert_eq!(local.ip, Some("10.0.0.1".parse().unwrap()));
    assert!(local.port.unwrap() >= 32768);

    w.deliver(1); // SYN at B: a new structure in SYN_RCVD beside the listener.
    let rows = netstat_lines(w, *b);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].ends_with("LISTEN"));
    assert!(rows[1].ends_with("SYN_RCVD") && rows[1].contains("10.0.0.2:80"));
    assert_eq!(state_of(w, *pb, l), TcpState::Listen);

    w.deliver(1); // SYN+ACK at A: the client counts the connection established.
    assert_eq!(state_of(w, *pa, c), TcpState::Established);
    assert_eq!(returned(w, *pa), Ok(Value::Zero));
    assert!(netstat_lines(w, *b)[1].ends_with("SYN_RCVD"));

    w.deliver(1); // ACK at B: now ESTABLISHED and in the accept queue.
    assert!(netstat_lines(w, *b)[1].ends_with("ESTABLISHED"));
    let listener = w.socket_of(*pb, l).unwrap().listener.clone().unwrap();
    assert!(listener.incomplete.is_empty());
    assert_eq!(listener.ready.len(), 1);

    let flags: Vec<String> = w
        .trace()
        .iter()
        .filter_map(|e| match &e.event {
            Event::SegmentSent { seg, .. } => Some(seg.flags.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(flags, vec!["SYN", "SYN+ACK", "ACK"]);
    let _ = a;
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn syn_to_closed_port_is_refused() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, .. } = &mut lab;
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:9");
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pa), Err(Errno::ECONNREFUSED));
    assert_eq!(state_of(w, *pa, c), TcpState::Closed);
    // It took one round trip, not a timeout.
    assert_eq!(w.now(), 2 * w.config().delay_us);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn syn_before_listen_is_refused_even_after_bind() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let l = tcp_socket(w, *pb);
    bind(w, *pb, l, "*:80");
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pa), Err(Errno::ECONNREFUSED));
    // The bound structure was found by demux and still refused.
    let refused = w.trace().iter().any(|e| {
        matches!(&e.event, Event::Demux(r) if r.winner.is_some() && r.outcome == trace_outcome_refused())
    });
    assert!(refused);
}

fn trace_outcome_refused() -> sockscope_engine::trace::DemuxOutcome {
    sockscope_engine::trace::DemuxOutcome::Refused
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn lost_syns_are_retransmitted_with_backoff_until_etimedout() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, a, b, .. } = &mut lab;
    w.set_path(*a, *b, 50 * MS, 1.0); // every segment toward B is lost
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pa), Err(Errno::ETIMEDOUT));
    let syn_times: Vec<Micros> = w
        .trace()
        .iter()
        .filter_map(|e| match &e.event {
            Event::SegmentSent { seg, sent_at, .. } if seg.flags.syn => Some(*sent_at),
            _ => None,
        })
        .collect();
    assert_eq!(syn_times.len(), 1 + w.config().syn_retries as usize);
    let gaps: Vec<Micros> = syn_times.windows(2).map(|p| p[1] - p[0]).collect();
    assert_eq!(
        gaps,
        vec![SEC, 2 * SEC, 4 * SEC, 8 * SEC, 16 * SEC, 32 * SEC]
    );
    // Minutes, not seconds.
    assert_eq!(w.now(), 127 * SEC);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_lost_syn_ack_is_retransmitted_and_the_handshake_completes() {
    let mut lab = lab(WorldConfig::default());
    let (_l, _c, _s) = {
        let Lab { w, a, b, .. } = &mut lab;
        w.drop_next(*b, *a);
        connected(&mut lab, 80)
    };
    let retransmitted = lab.w.trace().iter().any(|e| {
        matches!(&e.event, Event::SegmentSent { seg, .. } if seg.flags.syn && seg.flags.ack && seg.retransmission)
    });
    assert!(retransmitted);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn data_sent_before_accept_waits_in_the_unaccepted_structure() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let l = listen_on(w, *pb, "*:80", 5);
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    w.run_until_idle(1000);
    ok(w, *pa, Call::Send { fd: c, len: 300 });
    w.run_until_idle(1000);
    let listener = w.socket_of(*pb, l).unwrap().listener.clone().unwrap();
    let child = w.socket(listener.ready[0]).unwrap();
    assert_eq!(child.recvq.len(), 300);
    assert_eq!(child.refs, 0);
    let s = ok(w, *pb, Call::Accept { fd: l }).fd().unwrap();
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: s, len: 1000 }),
        Value::Bytes(300)
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn accept_blocks_until_a_connection_is_ready() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let l = listen_on(w, *pb, "*:80", 5);
    blocks(w, *pb, Call::Accept { fd: l });
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    w.deliver(2);
    assert!(
        pending(w, *pb).is_some(),
        "still SYN_RCVD: not yet acceptable"
    );
    w.deliver(1);
    match returned(w, *pb) {
        Ok(Value::Accepted { peer, .. }) => {
            assert_eq!(peer, w.socket_of(*pa, c).unwrap().local_addr().unwrap())
        }
        other => panic!("accept returned {other:?}"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_full_backlog_drops_syns_and_the_client_retries() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, a, .. } = &mut lab;
    let l = listen_on(w, *pb, "*:80", 1);
    let first = tcp_socket(w, *pa);
    connect_blocks(w, *pa, first, "10.0.0.2:80");
    w.run_until_idle(1000);
    let p2 = w.spawn(*a, "second").unwrap();
    let second = tcp_socket(w, p2);
    connect_blocks(w, p2, second, "10.0.0.2:80");
    w.run_until(w.now() + 500 * MS, u64::MAX);
    assert_eq!(
        state_of(w, p2, second),
        TcpState::SynSent,
        "the SYN was dropped"
    );
    ok(w, *pb, Call::Accept { fd: l });
    w.run_until_idle(1000);
    assert_eq!(returned(w, p2), Ok(Value::Zero));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn simultaneous_open_connects_both_ends_to_each_other() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let x = tcp_socket(w, *pa);
    bind(w, *pa, x, "10.0.0.1:5000");
    let y = tcp_socket(w, *pb);
    bind(w, *pb, y, "10.0.0.2:6000");
    connect_blocks(w, *pa, x, "10.0.0.2:6000");
    connect_blocks(w, *pb, y, "10.0.0.1:5000");
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pa), Ok(Value::Zero));
    assert_eq!(returned(w, *pb), Ok(Value::Zero));
    for (pid, fd) in [(*pa, x), (*pb, y)] {
        assert_eq!(state_of(w, pid, fd), TcpState::Established);
        let id = w.socket_of(pid, fd).unwrap().id;
        let path: Vec<TcpState> = w
            .trace()
            .iter()
            .filter_map(|e| match &e.event {
                Event::StateChanged { sock, to, .. } if *sock == id => Some(*to),
                _ => None,
            })
            .collect();
        assert_eq!(
            path,
            vec![TcpState::SynSent, TcpState::SynRcvd, TcpState::Established]
        );
    }
    ok(w, *pa, Call::Send { fd: x, len: 10 });
    w.run_until_idle(1000);
    assert_eq!(ok(w, *pb, Call::Recv { fd: y, len: 100 }), Value::Bytes(10));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn nonblocking_connect_says_einprogress_and_finishes_later() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    listen_on(w, *pb, "*:80", 5);
    let c = tcp_socket(w, *pa);
    ok(w, *pa, Call::SetNonBlocking { fd: c, on: true });
    assert_eq!(
        err(
            w,
            *pa,
            Call::Connect {
                fd: c,
                addr: addr("10.0.0.2:80")
            }
        ),
        Errno::EINPROGRESS
    );
    assert_eq!(
        err(
            w,
            *pa,
            Call::Connect {
                fd: c,
                addr: addr("10.0.0.2:80")
            }
        ),
        Errno::EALREADY
    );
    assert_eq!(err(w, *pa, Call::Recv { fd: c, len: 10 }), Errno::EAGAIN);
    w.run_until_idle(1000);
    assert_eq!(
        err(
            w,
            *pa,
            Call::Connect {
                fd: c,
                addr: addr("10.0.0.2:80")
            }
        ),
        Errno::EISCONN
    );
    assert_eq!(err(w, *pa, Call::Recv { fd: c, len: 10 }), Errno::EAGAIN);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_incomplete_structure_whose_ack_never_comes_is_deleted() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, a, b } = &mut lab;
    let l = listen_on(w, *pb, "*:80", 5);
    w.set_path(*a, *b, 50 * MS, 0.0);
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    w.deliver(1); // the SYN arrives
    w.crash(*a).unwrap(); // and the client vanishes before answering
    w.run_until_idle(10_000);
    assert_eq!(netstat_lines(w, *b).len(), 1, "only the listener is left");
    assert!(w
        .socket_of(*pb, l)
        .unwrap()
        .listener
        .as_ref()
        .unwrap()
        .incomplete
        .is_empty());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_refused_socket_can_connect_again_once_someone_listens() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pa), Err(Errno::ECONNREFUSED));
    assert_eq!(
        w.socket_of(*pa, c).unwrap().remote,
        Endpoint::ANY,
        "the failed attempt leaves no peer"
    );
    listen_on(w, *pb, "*:80", 5);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pa), Ok(Value::Zero));
}
