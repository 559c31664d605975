//! Capture files, refereed by Wireshark's own reader: for every tour, exercise and
//! example scenario, `tshark` (Debian package tshark, installed by `cargo xtask test`)
//! reads the capture the engine wrote, and per packet its addresses, ports, flags,
//! sequence and acknowledgement numbers (raw and relative), window and length equal
//! the engine's trace; tshark's analysis marks as retransmissions, zero windows and
//! window updates exactly the segments the engine's trace says are such.
//!
//! Without tshark the test fails: a comparison that cannot run compares nothing.

use sockscope_engine::capture::{self, Format};
use sockscope_engine::segment::Segment;
use sockscope_engine::{Event, Proto, TraceEntry};
use sockscope_scenario::{parse, tours, Runner};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIELDS: &[&str] = &[
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "tcp.srcport",
    "tcp.dstport",
    "udp.srcport",
    "udp.dstport",
    "tcp.flags",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.seq",
    "tcp.ack",
    "tcp.window_size",
    "tcp.len",
    "udp.length",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.zero_window",
    "tcp.analysis.window_update",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window_probe",
    "frame.comment",
];

/// Every scenario with a name: tours, exercises, and the examples beside the crate.
fn scenarios() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = tours::ALL
        .iter()
        .chain(tours::EXERCISES)
        .map(|t| (t.name.to_string(), t.text.to_string()))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenario/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "scn"))
        .collect();
    files.sort();
    for f in files {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        all.push((name, std::fs::read_to_string(&f).unwrap()));
    }
    all
}

fn trace_of(text: &str) -> Vec<TraceEntry> {
    let scenario = parse(text).unwrap();
    let mut runner = Runner::new(&scenario);
    while runner.step().is_some() {}
    runner.world().trace().to_vec()
}

/// tshark's fields, one map per packet.
fn tshark(file: &Path) -> Vec<HashMap<&'static str, String>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(file)
        .args(["-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "tshark could not be run ({e}): it is the referee of the capture files; \
             `cargo xtask test` installs it (Debian package tshark)"
        )
    });
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            FIELDS
                .iter()
                .copied()
                .zip(line.split('\t').map(str::to_string))
                .collect()
        })
        .collect()
}

/// What the engine's trace says each captured segment is.
struct Expected<'a> {
    seg: &'a Segment,
    /// Relative seq and ack as tshark counts them from the handshake, when this side's
    /// (and for the ack, the other side's) SYN is in the capture.
    rel_seq: Option<u64>,
    rel_ack: Option<u64>,
    window_update: bool,
    /// A simultaneous open's SYN+ACK: it repeats the sequence number of its side's
    /// own SYN, which tshark (on a real capture of Linux too) calls a retransmission,
    /// while the engine sent it as a new segment.
    resent_syn: bool,
}

/// Walks the segments in order, keeping per direction the SYN's sequence number and
/// the last pure ACK, as a reader of the engine's trace would.
fn expected(trace: &[TraceEntry]) -> Vec<Expected<'_>> {
    let mut isn: HashMap<(SocketAddr, SocketAddr), u64> = HashMap::new();
    let mut bare_syn: HashMap<(SocketAddr, SocketAddr), u64> = HashMap::new();
    let mut last: HashMap<(SocketAddr, SocketAddr), (u64, u64, u64)> = HashMap::new();
    let mut out = Vec::new();
    for e in trace {
        let Event::SegmentSent { seg, .. } = &e.event else {
            continue;
        };
        let flow = (seg.src, seg.dst);
        let back = (seg.dst, seg.src);
        let resent_syn = seg.proto == Proto::Tcp
            && seg.flags.syn
            && seg.flags.ack
            && !seg.retransmission
            && bare_syn.get(&flow) == Some(&seg.seq);
        if seg.proto == Proto::Tcp && seg.flags.syn {
            isn.insert(flow, seg.seq);
            if !seg.flags.ack {
                bare_syn.insert(flow, seg.seq);
            }
        }
        let rel = |base: Option<&u64>, n: u64| base.map(|b| n.wrapping_sub(*b) & 0xffff_ffff);
        let pure_ack = seg.len == 0 && !seg.flags.syn && !seg.flags.fin && !seg.flags.rst;
        // A window update: a pure ACK that repeats the last seq and ack of its
        // direction with another window (tshark's rule, on the engine's numbers).
        let window_update = seg.proto == Proto::Tcp
            && pure_ack
            && last
                .get(&flow)
                .is_some_and(|&(s, a, w)| s == seg.seq && a == seg.ack && w != seg.window);
        if seg.proto == Proto::Tcp {
            last.insert(flow, (seg.seq, seg.ack, seg.window));
        }
        out.push(Expected {
            seg,
            rel_seq: rel(isn.get(&flow), seg.seq),
            rel_ack: seg
                .flags
                .ack
                .then(|| rel(isn.get(&back), seg.ack))
                .flatten(),
            window_update,
            resent_syn,
        });
    }
    out
}

#[derive(Default)]
struct Tally {
    packets: usize,
    retransmissions: usize,
    zero_windows: usize,
    window_updates: usize,
    duplicate_acks: usize,
    probes: usize,
    resent_syns: usize,
    dropped: usize,
}

fn flag(p: &HashMap<&str, String>, f: &str) -> bool {
    p.get(f).is_some_and(|v| !v.is_empty())
}

/// Compares one scenario's capture with its trace; returns the differences.
fn compare(name: &str, trace: &[TraceEntry], dir: &Path, tally: &mut Tally) -> Vec<String> {
    let written = capture::write(trace, Format::PcapNg).unwrap();
    let file = dir.join(format!("{name}.pcapng"));
    std::fs::write(&file, &written.bytes).unwrap();
    let packets = tshark(&file);
    let want = expected(trace);
    let mut diffs = Vec::new();
    let mut commented = 0;
    if packets.len() != want.len() {
        diffs.push(format!(
            "{} packets in the capture, {} segments sent",
            packets.len(),
            want.len()
        ));
    }
    let scale = written.window_scale;
    for (i, (p, w)) in packets.iter().zip(&want).enumerate() {
        let s = w.seg;
        let mut check = |what: &str, got: String, expect: String| {
            if got != expect {
                diffs.push(format!(
                    "{name} packet {}: {what} is {got:?}, the engine says {expect:?}",
                    i + 1
                ));
            }
        };
        let (src, dst) = match s.src {
            SocketAddr::V4(_) => ("ip.src", "ip.dst"),
            SocketAddr::V6(_) => ("ipv6.src", "ipv6.dst"),
        };
        check("source address", p[src].clone(), s.src.ip().to_string());
        check(
            "destination address",
            p[dst].clone(),
            s.dst.ip().to_string(),
        );
        match s.proto {
            Proto::Udp => {
                check(
                    "source port",
                    p["udp.srcport"].clone(),
                    s.src.port().to_string(),
                );
                check(
                    "destination port",
                    p["udp.dstport"].clone(),
                    s.dst.port().to_string(),
                );
                check(
                    "UDP payload",
                    p["udp.length"]
                        .parse::<u64>()
                        .map_or(String::new(), |n| (n - 8).to_string()),
                    s.len.to_string(),
                );
            }
            Proto::Tcp => {
                check(
                    "source port",
                    p["tcp.srcport"].clone(),
                    s.src.port().to_string(),
                );
                check(
                    "destination port",
                    p["tcp.dstport"].clone(),
                    s.dst.port().to_string(),
                );
                let f = &s.flags;
                let bits = u8::from(f.fin)
                    | u8::from(f.syn) << 1
                    | u8::from(f.rst) << 2
                    | u8::from(f.ack) << 4;
                check("flags", p["tcp.flags"].clone(), format!("0x{bits:04x}"));
                check(
                    "raw seq",
                    p["tcp.seq_raw"].clone(),
                    (s.seq & 0xffff_ffff).to_string(),
                );
                if f.ack {
                    check(
                        "raw ack",
                        p["tcp.ack_raw"].clone(),
                        (s.ack & 0xffff_ffff).to_string(),
                    );
                }
                if let Some(r) = w.rel_seq {
                    check("relative seq", p["tcp.seq"].clone(), r.to_string());
                }
                if let Some(r) = w.rel_ack {
                    check("relative ack", p["tcp.ack"].clone(), r.to_string());
                }
                let window = if f.syn || scale == 0 {
                    s.window.min(65_535)
                } else {
                    (s.window >> scale) << scale
                };
                check("window", p["tcp.window_size"].clone(), window.to_string());
                check("payload length", p["tcp.len"].clone(), s.len.to_string());
                let retrans = [
                    "tcp.analysis.retransmission",
                    "tcp.analysis.fast_retransmission",
                    "tcp.analysis.spurious_retransmission",
                ]
                .iter()
                .any(|k| flag(p, k));
                let resent = s.retransmission || w.resent_syn;
                check("retransmission", retrans.to_string(), resent.to_string());
                check(
                    "zero-window probe",
                    flag(p, "tcp.analysis.zero_window_probe").to_string(),
                    s.probe.to_string(),
                );
                // tshark calls a probe a probe, not a zero window, whatever it advertises.
                let zero = s.window == 0 && !f.syn && !f.fin && !f.rst && !s.probe;
                check(
                    "zero window",
                    flag(p, "tcp.analysis.zero_window").to_string(),
                    zero.to_string(),
                );
                check(
                    "window update",
                    flag(p, "tcp.analysis.window_update").to_string(),
                    w.window_update.to_string(),
                );
                tally.retransmissions += usize::from(s.retransmission);
                tally.zero_windows += usize::from(zero);
                tally.window_updates += usize::from(w.window_update);
                tally.duplicate_acks += usize::from(flag(p, "tcp.analysis.duplicate_ack"));
                tally.probes += usize::from(s.probe);
                tally.resent_syns += usize::from(w.resent_syn);
            }
        }
        commented += usize::from(flag(p, "frame.comment"));
    }
    tally.packets += packets.len();
    tally.dropped += commented;
    if commented != written.dropped {
        diffs.push(format!(
            "{name}: {commented} packets have a comment, {} segments were dropped",
            written.dropped
        ));
    }
    diffs
}

#[test]
fn tshark_reads_every_scenario_as_the_engine_ran_it() {
    let dir = std::env::temp_dir().join(format!("sockscope-capture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tally = Tally::default();
    let mut diffs = Vec::new();
    let all = scenarios();
    for (name, text) in &all {
        diffs.extend(compare(name, &trace_of(text), &dir, &mut tally));
    }
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "capture: {} scenarios, {} packets read by tshark; {} retransmissions, {} zero windows, \
         {} window updates, {} zero-window probes marked alike by tshark and the engine \
         (and {} simultaneous-open SYN+ACKs that tshark calls retransmissions); \
         {} duplicate ACKs by tshark; {} dropped segments with a comment; {} differences",
        all.len(),
        tally.packets,
        tally.retransmissions,
        tally.zero_windows,
        tally.window_updates,
        tally.probes,
        tally.resent_syns,
        tally.duplicate_acks,
        tally.dropped,
        diffs.len()
    );
    assert!(
        tally.retransmissions > 0
            && tally.zero_windows > 0
            && tally.window_updates > 0
            && tally.probes > 0,
        "the scenarios should exercise every mark"
    );
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn a_classic_pcap_leaves_out_what_was_dropped_and_tshark_reads_it() {
    let tour = tours::find("connect-errors").unwrap();
    let trace = trace_of(tour.text);
    let ng = capture::write(&trace, Format::PcapNg).unwrap();
    let classic = capture::write(&trace, Format::Pcap).unwrap();
    assert!(ng.dropped > 0, "the tour drops segments");
    assert_eq!(classic.dropped, 0);
    assert_eq!(classic.frames, ng.frames - ng.dropped);
    let file = std::env::temp_dir().join(format!("sockscope-classic-{}.pcap", std::process::id()));
    std::fs::write(&file, &classic.bytes).unwrap();
    let packets = tshark(&file);
    std::fs::remove_file(&file).ok();
    assert_eq!(packets.len(), classic.frames);
}
