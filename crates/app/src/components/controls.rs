//! Time controls: play/pause, step, step back, run until idle, speed, the clock and
//! the timeline of everything done so far.

use crate::state::{Action, Ctx, SPEED_RANGE};
use sockscope_scenario::units::clock_time;
use yew::prelude::*;

/// The speeds the menu offers: the range's powers of two (0.25× to 16×).
fn speeds() -> Vec<f64> {
    std::iter::successors(Some(*SPEED_RANGE.start()), |s| Some(s * 2.0))
        .take_while(|s| SPEED_RANGE.contains(s))
        .collect()
}

/// The menu's entry for 1×, chosen when a value cannot be read.
fn normal_speed(speeds: &[f64]) -> usize {
    speeds.iter().position(|s| *s == 1.0).unwrap_or(0)
}

#[component]
pub fn Controls() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let send = |a: fn() -> Action| {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(a()))
    };
    let (history_len, busy, next) = {
        let s = ctx.session.borrow();
        (s.history.len(), s.world().busy(), s.world().poll_timeout())
    };
    let speeds = speeds();
    let speed = {
        let (ctx, speeds) = (ctx.clone(), speeds.clone());
        Callback::from(move |e: Event| {
            let v: usize = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value()
                .parse()
                .unwrap_or(normal_speed(&speeds));
            ctx.dispatch(Action::Speed(speeds[v.min(speeds.len() - 1)]));
        })
    };
    let seek = {
        let ctx = ctx.clone();
        Callback::from(move |e: Event| {
            let v: usize = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value()
                .parse()
                .unwrap_or(0);
            ctx.dispatch(Action::Seek(v));
        })
    };
    let current = speeds
        .iter()
        .position(|s| *s == ctx.speed)
        .unwrap_or(normal_speed(&speeds));
    let now = ctx.snapshot.time;
    html! {
        <section class="controls" aria-label="Time controls">
            <button type="button" class="primary" data-testid="play" onclick={send(|| Action::TogglePlay)}
                disabled={!busy && !ctx.playing}
                title={if busy { "Play (space)" } else { "Nothing is moving: make a call first" }}>
                { if ctx.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button type="button" data-testid="step-back" onclick={send(|| Action::StepBack)} disabled={history_len == 0}
                title="Undo the last event or call (←)">{ "◀ Back" }</button>
            <button type="button" data-testid="step" onclick={send(|| Action::Step)} disabled={next.is_none()}
                title={if next.is_some() { "Run the next event (→)" } else { "Nothing is scheduled" }}>{ "Step ▶" }</button>
            <button type="button" data-testid="run-idle" onclick={send(|| Action::RunIdle)} disabled={!busy}
                title="Run until nothing is moving">{ "Run until idle" }</button>
            <label class="speed">{ "Speed " }
                <select onchange={speed} aria-label="Playback speed">
                    { for speeds.iter().enumerate().map(|(i, s)| html! {
                        <option value={i.to_string()} selected={i == current}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
            <span class="clock" data-testid="clock" aria-label="Virtual time">{ format!("t = {}", clock_time(now)) }</span>
            if let Some(gap) = ctx.skipped {
                <span class="skipped">{ format!("skipped {} of quiet time", clock_time(gap)) }</span>
            }
            <label class="timeline">
                <span class="visually-hidden">{ "Timeline" }</span>
                <input type="range" min="0" max={history_len.to_string()} value={history_len.to_string()}
                    onchange={seek} aria-label="Timeline: drag back to replay from the start" data-testid="timeline" />
            </label>
        </section>
    }
}
