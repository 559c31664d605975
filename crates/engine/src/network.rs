//! The network between hosts: per-direction delay, loss and link rate, targeted
//! drops, and the segments currently on the wire.

use crate::arith::mul_checked;
use crate::ids::{HostId, SegId};
use crate::segment::Segment;
use crate::time::{ns_to_us_ceil, us_to_ns, Micros, Nanos, NS_PER_SEC};
use crate::trace::DropReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bytes of headers counted on the wire for every segment or datagram, on top of its
/// payload (IPv4 20 + TCP 20). One fixed number keeps the arithmetic explainable; it
/// is why tiny segments waste the link.
pub const HEADER_BYTES: u64 = 40;

/// Settings of one direction between two hosts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Path {
    pub delay_us: Micros,
    pub loss: f64,
    /// Drop this many of the next segments sent on the path.
    pub drop_next: u32,
    /// Link rate in bytes per second; `None` (or 0) is an unlimited link, on which a
    /// segment takes exactly `delay_us`.
    #[serde(default)]
    pub rate: Option<u64>,
    /// When the link has finished serializing everything handed to it, in
    /// nanoseconds (finer than the clock, so rounding never adds up over a transfer).
    #[serde(default)]
    pub busy_until_ns: Nanos,
    /// Probability that a segment is held back by `reorder_delay_us`, so that segments
    /// sent after it overtake it (0.0 to 1.0).
    #[serde(default)]
    pub reorder: f64,
    #[serde(default)]
    pub reorder_delay_us: Micros,
    /// Probability that the network delivers a segment twice: a copy arrives
    /// `DUPLICATE_LAG_US` after the original (0.0 to 1.0).
    #[serde(default)]
    pub duplicate: f64,
}

/// How long after the original a duplicated segment arrives. A fixed figure (real
/// duplicates come from a retransmitting link layer or a routing loop, at any lag):
/// long enough for the copy to be a separate arrow on the ladder.
pub const DUPLICATE_LAG_US: Micros = 1_000;

impl Path {
    /// Queues `payload` bytes (plus headers) on the link and returns how long after
    /// `now` the last bit leaves it: the FIFO wait behind earlier segments plus the
    /// segment's own serialization time. 0 on an unlimited link.
    pub fn occupy(&mut self, now: Micros, payload: u64) -> Micros {
        let Some(rate) = self.rate.filter(|&r| r > 0) else {
            return 0;
        };
        let start = self.busy_until_ns.max(us_to_ns(now));
        let wire = payload.saturating_add(HEADER_BYTES);
        self.busy_until_ns = start.saturating_add(serialization_ns(wire, rate));
        ns_to_us_ceil(self.busy_until_ns).saturating_sub(now)
    }

    /// How long the link is already committed beyond `now` (its queue), in µs.
    pub fn backlog_us(&self, now: Micros) -> Micros {
        ns_to_us_ceil(self.busy_until_ns).saturating_sub(now)
    }
}

/// Time to put `bytes` on a link of `rate` bytes per second, in nanoseconds (rounded
/// up, saturating instead of overflowing for absurd inputs).
pub fn serialization_ns(bytes: u64, rate: u64) -> Nanos {
    let rate = rate.max(1);
    // The same quotient in 64 bits whenever the product fits (any segment does):
    // 128-bit division is a slow library call, and this runs for every segment.
    if let Some(bits) = mul_checked(bytes, NS_PER_SEC) {
        return bits.div_ceil(rate);
    }
    let rate = rate as u128;
    let ns = (bytes as u128 * NS_PER_SEC as u128).div_ceil(rate);
    ns.min(u64::MAX as u128) as u64
}

/// A segment on the wire. Its fate is drawn when it is sent, but only revealed (as a
/// drop) when it would have arrived, so the view can show it fall mid-way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub seg: Segment,
    pub sent_at: Micros,
    pub arrives_at: Micros,
    pub fate: Option<DropReason>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Network {
    pub paths: BTreeMap<(HostId, HostId), Path>,
    pub in_flight: OnWire,
}

/// The segments on the wire. The records (a segment is large) sit in a slab whose
/// slots are reused; the job that delivers a segment carries its slot, so sending and
/// delivering touch one slot and nothing is searched or kept sorted per segment.
/// Memory stays that of the busiest moment. Id order is made only when asked for.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct OnWire {
    slots: Vec<Option<InFlight>>,
    free: Vec<u32>,
    count: usize,
}

/// Where `OnWire` keeps one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WireSlot(u32);

impl OnWire {
    pub fn insert(&mut self, f: InFlight) -> WireSlot {
        self.count += 1;
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(f);
                WireSlot(i)
            }
            None => {
                self.slots.push(Some(f));
                WireSlot((self.slots.len() - 1) as u32)
            }
        }
    }

    /// Takes segment `id` out of `slot`; `None` if the slot holds something else.
    pub fn remove(&mut self, slot: WireSlot, id: SegId) -> Option<InFlight> {
        if !self.contains(slot, id) {
            return None;
        }
        self.count -= 1;
        self.free.push(slot.0);
        self.slots[slot.0 as usize].take()
    }

    pub fn contains(&self, slot: WireSlot, id: SegId) -> bool {
        self.slots
            .get(slot.0 as usize)
            .and_then(|s| s.as_ref())
            .is_some_and(|f| f.seg.id == id)
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The segments on the wire, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &InFlight> {
        self.slots.iter().flatten()
    }

    /// The segments on the wire, oldest (lowest id) first.
    pub fn in_order(&self) -> impl Iterator<Item = &InFlight> {
        let mut all: Vec<&InFlight> = self.iter().collect();
        all.sort_unstable_by_key(|f| f.seg.id);
        all.into_iter()
    }
}

impl Network {
    pub fn path_mut(&mut self, from: HostId, to: HostId, default: &Path) -> &mut Path {
        self.paths
            .entry((from, to))
            .or_insert_with(|| default.clone())
    }

    pub fn delay(&self, from: HostId, to: HostId, default: Micros) -> Micros {
        self.paths.get(&(from, to)).map_or(default, |p| p.delay_us)
    }
}
