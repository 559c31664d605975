//! Random calls and network commands for the property tests: what a user (or the
//! network, or an attacker) can do, and a harness that does it to a world of two
//! dual-stack hosts.
#![allow(dead_code)]

use proptest::prelude::*;
use sockscope_engine::segment::Flags;
use sockscope_engine::*;

/// One thing a user, the network or a forger can do. Descriptor and process fields
/// are indexes, taken modulo what exists (an index past the end names no descriptor).
#[derive(Clone, Debug)]
pub enum Op {
    Socket {
        p: u8,
        udp: bool,
        v6: bool,
    },
    Bind {
        p: u8,
        f: u8,
        ip: u8,
        port: u8,
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
    RecvFrom {
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
    /// SO_SNDBUF (`send: true`) or SO_RCVBUF.
    Buffer {
        p: u8,
        f: u8,
        send: bool,
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
        on: bool,
    },
    V6Only {
        p: u8,
        f: u8,
        on: bool,
    },
    GetOpt {
        p: u8,
        f: u8,
        name: u8,
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
    Fork {
        p: u8,
    },
    Step,
    Deliver(u8),
    RunIdle,
    Advance(u16),
    DropNext(bool),
    /// One direction's delay (an index into `DELAYS_MS`) and loss in percent.
    Path(bool, u8, u8),
    /// Hold back this percentage of one direction's segments by this many ms.
    Reorder(bool, u8, u8),
    /// Deliver this percentage of one direction's segments twice.
    Duplicate(bool, u8),
    /// A link rate on one direction: 0 removes it.
    Rate(bool, u8),
    /// A forged segment (`net: inject`) to one of the structures, as if from its peer.
    Inject(Forgery),
    Crash(bool),
    Restart(bool),
}

/// A forged segment aimed at the `target`-th structure that has a peer address.
#[derive(Clone, Debug)]
pub struct Forgery {
    target: u8,
    flags: Flags,
    /// Sequence and acknowledgement numbers relative to the target's RCV.NXT/SND.NXT.
    seq: i16,
    ack: i16,
    window: u16,
    len: u16,
}

const PORTS: [u16; 3] = [80, 81, 0];
const DELAYS_MS: [u64; 5] = [1, 20, 50, 300, 2000];
/// Addresses calls name: both hosts' IPv4 and IPv6 addresses, one nobody has, and B
/// as an IPv4-mapped IPv6 address.
const PEERS: [&str; 6] = [
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.9",
    "fd00::1",
    "fd00::2",
    "::ffff:10.0.0.2",
];
/// Each host's own addresses (A: 10.0.0.1 and fd00::1, B: 10.0.0.2 and fd00::2).
const OWN: [[&str; 2]; 2] = [["10.0.0.1", "fd00::1"], ["10.0.0.2", "fd00::2"]];
/// fork() stops adding processes here, so descriptor tables stay few.
const MAX_PROCS: usize = 8;

fn forgery() -> impl Strategy<Value = Forgery> {
    (
        any::<u8>(),
        any::<[bool; 4]>(),
        prop_oneof![Just(0i16), -3000i16..3000],
        prop_oneof![Just(0i16), -3000i16..3000],
        prop_oneof![Just(0u16), 1u16..4000],
        prop_oneof![Just(0u16), 1u16..1500],
    )
        .prop_map(
            |(target, [syn, ack, fin, rst], seq, ack_off, window, len)| Forgery {
                target,
                flags: Flags { syn, ack, fin, rst },
                seq,
                ack: ack_off,
                window,
                len,
            },
        )
}

pub fn op() -> impl Strategy<Value = Op> {
    let p = 0u8..8;
    let f = 0u8..6;
    let b = any::<bool>;
    prop_oneof![
        (p.clone(), b(), b()).prop_map(|(p, udp, v6)| Op::Socket { p, udp, v6 }),
        (p.clone(), f.clone(), 0u8..3, 0u8..3).prop_map(|(p, f, ip, port)| Op::Bind {
            p,
            f,
            ip,
            port
        }),
        (p.clone(), f.clone(), 0u8..3).prop_map(|(p, f, backlog)| Op::Listen { p, f, backlog }),
        (p.clone(), f.clone(), 0u8..6, 0u8..3).prop_map(|(p, f, host, port)| Op::Connect {
            p,
            f,
            host,
            port
        }),
        (p.clone(), f.clone()).prop_map(|(p, f)| Op::Accept { p, f }),
        (p.clone(), f.clone(), 0u16..5000).prop_map(|(p, f, len)| Op::Send { p, f, len }),
        (p.clone(), f.clone(), 0u16..5000).prop_map(|(p, f, len)| Op::Recv { p, f, len }),
        (p.clone(), f.clone(), 0u16..3000).prop_map(|(p, f, len)| Op::RecvFrom { p, f, len }),
        (p.clone(), f.clone(), 0u16..3000, 0u8..6, 0u8..3).prop_map(|(p, f, len, host, port)| {
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
        (p.clone(), f.clone(), b(), 1u16..4000).prop_map(|(p, f, send, size)| Op::Buffer {
            p,
            f,
            send,
            size
        }),
        (p.clone(), f.clone(), proptest::option::of(0u8..3)).prop_map(|(p, f, secs)| Op::Linger {
            p,
            f,
            secs
        }),
        (p.clone(), f.clone(), b()).prop_map(|(p, f, on)| Op::Reuse { p, f, on }),
        (p.clone(), f.clone(), b()).prop_map(|(p, f, on)| Op::V6Only { p, f, on }),
        (p.clone(), f.clone(), 0u8..5).prop_map(|(p, f, name)| Op::GetOpt { p, f, name }),
        (p.clone(), f.clone(), b()).prop_map(|(p, f, on)| Op::NonBlocking { p, f, on }),
        (p.clone(), f.clone()).prop_map(|(p, f)| Op::Dup { p, f }),
        p.clone().prop_map(|p| Op::Fork { p }),
        Just(Op::Step),
        (1u8..6).prop_map(Op::Deliver),
        Just(Op::RunIdle),
        (0u16..5000).prop_map(Op::Advance),
        b().prop_map(Op::DropNext),
        (b(), 0u8..5, 0u8..40).prop_map(|(d, delay, pct)| Op::Path(d, delay, pct)),
        (b(), 0u8..60, 0u8..120).prop_map(|(d, pct, ms)| Op::Reorder(d, pct, ms)),
        (b(), 0u8..60).prop_map(|(d, pct)| Op::Duplicate(d, pct)),
        (b(), 0u8..4).prop_map(|(d, r)| Op::Rate(d, r)),
        forgery().prop_map(Op::Inject),
        b().prop_map(Op::Crash),
        b().prop_map(Op::Restart),
    ]
}

pub struct Harness {
    pub w: World,
    a: HostId,
    b: HostId,
    procs: Vec<Pid>,
    /// Operations applied so far (calls, network commands, forgeries).
    pub applied: u64,
}

fn ip(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

impl Harness {
    pub fn new(seed: u64, behaviour: Behaviour) -> Self {
        let mut w = World::new(WorldConfig {
            seed,
            behaviour,
            mss: 536,
            sndbuf: 2000,
            rcvbuf: 1500,
            time_wait_us: 5 * SEC,
            data_retries: 4,
            syn_retries: 3,
            synack_retries: 2,
            ..WorldConfig::default()
        });
        let [a, b] = OWN.map(|addrs| addrs.map(ip));
        let (a, b) = (w.add_host("A", &a).unwrap(), w.add_host("B", &b).unwrap());
        let procs = vec![
            w.spawn(a, "client").unwrap(),
            w.spawn(b, "server").unwrap(),
            w.spawn(a, "a2").unwrap(),
            w.spawn(b, "b2").unwrap(),
        ];
        let mut h = Harness {
            w,
            a,
            b,
            procs,
            applied: 0,
        };
        h.prelude();
        h
    }

    /// Something for random calls to act on: a dual-stack listener on B's port 80 with
    /// an IPv4 and an IPv6 connection from A accepted, and a UDP socket on each host
    /// (B's bound to port 81). Not counted in `applied`.
    fn prelude(&mut self) {
        let ops = [
            Op::Socket {
                p: 1,
                udp: false,
                v6: true,
            },
            Op::Bind {
                p: 1,
                f: 0,
                ip: 2,
                port: 0,
            },
            Op::Listen {
                p: 1,
                f: 0,
                backlog: 2,
            },
            Op::Socket {
                p: 0,
                udp: false,
                v6: false,
            },
            Op::Connect {
                p: 0,
                f: 0,
                host: 1,
                port: 0,
            },
            Op::Socket {
                p: 2,
                udp: false,
                v6: true,
            },
            Op::Connect {
                p: 2,
                f: 0,
                host: 4,
                port: 0,
            },
            Op::RunIdle,
            Op::Accept { p: 1, f: 0 },
            Op::Accept { p: 1, f: 0 },
            Op::Socket {
                p: 1,
                udp: true,
                v6: false,
            },
            Op::Bind {
                p: 1,
                f: 3,
                ip: 2,
                port: 1,
            },
            Op::Socket {
                p: 0,
                udp: true,
                v6: false,
            },
        ];
        for op in &ops {
            self.apply(op);
        }
        self.applied = 0;
    }

    fn pid(&self, p: u8) -> Pid {
        self.procs[p as usize % self.procs.len()]
    }

    /// A descriptor of the process: a real one by index, or an invalid number.
    fn fd(&self, p: u8, f: u8) -> Fd {
        let fds: Vec<Fd> = self
            .w
            .process(self.pid(p))
            .map(|p| p.fds.keys().copied().collect())
            .unwrap_or_default();
        fds.get(f as usize).copied().unwrap_or(Fd(f as i32 + 3))
    }

    fn peer(host: u8, port: u8) -> std::net::SocketAddr {
        std::net::SocketAddr::new(ip(PEERS[host as usize % PEERS.len()]), PORTS[port as usize])
    }

    fn hosts(&self, d: bool) -> (HostId, HostId) {
        if d {
            (self.a, self.b)
        } else {
            (self.b, self.a)
        }
    }

    /// Applies one operation. Rejections (busy, crashed host, a refused forgery) are
    /// fine; a panic is not.
    pub fn apply(&mut self, op: &Op) {
        self.applied += 1;
        if let Some((p, call)) = self.call_of(op) {
            self.issue(p, call);
        } else {
            self.network(op);
        }
    }

    fn call_of(&self, op: &Op) -> Option<(u8, Call)> {
        let fd = |p, f| self.fd(p, f);
        let call = match *op {
            Op::Socket { udp, v6, .. } => Call::Socket {
                proto: if udp { Proto::Udp } else { Proto::Tcp },
                family: if v6 { Family::V6 } else { Family::V4 },
            },
            Op::Bind {
                p,
                f,
                ip: which,
                port,
            } => {
                // 0 and 1: one of the process's host's own addresses; 2: the wildcard.
                let host = self
                    .w
                    .process(self.pid(p))
                    .map_or(0, |pr| pr.host.0 as usize);
                let at = OWN[host % 2].get(which as usize).map(|s| ip(s));
                let addr = Endpoint::new(at, Some(PORTS[port as usize]));
                return Some((p, Call::Bind { fd: fd(p, f), addr }));
            }
            Op::Listen { p, f, backlog } => Call::Listen {
                fd: fd(p, f),
                backlog: backlog as u32,
            },
            Op::Connect { p, f, host, port } => Call::Connect {
                fd: fd(p, f),
                addr: Self::peer(host, port),
            },
            Op::Accept { p, f } => Call::Accept { fd: fd(p, f) },
            Op::Send { p, f, len } => Call::Send {
                fd: fd(p, f),
                len: len as u64,
            },
            Op::Recv { p, f, len } => Call::Recv {
                fd: fd(p, f),
                len: len as u64,
            },
            Op::RecvFrom { p, f, len } => Call::RecvFrom {
                fd: fd(p, f),
                len: len as u64,
            },
            Op::SendTo {
                p,
                f,
                len,
                host,
                port,
            } => Call::SendTo {
                fd: fd(p, f),
                len: len as u64,
                to: Self::peer(host, port),
            },
            Op::Shutdown { p, f, how } => Call::Shutdown {
                fd: fd(p, f),
                how: [Shutdown::Read, Shutdown::Write, Shutdown::Both][how as usize],
            },
            Op::Close { p, f } => Call::Close { fd: fd(p, f) },
            Op::Buffer { p, f, send, size } => {
                // Buffers are resized only on fresh structures, so that a queue never
                // sits above its capacity (which the tests check).
                let fresh = self
                    .w
                    .socket_of(self.pid(p), fd(p, f))
                    .is_some_and(|s| s.state == TcpState::Closed && s.recvq.is_empty());
                let size = size as u64;
                let opt = if send {
                    SockOpt::SndBuf(size)
                } else {
                    SockOpt::RcvBuf(size)
                };
                return fresh.then(|| (p, Call::SetSockOpt { fd: fd(p, f), opt }));
            }
            Op::Linger { p, f, secs } => Call::SetSockOpt {
                fd: fd(p, f),
                opt: SockOpt::Linger(secs.map(u32::from)),
            },
            Op::Reuse { p, f, on } => Call::SetSockOpt {
                fd: fd(p, f),
                opt: SockOpt::ReuseAddr(on),
            },
            Op::V6Only { p, f, on } => Call::SetSockOpt {
                fd: fd(p, f),
                opt: SockOpt::V6Only(on),
            },
            Op::GetOpt { p, f, name } => Call::GetSockOpt {
                fd: fd(p, f),
                name: [
                    OptName::SndBuf,
                    OptName::RcvBuf,
                    OptName::Linger,
                    OptName::ReuseAddr,
                    OptName::V6Only,
                ][name as usize],
            },
            Op::NonBlocking { p, f, on } => Call::SetNonBlocking { fd: fd(p, f), on },
            Op::Dup { p, f } => Call::Dup { fd: fd(p, f) },
            _ => return None,
        };
        let p = match *op {
            Op::Socket { p, .. }
            | Op::Listen { p, .. }
            | Op::Connect { p, .. }
            | Op::Accept { p, .. }
            | Op::Send { p, .. }
            | Op::Recv { p, .. }
            | Op::RecvFrom { p, .. }
            | Op::SendTo { p, .. }
            | Op::Shutdown { p, .. }
            | Op::Close { p, .. }
            | Op::Linger { p, .. }
            | Op::Reuse { p, .. }
            | Op::V6Only { p, .. }
            | Op::GetOpt { p, .. }
            | Op::NonBlocking { p, .. }
            | Op::Dup { p, .. } => p,
            _ => unreachable!("only calls reach here"),
        };
        Some((p, call))
    }

    fn network(&mut self, op: &Op) {
        let w = &mut self.w;
        match *op {
            Op::Fork { p } => {
                let parent = self.pid(p);
                if self.procs.len() < MAX_PROCS {
                    if let Ok(child) = self.w.fork(parent, "child") {
                        self.procs.push(child);
                    }
                }
            }
            Op::Step => {
                w.step();
            }
            Op::Deliver(n) => {
                w.deliver(n as u64);
            }
            Op::RunIdle => {
                w.run_until_idle(5_000);
            }
            Op::Advance(ms) => {
                let t = w.now() + ms as u64 * MS;
                w.run_until(t, u64::MAX);
            }
            Op::DropNext(d) => {
                let (x, y) = self.hosts(d);
                self.w.drop_next(x, y);
            }
            Op::Path(d, delay, pct) => {
                let (x, y) = self.hosts(d);
                let delay = DELAYS_MS[delay as usize % DELAYS_MS.len()] * MS;
                self.w.set_path(x, y, delay, pct as f64 / 100.0);
            }
            Op::Reorder(d, pct, ms) => {
                let (x, y) = self.hosts(d);
                self.w.set_reorder(x, y, pct as f64 / 100.0, ms as u64 * MS);
            }
            Op::Duplicate(d, pct) => {
                let (x, y) = self.hosts(d);
                self.w.set_duplicate(x, y, pct as f64 / 100.0);
            }
            Op::Rate(d, r) => {
                let (x, y) = self.hosts(d);
                let rate = [None, Some(2_000), Some(50_000), Some(1_000_000)][r as usize % 4];
                self.w.set_link_rate(x, y, rate);
            }
            Op::Inject(ref f) => self.forge(f),
            Op::Crash(h) => {
                let _ = w.crash(if h { self.a } else { self.b });
            }
            Op::Restart(h) => {
                let host = if h { self.a } else { self.b };
                if self.w.host(host).unwrap().crashed {
                    self.w.restart(host).unwrap();
                    let pid = self.w.spawn(host, "reborn").unwrap();
                    self.procs[if h { 0 } else { 1 }] = pid;
                }
            }
            // A call the harness chose not to make (a buffer on a structure in use).
            _ => {}
        }
    }

    /// A forged segment to a structure, from the address of its peer (or to a port of
    /// B when no structure has a peer); the engine may refuse it, changing nothing.
    fn forge(&mut self, f: &Forgery) {
        let targets: Vec<_> = self
            .w
            .sockets()
            .filter_map(|s| Some((s.proto, s.remote_addr()?, s.local_addr()?)))
            .collect();
        let (proto, from, to) = match targets.get(f.target as usize % targets.len().max(1)) {
            Some(t) => *t,
            None => (Proto::Tcp, Self::peer(0, 0), Self::peer(1, 0)),
        };
        let mut inj = Injection::new(proto, from, to, f.flags);
        inj.seq = Some(SeqRef::Relative(f.seq as i64));
        inj.ack = Some(SeqRef::Relative(f.ack as i64));
        inj.window = f.window as u64;
        inj.len = f.len as u64;
        if self.w.inject(&inj) == Err(InjectError::NothingToBeRelativeTo) {
            // No connection to count from (a listener): the numbers at their defaults.
            (inj.seq, inj.ack) = (None, None);
            let _ = self.w.inject(&inj);
        }
    }

    fn issue(&mut self, p: u8, call: Call) {
        let pid = self.pid(p);
        // The experiment skips calls the engine predicts to answer EAGAIN: such a
        // prediction must never be wrong.
        let w = &self.w;
        let sock = |fd| w.socket_of(pid, fd).map(|s| s.id);
        let predicted = match call {
            Call::Send { fd, len } => sock(fd).is_some_and(|s| w.send_would_block(s, len)),
            Call::Recv { fd, len } => sock(fd).is_some_and(|s| w.recv_would_block(s, len)),
            _ => false,
        };
        let reply = self.w.call(pid, call.clone());
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
