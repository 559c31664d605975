//! The page's wasm module: the app, and `mount` for a page that embeds it.

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    sockscope_app::start();
}

/// See `sockscope_app::mount`.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: &str, on_event: Option<js_sys::Function>) {
    sockscope_app::mount(element, options, on_event);
}
