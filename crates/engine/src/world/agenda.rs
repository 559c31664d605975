//! The agenda: scheduled jobs, taken earliest first, and in scheduling order among
//! jobs of the same moment.
//!
//! An implicit binary min-heap on the key `(at, order)`. `order` is unique, so the key
//! orders every job strictly and the sequence of jobs taken does not depend on how the
//! heap is arranged. It replaces `BinaryHeap<Reverse<Scheduled>>` because the engine
//! takes one job per event, and in the size-optimised build (`opt-level = "z"`) the
//! std heap's comparisons (through `Reverse` and the derived `Ord` of the whole job)
//! and even `Vec` indexing stay out-of-line calls; here both are spelled out.

use super::Scheduled;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct Agenda {
    heap: Vec<Scheduled>,
}

/// `a` comes before `b`. Spelled out: in the size-optimised build even a tuple
/// comparison would be a call.
#[inline(always)]
fn before(a: &Scheduled, b: &Scheduled) -> bool {
    a.at < b.at || (a.at == b.at && a.order < b.order)
}

impl Agenda {
    pub(super) fn push(&mut self, s: Scheduled) {
        let mut i = self.heap.len();
        self.heap.push(s);
        // Slices, not the Vec: indexing a Vec is a call in the size-optimised build.
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

    /// The earliest job, without taking it.
    pub(super) fn peek(&self) -> Option<&Scheduled> {
        self.heap.first()
    }

    /// Takes the earliest job.
    pub(super) fn pop(&mut self) -> Option<Scheduled> {
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

    /// Every scheduled job, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Scheduled> {
        self.heap.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SockId;
    use crate::world::Job;

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
