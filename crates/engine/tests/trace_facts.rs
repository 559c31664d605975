//! Facts the trace records so that narration can word an event correctly: why a
//! segment was discarded, why a recv() returned 0, and whether an unmatched segment
//! was a SYN.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::trace::{DemuxOutcome, DiscardReason, ZeroRead};
use sockscope_engine::*;

fn zero_reads(w: &World) -> Vec<ZeroRead> {
    w.trace()
        .iter()
        .filter_map(|e| match &e.event {
            Event::CallReturned { zero, .. } => *zero,
            _ => None,
        })
        .collect()
}

fn discards(w: &World) -> Vec<DiscardReason> {
    w.trace()
        .iter()
        .filter_map(|e| match &e.event {
            Event::SegmentDiscarded { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_syn_at_a_full_backlog_is_discarded_for_the_backlog() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let _l = listen_on(w, *pb, "*:80", 1);
    let first = tcp_socket(w, *pa);
    connect_blocks(w, *pa, first, "10.0.0.2:80");
    w.run_until_idle(1000);
    assert!(discards(w).is_empty());
    let second = tcp_socket(w, *pa);
    connect_blocks(w, *pa, second, "10.0.0.2:80");
    w.deliver(1);
    assert_eq!(discards(w), [DiscardReason::BacklogFull]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bytes_beyond_a_full_recvq_are_discarded_for_the_window() {
    let mut lab = lab(WorldConfig {
        mss: 500,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(
        w,
        *pb,
        Call::SetSockOpt {
            fd: s,
            opt: SockOpt::RcvBuf(300),
        },
    );
    ok(w, *pa, Call::Send { fd: c, len: 500 });
    w.deliver(1);
    assert_eq!(discards(w), [DiscardReason::WindowFull]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_recv_that_returns_0_says_whether_it_was_the_end_of_the_stream() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    // Asked for 0 bytes on a live connection.
    assert_eq!(ok(w, *pb, Call::Recv { fd: s, len: 0 }), Value::Bytes(0));
    // The program's own shutdown(SHUT_RD).
    ok(
        w,
        *pa,
        Call::Shutdown {
            fd: c,
            how: Shutdown::Read,
        },
    );
    assert_eq!(ok(w, *pa, Call::Recv { fd: c, len: 10 }), Value::Bytes(0));
    // The peer's FIN.
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(1000);
    assert_eq!(ok(w, *pb, Call::Recv { fd: s, len: 10 }), Value::Bytes(0));
    // A recv() that returns bytes records nothing.
    assert_eq!(
        zero_reads(w),
        [
            ZeroRead::AskedForZero,
            ZeroRead::ShutRead,
            ZeroRead::EndOfStream
        ]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_empty_udp_datagram_reads_as_0_without_ending_anything() {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    let r = udp_socket(w, *pb);
    bind(w, *pb, r, "*:53");
    let u = udp_socket(w, *pa);
    let to = addr("10.0.0.2:53");
    ok(w, *pa, Call::SendTo { fd: u, len: 0, to });
    ok(w, *pa, Call::SendTo { fd: u, len: 7, to });
    w.run_until_idle(1000);
    assert_eq!(ok(w, *pb, Call::Recv { fd: r, len: 100 }), Value::Bytes(0));
    assert_eq!(ok(w, *pb, Call::Recv { fd: r, len: 100 }), Value::Bytes(7));
    assert_eq!(zero_reads(w), [ZeroRead::EmptyDatagram]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_refused_segment_records_whether_it_was_a_syn() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, _s) = connected(&mut lab, 80);
    let Lab { w, pa, b, .. } = &mut lab;
    let refused = |w: &World| -> Vec<bool> {
        w.trace()
            .iter()
            .filter_map(|e| match &e.event {
                Event::Demux(r) if r.outcome == DemuxOutcome::Refused => Some(r.syn),
                _ => None,
            })
            .collect()
    };
    // A SYN to a port nobody listens on.
    let x = tcp_socket(w, *pa);
    connect_blocks(w, *pa, x, "10.0.0.2:81");
    w.run_until_idle(1000);
    assert_eq!(refused(w), [true]);
    // Data for a connection the peer no longer knows (it crashed and restarted).
    w.crash(*b).unwrap();
    w.restart(*b).unwrap();
    ok(w, *pa, Call::Send { fd: c, len: 10 });
    w.run_until_idle(1000);
    assert_eq!(refused(w), [true, false]);
}
