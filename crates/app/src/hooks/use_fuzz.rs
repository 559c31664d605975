//! `?fuzz=1&seed=N`: the page drives itself with random actions, valid and invalid,
//! as fast as it can render, to prove that nothing a user can do breaks it. The count
//! of actions done is published on `<html data-fuzz-done=…>` for the test to watch.

use crate::session::Input;
use crate::state::{Action, Ctx};
use sockscope_engine::{
    Call, Endpoint, Family, Fd, OptName, Pid, Proto, SegId, Shutdown, SockId, SockOpt,
};
use sockscope_scenario::{Link, NetCmd};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// Actions per timer tick.
const BATCH: u32 = 25;
const TICK_MS: u32 = 10;

/// A tiny xorshift generator: the same seed gives the same session.
struct Dice(Cell<u64>);

impl Dice {
    fn next(&self) -> u64 {
        let mut x = self.0.get().max(1);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.set(x);
        x
    }

    fn below(&self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const ADDRS: [&str; 8] = [
    "10.0.0.2:80",
    "10.0.0.1:80",
    "10.0.0.2:9",
    "10.0.0.9:80",
    "127.0.0.1:80",
    "[::1]:80",
    "10.0.0.2:0",
    "10.0.0.1:32768",
];
const HOSTS: [&str; 4] = ["client", "server", "nowhere", ""];
const LINES: [&str; 12] = [
    "client: c = socket(TCP); connect(c, 10.0.0.2:80)",
    "server: a = accept(l) &",
    "client: send(c, 3000)",
    "server: recv(a, 100000)",
    "net: deliver 3",
    "net: run 2s",
    "netstat server",
    "expect state client c == ESTABLISHED",
    "client: connect(",
    "client: send(nope, -5)",
    "💥: ???",
    "net: loss client -> server 200%",
];

fn random_call(d: &Dice, fds: &[Fd]) -> Call {
    // Mostly descriptors the process really has, sometimes any number at all.
    let fd = if !fds.is_empty() && d.below(5) > 0 {
        *d.pick(fds)
    } else {
        Fd(d.below(9) as i32)
    };
    let len = *d.pick(&[0, 1, 100, 1460, 5000, 70_000]);
    let to: std::net::SocketAddr = d.pick(&ADDRS).parse().expect("literal addresses parse");
    match d.below(15) {
        0 => Call::Socket {
            proto: if d.below(2) == 0 {
                Proto::Tcp
            } else {
                Proto::Udp
            },
            family: if d.below(5) == 0 {
                Family::V6
            } else {
                Family::V4
            },
        },
        1 => Call::Bind {
            fd,
            addr: Endpoint::new(
                if d.below(2) == 0 { None } else { Some(to.ip()) },
                Some(to.port()),
            ),
        },
        2 => Call::Listen {
            fd,
            backlog: d.below(4) as u32,
        },
        3 => Call::Connect { fd, addr: to },
        4 => Call::Accept { fd },
        5 => Call::Send { fd, len },
        6 => Call::Recv { fd, len },
        7 => Call::SendTo { fd, len, to },
        8 => Call::RecvFrom { fd, len },
        9 => Call::Shutdown {
            fd,
            how: *d.pick(&[Shutdown::Read, Shutdown::Write, Shutdown::Both]),
        },
        10 => Call::Close { fd },
        11 => Call::SetSockOpt {
            fd,
            opt: *d.pick(&[
                SockOpt::SndBuf(len),
                SockOpt::RcvBuf(len),
                SockOpt::Linger(Some(1)),
                SockOpt::Linger(Some(0)),
                SockOpt::ReuseAddr(true),
            ]),
        },
        12 => Call::GetSockOpt {
            fd,
            name: OptName::RcvBuf,
        },
        13 => Call::Dup { fd },
        _ => Call::SetNonBlocking {
            fd,
            on: d.below(2) == 0,
        },
    }
}

fn random_action(d: &Dice, ctx: &Ctx) -> Action {
    let host = |d: &Dice| d.pick(&HOSTS).to_string();
    let history = ctx.session.borrow().history.len();
    match d.below(40) {
        0..=17 => {
            let pid = Pid(d.below(3) as u32);
            // The session is shared, so it is current even in this long-lived closure.
            let fds: Vec<Fd> = ctx
                .session
                .borrow()
                .world()
                .process(pid)
                .map(|p| p.fds.keys().copied().collect())
                .unwrap_or_default();
            Action::Call {
                pid,
                call: random_call(d, &fds),
            }
        }
        18 | 19 => Action::Line(d.pick(&LINES).to_string()),
        20..=25 | 37..=39 => Action::Step,
        26 => Action::RunIdle,
        27 => Action::StepBack,
        // Mostly a short way back, so the world keeps growing.
        28 => Action::Seek(history.saturating_sub(d.below(history as u64 / 4 + 2) as usize)),
        29 | 30 => Action::Tick(33.0),
        31 => Action::Net(match d.below(7) {
            0 => NetCmd::DropNext(Link {
                from: host(d),
                to: host(d),
                both: false,
            }),
            1 => NetCmd::Loss(
                Link {
                    from: host(d),
                    to: host(d),
                    both: true,
                },
                d.below(3) as f64 / 2.0,
            ),
            2 => NetCmd::Crash(host(d)),
            3 => NetCmd::Restart(host(d)),
            4 => NetCmd::Reorder(
                Link {
                    from: host(d),
                    to: host(d),
                    both: true,
                },
                d.below(3) as f64 / 2.0,
                d.below(100_000),
            ),
            5 => NetCmd::Duplicate(
                Link {
                    from: host(d),
                    to: host(d),
                    both: true,
                },
                d.below(3) as f64 / 2.0,
            ),
            _ => NetCmd::Delay(
                Link {
                    from: host(d),
                    to: host(d),
                    both: false,
                },
                d.below(200_000),
            ),
        }),
        32 => Action::SelectSegment(Some(SegId(d.below(40)))),
        33 => Action::Hover(Some(SockId(d.below(10) as u32))),
        34 => Action::Apply(if d.below(2) == 0 {
            Input::ScenarioStep(crate::session::StepMode::Narration)
        } else {
            Input::Mss(d.below(3000))
        }),
        35 => Action::TogglePlay,
        _ => Action::Speed(*d.pick(&[0.1, 0.25, 1.0, 16.0, 99.0])),
    }
}

#[hook]
pub fn use_fuzz(seed: Option<u64>, ctx: Ctx) {
    let done = use_mut_ref(|| 0u64);
    use_effect_with(seed, move |seed| {
        let timer = seed.map(|seed| {
            let dice = Rc::new(Dice(Cell::new(
                seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            )));
            gloo_timers::callback::Interval::new(TICK_MS, move || {
                for _ in 0..BATCH {
                    ctx.dispatch(random_action(&dice, &ctx));
                    *done.borrow_mut() += 1;
                }
                if let Some(root) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.document_element())
                {
                    let _ = root.set_attribute("data-fuzz-done", &done.borrow().to_string());
                }
            })
        });
        move || drop(timer)
    });
}
