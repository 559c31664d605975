//! Binding and port sharing: MODEL.md §6.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::*;

/// A server whose old connection sits in TIME_WAIT after the server closed first.
fn server_with_time_wait(lab: &mut Lab) {
    let (l, c, s) = connected(lab, 80);
    let Lab { w, pa, pb, .. } = lab;
    ok(w, *pb, Call::Close { fd: s });
    ok(w, *pb, Call::Close { fd: l });
    w.run_until_idle(1000);
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(1000);
    assert!(netstat_lines(w, lab.b)
        .iter()
        .any(|r| r.ends_with("TIME_WAIT")));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bind_fails_with_eaddrinuse_while_the_old_connection_is_in_time_wait() {
    let mut lab = lab(WorldConfig::default());
    server_with_time_wait(&mut lab);
    let Lab { w, pb, .. } = &mut lab;
    let l = tcp_socket(w, *pb);
    assert_eq!(
        err(
            w,
            *pb,
            Call::Bind {
                fd: l,
                addr: ep("*:80")
            }
        ),
        Errno::EADDRINUSE
    );
    // Once TIME_WAIT is over, the port is free again.
    let tw = w.config().time_wait_us;
    w.run_until(w.now() + tw, u64::MAX);
    bind(w, *pb, l, "*:80");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn so_reuseaddr_lets_a_restarted_server_bind_during_time_wait() {
    let mut lab = lab(WorldConfig::default());
    server_with_time_wait(&mut lab);
    let Lab { w, pb, .. } = &mut lab;
    let l = tcp_socket(w, *pb);
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: l,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    bind(w, *pb, l, "*:80");
    ok(w, *pb, Call::Listen { fd: l, backlog: 5 });
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn two_listeners_on_one_address_and_port_conflict_even_with_reuseaddr() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pb, .. } = &mut lab;
    listen_on(w, *pb, "*:80", 5);
    let l = tcp_socket(w, *pb);
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: l,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    assert_eq!(
        err(
            w,
            *pb,
            Call::Bind {
                fd: l,
                addr: ep("*:80")
            }
        ),
        Errno::EADDRINUSE
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn wildcard_and_specific_address_conflict_unless_reuseaddr() {
    let mut w = World::new(WorldConfig::default());
    let h = w
        .add_host(
            "H",
            &["10.1.2.3".parse().unwrap(), "192.168.3.2".parse().unwrap()],
        )
        .unwrap();
    let p = w.spawn(h, "p").unwrap();
    listen_on(&mut w, p, "*:99", 5);
    let s = tcp_socket(&mut w, p);
    assert_eq!(
        err(
            &mut w,
            p,
            Call::Bind {
                fd: s,
                addr: ep("10.1.2.3:99")
            }
        ),
        Errno::EADDRINUSE
    );
    ok(
        &mut w,
        p,
        Call::SetSockOpt {
            fd: s,
            opt: SockOpt::ReuseAddr(true),
        },
    );
    bind(&mut w, p, s, "10.1.2.3:99");

    // Two different specific addresses never conflict.
    let a = tcp_socket(&mut w, p);
    let b = tcp_socket(&mut w, p);
    bind(&mut w, p, a, "10.1.2.3:100");
    bind(&mut w, p, b, "192.168.3.2:100");
    // And a wildcard after a specific one conflicts too.
    let c = tcp_socket(&mut w, p);
    assert_eq!(
        err(
            &mut w,
            p,
            Call::Bind {
                fd: c,
                addr: ep("*:100")
            }
        ),
        Errno::EADDRINUSE
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bind_checks_address_family_ownership_and_double_binds() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, .. } = &mut lab;
    let s = tcp_socket(w, *pa);
    assert_eq!(
        err(
            w,
            *pa,
            Call::Bind {
                fd: s,
                addr: ep("10.9.9.9:80")
            }
        ),
        Errno::EADDRNOTAVAIL
    );
    assert_eq!(
        err(
            w,
            *pa,
            Call::Bind {
                fd: s,
                addr: ep("[::1]:80")
            }
        ),
        Errno::EAFNOSUPPORT
    );
    bind(w, *pa, s, "*:0");
    let port = w.socket_of(*pa, s).unwrap().local.port.unwrap();
    assert!(
        port >= w.config().ephemeral_first,
        "port 0 asks for an ephemeral port"
    );
    assert_eq!(
        err(
            w,
            *pa,
            Call::Bind {
                fd: s,
                addr: ep("*:81")
            }
        ),
        Errno::EINVAL
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_accepted_connection_shares_the_listeners_port_and_demux_separates_them() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, a, b } = &mut lab;
    let l = listen_on(w, *pb, "*:80", 5);
    let mut clients = Vec::new();
    for _ in 0..3 {
        let c = tcp_socket(w, *pa);
        connect_blocks(w, *pa, c, "10.0.0.2:80");
        w.run_until_idle(1000);
        clients.push(c);
    }
    let served: Vec<Fd> = (0..3)
        .map(|_| ok(w, *pb, Call::Accept { fd: l }).fd().unwrap())
        .collect();
    for (i, c) in clients.iter().enumerate() {
        ok(
            w,
            *pa,
            Call::Send {
                fd: *c,
                len: 100 * (i as u64 + 1),
            },
        );
    }
    w.run_until_idle(1000);
    let rows = netstat_lines(w, *b);
    assert_eq!(
        rows.iter().filter(|r| r.contains("10.0.0.2:80 ")).count(),
        3
    );
    assert!(rows[0].contains("0.0.0.0:80 ") && rows[0].ends_with("LISTEN"));
    // Each byte went to its own connection's structure.
    let mut got: Vec<u64> = served.iter().map(|s| recvq(w, *pb, *s)).collect();
    got.sort();
    assert_eq!(got, vec![100, 200, 300]);
    let _ = a;
}
