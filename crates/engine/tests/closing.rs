//! Closing connections: MODEL.md §5, closing.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::*;

fn states_of(w: &World, id: SockId) -> Vec<TcpState> {
    w.trace()
        .iter()
        .filter_map(|e| match &e.event {
            Event::StateChanged { sock, to, .. } if *sock == id => Some(*to),
            _ => None,
        })
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_closer_goes_through_fin_wait_and_time_wait_the_other_through_close_wait() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, a, .. } = &mut lab;
    let cid = w.socket_of(*pa, c).unwrap().id;
    let sid = w.socket_of(*pb, s).unwrap().id;
    ok(w, *pa, Call::Close { fd: c });
    assert_eq!(err(w, *pa, Call::Send { fd: c, len: 1 }), Errno::EBADF);
    w.run_until_idle(1000);
    // Half closed: A waits in FIN_WAIT_2, B in CLOSE_WAIT; B's recv sees end of stream.
    assert_eq!(w.socket(cid).unwrap().state, TcpState::FinWait2);
    assert_eq!(state_of(w, *pb, s), TcpState::CloseWait);
    assert_eq!(ok(w, *pb, Call::Recv { fd: s, len: 100 }), Value::Bytes(0));
    ok(w, *pb, Call::Close { fd: s });
    w.run_until_idle(1000);
    assert_eq!(w.socket(cid).unwrap().state, TcpState::TimeWait);
    assert!(
        w.socket(sid).is_none(),
        "B's structure is gone after LAST_ACK"
    );
    assert!(netstat_lines(w, *a)[0].ends_with("TIME_WAIT"));
    // After the quiet time, the structure disappears.
    let tw = w.config().time_wait_us;
    w.run_until(w.now() + tw, u64::MAX);
    assert!(w.socket(cid).is_none());
    assert!(w.netstat(*a).is_empty());
    assert_eq!(
        states_of(w, cid),
        vec![
            TcpState::SynSent,
            TcpState::Established,
            TcpState::FinWait1,
            TcpState::FinWait2,
            TcpState::TimeWait,
            TcpState::Closed
        ]
    );
    assert_eq!(
        states_of(w, sid),
        vec![
            TcpState::SynRcvd,
            TcpState::Established,
            TcpState::CloseWait,
            TcpState::LastAck,
            TcpState::Closed
        ]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn recv_returns_zero_after_fin_once_recvq_is_drained() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 700 });
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(1000);
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: s, len: 500 }),
        Value::Bytes(500)
    );
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: s, len: 500 }),
        Value::Bytes(200)
    );
    assert_eq!(ok(w, *pb, Call::Recv { fd: s, len: 500 }), Value::Bytes(0));
    assert_eq!(ok(w, *pb, Call::Recv { fd: s, len: 500 }), Value::Bytes(0));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_blocked_recv_wakes_with_zero_at_end_of_stream() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    blocks(w, *pb, Call::Recv { fd: s, len: 10 });
    ok(
        w,
        *pa,
        Call::Shutdown {
            fd: c,
            how: Shutdown::Write,
        },
    );
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pb), Ok(Value::Bytes(0)));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn shutdown_write_is_a_half_close_the_closer_can_still_receive() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(
        w,
        *pa,
        Call::Shutdown {
            fd: c,
            how: Shutdown::Write,
        },
    );
    assert_eq!(err(w, *pa, Call::Send { fd: c, len: 1 }), Errno::EPIPE);
    w.run_until_idle(1000);
    assert_eq!(state_of(w, *pa, c), TcpState::FinWait2);
    ok(w, *pb, Call::Send { fd: s, len: 900 });
    w.run_until_idle(1000);
    assert_eq!(
        ok(w, *pa, Call::Recv { fd: c, len: 2000 }),
        Value::Bytes(900)
    );
    ok(w, *pb, Call::Close { fd: s });
    w.run_until_idle(1000);
    assert_eq!(state_of(w, *pa, c), TcpState::TimeWait);
    assert_eq!(ok(w, *pa, Call::Recv { fd: c, len: 2000 }), Value::Bytes(0));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn close_sends_what_is_left_in_sendq_before_the_fin() {
    let mut lab = lab(WorldConfig {
        sndbuf: 20_000,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 12_000 });
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(10_000);
    let mut got = 0;
    loop {
        match ok(w, *pb, Call::Recv { fd: s, len: 5000 }) {
            Value::Bytes(0) => break,
            Value::Bytes(n) => got += n,
            v => panic!("{v:?}"),
        }
        w.run_until_idle(10_000);
    }
    assert_eq!(got, 12_000);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn close_discards_unread_bytes_and_flow_control_stops_the_peer() {
    let mut lab = lab(WorldConfig {
        rcvbuf: 3000,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 1000 });
    w.run_until_idle(1000);
    let sid = w.socket_of(*pb, s).unwrap().id;
    assert_eq!(w.socket(sid).unwrap().recvq.len(), 1000);
    ok(w, *pb, Call::Close { fd: s });
    assert_eq!(
        w.socket(sid).unwrap().recvq.len(),
        0,
        "unread bytes are discarded"
    );
    w.run_until_idle(1000);
    // The structure lives on underneath, advertising a window of 0.
    assert_eq!(w.socket(sid).unwrap().state, TcpState::FinWait2);
    ok(w, *pa, Call::Send { fd: c, len: 500 });
    w.run_until_idle(1000);
    assert_eq!(sendq(w, *pa, c), 500, "the peer's window is shut");
    assert_eq!(w.socket(sid).unwrap().recvq.len(), 0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn both_closing_at_once_cross_fins_through_closing_to_time_wait() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    let ids = [
        w.socket_of(*pa, c).unwrap().id,
        w.socket_of(*pb, s).unwrap().id,
    ];
    ok(w, *pa, Call::Close { fd: c });
    ok(w, *pb, Call::Close { fd: s });
    w.run_until_idle(1000);
    for id in ids {
        assert_eq!(w.socket(id).unwrap().state, TcpState::TimeWait);
        let path = states_of(w, id);
        assert_eq!(
            &path[path.len() - 3..],
            &[TcpState::FinWait1, TcpState::Closing, TcpState::TimeWait]
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn so_linger_makes_close_wait_for_the_handshake_or_fail_with_etimedout() {
    // Peer alive: close() returns once the FIN is acknowledged.
    let mut lab1 = lab(WorldConfig::default());
    let (_l, c, _s) = connected(&mut lab1, 80);
    let Lab { w, pa, .. } = &mut lab1;
    ok(
        w,
        *pa,
        Call::SetSockOpt {
            fd: c,
            opt: SockOpt::Linger(Some(5)),
        },
    );
    blocks(w, *pa, Call::Close { fd: c });
    w.run_until_idle(1000);
    assert_eq!(returned(w, *pa), Ok(Value::Zero));
    assert_eq!(err(w, *pa, Call::Close { fd: c }), Errno::EBADF);

    // Peer crashed: close() gives up after l_linger seconds.
    let mut lab2 = lab(WorldConfig::default());
    let (_l, c, _s) = connected(&mut lab2, 80);
    let Lab { w, pa, b, .. } = &mut lab2;
    ok(w, *pa, Call::Send { fd: c, len: 100 });
    w.crash(*b).unwrap();
    ok(
        w,
        *pa,
        Call::SetSockOpt {
            fd: c,
            opt: SockOpt::Linger(Some(5)),
        },
    );
    let t0 = w.now();
    blocks(w, *pa, Call::Close { fd: c });
    w.run_until(t0 + 5 * SEC, u64::MAX);
    assert_eq!(returned(w, *pa), Err(Errno::ETIMEDOUT));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn linger_zero_aborts_with_rst_and_the_peer_sees_econnreset() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(
        w,
        *pa,
        Call::SetSockOpt {
            fd: c,
            opt: SockOpt::Linger(Some(0)),
        },
    );
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(1000);
    assert_eq!(
        err(w, *pb, Call::Recv { fd: s, len: 10 }),
        Errno::ECONNRESET
    );
    assert_eq!(state_of(w, *pb, s), TcpState::Closed);
    assert_eq!(err(w, *pb, Call::Send { fd: s, len: 10 }), Errno::EPIPE);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn data_in_sendq_is_lost_silently_when_the_host_crashes_after_close() {
    let mut lab = lab(WorldConfig {
        rcvbuf: 1000,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, a, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 5000 });
    // close() returns at once although most bytes are still in SendQ.
    assert_eq!(ok(w, *pa, Call::Close { fd: c }), Value::Zero);
    w.run_until(w.now() + 60 * MS, u64::MAX);
    w.crash(*a).unwrap();
    w.run_until_idle(10_000);
    ok(w, *pb, Call::SetNonBlocking { fd: s, on: true });
    let mut got = 0;
    loop {
        match w.call(*pb, Call::Recv { fd: s, len: 10_000 }).unwrap() {
            CallReply::Returned(Ok(Value::Bytes(n))) if n > 0 => got += n,
            _ => break,
        }
    }
    assert!(got < 5000, "the receiver got only {got} of 5000 bytes");
    assert_eq!(state_of(w, *pb, s), TcpState::Established, "nobody told B");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn data_retransmission_recovers_from_a_lost_segment() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, a, b } = &mut lab;
    w.drop_next(*a, *b);
    ok(w, *pa, Call::Send { fd: c, len: 4000 });
    w.run_until_idle(10_000);
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: s, len: 10_000 }),
        Value::Bytes(4000)
    );
    assert!(w.trace().iter().any(
        |e| matches!(&e.event, Event::SegmentSent { seg, .. } if seg.retransmission && seg.len > 0)
    ));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_lost_window_update_is_recovered_by_a_zero_window_probe() {
    let mut lab = lab(WorldConfig {
        rcvbuf: 1000,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, a, b } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 3000 });
    w.run_until_idle(10_000);
    assert_eq!(recvq(w, *pb, s), 1000);
    w.drop_next(*b, *a); // the window update after the next recv is lost
    ok(w, *pb, Call::Recv { fd: s, len: 1000 });
    assert_eq!(w.run_until_idle(10_000), RunOutcome::Idle);
    assert_eq!(
        recvq(w, *pb, s),
        0,
        "nothing moved yet: the sender still sees window 0"
    );
    w.run_until(w.now() + 5 * SEC, u64::MAX);
    assert!(recvq(w, *pb, s) > 0, "the probe found the open window");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn close_moves_to_fin_wait_1_at_once_even_when_data_holds_the_fin_back() {
    let mut lab = lab(WorldConfig {
        rcvbuf: 2000,
        ..WorldConfig::default()
    });
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, a, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 10_000 });
    ok(w, *pa, Call::Close { fd: c });
    assert!(netstat_lines(w, *a)[0].ends_with("FIN_WAIT_1"));
    w.run_until_idle(10_000);
    assert!(
        netstat_lines(w, *a)[0].ends_with("FIN_WAIT_1"),
        "the FIN still waits behind data"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn zero_window_probes_to_a_crashed_peer_give_up() {
    let mut lab = lab(WorldConfig {
        rcvbuf: 1000,
        data_retries: 3,
        ..WorldConfig::default()
    });
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, b, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 3000 });
    w.run_until_idle(10_000);
    w.crash(*b).unwrap();
    w.run_until(w.now() + 3600 * SEC, u64::MAX);
    assert_eq!(err(w, *pa, Call::Send { fd: c, len: 1 }), Errno::ETIMEDOUT);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_live_peer_with_a_shut_window_is_probed_forever() {
    let mut lab = lab(WorldConfig {
        rcvbuf: 1000,
        data_retries: 3,
        ..WorldConfig::default()
    });
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: 3000 });
    w.run_until(w.now() + 3600 * SEC, u64::MAX);
    assert_eq!(state_of(w, *pa, c), TcpState::Established);
    assert_eq!(sendq(w, *pa, c), 2000);
}

/// `run_until(t)` runs what is due by `t` and nothing later, even when the agenda still
/// holds cancelled timers (here the retransmission timers of the data and the FINs)
/// due before `t`: TIME_WAIT lasts its full time, second by second.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn running_until_a_time_never_runs_what_is_due_later() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    let cid = w.socket_of(*pa, c).unwrap().id;
    ok(w, *pa, Call::Send { fd: c, len: 3000 });
    w.run_until_idle(1000);
    ok(w, *pb, Call::Recv { fd: s, len: 3000 });
    ok(w, *pa, Call::Close { fd: c });
    ok(w, *pb, Call::Close { fd: s });
    w.run_until_idle(1000);
    assert_eq!(w.socket(cid).unwrap().state, TcpState::TimeWait);
    let start = w.now();
    let tw = w.config().time_wait_us;
    let mut t = start;
    while t + SEC < start + tw {
        t += SEC;
        w.run_until(t, u64::MAX);
        assert_eq!(w.now(), t);
        let late: Vec<_> = w.trace().iter().filter(|e| e.time > t).collect();
        assert!(
            late.is_empty(),
            "run_until({t}) ran events due later: {late:?}"
        );
        assert_eq!(
            w.socket(cid).map(|s| s.state),
            Some(TcpState::TimeWait),
            "TIME_WAIT ended early, {} µs after it began",
            t - start
        );
    }
    w.run_until(start + tw, u64::MAX);
    assert!(
        w.socket(cid).is_none(),
        "TIME_WAIT ends after its full time"
    );
}
