//! An element's width as the browser lays it out, told by a ResizeObserver: a frame
//! never has to ask for layout (which would force one in the middle of the frame).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `on_width` with the element's client width (CSS pixels) once it is laid out
/// and whenever it changes (not when only its height does), while the component is
/// mounted.
#[hook]
pub fn use_width_observer(node: NodeRef, on_width: Callback<f64>) {
    use_effect_with((), move |_| {
        let observer = node.cast::<web_sys::Element>().and_then(|element| {
            let target = element.clone();
            // The observer also reports every change of height (the ladder grows each
            // frame): only a new width is told.
            let mut told = None;
            let on_resize = Closure::<dyn FnMut()>::new(move || {
                let width = target.client_width();
                if told.replace(width) != Some(width) {
                    on_width.emit(width as f64);
                }
            });
            let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
            observer.observe(&element);
            Some((observer, on_resize))
        });
        move || {
            if let Some((observer, _)) = observer {
                observer.disconnect();
            }
        }
    });
}
