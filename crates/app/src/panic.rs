//! A panic must never leave a blank page: the hook reveals the static error panel that
//! `index.html` carries (it needs no Rust code to work after the wasm has trapped).

pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(detail) = doc.get_element_by_id("fatal-detail") {
            detail.set_text_content(Some(&message));
        }
        if let Some(panel) = doc.get_element_by_id("fatal") {
            let _ = panel.remove_attribute("hidden");
        }
    }));
}
