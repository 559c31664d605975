//! Component tests: render into a real DOM in headless Chrome and read it back.
#![cfg(target_arch = "wasm32")]

use sockscope_app::components::netstat::{Netstat, NetstatProps};
use sockscope_app::session::Session;
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
