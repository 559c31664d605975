//! shutdown() and close(): ending a direction, releasing a structure, lingering.

use super::Poll::{self, Block, Done};
use crate::addr::Proto;
use crate::behaviour::CloseWithUnread;
use crate::call::{Ret, Shutdown, Value};
use crate::difference::Difference;
use crate::errno::Errno;
use crate::ids::{Fd, Pid, SockId};
use crate::ledger::Loss;
use crate::segment::Flags;
use crate::state::TcpState;
use crate::time::SEC;
use crate::trace::TimerKind;
use crate::world::World;

impl World {
    pub(super) fn do_shutdown(&mut self, sock: SockId, how: Shutdown) -> Ret {
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
            let queued = s.recvq.len();
            if !self.behaviour().shut_read_keeps_bytes() {
                // A UDP socket's datagrams go with their bytes.
                let s = self.sock_mut(sock);
                let lost = s.recvq.clear();
                s.datagrams.clear();
                s.ledger.inc.lost.add(Loss::ShutRead, lost);
            }
            if s_is_tcp(self, sock) {
                self.other_mode(Some(sock), Difference::ShutRead { queued });
            }
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

    pub(super) fn do_close(&mut self, pid: Pid, fd: Fd, sock: SockId) -> Poll {
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
        let unread = self.sock_mut(sock).recvq.len();
        if unread > 0 {
            self.other_mode(Some(sock), Difference::CloseWithUnread { unread });
            if self.behaviour().close_with_unread_data() == CloseWithUnread::Reset {
                self.abort(sock);
                return Done(Ok(Value::Zero));
            }
        }
        // Unread bytes are discarded; from now on the window we advertise is 0.
        let s = self.sock_mut(sock);
        let lost = s.recvq.clear();
        s.ledger.inc.lost.add(Loss::ClosedUnread, lost);
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
    pub(super) fn poll_linger(&mut self, sock: SockId) -> Poll {
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
        if !self.timer_armed(sock, TimerKind::Linger) {
            // The linger time ran out with the FIN still unacknowledged.
            self.other_mode(Some(sock), Difference::LingerExpired);
            return Done(self.behaviour().linger_expired().map(|()| Value::Zero));
        }
        Block
    }

    /// An abortive end: RST to the peer (if there is one) and the structure is gone.
    fn abort(&mut self, sock: SockId) {
        let s = self.sock_mut(sock);
        if s.state != TcpState::Closed && s.state != TcpState::Listen && s.remote_addr().is_some() {
            let seq = s.tcb.snd_nxt;
            self.send_tcp(sock, Flags::RST_ACK, seq, Vec::new());
        }
        self.free_socket(sock);
    }
}

fn s_is_tcp(w: &World, sock: SockId) -> bool {
    w.socket(sock).is_some_and(|s| s.proto == Proto::Tcp)
}
