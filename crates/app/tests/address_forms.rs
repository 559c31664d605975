//! The call forms in headless Chrome: the wildcard written as C writes it and
//! IPV6_V6ONLY, through the form's fields, read back from netstat.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
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

/// Sets a select the way a user does: the value, then `change`.
fn choose(root: &web_sys::Element, selector: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    select.dispatch_event(&event).unwrap();
}

fn type_into(root: &web_sys::Element, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement = find(root, selector).dyn_into().unwrap();
    input.set_value(value);
}

async fn app() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<sockscope_app::app::App>::with_root(root.clone()).render();
    settle().await;
    root
}

/// Makes `kind` with its first field set to `a`, if given.
async fn call(root: &web_sys::Element, kind: &str, a: Option<&str>) {
    choose(root, "[data-testid=call-kind-0]", kind);
    settle().await;
    if let Some(a) = a {
        type_into(root, &format!("#f1-0-{kind}"), a);
    }
    find(root, "[data-testid=call-go-0]").click();
    settle().await;
}

#[wasm_bindgen_test]
async fn the_forms_bind_0_0_0_0_and_the_ipv6_wildcard() {
    let root = app().await;
    call(&root, "socket", None).await;
    call(&root, "bind", Some("0.0.0.0:81")).await;
    let netstat = text(&root, "[data-testid=netstat-client]");
    assert!(
        netstat
            .contains("tcp        0      0 0.0.0.0:81              0.0.0.0:*               CLOSED"),
        "{netstat}"
    );
    choose(&root, "[data-testid=call-kind-0]", "socket");
    settle().await;
    choose(&root, "#f2-0-socket", "AF_INET6");
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    choose(&root, "[data-testid=call-kind-0]", "setsockopt");
    settle().await;
    choose(&root, "#f1-0-setsockopt", "IPV6_V6ONLY");
    type_into(&root, "#f2-0-setsockopt", "1");
    find(&root, "[data-testid=call-go-0]").click();
    settle().await;
    call(&root, "bind", Some("[::]:81")).await;
    let netstat = text(&root, "[data-testid=netstat-client]");
    assert!(
        netstat
            .contains("tcp6       0      0 :::81                   :::*                    CLOSED"),
        "IPV6_V6ONLY lets [::]:81 sit beside 0.0.0.0:81: {netstat}"
    );
}
