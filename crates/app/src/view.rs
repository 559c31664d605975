//! Small formatting helpers shared by components.

/// The pattern/colour class of a send() tag: eight styles that differ in pattern as
/// well as hue, so they read in greyscale too.
pub fn tag_class(tag: u32) -> String {
    format!("tag tag-{}", tag % 8)
}

/// Why a JavaScript promise was rejected, for a sentence to the learner: an Error's
/// message, a thrown string, or a placeholder.
pub fn js_reason(e: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "no reason given".into())
}

/// The current value of a form field (an input or a select), read from the DOM when
/// a form is submitted, so that what the learner typed is what counts.
pub fn field_value(node: &yew::NodeRef) -> Option<String> {
    if let Some(i) = node.cast::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    node.cast::<web_sys::HtmlSelectElement>().map(|s| s.value())
}
