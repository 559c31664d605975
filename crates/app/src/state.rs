//! One `State`, changed only by `Action`s through the reducer.

use crate::session::{Input, Session};
use sockscope_engine::snapshot::Snapshot;
use sockscope_engine::{Call, CallReply, Endpoint, Family, Micros, Proto, SegId, SockId, World, WorldConfig, MS};
use std::cell::RefCell;
use std::rc::Rc;
use yew::Reducible;

/// The world the page opens with: a client and a web server that listens on port 80.
pub fn default_world() -> World {
    let mut w = World::new(WorldConfig::default());
    let client = w.add_host("client", &["10.0.0.1".parse().expect("literal")]).expect("fresh world");
    let server = w.add_host("server", &["10.0.0.2".parse().expect("literal")]).expect("fresh world");
    w.spawn(client, "browser").expect("host is up");
    let httpd = w.spawn(server, "httpd").expect("host is up");
    let socket = Call::Socket {
        proto: Proto::Tcp,
        family: Family::V4,
    };
    if let Ok(CallReply::Returned(Ok(v))) = w.call(httpd, socket) {
        let fd = v.fd().expect("socket() returns a descriptor");
        let _ = w.call(
            httpd,
            Call::Bind {
                fd,
                addr: Endpoint::new(None, Some(80)),
            },
        );
        let _ = w.call(httpd, Call::Listen { fd, backlog: 5 });
    }
    w
}

/// Virtual microseconds that pass per real millisecond at speed 1×: a 50 ms hop takes
/// 1.25 s to watch.
pub const VIRTUAL_US_PER_MS: f64 = 40.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

#[derive(Clone, Debug)]
pub struct State {
    /// The engine and its history. Shared, so that cloning the state per action is cheap;
    /// `version` tells components that it changed.
    pub session: Rc<RefCell<Session>>,
    pub version: u64,
    pub snapshot: Rc<Snapshot>,
    pub playing: bool,
    pub speed: f64,
    pub hovered: Option<SockId>,
    pub selected_seg: Option<SegId>,
    /// A message about input that was not accepted (nothing changed).
    pub notice: Option<String>,
    /// Set when playing skipped a quiet stretch of virtual time.
    pub skipped: Option<Micros>,
    pub theme: Theme,
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.version == other.version
            && self.playing == other.playing
            && self.speed == other.speed
            && self.hovered == other.hovered
            && self.selected_seg == other.selected_seg
            && self.notice == other.notice
            && self.skipped == other.skipped
            && self.theme == other.theme
    }
}

impl Default for State {
    fn default() -> Self {
        State::from_world(default_world())
    }
}

impl State {
    pub fn from_world(world: World) -> Self {
        let snapshot = Rc::new(world.snapshot());
        State {
            session: Rc::new(RefCell::new(Session::new(world))),
            version: 0,
            snapshot,
            playing: false,
            speed: 1.0,
            hovered: None,
            selected_seg: None,
            notice: None,
            skipped: None,
            theme: Theme::System,
        }
    }

    pub fn host_name(&self, id: sockscope_engine::HostId) -> String {
        self.snapshot
            .hosts
            .iter()
            .find(|h| h.id == id)
            .map_or_else(|| id.to_string(), |h| h.name.clone())
    }

    pub fn process_name(&self, pid: sockscope_engine::Pid) -> String {
        self.snapshot
            .processes
            .iter()
            .find(|p| p.pid == pid)
            .map_or_else(|| pid.to_string(), |p| format!("{} ({})", p.name, self.host_name(p.host)))
    }

    /// Re-reads the engine after a change.
    fn refreshed(mut self) -> Self {
        self.version += 1;
        self.snapshot = Rc::new(self.session.borrow().world.snapshot());
        self
    }

    fn apply(mut self, input: Input) -> Self {
        let result = self.session.borrow_mut().apply(input);
        self.notice = result.err();
        self.refreshed()
    }

    /// One animation frame of play: the clock moves by `real_ms` scaled by the speed,
    /// running every event that falls before it. A quiet stretch (nothing on the wire)
    /// is skipped, and play stops when nothing more can happen by itself.
    fn tick(mut self, real_ms: f64) -> Self {
        if !self.playing {
            return self;
        }
        let (busy, now, next, on_wire) = {
            let s = self.session.borrow();
            let on_wire = s.world.in_flight().next().is_some();
            (s.world.busy(), s.world.now(), s.world.next_event_time(), on_wire)
        };
        if !busy {
            self.playing = false;
            return self.refreshed();
        }
        let mut target = now + (real_ms.max(0.0) * VIRTUAL_US_PER_MS * self.speed) as Micros;
        self.skipped = None;
        if let Some(next) = next {
            if !on_wire && next > target + 20 * MS {
                self.skipped = Some(next - now);
                target = next;
            }
        }
        {
            let mut s = self.session.borrow_mut();
            while s.world.next_event_time().is_some_and(|t| t <= target) {
                if s.apply(Input::Step).is_err() {
                    break;
                }
            }
            if s.world.now() < target {
                let _ = s.apply(Input::Clock(target));
            }
        }
        self.refreshed()
    }
}

pub enum Action {
    Apply(Input),
    Step,
    StepBack,
    /// Go to this position in the history (replaying from the start).
    Seek(usize),
    RunIdle,
    Play,
    Pause,
    TogglePlay,
    Tick(f64),
    Speed(f64),
    Hover(Option<SockId>),
    SelectSegment(Option<SegId>),
    Notice(String),
    Dismiss,
    Theme(Theme),
    /// Start again from the default world.
    Reset,
    /// Start again from another world (a scenario).
    Load(Box<World>),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let s = (*self).clone();
        let next = match action {
            Action::Apply(input) => s.apply(input),
            Action::Step => State { playing: false, ..s }.apply(Input::Step),
            Action::RunIdle => State { playing: false, ..s }.apply(Input::RunIdle),
            Action::StepBack => {
                let moved = s.session.borrow_mut().step_back();
                let notice = (!moved).then(|| "This is the start: there is nothing to step back to.".to_string());
                State { playing: false, notice, ..s }.refreshed()
            }
            Action::Seek(n) => {
                s.session.borrow_mut().rewind_to(n);
                State { playing: false, ..s }.refreshed()
            }
            Action::Play => {
                let busy = s.session.borrow().world.busy();
                let notice = (!busy).then(|| "The network is quiet: issue a call, or step to the next timer.".to_string());
                State { playing: busy, notice, ..s }
            }
            Action::Pause => State { playing: false, ..s },
            Action::TogglePlay => {
                return self.reduce(if s.playing { Action::Pause } else { Action::Play });
            }
            Action::Tick(ms) => s.tick(ms),
            Action::Speed(x) => State {
                speed: x.clamp(0.25, 16.0),
                ..s
            },
            Action::Hover(h) => State { hovered: h, ..s },
            Action::SelectSegment(seg) => State { selected_seg: seg, ..s },
            Action::Notice(n) => State { notice: Some(n), ..s },
            Action::Dismiss => State { notice: None, ..s },
            Action::Theme(t) => State { theme: t, ..s },
            Action::Reset => State {
                theme: s.theme,
                speed: s.speed,
                ..State::default()
            },
            Action::Load(world) => State {
                theme: s.theme,
                speed: s.speed,
                ..State::from_world(*world)
            },
        };
        Rc::new(next)
    }
}
