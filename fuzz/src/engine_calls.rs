//! Bytes read as socket calls and network steps, fed straight to the engine on two
//! hosts: no panic, and `World::check_invariants` holds after every step.
//!
//! Each 4-byte chunk `[op, x, y, z]` is one step: `op` picks the call or network
//! action, the other bytes its process, descriptor, address and sizes. A short last
//! chunk is padded with zeros, so every input is meaningful.

use sockscope_engine::*;
use std::net::SocketAddr;

const PORTS: [u16; 3] = [80, 81, 0];
const IPS: [&str; 3] = ["10.0.0.1", "10.0.0.2", "10.0.0.9"];
/// Kinds of step: 16 calls (`call`) and 8 network actions (`network`).
const OPS: u8 = 24;

pub fn engine_calls(data: &[u8]) {
    let mut bed = TestBed::new();
    for chunk in data.chunks(4) {
        let byte = |i: usize| chunk.get(i).copied().unwrap_or(0);
        let step = [byte(0), byte(1), byte(2), byte(3)];
        match call(step) {
            Some(call) => {
                let pid = bed.procs[usize::from(step[1] & 1)];
                let _ = bed.world.call(pid, call);
            }
            None => bed.network(step),
        }
        if let Err(e) = bed.world.check_invariants() {
            panic!("invariant broken after step {step:?}: {e}");
        }
    }
}

/// Two hosts A and B with one process each, small buffers so that flow control and
/// segmentation happen after a few calls.
struct TestBed {
    world: World,
    hosts: [HostId; 2],
    procs: [Pid; 2],
}

impl TestBed {
    fn new() -> Self {
        let mut world = World::new(WorldConfig {
            mss: 536,
            sndbuf: 2000,
            rcvbuf: 1500,
            time_wait_us: 5 * SEC,
            ..WorldConfig::default()
        });
        let a = world.add_host("A", &[ip(0)]).expect("host A");
        let b = world.add_host("B", &[ip(1)]).expect("host B");
        let procs = [
            world.spawn(a, "a").expect("a"),
            world.spawn(b, "b").expect("b"),
        ];
        TestBed {
            world,
            hosts: [a, b],
            procs,
        }
    }

    /// The non-call steps (`op % OPS` from 16 on): time, delivery, loss and crashes.
    fn network(&mut self, [op, x, _, z]: [u8; 4]) {
        let [a, b] = self.hosts;
        let host = self.hosts[usize::from(x & 1)];
        let w = &mut self.world;
        match op % OPS {
            16 => {
                w.step();
            }
            17 => {
                w.deliver(u64::from(z) % 5);
            }
            18 => {
                w.run_until_idle(5_000);
            }
            19 => {
                w.run_until(w.now() + u64::from(z) * 10 * MS, u64::MAX);
            }
            20 => w.drop_next(a, b),
            21 => w.set_path(b, a, 50 * MS, f64::from(z % 50) / 100.0),
            22 => {
                let _ = w.crash(host);
            }
            _ => {
                let _ = w.restart(host);
            }
        }
    }
}

/// The call a step makes, or `None` for a network step.
fn call([op, x, y, z]: [u8; 4]) -> Option<Call> {
    let fd = Fd(3 + i32::from(y % 6));
    let len = u64::from(z) * 40;
    let port = PORTS[usize::from(z % 3)];
    let to = SocketAddr::new(ip(usize::from(y % 3)), port);
    Some(match op % OPS {
        0 => Call::Socket {
            proto: if x & 2 == 0 { Proto::Tcp } else { Proto::Udp },
            family: Family::V4,
        },
        1 => Call::Bind {
            fd,
            addr: Endpoint::new((x & 4 != 0).then(|| to.ip()), Some(port)),
        },
        2 => Call::Listen {
            fd,
            backlog: u32::from(z % 3),
        },
        3 => Call::Connect { fd, addr: to },
        4 => Call::Accept { fd },
        5 => Call::Send { fd, len },
        6 => Call::Recv { fd, len },
        7 => Call::SendTo { fd, len, to },
        8 => Call::RecvFrom { fd, len },
        9 => Call::Shutdown {
            fd,
            how: [Shutdown::Read, Shutdown::Write, Shutdown::Both][usize::from(z % 3)],
        },
        10 => Call::Close { fd },
        11 => Call::SetSockOpt {
            fd,
            opt: SockOpt::RcvBuf(len.max(1)),
        },
        12 => Call::SetSockOpt {
            fd,
            opt: SockOpt::Linger(Some(u32::from(z % 3))),
        },
        13 => Call::SetSockOpt {
            fd,
            opt: SockOpt::ReuseAddr(true),
        },
        14 => Call::SetNonBlocking { fd, on: z & 1 == 1 },
        15 => Call::Dup { fd },
        _ => return None,
    })
}

fn ip(i: usize) -> std::net::IpAddr {
    IPS[i].parse().expect("a literal address")
}
