//! The streaming reader: a capture file fed in pieces of any size (a file read 1 MiB
//! at a time, a browser's `File` read slice by slice), parsed record by record.
//!
//! The contract is on [`Reader`] (re-exported as `capture::read::Reader`).

use super::decode::{decode, supported};
use super::read::{Damage, DamageKind, ImportError, Imported, Packet};
use super::records::{self, Framed, PCAP_FILE_HEADER, SECTION_HEADER};
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, Endianness};

/// Which container the file is, once its header has been read.
enum Stage {
    /// Nothing read yet.
    Start,
    Pcap(PcapParser),
    /// The parser knows the interfaces; `little` is the section's byte order.
    PcapNg {
        parser: PcapNgParser,
        little: bool,
    },
}

/// Reads a capture file fed a piece at a time.
///
/// # Contract
/// - [`Reader::feed`] takes the next bytes of the file, in order, pieces of any size
///   (one byte, an odd number, the whole file): the result is the same for every way
///   of cutting the file.
/// - Memory: besides the packets kept (at most `max_packets`), the reader holds at most
///   one record, and never more than [`MAX_RECORD`](super::read::MAX_RECORD) bytes: a record whose length field
///   says more is [`DamageKind::TooLong`] at once, before its bytes are held. Records
///   complete within a piece are read where they lie, not copied.
/// - [`Reader::wants_more`] turns false once reading has stopped, at the packet cap
///   ([`Imported::truncated`]) or at damage ([`Imported::damage`]): the caller should
///   stop reading the file then; further pieces are ignored. It also turns false for a
///   file refused outright.
/// - [`Reader::feed`] returns an [`ImportError`] as soon as the file is known to be
///   unreadable as a whole (not a capture, a header pcap-file rejects, an unsupported
///   link type); every later call returns the same error.
/// - [`Reader::finish`] ends the file: what is left over is a record cut short
///   ([`DamageKind::Cut`]); a file that ended before its header is not a capture.
///   The packets before any damage are kept.
/// - [`Reader::packets`] shows the packets so far, for a caller that draws while it
///   reads.
///
/// # Example
/// A caller that reads its file in pieces (a browser's `File` slice by slice, a
/// program 1 MiB at a time) stops as soon as the reader wants no more:
/// ```
/// use sockscope_engine::capture::read::{ImportError, Imported, Reader};
///
/// fn import<'a>(pieces: impl Iterator<Item = &'a [u8]>) -> Result<Imported, ImportError> {
///     let mut reader = Reader::new(20_000);
///     for piece in pieces {
///         if !reader.wants_more() {
///             break;
///         }
///         reader.feed(piece)?;
///     }
///     reader.finish()
/// }
///
/// let not_a_capture = b"host A 10.0.0.1\n";
/// assert_eq!(import(not_a_capture.chunks(3)), Err(ImportError::NotACapture));
/// ```
pub struct Reader {
    stage: Stage,
    /// The start of a record not yet complete: shorter than the record, so never more
    /// than [`MAX_RECORD`](super::read::MAX_RECORD) bytes.
    pending: Vec<u8>,
    /// Where `pending` (or the next record) begins in the file.
    offset: u64,
    out: Imported,
    max_packets: usize,
    first_ns: Option<u128>,
    frames: usize,
    stopped: bool,
    failed: Option<ImportError>,
}

impl Reader {
    /// A reader that keeps at most `max_packets` packets.
    pub fn new(max_packets: usize) -> Reader {
        Reader {
            stage: Stage::Start,
            pending: Vec::new(),
            offset: 0,
            out: Imported::default(),
            max_packets,
            first_ns: None,
            frames: 0,
            stopped: false,
            failed: None,
        }
    }

    /// False once more bytes would change nothing: the cap was reached, the file is
    /// damaged, or it was refused.
    pub fn wants_more(&self) -> bool {
        !self.stopped && self.failed.is_none()
    }

    /// The packets kept so far.
    pub fn packets(&self) -> &[Packet] {
        &self.out.packets
    }

    /// Bytes fed so far that were taken as whole records.
    pub fn bytes_read(&self) -> u64 {
        self.offset
    }

    /// Takes the next piece of the file.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), ImportError> {
        while !bytes.is_empty() && self.wants_more() {
            bytes = self
                .step(bytes)
                .inspect_err(|e| self.failed = Some(e.clone()))?;
        }
        match &self.failed {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Takes one record's worth of `bytes` (or all of them into `pending`); the rest.
    fn step<'a>(&mut self, bytes: &'a [u8]) -> Result<&'a [u8], ImportError> {
        if self.pending.is_empty() {
            match self.frame(bytes)? {
                Framed::Record(len) if len <= bytes.len() => {
                    let (record, rest) = bytes.split_at(len);
                    self.record(record)?;
                    return Ok(rest);
                }
                Framed::Damaged(kind) => {
                    self.damaged(kind);
                    return Ok(&[]);
                }
                // Shorter than the record, which is at most MAX_RECORD bytes.
                Framed::Record(_) | Framed::Need(_) => {
                    self.pending.extend_from_slice(bytes);
                    return Ok(&[]);
                }
            }
        }
        let need = match self.frame(&self.pending)? {
            Framed::Damaged(kind) => {
                self.damaged(kind);
                return Ok(&[]);
            }
            Framed::Need(n) | Framed::Record(n) => n,
        };
        let take = need.saturating_sub(self.pending.len()).min(bytes.len());
        self.pending.extend_from_slice(&bytes[..take]);
        match self.frame(&self.pending)? {
            Framed::Record(len) if self.pending.len() == len => {
                let record = std::mem::take(&mut self.pending);
                self.record(&record)?;
                // Keep the allocation for the next record cut across pieces.
                if self.wants_more() {
                    self.pending = record;
                    self.pending.clear();
                }
            }
            // The header just completed says no record can be this long.
            Framed::Damaged(kind) => self.damaged(kind),
            Framed::Record(_) | Framed::Need(_) => {}
        }
        Ok(&bytes[take..])
    }

    /// Where the record at the start of `b` ends, in the file's container.
    fn frame(&self, b: &[u8]) -> Result<Framed, ImportError> {
        Ok(match &self.stage {
            Stage::Start => match b.get(0..4) {
                None => Framed::Need(4),
                Some(m) if m == SECTION_HEADER => records::pcapng_block(b, true),
                Some(m) if records::is_pcap_magic(m) => Framed::Record(PCAP_FILE_HEADER),
                Some(_) => return Err(ImportError::NotACapture),
            },
            Stage::Pcap(p) => records::pcap_record(b, p.header().endianness == Endianness::Little),
            Stage::PcapNg { little, .. } => records::pcapng_block(b, *little),
        })
    }

    fn damaged(&mut self, kind: DamageKind) {
        self.out.damage = Some(Damage {
            offset: self.offset,
            kind,
        });
        self.stopped = true;
        self.pending = Vec::new();
    }

    /// One whole record.
    fn record(&mut self, record: &[u8]) -> Result<(), ImportError> {
        let at_cap = self.out.packets.len() >= self.max_packets;
        match &mut self.stage {
            Stage::Start if record.starts_with(&SECTION_HEADER) => {
                let (_, parser) = PcapNgParser::new(record).map_err(malformed)?;
                let little = records::section_is_little(record);
                self.stage = Stage::PcapNg { parser, little };
            }
            Stage::Start => {
                let (_, parser) = PcapParser::new(record).map_err(malformed)?;
                supported(parser.header().datalink)?;
                self.stage = Stage::Pcap(parser);
            }
            Stage::Pcap(_) if at_cap => {
                self.stop_at_cap();
                return Ok(());
            }
            Stage::Pcap(parser) => match parser.next_packet(record) {
                Ok((_, p)) => {
                    let link = parser.header().datalink;
                    self.frame_seen(p.timestamp.as_nanos(), link, &p.data);
                }
                Err(e) => {
                    self.damaged(DamageKind::Unreadable(e.to_string()));
                    return Ok(());
                }
            },
            Stage::PcapNg { little, .. } if at_cap && records::is_packet_block(record, *little) => {
                self.stop_at_cap();
                return Ok(());
            }
            Stage::PcapNg { parser, little } => {
                if record.starts_with(&SECTION_HEADER) {
                    *little = records::section_is_little(record);
                }
                let block = match parser.next_block(record) {
                    Ok((_, block)) => block,
                    Err(e) => {
                        self.damaged(DamageKind::Unreadable(e.to_string()));
                        return Ok(());
                    }
                };
                match carried(parser, &block)? {
                    Carried::Frame(ns, link, data) => self.frame_seen(ns, link, data),
                    Carried::Unknown => self.out.skipped += 1,
                    Carried::Nothing => {}
                }
            }
        }
        self.offset += record.len() as u64;
        Ok(())
    }

    fn stop_at_cap(&mut self) {
        self.out.truncated = true;
        self.stopped = true;
        self.pending = Vec::new();
    }

    /// A frame of the file: numbered, timed from the first, kept if it is TCP or UDP.
    fn frame_seen(&mut self, ns: u128, link: DataLink, data: &[u8]) {
        self.frames += 1;
        let first = *self.first_ns.get_or_insert(ns);
        match decode(link, data) {
            Some(mut p) => {
                p.frame = self.frames;
                p.time_us = (ns.saturating_sub(first) / 1000) as u64;
                self.out.packets.push(p);
            }
            None => self.out.skipped += 1,
        }
    }

    /// Ends the file: a record left incomplete is damage; a file without a whole
    /// header is refused.
    pub fn finish(mut self) -> Result<Imported, ImportError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let Stage::Start = self.stage {
            return Err(match self.pending.get(0..4) {
                Some(_) => ImportError::Malformed("the file ends inside its header".into()),
                None => ImportError::NotACapture,
            });
        }
        if !self.stopped && !self.pending.is_empty() {
            let need = match self.frame(&self.pending)? {
                Framed::Record(n) => Some(n),
                _ => None,
            };
            let have = self.pending.len();
            self.damaged(DamageKind::Cut { have, need });
        }
        self.out.bytes_read = self.offset;
        Ok(self.out)
    }
}

fn malformed(e: pcap_file::PcapError) -> ImportError {
    ImportError::Malformed(e.to_string())
}

/// What a pcapng block carries.
enum Carried<'b> {
    /// A frame, with its time and its interface's link type.
    Frame(u128, DataLink, &'b [u8]),
    /// A packet on an interface the file never described.
    Unknown,
    /// No packet (a header, statistics, a name table, …).
    Nothing,
}

/// The frame a pcapng block carries; an interface of a link type sockscope cannot read
/// refuses the file.
fn carried<'b>(parser: &PcapNgParser, block: &'b Block<'b>) -> Result<Carried<'b>, ImportError> {
    Ok(match block {
        Block::EnhancedPacket(p) => match parser.packet_interface(p) {
            Some(iface) => Carried::Frame(p.timestamp.as_nanos(), iface.linktype, &p.data[..]),
            None => Carried::Unknown,
        },
        Block::SimplePacket(p) => match parser.interfaces().first() {
            Some(iface) => Carried::Frame(0, iface.linktype, &p.data[..]),
            None => Carried::Nothing,
        },
        Block::InterfaceDescription(i) => {
            supported(i.linktype)?;
            Carried::Nothing
        }
        _ => Carried::Nothing,
    })
}
