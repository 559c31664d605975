//! The engine as a [`Stack`]: one simulated host with 127.0.0.1, 127.0.0.2 and ::1, like
//! the loopback interface the kernel side uses. Every socket() gets a process of its
//! own, so one blocked call never keeps a scenario from using another socket (the
//! kernel side has no such limit either).

use crate::facts::Fact;
use crate::stack::{Sock, Stack};
use sockscope_engine::{
    Behaviour, Call, CallReply, Endpoint, Errno, Family, Fd, HostId, OptName, Pid, Proto, Ret,
    RunOutcome, Shutdown, SockOpt, TcpState, Value, World, WorldConfig,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Engine events one settle() may run: far more than any scenario needs.
const MAX_EVENTS: u64 = 1_000_000;

pub struct Model {
    pub w: World,
    pub host: HostId,
    socks: Vec<(Pid, Fd)>,
}

impl Default for Model {
    fn default() -> Self {
        Self::new(WorldConfig::default())
    }
}

impl Model {
    /// The engine with the default knobs in `behaviour` (textbook or Linux).
    pub fn with(behaviour: Behaviour) -> Self {
        Self::new(WorldConfig {
            behaviour,
            ..WorldConfig::default()
        })
    }

    pub fn new(cfg: WorldConfig) -> Self {
        let mut w = World::new(cfg);
        let host = w
            .add_host(
                "lo",
                &[
                    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)),
                    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                ],
            )
            .expect("a fresh world takes any address");
        Model {
            w,
            host,
            socks: Vec::new(),
        }
    }

    /// The process and descriptor behind a socket.
    pub fn fd(&self, s: Sock) -> (Pid, Fd) {
        self.socks[s.0]
    }

    /// Issues a call; if it blocks, runs the world until it returns. A call still
    /// blocked when the world is idle would block forever: a scenario bug.
    pub fn call(&mut self, s: Sock, call: Call) -> Ret {
        let pid = self.socks[s.0].0;
        match self.w.call(pid, call.clone()) {
            Ok(CallReply::Returned(r)) => r,
            Ok(CallReply::Blocked) => {
                let outcome = self.w.run_until_idle(MAX_EVENTS);
                let p = self.w.process(pid).expect("process exists");
                match (&p.pending, &p.last) {
                    (None, Some((_, r))) => *r,
                    _ => panic!("engine: {call} still blocked when the world is {outcome:?}"),
                }
            }
            Err(rejected) => panic!("engine: {call} cannot be issued: {rejected}"),
        }
    }

    fn status(&mut self, s: Sock, call: Call) -> Result<(), Errno> {
        self.call(s, call).map(|_| ())
    }

    /// socket() in a process of its own.
    fn open(&mut self, proto: Proto, family: Family) -> Sock {
        let pid = self
            .w
            .spawn(self.host, &format!("p{}", self.socks.len()))
            .expect("the host is up");
        self.open_in(pid, proto, family)
    }

    /// socket() in process `pid`.
    fn open_in(&mut self, pid: Pid, proto: Proto, family: Family) -> Sock {
        let fd = match self.w.call(pid, Call::Socket { proto, family }) {
            Ok(CallReply::Returned(Ok(Value::Fd(fd)))) => fd,
            other => panic!("engine: socket({proto:?}, {family:?}) gave {other:?}"),
        };
        self.socks.push((pid, fd));
        Sock(self.socks.len() - 1)
    }

    fn sock_fd(&self, s: Sock) -> Fd {
        self.socks[s.0].1
    }
}

fn endpoint(addr: SocketAddr) -> Endpoint {
    Endpoint::new(
        (!addr.ip().is_unspecified()).then_some(addr.ip()),
        (addr.port() != 0).then_some(addr.port()),
    )
}

impl Stack for Model {
    fn world(&self) -> &'static str {
        "engine"
    }

    fn socket(&mut self) -> Sock {
        self.open(Proto::Tcp, Family::V4)
    }

    fn set_reuseaddr(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(
            s,
            Call::SetSockOpt {
                fd,
                opt: SockOpt::ReuseAddr(on),
            },
        )
    }

    fn set_linger(&mut self, s: Sock, secs: Option<u32>) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(
            s,
            Call::SetSockOpt {
                fd,
                opt: SockOpt::Linger(secs),
            },
        )
    }

    fn set_sndbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(
            s,
            Call::SetSockOpt {
                fd,
                opt: SockOpt::SndBuf(bytes),
            },
        )
    }

    fn set_rcvbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(
            s,
            Call::SetSockOpt {
                fd,
                opt: SockOpt::RcvBuf(bytes),
            },
        )
    }

    fn buffers(&mut self, s: Sock) -> (u64, u64) {
        let fd = self.sock_fd(s);
        let get = |m: &mut Model, name| match m.call(s, Call::GetSockOpt { fd, name }) {
            Ok(Value::Opt(SockOpt::SndBuf(n) | SockOpt::RcvBuf(n))) => n,
            other => panic!("engine: getsockopt({name}) gave {other:?}"),
        };
        (get(self, OptName::SndBuf), get(self, OptName::RcvBuf))
    }

    fn set_nonblocking(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(s, Call::SetNonBlocking { fd, on })
    }

    fn is_nonblocking(&mut self, s: Sock) -> bool {
        let (pid, fd) = self.socks[s.0];
        self.w
            .socket_of(pid, fd)
            .expect("an open descriptor")
            .opts
            .nonblocking
    }

    fn bind(&mut self, s: Sock, addr: SocketAddr) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        let addr = endpoint(addr);
        self.status(s, Call::Bind { fd, addr })
    }

    fn listen(&mut self, s: Sock, backlog: u32) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(s, Call::Listen { fd, backlog })
    }

    fn connect(&mut self, s: Sock, to: SocketAddr) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(s, Call::Connect { fd, addr: to })
    }

    fn accept(&mut self, s: Sock) -> Result<Sock, Errno> {
        let (pid, fd) = self.socks[s.0];
        match self.call(s, Call::Accept { fd })? {
            Value::Accepted { fd, .. } => {
                self.socks.push((pid, fd));
                Ok(Sock(self.socks.len() - 1))
            }
            other => panic!("engine: accept() gave {other:?}"),
        }
    }

    fn send(&mut self, s: Sock, len: u64) -> Result<u64, Errno> {
        let fd = self.sock_fd(s);
        match self.call(s, Call::Send { fd, len })? {
            Value::Bytes(n) => Ok(n),
            other => panic!("engine: send() gave {other:?}"),
        }
    }

    fn recv(&mut self, s: Sock, len: u64) -> Result<u64, Errno> {
        let fd = self.sock_fd(s);
        match self.call(s, Call::Recv { fd, len })? {
            Value::Bytes(n) => Ok(n),
            other => panic!("engine: recv() gave {other:?}"),
        }
    }

    fn shutdown(&mut self, s: Sock, how: Shutdown) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(s, Call::Shutdown { fd, how })
    }

    fn close(&mut self, s: Sock) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        self.status(s, Call::Close { fd })
    }

    fn local_addr(&mut self, s: Sock) -> SocketAddr {
        let (pid, fd) = self.socks[s.0];
        let local = self.w.socket_of(pid, fd).expect("an open descriptor").local;
        SocketAddr::new(
            local.ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            local.port.unwrap_or(0),
        )
    }

    fn socket6(&mut self) -> Sock {
        self.open(Proto::Tcp, Family::V6)
    }

    fn set_v6only(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        let opt = SockOpt::V6Only(on);
        self.status(s, Call::SetSockOpt { fd, opt })
    }

    /// The text goes to the engine as the language reads it (`0.0.0.0` stays).
    fn bind_written(&mut self, s: Sock, text: &str) -> Result<(), Errno> {
        let fd = self.sock_fd(s);
        let addr = text.parse().unwrap_or_else(|err| panic!("{text}: {err}"));
        self.status(s, Call::Bind { fd, addr })
    }

    fn peer_addr(&mut self, s: Sock) -> SocketAddr {
        let (pid, fd) = self.socks[s.0];
        let sock = self.w.socket_of(pid, fd).expect("an open descriptor");
        let remote = sock.remote_addr().expect("a connected socket");
        sockscope_engine::addr::addr_seen_by(remote, sock.family)
    }

    fn free_port(&mut self) -> u16 {
        (1024..)
            .find(|&p| self.w.sockets().all(|s| s.local.port != Some(p)))
            .expect("a fresh world has free ports")
    }

    fn queues(&mut self, s: Sock) -> (u64, u64) {
        let (pid, fd) = self.socks[s.0];
        let sock = self.w.socket_of(pid, fd).expect("an open descriptor");
        (sock.recvq.len(), sock.sendq.len())
    }

    fn udp_socket(&mut self) -> Sock {
        self.open(Proto::Udp, Family::V4)
    }

    fn udp_socket6(&mut self) -> Sock {
        self.open(Proto::Udp, Family::V6)
    }

    fn send_to(&mut self, s: Sock, len: u64, to: SocketAddr) -> Result<u64, Errno> {
        let fd = self.sock_fd(s);
        match self.call(s, Call::SendTo { fd, len, to })? {
            Value::Bytes(n) => Ok(n),
            other => panic!("engine: sendto() gave {other:?}"),
        }
    }

    fn recv_from(&mut self, s: Sock, len: u64) -> Result<(u64, SocketAddr), Errno> {
        let fd = self.sock_fd(s);
        match self.call(s, Call::RecvFrom { fd, len })? {
            Value::From { len, from } => Ok((len, from)),
            other => panic!("engine: recvfrom() gave {other:?}"),
        }
    }

    fn socket_beside(&mut self, beside: Sock) -> Sock {
        let pid = self.socks[beside.0].0;
        self.open_in(pid, Proto::Tcp, Family::V4)
    }

    fn dup(&mut self, s: Sock) -> Result<Sock, Errno> {
        let (pid, fd) = self.socks[s.0];
        match self.call(s, Call::Dup { fd })? {
            Value::Fd(new) => {
                self.socks.push((pid, new));
                Ok(Sock(self.socks.len() - 1))
            }
            other => panic!("engine: dup() gave {other:?}"),
        }
    }

    /// The child closes every descriptor but the one it keeps.
    fn fork(&mut self, s: Sock) -> Sock {
        let (parent, fd) = self.socks[s.0];
        let child = self
            .w
            .fork(parent, &format!("p{}-child", parent.0))
            .expect("the parent is alive");
        let others: Vec<Fd> = self
            .w
            .process(child)
            .expect("the child exists")
            .fds
            .keys()
            .copied()
            .filter(|&f| f != fd)
            .collect();
        for other in others {
            match self.w.call(child, Call::Close { fd: other }) {
                Ok(CallReply::Returned(Ok(_))) => {}
                r => panic!("engine: the child's close({other}) gave {r:?}"),
            }
        }
        self.socks.push((child, fd));
        Sock(self.socks.len() - 1)
    }

    fn fd_number(&mut self, s: Sock) -> i32 {
        self.socks[s.0].1 .0
    }

    fn settle(&mut self) {
        let outcome = self.w.run_until_idle(MAX_EVENTS);
        assert_ne!(
            outcome,
            RunOutcome::Limit,
            "engine: the world did not go idle"
        );
    }

    fn settle_for(&mut self, d: std::time::Duration) {
        let until = self.w.now() + d.as_micros() as u64;
        let outcome = self.w.run_until(until, MAX_EVENTS);
        assert_ne!(outcome, RunOutcome::Limit, "engine: too many events");
    }

    /// Like ss, lists no CLOSED structures: a socket that was never connected, or
    /// whose connection is over but whose descriptor is still open, has no row.
    fn state(&mut self, local: SocketAddr, peer: Option<SocketAddr>, _: Option<&Fact>) -> Fact {
        let (local, peer) = (endpoint(local), peer.map(endpoint).unwrap_or_default());
        let state = self
            .w
            .sockets()
            .find(|s| {
                s.proto == Proto::Tcp
                    && s.state != TcpState::Closed
                    && s.local.seen_by(s.family) == local
                    && s.remote.seen_by(s.family) == peer
            })
            .map(|s| s.state);
        Fact::State(state)
    }

    /// Recv-Q as the engine's own netstat prints it (in Linux mode it counts an
    /// unread FIN, as ss does).
    fn row_recv_q(&mut self, local: SocketAddr, peer: SocketAddr, _: Option<&Fact>) -> Fact {
        let (local, peer) = (endpoint(local), endpoint(peer));
        let Some(id) = self
            .w
            .sockets()
            .find(|s| s.proto == Proto::Tcp && s.local == local && s.remote == peer)
            .map(|s| s.id)
        else {
            return Fact::State(None);
        };
        match self.w.netstat(self.host).into_iter().find(|r| r.sock == id) {
            Some(row) => Fact::Count(row.recv_q),
            None => Fact::State(None),
        }
    }

    fn udp_recv_q(&mut self, local: SocketAddr) -> Option<u64> {
        let local = endpoint(local);
        self.w
            .ss(self.host)
            .into_iter()
            .filter(|r| r.proto == Proto::Udp)
            .find(|r| self.w.socket(r.sock).is_some_and(|s| s.local == local))
            .map(|r| r.recv_q)
    }

    fn listener_queues(&mut self, local: SocketAddr) -> Option<(u64, u64)> {
        let local = endpoint(local);
        self.w
            .ss(self.host)
            .into_iter()
            .filter(|r| r.proto == Proto::Tcp && r.state == TcpState::Listen.ss_name())
            .find(|r| self.w.socket(r.sock).is_some_and(|s| s.local == local))
            .map(|r| (r.recv_q, r.send_q))
    }
}
