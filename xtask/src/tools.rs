//! Making sure every external tool is present at the pinned version.
//!
//! Only the Rust crate registry, npm and Debian are reachable from CI, so nothing may be
//! fetched by the tools themselves: trunk must find a `wasm-bindgen` of exactly the
//! Cargo.lock version on PATH, browsers come from Debian, and the drivers from Debian
//! (chromedriver) or the Rust crate registry (geckodriver). Each check is quiet (one
//! line) when the tool is already there; a long install first says how long it took
//! on this project's two-core machine, so a first run does not look hung.
//!
//! wasm-pack is not used: the browser tests run through `cargo test` with
//! wasm-bindgen-cli's own `wasm-bindgen-test-runner` (see test.rs).

use crate::cmd::{cargo, probe, run, Res};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const GECKODRIVER_VERSION: &str = "0.37.1";
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// Found on PATH ($CARGO_HOME/bin, see `put_cargo_bin_on_path`).
pub const GECKODRIVER: &str = "geckodriver";

/// npm packages for dist (binaryen's wasm-opt) and the e2e tests; exact pins
/// so the cache directory name (a hash of this list) identifies its content.
/// To add one, add a line: the next run installs the new list into a fresh cache.
const NPM_PACKAGES: &[(&str, &str)] = &[
    ("playwright-core", "1.65.1"),
    ("binaryen", "132.0.0"),
    ("axe-core", "4.14.1"),
    // The screenshot tests' image comparison (pixelmatch reads PNGs through pngjs).
    ("pixelmatch", "8.0.0"),
    ("pngjs", "7.0.0"),
    // Drives Debian's firefox-esr over WebDriver BiDi (tests/e2e/firefox.mjs);
    // the 24 series still supports Node 20, which these machines have.
    ("puppeteer-core", "24.43.1"),
];

// How long each install takes on an idle two-core machine, for the progress note
// before it. Measured with `cargo install --root <empty dir>` on this project's
// machine in December 2026. That machine was shared (load 15 to 27 on two cores),
// so the CPU time (user + sys, which a busy machine changes little) is the figure,
// and the time here is that spread over two cores. Measured: geckodriver 250 s of
// CPU (23 minutes of wall time at that load), wasm-bindgen-cli 342 s (30 minutes),
// cargo-fuzz 73 s (94 s), trunk 785 s (62 minutes), of which 220 s are the trunk
// crate itself on one core at the end; the nightly toolchain 170 s, a download.
const TRUNK_TIME: &str = "about 8 minutes on two cores, the longest";
const WASM_BINDGEN_TIME: &str = "about 3 minutes on two cores";
const GECKODRIVER_TIME: &str = "about 2 to 3 minutes on two cores";
const CARGO_FUZZ_TIME: &str = "about a minute on two cores";
const NIGHTLY_TIME: &str = "about three minutes, mostly the download";

/// What `cargo xtask serve` needs.
pub fn ensure_for_serve() -> Res<()> {
    ensure_all(&[wasm_target, trunk, wasm_bindgen])
}

/// What `cargo xtask dist` / `bench` need: serve's tools plus wasm-opt from npm.
pub fn ensure_for_dist() -> Res<()> {
    ensure_all(&[wasm_target, trunk, wasm_bindgen, npm_packages])
}

/// What `cargo xtask bench` needs: dist's tools plus the browser.
pub fn ensure_for_bench() -> Res<()> {
    ensure_all(&[
        wasm_target,
        trunk,
        wasm_bindgen,
        npm_packages,
        debian_packages,
    ])
}

/// Everything `cargo xtask test` uses.
pub fn ensure_for_test() -> Res<()> {
    ensure_all(&[
        wasm_target,
        trunk,
        wasm_bindgen,
        geckodriver,
        debian_packages,
        npm_packages,
        nightly,
        cargo_fuzz,
    ])
}

/// What `cargo xtask fuzz` needs: libFuzzer builds only on nightly.
pub fn ensure_for_fuzz() -> Res<()> {
    ensure_all(&[nightly, cargo_fuzz])
}

/// Tries every tool (so one run reports all that is missing), then fails if any failed.
fn ensure_all(steps: &[fn() -> Res<()>]) -> Res<()> {
    let errors: Vec<String> = steps.iter().filter_map(|step| step().err()).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// `cargo install` puts binaries in `$CARGO_HOME/bin`, which a minimal CI
/// shell may not have on PATH; prepend it so tools we install are found.
pub fn put_cargo_bin_on_path() {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(bin) = cargo_home.map(|h| h.join("bin")) else {
        return;
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|p| p == bin) {
        return;
    }
    let paths = std::iter::once(bin).chain(std::env::split_paths(&path));
    if let Ok(joined) = std::env::join_paths(paths) {
        // Single-threaded at this point (called from main before any work).
        std::env::set_var("PATH", joined);
    }
}

fn wasm_target() -> Res<()> {
    let installed = probe(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {
            println!("{WASM_TARGET} target: present");
            Ok(())
        }
        Some(_) => run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        None => Err(format!(
            "rustup not found: install the {WASM_TARGET} target for your Rust toolchain"
        )),
    }
}

fn trunk() -> Res<()> {
    cargo_tool("trunk", "trunk", TRUNK_VERSION, true, TRUNK_TIME)
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate in Cargo.lock exactly.
/// It is installed without `--locked`: that is the combination verified to
/// build on CI (`--version` still pins the CLI itself exactly).
fn wasm_bindgen() -> Res<()> {
    let version = wasm_bindgen_version()?;
    cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &version,
        false,
        WASM_BINDGEN_TIME,
    )
}

/// Firefox's WebDriver server, for the wasm browser tests in Firefox.
fn geckodriver() -> Res<()> {
    cargo_tool(
        "geckodriver",
        "geckodriver",
        GECKODRIVER_VERSION,
        true,
        GECKODRIVER_TIME,
    )
}

/// The nightly toolchain that `cargo +nightly fuzz` runs on (cargo-fuzz's home
/// ground); the minimal profile is all it needs. A dated nightly does not count:
/// `+nightly` names the channel.
fn nightly() -> Res<()> {
    let list = probe(Command::new("rustup").args(["toolchain", "list"]))
        .ok_or("rustup not found: cargo fuzz needs rustup's nightly toolchain")?;
    let undated = |rest: &str| !rest.starts_with(|c: char| c.is_ascii_digit());
    if list
        .lines()
        .any(|l| l.trim().strip_prefix("nightly-").is_some_and(undated))
    {
        println!("nightly toolchain: present");
        return Ok(());
    }
    println!("installing the nightly toolchain (minimal profile): {NIGHTLY_TIME}");
    run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))
}

fn cargo_fuzz() -> Res<()> {
    cargo_tool(
        "cargo-fuzz",
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        true,
        CARGO_FUZZ_TIME,
    )
}

/// Installs `krate` unless `bin --version` already reports `version`; `time` is
/// what the install took when measured (see the *_TIME constants).
fn cargo_tool(bin: &str, krate: &str, version: &str, locked: bool, time: &str) -> Res<()> {
    if installed_version(bin).as_deref() == Some(version) {
        println!("{bin} {version}: present");
        return Ok(());
    }
    println!("installing {krate} {version}: {time}");
    let mut install = cargo();
    install.args(["install", krate, "--version", version]);
    if locked {
        install.arg("--locked");
    }
    run(&mut install).map_err(|e| format!("installing {bin} {version}: {e}"))?;
    match installed_version(bin) {
        Some(found) if found == version => Ok(()),
        found => Err(format!(
            "installed {krate} {version}, but `{bin} --version` on PATH reports {}; \
             check that $CARGO_HOME/bin comes first on PATH",
            found.as_deref().unwrap_or("nothing")
        )),
    }
}

/// The version word of `<bin> --version` (e.g. `trunk 0.21.14` -> `0.21.14`).
fn installed_version(bin: &str) -> Option<String> {
    let out = probe(Command::new(bin).arg("--version"))?;
    out.split_whitespace().nth(1).map(str::to_owned)
}

/// Reads the `wasm-bindgen` version from Cargo.lock, the single source of truth.
pub fn wasm_bindgen_version() -> Res<String> {
    let lock = std::fs::read_to_string("Cargo.lock")
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    lock_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no single `wasm-bindgen` package version".to_owned())
}

/// Finds the one version of `name` in a Cargo.lock text (None if absent or ambiguous).
fn lock_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    let mut versions = Vec::new();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = ")?;
            versions.push(version.trim_matches('"').to_owned());
        }
    }
    versions.dedup();
    (versions.len() == 1).then(|| versions.remove(0))
}

/// The Debian packages the suites use, each with the files that show it is installed
/// (any one of them). A missing tool is installed, never skipped: a check that passes
/// without its tool would check nothing.
const DEBIAN: &[(&str, &[&str])] = &[
    ("chromium", &[CHROMIUM]),
    ("chromium-driver", &[CHROMEDRIVER]),
    ("firefox-esr", &[FIREFOX]),
    // `ss`, with which kernel-check reads the kernel's connection states.
    (
        "iproute2",
        &["/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss"],
    ),
    // The referee of the capture files the engine writes.
    ("tshark", &["/usr/bin/tshark"]),
    // Captures real loopback sockets while kernel-check's scenarios run.
    ("tcpdump", &["/usr/bin/tcpdump", "/usr/sbin/tcpdump"]),
    // Compiles the C the program panel writes; python3 runs its Python.
    ("gcc", &["/usr/bin/gcc"]),
    ("python3", &["/usr/bin/python3"]),
];

/// Installs the missing Debian packages with apt, only when we are root (CI): changing
/// system packages behind a developer's back is rude, so elsewhere this says what to
/// install.
fn debian_packages() -> Res<()> {
    let missing: Vec<&str> = DEBIAN
        .iter()
        .filter(|(_, files)| !files.iter().any(|f| Path::new(f).exists()))
        .map(|(package, _)| *package)
        .collect();
    let names: Vec<&str> = DEBIAN.iter().map(|(p, _)| *p).collect();
    if missing.is_empty() {
        println!("Debian packages ({}): present", names.join(", "));
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        return Err(format!(
            "missing Debian packages: {list}; install them, e.g. \
             `sudo apt-get install {list}`, then rerun"
        ));
    }
    println!("installing Debian packages: {list} (about a minute)");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn is_root() -> bool {
    probe(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}

/// `node_modules` of the npm cache (outside the repo, shared by all clones).
pub fn node_modules() -> Res<PathBuf> {
    Ok(npm_dir()?.join("node_modules"))
}

/// The binaryen `wasm-opt` (a node script) from the npm cache.
pub fn wasm_opt() -> Res<PathBuf> {
    Ok(node_modules()?.join(".bin").join("wasm-opt"))
}

fn npm_spec() -> String {
    let specs: Vec<String> = NPM_PACKAGES
        .iter()
        .map(|(n, v)| format!("{n}@{v}"))
        .collect();
    specs.join(" ")
}

/// `$XDG_CACHE_HOME|$HOME/.cache/sockscope/npm-<hash of pins>`: changing a pin
/// yields a fresh directory instead of mutating one that may be in use.
fn npm_dir() -> Res<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or("neither XDG_CACHE_HOME nor HOME is set; cannot place the npm cache")?;
    let hash = fnv1a(npm_spec().as_bytes());
    Ok(cache.join("sockscope").join(format!("npm-{hash:016x}")))
}

/// FNV-1a: stable across Rust releases, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Installs the pinned npm packages into the cache dir; a marker file written
/// last means a half-finished install is redone rather than trusted.
fn npm_packages() -> Res<()> {
    let dir = npm_dir()?;
    let marker = dir.join(".sockscope-complete");
    if marker.exists() {
        println!("npm {}: present", npm_spec());
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(&dir.join("package.json"), &package_json())?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(&dir)
        // Belt and braces: nothing here may try to fetch a browser.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
    .map_err(|e| format!("installing npm packages into {}: {e}", dir.display()))?;
    write(&marker, &npm_spec())
}

fn package_json() -> String {
    let deps: Vec<String> = NPM_PACKAGES
        .iter()
        .map(|(n, v)| format!("    \"{n}\": \"{v}\""))
        .collect();
    format!(
        "{{\n  \"name\": \"sockscope-tools\",\n  \"private\": true,\n  \"dependencies\": {{\n{}\n  }}\n}}\n",
        deps.join(",\n")
    )
}

fn write(path: &Path, text: &str) -> Res<()> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_single_lock_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n\
                    [[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            lock_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(lock_version(lock, "yew"), None);
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
