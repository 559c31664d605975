//! A console that takes lines of the scenario language (`client: s = socket(TCP)`,
//! `net: deliver 1`, `netstat server`), and the scenario panel to export what was done
//! or load a scenario. The same parser as the command-line runner reads both.

use crate::session::Session;
use crate::state::{Action, Dispatch, SessionRef, TourInfo};
use sockscope_scenario::{parse, LineKind};
use yew::prelude::*;

/// Output lines kept on screen.
const SHOWN: usize = 80;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub session: SessionRef,
    /// How many output lines the session has: the console is redrawn when it grows.
    pub lines: usize,
    pub dispatch: Dispatch,
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let ctx = props.dispatch.clone();
    let input = use_node_ref();
    // Playing and stepping add a line per event; they are hidden unless asked for.
    let show_network = use_state(|| false);
    let toggle = {
        let show_network = show_network.clone();
        Callback::from(move |_: Event| show_network.set(!*show_network))
    };
    let submit = {
        let (ctx, input) = (ctx.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(field) = input.cast::<web_sys::HtmlInputElement>() else {
                return;
            };
            let text = field.value();
            if text.trim().is_empty() {
                return;
            }
            ctx.dispatch(Action::Line(text));
            field.set_value("");
        })
    };
    let lines: Vec<(String, &'static str)> = {
        let s = props.session.0.borrow();
        let mut wanted: Vec<_> = s
            .runner
            .lines()
            .iter()
            .rev()
            .filter(|l| *show_network || !matches!(l.kind, LineKind::Net | LineKind::Wire))
            .take(SHOWN)
            .collect();
        wanted.reverse();
        wanted
            .iter()
            .map(|l| {
                let class = match l.kind {
                    LineKind::Say => "say",
                    LineKind::Fail => "fail",
                    LineKind::Call => "call",
                    _ => "",
                };
                (l.text.clone(), class)
            })
            .collect()
    };
    html! {
        <section class="console" aria-label="Console">
            <h3>{ "Console" }</h3>
            <form onsubmit={submit} class="row">
                <label class="grow" for="console-line">
                    <span class="visually-hidden">{ "A line of the scenario language" }</span>
                    <input id="console-line" ref={input} type="text" data-testid="console-input" autocomplete="off" spellcheck="false"
                        placeholder="client: c = socket(TCP); connect(c, 10.0.0.2:80)" />
                </label>
                <button type="submit" class="primary" data-testid="console-run">{ "Run" }</button>
            </form>
            <p class="muted small">{ "Write calls as in C, prefixed by the process: " }<code>{ "server: s = accept(l)" }</code>
                { ". A call that blocks lets the network run until it returns; end it with " }<code>{ "&" }</code>
                { " to watch instead. Also: " }<code>{ "net: deliver 1" }</code>{ ", " }<code>{ "net: run" }</code>{ ", " }
                <code>{ "netstat client" }</code>{ ", " }<code>{ "expect state client c == ESTABLISHED" }</code>{ "." }</p>
            <label class="small"><input type="checkbox" checked={*show_network} onchange={toggle} />
                { " show every segment and network step" }</label>
            <pre class="console-log" data-testid="console-log" aria-live="polite" tabindex="0" aria-label="Console output">
                { for lines.into_iter().map(|(t, class)| html! { <><span class={class}>{ t }</span>{ "\n" }</> }) }
            </pre>
        </section>
    }
}

/// The page's address without query or fragment.
fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// A link that reopens this moment: the tour and its step, or the whole session as a
/// scenario in the fragment.
pub fn share_link(session: &Session, tour: Option<&TourInfo>) -> String {
    match tour.and_then(|t| Some((t, session.tour_link_step(t.mode)?))) {
        Some((t, step)) => {
            // Numbers drawn per learner come back only with the same seed.
            let seed = if t.drawn {
                format!("&seed={}", t.seed)
            } else {
                String::new()
            };
            format!("{}?tour={}&{step}{seed}", page_base(), t.name)
        }
        None => format!(
            "{}#scenario={}",
            page_base(),
            crate::options::percent_encode(&session.script())
        ),
    }
}

/// An iframe snippet showing `link` with minimal controls.
fn embed_code(link: &str) -> String {
    let src = if link.contains('?') {
        format!("{link}&controls=minimal")
    } else {
        link.replacen('#', "?controls=minimal#", 1)
    };
    format!("<iframe src=\"{src}\" title=\"sockscope\" width=\"100%\" height=\"760\" loading=\"lazy\" style=\"border:0\"></iframe>")
}

/// Saves the script as `sockscope.scn` through a temporary link (a `data:` URL, so
/// nothing leaves the page).
fn download_script(script: &str) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        crate::options::percent_encode(script)
    );
    let _ = a.set_attribute("href", &href);
    let _ = a.set_attribute("download", "sockscope.scn");
    if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
        a.click();
    }
}

/// Puts text on the clipboard; the text stays visible in a field in case the browser
/// refuses.
fn copy(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Export what was done as a scenario file, or load one (pasted); copy a link or an
/// embed snippet for a course page.
#[derive(Properties, PartialEq)]
pub struct ScenarioProps {
    pub session: SessionRef,
    pub tour: Option<TourInfo>,
    pub dispatch: Dispatch,
}

/// Copies what `make` builds from the share link, and shows it.
fn on_copy(
    props: &ScenarioProps,
    shown: &UseStateHandle<String>,
    make: fn(String) -> String,
) -> Callback<MouseEvent> {
    let (session, tour, shown) = (props.session.0.clone(), props.tour.clone(), shown.clone());
    Callback::from(move |_: MouseEvent| {
        let text = make(share_link(&session.borrow(), tour.as_ref()));
        copy(&text);
        shown.set(text);
    })
}

/// Loads the pasted scenario, or says where it does not parse.
fn on_load(ctx: Dispatch, area: NodeRef) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let Some(a) = area.cast::<web_sys::HtmlTextAreaElement>() else {
            return;
        };
        match parse(&a.value()) {
            Ok(scenario) => ctx.dispatch(Action::Load(Box::new(scenario))),
            Err(e) => ctx.dispatch(Action::Notice(format!("The scenario was not loaded: {e}"))),
        }
    })
}

/// Loads the chosen `.scn` file.
fn on_import(ctx: Dispatch) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        read_file(file, ctx.clone());
        input.set_value("");
    })
}

#[component]
pub fn ScenarioPanel(props: &ScenarioProps) -> Html {
    let session = props.session.0.clone();
    let area = use_node_ref();
    let shown = use_state(String::new);
    // Links and the script are built when asked for, not on every frame.
    let copy_link = on_copy(props, &shown, |link| link);
    let copy_embed = on_copy(props, &shown, |link| embed_code(&link));
    let download = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| download_script(&session.borrow().script()))
    };
    let fill = {
        let area = area.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(a) = area.cast::<web_sys::HtmlTextAreaElement>() {
                a.set_value(&session.borrow().script());
            }
        })
    };
    let load = on_load(props.dispatch.clone(), area.clone());
    let import = on_import(props.dispatch.clone());
    html! {
        <section class="scenario" aria-label="Scenario">
            <h3>{ "Scenario" }</h3>
            <p class="muted small">{ "Everything you do is a line of a scenario. Copy it to share it, or paste one and load it." }</p>
            <label for="scenario-text" class="visually-hidden">{ "Scenario text" }</label>
            <textarea id="scenario-text" ref={area} rows="8" spellcheck="false" data-testid="scenario-text" />
            <div class="row">
                <button type="button" onclick={copy_link} data-testid="copy-link">{ "Copy link" }</button>
                <button type="button" onclick={copy_embed} data-testid="copy-embed">{ "Copy embed code" }</button>
            </div>
            if !shown.is_empty() {
                <label class="grow copied">{ "Copied (select it if your browser refused): " }
                    <input type="text" readonly=true value={(*shown).clone()} data-testid="copied" />
                </label>
            }
            <div class="row">
                <button type="button" onclick={fill} data-testid="scenario-export">{ "Show what I did" }</button>
                <button type="button" onclick={download} data-testid="scenario-download">{ "Download .scn" }</button>
                <crate::components::capture::CaptureButton session={props.session.clone()} dispatch={props.dispatch.clone()} />
                <button type="button" class="primary" onclick={load} data-testid="scenario-load">{ "Load this scenario" }</button>
            </div>
            <p class="muted small">{ "The capture holds every segment sent so far, for Wireshark: the addresses, ports, sequence numbers, windows and flags are the simulation's own, the clock is its virtual clock, and the payload bytes are letters (A for the first send() of the run, B for the next…) rather than your data." }</p>
            <label class="small">{ "Or open a .scn file: " }
                <input type="file" accept=".scn,.txt,text/plain" onchange={import} data-testid="scenario-file" />
            </label>
        </section>
    }
}

/// Reads a scenario file chosen by the learner and loads it; a file that does not parse
/// changes nothing and says where it went wrong.
fn read_file(file: web_sys::File, ctx: Dispatch) {
    use wasm_bindgen::JsCast;
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let name = file.name();
    let done = {
        let (reader, ctx) = (reader.clone(), ctx.clone());
        wasm_bindgen::closure::Closure::once_into_js(move || {
            let text = reader
                .result()
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            match parse(&text) {
                Ok(scenario) => ctx.dispatch(Action::Load(Box::new(scenario))),
                Err(e) => ctx.dispatch(Action::Notice(format!("{name} was not loaded: {e}"))),
            }
        })
    };
    reader.set_onload(Some(done.unchecked_ref()));
    if reader.read_as_text(&file).is_err() {
        ctx.dispatch(Action::Notice("The file could not be read.".into()));
    }
}
