//! Guided tours: a picker, and while a tour runs, its parts, its narration with
//! previous/next step and a hint of what the next step does (never of what it will
//! show). The learner can leave a tour at any point and go on experimenting.

use crate::components::goal::GoalCard;
use crate::components::question::{AnswerFeedback, QuestionCard, ScoreLine};
use crate::session::{action_hint, Input, Session, StepMode};
use crate::state::{Action, Ctx, TourAsk, TourInfo};
use crate::tour_text;
use sockscope_scenario::{tours, GoalStatus, LineKind, Question};
use yew::platform::spawn_local;
use yew::prelude::*;

/// Starts the named tour once its text has come, or says why it cannot.
pub fn start_tour(ctx: &Ctx, name: &str) {
    let Some(tour) = tours::find(name) else {
        ctx.dispatch(Action::Notice(format!("There is no tour called “{name}”.")));
        return;
    };
    let dispatch = ctx.dispatcher();
    let ticket = crate::state::tour_ticket();
    dispatch.dispatch(Action::TourAsked {
        ask: TourAsk {
            ticket,
            name: tour.name,
        },
        says: Some(format!("Opening the tour “{}”…", tour.title)),
    });
    spawn_local(async move {
        let text = match tour_text::fetch(tour).await {
            Ok(text) => text,
            Err(why) => return dispatch.dispatch(Action::Begin(ticket, Err(why))),
        };
        dispatch.dispatch(match sockscope_scenario::parse(&text) {
            Ok(scenario) => Action::Tour {
                ticket,
                name: tour.name.to_string(),
                title: tour.title.to_string(),
                drawn: tours::has_params(&text),
                scenario: Box::new(scenario),
            },
            Err(e) => Action::Begin(
                ticket,
                Err(format!(
                    "The tour “{name}” could not be read: {e}",
                    name = tour.title
                )),
            ),
        });
    });
}

#[component]
pub fn TourPicker() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let pick = {
        let ctx = ctx.clone();
        Callback::from(move |e: Event| {
            let name = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if !name.is_empty() {
                start_tour(&ctx, &name);
            }
        })
    };
    // The tour open, or else the one whose text is on its way.
    let current = ctx
        .tour
        .as_ref()
        .map(|t| t.name.as_str())
        .or(ctx.tour_request.map(|ask| ask.name))
        .unwrap_or_default();
    html! {
        <label class="tour-picker">{ "Guided tour " }
            <select onchange={pick} data-testid="tour-picker" aria-label="Start a guided tour">
                <option value="" selected={current.is_empty()}>{ "choose a topic…" }</option>
                <optgroup label="Tours">
                { for tours::ALL.iter().map(|t| html! {
                    <option value={t.name} selected={current == t.name} title={t.summary}>{ t.title }</option>
                }) }
                </optgroup>
                <optgroup label="Exercises">
                { for tours::EXERCISES.iter().map(|t| html! {
                    <option value={t.name} selected={current == t.name} title={t.summary}>{ t.title }</option>
                }) }
                </optgroup>
            </select>
        </label>
    }
}

/// How many actions the "next step" hint lists before it says how many more follow.
const HINT_ACTIONS: usize = 3;

/// Where the tour stands, as its panel shows it.
struct Moment {
    step: usize,
    steps: usize,
    position: usize,
    can_back: bool,
    finished: bool,
    /// What the next step makes the programs and the network do.
    hint: Vec<String>,
    /// The most recent narration lines.
    narration: Vec<String>,
    question: Option<Question>,
    goal: Option<GoalStatus>,
}

impl Moment {
    fn of(s: &Session, mode: StepMode) -> Moment {
        let r = &s.runner;
        let (step, steps) = s.tour_progress(mode);
        Moment {
            step,
            steps,
            position: r.position(),
            can_back: s
                .history
                .iter()
                .any(|i| matches!(i, Input::ScenarioStep(_))),
            finished: r.is_finished(),
            // Only what the learner's programs and the network are about to do: never
            // the value that a check is waiting for.
            hint: s
                .next_step_statements(mode)
                .iter()
                .filter_map(|st| action_hint(&st.kind))
                .collect(),
            // What the tour says about where we are: the most recent narration lines.
            narration: r
                .lines()
                .iter()
                .rev()
                .skip_while(|l| l.kind != LineKind::Say)
                .take_while(|l| l.kind == LineKind::Say)
                .map(|l| l.text.clone())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
            question: crate::quiz::pending(r).cloned(),
            goal: r.goal().cloned(),
        }
    }
}

#[component]
pub fn TourPanel() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let Some(tour) = ctx.tour.clone() else {
        return html! {};
    };
    let m = Moment::of(&ctx.session.borrow(), tour.mode);
    let feedback = ctx.current_feedback().cloned();
    html! {
        <section class="tour" aria-label={format!("Guided tour: {}", tour.title)} data-testid="tour">
            <header>
                <h2>{ &tour.title }</h2>
                <span class="muted" data-testid="tour-step">{ format!("step {} of {}", m.step, m.steps) }</span>
            </header>
            { parts(&ctx, &tour, m.position) }
            <div class="tour-text" aria-live="polite" data-testid="tour-text">
                if m.narration.is_empty() {
                    <p>{ "Press “Next step” to begin." }</p>
                }
                { for m.narration.iter().map(|t| html! { <p>{ t }</p> }) }
            </div>
            { next_step_hint(&m.hint) }
            if let Some(f) = feedback {
                <AnswerFeedback feedback={f} />
            }
            if let Some(q) = m.question.clone() {
                <QuestionCard question={q} dispatch={ctx.dispatcher()} />
            }
            if let Some(goal) = m.goal.clone() {
                <GoalCard key={tour.name.clone()} status={goal} solved_before={ctx.score.as_ref().and_then(|s| s.goal)} />
            }
            if let Some(score) = ctx.score.clone() {
                <ScoreLine score={score} dispatch={ctx.dispatcher()} />
            }
            { buttons(&ctx, tour.mode, &m) }
        </section>
    }
}

/// The tour's parts, the current one marked; each jumps to its start.
fn parts(ctx: &Ctx, tour: &TourInfo, position: usize) -> Html {
    if tour.sections.is_empty() {
        return html! {};
    }
    // The part of the tour we are in: the last section already passed.
    let current = tour
        .sections
        .iter()
        .rposition(|(_, index)| *index < position);
    html! {
        <nav class="tour-parts" aria-label="Parts of this tour" data-testid="tour-parts">
            <ol>
                { for tour.sections.iter().enumerate().map(|(k, (title, index))| {
                    let jump = {
                        let (ctx, index) = (ctx.clone(), *index);
                        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::TourJump(index)))
                    };
                    let here = current == Some(k);
                    html! {
                        <li><button type="button" class={classes!("part", here.then_some("current"))} onclick={jump}
                            aria-current={here.then_some("step")} title="Go to the start of this part">{ title }</button></li>
                    }
                }) }
            </ol>
        </nav>
    }
}

/// "Next step runs `A: connect(c, …)`, `net: run` and 2 more".
fn next_step_hint(hint: &[String]) -> Html {
    if hint.is_empty() {
        return html! {};
    }
    let shown = hint.len().min(HINT_ACTIONS);
    html! {
        <p class="tour-next" data-testid="tour-hint">{ "Next step runs " }
            { for hint.iter().take(shown).enumerate().map(|(k, h)| html! {
                <>{ if k > 0 { ", " } else { "" } }<code>{ h }</code></>
            }) }
            { match hint.len() - shown { 0 => String::new(), n => format!(" and {n} more") } }
        </p>
    }
}

/// Previous and next step, one statement at a time, leave the tour.
fn buttons(ctx: &Ctx, mode: StepMode, m: &Moment) -> Html {
    let send = |a: fn() -> Action| {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(a()))
    };
    let next = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Apply(Input::ScenarioStep(mode))))
    };
    let toggle_mode = {
        let ctx = ctx.clone();
        Callback::from(move |e: Event| {
            let on = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .checked();
            ctx.dispatch(Action::TourMode(if on {
                StepMode::Statement
            } else {
                StepMode::Narration
            }))
        })
    };
    let asking = m.question.is_some();
    html! {
        <div class="row">
            <button type="button" onclick={send(|| Action::TourBack)} data-testid="tour-prev" disabled={!m.can_back}>{ "◀ Previous step" }</button>
            <button type="button" class="primary" onclick={next} data-testid="tour-next" disabled={m.finished || asking}
                title={asking.then_some("Answer the question first (or press “Show me”)")}>
                { match (m.finished, m.goal.is_some()) {
                    (false, _) => "Next step ▶",
                    (true, true) => "Your turn: reach the goal",
                    (true, false) => "The tour is over",
                } }</button>
            <label class="small" title="Off: a step runs everything the next narration talks about. On: a step runs one statement of the scenario.">
                <input type="checkbox" checked={mode == StepMode::Statement} onchange={toggle_mode} data-testid="tour-single" />
                { " One statement at a time" }
            </label>
            <button type="button" onclick={send(|| Action::LeaveTour)} data-testid="tour-leave"
                title="Keep everything as it is and go on with your own calls">{ "Leave the tour" }</button>
        </div>
    }
}
