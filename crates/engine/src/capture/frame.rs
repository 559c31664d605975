//! One segment as the bytes of an Ethernet frame: Ethernet II, IPv4 or IPv6, TCP or
//! UDP, with real checksums (etherparse computes them), the engine's own sequence
//! numbers, ACKs, windows and flags, and a payload that says which send() it came from.

use crate::segment::Segment;
use crate::{HostId, Proto};
use etherparse::{PacketBuilder, PacketBuilderStep, TcpOptionElement};
use std::net::SocketAddr;

/// Time to live / hop limit of every packet: Linux's default.
const TTL: u8 = 64;

/// How the windows of a capture fit the 16-bit field: every SYN announces this
/// window-scale shift (RFC 7323), every other segment carries `window >> shift`, and
/// a reader that saw the handshake multiplies back. 0 when every window fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowScale(pub u8);

impl WindowScale {
    /// The smallest shift that fits the largest window (RFC 7323 allows up to 14).
    pub fn for_largest(window: u64) -> WindowScale {
        let mut shift = 0u8;
        while shift < 14 && (window >> shift) > u64::from(u16::MAX) {
            shift += 1;
        }
        WindowScale(shift)
    }

    /// The window field of a segment: a SYN's own window is never scaled, so it is
    /// capped at 65535 as on a real wire.
    pub fn field(self, seg: &Segment) -> u16 {
        let w = if seg.flags.syn {
            seg.window
        } else {
            seg.window >> self.0
        };
        u16::try_from(w).unwrap_or(u16::MAX)
    }
}

/// A host's MAC address: locally administered, its id in the last two bytes, so a
/// reader can tell the hosts apart. A segment to no host goes to `02:00:00:00:ff:ff`.
pub fn mac(host: Option<HostId>) -> [u8; 6] {
    let id = host.map_or(0xffff, |h| (h.0 & 0xffff) as u16);
    let [hi, lo] = id.to_be_bytes();
    [0x02, 0, 0, 0, hi, lo]
}

/// The payload bytes: each send()'s bytes are one letter, A for the first send() of
/// the run (by any program), B for the next, and so on (after Z, A again).
pub fn payload(seg: &Segment) -> Vec<u8> {
    let mut out = Vec::with_capacity(seg.len as usize);
    for run in &seg.runs {
        // Tags count send() calls from 1.
        let letter = b'A' + (run.tag.0.saturating_sub(1) % 26) as u8;
        out.extend(std::iter::repeat_n(letter, run.len as usize));
    }
    // A probe or a segment whose runs do not cover it is filled with '.'.
    out.resize(seg.len as usize, b'.');
    out
}

/// The frame of `seg`, or why it cannot be one (mixed address families).
pub fn frame(seg: &Segment, scale: WindowScale) -> Result<Vec<u8>, String> {
    let eth = PacketBuilder::ethernet2(mac(Some(seg.from_host)), mac(seg.to_host));
    let ip = match (seg.src, seg.dst) {
        (SocketAddr::V4(s), SocketAddr::V4(d)) => eth.ipv4(s.ip().octets(), d.ip().octets(), TTL),
        (SocketAddr::V6(s), SocketAddr::V6(d)) => eth.ipv6(s.ip().octets(), d.ip().octets(), TTL),
        _ => return Err(format!("{} -> {} mixes IPv4 and IPv6", seg.src, seg.dst)),
    };
    let data = payload(seg);
    let mut out = Vec::new();
    let written = match seg.proto {
        Proto::Udp => {
            let b = ip.udp(seg.src.port(), seg.dst.port());
            out.reserve(b.size(data.len()));
            b.write(&mut out, &data)
        }
        Proto::Tcp => {
            let b = tcp(ip, seg, scale)?;
            out.reserve(b.size(data.len()));
            b.write(&mut out, &data)
        }
    };
    written.map_err(|e| format!("segment {}: {e}", seg.id.0))?;
    Ok(out)
}

fn tcp(
    ip: PacketBuilderStep<etherparse::IpHeaders>,
    seg: &Segment,
    scale: WindowScale,
) -> Result<PacketBuilderStep<etherparse::TcpHeader>, String> {
    // The engine counts sequence numbers in 64 bits; the wire keeps them mod 2^32.
    let mut b = ip.tcp(
        seg.src.port(),
        seg.dst.port(),
        seg.seq as u32,
        scale.field(seg),
    );
    if seg.flags.syn {
        b = b.syn();
        b = b
            .options(&[TcpOptionElement::WindowScale(scale.0)])
            .map_err(|e| e.to_string())?;
    }
    if seg.flags.ack {
        b = b.ack(seg.ack as u32);
    }
    if seg.flags.fin {
        b = b.fin();
    }
    if seg.flags.rst {
        b = b.rst();
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Run;
    use crate::segment::Flags;
    use crate::{SegId, SendTag};

    fn segment(window: u64, runs: Vec<Run>) -> Segment {
        Segment {
            id: SegId(1),
            proto: Proto::Tcp,
            src: "10.0.0.1:32768".parse().unwrap(),
            dst: "10.0.0.2:80".parse().unwrap(),
            from_host: HostId(0),
            to_host: Some(HostId(1)),
            flags: Flags {
                ack: true,
                ..Flags::default()
            },
            seq: (1 << 32) + 7,
            ack: 1,
            window,
            len: runs.iter().map(|r| r.len).sum(),
            runs,
            probe: false,
            retransmission: false,
            forged: false,
        }
    }

    #[test]
    fn each_send_call_has_its_own_letter() {
        let runs = vec![
            Run {
                tag: SendTag(1),
                len: 2,
            },
            Run {
                tag: SendTag(2),
                len: 3,
            },
        ];
        assert_eq!(payload(&segment(0, runs)), b"AABBB");
    }

    #[test]
    fn windows_beyond_16_bits_are_scaled_and_a_syn_is_capped() {
        let scale = WindowScale::for_largest(200_000);
        assert_eq!(scale, WindowScale(2));
        assert_eq!(scale.field(&segment(200_000, vec![])), 50_000);
        let mut syn = segment(200_000, vec![]);
        syn.flags.syn = true;
        assert_eq!(scale.field(&syn), u16::MAX);
        assert_eq!(WindowScale::for_largest(65_535), WindowScale(0));
    }

    #[test]
    fn a_frame_keeps_the_low_32_bits_of_the_sequence_number() {
        let bytes = frame(&segment(1000, vec![]), WindowScale(0)).unwrap();
        let seq = u32::from_be_bytes(bytes[14 + 20 + 4..14 + 20 + 8].try_into().unwrap());
        assert_eq!(seq, 7);
        assert_eq!(&bytes[0..6], &mac(Some(HostId(1))));
    }
}
