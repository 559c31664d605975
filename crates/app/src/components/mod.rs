//! Small function components, one concept each.

pub mod netstat;
