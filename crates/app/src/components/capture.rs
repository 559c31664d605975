//! "Download capture": everything the engine has sent so far, as a pcapng file that
//! Wireshark opens (see `sockscope_engine::capture`). Written when asked for, by the
//! tools module (fetched then if it was not yet): nothing leaves the browser.

use crate::download;
use crate::state::{Action, Dispatch, SessionRef};
use crate::tools_module::{trace_json, ToolsModule};
use yew::platform::spawn_local;
use yew::prelude::*;

/// The file name a download gets.
const FILE_NAME: &str = "sockscope.pcapng";
const MIME: &str = "application/vnd.tcpdump.pcap";

#[derive(Properties, PartialEq)]
pub struct CaptureProps {
    pub session: SessionRef,
    pub dispatch: Dispatch,
}

#[component]
pub fn CaptureButton(props: &CaptureProps) -> Html {
    let onclick = {
        let (session, ctx) = (props.session.clone(), props.dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            // The trace as it is at the click, whatever happens while the module loads.
            let trace = trace_json(session.0.borrow().trace());
            let ctx = ctx.clone();
            spawn_local(async move {
                let outcome = match ToolsModule::load().await {
                    Ok(m) => m.write_capture(&trace, true),
                    Err(e) => Err(e),
                }
                .and_then(|(bytes, frames)| {
                    download::save(&bytes, FILE_NAME, MIME).map(|()| frames)
                });
                match outcome {
                    Ok(0) => ctx.dispatch(Action::Notice(
                        "The capture is empty: nothing has been sent on the network yet.".into(),
                    )),
                    Ok(_) => {}
                    Err(why) => ctx.dispatch(Action::Notice(format!(
                        "The capture could not be saved: {why}"
                    ))),
                }
            });
        })
    };
    html! {
        <button type="button" {onclick} data-testid="capture-download"
            title="Every segment sent so far, as a file Wireshark opens">
            { "Download capture" }
        </button>
    }
}
