//! Linux mode's out-of-order queue: segments beyond a gap are kept (`Socket::
//! out_of_order`) and taken into RecvQ, in order, once the gap before them fills
//! (`Behaviour::out_of_order`). The textbook discards them: go-back-N sends them again.

use crate::difference::Difference;
use crate::ids::SockId;
use crate::queue::{prefix_iter, skip_iter};
use crate::segment::Segment;
use crate::socket::Held;
use crate::trace::{DiscardReason, Event};
use crate::world::World;

impl World {
    /// Keeps what of `seg` (which starts beyond RCV.NXT) fits the window; the rest is
    /// discarded as RecvQ would have no room for it.
    pub(super) fn hold_out_of_order(&mut self, id: SockId, seg: &Segment) {
        let room = self.offered_window(id, self.behaviour());
        let s = self.sock_mut(id);
        let gap = seg.seq - s.tcb.rcv_nxt;
        let keep = seg.len.min(room.saturating_sub(gap));
        if keep < seg.len {
            self.emit(|| Event::SegmentDiscarded {
                seg: seg.id,
                sock: id,
                reason: DiscardReason::WindowFull,
            });
        }
        if keep == 0 {
            return;
        }
        let s = self.sock_mut(id);
        let longer = s.out_of_order.get(&seg.seq).is_none_or(|h| h.len < keep);
        if longer {
            let runs = prefix_iter(&seg.runs, keep).collect();
            let held = Held {
                runs,
                len: keep,
                forged: seg.forged,
            };
            s.out_of_order.insert(seg.seq, held);
            self.other_mode(Some(id), Difference::OutOfOrderKept { bytes: keep, gap });
        }
    }

    /// RCV.NXT moved: kept segments it reaches join RecvQ (as far as there is room),
    /// and those it has passed are dropped.
    pub(super) fn fill_gap(&mut self, id: SockId) {
        loop {
            let room = self.offered_window(id, self.behaviour());
            let s = self.sock_mut(id);
            let nxt = s.tcb.rcv_nxt;
            let Some(entry) = s.out_of_order.first_entry().filter(|e| *e.key() <= nxt) else {
                return;
            };
            let (seq, held) = entry.remove_entry();
            let end = seq + held.len;
            if end <= nxt {
                continue;
            }
            let take = (end - nxt).min(room);
            for r in prefix_iter(&skip_iter(&held.runs, nxt - seq).collect::<Vec<_>>(), take) {
                s.recvq.push(r);
            }
            s.tcb.rcv_nxt += take;
            s.ledger.inc.took(take, held.forged);
            if take < end - nxt {
                // RecvQ is full: what is left comes again from the sender.
                s.out_of_order.clear();
                return;
            }
        }
    }
}
