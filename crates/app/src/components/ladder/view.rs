//! The ladder's SVG, piece by piece: the lanes, the break marks of shortened gaps and
//! each segment (a drawn arrow once it has arrived; a moving one is the canvas's, and
//! here only its label, tooltip and focus).

use super::labels::{Placed, Rect, DETAIL_PX, LABEL_PX};
use super::scale::{self, Scale, BREAK_PX};
use super::segments::{Drawn, Ends, Lanes, CROSS_BELOW, CROSS_PX, FALL};
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
pub fn breaks(scale: &Scale, width: f64) -> Html {
    html! {
        { for scale.breaks().into_iter().map(|(y, gap)| {
            let text = scale::break_text(gap);
            let at = Rect::around(&text, BREAK_PX, (width / 2.0, y));
            html! {
                <g class="gap-break" key={format!("{y:.1}")}><text x={(width / 2.0).to_string()} y={format!("{:.1}", at.baseline(BREAK_PX))}
                    font-size={BREAK_PX.to_string()} text-anchor="middle">{ text }</text></g>
            }
        }) }
    }
}

/// One segment: focusable, named for screen readers, with `data-seg` for clicks; its
/// words where `placed` puts them (see `labels`).
pub fn segment(s: &Drawn, ends: Ends, now: Micros, selected: bool, placed: Placed) -> Html {
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
            { words("seg-label", &s.short, placed.label, LABEL_PX) }
            { head((xe, ye), done, lost) }
            { words("seg-detail", &s.detail, placed.detail, DETAIL_PX) }
            <title>{ &s.label }</title>
        </g>
    }
}

/// Text over its background, in the box it was given (nothing if it was given none).
fn words(class: &'static str, text: &str, at: Option<Rect>, px: f64) -> Html {
    let Some(r) = at else { return html! {} };
    html! { <>
        <rect class={format!("{class}-bg")} x={format!("{:.1}", r.x0)} y={format!("{:.1}", r.y0)}
            width={format!("{:.1}", r.width())} height={format!("{:.1}", r.height())} rx="2" />
        <text class={class} x={format!("{:.1}", r.centre_x())} y={format!("{:.1}", r.baseline(px))}
            font-size={px.to_string()} text-anchor="middle">{ text }{ " " }</text>
    </> }
}

/// The arrow's end: a fall and a cross when lost, a dot when it has arrived.
fn head((xe, ye): (f64, f64), done: bool, lost: bool) -> Html {
    if lost {
        html! { <>
            <path class="fall" d={format!("M{xe:.1} {ye:.1}l{} {}", FALL.0, FALL.1)} />
            <text class="cross" x={format!("{:.1}", xe + FALL.0)} y={format!("{:.1}", ye + CROSS_BELOW)}
                font-size={CROSS_PX.to_string()} text-anchor="middle">{ "✗" }</text>
        </> }
    } else if done {
        html! { <circle class="head" cx={format!("{xe:.1}")} cy={format!("{ye:.1}")} r="2" /> }
    } else {
        html! {}
    }
}
