//! While the state says "playing", a timer sends `Tick` actions: the engine's clock
//! follows real time, scaled by the speed.

use crate::app::Ctx;
use crate::state::Action;
use gloo_timers::callback::Interval;
use yew::prelude::*;

/// Milliseconds between animation frames.
const FRAME_MS: u32 = 33;

#[hook]
pub fn use_player(ctx: Ctx) {
    let playing = ctx.playing;
    use_effect_with(playing, move |playing| {
        let timer = playing.then(|| {
            let ctx = ctx.clone();
            Interval::new(FRAME_MS, move || {
                ctx.dispatch(Action::Tick(FRAME_MS as f64))
            })
        });
        move || drop(timer)
    });
}
