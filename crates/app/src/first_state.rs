//! The state the app opens with, as its options ask: a scenario from the link, a tour
//! at a step, or the default world. Problems with the options become the notice.

use crate::options::{self, Options};
use crate::session::{Session, StepMode};
use crate::state::{State, TourInfo};

/// The first state for a page opened with `query` and `fragment`.
pub fn first_state(query: &str, fragment: &str) -> State {
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
        (None, Some(name)) => open_tour(name, &o, &mut problems),
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
    state
}

/// The tour `name` at the link's step, its numbers drawn from the link's seed; the
/// default world when there is no such tour.
fn open_tour(name: &str, o: &Options, problems: &mut Vec<String>) -> State {
    let seed = o.seed.unwrap_or(sockscope_scenario::params::DEFAULT_SEED);
    match sockscope_scenario::tours::find(name).map(|t| (t, t.parse_seeded(seed))) {
        Some((t, Ok(scenario))) => {
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
                ..TourInfo::new(t.name, t.title, &scenario)
            })
        }
        _ => {
            let names: Vec<&str> = sockscope_scenario::tours::ALL
                .iter()
                .map(|t| t.name)
                .collect();
            problems.push(format!(
                "There is no tour called “{name}”. The tours are: {}.",
                names.join(", ")
            ));
            State::default()
        }
    }
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
