//! send() and recv() on TCP, and the one decision of when each blocks.

use super::Poll::{self, Block, Done};
use crate::addr::Proto;
use crate::behaviour::Behaviour;
use crate::call::Value;
use crate::difference::Difference;
use crate::errno::Errno;
use crate::host::Pending;
use crate::ids::SockId;
use crate::queue::Run;
use crate::socket::Socket;
use crate::state::TcpState;
use crate::world::World;

impl World {
    pub(super) fn poll_send(&mut self, sock: SockId, len: u64, pending: &mut Pending) -> Poll {
        let mode = self.behaviour();
        if let SendGate::Fail(e) = send_gate(self.sock_mut(sock), mode) {
            if Some(e) != send_gate(self.sock_mut(sock), mode.other()).errno() {
                self.other_mode(Some(sock), Difference::SendUnconnected);
            }
        }
        let s = self.sock_mut(sock);
        let room = match send_gate(s, mode) {
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
            s.ledger.out.written += n;
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
                && matches!(send_gate(s, self.behaviour()), SendGate::Open { room: 0 })
        })
    }

    /// The same for a non-blocking TCP recv() of `len` bytes: connected, unbroken,
    /// RecvQ empty and no FIN yet (what `poll_recv` finds).
    pub fn recv_would_block(&self, sock: SockId, len: u64) -> bool {
        self.socket(sock).is_some_and(|s| {
            s.proto == Proto::Tcp
                && s.opts.nonblocking
                && len > 0
                && matches!(recv_gate(s, len, self.behaviour()), RecvGate::Empty)
        })
    }

    pub(super) fn poll_recv(&mut self, sock: SockId, len: u64, want_from: bool) -> Poll {
        let mode = self.behaviour();
        let s = self.sock_mut(sock);
        let from = s.remote_addr();
        let value = |n| match (want_from, from) {
            (true, Some(from)) => Value::From { len: n, from },
            _ => Value::Bytes(n),
        };
        match recv_gate(s, len, mode) {
            RecvGate::Pending(e) => {
                s.error = None;
                Done(Err(e))
            }
            RecvGate::Fail(e) => Done(Err(e)),
            RecvGate::Handshake | RecvGate::Empty if s.opts.nonblocking => Done(Err(Errno::EAGAIN)),
            RecvGate::Handshake | RecvGate::Empty => Block,
            RecvGate::Zero => {
                s.tcb.fin_read |= s.tcb.fin_received && len > 0;
                Done(Ok(value(0)))
            }
            RecvGate::Data => {
                let delivered = &mut s.delivered;
                let n = s.recvq.pop_each(len, |r| delivered.push_run(r));
                self.maybe_window_update(sock);
                Done(Ok(value(n)))
            }
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

impl SendGate {
    fn errno(&self) -> Option<Errno> {
        match self {
            SendGate::Pending(e) | SendGate::Fail(e) => Some(*e),
            _ => None,
        }
    }
}

fn send_gate(s: &Socket, mode: Behaviour) -> SendGate {
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
        TcpState::Closed | TcpState::Listen => SendGate::Fail(mode.send_unconnected()),
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

fn recv_gate(s: &Socket, len: u64, mode: Behaviour) -> RecvGate {
    if let Some(e) = s.error {
        return RecvGate::Pending(e);
    }
    match s.state {
        TcpState::Listen => return RecvGate::Fail(Errno::ENOTCONN),
        TcpState::Closed if !s.was_connected => return RecvGate::Fail(Errno::ENOTCONN),
        TcpState::SynSent | TcpState::SynRcvd => return RecvGate::Handshake,
        _ => {}
    }
    let shut = s.read_shut && (s.recvq.is_empty() || !mode.shut_read_keeps_bytes());
    if len == 0 || shut {
        RecvGate::Zero
    } else if !s.recvq.is_empty() {
        RecvGate::Data
    } else if s.tcb.fin_received || s.state == TcpState::Closed {
        RecvGate::Zero
    } else {
        RecvGate::Empty
    }
}
