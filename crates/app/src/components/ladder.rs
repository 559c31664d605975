//! The wire as a ladder (time-sequence) diagram: one lane per host, time flowing down,
//! every segment an arrow from its sender at the time it left to its receiver at the
//! time it arrives. Segments on the wire now are drawn up to the present moment; lost
//! ones stop short and fall.

use crate::app::Ctx;
use crate::state::Action;
use sockscope_engine::trace::Event;
use sockscope_engine::{HostId, Micros, SegId};
use std::collections::{BTreeMap, BTreeSet};
use yew::prelude::*;

/// Pixels per millisecond of virtual time.
const PX_PER_MS: f64 = 1.2;
/// Quiet stretches longer than this are drawn this long (with a break mark).
const GAP_CAP_US: Micros = 120_000;
/// Only the most recent segments are drawn.
const MAX_SEGMENTS: usize = 80;
const WIDTH: f64 = 400.0;
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

/// Maps virtual time to y, shrinking long quiet gaps.
struct Scale {
    anchors: Vec<(Micros, f64)>,
}

impl Scale {
    fn new(times: &BTreeSet<Micros>) -> Self {
        let mut anchors = Vec::new();
        let mut y = 16.0;
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

    fn y(&self, t: Micros) -> f64 {
        match self.anchors.binary_search_by_key(&t, |a| a.0) {
            Ok(i) => self.anchors[i].1,
            Err(0) => self.anchors.first().map_or(16.0, |a| a.1),
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

#[component]
pub fn Ladder() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let now = ctx.snapshot.time;
    let hosts: Vec<(HostId, String)> = ctx
        .snapshot
        .hosts
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
    let scale = Scale::new(&times);
    let height = scale.y(now) + 40.0;
    let select = |id: SegId| {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::SelectSegment(Some(id))))
    };
    let select_key = |id: SegId| {
        let ctx = ctx.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                // The key is the segment's: it must not also start playback.
                e.prevent_default();
                e.stop_propagation();
                ctx.dispatch(Action::SelectSegment(Some(id)));
            }
        })
    };
    let by_lane: BTreeMap<u32, f64> = hosts.iter().map(|(h, _)| (h.0, lane(*h))).collect();
    html! {
        <section class="ladder" aria-label="The wire: every segment over time" data-testid="ladder">
            <h3>{ "The wire" }</h3>
            <div class="ladder-scroll">
                <svg viewBox={format!("0 0 {WIDTH} {height:.0}")} width="100%" height={format!("{height:.0}")} role="group"
                    aria-label="Ladder diagram: time flows down">
                    { for hosts.iter().map(|(h, name)| {
                        let x = by_lane[&h.0];
                        html! { <g class="lane">
                            <line x1={x.to_string()} y1="14" x2={x.to_string()} y2={height.to_string()} />
                            <text x={x.to_string()} y="10" text-anchor="middle">{ name }</text>
                        </g> }
                    }) }
                    { for scale.breaks().into_iter().map(|(y, gap)| html! {
                        <g class="gap-break"><text x={(WIDTH / 2.0).to_string()} y={format!("{:.1}", y + 4.0)} text-anchor="middle">
                            { format!("⋯ {} ⋯", crate::view::format_time(gap)) }</text></g>
                    }) }
                    { for segments.iter().map(|s| {
                        let x1 = lane(s.from);
                        let x2 = s.to.map_or(x1 + 30.0, lane);
                        let y1 = scale.y(s.sent);
                        let done = now >= s.arrives;
                        let frac = if s.arrives > s.sent { ((now.min(s.arrives) - s.sent) as f64 / (s.arrives - s.sent) as f64).clamp(0.0, 1.0) } else { 1.0 };
                        let frac = if s.dropped && done { 0.6 } else { frac };
                        let (xe, ye) = (x1 + (x2 - x1) * frac, y1 + (scale.y(s.arrives.min(now).max(s.sent)) - y1) * if s.dropped && done { 0.6 } else { 1.0 });
                        let selected = ctx.selected_seg == Some(s.id);
                        let class = classes!("seg", s.kind, (!done).then_some("in-flight"), (s.dropped && done).then_some("dropped"), selected.then_some("selected"));
                        let (lx, ly) = ((x1 + xe) / 2.0, (y1 + ye) / 2.0 - 3.0);
                        html! {
                            <g key={s.id.0} class={class} tabindex="0" role="button" onclick={select(s.id)} onkeydown={select_key(s.id)}
                                aria-label={format!("Segment {}: {}{}", s.id.0, s.label, if s.dropped && done { ", lost" } else if done { "" } else { ", on the wire" })}
                                data-testid={format!("seg-{}", s.id.0)}>
                                <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{xe:.1}")} y2={format!("{ye:.1}")} />
                                if s.dropped && done {
                                    <line class="fall" x1={format!("{xe:.1}")} y1={format!("{ye:.1}")} x2={format!("{:.1}", xe + 6.0)} y2={format!("{:.1}", ye + 22.0)} />
                                    <text class="cross" x={format!("{:.1}", xe + 6.0)} y={format!("{:.1}", ye + 34.0)} text-anchor="middle">{ "✗" }</text>
                                } else if !done {
                                    <circle cx={format!("{xe:.1}")} cy={format!("{ye:.1}")} r="4" />
                                    <text class="seg-detail" x={format!("{:.1}", xe.clamp(105.0, WIDTH - 105.0))} y={format!("{:.1}", ye + 14.0)} text-anchor="middle">{ &s.detail }</text>
                                } else {
                                    <circle class="head" cx={format!("{xe:.1}")} cy={format!("{ye:.1}")} r="2" />
                                }
                                <title>{ &s.label }</title>
                                <text class="seg-label" x={format!("{lx:.1}")} y={format!("{ly:.1}")} text-anchor="middle">{ &s.short }</text>
                            </g>
                        }
                    }) }
                    <line class="now" x1="0" x2={WIDTH.to_string()} y1={format!("{:.1}", scale.y(now))} y2={format!("{:.1}", scale.y(now))} />
                </svg>
            </div>
        </section>
    }
}
