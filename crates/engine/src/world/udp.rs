//! UDP: datagrams go straight to the network, keep their boundaries, and are never
//! retransmitted (MODEL.md §2).

use super::calls::Poll;
use super::World;
use crate::addr::{addr_seen_by, Proto};
use crate::call::{Ret, Value};
use crate::errno::Errno;
use crate::ids::{HostId, SegId, SendTag, SockId};
use crate::ledger::Loss;
use crate::queue::{prefix, Run};
use crate::segment::{Flags, Segment};
use crate::socket::Datagram;
use crate::trace::{DemuxOutcome, DropReason, Event};
use std::net::SocketAddr;

/// The largest UDP payload over IPv4.
const MAX_DATAGRAM: u64 = 65_507;

impl World {
    pub(super) fn udp_sendto(
        &mut self,
        sock: SockId,
        len: u64,
        to: SocketAddr,
        tag: Option<SendTag>,
    ) -> Ret {
        let s = self.sock_mut(sock);
        if let Some(e) = s.error.take() {
            return Err(e);
        }
        if s.write_shut {
            return Err(Errno::EPIPE);
        }
        if len > MAX_DATAGRAM || len > s.sendq.capacity() {
            return Err(Errno::EMSGSIZE);
        }
        self.autobind(sock, crate::behaviour::PortFor::Send)?;
        let host = self.sock_mut(sock).host;
        let local = self.sock_mut(sock).local;
        let src_ip = match local.ip {
            Some(ip) => ip,
            None => self
                .route_source(host, to.ip())
                .ok_or(Errno::EADDRNOTAVAIL)?,
        };
        let tag = tag.expect("sendto carries a tag");
        self.transmit(Segment {
            id: SegId(0),
            proto: Proto::Udp,
            src: SocketAddr::new(src_ip, local.port.expect("bound above")),
            dst: to,
            from_host: host,
            to_host: None,
            flags: Flags::default(),
            seq: 0,
            ack: 0,
            window: 0,
            len,
            runs: vec![Run { tag, len }],
            probe: false,
            retransmission: false,
            forged: false,
        });
        Ok(Value::Bytes(len))
    }

    pub(super) fn udp_arrive(&mut self, host: HostId, seg: Segment) {
        let (winner, mut record) = if self.cfg.trace {
            let (w, r) = self.demux(host, &seg);
            (w, Some(r))
        } else {
            (self.demux_lookup(host, seg.proto, seg.src, seg.dst), None)
        };
        let outcome = match winner {
            Some(_) => DemuxOutcome::Delivered,
            None => DemuxOutcome::PortUnreachable,
        };
        if let Some(mut record) = record.take() {
            record.outcome = outcome;
            self.emit(|| Event::Demux(record));
        }
        let Some(id) = winner else {
            // The ICMP port-unreachable reaches a connected sender, whose next call
            // fails with ECONNREFUSED (simplified: it is not drawn on the wire).
            let sender = self.indexes[seg.from_host.0 as usize].exact(Proto::Udp, seg.src, seg.dst);
            if let Some(s) = sender.and_then(|id| self.socks[id.0 as usize].as_mut()) {
                s.error = Some(Errno::ECONNREFUSED);
            }
            return;
        };
        let s = self.sock_mut(id);
        if s.read_shut || seg.len > s.recvq.free() {
            return self.emit(|| Event::SegmentDropped {
                seg: seg.id,
                reason: DropReason::ReceiveBufferFull,
            });
        }
        s.recvq.push_all(&seg.runs);
        s.ledger.inc.took(seg.len, seg.forged);
        s.datagrams.push_back(Datagram {
            from: seg.src,
            runs: seg.runs,
            len: seg.len,
        });
    }

    /// recv()/recvfrom() on UDP: one whole datagram per call; what does not fit the
    /// buffer is cut off and lost.
    pub(super) fn poll_udp_recv(&mut self, sock: SockId, len: u64, want_from: bool) -> Poll {
        let s = self.sock_mut(sock);
        if let Some(e) = s.error.take() {
            return Poll::Done(Err(e));
        }
        let Some(d) = s.datagrams.pop_front() else {
            return if s.read_shut {
                Poll::Done(Ok(Value::Bytes(0)))
            } else if s.opts.nonblocking {
                Poll::Done(Err(Errno::EAGAIN))
            } else {
                Poll::Block
            };
        };
        s.recvq.discard(d.len);
        let n = d.len.min(len);
        s.delivered.push(&prefix(&d.runs, n));
        s.ledger.inc.lost.add(Loss::Truncated, d.len - n);
        Poll::Done(Ok(if want_from {
            Value::From {
                len: n,
                from: addr_seen_by(d.from, s.family),
            }
        } else {
            Value::Bytes(n)
        }))
    }
}
