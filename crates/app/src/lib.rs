//! The sockscope front end. It renders engine snapshots and never decides anything
//! about protocols itself: every fact on screen comes from `sockscope-engine`.

pub mod app;
pub mod components;
pub mod hooks;
pub mod narrate;
pub mod panic;
pub mod session;
pub mod state;
pub mod view;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod session_tests;

/// Mounts the app into `#app` (or the body) and takes over panics so that a bug shows
/// an error panel instead of a blank page.
pub fn start() {
    panic::install();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    match document.get_element_by_id("app") {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
