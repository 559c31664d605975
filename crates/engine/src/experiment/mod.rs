//! The buffer-size and throughput experiment of MODEL.md §4, run on the real engine.
//!
//! The numbers come from a simulated transfer, not from a formula, so slow start, flow
//! control, window updates and header overhead all count exactly as the rest of
//! sockscope shows them. Only the programs' CPU time is modelled: every call, and every
//! wake-up of a blocked call (a context switch), costs `call_overhead_us`, and every
//! byte copied between program and socket costs `copy_ns_per_byte` (see `CostModel`).
//! The programs and the network run concurrently on the one virtual clock.

pub mod echo;
mod programs;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A transfer never runs more engine events (plus program steps) than this, so any
/// input finishes in bounded time; a transfer that would need more is an error.
pub const MAX_EVENTS: u64 = 20_000_000;

/// Initial congestion window of the experiment's connection, in segments. RFC 6928's
/// 10, as Linux uses, rather than the engine's textbook 1: the experiment is about
/// buffers, and should not mostly measure slow start.
pub const INITIAL_CWND: u64 = 10;

/// The costs the user sets. Defaults: 5 µs per call or wake-up, 1 ns per byte copied
/// (about 1 GB/s), a 100 Mbit/s link (12,500,000 B/s), 20 ms round trip, MSS 1460.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostModel {
    /// CPU time of one send()/recv() call, and of one wake-up after blocking.
    pub call_overhead_us: u64,
    /// CPU time per byte copied into SendQ or out of RecvQ.
    pub copy_ns_per_byte: u64,
    /// Link rate in each direction (a 40-byte header per segment counts too).
    pub link_bytes_per_s: u64,
    /// Round-trip propagation time; each direction gets half.
    pub rtt_us: u64,
    /// Largest payload of one segment.
    pub mss: u64,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            call_overhead_us: 5,
            copy_ns_per_byte: 1,
            link_bytes_per_s: 12_500_000,
            rtt_us: 20_000,
            mss: 1460,
        }
    }
}

impl CostModel {
    /// Bandwidth-delay product in bytes: the window that keeps the link busy.
    pub fn bdp(&self) -> u64 {
        (self.link_bytes_per_s as u128 * self.rtt_us as u128 / 1_000_000).min(u64::MAX as u128)
            as u64
    }
}

/// One transfer: the sender loops `send(send_size)`, the receiver `recv(recv_size)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferSpec {
    pub total_bytes: u64,
    pub send_size: u64,
    pub recv_size: u64,
    /// SO_SNDBUF (SQS) of both sockets.
    pub sndbuf: u64,
    /// SO_RCVBUF (RQS) of both sockets.
    pub rcvbuf: u64,
}

/// What a transfer measured. Time runs from the first send() call until the receiver
/// has copied out the last byte.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransferResult {
    pub seconds: f64,
    pub bytes_per_s: f64,
    pub send_calls: u64,
    pub recv_calls: u64,
    /// Wake-ups of blocked calls, both programs together.
    pub wakeups: u64,
    /// Segments on the wire in both directions (data, ACKs, window updates, probes).
    pub segments: u64,
    /// Engine events the transfer ran (what `MAX_EVENTS` bounds).
    pub events: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExperimentError {
    /// A parameter makes no sense (a zero size, a zero link rate, ...).
    Invalid(String),
    /// The transfer would need more than `limit` events; `received` bytes had arrived.
    TooManyEvents { limit: u64, received: u64 },
    /// Both programs wait and nothing is scheduled (a bug if it ever happens).
    Stalled { received: u64 },
    /// The engine refused a call or the connection broke.
    Engine(String),
    /// A point of a sweep failed.
    AtSize {
        size: u64,
        error: Box<ExperimentError>,
    },
}

impl fmt::Display for ExperimentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExperimentError::Invalid(why) => write!(f, "invalid experiment: {why}"),
            ExperimentError::TooManyEvents { limit, received } => write!(
                f,
                "the transfer needs more than {limit} events (stopped after {received} bytes); \
                 use larger buffers or sends, or fewer bytes"
            ),
            ExperimentError::Stalled { received } => {
                write!(f, "the transfer stalled after {received} bytes")
            }
            ExperimentError::Engine(why) => write!(f, "the engine failed: {why}"),
            ExperimentError::AtSize { size, error } => write!(f, "at size {size}: {error}"),
        }
    }
}

impl std::error::Error for ExperimentError {}

/// Runs one connection in a fresh world and measures it (at most `MAX_EVENTS`).
pub fn transfer(spec: &TransferSpec, model: &CostModel) -> Result<TransferResult, ExperimentError> {
    transfer_bounded(spec, model, MAX_EVENTS)
}

/// `transfer` with a caller-chosen event bound (at most `MAX_EVENTS`).
pub fn transfer_bounded(
    spec: &TransferSpec,
    model: &CostModel,
    max_events: u64,
) -> Result<TransferResult, ExperimentError> {
    validate(spec, model)?;
    programs::run(spec, model, max_events.min(MAX_EVENTS))
}

/// Throughput against buffer size: for each size, SO_SNDBUF = SO_RCVBUF = size, and
/// the programs send and receive `size` bytes per call (the textbook's "copy a
/// buffer-full per call"). Other combinations: call `transfer` in a loop.
pub fn sweep_buffers(
    total: u64,
    sizes: &[u64],
    model: &CostModel,
) -> Result<Vec<(u64, TransferResult)>, ExperimentError> {
    sweep(sizes, model, |size| TransferSpec {
        total_bytes: total,
        send_size: size,
        recv_size: size,
        sndbuf: size,
        rcvbuf: size,
    })
}

/// The sweep the performance budget times (`cargo xtask bench`, natively and in the
/// page's tools module): 32 buffer sizes from 1 KiB to 1 MiB, geometric, each moving
/// 10 MB under the default cost model. Defined once, so that both builds time the
/// same transfers.
pub fn budget_sweep() -> Result<Vec<(u64, TransferResult)>, ExperimentError> {
    sweep_buffers(10_000_000, &budget_sweep_sizes(), &CostModel::default())
}

/// The buffer sizes of `budget_sweep`, smallest first.
pub fn budget_sweep_sizes() -> Vec<u64> {
    (0..32)
        .map(|i| (1024.0 * 1024f64.powf(i as f64 / 31.0)).round() as u64)
        .collect()
}

/// Throughput against send-call size: both buffers are `buffer`, the receiver reads
/// `buffer` bytes per call, the sender writes `size` bytes per call.
pub fn sweep_send_sizes(
    total: u64,
    sizes: &[u64],
    buffer: u64,
    model: &CostModel,
) -> Result<Vec<(u64, TransferResult)>, ExperimentError> {
    sweep(sizes, model, |size| TransferSpec {
        total_bytes: total,
        send_size: size,
        recv_size: buffer,
        sndbuf: buffer,
        rcvbuf: buffer,
    })
}

/// Checks every point before running any, so nonsense fails at once.
fn sweep(
    sizes: &[u64],
    model: &CostModel,
    spec_for: impl Fn(u64) -> TransferSpec,
) -> Result<Vec<(u64, TransferResult)>, ExperimentError> {
    let at = |size, error| ExperimentError::AtSize {
        size,
        error: Box::new(error),
    };
    for &size in sizes {
        validate(&spec_for(size), model).map_err(|e| at(size, e))?;
    }
    sizes
        .iter()
        .map(|&size| {
            transfer(&spec_for(size), model)
                .map(|r| (size, r))
                .map_err(|e| at(size, e))
        })
        .collect()
}

fn validate(spec: &TransferSpec, model: &CostModel) -> Result<(), ExperimentError> {
    let checks = [
        (spec.total_bytes, "total_bytes"),
        (spec.send_size, "send_size"),
        (spec.recv_size, "recv_size"),
        (spec.sndbuf, "sndbuf"),
        (spec.rcvbuf, "rcvbuf"),
        (model.link_bytes_per_s, "link_bytes_per_s"),
        (model.mss, "mss"),
    ];
    match checks.iter().find(|(v, _)| *v == 0) {
        Some((_, name)) => Err(ExperimentError::Invalid(format!(
            "{name} must be at least 1"
        ))),
        None => Ok(()),
    }
}
