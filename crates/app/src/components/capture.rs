//! "Download capture": everything the engine has sent so far, as a pcapng file that
//! Wireshark opens (see `sockscope_engine::capture`). Built when asked for, in the
//! page: nothing leaves the browser.

use crate::download;
use crate::state::{Action, Dispatch, SessionRef};
use sockscope_engine::capture::{self, Format};
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
            let written = capture::write(session.0.borrow().trace(), Format::PcapNg);
            let outcome = written
                .map_err(|e| e.to_string())
                .and_then(|c| download::save(&c.bytes, FILE_NAME, MIME).map(|()| c));
            match outcome {
                Ok(c) if c.frames == 0 => ctx.dispatch(Action::Notice(
                    "The capture is empty: nothing has been sent on the network yet.".into(),
                )),
                Ok(_) => {}
                Err(why) => ctx.dispatch(Action::Notice(format!(
                    "The capture could not be saved: {why}"
                ))),
            }
        })
    };
    html! {
        <button type="button" {onclick} data-testid="capture-download"
            title="Every segment sent so far, as a file Wireshark opens">
            { "Download capture" }
        </button>
    }
}
