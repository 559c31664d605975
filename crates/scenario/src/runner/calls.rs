//! Issuing calls and forks for the scenario's processes.

use super::{LineKind, Runner, Waiting};
use crate::ast::{CallStmt, FdRef, ProcRef};
use crate::error::CannotRun;
use crate::format;
use sockscope_engine::{CallReply, Fd, Pid, Ret, RunOutcome};
use std::collections::BTreeMap;

/// What a call came to when the scenario moved on.
pub(super) enum Came {
    Returned(Ret),
    StillBlocked,
}

impl Runner {
    /// An existing process, or an error that says why there is none.
    pub(super) fn existing(&self, r: &ProcRef) -> Result<Pid, CannotRun> {
        self.check_running(&r.host)?;
        self.procs
            .find(r)
            .map(|p| p.pid)
            .ok_or_else(|| CannotRun::NoProcessYet(r.clone()))
    }

    /// The host exists and has not crashed.
    pub(super) fn check_running(&self, host: &str) -> Result<sockscope_engine::HostId, CannotRun> {
        let id = self.host_id(host)?;
        if self.world.host(id).is_some_and(|h| h.crashed) {
            return Err(CannotRun::HostCrashed(host.to_string()));
        }
        Ok(id)
    }

    /// The process a call line names; `HOST/PROC` is created on first use.
    fn process_for_call(&mut self, r: &ProcRef) -> Result<Pid, CannotRun> {
        let host = self.check_running(&r.host)?;
        if let Some(p) = self.procs.find(r) {
            return Ok(p.pid);
        }
        let Some(name) = r.proc.clone() else {
            return Err(CannotRun::NoSuchProcess(r.clone()));
        };
        let pid = self.world.spawn(host, &name).map_err(CannotRun::World)?;
        self.procs.add(pid, r, BTreeMap::new());
        Ok(pid)
    }

    /// A descriptor argument as the process knows it.
    pub(super) fn resolve_fd(&self, r: &ProcRef, fd: &FdRef) -> Result<Fd, CannotRun> {
        match fd {
            FdRef::Num(n) => Ok(Fd(*n)),
            FdRef::Var(v) => self
                .procs
                .find(r)
                .and_then(|p| p.vars.get(v).copied())
                .ok_or_else(|| CannotRun::NoVariable {
                    proc: r.clone(),
                    var: v.clone(),
                }),
        }
    }

    fn refuse_if_busy(&self, pid: Pid) -> Result<(), CannotRun> {
        match self.waiting.get(&pid) {
            Some(w) => Err(CannotRun::Blocked {
                proc: self.procs.label(pid),
                call: w.text.clone(),
                line: w.line,
            }),
            None => Ok(()),
        }
    }

    /// Issues a call. If it blocks, and was not written with `&`, the network runs
    /// until it returns or nothing more can happen.
    pub(super) fn call(&mut self, r: &ProcRef, cs: &CallStmt) -> Result<Came, CannotRun> {
        self.check_running(&r.host)?;
        if let Some(p) = self.procs.find(r) {
            self.refuse_if_busy(p.pid)?;
        }
        let call = cs.call.clone().try_map_fd(|fd| self.resolve_fd(r, &fd))?;
        let pid = self.process_for_call(r)?;
        let text = match &cs.var {
            Some(v) => format!("{r}: {v} = {}", cs.call),
            None => format!("{r}: {}", cs.call),
        };
        let reply = self
            .world
            .call(pid, call)
            .map_err(|why| CannotRun::Rejected {
                proc: r.clone(),
                why,
            })?;
        match reply {
            CallReply::Returned(ret) => {
                self.last_call_blocked = false;
                self.bind(pid, cs.var.as_deref(), &ret);
                self.emit(LineKind::Call, format!("{text} = {}", format::ret(&ret)));
                self.absorb_trace();
                Ok(Came::Returned(ret))
            }
            CallReply::Blocked => {
                self.last_call_blocked = true;
                self.emit(LineKind::Call, format!("{text} blocks"));
                self.waiting.insert(
                    pid,
                    Waiting {
                        text,
                        var: cs.var.clone(),
                        line: self.current_line,
                    },
                );
                self.absorb_trace();
                if !cs.background {
                    self.run_while_blocked(pid);
                }
                if self.waiting.contains_key(&pid) {
                    return Ok(Came::StillBlocked);
                }
                Ok(self
                    .returned
                    .get(&pid)
                    .copied()
                    .map_or(Came::StillBlocked, Came::Returned))
            }
        }
    }

    /// `var = call(...)` keeps the descriptor; a failed call leaves -1 in it, as C would.
    pub(super) fn bind(&mut self, pid: Pid, var: Option<&str>, ret: &Ret) {
        let Some(var) = var else { return };
        let fd = match ret {
            Ok(v) => v.fd().unwrap_or(Fd(v.as_int() as i32)),
            Err(_) => Fd(-1),
        };
        if let Some(p) = self.procs.by_pid_mut(pid) {
            p.vars.insert(var.to_string(), fd);
        }
    }

    /// Lets the network run until `pid`'s call returns or the world is idle.
    fn run_while_blocked(&mut self, pid: Pid) {
        let mut events = 0;
        while self.waiting.contains_key(&pid) {
            if events == self.budget {
                self.emit(
                    LineKind::Net,
                    format!(
                        "  (stopped after {events} events with the call still blocked; the network is still busy)"
                    ),
                );
                break;
            }
            let outcome = self.world.run_until_idle(1);
            self.absorb_trace();
            match outcome {
                RunOutcome::Limit => events += 1,
                RunOutcome::Idle | RunOutcome::Deadlock(_) | RunOutcome::Reached => break,
            }
        }
    }

    /// `fork(child)`: a new process with a copy of the descriptor table and variables.
    pub(super) fn fork(&mut self, r: &ProcRef, child: &str) -> Result<(), CannotRun> {
        self.check_running(&r.host)?;
        if let Some(p) = self.procs.find(r) {
            self.refuse_if_busy(p.pid)?;
        }
        let child_ref = ProcRef {
            host: r.host.clone(),
            proc: Some(child.to_string()),
        };
        if self.procs.find(&child_ref).is_some() {
            return Err(CannotRun::ProcessExists(child_ref));
        }
        let parent = self.process_for_call(r)?;
        let vars = self
            .procs
            .by_pid(parent)
            .map(|p| p.vars.clone())
            .unwrap_or_default();
        let pid = self.world.fork(parent, child).map_err(CannotRun::World)?;
        self.procs.add(pid, &child_ref, vars);
        self.emit(
            LineKind::Call,
            format!(
                "{r}: fork({child}) = {child_ref} (its own copy of the descriptors and variables)"
            ),
        );
        Ok(())
    }
}
