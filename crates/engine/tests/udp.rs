//! UDP: boundaries kept, nothing retransmitted, same demultiplexing.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::*;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn udp_keeps_datagram_boundaries() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let r = udp_socket(w, *pb);
    bind(w, *pb, r, "*:53");
    let s = udp_socket(w, *pa);
    for n in [100, 200, 300] {
        assert_eq!(
            ok(
                w,
                *pa,
                Call::SendTo {
                    fd: s,
                    len: n,
                    to: addr("10.0.0.2:53")
                }
            ),
            Value::Bytes(n)
        );
    }
    // sendto returned: nothing stays behind in SendQ.
    assert_eq!(sendq(w, *pa, s), 0);
    w.run_until_idle(1000);
    assert_eq!(recvq(w, *pb, r), 600);
    // An implicit bind: wildcard address, ephemeral port; the datagram carries A's address.
    let port = w.socket_of(*pa, s).unwrap().local.port.unwrap();
    let from = addr(&format!("{A_IP}:{port}"));
    // One datagram per call, even with a large buffer; a small buffer truncates.
    assert_eq!(
        ok(w, *pb, Call::RecvFrom { fd: r, len: 1000 }),
        Value::From { len: 100, from }
    );
    assert_eq!(ok(w, *pb, Call::Recv { fd: r, len: 50 }), Value::Bytes(50));
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: r, len: 1000 }),
        Value::Bytes(300)
    );
    assert_eq!(recvq(w, *pb, r), 0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_lost_datagram_is_never_retransmitted() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, a, b } = &mut lab;
    let r = udp_socket(w, *pb);
    bind(w, *pb, r, "*:53");
    let s = udp_socket(w, *pa);
    w.drop_next(*a, *b);
    ok(
        w,
        *pa,
        Call::SendTo {
            fd: s,
            len: 100,
            to: addr("10.0.0.2:53"),
        },
    );
    ok(
        w,
        *pa,
        Call::SendTo {
            fd: s,
            len: 200,
            to: addr("10.0.0.2:53"),
        },
    );
    w.run_until_idle(1000);
    w.run_until(w.now() + 60 * SEC, u64::MAX);
    assert_eq!(recvq(w, *pb, r), 200);
    ok(w, *pb, Call::SetNonBlocking { fd: r, on: true });
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: r, len: 1000 }),
        Value::Bytes(200)
    );
    assert_eq!(err(w, *pb, Call::Recv { fd: r, len: 1000 }), Errno::EAGAIN);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn udp_demux_prefers_the_connected_socket_and_reports_unreachable_ports() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let any = udp_socket(w, *pb);
    bind(w, *pb, any, "*:53");
    let s = udp_socket(w, *pa);
    bind(w, *pa, s, "10.0.0.1:4000");
    let conn = udp_socket(w, *pb);
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: conn,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    bind(w, *pb, conn, "10.0.0.2:53");
    ok(
        w,
        *pb,
        Call::Connect {
            fd: conn,
            addr: addr("10.0.0.1:4000"),
        },
    );
    ok(
        w,
        *pa,
        Call::SendTo {
            fd: s,
            len: 10,
            to: addr("10.0.0.2:53"),
        },
    );
    ok(
        w,
        *pa,
        Call::SendTo {
            fd: s,
            len: 20,
            to: addr("10.0.0.2:54"),
        },
    );
    w.run_until_idle(1000);
    assert_eq!(recvq(w, *pb, conn), 10);
    assert_eq!(recvq(w, *pb, any), 0);
    let unreachable = w.trace().iter().any(|e| {
        matches!(&e.event, Event::Demux(r) if r.winner.is_none() && r.outcome == sockscope_engine::trace::DemuxOutcome::PortUnreachable)
    });
    assert!(unreachable);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn udp_errors_follow_the_c_api() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, .. } = &mut lab;
    let s = udp_socket(w, *pa);
    assert_eq!(
        err(w, *pa, Call::Send { fd: s, len: 10 }),
        Errno::EDESTADDRREQ
    );
    assert_eq!(
        err(w, *pa, Call::Listen { fd: s, backlog: 1 }),
        Errno::EOPNOTSUPP
    );
    assert_eq!(err(w, *pa, Call::Accept { fd: s }), Errno::EOPNOTSUPP);
    assert_eq!(
        err(
            w,
            *pa,
            Call::SendTo {
                fd: s,
                len: 70_000,
                to: addr("10.0.0.2:53")
            }
        ),
        Errno::EMSGSIZE
    );
    assert_eq!(
        err(
            w,
            *pa,
            Call::Shutdown {
                fd: s,
                how: Shutdown::Write
            }
        ),
        Errno::ENOTCONN
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_connected_udp_socket_learns_that_nobody_listens() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, .. } = &mut lab;
    let u = udp_socket(w, *pa);
    ok(
        w,
        *pa,
        Call::Connect {
            fd: u,
            addr: addr("10.0.0.2:9"),
        },
    );
    ok(w, *pa, Call::Send { fd: u, len: 5 });
    w.run_until_idle(1000);
    assert_eq!(
        err(w, *pa, Call::Recv { fd: u, len: 10 }),
        Errno::ECONNREFUSED
    );
}

/// Found by the engine_calls fuzzer: two SO_REUSEADDR sockets on one port connected to
/// the same peer made the demultiplexer lose the first. One structure owns a 4-tuple,
/// so the second connect fails (Linux allows it; model.md says so).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_second_udp_socket_cannot_connect_to_a_four_tuple_already_taken() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pb, .. } = &mut lab;
    let [first, second] = [udp_socket(w, *pb), udp_socket(w, *pb)];
    for fd in [first, second] {
        ok(
            w,
            *pb,
            Call::SetSockOpt {
                fd,
                opt: SockOpt::ReuseAddr(true),
            },
        );
        bind(w, *pb, fd, "*:80");
    }
    let to = addr(&format!("{A_IP}:80"));
    assert_eq!(
        ok(
            w,
            *pb,
            Call::Connect {
                fd: first,
                addr: to
            }
        ),
        Value::Zero
    );
    assert_eq!(
        err(
            w,
            *pb,
            Call::Connect {
                fd: second,
                addr: to
            }
        ),
        Errno::EADDRINUSE
    );
    w.check_invariants().unwrap();
}
