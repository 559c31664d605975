//! How the runner words what happened: call results, segments on the wire, the
//! demultiplexer's table and deadlock reports. Kept apart from the runner so the web
//! app can word things the same way.

use crate::units::format_time;
use sockscope_engine::segment::Segment;
use sockscope_engine::trace::{DemuxCandidate, DemuxOutcome, DemuxRecord};
use sockscope_engine::{Errno, Micros, Proto, Ret};

/// `1500`, `4 (peer 10.0.0.1:32768)`, or `-1 ECONNREFUSED (nobody listens ...)`.
pub fn ret(r: &Ret) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => errno(*e),
    }
}

/// `-1 EPIPE (explanation)`.
pub fn errno(e: Errno) -> String {
    format!("-1 {e} ({})", e.explain())
}

/// A result in few words, for "got ..." in a failed expectation.
pub fn ret_short(r: &Ret) -> String {
    match r {
        Ok(v) => v.as_int().to_string(),
        Err(e) => e.to_string(),
    }
}

/// `1 event`, `3 events`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `t=150ms`.
pub fn at(t: Micros) -> String {
    format!("t={}", format_time(t))
}

/// What a segment is, in a learner's words: `SYN`, `ACK 1500 bytes`, `datagram 100 bytes`.
pub fn segment_label(seg: &Segment) -> String {
    let mut s = match seg.proto {
        Proto::Udp => format!("datagram {}", count(seg.len, "byte")),
        Proto::Tcp if seg.len > 0 => format!("{} {}", seg.flags, count(seg.len, "byte")),
        Proto::Tcp => seg.flags.to_string(),
    };
    if seg.probe {
        s.push_str(" (window probe)");
    }
    if seg.retransmission {
        s.push_str(" (retransmission)");
    }
    if seg.forged {
        s.push_str(" (forged)");
    }
    if seg.proto == Proto::Tcp && seg.window == 0 && seg.flags.ack {
        s.push_str(" win=0");
    }
    s
}

/// Column layout of the demultiplexer's table.
fn table_row(cells: [&str; 9]) -> String {
    let line = format!(
        "  {:<12} {:<23} {:<23} {:<12} {:<5} {:<5} {:<5} {:<5} {}",
        cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8]
    );
    line.trim_end().to_string()
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// MODEL.md §6 as a table: every structure compared field by field, and the winner.
/// `name` says how the scenario refers to a structure (its variables).
pub fn demux_table(record: &DemuxRecord, name: impl Fn(&DemuxCandidate) -> String) -> Vec<String> {
    let mut out = vec![table_row([
        "Socket",
        "Local Address",
        "Foreign Address",
        "State",
        "port",
        "addr",
        "raddr",
        "rport",
        "wildcards",
    ])];
    for c in &record.candidates {
        let state = c.state.map(|s| s.to_string()).unwrap_or_default();
        let mut row = table_row([
            &name(c),
            &c.local.netstat(c.family),
            &c.remote.netstat(c.family),
            &state,
            yes(c.local_port),
            yes(c.local_ip),
            yes(c.remote_ip),
            yes(c.remote_port),
            &c.wildcards.to_string(),
        ]);
        if record.winner == Some(c.sock) {
            row.push_str("  <- winner");
        } else if c.matches() {
            row.push_str("  (matches)");
        }
        out.push(row);
    }
    if record.omitted > 0 {
        out.push(format!(
            "  ... and {} more structures on this port, not listed",
            record.omitted
        ));
    }
    for note in sockscope_engine::demux::family_notes(record, &name) {
        out.push(format!("  {note}"));
    }
    let verdict = match (record.outcome, record.winner) {
        (DemuxOutcome::Delivered, Some(w)) => {
            let winner = record
                .candidates
                .iter()
                .find(|c| c.sock == w)
                .map(&name)
                .unwrap_or_else(|| w.to_string());
            format!("  the packet goes to {winner}: of the structures matching on all four fields, it has the fewest wildcards")
        }
        (DemuxOutcome::PortUnreachable, _) => {
            "  no UDP structure matches: the host would answer \"port unreachable\"".to_string()
        }
        _ => "  no structure matches: the host would answer with a reset (RST)".to_string(),
    };
    out.push(verdict);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockscope_engine::Value;

    #[test]
    fn results_read_like_c_return_values() {
        assert_eq!(ret(&Ok(Value::Bytes(1500))), "1500");
        let refused = ret(&Err(Errno::ECONNREFUSED));
        assert!(
            refused.starts_with("-1 ECONNREFUSED (nobody listens"),
            "{refused}"
        );
        assert_eq!(ret_short(&Err(Errno::EPIPE)), "EPIPE");
    }
}
