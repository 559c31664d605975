//! The scenario's processes: which engine process a `HOST` or `HOST/PROC` prefix
//! names, and each process's variables (descriptor names).

use crate::ast::ProcRef;
use serde::{Deserialize, Serialize};
use sockscope_engine::{Fd, Pid};
use std::collections::BTreeMap;

/// One live process as the scenario knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcInfo {
    pub pid: Pid,
    pub host: String,
    /// `None` for the host's default process.
    pub name: Option<String>,
    /// Variable name to descriptor number.
    pub vars: BTreeMap<String, Fd>,
}

impl ProcInfo {
    /// How output lines name the process: `A` or `A/child`.
    pub fn label(&self) -> String {
        self.proc_ref().to_string()
    }

    pub fn proc_ref(&self) -> ProcRef {
        ProcRef {
            host: self.host.clone(),
            proc: self.name.clone(),
        }
    }
}

/// Live processes of the scenario; those of a crashed host are forgotten.
#[derive(Clone, Debug, Default)]
pub struct Procs {
    list: Vec<ProcInfo>,
}

impl Procs {
    /// `A/A` is the same as `A`: the default process carries the host's name.
    fn key(r: &ProcRef) -> (&str, Option<&str>) {
        let name = r.proc.as_deref().filter(|p| *p != r.host);
        (r.host.as_str(), name)
    }

    pub fn find(&self, r: &ProcRef) -> Option<&ProcInfo> {
        let key = Self::key(r);
        self.list
            .iter()
            .find(|p| (p.host.as_str(), p.name.as_deref()) == key)
    }

    pub fn by_pid(&self, pid: Pid) -> Option<&ProcInfo> {
        self.list.iter().find(|p| p.pid == pid)
    }

    pub fn by_pid_mut(&mut self, pid: Pid) -> Option<&mut ProcInfo> {
        self.list.iter_mut().find(|p| p.pid == pid)
    }

    pub fn add(&mut self, pid: Pid, r: &ProcRef, vars: BTreeMap<String, Fd>) {
        let name = Self::key(r).1.map(str::to_string);
        self.list.push(ProcInfo {
            pid,
            host: r.host.clone(),
            name,
            vars,
        });
    }

    /// The host crashed: its processes are gone.
    pub fn forget_host(&mut self, host: &str) {
        self.list.retain(|p| p.host != host);
    }

    pub fn all(&self) -> &[ProcInfo] {
        &self.list
    }

    pub fn label(&self, pid: Pid) -> String {
        self.by_pid(pid)
            .map(ProcInfo::label)
            .unwrap_or_else(|| pid.to_string())
    }
}
