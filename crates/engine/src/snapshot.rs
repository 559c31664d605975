//! Snapshots: what the view draws, computed from the world in one pass.

use crate::addr::{Endpoint, Family, Proto};
use crate::host::Pending;
use crate::ids::{Fd, HostId, Pid, SegId, SockId};
use crate::queue::Run;
use crate::segment::Segment;
use crate::socket::Socket;
use crate::state::TcpState;
use crate::table::SsRow;
pub use crate::table::{netstat_text, NETSTAT_HEADER};
use crate::time::Micros;
use crate::trace::DeadlockReport;
use crate::world::World;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// One line of `netstat -a` for one socket structure (its spelling: `table.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetstatRow {
    pub sock: SockId,
    pub proto: String,
    pub recv_q: u64,
    pub send_q: u64,
    pub local: String,
    pub foreign: String,
    /// Empty for UDP.
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub len: u64,
    pub capacity: u64,
    pub runs: Vec<Run>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerView {
    pub backlog: u32,
    pub incomplete: Vec<SockId>,
    pub ready: Vec<SockId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketView {
    pub id: SockId,
    pub host: HostId,
    pub proto: Proto,
    pub family: Family,
    pub state: TcpState,
    pub local: Endpoint,
    pub remote: Endpoint,
    /// SendQ: unacknowledged plus unsent bytes.
    pub sendq: QueueView,
    /// Of SendQ, bytes sent but not acknowledged.
    pub in_flight: u64,
    pub recvq: QueueView,
    /// Bytes the program has read so far, and the most recent of their runs.
    pub delivered_total: u64,
    pub delivered_recent: Vec<Run>,
    /// UDP: sizes of the datagrams waiting in RecvQ.
    pub datagrams: Vec<u64>,
    pub listener: Option<ListenerView>,
    pub parent: Option<SockId>,
    pub peer: Option<SockId>,
    /// The peer's last advertised window.
    pub peer_window: u64,
    /// (process, descriptor) pairs that refer to this structure.
    pub descriptors: Vec<(Pid, Fd)>,
    pub read_shut: bool,
    pub write_shut: bool,
    pub reuse_addr: bool,
    pub linger: Option<u32>,
    pub nonblocking: bool,
    /// IPV6_V6ONLY: an IPv6 socket that takes no IPv4.
    #[serde(default)]
    pub v6only: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessView {
    pub pid: Pid,
    pub host: HostId,
    pub name: String,
    pub alive: bool,
    pub fds: Vec<(Fd, SockId)>,
    pub pending: Option<Pending>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostView {
    pub id: HostId,
    pub name: String,
    pub addrs: Vec<IpAddr>,
    pub crashed: bool,
    pub netstat: Vec<NetstatRow>,
    /// The same structures as `ss` lists them.
    pub ss: Vec<SsRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireView {
    pub seg: Segment,
    pub sent_at: Micros,
    pub arrives_at: Micros,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub time: Micros,
    pub hosts: Vec<HostView>,
    pub processes: Vec<ProcessView>,
    pub sockets: Vec<SocketView>,
    pub wire: Vec<WireView>,
    pub deadlock: Option<DeadlockReport>,
}

impl Snapshot {
    pub fn socket(&self, id: SockId) -> Option<&SocketView> {
        self.sockets.iter().find(|s| s.id == id)
    }

    pub fn segment(&self, id: SegId) -> Option<&WireView> {
        self.wire.iter().find(|w| w.seg.id == id)
    }
}

fn queue_view(q: &crate::queue::ByteQueue) -> QueueView {
    QueueView {
        len: q.len(),
        capacity: q.capacity(),
        runs: q.runs().copied().collect(),
    }
}

impl World {
    /// netstat for one host: one row per structure, oldest first.
    pub fn netstat(&self, host: HostId) -> Vec<NetstatRow> {
        let mode = self.config().behaviour;
        self.sockets()
            .filter(|s| s.host == host)
            .filter(|s| match s.proto {
                Proto::Tcp => {
                    s.state != crate::state::TcpState::Closed || mode.lists_closed_structures()
                }
                Proto::Udp => s.local.port.is_some() || mode.lists_unbound_datagram_structures(),
            })
            .map(|s| {
                // The peer's FIN is unread while the program still holds the socket
                // (or dropped it unread: close() does not read it) and has not reached
                // it with recv(); a TIME_WAIT structure keeps no queue.
                let fin_unread = s.proto == Proto::Tcp
                    && s.tcb.fin_received
                    && !s.tcb.fin_read
                    && s.state != crate::state::TcpState::TimeWait;
                let v6 = if s.family == Family::V6 { "6" } else { "" };
                let proto = match s.proto {
                    Proto::Tcp => "tcp",
                    Proto::Udp => "udp",
                };
                NetstatRow {
                    sock: s.id,
                    proto: format!("{proto}{v6}"),
                    recv_q: mode.shown_recv_q(s.recvq.len(), fin_unread),
                    send_q: s.sendq.len(),
                    local: s.local.netstat(s.family),
                    foreign: s.remote.netstat(s.family),
                    state: match s.proto {
                        Proto::Tcp => s.state.to_string(),
                        Proto::Udp => String::new(),
                    },
                }
            })
            .collect()
    }

    /// Everything the view needs to draw one moment.
    pub fn snapshot(&self) -> Snapshot {
        let descriptors = |id: SockId| -> Vec<(Pid, Fd)> {
            self.processes()
                .iter()
                .flat_map(|p| {
                    p.fds
                        .iter()
                        .filter(move |(_, &s)| s == id)
                        .map(move |(&fd, _)| (p.pid, fd))
                })
                .collect()
        };
        Snapshot {
            time: self.now(),
            hosts: self
                .hosts()
                .iter()
                .map(|h| HostView {
                    id: h.id,
                    name: h.name.clone(),
                    addrs: h.addrs.clone(),
                    crashed: h.crashed,
                    netstat: self.netstat(h.id),
                    ss: self.ss(h.id),
                })
                .collect(),
            processes: self
                .processes()
                .iter()
                .map(|p| ProcessView {
                    pid: p.pid,
                    host: p.host,
                    name: p.name.clone(),
                    alive: p.alive,
                    fds: p.fds.iter().map(|(&fd, &s)| (fd, s)).collect(),
                    pending: p.pending.clone(),
                })
                .collect(),
            sockets: self
                .sockets()
                .map(|s| self.socket_view(s, descriptors(s.id)))
                .collect(),
            wire: self
                .in_flight()
                .map(|f| WireView {
                    seg: f.seg.clone(),
                    sent_at: f.sent_at,
                    arrives_at: f.arrives_at,
                })
                .collect(),
            deadlock: self.deadlock(),
        }
    }

    /// One structure as the view draws it; `descriptors` are those that refer to it.
    fn socket_view(&self, s: &Socket, descriptors: Vec<(Pid, Fd)>) -> SocketView {
        SocketView {
            id: s.id,
            host: s.host,
            proto: s.proto,
            family: s.family,
            state: s.state,
            local: s.local,
            remote: s.remote,
            sendq: queue_view(&s.sendq),
            in_flight: s.in_flight(),
            recvq: queue_view(&s.recvq),
            delivered_total: s.delivered.total(),
            delivered_recent: s.delivered.recent().copied().collect(),
            datagrams: s.datagrams.iter().map(|d| d.len).collect(),
            listener: s.listener.as_ref().map(|l| ListenerView {
                backlog: l.backlog,
                incomplete: l.incomplete.clone(),
                ready: l.ready.iter().copied().collect(),
            }),
            parent: s.parent,
            peer: self.peer_of(s.id),
            peer_window: s.tcb.snd_wnd,
            descriptors,
            read_shut: s.read_shut,
            write_shut: s.write_shut,
            reuse_addr: s.opts.reuse_addr,
            linger: s.opts.linger,
            nonblocking: s.opts.nonblocking,
            v6only: s.opts.v6only,
        }
    }
}
