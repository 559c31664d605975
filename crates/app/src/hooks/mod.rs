//! Custom hooks: what the app does besides drawing (playback, keys, the course page,
//! resizes, the fuzzer, a tour link's text, the panels the tools module draws).

pub mod use_first_frame;
pub mod use_fuzz;
pub mod use_host_events;
pub mod use_keys;
pub mod use_link_tour;
pub mod use_player;
pub mod use_redraw_on_resize;
pub mod use_session_flag;
pub mod use_tools_panel;
pub mod use_width_observer;
