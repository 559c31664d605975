//! The ladder's SVG, piece by piece: the lanes, the break marks of shortened gaps and
//! each segment (a drawn arrow once it has arrived; a moving one is the canvas's, and
//! here only its label, tooltip and focus).

use super::scale::Scale;
use super::segments::{Drawn, Ends, Lanes, Text, WIDTH};
use sockscope_engine::{HostId, Micros};
use yew::prelude::*;

/// One vertical line per host, with its name on top.
pub fn lanes(hosts: &[(HostId, String)], lanes: &Lanes, height: f64) -> Html {
    html! {
        { for hosts.iter().map(|(h, name)| {
            let x = lanes.x(*h);
            html! { <g class="lane" key={h.0}>
                <line x1={x.to_string()} y1="14" x2={x.to_string()} y2={height.to_string()} />
                <text x={x.to_string()} y="10" text-anchor="middle">{ name }</text>
            </g> }
        }) }
    }
}

/// `⋯ 2.000 s ⋯` where a quiet stretch was drawn shorter than it was.
pub fn breaks(scale: &Scale) -> Html {
    html! {
        { for scale.breaks().into_iter().map(|(y, gap)| html! {
            <g class="gap-break" key={format!("{y:.1}")}><text x={(WIDTH / 2.0).to_string()} y={format!("{:.1}", y + 4.0)} text-anchor="middle">
                { format!("⋯ {} ⋯", sockscope_scenario::units::clock_time(gap)) }</text></g>
        }) }
    }
}

/// One segment: focusable, named for screen readers, with `data-seg` for clicks.
pub fn segment(s: &Drawn, ends: Ends, now: Micros, selected: bool, text: Text) -> Html {
    let ((x1, y1), (xe, ye)) = ends;
    let done = !s.moving(now);
    let lost = s.lost(now);
    let class = format!(
        "seg {}{}{}{}",
        s.kind,
        if done { "" } else { " in-flight" },
        if lost { " dropped" } else { "" },
        if selected { " selected" } else { "" }
    );
    let (lx, ly) = ((x1 + xe) / 2.0, (y1 + ye) / 2.0 - 3.0);
    let whereabouts = if lost {
        ", lost"
    } else if done {
        ""
    } else {
        ", on the wire"
    };
    html! {
        <g key={s.id.0} class={class} tabindex="0" role="button" data-seg={s.id.0.to_string()}
            aria-label={format!("Segment {}: {}{}", s.id.0, s.label, whereabouts)}
            data-testid={format!("seg-{}", s.id.0)}>
            if done {
                <path d={format!("M{x1:.1} {y1:.1}L{xe:.1} {ye:.1}")} />
            }
            // The short label before the numbers at the head, and a space after it (SVG
            // does not draw it): read in this order, the words on screen are a run of the
            // words of the name, as axe asks.
            if done || text.moving_labels || selected {
                <text class="seg-label" transform={format!("translate({lx:.1} {ly:.1})")} text-anchor="middle">{ &s.short }{ " " }</text>
            }
            { head(s, (xe, ye), done, lost, selected || text.details) }
            <title>{ &s.label }</title>
        </g>
    }
}

/// The arrow's end: a fall and a cross when lost, the sequence numbers while it moves
/// (if there is room for them), a dot when it has arrived.
fn head(s: &Drawn, (xe, ye): (f64, f64), done: bool, lost: bool, detail: bool) -> Html {
    if lost {
        html! { <>
            <path class="fall" d={format!("M{xe:.1} {ye:.1}l6 22")} />
            <text class="cross" x={format!("{:.1}", xe + 6.0)} y={format!("{:.1}", ye + 34.0)} text-anchor="middle">{ "✗" }</text>
        </> }
    } else if !done {
        if detail {
            html! { <text class="seg-detail" x={format!("{:.1}", xe.clamp(105.0, WIDTH - 105.0))} y={format!("{:.1}", ye + 14.0)} text-anchor="middle">{ &s.detail }</text> }
        } else {
            html! {}
        }
    } else {
        html! { <circle class="head" cx={format!("{xe:.1}")} cy={format!("{ye:.1}")} r="2" /> }
    }
}
