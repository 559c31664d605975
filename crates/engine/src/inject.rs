//! A segment of the author's making (`net: inject`): forged addresses, flags, sequence
//! numbers, window and length, put on the wire as if the host owning the source
//! address had sent it. Trusted stacks are tested this way (packetdrill); here it also
//! lets a learner forge an RST and see why its sequence number must be right.

use crate::addr::Proto;
use crate::segment::Flags;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;

/// A sequence or acknowledgment number: as written, or relative to what the receiving
/// structure expects (its RCV.NXT for `seq`, its SND.NXT for `ack`), so a scenario need
/// not know the random initial sequence numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeqRef {
    Absolute(u64),
    Relative(i64),
}

impl fmt::Display for SeqRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeqRef::Absolute(n) => write!(f, "{n}"),
            SeqRef::Relative(d) => write!(f, "{d:+}"),
        }
    }
}

/// What to put on the wire. Left out (`None`), `seq` and `ack` are exactly what the
/// receiving structure expects (0 when nothing at the destination is connected); the
/// window and the length default to 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injection {
    pub proto: Proto,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub flags: Flags,
    pub seq: Option<SeqRef>,
    pub ack: Option<SeqRef>,
    pub window: u64,
    pub len: u64,
}

impl Injection {
    /// A segment from `from` to `to` with these flags and every number at its default.
    pub fn new(proto: Proto, from: SocketAddr, to: SocketAddr, flags: Flags) -> Self {
        Injection {
            proto,
            from,
            to,
            flags,
            seq: None,
            ack: None,
            window: 0,
            len: 0,
        }
    }
}

/// The scenario language's spelling: `TCP from A to B RST seq=+0 ack=5000 win=0 len=0`
/// (numbers at their defaults are left out; a UDP datagram has only `len=`).
impl fmt::Display for Injection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {} to {}", self.proto, self.from, self.to)?;
        if self.proto == Proto::Tcp {
            write!(f, " {}", self.flags)?;
            if let Some(seq) = self.seq {
                write!(f, " seq={seq}")?;
            }
            if let Some(ack) = self.ack {
                write!(f, " ack={ack}")?;
            }
            if self.window != 0 {
                write!(f, " win={}", self.window)?;
            }
        }
        if self.len != 0 {
            write!(f, " len={}", self.len)?;
        }
        Ok(())
    }
}

/// Why an injection was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InjectError {
    /// No host has the source address, so there is no link to put it on.
    NoSourceHost(SocketAddr),
    /// A relative number with no structure at the destination to be relative to.
    NothingToBeRelativeTo,
    /// A TCP segment with no flag at all.
    NoFlags,
}

impl fmt::Display for InjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InjectError::NoSourceHost(a) => write!(
                f,
                "no host has the address {}: a forged segment leaves from the host that owns its source address",
                a.ip()
            ),
            InjectError::NothingToBeRelativeTo => f.write_str(
                "no connection at the destination answers to these addresses, so a relative seq= or ack= has nothing to count from; write absolute numbers",
            ),
            InjectError::NoFlags => f.write_str("a TCP segment needs at least one flag (SYN, ACK, FIN or RST)"),
        }
    }
}

impl std::error::Error for InjectError {}
