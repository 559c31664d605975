//! Where the ladder's words go, decided without a browser. Each label sits on its own
//! arrow over a background, at the first place along it (nearest the middle first)
//! where its box meets no other word, no lane, no other arrow and no break mark. The
//! sequence-number line of a moving segment goes
//! under its head, or over it, on the same terms. A word with no such place is left
//! out: its segment still names itself in its tooltip and to screen readers, and the
//! words that are drawn can be read.

/// Font sizes of the labels and of the sequence-number lines (the stylesheet's).
pub const LABEL_PX: f64 = 9.0;
pub const DETAIL_PX: f64 = 8.5;
/// The width of one character of the ladder's monospace font, per pixel of font size
/// (DejaVu Sans Mono's advance is 0.602 em), rounded up.
const ADVANCE: f64 = 0.62;
/// Room around the text inside its background.
const PAD: f64 = 1.5;
/// A line's height, per pixel of font size.
const LEADING: f64 = 1.25;
/// Places tried along an arrow, as fractions of its length, nearest the middle first.
const ALONG: [f64; 9] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88];
/// Space between a moving arrow's head and its sequence-number line.
const DETAIL_GAP: f64 = 3.0;

/// From one point to another, in the ladder's coordinates.
pub type Line = ((f64, f64), (f64, f64));

/// Arrows closer than this at both ends are drawn as one (segments of a burst).
const SAME_ARROW: f64 = 2.0;

/// Whether two arrows are drawn on top of each other: a label of one may lie on the
/// other, as on its own.
pub fn coincide(((ax, ay), (bx, by)): Line, ((cx, cy), (dx, dy)): Line) -> bool {
    let near = |p: f64, q: f64| (p - q).abs() <= SAME_ARROW;
    near(ax, cx) && near(ay, cy) && near(bx, dx) && near(by, dy)
}

/// A box, in the ladder's coordinates (y down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// The background of `text` at `px`, centred on `(cx, cy)`.
    pub fn around(text: &str, px: f64, (cx, cy): (f64, f64)) -> Rect {
        let (w, h) = (
            text.chars().count() as f64 * px * ADVANCE + 2.0 * PAD,
            px * LEADING,
        );
        Rect {
            x0: cx - w / 2.0,
            y0: cy - h / 2.0,
            x1: cx + w / 2.0,
            y1: cy + h / 2.0,
        }
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    pub fn centre_x(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }

    /// Where text of `px` centred in this box has its baseline.
    pub fn baseline(&self, px: f64) -> f64 {
        (self.y0 + self.y1) / 2.0 + px * 0.35
    }

    /// Moved sideways as little as needed to lie between 0 and `width`.
    fn within(self, width: f64) -> Rect {
        let dx = if self.x0 < 0.0 {
            -self.x0
        } else if self.x1 > width {
            width - self.x1
        } else {
            0.0
        };
        Rect {
            x0: self.x0 + dx,
            x1: self.x1 + dx,
            ..self
        }
    }

    pub fn intersects(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Whether any point of `line` lies inside this box (Liang–Barsky clipping).
    pub fn meets(&self, ((ax, ay), (bx, by)): Line) -> bool {
        if ax.max(bx) < self.x0
            || ax.min(bx) > self.x1
            || ay.max(by) < self.y0
            || ay.min(by) > self.y1
        {
            return false;
        }
        let (dx, dy) = (bx - ax, by - ay);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (p, q) in [
            (-dx, ax - self.x0),
            (dx, self.x1 - ax),
            (-dy, ay - self.y0),
            (dy, self.y1 - ay),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        t0 <= t1
    }
}

/// The words one segment would like to show.
#[derive(Clone, Debug)]
pub struct Wanted<'a> {
    pub arrow: Line,
    pub label: Option<&'a str>,
    /// Its sequence-number line, placed at the head of the arrow.
    pub detail: Option<&'a str>,
    /// The x of its sender's lane and of where it is going (a moving arrow has not got
    /// there yet): the sequence-number line is kept between them.
    pub span: (f64, f64),
}

/// Where a segment's words go; `None` where they are left out.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Placed {
    pub label: Option<Rect>,
    pub detail: Option<Rect>,
}

/// What words must keep clear of besides the arrows and each other.
#[derive(Clone, Debug, Default)]
pub struct Obstacles {
    pub lines: Vec<Line>,
    pub boxes: Vec<Rect>,
}

/// What is already on the drawing while words are placed.
struct Taken<'a> {
    arrows: Vec<Line>,
    fixed: &'a Obstacles,
    words: Vec<Rect>,
    width: f64,
}

impl Taken<'_> {
    /// Free of everything except arrow `own` and those drawn on top of it (a label
    /// lies on its own arrow).
    fn free(&self, r: &Rect, own: Option<usize>) -> bool {
        let own = own.map(|i| self.arrows[i]);
        r.x0 >= 0.0
            && r.x1 <= self.width
            && !self.words.iter().any(|w| w.intersects(r))
            && !self.fixed.boxes.iter().any(|b| b.intersects(r))
            && !self.fixed.lines.iter().any(|l| r.meets(*l))
            && !self
                .arrows
                .iter()
                .any(|l| !own.is_some_and(|o| coincide(o, *l)) && r.meets(*l))
    }

    fn take(
        &mut self,
        candidates: impl IntoIterator<Item = Rect>,
        own: Option<usize>,
    ) -> Option<Rect> {
        let r = candidates
            .into_iter()
            .map(|r| r.within(self.width))
            .find(|r| self.free(r, own))?;
        self.words.push(r);
        Some(r)
    }
}

/// Places the words of `wanted` in the order `order` gives (the first get the best
/// places), on a drawing `width` wide.
pub fn place(wanted: &[Wanted], order: &[usize], fixed: &Obstacles, width: f64) -> Vec<Placed> {
    let mut taken = Taken {
        arrows: wanted.iter().map(|w| w.arrow).collect(),
        fixed,
        words: Vec::new(),
        width,
    };
    let mut placed = vec![Placed::default(); wanted.len()];
    for &i in order {
        let w = &wanted[i];
        let ((x1, y1), (x2, y2)) = w.arrow;
        if let Some(text) = w.label {
            let along = ALONG
                .iter()
                .map(|f| Rect::around(text, LABEL_PX, (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f)));
            // An arrow that has only just left is too short to carry its label: then
            // beside its start, toward where it goes, under or over it.
            let toward = if w.span.1 >= w.span.0 { 1.0 } else { -1.0 };
            let half = Rect::around(text, LABEL_PX, (0.0, 0.0));
            let x = x1 + toward * (half.width() / 2.0 + 3.0);
            let beside = [1.0, -1.0]
                .map(|up| Rect::around(text, LABEL_PX, (x, y1 + up * (half.height() / 2.0 + 1.0))));
            placed[i].label = taken.take(along.chain(beside), Some(i));
        }
        if let Some(text) = w.detail {
            // Under (or over) the head, kept between the arrow's two ends where it fits
            // there: a lane runs at each end.
            let h = DETAIL_PX * LEADING / 2.0 + DETAIL_GAP;
            let half = Rect::around(text, DETAIL_PX, (0.0, 0.0)).width() / 2.0 + 1.0;
            let (a, b) = w.span;
            let (lo, hi) = (a.min(b) + half, a.max(b) - half);
            let x = if lo <= hi { x2.clamp(lo, hi) } else { x2 };
            let beside = [y2 + h, y2 - h].map(|y| Rect::around(text, DETAIL_PX, (x, y)));
            placed[i].detail = taken.take(beside, None);
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect { x0, y0, x1, y1 }
    }

    #[test]
    fn a_line_through_a_box_meets_it_and_one_beside_it_does_not() {
        let r = rect(10.0, 10.0, 20.0, 20.0);
        assert!(r.meets(((0.0, 0.0), (30.0, 30.0))));
        assert!(r.meets(((15.0, 0.0), (15.0, 100.0))));
        assert!(!r.meets(((0.0, 12.0), (8.0, 30.0))));
        assert!(!r.meets(((0.0, 25.0), (30.0, 25.0))));
        assert!(!r.meets(((21.0, 0.0), (40.0, 30.0))));
    }

    #[test]
    fn a_label_moves_along_its_arrow_away_from_another_word() {
        let arrow = ((50.0, 0.0), (350.0, 60.0));
        let wanted = [
            Wanted {
                span: (48.0, 352.0),
                arrow: ((150.0, -50.0), (150.0, -40.0)),
                label: Some("SYN"),
                detail: None,
            },
            Wanted {
                span: (48.0, 352.0),
                arrow,
                label: Some("ACK"),
                detail: None,
            },
        ];
        let middle = Rect::around("ACK", LABEL_PX, (200.0, 30.0));
        let fixed = Obstacles {
            lines: vec![],
            boxes: vec![middle],
        };
        let placed = place(&wanted, &[1], &fixed, 400.0);
        let got = placed[1].label.expect("a place along the arrow");
        assert!(!got.intersects(&middle));
        assert!(got.meets(arrow), "still on its own arrow");
    }

    #[test]
    fn a_word_with_no_free_place_is_left_out() {
        let arrow = ((50.0, 0.0), (350.0, 0.0));
        let wall = Obstacles {
            lines: vec![],
            boxes: vec![rect(0.0, -20.0, 400.0, 20.0)],
        };
        let placed = place(
            &[Wanted {
                span: (48.0, 352.0),
                arrow,
                label: Some("FIN"),
                detail: Some("seq 1"),
            }],
            &[0],
            &wall,
            400.0,
        );
        assert_eq!(placed[0], Placed::default());
    }

    #[test]
    fn a_long_detail_line_is_kept_inside_the_drawing() {
        let arrow = ((48.0, 0.0), (352.0, 60.0));
        let detail = "seq 1703865447 ack 2298633410 win 16384";
        let placed = place(
            &[Wanted {
                span: (48.0, 352.0),
                arrow,
                label: None,
                detail: Some(detail),
            }],
            &[0],
            &Obstacles::default(),
            400.0,
        );
        let d = placed[0].detail.expect("room under the head");
        assert!(d.x0 >= 0.0 && d.x1 <= 400.0 && d.y0 > 60.0);
    }
}
