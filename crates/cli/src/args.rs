//! Command-line arguments, read by hand: there are four commands and a few options.

pub const HELP: &str = "\
sockscope: watch what TCP and UDP sockets do under the hood, from scenario files

Usage:
  sockscope run [--json] [--pcap OUT] FILE
                                  run a scenario and print what every statement did
  sockscope check FILE...         run scenarios and verify their `expect` lines
  sockscope replay CAPTURE        read a pcap/pcapng capture of real programs: each
                                  segment with the TCP states it implies, then the
                                  netstat rows each host would show
  sockscope code [--lang c|python] [--loopback] [--out DIR] FILE
                                  the program each process's calls amount to, in C
                                  (the default) or Python: printed one after another,
                                  each under a header line, or with --out written as
                                  one file per process (B.c, A-worker.py, ...)
  sockscope --help                show this text
  sockscope --version             show the version

run --json prints the engine's trace instead: one JSON event per line.
run --pcap OUT also writes every segment as a capture file Wireshark opens: pcapng,
or classic pcap when OUT ends in .pcap. Timestamps are the virtual clock.
code --loopback writes the scenario's IPv4 addresses as 127.0.0.1, 127.0.0.2, ... and
its IPv6 addresses as ::1, so that the programs run side by side on one machine.

Exit codes: 0 all went well; 1 an expectation failed or a statement could not run;
2 a file could not be read or parsed (reported as FILE:LINE:COL: message).

The scenario language is described in crates/scenario/GRAMMAR.md. A taste:
  host A 10.0.0.1
  host B 10.0.0.2
  B: l = socket(TCP); bind(l, *:80); listen(l, 5)
  A: c = socket(TCP); connect(c, 10.0.0.2:80)
  expect state A c == ESTABLISHED
";

use sockscope_scenario::codegen::Lang;

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Run {
        file: String,
        json: bool,
        pcap: Option<String>,
    },
    Check {
        files: Vec<String>,
    },
    Replay {
        file: String,
    },
    Code {
        file: String,
        lang: Lang,
        out: Option<String>,
        loopback: bool,
    },
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help);
    }
    let Some((cmd, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    match cmd.as_str() {
        "help" => Ok(Command::Help),
        "--version" | "-V" => Ok(Command::Version),
        "run" => {
            let (pcap, rest) = take_value(rest, "--pcap")?;
            let json = rest.iter().any(|a| a == "--json");
            let files: Vec<&String> = rest.iter().filter(|a| *a != "--json").collect();
            if let Some(flag) = files.iter().find(|a| a.starts_with("--")) {
                return Err(format!("unknown option {flag} for run"));
            }
            match files.as_slice() {
                [file] => Ok(Command::Run {
                    file: file.to_string(),
                    json,
                    pcap,
                }),
                [] => Err("run needs a scenario file".to_string()),
                _ => Err("run takes one scenario file (check takes several)".to_string()),
            }
        }
        "replay" => match rest {
            [file] if !file.starts_with("--") => Ok(Command::Replay { file: file.clone() }),
            [] => Err("replay needs a capture file (pcap or pcapng)".to_string()),
            _ => Err("replay takes one capture file".to_string()),
        },
        "check" => {
            if let Some(flag) = rest.iter().find(|a| a.starts_with("--")) {
                return Err(format!("unknown option {flag} for check"));
            }
            if rest.is_empty() {
                return Err("check needs at least one scenario file".to_string());
            }
            Ok(Command::Check {
                files: rest.to_vec(),
            })
        }
        "code" => code(rest),
        other => Err(format!(
            "unknown command {other}; the commands are run, check, replay and code"
        )),
    }
}

/// `code [--lang c|python] [--loopback] [--out DIR] FILE`.
fn code(args: &[String]) -> Result<Command, String> {
    let (lang, rest) = take_value(args, "--lang")?;
    let lang = match lang {
        Some(l) => l.parse::<Lang>()?,
        None => Lang::C,
    };
    let (out, rest) = take_value(&rest, "--out")?;
    let loopback = rest.iter().any(|a| a == "--loopback");
    let files: Vec<&String> = rest.iter().filter(|a| *a != "--loopback").collect();
    if let Some(flag) = files.iter().find(|a| a.starts_with("--")) {
        return Err(format!("unknown option {flag} for code"));
    }
    match files.as_slice() {
        [file] => Ok(Command::Code {
            file: file.to_string(),
            lang,
            out,
            loopback,
        }),
        [] => Err("code needs a scenario file".to_string()),
        _ => Err("code takes one scenario file".to_string()),
    }
}

/// Takes `flag VALUE` out of `args`: the value, and the arguments without the two.
fn take_value(args: &[String], flag: &str) -> Result<(Option<String>, Vec<String>), String> {
    let Some(i) = args.iter().position(|a| a == flag) else {
        return Ok((None, args.to_vec()));
    };
    let value = args
        .get(i + 1)
        .filter(|v| !v.starts_with("--"))
        .ok_or_else(|| match flag {
            "--lang" => "--lang needs a language: c or python".to_string(),
            "--out" => "--out needs a directory".to_string(),
            _ => format!("{flag} needs a file name"),
        })?
        .clone();
    let mut rest = args.to_vec();
    rest.drain(i..=i + 1);
    if rest.iter().any(|a| a == flag) {
        return Err(format!("{flag} is given twice"));
    }
    Ok((Some(value), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn run_takes_one_file_and_an_optional_json_flag() {
        assert_eq!(
            parse(&args("run --json a.scn")),
            Ok(Command::Run {
                file: "a.scn".into(),
                json: true,
                pcap: None,
            })
        );
        assert!(parse(&args("run a b")).is_err());
        assert!(parse(&args("run --fast a")).is_err());
    }

    #[test]
    fn run_takes_a_capture_file_after_pcap() {
        assert_eq!(
            parse(&args("run --pcap out.pcapng a.scn")),
            Ok(Command::Run {
                file: "a.scn".into(),
                json: false,
                pcap: Some("out.pcapng".into()),
            })
        );
        assert_eq!(
            parse(&args("run a.scn --pcap")),
            Err("--pcap needs a file name".into())
        );
        assert!(parse(&args("run --pcap x.pcap --pcap y.pcap a.scn")).is_err());
        assert!(parse(&args("run --pcap --json a.scn")).is_err());
    }

    #[test]
    fn code_takes_a_language_a_directory_and_one_file() {
        assert_eq!(
            parse(&args("code --lang python --out progs a.scn")),
            Ok(Command::Code {
                file: "a.scn".into(),
                lang: Lang::Python,
                out: Some("progs".into()),
                loopback: false,
            })
        );
        assert_eq!(
            parse(&args("code --loopback a.scn")),
            Ok(Command::Code {
                file: "a.scn".into(),
                lang: Lang::C,
                out: None,
                loopback: true,
            })
        );
        assert!(parse(&args("code --lang rust a.scn")).is_err());
        assert!(parse(&args("code --lang")).is_err());
        assert!(parse(&args("code a.scn --out")).is_err());
        assert!(parse(&args("code a b")).is_err());
        assert!(parse(&args("code")).is_err());
        assert!(parse(&args("code --fast a")).is_err());
    }

    #[test]
    fn check_takes_files_and_help_wins_everywhere() {
        assert_eq!(
            parse(&args("check a b")),
            Ok(Command::Check {
                files: vec!["a".into(), "b".into()]
            })
        );
        assert!(parse(&args("check")).is_err());
        assert_eq!(parse(&args("check a --help")), Ok(Command::Help));
        assert_eq!(parse(&[]), Ok(Command::Help));
        assert!(parse(&args("frobnicate")).is_err());
    }
}
