//! The program in Python with the `socket` module, as a Kurose–Ross style course
//! writes it: top-level code, one `try` per call, `except OSError` printing the errno.

use super::names::Idents;
use super::out::{header, Out};
use super::plan::{Item, Planned, ProgramPlan};
use super::{Lang, Line, Options};
use crate::ast::FdRef;
use sockscope_engine::{Call, Endpoint, Family, OptName, Proto, SockOpt};
use std::net::{IpAddr, SocketAddr};

#[derive(Default)]
struct Uses {
    /// `kept`: sockets no variable holds, or made for a descriptor written as a number.
    kept: bool,
    by_number: bool,
    pack: bool,
}

struct Py<'a> {
    opts: &'a Options,
    ids: Idents,
    uses: Uses,
    /// A fork has been written: from here on each call says which process makes it.
    forked: bool,
    out: Out,
}

pub(super) fn render(plan: &ProgramPlan, opts: &Options, total: usize) -> Vec<Line> {
    let mut py = Py {
        opts,
        ids: Idents::new(plan, Lang::Python),
        uses: Uses::default(),
        forked: false,
        out: Out::new("#"),
    };
    for item in &plan.items {
        py.item(item);
    }
    py.assemble(plan, total)
}

/// A Python string literal.
fn literal(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn address(ip: Option<IpAddr>, port: u16, family: Family) -> String {
    let host = match (ip, family) {
        (Some(ip), _) => ip.to_string(),
        (None, Family::V4) => String::new(),
        (None, Family::V6) => "::".to_string(),
    };
    format!("(\"{host}\", {port})")
}

impl Py<'_> {
    fn item(&mut self, item: &Item) {
        match item {
            Item::Note { stmt, lines } => {
                for l in lines {
                    self.out.comment(Some(*stmt), l);
                }
            }
            Item::Call(p) => self.guarded(p.stmt, p.who, p.seq, |py| py.call(p)),
            Item::Fork {
                stmt,
                seq,
                who,
                child,
                label,
                ..
            } => {
                self.guarded(*stmt, *who, *seq, |py| py.fork(*stmt, *seq, *child, label));
                self.forked = true;
            }
        }
    }

    fn guarded(&mut self, stmt: usize, who: usize, seq: usize, body: impl FnOnce(&mut Self)) {
        let s = Some(stmt);
        // Before the first fork the program's first process is the only one.
        let guard = self.forked.then(|| self.ids.procs[who].clone());
        if let Some(p) = &guard {
            self.out.line(s, &format!("if me == {p}:"));
            self.out.indent();
        }
        if self.opts.conducted {
            self.out.line(s, &format!("wait_turn({seq})"));
        }
        body(self);
        if guard.is_some() {
            self.out.dedent();
        }
        self.out.line(None, "");
    }

    fn numbered(&self, seq: usize, label: &str) -> String {
        if self.opts.conducted {
            format!("@{seq} {label}")
        } else {
            label.to_string()
        }
    }

    fn fd(&mut self, fd: &FdRef) -> String {
        match fd {
            FdRef::Var(v) => self.ids.vars.get(v).cloned().unwrap_or_else(|| v.clone()),
            FdRef::Num(n) => {
                self.uses.by_number = true;
                self.uses.kept = true;
                format!("by_number({n})")
            }
        }
    }

    /// `try:` the lines, print the result, `except OSError` print the errno; a failed
    /// call that makes a descriptor leaves NO_SOCKET in its variable.
    fn attempt(
        &mut self,
        s: Option<usize>,
        label: &str,
        lines: &[String],
        value: &str,
        var: Option<&str>,
    ) {
        self.out.line(s, "try:");
        self.out.indent();
        for l in lines {
            self.out.line(s, l);
        }
        let print = match value {
            "0" => literal(&format!("{label} = 0")),
            v => format!("{}, {v}", literal(&format!("{label} ="))),
        };
        self.out.line(s, &format!("print({print})"));
        self.out.dedent();
        self.out.line(s, "except OSError as e:");
        self.out.indent();
        if let Some(v) = var {
            self.out.line(s, &format!("{v} = NO_SOCKET"));
        }
        self.out.line(s, &format!("failed({}, e)", literal(label)));
        self.out.dedent();
    }

    /// A call that makes a descriptor: into the learner's variable, or kept.
    fn making(
        &mut self,
        s: Option<usize>,
        label: &str,
        var: &Option<String>,
        expr: &str,
        pair: bool,
    ) {
        let target = match var {
            Some(v) => self.ids.vars.get(v).cloned().unwrap_or_else(|| v.clone()),
            None => {
                self.uses.kept = true;
                "made".to_string()
            }
        };
        let assign = match pair {
            true => format!("{target}, peer = {expr}"),
            false => format!("{target} = {expr}"),
        };
        let mut lines = vec![assign];
        if var.is_none() {
            lines.push("kept.append(made)".to_string());
        }
        let value = format!("{target}.fileno()");
        let failed_var = var.as_ref().map(|_| target.clone());
        self.attempt(s, label, &lines, &value, failed_var.as_deref());
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
        let fd = match p.call.fd() {
            Some(f) => self.fd(&f),
            None => String::new(),
        };
        let zero = |py: &mut Self, line: String| py.attempt(s, &label, &[line], "0", None);
        match &p.call {
            Call::Socket { proto, family } => {
                let ty = match proto {
                    Proto::Tcp => "SOCK_STREAM",
                    Proto::Udp => "SOCK_DGRAM",
                };
                let expr = format!("socket.socket(socket.{family}, socket.{ty})");
                self.making(s, &label, &p.var, &expr, false);
            }
            Call::Bind { addr, .. } => {
                let a = self.endpoint(addr, p.family);
                zero(self, format!("{fd}.bind({a})"));
            }
            Call::Listen { backlog, .. } => zero(self, format!("{fd}.listen({backlog})")),
            Call::Connect { addr, .. } => {
                let a = self.sockaddr(*addr);
                zero(self, format!("{fd}.connect({a})"));
            }
            Call::Accept { .. } => {
                self.making(s, &label, &p.var, &format!("{fd}.accept()"), true);
            }
            Call::Send { len, .. } => {
                let line = format!("n = {fd}.send(bytes({len}))");
                self.attempt(s, &label, &[line], "n", None);
            }
            Call::Recv { len, .. } => {
                let line = format!("data = {fd}.recv({len})");
                self.attempt(s, &label, &[line], "len(data)", None);
            }
            Call::SendTo { len, to, .. } => {
                let a = self.sockaddr(*to);
                let line = format!("n = {fd}.sendto(bytes({len}), {a})");
                self.attempt(s, &label, &[line], "n", None);
            }
            Call::RecvFrom { len, .. } => {
                let line = format!("data, peer = {fd}.recvfrom({len})");
                self.attempt(s, &label, &[line], "len(data)", None);
            }
            Call::Shutdown { how, .. } => zero(self, format!("{fd}.shutdown(socket.{how})")),
            Call::Close { .. } => zero(self, format!("{fd}.close()")),
            Call::SetSockOpt { opt, .. } => {
                let value = self.option_value(opt);
                let name = opt.name();
                zero(
                    self,
                    format!(
                        "{fd}.setsockopt(socket.{}, socket.{name}, {value})",
                        name.level()
                    ),
                );
            }
            Call::GetSockOpt { name, .. } => self.getsockopt(s, &fd, *name, &label),
            Call::Dup { .. } => self.making(s, &label, &p.var, &format!("{fd}.dup()"), false),
            Call::SetNonBlocking { on, .. } => {
                let blocking = if *on { "False" } else { "True" };
                zero(self, format!("{fd}.setblocking({blocking})"));
            }
        }
    }

    /// setsockopt()'s value: a number, or SO_LINGER's `struct linger` packed.
    fn option_value(&mut self, opt: &SockOpt) -> String {
        match opt {
            SockOpt::SndBuf(n) | SockOpt::RcvBuf(n) => n.to_string(),
            SockOpt::ReuseAddr(on) | SockOpt::V6Only(on) => u8::from(*on).to_string(),
            SockOpt::Linger(secs) => {
                self.uses.pack = true;
                let on = u8::from(secs.is_some());
                format!("struct.pack(\"ii\", {on}, {})", secs.unwrap_or(0))
            }
        }
    }

    fn endpoint(&self, e: &Endpoint, family: Family) -> String {
        let port = self.opts.port(e.port.unwrap_or(0));
        // 0.0.0.0 and :: stay as written: Python's spellings of the wildcard.
        let ip = e.ip.map(|ip| match ip.is_unspecified() {
            true => ip,
            false => self.opts.addr(ip),
        });
        address(ip, port, family)
    }

    fn sockaddr(&self, a: SocketAddr) -> String {
        let ip = self.opts.addr(a.ip());
        address(Some(ip), self.opts.port(a.port()), Family::of(&ip))
    }

    fn getsockopt(&mut self, s: Option<usize>, fd: &str, name: OptName, label: &str) {
        let get = format!("{fd}.getsockopt(socket.{}, socket.{name}", name.level());
        if name == OptName::Linger {
            self.uses.pack = true;
            let lines = [format!("on, secs = struct.unpack(\"ii\", {get}, 8))")];
            let value = format!("f\"0 ({name}, {{secs}})\" if on else \"0 ({name}, off)\"");
            self.attempt(s, label, &lines, &value, None);
        } else {
            let lines = [format!("v = {get})")];
            self.attempt(s, label, &lines, &format!("f\"0 ({name}, {{v}})\""), None);
        }
    }

    fn fork(&mut self, stmt: usize, seq: usize, child: usize, label: &str) {
        let s = Some(stmt);
        let pid = self.ids.pids[&child].clone();
        let me = self.ids.procs[child].clone();
        let label = self.numbered(seq, label);
        self.out.line(s, "try:");
        self.out.indent();
        self.out.line(s, &format!("{pid} = os.fork()"));
        self.out.line(s, &format!("if {pid} == 0:"));
        self.out.line(s, &format!("    me = {me}"));
        self.out.line(s, "else:");
        let text = literal(&format!("{label} ="));
        self.out.line(s, &format!("    print({text}, {pid})"));
        self.out.dedent();
        self.out.line(s, "except OSError as e:");
        self.out
            .line(s, &format!("    failed({}, e)", literal(&label)));
    }

    /// The whole file: what it is, the imports and helpers, the variables, the body.
    fn assemble(self, plan: &ProgramPlan, total: usize) -> Vec<Line> {
        let mut o = Out::new("#");
        o.line(None, "#!/usr/bin/env python3");
        header(&mut o, plan, self.opts, Lang::Python);
        self.imports(&mut o);
        helpers(&mut o, self.opts.conducted, self.uses.by_number);
        self.prologue(&mut o);
        o.lines.extend(self.out.lines);
        if self.opts.conducted {
            o.line(None, "");
            o.comment(
                None,
                "Sockets stay open until the whole conducted run is over.",
            );
            o.line(None, &format!("wait_turn({total})"));
        }
        o.lines
    }

    fn imports(&self, o: &mut Out) {
        let conducted = self.opts.conducted;
        for (used, m) in [
            (true, "errno"),
            (true, "os"),
            (conducted, "signal"),
            (true, "socket"),
            (self.uses.pack, "struct"),
            (true, "sys"),
            (conducted, "time"),
        ] {
            if used {
                o.line(None, &format!("import {m}"));
            }
        }
        o.line(None, "");
    }

    /// What runs before the first call: output settings, the processes, the variables.
    fn prologue(&self, o: &mut Out) {
        o.comment(
            None,
            "Each result line goes out at once, also into a pipe, and os.fork() copies none.",
        );
        o.line(None, "sys.stdout.reconfigure(line_buffering=True)");
        if self.opts.conducted {
            o.comment(
                None,
                "A conducted run ends on its own if the conductor is gone.",
            );
            o.line(None, "signal.alarm(120)");
        }
        if !self.ids.procs.is_empty() {
            o.comment(
                None,
                "The processes that run this program: each runs only the calls marked for it.",
            );
            let n = self.ids.procs.len();
            o.line(None, &format!("{} = range({n})", self.ids.procs.join(", ")));
            o.line(None, &format!("me = {}", self.ids.procs[0]));
        }
        if self.uses.kept {
            o.comment(
                None,
                "Sockets no variable holds stay open, as they do in C.",
            );
            o.line(None, "kept = []");
        }
        if !self.ids.vars.is_empty() {
            let names: Vec<&str> = self.ids.vars.values().map(String::as_str).collect();
            o.line(None, &format!("{} = NO_SOCKET", names.join(" = ")));
        }
        for pid in self.ids.pids.values() {
            o.line(None, &format!("{pid} = -1"));
        }
        o.line(None, "");
    }
}

fn helpers(o: &mut Out, conducted: bool, by_number: bool) {
    let mut lines: Vec<&str> = vec![
        "",
        "def failed(call, e):",
        "    \"\"\"A call that raised OSError: errno by its C name, and what it means.\"\"\"",
        "    code = e.errno if e.errno is not None else 0",
        "    name = errno.errorcode.get(code, f\"errno {code}\")",
        "    if code == errno.EOPNOTSUPP:",
        "        name = \"EOPNOTSUPP\"",
        "    print(f\"{call} = -1 {name} ({e.strerror or os.strerror(code)})\")",
        "",
        "",
        "# What a failed socket(), accept() or dup() leaves in its variable, as -1 in C: a",
        "# closed socket, on which every call fails with EBADF.",
        "NO_SOCKET = socket.socket()",
        "NO_SOCKET.close()",
        "",
    ];
    if by_number {
        lines.extend([
            "",
            "def by_number(fd):",
            "    \"\"\"A descriptor the scenario writes as a number: a socket object for it, kept",
            "    so that dropping it does not close the descriptor.\"\"\"",
            "    if fd < 0:",
            "        raise OSError(errno.EBADF, os.strerror(errno.EBADF))",
            "    s = socket.socket(fileno=fd)",
            "    kept.append(s)",
            "    return s",
            "",
        ]);
    }
    if conducted {
        lines.extend([
            "",
            "def wait_turn(call):",
            "    \"\"\"Waits until the file SOCKSCOPE_TURN names holds `call` or more, so that",
            "    programs running side by side make their calls in the scenario's order.\"\"\"",
            "    path = os.environ.get(\"SOCKSCOPE_TURN\")",
            "    while path:",
            "        try:",
            "            with open(path) as f:",
            "                if int(f.read().strip() or -1) >= call:",
            "                    return",
            "        except (OSError, ValueError):",
            "            pass",
            "        time.sleep(0.001)",
            "",
        ]);
    }
    lines.push("");
    for l in lines {
        o.line(None, l);
    }
}
