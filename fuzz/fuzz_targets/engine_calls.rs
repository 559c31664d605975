//! Random call and network sequences fed straight to the engine: no panic, and
//! `World::check_invariants` holds after every step.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockscope_engine::*;

const PORTS: [u16; 3] = [80, 81, 0];
const IPS: [&str; 3] = ["10.0.0.1", "10.0.0.2", "10.0.0.9"];

fuzz_target!(|data: &[u8]| {
    let mut w = World::new(WorldConfig { mss: 536, sndbuf: 2000, rcvbuf: 1500, time_wait_us: 5 * SEC, ..WorldConfig::default() });
    let a = w.add_host("A", &[IPS[0].parse().unwrap()]).unwrap();
    let b = w.add_host("B", &[IPS[1].parse().unwrap()]).unwrap();
    let procs = [w.spawn(a, "a").unwrap(), w.spawn(b, "b").unwrap()];
    for chunk in data.chunks(4) {
        let [op, x, y, z] = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0), *chunk.get(3).unwrap_or(&0)];
        let pid = procs[(x & 1) as usize];
        let fd = Fd(3 + (y % 6) as i32);
        let len = (z as u64) * 40;
        let to: std::net::SocketAddr = format!("{}:{}", IPS[(y % 3) as usize], PORTS[(z % 3) as usize]).parse().unwrap();
        let call = match op % 24 {
            0 => Some(Call::Socket { proto: if x & 2 == 0 { Proto::Tcp } else { Proto::Udp }, family: Family::V4 }),
            1 => Some(Call::Bind { fd, addr: Endpoint::new((x & 4 != 0).then(|| to.ip()), Some(PORTS[(z % 3) as usize])) }),
            2 => Some(Call::Listen { fd, backlog: (z % 3) as u32 }),
            3 => Some(Call::Connect { fd, addr: to }),
            4 => Some(Call::Accept { fd }),
            5 => Some(Call::Send { fd, len }),
            6 => Some(Call::Recv { fd, len }),
            7 => Some(Call::SendTo { fd, len, to }),
            8 => Some(Call::RecvFrom { fd, len }),
            9 => Some(Call::Shutdown { fd, how: [Shutdown::Read, Shutdown::Write, Shutdown::Both][(z % 3) as usize] }),
            10 => Some(Call::Close { fd }),
            11 => Some(Call::SetSockOpt { fd, opt: SockOpt::RcvBuf(len.max(1)) }),
            12 => Some(Call::SetSockOpt { fd, opt: SockOpt::Linger(Some((z % 3) as u32)) }),
            13 => Some(Call::SetSockOpt { fd, opt: SockOpt::ReuseAddr(true) }),
            14 => Some(Call::SetNonBlocking { fd, on: z & 1 == 1 }),
            15 => Some(Call::Dup { fd }),
            _ => None,
        };
        match (call, op % 24) {
            (Some(call), _) => {
                let _ = w.call(pid, call);
            }
            (None, 16) => {
                w.step();
            }
            (None, 17) => {
                w.deliver(z as u64 % 5);
            }
            (None, 18) => {
                w.run_until_idle(5_000);
            }
            (None, 19) => {
                w.run_until(w.now() + z as u64 * 10 * MS, u64::MAX);
            }
            (None, 20) => w.drop_next(a, b),
            (None, 21) => w.set_path(b, a, 50 * MS, (z % 50) as f64 / 100.0),
            (None, 22) => {
                let _ = w.crash(if x & 1 == 0 { a } else { b });
            }
            _ => {
                let _ = w.restart(if x & 1 == 0 { a } else { b });
            }
        }
        if let Err(e) = w.check_invariants() {
            panic!("invariant broken: {e}");
        }
    }
});
