//! Reading a capture of real programs: pcap or pcapng (pcap-file), with Ethernet,
//! Linux cooked (v1 and v2), BSD loopback and raw IP link types; IPv4 and IPv6; TCP
//! and UDP (etherparse). Anything else in the file is counted and skipped, never a
//! reason to refuse the rest.
//!
//! The work is bounded: at most `max_packets` packets are read, and the caller says
//! when the file was cut (see [`Imported::truncated`]).

use crate::segment::Flags;
use crate::Proto;
use etherparse::{NetSlice, SlicedPacket, TcpOptionElement, TransportSlice};
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::DataLink;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// One TCP segment or UDP datagram of the capture, as the wire carried it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Its number in the file, from 1 (as Wireshark numbers frames).
    pub frame: usize,
    /// Microseconds since the first packet.
    pub time_us: u64,
    pub proto: Proto,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub flags: Flags,
    pub seq: u32,
    pub ack: u32,
    /// The window field as sent (not yet multiplied by a window scale).
    pub window: u16,
    /// A SYN's window-scale option.
    pub window_scale: Option<u8>,
    /// Payload bytes.
    pub len: u64,
}

/// What a file held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub packets: Vec<Packet>,
    /// Frames that were not TCP or UDP over IP (ARP, ICMP, …) or could not be read.
    pub skipped: usize,
    /// The file held more packets than were read.
    pub truncated: bool,
}

/// Why a file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// Neither a pcap nor a pcapng file.
    NotACapture,
    /// The file's header promised a format the reader could not follow.
    Malformed(String),
    /// A link type the reader does not know (its number, as in the libpcap list).
    UnsupportedLink(u32),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotACapture => f.write_str(
                "this is not a capture file: sockscope reads pcap and pcapng files (from Wireshark, tshark or tcpdump)",
            ),
            ImportError::Malformed(why) => write!(f, "the capture file is damaged: {why}"),
            ImportError::UnsupportedLink(n) => write!(
                f,
                "the capture's link type {n} is not supported: use Ethernet, Linux cooked or loopback captures"
            ),
        }
    }
}

/// Reads up to `max_packets` packets of a pcap or pcapng file. A file cut short in
/// the middle of a packet keeps the packets before it.
pub fn read(bytes: &[u8], max_packets: usize) -> Result<Imported, ImportError> {
    match bytes.get(0..4) {
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => read_pcapng(bytes, max_packets),
        Some(m) if is_pcap_magic(m) => read_pcap(bytes, max_packets),
        _ => Err(ImportError::NotACapture),
    }
}

fn is_pcap_magic(m: &[u8]) -> bool {
    const MAGICS: [[u8; 4]; 4] = [
        [0xd4, 0xc3, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xc3, 0xd4],
        [0x4d, 0x3c, 0xb2, 0xa1],
        [0xa1, 0xb2, 0x3c, 0x4d],
    ];
    MAGICS.iter().any(|x| x == m)
}

/// Collects packets, numbering the frames and timing them from the first.
struct Collector {
    out: Imported,
    first_ns: Option<u128>,
    frames: usize,
    max: usize,
}

impl Collector {
    fn new(max: usize) -> Collector {
        Collector {
            out: Imported::default(),
            first_ns: None,
            frames: 0,
            max,
        }
    }

    fn full(&mut self) -> bool {
        if self.out.packets.len() >= self.max {
            self.out.truncated = true;
            return true;
        }
        false
    }

    fn frame(&mut self, ns: u128, link: DataLink, data: &[u8]) {
        self.frames += 1;
        let frame = self.frames;
        let first = *self.first_ns.get_or_insert(ns);
        let time_us = (ns.saturating_sub(first) / 1000) as u64;
        match decode(link, data) {
            Some(mut p) => {
                p.frame = frame;
                p.time_us = time_us;
                self.out.packets.push(p);
            }
            None => self.out.skipped += 1,
        }
    }
}

fn read_pcap(bytes: &[u8], max: usize) -> Result<Imported, ImportError> {
    let (mut rest, parser) =
        PcapParser::new(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    let link = parser.header().datalink;
    supported(link)?;
    let mut c = Collector::new(max);
    while !rest.is_empty() && !c.full() {
        let Ok((next, packet)) = parser.next_packet(rest) else {
            // Cut short: keep what came before.
            break;
        };
        c.frame(packet.timestamp.as_nanos(), link, &packet.data);
        rest = next;
    }
    Ok(c.out)
}

fn read_pcapng(bytes: &[u8], max: usize) -> Result<Imported, ImportError> {
    let (mut rest, mut parser) =
        PcapNgParser::new(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    let mut c = Collector::new(max);
    while !rest.is_empty() && !c.full() {
        let Ok((next, block)) = parser.next_block(rest) else {
            break;
        };
        rest = next;
        let (link, ns, data) = match &block {
            Block::EnhancedPacket(p) => {
                let Some(iface) = parser.packet_interface(p) else {
                    c.out.skipped += 1;
                    continue;
                };
                (iface.linktype, p.timestamp.as_nanos(), p.data.clone())
            }
            Block::SimplePacket(p) => match parser.interfaces().first() {
                Some(iface) => (iface.linktype, 0, p.data.clone()),
                None => continue,
            },
            Block::InterfaceDescription(i) => {
                supported(i.linktype)?;
                continue;
            }
            _ => continue,
        };
        c.frame(ns, link, &data);
    }
    Ok(c.out)
}

fn supported(link: DataLink) -> Result<(), ImportError> {
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

/// The TCP or UDP packet inside a frame, if it is one.
fn decode(link: DataLink, data: &[u8]) -> Option<Packet> {
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
