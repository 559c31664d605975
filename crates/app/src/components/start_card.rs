//! The start card a first visit sees: three ways in (a tour, an exercise, a call of
//! one's own, with the first three calls to try). Dismissed once, it stays away; the
//! top bar's help button brings it back.

use crate::components::tour::start_tour;
use crate::state::{Action, Ctx};
use sockscope_scenario::tours;
use yew::prelude::*;

/// The tour and the exercise the card offers first.
const FIRST_TOUR: &str = "byte-stream";
const FIRST_EXERCISE: &str = "exercise-echo-deadlock";

/// The first calls to try in the default world (a server listening on port 80), as
/// console lines: each one works after the one before.
pub const FIRST_CALLS: [&str; 3] = [
    "client: c = socket(TCP)",
    "client: connect(c, 10.0.0.2:80)",
    "server: a = accept(l)",
];

/// The card's id, for the help button's `aria-controls`.
pub const CARD_ID: &str = "start-card";

/// Whether the browser remembers that the card was dismissed. Quietly nothing where
/// storage is forbidden (a sandboxed frame, a private window that refuses it): the card
/// then shows on every visit, and dismissing it still works for this one.
pub mod seen {
    const KEY: &str = "sockscope.start-card";

    fn local() -> Option<web_sys::Storage> {
        #[cfg(target_arch = "wasm32")]
        {
            web_sys::window()?.local_storage().ok().flatten()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            None
        }
    }

    pub fn get() -> bool {
        local()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .is_some()
    }

    pub fn set() {
        if let Some(s) = local() {
            let _ = s.set_item(KEY, "dismissed");
        }
    }
}

/// Whether a page opens with the card: a page of its own (not `mount()`), with all
/// its controls, that no link sends to a tour or a scenario, on a first visit.
pub fn opens_with_card(whole_page: bool, o: &crate::options::Options) -> bool {
    whole_page
        && o.controls == crate::options::ControlsMode::Full
        && o.tour.is_none()
        && o.scenario.is_none()
        && o.fuzz.is_none()
        && !seen::get()
}

/// Keyboard users land where they can open the card again, not at the page's top.
fn focus_help_button() {
    use wasm_bindgen::JsCast;
    let button = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=help]").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(b) = button {
        let _ = b.focus();
    }
}

#[component]
pub fn StartCard() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let close = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| {
            ctx.dispatch(Action::StartCard(false));
            focus_help_button();
        })
    };
    let open = |name: &'static str| {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| {
            seen::set();
            start_tour(&ctx, name);
        })
    };
    let run = |line: &'static str| {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Line(line.to_string())))
    };
    let title = |name| tours::find(name).map_or(name, |t| t.title);
    html! {
        <section class="start-card" id={CARD_ID} aria-labelledby="start-card-title" data-testid="start-card">
            <header>
                <h2 id="start-card-title">{ "Where to start" }</h2>
                <button type="button" class="small" onclick={close} data-testid="start-card-close">{ "Close" }</button>
            </header>
            <ol class="start-ways">
                <li>
                    <h3>{ "Take a tour" }</h3>
                    <p>{ "A short guided story. It asks before it shows." }</p>
                    <button type="button" class="primary" onclick={open(FIRST_TOUR)}>{ title(FIRST_TOUR) }</button>
                    <p class="muted small">{ "More topics in “Guided tour” above." }</p>
                </li>
                <li>
                    <h3>{ "Try an exercise" }</h3>
                    <p>{ "A goal to reach with your own calls." }</p>
                    <button type="button" onclick={open(FIRST_EXERCISE)}>{ title(FIRST_EXERCISE) }</button>
                </li>
                <li>
                    <h3>{ "Make a call" }</h3>
                    <p>{ "The server already listens on port 80. Try these, in order:" }</p>
                    <ol class="first-calls">
                        { for FIRST_CALLS.iter().map(|line| html! {
                            <li><code>{ *line }</code>
                                <button type="button" class="small" onclick={run(line)}
                                    aria-label={format!("Run {line}")}>{ "Run" }</button></li>
                        }) }
                    </ol>
                    <p class="muted small">{ "Or use each process's form, or the console below." }</p>
                </li>
            </ol>
        </section>
    }
}
