//! The inside of the throughput panel, the buffer-size experiment of MODEL.md §4: the
//! engine runs real transfers under an explicit cost model whose numbers the learner
//! sets, and this panel plots the throughput against buffer size or against the size
//! of each send() call. It lives in the tools module (`src/bin/sockscope-tools.rs`),
//! with `bench_sweep`, so the first view never carries the engine's `experiment`
//! transfers; it needs nothing from the world on screen, and talks back to the page
//! only to say why a field was refused (`on_notice`).

use sockscope_engine::experiment::{
    budget_sweep, sweep_buffers, sweep_send_sizes, CostModel, TransferResult,
};
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq)]
enum Axis {
    Buffer,
    SendSize,
}

#[derive(Clone, PartialEq)]
struct Outcome {
    axis: Axis,
    points: Vec<(u64, TransferResult)>,
    link: f64,
    /// How long the page took to compute the sweep (real milliseconds).
    took_ms: f64,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn read(node: &NodeRef) -> String {
    crate::view::field_value(node).unwrap_or_default()
}

fn number(node: &NodeRef, what: &str, range: std::ops::RangeInclusive<f64>) -> Result<f64, String> {
    let text = read(node);
    match text.trim().parse::<f64>() {
        Ok(v) if range.contains(&v) => Ok(v),
        _ => Err(format!(
            "{what} must be a number from {} to {}, not “{}”.",
            range.start(),
            range.end(),
            text.trim()
        )),
    }
}

/// Sizes from 512 bytes to 512 KiB, doubling.
fn sizes() -> Vec<u64> {
    (9..=19).map(|p| 1u64 << p).collect()
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

/// A line plot: x is log2 of the size, y is throughput in MB/s; the dashed line is
/// the link rate.
fn plot(o: &Outcome) -> Html {
    let (w, h, left, bottom, top, right) = (560.0, 260.0, 56.0, 36.0, 12.0, 12.0);
    let xs: Vec<f64> = o.points.iter().map(|(s, _)| (*s as f64).log2()).collect();
    let (xmin, xmax) = (
        xs.first().copied().unwrap_or(0.0),
        xs.last().copied().unwrap_or(1.0),
    );
    let ymax = (o.link / 1e6).max(
        o.points
            .iter()
            .map(|(_, r)| r.bytes_per_s / 1e6)
            .fold(0.0, f64::max),
    ) * 1.1;
    let x = |v: f64| left + (v - xmin) / (xmax - xmin).max(1e-9) * (w - left - right);
    let y = |v: f64| h - bottom - v / ymax.max(1e-9) * (h - bottom - top);
    let path: Vec<String> = o
        .points
        .iter()
        .zip(&xs)
        .map(|((_, r), xv)| format!("{:.1},{:.1}", x(*xv), y(r.bytes_per_s / 1e6)))
        .collect();
    let xlabel = match o.axis {
        Axis::Buffer => "SO_SNDBUF = SO_RCVBUF (and bytes per call)",
        Axis::SendSize => "bytes per send() call",
    };
    html! {
        <svg class="plot" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={format!("Throughput against {xlabel}")}>
            <line class="axis" x1={left.to_string()} y1={(h - bottom).to_string()} x2={(w - right).to_string()} y2={(h - bottom).to_string()} />
            <line class="axis" x1={left.to_string()} y1={top.to_string()} x2={left.to_string()} y2={(h - bottom).to_string()} />
            <line class="link" x1={left.to_string()} x2={(w - right).to_string()} y1={format!("{:.1}", y(o.link / 1e6))} y2={format!("{:.1}", y(o.link / 1e6))} />
            <text class="link-label" x={(w - right - 4.0).to_string()} y={format!("{:.1}", y(o.link / 1e6) - 4.0)} text-anchor="end">{ "link rate" }</text>
            { for [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|f| {
                let v = ymax / 1.1 * f;
                html! { <text class="tick" x={(left - 6.0).to_string()} y={format!("{:.1}", y(v) + 3.0)} text-anchor="end">{ format!("{v:.1}") }</text> }
            }) }
            { for o.points.iter().zip(&xs).map(|((s, _), xv)| html! {
                <text class="tick" x={format!("{:.1}", x(*xv))} y={(h - bottom + 14.0).to_string()} text-anchor="middle">{ human(*s).replace(" KiB", "K").replace(" MiB", "M").replace(" B", "") }</text>
            }) }
            <polyline class="series" points={path.join(" ")} />
            { for o.points.iter().zip(&xs).map(|((_, r), xv)| html! {
                <circle class="series-dot" cx={format!("{:.1}", x(*xv))} cy={format!("{:.1}", y(r.bytes_per_s / 1e6))} r="3" />
            }) }
            <text class="axis-label" x={((left + w - right) / 2.0).to_string()} y={(h - 4.0).to_string()} text-anchor="middle">{ xlabel }</text>
            <text class="axis-label" x="12" y={((top + h - bottom) / 2.0).to_string()} text-anchor="middle"
                transform={format!("rotate(-90 12 {})", (top + h - bottom) / 2.0)}>{ "MB/s" }</text>
        </svg>
    }
}

#[derive(Properties, PartialEq)]
pub struct ThroughputBodyProps {
    /// Says to the learner why the experiment did not run (the page's notice).
    pub on_notice: Callback<String>,
}

/// What the form asks for: the axis, the transfer size, the fixed buffer (for the
/// send-size plot) and the cost model.
struct Setup {
    axis: Axis,
    total: u64,
    buffer: u64,
    model: CostModel,
}

/// Reads the form's fields (in the order `form` draws them); the first field out of
/// its range is said.
fn read_setup(refs: &[NodeRef]) -> Result<Setup, String> {
    let axis = if read(&refs[0]) == "send" {
        Axis::SendSize
    } else {
        Axis::Buffer
    };
    let total = (number(&refs[1], "The transfer size (KiB)", 1.0..=16384.0)? * 1024.0) as u64;
    let buffer = (number(&refs[2], "The fixed buffer (KiB)", 1.0..=4096.0)? * 1024.0) as u64;
    let model = CostModel {
        call_overhead_us: number(&refs[3], "The cost of a call (µs)", 0.0..=100000.0)? as u64,
        copy_ns_per_byte: number(&refs[4], "The copy cost (ns per byte)", 0.0..=1000.0)? as u64,
        link_bytes_per_s: (number(&refs[5], "The link rate (Mbit/s)", 0.01..=100000.0)? * 125_000.0)
            as u64,
        rtt_us: (number(&refs[6], "The round-trip time (ms)", 0.0..=10000.0)? * 1000.0) as u64,
        mss: number(&refs[7], "The MSS (bytes)", 100.0..=65535.0)? as u64,
    };
    Ok(Setup {
        axis,
        total,
        buffer,
        model,
    })
}

/// Runs the sweep the setup asks for, timed.
fn run(setup: &Setup) -> Result<Outcome, String> {
    let start = now_ms();
    let result = match setup.axis {
        Axis::Buffer => sweep_buffers(setup.total, &sizes(), &setup.model),
        Axis::SendSize => sweep_send_sizes(setup.total, &sizes(), setup.buffer, &setup.model),
    };
    match result {
        Ok(points) => Ok(Outcome {
            axis: setup.axis,
            points,
            link: setup.model.link_bytes_per_s as f64,
            took_ms: now_ms() - start,
        }),
        Err(err) => Err(format!("The experiment could not run: {err}")),
    }
}

/// The experiment's fields, starting with the default cost model.
fn form(refs: &[NodeRef], onsubmit: Callback<SubmitEvent>) -> Html {
    let defaults = CostModel::default();
    let field = |i: usize, label: &str, value: String| {
        html! { <label>{ label }<input ref={refs[i].clone()} type="text" size="7" value={value} /></label> }
    };
    html! {
        <form class="row experiment-form" {onsubmit}>
            <label>{ "plot against " }
                <select ref={refs[0].clone()}>
                    <option value="buffer" selected=true>{ "buffer size" }</option>
                    <option value="send">{ "send() size" }</option>
                </select>
            </label>
            { field(1, "transfer (KiB) ", "2048".into()) }
            { field(2, "fixed buffer for send() plot (KiB) ", "64".into()) }
            { field(3, "per call (µs) ", defaults.call_overhead_us.to_string()) }
            { field(4, "copy (ns/byte) ", defaults.copy_ns_per_byte.to_string()) }
            { field(5, "link (Mbit/s) ", (defaults.link_bytes_per_s as f64 / 125_000.0).to_string()) }
            { field(6, "RTT (ms) ", (defaults.rtt_us as f64 / 1000.0).to_string()) }
            { field(7, "MSS ", defaults.mss.to_string()) }
            <button type="submit" class="primary" data-testid="throughput-run">{ "Run the experiment" }</button>
        </form>
    }
}

/// Every transfer of the sweep with its numbers.
fn table(o: &Outcome) -> Html {
    html! {
        <table class="plot-table" data-testid="throughput-table" data-sweep-ms={format!("{:.1}", o.took_ms)}>
            <caption>{ format!("{} transfers, computed in {:.0} ms", o.points.len(), o.took_ms) }</caption>
            <thead><tr><th scope="col">{ "size" }</th><th scope="col">{ "MB/s" }</th><th scope="col">{ "send calls" }</th><th scope="col">{ "waits for room" }</th><th scope="col">{ "seconds" }</th></tr></thead>
            <tbody>
                { for o.points.iter().map(|(s, r)| html! {
                    <tr><th scope="row">{ human(*s) }</th><td>{ format!("{:.2}", r.bytes_per_s / 1e6) }</td>
                        <td>{ r.send_calls }</td><td>{ r.wakeups }</td><td>{ format!("{:.3}", r.seconds) }</td></tr>
                }) }
            </tbody>
        </table>
    }
}

/// Nothing here depends on the world on screen, so it is drawn again only when the
/// learner runs the experiment.
#[component]
pub fn ThroughputBody(props: &ThroughputBodyProps) -> Html {
    // One reference per form field, kept across renders.
    let refs: Vec<NodeRef> =
        (*use_state(|| (0..8).map(|_| NodeRef::default()).collect::<Vec<NodeRef>>())).clone();
    let outcome = use_state(|| None::<Outcome>);
    let submit = {
        let (on_notice, refs, outcome) = (props.on_notice.clone(), refs.clone(), outcome.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match read_setup(&refs).and_then(|setup| run(&setup)) {
                Ok(o) => outcome.set(Some(o)),
                Err(msg) => on_notice.emit(msg),
            }
        })
    };
    html! {
        <>
            <p class="muted small">{ "Each point is a real transfer through the simulated TCP: a program sends, another receives, every call costs CPU time, and bytes cross a link of limited rate. A send larger than SendQ is copied in pieces, with a wait (and its cost) each time SendQ is full." }</p>
            { form(&refs, submit) }
            if let Some(o) = &*outcome {
                { plot(o) }
                { table(o) }
            }
        </>
    }
}

/// For `cargo xtask bench` (exported by the tools module): runs the sweep of the
/// performance budget (`experiment::budget_sweep`, the one the native bench runs) in
/// this wasm build and returns how long it took in milliseconds, or -1 if it failed.
pub fn bench_sweep() -> f64 {
    let start = now_ms();
    match budget_sweep() {
        Ok(_) => now_ms() - start,
        Err(_) => -1.0,
    }
}
