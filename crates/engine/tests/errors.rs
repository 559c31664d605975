//! Calls in the wrong state fail with the errno the C API gives (MODEL.md §7).

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::*;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn calls_on_unknown_descriptors_fail_with_ebadf() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, .. } = &mut lab;
    for call in [
        Call::Send { fd: Fd(3), len: 1 },
        Call::Recv { fd: Fd(3), len: 1 },
        Call::Close { fd: Fd(3) },
        Call::Listen {
            fd: Fd(7),
            backlog: 1,
        },
        Call::Accept { fd: Fd(0) },
    ] {
        assert_eq!(err(w, *pa, call), Errno::EBADF);
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn unconnected_tcp_sockets_refuse_data_calls_with_enotconn() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, .. } = &mut lab;
    let s = tcp_socket(w, *pa);
    assert_eq!(err(w, *pa, Call::Send { fd: s, len: 1 }), Errno::ENOTCONN);
    assert_eq!(err(w, *pa, Call::Recv { fd: s, len: 1 }), Errno::ENOTCONN);
    assert_eq!(
        err(
            w,
            *pa,
            Call::Shutdown {
                fd: s,
                how: Shutdown::Both
            }
        ),
        Errno::ENOTCONN
    );
    assert_eq!(err(w, *pa, Call::Accept { fd: s }), Errno::EINVAL);
    let l = listen_on(w, *pa, "*:80", 1);
    assert_eq!(err(w, *pa, Call::Send { fd: l, len: 1 }), Errno::ENOTCONN);
    assert_eq!(
        err(
            w,
            *pa,
            Call::Connect {
                fd: l,
                addr: addr("10.0.0.2:80")
            }
        ),
        Errno::EINVAL
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn connected_sockets_refuse_listen_and_second_connects() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, .. } = &mut lab;
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
    assert_eq!(
        err(w, *pa, Call::Listen { fd: c, backlog: 1 }),
        Errno::EINVAL
    );
    assert_eq!(
        err(
            w,
            *pa,
            Call::SetSockOpt {
                fd: c,
                opt: SockOpt::SndBuf(0)
            }
        ),
        Errno::EINVAL
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_blocked_process_cannot_issue_another_call() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pb, .. } = &mut lab;
    let l = listen_on(w, *pb, "*:80", 1);
    blocks(w, *pb, Call::Accept { fd: l });
    match w.call(*pb, Call::Close { fd: l }) {
        Err(CallRejected::Busy { pending, .. }) => assert_eq!(pending, Call::Accept { fd: l }),
        other => panic!("{other:?}"),
    }
    // And nothing changed.
    assert_eq!(state_of(w, *pb, l), TcpState::Listen);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn nonblocking_calls_answer_eagain_instead_of_waiting() {
    let mut lab = lab(WorldConfig {
        sndbuf: 1000,
        rcvbuf: 1000,
        ..WorldConfig::default()
    });
    let (l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(w, *pb, Call::SetNonBlocking { fd: l, on: true });
    assert_eq!(err(w, *pb, Call::Accept { fd: l }), Errno::EAGAIN);
    ok(w, *pa, Call::SetNonBlocking { fd: c, on: true });
    assert_eq!(err(w, *pa, Call::Recv { fd: c, len: 10 }), Errno::EAGAIN);
    // A partial send returns what fit, then EAGAIN once SendQ is full.
    assert_eq!(
        ok(w, *pa, Call::Send { fd: c, len: 1500 }),
        Value::Bytes(1000)
    );
    assert_eq!(err(w, *pa, Call::Send { fd: c, len: 10 }), Errno::EAGAIN);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn dup_and_fork_share_one_structure_until_the_last_close() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    let d = ok(w, *pa, Call::Dup { fd: c }).fd().unwrap();
    assert_ne!(c, d);
    let child = w.fork(*pa, "child").unwrap();
    let id = w.socket_of(*pa, c).unwrap().id;
    assert_eq!(w.socket(id).unwrap().refs, 4);
    ok(w, *pa, Call::Close { fd: c });
    ok(w, *pa, Call::Close { fd: d });
    w.run_until_idle(1000);
    assert_eq!(
        w.socket(id).unwrap().state,
        TcpState::Established,
        "the child still holds it"
    );
    ok(w, child, Call::Send { fd: c, len: 10 });
    ok(w, child, Call::Close { fd: c });
    ok(w, child, Call::Close { fd: d });
    w.run_until_idle(1000);
    assert_eq!(w.socket(id).unwrap().state, TcpState::FinWait2);
    assert_eq!(ok(w, *pb, Call::Recv { fd: s, len: 100 }), Value::Bytes(10));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_crashed_host_is_learned_of_by_timeout() {
    let mut lab = lab(WorldConfig {
        data_retries: 3,
        ..WorldConfig::default()
    });
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, b, .. } = &mut lab;
    w.crash(*b).unwrap();
    assert!(matches!(
        w.call(*pb, Call::Recv { fd: Fd(3), len: 1 }),
        Err(CallRejected::HostDown(_))
    ));
    ok(w, *pa, Call::Send { fd: c, len: 100 });
    blocks(w, *pa, Call::Recv { fd: c, len: 100 });
    w.run_until_idle(10_000);
    assert_eq!(returned(w, *pa), Err(Errno::ETIMEDOUT));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_restarted_host_answers_old_connections_with_rst() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, b, .. } = &mut lab;
    w.crash(*b).unwrap();
    w.restart(*b).unwrap();
    ok(w, *pa, Call::Send { fd: c, len: 100 });
    w.run_until_idle(10_000);
    assert_eq!(
        err(w, *pa, Call::Recv { fd: c, len: 100 }),
        Errno::ECONNRESET
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn errno_names_and_explanations_are_all_there() {
    for e in Errno::ALL {
        assert!(e.to_string().starts_with('E'));
        assert!(e.explain().len() > 10);
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn processes_of_a_crashed_host_stay_dead_after_it_restarts() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pb, b, .. } = &mut lab;
    assert_eq!(w.restart(*b), Err(WorldError::NotCrashed(*b)));
    w.crash(*b).unwrap();
    w.restart(*b).unwrap();
    assert!(matches!(
        w.call(
            *pb,
            Call::Socket {
                proto: Proto::Tcp,
                family: Family::V4
            }
        ),
        Err(CallRejected::ProcessDied(_))
    ));
    let fresh = w.spawn(*b, "new").unwrap();
    tcp_socket(w, fresh);
}
