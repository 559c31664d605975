//! sockscope's engine: a deterministic, sans-IO simulation of the socket layer.
//!
//! It models what a networking course teaches about TCP and UDP sockets "under the
//! hood" (see `model.md` beside this crate): socket structures with SendQ and RecvQ,
//! the TCP state machine with its handshakes and TIME_WAIT, flow control and
//! deadlock, demultiplexing, and the errno values of the C API. There is no real
//! network, no clock and no thread: the caller issues calls and advances virtual
//! time, and reads results, a trace of events and snapshots.

pub mod addr;
pub mod addr_parse;
mod arith;
pub mod behaviour;
pub mod call;
#[cfg(feature = "capture")]
pub mod capture;
pub mod config;
pub mod demux;
pub mod difference;
pub mod errno;
pub mod experiment;
pub mod host;
pub mod ids;
pub mod inject;
pub mod ledger;
pub mod network;
pub mod queue;
mod rng;
pub mod segment;
pub mod snapshot;
pub mod socket;
pub mod state;
pub mod table;
pub mod time;
pub mod trace;
mod world;

pub use addr::{Endpoint, Family, Proto};
pub use addr_parse::{BadEndpoint, EndpointError};
pub use behaviour::Behaviour;
pub use call::{Call, CallRejected, CallReply, OptName, Ret, Shutdown, SockOpt, Value, CALL_NAMES};
pub use config::WorldConfig;
pub use difference::Difference;
pub use errno::Errno;
pub use ids::{Fd, HostId, Pid, SegId, SendTag, SockId};
pub use inject::{InjectError, Injection, SeqRef};
pub use snapshot::{NetstatRow, Snapshot, NETSTAT_HEADER};
pub use state::TcpState;
pub use table::{Layout, Table};
pub use time::{Micros, Nanos, MS, SEC};
pub use trace::{Event, TraceEntry};
pub use world::{RunOutcome, World, WorldError};
