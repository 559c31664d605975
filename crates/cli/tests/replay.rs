//! Reading captures: real Linux programs captured by tcpdump (fixtures made by
//! `fixtures/make-captures.py`, with `ss` saved beside them), sockscope's own runs
//! read back, and files that are not what they claim.

use sockscope_engine::capture::passive::{self, Row};
use sockscope_engine::capture::read::{self, ImportError};
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
