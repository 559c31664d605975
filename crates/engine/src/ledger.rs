//! The byte ledger: where every byte a program handed to send() went.
//!
//! Each structure keeps one count set per direction it is an end of. The counters are
//! moved by the same code that moves bytes between queues, but counted from the
//! sequence numbers and call results rather than from the queues, so a queue that
//! loses or invents bytes no longer matches its ledger. `World::check_bytes` holds the
//! queues to the ledgers and the two ends of a connection to each other.

use serde::{Deserialize, Serialize};

/// Why bytes left a queue without being read or acknowledged: the one list of reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Loss {
    /// close() with bytes still in RecvQ (the textbook discards them).
    ClosedUnread,
    /// shutdown(SHUT_RD): RecvQ emptied, later bytes acknowledged and dropped.
    ShutRead,
    /// An RST ended the connection: both queues are emptied.
    Reset,
    /// Retransmissions ran out (ETIMEDOUT): SendQ is emptied.
    TimedOut,
    /// The structure was deleted still holding them: an abortive close (SO_LINGER 0,
    /// unread data in Linux mode, a listener closed with connections queued), a UDP
    /// socket closed with datagrams unread.
    Freed,
    /// The host crashed with them in a queue.
    Crashed,
    /// A UDP datagram longer than the recv() that took it: the rest is cut off.
    Truncated,
}

impl Loss {
    pub const ALL: [Loss; 7] = [
        Loss::ClosedUnread,
        Loss::ShutRead,
        Loss::Reset,
        Loss::TimedOut,
        Loss::Freed,
        Loss::Crashed,
        Loss::Truncated,
    ];
}

/// Bytes lost, one counter per reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Losses([u64; Loss::ALL.len()]);

impl Losses {
    pub fn add(&mut self, why: Loss, n: u64) {
        self.0[why as usize] += n;
    }

    pub fn get(&self, why: Loss) -> u64 {
        self.0[why as usize]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    fn absorb(&mut self, other: &Losses) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

/// The sending end of one direction: bytes are in SendQ from send() until the peer
/// acknowledges them (copies of them may be on the wire meanwhile), or lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// Bytes send() put into SendQ.
    pub written: u64,
    /// Bytes the peer acknowledged (SND.UNA's advance, the FIN left out).
    pub acked: u64,
    pub lost: Losses,
}

/// The receiving end of one direction: bytes are in RecvQ from their arrival until
/// recv() takes them (Delivered), or lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    /// Bytes taken in order (RCV.NXT's advance, the FIN left out) from the peer's
    /// send() calls.
    pub received: u64,
    /// Bytes taken from forged segments (`net: inject`): no send() wrote them.
    pub forged: u64,
    pub lost: Losses,
}

impl Incoming {
    /// `n` bytes taken into RecvQ, from a forged segment or from the peer's send().
    pub fn took(&mut self, n: u64, forged: bool) {
        if forged {
            self.forged += n;
        } else {
            self.received += n;
        }
    }
}

/// Both directions at one structure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub out: Outgoing,
    pub inc: Incoming,
    /// A forged segment reached this structure: its counts may disagree with its
    /// peer's (that is what a forgery does), so the two ends are not compared.
    pub forged_at: bool,
}

impl Ledger {
    /// Adds a freed structure's counts to the world's running totals.
    pub fn absorb(&mut self, other: &Ledger) {
        self.out.written += other.out.written;
        self.out.acked += other.out.acked;
        self.out.lost.absorb(&other.out.lost);
        self.inc.received += other.inc.received;
        self.inc.forged += other.inc.forged;
        self.inc.lost.absorb(&other.inc.lost);
        self.forged_at |= other.forged_at;
    }
}
