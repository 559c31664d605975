//! The ladder's time axis: virtual time to y, with long quiet gaps shortened.

use sockscope_engine::Micros;
use std::collections::BTreeSet;

/// Pixels per millisecond of virtual time (times the ladder's stretch).
const PX_PER_MS: f64 = 1.2;
/// The stretch of a larger ladder: its rows are this much taller.
pub const LARGE_STRETCH: f64 = 2.0;
/// Quiet stretches longer than this are drawn this long (with a break mark).
const GAP_CAP_US: Micros = 120_000;
/// Where the oldest drawn moment sits, below the host names.
pub const TOP: f64 = 16.0;

/// The font size of a break mark.
pub const BREAK_PX: f64 = 10.0;

/// A break mark's words: how long the shortened stretch really was.
pub fn break_text(gap: Micros) -> String {
    format!("⋯ {} ⋯", sockscope_scenario::units::clock_time(gap))
}

/// Maps virtual time to y, shrinking long quiet gaps. The y of a moment never changes
/// while it stays on the diagram: when old segments leave, the whole drawing scrolls
/// (one transform) instead of every segment being moved, so a frame rewrites only
/// what really moved.
#[derive(Clone, Debug, Default)]
pub struct Scale {
    anchors: Vec<(Micros, f64)>,
}

impl Scale {
    /// `times` sorted; the first is drawn at `start`, and every gap `stretch` times
    /// as tall as usual.
    fn new(times: &BTreeSet<Micros>, start: f64, stretch: f64) -> Self {
        let mut anchors = Vec::new();
        let mut y = start;
        let mut prev: Option<Micros> = None;
        for &t in times {
            if let Some(p) = prev {
                y += (t - p).min(GAP_CAP_US) as f64 / 1000.0 * PX_PER_MS * stretch;
            }
            anchors.push((t, y));
            prev = Some(t);
        }
        Scale { anchors }
    }

    /// The scale for `times` that agrees with `previous` wherever both have anchors:
    /// `times` gained moments only after `previous`'s last settled one and lost only
    /// its first ones (the diagram moved on), so one shift lines them up. Anything
    /// else (a step back, a new session, another stretch) starts afresh.
    pub fn following(
        previous: &Scale,
        settled: Micros,
        times: &BTreeSet<Micros>,
        stretch: f64,
    ) -> Self {
        let first = times.first().copied();
        let start = first
            .filter(|t| *t <= settled)
            .and_then(|t| previous.exact(t))
            .unwrap_or(TOP);
        let scale = Scale::new(times, start, stretch);
        let agrees = previous
            .anchors
            .iter()
            .filter(|(t, _)| *t <= settled && first.is_some_and(|f| *t >= f))
            .all(|&(t, y)| scale.exact(t).is_some_and(|y2| (y2 - y).abs() < 0.01));
        if agrees {
            scale
        } else {
            Scale::new(times, TOP, stretch)
        }
    }

    fn exact(&self, t: Micros) -> Option<f64> {
        self.anchors
            .binary_search_by_key(&t, |a| a.0)
            .ok()
            .map(|i| self.anchors[i].1)
    }

    /// The y of the oldest moment drawn.
    pub fn top(&self) -> f64 {
        self.anchors.first().map_or(TOP, |a| a.1)
    }

    pub fn y(&self, t: Micros) -> f64 {
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
    pub fn breaks(&self) -> Vec<(f64, Micros)> {
        self.anchors
            .windows(2)
            .filter(|w| w[1].0 - w[0].0 > GAP_CAP_US)
            .map(|w| ((w[0].1 + w[1].1) / 2.0, w[1].0 - w[0].0))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(ts: &[Micros]) -> BTreeSet<Micros> {
        ts.iter().copied().collect()
    }

    #[test]
    fn a_long_quiet_gap_is_drawn_short_and_marked() {
        let s = Scale::following(&Scale::default(), 0, &times(&[0, 50_000, 2_050_000]), 1.0);
        assert_eq!(s.y(0), TOP);
        assert!((s.y(50_000) - (TOP + 60.0)).abs() < 1e-9);
        assert!((s.y(2_050_000) - (TOP + 60.0 + 144.0)).abs() < 1e-9);
        assert_eq!(s.breaks().len(), 1);
        assert_eq!(s.breaks()[0].1, 2_000_000);
    }

    #[test]
    fn moments_that_stay_keep_their_y_when_old_ones_leave() {
        let before = Scale::following(&Scale::default(), 0, &times(&[0, 10_000, 20_000]), 1.0);
        let after = Scale::following(&before, 20_000, &times(&[10_000, 20_000, 30_000]), 1.0);
        assert_eq!(after.y(10_000), before.y(10_000));
        assert_eq!(after.y(20_000), before.y(20_000));
        assert!(after.top() > TOP, "the drawing scrolls instead");
    }

    #[test]
    fn a_step_back_starts_the_axis_afresh() {
        let before = Scale::following(&Scale::default(), 0, &times(&[0, 10_000, 20_000]), 1.0);
        let back = Scale::following(&before, 20_000, &times(&[5_000]), 1.0);
        assert_eq!(back.top(), TOP);
    }
}
