//! Byte queues kept as runs of bytes tagged with the send() call that wrote them.
//!
//! Bytes are never stored one by one: a queue is a list of `(tag, length)` runs, so
//! moving a gigabyte costs as many operations as there are runs, and the view can still
//! shade every byte by its origin.

use crate::ids::SendTag;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// `len` consecutive bytes written by one send() call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub tag: SendTag,
    pub len: u64,
}

/// Appends a run, merging it into the last one when both come from the same call.
pub fn push_run(runs: &mut VecDeque<Run>, run: Run) {
    if run.len == 0 {
        return;
    }
    match runs.back_mut() {
        Some(last) if last.tag == run.tag => last.len += run.len,
        _ => runs.push_back(run),
    }
}

/// The first `n` bytes of a list of runs.
pub fn prefix(runs: &[Run], n: u64) -> Vec<Run> {
    prefix_iter(runs, n).collect()
}

/// `prefix` without building a list, for callers that consume the runs at once.
pub fn prefix_iter(runs: &[Run], mut n: u64) -> impl Iterator<Item = Run> + '_ {
    runs.iter().map_while(move |r| {
        if n == 0 {
            return None;
        }
        let take = r.len.min(n);
        n -= take;
        Some(Run {
            tag: r.tag,
            len: take,
        })
    })
}

/// The runs of a list of runs after its first `skip` bytes.
pub fn skip_iter(runs: &[Run], mut skip: u64) -> impl Iterator<Item = Run> + '_ {
    runs.iter().filter_map(move |r| {
        let cut = r.len.min(skip);
        skip -= cut;
        (r.len > cut).then_some(Run {
            tag: r.tag,
            len: r.len - cut,
        })
    })
}

/// A FIFO of bytes with a capacity (SO_SNDBUF / SO_RCVBUF).
///
/// Beside the runs it keeps where each run ends, counted in bytes since the queue was
/// made, so `peek` finds the run holding any offset by binary search. A sender's
/// SendQ can hold hundreds of runs (every send() call, and every wake-up of one,
/// writes its own), and TCP cuts each segment from the middle of it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ByteQueue {
    runs: VecDeque<Run>,
    len: u64,
    cap: u64,
    /// Bytes ever removed from the front: the position of the first byte.
    base: u64,
    /// One per run: the position just past its last byte.
    ends: VecDeque<u64>,
}

/// Two queues are equal when they hold the same bytes from the same calls and have
/// the same capacity, whatever they held before.
impl PartialEq for ByteQueue {
    fn eq(&self, other: &Self) -> bool {
        self.runs == other.runs && self.len == other.len && self.cap == other.cap
    }
}

impl Eq for ByteQueue {}

impl ByteQueue {
    pub fn with_capacity(cap: u64) -> Self {
        ByteQueue {
            cap,
            ..ByteQueue::default()
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> u64 {
        self.cap
    }

    /// Changing SO_SNDBUF/SO_RCVBUF never throws bytes away: a queue may sit above a
    /// lowered capacity until it drains.
    pub fn set_capacity(&mut self, cap: u64) {
        self.cap = cap;
    }

    pub fn free(&self) -> u64 {
        self.cap.saturating_sub(self.len)
    }

    pub fn runs(&self) -> impl Iterator<Item = &Run> {
        self.runs.iter()
    }

    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Appends bytes. Callers check `free()` first; the queue itself does not refuse,
    /// because a probe byte may legitimately land in a full window.
    pub fn push(&mut self, run: Run) {
        if run.len == 0 {
            return;
        }
        self.len += run.len;
        match (self.runs.back_mut(), self.ends.back_mut()) {
            (Some(last), Some(end)) if last.tag == run.tag => {
                last.len += run.len;
                *end += run.len;
            }
            (_, end) => {
                let end = end.map_or(self.base, |e| *e) + run.len;
                self.runs.push_back(run);
                self.ends.push_back(end);
            }
        }
    }

    pub fn push_all<'a>(&mut self, runs: impl IntoIterator<Item = &'a Run>) {
        for r in runs {
            self.push(*r);
        }
    }

    /// Removes up to `n` bytes from the front and returns them as runs.
    pub fn pop(&mut self, n: u64) -> Vec<Run> {
        let mut out = Vec::new();
        self.pop_each(n, |r| out.push(r));
        out
    }

    /// Removes up to `n` bytes from the front, handing each run to `f` instead of
    /// collecting them (no allocation on the per-segment path). Returns the count.
    pub fn pop_each(&mut self, n: u64, mut f: impl FnMut(Run)) -> u64 {
        let taken = n.min(self.len);
        let mut left = taken;
        self.len -= left;
        self.base += taken;
        while left > 0 {
            let front = self.runs.front_mut().expect("len counts the runs");
            if front.len <= left {
                left -= front.len;
                self.ends.pop_front();
                f(self.runs.pop_front().expect("front exists"));
            } else {
                front.len -= left;
                f(Run {
                    tag: front.tag,
                    len: left,
                });
                left = 0;
            }
        }
        taken
    }

    /// Removes up to `n` bytes from the front (acknowledged, or already read).
    pub fn discard(&mut self, n: u64) -> u64 {
        self.pop_each(n, |_| {})
    }

    /// Copies `len` bytes starting `offset` bytes from the front, without removing them
    /// (a segment is cut from SendQ while its bytes stay there until acknowledged).
    pub fn peek(&self, offset: u64, len: u64) -> Vec<Run> {
        let at = self.base.saturating_add(offset);
        // The first run that ends past `at`, and how far into it `at` lies.
        let first = self.ends.partition_point(|&end| end <= at);
        let start = match first {
            0 => self.base,
            i => self.ends[i - 1],
        };
        let mut skip = at.saturating_sub(start);
        // Usually one run holds the whole segment: one exact allocation, no growing.
        if let Some(run) = self.runs.get(first).filter(|r| r.len - skip >= len) {
            return match len {
                0 => Vec::new(),
                _ => vec![Run { tag: run.tag, len }],
            };
        }
        let mut out = Vec::new();
        let mut left = len;
        for run in self.runs.range(first..) {
            if left == 0 {
                break;
            }
            let take = (run.len - skip).min(left);
            out.push(Run {
                tag: run.tag,
                len: take,
            });
            left -= take;
            skip = 0;
        }
        out
    }

    pub fn clear(&mut self) -> u64 {
        let n = self.len;
        self.runs.clear();
        self.ends.clear();
        self.len = 0;
        self.base += n;
        n
    }
}

/// Bytes already read by the program. Unbounded in count, but only the most recent
/// runs are kept, so a long transfer keeps constant memory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    recent: VecDeque<Run>,
    total: u64,
}

impl Delivered {
    const KEEP_RUNS: usize = 64;

    pub fn push(&mut self, runs: &[Run]) {
        for r in runs {
            self.push_run(*r);
        }
    }

    pub fn push_run(&mut self, r: Run) {
        self.total += r.len;
        push_run(&mut self.recent, r);
        if self.recent.len() > Self::KEEP_RUNS {
            self.recent.pop_front();
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn recent(&self) -> impl Iterator<Item = &Run> {
        self.recent.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(tag: u32, len: u64) -> Run {
        Run {
            tag: SendTag(tag),
            len,
        }
    }

    #[test]
    fn pop_crosses_send_boundaries() {
        let mut q = ByteQueue::with_capacity(10_000);
        q.push(run(1, 1000));
        q.push(run(2, 2000));
        let got = q.pop(1500);
        assert_eq!(got, vec![run(1, 1000), run(2, 500)]);
        assert_eq!(q.len(), 1500);
        assert_eq!(q.runs().copied().collect::<Vec<_>>(), vec![run(2, 1500)]);
    }

    #[test]
    fn adjacent_runs_of_one_call_merge() {
        let mut q = ByteQueue::with_capacity(100);
        q.push(run(1, 10));
        q.push(run(1, 20));
        assert_eq!(q.run_count(), 1);
        assert_eq!(q.len(), 30);
    }

    #[test]
    fn peek_leaves_the_queue_alone() {
        let mut q = ByteQueue::with_capacity(100);
        q.push(run(1, 10));
        q.push(run(2, 10));
        assert_eq!(q.peek(5, 10), vec![run(1, 5), run(2, 5)]);
        assert_eq!(q.peek(15, 100), vec![run(2, 5)]);
        assert_eq!(q.len(), 20);
    }

    #[test]
    fn peek_finds_any_offset_among_many_runs() {
        let mut q = ByteQueue::with_capacity(u64::MAX);
        let mut bytes = Vec::new();
        for i in 0..50u32 {
            q.push(run(i / 2, 3 + u64::from(i % 4)));
            if i % 7 == 0 {
                q.pop(5);
            }
        }
        for r in q.runs() {
            bytes.extend(std::iter::repeat_n(r.tag, r.len as usize));
        }
        for offset in 0..=q.len() + 2 {
            for len in [0, 1, 4, 9, 1000] {
                let got: Vec<SendTag> = q
                    .peek(offset, len)
                    .iter()
                    .flat_map(|r| std::iter::repeat_n(r.tag, r.len as usize))
                    .collect();
                let from = (offset as usize).min(bytes.len());
                let to = (from + len as usize).min(bytes.len());
                assert_eq!(got, bytes[from..to], "peek({offset}, {len})");
            }
        }
        q.clear();
        q.push(run(99, 4));
        assert_eq!(q.peek(1, 2), vec![run(99, 2)]);
    }

    #[test]
    fn skip_drops_the_first_bytes_across_runs() {
        let runs = [run(1, 3), run(2, 4), run(3, 5)];
        assert_eq!(
            skip_iter(&runs, 5).collect::<Vec<_>>(),
            vec![run(2, 2), run(3, 5)]
        );
        assert_eq!(skip_iter(&runs, 0).count(), 3);
        assert_eq!(skip_iter(&runs, 12).count(), 0);
    }

    #[test]
    fn delivered_keeps_totals_but_bounded_runs() {
        let mut d = Delivered::default();
        for i in 0..1000 {
            d.push(&[run(i, 3)]);
        }
        assert_eq!(d.total(), 3000);
        assert!(d.recent().count() <= Delivered::KEEP_RUNS);
    }
}
