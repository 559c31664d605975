//! One frame of a capture as the TCP segment or UDP datagram it carries: the link
//! types sockscope reads (Ethernet, Linux cooked v1 and v2, BSD loopback, raw IP) and
//! IPv4/IPv6 below them (etherparse). Anything else is `None`, for the caller to count.

use super::read::{ImportError, Packet};
use crate::segment::Flags;
use crate::Proto;
use etherparse::{NetSlice, SlicedPacket, TcpOptionElement, TransportSlice};
use pcap_file::DataLink;
use std::net::{IpAddr, SocketAddr};

/// Refuses a link type `decode` cannot follow: the whole file is refused, since every
/// frame on that interface would be skipped.
pub(super) fn supported(link: DataLink) -> Result<(), ImportError> {
    match link {
        DataLink::ETHERNET
        | DataLink::LINUX_SLL
        | DataLink::LINUX_SLL2
        | DataLink::NULL
        | DataLink::LOOP
        | DataLink::RAW
        | DataLink::IPV4
        | DataLink::IPV6 => Ok(()),
        other => Err(ImportError::UnsupportedLink(u32::from(other))),
    }
}

/// The TCP or UDP packet inside a frame, if it is one (`frame` and `time_us` are 0:
/// the caller numbers and times it).
pub(super) fn decode(link: DataLink, data: &[u8]) -> Option<Packet> {
    let sliced = match link {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data).ok()?,
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data).ok()?,
        // SLL2: a 20-byte header whose first two bytes are the EtherType.
        DataLink::LINUX_SLL2 => {
            let ether = u16::from_be_bytes([*data.first()?, *data.get(1)?]);
            SlicedPacket::from_ether_type(ether.into(), data.get(20..)?).ok()?
        }
        // BSD loopback: a 4-byte address family, then the IP packet.
        DataLink::NULL | DataLink::LOOP => SlicedPacket::from_ip(data.get(4..)?).ok()?,
        _ => SlicedPacket::from_ip(data).ok()?,
    };
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match sliced.net? {
        NetSlice::Ipv4(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Arp(_) => return None,
    };
    let at = |port| SocketAddr::new(src_ip, port);
    let to = |port| SocketAddr::new(dst_ip, port);
    match sliced.transport? {
        TransportSlice::Tcp(t) => Some(Packet {
            frame: 0,
            time_us: 0,
            proto: Proto::Tcp,
            src: at(t.source_port()),
            dst: to(t.destination_port()),
            flags: Flags {
                syn: t.syn(),
                ack: t.ack(),
                fin: t.fin(),
                rst: t.rst(),
            },
            seq: t.sequence_number(),
            ack: t.acknowledgment_number(),
            window: t.window_size(),
            window_scale: t.options_iterator().find_map(|o| match o {
                Ok(TcpOptionElement::WindowScale(s)) => Some(s),
                _ => None,
            }),
            len: t.payload().len() as u64,
        }),
        TransportSlice::Udp(u) => Some(Packet {
            frame: 0,
            time_us: 0,
            proto: Proto::Udp,
            src: at(u.source_port()),
            dst: to(u.destination_port()),
            flags: Flags::default(),
            seq: 0,
            ack: 0,
            window: 0,
            window_scale: None,
            len: u64::from(u.length().saturating_sub(8)),
        }),
        _ => None,
    }
}
