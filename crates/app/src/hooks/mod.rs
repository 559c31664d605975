//! Custom hooks.

pub mod use_fuzz;
pub mod use_player;
