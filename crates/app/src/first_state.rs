//! The state the app opens with, as its options ask: a scenario from the link, a tour
//! at a step, or the default world. Problems with the options become the notice.
//!
//! A tour's text is fetched (`tour_text`), so a link to a tour first opens the default
//! world with a note that the tour is coming; `hooks::use_link_tour` then builds the
//! state again with the text, through [`with_tour_text`].

use crate::options::{self, Options};
use crate::session::{Session, StepMode};
use crate::state::{State, TourInfo};
use sockscope_scenario::tours::{self, Tour};

/// The first state for a page opened with `query` and `fragment`.
pub fn first_state(query: &str, fragment: &str) -> State {
    build(query, fragment, None)
}

/// The first state again, now that the text of the link's tour has come.
pub fn with_tour_text(query: &str, fragment: &str, text: &str) -> State {
    build(query, fragment, Some(text))
}

/// The tour whose text the page must fetch before it can open as its link asks.
pub fn link_tour(query: &str, fragment: &str) -> Option<&'static Tour> {
    tour_to_fetch(&options::parse(query, fragment))
}

fn tour_to_fetch(o: &Options) -> Option<&'static Tour> {
    match (&o.scenario, &o.tour) {
        (None, Some(name)) => tours::find(name),
        _ => None,
    }
}

fn build(query: &str, fragment: &str, tour_text: Option<&str>) -> State {
    let o = options::parse(query, fragment);
    let mut problems = o.problems.clone();
    let mut state = match (&o.scenario, &o.tour) {
        (Some(text), _) => match sockscope_scenario::parse(text) {
            Ok(scenario) => State::from_session(Session::finished(&scenario)),
            Err(e) => {
                problems.push(format!("The scenario in the link was not loaded: {e}"));
                State::default()
            }
        },
        (None, Some(name)) => match (tours::find(name), tour_text) {
            (Some(t), Some(text)) => open_tour(t, text, &o, &mut problems),
            (Some(t), None) => {
                problems.push(format!("Opening the tour “{}”…", t.title));
                State::default()
            }
            (None, _) => {
                problems.push(no_such_tour(name));
                State::default()
            }
        },
        (None, None) => State::default(),
    };
    if o.behaviour != sockscope_engine::Behaviour::Textbook {
        let mut session = state.session.borrow_mut();
        let _ = session.apply(crate::session::Input::Behaviour(o.behaviour));
        state.snapshot = std::rc::Rc::new(session.world().snapshot());
    }
    state.theme = o.theme;
    state.table = o.table;
    state.speed = o.speed;
    state.controls = o.controls;
    state.autoplay = o.autoplay;
    state.reduced_motion = prefers_reduced_motion();
    state.playing = o.autoplay;
    if !problems.is_empty() {
        state.notice = Some(problems.join(" "));
    }
    state.opening_tour = tour_text.is_none() && tour_to_fetch(&o).is_some();
    state
}

/// The tour `t` at the link's step, its numbers drawn from the link's seed; the
/// default world when its text does not parse.
fn open_tour(t: &Tour, text: &str, o: &Options, problems: &mut Vec<String>) -> State {
    let seed = o.seed.unwrap_or(sockscope_scenario::params::DEFAULT_SEED);
    let scenario = match sockscope_scenario::parse_seeded(text, seed) {
        Ok(scenario) => scenario,
        Err(e) => {
            problems.push(format!("The tour “{}” could not be read: {e}", t.title));
            return State::default();
        }
    };
    let mode = if o.single {
        StepMode::Statement
    } else {
        StepMode::Narration
    };
    let (session, problem) = Session::tour_at(&scenario, o.step, mode);
    problems.extend(problem.map(|p| p.to_string()));
    State::from_session(session).start_tour(TourInfo {
        mode,
        seed,
        drawn: tours::has_params(text),
        ..TourInfo::new(t.name, t.title, &scenario)
    })
}

fn no_such_tour(name: &str) -> String {
    let names: Vec<&str> = tours::ALL.iter().map(|t| t.name).collect();
    format!(
        "There is no tour called “{name}”. The tours are: {}.",
        names.join(", ")
    )
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}
