//! Identifiers in the generated programs: the learner's variable names wherever the
//! language allows them, with a `_` added where a name is a keyword, a macro, or a
//! name the program itself uses (`send`, `buf`, `socket` ...).

use super::plan::{Item, ProgramPlan};
use super::Lang;
use crate::ast::ProcRef;
use std::collections::{BTreeMap, BTreeSet};

/// Words of C a variable cannot be called: keywords (C23 included), names the
/// programs call or declare, and the macros gcc predefines in its default mode.
const C_TAKEN: &str = "\
    alignas alignof asm auto bool break case char const constexpr continue default \
    do double else enum extern false float for goto if inline int long nullptr \
    register restrict return short signed sizeof static static_assert struct switch \
    thread_local true typedef typeof typeof_unqual union unsigned void volatile \
    while linux unix i386 main buf addr addr6 from from_len r n opt lg len me failed \
    errno_name wait_turn errno printf setvbuf stdout stdin stderr socket bind listen \
    connect accept send recv sendto recvfrom shutdown close setsockopt getsockopt \
    dup fcntl fork htons htonl inet_pton strerror memset signal alarm getenv fopen \
    fclose fscanf nanosleep exit ssize_t size_t pid_t socklen_t sockaddr sockaddr_in \
    sockaddr_in6 sockaddr_storage linger timespec in6addr_any path turn call f e \
    step snprintf";

/// Likewise for Python: keywords, the modules and helpers the programs use, and the
/// builtins they call.
const PY_TAKEN: &str = "\
    False None True and as assert async await break class continue def del elif else \
    except finally for from global if import in is lambda nonlocal not or pass raise \
    return try while with yield socket os errno struct signal time failed wait_turn \
    me data peer n v on secs print len bytes int open OSError ValueError name call \
    path f e kept made by_number sys range code";

/// Hands out identifiers: each wanted name once, changed only where it must be.
pub(super) struct Namer {
    lang: Lang,
    given: BTreeSet<String>,
}

impl Namer {
    pub fn new(lang: Lang) -> Namer {
        Namer {
            lang,
            given: BTreeSet::new(),
        }
    }

    fn reserved(&self, name: &str) -> bool {
        let taken = match self.lang {
            Lang::C => C_TAKEN,
            Lang::Python => PY_TAKEN,
        };
        // Names of macros (and of the PROC_ constants): all capitals; names C reserves
        // for the implementation: `__x`, `_X`.
        let shouted = name.len() > 1
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let implementation = name.starts_with("__")
            || (name.starts_with('_') && name[1..].starts_with(|c: char| c.is_ascii_uppercase()));
        taken.split_whitespace().any(|w| w == name) || shouted || implementation
    }

    /// `wanted` itself if it is free, else `wanted_` (`v_WANTED` for a name in
    /// capitals), and more `_` until it is unique.
    pub fn name(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        if self.reserved(&name) {
            name.push('_');
            if self.reserved(&name) {
                name = format!("v_{wanted}");
            }
        }
        while self.given.contains(&name) {
            name.push('_');
        }
        self.given.insert(name.clone());
        name
    }

    /// A name of the program's own (a constant, a process id): never one the learner
    /// might have chosen for a variable, and never changed.
    pub fn own(&mut self, name: String) -> String {
        let mut name = name;
        while self.given.contains(&name) {
            name.push('_');
        }
        self.given.insert(name.clone());
        name
    }
}

/// The identifiers of one program.
pub(super) struct Idents {
    /// Each descriptor variable's identifier, by the learner's name.
    pub vars: BTreeMap<String, String>,
    /// The `PROC_` constant of each process, when several run the program.
    pub procs: Vec<String>,
    /// The pid variable of each fork, by the index of the child.
    pub pids: BTreeMap<usize, String>,
}

impl Idents {
    pub fn new(plan: &ProgramPlan, lang: Lang) -> Idents {
        let mut namer = Namer::new(lang);
        let mut vars = BTreeMap::new();
        for v in plan.vars() {
            if let std::collections::btree_map::Entry::Vacant(e) = vars.entry(v) {
                let ident = namer.name(e.key());
                e.insert(ident);
            }
        }
        let procs = match plan.procs.len() {
            1 => Vec::new(),
            _ => plan
                .procs
                .iter()
                .map(|p| namer.own(constant("PROC_", p)))
                .collect(),
        };
        let mut pids = BTreeMap::new();
        for item in &plan.items {
            if let Item::Fork { child, name, .. } = item {
                pids.entry(*child)
                    .or_insert_with(|| namer.name(&format!("{name}_pid")));
            }
        }
        Idents { vars, procs, pids }
    }
}

/// The name of a constant for process `p`: `PROC_S_WORKER` for `S/worker`.
fn constant(prefix: &str, p: &ProcRef) -> String {
    let name: String = p
        .to_string()
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_uppercase(),
            false => '_',
        })
        .collect();
    format!("{prefix}{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_change_once_and_every_name_stays_unique() {
        let mut c = Namer::new(Lang::C);
        let got: Vec<String> = ["c", "send", "send_", "EOF", "_X", "__x", "linux", "c"]
            .iter()
            .map(|n| c.name(n))
            .collect();
        assert_eq!(
            got,
            ["c", "send_", "send__", "v_EOF", "v__X", "v___x", "linux_", "c_"]
        );
        let mut py = Namer::new(Lang::Python);
        assert_eq!(py.name("from"), "from_");
        assert_eq!(py.name("send"), "send");
        assert_eq!(py.own("PROC_A".into()), "PROC_A");
    }
}
