//! What just happened, in plain language, newest first. A live region, so screen
//! readers hear it too.

use crate::narrate::{describe, Names};
use crate::state::Ctx;
use sockscope_scenario::units::clock_time;
use yew::prelude::*;

/// Lines kept on screen.
const SHOWN: usize = 60;

#[component]
pub fn Narration() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let names = Names(&ctx.snapshot);
    let lines: Vec<(u64, String, String)> = {
        let session = ctx.session.borrow();
        session
            .trace()
            .iter()
            .rev()
            .filter_map(|e| describe(e, &names).map(|t| (e.n, clock_time(e.time), t)))
            .take(SHOWN)
            .collect()
    };
    html! {
        <section class="narration" aria-label="What happened">
            <h3>{ "What happened" }</h3>
            <div role="log" aria-live="polite" aria-relevant="additions">
            <ol data-testid="narration" tabindex="0" aria-label="Events, newest first">
                { for lines.into_iter().map(|(n, t, text)| html! {
                    <li key={n}><span class="time">{ t }</span>{ " " }{ text }</li>
                }) }
            </ol>
            </div>
        </section>
    }
}
