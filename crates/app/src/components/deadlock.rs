//! When the engine reports a deadlock, say so with its numbers.

use crate::narrate::Names;
use crate::state::Ctx;
use yew::prelude::*;

#[component]
pub fn DeadlockBanner() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let Some(report) = &ctx.snapshot.deadlock else {
        return html! {};
    };
    let names = Names(&ctx.snapshot);
    let all_sends = report.blocked.iter().all(|b| {
        matches!(
            b.call,
            sockscope_engine::Call::Send { .. } | sockscope_engine::Call::SendTo { .. }
        )
    });
    let hint = if all_sends {
        "Each side tried to send more than SQS + RQS before reading anything. If either program read, the circle would break."
    } else {
        "Each program waits for the other to act first. Only a change in one of the programs can break the circle."
    };
    html! {
        <section class="deadlock" role="alert" data-testid="deadlock">
            <h2>{ "Deadlock: nobody can move" }</h2>
            <p>{ "Every process below is blocked, nothing is on the wire, and no timer can help. Each waits for a peer that is itself waiting." }</p>
            <ul>
                { for report.blocked.iter().map(|b| {
                    let left = b.requested - b.done;
                    html! {
                        <li>
                            <strong>{ names.process(b.pid) }</strong>{ format!(" is blocked in {}: ", b.call) }
                            { format!("{} of {} bytes are still in its own buffer; its SendQ holds {} of SQS = {}; ", left, b.requested, b.sendq, b.sqs) }
                            { format!("the peer's RecvQ holds {} of RQS = {} and its program is not reading.", b.peer_recvq, b.peer_rqs) }
                        </li>
                    }
                }) }
            </ul>
            <p class="hint">{ hint }</p>
        </section>
    }
}
