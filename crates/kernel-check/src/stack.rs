//! What a scenario may do: the socket calls of the C API, and a few looks at the
//! structures, the same for the engine and for the kernel.

use crate::facts::Fact;
use sockscope_engine::{Errno, Shutdown};
use std::net::SocketAddr;
use std::time::Duration;

/// A socket of one stack (an index into its table, not a descriptor number: those
/// differ between the worlds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sock(pub usize);

/// The sockets API (TCP and UDP, over IPv4 and IPv6), as far as the scenarios use it:
/// bind(), connect(), send(), recv(), close() and O_NONBLOCK work on a UDP socket as
/// on a TCP one. Calls that block return when they are done; a call that would wait
/// forever is a bug in the scenario (the kernel reports it as EAGAIN after a few
/// seconds, the engine panics).
pub trait Stack {
    /// "engine" or "Linux", for messages.
    fn world(&self) -> &'static str;

    /// socket(AF_INET, SOCK_STREAM, 0).
    fn socket(&mut self) -> Sock;
    fn set_reuseaddr(&mut self, s: Sock, on: bool) -> Result<(), Errno>;
    /// SO_LINGER: `None` is off, `Some(secs)` makes close() wait up to `secs` seconds.
    fn set_linger(&mut self, s: Sock, secs: Option<u32>) -> Result<(), Errno>;
    fn set_sndbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno>;
    fn set_rcvbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno>;
    /// getsockopt(SO_SNDBUF), getsockopt(SO_RCVBUF).
    fn buffers(&mut self, s: Sock) -> (u64, u64);
    /// fcntl(F_SETFL, O_NONBLOCK) or clearing it.
    fn set_nonblocking(&mut self, s: Sock, on: bool) -> Result<(), Errno>;
    /// fcntl(F_GETFL) & O_NONBLOCK.
    fn is_nonblocking(&mut self, s: Sock) -> bool;

    /// bind(); 0.0.0.0 is INADDR_ANY and port 0 asks for a free port.
    fn bind(&mut self, s: Sock, addr: SocketAddr) -> Result<(), Errno>;
    fn listen(&mut self, s: Sock, backlog: u32) -> Result<(), Errno>;
    fn connect(&mut self, s: Sock, to: SocketAddr) -> Result<(), Errno>;
    fn accept(&mut self, s: Sock) -> Result<Sock, Errno>;
    /// send() of `len` bytes; the count it returns.
    fn send(&mut self, s: Sock, len: u64) -> Result<u64, Errno>;
    /// recv() into a buffer of `len` bytes; the count it returns.
    fn recv(&mut self, s: Sock, len: u64) -> Result<u64, Errno>;
    fn shutdown(&mut self, s: Sock, how: Shutdown) -> Result<(), Errno>;
    /// close() with its result; the socket is gone afterwards either way.
    fn close(&mut self, s: Sock) -> Result<(), Errno>;

    /// getsockname(): the wildcard address prints as 0.0.0.0.
    fn local_addr(&mut self, s: Sock) -> SocketAddr;

    /// socket(AF_INET6, SOCK_STREAM, 0): dual stack unless IPV6_V6ONLY is set.
    fn socket6(&mut self) -> Sock;
    /// setsockopt(IPPROTO_IPV6, IPV6_V6ONLY).
    fn set_v6only(&mut self, s: Sock, on: bool) -> Result<(), Errno>;
    /// bind() to an address written as the scenario language and the forms write it
    /// (`0.0.0.0:80`, `[::]:80`, `*:80`), read by the engine's one address reader.
    fn bind_written(&mut self, s: Sock, text: &str) -> Result<(), Errno>;
    /// getpeername(): an IPv4 peer of an IPv6 socket is IPv4-mapped.
    fn peer_addr(&mut self, s: Sock) -> SocketAddr;
    /// A port nobody uses on 127.0.0.1 right now.
    fn free_port(&mut self) -> u16;
    /// (RecvQ, SendQ) in bytes of a connected socket, as netstat/ss print them.
    fn queues(&mut self, s: Sock) -> (u64, u64);

    /// socket(AF_INET, SOCK_DGRAM, 0).
    fn udp_socket(&mut self) -> Sock;
    /// socket(AF_INET6, SOCK_DGRAM, 0): dual stack unless IPV6_V6ONLY is set.
    fn udp_socket6(&mut self) -> Sock;
    /// sendto() of a `len`-byte datagram to `to`; the count it returns.
    fn send_to(&mut self, s: Sock, len: u64, to: SocketAddr) -> Result<u64, Errno>;
    /// recvfrom() into a buffer of `len` bytes: the count it returns and the sender.
    fn recv_from(&mut self, s: Sock, len: u64) -> Result<(u64, SocketAddr), Errno>;

    /// socket(AF_INET, SOCK_STREAM, 0) in the process that holds `beside`, so the two
    /// share one descriptor table.
    fn socket_beside(&mut self, beside: Sock) -> Sock;
    /// dup(): a second descriptor for the same structure, in the same process.
    fn dup(&mut self, s: Sock) -> Result<Sock, Errno>;
    /// fork(): the child's copy of `s`, in a child process that holds only it (as
    /// after exec with the others close-on-exec). close() of it is the child's.
    fn fork(&mut self, s: Sock) -> Sock;
    /// The descriptor's number, as the program sees it.
    fn fd_number(&mut self, s: Sock) -> i32;

    /// Lets the network run until nothing changes by itself any more.
    fn settle(&mut self);
    /// Lets the network run for at most `d` (the engine: `d` of its time; Linux: until
    /// settled, within `d`): a settle point before a timer due later (a SYN's
    /// retransmission after 1 s) fires.
    fn settle_for(&mut self, d: Duration);
    /// The state of the row for `local` and `peer` (`None`: a listener's `*`), as
    /// netstat/ss show it: `Fact::State(None)` when there is no such row. `hint` is
    /// what the other world saw: the kernel may poll until it sees the same.
    fn state(&mut self, local: SocketAddr, peer: Option<SocketAddr>, hint: Option<&Fact>) -> Fact;
    /// Recv-Q of the row for `local` and `peer` (also for a structure no descriptor
    /// refers to yet, such as one waiting for accept()).
    fn row_recv_q(&mut self, local: SocketAddr, peer: SocketAddr, hint: Option<&Fact>) -> Fact;
    /// Recv-Q of the UDP row bound to `local`, as netstat/`ss -uan` print it.
    fn udp_recv_q(&mut self, local: SocketAddr) -> Option<u64>;
    /// (Recv-Q, Send-Q) of the LISTEN row on `local`, as `ss` prints them: the
    /// connections waiting for accept(), and the backlog. `None`: no such row.
    fn listener_queues(&mut self, local: SocketAddr) -> Option<(u64, u64)>;
}
