//! The page: controls on top, hosts side by side with the wire between them, then the
//! byte streams, the demultiplexer, the network knobs and the narration.

use crate::components::connections::Connections;
use crate::components::console::{Console, ScenarioPanel};
use crate::components::controls::Controls;
use crate::components::deadlock::DeadlockBanner;
use crate::components::demux::DemuxInspector;
use crate::components::host::HostColumn;
use crate::components::ladder::Ladder;
use crate::components::narration::Narration;
use crate::components::netstat::Netstat;
use crate::components::network::NetworkControls;
use crate::components::notice::Notice;
use crate::hooks::use_player::use_player;
use crate::state::{Action, State, Theme};
use yew::prelude::*;

/// Every component reads the state and dispatches actions through this context.
pub type Ctx = UseReducerHandle<State>;

/// Keyboard shortcuts, unless the learner is typing in a field.
fn on_key(ctx: Ctx) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        let typing = e
            .target_dyn_into::<web_sys::Element>()
            .map(|t| {
                matches!(
                    t.tag_name().as_str(),
                    "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "OPTION"
                )
            })
            .unwrap_or(false);
        if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let action = match e.key().as_str() {
            " " => Action::TogglePlay,
            "ArrowRight" => Action::Step,
            "ArrowLeft" => Action::StepBack,
            "Escape" => Action::SelectSegment(None),
            _ => return,
        };
        e.prevent_default();
        ctx.dispatch(action);
    })
}

#[component]
pub fn App() -> Html {
    let ctx = use_reducer(State::default);
    use_player(ctx.clone());
    let reset = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Reset))
    };
    let theme = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| {
            ctx.dispatch(Action::Theme(match ctx.theme {
                Theme::System => Theme::Dark,
                Theme::Dark => Theme::Light,
                Theme::Light => Theme::System,
            }))
        })
    };
    let theme_attr = match ctx.theme {
        Theme::System => "system",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let hosts = ctx.snapshot.hosts.clone();
    let two = hosts.len() == 2;
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <div class="sockscope" data-theme={theme_attr} onkeydown={on_key(ctx.clone())}>
                <header class="topbar">
                    <h1>{ "sockscope" }</h1>
                    <p class="tagline">{ "Call the sockets API and watch what the kernel keeps for every socket." }</p>
                    <button type="button" onclick={theme} title="Light, dark or the system's theme">{ format!("Theme: {theme_attr}") }</button>
                    <button type="button" onclick={reset} data-testid="reset">{ "Reset" }</button>
                </header>
                <Controls />
                <Notice />
                <DeadlockBanner />
                <main class={classes!("stage", two.then_some("two-hosts"))}>
                    if two {
                        <HostColumn host={hosts[0].clone()} />
                        <Ladder />
                        <HostColumn host={hosts[1].clone()} />
                    } else {
                        <div class="host-grid">
                            { for hosts.iter().map(|h| html! { <HostColumn key={h.id.0} host={h.clone()} /> }) }
                        </div>
                        <Ladder />
                    }
                </main>
                <div class="netstat-panels" data-testid="netstat">
                    { for hosts.iter().map(|h| html! { <Netstat key={h.id.0} host={h.clone()} /> }) }
                </div>
                <div class="lower">
                    <Connections />
                    <DemuxInspector />
                    <Console />
                    <Narration />
                    <NetworkControls />
                    <ScenarioPanel />
                </div>
                <footer class="help">
                    <p>{ "Keys: space plays or pauses, → runs the next event, ← steps back. Every number on screen comes from the simulation engine." }</p>
                </footer>
            </div>
        </ContextProvider<Ctx>>
    }
}
