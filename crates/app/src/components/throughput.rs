//! The throughput panel as the first view has it: a folded heading. Its inside (the
//! experiment's form, plot and table, `throughput_tools`) runs the engine's
//! `experiment` transfers, which only the tools module links; the first time the
//! learner opens the panel, the module is fetched and draws it here
//! (`hooks::use_tools_panel`). Nothing in it depends on the world on screen, so the
//! page never hands it anything after mounting it.

use crate::hooks::use_tools_panel::{use_tools_panel, Mount};
use crate::state::{Action, Dispatch};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ThroughputProps {
    pub dispatch: Dispatch,
}

#[component]
pub fn Throughput(props: &ThroughputProps) -> Html {
    let panel = use_tools_panel();
    let dispatch = props.dispatch.clone();
    let mount: Mount = Rc::new(move |module, element| {
        let dispatch = dispatch.clone();
        let on_notice = Closure::<dyn Fn(String)>::new(move |why: String| {
            dispatch.dispatch(Action::Notice(why));
        })
        .into_js_value();
        module.mount(
            "mount_throughput",
            "throughput panel",
            element,
            &[on_notice.unchecked_ref()],
        )
    });
    let ontoggle = panel.ontoggle(mount);
    html! {
        <section class="throughput" aria-label="Experiment: buffer size and throughput" data-testid="throughput">
        <details class="panel" {ontoggle} data-testid="throughput-view">
            <summary><h3>{ "Experiment: buffer size and throughput" }</h3></summary>
            { panel.status("Loading the experiment…", "throughput") }
            <div ref={panel.root.clone()} class="throughput-root"></div>
        </details>
        </section>
    }
}
