//! setsockopt() and getsockopt().

use crate::addr::Family;
use crate::behaviour::Behaviour;
use crate::call::{OptName, Ret, SockOpt, Value};
use crate::difference::Difference;
use crate::errno::Errno;
use crate::ids::SockId;
use crate::world::World;

impl World {
    pub(super) fn do_setsockopt(&mut self, sock: SockId, opt: SockOpt) -> Ret {
        if let SockOpt::V6Only(on) = opt {
            return self.set_v6only(sock, on);
        }
        if let SockOpt::SndBuf(n @ 1..) | SockOpt::RcvBuf(n @ 1..) = opt {
            self.buffer_difference(sock, matches!(opt, SockOpt::RcvBuf(_)), n);
        }
        let mode = self.behaviour();
        let s = self.sock_mut(sock);
        match opt {
            SockOpt::SndBuf(0) | SockOpt::RcvBuf(0) => return Err(Errno::EINVAL),
            SockOpt::SndBuf(n) => s.sendq.set_capacity(mode.send_buffer(n).capacity),
            SockOpt::RcvBuf(n) => {
                s.recvq.set_capacity(mode.receive_buffer(n).capacity);
                self.maybe_window_update(sock);
            }
            SockOpt::Linger(l) => s.opts.linger = l,
            SockOpt::ReuseAddr(on) => s.opts.reuse_addr = on,
            SockOpt::V6Only(_) => unreachable!("handled above"),
        }
        Ok(Value::Zero)
    }

    /// IPV6_V6ONLY exists only at level IPPROTO_IPV6, so an IPv4 socket has no such
    /// option (ENOPROTOOPT), and Linux takes it only before bind() (EINVAL after),
    /// because the bound port's conflicts were checked with the old setting.
    fn set_v6only(&mut self, sock: SockId, on: bool) -> Ret {
        let s = self.sock_mut(sock);
        if s.family == Family::V4 {
            return Err(Errno::ENOPROTOOPT);
        }
        if s.local.port.is_some() {
            return Err(Errno::EINVAL);
        }
        s.opts.v6only = on;
        Ok(Value::Zero)
    }

    /// getsockopt() as the call returns it: IPV6_V6ONLY of an IPv4 socket fails with
    /// EOPNOTSUPP, as on Linux.
    pub(super) fn do_getsockopt(&mut self, sock: SockId, name: OptName) -> Ret {
        if name == OptName::V6Only && self.sock_mut(sock).family == Family::V4 {
            return Err(Errno::EOPNOTSUPP);
        }
        Ok(Value::Opt(self.getsockopt(sock, name)))
    }

    pub(super) fn getsockopt(&mut self, sock: SockId, name: OptName) -> SockOpt {
        let mode = self.behaviour();
        let s = self.sock_mut(sock);
        match name {
            OptName::SndBuf => SockOpt::SndBuf(mode.reported_buffer(s.sendq.capacity(), false)),
            OptName::RcvBuf => SockOpt::RcvBuf(mode.reported_buffer(s.recvq.capacity(), true)),
            OptName::Linger => SockOpt::Linger(s.opts.linger),
            OptName::ReuseAddr => SockOpt::ReuseAddr(s.opts.reuse_addr),
            OptName::V6Only => SockOpt::V6Only(s.opts.v6only),
        }
    }
}

impl World {
    /// setsockopt(SO_SNDBUF / SO_RCVBUF) gives a different buffer in the other mode.
    fn buffer_difference(&mut self, sock: SockId, receive: bool, requested: u64) {
        let size = |mode: Behaviour| {
            if receive {
                mode.receive_buffer(requested).reported
            } else {
                mode.send_buffer(requested).reported
            }
        };
        let (textbook, linux) = (size(Behaviour::Textbook), size(Behaviour::Linux));
        self.other_mode(
            Some(sock),
            Difference::Buffer {
                receive,
                requested,
                textbook,
                linux,
            },
        );
    }
}
