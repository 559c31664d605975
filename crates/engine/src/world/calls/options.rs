//! setsockopt() and getsockopt().

use crate::behaviour::Behaviour;
use crate::call::{OptName, Ret, SockOpt, Value};
use crate::difference::Difference;
use crate::errno::Errno;
use crate::ids::SockId;
use crate::world::World;

impl World {
    pub(super) fn do_setsockopt(&mut self, sock: SockId, opt: SockOpt) -> Ret {
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
        }
        Ok(Value::Zero)
    }

    pub(super) fn getsockopt(&mut self, sock: SockId, name: OptName) -> SockOpt {
        let mode = self.behaviour();
        let s = self.sock_mut(sock);
        match name {
            OptName::SndBuf => SockOpt::SndBuf(mode.reported_buffer(s.sendq.capacity(), false)),
            OptName::RcvBuf => SockOpt::RcvBuf(mode.reported_buffer(s.recvq.capacity(), true)),
            OptName::Linger => SockOpt::Linger(s.opts.linger),
            OptName::ReuseAddr => SockOpt::ReuseAddr(s.opts.reuse_addr),
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
