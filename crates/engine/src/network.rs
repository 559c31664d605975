//! The network between hosts: per-direction delay and loss, targeted drops, and the
//! segments currently on the wire.

use crate::config::Micros;
use crate::ids::{HostId, SegId};
use crate::segment::Segment;
use crate::trace::DropReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Settings of one direction between two hosts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Path {
    pub delay_us: Micros,
    pub loss: f64,
    /// Drop this many of the next segments sent on the path.
    pub drop_next: u32,
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
    pub in_flight: BTreeMap<SegId, InFlight>,
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
