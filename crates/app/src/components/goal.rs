//! An exercise's goal: what to bring about, whether it holds yet (the engine checks it
//! after every statement), the calls it took, and hints one at a time on request.

use sockscope_scenario::GoalStatus;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GoalProps {
    pub status: GoalStatus,
    /// Calls it took the last time this exercise was solved in this browser.
    #[prop_or_default]
    pub solved_before: Option<u32>,
}

#[component]
pub fn GoalCard(p: &GoalProps) -> Html {
    let shown = use_state(|| 0usize);
    let g = &p.status.goal;
    let more = {
        let shown = shown.clone();
        let total = g.hints.len();
        Callback::from(move |_: MouseEvent| shown.set((*shown + 1).min(total)))
    };
    let calls = |n: u32| format!("{n} {}", if n == 1 { "call" } else { "calls" });
    let status = match p.status.reached_after {
        Some(n) => html! {
            <p class="goal-status reached" data-testid="goal-status">
                <span class="mark" aria-hidden="true">{ "✔" }</span>{ " " }
                <strong>{ "Goal reached" }</strong>{ format!(" with {}.", calls(n)) }</p>
        },
        None => html! {
            <p class="goal-status open" data-testid="goal-status">
                <span class="mark" aria-hidden="true">{ "○" }</span>{ " " }
                <strong>{ "Not yet." }</strong>
                { format!(" {} so far. Use the call forms or the console; the goal is checked after every step.", calls(p.status.calls)) }</p>
        },
    };
    html! {
        <section class="goal" aria-label="Exercise goal" data-testid="goal">
            <p class="question-kicker">{ "Your goal" }</p>
            <p class="question-prompt">{ g.prompt.clone().unwrap_or_else(|| g.conditions_text()) }</p>
            <p class="muted goal-conditions">{ "Checked by the engine: " }<code>{ g.conditions_text() }</code></p>
            <div role="status">{ status }</div>
            if let Some(n) = p.solved_before {
                if p.status.reached_after.is_none() {
                    <p class="muted">{ format!("You reached this goal before, with {}.", calls(n)) }</p>
                }
            }
            if *shown > 0 {
                <ol class="goal-hints" data-testid="goal-hints">
                    { for g.hints.iter().take(*shown).map(|h| html! { <li>{ h }</li> }) }
                </ol>
            }
            if *shown < g.hints.len() {
                <button type="button" onclick={more} data-testid="goal-hint">
                    { format!("Show a hint ({} of {})", *shown + 1, g.hints.len()) }</button>
            }
        </section>
    }
}
