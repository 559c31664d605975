//! Each TCP connection as two pipelines, one per direction:
//! sender's SendQ → the wire → receiver's RecvQ → Delivered to the program.

use super::keyed;
use super::queue_bar::QueueBox;
use crate::state::Ctx;
use sockscope_engine::queue::Run;
use sockscope_engine::snapshot::{Snapshot, SocketView};
use sockscope_engine::Proto;
use yew::prelude::*;

/// Payload runs on the wire from `from` toward `to`.
fn on_wire(snap: &Snapshot, from: &SocketView, to: &SocketView) -> (Vec<Run>, u64) {
    let (Some(src), Some(dst)) = (from.local.socket_addr(), to.local.socket_addr()) else {
        return (Vec::new(), 0);
    };
    let runs: Vec<Run> = snap
        .wire
        .iter()
        .filter(|w| w.seg.src == src && w.seg.dst == dst)
        .flat_map(|w| w.seg.runs.iter().copied())
        .collect();
    let len = runs.iter().map(|r| r.len).sum();
    (runs, len)
}

fn direction(
    snap: &Snapshot,
    name: &dyn Fn(&SocketView) -> String,
    a: &SocketView,
    b: &SocketView,
) -> Html {
    let (wire, wire_len) = on_wire(snap, a, b);
    let scale = a.sendq.capacity.max(b.recvq.capacity);
    let arrow = html! { <span class="qarrow" aria-hidden="true">{ "→" }</span> };
    html! {
        <div class="pipeline" role="group" aria-label={format!("bytes from {} to {}", name(a), name(b))}>
            <p class="pipeline-title">{ format!("{} → {}", name(a), name(b)) }</p>
            <div class="pipeline-boxes">
                <QueueBox label={format!("{} SendQ", name(a))} runs={a.sendq.runs.clone()} len={a.sendq.len} capacity={Some(a.sendq.capacity)} in_flight={Some(a.in_flight)} />
                { arrow.clone() }
                <QueueBox label="on the wire" runs={wire} len={wire_len} capacity={None::<u64>} scale={scale} />
                { arrow.clone() }
                <QueueBox label={format!("{} RecvQ", name(b))} runs={b.recvq.runs.clone()} len={b.recvq.len} capacity={Some(b.recvq.capacity)} />
                { arrow }
                <QueueBox label={format!("{} Delivered", name(b))} runs={b.delivered_recent.clone()} len={b.delivered_total} capacity={None::<u64>} scale={scale} />
            </div>
        </div>
    }
}

#[component]
pub fn Connections() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let snap = &ctx.snapshot;
    let host = |s: &SocketView| {
        snap.hosts
            .iter()
            .find(|h| h.id == s.host)
            .map_or("?".to_string(), |h| h.name.clone())
    };
    let name = move |s: &SocketView| format!("{} #{}", host(s), s.id.0);
    let pairs: Vec<(&SocketView, &SocketView)> = snap
        .sockets
        .iter()
        .filter(|s| s.proto == Proto::Tcp)
        .filter_map(|s| {
            let p = snap.socket(s.peer?)?;
            (s.id < p.id).then_some((s, p))
        })
        .collect();
    if pairs.is_empty() {
        return html! {
            <section class="connections" aria-label="Connections">
                <h3>{ "Byte streams" }</h3>
                <p class="muted">{ "No connection yet. Connect a client to the listener to see bytes flow: SendQ → wire → RecvQ → Delivered." }</p>
            </section>
        };
    }
    html! {
        <section class="connections" aria-label="Connections" data-testid="connections">
            <h3>{ "Byte streams" }</h3>
            <p class="muted">{ "Each colour and pattern is one send() call. recv() takes whatever is in RecvQ, across those boundaries." }</p>
            { keyed(pairs.iter().map(|(a, b)| html! {
                <div class="connection" key={a.id.0}>
                    { direction(snap, &name, a, b) }
                    { direction(snap, &name, b, a) }
                </div>
            })) }
        </section>
    }
}
