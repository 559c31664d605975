//! Capture files of a run, for Wireshark and tshark: every segment the engine sent, as
//! a real frame (see [`frame`]), stamped with the virtual clock.
//!
//! The capture is taken as if on a mirror port that sees every link: a segment appears
//! once, when it is sent. A segment the network then dropped is in a pcapng file with a
//! comment saying why (Wireshark shows it as the packet's comment); the older pcap
//! format has no comments, so there dropped segments are left out.

mod decode;
pub mod frame;
pub mod graph;
pub mod passive;
pub mod read;
mod reader;
mod records;

use crate::trace::{Event, TraceEntry};
use crate::SegId;
use frame::WindowScale;
use pcap_file::pcap::{PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// The two container formats Wireshark reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// pcapng: packet comments, nanosecond stamps. The default.
    PcapNg,
    /// The classic libpcap format, for older tools; no comments.
    Pcap,
}

impl Format {
    /// `.pcap` names the classic format; any other name gets pcapng.
    pub fn for_file_name(name: &str) -> Format {
        if name.to_ascii_lowercase().ends_with(".pcap") {
            Format::Pcap
        } else {
            Format::PcapNg
        }
    }
}

/// A capture that could not be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureError(pub String);

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the capture could not be written: {}", self.0)
    }
}

/// A written capture and what is in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    pub bytes: Vec<u8>,
    /// Frames written.
    pub frames: usize,
    /// Of those, segments the network dropped (pcapng: each has a comment).
    pub dropped: usize,
    /// The window-scale shift the SYNs announce (0: every window fits 16 bits).
    pub window_scale: u8,
}

/// One segment to write: when it was sent and, if the network dropped it, why.
struct Sent<'a> {
    at: u64,
    seg: &'a crate::segment::Segment,
    dropped: Option<String>,
}

/// Writes every segment of `trace` (the whole run: a trace that was drained loses
/// what was drained) in `format`.
pub fn write(trace: &[TraceEntry], format: Format) -> Result<Capture, CaptureError> {
    let drops: BTreeMap<SegId, String> = trace
        .iter()
        .filter_map(|e| match &e.event {
            Event::SegmentDropped { seg, reason } => Some((*seg, reason.to_string())),
            _ => None,
        })
        .collect();
    let sent: Vec<Sent> = trace
        .iter()
        .filter_map(|e| match &e.event {
            Event::SegmentSent { seg, sent_at, .. } => Some(Sent {
                at: *sent_at,
                seg,
                dropped: drops.get(&seg.id).cloned(),
            }),
            _ => None,
        })
        .filter(|s| format == Format::PcapNg || s.dropped.is_none())
        .collect();
    let largest = sent.iter().map(|s| s.seg.window).max().unwrap_or(0);
    let scale = WindowScale::for_largest(largest);
    let frames = sent
        .iter()
        .map(|s| frame::frame(s.seg, scale).map_err(CaptureError))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = match format {
        Format::PcapNg => pcapng(&sent, &frames),
        Format::Pcap => pcap(&sent, &frames),
    }
    .map_err(|e| CaptureError(e.to_string()))?;
    Ok(Capture {
        bytes,
        frames: frames.len(),
        dropped: sent.iter().filter(|s| s.dropped.is_some()).count(),
        window_scale: scale.0,
    })
}

fn stamp(at_us: u64) -> Duration {
    Duration::from_micros(at_us)
}

fn snaplen(frames: &[Vec<u8>]) -> u32 {
    frames.iter().map(Vec::len).max().unwrap_or(0).max(65_535) as u32
}

fn pcapng(sent: &[Sent], frames: &[Vec<u8>]) -> pcap_file::PcapResult<Vec<u8>> {
    let mut w = PcapNgWriter::new(Vec::new())?;
    w.write_pcapng_block(InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: snaplen(frames),
        options: vec![
            InterfaceDescriptionOption::IfName(Cow::Borrowed("sockscope")),
            // pcap-file writes stamps in nanoseconds: say so, or readers assume µs.
            InterfaceDescriptionOption::IfTsResol(9),
        ],
    })?;
    for (s, data) in sent.iter().zip(frames) {
        let options = match &s.dropped {
            Some(why) => vec![EnhancedPacketOption::Comment(Cow::Owned(format!(
                "sockscope: this segment never arrived ({why})"
            )))],
            None => Vec::new(),
        };
        w.write_pcapng_block(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: stamp(s.at),
            original_len: data.len() as u32,
            data: Cow::Borrowed(data),
            options,
        })?;
    }
    Ok(w.into_inner())
}

fn pcap(sent: &[Sent], frames: &[Vec<u8>]) -> pcap_file::PcapResult<Vec<u8>> {
    let header = pcap_file::pcap::PcapHeader {
        snaplen: snaplen(frames),
        datalink: DataLink::ETHERNET,
        ..Default::default()
    };
    let mut w = PcapWriter::with_header(Vec::new(), header)?;
    for (s, data) in sent.iter().zip(frames) {
        w.write_packet(&PcapPacket::new(stamp(s.at), data.len() as u32, data))?;
    }
    Ok(w.into_writer())
}
