//! Native tests of the session: replay and export.

use super::session::{Input, Session, SessionError};
use sockscope_scenario::{parse, NetCmd};

fn netstat(s: &Session) -> Vec<String> {
    let w = s.world();
    w.hosts()
        .iter()
        .flat_map(|h| w.netstat(h.id))
        .map(|r| r.to_string())
        .collect()
}

#[test]
fn step_back_replays_to_the_state_before_the_last_input() {
    let mut s = Session::default_world();
    s.line("client: c = socket(TCP); connect(c, 10.0.0.2:80) &")
        .unwrap();
    let before = netstat(&s);
    s.net(NetCmd::Step(1)).unwrap();
    assert_ne!(
        netstat(&s),
        before,
        "the SYN arrived and created a SYN_RCVD structure"
    );
    assert!(s.step_back());
    assert_eq!(netstat(&s), before);
}

#[test]
fn an_exported_session_loads_back_to_the_same_world() {
    let mut s = Session::default_world();
    s.line("client: c = socket(TCP); connect(c, 10.0.0.2:80)")
        .unwrap();
    s.line("server: a = accept(l)").unwrap();
    s.call(
        sockscope_engine::Pid(0),
        &sockscope_engine::Call::Send {
            fd: sockscope_engine::Fd(3),
            len: 1000,
        },
    )
    .unwrap();
    s.net(NetCmd::Deliver(1)).unwrap();
    let script = s.script();
    let again = Session::finished(&parse(&script).expect("the export parses"));
    assert_eq!(netstat(&again), netstat(&s), "{script}");
}

#[test]
fn a_refused_line_changes_nothing() {
    let mut s = Session::default_world();
    let before = (netstat(&s), s.history.len());
    assert!(s.line("client: send(nope, 10)").is_err());
    assert!(s.line("client: connect(").is_err());
    assert!(s.apply(Input::ScenarioStep(StepMode::Narration)).is_err());
    assert_eq!((netstat(&s), s.history.len()), before);
}

// ----- tours: steps, links, parts -----

use super::session::{action_hint, step_at, step_starts, StepMode};
use super::state::{State, TourInfo, UsedHosts};
use sockscope_scenario::{tours, LineKind, Scenario, Stmt};

/// A small tour with two parts, narration lines in a row, checks and a call whose
/// expected value must not show before it runs.
const PARTS: &str = "\
host A 10.0.0.1
host B 10.0.0.2
host C 10.0.0.3
section Setting up
say B listens on port 7.
B: l = socket(TCP); bind(l, *:7); listen(l, 5)
say A connects.
say The handshake runs.
A: c = socket(TCP); connect(c, 10.0.0.2:7)
B: s = accept(l)
expect state A c == ESTABLISHED
section Sending
say A sends 300 bytes.
expect A: send(c, 300) == 300
net: run
netstat B
say B reads them.
expect B: recv(s, 1000) == 300
section A third host
say C joins in.
C: k = socket(TCP); connect(k, 10.0.0.2:7)
";

fn parts() -> Scenario {
    parse(PARTS).expect("the test tour parses")
}

/// The narration the panel shows: the most recent run of `say` lines.
fn narration(s: &Session) -> Vec<String> {
    let lines = s.runner.lines();
    let mut said: Vec<String> = lines
        .iter()
        .rev()
        .skip_while(|l| l.kind != LineKind::Say)
        .take_while(|l| l.kind == LineKind::Say)
        .map(|l| l.text.clone())
        .collect();
    said.reverse();
    said
}

fn press(s: &mut Session, mode: StepMode) {
    s.apply(Input::ScenarioStep(mode)).expect("a step");
}

#[test]
fn a_step_runs_to_the_next_narration_and_counts_from_zero() {
    let mut s = Session::tour(&parts());
    let statements = parts().statements;
    let start = s.runner.position();
    assert_eq!(start, 3, "the hosts are set up before the first step");
    let starts = step_starts(&statements, start, StepMode::Narration);
    // section+say+3 calls | say+say+3 calls+check | section+say+expect+net+netstat |
    // say+expect | section+say+2 calls
    assert_eq!(starts, vec![3, 8, 14, 19, 21]);
    assert_eq!(s.tour_progress(StepMode::Narration), (0, 5));
    assert!(narration(&s).is_empty());

    press(&mut s, StepMode::Narration);
    assert_eq!(s.runner.position(), 8);
    assert_eq!(narration(&s), ["B listens on port 7."]);
    assert_eq!(s.tour_progress(StepMode::Narration), (1, 5));

    // Two narration lines in a row are one moment, with everything they talk about.
    press(&mut s, StepMode::Narration);
    assert_eq!(narration(&s), ["A connects.", "The handshake runs."]);
    assert_eq!(s.runner.position(), 14);
    assert!(s.runner.failures().is_empty());

    // Stepping back undoes one press.
    assert!(s.tour_back());
    assert_eq!(s.runner.position(), 8);
    assert_eq!(s.tour_progress(StepMode::Narration), (1, 5));
}

#[test]
fn one_statement_at_a_time_counts_statements() {
    let mut s = Session::tour(&parts());
    let starts = step_starts(&parts().statements, 3, StepMode::Statement);
    assert_eq!(starts, (3..parts().statements.len()).collect::<Vec<_>>());
    press(&mut s, StepMode::Statement);
    press(&mut s, StepMode::Statement);
    assert_eq!(s.runner.position(), 5);
    assert_eq!(s.tour_progress(StepMode::Statement).0, 2);
    // Counted by narration, this is inside step 1.
    assert_eq!(s.tour_progress(StepMode::Narration).0, 1);
    assert_eq!(step_at(&[3, 8], 8), 1);
}

#[test]
fn every_tour_steps_exactly_where_its_plan_says_in_both_modes() {
    for t in tours::ALL {
        let scenario = t.parse().unwrap();
        for mode in [StepMode::Narration, StepMode::Statement] {
            let mut s = Session::tour(&scenario);
            let starts = s.tour_steps(mode);
            for (k, &at) in starts.iter().enumerate() {
                assert_eq!(s.runner.position(), at, "{} {mode:?} step {k}", t.name);
                assert_eq!(s.tour_progress(mode), (k, starts.len()));
                press(&mut s, mode);
            }
            assert!(s.runner.is_finished(), "{} {mode:?}", t.name);
            assert_eq!(s.tour_progress(mode), (starts.len(), starts.len()));
            assert!(
                s.apply(Input::ScenarioStep(mode)).is_err(),
                "no step past the end"
            );
        }
    }
}

/// Opens the link's `step=…` the way the page does.
fn open(scenario: &Scenario, link_step: &str) -> (Session, StepMode) {
    let o = crate::options::parse(&format!("tour=x&{link_step}"), "");
    assert!(o.problems.is_empty(), "{:?}", o.problems);
    let mode = if o.single {
        StepMode::Statement
    } else {
        StepMode::Narration
    };
    let (s, problem) = Session::tour_at(scenario, o.step, mode);
    assert_eq!(problem, None);
    (s, mode)
}

#[test]
fn a_link_reopens_the_same_step_with_the_same_narration() {
    let scenario = tours::find("byte-stream").unwrap().parse().unwrap();
    for mode in [StepMode::Narration, StepMode::Statement] {
        let mut s = Session::tour(&scenario);
        let total = s.tour_progress(mode).1;
        for k in 0..=total {
            let link = s.tour_link_step(mode).expect("only tour steps were taken");
            let (again, again_mode) = open(&scenario, &link);
            assert_eq!(again_mode, mode, "{link}");
            assert_eq!(again.runner.position(), s.runner.position(), "{link}");
            assert_eq!(again.tour_progress(mode), (k, total), "{link}");
            assert_eq!(narration(&again), narration(&s), "{link}");
            assert_eq!(netstat(&again), netstat(&s), "{link}");
            if k < total {
                press(&mut s, mode);
            }
        }
    }
}

#[test]
fn step_zero_is_the_start_and_step_one_the_first_narration() {
    let t = tours::find("byte-stream").unwrap();
    let scenario = t.parse().unwrap();
    let (s, _) = Session::tour_at(&scenario, 0, StepMode::Narration);
    assert_eq!(s.tour_progress(StepMode::Narration).0, 0);
    assert!(narration(&s).is_empty());
    let (s, _) = Session::tour_at(&scenario, 1, StepMode::Narration);
    assert_eq!(s.tour_progress(StepMode::Narration).0, 1);
    let first_say = scenario.statements.iter().find_map(|st| match &st.kind {
        Stmt::Say(t) => Some(t.clone()),
        _ => None,
    });
    assert_eq!(narration(&s).first(), first_say.as_ref());
}

#[test]
fn a_step_past_the_end_opens_the_end_and_says_so() {
    let scenario = parts();
    let (s, problem) = Session::tour_at(&scenario, 99, StepMode::Narration);
    assert!(s.runner.is_finished());
    let problem = problem.expect("a notice").to_string();
    assert!(
        problem.contains("5 steps") && problem.contains("99"),
        "{problem}"
    );
}

#[test]
fn a_mode_switch_mid_step_still_gives_an_exact_link() {
    let scenario = parts();
    let mut s = Session::tour(&scenario);
    press(&mut s, StepMode::Narration);
    press(&mut s, StepMode::Statement); // the first narration line of step 2 only
    let link = s.tour_link_step(StepMode::Narration).unwrap();
    assert_eq!(link, "step=6&single=1");
    let (again, _) = open(&scenario, &link);
    assert_eq!(again.runner.position(), s.runner.position());
    // After a call of one's own, the moment is no longer a tour step.
    s.line("A: x = socket(UDP)").unwrap();
    assert_eq!(s.tour_link_step(StepMode::Narration), None);
}

#[test]
fn previous_step_also_undoes_calls_made_after_the_step() {
    let mut s = Session::tour(&parts());
    press(&mut s, StepMode::Narration);
    let at_step_1 = netstat(&s);
    press(&mut s, StepMode::Narration);
    s.line("A: x = socket(UDP)").unwrap();
    assert!(s.tour_back());
    assert_eq!(netstat(&s), at_step_1);
    assert!(s.tour_back());
    assert_eq!(s.tour_progress(StepMode::Narration).0, 0);
    assert!(!s.tour_back(), "nothing before the start");
}

#[test]
fn jumping_to_a_part_shows_its_first_moment_in_either_mode() {
    let scenario = parts();
    let info = TourInfo::new("parts", "Parts", &scenario);
    let titles: Vec<&str> = info.sections.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Setting up", "Sending", "A third host"]);
    let sending = info.sections[1].1;
    for mode in [StepMode::Narration, StepMode::Statement] {
        let mut s = Session::tour(&scenario);
        for _ in 0..4 {
            press(&mut s, StepMode::Narration);
        }
        s.tour_jump(sending, mode);
        assert_eq!(narration(&s), ["A sends 300 bytes."], "{mode:?}");
        assert_eq!(s.tour_progress(StepMode::Narration).0, 3, "{mode:?}");
        assert!(s.runner.failures().is_empty());
        // A jump is a replay of steps, so the link still works.
        assert!(s.tour_link_step(mode).is_some());
    }
}

#[test]
fn the_hint_never_holds_an_expected_value() {
    let mut hinted = 0;
    for t in tours::ALL {
        for st in t.parse().unwrap().statements {
            if let Some(h) = action_hint(&st.kind) {
                hinted += 1;
                assert!(!h.contains("=="), "{}: {h}", t.name);
            }
        }
    }
    assert!(hinted > 50);
    let st = parse("expect B: recv(s, 2000) == 1500").unwrap();
    assert_eq!(
        action_hint(&st.statements[0].kind).as_deref(),
        Some("B: recv(s, 2000)")
    );
}

#[test]
fn a_tour_draws_a_host_only_once_it_is_used() {
    let scenario = parts();
    let shown = |s: &Session| {
        let mut state = State::from_session(s.clone());
        state.tour = Some(TourInfo::new("parts", "Parts", &scenario));
        state
            .shown_hosts()
            .iter()
            .map(|h| h.name.clone())
            .collect::<Vec<_>>()
    };
    let mut s = Session::tour(&scenario);
    assert!(shown(&s).is_empty(), "nothing has happened yet");
    press(&mut s, StepMode::Narration);
    assert_eq!(shown(&s), ["B"], "B made calls");
    press(&mut s, StepMode::Narration);
    assert_eq!(shown(&s), ["A", "B"]);
    while !s.runner.is_finished() {
        press(&mut s, StepMode::Narration);
    }
    assert_eq!(shown(&s), ["A", "B", "C"]);
    // Outside a tour every host is drawn.
    let state = State::from_session(Session::tour(&scenario));
    assert_eq!(state.shown_hosts().len(), 3);
}

#[test]
fn used_hosts_are_read_again_after_a_step_back() {
    let scenario = parts();
    let mut s = Session::tour(&scenario);
    for _ in 0..5 {
        press(&mut s, StepMode::Narration);
    }
    let all = UsedHosts::default().updated(s.world());
    assert!(s.tour_back());
    let after = all.updated(s.world());
    let c = s.world().hosts().iter().find(|h| h.name == "C").unwrap().id;
    assert!(all.contains(c) && !after.contains(c));
    assert_eq!(after, UsedHosts::default().updated(s.world()));
}

#[test]
fn an_exported_tour_loads_back_to_the_same_world() {
    let scenario = tours::find("byte-stream").unwrap().parse().unwrap();
    let mut s = Session::tour(&scenario);
    for _ in 0..4 {
        press(&mut s, StepMode::Narration);
    }
    press(&mut s, StepMode::Statement);
    let again = Session::finished(&parse(&s.script()).unwrap());
    assert_eq!(netstat(&again), netstat(&s), "{}", s.script());
}

#[test]
fn a_tour_step_that_stops_at_a_failing_statement_is_kept_for_replay() {
    let mut s = Session::tour(&parts());
    press(&mut s, StepMode::Narration);
    // The learner crashes B: the tour's later calls on B can no longer run.
    s.line("net: crash B").unwrap();
    let err = s.apply(Input::ScenarioStep(StepMode::Narration));
    assert!(err.is_err(), "B's process is gone");
    let (position, world) = (s.runner.position(), netstat(&s));
    assert!(position > 8, "the statements before the failing one ran");
    assert!(matches!(s.history.last(), Some(Input::ScenarioStep(_))));
    // A replay of the history reaches the same moment.
    let n = s.history.len();
    s.rewind_to(n);
    assert_eq!((s.runner.position(), netstat(&s)), (position, world));
    assert!(s.tour_back());
    assert_eq!(s.runner.position(), 8);
}

#[test]
fn each_refusal_says_what_kind_it_is() {
    let mut s = Session::default_world();
    assert_eq!(s.line("   "), Err(SessionError::EmptyLine));
    assert!(matches!(
        s.line("client: connect("),
        Err(SessionError::Unreadable(_))
    ));
    assert!(matches!(
        s.line("client: send(nope, 10)"),
        Err(SessionError::Refused(_))
    ));
    assert_eq!(
        s.apply(Input::ScenarioStep(StepMode::Narration)),
        Err(SessionError::TourOver)
    );
    assert!(s.history.is_empty(), "no refused input is kept");
}

#[test]
fn each_statement_run_can_be_returned_to_just_after_it_ran() {
    let mut s = Session::default_world();
    s.line("client: c = socket(TCP); connect(c, 10.0.0.2:80) &")
        .unwrap();
    s.net(NetCmd::Run(None)).unwrap();
    let ran = s.ran();
    // The default world's own three statements have no moment before them.
    let texts: Vec<String> = ran.iter().map(|r| r.statement.to_string()).collect();
    assert_eq!(texts.len(), 5 + 2 + 1, "{texts:?}");
    assert!(ran[..5].iter().all(|r| r.moment.is_none()), "{ran:?}");
    let connect = ran
        .iter()
        .position(|r| r.statement.to_string().contains("connect("))
        .unwrap();
    let mut fresh = Session::default_world();
    fresh
        .line("client: c = socket(TCP); connect(c, 10.0.0.2:80) &")
        .unwrap();
    s.seek_moment(ran[connect].moment.unwrap());
    assert_eq!(netstat(&s), netstat(&fresh));
    assert_eq!(s.ran().len(), connect + 1, "nothing after it is kept");
}

#[test]
fn a_statement_inside_a_tour_step_is_returned_to_one_statement_at_a_time() {
    let mut s = Session::tour(&parts());
    press(&mut s, StepMode::Narration);
    press(&mut s, StepMode::Narration);
    let ran = s.ran();
    let last = ran.last().unwrap().clone();
    let earlier = ran
        .iter()
        .rev()
        .find(|r| r.moment.is_some_and(|m| m != last.moment.unwrap()))
        .unwrap()
        .clone();
    s.seek_moment(earlier.moment.unwrap());
    assert_eq!(s.ran().last().unwrap().statement, earlier.statement);
    s.seek_moment(last.moment.unwrap());
    assert_eq!(s.ran().last().unwrap().statement, last.statement);
}

/// Close with unread data: CLOSE_WAIT in the textbook, the connection reset on Linux.
#[test]
fn switching_the_behaviour_replays_what_the_learner_did_in_the_other_mode() {
    use sockscope_engine::Behaviour;
    let mut s = Session::default_world();
    s.line("client: c = socket(TCP); connect(c, 10.0.0.2:80)")
        .unwrap();
    s.line("server: a = accept(l)").unwrap();
    s.line("client: send(c, 300)").unwrap();
    s.line("net: run").unwrap();
    s.line("server: close(a)").unwrap();
    s.line("net: run").unwrap();
    let inputs = s.history.len();
    let textbook = netstat(&s);
    assert!(
        textbook.iter().any(|r| r.contains("CLOSE_WAIT")),
        "{textbook:?}"
    );

    s.apply(Input::Behaviour(Behaviour::Linux)).unwrap();
    assert_eq!(s.behaviour(), Behaviour::Linux);
    assert_eq!(s.history.len(), inputs, "the switch itself is not an input");
    let linux = netstat(&s);
    assert!(!linux.iter().any(|r| r.contains("CLOSE_WAIT")), "{linux:?}");
    assert!(
        s.script().starts_with("option behaviour linux\n"),
        "{}",
        s.script()
    );
    // Step back stays in the mode; switching back gives the textbook world again.
    assert!(s.step_back());
    assert_eq!(s.behaviour(), Behaviour::Linux);
    s.line("net: run").unwrap();
    s.apply(Input::Behaviour(Behaviour::Textbook)).unwrap();
    assert_eq!(netstat(&s), textbook);
    assert!(!s.script().contains("behaviour"), "{}", s.script());
}

#[test]
fn a_tour_switched_to_linux_keeps_its_steps() {
    use super::session::StepMode;
    use sockscope_engine::Behaviour;
    let tour = sockscope_scenario::tours::ALL[0];
    let scenario = tour.parse_seeded(1).unwrap();
    let (mut s, _) = Session::tour_at(&scenario, 2, StepMode::Narration);
    let progress = s.tour_progress(StepMode::Narration);
    s.apply(Input::Behaviour(Behaviour::Linux)).unwrap();
    assert_eq!(s.tour_progress(StepMode::Narration), progress);
    assert_eq!(s.behaviour(), Behaviour::Linux);
}

#[test]
fn a_tour_folds_away_the_panels_it_does_not_use_until_they_are_unfolded() {
    use super::state::Action;
    use std::rc::Rc;
    use yew::Reducible;
    let in_tour = |name: &str, text: &str| {
        let scenario = parse(text).unwrap();
        let mut state = State::from_session(Session::tour(&scenario));
        state.tour = Some(TourInfo::new(name, name, &scenario));
        state
    };
    let byte_stream = tours::find("byte-stream").unwrap();
    let tour = in_tour(byte_stream.name, byte_stream.text);
    assert!(!tour.shows_calls() && !tour.shows_tools() && !tour.shows_throughput(true));
    let unfolded = Rc::new(tour).reduce(Action::Unfold(true));
    assert!(unfolded.shows_calls() && unfolded.shows_tools() && unfolded.shows_throughput(true));
    let folded = unfolded.reduce(Action::Unfold(false));
    assert!(!folded.shows_calls() && !folded.shows_tools());
    // An exercise is done with the learner's own calls; the throughput tour explains
    // its experiment, even where the page hides its other controls.
    let exercise = tours::EXERCISES[0];
    assert!(in_tour(exercise.name, exercise.text).shows_calls());
    let throughput = tours::find("throughput").unwrap();
    let t = in_tour(throughput.name, throughput.text);
    assert!(t.shows_throughput(false) && !t.shows_calls());
    // Out of a tour the page is as before.
    let free = State::from_session(Session::tour(&parse(byte_stream.text).unwrap()));
    assert!(free.shows_calls() && free.shows_tools() && free.shows_throughput(true));
    assert!(!free.shows_throughput(false));
}

/// Tour texts are fetched: what comes back is opened only if it is still what the
/// learner wants.
mod tour_asks {
    use crate::state::{tour_ticket, Action, State, TourAsk};
    use sockscope_scenario::{parse, tours, tours::Tour};
    use std::rc::Rc;
    use yew::Reducible;

    fn came(ticket: u32, t: &Tour) -> Action {
        Action::Tour {
            ticket,
            name: t.name.into(),
            title: t.title.into(),
            drawn: false,
            scenario: Box::new(parse(t.text).expect("a tour parses")),
        }
    }

    fn asked_for(s: Rc<State>, ticket: u32, t: &Tour) -> Rc<State> {
        s.reduce(Action::TourAsked {
            ask: TourAsk {
                ticket,
                name: t.name,
            },
            says: Some("Opening…".into()),
        })
    }

    fn asked(s: Rc<State>, ticket: u32) -> Rc<State> {
        asked_for(s, ticket, &tours::ALL[0])
    }

    /// The tour the picker shows.
    fn awaited(s: &State) -> Option<&'static str> {
        s.tour_request.map(|ask| ask.name)
    }

    fn open_tour(s: &State) -> Option<&str> {
        s.tour.as_ref().map(|t| t.name.as_str())
    }

    #[test]
    fn the_tour_picked_last_opens_even_when_an_earlier_pick_comes_back_after_it() {
        let (first, second) = (&tours::ALL[0], &tours::ALL[1]);
        let (a, b) = (tour_ticket(), tour_ticket());
        let s = asked_for(asked_for(Rc::new(State::default()), a, first), b, second);
        assert_eq!(s.notice.as_deref(), Some("Opening…"));
        assert_eq!(
            awaited(&s),
            Some(second.name),
            "the later pick is the one awaited"
        );
        let s = s.reduce(came(a, first));
        assert_eq!(
            open_tour(&s),
            None,
            "an earlier pick that comes back first is dropped"
        );
        assert_eq!(awaited(&s), Some(second.name));
        let s = s.reduce(came(b, second));
        assert_eq!(open_tour(&s), Some(second.name));
        assert_eq!(
            awaited(&s),
            None,
            "nothing is awaited once the tour is open"
        );
        assert_eq!(s.notice, None, "the notice goes once the tour is open");
        let s = s.reduce(came(a, first));
        assert_eq!(open_tour(&s), Some(second.name));
    }

    #[test]
    fn a_reset_cancels_a_tour_still_on_its_way() {
        let a = tour_ticket();
        let s = asked(Rc::new(State::default()), a).reduce(Action::Reset);
        assert_eq!(awaited(&s), None);
        let s = s.reduce(came(a, &tours::ALL[0]));
        assert_eq!(open_tour(&s), None);
    }

    #[test]
    fn a_tour_that_could_not_be_had_says_why_and_stops_being_awaited() {
        let a = tour_ticket();
        let s = asked(Rc::new(State::default()), a).reduce(Action::Begin(a, Err("gone".into())));
        assert_eq!(s.notice.as_deref(), Some("gone"));
        assert_eq!(awaited(&s), None);
        assert_eq!(open_tour(&s), None);
    }

    #[test]
    fn every_ask_gets_a_new_nonzero_ticket() {
        let (a, b) = (tour_ticket(), tour_ticket());
        assert!(a != 0 && b != 0 && a != b);
    }
}
