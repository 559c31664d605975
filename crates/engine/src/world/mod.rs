//! The world: hosts, processes, socket structures, the network and the virtual clock.
//!
//! Inputs are calls (`World::call`) and moving time (`poll_timeout`, `step`,
//! `run_until`, `run_until_idle`, `deliver`: the contract is in `driver.rs`). Outputs
//! are call results, the trace (`drain_trace`) and snapshots.
//! Nothing here reads a clock or does I/O, so the same seed and the same inputs always
//! give the same trace.

mod agenda;
mod bytes;
mod calls;
mod deadlock;
mod demux;
mod driver;
mod inject;
mod invariants;
mod structures;
mod tcp;
mod timers;
mod udp;
mod wire;

pub use driver::RunOutcome;

use crate::config::WorldConfig;
use crate::demux::DemuxIndex;
use crate::host::{Host, Process};
use crate::ids::{HostId, Pid, SendTag, SockId};
use crate::network::{InFlight, Network, Path};
use crate::rng::Rng;
use crate::socket::Socket;
use crate::time::Micros;
use crate::trace::{DeadlockReport, Event, TraceEntry};
use agenda::Agenda;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Errors of the world-building API (not of socket calls).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorldError {
    NoSuchHost(HostId),
    NoSuchProcess(Pid),
    NoAddress,
    AddressTaken(IpAddr),
    HostDown(HostId),
    /// `restart` of a host that is running.
    NotCrashed(HostId),
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldError::NoSuchHost(h) => write!(f, "there is no host {h}"),
            WorldError::NoSuchProcess(p) => write!(f, "there is no process {p}"),
            WorldError::NoAddress => write!(f, "a host needs at least one address"),
            WorldError::AddressTaken(ip) => {
                write!(f, "address {ip} already belongs to another host")
            }
            WorldError::HostDown(h) => write!(f, "{h} has crashed"),
            WorldError::NotCrashed(h) => {
                write!(f, "{h} is running; only a crashed host can restart")
            }
        }
    }
}

impl std::error::Error for WorldError {}

/// A simulated world: hosts, their processes and socket structures, the network
/// between them and the virtual clock.
///
/// It is sans-IO: its inputs are calls (`call`) and moving time. Time moves only
/// through `step`, `run_until`, `run_until_idle` and `deliver`; `poll_timeout` says
/// when the next job is due and `busy` whether foreground work remains. Jobs run
/// earliest first, each at its own time, and the blocked calls a job unblocks return
/// before the next job runs: the same seed, calls and driver give the same trace.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct World {
    cfg: WorldConfig,
    now: Micros,
    rng: Rng,
    hosts: Vec<Host>,
    indexes: Vec<DemuxIndex>,
    procs: Vec<Process>,
    /// Slab of structures; ids are never reused so traces stay unambiguous.
    socks: Vec<Option<Socket>>,
    net: Network,
    queue: Agenda,
    order: u64,
    /// Armed retransmission/linger timers and scheduled outputs: work that can change
    /// the world without any call.
    foreground: usize,
    trace: Vec<TraceEntry>,
    trace_n: u64,
    /// Jobs run so far (`jobs_run`).
    jobs_run: u64,
    next_seg: u64,
    next_tag: u32,
    last_deadlock: Option<DeadlockReport>,
    /// Processes inside a blocked call, so that waking nobody (after almost every
    /// step) costs one comparison.
    blocked: usize,
}

impl World {
    /// An empty world at time 0. The knobs are validated here, once
    /// (`WorldConfig::validated`).
    pub fn new(cfg: WorldConfig) -> Self {
        let cfg = cfg.validated();
        World {
            rng: Rng::new(cfg.seed),
            cfg,
            now: 0,
            hosts: Vec::new(),
            indexes: Vec::new(),
            procs: Vec::new(),
            socks: Vec::new(),
            net: Network::default(),
            queue: Agenda::default(),
            order: 0,
            foreground: 0,
            trace: Vec::new(),
            trace_n: 0,
            jobs_run: 0,
            next_seg: 0,
            next_tag: 0,
            last_deadlock: None,
            blocked: 0,
        }
    }

    pub fn config(&self) -> &WorldConfig {
        &self.cfg
    }

    /// Changes the defaults for what comes next (existing sockets keep their buffers);
    /// the knobs are validated again afterwards.
    pub fn reconfigure(&mut self, change: impl FnOnce(&mut WorldConfig)) {
        change(&mut self.cfg);
        self.cfg = self.cfg.clone().validated();
    }

    pub fn now(&self) -> Micros {
        self.now
    }

    pub fn add_host(&mut self, name: &str, addrs: &[IpAddr]) -> Result<HostId, WorldError> {
        if addrs.is_empty() {
            return Err(WorldError::NoAddress);
        }
        if let Some(ip) = addrs.iter().find(|ip| self.owner_of(**ip).is_some()) {
            return Err(WorldError::AddressTaken(*ip));
        }
        let id = HostId(self.hosts.len() as u32);
        self.hosts.push(Host {
            id,
            name: name.to_string(),
            addrs: addrs.to_vec(),
            crashed: false,
            next_ephemeral: self.cfg.ephemeral_first,
        });
        self.indexes.push(DemuxIndex::default());
        Ok(id)
    }

    pub fn spawn(&mut self, host: HostId, name: &str) -> Result<Pid, WorldError> {
        let h = self.host(host).ok_or(WorldError::NoSuchHost(host))?;
        if h.crashed {
            return Err(WorldError::HostDown(host));
        }
        let pid = Pid(self.procs.len() as u32);
        self.procs.push(Process {
            pid,
            host,
            name: name.to_string(),
            fds: Default::default(),
            pending: None,
            alive: true,
            last: None,
        });
        Ok(pid)
    }

    /// fork(): a child process with a copy of the descriptor table, so the same
    /// structures are now referred to from two processes.
    pub fn fork(&mut self, parent: Pid, name: &str) -> Result<Pid, WorldError> {
        let p = self
            .process(parent)
            .filter(|p| p.alive)
            .ok_or(WorldError::NoSuchProcess(parent))?;
        let (host, fds) = (p.host, p.fds.clone());
        let child = self.spawn(host, name)?;
        for s in fds.values() {
            self.sock_mut(*s).refs += 1;
        }
        self.procs[child.0 as usize].fds = fds;
        Ok(child)
    }

    /// Sets one direction's delay and loss.
    pub fn set_path(&mut self, from: HostId, to: HostId, delay_us: Micros, loss: f64) {
        let d = self.default_path();
        let p = self.net.path_mut(from, to, &d);
        p.delay_us = delay_us;
        p.loss = loss.clamp(0.0, 1.0);
    }

    /// Sets one direction's link rate in bytes per second (`None` or 0: unlimited).
    /// Segments already on the wire keep their arrival times.
    pub fn set_link_rate(&mut self, from: HostId, to: HostId, rate: Option<u64>) {
        let d = self.default_path();
        self.net.path_mut(from, to, &d).rate = rate.filter(|&r| r > 0);
    }

    /// Drops the next segment sent from `from` to `to`.
    pub fn drop_next(&mut self, from: HostId, to: HostId) {
        let d = self.default_path();
        self.net.path_mut(from, to, &d).drop_next += 1;
    }

    /// Makes one direction hold back a fraction `p` of its segments by `extra_us`, so
    /// that later segments overtake them. Segments already on the wire are not touched.
    pub fn set_reorder(&mut self, from: HostId, to: HostId, p: f64, extra_us: Micros) {
        let d = self.default_path();
        let path = self.net.path_mut(from, to, &d);
        path.reorder = p.clamp(0.0, 1.0);
        path.reorder_delay_us = extra_us;
    }

    /// Makes one direction deliver a fraction `p` of its segments twice.
    pub fn set_duplicate(&mut self, from: HostId, to: HostId, p: f64) {
        let d = self.default_path();
        self.net.path_mut(from, to, &d).duplicate = p.clamp(0.0, 1.0);
    }

    fn default_path(&self) -> Path {
        Path {
            delay_us: self.cfg.delay_us,
            loss: self.cfg.loss,
            drop_next: 0,
            rate: self.cfg.link_rate,
            busy_until_ns: 0,
            reorder: 0.0,
            reorder_delay_us: 0,
            duplicate: 0.0,
        }
    }

    /// The host stops at once: its structures vanish without a FIN and its processes
    /// die. Peers learn of it only by timeouts, or by an RST after a restart.
    pub fn crash(&mut self, host: HostId) -> Result<(), WorldError> {
        self.host(host).ok_or(WorldError::NoSuchHost(host))?;
        self.hosts[host.0 as usize].crashed = true;
        for p in self.procs.iter_mut().filter(|p| p.host == host) {
            p.alive = false;
            if p.pending.take().is_some() {
                self.blocked -= 1;
            }
            p.fds.clear();
        }
        let ids: Vec<SockId> = self
            .sockets()
            .filter(|s| s.host == host)
            .map(|s| s.id)
            .collect();
        for id in ids {
            self.free_socket_for(id, crate::ledger::Loss::Crashed);
        }
        self.emit(|| Event::HostCrashed { host });
        self.settle();
        Ok(())
    }

    /// The host boots again, with no structures and no processes.
    pub fn restart(&mut self, host: HostId) -> Result<(), WorldError> {
        if !self.host(host).ok_or(WorldError::NoSuchHost(host))?.crashed {
            return Err(WorldError::NotCrashed(host));
        }
        self.hosts[host.0 as usize].crashed = false;
        self.emit(|| Event::HostRestarted { host });
        Ok(())
    }

    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    pub fn host(&self, id: HostId) -> Option<&Host> {
        self.hosts.get(id.0 as usize)
    }

    pub fn host_by_name(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().find(|h| h.name == name).map(|h| h.id)
    }

    pub fn processes(&self) -> &[Process] {
        &self.procs
    }

    pub fn process(&self, pid: Pid) -> Option<&Process> {
        self.procs.get(pid.0 as usize)
    }

    pub fn socket(&self, id: SockId) -> Option<&Socket> {
        self.socks.get(id.0 as usize).and_then(|s| s.as_ref())
    }

    /// Live structures, oldest first.
    pub fn sockets(&self) -> impl Iterator<Item = &Socket> {
        self.socks.iter().flatten()
    }

    /// Segments on the wire, oldest first.
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight> {
        self.net.in_flight.in_order()
    }

    /// The structure a descriptor of a process refers to.
    pub fn socket_of(&self, pid: Pid, fd: crate::ids::Fd) -> Option<&Socket> {
        let id = *self.process(pid)?.fds.get(&fd)?;
        self.socket(id)
    }

    /// The structure at the other end of a connection, if it exists.
    pub fn peer_of(&self, id: SockId) -> Option<SockId> {
        let s = self.socket(id)?;
        let (local, remote) = (s.local_addr()?, s.remote_addr()?);
        let host = self.owner_of(remote.ip())?;
        let peer = self.indexes[host.0 as usize].exact(s.proto, remote, local)?;
        (peer != id).then_some(peer)
    }

    /// Events recorded since the last drain.
    pub fn drain_trace(&mut self) -> Vec<TraceEntry> {
        std::mem::take(&mut self.trace)
    }

    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// Forgets the oldest trace entries so that at most `keep` remain, and says how many
    /// went. A page that plays for minutes records thousands of events a second; what it
    /// keeps must stay bounded. Event numbers (`TraceEntry::n`) and the count of events
    /// (`events_recorded`) go on as before: nothing about the world changes.
    pub fn forget_trace(&mut self, keep: usize) -> usize {
        let gone = self.trace.len().saturating_sub(keep);
        self.trace.drain(..gone);
        gone
    }

    /// Events recorded since the world began, including those drained or forgotten
    /// (the number the next event will get).
    pub fn events_recorded(&self) -> u64 {
        self.trace_n
    }

    fn next_tag(&mut self) -> SendTag {
        self.next_tag += 1;
        SendTag(self.next_tag)
    }

    /// Records an event. It is built only when the trace is on: experiments and long
    /// runs turn the trace off, and building (then dropping) an event per step costs.
    /// The count goes on either way, so positions stay those of a traced run.
    /// Textbook or Linux: where the two differ, `Behaviour`'s methods decide.
    fn behaviour(&self) -> crate::behaviour::Behaviour {
        self.cfg.behaviour
    }

    /// Records that this moment would go differently in the other mode.
    fn other_mode(&mut self, sock: Option<SockId>, difference: crate::difference::Difference) {
        let now = self.behaviour();
        self.emit(|| Event::OtherMode {
            sock,
            now,
            difference,
        });
    }

    fn emit(&mut self, event: impl FnOnce() -> Event) {
        let n = self.trace_n;
        self.trace_n += 1;
        if self.cfg.trace {
            self.trace.push(TraceEntry {
                n,
                time: self.now,
                event: event(),
            });
        }
    }
}
