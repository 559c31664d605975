//! Transcripts: the course-relevant facts one run of a scenario produced.

use sockscope_engine::{Errno, TcpState};
use std::fmt;

/// One observation, in the terms a course uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// A call that returns 0 or -1 with errno (bind, listen, connect, close, ...).
    Status(Result<(), Errno>),
    /// A call that returns a byte count (send, recv; 0 from recv is end of stream).
    Bytes(Result<u64, Errno>),
    /// The state of the row with given endpoints in netstat/`ss`; `None`: no such row.
    State(Option<TcpState>),
    /// A number both worlds must agree on (a Recv-Q, a byte total).
    Count(u64),
    /// A statement that holds or not.
    Holds(bool),
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fact::Status(Ok(())) => f.write_str("0"),
            Fact::Status(Err(e)) | Fact::Bytes(Err(e)) => write!(f, "-1 {e}"),
            Fact::Bytes(Ok(n)) | Fact::Count(n) => write!(f, "{n}"),
            Fact::State(Some(s)) => write!(f, "{s}"),
            Fact::State(None) => f.write_str("(no row)"),
            Fact::Holds(true) => f.write_str("yes"),
            Fact::Holds(false) => f.write_str("NO"),
        }
    }
}

/// The facts of one run, in order, each with a label saying what was observed.
#[derive(Clone, Debug, Default)]
pub struct Transcript {
    world: String,
    facts: Vec<(String, Fact)>,
    /// What the other world saw at the same places: a real kernel may poll a row
    /// until it shows this state (its network runs on its own time), up to a deadline.
    hints: Vec<(String, Fact)>,
}

impl Transcript {
    pub fn new(world: &str) -> Self {
        Transcript {
            world: world.to_string(),
            ..Default::default()
        }
    }

    /// A transcript whose waits are guided by another world's transcript.
    pub fn following(world: &str, other: &Transcript) -> Self {
        Transcript {
            world: world.to_string(),
            facts: Vec::new(),
            hints: other.facts.clone(),
        }
    }

    pub fn world(&self) -> &str {
        &self.world
    }

    /// The other world's fact for the next label, if it is this label.
    pub fn hint(&self, label: &str) -> Option<&Fact> {
        self.hints
            .get(self.facts.len())
            .filter(|(l, _)| l == label)
            .map(|(_, f)| f)
    }

    /// Records a fact and gives it back.
    pub fn record(&mut self, label: &str, fact: Fact) -> Fact {
        self.facts.push((label.to_string(), fact.clone()));
        fact
    }

    pub fn status(&mut self, label: &str, r: Result<(), Errno>) {
        self.record(label, Fact::Status(r));
    }

    pub fn bytes(&mut self, label: &str, r: Result<u64, Errno>) {
        self.record(label, Fact::Bytes(r));
    }

    pub fn holds(&mut self, label: &str, b: bool) -> bool {
        self.record(label, Fact::Holds(b));
        b
    }

    pub fn count(&mut self, label: &str, n: u64) -> u64 {
        self.record(label, Fact::Count(n));
        n
    }

    /// The fact recorded under `label` (the first, if several).
    pub fn get(&self, label: &str) -> &Fact {
        self.facts
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, f)| f)
            .unwrap_or_else(|| panic!("{}: nothing recorded as {label:?}", self.world))
    }

    pub fn facts(&self) -> &[(String, Fact)] {
        &self.facts
    }
}

/// A side-by-side table of two transcripts; `!=` marks lines that disagree.
pub fn table(a: &Transcript, b: &Transcript) -> (String, usize) {
    let width = a
        .facts
        .iter()
        .chain(&b.facts)
        .map(|(l, _)| l.len())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "   {:<width$}  {:<18} {}\n",
        "",
        a.world,
        b.world,
        width = width
    );
    let mut differ = 0;
    for i in 0..a.facts.len().max(b.facts.len()) {
        let (la, fa) = a
            .facts
            .get(i)
            .map(|(l, f)| (l.as_str(), f.to_string()))
            .unwrap_or(("", "(missing)".into()));
        let (lb, fb) = b
            .facts
            .get(i)
            .map(|(l, f)| (l.as_str(), f.to_string()))
            .unwrap_or(("", "(missing)".into()));
        let same = match (a.facts.get(i), b.facts.get(i)) {
            (Some((la, fa)), Some((lb, fb))) => la == lb && fa == fb,
            _ => false,
        };
        differ += !same as usize;
        let mark = if same { "  " } else { "!=" };
        let label = if la == lb || lb.is_empty() { la } else { lb };
        out.push_str(&format!(
            "{mark} {label:<width$}  {fa:<18} {fb}\n",
            width = width
        ));
        if la != lb && !la.is_empty() && !lb.is_empty() {
            out.push_str(&format!("   (labels differ: {la:?} / {lb:?})\n"));
        }
    }
    (out, differ)
}

/// Panics, with both transcripts side by side, unless every fact agrees. Prints the
/// table either way.
pub fn assert_agree(a: &Transcript, b: &Transcript) {
    let (text, differ) = table(a, b);
    println!("{text}");
    assert!(
        differ == 0,
        "{} and {} disagree on {differ} fact(s):\n{text}",
        a.world,
        b.world
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_mark_disagreements() {
        let mut a = Transcript::new("engine");
        a.status("bind", Err(Errno::EADDRINUSE));
        a.record("row", Fact::State(Some(TcpState::TimeWait)));
        let mut b = Transcript::following("Linux", &a);
        assert_eq!(b.hint("bind"), Some(&Fact::Status(Err(Errno::EADDRINUSE))));
        assert_eq!(b.hint("row"), None, "a hint belongs to its own label");
        b.status("bind", Ok(()));
        b.record("row", Fact::State(Some(TcpState::TimeWait)));
        let (text, differ) = table(&a, &b);
        assert_eq!(differ, 1, "{text}");
        assert!(text.contains("!= bind"), "{text}");
        assert!(text.contains("-1 EADDRINUSE"), "{text}");
    }

    #[test]
    fn a_missing_fact_is_a_disagreement() {
        let mut a = Transcript::new("engine");
        a.count("n", 1);
        let b = Transcript::new("Linux");
        assert_eq!(table(&a, &b).1, 1);
    }
}
