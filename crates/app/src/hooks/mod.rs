//! Custom hooks.

pub mod use_player;
