//! The built-in guided tours: one scenario per topic of MODEL.md, in parts
//! (`section`), with `say` narration around the statements it explains and questions
//! (`ask`) at the moments a learner should predict. The app steps them from one
//! narration to the next.
//!
//! Each tour is a file `tours/NAME.scn` (an exercise `exercises/NAME.scn`) beside this
//! crate whose first two lines are `# title: ...` and `# summary: ...`. The table below
//! repeats that title and summary as literals, so that [`ALL`] is a plain `const`; a
//! test checks that both copies agree. [`header`] reads such a line from any scenario
//! text.
//!
//! The scenario texts themselves are in the binary only with the `texts` feature (on
//! by default: the CLI, the tests). The page leaves it off and fetches a tour's
//! [`Tour::file`] when a learner opens it: the texts are about 24 KB of its gzip size, and
//! the first view needs only the titles.
//!
//! ```
//! let tour = sockscope_scenario::tours::find("byte-stream").unwrap();
//! assert_eq!(tour.title, "TCP is a byte stream");
//! # #[cfg(feature = "texts")] {
//! let report = sockscope_scenario::run(&tour.parse().unwrap());
//! assert!(report.ok());
//! # }
//! ```

#[cfg(feature = "texts")]
use crate::{parse, ParseError, Scenario};

/// One guided tour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tour {
    /// Lowercase letters, digits and dashes: usable in a URL (`#tour=byte-stream`).
    pub name: &'static str,
    /// A short human title, as in the `# title:` line.
    pub title: &'static str,
    /// One sentence, as in the `# summary:` line.
    pub summary: &'static str,
    /// Its scenario's path from this crate's folder (`tours/byte-stream.scn`), which is
    /// also where the page finds it beside its own files.
    pub file: &'static str,
    /// The whole scenario text.
    #[cfg(feature = "texts")]
    pub text: &'static str,
}

/// A [`Tour`] whose scenario is the file `file` of this crate.
macro_rules! tour {
    (name: $name:literal, file: $file:literal, title: $title:literal, summary: $summary:literal $(,)?) => {
        Tour {
            name: $name,
            title: $title,
            summary: $summary,
            file: $file,
            #[cfg(feature = "texts")]
            text: include_str!(concat!("../", $file)),
        }
    };
}

#[cfg(feature = "texts")]
impl Tour {
    /// The parsed scenario. The tests guarantee that every built-in tour parses.
    pub fn parse(&self) -> Result<Scenario, ParseError> {
        parse(self.text)
    }

    /// The scenario with its `param` lines drawn for `seed`: numbers per learner.
    pub fn parse_seeded(&self, seed: u64) -> Result<Scenario, ParseError> {
        crate::parse_seeded(self.text, seed)
    }

    /// Whether the scenario draws numbers per learner.
    pub fn has_params(&self) -> bool {
        has_params(self.text)
    }
}

/// Whether a scenario text draws numbers per learner (has `param` lines).
pub fn has_params(text: &str) -> bool {
    text.lines().any(|l| l.trim_start().starts_with("param "))
}

/// Every built-in tour, in the order of MODEL.md's topics.
pub const ALL: &[Tour] = &[
    tour! {
        name: "socket-structure",
        file: "tours/socket-structure.scn",
        title: "The socket structure and netstat",
        summary: "What socket() really creates, how bind() and listen() fill it in, and how netstat lists it.",
    },
    tour! {
        name: "byte-stream",
        file: "tours/byte-stream.scn",
        title: "TCP is a byte stream",
        summary: "Sends of 1000, 2000 and 5000 bytes come out of recv() in pieces that ignore where one send() ended and the next began.",
    },
    tour! {
        name: "finite-buffers",
        file: "tours/finite-buffers.scn",
        title: "Finite buffers and flow control",
        summary: "When the receiver's RecvQ is full TCP stops sending, and when the sender's SendQ is full send() blocks until room appears.",
    },
    tour! {
        name: "deadlock",
        file: "tours/deadlock.scn",
        title: "Deadlock: both sides blocked in send()",
        summary: "Two programs that each write more than the buffers can hold before reading anything wait for each other forever.",
    },
    tour! {
        name: "throughput",
        file: "tours/throughput.scn",
        title: "Buffer size and throughput",
        summary: "The same 48 KiB cross the same network more than four times faster when the send buffer is bigger.",
    },
    tour! {
        name: "connect-errors",
        file: "tours/connect-errors.scn",
        title: "Connecting, and how connect() fails",
        summary: "The three-way handshake step by step, then the two classic failures: ECONNREFUSED when nobody listens and ETIMEDOUT when no answer comes.",
    },
    tour! {
        name: "server-side",
        file: "tours/server-side.scn",
        title: "The server side: listen and accept",
        summary: "How a listener turns each incoming SYN into a new structure, keeps it on a waiting list, and hands it out through accept().",
    },
    tour! {
        name: "closing",
        file: "tours/closing.scn",
        title: "Closing a connection",
        summary: "The closing handshake state by state, half-close with shutdown(), both sides closing at once, SO_LINGER, and data lost when a host crashes after close().",
    },
    tour! {
        name: "time-wait",
        file: "tours/time-wait.scn",
        title: "TIME_WAIT and restarting a server",
        summary: "Why the side that closes first keeps its structure for a while, why a restarted server then gets EADDRINUSE, and how SO_REUSEADDR helps.",
    },
    tour! {
        name: "demux",
        file: "tours/demux.scn",
        title: "Demultiplexing: which socket gets the packet?",
        summary: "Several structures share port 99 on one host; an arriving packet goes to the one that matches it with the fewest wildcards.",
    },
    tour! {
        name: "simultaneous-open",
        file: "tours/simultaneous-open.scn",
        title: "Simultaneous open",
        summary: "Two programs connect() to each other at the same moment, with no listener anywhere, and still end up with one connection.",
    },
    tour! {
        name: "udp",
        file: "tours/udp.scn",
        title: "UDP: datagrams, not a stream",
        summary: "sendto() and recvfrom() move whole messages that keep their boundaries, may be cut short by a small buffer, and are never sent again when lost.",
    },
];

/// The exercises: a scenario that sets the scene and states a `goal`, which the
/// learner reaches with their own calls.
pub const EXERCISES: &[Tour] = &[
    tour! {
        name: "exercise-simultaneous-open",
        file: "exercises/simultaneous-open.scn",
        title: "Exercise: make a simultaneous open happen",
        summary: "Two programs, no listener: get both sockets to ESTABLISHED through a SYN_SENT → SYN_RCVD crossing.",
    },
    tour! {
        name: "exercise-echo-deadlock",
        file: "exercises/echo-deadlock.scn",
        title: "Exercise: deadlock an echo client",
        summary: "With 500-byte buffers, bring a client that writes its whole message before reading to a deadlock against an echo server.",
    },
    tour! {
        name: "exercise-restart-server",
        file: "exercises/restart-server.scn",
        title: "Exercise: restart a server during TIME_WAIT",
        summary: "The old connection sits in TIME_WAIT on port 80; get a new listener onto port 80 anyway.",
    },
    tour! {
        name: "exercise-big-send",
        file: "exercises/big-send.scn",
        title: "Exercise: a send() bigger than both buffers",
        summary: "The buffers are small; get one send() of more bytes than SendQ and RecvQ hold together to return in full.",
    },
    tour! {
        name: "exercise-client-time-wait",
        file: "exercises/client-time-wait.scn",
        title: "Exercise: who ends in TIME_WAIT?",
        summary: "Close a connection so that the client, not the server, is left in TIME_WAIT.",
    },
    tour! {
        name: "exercise-forge-rst",
        file: "exercises/forge-rst.scn",
        title: "Exercise: forge an RST",
        summary: "Break a connection from outside with a forged RST, and find out why its sequence number must be right.",
    },
];

/// The tour or exercise called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Tour> {
    ALL.iter().chain(EXERCISES).find(|t| t.name == name)
}

/// The value of a `# KEY: value` comment line of a scenario text (`header(text,
/// "title")`), trimmed; `None` if there is no such line.
pub fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix('#')?.trim_start();
        let value = rest.strip_prefix(key)?.strip_prefix(':')?;
        Some(value.trim())
    })
}
