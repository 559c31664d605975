//! Where each record of a capture file ends, told from its first bytes alone, so that a
//! reader fed a piece at a time knows how much more to wait for before handing a whole
//! record to the parser, and can refuse a record too long to hold before holding it.
//!
//! The containers: classic pcap (a 24-byte file header, then records of a 16-byte
//! header and the frame, the frame's length at bytes 8..12) and pcapng (blocks of a
//! type, a total length at bytes 4..8, a body and the length again; a section header
//! block carries the byte order of its section at bytes 8..12).

use super::read::DamageKind;

/// The longest record a reader holds, headers included. A frame of a Linux capture is
/// at most tcpdump's snap length (262,144 bytes), so a longer record means the length
/// field is damaged, and holding it could cost any amount of memory.
pub const MAX_RECORD: usize = 1024 * 1024;

/// A classic pcap file's header.
pub(super) const PCAP_FILE_HEADER: usize = 24;
/// A classic pcap record's header (time, captured length, original length).
const PCAP_RECORD_HEADER: usize = 16;
/// pcapng's section header block type (also the file's magic number).
pub(super) const SECTION_HEADER: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
/// pcapng's byte-order magic, as written by a little-endian writer.
const BYTE_ORDER_LE: [u8; 4] = [0x4d, 0x3c, 0x2b, 0x1a];
/// pcapng block types that carry a packet: obsolete packet, simple packet, enhanced packet.
const PACKET_BLOCKS: [u32; 3] = [2, 3, 6];
/// The smallest pcapng block: type, length, length again.
const MIN_BLOCK: u64 = 12;

/// What the first bytes of a record say about its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Framed {
    /// At least this many bytes are needed to say more.
    Need(usize),
    /// The record is this many bytes long, headers included.
    Record(usize),
    /// No record can have the length written there.
    Damaged(DamageKind),
}

/// The four magic numbers of classic pcap (micro- and nanosecond stamps, either order).
pub(super) fn is_pcap_magic(m: &[u8]) -> bool {
    const MAGICS: [[u8; 4]; 4] = [
        [0xd4, 0xc3, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xc3, 0xd4],
        [0x4d, 0x3c, 0xb2, 0xa1],
        [0xa1, 0xb2, 0x3c, 0x4d],
    ];
    MAGICS.iter().any(|x| x == m)
}

fn u32_at(b: &[u8], at: usize, little: bool) -> u32 {
    let four = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if little {
        u32::from_le_bytes(four)
    } else {
        u32::from_be_bytes(four)
    }
}

/// Checks a record's whole length against [`MAX_RECORD`].
fn bounded(len: u64) -> Framed {
    match usize::try_from(len) {
        Ok(n) if n <= MAX_RECORD => Framed::Record(n),
        _ => Framed::Damaged(DamageKind::TooLong { len }),
    }
}

/// A classic pcap record (after the file header) in a file of that byte order.
pub(super) fn pcap_record(b: &[u8], little: bool) -> Framed {
    if b.len() < PCAP_RECORD_HEADER {
        return Framed::Need(PCAP_RECORD_HEADER);
    }
    let frame = u64::from(u32_at(b, 8, little));
    bounded(PCAP_RECORD_HEADER as u64 + frame)
}

/// A pcapng block in a section of that byte order; a section header block says its
/// own order, which is then the order of the blocks after it.
pub(super) fn pcapng_block(b: &[u8], section_little: bool) -> Framed {
    let header = b.starts_with(&SECTION_HEADER);
    let need = if header { 12 } else { 8 };
    if b.len() < need {
        return Framed::Need(need);
    }
    let little = if header {
        b[8..12] == BYTE_ORDER_LE
    } else {
        section_little
    };
    let len = u64::from(u32_at(b, 4, little));
    if len < MIN_BLOCK || len % 4 != 0 {
        return Framed::Damaged(DamageKind::BadLength { len });
    }
    bounded(len)
}

/// A whole section header block's byte order.
pub(super) fn section_is_little(block: &[u8]) -> bool {
    block.get(8..12) == Some(&BYTE_ORDER_LE[..])
}

/// Whether a pcapng block (its first 4 bytes at least) carries a packet.
pub(super) fn is_packet_block(b: &[u8], little: bool) -> bool {
    b.len() >= 4 && PACKET_BLOCKS.contains(&u32_at(b, 0, little))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pcap_record_is_its_header_and_its_frame() {
        let mut rec = vec![0u8; 16];
        rec[8..12].copy_from_slice(&60u32.to_le_bytes());
        assert_eq!(pcap_record(&rec[..15], true), Framed::Need(16));
        assert_eq!(pcap_record(&rec, true), Framed::Record(76));
        rec[8..12].copy_from_slice(&60u32.to_be_bytes());
        assert_eq!(pcap_record(&rec, false), Framed::Record(76));
    }

    #[test]
    fn a_record_longer_than_the_bound_is_damage_before_it_is_held() {
        let mut rec = vec![0u8; 16];
        rec[8..12].copy_from_slice(&(MAX_RECORD as u32).to_le_bytes());
        assert_eq!(
            pcap_record(&rec, true),
            Framed::Damaged(DamageKind::TooLong {
                len: MAX_RECORD as u64 + 16
            })
        );
    }

    #[test]
    fn a_pcapng_block_length_is_read_in_its_sections_order() {
        let mut shb = SECTION_HEADER.to_vec();
        shb.extend(28u32.to_be_bytes());
        shb.extend([0x1a, 0x2b, 0x3c, 0x4d]);
        assert_eq!(pcapng_block(&shb[..11], true), Framed::Need(12));
        assert_eq!(pcapng_block(&shb, true), Framed::Record(28));
        assert!(!section_is_little(&shb));
        let mut epb = 6u32.to_le_bytes().to_vec();
        epb.extend(13u32.to_le_bytes());
        assert_eq!(
            pcapng_block(&epb, true),
            Framed::Damaged(DamageKind::BadLength { len: 13 })
        );
        assert!(is_packet_block(&epb, true));
        assert!(!is_packet_block(&epb, false));
    }
}
