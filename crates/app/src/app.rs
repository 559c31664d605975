//! The page: header and one netstat panel per host.

use crate::components::netstat::Netstat;
use crate::state::{Action, State};
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let reset = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Reset))
    };
    html! {
        <main class="sockscope">
            <header class="topbar">
                <h1>{ "sockscope" }</h1>
                <p class="tagline">{ "What the kernel keeps for every socket, as you call the API." }</p>
                <button type="button" onclick={reset}>{ "Reset" }</button>
            </header>
            <div class="netstat-panels" data-testid="netstat">
                { for state.snapshot.hosts.iter().map(|h| html! { <Netstat key={h.id.0} host={h.clone()} /> }) }
            </div>
        </main>
    }
}
