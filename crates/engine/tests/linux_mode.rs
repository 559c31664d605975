//! Textbook or Linux: one test per decision of `behaviour.rs`, named after what Linux
//! does, each asserting both modes (crates/engine/model.md, "Where Linux differs").

mod common;
use common::*;
use sockscope_engine::trace::TimerKind;
use sockscope_engine::*;

use Behaviour::{Linux, Textbook};

fn lab_in(mode: Behaviour) -> Lab {
    lab(WorldConfig {
        behaviour: mode,
        ..WorldConfig::default()
    })
}

fn settle(w: &mut World) {
    assert_eq!(w.run_until_idle(100_000), RunOutcome::Idle);
}

fn send(w: &mut World, pid: Pid, fd: Fd, len: u64) -> Ret {
    match w.call(pid, Call::Send { fd, len }).unwrap() {
        CallReply::Returned(r) => r,
        CallReply::Blocked => panic!("send({len}) blocked"),
    }
}

fn recv(w: &mut World, pid: Pid, fd: Fd, len: u64) -> Ret {
    match w.call(pid, Call::Recv { fd, len }).unwrap() {
        CallReply::Returned(r) => r,
        CallReply::Blocked => panic!("recv({len}) blocked"),
    }
}

fn state_of(w: &World, pid: Pid, fd: Fd) -> Option<TcpState> {
    w.socket_of(pid, fd).map(|s| s.state)
}

fn rows(w: &World, host: HostId) -> Vec<NetstatRow> {
    w.netstat(host)
}

/// The sentences the trace holds for the other mode.
fn other_mode(w: &World) -> Vec<String> {
    w.trace()
        .iter()
        .filter_map(|e| match &e.event {
            Event::OtherMode {
                now, difference, ..
            } => Some(difference.sentence(*now)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_mode_is_textbook_by_default_and_reads_and_prints_its_name() {
    assert_eq!(WorldConfig::default().behaviour, Textbook);
    for mode in Behaviour::ALL {
        assert_eq!(mode.to_string().parse::<Behaviour>(), Ok(mode));
        let json = serde_json::to_string(&mode).unwrap();
        assert_eq!(json, format!("\"{mode}\""));
    }
    let err = "bsd".parse::<Behaviour>().unwrap_err();
    assert_eq!(err, "unknown behaviour \"bsd\"; it is textbook or linux");
}

#[test]
fn close_with_unread_data_sends_rst_on_linux_and_fin_in_the_textbook() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let (_, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, .. } = &mut lab;
        assert_eq!(send(w, *pa, c, 300), Ok(Value::Bytes(300)));
        settle(w);
        ok(w, *pb, Call::Close { fd: s });
        settle(w);
        let sentences = other_mode(w);
        match mode {
            Textbook => {
                assert_eq!(state_of(w, *pa, c), Some(TcpState::CloseWait));
                assert_eq!(recv(w, *pa, c, 1000), Ok(Value::Bytes(0)));
                assert_eq!(send(w, *pa, c, 10), Ok(Value::Bytes(10)));
                assert!(sentences.contains(&"On Linux, close() with 300 unread bytes would send an RST here, and the peer's next recv() would fail with ECONNRESET.".to_string()), "{sentences:?}");
            }
            Linux => {
                assert_eq!(state_of(w, *pa, c), Some(TcpState::Closed));
                assert_eq!(recv(w, *pa, c, 1000), Err(Errno::ECONNRESET));
                assert_eq!(send(w, *pa, c, 10), Err(Errno::EPIPE));
                assert!(sentences.contains(&"In the textbook model, close() would throw the 300 unread bytes away and send a FIN; the peer would read end of stream.".to_string()), "{sentences:?}");
            }
        }
    }
}

#[test]
fn data_reaching_a_closed_socket_is_answered_by_rst_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let (_, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, a, .. } = &mut lab;
        ok(w, *pa, Call::Close { fd: c });
        settle(w);
        assert_eq!(send(w, *pb, s, 100), Ok(Value::Bytes(100)));
        settle(w);
        match mode {
            Textbook => {
                assert_eq!(state_of(w, *pb, s), Some(TcpState::CloseWait));
                assert_eq!(send(w, *pb, s, 100), Ok(Value::Bytes(100)));
            }
            Linux => {
                assert_eq!(state_of(w, *pb, s), Some(TcpState::Closed));
                assert!(w.sockets().all(|x| x.host != *a), "the client is gone");
                assert_eq!(send(w, *pb, s, 100), Err(Errno::EPIPE));
            }
        }
    }
}

#[test]
fn an_rst_in_close_wait_leaves_epipe_on_linux_and_econnreset_in_the_textbook() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let (_, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, .. } = &mut lab;
        ok(
            w,
            *pa,
            Call::Shutdown {
                fd: c,
                how: Shutdown::Write,
            },
        );
        settle(w);
        assert_eq!(state_of(w, *pb, s), Some(TcpState::CloseWait));
        ok(
            w,
            *pa,
            Call::SetSockOpt {
                fd: c,
                opt: SockOpt::Linger(Some(0)),
            },
        );
        ok(w, *pa, Call::Close { fd: c });
        settle(w);
        let expected = match mode {
            Textbook => Errno::ECONNRESET,
            Linux => Errno::EPIPE,
        };
        assert_eq!(send(w, *pb, s, 10), Err(expected), "{mode}");
    }
}

#[test]
fn socket_buffers_are_doubled_with_minimums_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let Lab { w, pa, .. } = &mut lab;
        let fd = tcp_socket(w, *pa);
        for (opt, name) in [
            (SockOpt::SndBuf(500), OptName::SndBuf),
            (SockOpt::RcvBuf(500), OptName::RcvBuf),
            (SockOpt::SndBuf(8192), OptName::SndBuf),
            (SockOpt::RcvBuf(8192), OptName::RcvBuf),
        ] {
            ok(w, *pa, Call::SetSockOpt { fd, opt });
            let got = ok(w, *pa, Call::GetSockOpt { fd, name });
            let s = w.socket_of(*pa, fd).unwrap();
            let (reported, sendq, recvq) = match got {
                Value::Opt(SockOpt::SndBuf(n) | SockOpt::RcvBuf(n)) => {
                    (n, s.sendq.capacity(), s.recvq.capacity())
                }
                other => panic!("{other:?}"),
            };
            let set = match opt {
                SockOpt::SndBuf(n) | SockOpt::RcvBuf(n) => n,
                _ => unreachable!(),
            };
            let queue = if name == OptName::SndBuf {
                sendq
            } else {
                recvq
            };
            match (mode, name, set) {
                (Textbook, _, n) => assert_eq!((reported, queue), (n, n)),
                // The kernel-check figures: 4608 / 2304 minimums, RecvQ half.
                (Linux, OptName::SndBuf, 500) => assert_eq!((reported, queue), (4608, 4608)),
                (Linux, OptName::RcvBuf, 500) => assert_eq!((reported, queue), (2304, 1152)),
                (Linux, OptName::SndBuf, n) => assert_eq!((reported, queue), (2 * n, 2 * n)),
                (Linux, _, n) => assert_eq!((reported, queue), (2 * n, n)),
            }
        }
    }
}

/// The server closes first, so its connection sits in TIME_WAIT on port 80; returns
/// whether a new socket with SO_REUSEADDR may bind to the port.
fn rebind_beside_time_wait(mode: Behaviour, old_reuse: bool) -> Result<(), Errno> {
    let mut lab = lab_in(mode);
    let Lab { w, pa, pb, .. } = &mut lab;
    let l = tcp_socket(w, *pb);
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: l,
            opt: SockOpt::ReuseAddr(old_reuse),
        },
    );
    bind(w, *pb, l, "*:80");
    ok(w, *pb, Call::Listen { fd: l, backlog: 5 });
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    settle(w);
    let s = ok(w, *pb, Call::Accept { fd: l }).fd().unwrap();
    ok(w, *pb, Call::Close { fd: s });
    ok(w, *pb, Call::Close { fd: l });
    settle(w);
    ok(w, *pa, Call::Close { fd: c });
    {
        let t = w.now() + 2 * SEC;
        w.run_until(t, 1_000_000);
    }
    assert!(w.sockets().any(|s| s.state == TcpState::TimeWait));
    let n = tcp_socket(w, *pb);
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: n,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    match w
        .call(
            *pb,
            Call::Bind {
                fd: n,
                addr: ep("*:80"),
            },
        )
        .unwrap()
    {
        CallReply::Returned(r) => r.map(|_| ()),
        CallReply::Blocked => unreachable!(),
    }
}

#[test]
fn so_reuseaddr_is_needed_on_the_old_socket_too_on_linux() {
    assert_eq!(rebind_beside_time_wait(Textbook, false), Ok(()));
    assert_eq!(
        rebind_beside_time_wait(Linux, false),
        Err(Errno::EADDRINUSE)
    );
    for mode in Behaviour::ALL {
        assert_eq!(rebind_beside_time_wait(mode, true), Ok(()), "{mode}");
    }
}

fn bind_beside(
    mode: Behaviour,
    proto: Proto,
    first: &str,
    second: &str,
    reuse: [bool; 2],
    listen: bool,
) -> Result<(), Errno> {
    let mut lab = lab_in(mode);
    let Lab { w, pb, .. } = &mut lab;
    let mut last = Ok(());
    for (i, at) in [first, second].into_iter().enumerate() {
        let fd = match proto {
            Proto::Tcp => tcp_socket(w, *pb),
            Proto::Udp => udp_socket(w, *pb),
        };
        ok(
            w,
            *pb,
            Call::SetSockOpt {
                fd,
                opt: SockOpt::ReuseAddr(reuse[i]),
            },
        );
        last = match w.call(*pb, Call::Bind { fd, addr: ep(at) }).unwrap() {
            CallReply::Returned(r) => r.map(|_| ()),
            CallReply::Blocked => unreachable!(),
        };
        if i == 0 && listen {
            ok(w, *pb, Call::Listen { fd, backlog: 5 });
        }
    }
    last
}

#[test]
fn a_specific_address_beside_a_wildcard_listener_is_refused_on_linux() {
    for (first, second) in [("*:99", "10.0.0.2:99"), ("10.0.0.2:99", "*:99")] {
        let both = [true, true];
        assert_eq!(
            bind_beside(Textbook, Proto::Tcp, first, second, both, true),
            Ok(())
        );
        assert_eq!(
            bind_beside(Linux, Proto::Tcp, first, second, both, true),
            Err(Errno::EADDRINUSE)
        );
        // Without a listener, both with SO_REUSEADDR: allowed in both.
        for mode in Behaviour::ALL {
            assert_eq!(
                bind_beside(mode, Proto::Tcp, first, second, both, false),
                Ok(())
            );
        }
    }
}

#[test]
fn udp_so_reuseaddr_needs_both_sockets_on_linux() {
    let only_second = [false, true];
    assert_eq!(
        bind_beside(
            Textbook,
            Proto::Udp,
            "*:53",
            "10.0.0.2:53",
            only_second,
            false
        ),
        Ok(())
    );
    assert_eq!(
        bind_beside(Linux, Proto::Udp, "*:53", "10.0.0.2:53", only_second, false),
        Err(Errno::EADDRINUSE)
    );
    for mode in Behaviour::ALL {
        for (first, second) in [("*:53", "10.0.0.2:53"), ("10.0.0.2:53", "10.0.0.2:53")] {
            assert_eq!(
                bind_beside(mode, Proto::Udp, first, second, [true, true], false),
                Ok(()),
                "{mode} {first} {second}"
            );
        }
    }
}

#[test]
fn close_returns_0_when_so_linger_expires_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let (_, c, _s) = connected(&mut lab, 80);
        let Lab { w, pa, a, b, .. } = &mut lab;
        // The peer's host goes down: the FIN is never acknowledged.
        w.crash(*b).unwrap();
        let _ = a;
        ok(
            w,
            *pa,
            Call::SetSockOpt {
                fd: c,
                opt: SockOpt::Linger(Some(1)),
            },
        );
        blocks(w, *pa, Call::Close { fd: c });
        {
            let t = w.now() + 2 * SEC;
            w.run_until(t, 1_000_000);
        }
        let expected = match mode {
            Textbook => Err(Errno::ETIMEDOUT),
            Linux => Ok(Value::Zero),
        };
        assert_eq!(returned(w, *pa), expected, "{mode}");
        assert!(w.sockets().any(|s| s.state == TcpState::FinWait1));
        assert!(w
            .sockets()
            .all(|s| s.timers.get(TimerKind::Linger).is_none()));
    }
}

#[test]
fn send_on_an_unconnected_socket_is_epipe_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let Lab { w, pa, pb, .. } = &mut lab;
        let s = tcp_socket(w, *pa);
        let l = listen_on(w, *pb, "*:80", 5);
        let expected = match mode {
            Textbook => Errno::ENOTCONN,
            Linux => Errno::EPIPE,
        };
        assert_eq!(send(w, *pa, s, 10), Err(expected));
        assert_eq!(send(w, *pb, l, 10), Err(expected));
        assert_eq!(recv(w, *pa, s, 10), Err(Errno::ENOTCONN), "recv() agrees");
    }
}

#[test]
fn connect_on_a_listener_is_eisconn_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let Lab { w, pb, .. } = &mut lab;
        let l = listen_on(w, *pb, "*:80", 5);
        let expected = match mode {
            Textbook => Errno::EINVAL,
            Linux => Errno::EISCONN,
        };
        let to = addr("10.0.0.2:80");
        assert_eq!(err(w, *pb, Call::Connect { fd: l, addr: to }), expected);
    }
}

#[test]
fn accepted_sockets_do_not_inherit_o_nonblock_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let Lab { w, pa, pb, .. } = &mut lab;
        let l = listen_on(w, *pb, "*:80", 5);
        ok(w, *pb, Call::SetNonBlocking { fd: l, on: true });
        let c = tcp_socket(w, *pa);
        connect_blocks(w, *pa, c, "10.0.0.2:80");
        settle(w);
        let s = ok(w, *pb, Call::Accept { fd: l }).fd().unwrap();
        let nonblocking = w.socket_of(*pb, s).unwrap().opts.nonblocking;
        assert_eq!(nonblocking, mode == Textbook, "{mode}");
    }
}

#[test]
fn netstat_counts_an_unread_fin_in_recv_q_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let (_, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, b, .. } = &mut lab;
        ok(w, *pa, Call::Close { fd: c });
        settle(w);
        let recv_q = |w: &World| {
            let id = w.socket_of(*pb, s).unwrap().id;
            rows(w, *b)
                .into_iter()
                .find(|r| r.sock == id)
                .unwrap()
                .recv_q
        };
        assert_eq!(recv_q(w), (mode == Linux) as u64, "{mode}");
        assert_eq!(
            w.socket_of(*pb, s).unwrap().recvq.len(),
            0,
            "what recv() sees"
        );
        assert_eq!(recv(w, *pb, s, 10), Ok(Value::Bytes(0)));
        assert_eq!(recv_q(w), 0, "{mode}: the FIN is read");
    }
}

#[test]
fn a_bound_only_socket_has_no_netstat_row_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let Lab { w, pb, b, .. } = &mut lab;
        let fd = tcp_socket(w, *pb);
        bind(w, *pb, fd, "*:80");
        let listed = rows(w, *b).iter().any(|r| r.state == "CLOSED");
        assert_eq!(listed, mode == Textbook, "{mode}");
        ok(w, *pb, Call::Listen { fd, backlog: 5 });
        assert!(rows(w, *b).iter().any(|r| r.state == "LISTEN"));
    }
}

#[test]
fn an_unbound_udp_socket_has_no_netstat_row_on_linux_until_bind_gives_it_a_port() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let Lab { w, pb, b, .. } = &mut lab;
        let fd = udp_socket(w, *pb);
        let udp_rows = |w: &World| rows(w, *b).iter().filter(|r| r.proto == "udp").count();
        assert_eq!(udp_rows(w), usize::from(mode == Textbook), "{mode}");
        bind(w, *pb, fd, "*:53");
        assert_eq!(udp_rows(w), 1, "{mode}: bound, it has a row");
    }
}

#[test]
fn a_zero_window_reopens_only_when_min_of_half_rqs_and_mss_is_free_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let Lab { w, pa, pb, .. } = &mut lab;
        let l = tcp_socket(w, *pb);
        ok(
            w,
            *pb,
            Call::SetSockOpt {
                fd: l,
                opt: SockOpt::RcvBuf(2000),
            },
        );
        bind(w, *pb, l, "*:80");
        ok(w, *pb, Call::Listen { fd: l, backlog: 5 });
        let c = tcp_socket(w, *pa);
        connect_blocks(w, *pa, c, "10.0.0.2:80");
        settle(w);
        let s = ok(w, *pb, Call::Accept { fd: l }).fd().unwrap();
        let rqs = w.socket_of(*pb, s).unwrap().recvq.capacity();
        assert_eq!(send(w, *pa, c, rqs + 500), Ok(Value::Bytes(rqs + 500)));
        {
            let t = w.now() + SEC;
            w.run_until(t, 1_000_000);
        }
        assert_eq!(w.socket_of(*pb, s).unwrap().recvq.len(), rqs);
        // Free 100 bytes: below min(RQS/2, MSS).
        assert_eq!(recv(w, *pb, s, 100), Ok(Value::Bytes(100)));
        let adv = w.socket_of(*pb, s).unwrap().tcb.last_adv_wnd;
        match mode {
            Textbook => assert_eq!(adv, 100),
            Linux => assert_eq!(adv, 0),
        }
        // Free enough: the window opens in both.
        let more = (rqs / 2).min(1460);
        recv(w, *pb, s, more).unwrap();
        assert!(w.socket_of(*pb, s).unwrap().tcb.last_adv_wnd >= more);
    }
}

#[test]
fn the_initial_congestion_window_is_10_segments_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let (_, c, _) = connected(&mut lab, 80);
        let Lab { w, pa, .. } = &mut lab;
        let cwnd = w.socket_of(*pa, c).unwrap().tcb.cwnd;
        let segments = match mode {
            Textbook => 1,
            Linux => 10,
        };
        // The handshake's ACK grows nothing: cwnd is still the initial one.
        assert_eq!(cwnd, segments * 1460, "{mode}");
    }
}

#[test]
fn running_out_of_ephemeral_ports_is_eaddrnotavail_for_connect_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab(WorldConfig {
            behaviour: mode,
            ephemeral_first: 40000,
            ephemeral_last: 40000,
            ..WorldConfig::default()
        });
        let Lab { w, pa, .. } = &mut lab;
        let first = tcp_socket(w, *pa);
        bind(w, *pa, first, "*:0");
        let c = tcp_socket(w, *pa);
        let to = addr("10.0.0.2:80");
        let expected = match mode {
            Textbook => Errno::EADDRINUSE,
            Linux => Errno::EADDRNOTAVAIL,
        };
        assert_eq!(err(w, *pa, Call::Connect { fd: c, addr: to }), expected);
        // bind() to port 0 says EADDRINUSE in both.
        let b = tcp_socket(w, *pa);
        let any = ep("*:0");
        assert_eq!(
            err(w, *pa, Call::Bind { fd: b, addr: any }),
            Errno::EADDRINUSE
        );
    }
}

#[test]
fn bytes_after_shut_rd_are_still_queued_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab_in(mode);
        let (_, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, .. } = &mut lab;
        send(w, *pa, c, 100).unwrap();
        settle(w);
        ok(
            w,
            *pb,
            Call::Shutdown {
                fd: s,
                how: Shutdown::Read,
            },
        );
        send(w, *pa, c, 50).unwrap();
        settle(w);
        match mode {
            Textbook => {
                assert_eq!(w.socket_of(*pb, s).unwrap().recvq.len(), 0);
                assert_eq!(recv(w, *pb, s, 1000), Ok(Value::Bytes(0)));
            }
            Linux => {
                assert_eq!(w.socket_of(*pb, s).unwrap().recvq.len(), 150);
                assert_eq!(recv(w, *pb, s, 1000), Ok(Value::Bytes(150)));
                assert_eq!(recv(w, *pb, s, 1000), Ok(Value::Bytes(0)));
            }
        }
    }
}

#[test]
fn time_wait_lasts_a_fixed_60_s_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab(WorldConfig {
            behaviour: mode,
            time_wait_us: 4 * SEC,
            ..WorldConfig::default()
        });
        let (_, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, .. } = &mut lab;
        ok(w, *pa, Call::Close { fd: c });
        ok(w, *pb, Call::Close { fd: s });
        {
            let t = w.now() + 10 * SEC;
            w.run_until(t, 1_000_000);
        }
        let waiting = w.sockets().any(|x| x.state == TcpState::TimeWait);
        assert_eq!(waiting, mode == Linux, "{mode}");
        {
            let t = w.now() + 60 * SEC;
            w.run_until(t, 1_000_000);
        }
        assert!(w.sockets().all(|x| x.state != TcpState::TimeWait));
    }
}

#[test]
fn the_other_mode_is_narrated_with_the_engines_numbers() {
    let mut lab = lab_in(Textbook);
    let Lab { w, pa, .. } = &mut lab;
    let fd = tcp_socket(w, *pa);
    ok(
        w,
        *pa,
        Call::SetSockOpt {
            fd,
            opt: SockOpt::RcvBuf(4000),
        },
    );
    assert_eq!(
        other_mode(w),
        ["On Linux, getsockopt(SO_RCVBUF) would report 8000 bytes after asking for 4000, and the queue would hold 4000."]
    );
    let mut lab = lab_in(Linux);
    let Lab { w, pa, .. } = &mut lab;
    let fd = tcp_socket(w, *pa);
    assert_eq!(send(w, *pa, fd, 1), Err(Errno::EPIPE));
    assert_eq!(
        other_mode(w),
        ["In the textbook model, this send() would fail with ENOTCONN."]
    );
}

#[test]
fn linux_reports_a_completed_non_blocking_connect_once_with_0() {
    for mode in [Textbook, Linux] {
        let mut lab = lab_in(mode);
        let Lab { w, pa, pb, .. } = &mut lab;
        listen_on(w, *pb, "*:80", 5);
        let c = tcp_socket(w, *pa);
        ok(w, *pa, Call::SetNonBlocking { fd: c, on: true });
        let to = addr(&format!("{B_IP}:80"));
        assert_eq!(
            err(w, *pa, Call::Connect { fd: c, addr: to }),
            Errno::EINPROGRESS
        );
        assert_eq!(
            err(w, *pa, Call::Connect { fd: c, addr: to }),
            Errno::EALREADY
        );
        settle(w);
        let again = w.call(*pa, Call::Connect { fd: c, addr: to }).unwrap();
        let want = match mode {
            Textbook => Err(Errno::EISCONN),
            Linux => Ok(Value::Zero),
        };
        assert_eq!(again, CallReply::Returned(want), "{mode}");
        assert_eq!(
            err(w, *pa, Call::Connect { fd: c, addr: to }),
            Errno::EISCONN,
            "{mode}"
        );
        assert_eq!(other_mode(w).len(), 1, "{mode}: {:?}", other_mode(w));
    }
}

/// A's data segments (first transmissions and repeats) in the trace.
fn data_segments_from(w: &World, host: HostId) -> usize {
    w.trace()
        .iter()
        .filter(|e| {
            matches!(&e.event, Event::SegmentSent { seg, .. } if seg.from_host == host && seg.len > 0)
        })
        .count()
}

/// Four 100-byte segments leave A at once; the first is lost.
fn first_of_four_lost(mode: Behaviour) -> (Lab, Fd, Fd) {
    let mut lab = lab(WorldConfig {
        behaviour: mode,
        mss: 100,
        initial_cwnd: 4,
        ..WorldConfig::default()
    });
    let (_, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, a, b, .. } = &mut lab;
    w.drop_next(*a, *b);
    assert_eq!(send(w, *pa, c, 400), Ok(Value::Bytes(400)));
    // The three after the gap arrive (50 ms), long before the retransmission (≥ 200 ms).
    w.run_until(w.now() + 60 * MS, u64::MAX);
    (lab, c, s)
}

#[test]
fn segments_beyond_a_gap_are_kept_until_it_fills_on_linux() {
    for mode in Behaviour::ALL {
        let (mut lab, c, s) = first_of_four_lost(mode);
        let Lab { w, pa, pb, a, .. } = &mut lab;
        let receiver = w.socket_of(*pb, s).unwrap();
        let kept: u64 = receiver.out_of_order.values().map(|h| h.len).sum();
        // Recv-Q counts only bytes in order, in both modes (as `ss` does).
        assert_eq!(receiver.recvq.len(), 0, "{mode}");
        assert_eq!(kept, if mode == Linux { 300 } else { 0 }, "{mode}");
        settle(w);
        assert_eq!(recvq(w, *pb, s), 400, "{mode}");
        assert_eq!(sendq(w, *pa, c), 0, "{mode}");
        // Go-back-N in both: the textbook sends the three again after the lost one;
        // on Linux the ACK for the lost one covers all four.
        let sent = data_segments_from(w, *a);
        assert_eq!(sent, if mode == Linux { 5 } else { 8 }, "{mode}");
        let runs: Vec<_> = w.socket_of(*pb, s).unwrap().recvq.runs().copied().collect();
        assert_eq!(runs.len(), 1, "{mode}: one send(), one run, in order");
        assert_eq!(w.check_invariants(), Ok(()), "{mode}");
    }
}

#[test]
fn keeping_a_segment_beyond_a_gap_is_narrated_as_the_textbook_would_discard_it() {
    let (lab, _, _) = first_of_four_lost(Linux);
    let sentences = other_mode(&lab.w);
    assert!(
        sentences.contains(&"In the textbook model, these 100 bytes, 100 bytes beyond the next one expected, would be discarded, and go-back-N would send them again after the gap.".to_string()),
        "{sentences:?}"
    );
    let (lab, _, _) = first_of_four_lost(Textbook);
    assert_eq!(
        other_mode(&lab.w),
        Vec::<String>::new(),
        "the textbook's transcripts stay as they were"
    );
}

#[test]
fn a_reordered_stream_arrives_in_order_without_a_retransmission_on_linux() {
    for mode in Behaviour::ALL {
        let mut lab = lab(WorldConfig {
            behaviour: mode,
            mss: 100,
            initial_cwnd: 10,
            seed: 3,
            ..WorldConfig::default()
        });
        let (_, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, a, b } = &mut lab;
        w.set_reorder(*a, *b, 0.3, 20 * MS);
        for _ in 0..5 {
            assert_eq!(send(w, *pa, c, 200), Ok(Value::Bytes(200)));
        }
        settle(w);
        let mut tags = Vec::new();
        while let Ok(Value::Bytes(n)) = recv(w, *pb, s, 150) {
            if n == 0 {
                break;
            }
            let d = w
                .socket_of(*pb, s)
                .unwrap()
                .delivered
                .recent()
                .last()
                .copied()
                .unwrap();
            tags.push(d.tag);
            if recvq(w, *pb, s) == 0 {
                break;
            }
        }
        assert_eq!(
            w.socket_of(*pb, s).unwrap().delivered.total(),
            1000,
            "{mode}"
        );
        let mut sorted = tags.clone();
        sorted.sort();
        assert_eq!(tags, sorted, "{mode}: bytes of later sends came first");
        let repeats = w
            .trace()
            .iter()
            .filter(|e| matches!(&e.event, Event::SegmentSent { seg, .. } if seg.from_host == *a && seg.retransmission))
            .count();
        match mode {
            Linux => assert_eq!(repeats, 0, "{mode}"),
            Textbook => assert!(repeats > 0, "{mode}: the overtaken segments are sent again"),
        }
        assert_eq!(w.check_invariants(), Ok(()), "{mode}");
    }
}

#[test]
fn the_accept_queue_holds_backlog_plus_one_connections_on_linux() {
    for mode in [Textbook, Linux] {
        let mut lab = lab_in(mode);
        let Lab { w, pa, pb, b, .. } = &mut lab;
        listen_on(w, *pb, "*:80", 1);
        let to = addr(&format!("{B_IP}:80"));
        let clients: Vec<Fd> = (0..3)
            .map(|_| {
                let c = tcp_socket(w, *pa);
                ok(w, *pa, Call::SetNonBlocking { fd: c, on: true });
                assert_eq!(
                    err(w, *pa, Call::Connect { fd: c, addr: to }),
                    Errno::EINPROGRESS
                );
                // Each handshake is over before the next client starts, and well
                // before the first SYN retransmission (1 s).
                let t = w.now() + 500_000;
                w.run_until(t, 100_000);
                c
            })
            .collect();
        let states: Vec<_> = clients
            .iter()
            .map(|&c| state_of(w, *pa, c).unwrap())
            .collect();
        let listener = w
            .ss(*b)
            .into_iter()
            .find(|r| r.state == "LISTEN")
            .expect("the listener's row");
        use TcpState::{Established, SynSent};
        match mode {
            Textbook => {
                assert_eq!(states, [Established, SynSent, SynSent]);
                assert_eq!((listener.recv_q, listener.send_q), (1, 1));
                assert_eq!(
                    other_mode(w),
                    ["On Linux, this SYN would be answered: with listen(fd, 1) the accept queue has room for 2 (1 waiting now)."; 2]
                );
            }
            Linux => {
                assert_eq!(states, [Established, Established, SynSent]);
                assert_eq!((listener.recv_q, listener.send_q), (2, 1));
                assert_eq!(
                    other_mode(w),
                    ["In the textbook model, this SYN would be dropped: with listen(fd, 1) the accept queue has room for 1 (1 waiting now)."]
                );
            }
        }
    }
}

#[test]
fn an_ipv4_address_on_an_ipv6_socket_is_einval_for_tcp_and_mapped_for_udp_on_linux() {
    for mode in [Textbook, Linux] {
        let mut lab = lab_in(mode);
        let Lab { w, pa, pb, .. } = &mut lab;
        let r = udp_socket(w, *pb);
        bind(w, *pb, r, "*:53");
        let to = addr(&format!("{B_IP}:53"));
        let call = |fd| Call::Socket {
            proto: fd,
            family: Family::V6,
        };
        let tcp = match ok(w, *pa, call(Proto::Tcp)) {
            Value::Fd(fd) => fd,
            other => panic!("{other:?}"),
        };
        let udp = match ok(w, *pa, call(Proto::Udp)) {
            Value::Fd(fd) => fd,
            other => panic!("{other:?}"),
        };
        let tcp_connect = w.call(*pa, Call::Connect { fd: tcp, addr: to }).unwrap();
        let sent = w
            .call(
                *pa,
                Call::SendTo {
                    fd: udp,
                    len: 10,
                    to,
                },
            )
            .unwrap();
        settle(w);
        match mode {
            Textbook => {
                assert_eq!(tcp_connect, CallReply::Returned(Err(Errno::EAFNOSUPPORT)));
                assert_eq!(sent, CallReply::Returned(Err(Errno::EAFNOSUPPORT)));
                assert_eq!(recvq(w, *pb, r), 0);
                assert_eq!(
                    other_mode(w),
                    [
                        "On Linux, this connect() would fail with EINVAL.",
                        "On Linux, this sendto() would reach the IPv4 address: an IPv6 UDP socket takes it as ::ffff:a.b.c.d."
                    ]
                );
            }
            Linux => {
                assert_eq!(tcp_connect, CallReply::Returned(Err(Errno::EINVAL)));
                assert_eq!(sent, CallReply::Returned(Ok(Value::Bytes(10))));
                assert_eq!(recvq(w, *pb, r), 10);
            }
        }
        // IPV6_V6ONLY refuses it on Linux too, each call with its own errno.
        let only = match ok(w, *pa, call(Proto::Udp)) {
            Value::Fd(fd) => fd,
            other => panic!("{other:?}"),
        };
        let opt = SockOpt::V6Only(true);
        ok(w, *pa, Call::SetSockOpt { fd: only, opt });
        let (connect, sendto) = match mode {
            Textbook => (Errno::EAFNOSUPPORT, Errno::EAFNOSUPPORT),
            Linux => (Errno::EAFNOSUPPORT, Errno::ENETUNREACH),
        };
        let len = 10;
        assert_eq!(err(w, *pa, Call::SendTo { fd: only, len, to }), sendto);
        assert_eq!(err(w, *pa, Call::Connect { fd: only, addr: to }), connect);
    }
}
