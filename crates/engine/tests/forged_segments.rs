//! Segments nobody's TCP sent (`World::inject`, `net: inject`), each test named after
//! the rule it proves (RFC 793, 1122, 1337). None may panic or break an invariant.

mod common;
use common::*;
use sockscope_engine::segment::{Flags, Segment};
use sockscope_engine::*;

const A_PORT: &str = "10.0.0.1:32768";
const B_PORT: &str = "10.0.0.2:80";

/// A forged TCP segment from A's connection end to B's.
fn forged(flags: Flags) -> Injection {
    Injection::new(Proto::Tcp, addr(A_PORT), addr(B_PORT), flags)
}

fn inject(w: &mut World, inj: &Injection) -> SegId {
    let id = w.inject(inj).expect("the injection is taken");
    assert_eq!(w.run_until_idle(10_000), RunOutcome::Idle);
    w.check_invariants().unwrap();
    id
}

fn discarded(w: &World, seg: SegId) -> Option<trace::DiscardReason> {
    w.trace().iter().find_map(|e| match e.event {
        Event::SegmentDiscarded { seg: s, reason, .. } if s == seg => Some(reason),
        _ => None,
    })
}

/// Segments B sent after event index `from`.
fn sent_by_b_after(w: &World, b: HostId, from: usize) -> Vec<Segment> {
    w.trace()[from..]
        .iter()
        .filter_map(|e| match &e.event {
            Event::SegmentSent { seg, .. } if seg.from_host == b => Some(seg.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_rst_outside_the_receive_window_is_ignored_rfc_793() {
    let mut lab = lab(WorldConfig::default());
    let (_, _, s) = connected(&mut lab, 80);
    let rst = Injection {
        seq: Some(SeqRef::Relative(1_000_000)),
        ..forged(Flags::RST)
    };
    let id = inject(&mut lab.w, &rst);
    assert_eq!(
        discarded(&lab.w, id),
        Some(trace::DiscardReason::RstOutOfWindow)
    );
    assert_eq!(state_of(&lab.w, lab.pb, s), TcpState::Established);
}

#[test]
fn an_rst_inside_the_receive_window_resets_the_connection_rfc_793() {
    let mut lab = lab(WorldConfig::default());
    let (_, _, s) = connected(&mut lab, 80);
    let rst = Injection {
        seq: Some(SeqRef::Relative(10)),
        ..forged(Flags::RST)
    };
    inject(&mut lab.w, &rst);
    assert_eq!(state_of(&lab.w, lab.pb, s), TcpState::Closed);
    assert_eq!(
        err(&mut lab.w, lab.pb, Call::Recv { fd: s, len: 10 }),
        Errno::ECONNRESET
    );
}

#[test]
fn an_rst_cannot_cut_time_wait_short_rfc_1337() {
    let mut lab = lab(WorldConfig::default());
    let (_, c, s) = connected(&mut lab, 80);
    let Lab { w, pa, pb, .. } = &mut lab;
    ok(w, *pa, Call::Close { fd: c });
    w.run_until_idle(10_000);
    ok(w, *pb, Call::Close { fd: s });
    w.run_until(w.now() + 500 * MS, u64::MAX);
    let tw = w
        .snapshot()
        .hosts
        .iter()
        .flat_map(|h| h.netstat.clone())
        .any(|r| r.state == "TIME_WAIT");
    assert!(tw, "A's end waits in TIME_WAIT");
    let rst = Injection::new(Proto::Tcp, addr(B_PORT), addr(A_PORT), Flags::RST);
    w.inject(&rst).unwrap();
    w.run_until(w.now() + 500 * MS, u64::MAX);
    w.check_invariants().unwrap();
    let still = w
        .snapshot()
        .hosts
        .iter()
        .flat_map(|h| h.netstat.clone())
        .any(|r| r.state == "TIME_WAIT");
    assert!(still, "TIME_WAIT survives the RST");
}

#[test]
fn a_syn_on_an_established_connection_is_answered_with_an_ack_and_changes_nothing() {
    let mut lab = lab(WorldConfig::default());
    let (_, _, s) = connected(&mut lab, 80);
    let from = lab.w.trace().len();
    inject(&mut lab.w, &forged(Flags::SYN));
    assert_eq!(state_of(&lab.w, lab.pb, s), TcpState::Established);
    let answers = sent_by_b_after(&lab.w, lab.b, from);
    assert!(
        answers.iter().any(|a| a.flags == Flags::ACK),
        "B acknowledges again: {answers:?}"
    );
}

#[test]
fn data_beyond_the_window_is_discarded_and_the_stream_is_untouched() {
    let mut lab = lab(WorldConfig::default());
    let (_, _, s) = connected(&mut lab, 80);
    let data = Injection {
        seq: Some(SeqRef::Relative(50_000)),
        len: 100,
        ..forged(Flags::ACK)
    };
    let id = inject(&mut lab.w, &data);
    assert_eq!(
        discarded(&lab.w, id),
        Some(trace::DiscardReason::OutOfOrder)
    );
    assert_eq!(recvq(&lab.w, lab.pb, s), 0);
}

#[test]
fn forged_data_at_the_expected_sequence_number_is_taken_as_the_peers_rfc_793() {
    // Why sequence numbers must be hard to guess: whoever gets them right is believed.
    let mut lab = lab(WorldConfig::default());
    let (_, _, s) = connected(&mut lab, 80);
    let data = Injection {
        len: 100,
        ..forged(Flags::ACK)
    };
    inject(&mut lab.w, &data);
    assert_eq!(recvq(&lab.w, lab.pb, s), 100);
}

#[test]
fn data_after_the_peers_fin_is_not_accepted() {
    let mut lab = lab(WorldConfig::default());
    let (_, c, s) = connected(&mut lab, 80);
    ok(&mut lab.w, lab.pa, Call::Close { fd: c });
    lab.w.run_until_idle(10_000);
    assert_eq!(state_of(&lab.w, lab.pb, s), TcpState::CloseWait);
    let data = Injection {
        len: 100,
        ..forged(Flags::ACK)
    };
    let id = inject(&mut lab.w, &data);
    assert_eq!(
        discarded(&lab.w, id),
        Some(trace::DiscardReason::NotAccepting)
    );
    assert_eq!(recvq(&lab.w, lab.pb, s), 0);
}

#[test]
fn an_ack_for_data_never_sent_moves_nothing() {
    let mut lab = lab(WorldConfig::default());
    let (_, _, s) = connected(&mut lab, 80);
    let before = lab.w.socket_of(lab.pb, s).unwrap().tcb.clone();
    let ack = Injection {
        ack: Some(SeqRef::Relative(5_000)),
        ..forged(Flags::ACK)
    };
    inject(&mut lab.w, &ack);
    let after = &lab.w.socket_of(lab.pb, s).unwrap().tcb;
    assert_eq!(
        (after.snd_una, after.snd_nxt),
        (before.snd_una, before.snd_nxt)
    );
}

#[test]
fn a_stray_syn_ack_at_a_listener_is_answered_with_an_rst() {
    let mut lab = lab(WorldConfig::default());
    listen_on(&mut lab.w, lab.pb, "*:80", 5);
    let from = lab.w.trace().len();
    let stray = Injection {
        seq: Some(SeqRef::Absolute(1000)),
        ack: Some(SeqRef::Absolute(777)),
        ..forged(Flags::SYN_ACK)
    };
    inject(&mut lab.w, &stray);
    let answers = sent_by_b_after(&lab.w, lab.b, from);
    assert!(
        answers.iter().any(|a| a.flags.rst && a.seq == 777),
        "an RST with the stray segment's ack as its seq: {answers:?}"
    );
}

#[test]
fn a_forged_datagram_reaches_a_udp_socket_with_the_forged_source() {
    let mut lab = lab(WorldConfig::default());
    let u = udp_socket(&mut lab.w, lab.pb);
    bind(&mut lab.w, lab.pb, u, "*:53");
    let spoofed = Injection {
        len: 40,
        ..Injection::new(
            Proto::Udp,
            addr("10.0.0.1:9999"),
            addr("10.0.0.2:53"),
            Flags::default(),
        )
    };
    inject(&mut lab.w, &spoofed);
    assert_eq!(
        ok(&mut lab.w, lab.pb, Call::RecvFrom { fd: u, len: 100 }),
        Value::From {
            len: 40,
            from: addr("10.0.0.1:9999")
        }
    );
}

#[test]
fn an_injection_is_refused_when_no_host_owns_its_source_or_a_relative_number_has_no_base() {
    let mut lab = lab(WorldConfig::default());
    let nobody = Injection::new(Proto::Tcp, addr("192.0.2.9:1"), addr(B_PORT), Flags::RST);
    assert_eq!(
        lab.w.inject(&nobody),
        Err(InjectError::NoSourceHost(addr("192.0.2.9:1")))
    );
    let relative = Injection {
        seq: Some(SeqRef::Relative(5)),
        ..forged(Flags::RST)
    };
    assert_eq!(
        lab.w.inject(&relative),
        Err(InjectError::NothingToBeRelativeTo)
    );
    assert_eq!(
        lab.w.inject(&forged(Flags::default())),
        Err(InjectError::NoFlags)
    );
    assert!(lab
        .w
        .trace()
        .iter()
        .all(|e| !matches!(e.event, Event::SegmentSent { .. })));
}

#[test]
fn on_linux_an_rst_inside_the_window_but_not_exact_gets_a_challenge_ack_rfc_5961() {
    let mut lab = lab(WorldConfig {
        behaviour: Behaviour::Linux,
        ..WorldConfig::default()
    });
    let (_, _, s) = connected(&mut lab, 80);
    let from = lab.w.trace().len();
    let rst = Injection {
        seq: Some(SeqRef::Relative(10)),
        ..forged(Flags::RST)
    };
    inject(&mut lab.w, &rst);
    assert_eq!(state_of(&lab.w, lab.pb, s), TcpState::Established);
    let answers = sent_by_b_after(&lab.w, lab.b, from);
    assert!(
        answers.iter().any(|a| a.flags == Flags::ACK),
        "a challenge ACK goes back: {answers:?}"
    );
    // The narration says what the textbook would have done.
    assert!(lab.w.trace().iter().any(|e| matches!(&e.event,
        Event::OtherMode { difference, .. } if difference.sentence(Behaviour::Linux).contains("would reset the connection (RFC 793)"))));
}

#[test]
fn an_rst_at_exactly_the_expected_sequence_number_resets_in_both_modes() {
    for behaviour in [Behaviour::Textbook, Behaviour::Linux] {
        let mut lab = lab(WorldConfig {
            behaviour,
            ..WorldConfig::default()
        });
        let (_, _, s) = connected(&mut lab, 80);
        inject(&mut lab.w, &forged(Flags::RST));
        assert_eq!(
            err(&mut lab.w, lab.pb, Call::Recv { fd: s, len: 10 }),
            Errno::ECONNRESET,
            "{behaviour}"
        );
    }
}

#[test]
fn an_ack_for_a_byte_never_sent_is_not_believed_even_with_the_window_shut() {
    let mut lab = lab(WorldConfig::default());
    let (_, _, s) = connected(&mut lab, 80);
    let before = lab.w.socket_of(lab.pb, s).unwrap().tcb.clone();
    // "From A": the window shuts, then an ACK one past everything B has sent. Only a
    // zero-window probe may be acknowledged past SND.MAX, and B has sent none: its
    // SendQ is empty.
    let shut = Injection {
        ack: Some(SeqRef::Relative(0)),
        ..forged(Flags::ACK)
    };
    inject(&mut lab.w, &shut);
    let phantom = Injection {
        ack: Some(SeqRef::Relative(1)),
        ..shut
    };
    inject(&mut lab.w, &phantom);
    let after = &lab.w.socket_of(lab.pb, s).unwrap().tcb;
    assert_eq!(after.snd_wnd, 0);
    assert_eq!(
        (after.snd_una, after.snd_max),
        (before.snd_una, before.snd_max)
    );
    assert_eq!(lab.w.socket_of(lab.pb, s).unwrap().ledger.out.acked, 0);
}
