//! A link that names a tour (`?tour=deadlock&step=3`): the page opens at once with
//! the default world, fetches the tour's text, then starts again as the link asks.

use crate::first_state::{link_tour, with_tour_text};
use crate::state::{Action, Ctx, TourAsk};
use crate::tour_text;
use yew::platform::spawn_local;
use yew::prelude::*;

#[hook]
pub fn use_link_tour(query: String, fragment: String, ctx: Ctx) {
    let dispatch = ctx.dispatcher();
    use_effect_with((query, fragment), move |(query, fragment)| {
        let Some(tour) = link_tour(query, fragment) else {
            return;
        };
        let (query, fragment) = (query.clone(), fragment.clone());
        // The page already says that the tour is opening (`first_state`).
        let ticket = crate::state::tour_ticket();
        let ask = TourAsk {
            ticket,
            name: tour.name,
        };
        dispatch.dispatch(Action::TourAsked { ask, says: None });
        spawn_local(async move {
            let text = tour_text::fetch(tour).await;
            let state = text.map(|text| Box::new(with_tour_text(&query, &fragment, &text)));
            dispatch.dispatch(Action::Begin(ticket, state));
        });
    });
}
