//! The keyboard shortcuts: space plays or pauses, → runs the next event, ← steps
//! back, Escape closes the demultiplexing view. They are ignored while the learner
//! types in a field or holds a modifier.

use crate::state::{Action, Ctx};
use yew::prelude::*;

/// The action a key asks for; `None` for a key that is not a shortcut.
fn shortcut(key: &str) -> Option<Action> {
    Some(match key {
        " " => Action::TogglePlay,
        "ArrowRight" => Action::Step,
        "ArrowLeft" => Action::StepBack,
        "Escape" => Action::SelectSegment(None),
        _ => return None,
    })
}

/// Whether the key went to a form control (the learner is typing, or choosing).
fn typing(e: &KeyboardEvent) -> bool {
    e.target_dyn_into::<web_sys::Element>()
        .map(|t| {
            matches!(
                t.tag_name().as_str(),
                "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "OPTION"
            )
        })
        .unwrap_or(false)
}

/// Keyboard shortcuts, unless the learner is typing in a field.
pub fn on_key(ctx: Ctx) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        if typing(&e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        if let Some(action) = shortcut(&e.key()) {
            e.prevent_default();
            ctx.dispatch(action);
        }
    })
}

/// Keyboard shortcuts for the whole document, while the app is mounted and owns the
/// page (`enabled`). Focus on `<body>` (after a load, or a click on the background)
/// never reaches the app's own elements, so the document is where keys are heard.
#[hook]
pub fn use_document_keys(enabled: bool, ctx: Ctx) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use_effect_with(enabled, move |enabled| {
        let listener = enabled.then(|| {
            let handler = on_key(ctx);
            let closure =
                Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| handler.emit(e));
            let doc = web_sys::window().and_then(|w| w.document());
            if let Some(doc) = &doc {
                let _ = doc
                    .add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref());
            }
            (doc, closure)
        });
        move || {
            if let Some((Some(doc), closure)) = listener {
                let _ = doc.remove_event_listener_with_callback(
                    "keydown",
                    closure.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
