//! The two kinds of failure: a scenario that cannot be read, and a statement that
//! cannot be carried out. Both name the line, so a learner can find it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The text is not a scenario. Printed as `LINE:COL: message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub col: u32,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A statement that makes no sense in the current world: an unknown host or variable,
/// a call on a process that is still blocked, a crashed host. Not an errno: no real
/// program could be in these situations. Printed as `LINE:COL: message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for RunError {}
