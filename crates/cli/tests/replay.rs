//! Reading captures: real Linux programs captured by tcpdump (fixtures made by
//! `fixtures/make-captures.py`, with `ss` saved beside them), sockscope's own runs
//! read back, and files that are not what they claim.

use sockscope_engine::capture::passive::{self, Row};
use sockscope_engine::capture::read::{
    self, DamageKind, ImportError, Imported, Reader, MAX_RECORD,
};
use sockscope_engine::capture::{self, Format};
use sockscope_engine::{Proto, TcpState};
use sockscope_scenario::{parse, tours, Runner};
use std::net::SocketAddr;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn rows_at_end(bytes: &[u8]) -> Vec<Row> {
    let imported = read::read(bytes, 10_000).unwrap();
    assert!(!imported.packets.is_empty(), "the capture holds no packets");
    let t = passive::track(&imported.packets);
    t.netstat_at(t.moments.len() - 1)
}

/// `ss -Htan` lines as (local, peer, state).
fn ss_rows(text: &str) -> Vec<(SocketAddr, SocketAddr, TcpState)> {
    let addr = |s: &str| s.replace("[::ffff:", "[").parse::<SocketAddr>().unwrap();
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let state = TcpState::ALL
                .iter()
                .copied()
                .find(|s| {
                    s.to_string().replace('_', "-") == f[0]
                        || (f[0] == "ESTAB" && *s == TcpState::Established)
                })
                .unwrap_or_else(|| panic!("unknown ss state {}", f[0]));
            (addr(f[3]), addr(f[4]), state)
        })
        .collect()
}

/// The inferred end states of the TCP captures in `dir` equal what ss saved beside them.
fn compare_with_ss(dir: &std::path::Path) {
    for name in ["tcp-ipv4", "tcp-ipv6"] {
        let bytes = std::fs::read(dir.join(format!("{name}.pcap"))).unwrap();
        let ss = std::fs::read_to_string(dir.join(format!("{name}.ss"))).unwrap();
        let want = ss_rows(&ss);
        assert!(!want.is_empty(), "{name}: ss saw the connection");
        let got: Vec<_> = rows_at_end(&bytes)
            .into_iter()
            .map(|r| (r.local, r.foreign, r.state.unwrap()))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn states_inferred_from_a_real_capture_are_what_ss_reported() {
    compare_with_ss(&fixture(""));
}

/// The same, live: real programs on loopback, captured by tcpdump now (the test
/// command installs it; it needs root, as CI has), read back and compared with ss.
#[test]
fn a_capture_taken_now_agrees_with_ss() {
    let dir = std::env::temp_dir().join(format!("sockscope-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::process::Command::new("python3")
        .arg(fixture("make-captures.py"))
        .arg(&dir)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "capturing failed (tcpdump and root are needed; `cargo xtask test` installs tcpdump): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    compare_with_ss(&dir);
    let udp = std::fs::read(dir.join("udp-ipv4.pcap")).unwrap();
    assert_eq!(read::read(&udp, 100).unwrap().packets.len(), 3);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_real_capture_gives_numbers_and_windows_as_sent() {
    let bytes = std::fs::read(fixture("tcp-ipv4.pcap")).unwrap();
    let imported = read::read(&bytes, 10_000).unwrap();
    assert_eq!(imported.skipped, 0);
    let t = passive::track(&imported.packets);
    assert_eq!(t.connections.len(), 1);
    // The client's 1000 bytes and the server's 300, counted from each SYN.
    let data: Vec<(u64, u64)> = imported
        .packets
        .iter()
        .zip(&t.moments)
        .filter(|(p, _)| p.len > 0)
        .map(|(p, m)| (m.rel_seq, p.len))
        .collect();
    assert_eq!(data, vec![(1, 1000), (1, 300)]);
    // Right after the client's 1000 bytes, all of them are in flight; the ACK clears it.
    let after_data = imported.packets.iter().position(|p| p.len == 1000).unwrap();
    assert_eq!(t.moments[after_data].in_flight, [1000, 0]);
    assert_eq!(t.moments[after_data + 1].in_flight, [0, 0]);
    // Linux scales its windows: the scaled value is far above the 16-bit field.
    let windows: Vec<u64> = t
        .moments
        .iter()
        .skip(3)
        .filter_map(|m| m.window[m.from])
        .collect();
    assert!(windows.iter().all(|w| *w > 65_535), "{windows:?}");
}

#[test]
fn a_udp_capture_is_read_datagram_by_datagram() {
    let bytes = std::fs::read(fixture("udp-ipv4.pcap")).unwrap();
    let imported = read::read(&bytes, 10_000).unwrap();
    let lens: Vec<(Proto, u64)> = imported.packets.iter().map(|p| (p.proto, p.len)).collect();
    assert_eq!(
        lens,
        vec![(Proto::Udp, 100), (Proto::Udp, 200), (Proto::Udp, 50)]
    );
    let rows = rows_at_end(&bytes);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.state.is_none()));
}

/// Engine structures at the end of a run, as (local, foreign, state).
fn engine_rows(runner: &Runner) -> Vec<(SocketAddr, SocketAddr, TcpState)> {
    runner
        .world()
        .sockets()
        .filter(|s| s.proto == Proto::Tcp)
        .filter_map(|s| Some((s.local.socket_addr()?, s.remote.socket_addr()?, s.state)))
        .collect()
}

#[test]
fn sockscopes_own_runs_read_back_with_the_states_the_engine_ended_in() {
    let (mut agreed, mut expired, mut unseen, mut on_wire) = (0, 0, 0, 0);
    let mut diffs = Vec::new();
    for t in tours::ALL.iter().chain(tours::EXERCISES) {
        let scenario = parse(t.text).unwrap();
        let mut runner = Runner::new(&scenario);
        while runner.step().is_some() {}
        let crashed = runner.world().hosts().iter().any(|h| h.crashed);
        // A capture counts a segment as arrived when it is sent: a run that ends with
        // segments on the wire is ahead in the capture, by design.
        if runner.world().in_flight().next().is_some() {
            on_wire += 1;
            continue;
        }
        let written = capture::write(runner.world().trace(), Format::PcapNg).unwrap();
        if written.frames == 0 {
            continue;
        }
        let engine = engine_rows(&runner);
        for r in rows_at_end(&written.bytes) {
            let Some(state) = r.state else { continue };
            match engine
                .iter()
                .find(|(l, f, _)| *l == r.local && *f == r.foreign)
            {
                Some((_, _, s)) if *s == state => agreed += 1,
                // TIME_WAIT ends by a timer, which no segment shows.
                None if state == TcpState::TimeWait => expired += 1,
                // Freed without a segment: by a crash, by connect() giving up, or (a
                // connection never accepted) by close() on its listener.
                None if crashed || matches!(state, TcpState::SynSent | TcpState::Established) => {
                    unseen += 1
                }
                other => diffs.push(format!(
                    "{}: {} -> {}: capture says {state}, engine {:?}",
                    t.name,
                    r.local,
                    r.foreign,
                    other.map(|o| o.2)
                )),
            }
        }
    }
    println!("replay of the tours: {agreed} rows agree with the engine; {expired} TIME_WAIT rows outlived by the engine's timer; {unseen} rows whose structure went without a segment; {on_wire} tours end with segments on the wire and are not compared");
    assert!(agreed > 20, "{agreed}");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn what_is_not_a_capture_is_refused_with_a_clear_message() {
    assert_eq!(
        read::read(b"host A 10.0.0.1\n", 10),
        Err(ImportError::NotACapture)
    );
    assert_eq!(read::read(b"", 10), Err(ImportError::NotACapture));
    let msg = ImportError::NotACapture.to_string();
    assert!(msg.contains("pcap and pcapng"), "{msg}");
    // A classic pcap header with link type 147 (a private one).
    let mut header = std::fs::read(fixture("udp-ipv4.pcap")).unwrap()[..24].to_vec();
    header[20..24].copy_from_slice(&147u32.to_le_bytes());
    assert_eq!(
        read::read(&header, 10),
        Err(ImportError::UnsupportedLink(147))
    );
}

#[test]
fn a_cut_file_keeps_what_came_before_and_a_cap_says_it_stopped() {
    let bytes = std::fs::read(fixture("tcp-ipv4.pcap")).unwrap();
    let whole = read::read(&bytes, 10_000).unwrap();
    let cut = read::read(&bytes[..bytes.len() - 30], 10_000).unwrap();
    assert_eq!(cut.packets.len(), whole.packets.len() - 1);
    assert!(!cut.truncated);
    let capped = read::read(&bytes, 3).unwrap();
    assert_eq!(capped.packets.len(), 3);
    assert!(capped.truncated);
}

/// The file fed to a [`Reader`] `piece` bytes at a time, as a program reading it in
/// pieces would (stopping when the reader wants no more).
fn read_in_pieces(bytes: &[u8], piece: usize, max: usize) -> Result<Imported, ImportError> {
    let mut reader = Reader::new(max);
    for chunk in bytes.chunks(piece) {
        if !reader.wants_more() {
            break;
        }
        reader.feed(chunk)?;
    }
    reader.finish()
}

/// The fixtures, and a pcapng file of sockscope's own (pcapng blocks, comments).
fn sample_captures() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = ["tcp-ipv4.pcap", "tcp-ipv6.pcap", "udp-ipv4.pcap"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(fixture(n)).unwrap()))
        .collect();
    let scenario = parse(tours::find("byte-stream").unwrap().text).unwrap();
    let mut runner = Runner::new(&scenario);
    while runner.step().is_some() {}
    let written = capture::write(runner.world().trace(), Format::PcapNg).unwrap();
    files.push(("byte-stream.pcapng".into(), written.bytes));
    files
}

#[test]
fn pieces_of_any_size_read_the_same_as_the_whole_file() {
    for (name, bytes) in sample_captures() {
        // Whole, and cut inside its last records (a cut file must cut the same way).
        for end in [
            bytes.len(),
            bytes.len() - 1,
            bytes.len() - 30,
            bytes.len() / 2,
        ] {
            let file = &bytes[..end];
            let whole = read::read(file, 10_000).unwrap();
            assert!(!whole.packets.is_empty(), "{name}");
            for piece in [1, 2, 3, 7, 16, 17, 61, 1000, 4096, file.len()] {
                assert_eq!(
                    read_in_pieces(file, piece, 10_000).as_ref(),
                    Ok(&whole),
                    "{name} cut at {end}, in pieces of {piece}"
                );
            }
            // With a cap, too: the same packets, and the same place where it stopped.
            let capped = read::read(file, 2).unwrap();
            for piece in [1, 5, 33] {
                assert_eq!(read_in_pieces(file, piece, 2), Ok(capped.clone()), "{name}");
            }
        }
    }
}

/// Offsets of each record of a classic pcap file (after its 24-byte header).
fn pcap_records(bytes: &[u8]) -> Vec<usize> {
    let mut at = 24;
    let mut starts = Vec::new();
    while at + 16 <= bytes.len() {
        starts.push(at);
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        at += 16 + len;
    }
    starts
}

#[test]
fn a_truncated_file_says_where_it_ends_and_keeps_the_packets_before() {
    let bytes = std::fs::read(fixture("tcp-ipv4.pcap")).unwrap();
    let last = *pcap_records(&bytes).last().unwrap();
    let cut = read::read(&bytes[..bytes.len() - 30], 10_000).unwrap();
    let damage = cut.damage.clone().expect("a cut file is reported");
    assert_eq!(damage.offset, last as u64);
    let have = bytes.len() - 30 - last;
    assert_eq!(
        damage.kind,
        DamageKind::Cut {
            have,
            need: Some(bytes.len() - last)
        }
    );
    let msg = damage.to_string();
    assert!(
        msg.contains(&format!("ends inside the record at byte {last}")),
        "{msg}"
    );
    assert!(msg.contains("cut short"), "{msg}");
    // Cut inside a record's own header: how much of the header is there.
    let in_header = read::read(&bytes[..last + 5], 10_000).unwrap();
    assert_eq!(
        in_header.damage.unwrap().kind,
        DamageKind::Cut {
            have: 5,
            need: None
        }
    );
    // A whole file has no damage; one cut inside its file header is refused.
    assert_eq!(read::read(&bytes, 10_000).unwrap().damage, None);
    assert!(matches!(
        read::read(&bytes[..10], 10),
        Err(ImportError::Malformed(_))
    ));
}

#[test]
fn a_damaged_record_is_reported_at_its_offset_before_its_bytes_are_held() {
    let mut bytes = std::fs::read(fixture("tcp-ipv4.pcap")).unwrap();
    let third = pcap_records(&bytes)[2];
    bytes[third + 8..third + 12].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let got = read::read(&bytes, 10_000).unwrap();
    assert_eq!(
        got.packets.len(),
        2,
        "the packets before the damage are kept"
    );
    let damage = got.damage.clone().unwrap();
    assert_eq!(damage.offset, third as u64);
    assert_eq!(
        damage.kind,
        DamageKind::TooLong {
            len: 16 + 0x7fff_ffff
        }
    );
    let msg = damage.to_string();
    assert!(
        msg.contains(&format!(
            "record at byte {third} says it is 2147483663 bytes long, more than the {MAX_RECORD}"
        )),
        "{msg}"
    );
    for piece in [1, 3, 16, 17, 100] {
        assert_eq!(
            read_in_pieces(&bytes, piece, 10_000),
            Ok(got.clone()),
            "pieces of {piece}"
        );
    }
    // The reader stops at the record's header: it does not wait for 2 GB to arrive.
    let mut reader = Reader::new(10_000);
    reader.feed(&bytes[..third + 16]).unwrap();
    assert!(!reader.wants_more());
    assert_eq!(reader.packets().len(), 2);
    // A pcapng block whose length no block can have.
    let (_, mut ng) = sample_captures().pop().unwrap();
    let shb = u32::from_le_bytes(ng[4..8].try_into().unwrap()) as usize;
    ng[shb + 4..shb + 8].copy_from_slice(&13u32.to_le_bytes());
    let got = read::read(&ng, 10_000).unwrap();
    assert!(got.packets.is_empty());
    assert_eq!(read_in_pieces(&ng, 1, 10_000), Ok(got.clone()));
    assert_eq!(
        got.damage.unwrap(),
        read::Damage {
            offset: shb as u64,
            kind: DamageKind::BadLength { len: 13 }
        }
    );
}

#[test]
fn an_unsupported_link_type_refuses_the_file_in_any_pieces() {
    let (_, mut ng) = sample_captures().pop().unwrap();
    // The interface description block follows the section header: its link type
    // is the first field of its body.
    let shb = u32::from_le_bytes(ng[4..8].try_into().unwrap()) as usize;
    assert_eq!(u32::from_le_bytes(ng[shb..shb + 4].try_into().unwrap()), 1);
    ng[shb + 8..shb + 10].copy_from_slice(&147u16.to_le_bytes());
    for piece in [1, 9, ng.len()] {
        assert_eq!(
            read_in_pieces(&ng, piece, 100),
            Err(ImportError::UnsupportedLink(147))
        );
    }
    let msg = ImportError::UnsupportedLink(147).to_string();
    assert!(msg.contains("link type 147 is not supported"), "{msg}");
}

/// A file under target/ for one test, removed when the test ends (passed or not).
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(
            PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("{}-{name}", std::process::id())),
        )
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

fn replay_binary(file: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_sockscope"));
    c.arg("replay").arg(file);
    c
}

#[test]
fn replay_says_where_a_cut_or_damaged_file_stops_and_shows_what_came_before() {
    let bytes = std::fs::read(fixture("tcp-ipv4.pcap")).unwrap();
    let cut = TempFile::new("cut.pcap");
    std::fs::write(&cut.0, &bytes[..bytes.len() - 30]).unwrap();
    let out = replay_binary(&cut.0).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let last = *pcap_records(&bytes).last().unwrap();
    assert!(
        text.contains(&format!("ends inside the record at byte {last}")),
        "{text}"
    );
    let n = pcap_records(&bytes).len() - 1;
    assert!(
        text.contains(&format!("the {n} packets before it are shown")),
        "{text}"
    );
    // A file refused outright: its link type.
    let mut header = bytes[..24].to_vec();
    header[20..24].copy_from_slice(&147u32.to_le_bytes());
    let odd = TempFile::new("link147.pcap");
    std::fs::write(&odd.0, &header).unwrap();
    let out = replay_binary(&odd.0).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("link type 147 is not supported"));
}

/// One raw-IP pcap record: an ACK from 127.0.0.1:40000 to 127.0.0.1:80 with `payload`
/// bytes of data at sequence number `seq`.
fn raw_ip_record(seq: u32, payload: usize) -> Vec<u8> {
    let ip_len = 40 + payload;
    let mut r = Vec::with_capacity(16 + ip_len);
    r.extend(0u32.to_le_bytes()); // seconds
    r.extend(0u32.to_le_bytes()); // microseconds
    r.extend((ip_len as u32).to_le_bytes());
    r.extend((ip_len as u32).to_le_bytes());
    r.extend([
        0x45,
        0,
        (ip_len >> 8) as u8,
        ip_len as u8,
        0,
        0,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ]);
    r.extend([127, 0, 0, 1, 127, 0, 0, 1]);
    r.extend(40000u16.to_be_bytes());
    r.extend(80u16.to_be_bytes());
    r.extend(seq.to_be_bytes());
    r.extend(1u32.to_be_bytes());
    r.extend([0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0]);
    r.resize(16 + ip_len, b'x');
    r
}

/// Writes a pcap file (link type raw IP) of `big` records of 64,000 data bytes each,
/// then `small` pure ACKs; its size.
fn write_large_capture(path: &std::path::Path, big: usize, small: usize) -> u64 {
    use std::io::Write;
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut header = std::fs::read(fixture("udp-ipv4.pcap")).unwrap()[..24].to_vec();
    header[20..24].copy_from_slice(&101u32.to_le_bytes());
    f.write_all(&header).unwrap();
    let mut record = raw_ip_record(1, 64_000);
    for i in 0..big {
        // The sequence number moves on, as in a transfer.
        let seq = 1 + (i as u32).wrapping_mul(64_000);
        record[16 + 24..16 + 28].copy_from_slice(&seq.to_be_bytes());
        f.write_all(&record).unwrap();
    }
    let ack = raw_ip_record(1, 0);
    for _ in 0..small {
        f.write_all(&ack).unwrap();
    }
    f.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

/// The child's peak resident memory so far (VmHWM), in bytes; `None` once it is gone.
fn peak_memory(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `sockscope replay` reads a file of 700 MB a piece at a time: its peak memory stays
/// a small fraction of the file, and a file with more packets than it follows stops
/// at the cap and says so. The child's VmHWM is read while it is still writing (its
/// output is far larger than a pipe holds, so it waits for this test to read on).
#[test]
fn replay_of_a_capture_of_hundreds_of_megabytes_reads_it_in_pieces_and_stops_at_the_cap() {
    use std::io::BufRead;
    let file = TempFile::new("large.pcap");
    let (big, small) = (11_000, 250_000);
    let size = write_large_capture(&file.0, big, small);
    assert!(size > 700_000_000, "{size}");
    let mut child = replay_binary(&file.0)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let summary = lines.next().unwrap().unwrap();
    let stop = lines.next().unwrap().unwrap();
    // The whole file has been read and followed by now: the peak is behind.
    let mut peak = peak_memory(pid).expect("the child is still writing its output");
    let mut shown = 0;
    for line in lines {
        let line = line.unwrap();
        if line.contains(" -> ") {
            shown += 1;
            if shown % 20_000 == 0 {
                peak = peak.max(peak_memory(pid).unwrap_or(0));
            }
        }
    }
    assert!(child.wait().unwrap().success());
    let cap: usize = stop
        .split("stopped at ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no stop message: {stop}"));
    assert_eq!(shown, cap, "every packet kept is shown");
    assert!(cap > big && cap < big + small, "{cap}");
    assert!(
        summary.contains(&format!("{cap} TCP/UDP packets")),
        "{summary}"
    );
    let read_to = 24 + big as u64 * (16 + 64_040) + (cap - big) as u64 * (16 + 40);
    assert!(
        stop.contains(&format!("from byte {read_to} of {size}, was not read")),
        "{stop}"
    );
    println!(
        "replay of a {} MB capture: peak memory {} MB, stopped at {cap} packets",
        size / 1_000_000,
        peak / 1_000_000
    );
    assert!(peak < size / 8, "peak memory {peak} for a file of {size}");
}

mod graph {
    use super::*;
    use sockscope_engine::capture::graph::{self, Mark};

    fn graph_of(text: &str) -> graph::Graph {
        let scenario = parse(text).unwrap();
        let mut runner = Runner::new(&scenario);
        while runner.step().is_some() {}
        let packets = graph::from_trace(runner.world().trace());
        let timeline = passive::track(&packets);
        graph::graph(&packets, &timeline, 0, 0)
    }

    #[test]
    fn a_lost_segment_is_drawn_again_as_a_retransmission() {
        let g = graph_of(
            "host A 10.0.0.1
host B 10.0.0.2
B: l = socket(TCP); bind(l, *:80); listen(l, 5)
A: c = socket(TCP); connect(c, 10.0.0.2:80)
B: s = accept(l)
net: drop next A -> B
A: send(c, 500)
net: run 5s",
        );
        let marks: Vec<(u64, Mark)> = g.segments.iter().map(|s| (s.seq, s.mark)).collect();
        assert_eq!(marks, vec![(1, Mark::Data), (1, Mark::Retransmission)]);
        assert_eq!(g.acks.last().map(|a| a.ack), Some(501));
    }

    #[test]
    fn the_sender_stays_under_the_window_line_and_probes_a_closed_window() {
        let g = graph_of(tours::find("deadlock").unwrap().text);
        assert!(g.acks.iter().any(|a| a.zero_window));
        assert!(g.segments.iter().any(|s| s.mark == Mark::Probe));
        // Nothing but a probe goes past the last window the receiver announced.
        for s in &g.segments {
            let limit = g
                .acks
                .iter()
                .filter(|a| a.time_us <= s.time_us)
                .map(|a| a.limit)
                .max()
                .unwrap_or(u64::MAX);
            assert!(
                s.mark == Mark::Probe || s.seq + s.len <= limit,
                "{s:?} beyond {limit}"
            );
        }
    }
}
