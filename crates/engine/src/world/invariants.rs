//! Internal consistency checks, for tests and fuzzers: they must hold after any
//! sequence of calls and network steps.

use super::World;
use crate::socket::Socket;
use std::collections::BTreeMap;

impl World {
    /// Checks the bookkeeping that the engine keeps for speed against what it can
    /// recompute slowly. Returns a description of the first broken invariant.
    pub fn check_invariants(&self) -> Result<(), String> {
        let refs = self.descriptors()?;
        let mut foreground = 0;
        let mut indexed = vec![0usize; self.hosts.len()];
        for s in self.sockets() {
            let want = refs.get(&s.id.0).copied().unwrap_or(0);
            if s.refs != want {
                return Err(format!(
                    "{} counts {} descriptors, {} exist",
                    s.id, s.refs, want
                ));
            }
            if s.local.port.is_some() {
                indexed[s.host.0 as usize] += 1;
            }
            self.check_structure(s)?;
            foreground += s.timers.armed().filter(|(k, _)| k.is_foreground()).count();
            foreground += s.tcb.output_scheduled as usize;
        }
        for (h, n) in indexed.iter().enumerate() {
            if self.indexes[h].len() != *n {
                return Err(format!(
                    "host{h}'s demux index holds {} entries for {n} bound structures",
                    self.indexes[h].len()
                ));
            }
        }
        self.check_counts(foreground)?;
        self.check_bytes()
    }

    /// How many live descriptors name each structure; an error if one names a freed one.
    fn descriptors(&self) -> Result<BTreeMap<u32, u32>, String> {
        let mut refs: BTreeMap<u32, u32> = BTreeMap::new();
        for p in self.procs.iter().filter(|p| p.alive) {
            for (fd, s) in &p.fds {
                if self.socket(*s).is_none() {
                    return Err(format!("{} fd {fd} names freed {s}", p.pid));
                }
                *refs.entry(s.0).or_default() += 1;
            }
        }
        Ok(refs)
    }

    /// One structure on its own: indexed if bound, its listener lists and parent
    /// pointer agree, its sequence space is in order.
    fn check_structure(&self, s: &Socket) -> Result<(), String> {
        if let Some(port) = s.local.port {
            if !self.indexes[s.host.0 as usize]
                .on_port(s.proto, port)
                .any(|id| id == s.id)
            {
                return Err(format!("{} is missing from the demux index", s.id));
            }
        }
        if let Some(parent) = s.parent {
            let listed = self
                .socket(parent)
                .and_then(|p| p.listener.as_ref())
                .is_some_and(|l| l.incomplete.contains(&s.id) || l.ready.contains(&s.id));
            if !listed && s.refs == 0 {
                return Err(format!(
                    "{} hangs off {parent} but is in neither of its lists",
                    s.id
                ));
            }
        }
        if let Some(l) = &s.listener {
            for c in l.incomplete.iter().chain(l.ready.iter()) {
                if self.socket(*c).is_none_or(|c| c.parent != Some(s.id)) {
                    return Err(format!(
                        "{}'s lists name {c}, which does not point back",
                        s.id
                    ));
                }
            }
        }
        if s.tcb.snd_una > s.tcb.snd_nxt || s.tcb.snd_nxt > s.tcb.snd_max + 1 {
            return Err(format!("{} sequence space out of order: {:?}", s.id, s.tcb));
        }
        Ok(())
    }

    /// The world's counters against what they count; `foreground` as recounted.
    fn check_counts(&self, foreground: usize) -> Result<(), String> {
        let blocked = self.procs.iter().filter(|p| p.pending.is_some()).count();
        if blocked != self.blocked {
            return Err(format!(
                "blocked calls counted {} but {blocked} exist",
                self.blocked
            ));
        }
        if !self.first_job_is_live() {
            return Err("the agenda's first job was cancelled but not dropped".into());
        }
        if foreground != self.foreground {
            return Err(format!(
                "foreground work counted {} but {} exists",
                self.foreground, foreground
            ));
        }
        Ok(())
    }
}
