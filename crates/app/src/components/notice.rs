//! A message about input that was not accepted. Nothing changed; it says why.

use crate::state::{Action, Ctx};
use yew::prelude::*;

#[component]
pub fn Notice() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let Some(text) = ctx.notice.clone() else {
        return html! {};
    };
    let dismiss = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Dismiss))
    };
    html! {
        <div class="notice-bar" role="status" data-testid="notice">
            <span>{ text }</span>
            <button type="button" class="small" onclick={dismiss} aria-label="Dismiss the message">{ "×" }</button>
        </div>
    }
}
