//! `cargo xtask bench`: shipped size plus the engine's own measurements,
//! collected into `target/bench.json` for tracking over time.

use crate::cmd::{self, cargo, Res};
use crate::{dist, tools};
use std::path::Path;

/// One figure, printed by the bench as `name value unit`.
struct Metric {
    name: String,
    value: f64,
    unit: String,
}

pub fn run() -> Res<()> {
    tools::ensure_for_dist()?;
    let shipped_gz = dist::build()?;
    // A failing bench still reports the dist figure, then fails the command.
    let (mut metrics, bench_result) = engine_bench();
    metrics.push(Metric {
        name: "shipped_gz_bytes".into(),
        value: shipped_gz as f64,
        unit: "bytes".into(),
    });
    println!("\n==> bench results");
    for m in &metrics {
        println!("{} {} {}", m.name, m.value, m.unit);
    }
    let json = Path::new("target").join("bench.json");
    std::fs::create_dir_all("target").map_err(|e| format!("cannot create target/: {e}"))?;
    std::fs::write(&json, to_json(&metrics))
        .map_err(|e| format!("cannot write {}: {e}", json.display()))?;
    println!("wrote {}", json.display());
    bench_result
}

/// Runs the engine bench if it exists yet; returns what it measured.
fn engine_bench() -> (Vec<Metric>, Res<()>) {
    let engine = Path::new("crates/engine");
    let declared = std::fs::read_to_string(engine.join("Cargo.toml"))
        .is_ok_and(|toml| toml.contains("[[bench]]") && toml.contains("name = \"engine\""));
    let exists = declared
        || engine.join("benches/engine.rs").exists()
        || engine.join("benches/engine/main.rs").exists();
    if !exists {
        println!("\nengine bench not found (crates/engine/benches/engine.rs); reporting the dist size only");
        return (Vec::new(), Ok(()));
    }
    let out = cmd::run_tee(cargo().args(["bench", "-p", "sockscope-engine", "--bench", "engine"]));
    match out {
        Ok(out) => {
            let result = if out.ok { Ok(()) } else { Err(out.failure) };
            (
                out.stdout.lines().filter_map(parse_metric).collect(),
                result,
            )
        }
        Err(e) => (Vec::new(), Err(e)),
    }
}

/// Accepts exactly `name value unit` with a JSON-safe name/unit and a finite value;
/// anything else on stdout (banners, notes) is ignored.
fn parse_metric(line: &str) -> Option<Metric> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [name, value, unit] = words[..] else {
        return None;
    };
    let safe = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./%".contains(c))
    };
    let value: f64 = value.parse().ok().filter(|v: &f64| v.is_finite())?;
    (safe(name) && safe(unit)).then(|| Metric {
        name: name.into(),
        value,
        unit: unit.into(),
    })
}

/// `{"name": {"value": v, "unit": "u"}, ...}`; a later duplicate name wins.
fn to_json(metrics: &[Metric]) -> String {
    let mut entries: Vec<(&str, String)> = Vec::new();
    for m in metrics {
        let entry = format!("{{\"value\": {}, \"unit\": \"{}\"}}", m.value, m.unit);
        entries.retain(|(name, _)| *name != m.name);
        entries.push((&m.name, entry));
    }
    let body: Vec<String> = entries
        .iter()
        .map(|(n, e)| format!("  \"{n}\": {e}"))
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_metric_lines_only() {
        let m = parse_metric("bulk_1gib_ms 812.3 ms").unwrap();
        assert_eq!(
            (m.name.as_str(), m.value, m.unit.as_str()),
            ("bulk_1gib_ms", 812.3, "ms")
        );
        assert!(parse_metric("Running benches/engine.rs").is_none());
        assert!(parse_metric("x NaN ms").is_none());
        assert!(parse_metric("a\"b 1 ms").is_none());
    }

    #[test]
    fn writes_json() {
        let m = |n: &str, v| Metric {
            name: n.into(),
            value: v,
            unit: "ms".into(),
        };
        let json = to_json(&[m("a", 1.5), m("b", 2.0), m("a", 3.0)]);
        assert_eq!(json, "{\n  \"b\": {\"value\": 2, \"unit\": \"ms\"},\n  \"a\": {\"value\": 3, \"unit\": \"ms\"}\n}\n");
    }
}
