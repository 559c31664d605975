//! The tools module: a second wasm module the page fetches the first time a learner
//! opens one of its panels (so far the Captures panel) or downloads a capture. It
//! holds what the first view does not need: the capture formats and their views
//! (`capture_tools`). Its whole surface is these exports, called from
//! `crates/app/src/tools_module.rs`:
//!
//! - `write_capture(trace_json, pcapng)` → `{ bytes: Uint8Array, frames: number }`,
//!   or throws a sentence;
//! - `mount_capture(root, trace_json, on_seek)` → a `CapturePanel` drawn into
//!   `root`, whose `update(trace_json)` hands it the run again when it changed;
//!   `on_seek(n)` is called with a trace event's number when the learner clicks a
//!   segment of this run.

use sockscope_app::capture_tools::body::{CaptureBody, CaptureBodyProps, RunTrace};
use sockscope_app::capture_tools::{parse_trace, write};
use sockscope_engine::capture::Format;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::{AppHandle, Callback};

fn main() {
    sockscope_app::panic::install();
}

#[wasm_bindgen]
pub fn write_capture(trace_json: &str, pcapng: bool) -> Result<js_sys::Object, JsError> {
    let format = if pcapng { Format::PcapNg } else { Format::Pcap };
    let (bytes, frames) = write(trace_json, format).map_err(|e| JsError::new(&e))?;
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &k.into(), &v).map(|_| ());
    set("bytes", js_sys::Uint8Array::from(&bytes[..]).into())
        .and_then(|()| set("frames", (frames as f64).into()))
        .map_err(|_| JsError::new("the capture could not be handed to the page"))?;
    Ok(out)
}

/// A page callback taking a number, as a Yew callback.
fn number_callback(f: js_sys::Function) -> Callback<f64> {
    Callback::from(move |n: f64| {
        let _ = f.call1(&JsValue::NULL, &n.into());
    })
}

/// The Captures panel's inside, drawn by this module's own Yew into the page's element.
#[wasm_bindgen]
pub struct CapturePanel {
    handle: AppHandle<CaptureBody>,
    on_seek: Callback<u64>,
}

#[wasm_bindgen]
impl CapturePanel {
    /// Hands the panel the run again (the page calls it when its session changed).
    pub fn update(&mut self, trace_json: &str) -> Result<(), JsError> {
        let props = capture_props(trace_json, self.on_seek.clone())?;
        self.handle.update(props);
        Ok(())
    }
}

#[wasm_bindgen]
pub fn mount_capture(
    root: web_sys::Element,
    trace_json: &str,
    on_seek: js_sys::Function,
) -> Result<CapturePanel, JsError> {
    let on_seek = number_callback(on_seek).reform(|n: u64| n as f64);
    let props = capture_props(trace_json, on_seek.clone())?;
    root.set_inner_html("");
    let handle = yew::Renderer::<CaptureBody>::with_root_and_props(root, props).render();
    Ok(CapturePanel { handle, on_seek })
}

fn capture_props(trace_json: &str, on_seek: Callback<u64>) -> Result<CaptureBodyProps, JsError> {
    let trace = parse_trace(trace_json).map_err(|e| JsError::new(&e))?;
    Ok(CaptureBodyProps {
        trace: RunTrace(Rc::new(trace)),
        on_seek,
    })
}
