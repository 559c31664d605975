//! The path of each arrow from a descriptor row to the socket structure it refers to,
//! decided without a browser. An arrow leaves its row to the right (nothing stands
//! beside a row of the descriptor table), runs down or up in the host's right margin,
//! where there is no text, and enters its card's right edge from outside: it never
//! crosses the words of a process or a card. Arrows to one card share a lane; arrows
//! to different cards get lanes of their own, the upper cards nearer the content.

/// Space between two lanes of the margin.
const LANE_GAP: f64 = 3.0;
/// The first lane's distance from the content's right edge.
const FIRST_LANE: f64 = 8.0;
/// Corner radius of a path's bends.
const BEND: f64 = 3.0;
/// How far below a card's top its arrow enters (beside its heading).
const ENTRY_BELOW_TOP: f64 = 14.0;

/// One descriptor row: where its text ends, the middle of its height, and which card
/// it refers to (an index into the cards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    pub right: f64,
    pub y: f64,
    pub card: usize,
}

/// One card: its right edge and its top.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Card {
    pub right: f64,
    pub top: f64,
}

/// One arrow's corners: from its row to its lane, along the lane, into its card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Route {
    pub start: (f64, f64),
    pub lane: f64,
    pub end: (f64, f64),
}

impl Route {
    /// SVG path data, with rounded bends.
    pub fn path(&self) -> String {
        let ((x1, y1), (x2, y2), x) = (self.start, self.end, self.lane);
        let down = if y2 >= y1 { 1.0 } else { -1.0 };
        let r = BEND.min((y2 - y1).abs() / 2.0);
        format!(
            "M{x1:.1} {y1:.1}H{:.1}Q{x:.1} {y1:.1} {x:.1} {:.1}V{:.1}Q{x:.1} {y2:.1} {:.1} {y2:.1}H{x2:.1}",
            x - r,
            y1 + down * r,
            y2 - down * r,
            x - r
        )
    }
}

/// The routes of `rows` to `cards`, in a margin that starts at `content_right` and
/// ends at `margin_right` (lanes that do not fit share the outermost one).
pub fn routes(rows: &[Row], cards: &[Card], content_right: f64, margin_right: f64) -> Vec<Route> {
    let mut used: Vec<usize> = rows
        .iter()
        .map(|r| r.card)
        .filter(|c| *c < cards.len())
        .collect();
    used.sort_by(|a, b| cards[*a].top.total_cmp(&cards[*b].top));
    used.dedup();
    let outermost = (margin_right - 1.0).max(content_right + 1.0);
    let lane_of = |card: usize| {
        let k = used.iter().position(|c| *c == card).unwrap_or(0) as f64;
        (content_right + FIRST_LANE + k * LANE_GAP).min(outermost)
    };
    rows.iter()
        .filter(|r| r.card < cards.len())
        .map(|r| {
            let c = cards[r.card];
            Route {
                start: (r.right + 2.0, r.y),
                lane: lane_of(r.card),
                end: (c.right + 1.0, c.top + ENTRY_BELOW_TOP),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTENT: f64 = 380.0;
    const MARGIN: f64 = 400.0;

    fn two_processes_three_cards() -> (Vec<Row>, Vec<Card>) {
        let rows = vec![
            Row {
                right: 120.0,
                y: 100.0,
                card: 0,
            },
            Row {
                right: 120.0,
                y: 118.0,
                card: 1,
            },
            Row {
                right: 120.0,
                y: 300.0,
                card: 0,
            },
            Row {
                right: 120.0,
                y: 318.0,
                card: 2,
            },
        ];
        let cards = [500.0, 700.0, 900.0]
            .map(|top| Card {
                right: CONTENT,
                top,
            })
            .to_vec();
        (rows, cards)
    }

    #[test]
    fn arrows_run_in_the_margin_and_enter_cards_from_outside() {
        let (rows, cards) = two_processes_three_cards();
        for r in routes(&rows, &cards, CONTENT, MARGIN) {
            assert!(
                r.lane > CONTENT && r.lane < MARGIN,
                "lane {} is not in the margin",
                r.lane
            );
            assert!(r.end.0 > CONTENT, "the arrow ends inside its card");
            assert!(r.start.0 > 120.0, "the arrow starts on its row's text");
        }
    }

    #[test]
    fn arrows_to_one_card_share_a_lane_and_other_cards_get_their_own() {
        let (rows, cards) = two_processes_three_cards();
        let r = routes(&rows, &cards, CONTENT, MARGIN);
        assert_eq!(r[0].lane, r[2].lane, "two descriptors of one structure");
        assert!(
            r[0].lane < r[1].lane && r[1].lane < r[3].lane,
            "the upper card's lane is nearer the content"
        );
    }

    #[test]
    fn lanes_that_do_not_fit_share_the_outermost() {
        let rows: Vec<Row> = (0..8)
            .map(|i| Row {
                right: 100.0,
                y: 10.0 * i as f64,
                card: i,
            })
            .collect();
        let cards: Vec<Card> = (0..8)
            .map(|i| Card {
                right: CONTENT,
                top: 200.0 + 50.0 * i as f64,
            })
            .collect();
        let r = routes(&rows, &cards, CONTENT, MARGIN);
        assert!(r.iter().all(|r| r.lane < MARGIN));
        assert_eq!(r[7].lane, MARGIN - 1.0);
    }

    #[test]
    fn a_path_goes_right_then_along_its_lane_then_left_into_the_card() {
        let route = Route {
            start: (122.0, 100.0),
            lane: 388.0,
            end: (381.0, 514.0),
        };
        let d = route.path();
        assert!(d.starts_with("M122.0 100.0H385.0"), "{d}");
        assert!(d.contains("V511.0") && d.ends_with("H381.0"), "{d}");
    }
}
