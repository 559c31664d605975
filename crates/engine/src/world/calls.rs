//! The socket calls: what each does to the structures, and when it blocks.

use super::World;
use crate::addr::{Endpoint, Family, Proto};
use crate::call::{Call, CallRejected, CallReply, OptName, Ret, Shutdown, SockOpt, Value};
use crate::errno::Errno;
use crate::host::Pending;
use crate::ids::{Fd, HostId, Pid, SockId};
use crate::queue::Run;
use crate::segment::Flags;
use crate::socket::Socket;
use crate::state::TcpState;
use crate::time::SEC;
use crate::trace::{Event, TimerKind, ZeroRead};
use std::net::{IpAddr, SocketAddr};

/// Where a call stands after one attempt.
pub(super) enum Poll {
    Done(Ret),
    Block,
}

use Poll::{Block, Done};

impl From<Ret> for Poll {
    fn from(r: Ret) -> Self {
        Done(r)
    }
}

impl World {
    /// Issues a call for a process. Blocking calls answer `Blocked` and finish later,
    /// as the network moves; their result then appears as a `CallReturned` event and in
    /// `last_result`.
    pub fn call(&mut self, pid: Pid, call: Call) -> Result<CallReply, CallRejected> {
        let p = self.process(pid).ok_or(CallRejected::NoSuchProcess(pid))?;
        if !p.alive {
            let host_down = self.host(p.host).is_some_and(|h| h.crashed);
            return Err(if host_down {
                CallRejected::HostDown(pid)
            } else {
                CallRejected::ProcessDied(pid)
            });
        }
        if let Some(pending) = &p.pending {
            return Err(CallRejected::Busy {
                pid,
                pending: pending.call.clone(),
            });
        }
        self.emit(|| Event::CallIssued {
            pid,
            call: call.clone(),
        });
        let tag = matches!(call, Call::Send { .. } | Call::SendTo { .. }).then(|| self.next_tag());
        let mut pending = Pending {
            call,
            sock: None,
            progress: 0,
            tag,
            since: self.now,
        };
        let reply = match self.poll_call(pid, &mut pending, true) {
            Done(ret) => {
                self.finish(pid, pending.call, pending.sock, ret);
                CallReply::Returned(ret)
            }
            Block => {
                self.emit(|| Event::CallBlocked {
                    pid,
                    call: pending.call.clone(),
                    progress: pending.progress,
                });
                self.procs[pid.0 as usize].pending = Some(pending);
                self.blocked += 1;
                CallReply::Blocked
            }
        };
        self.wake();
        Ok(reply)
    }

    /// Retries every blocked call; called after anything that may have unblocked one.
    /// Most steps and calls have nobody to wake: that check is inlined into them, and
    /// only a world with a blocked call enters (and sets up the frame of) the loop.
    #[inline]
    pub(super) fn wake(&mut self) {
        if self.blocked > 0 {
            self.wake_blocked();
        }
    }

    #[inline(never)]
    fn wake_blocked(&mut self) {
        loop {
            let mut finished = false;
            for i in 0..self.procs.len() {
                let Some(mut pending) = self.procs[i].pending.take() else {
                    continue;
                };
                let pid = self.procs[i].pid;
                match self.poll_call(pid, &mut pending, false) {
                    Done(ret) => {
                        finished = true;
                        self.blocked -= 1;
                        self.finish(pid, pending.call, pending.sock, ret);
                    }
                    Block => self.procs[i].pending = Some(pending),
                }
            }
            if !finished {
                break;
            }
        }
    }

    fn finish(&mut self, pid: Pid, call: Call, sock: Option<SockId>, ret: Ret) {
        let zero = self.zero_read(&call, sock, &ret);
        self.emit(|| Event::CallReturned {
            pid,
            call: call.clone(),
            ret,
            zero,
        });
        self.procs[pid.0 as usize].last = Some((call, ret));
    }

    /// Why a recv()/recvfrom() that returned 0 did so (`None` for any other result).
    fn zero_read(&self, call: &Call, sock: Option<SockId>, ret: &Ret) -> Option<ZeroRead> {
        let len = match call {
            Call::Recv { len, .. } | Call::RecvFrom { len, .. } => *len,
            _ => return None,
        };
        if !matches!(ret, Ok(Value::Bytes(0) | Value::From { len: 0, .. })) {
            return None;
        }
        let s = self.socket(sock?)?;
        Some(if len == 0 {
            ZeroRead::AskedForZero
        } else if s.read_shut {
            ZeroRead::ShutRead
        } else if s.proto == Proto::Udp {
            ZeroRead::EmptyDatagram
        } else {
            ZeroRead::EndOfStream
        })
    }

    fn poll_call(&mut self, pid: Pid, pending: &mut Pending, first: bool) -> Poll {
        // A blocked close() has already given its descriptor back.
        if !first && matches!(pending.call, Call::Close { .. }) {
            let sock = pending.sock.expect("a blocked close() found its structure");
            return self.poll_linger(sock);
        }
        // Matched in place (every field is Copy): no copy of the call per attempt.
        if let Call::Socket { proto, family } = pending.call {
            return Done(Ok(self.do_socket(pid, proto, family)));
        }
        let fd = pending
            .call
            .fd()
            .expect("every other call names a descriptor");
        let sock = match self.fd_sock(pid, fd) {
            Ok(s) => s,
            Err(e) => return Done(Err(e)),
        };
        pending.sock = Some(sock);
        let udp = self.sock_mut(sock).proto == Proto::Udp;
        match pending.call {
            Call::Socket { .. } => unreachable!("handled above"),
            Call::Bind { addr, .. } => self.do_bind(sock, addr).into(),
            Call::Listen { backlog, .. } => self.do_listen(sock, backlog).into(),
            Call::Connect { addr, .. } if first => self.start_connect(sock, addr),
            Call::Connect { .. } => self.poll_connect(sock),
            Call::Accept { .. } => self.poll_accept(pid, sock),
            Call::Send { len, .. } if udp => match self.sock_mut(sock).remote_addr() {
                Some(to) => self.udp_sendto(sock, len, to, pending.tag).into(),
                None => Done(Err(Errno::EDESTADDRREQ)),
            },
            Call::SendTo { len, to, .. } if udp => {
                self.udp_sendto(sock, len, to, pending.tag).into()
            }
            Call::Send { len, .. } | Call::SendTo { len, .. } => self.poll_send(sock, len, pending),
            Call::Recv { len, .. } if udp => self.poll_udp_recv(sock, len, false),
            Call::RecvFrom { len, .. } if udp => self.poll_udp_recv(sock, len, true),
            Call::Recv { len, .. } => self.poll_recv(sock, len, false),
            Call::RecvFrom { len, .. } => self.poll_recv(sock, len, true),
            Call::Shutdown { how, .. } => self.do_shutdown(sock, how).into(),
            Call::Close { fd } => self.do_close(pid, fd, sock),
            Call::SetSockOpt { opt, .. } => self.do_setsockopt(sock, opt).into(),
            Call::GetSockOpt { name, .. } => Done(Ok(Value::Opt(self.getsockopt(sock, name)))),
            Call::Dup { .. } => {
                self.sock_mut(sock).refs += 1;
                Done(Ok(Value::Fd(self.alloc_fd(pid, sock))))
            }
            Call::SetNonBlocking { on, .. } => {
                self.sock_mut(sock).opts.nonblocking = on;
                Done(Ok(Value::Zero))
            }
        }
    }

    fn fd_sock(&self, pid: Pid, fd: Fd) -> Result<SockId, Errno> {
        self.process(pid)
            .and_then(|p| p.fds.get(&fd).copied())
            .ok_or(Errno::EBADF)
    }

    fn alloc_fd(&mut self, pid: Pid, sock: SockId) -> Fd {
        let p = &mut self.procs[pid.0 as usize];
        let fd = p.lowest_free_fd();
        p.fds.insert(fd, sock);
        fd
    }

    fn do_socket(&mut self, pid: Pid, proto: Proto, family: Family) -> Value {
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
    fn bind_conflict(&self, me: SockId, ip: Option<IpAddr>, port: u16) -> bool {
        let s = self.socket(me).expect("live structure");
        let reuse = s.opts.reuse_addr;
        self.indexes[s.host.0 as usize]
            .on_port(s.proto, port)
            .filter_map(|id| self.socket(id))
            .filter(|o| o.id != me && o.family == s.family)
            .any(|o| {
                let same_ip = o.local.ip == ip;
                let overlap = same_ip || o.local.ip.is_none() || ip.is_none();
                if !overlap {
                    return false;
                }
                if !reuse {
                    return true;
                }
                let plain_bound = o.state == TcpState::Closed && o.remote.ip.is_none();
                same_ip && (o.state == TcpState::Listen || (plain_bound && !o.opts.reuse_addr))
            })
    }

    fn do_bind(&mut self, sock: SockId, addr: Endpoint) -> Ret {
        let s = self.socket(sock).expect("live structure");
        let (host, proto, family) = (s.host, s.proto, s.family);
        if s.local.port.is_some() {
            return Err(Errno::EINVAL);
        }
        if let Some(ip) = addr.ip {
            if Family::of(&ip) != family {
                return Err(Errno::EAFNOSUPPORT);
            }
            if !self.hosts[host.0 as usize].addrs.contains(&ip) {
                return Err(Errno::EADDRNOTAVAIL);
            }
        }
        let port = match addr.port.filter(|&p| p != 0) {
            Some(p) if self.bind_conflict(sock, addr.ip, p) => return Err(Errno::EADDRINUSE),
            Some(p) => p,
            None => self.ephemeral_port(host, proto).ok_or(Errno::EADDRINUSE)?,
        };
        self.set_endpoints(sock, |s| s.local = Endpoint::new(addr.ip, Some(port)));
        Ok(Value::Zero)
    }

    /// Binds an unbound structure to a wildcard address and an ephemeral port, as
    /// listen(), sendto() and connect() do implicitly.
    pub(super) fn autobind(&mut self, sock: SockId) -> Result<(), Errno> {
        if self.sock_mut(sock).local.port.is_some() {
            return Ok(());
        }
        self.do_bind(sock, Endpoint::ANY).map(|_| ())
    }

    fn do_listen(&mut self, sock: SockId, backlog: u32) -> Ret {
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
        self.autobind(sock)?;
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
        self.autobind(sock)?;
        let local = self.sock_mut(sock).local;
        let ip = match local.ip {
            Some(ip) => ip,
            None => self
                .route_source(host, to.ip())
                .ok_or(Errno::EADDRNOTAVAIL)?,
        };
        Ok(Endpoint::new(Some(ip), local.port))
    }

    fn start_connect(&mut self, sock: SockId, addr: SocketAddr) -> Poll {
        let s = self.sock_mut(sock);
        if Family::of(&addr.ip()) != s.family {
            return Done(Err(Errno::EAFNOSUPPORT));
        }
        if s.proto == Proto::Udp {
            let local = match self.bind_toward(sock, addr) {
                Ok(l) => l,
                Err(e) => return Done(Err(e)),
            };
            self.set_endpoints(sock, |s| {
                s.local = local;
                s.remote = Endpoint::exact(addr);
            });
            return Done(Ok(Value::Zero));
        }
        match s.state {
            TcpState::Listen => return Done(Err(Errno::EINVAL)),
            TcpState::SynSent | TcpState::SynRcvd => return Done(Err(Errno::EALREADY)),
            TcpState::Closed if !s.was_connected => {}
            _ => return Done(Err(Errno::EISCONN)),
        }
        let local = match self.bind_toward(sock, addr) {
            Ok(l) => l,
            Err(e) => return Done(Err(e)),
        };
        let host = self.sock_mut(sock).host;
        let local_addr = local.socket_addr().expect("bound toward a destination");
        // Another structure with this very 4-tuple (e.g. in TIME_WAIT) is a conflict;
        // this one, left over from a refused attempt, is not.
        if self.indexes[host.0 as usize]
            .exact(Proto::Tcp, local_addr, addr)
            .is_some_and(|other| other != sock)
        {
            return Done(Err(Errno::EADDRINUSE));
        }
        self.set_endpoints(sock, |s| {
            s.local = local;
            s.remote = Endpoint::exact(addr);
        });
        self.open_active(sock);
        if self.sock_mut(sock).opts.nonblocking {
            Done(Err(Errno::EINPROGRESS))
        } else {
            Block
        }
    }

    fn poll_connect(&mut self, sock: SockId) -> Poll {
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

    fn poll_accept(&mut self, pid: Pid, sock: SockId) -> Poll {
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
        let c = self.sock_mut(child);
        c.parent = None;
        c.refs = 1;
        let peer = c.remote_addr().expect("an accepted structure is connected");
        let fd = self.alloc_fd(pid, child);
        Done(Ok(Value::Accepted { fd, peer }))
    }

    fn poll_send(&mut self, sock: SockId, len: u64, pending: &mut Pending) -> Poll {
        let s = self.sock_mut(sock);
        let room = match send_gate(s) {
            SendGate::Pending(e) => {
                s.error = None;
                return Done(Err(e));
            }
            SendGate::Fail(e) => return Done(Err(e)),
            SendGate::Handshake if s.opts.nonblocking => return Done(Err(Errno::EAGAIN)),
            SendGate::Handshake => return Block,
            SendGate::Open { room } => room,
        };
        let n = (len - pending.progress).min(room);
        if n > 0 {
            let tag = pending.tag.expect("send calls carry a tag");
            s.sendq.push(Run { tag, len: n });
            pending.progress += n;
            self.schedule_output(sock);
        }
        let s = self.sock_mut(sock);
        if pending.progress == len {
            Done(Ok(Value::Bytes(len)))
        } else if s.opts.nonblocking {
            match pending.progress {
                0 => Done(Err(Errno::EAGAIN)),
                done => Done(Ok(Value::Bytes(done))),
            }
        } else {
            Block
        }
    }

    /// A non-blocking TCP send() of `len` bytes on `sock` would answer EAGAIN (what
    /// `poll_send` finds: connected, unbroken, SendQ full), changing nothing in the
    /// structures. A driver that only needs the answer (the experiment, whose world
    /// nobody watches) may then skip the call and its bookkeeping: trace positions,
    /// send tag, `last`.
    pub fn send_would_block(&self, sock: SockId, len: u64) -> bool {
        self.socket(sock).is_some_and(|s| {
            s.proto == Proto::Tcp
                && s.opts.nonblocking
                && len > 0
                && matches!(send_gate(s), SendGate::Open { room: 0 })
        })
    }

    /// The same for a non-blocking TCP recv() of `len` bytes: connected, unbroken,
    /// RecvQ empty and no FIN yet (what `poll_recv` finds).
    pub fn recv_would_block(&self, sock: SockId, len: u64) -> bool {
        self.socket(sock).is_some_and(|s| {
            s.proto == Proto::Tcp
                && s.opts.nonblocking
                && len > 0
                && matches!(recv_gate(s, len), RecvGate::Empty)
        })
    }

    fn poll_recv(&mut self, sock: SockId, len: u64, want_from: bool) -> Poll {
        let s = self.sock_mut(sock);
        let from = s.remote_addr();
        let value = |n| match (want_from, from) {
            (true, Some(from)) => Value::From { len: n, from },
            _ => Value::Bytes(n),
        };
        match recv_gate(s, len) {
            RecvGate::Pending(e) => {
                s.error = None;
                Done(Err(e))
            }
            RecvGate::Fail(e) => Done(Err(e)),
            RecvGate::Handshake | RecvGate::Empty if s.opts.nonblocking => Done(Err(Errno::EAGAIN)),
            RecvGate::Handshake | RecvGate::Empty => Block,
            RecvGate::Zero => Done(Ok(value(0))),
            RecvGate::Data => {
                let delivered = &mut s.delivered;
                let n = s.recvq.pop_each(len, |r| delivered.push_run(r));
                self.maybe_window_update(sock);
                Done(Ok(value(n)))
            }
        }
    }

    fn do_shutdown(&mut self, sock: SockId, how: Shutdown) -> Ret {
        let s = self.sock_mut(sock);
        let connected = match s.proto {
            Proto::Udp => s.remote.ip.is_some(),
            Proto::Tcp => !matches!(
                s.state,
                TcpState::Closed | TcpState::Listen | TcpState::SynSent
            ),
        };
        if !connected {
            return Err(Errno::ENOTCONN);
        }
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            s.read_shut = true;
            s.recvq.clear();
        }
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.end_sending(sock, "shutdown");
        }
        Ok(Value::Zero)
    }

    /// Ends our direction of the stream: a FIN follows whatever SendQ still holds.
    /// The state changes now (ESTABLISHED → FIN_WAIT_1, CLOSE_WAIT → LAST_ACK), as
    /// real stacks do, even if the FIN itself must wait behind data.
    fn end_sending(&mut self, sock: SockId, call: &str) {
        let s = self.sock_mut(sock);
        if s.write_shut {
            return;
        }
        s.write_shut = true;
        if s.proto != Proto::Tcp {
            return;
        }
        s.tcb.fin_queued = true;
        let next = match s.state {
            TcpState::Established => Some(TcpState::FinWait1),
            TcpState::CloseWait => Some(TcpState::LastAck),
            _ => None,
        };
        if let Some(next) = next {
            self.set_state(sock, next, crate::trace::Cause::Call(call.into()));
        }
        self.schedule_output(sock);
    }

    fn do_close(&mut self, pid: Pid, fd: Fd, sock: SockId) -> Poll {
        self.procs[pid.0 as usize].fds.remove(&fd);
        let s = self.sock_mut(sock);
        s.refs -= 1;
        if s.refs > 0 {
            return Done(Ok(Value::Zero));
        }
        self.release(sock)
    }

    /// The last descriptor is gone: the structure starts its own end (MODEL.md §5).
    fn release(&mut self, sock: SockId) -> Poll {
        let s = self.sock_mut(sock);
        if s.proto == Proto::Udp {
            self.free_socket(sock);
            return Done(Ok(Value::Zero));
        }
        let linger = s.opts.linger;
        match s.state {
            TcpState::Closed | TcpState::SynSent => {
                self.free_socket(sock);
                return Done(Ok(Value::Zero));
            }
            TcpState::Listen => {
                let l = s.listener.take().expect("a LISTEN structure has lists");
                for child in l.incomplete.into_iter().chain(l.ready) {
                    self.abort(child);
                }
                self.free_socket(sock);
                return Done(Ok(Value::Zero));
            }
            TcpState::SynRcvd => {
                self.abort(sock);
                return Done(Ok(Value::Zero));
            }
            _ => {}
        }
        if linger == Some(0) {
            self.abort(sock);
            return Done(Ok(Value::Zero));
        }
        // Unread bytes are discarded; from now on the window we advertise is 0.
        let s = self.sock_mut(sock);
        s.recvq.clear();
        s.read_shut = true;
        self.end_sending(sock, "close");
        match linger {
            Some(secs) if !self.sock_mut(sock).tcb.fin_acked => {
                self.arm_timer(sock, TimerKind::Linger, secs as u64 * SEC);
                Block
            }
            _ => Done(Ok(Value::Zero)),
        }
    }

    /// A close() blocked by SO_LINGER returns once our FIN is acknowledged.
    fn poll_linger(&mut self, sock: SockId) -> Poll {
        let Some(s) = self.socks.get_mut(sock.0 as usize).and_then(|s| s.as_mut()) else {
            return Done(Ok(Value::Zero));
        };
        if let Some(e) = s.error.take() {
            self.cancel_timer(sock, TimerKind::Linger);
            return Done(Err(e));
        }
        if s.tcb.fin_acked || s.state == TcpState::Closed {
            self.cancel_timer(sock, TimerKind::Linger);
            return Done(Ok(Value::Zero));
        }
        Block
    }

    /// An abortive end: RST to the peer (if there is one) and the structure is gone.
    pub(super) fn abort(&mut self, sock: SockId) {
        let s = self.sock_mut(sock);
        if s.state != TcpState::Closed && s.state != TcpState::Listen && s.remote_addr().is_some() {
            let seq = s.tcb.snd_nxt;
            self.send_tcp(sock, Flags::RST_ACK, seq, Vec::new());
        }
        self.free_socket(sock);
    }

    fn do_setsockopt(&mut self, sock: SockId, opt: SockOpt) -> Ret {
        let s = self.sock_mut(sock);
        match opt {
            SockOpt::SndBuf(0) | SockOpt::RcvBuf(0) => return Err(Errno::EINVAL),
            SockOpt::SndBuf(n) => s.sendq.set_capacity(n),
            SockOpt::RcvBuf(n) => {
                s.recvq.set_capacity(n);
                self.maybe_window_update(sock);
            }
            SockOpt::Linger(l) => s.opts.linger = l,
            SockOpt::ReuseAddr(on) => s.opts.reuse_addr = on,
        }
        Ok(Value::Zero)
    }

    fn getsockopt(&mut self, sock: SockId, name: OptName) -> SockOpt {
        let s = self.sock_mut(sock);
        match name {
            OptName::SndBuf => SockOpt::SndBuf(s.sendq.capacity()),
            OptName::RcvBuf => SockOpt::RcvBuf(s.recvq.capacity()),
            OptName::Linger => SockOpt::Linger(s.opts.linger),
            OptName::ReuseAddr => SockOpt::ReuseAddr(s.opts.reuse_addr),
        }
    }
}

/// Where a TCP send() stands on a structure, decided without changing it: the one
/// decision behind `poll_send`, which acts on it, and `send_would_block`, which only
/// asks.
enum SendGate {
    /// A pending error (SO_ERROR): the call returns it and clears it.
    Pending(Errno),
    /// The call fails at once.
    Fail(Errno),
    /// The handshake is under way: a blocking call waits, a non-blocking one gets
    /// EAGAIN.
    Handshake,
    /// Connected, with `room` bytes of SendQ free.
    Open { room: u64 },
}

fn send_gate(s: &Socket) -> SendGate {
    if let Some(e) = s.error {
        return SendGate::Pending(e);
    }
    if s.write_shut {
        return SendGate::Fail(Errno::EPIPE);
    }
    match s.state {
        TcpState::Established | TcpState::CloseWait => SendGate::Open {
            room: s.sendq.free(),
        },
        TcpState::SynSent | TcpState::SynRcvd => SendGate::Handshake,
        TcpState::Closed if s.was_connected => SendGate::Fail(Errno::EPIPE),
        TcpState::Closed | TcpState::Listen => SendGate::Fail(Errno::ENOTCONN),
        _ => SendGate::Fail(Errno::EPIPE),
    }
}

/// Where a TCP recv() of `len` bytes stands on a structure, decided without changing
/// it: the one decision behind `poll_recv` and `recv_would_block`.
enum RecvGate {
    /// A pending error (SO_ERROR): the call returns it and clears it.
    Pending(Errno),
    /// The call fails at once.
    Fail(Errno),
    /// The handshake is under way: a blocking call waits, a non-blocking one gets
    /// EAGAIN.
    Handshake,
    /// The call returns 0 at once: it asked for nothing, reading was shut down, or
    /// the stream has ended (the peer's FIN, or the connection is over).
    Zero,
    /// RecvQ holds bytes to copy out.
    Data,
    /// Connected, RecvQ empty and no FIN yet: a blocking call waits, a non-blocking
    /// one gets EAGAIN.
    Empty,
}

fn recv_gate(s: &Socket, len: u64) -> RecvGate {
    if let Some(e) = s.error {
        return RecvGate::Pending(e);
    }
    match s.state {
        TcpState::Listen => return RecvGate::Fail(Errno::ENOTCONN),
        TcpState::Closed if !s.was_connected => return RecvGate::Fail(Errno::ENOTCONN),
        TcpState::SynSent | TcpState::SynRcvd => return RecvGate::Handshake,
        _ => {}
    }
    if len == 0 || s.read_shut {
        RecvGate::Zero
    } else if !s.recvq.is_empty() {
        RecvGate::Data
    } else if s.tcb.fin_received || s.state == TcpState::Closed {
        RecvGate::Zero
    } else {
        RecvGate::Empty
    }
}
