//! The inside of the Captures panel: the time-sequence graph of this run, and a
//! capture of real programs opened by file picker or drag and drop, drawn as a ladder
//! with the TCP state each end must be in after each segment and the netstat rows of
//! any moment. It lives in the tools module, so it knows the run only by the trace
//! it is handed and talks back only through `on_seek`. A file of any size is read a
//! slice at a time into the engine's streaming reader, which holds at most one record
//! besides the `MAX_PACKETS` it keeps; the panel says how far it has read and where it
//! stopped.

use sockscope_engine::capture::graph::{self, Graph};
use sockscope_engine::capture::passive::{self, Timeline, LIMITS};
use sockscope_engine::capture::read::{Imported, Packet, Reader};
use sockscope_engine::trace::TraceEntry;
use sockscope_engine::Event as TraceEvent;
use sockscope_engine::Proto;
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::graph::TimeSequenceGraph;

/// How much of a file is in memory at once while it is read.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;
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
    fn new(name: String, imported: Imported) -> Result<Loaded, String> {
        if imported.packets.is_empty() {
            return Err(match &imported.damage {
                Some(d) => format!("{name}: {d}."),
                None => format!("{name} holds no TCP or UDP packets."),
            });
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
        if imported.truncated {
            note.push_str(&format!(
                " Reading stopped at {} packets, the most sockscope follows: the rest of the file, from byte {}, is not shown.",
                imported.packets.len(),
                imported.bytes_read
            ));
        }
        if let Some(d) = &imported.damage {
            note.push_str(&format!(" The packets before it are shown: {d}."));
        }
        Ok(Loaded {
            name,
            packets: imported.packets,
            timeline,
            note,
        })
    }
}

/// Reads a chosen or dropped file a slice at a time into the streaming reader,
/// saying how far it has got, and hands on what it read. A file that is not a
/// capture is refused at its first slice, whatever its size.
fn read_capture(
    file: web_sys::File,
    progress: Callback<Option<String>>,
    done: Callback<Result<Loaded, String>>,
) {
    spawn_local(async move {
        let name = file.name();
        let result = read_slices(&file, &name, &progress).await;
        progress.emit(None);
        done.emit(result.and_then(|imported| Loaded::new(name, imported)));
    });
}

async fn read_slices(
    file: &web_sys::File,
    name: &str,
    progress: &Callback<Option<String>>,
) -> Result<Imported, String> {
    let size = file.size();
    let mut reader = Reader::new(MAX_PACKETS);
    let mut at = 0.0;
    while at < size && reader.wants_more() {
        let end = (at + SLICE).min(size);
        let unreadable = || format!("{name} could not be read by the browser.");
        let slice = file
            .slice_with_f64_and_f64(at, end)
            .map_err(|_| unreadable())?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|_| unreadable())?;
        reader
            .feed(&js_sys::Uint8Array::new(&buffer).to_vec())
            .map_err(|e| format!("{name}: {e}"))?;
        at = end;
        progress.emit(Some(format!(
            "Reading {name}: {} of {} MB, {} packets so far…",
            (at / 1e6).round(),
            (size / 1e6).round(),
            reader.packets().len()
        )));
    }
    reader.finish().map_err(|e| format!("{name}: {e}"))
}

#[derive(Clone, Copy, PartialEq)]
enum Source {
    Run,
    File,
}

/// The run as the panel knows it: the trace, compared by identity (the shell hands a
/// new one whenever the session changed, and holding it keeps the comparison honest).
#[derive(Clone)]
pub struct RunTrace(pub Rc<Vec<TraceEntry>>);

impl PartialEq for RunTrace {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct CaptureBodyProps {
    pub trace: RunTrace,
    /// Takes the run to the moment of the trace event with this number.
    pub on_seek: Callback<u64>,
}

#[component]
pub fn CaptureBody(props: &CaptureBodyProps) -> Html {
    let source = use_state(|| Source::Run);
    let loaded = use_state(|| None::<Rc<Loaded>>);
    let error = use_state(|| None::<String>);
    let conn = use_state(|| 0usize);
    let selected = use_state(|| None::<usize>);
    let reading = use_state(|| None::<String>);
    let on_progress = {
        let reading = reading.clone();
        Callback::from(move |r: Option<String>| reading.set(r))
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
    let run = use_run_packets(props.trace.clone());
    let (packets, timeline, from_file) = match (&*source, &*loaded) {
        (Source::File, Some(l)) => (&l.packets, &l.timeline, true),
        _ => (&run.0, &run.1, false),
    };
    view_body(ViewArgs {
        trace: &props.trace.0,
        on_seek: &props.on_seek,
        packets,
        timeline,
        from_file,
        loaded: loaded.as_deref(),
        source: source.clone(),
        conn: conn.clone(),
        selected: selected.clone(),
        on_loaded,
        on_progress,
        reading: (*reading).clone(),
        error: (*error).clone(),
    })
}

/// This run's segments as packets, and their timeline: made again only when the
/// trace changed.
#[hook]
fn use_run_packets(trace: RunTrace) -> Rc<(Vec<Packet>, Timeline)> {
    use_memo(trace, |trace| {
        let packets = graph::from_trace(&trace.0);
        let timeline = passive::track(&packets);
        (packets, timeline)
    })
}

struct ViewArgs<'a> {
    trace: &'a [TraceEntry],
    on_seek: &'a Callback<u64>,
    packets: &'a [Packet],
    timeline: &'a Timeline,
    from_file: bool,
    loaded: Option<&'a Loaded>,
    source: UseStateHandle<Source>,
    conn: UseStateHandle<usize>,
    selected: UseStateHandle<Option<usize>>,
    on_loaded: Callback<Result<Loaded, String>>,
    on_progress: Callback<Option<String>>,
    /// How far the file being read has got, while it is read.
    reading: Option<String>,
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
        .trace
        .iter()
        .filter(|e| matches!(e.event, TraceEvent::SegmentSent { .. }))
        .map(|e| e.n)
        .collect();
    let on_seek = a.on_seek.clone();
    Callback::from(move |p: usize| {
        if let Some(n) = events.get(p) {
            on_seek.emit(*n);
        }
    })
}

fn file_picker(a: &ViewArgs) -> Html {
    let onchange = {
        let (done, progress) = (a.on_loaded.clone(), a.on_progress.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|f| f.get(0)) {
                read_capture(f, progress.clone(), done.clone());
            }
            input.set_value("");
        })
    };
    let ondrop = {
        let (done, progress) = (a.on_loaded.clone(), a.on_progress.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                read_capture(f, progress.clone(), done.clone());
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    html! {
        <div class="drop-zone" {ondrop} {ondragover} data-testid="capture-drop">
            <label>{ "Open a capture of real programs (pcap or pcapng, from Wireshark, tshark or tcpdump), or drop it here: " }
                <input type="file" accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap" {onchange} data-testid="capture-file" />
            </label>
            if let Some(r) = &a.reading { <p class="small" role="status" data-testid="capture-reading">{ r }</p> }
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
