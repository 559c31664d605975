//! The wire as a ladder (time-sequence) diagram: one lane per host, time flowing down,
//! every segment an arrow from its sender at the time it left to its receiver at the
//! time it arrives. Segments on the wire now are drawn up to the present moment; lost
//! ones stop short and fall. What to draw is decided in `segments` and `scale`
//! (plain functions, tested natively); `view` writes the SVG, and the moving arrows
//! are painted on a canvas by `flights`.

mod labels;
mod scale;
mod segments;
mod view;

use super::flights::{self, Sheet, Surface};
use super::keyed;
use crate::hooks::use_session_flag::use_session_flag;
use crate::hooks::use_width_observer::use_width_observer;
use crate::state::{Action, Ctx};
use scale::{Scale, LARGE_STRETCH, TOP};
use segments::{Lanes, LARGE_WIDTH, MAX_SEGMENTS, WIDTH};
use sockscope_engine::{HostId, Micros, SegId};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The segment an event happened on (any part of it), from its `data-seg`.
fn segment_of(target: Option<web_sys::EventTarget>) -> Option<SegId> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let seg = el.closest("[data-seg]").ok()??.get_attribute("data-seg")?;
    seg.parse().ok().map(SegId)
}

/// Paints the moving arrows again, if the SVG and the canvas are on the page.
fn repaint_flights(svg: &NodeRef, canvas: &NodeRef, surface: &mut Surface, focused: Option<SegId>) {
    if let (Some(svg), Some(canvas)) = (
        svg.cast::<web_sys::Element>(),
        canvas.cast::<web_sys::HtmlCanvasElement>(),
    ) {
        flights::paint(&svg, &canvas, surface, focused);
    }
}

/// The SVG, the canvas over it, and what the canvas shows (kept for clicks, focus and
/// resizes between renders).
#[derive(Clone)]
struct Paper {
    svg: NodeRef,
    canvas: NodeRef,
    surface: Rc<RefCell<Surface>>,
}

impl Paper {
    fn repaint(&self, focused: Option<SegId>) {
        repaint_flights(
            &self.svg,
            &self.canvas,
            &mut self.surface.borrow_mut(),
            focused,
        );
    }
}

/// The canvas follows the SVG's width and the theme's text colour, and shows `sheet`
/// after each render; `room` is told the SVG's width in steps of 100 CSS pixels (a
/// larger ladder is drawn that wide).
#[hook]
fn use_paper(theme: crate::theme::Theme, sheet: Sheet, room: UseStateHandle<f64>) -> Paper {
    let paper = Paper {
        svg: use_node_ref(),
        canvas: use_node_ref(),
        surface: use_mut_ref(Surface::default),
    };
    let on_width = {
        let paper = paper.clone();
        Callback::from(move |width: f64| {
            paper.surface.borrow_mut().css_width = width;
            paper.repaint(None);
            room.set((width / 100.0).floor() * 100.0);
        })
    };
    use_width_observer(paper.svg.clone(), on_width);
    {
        // A new theme: read the text colour again.
        let surface = paper.surface.clone();
        use_effect_with(theme, move |_| surface.borrow_mut().fg = None);
    }
    {
        let paper = paper.clone();
        use_effect(move || {
            let focused = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|el| segment_of(Some(el.into())));
            paper.surface.borrow_mut().sheet = sheet;
            paper.repaint(focused);
        });
    }
    paper
}

/// One listener for all segments (a click on any part of one, or on a moving arrow
/// of the canvas), so that redrawing a segment never replaces its listeners.
fn select_on_click(ctx: &Ctx, paper: &Paper) -> Callback<MouseEvent> {
    let (ctx, paper) = (ctx.clone(), paper.clone());
    Callback::from(move |e: MouseEvent| {
        let moving = || {
            let svg = paper.svg.cast::<web_sys::Element>()?;
            let surface = paper.surface.borrow();
            flights::hit(&svg, &surface, e.client_x() as f64, e.client_y() as f64)
        };
        if let Some(id) = segment_of(e.target()).or_else(moving) {
            ctx.dispatch(Action::SelectSegment(Some(id)));
        }
    })
}

/// Enter or Space on the focused segment selects it.
fn select_on_key(ctx: &Ctx) -> Callback<KeyboardEvent> {
    let ctx = ctx.clone();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() != "Enter" && e.key() != " " {
            return;
        }
        if let Some(id) = segment_of(e.target()) {
            // The key is the segment's: it must not also start playback.
            e.prevent_default();
            e.stop_propagation();
            ctx.dispatch(Action::SelectSegment(Some(id)));
        }
    })
}

/// A moving segment has nothing of its own to outline when focused: the canvas
/// draws it thick instead.
fn repaint_on_focus(paper: &Paper, focus: bool) -> Callback<FocusEvent> {
    let paper = paper.clone();
    Callback::from(move |e: FocusEvent| {
        paper.repaint(if focus { segment_of(e.target()) } else { None });
    })
}

#[component]
pub fn Ladder() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    // The previous frame's scale and clock, so that unchanged moments keep their y.
    let kept = use_mut_ref(|| (Scale::default(), 0 as Micros));
    let now = ctx.snapshot.time;
    // A tour's hosts get a lane once they are used, like their columns.
    let hosts: Vec<(HostId, String)> = ctx
        .shown_hosts()
        .iter()
        .map(|h| (h.id, h.name.clone()))
        .collect();
    let (large, flip_large) = use_session_flag("sockscope.large-ladder");
    let room = use_state_eq(|| 0.0_f64);
    let width = if large {
        (*room).clamp(WIDTH, LARGE_WIDTH)
    } else {
        WIDTH
    };
    let stretch = if large { LARGE_STRETCH } else { 1.0 };
    let lanes = Lanes::new(hosts.iter().map(|(h, _)| *h).collect(), width);
    let drawn = segments::recent(ctx.session.borrow().trace(), MAX_SEGMENTS);
    let scale = {
        let mut kept = kept.borrow_mut();
        let (previous, previous_now) = &*kept;
        let times = segments::moments(&drawn, now);
        let scale = Scale::following(previous, previous_now.saturating_sub(1), &times, stretch);
        *kept = (scale.clone(), now);
        scale
    };
    // Everything placed in time sits in one group that scrolls as old segments leave.
    let scroll = scale.top() - TOP;
    let height = scale.y(now) - scroll + 40.0;
    let sheet = Sheet {
        flights: segments::flights(&drawn, now, &scale, &lanes, ctx.selected_seg),
        width,
        height,
        scroll,
    };
    let paper = use_paper(ctx.theme, sheet, room);
    let words = segments::words(&drawn, now, &scale, &lanes, ctx.selected_seg);
    let now_y = format!("{:.1}", scale.y(now));
    html! {
        <section class={classes!("ladder", large.then_some("large"))} aria-label="The wire: every segment over time" data-testid="ladder">
            <header class="ladder-head">
                <h3>{ "The wire" }</h3>
                <button type="button" class="small" aria-pressed={large.to_string()} data-testid="ladder-large"
                    onclick={flip_large.reform(|_: MouseEvent| ())}
                    title="Give the wire the page's whole width and taller rows (kept while this tab is open)">{ "Larger wire" }</button>
            </header>
            <div class="ladder-scroll"><div class="ladder-sheet">
                <svg ref={paper.svg.clone()} viewBox={format!("0 0 {width} {height:.0}")} width="100%" height={format!("{height:.0}")} role="group"
                    aria-label="Ladder diagram: time flows down" onclick={select_on_click(&ctx, &paper)} onkeydown={select_on_key(&ctx)}
                    onfocusin={repaint_on_focus(&paper, true)} onfocusout={repaint_on_focus(&paper, false)}>
                    { view::lanes(&hosts, &lanes, height) }
                    <g transform={format!("translate(0 {:.1})", -scroll)}>
                    { view::breaks(&scale, width) }
                    { keyed(drawn.iter().zip(words).map(|(s, placed)| {
                        let ends = segments::ends(s, now, &scale, &lanes);
                        view::segment(s, ends, now, ctx.selected_seg == Some(s.id), placed)
                    })) }
                    <line class="now" x1="0" x2={width.to_string()} y1={now_y.clone()} y2={now_y} />
                    </g>
                </svg>
                <div class="flights" aria-hidden="true"><canvas ref={paper.canvas.clone()}></canvas></div>
            </div></div>
        </section>
    }
}
