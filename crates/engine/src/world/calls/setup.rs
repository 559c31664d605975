//! socket(), bind(), listen(), connect() and accept(): making connections.

use super::Poll::{self, Block, Done};
use crate::addr::{addr_seen_by, unmapped, wire_destination, Endpoint, Family, Proto};
use crate::behaviour::{Behaviour, BindPair, PortFor};
use crate::call::{Ret, Value};
use crate::demux::Binding;
use crate::difference::Difference;
use crate::errno::Errno;
use crate::ids::{HostId, Pid, SockId};
use crate::state::TcpState;
use crate::world::World;
use std::net::{IpAddr, SocketAddr};

impl World {
    pub(super) fn do_socket(&mut self, pid: Pid, proto: Proto, family: Family) -> Value {
        let host = self.procs[pid.0 as usize].host;
        let id = self.new_socket(host, proto, family);
        self.sock_mut(id).refs = 1;
        Value::Fd(self.alloc_fd(pid, id))
    }

    /// A free ephemeral port on the host, searched round-robin.
    fn ephemeral_port(&mut self, host: HostId, proto: Proto) -> Option<u16> {
        let (first, last) = (
            self.cfg.ephemeral_first,
            self.cfg.ephemeral_last.max(self.cfg.ephemeral_first),
        );
        let span = (last - first) as u32 + 1;
        let start = self.hosts[host.0 as usize]
            .next_ephemeral
            .clamp(first, last);
        for i in 0..span {
            let port = first + ((start - first) as u32 + i).rem_euclid(span) as u16;
            if !self.indexes[host.0 as usize].port_in_use(proto, port) {
                self.hosts[host.0 as usize].next_ephemeral =
                    if port == last { first } else { port + 1 };
                return Some(port);
            }
        }
        None
    }

    /// MODEL.md §6: bind fails if a structure already holds this local port and
    /// address. SO_REUSEADDR lets a structure bind beside one in TIME_WAIT (or any
    /// non-listening connection) and beside one bound to a different address.
    /// Addresses overlap across families too: a dual-stack `[::]` covers every IPv4
    /// address (`Binding::overlap`). The rule itself is `Behaviour::bind_conflict`.
    fn bind_conflict(&self, me: SockId, ip: Option<IpAddr>, port: u16, mode: Behaviour) -> bool {
        let s = self.socket(me).expect("live structure");
        let reuse = s.opts.reuse_addr;
        let mine = Binding {
            ip,
            ..Binding::of(s)
        };
        self.indexes[s.host.0 as usize]
            .on_port(s.proto, port)
            .filter_map(|id| self.socket(id))
            .filter(|o| o.id != me)
            .any(|o| {
                let Some(same_ip) = mine.overlap(&Binding::of(o)) else {
                    return false;
                };
                mode.bind_conflict(BindPair {
                    overlap: true,
                    same_ip,
                    new_reuse: reuse,
                    old_reuse: o.opts.reuse_addr,
                    old_listening: o.state == TcpState::Listen,
                    old_plain_bound: o.state == TcpState::Closed && o.remote.ip.is_none(),
                })
            })
    }

    pub(super) fn do_bind(&mut self, sock: SockId, addr: Endpoint) -> Ret {
        self.bind_for(sock, addr, PortFor::Bind)
    }

    /// bind(), explicit or implicit (`why` names the call that needs a port).
    fn bind_for(&mut self, sock: SockId, addr: Endpoint, why: PortFor) -> Ret {
        let s = self.socket(sock).expect("live structure");
        let (host, proto, family) = (s.host, s.proto, s.family);
        if s.local.port.is_some() {
            return Err(Errno::EINVAL);
        }
        if addr.ip.is_some_and(|ip| Family::of(&ip) != family) {
            let mode = self.behaviour();
            if mode.bind_other_family(family) != mode.other().bind_other_family(family) {
                self.other_mode(Some(sock), Difference::BindOtherFamily);
            }
            return Err(mode.bind_other_family(family));
        }
        // 0.0.0.0 and [::] are the wildcard, as INADDR_ANY and in6addr_any are in C;
        // [::ffff:a.b.c.d] binds an IPv6 socket to that IPv4 address.
        let ip = addr.bound_ip().map(unmapped);
        if let Some(ip) = ip {
            if Family::of(&ip) != family && s.opts.v6only {
                return Err(Errno::EINVAL);
            }
            if !self.hosts[host.0 as usize].addrs.contains(&ip) {
                return Err(Errno::EADDRNOTAVAIL);
            }
        }
        let mode = self.behaviour();
        let port = match addr.port.filter(|&p| p != 0) {
            Some(p) => {
                let refused = self.bind_conflict(sock, ip, p, mode);
                if refused != self.bind_conflict(sock, ip, p, mode.other()) {
                    let refused_on_linux = refused == (mode == Behaviour::Linux);
                    self.other_mode(Some(sock), Difference::Bind { refused_on_linux });
                }
                if refused {
                    return Err(Errno::EADDRINUSE);
                }
                p
            }
            None => match self.ephemeral_port(host, proto) {
                Some(p) => p,
                None => return Err(self.no_ephemeral_port(sock, why)),
            },
        };
        self.set_endpoints(sock, |s| s.local = Endpoint::new(ip, Some(port)));
        Ok(Value::Zero)
    }

    /// Binds an unbound structure to a wildcard address and an ephemeral port, as
    /// listen(), sendto() and connect() do implicitly.
    pub(in crate::world) fn autobind(&mut self, sock: SockId, why: PortFor) -> Result<(), Errno> {
        if self.sock_mut(sock).local.port.is_some() {
            return Ok(());
        }
        self.bind_for(sock, Endpoint::ANY, why).map(|_| ())
    }

    /// Every ephemeral port is taken: the errno depends on the call and the mode.
    fn no_ephemeral_port(&mut self, sock: SockId, why: PortFor) -> Errno {
        let textbook = Behaviour::Textbook.no_ephemeral_port(why);
        let linux = Behaviour::Linux.no_ephemeral_port(why);
        if textbook != linux {
            self.other_mode(Some(sock), Difference::NoEphemeralPort { textbook, linux });
        }
        self.behaviour().no_ephemeral_port(why)
    }

    pub(super) fn do_listen(&mut self, sock: SockId, backlog: u32) -> Ret {
        let s = self.sock_mut(sock);
        if s.proto == Proto::Udp {
            return Err(Errno::EOPNOTSUPP);
        }
        match s.state {
            TcpState::Listen => {
                s.listener
                    .as_mut()
                    .expect("a LISTEN structure has lists")
                    .backlog = backlog;
                return Ok(Value::Zero);
            }
            TcpState::Closed if !s.was_connected && s.remote.ip.is_none() => {}
            _ => return Err(Errno::EINVAL),
        }
        self.autobind(sock, PortFor::Listen)?;
        let s = self.sock_mut(sock);
        s.listener = Some(crate::socket::Listener {
            backlog,
            ..Default::default()
        });
        self.set_state(
            sock,
            TcpState::Listen,
            crate::trace::Cause::Call("listen".into()),
        );
        Ok(Value::Zero)
    }

    /// Fills in the local address toward `to` (and a port if there is none yet).
    fn bind_toward(&mut self, sock: SockId, to: SocketAddr) -> Result<Endpoint, Errno> {
        let host = self.sock_mut(sock).host;
        self.autobind(sock, PortFor::Connect)?;
        let local = self.sock_mut(sock).local;
        let ip = match local.ip {
            Some(ip) if Family::of(&ip) != Family::of(&to.ip()) => return Err(Errno::EAFNOSUPPORT),
            Some(ip) => ip,
            None => self
                .route_source(host, to.ip())
                .ok_or(Errno::EADDRNOTAVAIL)?,
        };
        Ok(Endpoint::new(Some(ip), local.port))
    }

    /// Where `to` leads from this socket (connect(), sendto()): `wire_destination`,
    /// once the mode has said what an IPv4 address given to an IPv6 socket means.
    pub(super) fn destination(
        &mut self,
        sock: SockId,
        to: SocketAddr,
        connect: bool,
    ) -> Result<SocketAddr, Errno> {
        let s = self.socket(sock).expect("live structure");
        let (family, proto, v6only) = (s.family, s.proto, s.opts.v6only);
        let to = match to.ip() {
            IpAddr::V4(v4) if family == Family::V6 => {
                let mode = self.behaviour();
                let answer = |m: Behaviour| m.ipv4_destination_on_ipv6(proto, v6only, connect);
                if answer(mode) != answer(mode.other()) {
                    let linux = answer(Behaviour::Linux).err();
                    self.other_mode(Some(sock), Difference::Ipv4OnIpv6 { connect, linux });
                }
                answer(mode)?;
                SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), to.port())
            }
            _ => to,
        };
        wire_destination(to, family, v6only)
    }

    pub(super) fn start_connect(&mut self, sock: SockId, addr: SocketAddr) -> Poll {
        let addr = match self.destination(sock, addr, true) {
            Ok(a) => a,
            Err(e) => return Done(Err(e)),
        };
        let s = self.sock_mut(sock);
        if s.proto == Proto::Udp {
            let local = match self.bind_toward(sock, addr) {
                Ok(l) => l,
                Err(e) => return Done(Err(e)),
            };
            // Linux lets two SO_REUSEADDR sockets connect to one 4-tuple and delivers
            // to one of them; here one structure owns a 4-tuple (model.md).
            if self.four_tuple_taken(sock, Proto::Udp, local, addr) {
                return Done(Err(Errno::EADDRINUSE));
            }
            self.set_endpoints(sock, |s| {
                s.local = local;
                s.remote = Endpoint::exact(addr);
            });
            return Done(Ok(Value::Zero));
        }
        match s.state {
            TcpState::Listen => {
                self.other_mode(Some(sock), Difference::ConnectOnListener);
                return Done(Err(self.behaviour().connect_on_listener()));
            }
            TcpState::SynSent | TcpState::SynRcvd => return Done(Err(Errno::EALREADY)),
            TcpState::Closed if !s.was_connected => {}
            _ if s.connect_unreported => {
                self.sock_mut(sock).connect_unreported = false;
                self.other_mode(Some(sock), Difference::ConnectCompleted);
                return Done(self.behaviour().connect_after_completion());
            }
            _ => return Done(Err(Errno::EISCONN)),
        }
        let local = match self.bind_toward(sock, addr) {
            Ok(l) => l,
            Err(e) => return Done(Err(e)),
        };
        if self.four_tuple_taken(sock, Proto::Tcp, local, addr) {
            return Done(Err(Errno::EADDRINUSE));
        }
        self.set_endpoints(sock, |s| {
            s.local = local;
            s.remote = Endpoint::exact(addr);
        });
        self.open_active(sock);
        let s = self.sock_mut(sock);
        s.connect_unreported = s.opts.nonblocking;
        if s.opts.nonblocking {
            Done(Err(Errno::EINPROGRESS))
        } else {
            Block
        }
    }

    /// Another structure of this host already has this very 4-tuple (e.g. one in
    /// TIME_WAIT). `sock` itself, left over from a refused attempt, does not count.
    fn four_tuple_taken(
        &mut self,
        sock: SockId,
        proto: Proto,
        local: Endpoint,
        to: SocketAddr,
    ) -> bool {
        let host = self.sock_mut(sock).host;
        let Some(local) = local.socket_addr() else {
            return false;
        };
        self.indexes[host.0 as usize]
            .exact(proto, local, to)
            .is_some_and(|other| other != sock)
    }

    pub(super) fn poll_connect(&mut self, sock: SockId) -> Poll {
        let s = self.sock_mut(sock);
        if let Some(e) = s.error.take() {
            return Done(Err(e));
        }
        match s.state {
            TcpState::SynSent | TcpState::SynRcvd => Block,
            st if st.is_synchronized() => Done(Ok(Value::Zero)),
            _ => Done(Err(Errno::ECONNREFUSED)),
        }
    }

    pub(super) fn poll_accept(&mut self, pid: Pid, sock: SockId) -> Poll {
        let s = self.sock_mut(sock);
        if s.proto == Proto::Udp {
            return Done(Err(Errno::EOPNOTSUPP));
        }
        let nonblocking = s.opts.nonblocking;
        let Some(l) = s.listener.as_mut() else {
            return Done(Err(Errno::EINVAL));
        };
        let Some(child) = l.ready.pop_front() else {
            return if nonblocking {
                Done(Err(Errno::EAGAIN))
            } else {
                Block
            };
        };
        if nonblocking {
            self.other_mode(Some(child), Difference::AcceptFromNonblocking);
        }
        let inherits = self.behaviour().accepted_inherits_nonblocking();
        let c = self.sock_mut(child);
        c.opts.nonblocking &= inherits;
        c.parent = None;
        c.refs = 1;
        let peer = c.remote_addr().expect("an accepted structure is connected");
        let peer = addr_seen_by(peer, c.family);
        let fd = self.alloc_fd(pid, child);
        Done(Ok(Value::Accepted { fd, peer }))
    }
}
