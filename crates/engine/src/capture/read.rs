//! Reading a capture of real programs: pcap or pcapng (pcap-file), with Ethernet,
//! Linux cooked (v1 and v2), BSD loopback and raw IP link types; IPv4 and IPv6; TCP
//! and UDP (etherparse). Anything else in the file is counted and skipped, never a
//! reason to refuse the rest.
//!
//! The work is bounded: at most `max_packets` packets are kept ([`Imported::truncated`]
//! says the file held more), and a file is read a piece at a time by [`Reader`], which
//! holds at most one record ([`MAX_RECORD`] bytes) besides the packets it keeps.
//! [`read`] is the same reader fed a whole file at once.

use crate::segment::Flags;
use crate::Proto;
use std::fmt;
use std::net::SocketAddr;

pub use super::reader::Reader;
pub use super::records::MAX_RECORD;

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
    /// The file held more packets than were kept: reading stopped at the cap.
    pub truncated: bool,
    /// Where the file stopped making sense, if it did: the packets before it are kept.
    pub damage: Option<Damage>,
    /// Bytes of the file taken as whole records (where reading stopped, if it stopped
    /// early at the cap or at damage).
    pub bytes_read: u64,
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

/// A place after which a file cannot be read: the record starting at byte `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    pub offset: u64,
    pub kind: DamageKind,
}

/// What is wrong with a damaged record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DamageKind {
    /// The file ends inside the record: `have` bytes of it are there, of `need`
    /// (`None`: the file ends inside the record's own header).
    Cut { have: usize, need: Option<usize> },
    /// Its length field says `len` bytes, more than [`MAX_RECORD`].
    TooLong { len: u64 },
    /// Its length field says `len`, which no pcapng block can be (under 12, or not a
    /// multiple of 4).
    BadLength { len: u64 },
    /// The parser could not read it (why, in pcap-file's words).
    Unreadable(String),
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match &self.kind {
            DamageKind::Cut { have, need } => {
                write!(f, "the file ends inside the record at byte {at} (")?;
                match need {
                    Some(n) => write!(f, "{have} of its {n} bytes are there")?,
                    None => write!(f, "{have} bytes of its header are there")?,
                }
                f.write_str("): it was cut short, perhaps copied while still being written")
            }
            DamageKind::TooLong { len } => write!(
                f,
                "the record at byte {at} says it is {len} bytes long, more than the {MAX_RECORD} a record may be: the file is damaged from there on"
            ),
            DamageKind::BadLength { len } => write!(
                f,
                "the record at byte {at} says it is {len} bytes long, which no pcapng block can be: the file is damaged from there on"
            ),
            DamageKind::Unreadable(why) => write!(
                f,
                "the record at byte {at} cannot be read ({why}): the file is damaged from there on"
            ),
        }
    }
}

/// Reads up to `max_packets` packets of a whole pcap or pcapng file held in memory.
/// A file damaged or cut short keeps the packets before the damage
/// ([`Imported::damage`] says where). The same as feeding `bytes` to a [`Reader`].
pub fn read(bytes: &[u8], max_packets: usize) -> Result<Imported, ImportError> {
    let mut reader = Reader::new(max_packets);
    reader.feed(bytes)?;
    reader.finish()
}
