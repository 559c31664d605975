//! Writing a program line by line, each line tagged with its statement.

use super::plan::ProgramPlan;
use super::{Lang, Line, Options};

/// How wide a comment may run before it wraps.
const WIDTH: usize = 88;

pub(super) struct Out {
    pub lines: Vec<Line>,
    depth: usize,
    /// `//` or `#`.
    comment: &'static str,
}

impl Out {
    pub fn new(comment: &'static str) -> Out {
        Out {
            lines: Vec::new(),
            depth: 0,
            comment,
        }
    }

    /// One line at the current indentation (an empty one stays empty).
    pub fn line(&mut self, stmt: Option<usize>, text: &str) {
        let text = if text.is_empty() {
            String::new()
        } else {
            format!("{}{text}", "    ".repeat(self.depth))
        };
        self.lines.push(Line { text, stmt });
    }

    /// Lines one level deeper.
    pub fn indent(&mut self) {
        self.depth += 1;
    }

    pub fn dedent(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// `text` as comment lines, wrapped at word boundaries.
    pub fn comment(&mut self, stmt: Option<usize>, text: &str) {
        let room = WIDTH
            .saturating_sub(4 * self.depth + self.comment.len() + 1)
            .max(20);
        for line in wrap(&safe(text), room) {
            let c = self.comment;
            self.line(stmt, &format!("{c} {line}"));
        }
    }
}

/// The first comment of a program: what it is, how it was made, what it maps.
pub(super) fn header(o: &mut Out, plan: &ProgramPlan, opts: &Options, lang: Lang) {
    let who = &plan.procs[0];
    let from = match &opts.source {
        Some(f) => format!(" in {f}"),
        None => String::new(),
    };
    let language = match lang {
        Lang::C => "a C program",
        Lang::Python => "a Python program",
    };
    o.comment(
        None,
        &format!("The calls of process {who}{from}, as {language} (written by sockscope)."),
    );
    if plan.procs.len() > 1 {
        let forked: Vec<String> = plan.procs[1..].iter().map(|p| p.to_string()).collect();
        let run = if forked.len() == 1 { "runs" } else { "run" };
        o.comment(
            None,
            &format!(
                "It forks {}, which {run} this same program from there on.",
                forked.join(", ")
            ),
        );
    }
    o.comment(
        None,
        "Statements with no program form (other processes' calls, net:, expect, ask, \
         say ...) are comments where they sit, so the program reads in the scenario's \
         order. Every call prints its result as sockscope prints it. Run the programs \
         of all processes side by side; the order of their calls is then up to the \
         machine (crates/scenario/src/codegen/README.md says what cannot run as-is).",
    );
    if !opts.addrs.is_empty() || !opts.ports.is_empty() {
        let mut moved: Vec<String> = opts
            .addrs
            .iter()
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("{a} as {b}"))
            .collect();
        moved.extend(
            opts.ports
                .iter()
                .filter(|(a, b)| a != b)
                .map(|(a, b)| format!("port {a} as {b}")),
        );
        if !moved.is_empty() {
            o.comment(
                None,
                &format!("To run on one machine it writes {}.", moved.join(", ")),
            );
        }
    }
    if opts.conducted {
        o.comment(
            None,
            "Conducted: before each call the program waits until the file that \
             SOCKSCOPE_TURN names holds the call's number, and each result line starts \
             with @ and that number.",
        );
    }
    o.line(None, "");
}

/// Comment text that cannot end the comment early or run it into the next line: a
/// trailing backslash (or the trigraph `??/`) would continue a C `//` comment.
fn safe(text: &str) -> String {
    text.replace("??/", "?? /")
        .trim_end_matches('\\')
        .replace(['\r', '\n'], " ")
}

fn wrap(text: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
        .into_iter()
        .map(|l| l.trim_end_matches('\\').to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_wrap_and_cannot_continue_onto_the_next_line() {
        let mut out = Out::new("//");
        out.comment(Some(1), &"word ".repeat(40));
        assert!(out.lines.len() > 1);
        assert!(out
            .lines
            .iter()
            .all(|l| l.text.len() <= WIDTH && l.stmt == Some(1)));
        let mut out = Out::new("//");
        out.comment(None, "ends in a backslash \\ \\");
        assert!(!out.lines[0].text.ends_with('\\'));
    }
}
