//! Engine benchmarks, run by `cargo xtask bench`. Prints one `name value unit` line per
//! figure; nothing is asserted (timings depend on the machine).
//!
//! - `bulk_1gib_ms`: one connection moves 1 GiB (MSS 1460, 64 KiB buffers).
//! - `bulk_1gib_peak_rss_growth_mb`: how much the process's peak RSS grew meanwhile.
//! - `bulk_1gib_events`: events the engine ran for it.
//! - `demux_10k_ns`: demultiplexing one packet on a host with 10,000 structures.
//! - `demux_10k_record_ns`: the same, with the explanation record the view shows.
//! - `sweep_ms`: the buffer-size experiment (MODEL.md §4) with the default cost model:
//!   32 buffer sizes from 1 KiB to 1 MiB (geometric), 10 MB each
//!   (`experiment::budget_sweep`, which the tools module times in wasm too).
//! - `sweep_events`: engine events that sweep ran.

use sockscope_engine::*;
use std::hint::black_box;
use std::time::Instant;

fn fd_of(reply: Result<CallReply, CallRejected>) -> Fd {
    match reply {
        Ok(CallReply::Returned(Ok(v))) => v.fd().expect("a descriptor"),
        other => panic!("unexpected {other:?}"),
    }
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn tcp(w: &mut World, pid: Pid) -> Fd {
    fd_of(w.call(
        pid,
        Call::Socket {
            proto: Proto::Tcp,
            family: Family::V4,
        },
    ))
}

/// A TCP socket of `pid` listening on `*:port`.
fn listener(w: &mut World, pid: Pid, port: u16, backlog: u32) -> Fd {
    let l = tcp(w, pid);
    w.call(
        pid,
        Call::Bind {
            fd: l,
            addr: Endpoint::new(None, Some(port)),
        },
    )
    .unwrap();
    w.call(pid, Call::Listen { fd: l, backlog }).unwrap();
    l
}

fn bulk_1gib() {
    const TOTAL: u64 = 1 << 30;
    let mut w = World::new(WorldConfig {
        mss: 1460,
        sndbuf: 64 * 1024,
        rcvbuf: 64 * 1024,
        initial_cwnd: 10,
        trace: false,
        ..WorldConfig::default()
    });
    let a = w.add_host("A", &["10.0.0.1".parse().unwrap()]).unwrap();
    let b = w.add_host("B", &["10.0.0.2".parse().unwrap()]).unwrap();
    let (pa, pb) = (
        w.spawn(a, "sender").unwrap(),
        w.spawn(b, "receiver").unwrap(),
    );
    let l = listener(&mut w, pb, 5001, 1);
    let c = tcp(&mut w, pa);
    w.call(
        pa,
        Call::Connect {
            fd: c,
            addr: "10.0.0.2:5001".parse().unwrap(),
        },
    )
    .unwrap();
    w.run_until_idle(1000);
    let s = fd_of(w.call(pb, Call::Accept { fd: l }));

    let rss_before = peak_rss_kb();
    let start = Instant::now();
    w.call(pa, Call::Send { fd: c, len: TOTAL }).unwrap();
    let mut received = 0u64;
    let mut events = 0u64;
    w.call(
        pb,
        Call::Recv {
            fd: s,
            len: 64 * 1024,
        },
    )
    .unwrap();
    while received < TOTAL {
        if w.process(pb).unwrap().pending.is_none() {
            if let Some((_, Ok(v))) = &w.process(pb).unwrap().last {
                received += v.as_int() as u64;
            }
            if received < TOTAL {
                w.call(
                    pb,
                    Call::Recv {
                        fd: s,
                        len: 64 * 1024,
                    },
                )
                .unwrap();
                continue;
            }
            break;
        }
        assert!(w.step(), "the transfer stalled at {received} bytes");
        events += 1;
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!("bulk_1gib_ms {ms:.1} ms");
    println!("bulk_1gib_events {events} events");
    println!("bulk_1gib_virtual_s {:.2} s", w.now() as f64 / 1e6);
    if let (Some(before), Some(after)) = (rss_before, peak_rss_kb()) {
        println!(
            "bulk_1gib_peak_rss_growth_mb {:.2} MB",
            (after - before) as f64 / 1024.0
        );
    }
}

fn demux_10k() {
    const N: usize = 10_000;
    let mut w = World::new(WorldConfig {
        trace: false,
        ..WorldConfig::default()
    });
    let server = w.add_host("S", &["10.1.2.3".parse().unwrap()]).unwrap();
    let client = w.add_host("C", &["172.16.1.10".parse().unwrap()]).unwrap();
    let ps = w.spawn(server, "server").unwrap();
    let pc = w.spawn(client, "clients").unwrap();
    w.reconfigure(|c| c.ephemeral_last = 65535);
    let l = listener(&mut w, ps, 99, 16);
    let mut tuples = Vec::with_capacity(N);
    for _ in 0..N - 1 {
        let c = tcp(&mut w, pc);
        w.call(
            pc,
            Call::Connect {
                fd: c,
                addr: "10.1.2.3:99".parse().unwrap(),
            },
        )
        .unwrap();
        w.run_until_idle(1000);
        w.call(ps, Call::Accept { fd: l }).unwrap();
        tuples.push(w.socket_of(pc, c).unwrap().local_addr().unwrap());
    }
    let server_structures = w.sockets().filter(|s| s.host == server).count();
    assert_eq!(server_structures, N);
    let dst: std::net::SocketAddr = "10.1.2.3:99".parse().unwrap();
    let rounds = 1_000_000;
    let start = Instant::now();
    for i in 0..rounds {
        let src = tuples[(i * 7919) % tuples.len()];
        black_box(w.demux_lookup(server, Proto::Tcp, black_box(src), dst));
    }
    println!(
        "demux_10k_ns {:.1} ns",
        start.elapsed().as_nanos() as f64 / rounds as f64
    );

    // With the record the view shows (the decision plus a bounded list of candidates).
    let rounds = 100_000;
    let start = Instant::now();
    for i in 0..rounds {
        let src = tuples[(i * 7919) % tuples.len()];
        black_box(w.explain_demux(server, Proto::Tcp, black_box(src), dst));
    }
    println!(
        "demux_10k_record_ns {:.1} ns",
        start.elapsed().as_nanos() as f64 / rounds as f64
    );
}

fn sweep() {
    let start = Instant::now();
    let points = sockscope_engine::experiment::budget_sweep().expect("a sane sweep");
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!("sweep_ms {ms:.1} ms");
    let events: u64 = points.iter().map(|(_, r)| r.events).sum();
    println!("sweep_events {events} events");
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    bulk_1gib();
    demux_10k();
    sweep();
}
