//! Network and buffer knobs: delay and loss per direction, reordering and duplication,
//! MSS, "drop the next segment", and whether the world behaves as the textbook or as
//! Linux. Buffer sizes are per socket (setsockopt in a process's call form).

use crate::session::Input;
use crate::state::{Action, Dispatch};
use sockscope_engine::Behaviour;
use sockscope_scenario::{Link, NetCmd};
use yew::prelude::*;

fn read(node: &NodeRef) -> String {
    crate::view::field_value(node).unwrap_or_default()
}

/// Every direction between two hosts.
fn directions(hosts: &[String]) -> Vec<Link> {
    hosts
        .iter()
        .flat_map(|a| {
            hosts.iter().filter(move |b| *b != a).map(move |b| Link {
                from: a.clone(),
                to: b.clone(),
                both: false,
            })
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct NetworkProps {
    pub hosts: Vec<String>,
    /// The MSS now, and the default one-way delay: the fields start with them.
    pub mss: u64,
    pub delay_us: u64,
    /// Textbook or Linux, as the world behaves now.
    #[prop_or_default]
    pub behaviour: Behaviour,
    pub dispatch: Dispatch,
}

/// Sets the delay and loss of the chosen path.
fn set_path(
    dispatch: &Dispatch,
    pick: impl Fn() -> Option<Link> + 'static,
    delay: &NodeRef,
    loss: &NodeRef,
) -> Callback<SubmitEvent> {
    let (ctx, delay, loss) = (dispatch.clone(), delay.clone(), loss.clone());
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let Some(link) = pick() else { return };
        let d: Result<f64, _> = read(&delay).trim().parse();
        let l: Result<f64, _> = read(&loss).trim().trim_end_matches('%').parse();
        match (d, l) {
            (Ok(d), Ok(l)) if (0.0..=10_000.0).contains(&d) && (0.0..=100.0).contains(&l) => {
                ctx.dispatch(Action::Net(NetCmd::Delay(
                    link.clone(),
                    (d * 1000.0) as u64,
                )));
                ctx.dispatch(Action::Net(NetCmd::Loss(link, l / 100.0)));
            }
            _ => ctx.dispatch(Action::Notice(
                "Delay must be 0 to 10000 ms and loss 0 to 100 %.".into(),
            )),
        }
    })
}

/// Turns on (or off, at 0 %) reordering and duplication on the chosen path.
fn set_misbehaviour(
    dispatch: &Dispatch,
    pick: impl Fn() -> Option<Link> + 'static,
    fields: [NodeRef; 3],
) -> Callback<SubmitEvent> {
    let ctx = dispatch.clone();
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let Some(link) = pick() else { return };
        let [reorder, by, duplicate] = fields
            .clone()
            .map(|f| read(&f).trim().trim_end_matches('%').parse::<f64>().ok());
        let percent = |v: Option<f64>| v.filter(|p| (0.0..=100.0).contains(p));
        let by = by.filter(|d| (0.0..=10_000.0).contains(d));
        match (percent(reorder), by, percent(duplicate)) {
            (Some(r), Some(by), Some(d)) => {
                ctx.dispatch(Action::Net(NetCmd::Reorder(
                    link.clone(),
                    r / 100.0,
                    (by * 1000.0) as u64,
                )));
                ctx.dispatch(Action::Net(NetCmd::Duplicate(link, d / 100.0)));
            }
            _ => ctx.dispatch(Action::Notice(
                "Reordering and duplication are 0 to 100 %, and the hold-back 0 to 10000 ms."
                    .into(),
            )),
        }
    })
}

/// Sets the maximum segment size from now on.
fn set_mss(dispatch: &Dispatch, mss: &NodeRef) -> Callback<SubmitEvent> {
    let (ctx, mss) = (dispatch.clone(), mss.clone());
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        match read(&mss).trim().parse::<u64>() {
            Ok(n) if (1..=65_535).contains(&n) => ctx.dispatch(Action::Apply(Input::Mss(n))),
            _ => ctx.dispatch(Action::Notice(
                "The MSS must be a whole number from 1 to 65535 bytes.".into(),
            )),
        }
    })
}

/// Switches the mode: the world replays from its start in the one chosen.
fn set_behaviour(dispatch: &Dispatch) -> Callback<Event> {
    let ctx = dispatch.clone();
    Callback::from(move |e: Event| {
        let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
            return;
        };
        match select.value().parse::<Behaviour>() {
            Ok(mode) => ctx.dispatch(Action::Apply(Input::Behaviour(mode))),
            Err(problem) => ctx.dispatch(Action::Notice(problem)),
        }
    })
}

/// What the chosen mode means, in one sentence.
fn behaviour_note(mode: Behaviour) -> &'static str {
    match mode {
        Behaviour::Textbook => "Textbook mode: the world does what the course model draws. Where Linux would act differently, What happened says so.",
        Behaviour::Linux => "Linux mode: where Linux differs from the textbook (an RST on close with unread data, doubled buffers, …), the world does what Linux does. What happened says what the textbook would do.",
    }
}

/// The textbook-or-Linux switch.
fn behaviour_switch(mode: Behaviour, dispatch: &Dispatch) -> Html {
    html! {
        <div class="row behaviour">
            <label>{ "behaves as " }
                <select data-testid="behaviour" onchange={set_behaviour(dispatch)}
                    title="Switching replays the world from its start">
                    { for Behaviour::ALL.iter().map(|&b| html! {
                        <option value={b.to_string()} selected={b == mode}>{ match b {
                            Behaviour::Textbook => "the textbook",
                            Behaviour::Linux => "Linux",
                        } }</option>
                    }) }
                </select>
            </label>
            <p class="hint" data-testid="behaviour-note">{ behaviour_note(mode) }</p>
        </div>
    }
}

#[component]
pub fn NetworkControls(props: &NetworkProps) -> Html {
    let ctx = props.dispatch.clone();
    let (dir, delay, loss, mss) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let dirs = directions(&props.hosts);
    let pick = {
        let (dir, dirs) = (dir.clone(), dirs.clone());
        move || -> Option<Link> {
            let i: usize = read(&dir).parse().ok()?;
            dirs.get(i).cloned()
        }
    };
    let apply_path = set_path(&ctx, pick.clone(), &delay, &loss);
    let drop_next = {
        let (ctx, pick) = (ctx.clone(), pick.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(link) = pick() {
                ctx.dispatch(Action::Net(NetCmd::DropNext(link)));
            }
        })
    };
    let apply_mss = set_mss(&ctx, &mss);
    let misbehave = [use_node_ref(), use_node_ref(), use_node_ref()];
    let apply_misbehaviour = set_misbehaviour(&ctx, pick.clone(), misbehave.clone());
    let [reorder, by, duplicate] = misbehave;
    let (current_mss, default_delay) = (props.mss, props.delay_us as f64 / 1000.0);
    html! {
        <section class="network" aria-label="Network">
            <h3>{ "Network" }</h3>
            { behaviour_switch(props.behaviour, &ctx) }
            <form onsubmit={apply_path} class="row">
                <label>{ "path " }
                    <select ref={dir}>
                        { for dirs.iter().enumerate().map(|(i, l)| html! {
                            <option value={i.to_string()} selected={i == 0}>{ format!("{} → {}", l.from, l.to) }</option>
                        }) }
                    </select>
                </label>
                <label>{ "delay (ms) " }<input ref={delay} type="text" size="5" value={default_delay.to_string()} /></label>
                <label>{ "loss (%) " }<input ref={loss} type="text" size="4" value="0" /></label>
                <button type="submit">{ "Set" }</button>
                <button type="button" onclick={drop_next} data-testid="drop-next" title="The next segment on this path is lost">{ "Drop next segment" }</button>
            </form>
            <form onsubmit={apply_misbehaviour} class="row" aria-label="Reordering and duplication on this path">
                <label>{ "reorder (%) " }<input ref={reorder} type="text" size="4" value="0" data-testid="reorder" /></label>
                <label>{ "held back by (ms) " }<input ref={by} type="text" size="5" value="30" /></label>
                <label>{ "duplicate (%) " }<input ref={duplicate} type="text" size="4" value="0" data-testid="duplicate" /></label>
                <button type="submit" data-testid="set-misbehaviour" title="Segments on this path overtake each other or arrive twice">{ "Set" }</button>
            </form>
            <form onsubmit={apply_mss} class="row">
                <label>{ "MSS (bytes) " }<input ref={mss} type="text" size="6" value={current_mss.to_string()} /></label>
                <button type="submit">{ "Set MSS" }</button>
            </form>
        </section>
    }
}
