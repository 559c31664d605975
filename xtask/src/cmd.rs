//! Running external commands: always echoed first, so CI logs show exactly
//! what ran, and failures point back at the command's own output.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Errors are human-readable messages: every failure ends up printed to a person.
pub type Res<T> = Result<T, String>;

/// The workspace root (xtask lives one level below it).
pub fn repo_root() -> PathBuf {
    let xtask_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    xtask_dir
        .parent()
        .map_or(xtask_dir.clone(), |p| p.to_path_buf())
}

/// The cargo that started us (keeps `cargo +toolchain xtask` on that toolchain).
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Shell-like rendering of a command with the env vars we set, for the log.
pub fn describe(cmd: &Command) -> String {
    let envs = cmd.get_envs().filter_map(|(k, v)| Some((k, v?)));
    let envs = envs.map(|(k, v)| format!("{}={}", k.to_string_lossy(), quote(v)));
    let program = std::iter::once(cmd.get_program()).chain(cmd.get_args());
    let mut words: Vec<String> = envs.collect();
    words.extend(program.map(quote));
    words.join(" ")
}

fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The short name used in error messages, e.g. "`wasm-pack test`".
fn short_name(cmd: &Command) -> String {
    let program = PathBuf::from(cmd.get_program());
    let program = program.file_name().map_or_else(
        || cmd.get_program().to_string_lossy(),
        |n| n.to_string_lossy(),
    );
    match cmd.get_args().next() {
        Some(arg) if !arg.to_string_lossy().starts_with('-') => {
            format!("`{program} {}`", arg.to_string_lossy())
        }
        _ => format!("`{program}`"),
    }
}

fn announce(cmd: &Command) {
    println!("$ {}", describe(cmd));
    let _ = std::io::stdout().flush();
}

fn spawn_error(cmd: &Command, e: std::io::Error) -> String {
    format!("could not start {}: {e}", short_name(cmd))
}

/// Runs with inherited stdio; a non-zero exit becomes an error that points at the output.
pub fn run(cmd: &mut Command) -> Res<()> {
    announce(cmd);
    let status = cmd.status().map_err(|e| spawn_error(cmd, e))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed ({status}); see output above",
            short_name(cmd)
        ))
    }
}

/// What a teed command printed on stdout, and whether it succeeded.
pub struct Teed {
    pub ok: bool,
    pub stdout: String,
    /// Ready-made error message for when `ok` is false.
    pub failure: String,
}

/// Like [`run`], but also captures stdout (still echoing it live) so callers
/// can parse result lines such as `test result:` even when the command failed.
pub fn run_tee(cmd: &mut Command) -> Res<Teed> {
    announce(cmd);
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(cmd, e))?;
    let mut stdout = String::new();
    if let Some(pipe) = child.stdout.take() {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            println!("{line}");
            stdout.push_str(&line);
            stdout.push('\n');
        }
    }
    let status = child.wait().map_err(|e| spawn_error(cmd, e))?;
    let failure = format!("{} failed ({status}); see output above", short_name(cmd));
    Ok(Teed {
        ok: status.success(),
        stdout,
        failure,
    })
}

/// Quietly runs a probe (e.g. `trunk --version`); `None` if it is missing or fails.
pub fn probe(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_quotes_only_when_needed() {
        let mut c = Command::new("node");
        c.args(["--test", "a b"]).env("X", "1");
        assert_eq!(describe(&c), "X=1 node --test 'a b'");
        assert_eq!(short_name(&c), "`node`");
        assert_eq!(
            short_name(Command::new("/bin/wasm-pack").arg("test")),
            "`wasm-pack test`"
        );
    }
}
