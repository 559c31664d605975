//! setsockopt() and getsockopt().

use crate::call::{OptName, Ret, SockOpt, Value};
use crate::errno::Errno;
use crate::ids::SockId;
use crate::world::World;

impl World {
    pub(super) fn do_setsockopt(&mut self, sock: SockId, opt: SockOpt) -> Ret {
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

    pub(super) fn getsockopt(&mut self, sock: SockId, name: OptName) -> SockOpt {
        let s = self.sock_mut(sock);
        match name {
            OptName::SndBuf => SockOpt::SndBuf(s.sendq.capacity()),
            OptName::RcvBuf => SockOpt::RcvBuf(s.recvq.capacity()),
            OptName::Linger => SockOpt::Linger(s.opts.linger),
            OptName::ReuseAddr => SockOpt::ReuseAddr(s.opts.reuse_addr),
        }
    }
}
