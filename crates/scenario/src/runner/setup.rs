//! Building the world: `option` and `host` statements.

use super::{LineKind, Runner};
use crate::ast::{ProcRef, Setting};
use crate::error::CannotRun;
use sockscope_engine::{World, WorldError};
use std::collections::BTreeMap;
use std::net::IpAddr;

impl Runner {
    pub(super) fn option(&mut self, s: &Setting) -> Result<(), CannotRun> {
        if !self.world.hosts().is_empty() {
            return Err(CannotRun::OptionAfterHost {
                option: s.to_string(),
            });
        }
        let c = &mut self.cfg;
        match *s {
            Setting::Seed(v) => c.seed = v,
            Setting::Mss(v) => c.mss = v.max(1),
            Setting::InitialCwnd(v) => c.initial_cwnd = v.max(1),
            Setting::Delay(v) => c.delay_us = v,
            Setting::Loss(v) => c.loss = v.clamp(0.0, 1.0),
            Setting::SndBuf(v) => self.buffer_options.0 = Some(v.max(1)),
            Setting::RcvBuf(v) => self.buffer_options.1 = Some(v.max(1)),
            Setting::TimeWait(v) => c.time_wait_us = v,
            Setting::InitialRto(v) => c.initial_rto_us = v,
            Setting::MinRto(v) => c.min_rto_us = v,
            Setting::MaxRto(v) => c.max_rto_us = v,
            Setting::SynRetries(v) => c.syn_retries = v,
            Setting::SynackRetries(v) => c.synack_retries = v,
            Setting::DataRetries(v) => c.data_retries = v,
            Setting::EphemeralFirst(v) => c.ephemeral_first = v,
            Setting::EphemeralLast(v) => c.ephemeral_last = v,
            Setting::Behaviour(v) => c.behaviour = v,
        }
        // The runner reads the trace to report what happened, so it stays on.
        c.trace = true;
        // As setsockopt() would on every socket: Linux mode doubles, with minimums.
        let mode = c.behaviour;
        if let Some(n) = self.buffer_options.0 {
            c.sndbuf = mode.send_buffer(n).capacity;
        }
        if let Some(n) = self.buffer_options.1 {
            c.rcvbuf = mode.receive_buffer(n).capacity;
        }
        self.world = World::new(self.cfg.clone());
        self.emit(LineKind::Echo, format!("option {s}"));
        Ok(())
    }

    pub(super) fn host(&mut self, name: &str, addrs: &[IpAddr]) -> Result<(), CannotRun> {
        if self.world.host_by_name(name).is_some() {
            return Err(CannotRun::HostExists(name.to_string()));
        }
        let id = self.world.add_host(name, addrs).map_err(|e| match e {
            WorldError::AddressTaken(ip) => {
                let owner = self
                    .world
                    .hosts()
                    .iter()
                    .find(|h| h.addrs.contains(&ip))
                    .map_or_else(|| "another host".to_string(), |h| h.name.clone());
                CannotRun::AddressTaken { ip, owner }
            }
            other => CannotRun::World(other),
        })?;
        let pid = self.world.spawn(id, name).map_err(CannotRun::World)?;
        self.procs.add(pid, &ProcRef::host(name), BTreeMap::new());
        let list: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
        self.emit(LineKind::Echo, format!("host {name} {}", list.join(" ")));
        Ok(())
    }
}
