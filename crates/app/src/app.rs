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
use crate::components::throughput::Throughput;
use crate::components::tour::{TourPanel, TourPicker};
use crate::hooks::use_player::use_player;
use crate::options::{self, ControlsMode};
use crate::session::{Session, StepMode};
use crate::state::{Action, State, Theme, TourInfo};
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

/// Where the app's options come from: the page's URL, or `mount(element, options)`.
#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// `tour=deadlock&step=3&controls=minimal…` (see `options`).
    #[prop_or_default]
    pub query: AttrValue,
    /// `#scenario=…`
    #[prop_or_default]
    pub fragment: AttrValue,
    /// The app owns the whole page: keyboard shortcuts work wherever the focus is.
    /// (An instance embedded among other content reacts only to keys inside it.)
    #[prop_or_default]
    pub whole_page: bool,
    /// `mount()`'s callback: told of every event the course page may record.
    #[prop_or_default]
    pub on_event: Option<crate::host_events::Listener>,
}

/// Tells the course page that the app is ready, then delivers each event the reducer
/// queued, after the render that shows it.
#[hook]
fn use_host_events(ctx: Ctx, listener: Option<crate::host_events::Listener>) {
    use crate::host_events::{deliver, HostEvent};
    {
        let listener = listener.clone();
        let tour = ctx.tour.as_ref().map(|t| t.name.clone());
        use_effect_with((), move |_| {
            deliver(&HostEvent::Ready { tour }, listener.as_ref())
        });
    }
    let outbox = ctx.outbox.clone();
    use_effect(move || {
        for e in outbox.take() {
            deliver(&e, listener.as_ref());
        }
    });
}

/// Draws again when the window is resized: the descriptor arrows are measured from
/// the layout.
#[hook]
fn use_redraw_on_resize(ctx: Ctx) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use_effect_with((), move |_| {
        let closure = Closure::<dyn Fn()>::new(move || ctx.dispatch(Action::Redraw));
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("resize", closure.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback(
                    "resize",
                    closure.as_ref().unchecked_ref(),
                );
            }
        }
    });
}

/// Keyboard shortcuts for the whole document, while the app is mounted.
#[hook]
fn use_document_keys(enabled: bool, ctx: Ctx) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use_effect_with(enabled, move |enabled| {
        let listener = enabled.then(|| {
            let handler = on_key(ctx);
            let closure =
                Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| handler.emit(e));
            let doc = web_sys::window().and_then(|w| w.document());
            if let Some(doc) = &doc {
                let _ = doc
                    .add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref());
            }
            (doc, closure)
        });
        move || {
            if let Some((Some(doc), closure)) = listener {
                let _ = doc.remove_event_listener_with_callback(
                    "keydown",
                    closure.as_ref().unchecked_ref(),
                );
            }
        }
    });
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

/// The first state, as the options ask; problems with them become the notice.
fn initial_state(props: &AppProps) -> State {
    let o = options::parse(&props.query, &props.fragment);
    let seed = o.seed.unwrap_or(sockscope_scenario::params::DEFAULT_SEED);
    let mut problems = o.problems.clone();
    let mut state = match (&o.scenario, &o.tour) {
        (Some(text), _) => match sockscope_scenario::parse(text) {
            Ok(scenario) => State::from_session(Session::finished(&scenario)),
            Err(e) => {
                problems.push(format!("The scenario in the link was not loaded: {e}"));
                State::default()
            }
        },
        (None, Some(name)) => {
            match sockscope_scenario::tours::find(name).map(|t| (t, t.parse_seeded(seed))) {
                Some((t, Ok(scenario))) => {
                    let mode = if o.single {
                        StepMode::Statement
                    } else {
                        StepMode::Narration
                    };
                    let (session, problem) = Session::tour_at(&scenario, o.step, mode);
                    problems.extend(problem);
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
        (None, None) => State::default(),
    };
    state.theme = o.theme;
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

#[component]
pub fn App(props: &AppProps) -> Html {
    let ctx = {
        let props = props.clone();
        use_reducer(move || initial_state(&props))
    };
    use_player(ctx.clone());
    use_host_events(ctx.clone(), props.on_event.clone());
    use_document_keys(props.whole_page, ctx.clone());
    use_redraw_on_resize(ctx.clone());
    // The panels below the hosts are drawn one frame later, so the first frame (hosts,
    // calls, netstat) is ready sooner.
    let first_frame = use_state(|| true);
    {
        let first_frame = first_frame.clone();
        use_effect_with((), move |_| {
            // A timer, not the effect itself: the browser paints in between.
            let timer = gloo_timers::callback::Timeout::new(0, move || first_frame.set(false));
            move || drop(timer)
        });
    }
    let parsed = options::parse(&props.query, "");
    crate::hooks::use_fuzz::use_fuzz(parsed.fuzz, ctx.clone());
    let debug_panic = parsed.debug_panic;
    use_effect_with(debug_panic, |&on| {
        if on {
            panic!("a deliberate panic (debug=panic), to show that the error panel appears");
        }
    });
    let local_keys = (!props.whole_page).then(|| on_key(ctx.clone()));
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
    let hosts = ctx.shown_hosts();
    let waiting: Vec<String> = ctx
        .snapshot
        .hosts
        .iter()
        .filter(|h| !hosts.iter().any(|s| s.id == h.id))
        .map(|h| format!("host {}", h.name))
        .collect();
    // The wire comes one task after the hosts and netstat (an empty box holds its place
    // in the middle column): the first view is interactive sooner.
    let ladder = if *first_frame {
        html! { <section class="ladder" aria-hidden="true"><h3>{ "The wire" }</h3></section> }
    } else {
        html! { <Ladder /> }
    };
    let full = ctx.controls == ControlsMode::Full;
    let two = hosts.len() == 2;
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <div class={classes!("sockscope", (!full).then_some("embedded"))} data-theme={theme_attr} onkeydown={local_keys}>
                if full {
                    <header class="topbar">
                        <h1>{ "sockscope" }</h1>
                        <p class="tagline">{ "Call the sockets API and watch what the kernel keeps for every socket." }</p>
                        <TourPicker />
                        <button type="button" onclick={theme} title="Light, dark or the system's theme">{ format!("Theme: {theme_attr}") }</button>
                        <button type="button" onclick={reset} data-testid="reset">{ "Reset" }</button>
                    </header>
                }
                if ctx.controls != ControlsMode::None { <Controls /> }
                <Notice />
                <TourPanel />
                <DeadlockBanner />
                <main class={classes!("stage", two.then_some("two-hosts"))}>
                    if two {
                        <HostColumn host={hosts[0].clone()} />
                        { ladder.clone() }
                        <HostColumn host={hosts[1].clone()} />
                    } else {
                        <div class="host-grid">
                            { for hosts.iter().map(|h| html! { <HostColumn key={h.id.0} host={h.clone()} /> }) }
                        </div>
                        { ladder }
                    }
                </main>
                if !waiting.is_empty() {
                    <p class="muted small hosts-to-come" data-testid="hosts-to-come">
                        { format!("Still to come: {}. A host is drawn once the tour uses it.", waiting.join(", ")) }</p>
                }
                <div class="netstat-panels" data-testid="netstat">
                    { for hosts.iter().map(|h| html! { <Netstat key={h.id.0} host={h.clone()} /> }) }
                </div>
                if !*first_frame {
                <div class="lower">
                    <Connections />
                    <DemuxInspector />
                    if full { <Console session={ctx.session_ref()} lines={ctx.session.borrow().runner.lines().len()} dispatch={ctx.dispatcher()} /> }
                    <Narration />
                    if full {
                        <NetworkControls hosts={ctx.snapshot.hosts.iter().map(|h| h.name.clone()).collect::<Vec<_>>()}
                            mss={ctx.session.borrow().world().config().mss}
                            delay_us={ctx.session.borrow().world().config().delay_us}
                            dispatch={ctx.dispatcher()} />
                        <ScenarioPanel session={ctx.session_ref()} tour={ctx.tour.clone()} dispatch={ctx.dispatcher()} />
                    }
                    if full || ctx.tour.as_ref().is_some_and(|t| t.name == "throughput") { <Throughput dispatch={ctx.dispatcher()} /> }
                </div>
                }
                <footer class="help">
                    <p>{ "Keys: space plays or pauses, → runs the next event, ← steps back. Every number on screen comes from the simulation engine." }</p>
                </footer>
            </div>
        </ContextProvider<Ctx>>
    }
}
