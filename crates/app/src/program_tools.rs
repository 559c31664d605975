//! The inside of the program panel: the calls run so far as the C or Python program
//! each process would be (`sockscope_scenario::codegen`, the same text `sockscope code`
//! writes), with the line each program has reached marked, a line number to go back to
//! just after that line ran, and a download of the file. It lives in the tools module
//! (`src/bin/sockscope-tools.rs`), so the first view never carries the generator: the
//! page hands it the statements as text (`tools_module::ProgramRun`), and it talks
//! back only through `on_seek` (a statement's index) and `on_notice`.

use crate::download;
use crate::tools_module::ProgramRun;
use sockscope_scenario::codegen::{self, Generated, Lang, Program};
use sockscope_scenario::{ProcRef, Statement};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What the page sent, its statements parsed back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    pub shown: bool,
    pub statements: Vec<Statement>,
    pub returnable: Vec<bool>,
    pub focus: Option<(ProcRef, u32)>,
}

/// The page's JSON read back, or why it could not be (a bug, never the learner's).
/// Each statement is parsed alone: one the learner typed twice (an `ask` of the same
/// name) is refused in a whole scenario, not here.
pub fn parse_run(json: &str) -> Result<Run, String> {
    let sent: ProgramRun =
        serde_json::from_str(json).map_err(|e| format!("the run could not be read: {e}"))?;
    let statements = sent
        .statements
        .iter()
        .map(|text| match sockscope_scenario::parse(text) {
            Ok(mut s) if s.statements.len() == 1 => Ok(s.statements.remove(0)),
            Ok(s) => Err(format!(
                "“{text}” reads back as {} statements",
                s.statements.len()
            )),
            Err(e) => Err(format!("“{text}” does not read back: {e}")),
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Run {
        shown: sent.shown,
        statements,
        returnable: sent.returnable,
        focus: sent.focus,
    })
}

#[derive(Properties, PartialEq)]
pub struct ProgramBodyProps {
    pub run: Rc<Run>,
    /// Go back to just after statement `i` (of `run.statements`) ran.
    pub on_seek: Callback<usize>,
    /// Says to the learner why a file could not be saved.
    pub on_notice: Callback<String>,
}

#[component]
pub fn ProgramBody(props: &ProgramBodyProps) -> Html {
    let lang = use_state(|| Lang::C);
    let chosen = use_state(|| 0usize);
    let written = {
        let run = props.run.clone();
        use_memo((run, *lang), |(run, lang)| {
            run.shown
                .then(|| codegen::generate(&run.statements, *lang, &codegen::Options::default()))
        })
    };
    use_focus(&props.run, &written, chosen.clone());
    let list = use_node_ref();
    let view = (props.run.shown, *lang, *chosen, props.run.statements.len());
    use_scroll_to_reached(list.clone(), view);
    match &*written {
        Some(g) => view_body(props, g, lang, chosen, list),
        None => html! {},
    }
}

/// A process card's "Program" button (the page sends the process and counts the
/// presses): that process's program is chosen, once per press, as soon as the
/// programs are written (a press may arrive before the panel is open).
#[hook]
fn use_focus(run: &Run, written: &Rc<Option<Generated>>, chosen: UseStateHandle<usize>) {
    let programs = written.clone();
    let applied = use_mut_ref(|| 0u32);
    use_effect_with((run.focus.clone(), run.shown), move |(focus, _)| {
        let (Some((proc, n)), Some(g)) = (focus, programs.as_ref()) else {
            return;
        };
        if *applied.borrow() == *n {
            return;
        }
        *applied.borrow_mut() = *n;
        if let Some(i) = g.programs.iter().position(|p| p.procs.contains(proc)) {
            chosen.set(i);
        }
    });
}

/// Brings the reached line into the listing's view after something ran, the panel
/// opened, or the learner chose another program or language; scrolling by hand in
/// between stays put.
#[hook]
fn use_scroll_to_reached(list: NodeRef, view: (bool, Lang, usize, usize)) {
    use_effect_with(view, move |_| {
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
    props: &ProgramBodyProps,
    generated: &Generated,
    lang: UseStateHandle<Lang>,
    chosen: UseStateHandle<usize>,
    list: NodeRef,
) -> Html {
    let programs = &generated.programs;
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
                { download_button(props, program) }
            </div>
            { listing(props, program, reached(generated, index), list) }
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

fn download_button(props: &ProgramBodyProps, program: &Program) -> Html {
    let (text, name) = (program.text(), program.file_name.clone());
    let on_notice = props.on_notice.clone();
    let label = format!("Download {name}");
    let onclick = Callback::from(move |_: MouseEvent| {
        if let Err(why) = download::save(text.as_bytes(), &name, "text/plain") {
            on_notice.emit(format!("The program could not be saved: {why}"));
        }
    });
    html! {
        <button type="button" {onclick} data-testid="program-download">{ label }</button>
    }
}

/// The statement of the last call program `index` has made (other processes' calls
/// appear in it too, as comments, and do not count).
pub fn reached(generated: &Generated, index: usize) -> Option<usize> {
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
    props: &ProgramBodyProps,
    program: &Program,
    reached: Option<usize>,
    list: NodeRef,
) -> Html {
    let returnable = &props.run.returnable;
    html! {
        <ol ref={list} class="program-lines" data-testid="program-lines" aria-label={program.file_name.clone()}>
            { for program.lines.iter().enumerate().map(|(i, line)| {
                let here = line.stmt.is_some() && line.stmt == reached;
                let back = line.stmt.filter(|&s| returnable.get(s).copied().unwrap_or(false));
                html! {
                    <li class={classes!(here.then_some("reached"))} data-testid={here.then_some("program-reached")}>
                        { line_number(&props.on_seek, i + 1, back) }
                        <code>{ line.text.clone() }</code>
                    </li>
                }
            }) }
        </ol>
    }
}

/// A line's number: a button that goes back to just after its statement ran, where
/// there is such a moment.
fn line_number(on_seek: &Callback<usize>, n: usize, stmt: Option<usize>) -> Html {
    match stmt {
        Some(s) => {
            let on_seek = on_seek.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_seek.emit(s));
            html! {
                <button type="button" class="line-number" {onclick}
                    title="Go back to just after this line ran" aria-label={format!("line {n}: go back to just after it ran")}>{ n }</button>
            }
        }
        None => html! { <span class="line-number" aria-hidden="true">{ n }</span> },
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use sockscope_scenario::{parse, Stmt};
    use std::path::Path;

    /// Every scenario the project ships: tours, exercises, examples.
    fn shipped() -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenario");
        let mut out = Vec::new();
        for dir in ["tours", "exercises", "examples"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .expect("the scenarios are there")
                .map(|e| e.expect("a directory entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "scn"))
                .collect();
            files.sort();
            for f in files {
                let text = std::fs::read_to_string(&f).expect("readable");
                out.push((f.display().to_string(), text));
            }
        }
        assert!(out.len() > 20, "found only {} scenarios", out.len());
        out
    }

    fn sent(statements: &[Statement]) -> String {
        ProgramRun {
            shown: true,
            statements: statements.iter().map(|s| s.to_string()).collect(),
            returnable: vec![true; statements.len()],
            focus: None,
        }
        .to_json()
    }

    #[test]
    fn statements_sent_as_text_write_the_same_programs_as_the_statements_themselves() {
        for (name, text) in shipped() {
            let statements = parse(&text)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .statements;
            let run = parse_run(&sent(&statements)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(run.statements.len(), statements.len(), "{name}");
            for (a, b) in run.statements.iter().zip(&statements) {
                assert_eq!(a.kind, b.kind, "{name}: {b}");
            }
            for lang in Lang::ALL {
                let options = codegen::Options::default();
                assert_eq!(
                    codegen::generate(&run.statements, lang, &options),
                    codegen::generate(&statements, lang, &options),
                    "{name} in {lang}"
                );
            }
        }
    }

    #[test]
    fn a_question_asked_twice_at_the_console_still_reads_back() {
        let twice = parse("host A 10.0.0.1\nask s state A c")
            .expect("parses")
            .statements;
        assert!(matches!(twice[1].kind, Stmt::Ask(_)));
        let both = [twice[0].clone(), twice[1].clone(), twice[1].clone()];
        assert_eq!(parse_run(&sent(&both)).expect("read").statements.len(), 3);
    }

    #[test]
    fn what_is_not_one_statement_is_refused_with_a_sentence() {
        let json = r#"{"shown":true,"statements":["host A 10.0.0.1\nhost B 10.0.0.2"],"returnable":[true],"focus":null}"#;
        let err = parse_run(json).unwrap_err();
        assert!(err.contains("reads back as 2 statements"), "{err}");
        let err = parse_run("not json").unwrap_err();
        assert!(err.starts_with("the run could not be read"), "{err}");
    }

    #[test]
    fn what_the_page_sends_is_what_the_session_ran_with_the_moments_it_can_go_back_to() {
        let mut s = crate::session::Session::default_world();
        s.line("client: c = socket(TCP); connect(c, 10.0.0.2:80)")
            .expect("taken");
        let focus = Some((ProcRef::host("client"), 2));
        let run = parse_run(&ProgramRun::of(&s, focus.clone()).to_json()).expect("read");
        let ran = s.ran();
        assert!(run.shown);
        assert_eq!(run.focus, focus);
        let kinds: Vec<_> = ran.iter().map(|r| &r.statement.kind).collect();
        assert_eq!(
            run.statements.iter().map(|s| &s.kind).collect::<Vec<_>>(),
            kinds
        );
        let returnable: Vec<bool> = ran.iter().map(|r| r.moment.is_some()).collect();
        assert_eq!(run.returnable, returnable);
        // The default world's own statements cannot be returned to; the learner's can.
        assert!(returnable.contains(&false) && returnable.last() == Some(&true));
        let g = codegen::generate(&run.statements, Lang::C, &codegen::Options::default());
        let client = g
            .programs
            .iter()
            .position(|p| p.procs.contains(&ProcRef::host("client")))
            .expect("the client has a program");
        let last = reached(&g, client).expect("the client has made calls");
        assert!(run.statements[last].to_string().contains("connect("));
    }
}
