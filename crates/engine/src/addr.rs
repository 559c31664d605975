//! Addresses, ports, wildcards and their netstat spelling.

use crate::errno::Errno;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Transport protocol of a socket structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Proto {
    Tcp,
    Udp,
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
        })
    }
}

/// Address family of a socket: AF_INET or AF_INET6. An AF_INET6 socket without
/// IPV6_V6ONLY also talks IPv4 (dual stack): its structures then keep the IPv4
/// addresses that are on the wire, and the family says to spell them IPv4-mapped
/// (`::ffff:10.0.0.1`), as Linux prints them.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Family {
    #[default]
    V4,
    V6,
}

impl Family {
    pub fn of(ip: &IpAddr) -> Family {
        match ip {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// The wildcard address (INADDR_ANY / in6addr_any) of this family.
    pub fn any(self) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }
}

/// How a socket of `family` sees `ip`: an IPv4 address in an AF_INET6 socket is
/// IPv4-mapped (`::ffff:10.0.0.1`); anything else is itself.
pub fn seen_by(ip: IpAddr, family: Family) -> IpAddr {
    match (ip, family) {
        (IpAddr::V4(v4), Family::V6) => IpAddr::V6(v4.to_ipv6_mapped()),
        _ => ip,
    }
}

/// `seen_by` for an address and port: what accept() and recvfrom() report.
pub fn addr_seen_by(addr: SocketAddr, family: Family) -> SocketAddr {
    SocketAddr::new(seen_by(addr.ip(), family), addr.port())
}

/// The address on the wire behind an IPv4-mapped one (`::ffff:10.0.0.1` is 10.0.0.1);
/// anything else is itself.
pub fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// Where a socket of `family` sends when a program gives `to` (connect, sendto): the
/// address on the wire. An AF_INET6 socket reaches IPv4 through mapped addresses,
/// unless it is IPV6_V6ONLY (ENETUNREACH, as on Linux); an address of the other family
/// is refused with EAFNOSUPPORT.
pub fn wire_destination(to: SocketAddr, family: Family, v6only: bool) -> Result<SocketAddr, Errno> {
    if Family::of(&to.ip()) != family {
        return Err(Errno::EAFNOSUPPORT);
    }
    let ip = unmapped(to.ip());
    if ip != to.ip() && v6only {
        return Err(Errno::ENETUNREACH);
    }
    Ok(SocketAddr::new(ip, to.port()))
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::V4 => "AF_INET",
            Family::V6 => "AF_INET6",
        })
    }
}

/// One end of a socket structure: an address and a port, either of which may be the
/// wildcard `*` (`None`). A fresh structure has both ends wildcard.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Endpoint {
    pub ip: Option<IpAddr>,
    pub port: Option<u16>,
}

impl Endpoint {
    pub const ANY: Endpoint = Endpoint {
        ip: None,
        port: None,
    };

    pub fn new(ip: Option<IpAddr>, port: Option<u16>) -> Self {
        Endpoint { ip, port }
    }

    pub fn exact(addr: SocketAddr) -> Self {
        Endpoint {
            ip: Some(addr.ip()),
            port: Some(addr.port()),
        }
    }

    /// Both fields filled in.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        Some(SocketAddr::new(self.ip?, self.port?))
    }

    /// The address bind() binds to: `None` for the wildcard, whether written `*` or as C
    /// writes INADDR_ANY and in6addr_any (`0.0.0.0`, `[::]`).
    pub fn bound_ip(&self) -> Option<IpAddr> {
        self.ip.filter(|ip| !ip.is_unspecified())
    }

    /// The endpoint as a socket of `family` sees it (see [`seen_by`]).
    pub fn seen_by(&self, family: Family) -> Endpoint {
        Endpoint::new(self.ip.map(|ip| seen_by(ip, family)), self.port)
    }

    /// How many of the two fields are wildcards.
    pub fn wildcards(&self) -> u8 {
        self.ip.is_none() as u8 + self.port.is_none() as u8
    }

    /// The netstat spelling: `0.0.0.0:*`, `10.1.2.3:99`, `:::22`, and in an AF_INET6
    /// socket an IPv4 peer as `::ffff:10.1.2.3:99`.
    pub fn netstat(&self, family: Family) -> String {
        let ip = self
            .ip
            .map_or_else(|| family.any(), |ip| seen_by(ip, family));
        match self.port {
            Some(p) => format!("{ip}:{p}"),
            None => format!("{ip}:*"),
        }
    }
}

/// The C-like spelling used by calls and scenarios: `*:99`, `10.1.2.3:99`, `[::1]:80`.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            None => f.write_str("*")?,
            Some(IpAddr::V6(ip)) => write!(f, "[{ip}]")?,
            Some(IpAddr::V4(ip)) => write!(f, "{ip}")?,
        }
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => f.write_str(":*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netstat_spells_wildcards_per_family() {
        assert_eq!(Endpoint::ANY.netstat(Family::V4), "0.0.0.0:*");
        assert_eq!(Endpoint::ANY.netstat(Family::V6), ":::*");
        let e = Endpoint::new(None, Some(22));
        assert_eq!(e.netstat(Family::V6), ":::22");
        assert_eq!(e.to_string(), "*:22");
    }

    #[test]
    fn an_ipv4_address_in_an_ipv6_socket_is_spelled_mapped() {
        let e = Endpoint::exact("10.0.0.1:80".parse().unwrap());
        assert_eq!(e.netstat(Family::V6), "::ffff:10.0.0.1:80");
        assert_eq!(e.netstat(Family::V4), "10.0.0.1:80");
        assert_eq!(e.seen_by(Family::V6).to_string(), "[::ffff:10.0.0.1]:80");
        let mapped = seen_by("10.0.0.1".parse().unwrap(), Family::V6);
        assert_eq!(unmapped(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(unmapped("::1".parse().unwrap()).to_string(), "::1");
    }

    #[test]
    fn a_mapped_destination_goes_out_as_ipv4_unless_v6only() {
        let to = |t: &str| t.parse::<SocketAddr>().unwrap();
        let v4 = to("10.0.0.1:80");
        assert_eq!(
            wire_destination(to("[::ffff:10.0.0.1]:80"), Family::V6, false),
            Ok(v4)
        );
        assert_eq!(
            wire_destination(to("[::ffff:10.0.0.1]:80"), Family::V6, true),
            Err(Errno::ENETUNREACH)
        );
        assert_eq!(wire_destination(v4, Family::V4, false), Ok(v4));
        assert_eq!(
            wire_destination(v4, Family::V6, false),
            Err(Errno::EAFNOSUPPORT)
        );
        let v6 = to("[::1]:80");
        assert_eq!(wire_destination(v6, Family::V6, true), Ok(v6));
    }

    #[test]
    fn the_unspecified_addresses_bind_the_wildcard() {
        for text in ["0.0.0.0:22", "[::]:22", "*:22"] {
            let e: Endpoint = text.parse().unwrap();
            assert_eq!(e.bound_ip(), None, "{text}");
        }
        let e: Endpoint = "10.0.0.1:22".parse().unwrap();
        assert_eq!(e.bound_ip(), e.ip);
    }

    #[test]
    fn wildcards_are_counted() {
        assert_eq!(Endpoint::ANY.wildcards(), 2);
        assert_eq!(
            Endpoint::exact("10.1.2.3:99".parse().unwrap()).wildcards(),
            0
        );
    }
}
