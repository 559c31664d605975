//! Addresses, ports, wildcards and their netstat spelling.

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

/// Address family: AF_INET or AF_INET6. Kept separate (no dual-stack sockets) so that
/// every structure has one spelling of its wildcard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Family {
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

    /// How many of the two fields are wildcards.
    pub fn wildcards(&self) -> u8 {
        self.ip.is_none() as u8 + self.port.is_none() as u8
    }

    /// The netstat spelling: `0.0.0.0:*`, `10.1.2.3:99`, `:::22`.
    pub fn netstat(&self, family: Family) -> String {
        let ip = self.ip.unwrap_or_else(|| family.any());
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
    fn wildcards_are_counted() {
        assert_eq!(Endpoint::ANY.wildcards(), 2);
        assert_eq!(
            Endpoint::exact("10.1.2.3:99".parse().unwrap()).wildcards(),
            0
        );
    }
}
