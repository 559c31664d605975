//! Small formatting helpers shared by components.

use sockscope_engine::Micros;

/// `0.150 s`, `1 min 2.0 s`.
pub fn format_time(us: Micros) -> String {
    let s = us as f64 / 1e6;
    if s >= 60.0 {
        format!("{} min {:.1} s", (s / 60.0).floor(), s % 60.0)
    } else {
        format!("{s:.3} s")
    }
}

/// The pattern/colour class of a send() tag: eight styles that differ in pattern as
/// well as hue, so they read in greyscale too.
pub fn tag_class(tag: u32) -> String {
    format!("tag tag-{}", tag % 8)
}

/// Reads `*:80`, `10.0.0.2:80` or `[2001:db8::1]:22` from a form field.
pub fn parse_endpoint(text: &str) -> Result<sockscope_engine::Endpoint, String> {
    let t = text.trim();
    let (ip, port) = t
        .rsplit_once(':')
        .ok_or_else(|| format!("“{t}” needs the form address:port, e.g. *:80 or 10.0.0.2:80"))?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("“{port}” is not a port number (0 to 65535)"))?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let ip = match ip {
        "*" | "" => None,
        ip => Some(
            ip.parse()
                .map_err(|_| format!("“{ip}” is not an IPv4 or IPv6 address"))?,
        ),
    };
    Ok(sockscope_engine::Endpoint::new(
        ip,
        (port != 0).then_some(port),
    ))
}

/// Like `parse_endpoint`, but both fields must be given (a destination).
pub fn parse_destination(text: &str) -> Result<std::net::SocketAddr, String> {
    let e = parse_endpoint(text)?;
    match (e.ip, e.port) {
        (Some(ip), Some(port)) => Ok(std::net::SocketAddr::new(ip, port)),
        _ => Err(format!(
            "“{}” must name an address and a port, e.g. 10.0.0.2:80",
            text.trim()
        )),
    }
}

/// The current value of a form field (an input or a select), read from the DOM when
/// a form is submitted, so that what the learner typed is what counts.
pub fn field_value(node: &yew::NodeRef) -> Option<String> {
    if let Some(i) = node.cast::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    node.cast::<web_sys::HtmlSelectElement>().map(|s| s.value())
}
