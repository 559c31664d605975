//! What travels on the wire: TCP segments and UDP datagrams.

use crate::addr::Proto;
use crate::ids::{HostId, SegId};
use crate::queue::Run;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
}

impl Flags {
    pub const SYN: Flags = Flags {
        syn: true,
        ack: false,
        fin: false,
        rst: false,
    };
    pub const SYN_ACK: Flags = Flags {
        syn: true,
        ack: true,
        fin: false,
        rst: false,
    };
    pub const ACK: Flags = Flags {
        syn: false,
        ack: true,
        fin: false,
        rst: false,
    };
    pub const RST: Flags = Flags {
        syn: false,
        ack: false,
        fin: false,
        rst: true,
    };
    pub const RST_ACK: Flags = Flags {
        syn: false,
        ack: true,
        fin: false,
        rst: true,
    };
}

/// `SYN`, `SYN+ACK`, `FIN+ACK`, `ACK`, `RST`.
impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (self.syn, "SYN"),
            (self.fin, "FIN"),
            (self.rst, "RST"),
            (self.ack, "ACK"),
        ];
        let mut first = true;
        for (on, name) in names {
            if on {
                if !first {
                    f.write_str("+")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// One segment or datagram. Sequence numbers are 64-bit so they never wrap inside a
/// simulation; initial sequence numbers are still random 32-bit values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub id: SegId,
    pub proto: Proto,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub from_host: HostId,
    /// `None` when no host owns the destination address: the segment is lost.
    pub to_host: Option<HostId>,
    pub flags: Flags,
    pub seq: u64,
    pub ack: u64,
    /// Advertised receive window (free space in the sender's RecvQ).
    pub window: u64,
    /// Payload bytes.
    pub len: u64,
    /// Which send() calls the payload bytes came from.
    pub runs: Vec<Run>,
    /// A zero-window probe: carries one byte past a closed window.
    pub probe: bool,
    /// A copy sent again after a timeout.
    pub retransmission: bool,
    /// Made by the scenario's author (`net: inject`), not by any structure's TCP.
    #[serde(default)]
    pub forged: bool,
}

impl Segment {
    /// A short label for the wire and the ladder diagram, e.g. `SYN seq=100` or
    /// `ACK 1460 bytes seq=101 ack=501 win=0`.
    pub fn label(&self) -> String {
        match self.proto {
            Proto::Udp => format!("UDP {} bytes", self.len),
            Proto::Tcp => {
                let mut s = self.flags.to_string();
                if self.len > 0 {
                    s.push_str(&format!(" {} bytes", self.len));
                }
                s.push_str(&format!(" seq={}", self.seq));
                if self.flags.ack {
                    s.push_str(&format!(" ack={}", self.ack));
                }
                s.push_str(&format!(" win={}", self.window));
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_print_in_textbook_order() {
        assert_eq!(Flags::SYN_ACK.to_string(), "SYN+ACK");
        assert_eq!(Flags::RST_ACK.to_string(), "RST+ACK");
        let fin_ack = Flags {
            fin: true,
            ack: true,
            ..Flags::default()
        };
        assert_eq!(fin_ack.to_string(), "FIN+ACK");
    }
}
