//! Captures in the page: the time-sequence graph of this run, and a capture of real
//! programs opened by file picker or drag and drop, drawn as a ladder with the TCP
//! state each end must be in after each segment and the netstat rows of any moment.
//! The work happens only while the panel is open; a file is read up to `MAX_BYTES`
//! and `MAX_PACKETS`, and the panel says when it stopped there.

use crate::state::{Action, Ctx};
use sockscope_engine::capture::graph::{self, Graph};
use sockscope_engine::capture::passive::{self, Timeline, LIMITS};
use sockscope_engine::capture::read::{self, Packet};
use sockscope_engine::Event as TraceEvent;
use sockscope_engine::Proto;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::capture_graph::TimeSequenceGraph;

/// The most of a file read: the rest of a larger file is not looked at.
const MAX_BYTES: f64 = 64.0 * 1024.0 * 1024.0;
/// The most packets followed.
const MAX_PACKETS: usize = 20_000;
/// Ladder rows drawn around the selected packet.
const LADDER_ROWS: usize = 40;

/// A capture read from a file.
#[derive(PartialEq)]
pub struct Loaded {
    name: String,
    packets: Vec<Packet>,
    timeline: Timeline,
    note: String,
}

impl Loaded {
    fn new(name: String, bytes: &[u8], cut: bool) -> Result<Loaded, String> {
        let imported = read::read(bytes, MAX_PACKETS).map_err(|e| format!("{name}: {e}"))?;
        if imported.packets.is_empty() {
            return Err(format!("{name} holds no TCP or UDP packets."));
        }
        let timeline = passive::track(&imported.packets);
        let mut note = format!(
            "{name}: {} packets, {} connection(s) or flow(s).",
            imported.packets.len(),
            timeline.connections.len()
        );
        if imported.skipped > 0 {
            note.push_str(&format!(
                " {} other frames (not TCP/UDP over IP) are left out.",
                imported.skipped
            ));
        }
        if imported.truncated || cut {
            note.push_str(&format!(
                " The file is larger than sockscope reads: only its first {} packets are shown.",
                imported.packets.len()
            ));
        }
        Ok(Loaded {
            name,
            packets: imported.packets,
            timeline,
            note,
        })
    }
}

/// Reads at most `MAX_BYTES` of a chosen or dropped file, then hands it on.
fn read_capture(file: web_sys::File, done: Callback<Result<Loaded, String>>) {
    let Ok(reader) = web_sys::FileReader::new() else {
        done.emit(Err("This browser cannot read files.".into()));
        return;
    };
    let name = file.name();
    let cut = file.size() > MAX_BYTES;
    let Ok(part) = file.slice_with_f64_and_f64(0.0, MAX_BYTES) else {
        done.emit(Err(format!("{name} could not be read.")));
        return;
    };
    let onload = {
        let reader = reader.clone();
        wasm_bindgen::closure::Closure::once_into_js(move || {
            let bytes = reader
                .result()
                .map(|v| js_sys::Uint8Array::new(&v).to_vec())
                .unwrap_or_default();
            done.emit(Loaded::new(name, &bytes, cut));
        })
    };
    reader.set_onload(Some(onload.unchecked_ref()));
    if reader.read_as_array_buffer(&part).is_err() {
        reader.set_onload(None);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Source {
    Run,
    File,
}

#[component]
pub fn CaptureView() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let open = use_state(|| false);
    let source = use_state(|| Source::Run);
    let loaded = use_state(|| None::<Rc<Loaded>>);
    let error = use_state(|| None::<String>);
    let conn = use_state(|| 0usize);
    let selected = use_state(|| None::<usize>);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let d: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            open.set(d.open());
        })
    };
    let on_loaded = {
        let (loaded, error, source, conn, selected) = (
            loaded.clone(),
            error.clone(),
            source.clone(),
            conn.clone(),
            selected.clone(),
        );
        Callback::from(move |r: Result<Loaded, String>| match r {
            Ok(l) => {
                loaded.set(Some(Rc::new(l)));
                error.set(None);
                source.set(Source::File);
                conn.set(0);
                selected.set(Some(0));
            }
            // A bad file changes nothing of what was shown.
            Err(e) => error.set(Some(e)),
        })
    };
    let trace_len = ctx.session.borrow().events() as usize;
    let run = use_run_packets(&ctx, *open, trace_len);
    let body = if *open {
        let (packets, timeline, from_file) = match (&*source, &*loaded) {
            (Source::File, Some(l)) => (&l.packets, &l.timeline, true),
            _ => (&run.0, &run.1, false),
        };
        let body = view_body(ViewArgs {
            ctx: &ctx,
            packets,
            timeline,
            from_file,
            loaded: loaded.as_deref(),
            source: source.clone(),
            conn: conn.clone(),
            selected: selected.clone(),
            on_loaded,
            error: (*error).clone(),
        });
        html! { <>{ forgotten_note(&ctx) }{ body }</> }
    } else {
        html! {}
    };
    html! {
        <section class="capture-view" aria-label="Captures">
        <details class="panel" {ontoggle} data-testid="capture-view">
            <summary><h3>{ "Captures: the time-sequence graph, and captures of real programs" }</h3></summary>
            { body }
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

/// This run's segments as packets, and their timeline: made only while the panel is
/// open, and again only when the trace changed.
#[hook]
fn use_run_packets(ctx: &Ctx, open: bool, trace_len: usize) -> Rc<(Vec<Packet>, Timeline)> {
    let session = ctx.session.clone();
    use_memo((open, trace_len), move |&(open, _)| {
        if !open {
            return (Vec::new(), Timeline::default());
        }
        let packets = graph::from_trace(session.borrow().trace());
        let timeline = passive::track(&packets);
        (packets, timeline)
    })
}

struct ViewArgs<'a> {
    ctx: &'a Ctx,
    packets: &'a [Packet],
    timeline: &'a Timeline,
    from_file: bool,
    loaded: Option<&'a Loaded>,
    source: UseStateHandle<Source>,
    conn: UseStateHandle<usize>,
    selected: UseStateHandle<Option<usize>>,
    on_loaded: Callback<Result<Loaded, String>>,
    error: Option<String>,
}

fn view_body(a: ViewArgs) -> Html {
    let conn = (*a.conn).min(a.timeline.connections.len().saturating_sub(1));
    let tcp: Vec<usize> = (0..a.timeline.connections.len())
        .filter(|&i| a.timeline.connections[i].proto == Proto::Tcp)
        .collect();
    let graph_for = |sender| graph::graph(a.packets, a.timeline, conn, sender);
    let onselect = select_callback(&a);
    html! {
        <div class="capture-body">
            { file_picker(&a) }
            if let Some(e) = &a.error { <p class="notice" role="alert" data-testid="capture-error">{ e }</p> }
            { source_switch(&a) }
            if a.timeline.connections.is_empty() {
                <p class="muted">{ "Nothing has crossed the wire yet." }</p>
            } else {
                { connection_picker(&a, conn, &tcp) }
                <div class="tsg-pair">
                    { for [0usize, 1].iter().map(|&s| {
                        let g: Graph = graph_for(s);
                        let ends = &a.timeline.connections[conn].ends;
                        let title = format!("Time-sequence graph of the data {} sends to {}", ends[s], ends[1 - s]);
                        html! { <div><h4 class="small">{ format!("{} → {}", ends[s], ends[1 - s]) }</h4>
                            <TimeSequenceGraph graph={g} selected={*a.selected} onselect={onselect.clone()} title={title} /></div> }
                    }) }
                </div>
                if a.from_file { { capture_ladder(&a, conn) } }
            }
            <p class="muted small">{ LIMITS }</p>
        </div>
    }
}

/// A click on a segment: in a capture it selects the packet; in this run it takes the
/// timeline to the moment that segment was sent.
fn select_callback(a: &ViewArgs) -> Callback<usize> {
    if a.from_file {
        let selected = a.selected.clone();
        return Callback::from(move |p: usize| selected.set(Some(p)));
    }
    let events: Vec<u64> = a
        .ctx
        .session
        .borrow()
        .trace()
        .iter()
        .filter(|e| matches!(e.event, TraceEvent::SegmentSent { .. }))
        .map(|e| e.n)
        .collect();
    let dispatch = a.ctx.dispatcher();
    Callback::from(move |p: usize| {
        if let Some(n) = events.get(p) {
            dispatch.dispatch(Action::SeekEvent(*n));
        }
    })
}

fn file_picker(a: &ViewArgs) -> Html {
    let onchange = {
        let done = a.on_loaded.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|f| f.get(0)) {
                read_capture(f, done.clone());
            }
            input.set_value("");
        })
    };
    let ondrop = {
        let done = a.on_loaded.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                read_capture(f, done.clone());
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    html! {
        <div class="drop-zone" {ondrop} {ondragover} data-testid="capture-drop">
            <label>{ "Open a capture of real programs (pcap or pcapng, from Wireshark, tshark or tcpdump), or drop it here: " }
                <input type="file" accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap" {onchange} data-testid="capture-file" />
            </label>
            if let Some(l) = a.loaded { <p class="small" data-testid="capture-note">{ &l.note }</p> }
        </div>
    }
}

fn source_switch(a: &ViewArgs) -> Html {
    let Some(l) = a.loaded else { return html! {} };
    let pick = |s: Source| {
        let source = a.source.clone();
        Callback::from(move |_: Event| source.set(s))
    };
    html! {
        <fieldset class="row small">
            <legend>{ "Show" }</legend>
            <label><input type="radio" name="capture-source" checked={!a.from_file} onchange={pick(Source::Run)} />{ " this run" }</label>
            <label><input type="radio" name="capture-source" checked={a.from_file} onchange={pick(Source::File)} data-testid="capture-source-file" />{ format!(" {}", l.name) }</label>
        </fieldset>
    }
}

fn connection_picker(a: &ViewArgs, conn: usize, tcp: &[usize]) -> Html {
    let onchange = {
        let (c, selected) = (a.conn.clone(), a.selected.clone());
        Callback::from(move |e: Event| {
            let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
            c.set(s.value().parse().unwrap_or(0));
            selected.set(None);
        })
    };
    html! {
        <label class="small">{ "Connection: " }
            <select {onchange} data-testid="capture-connection">
                { for tcp.iter().map(|&i| {
                    let ends = &a.timeline.connections[i].ends;
                    html! { <option value={i.to_string()} selected={i == conn}>{ format!("{} ↔ {}", ends[0], ends[1]) }</option> }
                }) }
            </select>
        </label>
    }
}

/// The capture's segments of one connection as a ladder: one arrow per segment, with
/// the state of each end after it at the sides; the selected one with its netstat rows.
fn capture_ladder(a: &ViewArgs, conn: usize) -> Html {
    let rows: Vec<usize> = (0..a.packets.len())
        .filter(|&i| a.timeline.moments[i].conn == conn)
        .collect();
    let at = a
        .selected
        .and_then(|s| rows.iter().position(|&r| r == s))
        .unwrap_or(0);
    let first = at.saturating_sub(LADDER_ROWS / 2);
    let shown = &rows[first..(first + LADDER_ROWS).min(rows.len())];
    let ends = a.timeline.connections[conn].ends;
    let name = |s: Option<sockscope_engine::TcpState>| s.map_or("?".to_string(), |s| s.to_string());
    html! {
        <div class="capture-ladder">
            <table class="small" data-testid="capture-ladder">
                <caption>{ format!("Segments {}–{} of {} on this connection; the states are those each end must be in after the segment, and \"in flight\" what each way has sent and not yet had acknowledged, in sequence numbers (a SYN or FIN counts one).", first + 1, first + shown.len(), rows.len()) }</caption>
                <thead><tr><th>{ ends[0].to_string() }</th><th>{ "" }</th><th>{ ends[1].to_string() }</th></tr></thead>
                <tbody>
                { for shown.iter().map(|&i| {
                    let (p, m) = (&a.packets[i], &a.timeline.moments[i]);
                    let arrow = if m.from == 0 { "──▶" } else { "◀──" };
                    let onclick = { let s = a.selected.clone(); Callback::from(move |_: MouseEvent| s.set(Some(i))) };
                    let label = format!("{} {arrow} {}", p.frame, describe(p, m));
                    html! {
                        <tr class={classes!((*a.selected == Some(i)).then_some("selected"))}>
                            <td>{ name(m.states[0]) }</td>
                            <td><button type="button" class="link" {onclick}>{ label }</button></td>
                            <td>{ name(m.states[1]) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            { netstat_at(a) }
        </div>
    }
}

fn describe(p: &Packet, m: &passive::Moment) -> String {
    match p.proto {
        Proto::Udp => format!("UDP {} bytes", p.len),
        Proto::Tcp => format!(
            "{} seq={} ack={} win={} len={} at {:.6} s; in flight {} → / ← {}",
            p.flags,
            m.rel_seq,
            m.rel_ack,
            m.window[m.from].unwrap_or(0),
            p.len,
            p.time_us as f64 / 1e6,
            m.in_flight[0],
            m.in_flight[1]
        ),
    }
}

fn netstat_at(a: &ViewArgs) -> Html {
    let Some(m) = *a.selected else {
        return html! {};
    };
    let rows = a.timeline.netstat_at(m);
    html! {
        <table class="small netstat-capture" data-testid="capture-netstat">
            <caption>{ format!("netstat right after packet {}, as far as the capture tells", a.packets[m].frame) }</caption>
            <thead><tr><th>{ "Proto" }</th><th>{ "Recv-Q" }</th><th>{ "Send-Q" }</th><th>{ "Local Address" }</th><th>{ "Foreign Address" }</th><th>{ "State" }</th></tr></thead>
            <tbody>
            { for rows.iter().map(|r| html! {
                <tr>
                    <td>{ if r.proto == Proto::Tcp { "tcp" } else { "udp" } }</td>
                    <td>{ format!("≤ {}", r.recv_q_at_most) }</td>
                    <td>{ format!("≥ {}", r.send_q_at_least) }</td>
                    <td>{ r.local.to_string() }</td>
                    <td>{ r.foreign.to_string() }</td>
                    <td>{ r.state.map_or(String::new(), |s| s.to_string()) }</td>
                </tr>
            }) }
            </tbody>
        </table>
    }
}
