//! The world: hosts, processes, socket structures, the network and the virtual clock.
//!
//! Inputs are calls (`World::call`) and "advance the network" (`step`, `run_until_idle`,
//! `run_until`). Outputs are call results, the trace (`drain_trace`) and snapshots.
//! Nothing here reads a clock or does I/O, so the same seed and the same inputs always
//! give the same trace.

mod agenda;
mod calls;
mod deadlock;
mod demux;
mod invariants;
mod tcp;
mod udp;

use crate::addr::{Family, Proto};
use crate::config::WorldConfig;
use crate::demux::DemuxIndex;
use crate::host::{Host, Process};
use crate::ids::{HostId, Pid, SegId, SendTag, SockId};
use crate::network::{InFlight, Network, Path, WireSlot};
use crate::rng::Rng;
use crate::segment::Segment;
use crate::socket::{Armed, Socket};
use crate::time::Micros;
use crate::trace::{DeadlockReport, DropReason, Event, TimerKind, TraceEntry};
use agenda::Agenda;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::net::IpAddr;

/// Something scheduled for a moment of virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Job {
    Arrive(SegId, WireSlot),
    Timer {
        sock: SockId,
        kind: TimerKind,
        gen: u64,
    },
    /// A transmission opportunity: calls made at one instant are coalesced into segments.
    Output(SockId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Scheduled {
    at: Micros,
    order: u64,
    job: Job,
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunOutcome {
    /// Nothing left that could change the world by itself (only zero-window probes
    /// and TIME_WAIT timers may remain).
    Idle,
    /// Idle, and blocked processes wait on each other forever.
    Deadlock(DeadlockReport),
    /// The requested time or number of events was reached.
    Limit,
}

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

    // ----- building the world -----

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

    fn default_path(&self) -> Path {
        Path {
            delay_us: self.cfg.delay_us,
            loss: self.cfg.loss,
            drop_next: 0,
            rate: self.cfg.link_rate,
            busy_until_ns: 0,
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
            self.free_socket(id);
        }
        self.emit(|| Event::HostCrashed { host });
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

    // ----- looking at the world -----

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

    // ----- advancing the network -----

    /// Runs the next scheduled thing (a segment arriving, a timer, a transmission).
    /// Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        while let Some(next) = self.queue.pop() {
            if !self.is_live(&next.job) {
                continue;
            }
            self.run_popped(next);
            return true;
        }
        false
    }

    /// `step` for a caller that has just found the first job live (`peek_live`,
    /// `peek_time`) and changed nothing since: the job is taken without asking
    /// `is_live` a second time. Drivers peek before every step, so this halves the
    /// liveness checks of a run.
    pub(crate) fn step_peeked(&mut self) {
        let next = self.queue.pop().expect("a job was just peeked");
        debug_assert!(self.is_live(&next.job), "the peeked job is live");
        self.run_popped(next);
    }

    fn run_popped(&mut self, next: Scheduled) {
        self.now = self.now.max(next.at);
        self.run_job(next.job);
        self.wake();
    }

    /// Runs until only background timers (zero-window probes, TIME_WAIT) are left, then
    /// looks for a deadlock. `max_events` bounds the work of one call.
    pub fn run_until_idle(&mut self, max_events: u64) -> RunOutcome {
        let mut n = 0;
        while self.foreground > 0 || !self.net.in_flight.is_empty() {
            if n == max_events {
                return RunOutcome::Limit;
            }
            if !self.step() {
                break;
            }
            n += 1;
        }
        match self.find_deadlock() {
            Some(report) => {
                if self.last_deadlock.as_ref() != Some(&report) {
                    self.last_deadlock = Some(report.clone());
                    self.emit(|| Event::Deadlock(report.clone()));
                }
                RunOutcome::Deadlock(report)
            }
            None => RunOutcome::Idle,
        }
    }

    /// Runs everything scheduled up to virtual time `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Micros) {
        // Only live jobs count: a cancelled timer due before `t` must not let `step()`
        // run the next live job, which may be due long after `t`.
        while let Some(next) = self.peek_live() {
            if next.at > t {
                break;
            }
            self.step_peeked();
        }
        self.now = self.now.max(t);
    }

    /// `run_until(t)` for a caller that has just seen (`peek_time`) that nothing is due
    /// until after `t`: only the clock moves, without looking at the agenda again.
    pub(crate) fn advance_to(&mut self, t: Micros) {
        // Only the first job is checked: a scan of the whole agenda here made debug
        // builds (the browser tests) quadratic in the experiment's length.
        debug_assert!(self
            .queue
            .peek()
            .is_none_or(|s| s.at > t || !self.is_live(&s.job)));
        self.now = self.now.max(t);
    }

    /// Runs until `n` segments have arrived (or been dropped), e.g. "deliver 1".
    /// Returns how many did.
    pub fn deliver(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && (self.foreground > 0 || !self.net.in_flight.is_empty()) {
            let Some(next) = self.peek_live() else { break };
            self.step_peeked();
            if matches!(next.job, Job::Arrive(..)) {
                done += 1;
            }
        }
        done
    }

    /// The next job that still matters, dropping cancelled ones on the way.
    fn peek_live(&mut self) -> Option<Scheduled> {
        while let Some(s) = self.queue.peek().copied() {
            if self.is_live(&s.job) {
                return Some(s);
            }
            self.queue.pop();
        }
        None
    }

    /// Something can still change the world without a call: a segment is on the wire,
    /// or a retransmission/linger timer or a transmission is pending. (Zero-window
    /// probes and TIME_WAIT do not count: they run in the background.)
    pub fn busy(&self) -> bool {
        self.foreground > 0 || !self.net.in_flight.is_empty()
    }

    /// Segments (and datagrams) handed to the network since the world began, in both
    /// directions, including handshakes, ACKs, probes and retransmissions.
    pub fn segments_sent(&self) -> u64 {
        self.next_seg
    }

    /// The time of the next live job, dropping cancelled ones on the way: O(log n),
    /// unlike `next_event_time`, for drivers that interleave programs with the network.
    pub(crate) fn peek_time(&mut self) -> Option<Micros> {
        self.peek_live().map(|s| s.at)
    }

    /// The time of the next scheduled thing, if any.
    pub fn next_event_time(&self) -> Option<Micros> {
        self.queue
            .iter()
            .filter(|s| self.is_live(&s.job))
            .map(|s| s.at)
            .min()
    }

    /// The current deadlock, if the world is quiet and blocked processes wait on each other.
    pub fn deadlock(&self) -> Option<DeadlockReport> {
        self.find_deadlock()
    }

    fn is_live(&self, job: &Job) -> bool {
        match *job {
            Job::Arrive(seg, slot) => self.net.in_flight.contains(slot, seg),
            Job::Timer { sock, kind, gen } => self
                .socket(sock)
                .and_then(|s| s.timers.get(kind))
                .is_some_and(|a| a.gen == gen),
            Job::Output(sock) => self.socket(sock).is_some_and(|s| s.tcb.output_scheduled),
        }
    }

    fn run_job(&mut self, job: Job) {
        match job {
            Job::Arrive(seg, slot) => self.arrive(seg, slot),
            Job::Timer { sock, kind, .. } => {
                self.set_timer_slot(sock, kind, None);
                self.emit(|| Event::TimerFired { sock, kind });
                self.timer_fired(sock, kind);
            }
            Job::Output(sock) => {
                self.sock_mut(sock).tcb.output_scheduled = false;
                self.foreground -= 1;
                self.tcp_output(sock);
            }
        }
    }

    fn schedule(&mut self, at: Micros, job: Job) {
        self.order += 1;
        self.queue.push(Scheduled {
            at,
            order: self.order,
            job,
        });
    }

    /// Asks for a transmission opportunity at the current instant.
    fn schedule_output(&mut self, id: SockId) {
        let s = self.sock_mut(id);
        if s.proto == Proto::Tcp && !s.tcb.output_scheduled {
            s.tcb.output_scheduled = true;
            self.foreground += 1;
            self.schedule(self.now, Job::Output(id));
        }
    }

    fn arm_timer(&mut self, sock: SockId, kind: TimerKind, after: Micros) {
        let at = self.now + after;
        self.order += 1;
        let gen = self.order;
        self.set_timer_slot(sock, kind, Some(Armed { at, gen }));
        self.schedule(at, Job::Timer { sock, kind, gen });
        self.emit(|| Event::TimerSet { sock, kind, at });
    }

    fn cancel_timer(&mut self, sock: SockId, kind: TimerKind) {
        self.set_timer_slot(sock, kind, None);
    }

    fn timer_armed(&self, sock: SockId, kind: TimerKind) -> bool {
        self.socket(sock)
            .is_some_and(|s| s.timers.get(kind).is_some())
    }

    /// The one place a timer slot changes, so the count of foreground work stays true.
    fn set_timer_slot(&mut self, sock: SockId, kind: TimerKind, new: Option<Armed>) {
        let fg = kind.is_foreground();
        let slot = self.sock_mut(sock).timers.slot(kind);
        let was = slot.is_some();
        *slot = new;
        if fg {
            match (was, new.is_some()) {
                (false, true) => self.foreground += 1,
                (true, false) => self.foreground -= 1,
                _ => {}
            }
        }
    }

    // ----- the wire -----

    /// Hands a segment to the network.
    fn transmit(&mut self, mut seg: Segment) {
        seg.id = SegId(self.next_seg);
        self.next_seg += 1;
        let from = seg.from_host;
        seg.to_host = self.owner_of(seg.dst.ip());
        let default = self.default_path();
        let (delay, fate) = match seg.to_host {
            None => (default.delay_us, Some(DropReason::NoRoute)),
            Some(to) => {
                let path = self.net.path_mut(from, to, &default);
                // FIFO: the segment waits for the link, is serialized, then propagates.
                let queued = path.occupy(self.now, seg.len);
                let (delay, loss) = (path.delay_us.saturating_add(queued), path.loss);
                let fate = if path.drop_next > 0 {
                    path.drop_next -= 1;
                    Some(DropReason::Injected)
                } else if loss > 0.0 && self.rng.next_f64() < loss {
                    Some(DropReason::Loss)
                } else {
                    None
                };
                (delay, fate)
            }
        };
        let arrives_at = self.now.saturating_add(delay);
        let id = seg.id;
        if self.cfg.trace {
            let sent_at = self.now;
            self.emit(|| Event::SegmentSent {
                seg: seg.clone(),
                sent_at,
                arrives_at,
            });
        }
        let slot = self.net.in_flight.insert(InFlight {
            seg,
            sent_at: self.now,
            arrives_at,
            fate,
        });
        self.schedule(arrives_at, Job::Arrive(id, slot));
    }

    fn arrive(&mut self, id: SegId, slot: WireSlot) {
        let Some(f) = self.net.in_flight.remove(slot, id) else {
            return;
        };
        let host = match (f.fate, f.seg.to_host) {
            (Some(reason), _) => return self.emit(|| Event::SegmentDropped { seg: id, reason }),
            (None, None) => {
                return self.emit(|| Event::SegmentDropped {
                    seg: id,
                    reason: DropReason::NoRoute,
                })
            }
            (None, Some(h)) => h,
        };
        if self.hosts[host.0 as usize].crashed {
            return self.emit(|| Event::SegmentDropped {
                seg: id,
                reason: DropReason::HostDown,
            });
        }
        self.emit(|| Event::SegmentArrived { seg: id, host });
        match f.seg.proto {
            Proto::Tcp => self.tcp_arrive(host, f.seg),
            Proto::Udp => self.udp_arrive(host, f.seg),
        }
    }

    /// The host that owns an address.
    fn owner_of(&self, ip: IpAddr) -> Option<HostId> {
        self.hosts
            .iter()
            .find(|h| h.addrs.contains(&ip))
            .map(|h| h.id)
    }

    /// The local address toward `dst`: an address of the same family, preferring one
    /// that shares the most leading bits with the destination (the same subnet).
    fn route_source(&self, host: HostId, dst: IpAddr) -> Option<IpAddr> {
        fn common_prefix(a: &IpAddr, b: &IpAddr) -> u32 {
            match (a, b) {
                (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(*a) ^ u32::from(*b)).leading_zeros(),
                (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(*a) ^ u128::from(*b)).leading_zeros(),
                _ => 0,
            }
        }
        let family = Family::of(&dst);
        self.hosts[host.0 as usize]
            .addrs
            .iter()
            .filter(|a| Family::of(a) == family)
            .max_by_key(|a| (common_prefix(a, &dst), Reverse(**a)))
            .copied()
    }

    // ----- structures -----

    fn sock_mut(&mut self, id: SockId) -> &mut Socket {
        self.socks[id.0 as usize]
            .as_mut()
            .expect("engine invariant: ids handed around name live structures")
    }

    fn new_socket(&mut self, host: HostId, proto: Proto, family: Family) -> SockId {
        let id = SockId(self.socks.len() as u32);
        self.socks.push(Some(Socket::new(
            id,
            host,
            proto,
            family,
            self.cfg.sndbuf,
            self.cfg.rcvbuf,
        )));
        self.emit(|| Event::SocketCreated { sock: id, host });
        id
    }

    /// Changes a structure's endpoints, keeping the host's demux index in step.
    fn set_endpoints(&mut self, id: SockId, f: impl FnOnce(&mut Socket)) {
        let host = self.sock_mut(id).host.0 as usize;
        let s = self.socks[id.0 as usize].as_mut().expect("live structure");
        self.indexes[host].remove(s);
        f(s);
        self.indexes[host].insert(s);
    }

    fn free_socket(&mut self, id: SockId) {
        for kind in TimerKind::ALL {
            self.cancel_timer(id, kind);
        }
        if self.sock_mut(id).tcb.output_scheduled {
            self.foreground -= 1;
        }
        let s = self.socks[id.0 as usize].take().expect("live structure");
        self.indexes[s.host.0 as usize].remove(&s);
        if let Some(parent) = s.parent.and_then(|p| self.socks[p.0 as usize].as_mut()) {
            if let Some(l) = parent.listener.as_mut() {
                l.incomplete.retain(|&c| c != id);
                l.ready.retain(|&c| c != id);
            }
        }
        self.emit(|| Event::SocketFreed {
            sock: id,
            host: s.host,
        });
    }

    fn next_tag(&mut self) -> SendTag {
        self.next_tag += 1;
        SendTag(self.next_tag)
    }

    /// Records an event. It is built only when the trace is on: experiments and long
    /// runs turn the trace off, and building (then dropping) an event per step costs.
    /// The count goes on either way, so positions stay those of a traced run.
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
