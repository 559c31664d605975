//! Options from the page's URL (a shared link or an embedding course page):
//! `?tour=NAME&step=N&single=1&controls=full|minimal|none&theme=light|dark|system&autoplay=1&speed=2`
//! `&table=netstat|ss&behaviour=textbook|linux`
//! and a scenario in the fragment: `#scenario=<percent-encoded text>`.
//! A bad parameter is reported and ignored; the rest still applies.

use crate::state::SPEED_RANGE;
use crate::theme::Theme;
use sockscope_engine::{Behaviour, Layout};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlsMode {
    /// Everything: forms, console, network knobs.
    Full,
    /// Time controls and the tour only (a course page's figure).
    Minimal,
    /// No controls at all: an animation that plays by itself.
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub tour: Option<String>,
    /// Presses of "Next step" from the tour's start (0: before its first step).
    pub step: usize,
    /// `single=1`: the tour steps one statement at a time, and `step` counts statements.
    pub single: bool,
    pub controls: ControlsMode,
    pub theme: Theme,
    pub autoplay: bool,
    pub speed: f64,
    pub scenario: Option<String>,
    /// `behaviour=linux`: the world behaves as Linux where it differs from the textbook.
    pub behaviour: Behaviour,
    /// `debug=panic`: panic on purpose once mounted, to prove the error panel works.
    pub debug_panic: bool,
    /// `fuzz=1&seed=N`: the page drives itself with random actions (robustness tests).
    pub fuzz: Option<u64>,
    /// `table=netstat|ss`: how every host's table is printed.
    pub table: Layout,
    /// `seed=N`: the numbers a tour or exercise with `param` lines draws (also the
    /// fuzzer's seed with `fuzz=1`).
    pub seed: Option<u64>,
    /// One sentence per parameter that was not understood.
    pub problems: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tour: None,
            step: 0,
            single: false,
            controls: ControlsMode::Full,
            theme: Theme::System,
            autoplay: false,
            speed: 1.0,
            scenario: None,
            behaviour: Behaviour::Textbook,
            debug_panic: false,
            fuzz: None,
            table: Layout::Netstat,
            seed: None,
            problems: Vec::new(),
        }
    }
}

/// Decodes `%41` escapes and `+` (as a space); invalid escapes stay as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes text so it survives in a URL query or fragment.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Whether the query turns fuzzing on (`seed` alone does not).
fn query_has_fuzz(query: &str) -> bool {
    query
        .trim_start_matches('?')
        .split('&')
        .any(|p| p.starts_with("fuzz=") && p != "fuzz=0" || p == "fuzz")
}

/// Reads the query (`?a=b&c=d`, with or without `?`) and the fragment (`#scenario=…`).
pub fn parse(query: &str, fragment: &str) -> Options {
    let mut o = Options::default();
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        if let Err(problem) = o.read(key, &percent_decode(raw), query) {
            o.problems.push(problem);
        }
    }
    if o.tour.is_none()
        && query
            .split('&')
            .any(|p| p.trim_start_matches('?').starts_with("step="))
    {
        o.problems.push(
            "step= was ignored: it counts the steps of a tour, and the link names no tour.".into(),
        );
    }
    let fragment = fragment.trim_start_matches('#');
    if let Some(text) = fragment.strip_prefix("scenario=") {
        o.scenario = Some(percent_decode(text));
    } else if !fragment.is_empty() {
        o.problems
            .push("The part after # is not a scenario (it should start with #scenario=).".into());
    }
    o
}

/// A value as a notice quotes it: in quotes, at most 40 characters.
fn shown(v: &str) -> String {
    let v: String = v.chars().take(40).collect();
    format!("“{v}”")
}

/// `1` or `0` (also `true`, `false`, and nothing for on).
fn switch(value: &str) -> Option<bool> {
    match value {
        "1" | "true" | "" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

impl Options {
    /// Takes one parameter of the query; a value that makes no sense is the problem
    /// returned, and changes nothing.
    fn read(&mut self, key: &str, value: &str, query: &str) -> Result<(), String> {
        match key {
            "tour" => self.tour = Some(value.to_string()),
            "step" => {
                self.step = value.parse::<usize>().map_err(|_| format!(
                    "step={} is not a step number (a whole number: 0 is the start of the tour), so the tour opens at its start.",
                    shown(value)
                ))?
            }
            "single" => {
                self.single = switch(value)
                    .ok_or_else(|| format!("single={} should be 1 or 0.", shown(value)))?
            }
            "controls" => self.controls = controls(value)?,
            "theme" => {
                self.theme = Theme::parse(value).ok_or_else(|| {
                    format!(
                        "theme={} is not one of light, dark, system.",
                        shown(value)
                    )
                })?
            }
            "autoplay" => {
                self.autoplay = switch(value)
                    .ok_or_else(|| format!("autoplay={} should be 1 or 0.", shown(value)))?
            }
            "speed" => self.speed = speed(value)?,
            "behaviour" => {
                self.behaviour = value.parse().map_err(|_| {
                    format!(
                        "behaviour={} is not one of textbook, linux.",
                        shown(value)
                    )
                })?
            }
            "debug" => self.debug_panic = value == "panic",
            "fuzz" => {
                if value != "0" {
                    self.fuzz = Some(self.fuzz.unwrap_or(1));
                }
            }
            "seed" => self.read_seed(value, query)?,
            "table" => self.table = table(value)?,
            // Parameters for other tools on the page are not ours to judge.
            "embed" => {}
            _ => {
                return Err(format!(
                    "The parameter {} is unknown and was ignored.",
                    shown(key)
                ))
            }
        }
        Ok(())
    }

    /// `seed=N`: the numbers of `param` lines, and the fuzzer's seed if fuzzing is on.
    fn read_seed(&mut self, value: &str, query: &str) -> Result<(), String> {
        let seed = value
            .parse::<u64>()
            .map_err(|_| format!("seed={} is not a whole number.", shown(value)))?;
        self.seed = Some(seed);
        self.fuzz = self
            .fuzz
            .map(|_| seed)
            .or(Some(seed))
            .filter(|_| query_has_fuzz(query));
        Ok(())
    }
}

fn controls(value: &str) -> Result<ControlsMode, String> {
    match value {
        "full" => Ok(ControlsMode::Full),
        "minimal" => Ok(ControlsMode::Minimal),
        "none" => Ok(ControlsMode::None),
        _ => Err(format!(
            "controls={} is not one of full, minimal, none.",
            shown(value)
        )),
    }
}

fn table(value: &str) -> Result<Layout, String> {
    Layout::from_name(value).ok_or_else(|| {
        format!(
            "table={} is not one of netstat, ss, so the tables stay as netstat prints them.",
            shown(value)
        )
    })
}

fn speed(value: &str) -> Result<f64, String> {
    match value.trim_end_matches(['x', '×']).parse::<f64>() {
        Ok(x) if SPEED_RANGE.contains(&x) => Ok(x),
        _ => Err(format!(
            "speed={} must be a number from {} to {}.",
            shown(value),
            SPEED_RANGE.start(),
            SPEED_RANGE.end()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_parameter() {
        let o = parse(
            "?tour=deadlock&step=3&controls=minimal&theme=dark&autoplay=1&speed=2",
            "",
        );
        assert_eq!(o.tour.as_deref(), Some("deadlock"));
        assert_eq!(
            (o.step, o.controls, o.theme, o.autoplay, o.speed),
            (3, ControlsMode::Minimal, Theme::Dark, true, 2.0)
        );
        assert!(o.problems.is_empty());
    }

    #[test]
    fn bad_parameters_are_reported_and_ignored() {
        let o = parse(
            "step=-1&controls=huge&speed=100&bogus=1&theme=<script>",
            "#junk",
        );
        assert_eq!(o.step, 0);
        assert!(o.problems[0].contains("“-1” is not a step number"));
        assert_eq!(o.controls, ControlsMode::Full);
        assert_eq!(o.speed, 1.0);
        // Five bad values, the fragment, and a step without a tour.
        assert_eq!(o.problems.len(), 7, "{:?}", o.problems);
    }

    #[test]
    fn a_step_reads_as_a_whole_number_and_single_as_a_switch() {
        let o = parse("?tour=udp&step=12&single=1", "");
        assert_eq!((o.step, o.single), (12, true));
        assert!(o.problems.is_empty(), "{:?}", o.problems);
        for bad in ["abc", "-1", "2.5", "", "1e3"] {
            let o = parse(&format!("?tour=udp&step={bad}"), "");
            assert_eq!(o.step, 0, "{bad}");
            assert_eq!(o.problems.len(), 1, "{bad}: {:?}", o.problems);
        }
    }

    #[test]
    fn a_scenario_survives_the_fragment() {
        let text = "host A 10.0.0.1\nA: s = socket(TCP) # 100% sure\n";
        let o = parse("", &format!("#scenario={}", percent_encode(text)));
        assert_eq!(o.scenario.as_deref(), Some(text));
    }

    #[test]
    fn fuzzing_needs_fuzz_and_takes_its_seed_in_any_order() {
        assert_eq!(parse("?fuzz=1&seed=7", "").fuzz, Some(7));
        assert_eq!(parse("?seed=7&fuzz=1", "").fuzz, Some(7));
        assert_eq!(parse("?fuzz=1", "").fuzz, Some(1));
        assert_eq!(parse("?seed=7", "").fuzz, None);
        assert_eq!(parse("?fuzz=0&seed=7", "").fuzz, None);
    }

    #[test]
    fn table_chooses_netstat_or_ss_and_a_bad_value_changes_nothing() {
        assert_eq!(parse("?table=ss", "").table, Layout::Ss);
        assert_eq!(parse("?table=netstat", "").table, Layout::Netstat);
        assert_eq!(parse("", "").table, Layout::Netstat);
        let o = parse("?table=lsof&theme=dark", "");
        assert_eq!((o.table, o.theme), (Layout::Netstat, Theme::Dark));
        assert_eq!(o.problems.len(), 1, "{:?}", o.problems);
        assert!(o.problems[0].contains("“lsof” is not one of netstat, ss"));
    }

    #[test]
    fn behaviour_is_textbook_or_linux_and_a_bad_one_is_reported_and_ignored() {
        assert_eq!(parse("", "").behaviour, Behaviour::Textbook);
        let o = parse("?behaviour=linux", "");
        assert_eq!(o.behaviour, Behaviour::Linux);
        assert!(o.problems.is_empty(), "{:?}", o.problems);
        let o = parse("?behaviour=bsd", "");
        assert_eq!(o.behaviour, Behaviour::Textbook);
        assert_eq!(
            o.problems,
            ["behaviour=“bsd” is not one of textbook, linux."]
        );
    }

    #[test]
    fn broken_escapes_do_not_panic() {
        for s in ["%", "%4", "%zz", "a%", "%%%", "%e2%82"] {
            let _ = percent_decode(s);
        }
        assert_eq!(percent_decode("a%20b+c"), "a b c");
    }
}
