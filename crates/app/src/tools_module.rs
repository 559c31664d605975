//! The page's side of the tools module (`src/bin/sockscope-tools.rs`): fetching it
//! once, its calls in Rust's types, and what the page sends it. The module holds what
//! the first view does not need (the capture formats, the program generator, the
//! throughput experiment), so the page's own wasm stays small; it is fetched the first
//! time a learner opens one of its panels or downloads a capture, and all three panels
//! then share the one copy. Its files sit beside the page's own (`cargo xtask
//! tools-module`, run by trunk after each build), so they are found from this
//! snippet's own URL, whatever page embeds sockscope; the single-file build puts the
//! module inside the page and leaves its loader in `sockscopeTools`.

use js_sys::{Function, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use sockscope_scenario::ProcRef;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
// Every event type Yew can listen for (yew 0.23, html/listener/events.rs).
const EVENTS = [
    'abort', 'cancel', 'canplay', 'canplaythrough', 'close', 'cuechange', 'durationchange',
    'emptied', 'ended', 'error', 'formdata', 'invalid', 'load', 'loadeddata',
    'loadedmetadata', 'pause', 'play', 'playing', 'ratechange', 'reset', 'resize',
    'securitypolicyviolation', 'seeked', 'seeking', 'select', 'slotchange', 'stalled',
    'suspend', 'timeupdate', 'toggle', 'volumechange', 'waiting', 'change', 'copy', 'cut',
    'paste', 'pointerlockchange', 'pointerlockerror', 'selectionchange', 'selectstart',
    'show', 'auxclick', 'click', 'contextmenu', 'dblclick', 'drag', 'dragend', 'dragenter',
    'dragexit', 'dragleave', 'dragover', 'dragstart', 'drop', 'blur', 'focus', 'focusin',
    'focusout', 'keydown', 'keypress', 'keyup', 'loadstart', 'progress', 'loadend',
    'mousedown', 'mouseenter', 'mouseleave', 'mousemove', 'mouseout', 'mouseover',
    'mouseup', 'wheel', 'input', 'submit', 'animationcancel', 'animationend',
    'animationiteration', 'animationstart', 'gotpointercapture', 'lostpointercapture',
    'pointercancel', 'pointerdown', 'pointerenter', 'pointerleave', 'pointermove',
    'pointerout', 'pointerover', 'pointerup', 'touchcancel', 'touchend', 'touchmove',
    'touchstart', 'transitioncancel', 'transitionend', 'transitionrun', 'transitionstart',
];
function unmark(e) {
    e.__yew_subtree_id = undefined;
    e.__yew_subtree_cache_key = undefined;
}
let marking = false;
// See `guard` in tools_module.rs.
export function guard(root) {
    if (!marking) {
        marking = true;
        const mark = (e) => {
            const path = e.composedPath();
            if (path.some((n) => n instanceof Element && n.hasAttribute('data-tools-root'))) {
                e.__yew_subtree_id = 0;
                e.__yew_subtree_cache_key = path.length;
            }
        };
        for (const t of EVENTS) document.addEventListener(t, mark, true);
    }
    if (!root.hasAttribute('data-tools-root')) {
        root.setAttribute('data-tools-root', '');
        for (const t of EVENTS) root.addEventListener(t, unmark, true);
    }
}
let toolsLoading = null;
export function load_tools() {
    if (!toolsLoading) {
        const inline = globalThis.sockscopeTools;
        toolsLoading = inline
            ? inline()
            : import(new URL('../../sockscope-tools.js', import.meta.url).href)
                .then(async (m) => { await m.default(); return m; });
        // A failed fetch may be tried again (the learner reopens the panel).
        toolsLoading.catch(() => { toolsLoading = null; });
    }
    return toolsLoading;
}
"#)]
extern "C" {
    fn load_tools() -> js_sys::Promise;
    /// Keeps the page's Yew out of the events inside `root`, a tools panel's element.
    /// Yew delegates events: it listens on its app's root element and finds the handler
    /// by two numbers it writes on each element it listens on, its app's
    /// (`__yew_subtree_id`) and the listener's. The page and the tools module are two
    /// Yew instances, each counting from 1, and the page's listener sees every event
    /// inside its root first: it would take a click on a button of a tools panel for
    /// one of its own and run whichever page handler has that number (a line number
    /// of the program panel stepped the world back). So an event from inside a tools
    /// panel is marked on the document, before the page's Yew sees it, with Yew's own
    /// cached answer "no app is responsible" (0), and unmarked at the panel's root,
    /// before the module's Yew, which then finds its own elements as usual. The
    /// page's handlers on the panel's ancestors do not hear such events either.
    fn guard(root: &web_sys::Element);
}

/// The loaded module: its exports, called by name.
#[derive(Clone)]
pub struct ToolsModule(JsValue);

/// Why the tools are not there: for the learner, in one sentence.
fn failed(what: &str, e: JsValue) -> String {
    let why = crate::view::js_reason(&e);
    format!("{what}: {why}")
}

impl ToolsModule {
    /// Fetches the module (once; later calls get the same one).
    pub async fn load() -> Result<ToolsModule, String> {
        JsFuture::from(load_tools())
            .await
            .map(ToolsModule)
            .map_err(|e| failed("The panel's tools could not be loaded", e))
    }

    fn export(&self, name: &str) -> Result<Function, String> {
        Reflect::get(&self.0, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| format!("The tools have no `{name}` (an old copy in the cache?)"))
    }

    /// The run as a capture file: its bytes and how many frames it holds.
    pub fn write_capture(
        &self,
        trace_json: &str,
        pcapng: bool,
    ) -> Result<(Vec<u8>, usize), String> {
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

    /// Draws a panel's inside into `root` by calling the export `name` with `root`
    /// followed by `args`; `what` names the panel in an error.
    pub fn mount(
        &self,
        name: &str,
        what: &str,
        root: &web_sys::Element,
        args: &[&JsValue],
    ) -> Result<Panel, String> {
        guard(root);
        let all = js_sys::Array::of1(root);
        for a in args {
            all.push(a);
        }
        self.export(name)?
            .apply(&JsValue::NULL, &all)
            .map(|p| Panel(p, what.to_owned()))
            .map_err(|e| failed(&format!("The {what} could not be drawn"), e))
    }
}

/// A panel drawn by the module (a wasm-bindgen object of its own).
pub struct Panel(JsValue, String);

impl Panel {
    /// Hands the panel what it shows again (JSON, in the form its mount took).
    pub fn update(&self, json: &str) -> Result<(), String> {
        let update = Reflect::get(&self.0, &"update".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| format!("The {} has no `update`", self.1))?;
        update
            .call1(&self.0, &json.into())
            .map(|_| ())
            .map_err(|e| failed(&format!("The {} could not be updated", self.1), e))
    }
}

impl Drop for Panel {
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

/// What the program panel is handed, as JSON: the statements the session has run,
/// printed as scenario text (the page prints them for its exports already, and the
/// module parses them back; `print.rs` promises the round trip), which is far less
/// code in the page than the syntax tree's serde. The module writes the programs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgramRun {
    /// Whether the panel is open: the programs are written only then, and nothing
    /// else is sent while it is closed.
    pub shown: bool,
    /// Every statement run so far, in order, each as the text of one statement.
    pub statements: Vec<String>,
    /// Per statement: whether the world can go back to just after it ran (not the
    /// statements the session started with). The panel calls back with its index.
    pub returnable: Vec<bool>,
    /// The process whose "Program" button was pressed last, and how many presses
    /// there have been (pressing it again chooses it again).
    pub focus: Option<(ProcRef, u32)>,
}

impl ProgramRun {
    /// What `session` has run, for an open panel.
    pub fn of(session: &crate::session::Session, focus: Option<(ProcRef, u32)>) -> ProgramRun {
        let ran = session.ran();
        ProgramRun {
            shown: true,
            statements: ran.iter().map(|r| r.statement.to_string()).collect(),
            returnable: ran.iter().map(|r| r.moment.is_some()).collect(),
            focus,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
