//! The page's side of the capture module (`src/bin/sockscope-capture.rs`): fetching it
//! once, and its calls in Rust's types. The module's files sit beside the page's own
//! (`cargo xtask capture-module`, run by trunk after each build), so they are found
//! from this snippet's own URL, whatever page embeds sockscope; the single-file build
//! puts the module inside the page and leaves its loader in `sockscopeCapture`.

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
let captureLoading = null;
export function load_capture() {
    if (!captureLoading) {
        const inline = globalThis.sockscopeCapture;
        captureLoading = inline
            ? inline()
            : import(new URL('../../sockscope-capture.js', import.meta.url).href)
                .then(async (m) => { await m.default(); return m; });
        // A failed fetch may be tried again (the learner reopens the panel).
        captureLoading.catch(() => { captureLoading = null; });
    }
    return captureLoading;
}
"#)]
extern "C" {
    fn load_capture() -> js_sys::Promise;
}

/// The loaded module: its exports, called by name.
#[derive(Clone)]
pub struct CaptureModule(JsValue);

/// Why the capture tools are not there: for the learner, in one sentence.
fn failed(what: &str, e: JsValue) -> String {
    let why = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "no reason given".into());
    format!("{what}: {why}")
}

impl CaptureModule {
    /// Fetches the module (once; later calls get the same one).
    pub async fn load() -> Result<CaptureModule, String> {
        JsFuture::from(load_capture())
            .await
            .map(CaptureModule)
            .map_err(|e| failed("The capture tools could not be loaded", e))
    }

    fn export(&self, name: &str) -> Result<Function, String> {
        Reflect::get(&self.0, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                format!("The capture tools have no `{name}` (an old copy in the cache?)")
            })
    }

    /// The run as a capture file: its bytes and how many frames it holds.
    pub fn write(&self, trace_json: &str, pcapng: bool) -> Result<(Vec<u8>, usize), String> {
        let out = self
            .export("write_capture")?
            .call2(&JsValue::NULL, &trace_json.into(), &pcapng.into())
            .map_err(|e| failed("The capture could not be written", e))?;
        let get = |k: &str| Reflect::get(&out, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let bytes = get("bytes").dyn_into::<Uint8Array>().map(|b| b.to_vec());
        let frames = get("frames").as_f64();
        match (bytes, frames) {
            (Ok(b), Some(f)) => Ok((b, f as usize)),
            _ => Err("The capture tools answered in a form the page does not know".into()),
        }
    }

    /// Draws the panel's inside into `root`; `on_seek` gets a trace event's number.
    pub fn mount(
        &self,
        root: &web_sys::Element,
        trace_json: &str,
        on_seek: &Function,
    ) -> Result<CapturePanel, String> {
        self.export("mount_capture")?
            .call3(&JsValue::NULL, root, &trace_json.into(), on_seek)
            .map(CapturePanel)
            .map_err(|e| failed("The captures panel could not be drawn", e))
    }
}

/// A panel drawn by the module.
pub struct CapturePanel(JsValue);

impl CapturePanel {
    /// Hands the panel the run again.
    pub fn update(&self, trace_json: &str) -> Result<(), String> {
        let update = Reflect::get(&self.0, &"update".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or("The captures panel has no `update`")?;
        update
            .call1(&self.0, &trace_json.into())
            .map(|_| ())
            .map_err(|e| failed("The captures panel could not be updated", e))
    }
}

impl Drop for CapturePanel {
    /// wasm-bindgen's `free` lets the module drop the panel's Yew app.
    fn drop(&mut self) {
        if let Some(free) = Reflect::get(&self.0, &"free".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            let _ = free.call0(&self.0);
        }
    }
}

/// The session's trace as the module reads it.
pub fn trace_json(trace: &[sockscope_engine::trace::TraceEntry]) -> String {
    serde_json::to_string(trace).unwrap_or_else(|_| "[]".into())
}
