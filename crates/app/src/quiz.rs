//! Questions as the page keeps them: the learner's first answer to each (the one that
//! counts), the feedback on the answer just given, and the score of a tour. The right
//! answers are the engine's, read from the runner after the moment happened.

use sockscope_scenario::{Answer, Question, Runner, Stmt};
use std::collections::BTreeMap;

/// The stored key of an exercise's goal (not a question name: `!` is not allowed there).
const GOAL_KEY: &str = "!goal";

/// A tour's score: which questions were answered right at the first try.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Question id → right at the first try. Answers after the first change nothing.
    pub first: BTreeMap<String, bool>,
    /// How many questions the tour asks.
    pub questions: usize,
    /// For an exercise: the calls it took the first time its goal was reached.
    pub goal: Option<u32>,
}

impl Score {
    pub fn for_tour(statements: &[sockscope_scenario::Statement]) -> Score {
        Score {
            goal: None,
            first: BTreeMap::new(),
            questions: statements
                .iter()
                .filter(|s| matches!(s.kind, Stmt::Ask(_)))
                .count(),
        }
    }

    /// Keeps the first answer to `id`; says whether this one counted.
    pub fn record(&mut self, id: &str, right: bool) -> bool {
        if self.first.contains_key(id) {
            return false;
        }
        self.first.insert(id.to_string(), right);
        true
    }

    pub fn right(&self) -> usize {
        self.first.values().filter(|&&r| r).count()
    }

    /// `id=1;id=0`: how the browser's storage keeps it (ids are names, without `;`
    /// or `=`).
    pub fn encode(&self) -> String {
        let parts: Vec<String> = self
            .first
            .iter()
            .map(|(id, right)| format!("{id}={}", u8::from(*right)))
            .chain(self.goal.map(|n| format!("{GOAL_KEY}={n}")))
            .collect();
        parts.join(";")
    }

    /// Reads what `encode` wrote; anything else in storage is ignored, not trusted.
    pub fn restore(&mut self, stored: &str) {
        for part in stored.split(';') {
            if let Some(n) = part
                .strip_prefix(GOAL_KEY)
                .and_then(|r| r.strip_prefix('='))
            {
                self.goal = n.parse().ok().or(self.goal);
                continue;
            }
            if let Some((id, right)) = part.split_once('=') {
                let valid = !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || c == '_');
                if valid && (right == "0" || right == "1") {
                    self.first.insert(id.to_string(), right == "1");
                }
            }
        }
    }
}

/// What the page says after an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub id: String,
    /// The answer as the learner gave it; `None`: they asked to be shown.
    pub given: Option<String>,
    pub right: bool,
    /// The engine's answer.
    pub correct: String,
    pub hint: Option<String>,
    pub why: Option<String>,
    /// This answer was the first to this question (it counts for the score).
    pub counted: bool,
    /// Shown while the runner stands here (stepping back hides it).
    pub position: usize,
}

/// The question the tour stands before, if its next statement is one.
pub fn pending(runner: &Runner) -> Option<&Question> {
    match &runner.statements().get(runner.position())?.kind {
        Stmt::Ask(q) => Some(q),
        _ => None,
    }
}

/// Grades an answer against what the engine said when the question ran (the last
/// question the runner asked).
pub fn grade(q: &Question, given: Option<(&str, &Answer)>, runner: &Runner) -> Option<Feedback> {
    let asked = runner.asked().last().filter(|a| a.id == q.id)?;
    let correct = asked.answer.clone()?;
    let right = given.is_some_and(|(_, g)| correct.accepts(g));
    let hint = match given {
        Some((_, g)) if !right => q.hint_for(g).map(str::to_string),
        _ => None,
    };
    Some(Feedback {
        id: q.id.clone(),
        given: given.map(|(t, _)| t.trim().to_string()),
        right,
        correct: correct.to_string(),
        hint,
        why: q.why.clone(),
        counted: false,
        position: runner.position(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockscope_scenario::{parse, Outcome};

    const TOUR: &str = "\
host A 10.0.0.1
host B 10.0.0.2
B: l = socket(TCP); bind(l, *:80); listen(l, 5)
A: c = socket(TCP)
say A connects to a port where nothing listens.
ask refused A: connect(c, 10.0.0.2:81)
hint 0: Nothing listens on port 81.
why B answers the SYN with RST.
";

    fn runner_before_question() -> Runner {
        let s = parse(TOUR).unwrap();
        let mut r = Runner::new(&s);
        while pending(&r).is_none() {
            r.step().unwrap().unwrap();
        }
        r
    }

    #[test]
    fn only_the_first_answer_counts() {
        let mut s = Score::for_tour(&parse(TOUR).unwrap().statements);
        assert_eq!(s.questions, 1);
        assert!(s.record("refused", false));
        assert!(!s.record("refused", true));
        assert_eq!(s.right(), 0);
    }

    #[test]
    fn a_score_survives_storage_and_ignores_what_it_did_not_write() {
        let mut s = Score::default();
        s.record("a", true);
        s.record("b_2", false);
        s.goal = Some(4);
        let mut back = Score::default();
        back.restore(&format!("{};x=2;=1;bad id=1;junk;!goal=x", s.encode()));
        assert_eq!(back, s);
    }

    #[test]
    fn a_wrong_answer_gets_its_hint_and_the_engines_answer() {
        let mut r = runner_before_question();
        let q = pending(&r).cloned().unwrap();
        r.step().unwrap().unwrap();
        let given = Answer::Outcome(Outcome::Int(0));
        let f = grade(&q, Some(("0", &given)), &r).unwrap();
        assert!(!f.right);
        assert_eq!(f.correct, "ECONNREFUSED");
        assert_eq!(f.hint.as_deref(), Some("Nothing listens on port 81."));
        assert_eq!(f.why.as_deref(), Some("B answers the SYN with RST."));
        let right = q.read_answer("econnrefused").unwrap();
        let f = grade(&q, Some(("econnrefused", &right)), &r).unwrap();
        assert!(f.right && f.hint.is_none());
    }

    #[test]
    fn no_feedback_before_the_engine_has_answered() {
        let r = runner_before_question();
        let q = pending(&r).cloned().unwrap();
        let given = Answer::Outcome(Outcome::Int(0));
        assert_eq!(grade(&q, Some(("0", &given)), &r), None);
    }
}
