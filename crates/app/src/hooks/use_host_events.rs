//! What the course page hears: `ready` once the app is drawn (and the tour its link
//! names is open), then each event the reducer queued, after the render that shows it.

use crate::host_events::{deliver, HostEvent, Listener};
use crate::state::Ctx;
use yew::prelude::*;

#[hook]
pub fn use_host_events(ctx: Ctx, listener: Option<Listener>) {
    {
        let listener = listener.clone();
        let tour = ctx.tour.as_ref().map(|t| t.name.clone());
        use_effect_with(ctx.opening_tour, move |&opening| {
            if !opening {
                deliver(&HostEvent::Ready { tour }, listener.as_ref())
            }
        });
    }
    let outbox = ctx.outbox.clone();
    use_effect(move || {
        for e in outbox.take() {
            deliver(&e, listener.as_ref());
        }
    });
}
