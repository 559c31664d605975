//! The buffer-size and throughput experiment (MODEL.md §4), and the link rate it
//! relies on. Transfers are kept small so the wasm runs stay short.

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::experiment::*;
use sockscope_engine::*;

const KIB: u64 = 1024;

fn spec(total: u64, send: u64, recv: u64, buffer: u64) -> TransferSpec {
    TransferSpec {
        total_bytes: total,
        send_size: send,
        recv_size: recv,
        sndbuf: buffer,
        rcvbuf: buffer,
    }
}

/// A LAN: so short a round trip that the programs' CPU time, not the window, limits.
fn lan() -> CostModel {
    CostModel {
        rtt_us: 200,
        ..CostModel::default()
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bigger_buffers_give_higher_throughput_while_the_window_limits() {
    // 100 Mbit/s × 20 ms: the bandwidth-delay product is 250,000 bytes.
    let model = CostModel::default();
    let sizes: Vec<u64> = (1..=8).map(|i| KIB << i).collect();
    let points = sweep_buffers(1_000_000, &sizes, &model).unwrap();
    assert_eq!(points.len(), sizes.len());
    for pair in points.windows(2) {
        let ((a, ra), (b, rb)) = (&pair[0], &pair[1]);
        assert!(
            rb.bytes_per_s >= ra.bytes_per_s,
            "{b} bytes gave {} B/s, less than {a} bytes' {} B/s",
            rb.bytes_per_s,
            ra.bytes_per_s
        );
    }
    let (first, last) = (&points[0].1, &points[points.len() - 1].1);
    assert!(
        last.bytes_per_s > 20.0 * first.bytes_per_s,
        "{first:?} vs {last:?}"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_small_window_moves_about_one_window_per_round_trip() {
    let model = CostModel::default();
    let r = transfer(&spec(500_000, 16 * KIB, 16 * KIB, 16 * KIB), &model).unwrap();
    let per_rtt = 16.0 * KIB as f64 / (model.rtt_us as f64 / 1e6);
    assert!(
        (r.bytes_per_s - per_rtt).abs() < 0.1 * per_rtt,
        "{} B/s, expected about {per_rtt}",
        r.bytes_per_s
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn many_tiny_sends_cost_more_than_one_big_send() {
    let model = lan();
    let tiny = transfer(&spec(200_000, 10, 64 * KIB, 64 * KIB), &model).unwrap();
    let big = transfer(&spec(200_000, 10_000, 64 * KIB, 64 * KIB), &model).unwrap();
    assert_eq!((tiny.send_calls, big.send_calls), (20_000, 20));
    // 20,000 calls of 5 µs each are 100 ms of CPU time alone.
    assert!(tiny.seconds >= 0.1, "{tiny:?}");
    assert!(tiny.seconds > 3.0 * big.seconds, "{tiny:?} vs {big:?}");
    assert!(tiny.segments > big.segments);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn larger_send_calls_are_never_slower() {
    let points =
        sweep_send_sizes(300_000, &[10, 100, 1000, 10_000, 100_000], 64 * KIB, &lan()).unwrap();
    for pair in points.windows(2) {
        let ((a, ra), (b, rb)) = (&pair[0], &pair[1]);
        assert!(rb.send_calls < ra.send_calls);
        assert!(
            rb.seconds <= ra.seconds,
            "send({b}) took {} s, send({a}) {} s",
            rb.seconds,
            ra.seconds
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn throughput_never_exceeds_the_link_rate() {
    let free_cpu = CostModel {
        call_overhead_us: 0,
        copy_ns_per_byte: 0,
        ..CostModel::default()
    };
    let no_delay = CostModel {
        rtt_us: 0,
        ..free_cpu
    };
    let fast = CostModel {
        link_bytes_per_s: 1_000_000_000,
        ..lan()
    };
    for model in [CostModel::default(), lan(), free_cpu, no_delay, fast] {
        for buffer in [KIB, 64 * KIB, 1024 * KIB] {
            for send in [1000, 64 * KIB] {
                let r = transfer(&spec(200_000, send, buffer, buffer), &model).unwrap();
                assert!(
                    r.bytes_per_s <= model.link_bytes_per_s as f64,
                    "{model:?} buffer {buffer} send {send}: {r:?}"
                );
            }
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_window_of_at_least_the_bandwidth_delay_product_nearly_fills_the_link() {
    let model = CostModel::default();
    let buffer = 2 * model.bdp();
    let r = transfer(&spec(10_000_000, buffer, buffer, buffer), &model).unwrap();
    let share = r.bytes_per_s / model.link_bytes_per_s as f64;
    assert!(share >= 0.8, "{:.1} % of the link: {r:?}", share * 100.0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn transfers_are_deterministic() {
    let model = CostModel::default();
    let s = spec(300_000, 1000, 3000, 32 * KIB);
    assert_eq!(transfer(&s, &model), transfer(&s, &model));
    let sizes = [2 * KIB, 64 * KIB];
    assert_eq!(
        sweep_buffers(200_000, &sizes, &model),
        sweep_buffers(200_000, &sizes, &model)
    );
}

/// The native bench and the tools module's `bench_sweep` time `budget_sweep`; run in
/// both builds, this holds both to the same 32 sizes.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_budget_sweep_runs_32_geometric_sizes_from_1_kib_to_1_mib() {
    let sizes = budget_sweep_sizes();
    assert_eq!(sizes.len(), 32);
    assert_eq!((sizes[0], sizes[31]), (KIB, KIB * KIB));
    let step = 1024f64.powf(1.0 / 31.0);
    for pair in sizes.windows(2) {
        let ratio = pair[1] as f64 / pair[0] as f64;
        assert!(
            (ratio - step).abs() < 0.002,
            "{} -> {}: a step of {ratio}, not {step}",
            pair[0],
            pair[1]
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn nonsense_inputs_are_errors_not_panics() {
    let model = CostModel::default();
    let good = spec(10_000, 1000, 1000, 4 * KIB);
    let zeroed: [(&str, TransferSpec, CostModel); 7] = [
        (
            "total_bytes",
            TransferSpec {
                total_bytes: 0,
                ..good
            },
            model,
        ),
        (
            "send_size",
            TransferSpec {
                send_size: 0,
                ..good
            },
            model,
        ),
        (
            "recv_size",
            TransferSpec {
                recv_size: 0,
                ..good
            },
            model,
        ),
        ("sndbuf", TransferSpec { sndbuf: 0, ..good }, model),
        ("rcvbuf", TransferSpec { rcvbuf: 0, ..good }, model),
        ("mss", good, CostModel { mss: 0, ..model }),
        (
            "link_bytes_per_s",
            good,
            CostModel {
                link_bytes_per_s: 0,
                ..model
            },
        ),
    ];
    for (field, s, m) in zeroed {
        match transfer(&s, &m) {
            Err(e @ ExperimentError::Invalid(_)) => assert!(e.to_string().contains(field), "{e}"),
            other => panic!("{field} = 0 gave {other:?}"),
        }
    }
    match sweep_buffers(10_000, &[KIB, 0], &model) {
        Err(ExperimentError::AtSize { size: 0, .. }) => {}
        other => panic!("a zero buffer in a sweep gave {other:?}"),
    }
    assert_eq!(sweep_send_sizes(10_000, &[], KIB, &model), Ok(Vec::new()));
    // Extremes finish, with a result or an error, but never panic or hang.
    let huge = u64::MAX;
    let _ = transfer(&spec(10_000, huge, huge, huge), &model);
    let never = transfer(
        &good,
        &CostModel {
            rtt_us: huge,
            ..model
        },
    )
    .unwrap_err();
    assert!(never.to_string().contains("ETIMEDOUT"), "{never}");
    let _ = transfer(
        &good,
        &CostModel {
            link_bytes_per_s: huge,
            mss: huge,
            ..model
        },
    );
    let _ = transfer(
        &good,
        &CostModel {
            call_overhead_us: huge,
            copy_ns_per_byte: huge,
            ..model
        },
    );
    let crawl = transfer(
        &good,
        &CostModel {
            link_bytes_per_s: 1,
            ..model
        },
    )
    .unwrap_err();
    assert!(crawl.to_string().contains("handshake"), "{crawl}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_event_budget_stops_a_hopeless_transfer() {
    let s = spec(10_000_000, 1, 1, 1);
    match transfer_bounded(&s, &CostModel::default(), 1000) {
        Err(e @ ExperimentError::TooManyEvents { limit: 1000, .. }) => {
            assert!(e.to_string().contains("1000 events"), "{e}")
        }
        other => panic!("expected the event budget to stop it, got {other:?}"),
    }
}

// ----- the link rate of a path -----

/// How long a client's SYN is on the wire (sending to arrival) in a world with `cfg`.
fn syn_flight(cfg: WorldConfig) -> Micros {
    let mut lab = lab(cfg);
    let Lab { w, pa, .. } = &mut lab;
    let c = tcp_socket(w, *pa);
    blocks(
        w,
        *pa,
        Call::Connect {
            fd: c,
            addr: addr(&format!("{B_IP}:80")),
        },
    );
    let syn = w.in_flight().next().unwrap();
    syn.arrives_at - syn.sent_at
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn paths_are_unlimited_unless_a_rate_is_set() {
    assert_eq!(WorldConfig::default().link_rate, None);
    assert_eq!(syn_flight(WorldConfig::default()), 50 * MS);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_default_link_rate_adds_serialization_time() {
    // 1 MB/s: a SYN (no payload, 40 bytes of headers) takes 40 µs to put on the wire.
    let cfg = WorldConfig {
        link_rate: Some(1_000_000),
        ..WorldConfig::default()
    };
    assert_eq!(syn_flight(cfg), 50 * MS + 40);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_slow_link_queues_segments_in_order_without_spurious_retransmissions() {
    const RATE: u64 = 50_000;
    let mut lab = lab(WorldConfig {
        sndbuf: 64 * KIB,
        rcvbuf: 64 * KIB,
        initial_cwnd: 10,
        ..WorldConfig::default()
    });
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, a, b } = &mut lab;
    // 64 KiB at 50 kB/s is 1.3 s of queue: far beyond 2 × RTT.
    w.set_link_rate(*a, *b, Some(RATE));
    w.drain_trace();
    let sends = [30_000, 20_000, 15_000];
    for len in sends {
        ok(w, *pa, Call::Send { fd: c, len });
    }
    let total: u64 = sends.iter().sum();
    ok(w, *pb, Call::SetNonBlocking { fd: s, on: true });
    let (mut received, mut tags) = (0, Vec::new());
    while received < total && w.step() {
        w.check_invariants().unwrap();
        let before: Vec<_> = w.socket_of(*pb, s).unwrap().recvq.runs().copied().collect();
        if let Ok(CallReply::Returned(Ok(Value::Bytes(k)))) =
            w.call(*pb, Call::Recv { fd: s, len: 10_000 })
        {
            received += k;
            tags.extend(queue::prefix(&before, k).iter().map(|r| r.tag));
        }
    }
    assert_eq!(received, total);
    assert!(
        tags.windows(2).all(|t| t[0] <= t[1]),
        "out of order: {tags:?}"
    );
    let data: Vec<(u64, u64, u64, bool)> = w
        .trace()
        .iter()
        .filter_map(|e| match &e.event {
            Event::SegmentSent {
                seg,
                sent_at,
                arrives_at,
            } if seg.len > 0 => Some((seg.len, *sent_at, *arrives_at, seg.retransmission)),
            _ => None,
        })
        .collect();
    assert!(
        data.iter().all(|d| !d.3),
        "a slow link caused a retransmission"
    );
    for pair in data.windows(2) {
        let ((_, _, first, _), (len, _, second, _)) = (pair[0], pair[1]);
        let wire_us = (len + network::HEADER_BYTES) * 1_000_000 / RATE;
        assert!(
            second >= first + wire_us,
            "{pair:?}: arrived too soon after the previous"
        );
    }
}

/// The experiment skips the calls the engine predicts to answer EAGAIN, so the
/// prediction must be right when it says so, and must not hide a call that would do
/// something (data to read, an end of stream, room in SendQ, a blocking socket).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_predicted_eagain_is_what_the_call_answers() {
    let mut lab = lab(WorldConfig::default());
    let (_l, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    let (cid, sid) = (
        w.socket_of(*pa, c).unwrap().id,
        w.socket_of(*pb, s).unwrap().id,
    );
    // Blocking sockets: never predicted (the call would wait, not answer EAGAIN).
    assert!(!w.recv_would_block(sid, 100));
    ok(
        w,
        *pa,
        Call::SetSockOpt {
            fd: c,
            opt: SockOpt::SndBuf(2000),
        },
    );
    ok(w, *pa, Call::SetNonBlocking { fd: c, on: true });
    ok(w, *pb, Call::SetNonBlocking { fd: s, on: true });
    // Nothing to read yet.
    assert!(w.recv_would_block(sid, 100));
    assert_eq!(err(w, *pb, Call::Recv { fd: s, len: 100 }), Errno::EAGAIN);
    // Room in SendQ: not predicted; once it is full: predicted, and right.
    assert!(!w.send_would_block(cid, 5000));
    assert_eq!(
        ok(w, *pa, Call::Send { fd: c, len: 5000 }),
        Value::Bytes(2000)
    );
    assert!(w.send_would_block(cid, 5000));
    assert_eq!(err(w, *pa, Call::Send { fd: c, len: 5000 }), Errno::EAGAIN);
    // Data arrived: recv is not predicted to fail, and reads it.
    w.run_until_idle(10_000);
    assert!(!w.recv_would_block(sid, 100));
    assert_eq!(
        ok(w, *pb, Call::Recv { fd: s, len: 100 }),
        Value::Bytes(100)
    );
    assert!(!w.send_would_block(cid, 5000), "the ACKs made room");
    // Drained, then the peer closes: the end of stream is not an EAGAIN.
    ok(w, *pb, Call::Recv { fd: s, len: 5000 });
    assert!(w.recv_would_block(sid, 100));
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(10_000);
    assert!(!w.recv_would_block(sid, 100));
    assert_eq!(ok(w, *pb, Call::Recv { fd: s, len: 100 }), Value::Bytes(0));
}
