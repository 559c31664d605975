//! Property tests over random call and network sequences (native only).
//! `PROPTEST_CASES` sets how many cases run (`cargo xtask test --long` asks for 10,000).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use proptest::prelude::*;
use sockscope_engine::*;

/// One thing a user (or the network) can do.
#[derive(Clone, Debug)]
enum Op {
    Socket {
        p: u8,
        udp: bool,
    },
    Bind {
        p: u8,
        f: u8,
        port: u8,
        wildcard: bool,
    },
    Listen {
        p: u8,
        f: u8,
        backlog: u8,
    },
    Connect {
        p: u8,
        f: u8,
        host: u8,
        port: u8,
    },
    Accept {
        p: u8,
        f: u8,
    },
    Send {
        p: u8,
        f: u8,
        len: u16,
    },
    Recv {
        p: u8,
        f: u8,
        len: u16,
    },
    SendTo {
        p: u8,
        f: u8,
        len: u16,
        host: u8,
        port: u8,
    },
    Shutdown {
        p: u8,
        f: u8,
        how: u8,
    },
    Close {
        p: u8,
        f: u8,
    },
    Buffers {
        p: u8,
        f: u8,
        size: u16,
    },
    Linger {
        p: u8,
        f: u8,
        secs: Option<u8>,
    },
    Reuse {
        p: u8,
        f: u8,
    },
    NonBlocking {
        p: u8,
        f: u8,
        on: bool,
    },
    Dup {
        p: u8,
        f: u8,
    },
    Step,
    Deliver(u8),
    RunIdle,
    Advance(u16),
    DropNext(bool),
    Loss(bool, u8),
    /// Hold back this percentage of one direction's segments by this many ms.
    Reorder(bool, u8, u8),
    /// Deliver this percentage of one direction's segments twice.
    Duplicate(bool, u8),
    /// A link rate on one direction: 0 removes it.
    Rate(bool, u8),
    Crash(bool),
    Restart(bool),
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0u8..4;
    let f = 0u8..6;
    prop_oneof![
        (p.clone(), any::<bool>()).prop_map(|(p, udp)| Op::Socket { p, udp }),
        (p.clone(), f.clone(), 0u8..3, any::<bool>()).prop_map(|(p, f, port, wildcard)| Op::Bind {
            p,
            f,
            port,
            wildcard
        }),
        (p.clone(), f.clone(), 0u8..3).prop_map(|(p, f, backlog)| Op::Listen { p, f, backlog }),
        (p.clone(), f.clone(), 0u8..3, 0u8..3).prop_map(|(p, f, host, port)| Op::Connect {
            p,
            f,
            host,
            port
        }),
        (p.clone(), f.clone()).prop_map(|(p, f)| Op::Accept { p, f }),
        (p.clone(), f.clone(), 0u16..5000).prop_map(|(p, f, len)| Op::Send { p, f, len }),
        (p.clone(), f.clone(), 0u16..5000).prop_map(|(p, f, len)| Op::Recv { p, f, len }),
        (p.clone(), f.clone(), 0u16..3000, 0u8..3, 0u8..3).prop_map(|(p, f, len, host, port)| {
            Op::SendTo {
                p,
                f,
                len,
                host,
                port,
            }
        }),
        (p.clone(), f.clone(), 0u8..3).prop_map(|(p, f, how)| Op::Shutdown { p, f, how }),
        (p.clone(), f.clone()).prop_map(|(p, f)| Op::Close { p, f }),
        (p.clone(), f.clone(), 1u16..4000).prop_map(|(p, f, size)| Op::Buffers { p, f, size }),
        (p.clone(), f.clone(), proptest::option::of(0u8..3)).prop_map(|(p, f, secs)| Op::Linger {
            p,
            f,
            secs
        }),
        (p.clone(), f.clone()).prop_map(|(p, f)| Op::Reuse { p, f }),
        (p.clone(), f.clone(), any::<bool>()).prop_map(|(p, f, on)| Op::NonBlocking { p, f, on }),
        (p.clone(), f.clone()).prop_map(|(p, f)| Op::Dup { p, f }),
        Just(Op::Step),
        (1u8..6).prop_map(Op::Deliver),
        Just(Op::RunIdle),
        (0u16..5000).prop_map(Op::Advance),
        any::<bool>().prop_map(Op::DropNext),
        (any::<bool>(), 0u8..40).prop_map(|(d, pct)| Op::Loss(d, pct)),
        (any::<bool>(), 0u8..60, 0u8..120).prop_map(|(d, pct, ms)| Op::Reorder(d, pct, ms)),
        (any::<bool>(), 0u8..60).prop_map(|(d, pct)| Op::Duplicate(d, pct)),
        (any::<bool>(), 0u8..4).prop_map(|(d, r)| Op::Rate(d, r)),
        any::<bool>().prop_map(Op::Crash),
        any::<bool>().prop_map(Op::Restart),
    ]
}

const PORTS: [u16; 3] = [80, 81, 0];

struct Harness {
    lab: Lab,
    procs: Vec<Pid>,
}

impl Harness {
    fn new(seed: u64) -> Self {
        let mut lab = lab(WorldConfig {
            seed,
            mss: 536,
            sndbuf: 2000,
            rcvbuf: 1500,
            time_wait_us: 5 * SEC,
            data_retries: 4,
            syn_retries: 3,
            synack_retries: 2,
            ..WorldConfig::default()
        });
        let extra_a = lab.w.spawn(lab.a, "a2").unwrap();
        let extra_b = lab.w.spawn(lab.b, "b2").unwrap();
        let procs = vec![lab.pa, lab.pb, extra_a, extra_b];
        Harness { lab, procs }
    }

    fn pid(&self, p: u8) -> Pid {
        self.procs[p as usize % self.procs.len()]
    }

    /// A descriptor of the process: a real one by index, or an invalid number.
    fn fd(&self, p: u8, f: u8) -> Fd {
        let fds: Vec<Fd> = self
            .lab
            .w
            .process(self.pid(p))
            .map(|p| p.fds.keys().copied().collect())
            .unwrap_or_default();
        fds.get(f as usize).copied().unwrap_or(Fd(f as i32 + 3))
    }

    fn host_ip(host: u8) -> &'static str {
        [A_IP, B_IP, "10.0.0.9"][host as usize % 3]
    }

    fn apply(&mut self, op: &Op) {
        let (a, b) = (self.lab.a, self.lab.b);
        let call = match *op {
            Op::Socket { p, udp } => Some((
                p,
                Call::Socket {
                    proto: if udp { Proto::Udp } else { Proto::Tcp },
                    family: Family::V4,
                },
            )),
            Op::Bind {
                p,
                f,
                port,
                wildcard,
            } => {
                let ip = if wildcard {
                    None
                } else {
                    Some(Self::host_ip(p % 2).parse().unwrap())
                };
                Some((
                    p,
                    Call::Bind {
                        fd: self.fd(p, f),
                        addr: Endpoint::new(ip, Some(PORTS[port as usize])),
                    },
                ))
            }
            Op::Listen { p, f, backlog } => Some((
                p,
                Call::Listen {
                    fd: self.fd(p, f),
                    backlog: backlog as u32,
                },
            )),
            Op::Connect { p, f, host, port } => {
                let to = addr(&format!("{}:{}", Self::host_ip(host), PORTS[port as usize]));
                Some((
                    p,
                    Call::Connect {
                        fd: self.fd(p, f),
                        addr: to,
                    },
                ))
            }
            Op::Accept { p, f } => Some((p, Call::Accept { fd: self.fd(p, f) })),
            Op::Send { p, f, len } => Some((
                p,
                Call::Send {
                    fd: self.fd(p, f),
                    len: len as u64,
                },
            )),
            Op::Recv { p, f, len } => Some((
                p,
                Call::Recv {
                    fd: self.fd(p, f),
                    len: len as u64,
                },
            )),
            Op::SendTo {
                p,
                f,
                len,
                host,
                port,
            } => {
                let to = addr(&format!("{}:{}", Self::host_ip(host), PORTS[port as usize]));
                Some((
                    p,
                    Call::SendTo {
                        fd: self.fd(p, f),
                        len: len as u64,
                        to,
                    },
                ))
            }
            Op::Shutdown { p, f, how } => {
                let how = [Shutdown::Read, Shutdown::Write, Shutdown::Both][how as usize];
                Some((
                    p,
                    Call::Shutdown {
                        fd: self.fd(p, f),
                        how,
                    },
                ))
            }
            Op::Close { p, f } => Some((p, Call::Close { fd: self.fd(p, f) })),
            Op::Buffers { p, f, size } => {
                // Buffers are resized only on fresh structures, so capacities stay meaningful.
                let fresh = self
                    .lab
                    .w
                    .socket_of(self.pid(p), self.fd(p, f))
                    .is_some_and(|s| s.state == TcpState::Closed && s.recvq.is_empty());
                fresh.then(|| {
                    (
                        p,
                        Call::SetSockOpt {
                            fd: self.fd(p, f),
                            opt: SockOpt::RcvBuf(size as u64),
                        },
                    )
                })
            }
            Op::Linger { p, f, secs } => Some((
                p,
                Call::SetSockOpt {
                    fd: self.fd(p, f),
                    opt: SockOpt::Linger(secs.map(u32::from)),
                },
            )),
            Op::Reuse { p, f } => Some((
                p,
                Call::SetSockOpt {
                    fd: self.fd(p, f),
                    opt: SockOpt::ReuseAddr(true),
                },
            )),
            Op::NonBlocking { p, f, on } => Some((
                p,
                Call::SetNonBlocking {
                    fd: self.fd(p, f),
                    on,
                },
            )),
            Op::Dup { p, f } => Some((p, Call::Dup { fd: self.fd(p, f) })),
            Op::Step => {
                self.lab.w.step();
                None
            }
            Op::Deliver(n) => {
                self.lab.w.deliver(n as u64);
                None
            }
            Op::RunIdle => {
                self.lab.w.run_until_idle(5_000);
                None
            }
            Op::Advance(ms) => {
                let t = self.lab.w.now() + ms as u64 * MS;
                self.lab.w.run_until(t, u64::MAX);
                None
            }
            Op::DropNext(d) => {
                let (x, y) = if d { (a, b) } else { (b, a) };
                self.lab.w.drop_next(x, y);
                None
            }
            Op::Loss(d, pct) => {
                let (x, y) = if d { (a, b) } else { (b, a) };
                self.lab.w.set_path(x, y, 50 * MS, pct as f64 / 100.0);
                None
            }
            Op::Reorder(d, pct, ms) => {
                let (x, y) = if d { (a, b) } else { (b, a) };
                self.lab
                    .w
                    .set_reorder(x, y, pct as f64 / 100.0, ms as u64 * MS);
                None
            }
            Op::Duplicate(d, pct) => {
                let (x, y) = if d { (a, b) } else { (b, a) };
                self.lab.w.set_duplicate(x, y, pct as f64 / 100.0);
                None
            }
            Op::Rate(d, r) => {
                let (x, y) = if d { (a, b) } else { (b, a) };
                let rate = [None, Some(2_000), Some(50_000), Some(1_000_000)][r as usize % 4];
                self.lab.w.set_link_rate(x, y, rate);
                None
            }
            Op::Crash(h) => {
                let _ = self.lab.w.crash(if h { a } else { b });
                None
            }
            Op::Restart(h) => {
                let host = if h { a } else { b };
                if self.lab.w.host(host).unwrap().crashed {
                    self.lab.w.restart(host).unwrap();
                    let pid = self.lab.w.spawn(host, "reborn").unwrap();
                    let slot = if h { 0 } else { 1 };
                    self.procs[slot] = pid;
                }
                None
            }
        };
        if let Some((p, call)) = call {
            let pid = self.pid(p);
            // The experiment skips calls the engine predicts to answer EAGAIN: such a
            // prediction must never be wrong.
            let w = &self.lab.w;
            let sock = |fd| w.socket_of(pid, fd).map(|s| s.id);
            let predicted = match call {
                Call::Send { fd, len } => sock(fd).is_some_and(|s| w.send_would_block(s, len)),
                Call::Recv { fd, len } => sock(fd).is_some_and(|s| w.recv_would_block(s, len)),
                _ => false,
            };
            // Rejections (busy, crashed host) are fine; a panic is not.
            let reply = self.lab.w.call(pid, call.clone());
            if predicted {
                if let Ok(reply) = reply {
                    assert_eq!(
                        reply,
                        CallReply::Returned(Err(Errno::EAGAIN)),
                        "{call} was predicted to answer EAGAIN"
                    );
                }
            }
        }
    }
}

fn check_queues(w: &World) -> Result<(), TestCaseError> {
    for s in w.sockets() {
        prop_assert!(
            s.sendq.len() <= s.sendq.capacity(),
            "{} SendQ {} > {}",
            s.id,
            s.sendq.len(),
            s.sendq.capacity()
        );
        prop_assert!(
            s.recvq.len() <= s.recvq.capacity(),
            "{} RecvQ {} > {}",
            s.id,
            s.recvq.len(),
            s.recvq.capacity()
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn random_sequences_never_panic_and_keep_every_invariant(seed in any::<u64>(), ops in prop::collection::vec(op(), 1..60)) {
        let mut h = Harness::new(seed);
        for op in &ops {
            h.apply(op);
            if let Err(e) = h.lab.w.check_invariants() {
                return Err(TestCaseError::fail(format!("after {op:?}: {e}")));
            }
            check_queues(&h.lab.w)?;
        }
        for e in h.lab.w.trace() {
            if let Event::StateChanged { from, to, sock, .. } = &e.event {
                prop_assert!(from.may_become(*to), "{sock}: illegal {from} -> {to}");
            }
        }
    }

    #[test]
    fn the_same_seed_and_inputs_give_the_same_trace(seed in any::<u64>(), ops in prop::collection::vec(op(), 1..40)) {
        let run = |ops: &[Op]| {
            let mut h = Harness::new(seed);
            for op in ops {
                h.apply(op);
            }
            serde_json::to_string(h.lab.w.trace()).unwrap()
        };
        prop_assert_eq!(run(&ops), run(&ops));
    }

    #[test]
    fn tcp_delivers_every_byte_in_order_whatever_the_sizes_and_losses(
        seed in any::<u64>(),
        sends in prop::collection::vec(1u64..6000, 1..12),
        recv_sizes in prop::collection::vec(1u64..7000, 1..8),
        mss in 100u64..2000,
        sqs in 200u64..9000,
        rqs in 200u64..9000,
        loss in 0u8..30,
        drops in 0u8..3,
        rate in prop::option::of(prop::sample::select(vec![20_000u64, 200_000, 2_000_000])),
    ) {
        let mut lab = lab(WorldConfig { seed, mss, sndbuf: sqs, rcvbuf: rqs, data_retries: 30, ..WorldConfig::default() });
        let (_l, c, s) = connected(&mut lab, 80);
        let Lab { w, pa, pb, a, b } = &mut lab;
        w.set_path(*a, *b, 20 * MS, loss as f64 / 100.0);
        w.set_path(*b, *a, 30 * MS, loss as f64 / 100.0);
        // Sometimes a slow link: segments queue behind each other (and ACKs behind data).
        w.set_link_rate(*a, *b, rate);
        w.set_link_rate(*b, *a, rate.map(|r| r / 2));
        for _ in 0..drops {
            w.drop_next(*a, *b);
        }
        // The reader never blocks, so every byte it gets is counted at the call.
        ok(w, *pb, Call::SetNonBlocking { fd: s, on: true });
        let total: u64 = sends.iter().sum();
        let mut next_send = 0;
        let mut got: Vec<(SendTag, u64)> = Vec::new();
        let mut received = 0;
        for round in 0..100_000 {
            if received == total {
                break;
            }
            if pending(w, *pa).is_none() && next_send < sends.len() {
                w.call(*pa, Call::Send { fd: c, len: sends[next_send] }).unwrap();
                next_send += 1;
            }
            // Let the network move for 50 ms, or until its next event if that is later
            // (long retransmission timeouts under heavy loss).
            let next = w.poll_timeout().unwrap_or(0);
            w.run_until(next.max(w.now() + 50 * MS), u64::MAX);
            check_queues(w)?;
            {
                let before: Vec<_> = w.socket_of(*pb, s).unwrap().recvq.runs().copied().collect();
                let n = recv_sizes[round % recv_sizes.len()];
                if let CallReply::Returned(Ok(Value::Bytes(k))) = w.call(*pb, Call::Recv { fd: s, len: n }).unwrap() {
                    prop_assert!(k <= n);
                    received += k;
                    got.extend(sockscope_engine::queue::prefix(&before, k).iter().map(|r| (r.tag, r.len)));
                }
            }
        }
        prop_assert_eq!(received, total, "not all bytes arrived");
        // In order: merging adjacent runs of one send gives one run per send, in send order.
        let mut merged: Vec<(SendTag, u64)> = Vec::new();
        for (tag, len) in got {
            match merged.last_mut() {
                Some(last) if last.0 == tag => last.1 += len,
                _ => merged.push((tag, len)),
            }
        }
        let lens: Vec<u64> = merged.iter().map(|r| r.1).collect();
        prop_assert_eq!(lens, sends.clone());
        let tags: Vec<SendTag> = merged.iter().map(|r| r.0).collect();
        let mut sorted = tags.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(tags, sorted, "bytes of the sends arrived out of order");
    }
}
