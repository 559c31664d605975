//! The Captures panel as the first view has it: a folded heading. The first time a
//! learner opens it, the tools module is fetched (`hooks::use_tools_panel`) and draws
//! the panel's inside into this component's element; from then on the panel is handed
//! the run again whenever the session changed while it is open.

use crate::hooks::use_tools_panel::{use_tools_panel, Mount};
use crate::state::{Action, Ctx};
use crate::tools_module::trace_json;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[component]
pub fn CaptureView() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let panel = use_tools_panel();
    let dispatch = ctx.dispatcher();
    // Mounted empty: the effect below hands it the run as soon as it is drawn.
    let mount: Mount = Rc::new(move |module, element| {
        let dispatch = dispatch.clone();
        let on_seek = Closure::<dyn Fn(f64)>::new(move |n: f64| {
            dispatch.dispatch(Action::SeekEvent(n as u64));
        })
        .into_js_value();
        module.mount(
            "mount_capture",
            "captures panel",
            element,
            &[&"[]".into(), on_seek.unchecked_ref()],
        )
    });
    let ontoggle = panel.ontoggle(mount);
    {
        let (session, panel) = (ctx.session_ref(), panel.clone());
        let key = (*panel.open, panel.ready(), ctx.version, ctx.playing);
        use_effect_with(key, move |&(open, ready, _, playing)| {
            if open && ready && panel.due(playing) {
                panel.update(trace_json(session.borrow().trace()));
            }
        });
    }
    html! {
        <section class="capture-view" aria-label="Captures">
        <details class="panel" {ontoggle} data-testid="capture-view">
            <summary><h3>{ "Captures: the time-sequence graph, and captures of real programs" }</h3></summary>
            if *panel.open { { forgotten_note(&ctx) } }
            { panel.status("Loading the capture tools…", "capture") }
            <div ref={panel.root.clone()} class="capture-root"></div>
        </details>
        </section>
    }
}

/// After long play the session keeps only the latest events (`TRACE_KEPT`): this
/// run's capture then covers those, and the learner is told so.
fn forgotten_note(ctx: &Ctx) -> Html {
    let s = ctx.session.borrow();
    let forgotten = s.events_forgotten();
    if forgotten == 0 {
        return html! {};
    }
    let text = format!(
        "This run's capture covers only its last {} events; the {forgotten} before them are \
         no longer kept. Step back or use the timeline to replay an earlier moment.",
        s.trace().len()
    );
    html! { <p class="muted small" data-testid="capture-forgotten">{ text }</p> }
}
