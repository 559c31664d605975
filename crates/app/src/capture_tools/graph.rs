//! The time-sequence graph (Stevens/tcptrace style) of one direction of a connection:
//! each data segment as a vertical bar from its first to its last sequence number at
//! the time it was sent, the ACK line of the receiver, and the window line (ACK +
//! window) above it. Retransmissions, probes and zero windows are drawn in their own
//! shapes and named in words (never by colour alone); every mark has a tooltip, and a
//! click on a segment selects it.

use sockscope_engine::capture::graph::{Graph, Mark};
use yew::prelude::*;

const W: f64 = 640.0;
const H: f64 = 260.0;
const PAD: f64 = 44.0;

#[derive(Properties, PartialEq)]
pub struct GraphProps {
    pub graph: Graph,
    /// The packet selected, if any (index into the packets the graph was made from).
    pub selected: Option<usize>,
    pub onselect: Callback<usize>,
    pub title: AttrValue,
}

/// The highest sequence number drawn: the data and the ACKs with a quarter more room,
/// so a large window does not squash the data into the bottom line (the window line is
/// cut at the top then, and the axis label says how far it goes).
fn seq_top(g: &Graph) -> u64 {
    let data = g.segments.iter().map(|s| s.seq + s.len).max().unwrap_or(0);
    let acks = g.acks.iter().map(|a| a.ack).max().unwrap_or(0);
    (data.max(acks) as f64 * 1.25) as u64 + 1
}

fn scale(g: &Graph) -> (impl Fn(u64) -> f64, impl Fn(u64) -> f64) {
    let top = seq_top(g);
    let (t_max, s_max) = (g.max_time_us.max(1) as f64, top as f64);
    (
        move |t: u64| PAD + (W - PAD - 10.0) * t as f64 / t_max,
        move |s: u64| H - PAD - (H - PAD - 10.0) * s.min(top) as f64 / s_max,
    )
}

/// Seconds with as many decimals as a short capture needs.
fn seconds(us: u64) -> String {
    if us < 10_000 {
        format!("{:.6} s", us as f64 / 1e6)
    } else {
        format!("{:.3} s", us as f64 / 1e6)
    }
}

/// The ACK line and the window line as step polylines.
fn lines(g: &Graph) -> (String, String) {
    let (x, y) = scale(g);
    let (mut ack, mut win) = (String::new(), String::new());
    let mut prev: Option<(f64, u64, u64)> = None;
    for a in &g.acks {
        let px = x(a.time_us);
        if let Some((_, pa, pw)) = prev {
            ack.push_str(&format!("{px:.1},{:.1} ", y(pa)));
            win.push_str(&format!("{px:.1},{:.1} ", y(pw)));
        }
        ack.push_str(&format!("{px:.1},{:.1} ", y(a.ack)));
        win.push_str(&format!("{px:.1},{:.1} ", y(a.limit)));
        prev = Some((px, a.ack, a.limit));
    }
    (ack, win)
}

fn segment_marks(props: &GraphProps) -> Html {
    let g = &props.graph;
    let (x, y) = scale(g);
    g.segments
        .iter()
        .map(|s| {
            let (px, top, bottom) = (x(s.time_us), y(s.seq + s.len), y(s.seq));
            let (class, word) = match s.mark {
                Mark::Data => ("seg", "data"),
                Mark::Retransmission => ("seg retrans", "retransmission"),
                Mark::Probe => ("seg probe", "zero-window probe"),
            };
            let selected = props.selected == Some(s.packet);
            let onclick = {
                let (cb, p) = (props.onselect.clone(), s.packet);
                Callback::from(move |_: MouseEvent| cb.emit(p))
            };
            let tip = format!("{word}: bytes {}–{} at {}", s.seq, s.seq + s.len, seconds(s.time_us));
            html! {
                <g class={classes!(class, selected.then_some("selected"))} {onclick} data-testid="tsg-segment" data-mark={word}>
                    <title>{ tip }</title>
                    <line x1={format!("{px:.1}")} x2={format!("{px:.1}")} y1={format!("{top:.1}")} y2={format!("{bottom:.1}")} />
                    if s.mark == Mark::Retransmission {
                        <text x={format!("{:.1}", px + 3.0)} y={format!("{top:.1}")} class="mark-label">{ "R" }</text>
                    }
                    if s.mark == Mark::Probe {
                        <circle cx={format!("{px:.1}")} cy={format!("{top:.1}")} r="3" />
                    }
                </g>
            }
        })
        .collect()
}

fn zero_windows(g: &Graph) -> Html {
    let (x, y) = scale(g);
    g.acks
        .iter()
        .filter(|a| a.zero_window)
        .map(|a| {
            let tip = format!("zero window at {} (ACK {})", seconds(a.time_us), a.ack);
            html! {
                <g class="zero-window" data-testid="tsg-zero-window">
                    <title>{ tip }</title>
                    <rect x={format!("{:.1}", x(a.time_us) - 3.0)} y={format!("{:.1}", y(a.ack) - 3.0)} width="6" height="6" />
                </g>
            }
        })
        .collect()
}

#[component]
pub fn TimeSequenceGraph(props: &GraphProps) -> Html {
    let g = &props.graph;
    if g.segments.is_empty() {
        return html! { <p class="muted small" data-testid="tsg-empty">{ "No data has been sent this way yet: the graph draws data segments." }</p> };
    }
    let (ack, win) = lines(g);
    html! {
        <figure class="tsg" data-testid="tsg">
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={props.title.clone()}>
                <line class="axis" x1={PAD.to_string()} y1={(H - PAD).to_string()} x2={(W - 10.0).to_string()} y2={(H - PAD).to_string()} />
                <line class="axis" x1={PAD.to_string()} y1="10" x2={PAD.to_string()} y2={(H - PAD).to_string()} />
                <text class="axis-label" x={(W / 2.0).to_string()} y={(H - 8.0).to_string()}>{ format!("time (0 – {})", seconds(g.max_time_us)) }</text>
                <text class="axis-label" x="4" y="20">{ format!("seq (0 – {}; the window line reaches {})", seq_top(g), g.max_seq) }</text>
                <polyline class="window-line" points={win} />
                <polyline class="ack-line" points={ack} />
                { segment_marks(props) }
                { zero_windows(g) }
            </svg>
            <figcaption class="small">
                { "Bars: data sent (R: sent again; a dot: a zero-window probe). Solid line: the receiver's ACK. Dashed line: ACK + window, the most the sender may send. Squares: a window of 0. Click a bar to select its segment." }
            </figcaption>
        </figure>
    }
}
