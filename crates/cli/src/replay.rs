//! `sockscope replay CAPTURE`: a capture of real programs read as sockscope reads its
//! own runs: every segment, the TCP states it implies for both ends, and at the end the
//! netstat rows each host would show, with what a capture cannot tell.

use crate::{EXIT_FAILED, EXIT_PARSE};
use sockscope_engine::capture::passive::{self, Row, LIMITS};
use sockscope_engine::capture::read::{self, Packet};
use sockscope_engine::{Proto, TcpState};
use std::io::{Read, Write};
use std::process::ExitCode;

/// The most of a file read: a larger capture is cut here, and the output says so.
const MAX_BYTES: u64 = 256 * 1024 * 1024;
/// The most packets followed.
const MAX_PACKETS: usize = 200_000;

pub fn replay(file: &str) -> ExitCode {
    let mut bytes = Vec::new();
    let opened = std::fs::File::open(file).and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes));
    if let Err(e) = opened {
        eprintln!("{file}: cannot read: {e}");
        return ExitCode::from(EXIT_PARSE);
    }
    let imported = match read::read(&bytes, MAX_PACKETS) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(EXIT_PARSE);
        }
    };
    let timeline = passive::track(&imported.packets);
    let mut out = std::io::stdout().lock();
    let mut lines = vec![format!(
        "{file}: {} TCP/UDP packets, {} connection(s) or flow(s){}{}",
        imported.packets.len(),
        timeline.connections.len(),
        match imported.skipped {
            0 => String::new(),
            n => format!("; {n} other frames skipped"),
        },
        if imported.truncated || bytes.len() as u64 == MAX_BYTES {
            format!(
                "; only the first {} packets were read",
                imported.packets.len()
            )
        } else {
            String::new()
        }
    )];
    for (p, m) in imported.packets.iter().zip(&timeline.moments) {
        let c = &timeline.connections[m.conn];
        let states = match p.proto {
            Proto::Udp => String::new(),
            Proto::Tcp => format!(
                "   {} {}, {} {}; in flight {}/{}",
                c.ends[0],
                name(m.states[0]),
                c.ends[1],
                name(m.states[1]),
                m.in_flight[0],
                m.in_flight[1]
            ),
        };
        let window = m.window[m.from].unwrap_or(0);
        lines.push(format!(
            "{}{states}",
            describe(p, m.rel_seq, m.rel_ack, window)
        ));
    }
    let last = timeline.moments.len().saturating_sub(1);
    lines.push(String::new());
    lines.push("At the end of the capture, each host would show:".into());
    lines.extend(table(&timeline.netstat_at(last)));
    lines.push(String::new());
    lines.push(LIMITS.into());
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            return ExitCode::SUCCESS;
        }
    }
    if imported.packets.is_empty() {
        eprintln!("{file}: no TCP or UDP packets in this capture");
        return ExitCode::from(EXIT_FAILED);
    }
    ExitCode::SUCCESS
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
