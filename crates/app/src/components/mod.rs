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

use yew::Html;

/// Keyed items as a list of their own. `html!`'s `{ for … }` splices its items among
/// their siblings, and Yew matches a list that holds one unkeyed node by position,
/// counted from its end: one item more at the end re-creates every item before it
/// (its elements, their focus, a component's state). Collected into one `Html`, the
/// items are matched by key.
pub fn keyed(items: impl IntoIterator<Item = Html>) -> Html {
    items.into_iter().collect()
}
