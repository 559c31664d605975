//! The socket calls: issuing one, blocking, waking and returning; each family of
//! calls has its own module.

mod closing;
mod data;
mod options;
mod setup;

use crate::addr::Proto;
use crate::call::{Call, CallRejected, CallReply, Ret, Value};
use crate::errno::Errno;
use crate::host::Pending;
use crate::ids::{Fd, Pid, SockId};
use crate::trace::{Event, ZeroRead};
use crate::world::World;

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
        self.settle();
        Ok(reply)
    }

    /// Retries every blocked call; called after anything that may have unblocked one.
    /// Most steps and calls have nobody to wake: that check is inlined into them, and
    /// only a world with a blocked call enters (and sets up the frame of) the loop.
    #[inline]
    pub(in crate::world) fn wake(&mut self) {
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
            Call::SendTo { len, to, .. } if udp => match self.destination(sock, to, false) {
                Ok(to) => self.udp_sendto(sock, len, to, pending.tag).into(),
                Err(e) => Done(Err(e)),
            },
            Call::Send { len, .. } | Call::SendTo { len, .. } => self.poll_send(sock, len, pending),
            Call::Recv { len, .. } if udp => self.poll_udp_recv(sock, len, false),
            Call::RecvFrom { len, .. } if udp => self.poll_udp_recv(sock, len, true),
            Call::Recv { len, .. } => self.poll_recv(sock, len, false),
            Call::RecvFrom { len, .. } => self.poll_recv(sock, len, true),
            Call::Shutdown { how, .. } => self.do_shutdown(sock, how).into(),
            Call::Close { fd } => self.do_close(pid, fd, sock),
            Call::SetSockOpt { opt, .. } => self.do_setsockopt(sock, opt).into(),
            Call::GetSockOpt { name, .. } => self.do_getsockopt(sock, name).into(),
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

    pub(super) fn alloc_fd(&mut self, pid: Pid, sock: SockId) -> Fd {
        let p = &mut self.procs[pid.0 as usize];
        let fd = p.lowest_free_fd();
        p.fds.insert(fd, sock);
        fd
    }
}
