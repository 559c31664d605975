//! Where the bytes went: each way a byte leaves the queues unread is counted under its
//! reason, and the engine's byte check holds after each (`World::check_bytes`).

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::ledger::{Ledger, Loss};
use sockscope_engine::*;

fn ledger(w: &World, pid: Pid, fd: Fd) -> Ledger {
    w.socket_of(pid, fd).unwrap().ledger.clone()
}

/// A connection with `n` bytes from A's client in B's RecvQ, unread.
fn with_unread(n: u64) -> (Lab, Fd, Fd) {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, .. } = &mut lab;
    ok(w, *pa, Call::Send { fd: c, len: n });
    w.run_until_idle(1000);
    assert_eq!(w.check_bytes(), Ok(()));
    (lab, c, s)
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_byte_sent_is_acknowledged_then_read() {
    let (mut lab, c, s) = with_unread(3000);
    let Lab { w, pa, pb, .. } = &mut lab;
    let out = ledger(w, *pa, c).out;
    assert_eq!((out.written, out.acked, out.lost.total()), (3000, 3000, 0));
    assert_eq!(ledger(w, *pb, s).inc.received, 3000);
    ok(w, *pb, Call::Recv { fd: s, len: 1000 });
    assert_eq!(w.socket_of(*pb, s).unwrap().delivered.total(), 1000);
    assert_eq!(w.check_bytes(), Ok(()));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_shutdown_for_reading_counts_the_unread_bytes_lost() {
    let (mut lab, _c, s) = with_unread(700);
    let Lab { w, pb, .. } = &mut lab;
    ok(
        w,
        *pb,
        Call::Shutdown {
            fd: s,
            how: Shutdown::Read,
        },
    );
    assert_eq!(ledger(w, *pb, s).inc.lost.get(Loss::ShutRead), 700);
    assert_eq!(w.check_bytes(), Ok(()));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_reset_counts_what_both_queues_held_lost() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, a, b } = &mut lab;
    ok(w, *pb, Call::Send { fd: s, len: 400 });
    w.run_until_idle(1000);
    // A's next 500 bytes never arrive; then B aborts and its RST reaches A.
    w.set_path(*a, *b, 50 * MS, 1.0);
    ok(w, *pa, Call::Send { fd: c, len: 500 });
    let linger = SockOpt::Linger(Some(0));
    ok(w, *pb, Call::SetSockOpt { fd: s, opt: linger });
    ok(w, *pb, Call::Close { fd: s });
    w.run_until(w.now() + 100 * MS, u64::MAX);
    let l = ledger(w, *pa, c);
    assert_eq!(l.out.lost.get(Loss::Reset), 500);
    assert_eq!(l.inc.lost.get(Loss::Reset), 400);
    assert_eq!(w.check_bytes(), Ok(()));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_truncated_datagram_counts_its_cut_off_bytes_lost() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let r = udp_socket(w, *pb);
    bind(w, *pb, r, "*:53");
    let s = udp_socket(w, *pa);
    let to = addr("10.0.0.2:53");
    ok(
        w,
        *pa,
        Call::SendTo {
            fd: s,
            len: 300,
            to,
        },
    );
    w.run_until_idle(1000);
    ok(w, *pb, Call::Recv { fd: r, len: 100 });
    let inc = ledger(w, *pb, r).inc;
    assert_eq!((inc.received, inc.lost.get(Loss::Truncated)), (300, 200));
    assert_eq!(w.check_bytes(), Ok(()));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_udp_shutdown_for_reading_discards_the_datagrams_with_their_bytes() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let r = udp_socket(w, *pb);
    bind(w, *pb, r, "*:53");
    let s = udp_socket(w, *pa);
    bind(w, *pa, s, "*:9");
    let peer = addr("10.0.0.1:9");
    ok(w, *pb, Call::Connect { fd: r, addr: peer });
    let to = addr("10.0.0.2:53");
    ok(
        w,
        *pa,
        Call::SendTo {
            fd: s,
            len: 300,
            to,
        },
    );
    w.run_until_idle(1000);
    let how = Shutdown::Read;
    ok(w, *pb, Call::Shutdown { fd: r, how });
    assert_eq!(ok(w, *pb, Call::Recv { fd: r, len: 1000 }), Value::Bytes(0));
    assert_eq!(ledger(w, *pb, r).inc.lost.get(Loss::ShutRead), 300);
    assert_eq!(w.check_bytes(), Ok(()));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn timing_out_counts_the_unacknowledged_bytes_lost() {
    let mut lab = lab(WorldConfig {
        data_retries: 2,
        ..WorldConfig::default()
    });
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, a, b, .. } = &mut lab;
    w.set_path(*a, *b, 50 * MS, 1.0);
    ok(w, *pa, Call::Send { fd: c, len: 800 });
    w.run_until_idle(100_000);
    assert_eq!(ledger(w, *pa, c).out.lost.get(Loss::TimedOut), 800);
    assert_eq!(w.check_bytes(), Ok(()));
}
