//! The byte-conservation check: every byte a program handed to send() is in exactly
//! one place — SendQ (copies of it may be on the wire), RecvQ, Delivered, or lost for
//! a named reason (`ledger::Loss`).

use super::World;
use crate::addr::Proto;
use crate::ledger::Ledger;
use crate::socket::Socket;
use crate::state::TcpState;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// One structure's places for the bytes of its two directions, as its queues hold them.
fn queue_places(s: &Socket) -> (u64, u64) {
    let l = &s.ledger;
    (
        s.sendq.len() + l.out.acked + l.out.lost.total(),
        s.recvq.len() + s.delivered.total() + l.inc.lost.total(),
    )
}

impl World {
    /// Holds every structure's queues to its ledger, and the two live ends of each
    /// connection to each other. Returns a description of the first mismatch.
    pub fn check_bytes(&self) -> Result<(), String> {
        for s in self.sockets() {
            check_ends(s)?;
        }
        self.check_connections()
    }

    /// A byte the receiver took is one the sender wrote, and one the sender counts as
    /// acknowledged is one the receiver took: between the two, the bytes the receiver
    /// holds but the sender has not yet seen acknowledged are still in SendQ.
    fn check_connections(&self) -> Result<(), String> {
        let key = |s: &Socket| Some((s.local_addr()?, s.remote_addr()?));
        let mut receivers: BTreeMap<(SocketAddr, SocketAddr, u64), &Socket> = BTreeMap::new();
        for r in self.sockets().filter(|s| synchronized(s)) {
            if let Some((local, remote)) = key(r) {
                receivers.insert((remote, local, r.tcb.irs), r);
            }
        }
        for s in self.sockets().filter(|s| synchronized(s)) {
            let Some(r) = key(s).and_then(|(l, rm)| receivers.get(&(l, rm, s.tcb.iss))) else {
                continue;
            };
            if s.ledger.forged_at || r.ledger.forged_at {
                continue;
            }
            check_pair(s, r)?;
        }
        Ok(())
    }
}

/// A TCP structure past its handshake, whose sequence numbers name one connection.
fn synchronized(s: &Socket) -> bool {
    s.proto == Proto::Tcp
        && !matches!(
            s.state,
            TcpState::Closed | TcpState::Listen | TcpState::SynSent
        )
}

/// One structure's queues against its own ledger.
fn check_ends(s: &Socket) -> Result<(), String> {
    let l: &Ledger = &s.ledger;
    let (out, inc) = queue_places(s);
    if out != l.out.written {
        return Err(format!(
            "{}: send() wrote {} bytes, but SendQ {} + acknowledged {} + lost {} = {out}",
            s.id,
            l.out.written,
            s.sendq.len(),
            l.out.acked,
            l.out.lost.total()
        ));
    }
    let arrived = l.inc.received + l.inc.forged;
    if inc != arrived {
        return Err(format!(
            "{}: {arrived} bytes arrived, but RecvQ {} + Delivered {} + lost {} = {inc}",
            s.id,
            s.recvq.len(),
            s.delivered.total(),
            l.inc.lost.total()
        ));
    }
    Ok(())
}

/// The sender `s` and the receiver `r` of one direction, both live.
fn check_pair(s: &Socket, r: &Socket) -> Result<(), String> {
    let (out, inc) = (&s.ledger.out, &r.ledger.inc);
    if inc.received > out.written {
        return Err(format!(
            "{} took {} bytes, but {} wrote only {}",
            r.id, inc.received, s.id, out.written
        ));
    }
    if out.acked > inc.received {
        return Err(format!(
            "{} counts {} bytes acknowledged, but {} took only {}",
            s.id, out.acked, r.id, inc.received
        ));
    }
    let unacked_at_peer = inc.received - out.acked;
    if out.lost.total() == 0 && unacked_at_peer > s.sendq.len() {
        return Err(format!(
            "{} holds {unacked_at_peer} bytes {} has not seen acknowledged, but its SendQ holds {}",
            r.id,
            s.id,
            s.sendq.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::addr::{Endpoint, Family, Proto};
    use crate::call::{Call, CallReply, Value};
    use crate::config::WorldConfig;
    use crate::ids::{Pid, SockId};
    use crate::world::World;

    /// A connected pair that has moved `n` bytes from the client to the server's
    /// RecvQ: (world, client structure, server structure).
    fn pair_with_bytes(n: u64) -> (World, SockId, SockId) {
        let mut w = World::new(WorldConfig::default());
        let a = w.add_host("A", &["10.0.0.1".parse().unwrap()]).unwrap();
        let b = w.add_host("B", &["10.0.0.2".parse().unwrap()]).unwrap();
        let (pa, pb) = (w.spawn(a, "c").unwrap(), w.spawn(b, "s").unwrap());
        let fd = |w: &mut World, pid: Pid, call: Call| match w.call(pid, call) {
            Ok(CallReply::Returned(Ok(v))) => v.fd(),
            other => panic!("{other:?}"),
        };
        let tcp = Call::Socket {
            proto: Proto::Tcp,
            family: Family::V4,
        };
        let l = fd(&mut w, pb, tcp.clone()).unwrap();
        fd(
            &mut w,
            pb,
            Call::Bind {
                fd: l,
                addr: "*:80".parse::<Endpoint>().unwrap(),
            },
        );
        fd(&mut w, pb, Call::Listen { fd: l, backlog: 1 });
        let c = fd(&mut w, pa, tcp).unwrap();
        let to = "10.0.0.2:80".parse().unwrap();
        w.call(pa, Call::Connect { fd: c, addr: to }).unwrap();
        w.run_until_idle(1000);
        let s = fd(&mut w, pb, Call::Accept { fd: l }).unwrap();
        let sent = w.call(pa, Call::Send { fd: c, len: n }).unwrap();
        assert_eq!(sent, CallReply::Returned(Ok(Value::Bytes(n))));
        w.run_until_idle(1000);
        let (c, s) = (
            w.socket_of(pa, c).unwrap().id,
            w.socket_of(pb, s).unwrap().id,
        );
        assert_eq!(w.check_bytes(), Ok(()));
        (w, c, s)
    }

    #[test]
    fn a_send_queue_holding_bytes_no_send_wrote_is_reported() {
        let (mut w, c, _) = pair_with_bytes(3000);
        // Bytes appear in SendQ that no send() counted.
        w.sock_mut(c).sendq.push(crate::queue::Run {
            tag: crate::ids::SendTag(99),
            len: 10,
        });
        let err = w.check_bytes().unwrap_err();
        assert!(err.contains("send() wrote 3000 bytes"), "{err}");
    }

    #[test]
    fn a_receive_queue_that_loses_bytes_is_reported() {
        let (mut w, _, s) = pair_with_bytes(1000);
        w.sock_mut(s).recvq.discard(1);
        let err = w.check_bytes().unwrap_err();
        assert!(err.contains("1000 bytes arrived"), "{err}");
        assert!(err.contains("RecvQ 999"), "{err}");
        // Counted as lost for a reason, the same byte is accounted for again.
        let lost = &mut w.sock_mut(s).ledger.inc.lost;
        lost.add(crate::ledger::Loss::ClosedUnread, 1);
        assert_eq!(w.check_bytes(), Ok(()));
    }

    #[test]
    fn a_receiver_holding_bytes_nobody_wrote_is_reported() {
        let (mut w, _, s) = pair_with_bytes(1000);
        // The receiver's queue and its ledger agree, but no send() wrote byte 1001.
        let r = w.sock_mut(s);
        r.recvq.push(crate::queue::Run {
            tag: crate::ids::SendTag(99),
            len: 1,
        });
        r.ledger.inc.received += 1;
        let err = w.check_bytes().unwrap_err();
        assert!(err.contains("took 1001 bytes"), "{err}");
    }

    #[test]
    fn an_acknowledgement_for_bytes_the_peer_never_took_is_reported() {
        let (mut w, c, s) = pair_with_bytes(1000);
        // The sender's books balance, but it counts 1000 acknowledged of 1000 written
        // while the receiver says it took only 900.
        let r = w.sock_mut(s);
        r.ledger.inc.received -= 100;
        r.recvq.discard(100);
        let err = w.check_bytes().unwrap_err();
        assert!(
            err.contains(&format!("{c} counts 1000 bytes acknowledged")),
            "{err}"
        );
    }

    #[test]
    fn a_forged_segment_exempts_its_connection_from_the_cross_check_only() {
        let (mut w, _, s) = pair_with_bytes(1000);
        let r = w.sock_mut(s);
        r.ledger.inc.received -= 100;
        r.recvq.discard(100);
        r.ledger.forged_at = true;
        assert_eq!(w.check_bytes(), Ok(()));
        w.sock_mut(s).recvq.discard(1);
        assert!(
            w.check_bytes().is_err(),
            "each end is still held to its queues"
        );
    }
}
