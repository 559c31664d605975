//! Ports for the programs: free, and outside the range the kernel hands out to
//! connect(), so that no client of a test running meanwhile (in this process or
//! another) is given one of them between the probe and the program's bind().

use std::collections::BTreeMap;
use std::net::{TcpListener, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The ports below the kernel's ephemeral range from 10000 (above it if it starts low).
fn span() -> &'static [u16] {
    static SPAN: OnceLock<Vec<u16>> = OnceLock::new();
    SPAN.get_or_init(|| {
        let range =
            std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
        let mut bounds = range
            .split_whitespace()
            .filter_map(|w| w.parse::<u16>().ok());
        let (lo, hi) = (
            bounds.next().unwrap_or(32768),
            bounds.next().unwrap_or(60999),
        );
        if lo > 12000 {
            (10000..lo).collect()
        } else {
            (hi.saturating_add(1)..=u16::MAX).collect()
        }
    })
}

/// Where this test process starts in the span: runs close in time start far apart.
fn start() -> usize {
    static START: OnceLock<usize> = OnceLock::new();
    *START.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as usize);
        (std::process::id() as usize * 7919 + nanos / 1000) % span().len()
    })
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The next port of the span nobody holds, for TCP and UDP, on any address.
fn take() -> u16 {
    let span = span();
    for _ in 0..span.len() {
        let i = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = span[(start() + i) % span.len()];
        let tcp = TcpListener::bind(("0.0.0.0", port));
        let udp = UdpSocket::bind(("0.0.0.0", port));
        if tcp.is_ok() && udp.is_ok() {
            return port;
        }
    }
    panic!("no free port outside the ephemeral range");
}

/// A free port for each of the scenario's ports.
pub fn free_ports(ports: &[u16]) -> BTreeMap<u16, u16> {
    ports.iter().map(|&p| (p, take())).collect()
}
