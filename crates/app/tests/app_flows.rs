//! The whole app in headless Chrome: click its controls and read the DOM back.
#![cfg(target_arch = "wasm32")]

use sockscope_app::components::queue_bar::{QueueBar, QueueBarProps};
use sockscope_engine::queue::Run;
use sockscope_engine::SendTag;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

/// Lets the app finish drawing. Three short waits, one after another, not one: the
/// app draws what can wait one task later, and on a busy machine a timer that is
/// already due can run before tasks queued after it was set (as Firefox does), so
/// one wait may end before that second drawing.
async fn settle() {
    for _ in 0..3 {
        yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn find(root: &web_sys::Element, selector: &str) -> web_sys::HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .dyn_into()
        .unwrap()
}

fn text(root: &web_sys::Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

/// The value a select shows.
fn chosen(root: &web_sys::Element, selector: &str) -> String {
    let select: web_sys::HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.value()
}

/// Picks an option of a select the way a user does: set the value, fire `change`.
fn choose(root: &web_sys::Element, selector: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    select.dispatch_event(&event).unwrap();
}

async fn app() -> web_sys::Element {
    let root = mount_point();
    yew::Renderer::<sockscope_app::app::App>::with_root(root.clone()).render();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn socket_button_creates_a_closed_structure_in_netstat() {
    let root = app().await;
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    let netstat = text(&root, "[data-testid=netstat-client]");
    assert!(
        netstat
            .contains("tcp        0      0 0.0.0.0:*               0.0.0.0:*               CLOSED"),
        "{netstat}"
    );
    assert!(text(&root, "[data-testid=host-client]").contains("#1"));
}

#[wasm_bindgen_test]
async fn connect_blocks_then_the_handshake_establishes_it() {
    let root = app().await;
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    choose(&root, "[data-testid=call-kind-0]", "connect");
    settle().await;
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    assert!(text(&root, "[data-testid=proc-0]").contains("Blocked in connect(3, 10.0.0.2:80)"));
    assert!(text(&root, "[data-testid=netstat-client]").contains("SYN_SENT"));
    find(&root, "[data-testid=run-idle]").click();
    settle().await;
    assert!(text(&root, "[data-testid=netstat-client]").contains("ESTABLISHED"));
    assert!(text(&root, "[data-testid=netstat-server]").contains("10.0.0.1:32768"));
    assert!(text(&root, "[data-testid=narration]").contains("connect(3, 10.0.0.2:80) returned 0"));
    // The ladder drew the three segments of the handshake.
    assert_eq!(
        root.query_selector_all("[data-testid=ladder] g.seg")
            .unwrap()
            .length(),
        3
    );
}

#[wasm_bindgen_test]
async fn step_back_undoes_the_last_call() {
    let root = app().await;
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    assert!(text(&root, "[data-testid=netstat-client]").contains("CLOSED"));
    find(&root, "[data-testid=step-back]").click();
    settle().await;
    assert!(!text(&root, "[data-testid=netstat-client]").contains("CLOSED"));
}

#[wasm_bindgen_test]
async fn a_bad_address_shows_a_notice_and_changes_nothing() {
    let root = app().await;
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    choose(&root, "[data-testid=call-kind-0]", "connect");
    settle().await;
    let input: web_sys::HtmlInputElement = find(&root, "#f1-0-connect").dyn_into().unwrap();
    input.set_value("10.0.0.2:http");
    let before = text(&root, "[data-testid=netstat-client]");
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    assert!(text(&root, "[data-testid=notice]").contains("is not a port number"));
    assert_eq!(text(&root, "[data-testid=netstat-client]"), before);
}

#[wasm_bindgen_test]
async fn queue_bar_draws_runs_to_scale_against_capacity() {
    let root = mount_point();
    let props = QueueBarProps {
        label: "RecvQ".into(),
        runs: vec![
            Run {
                tag: SendTag(1),
                len: 1000,
            },
            Run {
                tag: SendTag(2),
                len: 500,
            },
        ],
        len: 1500,
        capacity: Some(2000),
        scale: 0,
        in_flight: 0,
    };
    yew::Renderer::<QueueBar>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let spans = root.query_selector_all(".queue-bar .tag").unwrap();
    assert_eq!(spans.length(), 2);
    let style = |i| {
        spans
            .item(i)
            .unwrap()
            .dyn_into::<web_sys::Element>()
            .unwrap()
            .get_attribute("style")
            .unwrap()
    };
    assert_eq!(style(0), "width: 50.000%");
    assert_eq!(style(1), "width: 25.000%");
    assert!(root.text_content().unwrap().contains("1500 / 2000"));
}

#[wasm_bindgen_test]
async fn console_lines_run_in_the_scenario_language() {
    let root = app().await;
    let input: web_sys::HtmlInputElement = find(&root, "[data-testid=console-input]")
        .dyn_into()
        .unwrap();
    input.set_value("client: c = socket(TCP); connect(c, 10.0.0.2:80)");
    find(&root, "[data-testid=console-run]").click();
    settle().await;
    // A blocking call in the console lets the network run until it returns.
    assert!(text(&root, "[data-testid=netstat-client]").contains("ESTABLISHED"));
    assert!(text(&root, "[data-testid=console-log]").contains("connect(c, 10.0.0.2:80)"));
    input.set_value("client: send(c, 10");
    find(&root, "[data-testid=console-run]").click();
    settle().await;
    assert!(
        text(&root, "[data-testid=notice]").contains("1:"),
        "a parse error names its position"
    );
}

/// Puts the tours' texts inside the page, as the single-file build does
/// (`sockscopeTours`), or none of them; the end-to-end tests fetch them from dist/.
fn inline_tours(with_texts: bool) {
    let texts = js_sys::Object::new();
    if with_texts {
        for t in sockscope_scenario::tours::ALL
            .iter()
            .chain(sockscope_scenario::tours::EXERCISES)
        {
            js_sys::Reflect::set(&texts, &t.file.into(), &t.text.into()).unwrap();
        }
    }
    js_sys::Reflect::set(&js_sys::global(), &"sockscopeTours".into(), &texts).unwrap();
}

async fn app_with(query: &str, fragment: &str) -> web_sys::Element {
    inline_tours(true);
    let root = mount_point();
    let props = sockscope_app::app::AppProps {
        query: query.to_string().into(),
        fragment: fragment.to_string().into(),
        whole_page: false,
        on_event: None,
    };
    yew::Renderer::<sockscope_app::app::App>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn a_tour_link_opens_the_tour_at_its_step() {
    let root = app_with("?tour=byte-stream&step=3", "").await;
    assert!(
        text(&root, "[data-testid=tour]").contains("byte stream"),
        "{}",
        text(&root, "[data-testid=tour]")
    );
    assert!(text(&root, "[data-testid=tour-step]").starts_with("step 3 of "));
    assert!(!text(&root, "[data-testid=tour-text]").is_empty());
}

#[wasm_bindgen_test]
async fn a_tour_whose_text_cannot_be_had_leaves_the_default_world_and_says_why() {
    let root = app_with("?tour=deadlock&step=2", "").await;
    inline_tours(false);
    choose(&root, "[data-testid=tour-picker]", "udp");
    settle().await;
    let notice = text(&root, "[data-testid=notice]");
    assert!(
        notice.contains("could not be loaded") && notice.contains("tours/udp.scn"),
        "{notice}"
    );
    // The deadlock tour from the link is still there, at its step.
    assert!(text(&root, "[data-testid=tour-step]").starts_with("step 2 of "));
}

/// The app opened by a link to the UDP tour whose text is held back: the page, and
/// what lets the text come.
async fn app_awaiting_the_udp_tour() -> (web_sys::Element, js_sys::Function) {
    let mut release = None;
    let held = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
    let texts = js_sys::Object::new();
    let udp = sockscope_scenario::tours::find("udp").unwrap();
    js_sys::Reflect::set(&texts, &udp.file.into(), &held).unwrap();
    js_sys::Reflect::set(&js_sys::global(), &"sockscopeTours".into(), &texts).unwrap();
    let root = mount_point();
    let props = sockscope_app::app::AppProps {
        query: "?tour=udp".into(),
        ..Default::default()
    };
    yew::Renderer::<sockscope_app::app::App>::with_root_and_props(root.clone(), props).render();
    settle().await;
    (root, release.unwrap())
}

const WORLD_PARTS: [&str; 3] = ["main.stage", "[data-testid=netstat]", ".lower"];

#[wasm_bindgen_test]
async fn the_default_world_cannot_be_used_while_the_linked_tour_is_on_its_way() {
    let (root, release) = app_awaiting_the_udp_tour().await;
    assert!(text(&root, "[data-testid=notice]").contains("Opening the tour"));
    for part in WORLD_PARTS {
        let el = find(&root, part);
        assert!(
            el.has_attribute("inert"),
            "{part} is usable while the tour opens"
        );
        assert_eq!(
            el.get_attribute("aria-busy").as_deref(),
            Some("true"),
            "{part}"
        );
    }
    // The top bar stays usable, and names the tour that is coming; Reset gives up waiting.
    assert!(!find(&root, "[data-testid=reset]").has_attribute("inert"));
    assert_eq!(chosen(&root, "[data-testid=tour-picker]"), "udp");
    let udp = sockscope_scenario::tours::find("udp").unwrap();
    release
        .call1(&wasm_bindgen::JsValue::NULL, &udp.text.into())
        .unwrap();
    settle().await;
    assert!(text(&root, "[data-testid=tour]").contains(udp.title));
    for part in WORLD_PARTS {
        assert!(!find(&root, part).has_attribute("inert"), "{part}");
    }
}

#[wasm_bindgen_test]
async fn a_reset_while_the_linked_tour_is_on_its_way_keeps_the_default_world() {
    let (root, release) = app_awaiting_the_udp_tour().await;
    assert_eq!(chosen(&root, "[data-testid=tour-picker]"), "udp");
    find(&root, "[data-testid=reset]").click();
    settle().await;
    assert_eq!(
        chosen(&root, "[data-testid=tour-picker]"),
        "",
        "the picker still names a tour the learner gave up"
    );
    for part in WORLD_PARTS {
        assert!(!find(&root, part).has_attribute("inert"), "{part}");
    }
    let udp = sockscope_scenario::tours::find("udp").unwrap();
    release
        .call1(&wasm_bindgen::JsValue::NULL, &udp.text.into())
        .unwrap();
    settle().await;
    assert!(
        root.query_selector("[data-testid=tour]").unwrap().is_none(),
        "the tour opened after the learner reset"
    );
}

#[wasm_bindgen_test]
async fn bad_step_values_open_the_tour_with_a_notice() {
    for (query, step, says) in [
        (
            "?tour=byte-stream&step=-1",
            "step 0 of",
            "not a step number",
        ),
        (
            "?tour=byte-stream&step=abc",
            "step 0 of",
            "not a step number",
        ),
        ("?tour=byte-stream&step=500", "", "there is no step 500"),
    ] {
        let root = app_with(query, "").await;
        let notice = text(&root, "[data-testid=notice]");
        assert!(notice.contains(says), "{query}: {notice}");
        let counter = text(&root, "[data-testid=tour-step]");
        assert!(counter.starts_with(step), "{query}: {counter}");
        if step.is_empty() {
            // At the end: step M of M, and Next says the tour is over.
            let (n, m) = counter
                .trim_start_matches("step ")
                .split_once(" of ")
                .unwrap();
            assert_eq!(n, m, "{counter}");
            assert!(text(&root, "[data-testid=tour-next]").contains("over"));
        }
    }
}

/// A small tour of our own with parts (`section` lines), shown in the tour panel.
const PARTS: &str = "\
host A 10.0.0.1
host B 10.0.0.2
section Setting up
say B listens on port 7.
B: l = socket(TCP); bind(l, *:7); listen(l, 5)
say A connects.
A: c = socket(TCP); connect(c, 10.0.0.2:7)
B: s = accept(l)
section Sending
say A sends 300 bytes.
expect A: send(c, 300) == 300
net: run
say B reads them.
expect B: recv(s, 1000) == 300
";

mod parts_tour {
    use sockscope_app::components::tour::TourPanel;
    use sockscope_app::session::Session;
    use sockscope_app::state::Ctx;
    use sockscope_app::state::{State, TourInfo};
    use yew::prelude::*;

    /// The tour panel alone, following `PARTS` as a tour.
    #[component]
    pub fn PartsTour() -> Html {
        let ctx = use_reducer(|| {
            let scenario = sockscope_scenario::parse(super::PARTS).unwrap();
            State {
                tour: Some(TourInfo::new("parts", "Parts", &scenario)),
                ..State::from_session(Session::tour(&scenario))
            }
        });
        html! {
            <ContextProvider<Ctx> context={ctx}>
                <TourPanel />
            </ContextProvider<Ctx>>
        }
    }
}

fn current_parts(root: &web_sys::Element) -> Vec<String> {
    let list = root
        .query_selector_all("[data-testid=tour-parts] [aria-current]")
        .unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn the_parts_of_a_tour_are_listed_marked_and_jumped_to() {
    let root = mount_point();
    yew::Renderer::<parts_tour::PartsTour>::with_root(root.clone()).render();
    settle().await;
    let parts = text(&root, "[data-testid=tour-parts]");
    assert!(
        parts.contains("Setting up") && parts.contains("Sending"),
        "{parts}"
    );
    assert!(
        current_parts(&root).is_empty(),
        "no part is current before the first step"
    );
    assert_eq!(text(&root, "[data-testid=tour-step]"), "step 0 of 4");

    find(&root, "[data-testid=tour-next]").click();
    settle().await;
    assert_eq!(current_parts(&root), ["Setting up"]);
    assert_eq!(
        text(&root, "[data-testid=tour-text]"),
        "B listens on port 7."
    );
    // The hint names the calls of the next step, never the value a check expects.
    let hint = text(&root, "[data-testid=tour-hint]");
    assert!(hint.contains("A: connect(c, 10.0.0.2:7)"), "{hint}");

    find(&root, "[data-testid=tour-parts] li:nth-child(2) button").click();
    settle().await;
    assert_eq!(current_parts(&root), ["Sending"]);
    assert_eq!(text(&root, "[data-testid=tour-step]"), "step 3 of 4");
    assert_eq!(text(&root, "[data-testid=tour-text]"), "A sends 300 bytes.");
    let hint = text(&root, "[data-testid=tour-hint]");
    assert_eq!(hint, "Next step runs B: recv(s, 1000)");

    // Back to the first part, then one statement at a time.
    find(&root, "[data-testid=tour-parts] li:nth-child(1) button").click();
    settle().await;
    assert_eq!(current_parts(&root), ["Setting up"]);
    find(&root, "[data-testid=tour-single]").click();
    settle().await;
    // Counted by statement, the first moment ends after 5 statements.
    assert_eq!(text(&root, "[data-testid=tour-step]"), "step 5 of 15");
    find(&root, "[data-testid=tour-next]").click();
    settle().await;
    assert_eq!(text(&root, "[data-testid=tour-step]"), "step 6 of 15");
    find(&root, "[data-testid=tour-prev]").click();
    settle().await;
    assert_eq!(text(&root, "[data-testid=tour-step]"), "step 5 of 15");
}

#[wasm_bindgen_test]
async fn a_bad_link_shows_a_notice_and_the_default_view() {
    let root = app_with("?tour=nope&speed=99&controls=wild", "#garbage").await;
    let notice = text(&root, "[data-testid=notice]");
    assert!(notice.contains("no tour called “nope”"), "{notice}");
    assert!(notice.contains("speed="), "{notice}");
    assert!(text(&root, "[data-testid=netstat-server]").contains("LISTEN"));
}
