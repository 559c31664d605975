//! The page: controls on top, hosts side by side with the wire between them, then the
//! byte streams, the demultiplexer, the network knobs and the narration.

use crate::components::capture_view::CaptureView;
use crate::components::connections::Connections;
use crate::components::console::{Console, ScenarioPanel};
use crate::components::controls::Controls;
use crate::components::deadlock::DeadlockBanner;
use crate::components::demux::DemuxInspector;
use crate::components::host::HostColumn;
use crate::components::keyed;
use crate::components::ladder::Ladder;
use crate::components::narration::Narration;
use crate::components::netstat::{Netstat, TableChoice};
use crate::components::network::NetworkControls;
use crate::components::notice::Notice;
use crate::components::program::ProgramView;
use crate::components::start_card::{self, StartCard};
use crate::components::throughput::Throughput;
use crate::components::tour::{TourPanel, TourPicker};
use crate::first_state::first_state;
use crate::hooks::use_first_frame::use_first_frame;
use crate::hooks::use_fuzz::use_fuzz;
use crate::hooks::use_host_events::use_host_events;
use crate::hooks::use_keys::{on_key, use_document_keys};
use crate::hooks::use_link_tour::use_link_tour;
use crate::hooks::use_player::use_player;
use crate::hooks::use_redraw_on_resize::use_redraw_on_resize;
use crate::options::{self, ControlsMode};
use crate::state::{Action, Ctx, State};
use sockscope_engine::snapshot::HostView;
use yew::prelude::*;

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

/// `debug=panic`: panics once mounted, to show that the error panel appears.
#[hook]
fn use_deliberate_panic(on: bool) {
    use_effect_with(on, |&on| {
        if on {
            panic!("a deliberate panic (debug=panic), to show that the error panel appears");
        }
    });
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let ctx = {
        let props = props.clone();
        use_reducer(move || {
            let o = options::parse(&props.query, &props.fragment);
            State {
                start_card: start_card::opens_with_card(props.whole_page, &o),
                ..first_state(&props.query, &props.fragment)
            }
        })
    };
    use_link_tour(
        props.query.to_string(),
        props.fragment.to_string(),
        ctx.clone(),
    );
    use_player(ctx.clone());
    use_host_events(ctx.clone(), props.on_event.clone());
    use_document_keys(props.whole_page, ctx.clone());
    use_redraw_on_resize(ctx.clone());
    // The wire and the panels below the hosts are drawn one task later, so the first
    // view (hosts, calls, netstat) is interactive sooner.
    let first_frame = use_first_frame();
    let parsed = options::parse(&props.query, "");
    use_fuzz(parsed.fuzz, ctx.clone());
    use_deliberate_panic(parsed.debug_panic);
    let local_keys = (!props.whole_page).then(|| on_key(ctx.clone()));
    let full = ctx.controls == ControlsMode::Full;
    let hosts = ctx.shown_hosts();
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <div class={classes!("sockscope", (!full).then_some("embedded"))} data-theme={ctx.theme.name()} onkeydown={local_keys}>
                if full { { top_bar(&ctx) } }
                if full && ctx.start_card { <StartCard /> }
                if ctx.controls != ControlsMode::None { <Controls /> }
                <Notice />
                <TourPanel />
                <DeadlockBanner />
                { stage(&hosts, first_frame, ctx.opening_tour) }
                { hosts_to_come(&ctx, &hosts) }
                <div class="netstat-panels" data-testid="netstat" inert={ctx.opening_tour} aria-busy={busy(ctx.opening_tour)}>
                    if full { <TableChoice layout={ctx.table} dispatch={ctx.dispatcher()} /> }
                    { keyed(hosts.iter().map(|h| html! { <Netstat key={h.id.0} host={(*h).clone()} /> })) }
                </div>
                if !first_frame { { lower_panels(&ctx, full) } }
                <footer class="help">
                    <p>{ "Keys: space plays or pauses, → runs the next event, ← steps back. Every number on screen comes from the simulation engine." }</p>
                </footer>
            </div>
        </ContextProvider<Ctx>>
    }
}

/// The title, the tour picker, the theme, Reset and the help button (the start card).
fn top_bar(ctx: &Ctx) -> Html {
    let reset = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Reset))
    };
    let theme = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Theme(ctx.theme.next())))
    };
    let help = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::StartCard(!ctx.start_card)))
    };
    html! {
        <header class="topbar">
            <h1>{ "sockscope" }</h1>
            <p class="tagline">{ "Call the sockets API and watch what the kernel keeps for every socket." }</p>
            <TourPicker />
            <button type="button" onclick={theme} title="Light, dark or the system's theme">{ format!("Theme: {}", ctx.theme) }</button>
            <button type="button" onclick={reset} data-testid="reset">{ "Reset" }</button>
            <button type="button" onclick={help} data-testid="help" aria-expanded={ctx.start_card.to_string()}
                aria-controls={ctx.start_card.then_some(start_card::CARD_ID)} title="Where to start: tours, exercises, first calls">{ "? Help" }</button>
        </header>
    }
}

/// While the tour a link names is fetched (`opening_tour`), the default world on
/// screen is about to be replaced: it is `inert` and shown faded (style.css), so that
/// nothing the learner does there is lost a moment later. The top bar, the controls
/// and the notice that says the tour is opening stay usable (Reset gives up waiting).
fn busy(opening: bool) -> Option<&'static str> {
    opening.then_some("true")
}

/// The hosts with the wire: two hosts face each other across it, more share a grid
/// above it. `opening`: see `busy`.
fn stage(hosts: &[&HostView], first_frame: bool, opening: bool) -> Html {
    // The wire comes one task after the hosts and netstat (an empty box holds its place
    // in the middle column): the first view is interactive sooner.
    let ladder = if first_frame {
        html! { <section class="ladder" aria-hidden="true"><h3>{ "The wire" }</h3></section> }
    } else {
        html! { <Ladder /> }
    };
    let two = hosts.len() == 2;
    html! {
        <main class={classes!("stage", two.then_some("two-hosts"))} inert={opening} aria-busy={busy(opening)}>
            if two {
                <HostColumn host={hosts[0].clone()} />
                { ladder }
                <HostColumn host={hosts[1].clone()} />
            } else {
                <div class="host-grid">
                    { for hosts.iter().map(|h| html! { <HostColumn key={h.id.0} host={(*h).clone()} /> }) }
                </div>
                { ladder }
            }
        </main>
    }
}

/// The hosts a tour declares but has not used yet.
fn hosts_to_come(ctx: &Ctx, shown: &[&HostView]) -> Html {
    let waiting: Vec<String> = ctx
        .snapshot
        .hosts
        .iter()
        .filter(|h| !shown.iter().any(|s| s.id == h.id))
        .map(|h| format!("host {}", h.name))
        .collect();
    if waiting.is_empty() {
        return html! {};
    }
    html! {
        <aside class="muted small hosts-to-come" data-testid="hosts-to-come" aria-label="Hosts to come">
            { format!("Still to come: {}. A host is drawn once the tour uses it.", waiting.join(", ")) }</aside>
    }
}

/// Below the hosts: byte streams, demultiplexing, the console, the narration, the
/// network knobs, the scenario, the throughput experiment and the captures panel. A
/// tour folds away those its steps do not use, behind one button.
fn lower_panels(ctx: &Ctx, full: bool) -> Html {
    let (calls, tools) = (full && ctx.shows_calls(), full && ctx.shows_tools());
    let session = ctx.session.borrow();
    let config = session.world().config();
    html! {
        <div class="lower" inert={ctx.opening_tour} aria-busy={busy(ctx.opening_tour)}>
            <Connections />
            <DemuxInspector />
            if full && ctx.tour.is_some() { { fold_button(ctx) } }
            // Keyed by the mode: switching it replays the log with as many lines.
            if calls { <Console key={config.behaviour.to_string()} session={ctx.session_ref()} lines={session.runner.lines_written()} dispatch={ctx.dispatcher()} /> }
            <Narration />
            if tools {
                <NetworkControls hosts={ctx.snapshot.hosts.iter().map(|h| h.name.clone()).collect::<Vec<_>>()}
                    mss={config.mss} delay_us={config.delay_us} behaviour={config.behaviour} dispatch={ctx.dispatcher()} />
                <ScenarioPanel session={ctx.session_ref()} tour={ctx.tour.clone()} dispatch={ctx.dispatcher()} />
            }
            if ctx.shows_throughput(full) { <Throughput dispatch={ctx.dispatcher()} /> }
            if full { <ProgramView /> }
            if tools { <CaptureView /> }
        </div>
    }
}

/// In a tour: the button that shows the panels it folded away (the call forms, the
/// console, the network knobs, the scenario, the experiment, the captures), or folds
/// them again.
fn fold_button(ctx: &Ctx) -> Html {
    let unfolded = ctx.tour.as_ref().is_some_and(|t| t.unfolded);
    let onclick = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Unfold(!unfolded)))
    };
    html! {
        <section class="folded" aria-label="Panels this tour does not use" data-testid="folded">
            <p class="muted small">{ if unfolded {
                "Every panel is shown, also those this tour does not use."
            } else {
                "This tour folds away the panels it does not use: the call forms, the console, the network knobs, the scenario and the captures."
            } }</p>
            <button type="button" class="small" aria-expanded={unfolded.to_string()} data-testid="unfold" {onclick}>
                { if unfolded { "Fold them away" } else { "Show all panels" } }</button>
        </section>
    }
}
