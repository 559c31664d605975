//! Helpers shared by the engine's behaviour tests.
#![allow(dead_code)]

use sockscope_engine::*;
use std::net::SocketAddr;

pub const A_IP: &str = "10.0.0.1";
pub const B_IP: &str = "10.0.0.2";

/// Two hosts, A (client side) and B (server side), one process each.
pub struct Lab {
    pub w: World,
    pub a: HostId,
    pub b: HostId,
    pub pa: Pid,
    pub pb: Pid,
}

pub fn lab(cfg: WorldConfig) -> Lab {
    let mut w = World::new(cfg);
    let a = w.add_host("A", &[A_IP.parse().unwrap()]).unwrap();
    let b = w.add_host("B", &[B_IP.parse().unwrap()]).unwrap();
    let pa = w.spawn(a, "client").unwrap();
    let pb = w.spawn(b, "server").unwrap();
    Lab { w, a, b, pa, pb }
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// `*:80`, `10.1.2.3:99`, `[::1]:80`, read as the language and the forms read them.
pub fn ep(s: &str) -> Endpoint {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Issues a call that must return at once, successfully.
pub fn ok(w: &mut World, pid: Pid, call: Call) -> Value {
    match w.call(pid, call.clone()) {
        Ok(CallReply::Returned(Ok(v))) => v,
        other => panic!("{call} by {pid}: expected success, got {other:?}"),
    }
}

/// Issues a call that must fail at once with errno.
pub fn err(w: &mut World, pid: Pid, call: Call) -> Errno {
    match w.call(pid, call.clone()) {
        Ok(CallReply::Returned(Err(e))) => e,
        other => panic!("{call} by {pid}: expected an errno, got {other:?}"),
    }
}

/// Issues a call that must block.
pub fn blocks(w: &mut World, pid: Pid, call: Call) {
    match w.call(pid, call.clone()) {
        Ok(CallReply::Blocked) => {}
        other => panic!("{call} by {pid}: expected to block, got {other:?}"),
    }
}

/// bind() that must succeed.
pub fn bind(w: &mut World, pid: Pid, fd: Fd, local: &str) {
    ok(
        w,
        pid,
        Call::Bind {
            fd,
            addr: ep(local),
        },
    );
}

/// A blocking connect() that must block.
pub fn connect_blocks(w: &mut World, pid: Pid, fd: Fd, to: &str) {
    blocks(w, pid, Call::Connect { fd, addr: addr(to) });
}

pub fn tcp_socket(w: &mut World, pid: Pid) -> Fd {
    ok(
        w,
        pid,
        Call::Socket {
            proto: Proto::Tcp,
            family: Family::V4,
        },
    )
    .fd()
    .unwrap()
}

pub fn udp_socket(w: &mut World, pid: Pid) -> Fd {
    ok(
        w,
        pid,
        Call::Socket {
            proto: Proto::Udp,
            family: Family::V4,
        },
    )
    .fd()
    .unwrap()
}

/// The result of a call that blocked and has since returned.
pub fn returned(w: &World, pid: Pid) -> Ret {
    let p = w.process(pid).unwrap();
    assert!(
        p.pending.is_none(),
        "{pid} is still blocked in {:?}",
        p.pending
    );
    p.last.as_ref().unwrap().1
}

pub fn pending(w: &World, pid: Pid) -> Option<&sockscope_engine::host::Pending> {
    w.process(pid).unwrap().pending.as_ref()
}

pub fn listen_on(w: &mut World, pid: Pid, local: &str, backlog: u32) -> Fd {
    let l = tcp_socket(w, pid);
    ok(
        w,
        pid,
        Call::Bind {
            fd: l,
            addr: ep(local),
        },
    );
    ok(w, pid, Call::Listen { fd: l, backlog });
    l
}

/// A connected pair: returns (listener on B, client fd on A, accepted fd on B).
pub fn connected(lab: &mut Lab, port: u16) -> (Fd, Fd, Fd) {
    let Lab { w, pa, pb, .. } = lab;
    let l = listen_on(w, *pb, &format!("*:{port}"), 5);
    let c = tcp_socket(w, *pa);
    blocks(
        w,
        *pa,
        Call::Connect {
            fd: c,
            addr: addr(&format!("{B_IP}:{port}")),
        },
    );
    assert_eq!(w.run_until_idle(10_000), RunOutcome::Idle);
    assert_eq!(returned(w, *pa), Ok(Value::Zero));
    let s = ok(w, *pb, Call::Accept { fd: l }).fd().unwrap();
    (l, c, s)
}

pub fn state_of(w: &World, pid: Pid, fd: Fd) -> TcpState {
    w.socket_of(pid, fd).unwrap().state
}

pub fn sendq(w: &World, pid: Pid, fd: Fd) -> u64 {
    w.socket_of(pid, fd).unwrap().sendq.len()
}

pub fn recvq(w: &World, pid: Pid, fd: Fd) -> u64 {
    w.socket_of(pid, fd).unwrap().recvq.len()
}

/// netstat rows of a host as text lines (without the header).
pub fn netstat_lines(w: &World, host: HostId) -> Vec<String> {
    w.netstat(host).iter().map(|r| r.to_string()).collect()
}
