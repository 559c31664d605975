//! The TCP state machine's states. `Display` is the name netstat prints; `ss_name` is
//! the one `ss` prints.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum TcpState {
    Closed,
    Listen,
    SynSent,
    SynRcvd,
    Established,
    FinWait1,
    FinWait2,
    Closing,
    TimeWait,
    CloseWait,
    LastAck,
}

impl TcpState {
    /// Every state, in the order of the diagram; what the scenario language and the
    /// answers to questions accept.
    pub const ALL: [TcpState; 11] = [
        TcpState::Closed,
        TcpState::Listen,
        TcpState::SynSent,
        TcpState::SynRcvd,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::Closing,
        TcpState::TimeWait,
        TcpState::CloseWait,
        TcpState::LastAck,
    ];

    /// The transitions of the textbook diagram (MODEL.md §5), plus the abortive ones
    /// (RST, timeouts, crash) that lead straight back to CLOSED. Used by tests to prove
    /// the engine never takes any other edge.
    pub fn may_become(self, to: TcpState) -> bool {
        use TcpState::*;
        if to == Closed {
            return true;
        }
        matches!(
            (self, to),
            (Closed, Listen)
                | (Closed, SynSent)
                | (Listen, SynRcvd)
                | (SynSent, SynRcvd)
                | (SynSent, Established)
                | (SynRcvd, Established)
                | (SynRcvd, FinWait1)
                | (Established, FinWait1)
                | (Established, CloseWait)
                | (FinWait1, FinWait2)
                | (FinWait1, Closing)
                | (FinWait1, TimeWait)
                | (FinWait2, TimeWait)
                | (Closing, TimeWait)
                | (CloseWait, LastAck)
        )
    }

    /// States in which the connection exists with the peer (data may still flow in at
    /// least one direction, or the closing handshake is under way).
    pub fn is_synchronized(self) -> bool {
        use TcpState::*;
        matches!(
            self,
            Established | FinWait1 | FinWait2 | Closing | TimeWait | CloseWait | LastAck
        )
    }
}

impl TcpState {
    /// The name `ss` prints (iproute2's `sstate_name`): shorter, with hyphens. ss calls
    /// a closed socket `UNCONN`, as it does an unconnected UDP socket.
    pub fn ss_name(self) -> &'static str {
        match self {
            TcpState::Closed => "UNCONN",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynRcvd => "SYN-RECV",
            TcpState::Established => "ESTAB",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::Closing => "CLOSING",
            TcpState::TimeWait => "TIME-WAIT",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::LastAck => "LAST-ACK",
        }
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRcvd => "SYN_RCVD",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN_WAIT_1",
            TcpState::FinWait2 => "FIN_WAIT_2",
            TcpState::Closing => "CLOSING",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
        })
    }
}
