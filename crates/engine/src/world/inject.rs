//! Putting a forged segment on the wire (`net: inject`).

use super::World;
use crate::addr::Proto;
use crate::ids::SegId;
use crate::inject::{InjectError, Injection, SeqRef};
use crate::queue::Run;
use crate::segment::{Flags, Segment};
use crate::state::TcpState;

impl World {
    /// Puts the segment on the path from the host that owns its source address, as if
    /// that host had sent it; what happens next is the receiver's TCP (or UDP) at work.
    /// Refused, with nothing changed, when no host owns the source address or a
    /// relative number has no connection to count from. Returns the segment's id.
    pub fn inject(&mut self, inj: &Injection) -> Result<SegId, InjectError> {
        let from_host = self
            .owner_of(inj.from.ip())
            .ok_or(InjectError::NoSourceHost(inj.from))?;
        if inj.proto == Proto::Tcp && inj.flags == Flags::default() {
            return Err(InjectError::NoFlags);
        }
        let (seq, ack) = match inj.proto {
            Proto::Tcp => self.resolve_numbers(inj)?,
            Proto::Udp => (0, 0),
        };
        let runs = if inj.len > 0 {
            vec![Run {
                tag: self.next_tag(),
                len: inj.len,
            }]
        } else {
            Vec::new()
        };
        Ok(self.transmit(Segment {
            id: SegId(0),
            proto: inj.proto,
            src: inj.from,
            dst: inj.to,
            from_host,
            to_host: None,
            flags: if inj.proto == Proto::Tcp {
                inj.flags
            } else {
                Flags::default()
            },
            seq,
            ack,
            window: inj.window,
            len: inj.len,
            runs,
            probe: false,
            retransmission: false,
            forged: true,
        }))
    }

    /// `seq` and `ack` as numbers: relative ones count from the receiving structure's
    /// RCV.NXT and SND.NXT.
    fn resolve_numbers(&self, inj: &Injection) -> Result<(u64, u64), InjectError> {
        let receiver = self
            .owner_of(inj.to.ip())
            .and_then(|h| self.demux_lookup(h, inj.proto, inj.from, inj.to))
            .and_then(|id| self.socket(id))
            .filter(|s| !matches!(s.state, TcpState::Listen | TcpState::Closed));
        let expected = receiver.map(|s| (s.tcb.rcv_nxt, s.tcb.snd_nxt));
        let resolve = |r: Option<SeqRef>, base: Option<u64>| match (r, base) {
            (Some(SeqRef::Absolute(n)), _) => Ok(n),
            (None, base) => Ok(base.unwrap_or(0)),
            (Some(SeqRef::Relative(d)), Some(b)) => Ok(b.saturating_add_signed(d)),
            (Some(SeqRef::Relative(_)), None) => Err(InjectError::NothingToBeRelativeTo),
        };
        Ok((
            resolve(inj.seq, expected.map(|e| e.0))?,
            resolve(inj.ack, expected.map(|e| e.1))?,
        ))
    }
}
