//! Checks the engine against the Linux kernel.
//!
//! A scenario is written once, against the [`Stack`] trait, and run twice: on the
//! engine ([`Model`]: one simulated host with 127.0.0.1 and 127.0.0.2) and on real
//! sockets over the loopback interface ([`Kernel`]). Each run writes a [`Transcript`]
//! of what a course teaches — call results with their errno, byte counts, connection
//! states as netstat/`ss` show them — and [`assert_agree`] compares the two line by
//! line. Where Linux deliberately departs from the textbook model (MODEL.md), a test
//! named after the difference asserts both behaviours; `crates/engine/model.md`
//! ("Where Linux differs") lists them.
//!
//! [`capture`] runs some scenarios again while tcpdump captures them, and compares the
//! states the engine's passive tracker reads from the capture with what `ss` said.
//!
//! Linux only: elsewhere this crate is empty.
#![cfg(target_os = "linux")]

pub mod capture;
pub mod facts;
pub mod kernel;
pub mod model;
pub mod netns;
pub mod observed;
pub mod replay;
pub mod stack;

pub use facts::{assert_agree, Fact, Transcript};
pub use kernel::Kernel;
pub use model::Model;
pub use stack::{Sock, Stack};
