//! Native tests of what the session keeps after long play: the page plays the stress
//! scene for minutes (the e2e soak), so what it records per event must stay bounded.

use super::session::{
    Session, FOLD, LINES_KEPT, LINES_SLACK, MAX_HISTORY, TRACE_KEPT, TRACE_SLACK,
};
use sockscope_engine::{Event, Micros, TraceEntry, MS};
use sockscope_scenario::parse;
use std::mem::size_of;

const STRESS: &str = include_str!("../../../bench/stress.scn");

/// One animation frame as the bench plays it (60 frames a second at 4x).
const FRAME: Micros = (1000.0 / 60.0 * crate::state::VIRTUAL_US_PER_MS * 4.0) as Micros;

/// Heap bytes of trace entries, roughly: the entries and their largest owned lists.
fn trace_kib(trace: &[TraceEntry]) -> usize {
    let bytes: usize = trace
        .iter()
        .map(|e| {
            size_of::<TraceEntry>()
                + match &e.event {
                    Event::Demux(d) => d.candidates.capacity() * 64,
                    Event::SegmentSent { seg, .. } => seg.runs.capacity() * 24,
                    _ => 0,
                }
        })
        .sum();
    bytes / 1024
}

/// The stress scene played for `seconds` of virtual time in frame-sized steps, as
/// the page's Action::Tick does, printing what the session holds every 10 s.
fn stress_played_for(seconds: u64) -> Session {
    let mut s = Session::finished(&parse(STRESS).expect("the stress scene parses"));
    let start = s.world().now();
    for sec in 1..=seconds {
        while s.world().now() < start + sec * 1000 * MS {
            let target = s.world().now() + FRAME;
            s.play_until(target);
        }
        if sec % 10 == 0 {
            eprintln!(
                "t={sec}s events={} trace={} ({} KiB) history={} lines={}",
                s.events(),
                s.trace().len(),
                trace_kib(s.trace()),
                s.history.len(),
                s.runner.lines().len(),
            );
        }
    }
    s
}

#[test]
fn a_minute_of_the_stress_scene_keeps_a_bounded_trace_and_output() {
    let s = stress_played_for(60);
    assert!(
        s.events() > 4 * TRACE_KEPT as u64,
        "the scene records far more events than are kept ({})",
        s.events()
    );
    assert!(s.trace().len() <= TRACE_KEPT + TRACE_SLACK);
    assert!(
        (FOLD..MAX_HISTORY).contains(&s.history.len()),
        "the scene makes more inputs than are kept, and the latest {FOLD} at least are ({})",
        s.history.len()
    );
    assert_eq!(
        s.initial_trace_len(),
        0,
        "the starting point of replays, into which old inputs were folded, keeps no trace"
    );
    assert!(
        s.history.capacity() <= MAX_HISTORY,
        "the history holds no room it will never use ({})",
        s.history.capacity()
    );
    assert!(s.runner.lines().len() <= LINES_KEPT + LINES_SLACK);
    let last = s.trace().last().expect("the latest events are kept");
    assert_eq!(
        last.n + 1,
        s.events(),
        "the kept entries are the latest ones"
    );
    assert_eq!(s.trace()[0].n, s.events_forgotten());
    assert_eq!(*s.marks().last().unwrap() as u64, s.events());
    assert!(
        s.runner.lines_written() > 4 * LINES_KEPT,
        "wire lines keep coming after the trace was cut back"
    );
}

#[test]
fn seeking_to_a_forgotten_event_replays_it_into_the_trace() {
    let mut s = stress_played_for(20);
    let played = s.events();
    let n = s.events_forgotten() / 2;
    assert!(n > 0, "some events were forgotten");
    let original_time = {
        let mut again = stress_played_for(0);
        while again.events() <= n {
            let target = again.world().now() + FRAME;
            again.play_until(target);
        }
        again.trace().iter().find(|e| e.n == n).map(|e| e.time)
    };
    s.seek_event(n);
    let entry = s.trace().iter().find(|e| e.n == n);
    assert!(entry.is_some(), "event {n} is in the trace again");
    assert_eq!(entry.map(|e| e.time), original_time);
    assert!(
        s.events() < played,
        "the session stands at that earlier moment ({} events of {played})",
        s.events()
    );
}

#[test]
fn after_folding_old_inputs_a_replay_reaches_the_moment_that_was_played() {
    let mut s = stress_played_for(30);
    assert!(
        s.marks()[0] > 0,
        "old inputs were folded into the starting point (the first kept input ends at event {})",
        s.marks()[0]
    );
    let played = s.world().snapshot();
    let inputs = s.history.len();
    s.rewind_to(inputs);
    assert_eq!(s.world().snapshot(), played, "replaying every kept input");
    let mut back = s.clone();
    assert!(back.step_back());
    let last = s.history.last().cloned().expect("an input to undo");
    back.apply(last)
        .expect("the undone input is accepted again");
    assert_eq!(
        back.world().snapshot(),
        played,
        "undoing the last input and doing it again"
    );
}

#[test]
fn after_folding_a_switch_of_behaviour_is_refused_and_changes_nothing() {
    use sockscope_engine::Behaviour;
    let mut s = stress_played_for(30);
    assert!(s.marks()[0] > 0, "old inputs were folded");
    let (played, inputs) = (s.world().snapshot(), s.history.len());
    let refused = s
        .apply(super::session::Input::Behaviour(Behaviour::Linux))
        .expect_err("the folded inputs cannot be replayed in Linux mode");
    assert!(refused.to_string().contains("Nothing changed"), "{refused}");
    assert_eq!(s.behaviour(), Behaviour::Textbook);
    assert_eq!(s.history.len(), inputs);
    assert_eq!(s.world().snapshot(), played);
}
