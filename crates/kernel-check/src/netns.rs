//! The hosts of a scenario as Linux network namespaces, each with the scenario's own
//! addresses on a veth whose other end is a port of one bridge in a namespace of its
//! own (the hub), so any number of hosts reach each other as on the engine's one
//! network (`ip`, iproute2; root only).
//!
//! A socket is created inside its host's namespace (the calling thread enters it with
//! setns() for the socket() call and goes back) and keeps that namespace for life, so
//! every later call on it may come from any thread. Dropping [`Hosts`] deletes the
//! namespaces, and with them the veths and the bridge.
//!
//! [`own_network_namespace`] is the other use: one thread's loopback of its own, for a
//! comparison (`Kernel::isolated`) or a capture that must not meet any other test.

use crate::kernel::{parse_ss, run, SsRow};
use std::fs::File;
use std::io;
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// One namespace per host, in the order given, and the hub's.
pub struct Hosts {
    names: Vec<(String, String)>,
    hub: String,
}

/// The bridge in the hub, and each host's end of its veth.
const BRIDGE: &str = "br0";
const DEV: &str = "eth0";

/// Runs `ip ARGS`; its error output on failure.
fn ip(args: &[&str]) -> Result<(), String> {
    let out =
        run(Command::new("ip").args(args)).map_err(|e| format!("`ip` could not be run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Hosts {
    /// One namespace per host, each holding its addresses on its veth with a route
    /// to everything through it (so addresses of any prefix reach each other, as in
    /// the engine's network), all veths ports of the hub's bridge. `mtu`, if given,
    /// is every link's (the scenario's MSS plus the headers).
    ///
    /// # Errors
    /// Without root or without `ip`, or without hosts.
    pub fn new(hosts: &[(String, Vec<IpAddr>)], mtu: Option<u64>) -> Result<Hosts, String> {
        if hosts.is_empty() {
            return Err("a scenario without hosts has nothing to replay".into());
        }
        remove_orphans();
        static RUN: AtomicU32 = AtomicU32::new(0);
        let run = RUN.fetch_add(1, Ordering::Relaxed);
        let tag = format!("{PREFIX}{}x{run}", std::process::id());
        let names: Vec<(String, String)> = hosts
            .iter()
            .enumerate()
            .map(|(i, (h, _))| (h.clone(), format!("{tag}h{i}")))
            .collect();
        // Made before anything else, so that a failure half-way drops (deletes) what
        // exists already.
        let made = Hosts {
            names,
            hub: format!("{tag}hub"),
        };
        let hub = made.hub.as_str();
        let mtu = mtu.map(|m| m.to_string());
        ip(&["netns", "add", hub])?;
        ip(&["-n", hub, "link", "add", BRIDGE, "type", "bridge"])?;
        // Without a multicast querier, snooping could starve IPv6 neighbour discovery.
        ip(&[
            "-n",
            hub,
            "link",
            "set",
            BRIDGE,
            "type",
            "bridge",
            "mcast_snooping",
            "0",
        ])?;
        ip(&["-n", hub, "link", "set", BRIDGE, "up"])?;
        for (i, (_, addrs)) in hosts.iter().enumerate() {
            let ns = made.names[i].1.as_str();
            let port = format!("p{i}");
            ip(&["netns", "add", ns])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&[
                "-n", hub, "link", "add", &port, "type", "veth", "peer", "name", DEV, "netns", ns,
            ])?;
            if let Some(mtu) = &mtu {
                ip(&["-n", hub, "link", "set", &port, "mtu", mtu])?;
                ip(&["-n", ns, "link", "set", DEV, "mtu", mtu])?;
            }
            ip(&["-n", hub, "link", "set", &port, "master", BRIDGE, "up"])?;
            for addr in addrs {
                let text = match addr {
                    IpAddr::V4(a) => format!("{a}/32"),
                    IpAddr::V6(a) => format!("{a}/128"),
                };
                let mut args = vec!["-n", ns, "addr", "add", &text, "dev", DEV];
                if addr.is_ipv6() {
                    args.push("nodad");
                }
                ip(&args)?;
            }
            ip(&["-n", ns, "link", "set", DEV, "up"])?;
            ip(&["-n", ns, "route", "add", "default", "dev", DEV])?;
            if addrs.iter().any(|a| a.is_ipv6()) {
                ip(&["-n", ns, "-6", "route", "add", "default", "dev", DEV])?;
            }
        }
        Ok(made)
    }

    /// The hosts, in the order given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|(h, _)| h.as_str())
    }

    /// The namespace of `host`.
    pub fn netns(&self, host: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(h, _)| h == host)
            .map(|(_, ns)| ns.as_str())
    }

    /// Runs `f` on this thread inside `host`'s namespace, then returns to the one the
    /// thread was in.
    pub fn inside<T>(&self, host: &str, f: impl FnOnce() -> T) -> io::Result<T> {
        let ns = self
            .netns(host)
            .ok_or_else(|| io::Error::other(format!("no host {host}")))?;
        let home = File::open("/proc/thread-self/ns/net")?;
        let there = File::open(format!("/run/netns/{ns}"))?;
        enter(&there)?;
        let out = f();
        enter(&home)?;
        Ok(out)
    }

    /// `ss -tan` and `ss -uan` inside `host`'s namespace: every row is this run's.
    pub fn ss(&self, host: &str) -> Vec<SsRow> {
        let ns = self.netns(host).expect("a host of this run");
        ["-Htan", "-Huan"]
            .iter()
            .flat_map(|flags| {
                let out =
                    run(Command::new("ss").args(["-N", ns, flags])).expect("`ss` (iproute2) runs");
                assert!(out.status.success(), "`ss -N {ns} {flags}` failed");
                parse_ss(&String::from_utf8_lossy(&out.stdout))
            })
            .collect()
    }
}

/// The start of every namespace this module makes; the test process's id follows.
const PREFIX: &str = "ssk";

/// Deletes the namespaces of test processes that no longer run (killed before their
/// [`Hosts`] were dropped), so a timed-out run leaves nothing behind for long.
fn remove_orphans() {
    let Ok(dir) = std::fs::read_dir("/run/netns") else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('x').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = ip(&["netns", "del", &name]);
        }
    }
}

fn enter(ns: &File) -> io::Result<()> {
    // SAFETY: setns on a descriptor of a network namespace moves only this thread.
    match unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        for (_, ns) in &self.names {
            let _ = ip(&["netns", "del", ns]);
        }
        let _ = ip(&["netns", "del", &self.hub]);
    }
}

/// Moves the calling thread into a network namespace of its own with `lo` up; what
/// it ran in: `Ok` for its own namespace, `Err(why)` when it stays on the shared one.
/// Programs this thread starts (tcpdump, ss) run in the same namespace.
pub fn own_network_namespace() -> Result<(), String> {
    // SAFETY: unshare() takes a flag word and touches no memory of ours.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        return Err(format!(
            "unshare(CLONE_NEWNET): {}",
            std::io::Error::last_os_error()
        ));
    }
    let up = run(Command::new("ip").args(["link", "set", "lo", "up"]));
    match up {
        Ok(o) if o.status.success() => Ok(()),
        // Already in the new namespace: without lo nothing could run, so this is fatal.
        Ok(o) => panic!(
            "`ip link set lo up` failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("`ip` (Debian package iproute2) could not be run: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::own_network_namespace;
    use std::net::{Ipv4Addr, TcpListener, TcpStream};

    /// What `Kernel::isolated` relies on: a listener made after the move is not on the
    /// loopback the rest of the process uses, and one made there is not in the new
    /// namespace. (`cargo xtask test` runs as root; without the privilege this fails
    /// rather than pass having checked nothing.)
    #[test]
    fn a_thread_in_its_own_namespace_shares_no_port_with_the_rest_of_the_process() {
        let outside = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind() outside");
        let outside_port = outside.local_addr().unwrap().port();
        let inside_port = std::thread::spawn(move || {
            own_network_namespace().unwrap_or_else(|why| panic!("no namespace: {why}"));
            let refused = TcpStream::connect((Ipv4Addr::LOCALHOST, outside_port));
            assert!(refused.is_err(), "the outside listener answered inside");
            let inside = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind() inside");
            let port = inside.local_addr().unwrap().port();
            (port, inside)
        })
        .join()
        .unwrap();
        let (port, inside) = inside_port;
        // Whatever this reaches (something else may hold the port out here), it is
        // not the listener in the namespace: nothing waits to be accepted there.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, port));
        inside.set_nonblocking(true).unwrap();
        assert!(
            matches!(inside.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "the listener inside the namespace was reached from outside"
        );
        assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, outside_port)).is_ok());
    }
}
