//! Guided tours: a picker, and while a tour runs, its narration with previous/next
//! step. The learner can leave a tour at any point and go on experimenting.

use crate::app::Ctx;
use crate::components::question::{AnswerFeedback, QuestionCard, ScoreLine};
use crate::session::Input;
use crate::state::Action;
use sockscope_scenario::{tours, LineKind};
use yew::prelude::*;

/// Starts the named tour, or says there is none by that name.
pub fn start_tour(ctx: &Ctx, name: &str) {
    match tours::find(name) {
        Some(t) => match t.parse() {
            Ok(scenario) => ctx.dispatch(Action::Tour {
                name: t.name.to_string(),
                title: t.title.to_string(),
                scenario: Box::new(scenario),
            }),
            Err(e) => ctx.dispatch(Action::Notice(format!(
                "The tour “{name}” could not be read: {e}"
            ))),
        },
        None => ctx.dispatch(Action::Notice(format!("There is no tour called “{name}”."))),
    }
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
    let current = ctx
        .tour
        .as_ref()
        .map(|t| t.name.clone())
        .unwrap_or_default();
    html! {
        <label class="tour-picker">{ "Guided tour " }
            <select onchange={pick} data-testid="tour-picker" aria-label="Start a guided tour">
                <option value="" selected={current.is_empty()}>{ "choose a topic…" }</option>
                { for tours::ALL.iter().map(|t| html! {
                    <option value={t.name} selected={current == t.name} title={t.summary}>{ t.title }</option>
                }) }
            </select>
        </label>
    }
}

#[component]
pub fn TourPanel() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let Some(tour) = ctx.tour.clone() else {
        return html! {};
    };
    let (position, can_back, finished, next_text, narration, question) = {
        let s = ctx.session.borrow();
        let r = &s.runner;
        let question = crate::quiz::pending(r).cloned();
        let next = r
            .statements()
            .iter()
            .skip(r.position())
            .find(|st| !matches!(st.kind, sockscope_scenario::Stmt::Say(_)))
            .map(|st| st.to_string());
        // What the tour says about where we are: the most recent narration lines.
        let said: Vec<String> = r
            .lines()
            .iter()
            .rev()
            .skip_while(|l| l.kind != LineKind::Say)
            .take_while(|l| l.kind == LineKind::Say)
            .map(|l| l.text.clone())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        (
            r.position(),
            !s.history.is_empty(),
            r.is_finished(),
            next,
            said,
            question,
        )
    };
    let feedback = ctx.current_feedback().cloned();
    let send = |a: fn() -> Action| {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(a()))
    };
    let next = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Apply(Input::ScenarioStep)))
    };
    html! {
        <section class="tour" aria-label={format!("Guided tour: {}", tour.title)} data-testid="tour">
            <header>
                <h2>{ &tour.title }</h2>
                <span class="muted">{ format!("step {position} of {}", tour.len) }</span>
            </header>
            <div class="tour-text" aria-live="polite" data-testid="tour-text">
                if narration.is_empty() {
                    <p>{ "Press “Next step” to begin." }</p>
                }
                { for narration.iter().map(|t| html! { <p>{ t }</p> }) }
            </div>
            if let Some(n) = next_text {
                <p class="tour-next">{ "Next: " }<code>{ n }</code></p>
            }
            if let Some(f) = feedback {
                <AnswerFeedback feedback={f} />
            }
            if let Some(q) = question.clone() {
                <QuestionCard question={q} dispatch={ctx.dispatcher()} />
            }
            if let Some(score) = ctx.score.clone() {
                <ScoreLine score={score} dispatch={ctx.dispatcher()} />
            }
            <div class="row">
                <button type="button" onclick={send(|| Action::StepBack)} data-testid="tour-prev" disabled={!can_back}>{ "◀ Previous step" }</button>
                <button type="button" class="primary" onclick={next} data-testid="tour-next" disabled={finished || question.is_some()}
                    title={question.is_some().then_some("Answer the question first (or press “Show me”)")}>
                    { if finished { "The tour is over" } else { "Next step ▶" } }</button>
                <button type="button" onclick={send(|| Action::LeaveTour)} data-testid="tour-leave"
                    title="Keep everything as it is and go on with your own calls">{ "Leave the tour" }</button>
            </div>
        </section>
    }
}
