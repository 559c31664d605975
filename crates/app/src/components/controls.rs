//! Time controls: play/pause, step, step back, run until idle, speed, the clock and
//! the timeline of everything done so far, with a tick where something happened and,
//! in a tour, its parts.

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

/// The most ticks the timeline draws: nearby events share one.
const TICK_BUCKETS: usize = 400;

/// Where on the timeline (0..=1) inputs that made something happen stand: the
/// positions `k` of the slider whose input `k` added events to the trace.
fn event_ticks(marks: &[usize]) -> Vec<f64> {
    let n = marks.len().max(1);
    let mut last_bucket = None;
    let mut before = 0;
    let mut ticks = Vec::new();
    for (i, &m) in marks.iter().enumerate() {
        let bucket = (i + 1) * TICK_BUCKETS / n;
        if m > before && last_bucket != Some(bucket) {
            ticks.push((i + 1) as f64 / n as f64);
            last_bucket = Some(bucket);
        }
        before = m;
    }
    ticks
}

/// The timeline's ticks as one SVG path (cheap to redraw on every frame).
fn ticks_path(ticks: &[f64]) -> String {
    ticks
        .iter()
        .map(|x| format!("M{:.1} 0v8", x * 1000.0))
        .collect()
}

/// A tour's parts along its statements: each one's start (0..=1) and title, and
/// which part the tour is in.
fn tour_parts(ctx: &Ctx) -> Html {
    let Some(tour) = &ctx.tour else {
        return html! {};
    };
    if tour.sections.is_empty() {
        return html! {};
    }
    let (total, here) = {
        let s = ctx.session.borrow();
        (s.runner.statements().len().max(1), s.runner.position())
    };
    let current = tour.sections.iter().rposition(|(_, i)| *i < here.max(1));
    html! {
        <ol class="timeline-parts" aria-label="The tour's parts along its statements" data-testid="timeline-parts">
            { for tour.sections.iter().enumerate().map(|(k, (title, index))| html! {
                <li class={classes!((current == Some(k)).then_some("current"))}
                    style={format!("left: {:.2}%", *index as f64 * 100.0 / total as f64)}
                    title={title.clone()}>
                    <span aria-hidden="true">{ k + 1 }</span>
                    <span class="visually-hidden">{ format!("Part {}: {title}", k + 1) }</span>
                </li>
            }) }
        </ol>
    }
}

#[component]
pub fn Controls() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let send = |a: fn() -> Action| {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(a()))
    };
    let (history_len, busy, next, ticks) = {
        let s = ctx.session.borrow();
        let ticks = event_ticks(s.marks());
        (
            s.history.len(),
            s.world().busy(),
            s.world().poll_timeout(),
            ticks,
        )
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
            <div class="timeline">
                <label>
                    <span class="visually-hidden">{ "Timeline" }</span>
                    <input type="range" min="0" max={history_len.to_string()} value={history_len.to_string()}
                        onchange={seek} aria-label="Timeline: drag back to replay from the start" data-testid="timeline" />
                </label>
                <svg class="timeline-ticks" viewBox="0 0 1000 8" preserveAspectRatio="none" aria-hidden="true" data-testid="timeline-ticks">
                    <path d={ticks_path(&ticks)} />
                </svg>
                { tour_parts(&ctx) }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_stand_where_inputs_added_events() {
        // Inputs 1 and 3 added events; input 2 did not.
        assert_eq!(event_ticks(&[2, 2, 5]), vec![1.0 / 3.0, 1.0]);
        assert_eq!(event_ticks(&[0, 0]), Vec::<f64>::new());
        assert!(event_ticks(&[]).is_empty());
    }

    #[test]
    fn dense_ticks_share_a_bucket() {
        let marks: Vec<usize> = (1..=10_000).collect();
        let ticks = event_ticks(&marks);
        assert!(ticks.len() <= TICK_BUCKETS + 1, "{} ticks", ticks.len());
        assert_eq!(ticks.last(), Some(&1.0));
    }
}
