//! The wire: handing segments to the network, their arrival, and routing.

use super::driver::Job;
use super::World;
use crate::addr::{Family, Proto};
use crate::ids::{HostId, SegId};
use crate::network::{InFlight, WireSlot, DUPLICATE_LAG_US};
use crate::segment::Segment;
use crate::time::Micros;
use crate::trace::{DropReason, Event};
use std::cmp::Reverse;
use std::net::IpAddr;

impl World {
    /// Hands a segment to the network; returns the id it gets.
    pub(super) fn transmit(&mut self, mut seg: Segment) -> SegId {
        seg.id = SegId(self.next_seg);
        self.next_seg += 1;
        seg.to_host = self.owner_of(seg.dst.ip());
        let route = self.route(&seg);
        let arrives_at = self.now.saturating_add(route.delay);
        let copy = route.duplicate.then(|| seg.clone());
        let id = seg.id;
        self.put_on_wire(seg, arrives_at, route.fate);
        if let Some(extra_us) = route.held {
            self.emit(|| Event::SegmentHeld { seg: id, extra_us });
        }
        if let Some(mut copy) = copy {
            copy.id = SegId(self.next_seg);
            self.next_seg += 1;
            let copy_id = copy.id;
            self.emit(|| Event::SegmentDuplicated {
                seg: id,
                copy: copy_id,
            });
            self.put_on_wire(copy, arrives_at.saturating_add(DUPLICATE_LAG_US), None);
        }
        id
    }

    /// What the path does with a segment sent now: its delay (queueing included), its
    /// fate, and whether it is held back or doubled. Draws from the seeded generator
    /// only for the misbehaviours a path has turned on, so a world without them sees
    /// the same numbers as before they existed.
    fn route(&mut self, seg: &Segment) -> Route {
        let default = self.default_path();
        let Some(to) = seg.to_host else {
            return Route {
                delay: default.delay_us,
                fate: Some(DropReason::NoRoute),
                held: None,
                duplicate: false,
            };
        };
        let path = self.net.path_mut(seg.from_host, to, &default);
        // FIFO: the segment waits for the link, is serialized, then propagates.
        let queued = path.occupy(self.now, seg.len);
        let mut delay = path.delay_us.saturating_add(queued);
        let (loss, reorder, duplicate) = (path.loss, path.reorder, path.duplicate);
        let reorder_delay = path.reorder_delay_us;
        let fate = if path.drop_next > 0 {
            path.drop_next -= 1;
            Some(DropReason::Injected)
        } else if loss > 0.0 && self.rng.next_f64() < loss {
            Some(DropReason::Loss)
        } else {
            None
        };
        let lives = fate.is_none();
        let held =
            (lives && reorder > 0.0 && self.rng.next_f64() < reorder).then_some(reorder_delay);
        delay = delay.saturating_add(held.unwrap_or(0));
        let duplicate = lives && duplicate > 0.0 && self.rng.next_f64() < duplicate;
        Route {
            delay,
            fate,
            held,
            duplicate,
        }
    }

    fn put_on_wire(&mut self, seg: Segment, arrives_at: Micros, fate: Option<DropReason>) {
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

/// What a path decided for one segment.
struct Route {
    delay: Micros,
    fate: Option<DropReason>,
    /// Held back by this much beyond the path's delay (`net: reorder`).
    held: Option<Micros>,
    /// Delivered twice (`net: duplicate`).
    duplicate: bool,
}
