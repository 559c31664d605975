//! The slab of socket structures: creating, finding, re-addressing and freeing them.

use super::World;
use crate::addr::{Family, Proto};
use crate::ids::{HostId, SockId};
use crate::ledger::Loss;
use crate::socket::Socket;
use crate::trace::{Event, TimerKind};

impl World {
    pub(super) fn sock_mut(&mut self, id: SockId) -> &mut Socket {
        self.socks[id.0 as usize]
            .as_mut()
            .expect("engine invariant: ids handed around name live structures")
    }

    pub(super) fn new_socket(&mut self, host: HostId, proto: Proto, family: Family) -> SockId {
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
    pub(super) fn set_endpoints(&mut self, id: SockId, f: impl FnOnce(&mut Socket)) {
        let host = self.sock_mut(id).host.0 as usize;
        let s = self.socks[id.0 as usize].as_mut().expect("live structure");
        self.indexes[host].remove(s);
        f(s);
        self.indexes[host].insert(s);
    }

    pub(super) fn free_socket(&mut self, id: SockId) {
        self.free_socket_for(id, Loss::Freed)
    }

    /// Frees a structure; whatever its queues still hold is lost for `why`.
    pub(super) fn free_socket_for(&mut self, id: SockId, why: Loss) {
        let s = self.sock_mut(id);
        let (out, inc) = (s.sendq.clear(), s.recvq.clear());
        s.datagrams.clear();
        s.ledger.out.lost.add(why, out);
        s.ledger.inc.lost.add(why, inc);
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
}
