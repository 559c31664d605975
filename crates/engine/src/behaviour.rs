//! Textbook or Linux: every decision where the two differ, one small method each.
//!
//! The engine asks here at each decision point and nowhere else tests the mode, so this
//! file is the complete list of what the switch changes (model.md, "Where Linux
//! differs", says for each row whether Linux mode does it). The textbook answers are
//! MODEL.md's; the Linux answers are what `crates/kernel-check` sees a real kernel do.

use crate::addr::{Family, Proto};
use crate::call::{Ret, Value};
use crate::errno::Errno;
use crate::state::TcpState;
use crate::time::{Micros, SEC};
use serde::{Deserialize, Serialize};

/// How the world behaves where the textbook model and Linux part ways.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Behaviour {
    /// MODEL.md: the behaviour a course draws.
    #[default]
    Textbook,
    /// What Linux does, refereed by `crates/kernel-check`.
    Linux,
}

impl Behaviour {
    pub const ALL: [Behaviour; 2] = [Behaviour::Textbook, Behaviour::Linux];

    /// The other mode, for "this would go differently" sentences.
    pub fn other(self) -> Behaviour {
        match self {
            Behaviour::Textbook => Behaviour::Linux,
            Behaviour::Linux => Behaviour::Textbook,
        }
    }

    fn linux(self) -> bool {
        self == Behaviour::Linux
    }

    /// close() while RecvQ still holds bytes the program never read.
    pub fn close_with_unread_data(self) -> CloseWithUnread {
        if self.linux() {
            CloseWithUnread::Reset
        } else {
            CloseWithUnread::DiscardAndFin
        }
    }

    /// Bytes arrive at a structure whose program can no longer read them (it closed
    /// the socket, or shut reading down, and is in FIN_WAIT_1 or FIN_WAIT_2).
    pub fn data_after_close(self) -> DataAfterClose {
        if self.linux() {
            DataAfterClose::Reset
        } else {
            DataAfterClose::ShutWindow
        }
    }

    /// The error an RST leaves for the program's next call. Linux says EPIPE to a
    /// connection whose peer had already sent its FIN (CLOSE_WAIT): the stream it
    /// reads has ended cleanly, only writing broke.
    pub fn error_after_reset(self, state: TcpState) -> Errno {
        if self.linux() && state == TcpState::CloseWait {
            Errno::EPIPE
        } else {
            Errno::ECONNRESET
        }
    }

    /// setsockopt(SO_SNDBUF, n): what getsockopt() then reports and how many bytes
    /// SendQ holds.
    pub fn send_buffer(self, requested: u64) -> Buffer {
        match self {
            Behaviour::Textbook => Buffer::exact(requested),
            Behaviour::Linux => {
                let reported = linux_doubled(requested, LINUX_MIN_SNDBUF);
                Buffer {
                    reported,
                    capacity: reported,
                }
            }
        }
    }

    /// setsockopt(SO_RCVBUF, n): what getsockopt() then reports and how many bytes
    /// RecvQ holds (Linux keeps about half of its buffer for bookkeeping).
    pub fn receive_buffer(self, requested: u64) -> Buffer {
        match self {
            Behaviour::Textbook => Buffer::exact(requested),
            Behaviour::Linux => {
                let reported = linux_doubled(requested, LINUX_MIN_RCVBUF);
                Buffer {
                    reported,
                    capacity: reported / 2,
                }
            }
        }
    }

    /// What getsockopt(SO_SNDBUF / SO_RCVBUF) reports for a queue of `capacity` bytes
    /// (the inverse of `send_buffer` and `receive_buffer`).
    pub fn reported_buffer(self, capacity: u64, receive: bool) -> u64 {
        match self {
            Behaviour::Linux if receive => capacity.saturating_mul(2),
            _ => capacity,
        }
    }

    /// bind() beside another structure on the same port and family: is it refused?
    pub fn bind_conflict(self, b: BindPair) -> bool {
        if !b.overlap {
            return false;
        }
        match self {
            // MODEL.md §6: SO_REUSEADDR on the binding socket lets it sit beside a
            // structure on another (overlapping) address, and beside a non-listening
            // one on the same address unless that one is plainly bound without it.
            Behaviour::Textbook => {
                if !b.new_reuse {
                    return true;
                }
                b.same_ip && (b.old_listening || (b.old_plain_bound && !b.old_reuse))
            }
            // Linux (inet_csk_bind_conflict, udp_lib_lport_inuse): both sockets must
            // have set SO_REUSEADDR, and no bind may overlap a listener.
            Behaviour::Linux => !(b.new_reuse && b.old_reuse && !b.old_listening),
        }
    }

    /// What a close() blocked by SO_LINGER returns when the linger time runs out
    /// before the FIN is acknowledged.
    pub fn linger_expired(self) -> Result<(), Errno> {
        if self.linux() {
            Ok(())
        } else {
            Err(Errno::ETIMEDOUT)
        }
    }

    /// send() on a TCP socket that is not connected (never, a listener, or refused).
    pub fn send_unconnected(self) -> Errno {
        if self.linux() {
            Errno::EPIPE
        } else {
            Errno::ENOTCONN
        }
    }

    /// The first connect() after a non-blocking connect() has completed: BSD (and the
    /// textbook's "call connect() again") says EISCONN; Linux reports the completion
    /// once, with 0, and says EISCONN only after that.
    pub fn connect_after_completion(self) -> Ret {
        if self.linux() {
            Ok(Value::Zero)
        } else {
            Err(Errno::EISCONN)
        }
    }

    /// bind() of an address of the other family. The model names the family
    /// (EAFNOSUPPORT) either way; Linux first checks the length C passes, and a
    /// `sockaddr_in` is too short for an IPv6 socket (EINVAL).
    pub fn bind_other_family(self, socket: Family) -> Errno {
        match (self, socket) {
            (Behaviour::Linux, Family::V6) => Errno::EINVAL,
            _ => Errno::EAFNOSUPPORT,
        }
    }

    /// connect() or sendto() of an IPv4 address (a `sockaddr_in`) on an IPv6 socket:
    /// `Ok` takes it as its IPv4-mapped address. The model names the family
    /// (EAFNOSUPPORT). Linux checks TCP's length first (EINVAL: too short for
    /// AF_INET6), and takes UDP's as the mapped address, dual stack, which an
    /// IPV6_V6ONLY socket refuses: EAFNOSUPPORT from connect(), ENETUNREACH from
    /// sendto().
    pub fn ipv4_destination_on_ipv6(
        self,
        proto: Proto,
        v6only: bool,
        connect: bool,
    ) -> Result<(), Errno> {
        match (self, proto, v6only) {
            (Behaviour::Textbook, ..) => Err(Errno::EAFNOSUPPORT),
            (Behaviour::Linux, Proto::Tcp, _) => Err(Errno::EINVAL),
            (Behaviour::Linux, Proto::Udp, false) => Ok(()),
            (Behaviour::Linux, Proto::Udp, true) if connect => Err(Errno::EAFNOSUPPORT),
            (Behaviour::Linux, Proto::Udp, true) => Err(Errno::ENETUNREACH),
        }
    }

    /// connect() on a listening socket.
    pub fn connect_on_listener(self) -> Errno {
        if self.linux() {
            Errno::EISCONN
        } else {
            Errno::EINVAL
        }
    }

    /// accept() copies the listener's O_NONBLOCK to the new socket (BSD), or not
    /// (Linux: it is a flag of the open file, not of the socket).
    pub fn accepted_inherits_nonblocking(self) -> bool {
        !self.linux()
    }

    /// Recv-Q as netstat shows it: `ss` on Linux prints rcv_nxt − copied_seq, so a
    /// FIN the program has not read yet counts as one.
    pub fn shown_recv_q(self, bytes: u64, fin_unread: bool) -> u64 {
        bytes + (self.linux() && fin_unread) as u64
    }

    /// A TCP structure in CLOSED (bound only, or a connection that is over) has a
    /// netstat row (MODEL.md §1: one row per structure) or none (Linux).
    pub fn lists_closed_structures(self) -> bool {
        !self.linux()
    }

    /// A UDP structure without a port yet (socket() only) has a netstat row
    /// (MODEL.md §1: one row per structure) or none (Linux: `ss` lists the sockets in
    /// its hash tables, and a UDP socket enters them once bind(), connect() or its
    /// first sendto() gives it a port).
    pub fn lists_unbound_datagram_structures(self) -> bool {
        !self.linux()
    }

    /// How much RecvQ must have free before a window of 0 opens again (receiver
    /// silly-window avoidance, RFC 1122 §4.2.3.3, on Linux; at once in the textbook).
    pub fn window_reopens_at(self, rqs: u64, mss: u64) -> u64 {
        if self.linux() {
            mss.min(rqs / 2).max(1)
        } else {
            1
        }
    }

    /// The congestion window of a new connection, in segments (RFC 6928 on Linux).
    pub fn initial_cwnd(self, configured: u64) -> u64 {
        if self.linux() {
            LINUX_INITIAL_CWND
        } else {
            configured
        }
    }

    /// The errno when every ephemeral port is taken.
    pub fn no_ephemeral_port(self, why: PortFor) -> Errno {
        match (self, why) {
            (Behaviour::Linux, PortFor::Connect) => Errno::EADDRNOTAVAIL,
            (Behaviour::Linux, PortFor::Listen | PortFor::Send) => Errno::EAGAIN,
            _ => Errno::EADDRINUSE,
        }
    }

    /// What an RST for a synchronized connection does, given its sequence number and
    /// the receiver's RCV.NXT and window. RFC 793 §3.4 believes any RST inside the
    /// window (exactly RCV.NXT when it is 0); Linux follows RFC 5961 §3.2: only an RST
    /// at exactly RCV.NXT resets, one elsewhere in the window gets a "challenge ACK"
    /// (a genuine peer answers it with an exact RST; a blind attacker cannot).
    pub fn rst_verdict(self, seq: u64, rcv_nxt: u64, window: u64) -> RstVerdict {
        let in_window = if window == 0 {
            seq == rcv_nxt
        } else {
            seq >= rcv_nxt && seq < rcv_nxt.saturating_add(window)
        };
        match (in_window, self) {
            (false, _) => RstVerdict::Ignore,
            (true, Behaviour::Textbook) => RstVerdict::Reset,
            (true, Behaviour::Linux) if seq == rcv_nxt => RstVerdict::Reset,
            (true, Behaviour::Linux) => RstVerdict::ChallengeAck,
        }
    }

    /// shutdown(SHUT_RD) keeps what RecvQ holds and queues what still arrives
    /// (Linux), or throws both away (MODEL.md).
    pub fn shut_read_keeps_bytes(self) -> bool {
        self.linux()
    }

    /// A segment that starts beyond RCV.NXT, inside the window: discarded, for
    /// go-back-N to send again (the textbook), or kept in an out-of-order queue until
    /// the gap before it fills (Linux; RFC 9293 §3.10.7.4 allows either). The sender
    /// is go-back-N in both modes: it learns of the kept bytes when the ACK jumps.
    pub fn out_of_order(self) -> OutOfOrder {
        if self.linux() {
            OutOfOrder::Keep
        } else {
            OutOfOrder::Discard
        }
    }

    /// How many connections a listener's accept queue holds before a new SYN is
    /// dropped: the backlog (at least 1; MODEL.md §5), or on Linux one more than the
    /// backlog (`sk_acceptq_is_full` tests "more than", so listen(fd, 1) queues 2).
    pub fn accept_queue_holds(self, backlog: u32) -> u64 {
        if self.linux() {
            u64::from(backlog) + 1
        } else {
            u64::from(backlog.max(1))
        }
    }

    /// How long TIME_WAIT lasts: the configured 2 × MSL, or Linux's fixed
    /// TCP_TIMEWAIT_LEN of 60 s.
    pub fn time_wait(self, configured: Micros) -> Micros {
        if self.linux() {
            60 * SEC
        } else {
            configured
        }
    }
}

impl std::fmt::Display for Behaviour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Behaviour::Textbook => "textbook",
            Behaviour::Linux => "linux",
        })
    }
}

impl std::str::FromStr for Behaviour {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "textbook" => Ok(Behaviour::Textbook),
            "linux" => Ok(Behaviour::Linux),
            other => Err(format!(
                "unknown behaviour \"{other}\"; it is textbook or linux"
            )),
        }
    }
}

/// Linux's smallest send buffer: 2 × (2048 + the size of an sk_buff).
pub const LINUX_MIN_SNDBUF: u64 = 4608;
/// Linux's smallest receive buffer: 2048 + the size of an sk_buff.
pub const LINUX_MIN_RCVBUF: u64 = 2304;
/// The largest buffer an unprivileged setsockopt() gets (net.core.wmem_max and
/// rmem_max, 212992 by default), before doubling.
pub const LINUX_MAX_BUF: u64 = 212_992;
/// TCP_INIT_CWND.
pub const LINUX_INITIAL_CWND: u64 = 10;

fn linux_doubled(requested: u64, min: u64) -> u64 {
    requested.min(LINUX_MAX_BUF).saturating_mul(2).max(min)
}

/// A buffer size as setsockopt() leaves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// What getsockopt() reports.
    pub reported: u64,
    /// How many bytes the queue holds.
    pub capacity: u64,
}

impl Buffer {
    fn exact(n: u64) -> Buffer {
        Buffer {
            reported: n,
            capacity: n,
        }
    }
}

/// What an arriving RST does to a synchronized connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RstVerdict {
    /// The connection is reset.
    Reset,
    /// Outside the window: discarded, the connection goes on.
    Ignore,
    /// In the window but not exact (Linux, RFC 5961): an ACK goes back instead.
    ChallengeAck,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseWithUnread {
    /// MODEL.md §5: the bytes are thrown away, a FIN follows, the window stays 0.
    DiscardAndFin,
    /// RFC 2525: an RST instead of a FIN; the structure is gone at once.
    Reset,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataAfterClose {
    /// The closed end advertises a window of 0; the bytes wait at the sender.
    ShutWindow,
    /// Answered by RST; the closed end's structure is gone.
    Reset,
}

/// Two structures on one port, as `Behaviour::bind_conflict` weighs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BindPair {
    /// The addresses overlap: equal, or one of them is the wildcard.
    pub overlap: bool,
    /// The addresses are equal (both wildcard, or the same address).
    pub same_ip: bool,
    /// SO_REUSEADDR on the socket that binds.
    pub new_reuse: bool,
    /// SO_REUSEADDR on the structure already there (a TIME_WAIT structure keeps its
    /// listener's).
    pub old_reuse: bool,
    pub old_listening: bool,
    /// The structure already there is bound but neither listening nor connected.
    pub old_plain_bound: bool,
}

/// What a receiver does with a segment beyond a gap (`Behaviour::out_of_order`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutOfOrder {
    Discard,
    Keep,
}

/// Which call needed an ephemeral port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortFor {
    /// bind() to port 0.
    Bind,
    /// connect() of an unbound socket.
    Connect,
    /// listen() of an unbound socket.
    Listen,
    /// sendto() of an unbound UDP socket.
    Send,
}
