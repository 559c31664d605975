//! A network that reorders and duplicates segments (`net: reorder`, `net: duplicate`):
//! TCP must still hand the program every byte once, in order.

mod common;
use common::*;
use sockscope_engine::*;

fn send(w: &mut World, pid: Pid, fd: Fd, len: u64) {
    assert_eq!(
        ok(w, pid, Call::Send { fd, len }),
        Value::Bytes(len),
        "send({len})"
    );
}

fn recv_all(w: &mut World, pid: Pid, fd: Fd) -> u64 {
    let len = recvq(w, pid, fd);
    if len == 0 {
        return 0;
    }
    match ok(w, pid, Call::Recv { fd, len }) {
        Value::Bytes(n) => n,
        other => panic!("recv returned {other:?}"),
    }
}

/// The order in which segments from `from` arrived, by id.
fn arrivals(w: &World, host: HostId) -> Vec<SegId> {
    w.trace()
        .iter()
        .filter_map(|e| match e.event {
            Event::SegmentArrived { seg, host: h } if h == host => Some(seg),
            _ => None,
        })
        .collect()
}

#[test]
fn a_duplicated_segment_is_discarded_and_its_bytes_reach_the_program_once() {
    let mut lab = lab(WorldConfig::default());
    let (_, c, s) = connected(&mut lab, 80);
    let Lab { w, a, b, pa, pb } = &mut lab;
    w.set_duplicate(*a, *b, 1.0);
    send(w, *pa, c, 3000);
    assert_eq!(w.run_until_idle(10_000), RunOutcome::Idle);
    let copies: Vec<SegId> = w
        .trace()
        .iter()
        .filter_map(|e| match e.event {
            Event::SegmentDuplicated { copy, .. } => Some(copy),
            _ => None,
        })
        .collect();
    assert!(
        copies.len() >= 3,
        "every data segment is doubled: {copies:?}"
    );
    // Each copy arrives after its original and is thrown away by the receiver.
    for copy in &copies {
        assert!(
            w.trace().iter().any(|e| matches!(e.event,
            Event::SegmentDiscarded { seg, .. } if seg == *copy)),
            "copy {copy:?} was not discarded"
        );
    }
    assert_eq!(recv_all(w, *pb, s), 3000);
    assert_eq!(sendq(w, *pa, c), 0, "every byte was acknowledged");
    w.check_invariants().unwrap();
}

#[test]
fn a_held_back_segment_is_overtaken_and_the_stream_still_arrives_in_order() {
    let mut lab = lab(WorldConfig {
        mss: 500,
        initial_cwnd: 4,
        seed: 7,
        ..WorldConfig::default()
    });
    let (_, c, s) = connected(&mut lab, 80);
    let Lab { w, a, b, pa, pb } = &mut lab;
    w.set_reorder(*a, *b, 0.5, 30 * MS);
    send(w, *pa, c, 6000);
    assert_eq!(w.run_until_idle(50_000), RunOutcome::Idle);
    let order = arrivals(w, *b);
    assert!(
        order.windows(2).any(|p| p[0] > p[1]),
        "a later segment overtook an earlier one: {order:?}"
    );
    assert!(w
        .trace()
        .iter()
        .any(|e| matches!(e.event, Event::SegmentHeld { extra_us, .. } if extra_us == 30 * MS)));
    // The model discards what arrives out of order; retransmission fills the gap.
    assert_eq!(recv_all(w, *pb, s), 6000);
    let delivered = w.socket_of(*pb, s).unwrap();
    let sends: Vec<SendTag> = delivered.delivered.recent().map(|r| r.tag).collect();
    assert!(
        sends.windows(2).all(|p| p[0] <= p[1]),
        "bytes left in send order: {sends:?}"
    );
    w.check_invariants().unwrap();
}

#[test]
fn a_path_without_misbehaviour_draws_the_same_random_numbers_as_before() {
    // Loss draws from the seeded generator; turning reordering on and off again must
    // not change what a lossy run does.
    let run = |touch: bool| {
        let mut lab = lab(WorldConfig {
            loss: 0.2,
            seed: 3,
            ..WorldConfig::default()
        });
        let (_, c, _) = connected(&mut lab, 80);
        let Lab { w, a, b, pa, .. } = &mut lab;
        if touch {
            w.set_reorder(*a, *b, 0.0, 10 * MS);
            w.set_duplicate(*a, *b, 0.0);
        }
        send(w, *pa, c, 8000);
        w.run_until_idle(50_000);
        w.trace().to_vec()
    };
    assert_eq!(run(false), run(true));
}
