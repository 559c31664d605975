//! The built-in guided tours: one scenario per topic of MODEL.md, in parts
//! (`section`), with `say` narration around the statements it explains and questions
//! (`ask`) at the moments a learner should predict. The app steps them from one
//! narration to the next.
//!
//! Each tour is a file `tours/NAME.scn` beside this crate whose first two lines are
//! `# title: ...` and `# summary: ...`. The table below repeats that title and summary
//! as literals, so that [`ALL`] is a plain `const`; a test checks that both copies
//! agree. [`header`] reads such a line from any scenario text.
//!
//! ```
//! let tour = sockscope_scenario::tours::find("byte-stream").unwrap();
//! assert_eq!(tour.title, "TCP is a byte stream");
//! let report = sockscope_scenario::run(&tour.parse().unwrap());
//! assert!(report.ok());
//! ```

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
    /// The whole scenario text.
    pub text: &'static str,
}

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
        self.text
            .lines()
            .any(|l| l.trim_start().starts_with("param "))
    }
}

/// Every built-in tour, in the order of MODEL.md's topics.
pub const ALL: &[Tour] = &[
    Tour {
        name: "socket-structure",
        title: "The socket structure and netstat",
        summary: "What socket() really creates, how bind() and listen() fill it in, and how netstat lists it.",
        text: include_str!("../tours/socket-structure.scn"),
    },
    Tour {
        name: "byte-stream",
        title: "TCP is a byte stream",
        summary: "Sends of 1000, 2000 and 5000 bytes come out of recv() in pieces that ignore where one send() ended and the next began.",
        text: include_str!("../tours/byte-stream.scn"),
    },
    Tour {
        name: "finite-buffers",
        title: "Finite buffers and flow control",
        summary: "When the receiver's RecvQ is full TCP stops sending, and when the sender's SendQ is full send() blocks until room appears.",
        text: include_str!("../tours/finite-buffers.scn"),
    },
    Tour {
        name: "deadlock",
        title: "Deadlock: both sides blocked in send()",
        summary: "Two programs that each write more than the buffers can hold before reading anything wait for each other forever.",
        text: include_str!("../tours/deadlock.scn"),
    },
    Tour {
        name: "throughput",
        title: "Buffer size and throughput",
        summary: "The same 48 KiB cross the same network more than four times faster when the send buffer is bigger.",
        text: include_str!("../tours/throughput.scn"),
    },
    Tour {
        name: "connect-errors",
        title: "Connecting, and how connect() fails",
        summary: "The three-way handshake step by step, then the two classic failures: ECONNREFUSED when nobody listens and ETIMEDOUT when no answer comes.",
        text: include_str!("../tours/connect-errors.scn"),
    },
    Tour {
        name: "server-side",
        title: "The server side: listen and accept",
        summary: "How a listener turns each incoming SYN into a new structure, keeps it on a waiting list, and hands it out through accept().",
        text: include_str!("../tours/server-side.scn"),
    },
    Tour {
        name: "closing",
        title: "Closing a connection",
        summary: "The closing handshake state by state, half-close with shutdown(), both sides closing at once, SO_LINGER, and data lost when a host crashes after close().",
        text: include_str!("../tours/closing.scn"),
    },
    Tour {
        name: "time-wait",
        title: "TIME_WAIT and restarting a server",
        summary: "Why the side that closes first keeps its structure for a while, why a restarted server then gets EADDRINUSE, and how SO_REUSEADDR helps.",
        text: include_str!("../tours/time-wait.scn"),
    },
    Tour {
        name: "demux",
        title: "Demultiplexing: which socket gets the packet?",
        summary: "Several structures share port 99 on one host; an arriving packet goes to the one that matches it with the fewest wildcards.",
        text: include_str!("../tours/demux.scn"),
    },
    Tour {
        name: "simultaneous-open",
        title: "Simultaneous open",
        summary: "Two programs connect() to each other at the same moment, with no listener anywhere, and still end up with one connection.",
        text: include_str!("../tours/simultaneous-open.scn"),
    },
    Tour {
        name: "udp",
        title: "UDP: datagrams, not a stream",
        summary: "sendto() and recvfrom() move whole messages that keep their boundaries, may be cut short by a small buffer, and are never sent again when lost.",
        text: include_str!("../tours/udp.scn"),
    },
];

/// The exercises: a scenario that sets the scene and states a `goal`, which the
/// learner reaches with their own calls.
pub const EXERCISES: &[Tour] = &[
    Tour {
        name: "exercise-simultaneous-open",
        title: "Exercise: make a simultaneous open happen",
        summary: "Two programs, no listener: get both sockets to ESTABLISHED through a SYN_SENT → SYN_RCVD crossing.",
        text: include_str!("../exercises/simultaneous-open.scn"),
    },
    Tour {
        name: "exercise-echo-deadlock",
        title: "Exercise: deadlock an echo client",
        summary: "With 500-byte buffers, bring a client that writes its whole message before reading to a deadlock against an echo server.",
        text: include_str!("../exercises/echo-deadlock.scn"),
    },
    Tour {
        name: "exercise-restart-server",
        title: "Exercise: restart a server during TIME_WAIT",
        summary: "The old connection sits in TIME_WAIT on port 80; get a new listener onto port 80 anyway.",
        text: include_str!("../exercises/restart-server.scn"),
    },
    Tour {
        name: "exercise-big-send",
        title: "Exercise: a send() bigger than both buffers",
        summary: "The buffers are small; get one send() of more bytes than SendQ and RecvQ hold together to return in full.",
        text: include_str!("../exercises/big-send.scn"),
    },
    Tour {
        name: "exercise-client-time-wait",
        title: "Exercise: who ends in TIME_WAIT?",
        summary: "Close a connection so that the client, not the server, is left in TIME_WAIT.",
        text: include_str!("../exercises/client-time-wait.scn"),
    },
    Tour {
        name: "exercise-forge-rst",
        title: "Exercise: forge an RST",
        summary: "Break a connection from outside with a forged RST, and find out why its sequence number must be right.",
        text: include_str!("../exercises/forge-rst.scn"),
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
