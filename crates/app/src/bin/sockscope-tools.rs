//! The tools module: a second wasm module the page fetches the first time a learner
//! opens the Captures, Program or throughput panel, or downloads a capture. It holds
//! what the first view does not need: the capture formats and their views
//! (`capture_tools`), the program generator (`program_tools`) and the throughput
//! experiment (`throughput_tools`). Its whole surface is these exports, called from
//! `crates/app/src/tools_module.rs` (and `bench_sweep` from bench/measure.mjs):
//!
//! - `write_capture(trace_json, pcapng)` → `{ bytes: Uint8Array, frames: number }`,
//!   or throws a sentence;
//! - `mount_capture(root, trace_json, on_seek)` → a `CapturePanel` drawn into
//!   `root`, whose `update(trace_json)` hands it the run again when it changed;
//!   `on_seek(n)` is called with a trace event's number when the learner clicks a
//!   segment of this run;
//! - `mount_program(root, run_json, on_seek, on_notice)` → a `ProgramPanel`, whose
//!   `update(run_json)` hands it the statements again (`tools_module::ProgramRun`);
//!   `on_seek(i)` goes back to just after statement `i` ran, `on_notice(text)` says
//!   why a file could not be saved;
//! - `mount_throughput(root, on_notice)` → a `ThroughputPanel`; `on_notice(text)`
//!   says why the experiment did not run;
//! - `bench_sweep()` → the budget's sweep in milliseconds (see `throughput_tools`).

use sockscope_app::capture_tools::body::{CaptureBody, CaptureBodyProps, RunTrace};
use sockscope_app::capture_tools::{parse_trace, write};
use sockscope_app::program_tools::{parse_run, ProgramBody, ProgramBodyProps};
use sockscope_app::throughput_tools::{ThroughputBody, ThroughputBodyProps};
use sockscope_engine::capture::Format;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::{AppHandle, BaseComponent, Callback};

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

/// A page callback taking a sentence, as a Yew callback.
fn text_callback(f: js_sys::Function) -> Callback<String> {
    Callback::from(move |text: String| {
        let _ = f.call1(&JsValue::NULL, &text.into());
    })
}

/// One of this module's Yew apps, destroyed when the page lets go of its panel
/// (wasm-bindgen's `free`, from `tools_module::Panel`'s Drop). Yew's `AppHandle` has no
/// Drop of its own: without this, every time a tour folded a panel away and showed it
/// again, the last one's components went on living under the detached element.
struct Mounted<C: BaseComponent>(Option<AppHandle<C>>);

impl<C: BaseComponent> Mounted<C> {
    fn render(root: web_sys::Element, props: C::Properties) -> Self {
        root.set_inner_html("");
        Mounted(Some(
            yew::Renderer::<C>::with_root_and_props(root, props).render(),
        ))
    }

    fn update(&mut self, props: C::Properties) {
        if let Some(handle) = self.0.as_mut() {
            handle.update(props);
        }
    }
}

impl<C: BaseComponent> Drop for Mounted<C> {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.destroy();
        }
    }
}

/// The Captures panel's inside, drawn by this module's own Yew into the page's element.
#[wasm_bindgen]
pub struct CapturePanel {
    handle: Mounted<CaptureBody>,
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
    let handle = Mounted::render(root, props);
    Ok(CapturePanel { handle, on_seek })
}

fn capture_props(trace_json: &str, on_seek: Callback<u64>) -> Result<CaptureBodyProps, JsError> {
    let trace = parse_trace(trace_json).map_err(|e| JsError::new(&e))?;
    Ok(CaptureBodyProps {
        trace: RunTrace(Rc::new(trace)),
        on_seek,
    })
}

/// The program panel's inside.
#[wasm_bindgen]
pub struct ProgramPanel {
    handle: Mounted<ProgramBody>,
    on_seek: Callback<usize>,
    on_notice: Callback<String>,
}

#[wasm_bindgen]
impl ProgramPanel {
    /// Hands the panel the statements again (the page calls it when they changed).
    pub fn update(&mut self, run_json: &str) -> Result<(), JsError> {
        let props = program_props(run_json, &self.on_seek, &self.on_notice)?;
        self.handle.update(props);
        Ok(())
    }
}

#[wasm_bindgen]
pub fn mount_program(
    root: web_sys::Element,
    run_json: &str,
    on_seek: js_sys::Function,
    on_notice: js_sys::Function,
) -> Result<ProgramPanel, JsError> {
    let on_seek = number_callback(on_seek).reform(|i: usize| i as f64);
    let on_notice = text_callback(on_notice);
    let props = program_props(run_json, &on_seek, &on_notice)?;
    let handle = Mounted::render(root, props);
    Ok(ProgramPanel {
        handle,
        on_seek,
        on_notice,
    })
}

fn program_props(
    run_json: &str,
    on_seek: &Callback<usize>,
    on_notice: &Callback<String>,
) -> Result<ProgramBodyProps, JsError> {
    let run = parse_run(run_json).map_err(|e| JsError::new(&e))?;
    Ok(ProgramBodyProps {
        run: Rc::new(run),
        on_seek: on_seek.clone(),
        on_notice: on_notice.clone(),
    })
}

/// The throughput panel's inside; nothing to update (it does not show the world).
#[wasm_bindgen]
pub struct ThroughputPanel {
    _handle: Mounted<ThroughputBody>,
}

#[wasm_bindgen]
pub fn mount_throughput(root: web_sys::Element, on_notice: js_sys::Function) -> ThroughputPanel {
    let props = ThroughputBodyProps {
        on_notice: text_callback(on_notice),
    };
    ThroughputPanel {
        _handle: Mounted::render(root, props),
    }
}

/// See `sockscope_app::throughput_tools::bench_sweep`.
#[wasm_bindgen]
pub fn bench_sweep() -> f64 {
    sockscope_app::throughput_tools::bench_sweep()
}
