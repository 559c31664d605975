//! Addresses as C writes them, and dual stack: the wildcard spelled `0.0.0.0` and
//! `[::]`, an IPv6 listener that also takes IPv4 (shown IPv4-mapped), IPV6_V6ONLY,
//! and the bind conflicts and demultiplexing between the two families.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::trace::Event;
use sockscope_engine::*;

/// Two hosts with an IPv4 and an IPv6 address each: A (client), B (server).
fn dual_lab() -> Lab {
    let mut w = World::new(WorldConfig::default());
    let a = w
        .add_host(
            "A",
            &[A_IP.parse().unwrap(), "2001:db8::1".parse().unwrap()],
        )
        .unwrap();
    let b = w
        .add_host(
            "B",
            &[B_IP.parse().unwrap(), "2001:db8::2".parse().unwrap()],
        )
        .unwrap();
    let pa = w.spawn(a, "client").unwrap();
    let pb = w.spawn(b, "server").unwrap();
    Lab { w, a, b, pa, pb }
}

fn socket(w: &mut World, pid: Pid, proto: Proto, family: Family) -> Fd {
    ok(w, pid, Call::Socket { proto, family }).fd().unwrap()
}

fn bind_err(w: &mut World, pid: Pid, fd: Fd, local: &str) -> Errno {
    err(
        w,
        pid,
        Call::Bind {
            fd,
            addr: ep(local),
        },
    )
}

fn set(w: &mut World, pid: Pid, fd: Fd, opt: SockOpt) -> Ret {
    match w.call(pid, Call::SetSockOpt { fd, opt }) {
        Ok(CallReply::Returned(r)) => r,
        other => panic!("setsockopt: {other:?}"),
    }
}

fn v6only(w: &mut World, pid: Pid, fd: Fd) {
    assert_eq!(set(w, pid, fd, SockOpt::V6Only(true)), Ok(Value::Zero));
}

/// A TCP listener on B of `family`, bound to `local`, optionally IPV6_V6ONLY.
fn listener(lab: &mut Lab, family: Family, local: &str, only: bool) -> Fd {
    let Lab { w, pb, .. } = lab;
    let l = socket(w, *pb, Proto::Tcp, family);
    if only {
        v6only(w, *pb, l);
    }
    bind(w, *pb, l, local);
    ok(w, *pb, Call::Listen { fd: l, backlog: 5 });
    l
}

/// A connects to `to` with a socket of `family`; the network settles.
fn connect_from_a(lab: &mut Lab, family: Family, to: &str) -> (Fd, Ret) {
    let Lab { w, pa, .. } = lab;
    let c = socket(w, *pa, Proto::Tcp, family);
    connect_blocks(w, *pa, c, to);
    w.run_until_idle(10_000);
    (c, returned(w, *pa))
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bind_to_0_0_0_0_and_to_the_ipv6_any_address_is_the_wildcard() {
    let mut lab = dual_lab();
    let Lab { w, pb, b, .. } = &mut lab;
    let l4 = tcp_socket(w, *pb);
    bind(w, *pb, l4, "0.0.0.0:22");
    ok(w, *pb, Call::Listen { fd: l4, backlog: 5 });
    let l6 = socket(w, *pb, Proto::Tcp, Family::V6);
    v6only(w, *pb, l6);
    bind(w, *pb, l6, "[::]:22");
    ok(w, *pb, Call::Listen { fd: l6, backlog: 5 });
    assert_eq!(w.socket_of(*pb, l4).unwrap().local, ep("*:22"));
    assert_eq!(w.socket_of(*pb, l6).unwrap().local, ep("*:22"));
    assert_eq!(
        netstat_lines(w, *b),
        [
            "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN",
            "tcp6       0      0 :::22                   :::*                    LISTEN",
        ]
    );
    // The same wildcard, however it is written: a second bind conflicts.
    let again = tcp_socket(w, *pb);
    assert_eq!(bind_err(w, *pb, again, "*:22"), Errno::EADDRINUSE);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_wildcard_of_the_other_family_is_refused_like_any_address_of_it() {
    let mut lab = dual_lab();
    let Lab { w, pb, .. } = &mut lab;
    let s4 = tcp_socket(w, *pb);
    assert_eq!(bind_err(w, *pb, s4, "[::]:22"), Errno::EAFNOSUPPORT);
    let s6 = socket(w, *pb, Proto::Tcp, Family::V6);
    assert_eq!(bind_err(w, *pb, s6, "0.0.0.0:22"), Errno::EAFNOSUPPORT);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_dual_stack_listener_accepts_an_ipv4_client_and_shows_it_mapped() {
    let mut lab = dual_lab();
    let l = listener(&mut lab, Family::V6, "[::]:80", false);
    let (c, ret) = connect_from_a(&mut lab, Family::V4, "10.0.0.2:80");
    assert_eq!(ret, Ok(Value::Zero));
    let Lab {
        w, pa, pb, b, a, ..
    } = &mut lab;
    assert_eq!(state_of(w, *pa, c), TcpState::Established);
    let accepted = ok(w, *pb, Call::Accept { fd: l });
    let Value::Accepted { fd: s, peer } = accepted else {
        panic!("{accepted:?}")
    };
    assert_eq!(peer, addr("[::ffff:10.0.0.1]:32768"));
    assert_eq!(
        netstat_lines(w, *b),
        [
            "tcp6       0      0 :::80                   :::*                    LISTEN",
            "tcp6       0      0 ::ffff:10.0.0.2:80      ::ffff:10.0.0.1:32768   ESTABLISHED",
        ]
    );
    // The client is an IPv4 socket and sees nothing of it.
    assert_eq!(
        netstat_lines(w, *a),
        ["tcp        0      0 10.0.0.1:32768          10.0.0.2:80             ESTABLISHED"]
    );
    // Data and close work as on any connection.
    ok(w, *pa, Call::Send { fd: c, len: 100 });
    w.run_until_idle(10_000);
    assert_eq!(recvq(w, *pb, s), 100);
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(10_000);
    assert_eq!(state_of(w, *pb, s), TcpState::CloseWait);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn ipv6_v6only_keeps_ipv4_clients_out() {
    let mut lab = dual_lab();
    listener(&mut lab, Family::V6, "[::]:80", true);
    let (_, ret) = connect_from_a(&mut lab, Family::V4, "10.0.0.2:80");
    assert_eq!(ret, Err(Errno::ECONNREFUSED));
    // IPv6 clients still get in.
    let (_, ret) = connect_from_a(&mut lab, Family::V6, "[2001:db8::2]:80");
    assert_eq!(ret, Ok(Value::Zero));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_ipv4_listener_takes_no_ipv6_clients() {
    let mut lab = dual_lab();
    listener(&mut lab, Family::V4, "*:80", false);
    let (_, ret) = connect_from_a(&mut lab, Family::V6, "[2001:db8::2]:80");
    assert_eq!(ret, Err(Errno::ECONNREFUSED));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn dual_stack_and_ipv4_wildcards_conflict_unless_v6only() {
    let mut lab = dual_lab();
    let Lab { w, pb, .. } = &mut lab;
    // [::]:80 dual stack, then 0.0.0.0:80 and 10.0.0.2:80.
    let l6 = socket(w, *pb, Proto::Tcp, Family::V6);
    bind(w, *pb, l6, "[::]:80");
    let s4 = tcp_socket(w, *pb);
    assert_eq!(bind_err(w, *pb, s4, "0.0.0.0:80"), Errno::EADDRINUSE);
    assert_eq!(bind_err(w, *pb, s4, "10.0.0.2:80"), Errno::EADDRINUSE);
    // The other order.
    bind(w, *pb, s4, "0.0.0.0:81");
    let s6 = socket(w, *pb, Proto::Tcp, Family::V6);
    assert_eq!(bind_err(w, *pb, s6, "[::]:81"), Errno::EADDRINUSE);
    // With IPV6_V6ONLY the two families are apart.
    v6only(w, *pb, s6);
    bind(w, *pb, s6, "[::]:81");
    // A specific IPv6 address never overlaps IPv4.
    let s4b = tcp_socket(w, *pb);
    bind(w, *pb, s4b, "0.0.0.0:82");
    let s6b = socket(w, *pb, Proto::Tcp, Family::V6);
    bind(w, *pb, s6b, "[2001:db8::2]:82");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn udp_dual_stack_conflicts_too() {
    let mut lab = dual_lab();
    let Lab { w, pb, .. } = &mut lab;
    let u6 = socket(w, *pb, Proto::Udp, Family::V6);
    bind(w, *pb, u6, "[::]:53");
    let u4 = udp_socket(w, *pb);
    assert_eq!(bind_err(w, *pb, u4, "0.0.0.0:53"), Errno::EADDRINUSE);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn ipv6_v6only_is_an_ipv6_option_set_before_bind() {
    let mut lab = dual_lab();
    let Lab { w, pb, .. } = &mut lab;
    let s4 = tcp_socket(w, *pb);
    assert_eq!(
        set(w, *pb, s4, SockOpt::V6Only(true)),
        Err(Errno::ENOPROTOOPT)
    );
    assert_eq!(
        err(
            w,
            *pb,
            Call::GetSockOpt {
                fd: s4,
                name: OptName::V6Only
            }
        ),
        Errno::EOPNOTSUPP
    );
    let s6 = socket(w, *pb, Proto::Tcp, Family::V6);
    let get = |w: &mut World| {
        ok(
            w,
            *pb,
            Call::GetSockOpt {
                fd: s6,
                name: OptName::V6Only,
            },
        )
    };
    assert_eq!(get(w), Value::Opt(SockOpt::V6Only(false)), "Linux default");
    v6only(w, *pb, s6);
    assert_eq!(get(w), Value::Opt(SockOpt::V6Only(true)));
    bind(w, *pb, s6, "[::]:80");
    assert_eq!(
        set(w, *pb, s6, SockOpt::V6Only(false)),
        Err(Errno::EINVAL),
        "too late once bound"
    );
    assert!(
        w.snapshot()
            .socket(w.socket_of(*pb, s6).unwrap().id)
            .unwrap()
            .v6only
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn demux_prefers_an_ipv4_structure_and_says_why_it_took_the_dual_stack_one() {
    let mut lab = dual_lab();
    // A specific IPv4 listener beside a dual-stack wildcard (SO_REUSEADDR, BSD rule).
    let Lab { w, pb, .. } = &mut lab;
    let l6 = socket(w, *pb, Proto::Tcp, Family::V6);
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: l6,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    bind(w, *pb, l6, "[::]:80");
    ok(w, *pb, Call::Listen { fd: l6, backlog: 5 });
    let l4 = tcp_socket(w, *pb);
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: l4,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    bind(w, *pb, l4, "10.0.0.2:80");
    ok(w, *pb, Call::Listen { fd: l4, backlog: 5 });
    let (id4, id6) = (
        w.socket_of(*pb, l4).unwrap().id,
        w.socket_of(*pb, l6).unwrap().id,
    );
    let b = lab.b;
    let w = &lab.w;
    let to = |ip: &str| addr(&format!("{ip}:80"));
    let src = addr("10.0.0.1:5000");
    // The specific IPv4 listener has fewer wildcards.
    assert_eq!(
        w.demux_lookup(b, Proto::Tcp, src, to("10.0.0.2")),
        Some(id4)
    );
    // Only the dual-stack one can take the packet: it wins, and the record says why.
    let r = w.explain_demux(
        b,
        Proto::Tcp,
        addr("[2001:db8::1]:5000"),
        to("[2001:db8::2]"),
    );
    assert_eq!(r.winner, Some(id6));
    let notes = demux::family_notes(&r, |c| format!("#{}", c.sock.0));
    assert_eq!(
        notes,
        [format!(
            "#{} is an IPv4 socket: it takes no IPv6 packets",
            id4.0
        )]
    );
    let mut lab = dual_lab();
    let l6 = listener(&mut lab, Family::V6, "[::]:80", false);
    let id6 = lab.w.socket_of(lab.pb, l6).unwrap().id;
    let r = lab.w.explain_demux(lab.b, Proto::Tcp, src, to("10.0.0.2"));
    assert_eq!(r.winner, Some(id6));
    let c = r.candidates.iter().find(|c| c.sock == id6).unwrap();
    assert!(c.dual_stack && c.matches());
    assert_eq!(
        demux::family_notes(&r, |c| format!("#{}", c.sock.0)),
        [format!("#{} is an IPv6 socket bound to [::] without IPV6_V6ONLY, so it takes IPv4 packets too (dual stack); its rows show the IPv4 peer as ::ffff:10.0.0.1", id6.0)]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn between_equal_wildcards_the_ipv4_structure_takes_ipv4() {
    // Two UDP wildcards, both with SO_REUSEADDR: 0.0.0.0:53 and a dual-stack [::]:53.
    let mut lab = dual_lab();
    let Lab { w, pa, pb, .. } = &mut lab;
    let u6 = socket(w, *pb, Proto::Udp, Family::V6);
    let u4 = udp_socket(w, *pb);
    for u in [u6, u4] {
        ok(
            w,
            *pb,
            Call::SetSockOpt {
                fd: u,
                opt: SockOpt::ReuseAddr(true),
            },
        );
    }
    bind(w, *pb, u6, "[::]:53");
    bind(w, *pb, u4, "0.0.0.0:53");
    let c = udp_socket(w, *pa);
    let to = addr("10.0.0.2:53");
    ok(w, *pa, Call::SendTo { fd: c, len: 10, to });
    w.run_until_idle(10_000);
    assert_eq!((recvq(w, *pb, u4), recvq(w, *pb, u6)), (10, 0));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_dual_stack_udp_socket_answers_an_ipv4_sender_through_its_mapped_address() {
    let mut lab = dual_lab();
    let Lab { w, pa, pb, b, .. } = &mut lab;
    let u6 = socket(w, *pb, Proto::Udp, Family::V6);
    bind(w, *pb, u6, "[::]:53");
    let c = udp_socket(w, *pa);
    bind(w, *pa, c, "0.0.0.0:5000");
    ok(
        w,
        *pa,
        Call::SendTo {
            fd: c,
            len: 10,
            to: addr("10.0.0.2:53"),
        },
    );
    w.run_until_idle(10_000);
    let got = ok(w, *pb, Call::RecvFrom { fd: u6, len: 100 });
    let from = addr("[::ffff:10.0.0.1]:5000");
    assert_eq!(got, Value::From { len: 10, from });
    ok(
        w,
        *pb,
        Call::SendTo {
            fd: u6,
            len: 7,
            to: from,
        },
    );
    w.run_until_idle(10_000);
    assert_eq!(recvq(w, *pa, c), 7);
    // Connected to the mapped address, the row shows it as Linux does.
    ok(w, *pb, Call::Connect { fd: u6, addr: from });
    assert_eq!(
        netstat_lines(w, *b),
        ["udp6       0      0 ::ffff:10.0.0.2:53      ::ffff:10.0.0.1:5000"]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_ipv6_only_socket_cannot_reach_a_mapped_address() {
    let mut lab = dual_lab();
    listener(&mut lab, Family::V4, "*:80", false);
    let Lab { w, pa, .. } = &mut lab;
    let c = socket(w, *pa, Proto::Tcp, Family::V6);
    v6only(w, *pa, c);
    let to = addr("[::ffff:10.0.0.2]:80");
    assert_eq!(
        err(w, *pa, Call::Connect { fd: c, addr: to }),
        Errno::ENETUNREACH
    );
    // Without IPV6_V6ONLY, an IPv6 client reaches the IPv4 listener.
    let (c, ret) = connect_from_a(&mut lab, Family::V6, "[::ffff:10.0.0.2]:80");
    assert_eq!(ret, Ok(Value::Zero));
    let Lab { w, pa, a, .. } = &mut lab;
    assert_eq!(state_of(w, *pa, c), TcpState::Established);
    assert!(netstat_lines(w, *a)
        .iter()
        .any(|r| r.starts_with("tcp6") && r.contains("::ffff:10.0.0.2:80")));
    // The segments on the wire are IPv4.
    assert!(w.trace().iter().any(|e| matches!(&e.event,
        Event::SegmentSent { seg, .. } if seg.dst == addr("10.0.0.2:80"))));
}

#[test]
fn ss_spells_a_dual_stack_wildcard_star_and_a_v6only_one_brackets() {
    let mut lab = dual_lab();
    listener(&mut lab, Family::V6, "[::]:80", false);
    listener(&mut lab, Family::V6, "[::]:81", true);
    let rows: Vec<String> = lab
        .w
        .table(lab.b, Layout::Ss)
        .rows
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert!(
        rows[0].contains("*:80") && rows[0].contains("*:*"),
        "{rows:?}"
    );
    assert!(
        rows[1].contains("[::]:81") && rows[1].contains("[::]:*"),
        "{rows:?}"
    );
}
