//! Small function components, one concept each.

pub mod call_form;
pub mod capture;
pub mod capture_view;
pub mod connections;
pub mod console;
pub mod controls;
pub mod deadlock;
pub mod demux;
pub mod fd_route;
pub mod flights;
pub mod goal;
pub mod host;
pub mod ladder;
pub mod narration;
pub mod netstat;
pub mod network;
pub mod notice;
pub mod process;
pub mod program;
pub mod question;
pub mod queue_bar;
pub mod socket_card;
pub mod start_card;
pub mod throughput;
pub mod tour;
