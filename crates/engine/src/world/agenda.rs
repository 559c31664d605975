//! The agenda: scheduled jobs, taken earliest first, and in scheduling order among
//! jobs of the same moment.
//!
//! Most jobs are scheduled already in order: transmission opportunities are "now",
//! the segments of one path arrive in the order they were sent, and a retransmission
//! timer re-armed on every ACK moves forward. So the agenda keeps a few sorted lanes
//! (FIFOs) beside a binary min-heap: a job joins the lane whose last job is the latest
//! not after it (an empty lane if none fits) in O(1), and only the rest go to the
//! heap. The next job is the earliest of the lanes' fronts and the heap's top. Every
//! lane is sorted and `order` is unique, so jobs come out in exactly the order of one
//! heap on `(at, order)`, whatever lane or heap they sat in.
//!
//! It replaces `BinaryHeap<Reverse<Scheduled>>`: the engine takes one job per event,
//! and with timers re-armed on every ACK the heap held thousands of jobs. Comparisons
//! are spelled out on `(at, order)` (the derived `Ord` of a whole job, through
//! `Reverse`, stayed a call in the size-optimised build).

use super::driver::Scheduled;
use crate::time::Micros;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Enough for one connection: "now", each direction's arrivals and the timers.
/// Anything more falls back to the heap.
const LANES: usize = 4;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "Jobs", into = "Jobs")]
pub(super) struct Agenda {
    heap: Vec<Scheduled>,
    lanes: [VecDeque<Scheduled>; LANES],
    /// Where the earliest job is (a lane, or `LANES` for the heap), kept up to date
    /// so that peeking, which drivers do before every step, compares nothing.
    next: Option<usize>,
    /// The time of each lane's last job (`None`: empty), beside the lanes: choosing a
    /// lane, which every push does, then reads one small array instead of finding the
    /// back of every ring buffer. Derived, so it is rebuilt rather than stored.
    backs: [Option<Micros>; LANES],
}

/// What an agenda stores when serialized: everything but the derived `backs`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Jobs {
    heap: Vec<Scheduled>,
    lanes: [VecDeque<Scheduled>; LANES],
    next: Option<usize>,
}

impl From<Jobs> for Agenda {
    fn from(j: Jobs) -> Self {
        let backs = j.lanes.each_ref().map(|l| l.back().map(|b| b.at));
        Agenda {
            heap: j.heap,
            lanes: j.lanes,
            next: j.next,
            backs,
        }
    }
}

impl From<Agenda> for Jobs {
    fn from(a: Agenda) -> Self {
        Jobs {
            heap: a.heap,
            lanes: a.lanes,
            next: a.next,
        }
    }
}

/// `a` comes before `b`.
#[inline(always)]
fn before(a: &Scheduled, b: &Scheduled) -> bool {
    a.at < b.at || (a.at == b.at && a.order < b.order)
}

impl Agenda {
    /// Adds a job; its `order` must be greater than that of every job added before.
    pub(super) fn push(&mut self, s: Scheduled) {
        // The lane whose last job is the latest not after `s`; an empty one if none.
        let mut best = None;
        let mut best_at = 0;
        let mut empty = None;
        for (i, back) in self.backs.iter().enumerate() {
            match *back {
                Some(b) if b <= s.at && (best.is_none() || b > best_at) => {
                    best = Some(i);
                    best_at = b;
                }
                Some(_) => {}
                None => empty = empty.or(Some(i)),
            }
        }
        let source = match best.or(empty) {
            Some(i) => {
                self.lanes[i].push_back(s);
                self.backs[i] = Some(s.at);
                i
            }
            None => {
                self.push_heap(s);
                LANES
            }
        };
        // Only a job that starts an empty lane or tops the heap can be the new first.
        if self.peek().is_none_or(|first| before(&s, first)) {
            self.next = Some(source);
        }
    }

    fn push_heap(&mut self, s: Scheduled) {
        let mut i = self.heap.len();
        self.heap.push(s);
        let heap = self.heap.as_mut_slice();
        while i > 0 {
            let parent = (i - 1) / 2;
            if !before(&s, &heap[parent]) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = s;
    }

    /// Where the earliest job is: a lane, or the heap (`LANES`).
    fn find_next(&self) -> Option<usize> {
        let mut best: Option<(usize, &Scheduled)> = self.heap.first().map(|h| (LANES, h));
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(f) = lane.front() {
                if best.is_none_or(|(_, b)| before(f, b)) {
                    best = Some((i, f));
                }
            }
        }
        best.map(|(i, _)| i)
    }

    /// The earliest job, without taking it.
    pub(super) fn peek(&self) -> Option<&Scheduled> {
        match self.next? {
            LANES => self.heap.first(),
            i => self.lanes[i].front(),
        }
    }

    /// Takes the earliest job.
    pub(super) fn pop(&mut self) -> Option<Scheduled> {
        let taken = match self.next? {
            LANES => self.pop_heap(),
            i => {
                let taken = self.lanes[i].pop_front();
                if self.lanes[i].is_empty() {
                    self.backs[i] = None;
                }
                taken
            }
        };
        self.next = self.find_next();
        taken
    }

    fn pop_heap(&mut self) -> Option<Scheduled> {
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some(last);
        }
        let heap = self.heap.as_mut_slice();
        let top = heap[0];
        // Sift `last` down from the root.
        let n = heap.len();
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let min = if right < n && before(&heap[right], &heap[left]) {
                right
            } else {
                left
            };
            if !before(&heap[min], &last) {
                break;
            }
            heap[i] = heap[min];
            i = min;
        }
        heap[i] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SockId;
    use crate::world::driver::Job;

    #[test]
    fn takes_jobs_by_time_then_order() {
        let mut a = Agenda::default();
        let mut x = 12345u64;
        let mut want = Vec::new();
        for order in 0..2000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let s = Scheduled {
                at: (x >> 33) % 50,
                order,
                job: Job::Output(SockId(order as u32)),
            };
            a.push(s);
            want.push(s);
            // Take some on the way, as the engine does.
            if x % 3 == 0 {
                let least = *want.iter().min_by_key(|s| (s.at, s.order)).unwrap();
                want.retain(|s| *s != least);
                assert_eq!(a.pop(), Some(least));
            }
        }
        want.sort_by_key(|s| (s.at, s.order));
        let got: Vec<Scheduled> = std::iter::from_fn(|| a.pop()).collect();
        assert_eq!(got, want);
    }
}
