//! Knobs of a simulated world. Every default is written down in `model.md`.

use serde::{Deserialize, Serialize};

/// Virtual time in microseconds since the world began.
pub type Micros = u64;

pub const MS: Micros = 1_000;
pub const SEC: Micros = 1_000_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorldConfig {
    /// Seeds initial sequence numbers and random loss.
    pub seed: u64,
    /// Largest payload of one TCP segment.
    pub mss: u64,
    /// Congestion window at the start of a connection and after a timeout, in
    /// segments (slow start, RFC 5681; classic textbooks start at 1).
    pub initial_cwnd: u64,
    /// Slow start grows cwnd by the bytes each ACK newly acknowledges, at most 1 MSS
    /// (RFC 3465, "appropriate byte counting" with L = 1), instead of by 1 MSS per ACK
    /// as textbooks draw it. Off by default; the throughput experiment turns it on so
    /// that many small segments do not inflate cwnd.
    pub byte_counting: bool,
    /// Default one-way delay of every path.
    pub delay_us: Micros,
    /// Default probability that a segment is lost on a path (0.0 to 1.0).
    pub loss: f64,
    /// Default link rate of every path in bytes per second; `None` (the default) is an
    /// unlimited link, where a segment takes exactly the delay. With a rate, segments
    /// also wait for serialization, one after another (see `network::Path`).
    pub link_rate: Option<u64>,
    /// Default SO_SNDBUF (SQS) of a new socket.
    pub sndbuf: u64,
    /// Default SO_RCVBUF (RQS) of a new socket.
    pub rcvbuf: u64,
    /// How long a structure stays in TIME_WAIT (2 × MSL).
    pub time_wait_us: Micros,
    /// First retransmission timeout of a SYN or SYN+ACK; doubled on every retry.
    pub initial_rto_us: Micros,
    /// Smallest retransmission timeout for data.
    pub min_rto_us: Micros,
    /// Retransmission timeouts never grow beyond this.
    pub max_rto_us: Micros,
    /// Retransmissions of a SYN before connect() fails with ETIMEDOUT.
    pub syn_retries: u32,
    /// Retransmissions of a SYN+ACK before the incomplete structure is deleted.
    pub synack_retries: u32,
    /// Retransmissions of data or FIN before the connection is given up.
    pub data_retries: u32,
    /// First ephemeral port handed out by connect() or an implicit bind.
    pub ephemeral_first: u16,
    pub ephemeral_last: u16,
    /// Record a trace of events (turn off for long benchmark runs).
    pub trace: bool,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig {
            seed: 1,
            mss: 1460,
            initial_cwnd: 1,
            byte_counting: false,
            delay_us: 50 * MS,
            loss: 0.0,
            link_rate: None,
            sndbuf: 16_384,
            rcvbuf: 16_384,
            time_wait_us: 60 * SEC,
            initial_rto_us: SEC,
            min_rto_us: 200 * MS,
            max_rto_us: 120 * SEC,
            syn_retries: 6,
            synack_retries: 5,
            data_retries: 15,
            ephemeral_first: 32768,
            ephemeral_last: 60999,
            trace: true,
        }
    }
}
