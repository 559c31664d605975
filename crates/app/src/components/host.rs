//! One host: its addresses, processes, socket structures and netstat.

use super::fd_route::{routes, Card, Row};
use super::keyed;
use super::process::ProcessPanel;
use super::socket_card::SocketCard;
use crate::options::ControlsMode;
use crate::state::{Action, Ctx};
use sockscope_engine::snapshot::HostView;
use sockscope_engine::{HostId, SegId, SockId};
use sockscope_scenario::NetCmd;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HostProps {
    pub host: HostView,
}

/// The elements under `host` that match `selector`.
fn elements(host: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let Ok(list) = host.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .collect()
}

/// Draws an arrow from every descriptor row to the structure it refers to, routed in
/// the host's right margin (see `fd_route`). Positions are only known after layout,
/// so this runs after each render and writes the SVG directly (several arrows point at
/// one card when descriptors are shared).
fn draw_arrows(host: &NodeRef, svg: &NodeRef) {
    let (Some(host), Some(svg)) = (
        host.cast::<web_sys::Element>(),
        svg.cast::<web_sys::Element>(),
    ) else {
        return;
    };
    let origin = host.get_bounding_client_rect();
    let cards = elements(&host, "[data-sock]");
    let ids: Vec<Option<String>> = cards.iter().map(|c| c.get_attribute("data-sock")).collect();
    let rows: Vec<Row> = elements(&host, "[data-fd-sock]")
        .iter()
        .filter_map(|row| {
            let id = row.get_attribute("data-fd-sock");
            let card = ids.iter().position(|c| *c == id)?;
            let r = row.get_bounding_client_rect();
            Some(Row {
                right: r.right() - origin.left(),
                y: r.top() + r.height() / 2.0 - origin.top(),
                card,
            })
        })
        .collect();
    let boxes: Vec<Card> = cards
        .iter()
        .map(|c| {
            let r = c.get_bounding_client_rect();
            Card {
                right: r.right() - origin.left(),
                top: r.top() - origin.top(),
            }
        })
        .collect();
    let content_right = elements(&host, ".process, .socket-card")
        .iter()
        .map(|e| e.get_bounding_client_rect().right() - origin.left())
        .fold(0.0, f64::max);
    let paths: String = routes(&rows, &boxes, content_right, origin.width() - 1.0)
        .iter()
        .map(|r| format!("<path d=\"{}\" marker-end=\"url(#arrowhead)\"/>", r.path()))
        .collect();
    svg.set_inner_html(&format!(
        "<defs><marker id=\"arrowhead\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\"><path d=\"M0 0 L8 4 L0 8 z\"/></marker></defs>{paths}"
    ));
}

/// What moves the cards and descriptor rows of one host's column.
fn layout_signature(ctx: &Ctx, host: sockscope_engine::HostId) -> String {
    use std::fmt::Write;
    let mut sig = format!("{}|{}|", ctx.layout_epoch, ctx.shows_calls());
    let session = ctx.session.borrow();
    for p in ctx.snapshot.processes.iter().filter(|p| p.host == host) {
        let last = session
            .world()
            .process(p.pid)
            .and_then(|p| p.last.as_ref())
            .map(|(c, r)| format!("{c}{r:?}"));
        let _ = write!(
            sig,
            "p{}:{:?}:{}:{:?};",
            p.pid.0,
            p.fds,
            p.pending.is_some(),
            last
        );
    }
    for s in ctx.snapshot.sockets.iter().filter(|s| s.host == host) {
        let lists = s
            .listener
            .as_ref()
            .map(|l| (l.incomplete.len(), l.ready.len()));
        let _ = write!(
            sig,
            "s{}:{}:{:?}:{:?}:{}:{};",
            s.id.0,
            s.state,
            lists,
            s.parent,
            s.descriptors.len(),
            s.read_shut as u8 + 2 * s.write_shut as u8
        );
    }
    sig
}

#[component]
pub fn HostColumn(props: &HostProps) -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let (host_ref, svg_ref) = (use_node_ref(), use_node_ref());
    {
        // Measuring forces a layout, so arrows are redrawn only when what decides the
        // layout of this column changed (or the window was resized), not every frame;
        // and at the next animation frame rather than in the render itself, so that the
        // first view does not wait for a layout of the whole page before it is shown.
        let (host_ref, svg_ref) = (host_ref.clone(), svg_ref.clone());
        use_effect_with(layout_signature(&ctx, props.host.id), move |_| {
            let draw = wasm_bindgen::closure::Closure::once_into_js(move || {
                draw_arrows(&host_ref, &svg_ref)
            });
            if let Some(w) = web_sys::window() {
                let _ = w.request_animation_frame(wasm_bindgen::JsCast::unchecked_ref(&draw));
            }
        });
    }
    let h = &props.host;
    let crash = {
        let (ctx, name, crashed) = (ctx.clone(), h.name.clone(), h.crashed);
        Callback::from(move |_: MouseEvent| {
            ctx.dispatch(Action::Net(if crashed {
                NetCmd::Restart(name.clone())
            } else {
                NetCmd::Crash(name.clone())
            }))
        })
    };
    let addrs: Vec<String> = h.addrs.iter().map(|a| a.to_string()).collect();
    html! {
        <section ref={host_ref} class={classes!("host", h.crashed.then_some("crashed"))} aria-label={format!("Host {}", h.name)} data-testid={format!("host-{}", h.name)}>
            <svg ref={svg_ref} class="fd-arrows" aria-hidden="true"></svg>
            <header class="host-head">
                <h2>{ &h.name }</h2>
                <span class="host-addrs">{ addrs.join(", ") }</span>
                <button type="button" class="small danger" onclick={crash}
                    title={if h.crashed { "Boot this host again (with no sockets)" } else { "Crash this host: its structures vanish without a FIN" }}>
                    { if h.crashed { "Restart" } else { "Crash" } }
                </button>
            </header>
            if h.crashed { <p class="crashed-note">{ "This host has crashed. Segments sent to it are lost." }</p> }
            { processes(&ctx, h.id) }
            { sockets(&ctx, h.id) }
        </section>
    }
}

/// The host's living processes, each with its descriptor table and call form.
fn processes(ctx: &Ctx, host: HostId) -> Html {
    let session = ctx.session.borrow();
    let full = ctx.controls == ControlsMode::Full;
    html! {
        <div class="processes">
            { for ctx.snapshot.processes.iter().filter(|p| p.host == host && p.alive).map(|p| {
                let last = session.world().process(p.pid).and_then(|p| p.last.clone());
                let hovered = ctx.hovered.filter(|s| p.fds.iter().any(|(_, id)| id == s));
                html! {
                    <ProcessPanel key={p.pid.0} process={p.clone()} last={last} hovered={hovered}
                        calls={full && ctx.shows_calls()} program={full} dispatch={ctx.dispatcher()} />
                }
            }) }
        </div>
    }
}

/// The host's socket structures, marked when they are stuck in a deadlock or won the
/// selected segment's demultiplexing.
fn sockets(ctx: &Ctx, host: HostId) -> Html {
    let snap = &ctx.snapshot;
    let stuck: Vec<SockId> = snap
        .deadlock
        .iter()
        .flat_map(|d| d.blocked.iter().flat_map(|b| [Some(b.sock), b.peer]))
        .flatten()
        .collect();
    let winner = ctx.selected_seg.and_then(|seg| demux_winner(ctx, seg));
    html! {
        <div class="sockets">
            <h3 class="visually-hidden">{ "Socket structures" }</h3>
            { keyed(snap.sockets.iter().filter(|s| s.host == host).map(|s| {
                let holders: Vec<String> = s.descriptors.iter().map(|(pid, fd)| {
                    let name = snap.processes.iter().find(|p| p.pid == *pid).map_or("?".to_string(), |p| p.name.clone());
                    format!("{name} fd {}", fd.0)
                }).collect();
                html! { <SocketCard key={s.id.0} sock={s.clone()} holders={holders} stuck={stuck.contains(&s.id)} winner={winner == Some(s.id)}
                    hovered={ctx.hovered == Some(s.id)} dispatch={ctx.dispatcher()} /> }
            })) }
        </div>
    }
}

/// The structure the segment was demultiplexed to, once it has arrived.
fn demux_winner(ctx: &Ctx, seg: SegId) -> Option<SockId> {
    ctx.session
        .borrow()
        .trace()
        .iter()
        .find_map(|e| match &e.event {
            sockscope_engine::Event::Demux(r) if r.seg == Some(seg) => r.winner,
            _ => None,
        })
}
