//! `net:` commands: moving the network and changing its paths.

use super::{LineKind, Runner};
use crate::ast::{Link, NetCmd, ProcRef};
use crate::format;
use crate::units::{format_duration, format_fraction};
use sockscope_engine::{HostId, Micros, RunOutcome};
use std::collections::BTreeMap;

impl Runner {
    pub(super) fn net(&mut self, cmd: &NetCmd) -> Result<(), String> {
        match cmd {
            NetCmd::Deliver(_) | NetCmd::Step(_) | NetCmd::Run(_) => {
                let summary = self.move_network(cmd);
                self.moved(cmd, summary);
            }
            NetCmd::DropNext(link) => {
                for (from, to) in self.directions(link)? {
                    self.world.drop_next(from, to);
                }
                let what = if link.both {
                    format!(
                        "the next segment each way between {} and {}",
                        link.from, link.to
                    )
                } else {
                    format!("the next segment from {} to {}", link.from, link.to)
                };
                self.emit(LineKind::Echo, format!("net: {cmd}: {what} will be lost"));
            }
            NetCmd::Loss(link, p) => {
                for (from, to) in self.directions(link)? {
                    let delay = self.path(from, to).0;
                    self.set_path(from, to, delay, *p);
                }
                let p = format_fraction(*p);
                self.emit(
                    LineKind::Echo,
                    format!("net: {cmd}: from now on each segment is lost with probability {p}"),
                );
            }
            NetCmd::Delay(link, d) => {
                for (from, to) in self.directions(link)? {
                    let loss = self.path(from, to).1;
                    self.set_path(from, to, *d, loss);
                }
                let d = format_duration(*d);
                self.emit(
                    LineKind::Echo,
                    format!("net: {cmd}: a segment now takes {d}"),
                );
            }
            NetCmd::Reorder(link, p, d) => {
                for (from, to) in self.directions(link)? {
                    self.world.set_reorder(from, to, *p, *d);
                }
                let (p, d) = (format_fraction(*p), format_duration(*d));
                self.emit(
                    LineKind::Echo,
                    format!("net: {cmd}: from now on each segment is held back by {d} with probability {p}, so later ones can overtake it"),
                );
            }
            NetCmd::Duplicate(link, p) => {
                for (from, to) in self.directions(link)? {
                    self.world.set_duplicate(from, to, *p);
                }
                let p = format_fraction(*p);
                self.emit(
                    LineKind::Echo,
                    format!(
                        "net: {cmd}: from now on each segment arrives twice with probability {p}"
                    ),
                );
            }
            NetCmd::Inject(inj) => {
                let seg = self.world.inject(inj).map_err(|e| e.to_string())?;
                self.emit(
                    LineKind::Echo,
                    format!("net: {cmd}: forged segment {} is on the wire", seg.0),
                );
                self.absorb_trace();
            }
            NetCmd::Crash(host) => self.crash(cmd, host)?,
            NetCmd::Restart(host) => self.restart(cmd, host)?,
        }
        Ok(())
    }

    /// `deliver`, `step` and `run`: the world's time surface, each bounded by the
    /// event budget. Returns the summary of what happened.
    fn move_network(&mut self, cmd: &NetCmd) -> String {
        match *cmd {
            NetCmd::Deliver(n) => {
                let done = self.world.deliver(n.min(self.budget));
                let verb = if done == 1 { "was" } else { "were" };
                let summary = format!("{} arrived or {verb} lost", format::count(done, "segment"));
                if done == n {
                    summary
                } else {
                    format!("only {summary}; nothing more is on its way")
                }
            }
            NetCmd::Step(n) => {
                let mut done = 0;
                while done < n.min(self.budget) && self.world.step() {
                    done += 1;
                }
                format::count(done, "event")
            }
            NetCmd::Run(None) => match self.world.run_until_idle(self.budget) {
                RunOutcome::Deadlock(_) => "stuck in a deadlock".to_string(),
                RunOutcome::Limit => format!(
                    "stopped after {} events; the network is still busy",
                    self.budget
                ),
                // Idle (`Reached` is run_until's answer).
                _ => "idle".to_string(),
            },
            NetCmd::Run(Some(d)) => {
                let target = self.world.now().saturating_add(d);
                let before = self.world.jobs_run();
                let outcome = self.world.run_until(target, self.budget);
                let done = self.world.jobs_run() - before;
                if outcome == RunOutcome::Limit {
                    format!("stopped after {done} events, before the time was up")
                } else {
                    format::count(done, "event")
                }
            }
            _ => unreachable!("only commands that move the network"),
        }
    }

    fn crash(&mut self, cmd: &NetCmd, host: &str) -> Result<(), String> {
        let id = self.check_running(host)?;
        self.world.crash(id).map_err(|e| e.to_string())?;
        self.emit(
            LineKind::Net,
            format!("net: {cmd}: {host} stops at once; its structures vanish without a FIN and its programs die"),
        );
        self.absorb_trace();
        self.procs.forget_host(host);
        Ok(())
    }

    fn restart(&mut self, cmd: &NetCmd, host: &str) -> Result<(), String> {
        let id = self.host_id(host)?;
        if !self.world.host(id).is_some_and(|h| h.crashed) {
            return Err(format!(
                "{host} is running; only a crashed host can restart"
            ));
        }
        self.world.restart(id).map_err(|e| e.to_string())?;
        let pid = self.world.spawn(id, host).map_err(|e| e.to_string())?;
        self.procs.add(pid, &ProcRef::host(host), BTreeMap::new());
        self.emit(
            LineKind::Net,
            format!("net: {cmd}: {host} boots with no sockets; its program starts afresh, with no variables"),
        );
        self.absorb_trace();
        Ok(())
    }

    /// The summary line of a command that moved the network, then what happened.
    fn moved(&mut self, cmd: &NetCmd, summary: String) {
        let now = format::at(self.world.now());
        self.emit(LineKind::Net, format!("net: {cmd}: {summary}, now {now}"));
        self.absorb_trace();
    }

    fn directions(&self, link: &Link) -> Result<Vec<(HostId, HostId)>, String> {
        let from = self.host_id(&link.from)?;
        let to = self.host_id(&link.to)?;
        Ok(if link.both {
            vec![(from, to), (to, from)]
        } else {
            vec![(from, to)]
        })
    }

    /// Current delay and loss of a direction (the world's defaults until changed).
    fn path(&self, from: HostId, to: HostId) -> (Micros, f64) {
        self.paths
            .get(&(from, to))
            .copied()
            .unwrap_or((self.cfg.delay_us, self.cfg.loss))
    }

    fn set_path(&mut self, from: HostId, to: HostId, delay: Micros, loss: f64) {
        self.paths.insert((from, to), (delay, loss));
        self.world.set_path(from, to, delay, loss);
    }
}
