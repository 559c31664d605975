//! The calls of a replayed scenario on real sockets, and its descriptors.

use super::{proc_name, CallResult, Desc, Replayer};
use crate::kernel::{errno_of, CALL_TIMEOUT};
use socket2::{Domain, SockAddr, Socket, Type};
use sockscope_engine::{Call, Errno, Family, OptName, Proto, SockOpt, TcpState};
use sockscope_scenario::{CallStmt, FdRef, ProcRef};
use std::collections::BTreeMap;
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::time::Duration;

impl Replayer<'_> {
    pub(super) fn closed_descriptor(&mut self, proc: &ProcRef, call: &CallStmt) -> Option<String> {
        let fd = call.call.fd()?;
        match self.desc(proc, &fd) {
            Ok(d) if d.sock.is_none() => Some(format!(
                "{fd} was closed (one descriptor table for the whole test process)"
            )),
            _ => None,
        }
    }

    pub(super) fn ends(
        &mut self,
        proc: &ProcRef,
        fd: &FdRef,
    ) -> Result<Option<(SocketAddr, Option<SocketAddr>)>, String> {
        let d = self.desc(proc, fd)?;
        if let Some(s) = &d.sock {
            d.ends = observe(s).or(d.ends);
        }
        Ok(d.ends)
    }

    pub(super) fn raw_fd(&mut self, proc: &ProcRef, fd: &FdRef) -> Result<(i32, bool), String> {
        let d = self.desc(proc, fd)?;
        let s = d.sock.as_ref().ok_or("the descriptor was closed")?;
        Ok((s.as_raw_fd(), d.udp))
    }

    pub(super) fn fork(&mut self, proc: &ProcRef, child: &str) -> Result<(), String> {
        let parent = self.procs.get(&proc_name(proc)).ok_or("no such process")?;
        let mut copy = BTreeMap::new();
        for (name, d) in parent {
            let sock = match &d.sock {
                Some(s) => Some(s.try_clone().map_err(|e| format!("fork: {e}"))?),
                None => None,
            };
            copy.insert(
                name.clone(),
                Desc {
                    sock,
                    ends: d.ends,
                    udp: d.udp,
                },
            );
        }
        let name = format!("{}/{child}", proc.host);
        self.procs.insert(name, copy);
        Ok(())
    }

    fn keep(
        &mut self,
        proc: &ProcRef,
        var: &Option<String>,
        sock: Socket,
        udp: bool,
    ) -> Result<(), String> {
        sock.set_read_timeout(Some(CALL_TIMEOUT))
            .and_then(|_| sock.set_write_timeout(Some(CALL_TIMEOUT)))
            .map_err(|e| format!("SO_RCVTIMEO: {e}"))?;
        let ends = observe(&sock);
        let table = self.procs.entry(proc_name(proc)).or_default();
        // A descriptor the scenario does not name stays open under a name of its own.
        let name = var.clone().unwrap_or_else(|| format!("#{}", table.len()));
        table.insert(
            name,
            Desc {
                sock: Some(sock),
                ends,
                udp,
            },
        );
        Ok(())
    }

    /// Makes one call; its result as C returns it.
    pub(super) fn call(&mut self, proc: &ProcRef, c: &CallStmt) -> Result<CallResult, String> {
        self.procs.entry(proc_name(proc)).or_default();
        if let Call::Socket { proto, family } = c.call {
            let domain = match family {
                Family::V4 => Domain::IPV4,
                Family::V6 => Domain::IPV6,
            };
            let ty = if proto == Proto::Udp {
                Type::DGRAM
            } else {
                Type::STREAM
            };
            let made = self
                .hosts
                .inside(&proc.host, || Socket::new(domain, ty, None))
                .map_err(|e| format!("setns: {e}"))?;
            return match made {
                Ok(s) => {
                    for opt in &self.buffers {
                        set_option(&s, opt).map_err(|e| format!("option {opt}: {e}"))?;
                    }
                    let n = s.as_raw_fd() as i64;
                    self.keep(proc, &c.var, s, proto == Proto::Udp)?;
                    Ok(Ok(n))
                }
                Err(e) => Ok(Err(errno_of(&e))),
            };
        }
        let fd = c
            .call
            .fd()
            .expect("every call but socket() names a descriptor");
        let d = self.desc(proc, &fd)?;
        let udp = d.udp;
        let Some(s) = d.sock.as_ref() else {
            return Err(format!("{fd} was closed: its number is not ours any more"));
        };
        if c.background {
            let s = s
                .try_clone()
                .map_err(|e| format!("a second descriptor: {e}"))?;
            let waker = s.try_clone().ok();
            let call = c.call.clone();
            let thread = std::thread::spawn(move || perform(&s, &call));
            self.start_background(proc, c.var.clone(), udp, thread, waker);
            return Ok(Err(Errno::EAGAIN));
        }
        let r = if let Call::Close { .. } = c.call {
            let d = self.desc(proc, &fd)?;
            let sock = d.sock.take().expect("an open descriptor");
            d.ends = observe(&sock).or(d.ends);
            close(sock)
        } else {
            let (r, made) = perform(s, &c.call);
            if let Some(new) = made {
                self.keep(proc, &c.var, new, udp)?;
            }
            r
        };
        if let Ok(d) = self.desc(proc, &fd) {
            if let Some(s) = &d.sock {
                d.ends = observe(s).or(d.ends);
            }
        }
        // A call the engine may have seen block returned at once here: it is this
        // process's latest, for `expect returned`.
        self.finished.insert(proc_name(proc), r);
        Ok(r)
    }
}

/// One call on a socket (any but socket() and close()), as C returns it, with the
/// socket accept() or dup() made. Needs nothing of the replay: a call left blocked
/// runs it on a thread of its own.
pub(super) fn perform(s: &Socket, call: &Call<FdRef>) -> (CallResult, Option<Socket>) {
    let made = |r: io::Result<Socket>| match r {
        Ok(new) => (Ok(new.as_raw_fd() as i64), Some(new)),
        Err(e) => (Err(errno_of(&e)), None),
    };
    let r = match call {
        Call::Socket { .. } | Call::Close { .. } => unreachable!("made by the replay"),
        Call::Bind { addr, .. } => {
            let local = s.local_addr().ok().and_then(|a| a.as_socket());
            let any = match local {
                Some(SocketAddr::V6(_)) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
                _ => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            };
            let at = SocketAddr::new(addr.ip.unwrap_or(any), addr.port.unwrap_or(0));
            zero(s.bind(&SockAddr::from(at)))
        }
        Call::Listen { backlog, .. } => zero(s.listen(*backlog as i32)),
        Call::Connect { addr, .. } => zero(s.connect(&SockAddr::from(*addr))),
        Call::Accept { .. } => return made(s.accept().map(|(new, _)| new)),
        Call::Send { len, .. } => {
            let buf = vec![b'x'; *len as usize];
            count(s.send_with_flags(&buf, libc::MSG_NOSIGNAL))
        }
        Call::Recv { len, .. } | Call::RecvFrom { len, .. } => {
            let mut buf = vec![MaybeUninit::<u8>::uninit(); *len as usize];
            count(s.recv(&mut buf))
        }
        Call::SendTo { len, to, .. } => {
            let buf = vec![b'x'; *len as usize];
            count(s.send_to(&buf, &SockAddr::from(*to)))
        }
        Call::Shutdown { how, .. } => {
            let how = match how {
                sockscope_engine::Shutdown::Read => std::net::Shutdown::Read,
                sockscope_engine::Shutdown::Write => std::net::Shutdown::Write,
                sockscope_engine::Shutdown::Both => std::net::Shutdown::Both,
            };
            zero(s.shutdown(how))
        }
        Call::SetSockOpt { opt, .. } => zero(set_option(s, opt)),
        Call::GetSockOpt { name, .. } => zero(match name {
            OptName::ReuseAddr => s.reuse_address().map(|_| ()),
            OptName::Linger => s.linger().map(|_| ()),
            OptName::SndBuf => s.send_buffer_size().map(|_| ()),
            OptName::RcvBuf => s.recv_buffer_size().map(|_| ()),
            OptName::V6Only => s.only_v6().map(|_| ()),
        }),
        Call::Dup { .. } => return made(s.try_clone()),
        Call::SetNonBlocking { on, .. } => zero(s.set_nonblocking(*on)),
    };
    (r, None)
}

/// setsockopt() of one option.
pub(super) fn set_option(s: &Socket, opt: &SockOpt) -> io::Result<()> {
    match opt {
        SockOpt::ReuseAddr(on) => s.set_reuse_address(*on),
        SockOpt::Linger(secs) => s.set_linger(secs.map(|n| Duration::from_secs(n.into()))),
        SockOpt::SndBuf(n) => s.set_send_buffer_size(*n as usize),
        SockOpt::RcvBuf(n) => s.set_recv_buffer_size(*n as usize),
        SockOpt::V6Only(on) => s.set_only_v6(*on),
    }
}

/// (local, peer) of a socket that has a local port.
/// close() with its result (dropping a `Socket` ignores it).
fn close(sock: Socket) -> CallResult {
    let fd = sock.into_raw_fd();
    // SAFETY: the descriptor was ours and is given up here, exactly once.
    match unsafe { libc::close(fd) } {
        0 => Ok(0),
        _ => Err(errno_of(&io::Error::last_os_error())),
    }
}

pub(super) fn observe(s: &Socket) -> Option<(SocketAddr, Option<SocketAddr>)> {
    let local = s.local_addr().ok()?.as_socket().filter(|a| a.port() != 0)?;
    let peer = s.peer_addr().ok().and_then(|a| a.as_socket());
    Some((local, peer))
}

fn zero(r: io::Result<()>) -> CallResult {
    r.map(|_| 0).map_err(|e| errno_of(&e))
}

fn count(r: io::Result<usize>) -> CallResult {
    r.map(|n| n as i64).map_err(|e| errno_of(&e))
}

pub(super) fn ioctl_count(fd: i32, request: libc::Ioctl) -> u64 {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD/TIOCOUTQ write one int through the pointer, which is valid.
    let r = unsafe { libc::ioctl(fd, request, &mut n) };
    assert_eq!(r, 0, "Linux: ioctl: {}", io::Error::last_os_error());
    n as u64
}

/// The TCP state the kernel keeps for a socket (TCP_INFO's tcpi_state, the numbers
/// of include/net/tcp_states.h), in the engine's terms.
pub(super) fn tcp_info_state(fd: i32) -> Option<TcpState> {
    // SAFETY: an all-zero tcp_info is a valid value of this plain C struct.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes into `info`, which is that large.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    if r != 0 {
        return None;
    }
    Some(match info.tcpi_state {
        1 => TcpState::Established,
        2 => TcpState::SynSent,
        3 => TcpState::SynRcvd,
        4 => TcpState::FinWait1,
        5 => TcpState::FinWait2,
        6 => TcpState::TimeWait,
        7 => TcpState::Closed,
        8 => TcpState::CloseWait,
        9 => TcpState::LastAck,
        10 => TcpState::Listen,
        11 => TcpState::Closing,
        _ => return None,
    })
}
