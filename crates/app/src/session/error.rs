//! Why the session did not take an input, by kind: whether anything ran decides
//! whether the input is kept for replays, and each kind is said to the learner in
//! its own words (`Display`: the text of the notice).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// The runner refused a statement (a call on a process that is gone, a variable
    /// that names nothing…): nothing changed.
    Refused(String),
    /// A console line that is not the scenario language.
    Unreadable(sockscope_scenario::ParseError),
    /// A console line with nothing on it.
    EmptyLine,
    /// A statement of a tour's step could not run (after the learner's own changes):
    /// the statements before it ran and are kept.
    StepFailed { line: u32, message: String },
    /// "Next step" at the end of the tour.
    TourOver,
    /// A link asked for a step beyond the tour's end: the tour opens at its end.
    NoSuchStep { step: usize, total: usize },
    /// Switching between textbook and Linux behaviour replays the whole session, and
    /// its oldest inputs were folded away (`MAX_HISTORY`): nothing changed.
    Unreplayable { folded: usize },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Refused(message) => f.write_str(message),
            SessionError::Unreadable(e) => write!(f, "{e}"),
            SessionError::EmptyLine => {
                f.write_str("The line is empty: type a call such as client: s = socket(TCP).")
            }
            SessionError::StepFailed { line, message } => write!(f, "line {line}: {message}"),
            SessionError::TourOver => f.write_str("The tour is over: there is no next step."),
            SessionError::NoSuchStep { step, total } => write!(
                f,
                "This tour has {total} steps, so there is no step {step}: it is shown at its end."
            ),
            SessionError::Unreplayable { folded } => write!(
                f,
                "Switching the behaviour replays everything from the start, and this session \
                 no longer holds its first {folded} inputs (it keeps the latest ones only). \
                 Nothing changed: press Reset, or reopen the link, and switch first."
            ),
        }
    }
}

impl std::error::Error for SessionError {}
