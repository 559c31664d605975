//! Command-line arguments, read by hand: there are only two commands and one flag.

pub const HELP: &str = "\
sockscope: watch what TCP and UDP sockets do under the hood, from scenario files

Usage:
  sockscope run [--json] FILE     run a scenario and print what every statement did
  sockscope check FILE...         run scenarios and verify their `expect` lines
  sockscope --help                show this text
  sockscope --version             show the version

run --json prints the engine's trace instead: one JSON event per line.

Exit codes: 0 all went well; 1 an expectation failed or a statement could not run;
2 a file could not be read or parsed (reported as FILE:LINE:COL: message).

The scenario language is described in crates/scenario/GRAMMAR.md. A taste:
  host A 10.0.0.1
  host B 10.0.0.2
  B: l = socket(TCP); bind(l, *:80); listen(l, 5)
  A: c = socket(TCP); connect(c, 10.0.0.2:80)
  expect state A c == ESTABLISHED
";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Run { file: String, json: bool },
    Check { files: Vec<String> },
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
            let json = rest.iter().any(|a| a == "--json");
            let files: Vec<&String> = rest.iter().filter(|a| *a != "--json").collect();
            if let Some(flag) = files.iter().find(|a| a.starts_with("--")) {
                return Err(format!("unknown option {flag} for run"));
            }
            match files.as_slice() {
                [file] => Ok(Command::Run {
                    file: file.to_string(),
                    json,
                }),
                [] => Err("run needs a scenario file".to_string()),
                _ => Err("run takes one scenario file (check takes several)".to_string()),
            }
        }
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
        other => Err(format!(
            "unknown command {other}; the commands are run and check"
        )),
    }
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
                json: true
            })
        );
        assert!(parse(&args("run a b")).is_err());
        assert!(parse(&args("run --fast a")).is_err());
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
