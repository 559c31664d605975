//! One host: its addresses, processes, socket structures and netstat.

use super::process::ProcessPanel;
use super::socket_card::SocketCard;
use crate::app::Ctx;
use crate::session::Input;
use crate::state::Action;
use sockscope_engine::snapshot::HostView;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HostProps {
    pub host: HostView,
}

#[component]
pub fn HostColumn(props: &HostProps) -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let h = &props.host;
    let snap = &ctx.snapshot;
    let stuck: Vec<_> = snap.deadlock.iter().flat_map(|d| d.blocked.iter().flat_map(|b| [Some(b.sock), b.peer])).flatten().collect();
    let winner = ctx.selected_seg.and_then(|seg| {
        ctx.session.borrow().trace.iter().find_map(|e| match &e.event {
            sockscope_engine::Event::Demux(r) if r.seg == seg => r.winner,
            _ => None,
        })
    });
    let crash = {
        let (ctx, id, crashed) = (ctx.clone(), h.id, h.crashed);
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Apply(if crashed { Input::Restart(id) } else { Input::Crash(id) })))
    };
    let addrs: Vec<String> = h.addrs.iter().map(|a| a.to_string()).collect();
    html! {
        <section class={classes!("host", h.crashed.then_some("crashed"))} aria-label={format!("Host {}", h.name)} data-testid={format!("host-{}", h.name)}>
            <header class="host-head">
                <h2>{ &h.name }</h2>
                <span class="host-addrs">{ addrs.join(", ") }</span>
                <button type="button" class="small danger" onclick={crash}
                    title={if h.crashed { "Boot this host again (with no sockets)" } else { "Crash this host: its structures vanish without a FIN" }}>
                    { if h.crashed { "Restart" } else { "Crash" } }
                </button>
            </header>
            if h.crashed { <p class="crashed-note">{ "This host has crashed. Segments sent to it are lost." }</p> }
            <div class="processes">
                { for snap.processes.iter().filter(|p| p.host == h.id && p.alive).map(|p| html! {
                    <ProcessPanel key={p.pid.0} process={p.clone()} />
                }) }
            </div>
            <div class="sockets">
                <h3 class="visually-hidden">{ "Socket structures" }</h3>
                { for snap.sockets.iter().filter(|s| s.host == h.id).map(|s| {
                    let holders: Vec<String> = s.descriptors.iter().map(|(pid, fd)| {
                        let name = snap.processes.iter().find(|p| p.pid == *pid).map_or("?".to_string(), |p| p.name.clone());
                        format!("{name} fd {}", fd.0)
                    }).collect();
                    html! { <SocketCard key={s.id.0} sock={s.clone()} holders={holders} stuck={stuck.contains(&s.id)} winner={winner == Some(s.id)} /> }
                }) }
            </div>
        </section>
    }
}
