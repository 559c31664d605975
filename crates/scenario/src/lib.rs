//! sockscope's scenario language: socket calls spelled as a course writes them in C,
//! network commands and expectations, one statement per line or several joined by `;`.
//!
//! ```
//! let scenario = sockscope_scenario::parse(
//!     "host A 10.0.0.1
//!      host B 10.0.0.2
//!      B: l = socket(TCP); bind(l, *:80); listen(l, 5)
//!      A: c = socket(TCP); connect(c, 10.0.0.2:80)
//!      expect state A c == ESTABLISHED",
//! )?;
//! let report = sockscope_scenario::run(&scenario);
//! assert!(report.ok());
//! assert!(report.text().contains("A: connect(c, 10.0.0.2:80) returned 0 at t=100ms"));
//! # Ok::<(), sockscope_scenario::ParseError>(())
//! ```
//!
//! [`parse`] reads a whole scenario, [`parse_line`] one console line; [`Runner`]
//! carries the statements out on the engine one at a time and [`run`] all at once.
//! The grammar and the semantics of time are in `GRAMMAR.md` beside this crate.
//! [`tours`] holds the built-in guided tours, narrated scenarios one per topic.
//! Nothing here does I/O or reads a clock, so it runs in the browser as well.

pub mod ast;
pub mod codegen;
pub mod error;
pub mod format;
pub mod params;
mod parser;
mod print;
pub mod question;
pub mod runner;
pub mod tours;
pub mod units;

pub use ast::*;
pub use error::{CannotRun, ParseError, RunError};
pub use parser::{parse, parse_line, parse_line_at, parse_seeded, CALL_NAMES, KEYWORDS};
pub use question::{Answer, AnswerKind, Probe, Question};
pub use runner::{run, Failure, GoalStatus, LineKind, OutLine, ProcInfo, Report, Runner};
