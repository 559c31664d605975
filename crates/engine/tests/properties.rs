//! Property tests over random call and network sequences (native only).
//! `PROPTEST_CASES` sets how many cases run (`cargo xtask test --long` asks for 10,000,
//! over a million random calls and network steps; the run says how many).
#![cfg(not(target_arch = "wasm32"))]

mod common;
mod random_ops;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use random_ops::{op, Harness, Op};
use sockscope_engine::*;
use std::io::Write;

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

/// Textbook or Linux mode.
fn mode() -> impl Strategy<Value = Behaviour> {
    prop::sample::select(Behaviour::ALL.to_vec())
}

/// Applies the operations one by one, checking every invariant (byte conservation
/// included) after each. Returns how many it applied.
fn run_checked(seed: u64, mode: Behaviour, ops: &[Op]) -> Result<u64, TestCaseError> {
    let mut h = Harness::new(seed, mode);
    for op in ops {
        h.apply(op);
        if let Err(e) = h.w.check_invariants() {
            return Err(TestCaseError::fail(format!("after {op:?}: {e}")));
        }
        check_queues(&h.w)?;
    }
    for e in h.w.trace() {
        if let Event::StateChanged { from, to, sock, .. } = &e.event {
            prop_assert!(from.may_become(*to), "{sock}: illegal {from} -> {to}");
        }
    }
    Ok(h.applied)
}

/// Written straight to the terminal, past the test harness's capture of `println!`,
/// so that a run shows how much the random search drove.
fn tell(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

#[test]
fn random_sequences_never_panic_and_keep_every_invariant() {
    let config = Config {
        source_file: Some(file!()),
        ..Config::default()
    };
    let cases = config.cases;
    let mut runner = TestRunner::new(config);
    let applied = std::cell::Cell::new(0u64);
    let strategy = (any::<u64>(), mode(), prop::collection::vec(op(), 1..220));
    let result = runner.run(&strategy, |(seed, mode, ops)| {
        applied.set(applied.get() + run_checked(seed, mode, &ops)?);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    tell(&format!(
        "random sequences: {} calls and network steps in {cases} cases, every invariant held after each",
        applied.get()
    ));
}

proptest! {
    #[test]
    fn the_same_seed_and_inputs_give_the_same_trace(seed in any::<u64>(), mode in mode(), ops in prop::collection::vec(op(), 1..40)) {
        let run = |ops: &[Op]| {
            let mut h = Harness::new(seed, mode);
            for op in ops {
                h.apply(op);
            }
            serde_json::to_string(h.w.trace()).unwrap()
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
