//! Captures of real programs: a scenario runs on real sockets while tcpdump captures
//! the loopback interface; the capture is then read by the engine's reader and passive
//! tracker (`sockscope_engine::capture`), and the TCP state it implies for a connection
//! at each point where `ss` was asked is compared with what `ss` said there (and a
//! Recv-Q with the most the capture allows: it cannot see what the program read).
//!
//! The points are found in the capture by markers: right after each state it reports,
//! the scenario's [`Observed`] stack sends a UDP datagram to a port of its own, whose
//! length is the point's number, so the capture itself says which segments came before.
//! A capture cannot show a listener (no segment names one), so listener rows are
//! counted apart, not compared.
//!
//! Each run has a network namespace of its own when the kernel allows it (root with
//! CAP_SYS_ADMIN): nothing but the scenario is on its `lo`, and the namespace goes when
//! the run's thread and tcpdump end. Otherwise the shared loopback is captured, and the
//! comparison looks only at the scenario's own addresses. Every wait is bounded, and
//! tcpdump is stopped and its files removed however the run ends. Without tcpdump the
//! run fails: a comparison that cannot capture would compare nothing.

use crate::facts::{Fact, Transcript};
use crate::kernel::{run, start, Kernel};
use crate::observed::{Observed, Point};
use crate::stack::Stack;
use sockscope_engine::capture::passive;
use sockscope_engine::capture::read::{self, Imported, Packet};
use sockscope_engine::Proto;
use std::collections::BTreeMap;
use std::fmt;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest tcpdump may take to start capturing.
pub const START_DEADLINE: Duration = Duration::from_secs(15);
/// Longest a marker may take to reach the capture file.
pub const MARK_DEADLINE: Duration = Duration::from_secs(10);
/// Longest tcpdump may take to exit once asked.
const STOP_DEADLINE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(20);
/// The most packets read back (a run on the shared loopback sees others' traffic too).
const MAX_PACKETS: usize = 200_000;

/// A scenario, as the comparisons write them.
pub type Scenario = fn(&mut dyn Stack, &mut Transcript);

/// Where tcpdump is: `$SOCKSCOPE_TCPDUMP` if set, else the first of `tcpdump` on PATH
/// and the usual places that runs.
///
/// # Panics
/// Without tcpdump. `cargo xtask test` installs it (Debian package tcpdump).
fn tcpdump_program() -> PathBuf {
    let candidates: Vec<PathBuf> = match std::env::var_os("SOCKSCOPE_TCPDUMP") {
        Some(p) => vec![PathBuf::from(p)],
        None => ["tcpdump", "/usr/bin/tcpdump", "/usr/sbin/tcpdump"]
            .iter()
            .map(PathBuf::from)
            .collect(),
    };
    candidates
        .into_iter()
        .find(|p| run(Command::new(p).arg("--version")).is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| {
            panic!(
                "`tcpdump` (Debian package tcpdump) was not found: the capture comparisons \
                 capture loopback with it and cannot compare anything without it. \
                 `cargo xtask test` installs it; or set SOCKSCOPE_TCPDUMP to its path."
            )
        })
}

/// Datagrams that mark points in a capture: marker `n` is `n` bytes long, sent from
/// one socket of ours to another (bound, so no ICMP answers it).
pub struct Marker {
    tx: UdpSocket,
    rx: UdpSocket,
    next: usize,
}

impl Marker {
    /// Two UDP sockets on 127.0.0.1 (in the calling thread's namespace).
    pub fn new() -> Marker {
        let bind = || UdpSocket::bind("127.0.0.1:0").expect("a UDP socket on 127.0.0.1");
        let (tx, rx) = (bind(), bind());
        Marker { tx, rx, next: 2 }
    }

    fn to(&self) -> SocketAddr {
        self.rx.local_addr().expect("the marker socket's address")
    }

    /// The number of the point marked now (2, 3, …; 1 is the start).
    pub fn mark(&mut self) -> usize {
        let n = self.next;
        self.next += 1;
        self.send(n);
        n
    }

    fn send(&self, n: usize) {
        self.tx
            .send_to(&vec![b'm'; n], self.to())
            .expect("a marker datagram on loopback");
    }

    /// The index of each marker's first packet among `packets`.
    pub fn find(&self, packets: &[Packet]) -> BTreeMap<usize, usize> {
        let to = self.to();
        let mut at = BTreeMap::new();
        for (i, p) in packets.iter().enumerate() {
            if p.proto == Proto::Udp && p.dst == to {
                at.entry(p.len as usize).or_insert(i);
            }
        }
        at
    }
}

impl Default for Marker {
    fn default() -> Self {
        Marker::new()
    }
}

/// tcpdump capturing `lo` into a file; stopped, and its files removed, when dropped.
pub struct Tcpdump {
    child: Child,
    file: PathBuf,
    log: PathBuf,
}

impl Tcpdump {
    /// Starts tcpdump on `lo` writing to `file` (and `file`.log), and returns once the
    /// capture holds a start marker: from then on, nothing is missed.
    ///
    /// # Panics
    /// Without tcpdump, or when it does not capture within [`START_DEADLINE`].
    pub fn start(file: &Path, marker: &Marker) -> Tcpdump {
        let program = tcpdump_program();
        let log = file.with_extension("log");
        let err = std::fs::File::create(&log).expect("tcpdump's log file");
        let mut command = Command::new(&program);
        // Packet-buffered (-U) so the file grows as packets come; -Z root: a capture
        // file under a root-owned directory stays writable.
        command
            .args(["-i", "lo", "-U", "-n", "-s", "0", "-Z", "root", "-w"])
            .arg(file)
            .args(["tcp", "or", "udp"])
            .stdout(Stdio::null())
            .stderr(err);
        let child = start(&mut command)
            .unwrap_or_else(|e| panic!("`{}` could not be started: {e}", program.display()));
        let mut dump = Tcpdump {
            child,
            file: file.to_path_buf(),
            log,
        };
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            marker.send(1);
            std::thread::sleep(POLL * 5);
            if dump.holds_mark(marker, 1) {
                return dump;
            }
            if let Ok(Some(status)) = dump.child.try_wait() {
                panic!(
                    "tcpdump exited ({status}) before capturing: {}",
                    dump.said()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "tcpdump did not capture within {START_DEADLINE:?}: {}",
                    dump.said()
                );
            }
        }
    }

    fn said(&self) -> String {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    fn read(&self) -> Imported {
        let bytes = std::fs::read(&self.file).unwrap_or_default();
        // A file still being written may end inside a record: that is damage at its
        // end, and the packets before it are kept.
        read::read(&bytes, MAX_PACKETS).unwrap_or_default()
    }

    fn holds_mark(&self, marker: &Marker, n: usize) -> bool {
        marker.find(&self.read().packets).contains_key(&n)
    }

    /// Marks the end, waits until the file holds everything before it, stops tcpdump
    /// and reads the capture.
    ///
    /// # Panics
    /// When the end marker does not reach the file within [`MARK_DEADLINE`].
    pub fn stop(mut self, marker: &mut Marker) -> Imported {
        let end = marker.mark();
        let deadline = Instant::now() + MARK_DEADLINE;
        while !self.holds_mark(marker, end) {
            assert!(
                Instant::now() < deadline,
                "the end marker did not reach the capture within {MARK_DEADLINE:?}: {}",
                self.said()
            );
            std::thread::sleep(POLL);
        }
        self.end();
        self.read()
    }

    /// SIGTERM (tcpdump finishes its file), then SIGKILL after [`STOP_DEADLINE`].
    fn end(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // SAFETY: kill() with our child's pid and a signal number.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Tcpdump {
    fn drop(&mut self) {
        self.end();
        let _ = std::fs::remove_file(&self.file);
        let _ = std::fs::remove_file(&self.log);
    }
}

/// How the capture's states compared with ss's at one scenario's points.
#[derive(Clone, Debug, Default)]
pub struct Agreement {
    pub scenario: String,
    /// Why the run had no network namespace of its own, if it had none.
    pub shared_loopback: Option<String>,
    /// Facts of connection rows compared (states, and Recv-Q within the capture's
    /// bound), and of those, the ones where the two agree.
    pub compared: usize,
    pub agreed: usize,
    /// Listener rows, which no capture shows.
    pub listeners: usize,
    /// Every disagreement, in words.
    pub differences: Vec<String>,
    /// tcpdump's process and its capture file, both gone once the run returns.
    pub tcpdump_pid: u32,
    pub file: PathBuf,
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} of {} facts (connection states, Recv-Q bounds) agree between the capture and ss; {} listener rows not compared (no segment shows a listener); {}",
            self.scenario,
            self.agreed,
            self.compared,
            self.listeners,
            match &self.shared_loopback {
                None => "in a network namespace of its own".to_string(),
                Some(why) => format!("on the shared loopback ({why})"),
            }
        )?;
        for d in &self.differences {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

/// The row the capture implies, right after packet `at`, for `local` towards `peer`.
fn row_at(
    t: &passive::Timeline,
    at: usize,
    local: SocketAddr,
    peer: SocketAddr,
) -> Option<passive::Row> {
    t.netstat_at(at)
        .into_iter()
        .find(|r| r.proto == Proto::Tcp && r.local == local && r.foreign == peer)
}

/// Whether what ss said agrees with the row the capture implies: the same state (no
/// row: none), or a Recv-Q within the capture's bound (the program may have read some).
fn agrees(ss: &Fact, row: Option<&passive::Row>) -> Result<(), String> {
    let state = Fact::State(row.and_then(|r| r.state));
    match (ss, row) {
        (Fact::Count(n), Some(r)) if *n <= r.recv_q_at_most => Ok(()),
        (Fact::Count(n), Some(r)) => Err(format!(
            "ss says Recv-Q {n}, the capture allows at most {}",
            r.recv_q_at_most
        )),
        (Fact::Count(n), None) => Err(format!("ss says Recv-Q {n}, the capture implies no row")),
        (ss, _) if *ss == state => Ok(()),
        (ss, _) => Err(format!("ss says {ss}, the capture implies {state}")),
    }
}

/// An IPv4-mapped address as the IPv4 address the wire carries.
fn on_the_wire(a: SocketAddr) -> SocketAddr {
    SocketAddr::new(a.ip().to_canonical(), a.port())
}

/// Compares every point with the capture.
pub fn compare(
    scenario: &str,
    points: &[Point],
    imported: &Imported,
    marker: &Marker,
) -> Agreement {
    let timeline = passive::track(&imported.packets);
    let marks = marker.find(&imported.packets);
    let mut a = Agreement {
        scenario: scenario.to_string(),
        ..Default::default()
    };
    for p in points {
        let Some(peer) = p.peer else {
            a.listeners += 1;
            continue;
        };
        let (local, peer) = (on_the_wire(p.local), on_the_wire(peer));
        a.compared += 1;
        let Some(&at) = marks.get(&p.mark) else {
            a.differences.push(format!(
                "point {}: its marker is not in the capture",
                p.mark
            ));
            continue;
        };
        match agrees(&p.fact, row_at(&timeline, at, local, peer).as_ref()) {
            Ok(()) => a.agreed += 1,
            Err(why) => a.differences.push(format!("{local} -> {peer}: {why}")),
        }
    }
    a
}

/// Runs `scenario` on Linux while tcpdump captures it, guided by `guide` (the engine's
/// transcript, so that a state is polled for as in the comparisons), and compares the
/// capture's states with ss's. The run has a thread (and a network namespace, when it
/// can) of its own.
pub fn captured(name: &str, scenario: Scenario, guide: &Transcript) -> Agreement {
    let name = name.to_string();
    let guide = guide.clone();
    let file =
        std::env::temp_dir().join(format!("sockscope-kc-{}-{name}.pcap", std::process::id()));
    std::thread::spawn(move || {
        let isolated = crate::netns::own_network_namespace();
        let mut marker = Marker::new();
        let dump = Tcpdump::start(&file, &marker);
        let tcpdump_pid = dump.child.id();
        let mut kernel = Kernel::new();
        let mut t = Transcript::following("Linux", &guide);
        let points = {
            let mut observed = Observed::new(&mut kernel, &mut marker);
            scenario(&mut observed, &mut t);
            observed.points().to_vec()
        };
        // Closing what is still open is not part of the comparison.
        drop(kernel);
        let imported = dump.stop(&mut marker);
        let mut a = compare(&name, &points, &imported, &marker);
        a.shared_loopback = isolated.err();
        a.tcpdump_pid = tcpdump_pid;
        a.file = file;
        a
    })
    .join()
    .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockscope_engine::segment::Flags;
    use sockscope_engine::TcpState;

    fn tcp(src: SocketAddr, dst: SocketAddr, flags: Flags, seq: u32, ack: u32) -> Packet {
        Packet {
            frame: 0,
            time_us: 0,
            proto: Proto::Tcp,
            src,
            dst,
            flags,
            seq,
            ack,
            window: 1000,
            window_scale: None,
            len: 0,
        }
    }

    #[test]
    fn each_point_is_compared_with_the_state_right_before_its_marker() {
        let marker = Marker::new();
        let (c, s): (SocketAddr, SocketAddr) = (
            "127.0.0.1:5000".parse().unwrap(),
            "127.0.0.1:80".parse().unwrap(),
        );
        let ack = |syn| Flags {
            syn,
            ack: true,
            ..Flags::default()
        };
        let mark = |n: u64| Packet {
            proto: Proto::Udp,
            src: marker.tx.local_addr().unwrap(),
            dst: marker.to(),
            len: n,
            ..tcp(c, s, Flags::default(), 0, 0)
        };
        let packets = vec![
            mark(1),
            tcp(c, s, Flags::SYN, 100, 0),
            tcp(s, c, ack(true), 500, 101),
            mark(2),
            tcp(c, s, ack(false), 101, 501),
            mark(3),
        ];
        let imported = Imported {
            packets,
            ..Imported::default()
        };
        let point = |mark, local, peer, st| Point {
            mark,
            local,
            peer,
            fact: Fact::State(st),
        };
        let points = [
            // Before the last ACK the server is still in SYN_RCVD: ss saying
            // ESTABLISHED there is a disagreement.
            point(2, s, Some(c), Some(TcpState::Established)),
            point(3, s, Some(c), Some(TcpState::Established)),
            point(3, c, Some(s), Some(TcpState::Established)),
            point(3, s, None, Some(TcpState::Listen)),
            point(9, c, Some(s), Some(TcpState::Established)),
            // Nothing was received: a Recv-Q of 0 fits, one of 5 cannot be.
            Point {
                fact: Fact::Count(0),
                ..point(3, s, Some(c), None)
            },
            Point {
                fact: Fact::Count(5),
                ..point(3, s, Some(c), None)
            },
        ];
        let a = compare("handshake", &points, &imported, &marker);
        assert_eq!((a.agreed, a.compared, a.listeners), (3, 6, 1));
        assert_eq!(
            a.differences,
            vec![
                "127.0.0.1:80 -> 127.0.0.1:5000: ss says ESTABLISHED, the capture implies SYN_RCVD",
                "point 9: its marker is not in the capture",
                "127.0.0.1:80 -> 127.0.0.1:5000: ss says Recv-Q 5, the capture allows at most 0",
            ]
        );
    }
}
