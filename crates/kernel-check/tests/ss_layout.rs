//! The engine's `ss` table beside real `ss` output: the same sockets opened on the
//! engine and on loopback, with the same addresses and ports, must print the same
//! lines — header, column widths, state names (ESTAB, FIN-WAIT-2, CLOSE-WAIT,
//! TIME-WAIT, UNCONN), the listener's accept queue and backlog.
//!
//! Lines are compared without their trailing spaces and in sorted order (ss lists
//! sockets in the kernel's hash order, the engine oldest first; see
//! crates/engine/model.md, "The `ss` table"). `-- --nocapture` prints Linux's lines.
#![cfg(target_os = "linux")]

use sockscope_engine::{Call, CallReply, Endpoint, Errno, Family, Layout, Proto, Value};
use sockscope_kernel_check::{Kernel, Model, Sock, Stack};
use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::sync::Mutex;

/// One test at a time: a socket closed while another test starts `ss` could linger in
/// the child for a moment.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn lo2(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 2], port))
}

fn must<T>(world: &str, what: &str, r: Result<T, Errno>) -> T {
    r.unwrap_or_else(|e| panic!("{world}: {what} failed with {e}"))
}

/// `ss ARGS` for the sockets whose local port is one of `ports`: the header and the
/// rows, trailing spaces dropped. A missing `ss` fails the test.
fn real_ss(args: &str, ports: &[u16]) -> Vec<String> {
    let filter: Vec<String> = ports.iter().map(|p| format!("sport = :{p}")).collect();
    let program = std::env::var("SOCKSCOPE_SS").unwrap_or_else(|_| "ss".into());
    let out = Command::new(&program)
        .arg(args)
        .arg(filter.join(" or "))
        .output()
        .unwrap_or_else(|e| panic!("`{program}` (Debian package iproute2) could not be run: {e}"));
    assert!(
        out.status.success(),
        "{program} {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Header first, then the rows sorted.
fn comparable(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > 1 {
        lines[1..].sort();
    }
    lines
}

/// A client bound to `from` (so both worlds use the same port), connected to `to`.
fn client(k: &mut dyn Stack, from: SocketAddr, to: SocketAddr) -> Sock {
    let w = k.world();
    let c = k.socket();
    must(w, "bind()", k.bind(c, from));
    must(w, "connect()", k.connect(c, to));
    c
}

/// A listener with connections in every settled state: ESTAB with unread bytes, one
/// waiting in the accept queue, FIN-WAIT-2 beside CLOSE-WAIT, and TIME-WAIT.
fn every_settled_state(k: &mut dyn Stack, p: [u16; 5]) {
    let w = k.world();
    let server = lo(p[0]);
    let l = k.socket();
    must(w, "bind()", k.bind(l, server));
    must(w, "listen()", k.listen(l, 5));
    // ESTAB both ways, 300 bytes waiting in the server's Recv-Q.
    let c1 = client(k, lo2(p[1]), server);
    let _s1 = must(w, "accept()", k.accept(l));
    must(w, "send()", k.send(c1, 300));
    // The server closes first: FIN-WAIT-2 and CLOSE-WAIT (its FIN read, so Recv-Q is
    // 0 on Linux too).
    let c3 = client(k, lo2(p[3]), server);
    let s3 = must(w, "accept()", k.accept(l));
    must(w, "close()", k.close(s3));
    k.settle();
    assert_eq!(k.recv(c3, 10), Ok(0), "{w}: recv() after the FIN");
    // The client closes first, then the server: TIME-WAIT at the client.
    let c4 = client(k, lo2(p[4]), server);
    let s4 = must(w, "accept()", k.accept(l));
    must(w, "close()", k.close(c4));
    k.settle();
    must(w, "close()", k.close(s4));
    // Connected but never accepted: Recv-Q 1 on the listener.
    let _c2 = client(k, lo2(p[2]), server);
    k.settle();
}

#[test]
fn ss_tan_prints_the_lines_of_the_engines_ss_table() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut kernel = Kernel::isolated();
    let ports = [(); 5].map(|_| kernel.free_port());
    every_settled_state(&mut kernel, ports);
    let linux = comparable(real_ss("-tan", &ports));

    let mut model = Model::default();
    every_settled_state(&mut model, ports);
    let table = model.w.table(model.host, Layout::Ss);
    assert_eq!(table.command, "ss -tan");
    let engine = comparable(table.lines().map(str::to_string).collect());
    println!("Linux, `ss -tan`:\n{}", linux.join("\n"));

    assert_eq!(
        engine,
        linux,
        "engine:\n{}\nLinux:\n{}",
        engine.join("\n"),
        linux.join("\n")
    );
    for state in ["LISTEN", "ESTAB", "FIN-WAIT-2", "CLOSE-WAIT", "TIME-WAIT"] {
        assert!(
            engine.iter().any(|l| l.starts_with(state)),
            "no {state} row:\n{}",
            engine.join("\n")
        );
    }
}

/// The engine's calls for the UDP sockets: one bound, one bound and connected to it.
fn engine_udp(model: &mut Model, bound: SocketAddr, connected: SocketAddr) {
    let w = &mut model.w;
    let pid = w.spawn(model.host, "udp").expect("the host is up");
    let mut call = |call: Call| match w.call(pid, call.clone()) {
        Ok(CallReply::Returned(Ok(v))) => v,
        other => panic!("engine: {call} gave {other:?}"),
    };
    let socket = Call::Socket {
        proto: Proto::Udp,
        family: Family::V4,
    };
    for (addr, peer) in [(bound, None), (connected, Some(bound))] {
        let Value::Fd(fd) = call(socket.clone()) else {
            panic!("socket() gave no descriptor")
        };
        call(Call::Bind {
            fd,
            addr: Endpoint::exact(addr),
        });
        if let Some(peer) = peer {
            call(Call::Connect { fd, addr: peer });
        }
    }
}

#[test]
fn ss_uan_prints_unconn_and_estab_as_the_engine_does() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut kernel = Kernel::isolated();
    let (pu, pv) = (kernel.free_port(), kernel.free_port());
    let (bound, connected) = (lo(pu), lo2(pv));
    let u = UdpSocket::bind(bound).expect("Linux: bind()");
    let v = UdpSocket::bind(connected).expect("Linux: bind()");
    v.connect(bound).expect("Linux: connect()");
    let linux = comparable(real_ss("-uan", &[pu, pv]));
    drop((u, v));

    let mut model = Model::default();
    engine_udp(&mut model, bound, connected);
    let table = model.w.table(model.host, Layout::Ss);
    assert_eq!(table.command, "ss -uan");
    let engine = comparable(table.lines().map(str::to_string).collect());
    println!("Linux, `ss -uan`:\n{}", linux.join("\n"));
    assert_eq!(
        engine,
        linux,
        "engine:\n{}\nLinux:\n{}",
        engine.join("\n"),
        linux.join("\n")
    );
    assert!(engine.iter().any(|l| l.starts_with("UNCONN ")));
    assert!(engine.iter().any(|l| l.starts_with("ESTAB ")));
}
