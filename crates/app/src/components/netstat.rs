//! The `netstat -a` panel of one host, in the exact layout of MODEL.md §1. The row of
//! the structure under the pointer is highlighted, and pointing at a row highlights
//! its structure.

use crate::state::{Action, Ctx};
use sockscope_engine::snapshot::{HostView, NETSTAT_HEADER};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NetstatProps {
    pub host: HostView,
    /// The structure to highlight (the one under the pointer anywhere on the page).
    #[prop_or_default]
    pub hovered: Option<sockscope_engine::SockId>,
}

/// The bare panel: usable without the app's context (embedding, tests).
#[component]
pub fn Netstat(props: &NetstatProps) -> Html {
    let ctx = use_context::<Ctx>();
    let hovered = props.hovered.or(ctx.as_ref().and_then(|c| c.hovered));
    let host = &props.host;
    let addrs: Vec<String> = host.addrs.iter().map(|a| a.to_string()).collect();
    html! {
        <section class="netstat" aria-label={format!("netstat on {}", host.name)}>
            <h3>
                <span class="host-name">{ &host.name }</span>
                <span class="host-addrs">{ addrs.join(", ") }</span>
                <code class="prompt">{ "$ netstat -a" }</code>
            </h3>
            // Focusable: on a narrow screen the table scrolls inside its box, and keys must reach it too.
            <pre tabindex="0" data-testid={format!("netstat-{}", host.name)}>
                <span class="netstat-head">{ NETSTAT_HEADER }</span>
                { for host.netstat.iter().map(|row| {
                    let id = row.sock;
                    let (enter, leave) = match &ctx {
                        Some(ctx) => {
                            let (c1, c2) = (ctx.clone(), ctx.clone());
                            (Callback::from(move |_: MouseEvent| c1.dispatch(Action::Hover(Some(id)))),
                             Callback::from(move |_: MouseEvent| c2.dispatch(Action::Hover(None))))
                        }
                        None => (Callback::noop(), Callback::noop()),
                    };
                    html! {
                        <>{ "\n" }<span class={classes!("netstat-row", (hovered == Some(id)).then_some("hovered"))}
                            onmouseenter={enter} onmouseleave={leave}>{ row.to_string() }</span></>
                    }
                }) }
            </pre>
        </section>
    }
}
