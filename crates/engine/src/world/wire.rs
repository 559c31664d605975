//! The wire: handing segments to the network, their arrival, and routing.

use super::driver::Job;
use super::World;
use crate::addr::{Family, Proto};
use crate::ids::{HostId, SegId};
use crate::network::{InFlight, WireSlot};
use crate::segment::Segment;
use crate::trace::{DropReason, Event};
use std::cmp::Reverse;
use std::net::IpAddr;

impl World {
    /// Hands a segment to the network.
    pub(super) fn transmit(&mut self, mut seg: Segment) {
        seg.id = SegId(self.next_seg);
        self.next_seg += 1;
        let from = seg.from_host;
        seg.to_host = self.owner_of(seg.dst.ip());
        let default = self.default_path();
        let (delay, fate) = match seg.to_host {
            None => (default.delay_us, Some(DropReason::NoRoute)),
            Some(to) => {
                let path = self.net.path_mut(from, to, &default);
                // FIFO: the segment waits for the link, is serialized, then propagates.
                let queued = path.occupy(self.now, seg.len);
                let (delay, loss) = (path.delay_us.saturating_add(queued), path.loss);
                let fate = if path.drop_next > 0 {
                    path.drop_next -= 1;
                    Some(DropReason::Injected)
                } else if loss > 0.0 && self.rng.next_f64() < loss {
                    Some(DropReason::Loss)
                } else {
                    None
                };
                (delay, fate)
            }
        };
        let arrives_at = self.now.saturating_add(delay);
        let id = seg.id;
        if self.cfg.trace {
            let sent_at = self.now;
            self.emit(|| Event::SegmentSent {
                seg: seg.clone(),
                sent_at,
                arrives_at,
            });
        }
        let slot = self.net.in_flight.insert(InFlight {
            seg,
            sent_at: self.now,
            arrives_at,
            fate,
        });
        self.schedule(arrives_at, Job::Arrive(id, slot));
    }

    pub(super) fn arrive(&mut self, id: SegId, slot: WireSlot) {
        let Some(f) = self.net.in_flight.remove(slot, id) else {
            return;
        };
        let host = match (f.fate, f.seg.to_host) {
            (Some(reason), _) => return self.emit(|| Event::SegmentDropped { seg: id, reason }),
            (None, None) => {
                return self.emit(|| Event::SegmentDropped {
                    seg: id,
                    reason: DropReason::NoRoute,
                })
            }
            (None, Some(h)) => h,
        };
        if self.hosts[host.0 as usize].crashed {
            return self.emit(|| Event::SegmentDropped {
                seg: id,
                reason: DropReason::HostDown,
            });
        }
        self.emit(|| Event::SegmentArrived { seg: id, host });
        match f.seg.proto {
            Proto::Tcp => self.tcp_arrive(host, f.seg),
            Proto::Udp => self.udp_arrive(host, f.seg),
        }
    }

    /// The host that owns an address.
    pub(super) fn owner_of(&self, ip: IpAddr) -> Option<HostId> {
        self.hosts
            .iter()
            .find(|h| h.addrs.contains(&ip))
            .map(|h| h.id)
    }

    /// The local address toward `dst`: an address of the same family, preferring one
    /// that shares the most leading bits with the destination (the same subnet).
    pub(super) fn route_source(&self, host: HostId, dst: IpAddr) -> Option<IpAddr> {
        fn common_prefix(a: &IpAddr, b: &IpAddr) -> u32 {
            match (a, b) {
                (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(*a) ^ u32::from(*b)).leading_zeros(),
                (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(*a) ^ u128::from(*b)).leading_zeros(),
                _ => 0,
            }
        }
        let family = Family::of(&dst);
        self.hosts[host.0 as usize]
            .addrs
            .iter()
            .filter(|a| Family::of(a) == family)
            .max_by_key(|a| (common_prefix(a, &dst), Reverse(**a)))
            .copied()
    }
}
