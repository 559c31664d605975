//! Files the page makes (a capture, a program) handed to the browser as downloads.
//! Nothing leaves the browser: the file is a Blob behind an object URL.

use wasm_bindgen::JsCast;

/// Hands the bytes to the browser as a download, through an object URL of a Blob.
pub fn save(bytes: &[u8], file_name: &str, mime: &str) -> Result<(), String> {
    let fail = |what: &str| format!("the browser refused to {what}");
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("give a document"))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| fail("make a file"))?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("link the file"))?;
    let a: web_sys::HtmlElement = doc
        .create_element("a")
        .map_err(|_| fail("make a link"))?
        .dyn_into()
        .map_err(|_| fail("make a link"))?;
    let _ = a.set_attribute("href", &url);
    let _ = a.set_attribute("download", file_name);
    a.click();
    // The download starts after this handler returns: let go of the file a little later.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
