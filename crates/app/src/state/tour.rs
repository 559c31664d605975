//! A tour or exercise being followed: its steps and parts, its questions (answered,
//! graded, scored and kept in the browser) and what the course page is told when it
//! is finished or its goal reached.

use super::State;
use crate::host_events::{storage, HostEvent};
use crate::quiz::{self, Score};
use crate::session::{Input, StepMode};
use sockscope_scenario::{Answer, Scenario, Stmt};

/// A new number for an ask to open a tour (never 0, never the same twice in a page):
/// `Action::TourAsked` makes it the one awaited, and the text that comes back carries it.
pub fn ticket() -> u32 {
    thread_local! {
        static LAST: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    LAST.with(|last| {
        last.set(last.get().wrapping_add(1).max(1));
        last.get()
    })
}

/// A tour asked for whose text is still on its way: the one the page waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TourAsk {
    /// From [`ticket`]: the text that comes back carries it.
    pub ticket: u32,
    /// Its name in `tours::ALL` or `tours::EXERCISES` (the picker shows it meanwhile).
    pub name: &'static str,
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
    /// It has `param` lines, so a link to it must carry the seed.
    pub drawn: bool,
    /// The panels its steps use besides the hosts, the wire, the byte streams, the
    /// demultiplexer, the narration and the program.
    pub uses: Uses,
    /// The learner unfolded the panels the tour does not use.
    pub unfolded: bool,
}

/// The panels a tour uses that a tour folds away unless they are used: the others
/// stay folded while it is followed, so that a learner sees what the steps talk about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// The call forms and the console: an exercise's goal is reached by the learner's
    /// own calls.
    pub calls: bool,
    /// The throughput experiment: the throughput tour explains it.
    pub throughput: bool,
}

impl Uses {
    pub fn of(name: &str, scenario: &Scenario) -> Uses {
        Uses {
            calls: scenario
                .statements
                .iter()
                .any(|st| matches!(st.kind, Stmt::Goal(_))),
            throughput: name == "throughput",
        }
    }
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
            drawn: false,
            uses: Uses::of(name, scenario),
            unfolded: false,
        }
    }
}

impl State {
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

    /// Keeps the world, stops following the tour.
    pub(super) fn leave_tour(self) -> Self {
        State {
            tour: None,
            score: None,
            feedback: None,
            ..self
        }
    }

    /// Undoes the last press of "Next step", or says there was none.
    pub(super) fn tour_back(self) -> Self {
        let moved = self.session.borrow_mut().tour_back();
        State {
            playing: false,
            notice: (!moved)
                .then(|| "This is the start of the tour: there is no earlier step.".to_string()),
            ..self
        }
        .refreshed()
    }

    /// Goes to the part of the tour that begins at statement `index`.
    pub(super) fn tour_jump(self, index: usize) -> Self {
        let mode = self.tour_mode();
        self.session.borrow_mut().tour_jump(index, mode);
        State {
            playing: false,
            notice: None,
            ..self
        }
        .refreshed()
    }

    /// The panels the tour does not use shown, or folded away again.
    pub(super) fn with_unfolded(self, unfolded: bool) -> Self {
        State {
            tour: self.tour.clone().map(|t| TourInfo { unfolded, ..t }),
            ..self
        }
    }

    /// Whether the page shows the call forms and the console: always out of a tour.
    pub fn shows_calls(&self) -> bool {
        self.tour
            .as_ref()
            .is_none_or(|t| t.uses.calls || t.unfolded)
    }

    /// Whether the page shows the throughput experiment (a tour that explains it shows
    /// it even where the page hides its other controls).
    pub fn shows_throughput(&self, full: bool) -> bool {
        match &self.tour {
            None => full,
            Some(t) => t.uses.throughput || (full && t.unfolded),
        }
    }

    /// Whether the page shows the network knobs, the scenario and the captures: out of
    /// a tour, or once the learner unfolded them.
    pub fn shows_tools(&self) -> bool {
        self.tour.as_ref().is_none_or(|t| t.unfolded)
    }

    pub(super) fn with_tour_mode(self, mode: StepMode) -> Self {
        State {
            tour: self.tour.clone().map(|t| TourInfo { mode, ..t }),
            ..self
        }
    }

    /// Forgets the tour's score, here and in the browser's storage.
    pub(super) fn reset_score(mut self) -> Self {
        if let (Some(t), Some(score)) = (&self.tour, self.score.as_mut()) {
            storage::clear(&t.name);
            score.first.clear();
        }
        self.feedback = None;
        self
    }

    /// Answers the question the tour stands before (`None`: show me), runs its moment,
    /// and grades the answer against what the engine said.
    pub(super) fn answer(mut self, given: Option<(String, Answer)>) -> Self {
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

    /// A tour or exercise is loaded and over: an exercise when its goal is reached, a
    /// tour at its last step.
    pub(super) fn tour_finished(&self) -> bool {
        let s = self.session.borrow();
        self.tour.is_some()
            && match s.runner.goal() {
                Some(g) => g.reached_after.is_some(),
                None => s.runner.is_finished(),
            }
    }

    /// Tells the course page once when an exercise's goal is reached (and keeps the
    /// calls it took the first time), and once when a tour or exercise is finished.
    /// `before`: whether it was finished before the action.
    pub(super) fn report_finish(mut self, before: bool) -> Self {
        if before || !self.tour_finished() {
            return self;
        }
        let reached = self
            .session
            .borrow()
            .runner
            .goal()
            .and_then(|g| g.reached_after);
        if let (Some(calls), Some(t)) = (reached, &self.tour) {
            let tour = t.name.clone();
            let first = self.score.as_ref().is_some_and(|s| s.goal.is_none());
            if let Some(score) = self.score.as_mut().filter(|_| first) {
                score.goal = Some(calls);
                storage::save(&tour, &score.encode());
            }
            self.outbox
                .push(HostEvent::GoalReached { tour, calls, first });
        }
        if let (Some(t), Some(score)) = (&self.tour, &self.score) {
            self.outbox.push(HostEvent::Finished {
                tour: t.name.clone(),
                right: score.right(),
                questions: score.questions,
            });
        }
        self
    }
}
