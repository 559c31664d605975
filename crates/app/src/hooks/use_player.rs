//! While the state says "playing", every animation frame sends a `Tick` with the real
//! time since the previous frame: the engine's clock follows real time, scaled by the
//! speed. Ticking from `requestAnimationFrame` (not a timer) means one engine step and
//! one render per painted frame, never a render the screen throws away, and no ticks
//! at all while the page is hidden.

use crate::state::{Action, Ctx};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The longest real time one frame may account for: after the page was hidden (when
/// browsers stop animation frames) play resumes where it was instead of jumping ahead.
const MAX_FRAME_MS: f64 = 100.0;

#[hook]
pub fn use_player(ctx: Ctx) {
    let playing = ctx.playing;
    use_effect_with(playing, move |playing| {
        let frames = playing
            .then(|| FrameLoop::start(move |ms| ctx.dispatch(Action::Tick(ms))))
            .flatten();
        move || drop(frames)
    });
}

type FrameCallback = Closure<dyn FnMut(f64)>;

/// A `requestAnimationFrame` loop that calls `on_frame` with the milliseconds since the
/// previous frame, until dropped.
struct FrameLoop {
    closure: Rc<RefCell<Option<FrameCallback>>>,
    handle: Rc<Cell<Option<i32>>>,
}

impl FrameLoop {
    fn start(mut on_frame: impl FnMut(f64) + 'static) -> Option<Self> {
        let window = web_sys::window()?;
        let closure: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
        let handle = Rc::new(Cell::new(None));
        let mut last: Option<f64> = None;
        let (me, h, w) = (Rc::downgrade(&closure), handle.clone(), window.clone());
        *closure.borrow_mut() = Some(Closure::new(move |now: f64| {
            if let Some(prev) = last {
                on_frame((now - prev).clamp(0.0, MAX_FRAME_MS));
            }
            last = Some(now);
            // The loop holds itself only weakly: dropping the `FrameLoop` ends it.
            if let Some(me) = me.upgrade() {
                if let Some(f) = me.borrow().as_ref() {
                    h.set(w.request_animation_frame(f.as_ref().unchecked_ref()).ok());
                }
            }
        }));
        let first = closure.borrow().as_ref().and_then(|f| {
            window
                .request_animation_frame(f.as_ref().unchecked_ref())
                .ok()
        });
        handle.set(first);
        Some(FrameLoop { closure, handle })
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        if let (Some(h), Some(w)) = (self.handle.take(), web_sys::window()) {
            let _ = w.cancel_animation_frame(h);
        }
        // Effects are cleaned up by Yew's scheduler, never from inside the frame
        // callback, so the closure is not running while it is dropped here.
        self.closure.borrow_mut().take();
    }
}
