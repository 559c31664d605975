//! The Captures panel as the first view has it: a folded heading. The first time a
//! learner opens it, the capture module is fetched (`capture_module`) and draws the
//! panel's inside into this component's element; from then on the panel is handed the
//! run again whenever the session changed while it is open. If the module cannot be
//! fetched, the panel says so, and reopening it tries again.

use crate::capture_module::{trace_json, CaptureModule, CapturePanel};
use crate::state::{Action, Ctx};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Tools {
    NotAsked,
    Loading,
    Ready,
    Failed(String),
}

#[component]
pub fn CaptureView() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let open = use_state(|| false);
    let tools = use_state(|| Tools::NotAsked);
    let root = use_node_ref();
    let panel = use_mut_ref(|| None::<CapturePanel>);
    let ontoggle = {
        let (open, tools, root, panel, ctx) = (
            open.clone(),
            tools.clone(),
            root.clone(),
            panel.clone(),
            ctx.clone(),
        );
        Callback::from(move |e: Event| {
            let d: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            open.set(d.open());
            let wanted = matches!(*tools, Tools::NotAsked | Tools::Failed(_));
            if d.open() && wanted {
                load(&ctx, tools.clone(), root.clone(), panel.clone());
            }
        })
    };
    {
        let (session, panel) = (ctx.session_ref(), panel.clone());
        let ready = *tools == Tools::Ready;
        use_effect_with((*open, ready, ctx.version), move |&(open, ready, _)| {
            if open && ready {
                if let Some(p) = panel.borrow().as_ref() {
                    // A failed update leaves the panel as it was; the next change retries.
                    let _ = p.update(&trace_json(session.borrow().trace()));
                }
            }
        });
    }
    html! {
        <section class="capture-view" aria-label="Captures">
        <details class="panel" {ontoggle} data-testid="capture-view">
            <summary><h3>{ "Captures: the time-sequence graph, and captures of real programs" }</h3></summary>
            if *open { { forgotten_note(&ctx) } }
            { status(&tools) }
            <div ref={root} class="capture-root"></div>
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

fn status(tools: &Tools) -> Html {
    match tools {
        Tools::Loading => html! {
            <p class="muted" role="status" data-testid="capture-loading">{ "Loading the capture tools…" }</p>
        },
        Tools::Failed(why) => html! {
            <p class="notice" role="alert" data-testid="capture-load-error">
                { format!("{why}. Close and open this panel to try again; the rest of the page works as before.") }
            </p>
        },
        Tools::NotAsked | Tools::Ready => html! {},
    }
}

/// Fetches the module and draws the panel into `root` with the run as it is then.
fn load(
    ctx: &Ctx,
    tools: UseStateHandle<Tools>,
    root: NodeRef,
    panel: std::rc::Rc<std::cell::RefCell<Option<CapturePanel>>>,
) {
    tools.set(Tools::Loading);
    let (session, dispatch) = (ctx.session_ref(), ctx.dispatcher());
    spawn_local(async move {
        let drawn = async {
            let module = CaptureModule::load().await?;
            let element = root
                .cast::<web_sys::Element>()
                .ok_or("The captures panel is no longer on the page")?;
            let on_seek = Closure::<dyn Fn(f64)>::new(move |n: f64| {
                dispatch.dispatch(Action::SeekEvent(n as u64));
            });
            let trace = trace_json(session.borrow().trace());
            let on_seek = on_seek.into_js_value();
            module.mount(&element, &trace, on_seek.unchecked_ref())
        };
        match drawn.await {
            Ok(p) => {
                *panel.borrow_mut() = Some(p);
                tools.set(Tools::Ready);
            }
            Err(why) => tools.set(Tools::Failed(why)),
        }
    });
}
