//! The program panel: the calls run so far as the C or Python program each process
//! would be (`sockscope_scenario::codegen`, the same text `sockscope code` writes), with
//! the line each program has reached marked, a line number to go back to just after
//! that line ran, and a download of the file. Written only while the panel is open.

use crate::download;
use crate::session::Moment;
use crate::state::{Action, Ctx};
use sockscope_scenario::codegen::{self, Generated, Lang, Program};
use sockscope_scenario::Statement;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The programs of what has run, and the moment after each statement they came from.
#[derive(PartialEq)]
struct Written {
    generated: Generated,
    /// Indexed like the statements given to the generator (a line's `stmt`).
    moments: Vec<Option<Moment>>,
}

#[component]
pub fn ProgramView() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let open = use_state(|| false);
    let lang = use_state(|| Lang::C);
    let chosen = use_state(|| 0usize);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let d: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            open.set(d.open());
        })
    };
    let details = use_node_ref();
    use_program_focus(&ctx, details.clone(), open.clone(), chosen.clone());
    let written = use_written(&ctx, *open, *lang);
    let list = use_node_ref();
    use_scroll_to_reached(&ctx, list.clone(), (*open, *lang, *chosen));
    let body = match (&*written, *open) {
        (Some(w), true) => view_body(&ctx, w, lang, chosen, list),
        _ => html! {},
    };
    html! {
        <section class="program-view" aria-label="Program">
        <details ref={details} class="panel" {ontoggle} data-testid="program-view">
            <summary><h3>{ "Program: the calls so far, as C or Python" }</h3></summary>
            { body }
        </details>
        </section>
    }
}

/// A process card's "Program" button: the panel opens at that process's program and
/// comes into view.
#[hook]
fn use_program_focus(
    ctx: &Ctx,
    details: NodeRef,
    open: UseStateHandle<bool>,
    chosen: UseStateHandle<usize>,
) {
    let session = ctx.session.clone();
    use_effect_with(ctx.program_focus, move |focus| {
        let Some((pid, _)) = *focus else {
            return;
        };
        let s = session.borrow();
        let proc = s
            .runner
            .processes()
            .iter()
            .find(|p| p.pid == pid)
            .map(|p| p.proc_ref());
        let ran: Vec<Statement> = s.ran().into_iter().map(|r| r.statement).collect();
        let programs = codegen::generate(&ran, Lang::C, &codegen::Options::default()).programs;
        if let Some(i) = proc.and_then(|r| programs.iter().position(|p| p.procs.contains(&r))) {
            chosen.set(i);
        }
        open.set(true);
        if let Some(d) = details.cast::<web_sys::HtmlDetailsElement>() {
            d.set_open(true);
            d.scroll_into_view();
        }
    });
}

/// The programs, written again only when what has run (or the language) changed.
#[hook]
fn use_written(ctx: &Ctx, open: bool, lang: Lang) -> Rc<Option<Written>> {
    let session = ctx.session.clone();
    let key = {
        let s = session.borrow();
        (open, lang, s.history.len(), s.runner.position(), s.events())
    };
    use_memo(key, move |&(open, lang, ..)| {
        open.then(|| {
            let ran = session.borrow().ran();
            let statements: Vec<Statement> = ran.iter().map(|r| r.statement.clone()).collect();
            Written {
                generated: codegen::generate(&statements, lang, &codegen::Options::default()),
                moments: ran.iter().map(|r| r.moment).collect(),
            }
        })
    })
}

/// Brings the reached line into the listing's view after something ran or the learner
/// chose another program or language; scrolling by hand in between stays put.
#[hook]
fn use_scroll_to_reached(ctx: &Ctx, list: NodeRef, view: (bool, Lang, usize)) {
    let key = {
        let s = ctx.session.borrow();
        (view, s.history.len(), s.runner.position())
    };
    use_effect_with(key, move |_| {
        let Some(ol) = list.cast::<web_sys::Element>() else {
            return;
        };
        if let Ok(Some(li)) = ol.query_selector("li.reached") {
            if let Ok(li) = li.dyn_into::<web_sys::HtmlElement>() {
                ol.set_scroll_top(li.offset_top() - ol.client_height() / 3);
            }
        }
    });
}

fn view_body(
    ctx: &Ctx,
    w: &Written,
    lang: UseStateHandle<Lang>,
    chosen: UseStateHandle<usize>,
    list: NodeRef,
) -> Html {
    let programs = &w.generated.programs;
    if programs.is_empty() {
        return html! {
            <p class="muted small" data-testid="program-empty">
                { "No process has made a call yet. Make one, and its program appears here." }</p>
        };
    }
    let index = (*chosen).min(programs.len() - 1);
    let program = &programs[index];
    html! {
        <>
            <p class="muted small">
                { "Each process's calls, written the way a sockets course writes them. The marked line is where that program has got to. Select a line number to go back to the moment just after it ran." }</p>
            <div class="program-bar">
                { language_choice(lang) }
                { program_tabs(programs, index, chosen) }
                { download_button(ctx, program) }
            </div>
            { listing(ctx, program, reached(&w.generated, index), &w.moments, list) }
        </>
    }
}

fn language_choice(lang: UseStateHandle<Lang>) -> Html {
    let current = *lang;
    html! {
        <div class="segmented" role="group" aria-label="Language">
            { for Lang::ALL.iter().map(|&l| {
                let onclick = { let lang = lang.clone(); Callback::from(move |_: MouseEvent| lang.set(l)) };
                let label = match l { Lang::C => "C", Lang::Python => "Python" };
                html! {
                    <button type="button" aria-pressed={(l == current).to_string()} {onclick}
                        data-testid={format!("program-lang-{l}")}>{ label }</button>
                }
            }) }
        </div>
    }
}

fn program_tabs(programs: &[Program], index: usize, chosen: UseStateHandle<usize>) -> Html {
    html! {
        <div class="segmented" role="group" aria-label="Program">
            { for programs.iter().enumerate().map(|(i, p)| {
                let onclick = { let chosen = chosen.clone(); Callback::from(move |_: MouseEvent| chosen.set(i)) };
                html! {
                    <button type="button" aria-pressed={(i == index).to_string()} {onclick}
                        data-testid="program-tab">{ p.file_name.clone() }</button>
                }
            }) }
        </div>
    }
}

fn download_button(ctx: &Ctx, program: &Program) -> Html {
    let (text, name, dispatch) = (program.text(), program.file_name.clone(), ctx.dispatcher());
    let label = format!("Download {name}");
    let onclick = Callback::from(move |_: MouseEvent| {
        if let Err(why) = download::save(text.as_bytes(), &name, "text/plain") {
            dispatch.dispatch(Action::Notice(format!(
                "The program could not be saved: {why}"
            )));
        }
    });
    html! {
        <button type="button" {onclick} data-testid="program-download">{ label }</button>
    }
}

/// The statement of the last call program `index` has made (other processes' calls
/// appear in it too, as comments, and do not count).
fn reached(generated: &Generated, index: usize) -> Option<usize> {
    generated
        .calls
        .iter()
        .filter(|c| c.program == index)
        .map(|c| c.stmt)
        .max()
}

/// The program's lines, numbered; the lines of its last call are marked as where it
/// has got to.
fn listing(
    ctx: &Ctx,
    program: &Program,
    reached: Option<usize>,
    moments: &[Option<Moment>],
    list: NodeRef,
) -> Html {
    html! {
        <ol ref={list} class="program-lines" data-testid="program-lines" aria-label={program.file_name.clone()}>
            { for program.lines.iter().enumerate().map(|(i, line)| {
                let here = line.stmt.is_some() && line.stmt == reached;
                let moment = line.stmt.and_then(|s| moments.get(s).copied().flatten());
                html! {
                    <li class={classes!(here.then_some("reached"))} data-testid={here.then_some("program-reached")}>
                        { line_number(ctx, i + 1, moment) }
                        <code>{ line.text.clone() }</code>
                    </li>
                }
            }) }
        </ol>
    }
}

fn line_number(ctx: &Ctx, n: usize, moment: Option<Moment>) -> Html {
    match moment {
        Some(m) => {
            let dispatch = ctx.dispatcher();
            let onclick =
                Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::SeekMoment(m)));
            html! {
                <button type="button" class="line-number" {onclick}
                    title="Go back to just after this line ran" aria-label={format!("line {n}: go back to just after it ran")}>{ n }</button>
            }
        }
        None => html! { <span class="line-number" aria-hidden="true">{ n }</span> },
    }
}
