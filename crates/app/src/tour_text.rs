//! A tour's or exercise's scenario text, fetched when a learner opens it: the page is
//! built without the texts (`sockscope-scenario`'s `texts` feature is off), because the
//! first view needs only their titles. The files sit beside the page's own (index.html
//! copies `crates/scenario/tours` and `exercises` into dist/), so they are found from
//! this snippet's own URL, whatever page embeds sockscope; the single-file build puts
//! them inside the page, in `sockscopeTours`, keyed by the same path.

use sockscope_scenario::tours::Tour;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
export function tour_text(file) {
    const inline = globalThis.sockscopeTours;
    if (inline) {
        return file in inline
            ? Promise.resolve(inline[file])
            : Promise.reject(new Error(`this page has no ${file} inside it`));
    }
    return fetch(new URL('../../' + file, import.meta.url).href).then((r) => {
        if (!r.ok) throw new Error(`${file} answered ${r.status} ${r.statusText}`.trim());
        return r.text();
    });
}
"#)]
extern "C" {
    fn tour_text(file: &str) -> js_sys::Promise;
}

/// The scenario text of `tour`, or why it could not be had, in one sentence.
pub async fn fetch(tour: &Tour) -> Result<String, String> {
    let failed = |why: String| format!("The tour “{}” could not be loaded: {why}", tour.title);
    let text = JsFuture::from(tour_text(tour.file))
        .await
        .map_err(|e| failed(crate::view::js_reason(&e)))?;
    text.as_string()
        .ok_or_else(|| failed("its file is not text".into()))
}
