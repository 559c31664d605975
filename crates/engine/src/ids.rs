//! Typed identifiers. Every object of the simulation is named by an index so that
//! snapshots and traces can refer to it without borrowing the world.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty), $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// A host (a machine with one or more addresses).
    HostId(u32),
    "host"
);
id_type!(
    /// A process on a host; it owns a descriptor table.
    Pid(u32),
    "pid"
);
id_type!(
    /// A socket structure in the kernel of some host.
    SockId(u32),
    "sock"
);
id_type!(
    /// A segment (TCP) or datagram (UDP) handed to the network.
    SegId(u64),
    "seg"
);
id_type!(
    /// The send()/sendto() call that wrote some bytes; the view shades bytes by it.
    SendTag(u32),
    "send"
);

/// A file descriptor number, local to one process, as the C API returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fd(pub i32);

impl fmt::Display for Fd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
