//! The capture tools: the inside of the Captures panel (the time-sequence graph, a
//! capture of real programs read and followed) and the pcapng writer behind
//! "Download capture". They are compiled into the tools module
//! (`src/bin/sockscope-tools.rs`), which the page fetches the first time a learner
//! opens one of its panels or downloads a capture, so the first view never carries the
//! capture formats (pcap-file, etherparse) or their views. The page hands the module
//! its trace as JSON (`TraceEntry` is already `serde`), the one thing the two share
//! for captures.

pub mod body;
pub mod graph;

use sockscope_engine::capture::{self, Format};
use sockscope_engine::trace::TraceEntry;

/// The trace the page sent, or why it could not be read (a bug, never the learner's).
pub fn parse_trace(json: &str) -> Result<Vec<TraceEntry>, String> {
    serde_json::from_str(json).map_err(|e| format!("the run's trace could not be read: {e}"))
}

/// The run as a capture file: its bytes and how many frames it holds.
pub fn write(trace_json: &str, format: Format) -> Result<(Vec<u8>, usize), String> {
    let trace = parse_trace(trace_json)?;
    let written = capture::write(&trace, format).map_err(|e| e.to_string())?;
    Ok((written.bytes, written.frames))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockscope_scenario::{parse, Runner};

    #[test]
    fn a_trace_sent_as_json_writes_the_same_capture_as_the_trace_itself() {
        let scenario = parse(include_str!("../../../scenario/examples/byte_stream.scn"))
            .expect("the example parses");
        let mut runner = Runner::new(&scenario);
        let trace = runner.run_to_end().world().trace();
        let json = serde_json::to_string(trace).expect("a trace is JSON");
        let direct = capture::write(trace, Format::PcapNg).expect("written");
        let (bytes, frames) = write(&json, Format::PcapNg).expect("written from JSON");
        assert_eq!(frames, direct.frames);
        assert!(frames >= 3, "the handshake is in the capture");
        assert_eq!(bytes, direct.bytes);
    }

    #[test]
    fn a_trace_that_is_not_json_is_refused_with_a_sentence() {
        let err = write("not json", Format::PcapNg).unwrap_err();
        assert!(
            err.starts_with("the run's trace could not be read"),
            "{err}"
        );
    }
}
