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
