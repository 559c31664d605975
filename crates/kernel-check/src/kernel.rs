//! The Linux kernel as a [`Stack`]: real TCP and UDP sockets over the loopback interface
//! (127.0.0.1, 127.0.0.2 and ::1: Linux routes all of 127/8 to `lo`), ports chosen free
//! at run time, and `ss -tan` (iproute2) for connection states. The comparisons make
//! theirs with [`Kernel::isolated`]: each run on a loopback of its own, where no test
//! running beside it holds a port.
//!
//! Every wait is bounded: blocking calls carry SO_RCVTIMEO/SO_SNDTIMEO of
//! [`CALL_TIMEOUT`] (a call that would wait longer returns EAGAIN, as Linux does
//! with those options), and polls for a settled network or a state stop at a
//! deadline. Without `ss` a run fails: it would compare nothing.

use crate::facts::Fact;
use crate::stack::{Sock, Stack};
use socket2::{Domain, SockAddr, Socket, Type};
use sockscope_engine::{Endpoint, Errno, Shutdown, TcpState};
use std::collections::BTreeSet;
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, IntoRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{OnceLock, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

/// How long a child of fork() lives if nobody closes its copy (the test ended early).
pub const CHILD_LIFETIME: Duration = Duration::from_secs(30);
/// Longest a blocking call may wait.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest settle() waits for the network to stop changing.
pub const SETTLE_DEADLINE: Duration = Duration::from_secs(3);
/// Longest state() polls for the state the other world showed.
pub const STATE_DEADLINE: Duration = Duration::from_secs(3);
/// How long the picture must stay the same to count as settled.
const QUIET: Duration = Duration::from_millis(45);
const POLL: Duration = Duration::from_millis(5);
/// SIOCOUTNSQ (linux/sockios.h): bytes in SendQ not yet sent. libc does not name it.
const SIOCOUTNSQ: libc::Ioctl = 0x894B;

/// The errno of a failed system call, by name.
pub fn errno_of(e: &io::Error) -> Errno {
    let n = e
        .raw_os_error()
        .unwrap_or_else(|| panic!("Linux: an error without errno: {e}"));
    let table = [
        (libc::EADDRINUSE, Errno::EADDRINUSE),
        (libc::EADDRNOTAVAIL, Errno::EADDRNOTAVAIL),
        (libc::EAFNOSUPPORT, Errno::EAFNOSUPPORT),
        (libc::EAGAIN, Errno::EAGAIN),
        (libc::EALREADY, Errno::EALREADY),
        (libc::EBADF, Errno::EBADF),
        (libc::ECONNREFUSED, Errno::ECONNREFUSED),
        (libc::ECONNRESET, Errno::ECONNRESET),
        (libc::EDESTADDRREQ, Errno::EDESTADDRREQ),
        (libc::EINPROGRESS, Errno::EINPROGRESS),
        (libc::EINVAL, Errno::EINVAL),
        (libc::EISCONN, Errno::EISCONN),
        (libc::EMSGSIZE, Errno::EMSGSIZE),
        (libc::ENETUNREACH, Errno::ENETUNREACH),
        (libc::ENOPROTOOPT, Errno::ENOPROTOOPT),
        (libc::ENOTCONN, Errno::ENOTCONN),
        (libc::EOPNOTSUPP, Errno::EOPNOTSUPP),
        (libc::EPIPE, Errno::EPIPE),
        (libc::ETIMEDOUT, Errno::ETIMEDOUT),
    ];
    table
        .iter()
        .find(|(raw, _)| *raw == n)
        .map(|(_, e)| *e)
        .unwrap_or_else(|| panic!("Linux: errno {n} ({e}) has no name in the engine"))
}

fn ret<T>(r: io::Result<T>) -> Result<T, Errno> {
    r.map_err(|e| errno_of(&e))
}

// ----- ss -----

/// One row of `ss -tan`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsRow {
    /// `None` for a name without an engine counterpart.
    pub state: Option<TcpState>,
    pub recv_q: u64,
    pub send_q: u64,
    /// Port 0 stands for `*`.
    pub local: SocketAddr,
    pub peer: SocketAddr,
}

/// ss's state names (`ss -tan`) in the engine's terms.
pub fn ss_state(name: &str) -> Option<TcpState> {
    Some(match name {
        "ESTAB" => TcpState::Established,
        "SYN-SENT" => TcpState::SynSent,
        "SYN-RECV" => TcpState::SynRcvd,
        "FIN-WAIT-1" => TcpState::FinWait1,
        "FIN-WAIT-2" => TcpState::FinWait2,
        "TIME-WAIT" => TcpState::TimeWait,
        "CLOSE-WAIT" => TcpState::CloseWait,
        "LAST-ACK" => TcpState::LastAck,
        "CLOSING" => TcpState::Closing,
        "LISTEN" => TcpState::Listen,
        "CLOSE" | "UNCONN" => TcpState::Closed,
        _ => return None,
    })
}

/// `127.0.0.1:80`, `0.0.0.0:*`, `[::1]:22`, `*:22`, `127.0.0.1%lo:80`,
/// `[::ffff:127.0.0.1]:80`. ss writes `*` for the wildcard of a dual-stack IPv6
/// socket (`[::]` is an IPV6_V6ONLY one); both are read as `::`.
fn ss_addr(s: &str) -> Option<SocketAddr> {
    let (ip, port) = s.rsplit_once(':')?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let ip = ip.split('%').next().unwrap_or(ip);
    let ip: IpAddr = if ip == "*" {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        ip.parse().ok()?
    };
    let port = if port == "*" { 0 } else { port.parse().ok()? };
    Some(SocketAddr::new(ip, port))
}

/// Parses the output of `ss -Htan` (no header line).
pub fn parse_ss(text: &str) -> Vec<SsRow> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 5 {
                return None;
            }
            Some(SsRow {
                state: ss_state(f[0]),
                recv_q: f[1].parse().ok()?,
                send_q: f[2].parse().ok()?,
                local: ss_addr(f[3])?,
                peer: ss_addr(f[4])?,
            })
        })
        .collect()
}

/// Spawning a program copies the descriptor table into the child until it execs
/// (close-on-exec only acts then). A close() in another thread meanwhile would not
/// be the last reference: the socket would be released later, in the child (its port
/// still bound, SO_LINGER not blocking the caller). So every program is started
/// through [`run`] or [`start`], which hold this lock for reading, and every socket
/// is closed through [`close_last`], which holds it for writing.
static SPAWNING: RwLock<()> = RwLock::new(());

fn spawn_guard() -> RwLockReadGuard<'static, ()> {
    SPAWNING.read().unwrap_or_else(|e| e.into_inner())
}

/// Runs `command` to its end and collects its output (see [`SPAWNING`]).
pub(crate) fn run(command: &mut Command) -> io::Result<Output> {
    let _spawning = spawn_guard();
    command.output()
}

/// Starts `command` and leaves it running (see [`SPAWNING`]).
pub(crate) fn start(command: &mut Command) -> io::Result<Child> {
    let _spawning = spawn_guard();
    command.spawn()
}

/// close() that is the last reference: no program is being spawned meanwhile (see
/// [`SPAWNING`]), so the port and the connection are released before it returns.
fn close_last(fd: RawFd) -> Result<(), Errno> {
    let _no_spawn = SPAWNING.write().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the caller gave the descriptor up to this call, which closes it once.
    match unsafe { libc::close(fd) } {
        0 => Ok(()),
        _ => Err(errno_of(&io::Error::last_os_error())),
    }
}

/// Where `ss` is: `$SOCKSCOPE_SS` if set, else the first of `ss` on PATH and the
/// usual places that runs.
///
/// # Panics
/// Without `ss`: a comparison that cannot read the kernel's states would compare
/// nothing and pass, so the run fails instead. `cargo xtask test` installs iproute2.
fn ss_program() -> &'static PathBuf {
    static SS: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = SS.get_or_init(|| {
        let candidates: Vec<PathBuf> = match std::env::var_os("SOCKSCOPE_SS") {
            Some(p) => vec![PathBuf::from(p)],
            None => ["ss", "/usr/bin/ss", "/usr/sbin/ss", "/bin/ss", "/sbin/ss"]
                .iter()
                .map(PathBuf::from)
                .collect(),
        };
        candidates
            .into_iter()
            .find(|p| run(Command::new(p).arg("-V")).is_ok_and(|o| o.status.success()))
    });
    found.as_ref().unwrap_or_else(|| {
        panic!(
            "`ss` (Debian package iproute2) was not found: kernel-check reads the kernel's \
             connection states with it and cannot compare them without it. \
             `cargo xtask test` installs it; or set SOCKSCOPE_SS to its path."
        )
    })
}

/// All TCP rows `ss -tan` lists.
///
/// # Panics
/// If `ss` is missing or fails: see [`ss_program`].
pub fn ss_rows() -> Vec<SsRow> {
    ss_listing("-Htan")
}

/// All UDP rows `ss -uan` lists (UNCONN, or ESTAB once connected).
///
/// # Panics
/// If `ss` is missing or fails: see [`ss_program`].
pub fn ss_udp_rows() -> Vec<SsRow> {
    ss_listing("-Huan")
}

fn ss_listing(flags: &str) -> Vec<SsRow> {
    let program = ss_program();
    let out = run(Command::new(program).arg(flags));
    match out {
        Ok(out) if out.status.success() => parse_ss(&String::from_utf8_lossy(&out.stdout)),
        Ok(out) => panic!(
            "`{} {flags}` failed: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("`{}` could not be run: {e}", program.display()),
    }
}

// ----- the stack -----

/// Real sockets. Dropping it closes whatever is still open, and ends the children
/// fork() left holding a socket.
#[derive(Default)]
pub struct Kernel {
    socks: Vec<Option<Socket>>,
    /// The processes fork() started, by the `Sock` that stands for their copy.
    children: std::collections::BTreeMap<usize, Child>,
    /// Local ports of this run's sockets: settle() watches their rows.
    ports: BTreeSet<u16>,
    /// How long the last close() took (SO_LINGER can make it wait).
    last_close: Duration,
}

impl Kernel {
    /// Real sockets on the network namespace the calling thread is in.
    pub fn new() -> Self {
        Self::default()
    }

    /// Real sockets in a network namespace of the calling thread's own, new for this
    /// run (`ss` and every program the thread starts see the same one). Tests run in
    /// parallel threads of one process: on a shared loopback, a port bind(:0) found
    /// free on 127.0.0.1 could still be held on `[::1]` by another test, or be taken
    /// by another test's connect() a moment later, and a dual-stack bind of it failed
    /// with EADDRINUSE. Where no namespace can be made (not root) the run stays on the
    /// shared loopback and says so on stderr.
    pub fn isolated() -> Self {
        if let Err(why) = crate::netns::own_network_namespace() {
            eprintln!("kernel-check: on the shared loopback, not a namespace of its own: {why}");
        }
        Self::new()
    }

    /// How long the last close() took.
    pub fn last_close_took(&self) -> Duration {
        self.last_close
    }

    pub fn raw(&self, s: Sock) -> &Socket {
        assert!(
            !self.children.contains_key(&s.0),
            "Linux: a forked child's copy can only be closed"
        );
        self.socks[s.0].as_ref().expect("socket already closed")
    }

    fn adopt(&mut self, sock: Socket) -> Sock {
        sock.set_read_timeout(Some(CALL_TIMEOUT))
            .and_then(|_| sock.set_write_timeout(Some(CALL_TIMEOUT)))
            .expect("Linux: SO_RCVTIMEO/SO_SNDTIMEO");
        self.socks.push(Some(sock));
        let s = Sock(self.socks.len() - 1);
        self.note_port(s);
        s
    }

    fn note_port(&mut self, s: Sock) {
        if let Some(port) = self
            .raw(s)
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map(|a| a.port())
            .filter(|&p| p != 0)
        {
            self.ports.insert(port);
        }
    }

    fn ioctl_count(&self, s: Sock, request: libc::Ioctl) -> u64 {
        let mut n: libc::c_int = 0;
        // SAFETY: SIOCINQ/SIOCOUTQ write one int through the pointer, which is valid.
        let r = unsafe { libc::ioctl(self.raw(s).as_raw_fd(), request, &mut n) };
        assert_eq!(r, 0, "Linux: ioctl: {}", io::Error::last_os_error());
        n as u64
    }

    /// The open TCP sockets that are connected (a connected UDP socket has no
    /// SendQ the TCP ioctls could read).
    fn connections(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.socks.len()).filter(|&i| {
            self.socks[i].as_ref().is_some_and(|s| {
                s.r#type().is_ok_and(|t| t == Type::STREAM) && s.peer_addr().is_ok()
            })
        })
    }

    /// Bytes sent but not yet acknowledged, over all open connections: an ACK is
    /// still due (Linux may delay one), so the network has not settled.
    fn unacknowledged(&self) -> u64 {
        self.connections()
            .map(|i| {
                let s = Sock(i);
                self.ioctl_count(s, libc::TIOCOUTQ)
                    .saturating_sub(self.ioctl_count(s, SIOCOUTNSQ))
            })
            .sum()
    }

    /// What settle() watches: our rows in ss and the queues of open connections.
    fn picture(&self) -> (Vec<SsRow>, Vec<(u64, u64)>) {
        let mut rows: Vec<SsRow> = ss_rows()
            .into_iter()
            .filter(|r| self.ports.contains(&r.local.port()) || self.ports.contains(&r.peer.port()))
            .collect();
        rows.sort_by_key(|r| (r.local, r.peer, r.state.map(|s| s.to_string())));
        let queues = self
            .connections()
            .map(|i| {
                let s = Sock(i);
                (
                    self.ioctl_count(s, libc::FIONREAD),
                    self.ioctl_count(s, libc::TIOCOUTQ),
                )
            })
            .collect();
        (rows, queues)
    }

    /// The row for `local` and `peer`; `None` is a listener's `*`, of either family.
    fn row(&self, local: SocketAddr, peer: Option<SocketAddr>) -> Option<SsRow> {
        let peer_fits = |p: &SocketAddr| match peer {
            Some(peer) => *p == peer,
            None => p.ip().is_unspecified() && p.port() == 0,
        };
        ss_rows()
            .into_iter()
            .filter(|r| r.state != Some(TcpState::Closed))
            .find(|r| r.local == local && peer_fits(&r.peer))
    }

    /// Polls `look` until it gives `hint` (or anything, without a hint), up to
    /// [`STATE_DEADLINE`]; returns what it saw last.
    fn poll_for(&self, hint: Option<&Fact>, look: impl Fn(&Self) -> Fact) -> Fact {
        let deadline = Instant::now() + STATE_DEADLINE;
        loop {
            let seen = look(self);
            let done = match hint {
                None => true,
                Some(h) => *h == seen,
            };
            if done || Instant::now() >= deadline {
                return seen;
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        for child in self.children.values_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        for sock in self.socks.drain(..).flatten() {
            let _ = close_last(sock.into_raw_fd());
        }
    }
}

impl Stack for Kernel {
    fn world(&self) -> &'static str {
        "Linux"
    }

    fn socket(&mut self) -> Sock {
        let sock = Socket::new(Domain::IPV4, Type::STREAM, None).expect("Linux: socket()");
        self.adopt(sock)
    }

    fn set_reuseaddr(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        ret(self.raw(s).set_reuse_address(on))
    }

    fn set_linger(&mut self, s: Sock, secs: Option<u32>) -> Result<(), Errno> {
        ret(self
            .raw(s)
            .set_linger(secs.map(|n| Duration::from_secs(n.into()))))
    }

    fn set_sndbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno> {
        ret(self.raw(s).set_send_buffer_size(bytes as usize))
    }

    fn set_rcvbuf(&mut self, s: Sock, bytes: u64) -> Result<(), Errno> {
        ret(self.raw(s).set_recv_buffer_size(bytes as usize))
    }

    fn buffers(&mut self, s: Sock) -> (u64, u64) {
        let sock = self.raw(s);
        (
            sock.send_buffer_size().expect("Linux: SO_SNDBUF") as u64,
            sock.recv_buffer_size().expect("Linux: SO_RCVBUF") as u64,
        )
    }

    fn set_nonblocking(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        ret(self.raw(s).set_nonblocking(on))
    }

    fn is_nonblocking(&mut self, s: Sock) -> bool {
        // SAFETY: F_GETFL on a descriptor we own reads its flags and nothing else.
        let flags = unsafe { libc::fcntl(self.raw(s).as_raw_fd(), libc::F_GETFL) };
        assert!(flags >= 0, "Linux: fcntl: {}", io::Error::last_os_error());
        flags & libc::O_NONBLOCK != 0
    }

    fn bind(&mut self, s: Sock, addr: SocketAddr) -> Result<(), Errno> {
        let r = ret(self.raw(s).bind(&SockAddr::from(addr)));
        self.note_port(s);
        r
    }

    fn listen(&mut self, s: Sock, backlog: u32) -> Result<(), Errno> {
        let r = ret(self.raw(s).listen(backlog as i32));
        self.note_port(s);
        r
    }

    fn connect(&mut self, s: Sock, to: SocketAddr) -> Result<(), Errno> {
        let r = ret(self.raw(s).connect(&SockAddr::from(to)));
        self.note_port(s);
        r
    }

    fn accept(&mut self, s: Sock) -> Result<Sock, Errno> {
        let (sock, _) = ret(self.raw(s).accept())?;
        Ok(self.adopt(sock))
    }

    fn send(&mut self, s: Sock, len: u64) -> Result<u64, Errno> {
        let buf = vec![b'x'; len as usize];
        ret(self.raw(s).send_with_flags(&buf, libc::MSG_NOSIGNAL)).map(|n| n as u64)
    }

    fn recv(&mut self, s: Sock, len: u64) -> Result<u64, Errno> {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); len as usize];
        ret(self.raw(s).recv(&mut buf)).map(|n| n as u64)
    }

    fn shutdown(&mut self, s: Sock, how: Shutdown) -> Result<(), Errno> {
        let how = match how {
            Shutdown::Read => std::net::Shutdown::Read,
            Shutdown::Write => std::net::Shutdown::Write,
            Shutdown::Both => std::net::Shutdown::Both,
        };
        ret(self.raw(s).shutdown(how))
    }

    fn close(&mut self, s: Sock) -> Result<(), Errno> {
        if let Some(mut child) = self.children.remove(&s.0) {
            // Its exit closes its descriptor, as close() would.
            child.kill().expect("Linux: kill the forked child");
            child.wait().expect("Linux: wait for the forked child");
            return Ok(());
        }
        let fd = self.socks[s.0]
            .take()
            .expect("socket already closed")
            .into_raw_fd();
        let start = Instant::now();
        let r = close_last(fd);
        self.last_close = start.elapsed();
        r
    }

    fn local_addr(&mut self, s: Sock) -> SocketAddr {
        self.raw(s)
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("Linux: getsockname()")
    }

    fn socket6(&mut self) -> Sock {
        let sock = Socket::new(Domain::IPV6, Type::STREAM, None).expect("Linux: socket()");
        self.adopt(sock)
    }

    fn set_v6only(&mut self, s: Sock, on: bool) -> Result<(), Errno> {
        ret(self.raw(s).set_only_v6(on))
    }

    /// `*` is the wildcard of the socket's own family, as bind() in the engine reads
    /// it; `0.0.0.0` and `[::]` go to the kernel as written.
    fn bind_written(&mut self, s: Sock, text: &str) -> Result<(), Errno> {
        let e: Endpoint = text.parse().unwrap_or_else(|err| panic!("{text}: {err}"));
        let any = self.local_addr(s).ip();
        let addr = SocketAddr::new(e.ip.unwrap_or(any), e.port.unwrap_or(0));
        self.bind(s, addr)
    }

    fn peer_addr(&mut self, s: Sock) -> SocketAddr {
        self.raw(s)
            .peer_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("Linux: getpeername()")
    }

    fn free_port(&mut self) -> u16 {
        let probe = Socket::new(Domain::IPV4, Type::STREAM, None).expect("Linux: socket()");
        probe
            .bind(&SockAddr::from(SocketAddr::from(([127, 0, 0, 1], 0))))
            .expect("Linux: bind(127.0.0.1:0)");
        let port = probe
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("Linux: getsockname()")
            .port();
        // Released at once, so the caller's bind() finds the port free.
        close_last(probe.into_raw_fd()).expect("Linux: close() of the probe");
        self.ports.insert(port);
        port
    }

    fn queues(&mut self, s: Sock) -> (u64, u64) {
        (
            self.ioctl_count(s, libc::FIONREAD),
            self.ioctl_count(s, libc::TIOCOUTQ),
        )
    }

    fn udp_socket(&mut self) -> Sock {
        let sock = Socket::new(Domain::IPV4, Type::DGRAM, None).expect("Linux: socket()");
        self.adopt(sock)
    }

    fn udp_socket6(&mut self) -> Sock {
        let sock = Socket::new(Domain::IPV6, Type::DGRAM, None).expect("Linux: socket()");
        self.adopt(sock)
    }

    fn send_to(&mut self, s: Sock, len: u64, to: SocketAddr) -> Result<u64, Errno> {
        let buf = vec![b'x'; len as usize];
        let r = ret(self.raw(s).send_to(&buf, &SockAddr::from(to))).map(|n| n as u64);
        self.note_port(s);
        r
    }

    fn recv_from(&mut self, s: Sock, len: u64) -> Result<(u64, SocketAddr), Errno> {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); len as usize];
        let (n, from) = ret(self.raw(s).recv_from(&mut buf))?;
        let from = from
            .as_socket()
            .expect("Linux: recvfrom() names an IP sender");
        Ok((n as u64, from))
    }

    fn socket_beside(&mut self, _: Sock) -> Sock {
        self.socket()
    }

    /// F_DUPFD_CLOEXEC (socket2's try_clone): the lowest free number, as dup() gives,
    /// and no copy in the programs `ss` spawns.
    fn dup(&mut self, s: Sock) -> Result<Sock, Errno> {
        let copy = ret(self.raw(s).try_clone())?;
        Ok(self.adopt(copy))
    }

    /// A child process (`sleep`) that holds the descriptor, under the same number:
    /// the spawn clears close-on-exec on it alone, so the child keeps nothing else.
    fn fork(&mut self, s: Sock) -> Sock {
        let fd = self.raw(s).as_raw_fd();
        let mut command = Command::new("sleep");
        command
            .arg(CHILD_LIFETIME.as_secs().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: fcntl is async-signal-safe; it clears FD_CLOEXEC on the child's
        // copy of one descriptor between fork and exec, touching nothing else.
        unsafe {
            command.pre_exec(move || match libc::fcntl(fd, libc::F_SETFD, 0) {
                0 => Ok(()),
                _ => Err(io::Error::last_os_error()),
            });
        }
        let child = start(&mut command).expect("Linux: spawn `sleep` to hold the socket");
        self.socks.push(None);
        let copy = self.socks.len() - 1;
        self.children.insert(copy, child);
        Sock(copy)
    }

    fn fd_number(&mut self, s: Sock) -> i32 {
        self.raw(s).as_raw_fd()
    }

    fn settle(&mut self) {
        self.settle_for(SETTLE_DEADLINE);
    }

    fn settle_for(&mut self, d: Duration) {
        let deadline = Instant::now() + d.min(SETTLE_DEADLINE);
        let mut last = self.picture();
        let mut since = Instant::now();
        while Instant::now() < deadline {
            std::thread::sleep(POLL);
            let now = self.picture();
            if now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() >= QUIET && self.unacknowledged() == 0 {
                return;
            }
        }
    }

    fn state(&mut self, local: SocketAddr, peer: Option<SocketAddr>, hint: Option<&Fact>) -> Fact {
        self.poll_for(hint, |k| {
            Fact::State(k.row(local, peer).and_then(|r| r.state))
        })
    }

    fn row_recv_q(&mut self, local: SocketAddr, peer: SocketAddr, hint: Option<&Fact>) -> Fact {
        self.poll_for(hint, |k| match k.row(local, Some(peer)) {
            Some(row) => Fact::Count(row.recv_q),
            None => Fact::State(None),
        })
    }

    fn udp_recv_q(&mut self, local: SocketAddr) -> Option<u64> {
        ss_udp_rows()
            .into_iter()
            .find(|r| r.local == local)
            .map(|r| r.recv_q)
    }

    fn listener_queues(&mut self, local: SocketAddr) -> Option<(u64, u64)> {
        self.row(local, None)
            .filter(|r| r.state == Some(TcpState::Listen))
            .map(|r| (r.recv_q, r.send_q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ss_lines_are_parsed_with_states_in_engine_terms() {
        let rows = parse_ss(
            "LISTEN     0      5          127.0.0.1:8765       0.0.0.0:*\n\
             TIME-WAIT  0      0          127.0.0.1:8765     127.0.0.1:51720\n\
             ESTAB      1152   4032   127.0.0.1:39780 127.0.0.1:42539 users:((\"x\",pid=1,fd=3))\n\
             LISTEN     0      128             [::]:22            [::]:*\n\
             FIN-WAIT-1 0      3782145 127.0.0.1%lo:42918 127.0.0.1:54073\n\
             garbage\n",
        );
        assert_eq!(rows.len(), 5);
        let dual = parse_ss(
            "LISTEN 0 128 *:22 *:*\n\
             ESTAB 0 0 [::ffff:127.0.0.1]:22 [::ffff:127.0.0.1]:5000\n",
        );
        assert_eq!(dual[0].local, "[::]:22".parse().unwrap());
        assert_eq!(dual[1].peer, "[::ffff:127.0.0.1]:5000".parse().unwrap());
        assert_eq!(rows[0].state, Some(TcpState::Listen));
        assert_eq!(rows[0].peer.port(), 0);
        assert_eq!(rows[1].state, Some(TcpState::TimeWait));
        assert_eq!(rows[2].recv_q, 1152);
        assert_eq!(rows[2].send_q, 4032);
        assert_eq!(rows[2].local, "127.0.0.1:39780".parse().unwrap());
        assert_eq!(rows[3].local, "[::]:22".parse().unwrap());
        assert_eq!(rows[4].state, Some(TcpState::FinWait1));
        assert_eq!(rows[4].local, "127.0.0.1:42918".parse().unwrap());
    }

    #[test]
    fn every_ss_state_name_maps_to_a_netstat_name() {
        for (ss, netstat) in [
            ("ESTAB", "ESTABLISHED"),
            ("SYN-SENT", "SYN_SENT"),
            ("SYN-RECV", "SYN_RCVD"),
            ("FIN-WAIT-1", "FIN_WAIT_1"),
            ("FIN-WAIT-2", "FIN_WAIT_2"),
            ("TIME-WAIT", "TIME_WAIT"),
            ("CLOSE-WAIT", "CLOSE_WAIT"),
            ("LAST-ACK", "LAST_ACK"),
            ("CLOSING", "CLOSING"),
            ("LISTEN", "LISTEN"),
            ("CLOSE", "CLOSED"),
        ] {
            assert_eq!(
                ss_state(ss).map(|s| s.to_string()).as_deref(),
                Some(netstat)
            );
        }
        assert_eq!(ss_state("NEW-SYN-RECV"), None);
    }

    /// The comparisons pick a port with free_port() and bind it at once. A program
    /// spawned by another thread copies every descriptor until it execs; had the
    /// probe's close() fallen in that moment, the port would stay held by the copy and
    /// the bind would fail with EADDRINUSE (once in a few full runs, on CI).
    #[test]
    fn a_port_free_port_found_is_free_while_other_threads_spawn_programs() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let stop = Arc::new(AtomicBool::new(false));
        let spawners: Vec<_> = (0..2)
            .map(|_| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let _ = run(&mut Command::new("true"));
                    }
                })
            })
            .collect();
        let taken = std::thread::spawn(|| {
            crate::netns::own_network_namespace().unwrap_or_else(|why| panic!("{why}"));
            let mut k = Kernel::new();
            let mut taken = Vec::new();
            for _ in 0..1500 {
                let p = k.free_port();
                let s = Socket::new(Domain::IPV6, Type::STREAM, None).expect("socket()");
                if let Err(e) = s.bind(&SockAddr::from(SocketAddr::from((
                    Ipv6Addr::UNSPECIFIED,
                    p,
                )))) {
                    taken.push(format!("{p}: {e}"));
                }
            }
            taken
        })
        .join();
        stop.store(true, Ordering::Relaxed);
        for s in spawners {
            s.join().unwrap();
        }
        let taken = taken.unwrap();
        assert!(
            taken.is_empty(),
            "bind() of a port free_port() gave failed: {taken:?}"
        );
    }

    #[test]
    fn errno_values_are_named() {
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(errno_of(&e), Errno::ECONNREFUSED);
        let e = io::Error::from_raw_os_error(libc::EWOULDBLOCK);
        assert_eq!(errno_of(&e), Errno::EAGAIN);
    }
}
