//! One `State`, changed only by `Action`s through the reducer (`state/action.rs`).
//! Playing and stepping through time are in `state/play.rs`, tours and their
//! questions in `state/tour.rs`.

mod action;
mod play;
mod tour;
mod used_hosts;

pub use action::Action;
pub use tour::{ticket as tour_ticket, TourAsk, TourInfo};
pub use used_hosts::UsedHosts;

use crate::host_events::Outbox;
use crate::options::ControlsMode;
use crate::quiz::{self, Feedback, Score};
use crate::session::{Session, SessionError, StepMode};
use crate::theme::Theme;
use sockscope_engine::snapshot::{HostView, Snapshot};
use sockscope_engine::{Layout, Micros, Pid, SegId, SockId};
use std::cell::RefCell;
use std::rc::Rc;
use yew::{UseReducerDispatcher, UseReducerHandle};

/// The state and its dispatcher, as a context for the components that show what
/// moves with time (the ladder, the host columns, the narration, the controls). It
/// changes on every frame of play; most components take props instead (with
/// `Dispatch` and `SessionRef`), so Yew skips them when only time moved.
pub type Ctx = UseReducerHandle<State>;

/// Sends actions without being the state: it stays equal from frame to frame, so a
/// component that takes it as a prop is not redrawn because time moved.
pub type Dispatch = UseReducerDispatcher<State>;

/// The session, shared by every state of one app and compared by identity: equal
/// while it is the same session, whatever happened inside it (the state's `version`
/// says that). Components that read it only when the learner asks (a link, an
/// export) take it as a prop.
#[derive(Clone, Debug)]
pub struct SessionRef(pub Rc<RefCell<Session>>);

impl SessionRef {
    pub fn new(session: Session) -> Self {
        SessionRef(Rc::new(RefCell::new(session)))
    }
}

impl PartialEq for SessionRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for SessionRef {
    type Target = RefCell<Session>;

    fn deref(&self) -> &RefCell<Session> {
        &self.0
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

/// Everything the page shows. Two states are equal when a redraw would show the same
/// page, so every field takes part in the comparison (a field added here redraws when
/// it changes). The session is compared by identity and `version` counts its changes;
/// `snapshot` is compared after `version`, which changes whenever it is replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The engine and its history. Shared, so that cloning the state per action is cheap;
    /// `version` tells components that it changed.
    pub session: SessionRef,
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
    /// How every host's table is printed: as netstat or as ss.
    pub table: Layout,
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
    /// The start card is open (a first visit, or the help button).
    pub start_card: bool,
    /// The process whose program the learner asked to see (its card's "Program"
    /// button), with a count of the asks so that asking again scrolls there again.
    pub program_focus: Option<(Pid, u32)>,
    /// The text of the tour the link names is still being fetched: the course page
    /// hears `ready` only once the tour is open.
    pub opening_tour: bool,
    /// The latest tour asked for while its text is fetched: a text that comes back for
    /// an earlier ask is dropped, so the learner's last choice wins, and a reset or
    /// another world cancels an ask still on its way.
    pub tour_request: Option<TourAsk>,
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
            session: SessionRef::new(session),
            version: 0,
            snapshot,
            playing: false,
            speed: 1.0,
            hovered: None,
            selected_seg: None,
            notice: None,
            skipped: None,
            theme: Theme::System,
            table: Layout::Netstat,
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
            start_card: false,
            program_focus: None,
            opening_tour: false,
            tour_request: None,
        }
    }

    /// A fresh state for `session` that keeps what the learner chose for the page
    /// (theme, speed, table layout) and the course page's outbox.
    fn replaced_by(&self, session: Session) -> Self {
        State {
            theme: self.theme,
            table: self.table,
            speed: self.speed,
            outbox: self.outbox.clone(),
            ..State::from_session(session)
        }
    }

    pub fn session_ref(&self) -> SessionRef {
        self.session.clone()
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

    /// The hosts to draw: all of them, except that a tour shows a host only once it
    /// has been used, so that hosts it declares for later do not stand empty. Borrowed:
    /// the root and the ladder ask on every frame.
    pub fn shown_hosts(&self) -> Vec<&HostView> {
        self.snapshot
            .hosts
            .iter()
            .filter(|h| self.tour.is_none() || self.used_hosts.contains(h.id))
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
    fn with_session(mut self, f: impl FnOnce(&mut Session) -> Result<(), SessionError>) -> Self {
        let result = f(&mut self.session.borrow_mut());
        self.notice = result.err().map(|e| e.to_string());
        self.refreshed()
    }
}
