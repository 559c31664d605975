//! A host's table of socket structures as `netstat -tan` or `ss -tan` prints it. Both
//! spellings live here, so the runner, the CLI and the app print the same text.
//!
//! netstat has fixed columns (MODEL.md §1). ss sizes each column to its widest entry,
//! header included, as iproute2 does when its output is not a terminal (in a terminal
//! it also spreads the screen's spare width among the columns). Both tools pad the
//! last column with spaces; those trailing spaces are dropped here.

use crate::addr::{Endpoint, Family, Proto};
use crate::ids::{HostId, SockId};
use crate::snapshot::{HostView, NetstatRow};
use crate::socket::Socket;
use crate::state::TcpState;
use crate::world::World;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Which tool's table is printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Layout {
    /// `netstat -tan`: fixed columns, `ESTABLISHED`, `TIME_WAIT`.
    #[default]
    Netstat,
    /// `ss -tan`: columns as wide as their entries, `ESTAB`, `TIME-WAIT`.
    Ss,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::Netstat, Layout::Ss];

    /// The tool's name: the statement of the scenario language and the page's `table=`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Netstat => "netstat",
            Layout::Ss => "ss",
        }
    }

    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.name() == name)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A table as printed: the command a learner would type, its header, one line per
/// structure (with the structure, so a view can point from a line to it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// `netstat -tan` or `ss -tan`; `-uan` for UDP structures only, `-tuan` for both.
    pub command: String,
    pub header: String,
    pub rows: Vec<(SockId, String)>,
}

impl Table {
    /// The header, then the rows.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.header.as_str()).chain(self.rows.iter().map(|(_, l)| l.as_str()))
    }

    /// The lines joined by newlines (no newline at the end).
    pub fn text(&self) -> String {
        self.lines().collect::<Vec<_>>().join("\n")
    }
}

/// Which protocols a table lists: TCP, UDP, or both.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Protocols {
    tcp: bool,
    udp: bool,
}

impl Protocols {
    fn of(protos: impl Iterator<Item = Proto>) -> Protocols {
        let mut p = Protocols {
            tcp: false,
            udp: false,
        };
        for proto in protos {
            match proto {
                Proto::Tcp => p.tcp = true,
                Proto::Udp => p.udp = true,
            }
        }
        p
    }

    fn both(self) -> bool {
        self.tcp && self.udp
    }

    /// The command that lists them: `-tan` (also for an empty table), `-uan`, `-tuan`.
    fn command(self, tool: &str) -> String {
        let flags = match (self.tcp, self.udp) {
            (true, true) => "tuan",
            (false, true) => "uan",
            _ => "tan",
        };
        format!("{tool} -{flags}")
    }
}

// ----- netstat -----

/// netstat's header line, exactly as MODEL.md §1 shows it.
pub const NETSTAT_HEADER: &str =
    "Proto Recv-Q Send-Q Local Address           Foreign Address         State";

impl fmt::Display for NetstatRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = format!(
            "{:<5} {:>6} {:>6} {:<23} {:<23} {}",
            self.proto, self.recv_q, self.send_q, self.local, self.foreign, self.state
        );
        f.write_str(line.trim_end())
    }
}

/// netstat's table of these rows.
pub fn netstat_table(rows: &[NetstatRow]) -> Table {
    Table {
        command: Protocols::of(rows.iter().map(|r| {
            if r.proto.starts_with("udp") {
                Proto::Udp
            } else {
                Proto::Tcp
            }
        }))
        .command("netstat"),
        header: NETSTAT_HEADER.to_string(),
        rows: rows.iter().map(|r| (r.sock, r.to_string())).collect(),
    }
}

/// Header plus rows, one per line.
pub fn netstat_text(rows: &[NetstatRow]) -> String {
    netstat_table(rows).text()
}

// ----- ss -----

/// One end of a structure as ss prints it: the address column and the port column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsEnd {
    /// `10.0.0.1`, `0.0.0.0`, `[::1]`, `[::]`, or `*` for a dual-stack IPv6 wildcard.
    pub addr: String,
    /// `80`, or `*` for none.
    pub port: String,
}

impl SsEnd {
    /// ss's spelling of an end: IPv6 in brackets, a wildcard port as `*`. An IPv6
    /// wildcard is `[::]` when the socket is IPv6-only and `*` when it also takes IPv4.
    pub fn of(end: Endpoint, family: Family, v6only: bool) -> SsEnd {
        let ip = end.ip.filter(|ip| !ip.is_unspecified());
        let addr = match (family, ip) {
            (Family::V4, None) => "0.0.0.0".to_string(),
            (Family::V6, None) if v6only => "[::]".to_string(),
            (Family::V6, None) => "*".to_string(),
            (Family::V4, Some(ip)) => ip.to_string(),
            (Family::V6, Some(IpAddr::V4(v4))) => format!("[{}]", v4.to_ipv6_mapped()),
            (Family::V6, Some(IpAddr::V6(v6))) => format!("[{v6}]"),
        };
        let port = match end.port {
            None | Some(0) => "*".to_string(),
            Some(p) => p.to_string(),
        };
        SsEnd { addr, port }
    }
}

/// One structure as ss lists it, each field in ss's spelling and meaning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsRow {
    pub sock: SockId,
    pub proto: Proto,
    /// `ESTAB`, `LISTEN`, `TIME-WAIT`, …; a UDP socket is `UNCONN`, or `ESTAB` once
    /// connected.
    pub state: String,
    /// A listener's accept queue (connections waiting for accept()); else RecvQ.
    pub recv_q: u64,
    /// A listener's backlog; else SendQ.
    pub send_q: u64,
    pub local: SsEnd,
    pub peer: SsEnd,
}

impl SsRow {
    /// The row of one structure. `v6only`: whether an IPv6 structure refuses IPv4
    /// peers (it decides how its wildcard is spelled).
    pub fn of(s: &Socket, v6only: bool) -> SsRow {
        let state = match s.proto {
            Proto::Tcp => s.state.ss_name(),
            Proto::Udp if s.remote.socket_addr().is_some() => TcpState::Established.ss_name(),
            Proto::Udp => TcpState::Closed.ss_name(),
        };
        let (recv_q, send_q) = match (&s.listener, s.state) {
            (Some(l), TcpState::Listen) => (l.ready.len() as u64, u64::from(l.backlog)),
            _ => (s.recvq.len(), s.sendq.len()),
        };
        SsRow {
            sock: s.id,
            proto: s.proto,
            state: state.to_string(),
            recv_q,
            send_q,
            local: SsEnd::of(s.local, s.family, v6only),
            peer: SsEnd::of(s.remote, s.family, v6only),
        }
    }

    /// The row's entries, one per column of `SS_COLUMNS` from `first`.
    fn cells(&self, first: usize) -> Vec<String> {
        let netid = match self.proto {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        };
        let all = [
            netid.to_string(),
            self.state.clone(),
            format!("{:<6}", self.recv_q),
            format!("{:<6}", self.send_q),
            format!("{}:", self.local.addr),
            self.local.port.clone(),
            format!("{}:", self.peer.addr),
            self.peer.port.clone(),
            String::new(),
        ];
        all[first..].to_vec()
    }
}

/// A column of ss's output: its header, its alignment, and the text printed before
/// it when it is not the first column of the line.
struct Column {
    header: &'static str,
    right: bool,
    delim: &'static str,
}

/// ss's columns, in order (iproute2's `columns[]`); `Netid` only when both protocols
/// are listed. The address column ends in `:` and the port column follows it
/// without a space, so `Local Address:Port` reads as one heading.
const SS_COLUMNS: [Column; 9] = [
    Column {
        header: "Netid",
        right: false,
        delim: "",
    },
    Column {
        header: "State",
        right: false,
        delim: " ",
    },
    Column {
        header: "Recv-Q",
        right: false,
        delim: " ",
    },
    Column {
        header: "Send-Q",
        right: false,
        delim: " ",
    },
    Column {
        header: "Local Address:",
        right: true,
        delim: " ",
    },
    Column {
        header: "Port",
        right: false,
        delim: "",
    },
    Column {
        header: "Peer Address:",
        right: true,
        delim: " ",
    },
    Column {
        header: "Port",
        right: false,
        delim: "",
    },
    Column {
        header: "Process",
        right: false,
        delim: "",
    },
];

/// ss's table of these rows: `ss -tan`, `ss -uan`, or `ss -tuan` when there are both
/// (with the Netid column, UDP sockets first as ss lists them).
pub fn ss_table(rows: &[SsRow]) -> Table {
    let protocols = Protocols::of(rows.iter().map(|r| r.proto));
    let first = if protocols.both() { 0 } else { 1 };
    let columns = &SS_COLUMNS[first..];
    let mut ordered: Vec<&SsRow> = rows.iter().collect();
    ordered.sort_by_key(|r| r.proto != Proto::Udp);
    let header: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    let cells: Vec<Vec<String>> = ordered.iter().map(|r| r.cells(first)).collect();
    let widths = ss_widths(columns, std::iter::once(&header).chain(&cells));
    Table {
        command: protocols.command("ss"),
        header: ss_line(columns, &widths, &header),
        rows: ordered
            .iter()
            .zip(&cells)
            .map(|(r, c)| (r.sock, ss_line(columns, &widths, c)))
            .collect(),
    }
}

/// Each column's width: its widest entry, plus its delimiter except on the first
/// column (iproute2's `render_calc_width` without a terminal).
fn ss_widths<'a>(columns: &[Column], lines: impl Iterator<Item = &'a Vec<String>>) -> Vec<usize> {
    let mut widest = vec![0; columns.len()];
    for line in lines {
        for (w, cell) in widest.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widest
        .iter()
        .zip(columns)
        .enumerate()
        .map(|(i, (&w, c))| if i > 0 && w > 0 { w + c.delim.len() } else { w })
        .collect()
}

/// One line: each entry after its column's delimiter, padded to the column's width on
/// the left (right-aligned) or on the right (left-aligned).
fn ss_line(columns: &[Column], widths: &[usize], cells: &[String]) -> String {
    let mut out = String::new();
    for (i, ((c, &width), cell)) in columns.iter().zip(widths).zip(cells).enumerate() {
        let delim = if i > 0 { c.delim } else { "" };
        let pad = width.saturating_sub(delim.len() + cell.chars().count());
        out.push_str(delim);
        if c.right {
            out.push_str(&" ".repeat(pad));
            out.push_str(cell);
        } else {
            out.push_str(cell);
            out.push_str(&" ".repeat(pad));
        }
    }
    out.trim_end().to_string()
}

impl HostView {
    /// This host's table in the given layout.
    pub fn table(&self, layout: Layout) -> Table {
        match layout {
            Layout::Netstat => netstat_table(&self.netstat),
            Layout::Ss => ss_table(&self.ss),
        }
    }
}

impl World {
    /// ss's rows for one host: the structures netstat lists, in the same order.
    pub fn ss(&self, host: HostId) -> Vec<SsRow> {
        self.netstat(host)
            .iter()
            .filter_map(|r| self.socket(r.sock))
            .map(|s| SsRow::of(s, v6only(s)))
            .collect()
    }

    /// One host's table in the given layout.
    pub fn table(&self, host: HostId, layout: Layout) -> Table {
        match layout {
            Layout::Netstat => netstat_table(&self.netstat(host)),
            Layout::Ss => ss_table(&self.ss(host)),
        }
    }
}

/// Whether an IPv6 structure takes IPv6 peers only (IPV6_V6ONLY): ss spells the
/// wildcard of one that does not (dual stack, Linux's default) `*`.
fn v6only(s: &Socket) -> bool {
    s.opts.v6only
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn end(ip: Option<IpAddr>, port: Option<u16>) -> Endpoint {
        Endpoint::new(ip, port)
    }

    fn row(proto: Proto, state: &str, q: (u64, u64), local: SsEnd, peer: SsEnd) -> SsRow {
        SsRow {
            sock: SockId(0),
            proto,
            state: state.into(),
            recv_q: q.0,
            send_q: q.1,
            local,
            peer,
        }
    }

    fn v4(a: [u8; 4], port: u16) -> SsEnd {
        SsEnd::of(
            end(Some(Ipv4Addr::from(a).into()), Some(port)),
            Family::V4,
            true,
        )
    }

    #[test]
    fn ss_spells_wildcards_as_ss_does() {
        let any4 = SsEnd::of(Endpoint::ANY, Family::V4, true);
        assert_eq!((any4.addr.as_str(), any4.port.as_str()), ("0.0.0.0", "*"));
        assert_eq!(SsEnd::of(Endpoint::ANY, Family::V6, true).addr, "[::]");
        assert_eq!(SsEnd::of(Endpoint::ANY, Family::V6, false).addr, "*");
        let unspecified = end(Some(Ipv6Addr::UNSPECIFIED.into()), Some(22));
        assert_eq!(SsEnd::of(unspecified, Family::V6, true).addr, "[::]");
        let lo6 = SsEnd::of(
            end(Some(Ipv6Addr::LOCALHOST.into()), Some(0)),
            Family::V6,
            true,
        );
        assert_eq!((lo6.addr.as_str(), lo6.port.as_str()), ("[::1]", "*"));
        let mapped = end(Some(Ipv4Addr::LOCALHOST.into()), Some(80));
        assert_eq!(
            SsEnd::of(mapped, Family::V6, false).addr,
            "[::ffff:127.0.0.1]"
        );
    }

    #[test]
    fn ss_names_every_state_with_hyphens() {
        let names: Vec<&str> = TcpState::ALL.iter().map(|s| s.ss_name()).collect();
        assert_eq!(
            names,
            [
                "UNCONN",
                "LISTEN",
                "SYN-SENT",
                "SYN-RECV",
                "ESTAB",
                "FIN-WAIT-1",
                "FIN-WAIT-2",
                "CLOSING",
                "TIME-WAIT",
                "CLOSE-WAIT",
                "LAST-ACK"
            ]
        );
    }

    /// Lines copied from `ss -tan` (iproute2 6.1, output to a pipe), trailing
    /// spaces dropped.
    #[test]
    fn ss_pads_each_column_to_its_widest_entry() {
        let any = SsEnd::of(Endpoint::ANY, Family::V4, true);
        let rows = [
            row(Proto::Tcp, "LISTEN", (1, 5), v4([127, 0, 0, 1], 47001), any),
            row(
                Proto::Tcp,
                "TIME-WAIT",
                (0, 0),
                v4([192, 0, 2, 2], 37246),
                v4([203, 0, 113, 80], 80),
            ),
            row(
                Proto::Tcp,
                "ESTAB",
                (12345, 0),
                v4([127, 0, 0, 1], 37718),
                v4([127, 0, 0, 1], 47001),
            ),
        ];
        let t = ss_table(&rows);
        assert_eq!(t.command, "ss -tan");
        assert_eq!(
            t.text(),
            "\
State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
LISTEN    1      5          127.0.0.1:47001      0.0.0.0:*
TIME-WAIT 0      0          192.0.2.2:37246 203.0.113.80:80
ESTAB     12345  0          127.0.0.1:37718    127.0.0.1:47001"
        );
    }

    #[test]
    fn ss_with_udp_adds_netid_and_lists_udp_first() {
        let any6 = SsEnd::of(Endpoint::ANY, Family::V6, true);
        let rows = [
            row(
                Proto::Tcp,
                "LISTEN",
                (1, 128),
                SsEnd::of(end(None, Some(47012)), Family::V6, true),
                any6.clone(),
            ),
            row(
                Proto::Udp,
                "UNCONN",
                (0, 0),
                SsEnd::of(end(None, Some(47016)), Family::V6, true),
                any6,
            ),
        ];
        let t = ss_table(&rows);
        assert_eq!(t.command, "ss -tuan");
        assert_eq!(
            t.text(),
            "\
Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
udp   UNCONN 0      0               [::]:47016         [::]:*
tcp   LISTEN 1      128             [::]:47012         [::]:*"
        );
    }

    /// `ss -uan` (iproute2 6.1, to a pipe), trailing spaces dropped.
    #[test]
    fn ss_lists_unconnected_udp_sockets_as_unconn() {
        let any4 = SsEnd::of(Endpoint::ANY, Family::V4, true);
        let any6 = SsEnd::of(Endpoint::ANY, Family::V6, true);
        let rows = [
            row(
                Proto::Udp,
                "UNCONN",
                (832, 0),
                v4([0, 0, 0, 0], 47017),
                any4,
            ),
            row(
                Proto::Udp,
                "UNCONN",
                (0, 0),
                SsEnd::of(end(None, Some(47016)), Family::V6, true),
                any6,
            ),
        ];
        let t = ss_table(&rows);
        assert_eq!(t.command, "ss -uan");
        assert_eq!(
            t.text(),
            "\
State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
UNCONN 832    0            0.0.0.0:47017      0.0.0.0:*
UNCONN 0      0               [::]:47016         [::]:*"
        );
    }

    #[test]
    fn an_empty_ss_table_is_its_header_at_its_own_widths() {
        let t = ss_table(&[]);
        assert_eq!(
            t.text(),
            "State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess"
        );
    }

    #[test]
    fn layouts_are_named_as_the_tools() {
        for l in Layout::ALL {
            assert_eq!(Layout::from_name(l.name()), Some(l));
        }
        assert_eq!(Layout::from_name("lsof"), None);
    }
}
