//! True during the app's first render, false one task later: what is drawn only
//! then (the wire, the panels below the hosts) does not delay the first view.

use yew::prelude::*;

#[hook]
pub fn use_first_frame() -> bool {
    let first_frame = use_state(|| true);
    {
        let first_frame = first_frame.clone();
        use_effect_with((), move |_| {
            // A timer, not the effect itself: the browser paints in between.
            let timer = gloo_timers::callback::Timeout::new(0, move || first_frame.set(false));
            move || drop(timer)
        });
    }
    *first_frame
}
