//! The program panel as the first view has it: a folded heading. Its inside (the calls
//! so far as C or Python, `program_tools`) needs the program generator, which only the
//! tools module links; the first time the learner opens the panel, the module is
//! fetched and draws it here (`hooks::use_tools_panel`). While the panel is open, the
//! page hands it the statements the session has run whenever they changed, and it
//! calls back with a statement's index to go back to just after it ran.

use crate::hooks::use_tools_panel::{use_tools_panel, Mount};
use crate::state::{Action, Ctx};
use crate::tools_module::ProgramRun;
use sockscope_scenario::ProcRef;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[component]
pub fn ProgramView() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let panel = use_tools_panel();
    let mount: Mount = {
        let (session, dispatch) = (ctx.session_ref(), ctx.dispatcher());
        Rc::new(move |module, element| {
            let (session, seek_dispatch) = (session.clone(), dispatch.clone());
            // The index is into what was sent last, which is what the session has run
            // now: the panel is handed every change while it is open.
            let on_seek = Closure::<dyn Fn(f64)>::new(move |i: f64| {
                let moment = session
                    .borrow()
                    .ran()
                    .get(i as usize)
                    .and_then(|r| r.moment);
                if let Some(m) = moment {
                    seek_dispatch.dispatch(Action::SeekMoment(m));
                }
            })
            .into_js_value();
            let notice_dispatch = dispatch.clone();
            let on_notice = Closure::<dyn Fn(String)>::new(move |why: String| {
                notice_dispatch.dispatch(Action::Notice(why));
            })
            .into_js_value();
            // Mounted empty: the effect below hands it the run once it is drawn.
            let empty = ProgramRun::default().to_json();
            module.mount(
                "mount_program",
                "program panel",
                element,
                &[
                    &empty.into(),
                    on_seek.unchecked_ref(),
                    on_notice.unchecked_ref(),
                ],
            )
        })
    };
    let ontoggle = panel.ontoggle(mount);
    let details = use_node_ref();
    let focus = use_program_focus(&ctx, details.clone());
    {
        let (session, panel) = (ctx.session_ref(), panel.clone());
        let key = {
            let s = session.borrow();
            let ran = (s.history.len(), s.runner.position(), s.events());
            (*panel.open, panel.ready(), ran, focus.clone(), ctx.playing)
        };
        use_effect_with(key, move |(open, ready, _, focus, playing)| {
            if *ready && panel.due(*playing) {
                let run = if *open {
                    ProgramRun::of(&session.borrow(), focus.clone())
                } else {
                    ProgramRun::default()
                };
                panel.update(run.to_json());
            }
        });
    }
    html! {
        <section class="program-view" aria-label="Program">
        <details ref={details} class="panel" {ontoggle} data-testid="program-view">
            <summary><h3>{ "Program: the calls so far, as C or Python" }</h3></summary>
            { panel.status("Loading the program panel…", "program") }
            <div ref={panel.root.clone()} class="program-root"></div>
        </details>
        </section>
    }
}

/// A process card's "Program" button: the panel opens (which fetches the module the
/// first time) and comes into view, and the module is told which process to show.
#[hook]
fn use_program_focus(ctx: &Ctx, details: NodeRef) -> Option<(ProcRef, u32)> {
    let focus = use_state(|| None::<(ProcRef, u32)>);
    let session = ctx.session.clone();
    let chosen = focus.clone();
    use_effect_with(ctx.program_focus, move |pressed| {
        let Some((pid, n)) = *pressed else {
            return;
        };
        let s = session.borrow();
        let proc = s.runner.processes().iter().find(|p| p.pid == pid);
        if let Some(p) = proc {
            chosen.set(Some((p.proc_ref(), n)));
        }
        if let Some(d) = details.cast::<web_sys::HtmlDetailsElement>() {
            d.set_open(true);
            d.scroll_into_view();
        }
    });
    (*focus).clone()
}
