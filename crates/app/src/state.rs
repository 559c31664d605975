//! One `State`, changed only by `Action`s through the reducer.

use crate::host_events::{storage, HostEvent, Outbox};
use crate::options::ControlsMode;
use crate::quiz::{self, Feedback, Score};
use crate::session::{Input, Session, StepMode};
use crate::theme::Theme;
use sockscope_engine::snapshot::Snapshot;
use sockscope_engine::{Call, Event, HostId, Micros, Pid, SegId, SockId, World, MS};
use sockscope_scenario::{Answer, NetCmd, Scenario, Stmt};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::{Reducible, UseReducerDispatcher, UseReducerHandle};

/// The state and its dispatcher, as a context for the components that show what
/// moves with time (the ladder, the host columns, the narration, the controls). It
/// changes on every frame of play; most components take props instead (with
/// `Dispatch` and `SessionRef`), so Yew skips them when only time moved.
pub type Ctx = UseReducerHandle<State>;

/// Sends actions without being the state: it stays equal from frame to frame, so a
/// component that takes it as a prop is not redrawn because time moved.
pub type Dispatch = UseReducerDispatcher<State>;

/// The session as a prop, for components that read it only when the learner asks
/// (a link, an export): equal while it is the same session.
#[derive(Clone, Debug)]
pub struct SessionRef(pub Rc<RefCell<Session>>);

impl PartialEq for SessionRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// How long autoplay waits on a quiet network before the tour's next step.
pub const AUTOPLAY_PAUSE_MS: f64 = 2500.0;

/// With reduced motion, real milliseconds between two events during play (at 1×).
pub const REDUCED_MOTION_STEP_MS: f64 = 900.0;

/// Virtual microseconds that pass per real millisecond at speed 1×: a 50 ms hop takes
/// 1.25 s to watch.
pub const VIRTUAL_US_PER_MS: f64 = 40.0;

/// The playback speeds a learner may choose (`speed=` in a link, the speed menu).
pub const SPEED_RANGE: std::ops::RangeInclusive<f64> = 0.25..=16.0;

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
    /// The guided tour being followed, if any.
    pub tour: Option<TourInfo>,
    /// Which controls the page shows (an embedding page may hide them).
    pub controls: ControlsMode,
    /// Play by itself: keep the network moving and, in a tour, take the next step
    /// once things have been quiet for a moment.
    pub autoplay: bool,
    /// Real milliseconds the network has been quiet while autoplaying.
    pub quiet_ms: f64,
    /// The learner asked the system for reduced motion: play moves from event to
    /// event (one every `REDUCED_MOTION_STEP_MS`) instead of gliding.
    pub reduced_motion: bool,
    /// Counts window resizes: drawings measured from the layout are redone when it moves.
    pub layout_epoch: u64,
    /// The tour's questions answered so far (kept in the browser's storage).
    pub score: Option<Score>,
    /// What the page says about the answer just given.
    pub feedback: Option<Feedback>,
    /// Events for the course page, delivered after the next render.
    pub outbox: Outbox,
    /// The hosts something has happened on so far (a tour draws only these).
    pub used_hosts: Rc<UsedHosts>,
}

/// A loaded scenario the learner steps through.
#[derive(Clone, Debug, PartialEq)]
pub struct TourInfo {
    pub name: String,
    pub title: String,
    /// How far one press of "Next step" goes.
    pub mode: StepMode,
    /// Its parts: each `section` title with the index of its statement.
    pub sections: Vec<(String, usize)>,
    /// The seed its `param` lines were drawn with.
    pub seed: u64,
}

impl TourInfo {
    pub fn new(name: &str, title: &str, scenario: &Scenario) -> Self {
        let sections = scenario
            .statements
            .iter()
            .enumerate()
            .filter_map(|(i, st)| match &st.kind {
                Stmt::Section(t) => Some((t.clone(), i)),
                _ => None,
            })
            .collect();
        TourInfo {
            name: name.to_string(),
            title: title.to_string(),
            mode: StepMode::Narration,
            sections,
            seed: sockscope_scenario::params::DEFAULT_SEED,
        }
    }
}

/// Which hosts have been used: one of their processes made a call, a socket structure
/// was created on them, or a segment came from or went to them. Read from the engine's
/// trace, and only the part of it not read before.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UsedHosts {
    /// Trace entries read so far, and the last of them (to notice a replay that
    /// rewrote the trace).
    read: usize,
    last: Option<sockscope_engine::TraceEntry>,
    hosts: BTreeSet<HostId>,
}

impl UsedHosts {
    pub fn contains(&self, host: HostId) -> bool {
        self.hosts.contains(&host)
    }

    /// The same, brought up to date with the world's trace (read again from the start
    /// when the trace no longer begins as it did: the session stepped back).
    pub fn updated(&self, world: &World) -> Self {
        let trace = world.trace();
        let same_start = self.read == 0
            || (trace.len() >= self.read && trace.get(self.read - 1) == self.last.as_ref());
        let mut next = if same_start {
            self.clone()
        } else {
            UsedHosts::default()
        };
        for e in &trace[next.read..] {
            match &e.event {
                Event::CallIssued { pid, .. } => {
                    next.hosts.extend(world.process(*pid).map(|p| p.host));
                }
                Event::SocketCreated { host, .. } | Event::SegmentArrived { host, .. } => {
                    next.hosts.insert(*host);
                }
                Event::SegmentSent { seg, .. } => {
                    next.hosts.insert(seg.from_host);
                    next.hosts.extend(seg.to_host);
                }
                _ => {}
            }
        }
        next.read = trace.len();
        next.last = trace.last().cloned();
        next
    }
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
            && self.tour == other.tour
            && self.controls == other.controls
            && self.autoplay == other.autoplay
            && self.quiet_ms == other.quiet_ms
            && self.reduced_motion == other.reduced_motion
            && self.layout_epoch == other.layout_epoch
            && self.score == other.score
            && self.feedback == other.feedback
            && self.outbox == other.outbox
            && self.used_hosts == other.used_hosts
    }
}

impl Default for State {
    fn default() -> Self {
        State::from_session(Session::default_world())
    }
}

impl State {
    pub fn from_session(session: Session) -> Self {
        let snapshot = Rc::new(session.world().snapshot());
        let used_hosts = Rc::new(UsedHosts::default().updated(session.world()));
        State {
            session: Rc::new(RefCell::new(session)),
            version: 0,
            snapshot,
            playing: false,
            speed: 1.0,
            hovered: None,
            selected_seg: None,
            notice: None,
            skipped: None,
            theme: Theme::System,
            tour: None,
            controls: ControlsMode::Full,
            autoplay: false,
            quiet_ms: 0.0,
            reduced_motion: false,
            layout_epoch: 0,
            score: None,
            feedback: None,
            outbox: Outbox::default(),
            used_hosts,
        }
    }

    pub fn session_ref(&self) -> SessionRef {
        SessionRef(self.session.clone())
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
            .map_or_else(
                || pid.to_string(),
                |p| format!("{} ({})", p.name, self.host_name(p.host)),
            )
    }

    /// A tour is loaded and has statements left.
    pub fn tour_has_next(&self) -> bool {
        self.tour.is_some() && !self.session.borrow().runner.is_finished()
    }

    /// How the tour's "Next step" goes (by narration when no tour is loaded).
    pub fn tour_mode(&self) -> StepMode {
        self.tour.as_ref().map_or(StepMode::Narration, |t| t.mode)
    }

    /// The tour stands before a question: nothing moves on until it is answered.
    pub fn question_pending(&self) -> bool {
        self.tour.is_some() && quiz::pending(&self.session.borrow().runner).is_some()
    }

    /// The feedback to show now: only while the runner stands where it was given.
    pub fn current_feedback(&self) -> Option<&Feedback> {
        let here = self.session.borrow().runner.position();
        self.feedback.as_ref().filter(|f| f.position == here)
    }

    /// A tour with its score as the browser kept it.
    pub fn start_tour(mut self, tour: TourInfo) -> Self {
        let mut score = Score::for_tour(self.session.borrow().runner.statements());
        if let Some(stored) = storage::load(&tour.name) {
            score.restore(&stored);
        }
        self.score = Some(score);
        self.tour = Some(tour);
        self
    }

    /// Answers the question the tour stands before (`None`: show me), runs its moment,
    /// and grades the answer against what the engine said.
    fn answer(mut self, given: Option<(String, Answer)>) -> Self {
        let Some(q) = quiz::pending(&self.session.borrow().runner).cloned() else {
            self.notice = Some("There is no question to answer here.".into());
            return self;
        };
        let mode = self.tour_mode();
        let mut next = self.with_session(|x| x.apply(Input::ScenarioStep(mode)));
        if next.notice.is_some() {
            return next;
        }
        let graded = {
            let s = next.session.borrow();
            quiz::grade(&q, given.as_ref().map(|(t, a)| (t.as_str(), a)), &s.runner)
        };
        let Some(mut feedback) = graded else {
            next.notice = Some(format!("The engine gave no answer to “{}”.", q.id));
            return next;
        };
        let tour = next
            .tour
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_default();
        if let Some(score) = next.score.as_mut() {
            // Asking to be shown counts as a first answer that was not right.
            feedback.counted = score.record(&q.id, feedback.right && given.is_some());
            storage::save(&tour, &score.encode());
        }
        next.outbox.push(HostEvent::QuestionAnswered {
            tour,
            question: q.id.clone(),
            answer: feedback.given.clone(),
            correct: feedback.right,
            expected: feedback.correct.clone(),
            first: feedback.counted,
        });
        next.feedback = Some(feedback);
        next
    }

    /// An exercise is over when its goal is reached; a tour at its last step.
    fn tour_finished(&self) -> bool {
        let s = self.session.borrow();
        match s.runner.goal() {
            Some(g) => g.reached_after.is_some(),
            None => self.tour.is_some() && s.runner.is_finished(),
        }
    }

    /// Tells the course page once when an exercise's goal is reached (and keeps the
    /// calls it took the first time), and once when a tour or exercise is finished.
    fn report_finish(mut self, before: bool) -> Self {
        let finished = self.tour.is_some() && self.tour_finished();
        let reached = self
            .session
            .borrow()
            .runner
            .goal()
            .and_then(|g| g.reached_after);
        if let (true, false, Some(calls), Some(t)) = (finished, before, reached, &self.tour) {
            let tour = t.name.clone();
            let first = self.score.as_ref().is_some_and(|s| s.goal.is_none());
            if let Some(score) = self.score.as_mut().filter(|_| first) {
                score.goal = Some(calls);
                storage::save(&tour, &score.encode());
            }
            self.outbox
                .push(HostEvent::GoalReached { tour, calls, first });
        }
        if finished && !before {
            if let (Some(t), Some(score)) = (&self.tour, &self.score) {
                self.outbox.push(HostEvent::Finished {
                    tour: t.name.clone(),
                    right: score.right(),
                    questions: score.questions,
                });
            }
        }
        self
    }

    /// The hosts to draw: all of them, except that a tour shows a host only once it
    /// has been used, so that hosts it declares for later do not stand empty.
    pub fn shown_hosts(&self) -> Vec<sockscope_engine::snapshot::HostView> {
        self.snapshot
            .hosts
            .iter()
            .filter(|h| self.tour.is_none() || self.used_hosts.contains(h.id))
            .cloned()
            .collect()
    }

    /// Re-reads the engine after a change.
    fn refreshed(mut self) -> Self {
        self.version += 1;
        let (snapshot, used) = {
            let s = self.session.borrow();
            (s.world().snapshot(), self.used_hosts.updated(s.world()))
        };
        self.snapshot = Rc::new(snapshot);
        if used != *self.used_hosts {
            self.used_hosts = Rc::new(used);
        }
        self
    }

    /// Runs something on the session; a refusal becomes the notice.
    fn with_session(mut self, f: impl FnOnce(&mut Session) -> Result<(), String>) -> Self {
        let result = f(&mut self.session.borrow_mut());
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
            let w = s.world();
            let on_wire = w.in_flight().next().is_some();
            (w.busy(), w.now(), w.next_event_time(), on_wire)
        };
        if !busy {
            if self.autoplay && self.tour_has_next() && !self.question_pending() {
                // Let the learner read the narration before the next step.
                self.quiet_ms += real_ms;
                if self.quiet_ms >= AUTOPLAY_PAUSE_MS {
                    self.quiet_ms = 0.0;
                    let mode = self.tour_mode();
                    return self.with_session(|x| x.apply(Input::ScenarioStep(mode)));
                }
                return self;
            }
            self.playing = false;
            return self.refreshed();
        }
        if self.reduced_motion {
            self.quiet_ms += real_ms * self.speed;
            if self.quiet_ms < REDUCED_MOTION_STEP_MS {
                return self;
            }
            self.quiet_ms = 0.0;
            return self.with_session(|x| x.net(NetCmd::Step(1)));
        }
        self.quiet_ms = 0.0;
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
            // Event by event, so that stepping back undoes one event at a time.
            while s.world().next_event_time().is_some_and(|t| t <= target) {
                if s.net(NetCmd::Step(1)).is_err() {
                    break;
                }
            }
            let left = target.saturating_sub(s.world().now());
            if left > 0 {
                let _ = s.net(NetCmd::Run(Some(left)));
            }
        }
        self.refreshed()
    }
}

pub enum Action {
    Apply(Input),
    /// A call from a process's form.
    Call {
        pid: Pid,
        call: Call,
    },
    /// A console line in the scenario language.
    Line(String),
    Net(NetCmd),
    Step,
    StepBack,
    /// Go to this position in the history (replaying from the start).
    Seek(usize),
    /// Go to the moment just after this trace event (replaying from the start).
    SeekEvent(u64),
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
    /// Start a guided tour (or any scenario) at its first step.
    Tour {
        name: String,
        title: String,
        scenario: Box<Scenario>,
    },
    /// Run the whole scenario and explore from its end (a shared link, an import).
    Load(Box<Scenario>),
    /// Keep the world, stop following the tour.
    LeaveTour,
    /// The tour's "Previous step": undo the last press of "Next step".
    TourBack,
    /// Jump to the part of the tour that begins at this statement (a `section`).
    TourJump(usize),
    /// Count the tour's steps by narration or by statement.
    TourMode(StepMode),
    /// Nothing changed, but the layout did (the window was resized): draw again so
    /// that the descriptor arrows follow their cards.
    Redraw,
    /// The learner's answer to the question the tour stands before, as typed and as
    /// read; `None`: show the answer without guessing.
    Answer(Option<(String, Answer)>),
    /// Forget the tour's score, here and in the browser's storage.
    ResetScore,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let s = (*self).clone();
        let finished_before = s.tour.is_some() && s.tour_finished();
        let next = match action {
            Action::Answer(given) => s.answer(given),
            Action::ResetScore => {
                let mut s = s;
                if let (Some(t), Some(score)) = (&s.tour, s.score.as_mut()) {
                    storage::clear(&t.name);
                    score.first.clear();
                }
                s.feedback = None;
                s
            }
            Action::Apply(input) => s.with_session(|x| x.apply(input)),
            Action::Call { pid, call } => s.with_session(|x| x.call(pid, &call)),
            Action::Line(text) => s.with_session(|x| x.line(&text)),
            Action::Net(cmd) => s.with_session(|x| x.net(cmd)),
            Action::Step => {
                let s = State {
                    playing: false,
                    ..s
                };
                if s.session.borrow().world().next_event_time().is_none() {
                    State {
                        notice: Some("Nothing is scheduled: the network is quiet.".into()),
                        ..s
                    }
                } else {
                    s.with_session(|x| x.net(NetCmd::Step(1)))
                }
            }
            Action::RunIdle => State {
                playing: false,
                ..s
            }
            .with_session(|x| x.net(NetCmd::Run(None))),
            Action::StepBack => {
                let moved = s.session.borrow_mut().step_back();
                let notice = (!moved)
                    .then(|| "This is the start: there is nothing to step back to.".to_string());
                State {
                    playing: false,
                    notice,
                    ..s
                }
                .refreshed()
            }
            Action::SeekEvent(n) => {
                s.session.borrow_mut().seek_event(n);
                State {
                    playing: false,
                    ..s
                }
                .refreshed()
            }
            Action::Seek(n) => {
                s.session.borrow_mut().rewind_to(n);
                State {
                    playing: false,
                    ..s
                }
                .refreshed()
            }
            Action::Play => {
                let busy = s.session.borrow().world().busy() || (s.autoplay && s.tour_has_next());
                let notice = (!busy).then(|| {
                    "The network is quiet: issue a call, or step to the next timer.".to_string()
                });
                State {
                    playing: busy,
                    notice,
                    ..s
                }
            }
            Action::Pause => State {
                playing: false,
                ..s
            },
            Action::TogglePlay => {
                return self.reduce(if s.playing {
                    Action::Pause
                } else {
                    Action::Play
                });
            }
            Action::Tick(ms) => s.tick(ms),
            Action::Speed(x) => State {
                speed: x.clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end()),
                ..s
            },
            Action::Hover(h) => State { hovered: h, ..s },
            Action::SelectSegment(seg) => State {
                selected_seg: seg,
                ..s
            },
            Action::Notice(n) => State {
                notice: Some(n),
                ..s
            },
            Action::Dismiss => State { notice: None, ..s },
            Action::Theme(t) => State { theme: t, ..s },
            Action::Reset => State {
                theme: s.theme,
                speed: s.speed,
                outbox: s.outbox.clone(),
                ..State::default()
            },
            Action::Tour {
                name,
                title,
                scenario,
            } => State {
                theme: s.theme,
                speed: s.speed,
                outbox: s.outbox.clone(),
                ..State::from_session(Session::tour(&scenario))
            }
            .start_tour(TourInfo {
                mode: s.tour_mode(),
                ..TourInfo::new(&name, &title, &scenario)
            }),
            Action::Load(scenario) => State {
                theme: s.theme,
                speed: s.speed,
                outbox: s.outbox.clone(),
                ..State::from_session(Session::finished(&scenario))
            },
            Action::LeaveTour => State {
                tour: None,
                score: None,
                feedback: None,
                ..s
            },
            Action::TourBack => {
                let moved = s.session.borrow_mut().tour_back();
                State {
                    playing: false,
                    notice: (!moved).then(|| {
                        "This is the start of the tour: there is no earlier step.".to_string()
                    }),
                    ..s
                }
                .refreshed()
            }
            Action::TourJump(index) => {
                let mode = s.tour_mode();
                s.session.borrow_mut().tour_jump(index, mode);
                State {
                    playing: false,
                    notice: None,
                    ..s
                }
                .refreshed()
            }
            Action::TourMode(mode) => State {
                tour: s.tour.clone().map(|t| TourInfo { mode, ..t }),
                ..s
            },
            Action::Redraw => State {
                layout_epoch: s.layout_epoch + 1,
                ..s
            },
        };
        Rc::new(next.report_finish(finished_before))
    }
}
