//! Knobs of a simulated world. Every default is written down in `model.md`.

use serde::{Deserialize, Serialize};

pub use crate::behaviour::Behaviour;

pub use crate::time::{Micros, MS, SEC};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorldConfig {
    /// Seeds initial sequence numbers and random loss.
    pub seed: u64,
    /// Largest payload of one TCP segment (at least 1).
    pub mss: u64,
    /// Congestion window at the start of a connection and after a timeout, in
    /// segments (slow start, RFC 5681; classic textbooks start at 1); at least 1.
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
    /// Last ephemeral port (at least `ephemeral_first`).
    pub ephemeral_last: u16,
    /// Record a trace of events (turn off for long benchmark runs).
    pub trace: bool,
    /// Textbook (MODEL.md) or Linux where the two differ (`behaviour.rs`).
    pub behaviour: Behaviour,
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
            behaviour: Behaviour::Textbook,
        }
    }
}

impl WorldConfig {
    /// The same knobs with every out-of-range value brought to the nearest one the
    /// engine can use: an MSS or an initial window of 0 becomes 1, an ephemeral range
    /// that ends before it starts holds its first port, a link rate of 0 is an unlimited
    /// link and a loss probability lies between 0 and 1. The world keeps only validated
    /// knobs (`World::new`, `World::reconfigure`), so nothing else checks them again.
    pub fn validated(mut self) -> Self {
        self.mss = self.mss.max(1);
        self.initial_cwnd = self.initial_cwnd.max(1);
        self.ephemeral_last = self.ephemeral_last.max(self.ephemeral_first);
        self.link_rate = self.link_rate.filter(|&r| r > 0);
        self.loss = self.loss.clamp(0.0, 1.0);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validated_brings_every_knob_into_range() {
        let cfg = WorldConfig {
            mss: 0,
            initial_cwnd: 0,
            ephemeral_first: 5000,
            ephemeral_last: 4000,
            link_rate: Some(0),
            loss: 2.0,
            ..WorldConfig::default()
        }
        .validated();
        assert_eq!((cfg.mss, cfg.initial_cwnd), (1, 1));
        assert_eq!((cfg.ephemeral_first, cfg.ephemeral_last), (5000, 5000));
        assert_eq!((cfg.link_rate, cfg.loss), (None, 1.0));
    }

    #[test]
    fn validated_keeps_the_defaults() {
        assert_eq!(WorldConfig::default().validated(), WorldConfig::default());
    }
}
