//! The `netstat -a` panel of one host, in the exact layout of MODEL.md §1.

use sockscope_engine::snapshot::{netstat_text, HostView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NetstatProps {
    pub host: HostView,
}

#[component]
pub fn Netstat(props: &NetstatProps) -> Html {
    let host = &props.host;
    let addrs: Vec<String> = host.addrs.iter().map(|a| a.to_string()).collect();
    html! {
        <section class="netstat" aria-label={format!("netstat on {}", host.name)}>
            <h3>
                <span class="host-name">{ &host.name }</span>
                <span class="host-addrs">{ addrs.join(", ") }</span>
                <code class="prompt">{ "$ netstat -a" }</code>
            </h3>
            <pre data-testid={format!("netstat-{}", host.name)}>{ netstat_text(&host.netstat) }</pre>
        </section>
    }
}
