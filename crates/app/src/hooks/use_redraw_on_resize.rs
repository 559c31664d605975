//! Draws again when the window is resized: the descriptor arrows are measured from
//! the layout, so they must follow their cards.

use crate::state::{Action, Ctx};
use yew::prelude::*;

#[hook]
pub fn use_redraw_on_resize(ctx: Ctx) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use_effect_with((), move |_| {
        let closure = Closure::<dyn Fn()>::new(move || ctx.dispatch(Action::Redraw));
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("resize", closure.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback(
                    "resize",
                    closure.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
