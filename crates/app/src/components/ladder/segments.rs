//! What the ladder draws, decided without a browser: the newest segments sent (each
//! marked if it was lost), the lane of each host, where each arrow starts and ends at
//! the present moment, and how much text the moving arrows can carry.

use super::labels::{self, Line, Obstacles, Placed, Rect, Wanted};
use super::scale::{self, Scale};
use crate::components::flights::Flight;
use sockscope_engine::segment::{Flags, Segment};
use sockscope_engine::trace::Event;
use sockscope_engine::{HostId, Micros, Proto, SegId, TraceEntry};
use std::collections::BTreeSet;

/// Only the most recent segments are drawn.
pub const MAX_SEGMENTS: usize = 80;
/// Moving segments drawn with their sequence numbers, at most.
const MAX_DETAILED: usize = 4;
/// Moving segments drawn with their labels, at most.
const MAX_LABELED: usize = 16;
/// The diagram's width in its own coordinates.
pub const WIDTH: f64 = 400.0;
/// A larger ladder is as wide as its box, up to this.
pub const LARGE_WIDTH: f64 = 1200.0;
/// The space beside the outer lanes.
const MARGIN: f64 = 48.0;
/// How far a lost segment gets before it falls.
const LOST_AT: f64 = 0.6;

/// One segment as the ladder draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawn {
    pub id: SegId,
    pub from: HostId,
    pub to: Option<HostId>,
    pub sent: Micros,
    pub arrives: Micros,
    /// Its full name (tooltip, screen readers).
    pub label: String,
    /// What is written beside its arrow.
    pub short: String,
    /// Sequence number, acknowledgment and window, shown while it travels.
    pub detail: String,
    pub dropped: bool,
    /// `syn`, `fin`, `rst`, `data` or `ack`: its style (and the canvas's colour).
    pub kind: &'static str,
}

impl Drawn {
    fn new(seg: &Segment, sent: Micros, arrives: Micros, dropped: bool) -> Drawn {
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
                (Proto::Udp, n) => format!("UDP {n} bytes"),
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
            kind: kind(seg),
        }
    }

    /// Still on the wire at `now`.
    pub fn moving(&self, now: Micros) -> bool {
        now < self.arrives
    }

    /// Lost, and the moment it would have arrived has passed.
    pub fn lost(&self, now: Micros) -> bool {
        self.dropped && !self.moving(now)
    }
}

fn kind(seg: &Segment) -> &'static str {
    if seg.flags.rst {
        "rst"
    } else if seg.flags.syn {
        "syn"
    } else if seg.flags.fin {
        "fin"
    } else if seg.len > 0 {
        "data"
    } else {
        "ack"
    }
}

/// The newest `max` segments sent, oldest first. The trace is read newest first, so a
/// long session costs no more than its last segments: drops are recorded after their
/// sends, so they are seen first.
pub fn recent(trace: &[TraceEntry], max: usize) -> Vec<Drawn> {
    let mut dropped: BTreeSet<SegId> = BTreeSet::new();
    let mut drawn: Vec<Drawn> = Vec::new();
    for e in trace.iter().rev() {
        match &e.event {
            Event::SegmentDropped { seg, .. } => {
                dropped.insert(*seg);
            }
            Event::SegmentSent {
                seg,
                sent_at,
                arrives_at,
            } => {
                drawn.push(Drawn::new(
                    seg,
                    *sent_at,
                    *arrives_at,
                    dropped.contains(&seg.id),
                ));
                if drawn.len() == max {
                    break;
                }
            }
            _ => {}
        }
    }
    drawn.reverse();
    drawn
}

/// The moments the time axis must place: every send, every arrival up to now, now.
pub fn moments(segments: &[Drawn], now: Micros) -> BTreeSet<Micros> {
    let mut times: BTreeSet<Micros> = segments
        .iter()
        .flat_map(|s| [s.sent, s.arrives.min(now)])
        .collect();
    times.insert(now);
    times
}

/// Where each host's lane runs: spread evenly between the margins of a drawing
/// `width` wide, in the order the hosts are shown.
pub struct Lanes {
    hosts: Vec<HostId>,
    width: f64,
}

impl Lanes {
    pub fn new(hosts: Vec<HostId>, width: f64) -> Self {
        Lanes { hosts, width }
    }

    /// The drawing's width.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Every lane's x, in order.
    pub fn xs(&self) -> impl Iterator<Item = f64> + '_ {
        self.hosts.iter().map(|h| self.x(*h))
    }

    pub fn x(&self, h: HostId) -> f64 {
        let i = self.hosts.iter().position(|id| *id == h).unwrap_or(0) as f64;
        let n = self.hosts.len().max(2) as f64 - 1.0;
        MARGIN + i * (self.width - 2.0 * MARGIN) / n
    }
}

/// An arrow from its start to where its head is now.
pub type Ends = ((f64, f64), (f64, f64));

/// Where a segment's arrow starts and ends at `now`: a moving one part of the way,
/// a lost one stops short (and falls), one to nowhere points a little to the side.
pub fn ends(s: &Drawn, now: Micros, scale: &Scale, lanes: &Lanes) -> Ends {
    let x1 = lanes.x(s.from);
    let x2 = s.to.map_or(x1 + 30.0, |h| lanes.x(h));
    let y1 = scale.y(s.sent);
    let lost = s.lost(now);
    let frac = if lost {
        LOST_AT
    } else if s.arrives > s.sent {
        ((now.min(s.arrives) - s.sent) as f64 / (s.arrives - s.sent) as f64).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let ye = y1 + (scale.y(s.arrives.min(now).max(s.sent)) - y1) * if lost { LOST_AT } else { 1.0 };
    ((x1, y1), (x1 + (x2 - x1) * frac, ye))
}

/// How much text moving arrows carry. Sequence numbers beside every moving arrow help
/// while a few segments travel; with many they pile up into an unreadable smear, so
/// then only the selected one has them. Likewise the labels of moving arrows, when
/// dozens fly at once (each still names itself in its tooltip and to screen readers,
/// and gets its label on arrival).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub details: bool,
    pub moving_labels: bool,
}

impl Text {
    pub fn for_segments(segments: &[Drawn], now: Micros) -> Text {
        let moving = segments.iter().filter(|s| s.moving(now)).count();
        Text {
            details: moving <= MAX_DETAILED,
            moving_labels: moving <= MAX_LABELED,
        }
    }
}

/// How far a lost segment's fall goes below where it stopped, and where its cross is.
pub const FALL: (f64, f64) = (6.0, 22.0);
pub const CROSS_BELOW: f64 = 34.0;
pub const CROSS_PX: f64 = 14.0;

/// Where the words of every segment in `segments` go (in its order): see `labels`.
/// The selected segment's words are placed first; then those of arrived segments,
/// newest first (they stay put while others move); then those still on the wire.
pub fn words(
    segments: &[Drawn],
    now: Micros,
    scale: &Scale,
    lanes: &Lanes,
    selected: Option<SegId>,
) -> Vec<Placed> {
    let text = Text::for_segments(segments, now);
    let ends: Vec<Ends> = segments
        .iter()
        .map(|s| ends(s, now, scale, lanes))
        .collect();
    let wanted: Vec<Wanted> = segments
        .iter()
        .zip(&ends)
        .map(|(s, &arrow)| {
            let (done, chosen) = (!s.moving(now), selected == Some(s.id));
            let from = lanes.x(s.from);
            Wanted {
                arrow,
                span: (from, s.to.map_or(from + 30.0, |h| lanes.x(h))),
                label: (done || text.moving_labels || chosen).then_some(s.short.as_str()),
                detail: (!done && !s.detail.is_empty() && (chosen || text.details))
                    .then_some(s.detail.as_str()),
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..segments.len()).rev().collect();
    order.sort_by_key(|&i| (selected != Some(segments[i].id), segments[i].moving(now)));
    let fixed = obstacles(segments, &ends, now, scale, lanes);
    labels::place(&wanted, &order, &fixed, lanes.width())
}

/// What words keep clear of besides the arrows: the lanes, the break marks, and the
/// fall and cross of each lost segment. (The line of the present moment may pass
/// behind a word's background: the newest arrows end on it.)
fn obstacles(
    segments: &[Drawn],
    ends: &[Ends],
    now: Micros,
    scale: &Scale,
    lanes: &Lanes,
) -> Obstacles {
    let mut lines: Vec<Line> = lanes
        .xs()
        .map(|x| ((x, f64::MIN / 4.0), (x, f64::MAX / 4.0)))
        .collect();
    let width = lanes.width();
    let mut boxes: Vec<Rect> = scale
        .breaks()
        .into_iter()
        .map(|(y, gap)| Rect::around(&scale::break_text(gap), scale::BREAK_PX, (width / 2.0, y)))
        .collect();
    for (s, &(_, (xe, ye))) in segments.iter().zip(ends) {
        if s.lost(now) {
            lines.push(((xe, ye), (xe + FALL.0, ye + FALL.1)));
            boxes.push(Rect::around(
                "✗",
                CROSS_PX,
                (xe + FALL.0, ye + CROSS_BELOW - CROSS_PX * 0.35),
            ));
        }
    }
    Obstacles { lines, boxes }
}

/// The moving arrows, for the canvas.
pub fn flights(
    segments: &[Drawn],
    now: Micros,
    scale: &Scale,
    lanes: &Lanes,
    selected: Option<SegId>,
) -> Vec<Flight> {
    segments
        .iter()
        .filter(|s| s.moving(now))
        .map(|s| {
            let (from, to) = ends(s, now, scale, lanes);
            Flight {
                id: s.id,
                kind: s.kind,
                from,
                to,
                selected: selected == Some(s.id),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockscope_scenario::{parse, Runner};

    fn trace_of(text: &str) -> Runner {
        let mut runner = Runner::new(&parse(text).unwrap());
        runner.run_to_end();
        assert!(runner.report().ok(), "{}", runner.report().text());
        runner
    }

    const HANDSHAKE: &str = "host A 10.0.0.1\nhost B 10.0.0.2\n\
        B: l = socket(TCP); bind(l, *:9); listen(l, 5)\n\
        A: c = socket(TCP); connect(c, 10.0.0.2:9)\n";

    #[test]
    fn a_handshake_is_three_segments_oldest_first() {
        let r = trace_of(HANDSHAKE);
        let drawn = recent(r.world().trace(), MAX_SEGMENTS);
        let kinds: Vec<&str> = drawn.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, ["syn", "syn", "ack"]);
        assert!(drawn.windows(2).all(|w| w[0].sent <= w[1].sent));
        assert!(drawn.iter().all(|d| !d.dropped));
    }

    #[test]
    fn only_the_newest_segments_are_kept() {
        let r = trace_of(&format!(
            "{HANDSHAKE}B: s = accept(l)\nA: send(c, 20000)\nnet: run\n"
        ));
        let all = recent(r.world().trace(), usize::MAX);
        let last = recent(r.world().trace(), 5);
        assert!(all.len() > 5);
        assert_eq!(last, all[all.len() - 5..]);
    }

    #[test]
    fn a_dropped_segment_is_marked_and_stops_short() {
        let r = trace_of(&format!(
            "{HANDSHAKE}B: s = accept(l)\nnet: drop next A -> B\nA: send(c, 10)\nnet: run\n"
        ));
        let drawn = recent(r.world().trace(), MAX_SEGMENTS);
        let lost = drawn.iter().find(|d| d.dropped).expect("a lost segment");
        let now = r.world().now();
        assert!(lost.lost(now));
        let lanes = Lanes::new(r.world().hosts().iter().map(|h| h.id).collect(), WIDTH);
        let scale = Scale::following(&Scale::default(), 0, &moments(&drawn, now), 1.0);
        let ((x1, _), (xe, _)) = ends(lost, now, &scale, &lanes);
        let x2 = lanes.x(lost.to.unwrap());
        assert!((xe - (x1 + (x2 - x1) * LOST_AT)).abs() < 1e-9);
    }

    #[test]
    fn many_moving_arrows_carry_less_text() {
        let r = trace_of(HANDSHAKE);
        let drawn = recent(r.world().trace(), MAX_SEGMENTS);
        let before_any_arrives = drawn[0].sent;
        let few = Text::for_segments(&drawn[..1], before_any_arrives);
        assert_eq!(
            few,
            Text {
                details: true,
                moving_labels: true
            }
        );
        let many: Vec<Drawn> = (0..MAX_LABELED + 1).map(|_| drawn[0].clone()).collect();
        let crowd = Text::for_segments(&many, before_any_arrives);
        assert!(!crowd.details && !crowd.moving_labels);
        assert_eq!(
            flights(
                &many,
                before_any_arrives,
                &Scale::default(),
                &Lanes::new(vec![], WIDTH),
                None
            )
            .len(),
            many.len()
        );
    }

    /// Every word box `words` gives for `drawn` at `now`, checked against everything it
    /// must keep clear of; returns how many words were drawn.
    fn assert_words_legible(
        drawn: &[Drawn],
        now: Micros,
        lanes: &Lanes,
        selected: Option<SegId>,
    ) -> usize {
        legible_at(drawn, now, lanes, selected, 1.0)
    }

    fn legible_at(
        drawn: &[Drawn],
        now: Micros,
        lanes: &Lanes,
        selected: Option<SegId>,
        stretch: f64,
    ) -> usize {
        let scale = Scale::following(&Scale::default(), 0, &moments(drawn, now), stretch);
        let placed = words(drawn, now, &scale, lanes, selected);
        let ends: Vec<Ends> = drawn.iter().map(|s| ends(s, now, &scale, lanes)).collect();
        let boxes: Vec<(usize, Rect)> = placed
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.label.into_iter().chain(p.detail).map(move |r| (i, r)))
            .collect();
        for (k, (i, a)) in boxes.iter().enumerate() {
            for (j, b) in &boxes[k + 1..] {
                assert!(
                    !a.intersects(b),
                    "the words of segments {i} and {j} overlap: {a:?} {b:?}"
                );
            }
            for (j, arrow) in ends.iter().enumerate() {
                // A label lies on its own arrow (and on those drawn on top of it).
                let own_label = placed[*i].label == Some(*a) && labels::coincide(ends[*i], *arrow);
                assert!(
                    own_label || !a.meets(*arrow),
                    "a word of segment {i} lies on the arrow of {j}"
                );
            }
            for x in lanes.xs() {
                assert!(
                    !a.meets(((x, -1e9), (x, 1e9))),
                    "a word of segment {i} lies on a lane"
                );
            }
            assert!(
                a.x0 >= 0.0 && a.x1 <= lanes.width(),
                "a word of segment {i} leaves the drawing"
            );
        }
        boxes.len()
    }

    #[test]
    fn in_a_dense_trace_no_two_words_overlap_and_none_lies_on_a_line() {
        let r = trace_of(&format!(
            "{HANDSHAKE}B: s = accept(l)\nA: send(c, 60000)\nB: send(s, 30000)\n\
             net: drop next A -> B\nnet: run\n"
        ));
        let drawn = recent(r.world().trace(), MAX_SEGMENTS);
        assert!(drawn.len() >= 40, "a dense trace: {} segments", drawn.len());
        let lanes = Lanes::new(r.world().hosts().iter().map(|h| h.id).collect(), WIDTH);
        // At rest, and at moments while many are on the wire (details and labels of
        // moving arrows too), with and without a selected segment.
        let mut shown = assert_words_legible(&drawn, r.world().now(), &lanes, None);
        for s in drawn.iter().step_by(7) {
            let mid = s.sent + (s.arrives - s.sent) / 2;
            let then: Vec<Drawn> = drawn.iter().filter(|d| d.sent <= mid).cloned().collect();
            shown += assert_words_legible(&then, mid, &lanes, Some(s.id));
        }
        assert!(
            shown >= 20,
            "only {shown} words drawn: the test would pass with none"
        );
        // The same holds on a larger ladder (wider, taller rows).
        let hosts: Vec<HostId> = r.world().hosts().iter().map(|h| h.id).collect();
        let large = Lanes::new(hosts, LARGE_WIDTH);
        for s in drawn.iter().step_by(5) {
            let then: Vec<Drawn> = drawn
                .iter()
                .filter(|d| d.sent <= s.arrives)
                .cloned()
                .collect();
            legible_at(&then, s.arrives, &large, None, scale::LARGE_STRETCH);
        }
    }

    #[test]
    fn the_selected_segment_and_a_few_moving_ones_keep_their_words() {
        let r = trace_of(HANDSHAKE);
        let drawn = recent(r.world().trace(), MAX_SEGMENTS);
        let lanes = Lanes::new(r.world().hosts().iter().map(|h| h.id).collect(), WIDTH);
        // The SYN halfway across: its label and its sequence numbers are drawn.
        let syn = &drawn[0];
        let now = syn.sent + (syn.arrives - syn.sent) / 2;
        let scale = Scale::following(&Scale::default(), 0, &moments(&drawn[..1], now), 1.0);
        let placed = words(&drawn[..1], now, &scale, &lanes, None);
        assert!(
            placed[0].label.is_some() && placed[0].detail.is_some(),
            "{placed:?}"
        );
        // Just sent, its head by the sender's lane: the numbers still fit between the lanes.
        let now = syn.sent + (syn.arrives - syn.sent) / 10;
        let scale = Scale::following(&Scale::default(), 0, &moments(&drawn[..1], now), 1.0);
        let placed = words(&drawn[..1], now, &scale, &lanes, None);
        assert!(placed[0].detail.is_some(), "{placed:?}");
        // Once all three have arrived, every one is labelled.
        let now = drawn[2].arrives;
        let scale = Scale::following(&Scale::default(), 0, &moments(&drawn, now), 1.0);
        let placed = words(&drawn, now, &scale, &lanes, Some(drawn[1].id));
        assert!(placed.iter().all(|p| p.label.is_some()), "{placed:?}");
    }
}
