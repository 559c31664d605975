//! The program in C, as a sockets course writes it: `struct sockaddr_in` filled in
//! with `htons` and `inet_pton`, a buffer for `send` and `recv`, and after every call
//! an error check that prints `strerror(errno)`.

use super::names::Idents;
use super::out::{header, Out};
use super::plan::{Item, Planned, ProgramPlan};
use super::{Lang, Line, Options};
use crate::ast::FdRef;
use sockscope_engine::{Call, Endpoint, Family, OptName, Proto, SockOpt};
use std::net::{IpAddr, SocketAddr};

/// The errno names a program can print: the engine's, and a few more Linux may give.
const ERRNOS: &str = "\
    EADDRINUSE EADDRNOTAVAIL EAFNOSUPPORT EAGAIN EALREADY EBADF ECONNREFUSED \
    ECONNRESET EDESTADDRREQ EINPROGRESS EINVAL EISCONN EMSGSIZE ENOTCONN EOPNOTSUPP \
    EPIPE ETIMEDOUT EACCES EINTR ENOTSOCK ENOBUFS EHOSTUNREACH ENETUNREACH \
    ENOPROTOOPT";

/// The headers every program includes.
const HEADERS: &str = "arpa/inet.h errno.h fcntl.h netinet/in.h signal.h stdio.h stdlib.h \
    string.h sys/socket.h sys/types.h time.h unistd.h";

/// A block's braces, named so that no string in a function holds one of a pair.
const OPEN: &str = "{";
const CLOSE: &str = "}";

/// What the body uses, so that only that is declared (gcc -Wall rejects the rest).
#[derive(Default)]
struct Uses {
    /// The largest send or recv: the size of `buf`.
    buf: Option<u64>,
    addr: bool,
    addr6: bool,
    from: bool,
    r: bool,
    n: bool,
    opt: bool,
    lg: bool,
    len: bool,
    send: bool,
}

struct C<'a> {
    opts: &'a Options,
    ids: Idents,
    uses: Uses,
    /// A fork has been written: from here on each call says which process makes it.
    forked: bool,
    out: Out,
}

pub(super) fn render(plan: &ProgramPlan, opts: &Options, total: usize) -> Vec<Line> {
    let mut c = C {
        opts,
        ids: Idents::new(plan, Lang::C),
        uses: Uses::default(),
        forked: false,
        out: Out::new("//"),
    };
    c.out.indent();
    for item in &plan.items {
        c.item(item);
    }
    c.assemble(plan, total)
}

/// A C string literal of `s` (labels hold no quotes or backslashes; this is safety).
fn literal(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A printf format: `s` as plain text (a `%` doubled), then the conversions `tail`, then
/// a newline.
fn printf_format(s: &str, tail: &str) -> String {
    let lit = literal(&s.replace('%', "%%"));
    format!("{}{tail}\\n\"", &lit[..lit.len() - 1])
}

/// A number for an `int` argument: cut at INT_MAX, since gcc -Werror refuses a
/// constant that overflows.
fn int(v: u64) -> u64 {
    v.min(i32::MAX as u64)
}

impl C<'_> {
    fn item(&mut self, item: &Item) {
        match item {
            Item::Note { stmt, lines } => {
                for l in lines {
                    self.out.comment(Some(*stmt), l);
                }
            }
            Item::Call(p) => self.guarded(p.stmt, p.who, p.seq, |c| c.call(p)),
            Item::Fork {
                stmt,
                seq,
                who,
                child,
                label,
                ..
            } => {
                self.guarded(*stmt, *who, *seq, |c| c.fork(*stmt, *seq, *child, label));
                self.forked = true;
            }
        }
    }

    /// The lines of one call, inside `if (me == PROC_X)` when several processes run
    /// the program, after the wait for its turn in a conducted run.
    fn guarded(&mut self, stmt: usize, who: usize, seq: usize, body: impl FnOnce(&mut Self)) {
        let s = Some(stmt);
        // Before the first fork the program's first process is the only one.
        let guard = self.forked.then(|| self.ids.procs[who].clone());
        if let Some(p) = &guard {
            self.out.line(s, &format!("if (me == {p}) {OPEN}"));
            self.out.indent();
        }
        if self.opts.conducted {
            self.out.line(s, &format!("wait_turn({seq});"));
        }
        body(self);
        if guard.is_some() {
            self.out.dedent();
            self.out.line(s, CLOSE);
        }
        self.out.line(None, "");
    }

    /// What a call prints before its result; `@seq ` first in a conducted run.
    fn numbered(&self, seq: usize, label: &str) -> String {
        if self.opts.conducted {
            format!("@{seq} {label}")
        } else {
            label.to_string()
        }
    }

    fn fd(&self, fd: &FdRef) -> String {
        match fd {
            FdRef::Var(v) => self.ids.vars.get(v).cloned().unwrap_or_else(|| v.clone()),
            FdRef::Num(n) => n.to_string(),
        }
    }

    /// `result = expr;` and the check of it: -1 prints errno, anything else the value.
    fn checked(&mut self, s: Option<usize>, result: &str, expr: &str, label: &str, fmt: &str) {
        self.out.line(s, &format!("{result} = {expr};"));
        self.report(s, result, label, fmt);
    }

    fn report(&mut self, s: Option<usize>, result: &str, label: &str, fmt: &str) {
        self.out.line(s, &format!("if ({result} == -1)"));
        self.out
            .line(s, &format!("    failed({});", literal(label)));
        self.out.line(s, "else");
        let text = printf_format(label, &format!(" = {fmt}"));
        self.out.line(s, &format!("    printf({text}, {result});"));
    }

    /// The variable that receives the call's result: the learner's, or `r`.
    fn target(&mut self, var: &Option<String>) -> String {
        match var {
            Some(v) => self.ids.vars.get(v).cloned().unwrap_or_else(|| v.clone()),
            None => {
                self.uses.r = true;
                "r".into()
            }
        }
    }

    fn status(&mut self, s: Option<usize>, expr: &str, label: &str) {
        self.uses.r = true;
        self.checked(s, "r", expr, label, "%d");
    }

    fn bytes(&mut self, s: Option<usize>, expr: &str, label: &str, len: u64) {
        self.uses.n = true;
        self.uses.buf = Some(self.uses.buf.unwrap_or(1).max(len).max(1));
        self.checked(s, "n", expr, label, "%zd");
    }

    fn call(&mut self, p: &Planned) {
        let s = Some(p.stmt);
        let label = self.numbered(p.seq, &p.label);
        if p.background {
            self.out.comment(
                s,
                "The scenario writes `&`: the call is left running while the others act. \
                 Here this process waits in it while the other programs go on.",
            );
        }
        let fd = p.call.fd().map(|f| self.fd(&f)).unwrap_or_default();
        match &p.call {
            Call::Socket { proto, family } => {
                let t = self.target(&p.var);
                let ty = match proto {
                    Proto::Tcp => "SOCK_STREAM",
                    Proto::Udp => "SOCK_DGRAM",
                };
                self.checked(s, &t, &format!("socket({family}, {ty}, 0)"), &label, "%d");
            }
            Call::Bind { addr, .. } => {
                let a = self.endpoint(s, addr, p.family);
                self.status(s, &format!("bind({fd}, {a})"), &label);
            }
            Call::Listen { backlog, .. } => {
                let b = int(u64::from(*backlog));
                self.status(s, &format!("listen({fd}, {b})"), &label);
            }
            Call::Connect { addr, .. } => {
                let a = self.sockaddr(s, *addr);
                self.status(s, &format!("connect({fd}, {a})"), &label);
            }
            Call::Accept { .. } => {
                let t = self.target(&p.var);
                self.checked(s, &t, &format!("accept({fd}, NULL, NULL)"), &label, "%d");
            }
            Call::Send { len, .. } => {
                self.uses.send = true;
                self.bytes(s, &format!("send({fd}, buf, {len}, 0)"), &label, *len);
            }
            Call::Recv { len, .. } => {
                self.bytes(s, &format!("recv({fd}, buf, {len}, 0)"), &label, *len)
            }
            Call::SendTo { len, to, .. } => {
                self.uses.send = true;
                let a = self.sockaddr(s, *to);
                let expr = format!("sendto({fd}, buf, {len}, 0, {a})");
                self.bytes(s, &expr, &label, *len);
            }
            Call::RecvFrom { len, .. } => {
                self.uses.from = true;
                self.out.line(s, "from_len = sizeof from;");
                let expr =
                    format!("recvfrom({fd}, buf, {len}, 0, (struct sockaddr *)&from, &from_len)");
                self.bytes(s, &expr, &label, *len);
            }
            Call::Shutdown { how, .. } => self.status(s, &format!("shutdown({fd}, {how})"), &label),
            Call::Close { .. } => self.status(s, &format!("close({fd})"), &label),
            Call::SetSockOpt { opt, .. } => self.setsockopt(s, &fd, opt, &label),
            Call::GetSockOpt { name, .. } => self.getsockopt(s, &fd, *name, &label),
            Call::Dup { .. } => {
                let t = self.target(&p.var);
                self.checked(s, &t, &format!("dup({fd})"), &label, "%d");
            }
            Call::SetNonBlocking { on, .. } => {
                let flags = if *on { "O_NONBLOCK" } else { "0" };
                self.status(s, &format!("fcntl({fd}, F_SETFL, {flags})"), &label);
            }
        }
    }

    /// Fills in `addr` (or `addr6`) for bind(); `*` is the wildcard of the socket's
    /// family, `0.0.0.0` and `[::]` are INADDR_ANY and in6addr_any as written.
    fn endpoint(&mut self, s: Option<usize>, e: &Endpoint, family: Family) -> String {
        let port = self.opts.port(e.port.unwrap_or(0));
        match e.ip {
            Some(ip) if ip.is_unspecified() => self.fill_any(s, Family::of(&ip), port),
            Some(ip) => self.fill(s, self.opts.addr(ip), port),
            None => self.fill_any(s, family, port),
        }
    }

    fn sockaddr(&mut self, s: Option<usize>, a: SocketAddr) -> String {
        let ip = self.opts.addr(a.ip());
        let port = self.opts.port(a.port());
        self.fill(s, ip, port)
    }

    fn fill(&mut self, s: Option<usize>, ip: IpAddr, port: u16) -> String {
        let (v, family, field) = self.start(s, Family::of(&ip), port);
        self.out
            .line(s, &format!("inet_pton({family}, \"{ip}\", &{v}.{field});"));
        format!("(struct sockaddr *)&{v}, sizeof {v}")
    }

    fn fill_any(&mut self, s: Option<usize>, family: Family, port: u16) -> String {
        let (v, _, field) = self.start(s, family, port);
        let any = match family {
            Family::V4 => format!("{v}.{field}.s_addr = htonl(INADDR_ANY);"),
            Family::V6 => format!("{v}.{field} = in6addr_any;"),
        };
        self.out.line(s, &any);
        format!("(struct sockaddr *)&{v}, sizeof {v}")
    }

    /// The first lines of filling in an address: the variable, the family and the
    /// port. Returns the variable, the family's name and the address field.
    fn start(
        &mut self,
        s: Option<usize>,
        family: Family,
        port: u16,
    ) -> (&'static str, &'static str, &'static str) {
        let (v, af, prefix, field) = match family {
            Family::V4 => {
                self.uses.addr = true;
                ("addr", "AF_INET", "sin", "sin_addr")
            }
            Family::V6 => {
                self.uses.addr6 = true;
                ("addr6", "AF_INET6", "sin6", "sin6_addr")
            }
        };
        self.out.line(s, &format!("memset(&{v}, 0, sizeof {v});"));
        self.out.line(s, &format!("{v}.{prefix}_family = {af};"));
        self.out
            .line(s, &format!("{v}.{prefix}_port = htons({port});"));
        (v, af, field)
    }

    fn setsockopt(&mut self, s: Option<usize>, fd: &str, opt: &SockOpt, label: &str) {
        let name = opt.name();
        let (var, set) = match opt {
            SockOpt::SndBuf(n) | SockOpt::RcvBuf(n) => ("opt", vec![format!("opt = {};", int(*n))]),
            SockOpt::ReuseAddr(on) | SockOpt::V6Only(on) => {
                ("opt", vec![format!("opt = {};", u8::from(*on))])
            }
            SockOpt::Linger(secs) => (
                "lg",
                vec![
                    format!("lg.l_onoff = {};", u8::from(secs.is_some())),
                    format!("lg.l_linger = {};", int(u64::from(secs.unwrap_or(0)))),
                ],
            ),
        };
        self.uses.opt |= var == "opt";
        self.uses.lg |= var == "lg";
        for l in set {
            self.out.line(s, &l);
        }
        let level = name.level();
        let expr = format!("setsockopt({fd}, {level}, {name}, &{var}, sizeof {var})");
        self.status(s, &expr, label);
    }

    fn getsockopt(&mut self, s: Option<usize>, fd: &str, name: OptName, label: &str) {
        self.uses.r = true;
        self.uses.len = true;
        let var = if name == OptName::Linger { "lg" } else { "opt" };
        self.uses.opt |= var == "opt";
        self.uses.lg |= var == "lg";
        self.out.line(s, &format!("len = sizeof {var};"));
        self.out.line(
            s,
            &format!(
                "r = getsockopt({fd}, {}, {name}, &{var}, &len);",
                name.level()
            ),
        );
        self.out.line(s, "if (r == -1)");
        self.out
            .line(s, &format!("    failed({});", literal(label)));
        if name == OptName::Linger {
            self.out.line(s, "else if (lg.l_onoff)");
            let on = printf_format(label, &format!(" = %d ({name}, %d)"));
            self.out
                .line(s, &format!("    printf({on}, r, lg.l_linger);"));
            self.out.line(s, "else");
            let off = printf_format(label, &format!(" = %d ({name}, off)"));
            self.out.line(s, &format!("    printf({off}, r);"));
        } else {
            self.out.line(s, "else");
            let text = printf_format(label, &format!(" = %d ({name}, %d)"));
            self.out.line(s, &format!("    printf({text}, r, opt);"));
        }
    }

    fn fork(&mut self, stmt: usize, seq: usize, child: usize, label: &str) {
        let s = Some(stmt);
        let pid = self.ids.pids[&child].clone();
        let me = self.ids.procs[child].clone();
        let label = self.numbered(seq, label);
        self.out.line(s, &format!("{pid} = fork();"));
        self.out.line(s, &format!("if ({pid} == -1)"));
        self.out
            .line(s, &format!("    failed({});", literal(&label)));
        self.out.line(s, &format!("else if ({pid} == 0)"));
        self.out.line(s, &format!("    me = {me};"));
        self.out.line(s, "else");
        let text = printf_format(&label, " = %d");
        self.out
            .line(s, &format!("    printf({text}, (int){pid});"));
    }

    /// The whole file: what it is, the headers, the helpers, then main() with its
    /// declarations and the body.
    fn assemble(self, plan: &ProgramPlan, total: usize) -> Vec<Line> {
        let mut o = Out::new("//");
        header(&mut o, plan, self.opts, Lang::C);
        self.file_scope(&mut o);
        o.line(None, "int main(void)");
        o.line(None, OPEN);
        o.indent();
        self.declarations(&mut o);
        self.prologue(&mut o);
        o.lines.extend(self.out.lines);
        if self.opts.conducted {
            o.line(None, "");
            o.comment(
                None,
                "Sockets stay open until the whole conducted run is over.",
            );
            o.line(None, &format!("wait_turn({total});"));
        }
        o.line(None, "return 0;");
        o.dedent();
        o.line(None, CLOSE);
        o.lines
    }

    /// The headers, `buf`, the process constants and the helpers.
    fn file_scope(&self, o: &mut Out) {
        o.line(None, "#define _POSIX_C_SOURCE 200809L");
        for h in HEADERS.split_whitespace() {
            o.line(None, &format!("#include <{h}>"));
        }
        o.line(None, "");
        if let Some(size) = self.uses.buf {
            o.comment(None, "What send() sends and recv() fills.");
            o.line(None, &format!("static char buf[{size}];"));
            o.line(None, "");
        }
        if !self.ids.procs.is_empty() {
            o.comment(
                None,
                "The processes that run this program: each runs only the calls marked for it.",
            );
            o.line(
                None,
                &format!("enum {OPEN} {} {CLOSE};", self.ids.procs.join(", ")),
            );
            o.line(None, "");
        }
        helpers(o, self.opts.conducted);
    }

    /// The learner's variables (-1: no descriptor yet), then what the body uses.
    fn declarations(&self, o: &mut Out) {
        if !self.ids.vars.is_empty() {
            let decls: Vec<String> = self
                .ids
                .vars
                .values()
                .map(|v| format!("{v} = -1"))
                .collect();
            o.line(None, &format!("int {};", decls.join(", ")));
        }
        for pid in self.ids.pids.values() {
            o.line(None, &format!("pid_t {pid} = -1;"));
        }
        if let Some(first) = self.ids.procs.first() {
            o.line(None, &format!("int me = {first};"));
        }
        let u = &self.uses;
        for (used, decl) in [
            (u.r, "int r;"),
            (u.n, "ssize_t n;"),
            (u.opt, "int opt;"),
            (u.lg, "struct linger lg;"),
            (u.len, "socklen_t len;"),
            (u.addr, "struct sockaddr_in addr;"),
            (u.addr6, "struct sockaddr_in6 addr6;"),
            (u.from, "struct sockaddr_storage from;"),
            (u.from, "socklen_t from_len;"),
        ] {
            if used {
                o.line(None, decl);
            }
        }
        o.line(None, "");
    }

    /// What main() does before the first call.
    fn prologue(&self, o: &mut Out) {
        o.comment(
            None,
            "Each result line goes out at once, also into a pipe, and fork() copies none.",
        );
        o.line(None, "setvbuf(stdout, NULL, _IOLBF, 0);");
        if self.uses.send {
            o.comment(
                None,
                "A send() on a connection the peer has reset returns -1 EPIPE instead of \
                 ending the program.",
            );
            o.line(None, "signal(SIGPIPE, SIG_IGN);");
        }
        if self.opts.conducted {
            o.comment(
                None,
                "A conducted run ends on its own if the conductor is gone.",
            );
            o.line(None, "alarm(120);");
        }
        o.line(None, "");
    }
}

fn helpers(o: &mut Out, conducted: bool) {
    o.comment(None, "The C name of an errno value.");
    o.line(None, "static const char *errno_name(int e)");
    o.line(None, "{");
    o.line(None, "    static char other[32];");
    o.line(None, "");
    o.line(None, "    switch (e) {");
    for e in ERRNOS.split_whitespace() {
        o.line(None, &format!("    case {e}: return \"{e}\";"));
    }
    o.line(None, "    }");
    o.line(None, "    snprintf(other, sizeof other, \"errno %d\", e);");
    o.line(None, "    return other;");
    o.line(None, "}");
    o.line(None, "");
    o.comment(
        None,
        "A call that returned -1: errno by name, and strerror(errno) says what it means.",
    );
    o.line(None, "static void failed(const char *call)");
    o.line(None, "{");
    o.line(None, "    int e = errno;");
    o.line(None, "");
    o.line(
        None,
        "    printf(\"%s = -1 %s (%s)\\n\", call, errno_name(e), strerror(e));",
    );
    o.line(None, "}");
    o.line(None, "");
    if conducted {
        o.comment(
            None,
            "Waits until the file SOCKSCOPE_TURN names holds `call` or more, so that \
             programs running side by side make their calls in the scenario's order.",
        );
        for l in [
            "static void wait_turn(int call)",
            "{",
            "    const char *path = getenv(\"SOCKSCOPE_TURN\");",
            "    struct timespec ms = { 0, 1000000 };",
            "    int turn = -1;",
            "",
            "    while (path != NULL) {",
            "        FILE *f = fopen(path, \"r\");",
            "",
            "        if (f != NULL) {",
            "            if (fscanf(f, \"%d\", &turn) != 1)",
            "                turn = -1;",
            "            fclose(f);",
            "        }",
            "        if (turn >= call)",
            "            return;",
            "        nanosleep(&ms, NULL);",
            "    }",
            "}",
            "",
        ] {
            o.line(None, l);
        }
    }
}
