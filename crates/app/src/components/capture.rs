//! "Download capture": everything the engine has sent so far, as a pcapng file that
//! Wireshark opens (see `sockscope_engine::capture`). Built when asked for, in the
//! page: nothing leaves the browser.

use crate::state::{Action, Dispatch, SessionRef};
use sockscope_engine::capture::{self, Format};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The file name a download gets.
const FILE_NAME: &str = "sockscope.pcapng";

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
                .and_then(|c| save(&c.bytes).map(|()| c));
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

/// Hands the bytes to the browser as a download, through an object URL of a Blob.
fn save(bytes: &[u8]) -> Result<(), String> {
    let fail = |what: &str| format!("the browser refused to {what}");
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("give a document"))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/vnd.tcpdump.pcap");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| fail("make a file"))?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("link the file"))?;
    let a: web_sys::HtmlElement = doc
        .create_element("a")
        .map_err(|_| fail("make a link"))?
        .dyn_into()
        .map_err(|_| fail("make a link"))?;
    let _ = a.set_attribute("href", &url);
    let _ = a.set_attribute("download", FILE_NAME);
    a.click();
    // The download starts after this handler returns: let go of the file a little later.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
