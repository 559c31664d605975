//! What a course page learns from sockscope: events posted to the parent window when
//! the app runs in an iframe, and passed to the callback given to `mount()`. The
//! format is documented in the README ("Results for the course page").

use std::cell::RefCell;
use std::rc::Rc;

/// Something a course page may want to record.
#[derive(Clone, Debug, PartialEq)]
pub enum HostEvent {
    /// The app is drawn and takes input.
    Ready { tour: Option<String> },
    /// The learner answered a question (or asked to be shown the answer).
    QuestionAnswered {
        tour: String,
        question: String,
        /// What the learner gave; `None` when they asked to be shown.
        answer: Option<String>,
        correct: bool,
        /// The engine's answer.
        expected: String,
        /// The first answer to this question: the one the score counts.
        first: bool,
    },
    /// The learner brought the world to an exercise's goal.
    GoalReached {
        tour: String,
        calls: u32,
        /// The first time in this browser: what a score should keep.
        first: bool,
    },
    /// The tour reached its last step (an exercise: its goal).
    Finished {
        tour: String,
        right: usize,
        questions: usize,
    },
}

/// A field's value, so the same event can be checked natively and built in JS.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

impl HostEvent {
    /// The message's fields, `type` first; every message has `source: "sockscope"`.
    pub fn fields(&self) -> Vec<(&'static str, Field)> {
        let s = |v: &str| Field::Str(v.to_string());
        let opt = |v: &Option<String>| v.as_deref().map_or(Field::Null, s);
        let mut f = vec![("source", s("sockscope"))];
        match self {
            HostEvent::Ready { tour } => {
                f.push(("type", s("ready")));
                f.push(("tour", opt(tour)));
            }
            HostEvent::QuestionAnswered {
                tour,
                question,
                answer,
                correct,
                expected,
                first,
            } => {
                f.push(("type", s("question-answered")));
                f.push(("tour", s(tour)));
                f.push(("question", s(question)));
                f.push(("answer", opt(answer)));
                f.push(("correct", Field::Bool(*correct)));
                f.push(("expected", s(expected)));
                f.push(("first", Field::Bool(*first)));
            }
            HostEvent::GoalReached { tour, calls, first } => {
                f.push(("type", s("goal-reached")));
                f.push(("tour", s(tour)));
                f.push(("calls", Field::Num(f64::from(*calls))));
                f.push(("first", Field::Bool(*first)));
            }
            HostEvent::Finished {
                tour,
                right,
                questions,
            } => {
                f.push(("type", s("finished")));
                f.push(("tour", s(tour)));
                f.push(("right", Field::Num(*right as f64)));
                f.push(("questions", Field::Num(*questions as f64)));
            }
        }
        f
    }
}

/// Events waiting to be delivered after the next render. Shared by all states of one
/// app, so equal from frame to frame.
#[derive(Clone, Debug, Default)]
pub struct Outbox(pub Rc<RefCell<Vec<HostEvent>>>);

impl PartialEq for Outbox {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Outbox {
    pub fn push(&self, e: HostEvent) {
        self.0.borrow_mut().push(e);
    }

    pub fn take(&self) -> Vec<HostEvent> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}

/// The callback a page gave to `mount()`, compared by identity.
#[derive(Clone, Debug)]
pub struct Listener(pub js_sys::Function);

impl PartialEq for Listener {
    fn eq(&self, other: &Self) -> bool {
        wasm_bindgen::JsValue::from(&self.0) == wasm_bindgen::JsValue::from(&other.0)
    }
}

/// Posts an event to the parent window (when there is one) and to the listener.
pub fn deliver(e: &HostEvent, listener: Option<&Listener>) {
    use wasm_bindgen::JsValue;
    let obj = js_sys::Object::new();
    for (k, v) in e.fields() {
        let v = match v {
            Field::Str(s) => JsValue::from_str(&s),
            Field::Num(n) => JsValue::from_f64(n),
            Field::Bool(b) => JsValue::from_bool(b),
            Field::Null => JsValue::NULL,
        };
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &v);
    }
    if let Some(w) = web_sys::window() {
        if let Ok(Some(parent)) = w.parent() {
            let framed = JsValue::from(&parent) != JsValue::from(&w);
            if framed {
                let _ = parent.post_message(&obj, "*");
            }
        }
    }
    if let Some(l) = listener {
        let _ = l.0.call1(&JsValue::NULL, &obj);
    }
}

/// The browser's storage for a tour's score; quietly nothing where storage is
/// forbidden (a sandboxed frame, a private window that refuses it).
pub mod storage {
    fn key(tour: &str) -> String {
        format!("sockscope.score.{tour}")
    }

    fn local() -> Option<web_sys::Storage> {
        #[cfg(target_arch = "wasm32")]
        {
            web_sys::window()?.local_storage().ok().flatten()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            None
        }
    }

    pub fn load(tour: &str) -> Option<String> {
        local()?.get_item(&key(tour)).ok().flatten()
    }

    pub fn save(tour: &str, value: &str) {
        if let Some(s) = local() {
            let _ = s.set_item(&key(tour), value);
        }
    }

    pub fn clear(tour: &str) {
        if let Some(s) = local() {
            let _ = s.remove_item(&key(tour));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_event_carries_what_a_course_page_records() {
        let e = HostEvent::QuestionAnswered {
            tour: "byte-stream".into(),
            question: "recv_size".into(),
            answer: Some("1000".into()),
            correct: false,
            expected: "1500".into(),
            first: true,
        };
        let f = e.fields();
        assert_eq!(f[0], ("source", Field::Str("sockscope".into())));
        assert_eq!(f[1], ("type", Field::Str("question-answered".into())));
        assert!(f.contains(&("answer", Field::Str("1000".into()))));
        assert!(f.contains(&("correct", Field::Bool(false))));
        let shown = HostEvent::QuestionAnswered {
            tour: "byte-stream".into(),
            question: "recv_size".into(),
            answer: None,
            correct: false,
            expected: "1500".into(),
            first: true,
        };
        assert!(shown.fields().contains(&("answer", Field::Null)));
    }
}
