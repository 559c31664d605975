//! One host's table of socket structures, as `netstat -tan` or `ss -tan` prints it (the
//! engine's `table` module spells both), and the learner's choice between the two. The
//! row of the structure under the pointer is highlighted, and pointing at a row
//! highlights its structure.

use crate::state::{Action, Ctx, Dispatch};
use sockscope_engine::snapshot::HostView;
use sockscope_engine::{Layout, SockId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NetstatProps {
    pub host: HostView,
    /// The structure to highlight (the one under the pointer anywhere on the page).
    #[prop_or_default]
    pub hovered: Option<SockId>,
    /// The layout to print; without it, the page's choice (netstat outside the app).
    #[prop_or_default]
    pub layout: Option<Layout>,
}

/// The bare panel: usable without the app's context (embedding, tests).
#[component]
pub fn Netstat(props: &NetstatProps) -> Html {
    let ctx = use_context::<Ctx>();
    let hovered = props.hovered.or(ctx.as_ref().and_then(|c| c.hovered));
    let layout = props
        .layout
        .or(ctx.as_ref().map(|c| c.table))
        .unwrap_or_default();
    let host = &props.host;
    let table = host.table(layout);
    let addrs: Vec<String> = host.addrs.iter().map(|a| a.to_string()).collect();
    html! {
        <section class="netstat" aria-label={format!("{layout} on {}", host.name)}>
            <h3>
                <span class="host-name">{ &host.name }</span>
                <span class="host-addrs">{ addrs.join(", ") }</span>
                <code class="prompt" data-testid={format!("table-command-{}", host.name)}>{ format!("$ {}", table.command) }</code>
            </h3>
            // Focusable: on a narrow screen the table scrolls inside its box, and keys must reach it too.
            <pre tabindex="0" data-testid={format!("netstat-{}", host.name)}>
                <span class="netstat-head">{ &table.header }</span>
                { for table.rows.iter().map(|(id, line)| row(ctx.as_ref(), *id, line, hovered)) }
            </pre>
        </section>
    }
}

/// One line of the table; pointing at it highlights its structure.
fn row(ctx: Option<&Ctx>, id: SockId, line: &str, hovered: Option<SockId>) -> Html {
    let (enter, leave) = match ctx {
        Some(ctx) => {
            let (c1, c2) = (ctx.clone(), ctx.clone());
            (
                Callback::from(move |_: MouseEvent| c1.dispatch(Action::Hover(Some(id)))),
                Callback::from(move |_: MouseEvent| c2.dispatch(Action::Hover(None))),
            )
        }
        None => (Callback::noop(), Callback::noop()),
    };
    html! {
        <>{ "\n" }<span class={classes!("netstat-row", (hovered == Some(id)).then_some("hovered"))}
            onmouseenter={enter} onmouseleave={leave}>{ line }</span></>
    }
}

#[derive(Properties, PartialEq)]
pub struct TableChoiceProps {
    pub layout: Layout,
    pub dispatch: Dispatch,
}

/// Two buttons, one pressed: print every host's table as netstat or as ss.
#[component]
pub fn TableChoice(props: &TableChoiceProps) -> Html {
    let button = |l: Layout| {
        let dispatch = props.dispatch.clone();
        let onclick = Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Table(l)));
        html! {
            <button type="button" class="small" aria-pressed={(l == props.layout).to_string()}
                data-testid={format!("table-{l}")} {onclick}>{ l.name() }</button>
        }
    };
    html! {
        // A region of its own: it sits between the stage and the lower panels.
        <section class="table-choice" aria-label="Table layout">
            <div role="group" aria-label="Show the tables as">
                <span aria-hidden="true">{ "Show the tables as" }</span>
                { for Layout::ALL.into_iter().map(button) }
            </div>
        </section>
    }
}
