//! A process: its descriptor table, the call it is blocked in, and its call form.

use super::call_form::CallForm;
use crate::state::{Action, Dispatch};
use sockscope_engine::snapshot::ProcessView;
use sockscope_engine::{Call, Ret, SockId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProcessProps {
    pub process: ProcessView,
    /// The last call it made and what it returned.
    pub last: Option<(Call, Ret)>,
    /// The structure under the pointer, if one of this process's descriptors names it.
    pub hovered: Option<SockId>,
    /// Whether the page shows call forms (a tour may fold them away).
    pub calls: bool,
    /// Whether it has a button that opens the program panel at its program.
    pub program: bool,
    pub dispatch: Dispatch,
}

fn progress(call: &Call, done: u64) -> String {
    match call {
        Call::Send { len, .. } | Call::SendTo { len, .. } => {
            format!(" — {done} of {len} bytes copied so far")
        }
        _ => String::new(),
    }
}

/// Opens the program panel at this process's program (its calls as C or Python).
fn program_button(ctx: &Dispatch, pid: sockscope_engine::Pid, name: &str) -> Html {
    let ctx = ctx.clone();
    let onclick = Callback::from(move |_: MouseEvent| ctx.dispatch(Action::ShowProgram(pid)));
    html! {
        <button type="button" class="small link program-link" {onclick} data-testid="show-program"
            aria-label={format!("Show {name}'s calls as a program")}>{ "Program" }</button>
    }
}

#[component]
pub fn ProcessPanel(props: &ProcessProps) -> Html {
    let ctx = &props.dispatch;
    let p = &props.process;
    let name = p.name.clone();
    let reason = match (&p.pending, p.alive) {
        (_, false) => Some(format!("{name} died with its host.")),
        (Some(pending), _) => Some(format!(
            "{name} is blocked in {}; it can make no other call until that returns.",
            pending.call
        )),
        _ => None,
    };
    let last = props.last.clone();
    html! {
        <section class="process" aria-label={format!("Process {name}")} data-testid={format!("proc-{}", p.pid.0)}>
            <h3 class="proc-name">{ format!("{name}") }<span class="pid">{ format!(" pid {}", p.pid.0) }</span>
                if props.program { { program_button(ctx, p.pid, &name) } }
            </h3>
            <table class="fd-table">
                <caption class="visually-hidden">{ format!("Descriptor table of {name}") }</caption>
                <thead><tr><th scope="col">{ "fd" }</th><th scope="col">{ "structure" }</th></tr></thead>
                <tbody>
                    if p.fds.is_empty() {
                        <tr><td colspan="2" class="muted">{ "no sockets yet" }</td></tr>
                    }
                    { for p.fds.iter().map(|(fd, s)| {
                        let id = *s;
                        let enter = { let ctx = ctx.clone(); Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Hover(Some(id)))) };
                        let leave = { let ctx = ctx.clone(); Callback::from(move |_: MouseEvent| ctx.dispatch(Action::Hover(None))) };
                        let hovered = props.hovered == Some(id);
                        html! {
                            <tr class={classes!(hovered.then_some("hovered"))} onmouseenter={enter} onmouseleave={leave} data-fd-sock={s.0.to_string()}>
                                <td>{ fd.0 }</td><td>{ format!("→ #{}", s.0) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if let Some(pending) = &p.pending {
                <p class="blocked" data-testid="blocked">{ format!("Blocked in {}{}", pending.call, progress(&pending.call, pending.progress)) }</p>
            } else if let Some((call, ret)) = last {
                <p class="last-result">{ match ret {
                    Ok(v) => format!("{call} = {v}"),
                    Err(e) => format!("{call} = -1 {e}: {}", e.explain()),
                } }</p>
            }
            if props.calls {
            <CallForm pid={p.pid} fds={p.fds.iter().map(|(f, _)| *f).collect::<Vec<_>>()} disabled_reason={reason} dispatch={ctx.clone()} />
            }
        </section>
    }
}
