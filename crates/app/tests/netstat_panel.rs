//! Component tests: render into a real DOM in headless Chrome and read it back.
#![cfg(target_arch = "wasm32")]

use sockscope_app::components::netstat::{Netstat, NetstatProps};
use sockscope_app::session::Session;
use sockscope_engine::snapshot::HostView;
use sockscope_engine::Layout;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

/// Lets Yew's scheduler run the first render.
async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(10)).await;
}

#[wasm_bindgen_test]
async fn netstat_panel_shows_the_listening_row_of_the_engine_snapshot() {
    let session = Session::default_world();
    let world = session.world();
    let server = world.host_by_name("server").unwrap();
    let host = world
        .snapshot()
        .hosts
        .into_iter()
        .find(|h| h.id == server)
        .unwrap();
    let root = mount_point();
    yew::Renderer::<Netstat>::with_root_and_props(
        root.clone(),
        NetstatProps {
            host,
            hovered: None,
            layout: None,
        },
    )
    .render();
    settle().await;
    let pre = root
        .query_selector("[data-testid=netstat-server]")
        .unwrap()
        .expect("panel rendered");
    let text = pre.text_content().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
    );
    assert_eq!(
        lines[1],
        "tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN"
    );
    assert!(root.text_content().unwrap().contains("10.0.0.2"));
}

#[wasm_bindgen_test]
async fn app_renders_one_panel_per_host() {
    let root = mount_point();
    yew::Renderer::<sockscope_app::app::App>::with_root(root.clone()).render();
    settle().await;
    let panels = root.query_selector_all("section.netstat").unwrap();
    assert_eq!(panels.length(), 2);
}

/// The server of the default world, as the engine's snapshot has it.
fn default_server() -> HostView {
    let session = Session::default_world();
    let world = session.world();
    let server = world.host_by_name("server").unwrap();
    world
        .snapshot()
        .hosts
        .into_iter()
        .find(|h| h.id == server)
        .unwrap()
}

fn lines_of(root: &web_sys::Element, selector: &str) -> Vec<String> {
    let el = root.query_selector(selector).unwrap().expect(selector);
    let text = el.text_content().unwrap();
    text.lines().map(str::to_string).collect()
}

fn click(root: &web_sys::Element, selector: &str) {
    let el: web_sys::HtmlElement = root
        .query_selector(selector)
        .unwrap()
        .expect(selector)
        .dyn_into()
        .unwrap();
    el.click();
}

#[wasm_bindgen_test]
async fn netstat_panel_prints_the_ss_layout_when_asked() {
    let root = mount_point();
    yew::Renderer::<Netstat>::with_root_and_props(
        root.clone(),
        NetstatProps {
            host: default_server(),
            hovered: None,
            layout: Some(Layout::Ss),
        },
    )
    .render();
    settle().await;
    let lines = lines_of(&root, "[data-testid=netstat-server]");
    assert_eq!(
        lines[..2],
        [
            "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess",
            "LISTEN 0      5            0.0.0.0:80        0.0.0.0:*",
        ]
    );
    assert_eq!(
        root.query_selector("[data-testid=table-command-server]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "$ ss -tan"
    );
}

#[wasm_bindgen_test]
async fn the_table_choice_switches_every_hosts_table_and_back() {
    let root = mount_point();
    yew::Renderer::<sockscope_app::app::App>::with_root(root.clone()).render();
    settle().await;
    click(&root, "[data-testid=table-ss]");
    settle().await;
    for host in ["client", "server"] {
        let lines = lines_of(&root, &format!("[data-testid=netstat-{host}]"));
        assert!(lines[0].starts_with("State "), "{host}: {lines:?}");
    }
    assert!(lines_of(&root, "[data-testid=netstat-server]")[1].starts_with("LISTEN 0      5 "));
    let pressed = |id: &str| {
        root.query_selector(&format!("[data-testid=table-{id}]"))
            .unwrap()
            .unwrap()
            .get_attribute("aria-pressed")
    };
    assert_eq!(pressed("ss").as_deref(), Some("true"));
    assert_eq!(pressed("netstat").as_deref(), Some("false"));
    click(&root, "[data-testid=table-netstat]");
    settle().await;
    assert!(lines_of(&root, "[data-testid=netstat-server]")[0].starts_with("Proto "));
}
