//! `sockscope replay CAPTURE`: a capture of real programs read as sockscope reads its
//! own runs: every segment, the TCP states it implies for both ends, and at the end the
//! netstat rows each host would show, with what a capture cannot tell.

use crate::{EXIT_FAILED, EXIT_PARSE};
use sockscope_engine::capture::passive::{self, Row, Timeline, LIMITS};
use sockscope_engine::capture::read::{Imported, Packet, Reader};
use sockscope_engine::{Proto, TcpState};
use std::io::{Read, Write};
use std::process::ExitCode;

/// The most packets followed: a larger capture stops here, and the output says so.
/// With the timeline, each costs about 250 bytes, so this bounds the memory a file
/// of any size takes (the file itself is read a piece at a time).
pub const MAX_PACKETS: usize = 200_000;
/// How much of the file is read at a time.
const PIECE: usize = 1024 * 1024;

pub fn replay(file: &str) -> ExitCode {
    let (imported, size) = match import(file) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(EXIT_PARSE);
        }
    };
    let timeline = passive::track(&imported.packets);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe (`| head`) ends the output, not the run.
    let _ = print(&mut out, file, size, &imported, &timeline).and_then(|_| out.flush());
    if imported.packets.is_empty() {
        eprintln!("{file}: no TCP or UDP packets in this capture");
        return ExitCode::from(EXIT_FAILED);
    }
    ExitCode::SUCCESS
}

/// Reads the file a piece at a time until the reader has what it can take; what it
/// holds, and the file's size (0 for a pipe).
fn import(file: &str) -> Result<(Imported, u64), String> {
    let mut f = std::fs::File::open(file).map_err(|e| format!("cannot read: {e}"))?;
    let mut reader = Reader::new(MAX_PACKETS);
    let mut piece = vec![0; PIECE];
    while reader.wants_more() {
        let n = match f.read(&mut piece) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read: {e}")),
        };
        reader.feed(&piece[..n]).map_err(|e| e.to_string())?;
    }
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let imported = reader.finish().map_err(|e| e.to_string())?;
    Ok((imported, size))
}

/// The summary, where reading stopped and why, every packet with the states it
/// implies, and the table at the end; written as it goes, never gathered.
fn print(
    out: &mut impl Write,
    file: &str,
    size: u64,
    imported: &Imported,
    timeline: &Timeline,
) -> std::io::Result<()> {
    let n = imported.packets.len();
    write!(
        out,
        "{file}: {n} TCP/UDP packets, {} connection(s) or flow(s)",
        timeline.connections.len()
    )?;
    if imported.skipped > 0 {
        write!(out, "; {} other frames skipped", imported.skipped)?;
    }
    writeln!(out)?;
    if imported.truncated {
        let of = match size {
            0 => String::new(),
            s => format!(" of {s}"),
        };
        writeln!(
            out,
            "{file}: stopped at {n} packets, the most sockscope follows: the rest of the file, from byte {}{of}, was not read",
            imported.bytes_read
        )?;
    }
    if let Some(d) = &imported.damage {
        writeln!(out, "{file}: {d}; the {n} packets before it are shown")?;
    }
    for (p, m) in imported.packets.iter().zip(&timeline.moments) {
        let c = &timeline.connections[m.conn];
        let window = m.window[m.from].unwrap_or(0);
        write!(out, "{}", describe(p, m.rel_seq, m.rel_ack, window))?;
        if p.proto == Proto::Tcp {
            write!(
                out,
                "   {} {}, {} {}; in flight {}/{}",
                c.ends[0],
                name(m.states[0]),
                c.ends[1],
                name(m.states[1]),
                m.in_flight[0],
                m.in_flight[1]
            )?;
        }
        writeln!(out)?;
    }
    let last = timeline.moments.len().saturating_sub(1);
    writeln!(out)?;
    writeln!(out, "At the end of the capture, each host would show:")?;
    for line in table(&timeline.netstat_at(last)) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    writeln!(out, "{LIMITS}")
}

fn name(s: Option<TcpState>) -> String {
    s.map_or_else(|| "?".into(), |s| s.to_string())
}

/// One packet, with its relative numbers and its window as scaled.
fn describe(p: &Packet, rel_seq: u64, rel_ack: u64, window: u64) -> String {
    let t = p.time_us as f64 / 1e6;
    match p.proto {
        Proto::Udp => format!(
            "{:>5} {t:>10.6}s  {} -> {}  UDP {} bytes",
            p.frame, p.src, p.dst, p.len
        ),
        Proto::Tcp => {
            let f = p.flags;
            let ack = if f.ack {
                format!(" ack={rel_ack}")
            } else {
                String::new()
            };
            format!(
                "{:>5} {t:>10.6}s  {} -> {}  {} seq={rel_seq}{ack} win={} len={}",
                p.frame, p.src, p.dst, f, window, p.len
            )
        }
    }
}

/// netstat's layout, with the bounds a capture allows (`<=`, `>=`).
fn table(rows: &[Row]) -> Vec<String> {
    let mut out = vec![format!(
        "{:<5} {:>8} {:>8} {:<23} {:<23} {}",
        "Proto", "Recv-Q", "Send-Q", "Local Address", "Foreign Address", "State"
    )];
    for r in rows {
        let proto = match r.proto {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        };
        out.push(format!(
            "{:<5} {:>8} {:>8} {:<23} {:<23} {}",
            proto,
            format!("<={}", r.recv_q_at_most),
            format!(">={}", r.send_q_at_least),
            r.local.to_string(),
            r.foreign.to_string(),
            r.state.map_or(String::new(), |s| s.to_string())
        ));
    }
    out
}
