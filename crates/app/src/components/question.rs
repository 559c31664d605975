//! A question of a tour: the learner commits to a prediction before the moment runs,
//! then sees the engine's answer, right or wrong said in words (never by colour
//! alone), with the author's hint and "why".

use crate::quiz::{Feedback, Score};
use crate::state::{Action, Dispatch};
use sockscope_scenario::{AnswerKind, Question};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct QuestionProps {
    pub question: Question,
    pub dispatch: Dispatch,
}

/// The options to pick from, as (value, label): the author's choices, yes and no for
/// a yes/no question, or none (the learner types the answer).
fn options(q: &Question) -> Vec<(String, String)> {
    if !q.choices.is_empty() {
        q.choices
            .iter()
            .map(|c| {
                let v = c.value.to_string();
                let label = if c.text.is_empty() {
                    v.clone()
                } else {
                    format!("{v} — {}", c.text)
                };
                (v, label)
            })
            .collect()
    } else if q.probe.answer_kind() == AnswerKind::YesNo {
        vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())]
    } else {
        Vec::new()
    }
}

/// Keeps what the learner typed or picked (the value of the event's input).
fn keep_value<E: TargetCast + 'static>(typed: &UseStateHandle<String>) -> Callback<E> {
    let typed = typed.clone();
    Callback::from(move |e: E| {
        typed.set(
            e.target_unchecked_into::<web_sys::HtmlInputElement>()
                .value(),
        )
    })
}

/// A text field for the answer, with what form it takes.
fn typed_answer(q: &Question, typed: &UseStateHandle<String>, invalid: bool) -> Html {
    let field_id = format!("answer-{}", q.id);
    let help_id = format!("answer-help-{}", q.id);
    html! {
        <>
            <label for={field_id.clone()}>{ "Your answer" }</label>
            <input id={field_id} type="text" autocomplete="off" spellcheck="false"
                value={(**typed).clone()} oninput={keep_value::<InputEvent>(typed)} data-testid="answer-input"
                aria-describedby={help_id.clone()} aria-invalid={invalid.to_string()} />
            <span id={help_id} class="muted">{ format!("Type {}.", q.probe.answer_kind().help()) }</span>
        </>
    }
}

/// Radio buttons, one per option.
fn picked_answer(
    q: &Question,
    options: &[(String, String)],
    typed: &UseStateHandle<String>,
) -> Html {
    let on_pick = keep_value::<Event>(typed);
    html! {
        <fieldset class="choices" data-testid="answer-choices">
            <legend>{ "Pick one" }</legend>
            { for options.iter().map(|(value, label)| html! {
                <label class="choice">
                    <input type="radio" name={format!("choice-{}", q.id)} value={value.clone()}
                        checked={**typed == *value} onchange={on_pick.clone()} />
                    { label.clone() }
                </label>
            }) }
        </fieldset>
    }
}

/// The question, with a field (or options) and a button to check the answer.
#[component]
pub fn QuestionCard(p: &QuestionProps) -> Html {
    let typed = use_state(String::new);
    let error = use_state(|| None::<String>);
    let q = p.question.clone();
    // A new question starts with an empty field.
    {
        let (typed, error) = (typed.clone(), error.clone());
        use_effect_with(q.id.clone(), move |_| {
            typed.set(String::new());
            error.set(None);
        });
    }
    let submit = {
        let (typed, error, q, dispatch) =
            (typed.clone(), error.clone(), q.clone(), p.dispatch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match q.read_answer(&typed) {
                // Not an answer of the right form: said, and not counted.
                Err(m) => error.set(Some(m)),
                Ok(answer) => {
                    error.set(None);
                    dispatch.dispatch(Action::Answer(Some(((*typed).clone(), answer))));
                }
            }
        })
    };
    let show = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Answer(None)))
    };
    let prompt_id = format!("question-{}", q.id);
    let options = options(&q);
    let answer_input = if options.is_empty() {
        typed_answer(&q, &typed, error.is_some())
    } else {
        picked_answer(&q, &options, &typed)
    };
    html! {
        <form class="question" onsubmit={submit} aria-labelledby={prompt_id.clone()} data-testid="question">
            <p class="question-kicker">{ "Predict before you look" }</p>
            <p id={prompt_id} class="question-prompt">{ q.prompt_text() }</p>
            <div class="question-answer">{ answer_input }</div>
            if let Some(m) = (*error).clone() {
                <p class="answer-error" role="alert" data-testid="answer-error">{ m }</p>
            }
            <div class="row">
                <button type="submit" class="primary" data-testid="answer-check">{ "Check my answer" }</button>
                <button type="button" onclick={show} data-testid="answer-show"
                    title="Run the moment and see the answer (this counts as not answered)">{ "Show me" }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct FeedbackProps {
    pub feedback: Feedback,
}

/// The engine's answer beside the learner's.
#[component]
pub fn AnswerFeedback(p: &FeedbackProps) -> Html {
    let f = &p.feedback;
    let (mark, verdict, class) = match (&f.given, f.right) {
        (Some(_), true) => ("✔", "Right.", "right"),
        (Some(_), false) => ("✘", "Not quite.", "wrong"),
        (None, _) => ("•", "Here is the answer.", "shown"),
    };
    let said = match &f.given {
        Some(_) if f.right => format!("The engine agrees: {}.", f.correct),
        Some(g) => format!("You answered {g}; the engine's answer is {}.", f.correct),
        None => format!("The engine's answer is {}.", f.correct),
    };
    html! {
        <div class={classes!("feedback", class)} role="status" data-testid="feedback">
            <p><span class="mark" aria-hidden="true">{ mark }</span>{ " " }<strong>{ verdict }</strong>{ " " }{ said }</p>
            if let Some(h) = &f.hint { <p class="hint" data-testid="feedback-hint">{ h }</p> }
            if let Some(w) = &f.why { <p class="why">{ w }</p> }
            if !f.counted && f.given.is_some() {
                <p class="muted">{ "Your first answer to this question is the one the score keeps." }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ScoreProps {
    pub score: Score,
    pub dispatch: Dispatch,
}

/// Questions right at the first try, kept in the browser, with a way to start over.
#[component]
pub fn ScoreLine(p: &ScoreProps) -> Html {
    if p.score.questions == 0 {
        return html! {};
    }
    let reset = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::ResetScore))
    };
    let s = &p.score;
    html! {
        <p class="score" data-testid="score">
            { format!("Score: {} of {} questions right at the first try ({} answered).", s.right(), s.questions, s.first.len()) }
            { " " }
            <button type="button" class="link" onclick={reset} data-testid="score-reset">{ "Reset score" }</button>
        </p>
    }
}
