//! Calls left blocked (`&`): each runs on a thread of its own with a second descriptor
//! of the socket (the structure is the same), and its result is compared once it
//! returns, as `expect returned` asks. A socket it made (accept()) joins its
//! process's descriptors under the call's name when the call is seen to return.

use super::{proc_name, CallResult, Desc, Replayer};
use socket2::Socket;
use sockscope_scenario::{Outcome, ProcRef};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a call must stay blocked before the replay says it is.
const STILL_BLOCKED: Duration = Duration::from_millis(300);

/// A call on its own thread, and the name its socket gets.
pub(super) struct Pending {
    thread: JoinHandle<(CallResult, Option<Socket>)>,
    var: Option<String>,
    udp: bool,
    /// Another descriptor of the structure, to wake the call at the end.
    waker: Option<Socket>,
}

impl Pending {
    /// Wakes the call (shutdown() ends a blocked accept(), send() or recv()), waits
    /// for it and drops its socket.
    pub(super) fn finish(self) {
        if let Some(w) = &self.waker {
            let _ = w.shutdown(std::net::Shutdown::Both);
        }
        let _ = self.thread.join();
    }
}

impl Replayer<'_> {
    pub(super) fn start_background(
        &mut self,
        proc: &ProcRef,
        var: Option<String>,
        udp: bool,
        thread: JoinHandle<(CallResult, Option<Socket>)>,
        waker: Option<Socket>,
    ) {
        let pending = Pending {
            thread,
            var,
            udp,
            waker,
        };
        self.pending.insert(proc_name(proc), pending);
    }

    /// Whether `proc`'s call left blocked is still blocked, after [`STILL_BLOCKED`]
    /// without returning, or as soon as it returned (wanting `want`, polled for).
    pub(super) fn still_blocked(&mut self, proc: &ProcRef, want: bool) -> bool {
        let name = proc_name(proc);
        let deadline = Instant::now()
            + if want {
                STILL_BLOCKED
            } else {
                super::LOOK_DEADLINE
            };
        loop {
            let running = self
                .pending
                .get(&name)
                .is_some_and(|p| !p.thread.is_finished());
            if !running || Instant::now() >= deadline {
                return running;
            }
            std::thread::sleep(super::POLL);
        }
    }

    /// The result of `proc`'s call left blocked: `None` while it runs (after
    /// [`STILL_BLOCKED`], when it is expected to block; else waited for, bounded by the
    /// socket's timeouts), its result once it returned.
    pub(super) fn returned(
        &mut self,
        proc: &ProcRef,
        want: Outcome,
    ) -> Result<Option<CallResult>, String> {
        if self.still_blocked(proc, want == Outcome::Blocks) {
            return Ok(None);
        }
        let name = proc_name(proc);
        self.harvest(&name)?;
        self.finished
            .get(&name)
            .copied()
            .map(Some)
            .ok_or_else(|| format!("{proc} has no call that blocked"))
    }

    /// Waits for `proc`'s call left blocked, keeps its result and names the socket
    /// it made. Nothing to do without one.
    pub(super) fn harvest(&mut self, name: &str) -> Result<(), String> {
        let Some(p) = self.pending.remove(name) else {
            return Ok(());
        };
        let (r, made) = p.thread.join().map_err(|_| "the call's thread panicked")?;
        self.finished.insert(name.to_string(), r);
        if let Some(sock) = made {
            let ends = super::calls::observe(&sock);
            let table = self.procs.entry(name.to_string()).or_default();
            let var = p.var.unwrap_or_else(|| format!("#{}", table.len()));
            table.insert(
                var,
                Desc {
                    sock: Some(sock),
                    ends,
                    udp: p.udp,
                },
            );
        }
        Ok(())
    }
}
