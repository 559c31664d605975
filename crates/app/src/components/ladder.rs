//! The wire as a ladder (time-sequence) diagram: one lane per host, time flowing down,
//! every segment an arrow from its sender at the time it left to its receiver at the
//! time it arrives. Segments on the wire now are drawn up to the present moment; lost
//! ones stop short and fall.

use super::flights::{self, Flight, Sheet, Surface};
use crate::state::{Action, Ctx};
use sockscope_engine::trace::Event;
use sockscope_engine::{HostId, Micros, SegId};
use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Pixels per millisecond of virtual time.
const PX_PER_MS: f64 = 1.2;
/// Quiet stretches longer than this are drawn this long (with a break mark).
const GAP_CAP_US: Micros = 120_000;
/// Only the most recent segments are drawn.
const MAX_SEGMENTS: usize = 80;
/// Moving segments drawn with their sequence numbers, at most.
const MAX_DETAILED: usize = 4;
/// Moving segments drawn with their labels, at most.
const MAX_LABELED: usize = 16;
const WIDTH: f64 = 400.0;
/// Where the oldest drawn moment sits, below the host names.
const TOP: f64 = 16.0;
const MARGIN: f64 = 48.0;

#[derive(Clone)]
struct Drawn {
    id: SegId,
    from: HostId,
    to: Option<HostId>,
    sent: Micros,
    arrives: Micros,
    label: String,
    short: String,
    /// Sequence number, acknowledgment and window, shown while it travels.
    detail: String,
    dropped: bool,
    kind: &'static str,
}

/// Maps virtual time to y, shrinking long quiet gaps. The y of a moment never changes
/// while it stays on the diagram: when old segments leave, the whole drawing scrolls
/// (one transform) instead of every segment being moved, so a frame rewrites only
/// what really moved.
#[derive(Clone, Default)]
struct Scale {
    anchors: Vec<(Micros, f64)>,
}

impl Scale {
    /// `times` sorted; the first is drawn at `start`.
    fn new(times: &BTreeSet<Micros>, start: f64) -> Self {
        let mut anchors = Vec::new();
        let mut y = start;
        let mut prev: Option<Micros> = None;
        for &t in times {
            if let Some(p) = prev {
                y += (t - p).min(GAP_CAP_US) as f64 / 1000.0 * PX_PER_MS;
            }
            anchors.push((t, y));
            prev = Some(t);
        }
        Scale { anchors }
    }

    /// The scale for `times` that agrees with `previous` wherever both have anchors:
    /// `times` gained moments only after `previous`'s last settled one and lost only
    /// its first ones (the diagram moved on), so one shift lines them up. Anything
    /// else (a step back, a new session) starts afresh.
    fn following(previous: &Scale, settled: Micros, times: &BTreeSet<Micros>) -> Self {
        let first = times.first().copied();
        let start = first
            .filter(|t| *t <= settled)
            .and_then(|t| previous.exact(t))
            .unwrap_or(TOP);
        let scale = Scale::new(times, start);
        let agrees = previous
            .anchors
            .iter()
            .filter(|(t, _)| *t <= settled && first.is_some_and(|f| *t >= f))
            .all(|&(t, y)| scale.exact(t).is_some_and(|y2| (y2 - y).abs() < 0.01));
        if agrees {
            scale
        } else {
            Scale::new(times, TOP)
        }
    }

    fn exact(&self, t: Micros) -> Option<f64> {
        self.anchors
            .binary_search_by_key(&t, |a| a.0)
            .ok()
            .map(|i| self.anchors[i].1)
    }

    fn top(&self) -> f64 {
        self.anchors.first().map_or(TOP, |a| a.1)
    }

    fn y(&self, t: Micros) -> f64 {
        match self.anchors.binary_search_by_key(&t, |a| a.0) {
            Ok(i) => self.anchors[i].1,
            Err(0) => self.top(),
            Err(i) if i == self.anchors.len() => self.anchors[i - 1].1,
            Err(i) => {
                let (t0, y0) = self.anchors[i - 1];
                let (t1, y1) = self.anchors[i];
                y0 + (y1 - y0) * (t - t0) as f64 / (t1 - t0) as f64
            }
        }
    }

    /// Breaks: gaps that were shortened, with their real length.
    fn breaks(&self) -> Vec<(f64, Micros)> {
        self.anchors
            .windows(2)
            .filter(|w| w[1].0 - w[0].0 > GAP_CAP_US)
            .map(|w| ((w[0].1 + w[1].1) / 2.0, w[1].0 - w[0].0))
            .collect()
    }
}

fn drawn_segment(
    seg: &sockscope_engine::segment::Segment,
    sent: Micros,
    arrives: Micros,
    dropped: bool,
) -> Drawn {
    use sockscope_engine::segment::Flags;
    use sockscope_engine::Proto;
    Drawn {
        id: seg.id,
        from: seg.from_host,
        to: seg.to_host,
        sent,
        arrives,
        label: if seg.probe {
            format!("probe {}", seg.label())
        } else {
            seg.label()
        },
        short: match (seg.proto, seg.len) {
            (Proto::Udp, n) => format!("UDP {n}B"),
            (_, 0) => seg.flags.to_string(),
            (_, n) if seg.flags == Flags::ACK => format!("{n} bytes"),
            (_, n) => format!("{} {n} bytes", seg.flags),
        },
        detail: match (seg.proto, seg.flags.ack) {
            (Proto::Udp, _) => String::new(),
            (_, true) => format!("seq {} ack {} win {}", seg.seq, seg.ack, seg.window),
            (_, false) => format!("seq {} win {}", seg.seq, seg.window),
        },
        dropped,
        kind: if seg.flags.rst {
            "rst"
        } else if seg.flags.syn {
            "syn"
        } else if seg.flags.fin {
            "fin"
        } else if seg.len > 0 {
            "data"
        } else {
            "ack"
        },
    }
}

/// The segment an event happened on (any part of it), from its `data-seg`.
fn segment_of(target: Option<web_sys::EventTarget>) -> Option<SegId> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let seg = el.closest("[data-seg]").ok()??.get_attribute("data-seg")?;
    seg.parse().ok().map(SegId)
}

/// Paints the moving arrows again, if the SVG and the canvas are on the page.
fn repaint_flights(svg: &NodeRef, canvas: &NodeRef, surface: &mut Surface, focused: Option<SegId>) {
    if let (Some(svg), Some(canvas)) = (
        svg.cast::<web_sys::Element>(),
        canvas.cast::<web_sys::HtmlCanvasElement>(),
    ) {
        flights::paint(&svg, &canvas, surface, focused);
    }
}

#[component]
pub fn Ladder() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    // The previous frame's scale and clock, so that unchanged moments keep their y.
    let kept = use_mut_ref(|| (Scale::default(), 0 as Micros));
    let (svg_ref, canvas_ref) = (use_node_ref(), use_node_ref());
    // What the canvas shows, kept for clicks, focus and resizes between renders.
    let sheet = use_mut_ref(Surface::default);
    {
        // The SVG's width, without asking for layout in the middle of a frame.
        let (svg_ref, canvas_ref, sheet) = (svg_ref.clone(), canvas_ref.clone(), sheet.clone());
        use_effect_with((), move |_| {
            let observer = svg_ref.cast::<web_sys::Element>().and_then(|svg| {
                let (svg_ref, canvas_ref, sheet) =
                    (svg_ref.clone(), canvas_ref.clone(), sheet.clone());
                let target = svg.clone();
                let on_resize = Closure::<dyn FnMut()>::new(move || {
                    let mut surface = sheet.borrow_mut();
                    surface.css_width = target.client_width() as f64;
                    repaint_flights(&svg_ref, &canvas_ref, &mut surface, None);
                });
                let observer =
                    web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
                observer.observe(&svg);
                Some((observer, on_resize))
            });
            move || {
                if let Some((observer, _)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    {
        // A new theme: read the text colour again.
        let sheet = sheet.clone();
        use_effect_with(ctx.theme, move |_| sheet.borrow_mut().fg = None);
    }
    let now = ctx.snapshot.time;
    // A tour's hosts get a lane once they are used, like their columns.
    let hosts: Vec<(HostId, String)> = ctx
        .shown_hosts()
        .iter()
        .map(|h| (h.id, h.name.clone()))
        .collect();
    let lane = |h: HostId| -> f64 {
        let i = hosts.iter().position(|(id, _)| *id == h).unwrap_or(0) as f64;
        let n = hosts.len().max(2) as f64 - 1.0;
        MARGIN + i * (WIDTH - 2.0 * MARGIN) / n
    };
    let segments: Vec<Drawn> = {
        // Newest first, so a long session costs no more than its last segments: drops
        // are recorded after their sends, so they are seen first.
        let session = ctx.session.borrow();
        let mut dropped: BTreeSet<SegId> = BTreeSet::new();
        let mut drawn: Vec<Drawn> = Vec::new();
        for e in session.trace().iter().rev() {
            match &e.event {
                Event::SegmentDropped { seg, .. } => {
                    dropped.insert(*seg);
                }
                Event::SegmentSent {
                    seg,
                    sent_at,
                    arrives_at,
                } => {
                    drawn.push(drawn_segment(
                        seg,
                        *sent_at,
                        *arrives_at,
                        dropped.contains(&seg.id),
                    ));
                    if drawn.len() == MAX_SEGMENTS {
                        break;
                    }
                }
                _ => {}
            }
        }
        drawn.reverse();
        drawn
    };
    let mut times: BTreeSet<Micros> = segments
        .iter()
        .flat_map(|s| [s.sent, s.arrives.min(now)])
        .collect();
    times.insert(now);
    let scale = {
        let mut kept = kept.borrow_mut();
        let (previous, previous_now) = &*kept;
        let scale = Scale::following(previous, previous_now.saturating_sub(1), &times);
        *kept = (scale.clone(), now);
        scale
    };
    // Everything placed in time sits in one group that scrolls as old segments leave.
    let scroll = scale.top() - TOP;
    let height = scale.y(now) - scroll + 40.0;
    // One listener for all segments (a click on any part of one, or Enter/Space on the
    // focused one), so that redrawing a segment never replaces its listeners.
    let on_click = {
        let (ctx, svg_ref, sheet) = (ctx.clone(), svg_ref.clone(), sheet.clone());
        Callback::from(move |e: MouseEvent| {
            let moving = || {
                let svg = svg_ref.cast::<web_sys::Element>()?;
                flights::hit(
                    &svg,
                    &sheet.borrow(),
                    e.client_x() as f64,
                    e.client_y() as f64,
                )
            };
            if let Some(id) = segment_of(e.target()).or_else(moving) {
                ctx.dispatch(Action::SelectSegment(Some(id)));
            }
        })
    };
    // A moving segment has nothing of its own to outline when focused: the canvas
    // draws it thick instead.
    let repaint = |focus: bool| {
        let (svg_ref, canvas_ref, sheet) = (svg_ref.clone(), canvas_ref.clone(), sheet.clone());
        Callback::from(move |e: FocusEvent| {
            let focused = if focus { segment_of(e.target()) } else { None };
            repaint_flights(&svg_ref, &canvas_ref, &mut sheet.borrow_mut(), focused);
        })
    };
    let on_key = {
        let ctx = ctx.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" && e.key() != " " {
                return;
            }
            if let Some(id) = segment_of(e.target()) {
                // The key is the segment's: it must not also start playback.
                e.prevent_default();
                e.stop_propagation();
                ctx.dispatch(Action::SelectSegment(Some(id)));
            }
        })
    };
    // Sequence numbers beside every moving arrow help while a few segments travel; with
    // many they pile up into an unreadable smear, so then only the selected one has them.
    // Likewise the labels of moving arrows, when dozens fly at once (each still names
    // itself in its tooltip and to screen readers, and gets its label on arrival).
    let moving = segments.iter().filter(|s| now < s.arrives).count();
    let details = moving <= MAX_DETAILED;
    let moving_labels = moving <= MAX_LABELED;
    let by_lane: BTreeMap<u32, f64> = hosts.iter().map(|(h, _)| (h.0, lane(*h))).collect();
    let now_y = format!("{:.1}", scale.y(now));
    // Where each segment's arrow starts and ends now.
    let ends = |s: &Drawn| -> ((f64, f64), (f64, f64)) {
        let x1 = lane(s.from);
        let x2 = s.to.map_or(x1 + 30.0, lane);
        let y1 = scale.y(s.sent);
        let lost = s.dropped && now >= s.arrives;
        let frac = if lost {
            0.6
        } else if s.arrives > s.sent {
            ((now.min(s.arrives) - s.sent) as f64 / (s.arrives - s.sent) as f64).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let ye = y1 + (scale.y(s.arrives.min(now).max(s.sent)) - y1) * if lost { 0.6 } else { 1.0 };
        ((x1, y1), (x1 + (x2 - x1) * frac, ye))
    };
    let new_sheet = Sheet {
        flights: segments
            .iter()
            .filter(|s| now < s.arrives)
            .map(|s| {
                let (from, to) = ends(s);
                Flight {
                    id: s.id,
                    kind: s.kind,
                    from,
                    to,
                    selected: ctx.selected_seg == Some(s.id),
                }
            })
            .collect(),
        width: WIDTH,
        height,
        scroll,
    };
    {
        let (svg_ref, canvas_ref, sheet) = (svg_ref.clone(), canvas_ref.clone(), sheet.clone());
        use_effect(move || {
            let focused = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|el| segment_of(Some(el.into())));
            let mut surface = sheet.borrow_mut();
            surface.sheet = new_sheet;
            repaint_flights(&svg_ref, &canvas_ref, &mut surface, focused);
        });
    }
    html! {
        <section class="ladder" aria-label="The wire: every segment over time" data-testid="ladder">
            <h3>{ "The wire" }</h3>
            <div class="ladder-scroll"><div class="ladder-sheet">
                <svg ref={svg_ref.clone()} viewBox={format!("0 0 {WIDTH} {height:.0}")} width="100%" height={format!("{height:.0}")} role="group"
                    aria-label="Ladder diagram: time flows down" onclick={on_click} onkeydown={on_key}
                    onfocusin={repaint(true)} onfocusout={repaint(false)}>
                    { for hosts.iter().map(|(h, name)| {
                        let x = by_lane[&h.0];
                        html! { <g class="lane" key={h.0}>
                            <line x1={x.to_string()} y1="14" x2={x.to_string()} y2={height.to_string()} />
                            <text x={x.to_string()} y="10" text-anchor="middle">{ name }</text>
                        </g> }
                    }) }
                    <g transform={format!("translate(0 {:.1})", -scroll)}>
                    { for scale.breaks().into_iter().map(|(y, gap)| html! {
                        <g class="gap-break" key={format!("{y:.1}")}><text x={(WIDTH / 2.0).to_string()} y={format!("{:.1}", y + 4.0)} text-anchor="middle">
                            { format!("⋯ {} ⋯", crate::view::format_time(gap)) }</text></g>
                    }) }
                    { for segments.iter().map(|s| {
                        let ((x1, y1), (xe, ye)) = ends(s);
                        let done = now >= s.arrives;
                        let lost = s.dropped && done;
                        let selected = ctx.selected_seg == Some(s.id);
                        let class = format!("seg {}{}{}{}", s.kind, if done { "" } else { " in-flight" }, if lost { " dropped" } else { "" }, if selected { " selected" } else { "" });
                        let (lx, ly) = ((x1 + xe) / 2.0, (y1 + ye) / 2.0 - 3.0);
                        html! {
                            <g key={s.id.0} class={class} tabindex="0" role="button" data-seg={s.id.0.to_string()}
                                aria-label={format!("Segment {}: {}{}", s.id.0, s.label, if lost { ", lost" } else if done { "" } else { ", on the wire" })}
                                data-testid={format!("seg-{}", s.id.0)}>
                                if done {
                                    <path d={format!("M{x1:.1} {y1:.1}L{xe:.1} {ye:.1}")} />
                                }
                                if lost {
                                    <path class="fall" d={format!("M{xe:.1} {ye:.1}l6 22")} />
                                    <text class="cross" x={format!("{:.1}", xe + 6.0)} y={format!("{:.1}", ye + 34.0)} text-anchor="middle">{ "✗" }</text>
                                } else if !done {
                                    if details || selected {
                                    <text class="seg-detail" x={format!("{:.1}", xe.clamp(105.0, WIDTH - 105.0))} y={format!("{:.1}", ye + 14.0)} text-anchor="middle">{ &s.detail }</text>
                                    }
                                } else {
                                    <circle class="head" cx={format!("{xe:.1}")} cy={format!("{ye:.1}")} r="2" />
                                }
                                <title>{ &s.label }</title>
                                if done || moving_labels || selected {
                                    <text class="seg-label" transform={format!("translate({lx:.1} {ly:.1})")} text-anchor="middle">{ &s.short }</text>
                                }
                            </g>
                        }
                    }) }
                    <line class="now" x1="0" x2={WIDTH.to_string()} y1={now_y.clone()} y2={now_y} />
                    </g>
                </svg>
                <div class="flights" aria-hidden="true"><canvas ref={canvas_ref.clone()}></canvas></div>
            </div></div>
        </section>
    }
}
