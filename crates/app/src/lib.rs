//! The sockscope front end. It renders engine snapshots and never decides anything
//! about protocols itself: every fact on screen comes from `sockscope-engine`.

pub mod app;
pub mod capture_tools;
pub mod components;
pub mod download;
pub mod first_state;
pub mod hooks;
pub mod host_events;
pub mod narrate;
pub mod options;
pub mod panic;
pub mod program_tools;
pub mod quiz;
pub mod session;
pub mod state;
pub mod theme;
pub mod throughput_tools;
pub mod tools_module;
pub mod tour_text;
pub mod view;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod session_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod soak_tests;

/// Mounts the app into `#app` with the page URL's options, and takes over panics so
/// that a bug shows an error panel instead of a blank page. A page without `#app`
/// (one that embeds sockscope with `mount`) is left alone.
pub fn start() {
    panic::install();
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(root) = window.document().and_then(|d| d.get_element_by_id("app")) else {
        return;
    };
    let location = window.location();
    let props = app::AppProps {
        query: location.search().unwrap_or_default().into(),
        fragment: location.hash().unwrap_or_default().into(),
        whole_page: true,
        on_event: None,
    };
    root.set_inner_html("");
    yew::Renderer::<app::App>::with_root_and_props(root, props).render();
}

/// For pages that embed sockscope without an iframe: mounts an independent instance
/// into `element`. `options` takes the same form as the URL's query, e.g.
/// `"tour=deadlock&controls=minimal"`; a scenario may follow after `#scenario=`.
/// `on_event`, if given, is called with each event a course page may record (ready,
/// question answered, tour finished; see the README). Exported by `main.rs`: an
/// export in this library would be in every wasm module that links it.
pub fn mount(element: web_sys::Element, options: &str, on_event: Option<js_sys::Function>) {
    panic::install();
    let (query, fragment) = match options.split_once('#') {
        Some((q, f)) => (q.to_string(), format!("#{f}")),
        None => (options.to_string(), String::new()),
    };
    let props = app::AppProps {
        query: query.into(),
        fragment: fragment.into(),
        whole_page: false,
        on_event: on_event.map(host_events::Listener),
    };
    element.set_inner_html("");
    yew::Renderer::<app::App>::with_root_and_props(element, props).render();
}
