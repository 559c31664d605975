//! TCP (MODEL.md §5): state changes and the end of a structure; input, output and
//! timers have a module each.

mod input;
mod output;
mod reassembly;
mod timers;

use crate::addr::Endpoint;
use crate::ids::SockId;
use crate::state::TcpState;
use crate::trace::{Cause, Event};
use crate::world::World;

/// Slow start stops growing the congestion window here (4 GiB): beyond any buffer a
/// world can have, and far from overflowing the arithmetic on it.
const MAX_CWND: u64 = 1 << 32;

/// What a segment is to its connection, as the trace marks it (`Segment::probe`,
/// `Segment::retransmission`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Transmission {
    /// New sequence space, or none (a bare ACK).
    First,
    /// Sequence space sent before, sent again.
    Repeat,
    /// A zero-window probe: one byte past a shut window, not a retransmission.
    Probe,
}

impl World {
    pub(in crate::world) fn set_state(&mut self, id: SockId, to: TcpState, cause: Cause) {
        let s = self.sock_mut(id);
        let from = s.state;
        if from == to {
            return;
        }
        s.state = to;
        if to.is_synchronized() {
            s.was_connected = true;
        }
        self.emit(|| Event::StateChanged {
            sock: id,
            from,
            to,
            cause,
        });
    }

    /// A structure nobody refers to any more, whose connection is over, is deleted.
    pub(super) fn maybe_free(&mut self, id: SockId) {
        let s = self.sock_mut(id);
        if s.state == TcpState::Closed && s.refs == 0 {
            self.free_socket(id);
        }
    }

    /// A connect() that failed leaves the structure bound but unconnected, as Linux
    /// does, so the program may call connect() again.
    pub(super) fn forget_peer(&mut self, id: SockId) {
        if self.socket(id).is_some() {
            self.set_endpoints(id, |s| s.remote = Endpoint::ANY);
        }
    }

    pub(super) fn initial_cwnd(&self) -> u64 {
        // Saturating: an absurd MSS from a user's setting must not overflow.
        self.behaviour()
            .initial_cwnd(self.cfg.initial_cwnd)
            .saturating_mul(self.cfg.mss)
    }
}
