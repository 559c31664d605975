//! A queue drawn to scale against its capacity, its bytes shaded by the send() that
//! wrote them.

use crate::view::tag_class;
use sockscope_engine::queue::Run;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct QueueBarProps {
    pub label: AttrValue,
    pub runs: Vec<Run>,
    pub len: u64,
    /// `None` for an unbounded queue (Delivered): drawn against `scale` instead.
    pub capacity: Option<u64>,
    #[prop_or_default]
    pub scale: u64,
    /// Bytes at the front that are sent but not yet acknowledged (SendQ only).
    #[prop_or_default]
    pub in_flight: u64,
}

#[component]
pub fn QueueBar(props: &QueueBarProps) -> Html {
    let full = props.capacity.unwrap_or(props.scale).max(props.len).max(1);
    let pct = |n: u64| format!("width: {:.3}%", n as f64 * 100.0 / full as f64);
    let numbers = match props.capacity {
        Some(cap) => format!("{} / {cap}", props.len),
        None => props.len.to_string(),
    };
    let title = |r: &Run| format!("{} bytes from send call #{}", r.len, r.tag.0);
    let full_class = (props.capacity == Some(props.len) && props.len > 0).then_some("full");
    html! {
        <div class={classes!("queue", full_class)}>
            <span class="queue-label">{ &props.label }</span>
            <div class="queue-bar" role="img" aria-label={format!("{}: {numbers} bytes", props.label)}>
                { for props.runs.iter().map(|r| html! {
                    <span class={tag_class(r.tag.0)} style={pct(r.len)} title={title(r)}></span>
                }) }
                if props.in_flight > 0 {
                    <span class="in-flight-mark" style={pct(props.in_flight)} title="sent, waiting for the acknowledgment"></span>
                }
            </div>
            <span class="queue-numbers">{ numbers }</span>
        </div>
    }
}

/// The narrowest block (a share of its box) that gets its size written inside; the
/// stylesheet hides the size again where the block is too narrow to hold it.
const LABELLED_SHARE: f64 = 0.04;

#[derive(Properties, PartialEq)]
pub struct QueueBoxProps {
    pub label: AttrValue,
    pub runs: Vec<Run>,
    pub len: u64,
    /// `None` for a queue without a limit (the wire, Delivered): drawn against `scale`.
    pub capacity: Option<u64>,
    #[prop_or_default]
    pub scale: u64,
    /// SendQ only: how many bytes at its front are sent but not yet acknowledged (the
    /// engine's count); the rest is not sent yet.
    #[prop_or_default]
    pub in_flight: Option<u64>,
}

/// One box of the byte-stream figure: a queue drawn large, each send()'s bytes a
/// block with its size written in, the byte count beneath, and for SendQ which bytes
/// are in flight and which are not sent yet. Widths glide when time moves (CSS; not
/// under reduced motion).
#[component]
pub fn QueueBox(props: &QueueBoxProps) -> Html {
    let full = props.capacity.unwrap_or(props.scale).max(props.len).max(1);
    let share = |n: u64| n as f64 / full as f64;
    let pct = |n: u64| format!("width: {:.3}%", share(n) * 100.0);
    let numbers = match props.capacity {
        Some(cap) => format!("{} / {cap} bytes", props.len),
        None => format!("{} bytes", props.len),
    };
    let split = props.in_flight.map(|f| {
        let f = f.min(props.len);
        (f, props.len - f)
    });
    let summary = match split {
        Some((f, rest)) => format!(
            "{}: {numbers}, {f} in flight, {rest} not yet sent",
            props.label
        ),
        None => format!("{}: {numbers}", props.label),
    };
    let full_class = (props.capacity == Some(props.len) && props.len > 0).then_some("full");
    html! {
        <div class={classes!("qbox", full_class)}>
            <p class="qbox-label">{ &props.label }</p>
            <div class="qbox-bar" role="img" aria-label={summary}>
                { for props.runs.iter().map(|r| html! {
                    <span class={classes!(tag_class(r.tag.0), "qblock")} style={pct(r.len)}
                        title={format!("{} bytes from send call #{}", r.len, r.tag.0)}>
                        if share(r.len) >= LABELLED_SHARE { <span class="qblock-size">{ r.len }</span> }
                    </span>
                }) }
                if let Some((f, rest)) = split {
                    if rest > 0 {
                        <span class="qbox-unsent" style={format!("left: {:.3}%; {}", share(f) * 100.0, pct(rest))}></span>
                    }
                    if f > 0 { <span class="qbox-inflight" style={pct(f)}></span> }
                }
            </div>
            <p class="qbox-numbers">{ numbers }</p>
            if let Some((f, rest)) = split.filter(|_| props.len > 0) {
                <p class="qbox-split">
                    <span class="key-inflight">{ format!("{f} in flight") }</span>
                    { " · " }
                    <span class="key-unsent">{ format!("{rest} not yet sent") }</span>
                </p>
            }
        </div>
    }
}
