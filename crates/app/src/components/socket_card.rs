//! One socket structure as the kernel keeps it (MODEL.md §1).

use super::queue_bar::QueueBar;
use crate::state::{Action, Dispatch};
use sockscope_engine::snapshot::SocketView;
use sockscope_engine::{Proto, TcpState};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SocketCardProps {
    pub sock: SocketView,
    /// Holders of descriptors, already named: "httpd fd 3".
    pub holders: Vec<String>,
    pub stuck: bool,
    pub winner: bool,
    pub hovered: bool,
    /// A stable handle (it compares equal across renders), so that a card whose
    /// props did not change is not drawn again on every animation frame.
    pub dispatch: Dispatch,
}

fn state_class(s: TcpState) -> &'static str {
    match s {
        TcpState::Established => "st-established",
        TcpState::Listen => "st-listen",
        TcpState::SynSent | TcpState::SynRcvd => "st-opening",
        TcpState::Closed => "st-closed",
        TcpState::TimeWait => "st-timewait",
        _ => "st-closing",
    }
}

#[component]
pub fn SocketCard(props: &SocketCardProps) -> Html {
    let ctx = props.dispatch.clone();
    let s = &props.sock;
    let id = s.id;
    let hover = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Hover(Some(id))))
    };
    let leave = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Hover(None)))
    };
    let focus = {
        let ctx = ctx.clone();
        Callback::from(move |_: FocusEvent| ctx.dispatch(Action::Hover(Some(id))))
    };
    let hovered = props.hovered;
    let state = match s.proto {
        Proto::Tcp => s.state.to_string(),
        Proto::Udp => "UDP".to_string(),
    };
    let family = if s.family == sockscope_engine::Family::V6 {
        "6"
    } else {
        ""
    };
    let proto = format!(
        "{}{family}",
        if s.proto == Proto::Tcp { "TCP" } else { "UDP" }
    );
    let class = classes!(
        "socket-card",
        state_class(s.state),
        hovered.then_some("hovered"),
        props.stuck.then_some("stuck"),
        props.winner.then_some("winner"),
    );
    let scale = s.recvq.capacity.max(s.sendq.capacity);
    html! {
        <article class={class} tabindex="0" onmouseenter={hover} onmouseleave={leave} onfocus={focus}
            data-testid={format!("sock-{}", id.0)} data-sock={id.0.to_string()} aria-label={format!("Socket structure {} {state}", id.0)}>
            <header>
                <span class="sock-id">{ format!("#{}", id.0) }</span>
                <span class="proto">{ proto }</span>
                <span class={classes!("state-badge", state_class(s.state))}>{ state }</span>
            </header>
            <dl class="endpoints">
                <dt>{ "local" }</dt><dd>{ s.local.seen_by(s.family).to_string() }</dd>
                <dt>{ "remote" }</dt><dd>{ s.remote.seen_by(s.family).to_string() }</dd>
            </dl>
            if s.proto == Proto::Tcp && s.state != TcpState::Listen || s.proto == Proto::Udp {
                <QueueBar label="SendQ" runs={s.sendq.runs.clone()} len={s.sendq.len}
                    capacity={Some(s.sendq.capacity)} in_flight={s.in_flight} />
                <QueueBar label="RecvQ" runs={s.recvq.runs.clone()} len={s.recvq.len} capacity={Some(s.recvq.capacity)} />
                <QueueBar label="Delivered" runs={s.delivered_recent.clone()} len={s.delivered_total} capacity={None::<u64>} scale={scale} />
            }
            if s.proto == Proto::Tcp && s.state.is_synchronized() {
                <p class="window">{ format!("peer's window: {} bytes", s.peer_window) }</p>
            }
            if let Some(l) = &s.listener {
                <div class="listener-lists">
                    <p>{ format!("backlog {}", l.backlog) }</p>
                    <p>{ "incomplete (SYN_RCVD): " }{ list(&l.incomplete) }</p>
                    <p>{ "accept queue: " }{ list(&l.ready) }</p>
                </div>
            }
            if let Some(p) = s.parent {
                <p class="parent">{ format!("waiting in #{}'s lists for accept()", p.0) }</p>
            }
            <p class="holders">
                { if props.holders.is_empty() { "no descriptor refers to it".to_string() } else { format!("← {}", props.holders.join(", ")) } }
            </p>
            <p class="flags">
                { flags(s) }
            </p>
        </article>
    }
}

fn list(ids: &[sockscope_engine::SockId]) -> String {
    if ids.is_empty() {
        "empty".into()
    } else {
        ids.iter()
            .map(|i| format!("#{}", i.0))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn flags(s: &SocketView) -> String {
    let mut out = Vec::new();
    if s.read_shut {
        out.push("reading shut".to_string());
    }
    if s.write_shut {
        out.push("writing shut".to_string());
    }
    if s.reuse_addr {
        out.push("SO_REUSEADDR".to_string());
    }
    if let Some(l) = s.linger {
        out.push(format!("SO_LINGER {l} s"));
    }
    if s.nonblocking {
        out.push("O_NONBLOCK".to_string());
    }
    if s.v6only {
        out.push("IPV6_V6ONLY".to_string());
    }
    out.join(" · ")
}
