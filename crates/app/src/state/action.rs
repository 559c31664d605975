//! Everything that changes the state, and the reducer that applies it: one line per
//! action, each naming the change (`play.rs` and `tour.rs` hold the longer ones).

use super::{State, TourAsk, TourInfo, SPEED_RANGE};
use crate::session::{Input, Moment, Session, StepMode};
use crate::theme::Theme;
use sockscope_engine::{Call, Layout, Pid, SegId, SockId};
use sockscope_scenario::{Answer, NetCmd, Scenario};
use std::rc::Rc;
use yew::Reducible;

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
    /// Go to the moment just after a statement ran (a line of the program panel).
    SeekMoment(Moment),
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
    /// Print every host's table as netstat or as ss.
    Table(Layout),
    /// Start again from the default world.
    Reset,
    /// A tour's text is on its way (`ask`); `says`, if any, is the notice meanwhile.
    TourAsked {
        ask: TourAsk,
        says: Option<String>,
    },
    /// Start a guided tour (or any scenario) at its first step, if it is the one
    /// awaited (`ticket`, from `TourAsked`).
    Tour {
        ticket: u32,
        name: String,
        title: String,
        /// Its text has `param` lines (here drawn with the default seed).
        drawn: bool,
        scenario: Box<Scenario>,
    },
    /// Run the whole scenario and explore from its end (a shared link, an import).
    Load(Box<Scenario>),
    /// The tour the link names has come (the page opens again in this state), or
    /// could not be had (why, in a sentence); ignored but for `opening_tour` unless
    /// it is the one awaited (`ticket`).
    Begin(u32, Result<Box<State>, String>),
    /// Keep the world, stop following the tour.
    LeaveTour,
    /// The tour's "Previous step": undo the last press of "Next step".
    TourBack,
    /// Jump to the part of the tour that begins at this statement (a `section`).
    TourJump(usize),
    /// Show the panels the tour does not use (true), or fold them away again.
    Unfold(bool),
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
    /// Open the start card, or close it (and remember in the browser that it was seen).
    StartCard(bool),
    /// Open the program panel at this process's program.
    ShowProgram(Pid),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let s = (*self).clone();
        let finished_before = s.tour_finished();
        Rc::new(s.apply(action).report_finish(finished_before))
    }
}

impl State {
    /// The text that comes back for `ticket` is the one the page waits for.
    fn awaits(&self, ticket: u32) -> bool {
        self.tour_request.is_some_and(|ask| ask.ticket == ticket)
    }

    /// The start card opened or closed; closing it is remembered in the browser.
    fn with_start_card(self, open: bool) -> Self {
        if !open {
            crate::components::start_card::seen::set();
        }
        State {
            start_card: open,
            ..self
        }
    }

    /// The state after `action`.
    fn apply(self, action: Action) -> Self {
        match action {
            // What the learner does to the world.
            Action::Apply(input) => self.with_session(|x| x.apply(input)),
            Action::Call { pid, call } => self.with_session(|x| x.call(pid, &call)),
            Action::Line(text) => self.with_session(|x| x.line(&text)),
            Action::Net(cmd) => self.with_session(|x| x.net(cmd)),
            // Time.
            Action::Step => self.step(),
            Action::RunIdle => self.run_idle(),
            Action::StepBack => self.step_back(),
            Action::Seek(n) => self.seek(n),
            Action::SeekEvent(n) => self.seek_event(n),
            Action::SeekMoment(m) => self.seek_moment(m),
            Action::Play => self.play(),
            Action::Pause => self.pause(),
            Action::TogglePlay if self.playing => self.pause(),
            Action::TogglePlay => self.play(),
            Action::Tick(ms) => self.tick(ms),
            // The page.
            Action::Speed(x) => State {
                speed: x.clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end()),
                ..self
            },
            Action::Hover(h) => State { hovered: h, ..self },
            Action::SelectSegment(seg) => State {
                selected_seg: seg,
                ..self
            },
            Action::Notice(n) => State {
                notice: Some(n),
                ..self
            },
            Action::Dismiss => State {
                notice: None,
                ..self
            },
            Action::Theme(t) => State { theme: t, ..self },
            Action::Table(t) => State { table: t, ..self },
            Action::Redraw => State {
                layout_epoch: self.layout_epoch + 1,
                ..self
            },
            // Another world.
            Action::Reset => self.replaced_by(Session::default_world()),
            Action::Load(scenario) => self.replaced_by(Session::finished(&scenario)),
            Action::TourAsked { ask, says } => State {
                tour_request: Some(ask),
                notice: says.or(self.notice.clone()),
                ..self
            },
            // Asked before the learner's latest choice, or a reset: the page stays
            // as it is (but a link's tour is no longer awaited).
            Action::Tour { ticket, .. } if !self.awaits(ticket) => self,
            Action::Begin(ticket, _) if !self.awaits(ticket) => State {
                opening_tour: false,
                ..self
            },
            Action::Begin(_, Ok(state)) => State {
                outbox: self.outbox.clone(),
                ..*state
            },
            Action::Begin(_, Err(why)) => State {
                notice: Some(why),
                opening_tour: false,
                tour_request: None,
                ..self
            },
            Action::Tour {
                ticket: _,
                name,
                title,
                drawn,
                scenario,
            } => self
                .replaced_by(Session::tour(&scenario))
                .start_tour(TourInfo {
                    mode: self.tour_mode(),
                    drawn,
                    ..TourInfo::new(&name, &title, &scenario)
                }),
            // The tour.
            Action::LeaveTour => self.leave_tour(),
            Action::TourBack => self.tour_back(),
            Action::TourJump(index) => self.tour_jump(index),
            Action::TourMode(mode) => self.with_tour_mode(mode),
            Action::Unfold(unfolded) => self.with_unfolded(unfolded),
            Action::Answer(given) => self.answer(given),
            Action::ResetScore => self.reset_score(),
            Action::StartCard(open) => self.with_start_card(open),
            Action::ShowProgram(pid) => State {
                program_focus: Some((pid, self.program_focus.map_or(1, |(_, n)| n + 1))),
                ..self
            },
        }
    }
}
