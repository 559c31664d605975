//! A [`Stack`] that passes every call on to another and, each time it reports a
//! connection's state or Recv-Q, marks the capture being taken at that moment (see
//! [`crate::capture`]), so that the state the capture implies there can be compared
//! with the state `ss` reported.

use crate::capture::Marker;
use crate::facts::Fact;
use crate::stack::{Sock, Stack};
use sockscope_engine::{Errno, Shutdown};
use std::net::SocketAddr;
use std::time::Duration;

/// A state or Recv-Q the stack reported, and the marker sent right after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// The marker's number (see [`Marker::mark`]).
    pub mark: usize,
    pub local: SocketAddr,
    /// `None`: a listener's row.
    pub peer: Option<SocketAddr>,
    /// What the stack reported: `Fact::State`, or `Fact::Count` for a Recv-Q.
    pub fact: Fact,
}

/// `inner`, with a marker sent after every state it reports.
pub struct Observed<'a> {
    inner: &'a mut dyn Stack,
    marker: &'a mut Marker,
    points: Vec<Point>,
}

impl<'a> Observed<'a> {
    pub fn new(inner: &'a mut dyn Stack, marker: &'a mut Marker) -> Self {
        Observed {
            inner,
            marker,
            points: Vec::new(),
        }
    }

    fn point(&mut self, local: SocketAddr, peer: Option<SocketAddr>, fact: &Fact) {
        let mark = self.marker.mark();
        self.points.push(Point {
            mark,
            local,
            peer,
            fact: fact.clone(),
        });
    }

    /// Every state and Recv-Q reported so far, in order.
    pub fn points(&self) -> &[Point] {
        &self.points
    }
}

impl Stack for Observed<'_> {
    fn world(&self) -> &'static str {
        self.inner.world()
    }
    fn socket(&mut self) -> Sock {
        self.inner.socket()
    }
    fn set_reuseaddr(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        self.inner.set_reuseaddr(s, on)
    }
    fn set_linger(&mut self, s: Sock, secs: Option<u32>) -> Result<(), Errno> {
        self.inner.set_linger(s, secs)
    }
    fn set_sndbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno> {
        self.inner.set_sndbuf(s, bytes)
    }
    fn set_rcvbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno> {
        self.inner.set_rcvbuf(s, bytes)
    }
    fn buffers(&mut self, s: Sock) -> (u64, u64) {
        self.inner.buffers(s)
    }
    fn set_nonblocking(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        self.inner.set_nonblocking(s, on)
    }
    fn is_nonblocking(&mut self, s: Sock) -> bool {
        self.inner.is_nonblocking(s)
    }
    fn bind(&mut self, s: Sock, addr: SocketAddr) -> Result<(), Errno> {
        self.inner.bind(s, addr)
    }
    fn listen(&mut self, s: Sock, backlog: u32) -> Result<(), Errno> {
        self.inner.listen(s, backlog)
    }
    fn connect(&mut self, s: Sock, to: SocketAddr) -> Result<(), Errno> {
        self.inner.connect(s, to)
    }
    fn accept(&mut self, s: Sock) -> Result<Sock, Errno> {
        self.inner.accept(s)
    }
    fn send(&mut self, s: Sock, len: u64) -> Result<u64, Errno> {
        self.inner.send(s, len)
    }
    fn recv(&mut self, s: Sock, len: u64) -> Result<u64, Errno> {
        self.inner.recv(s, len)
    }
    fn shutdown(&mut self, s: Sock, how: Shutdown) -> Result<(), Errno> {
        self.inner.shutdown(s, how)
    }
    fn close(&mut self, s: Sock) -> Result<(), Errno> {
        self.inner.close(s)
    }
    fn local_addr(&mut self, s: Sock) -> SocketAddr {
        self.inner.local_addr(s)
    }
    fn socket6(&mut self) -> Sock {
        self.inner.socket6()
    }
    fn set_v6only(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        self.inner.set_v6only(s, on)
    }
    fn bind_written(&mut self, s: Sock, text: &str) -> Result<(), Errno> {
        self.inner.bind_written(s, text)
    }
    fn peer_addr(&mut self, s: Sock) -> SocketAddr {
        self.inner.peer_addr(s)
    }
    fn free_port(&mut self) -> u16 {
        self.inner.free_port()
    }
    fn queues(&mut self, s: Sock) -> (u64, u64) {
        self.inner.queues(s)
    }
    fn udp_socket(&mut self) -> Sock {
        self.inner.udp_socket()
    }
    fn udp_socket6(&mut self) -> Sock {
        self.inner.udp_socket6()
    }
    fn send_to(&mut self, s: Sock, len: u64, to: SocketAddr) -> Result<u64, Errno> {
        self.inner.send_to(s, len, to)
    }
    fn recv_from(&mut self, s: Sock, len: u64) -> Result<(u64, SocketAddr), Errno> {
        self.inner.recv_from(s, len)
    }
    fn socket_beside(&mut self, beside: Sock) -> Sock {
        self.inner.socket_beside(beside)
    }
    fn dup(&mut self, s: Sock) -> Result<Sock, Errno> {
        self.inner.dup(s)
    }
    fn fork(&mut self, s: Sock) -> Sock {
        self.inner.fork(s)
    }
    fn fd_number(&mut self, s: Sock) -> i32 {
        self.inner.fd_number(s)
    }
    fn settle(&mut self) {
        self.inner.settle()
    }
    fn settle_for(&mut self, d: Duration) {
        self.inner.settle_for(d)
    }
    fn udp_recv_q(&mut self, local: SocketAddr) -> Option<u64> {
        self.inner.udp_recv_q(local)
    }
    fn listener_queues(&mut self, local: SocketAddr) -> Option<(u64, u64)> {
        self.inner.listener_queues(local)
    }
    fn state(&mut self, local: SocketAddr, peer: Option<SocketAddr>, hint: Option<&Fact>) -> Fact {
        let fact = self.inner.state(local, peer, hint);
        self.point(local, peer, &fact);
        fact
    }
    fn row_recv_q(&mut self, local: SocketAddr, peer: SocketAddr, hint: Option<&Fact>) -> Fact {
        let fact = self.inner.row_recv_q(local, peer, hint);
        self.point(local, Some(peer), &fact);
        fact
    }
}
