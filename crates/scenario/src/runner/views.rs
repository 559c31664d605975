//! Looking at the world: `netstat`, `ss` and `explain`.

use super::{LineKind, Runner};
use crate::ast::Packet;
use crate::error::CannotRun;
use crate::format;
use sockscope_engine::{HostId, Layout, SockId};

impl Runner {
    /// A host by name, or a message saying how to declare it.
    pub(super) fn host_id(&self, name: &str) -> Result<HostId, CannotRun> {
        self.world
            .host_by_name(name)
            .ok_or_else(|| CannotRun::UnknownHost(name.to_string()))
    }

    /// `netstat HOST` or `ss HOST`: the statement, then the host's table in that layout.
    pub(super) fn table(&mut self, host: &str, layout: Layout) -> Result<(), CannotRun> {
        let id = self.host_id(host)?;
        self.emit(LineKind::Netstat, format!("{layout} {host}"));
        let table = self.world.table(id, layout);
        for l in table.lines() {
            self.emit(LineKind::Netstat, l.to_string());
        }
        Ok(())
    }

    pub(super) fn explain(&mut self, host: &str, packet: &Packet) -> Result<(), CannotRun> {
        let id = self.host_id(host)?;
        let record = self
            .world
            .explain_demux(id, packet.proto, packet.from, packet.to);
        self.emit(LineKind::Explain, format!("explain {host} {packet}"));
        let rows = format::demux_table(&record, |c| self.sock_name(c.sock));
        for row in rows {
            self.emit(LineKind::Explain, row);
        }
        Ok(())
    }

    /// The scenario's names for a structure: the variables that refer to it (`l`,
    /// `A/child:l`), or the engine's id if none does.
    pub(super) fn sock_name(&self, sock: SockId) -> String {
        let names = self.sock_names(sock);
        if names.is_empty() {
            sock.to_string()
        } else {
            names.join(",")
        }
    }

    /// The variables that refer to a structure, named as `sock_name` names them.
    pub(super) fn sock_names(&self, sock: SockId) -> Vec<String> {
        let mut names = Vec::new();
        for p in self.procs.all() {
            let Some(proc) = self.world.process(p.pid) else {
                continue;
            };
            for (var, fd) in &p.vars {
                if proc.fds.get(fd) == Some(&sock) {
                    names.push(match &p.name {
                        None => var.clone(),
                        Some(_) => format!("{}:{var}", p.label()),
                    });
                }
            }
        }
        names
    }
}
