//! `cargo xtask dist`: a release build that works from any static server.

use crate::cmd::{self, probe, Res};
use crate::{shipped, tools};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const DIST: &str = "dist";

/// binaryen features matching what rustc emits for wasm32 today; deliberately
/// not `--all-features`, which would let wasm-opt use things browsers may lack.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-mutable-globals",
];

/// SRI algorithms trunk may use in `integrity="<alg>-<base64>"`.
const SRI_ALGORITHMS: &[&str] = &["sha256", "sha384", "sha512"];

/// `cargo xtask dist [--single-file]`.
pub fn run(single_file: bool) -> Res<()> {
    tools::ensure_for_dist()?;
    build()?;
    if single_file {
        crate::single_file::write(Path::new(DIST), Path::new(crate::single_file::OUT_DIR))?;
    }
    Ok(())
}

/// Builds `dist/`, optimises the wasm, prints sizes; returns the gzip -9 size of
/// what the main view loads.
pub fn build() -> Res<u64> {
    build_at(Path::new("."))
}

/// Builds the trunk project in `project` (its index.html and Trunk.toml) into
/// `project/dist/` exactly as sockscope's `dist/` is built; `cargo xtask bench`
/// builds its floor app with it. Returns the gzip -9 size of what index.html loads.
pub fn build_at(project: &Path) -> Res<u64> {
    let out = project.join(DIST);
    let out = out.strip_prefix(".").unwrap_or(&out);
    trunk_build(project)?;
    for wasm in files(out)?.iter().filter(|p| has_ext(p, &["wasm"])) {
        optimize(wasm, out)?;
    }
    crate::csp::harden(out)?;
    print_sizes(out)
}

/// `--public-url ./` keeps every URL relative, so dist/ can be served from any path.
fn trunk_build(project: &Path) -> Res<()> {
    check_trunk_config_in(project)?;
    cmd::run(
        Command::new("trunk")
            .args([
                "build",
                "--release",
                "--offline",
                "--public-url",
                "./",
                "--dist",
                DIST,
            ])
            .current_dir(project),
    )
}

/// Trunk reads its config from a Trunk.toml (or .yaml/.json) next to index.html,
/// else from `package.metadata` of ./Cargo.toml — which a virtual workspace
/// lacks, giving only "could not find the root package of the target crate".
pub fn check_trunk_config() -> Res<()> {
    check_trunk_config_in(Path::new("."))
}

fn check_trunk_config_in(project: &Path) -> Res<()> {
    const CANDIDATES: &[&str] = &[
        "Trunk.toml",
        ".trunk.toml",
        "Trunk.yaml",
        ".trunk.yaml",
        "Trunk.json",
        ".trunk.json",
    ];
    if CANDIDATES.iter().any(|name| project.join(name).is_file()) {
        return Ok(());
    }
    Err(
        "no Trunk.toml at the workspace root (trunk cannot read its config from a \
         virtual workspace's Cargo.toml); add one containing:\n    \
         [build]\n    target = \"index.html\""
            .to_owned(),
    )
}

/// wasm-opt in place (index.html sets `data-wasm-opt="0"` so trunk never tries
/// to download binaryen); then the SRI hashes trunk wrote must follow the new bytes.
fn optimize(wasm: &Path, out: &Path) -> Res<()> {
    let before = sri_digests(wasm, SRI_ALGORITHMS)?;
    let mut opt = Command::new(tools::wasm_opt()?);
    opt.arg("-Oz")
        .args(WASM_OPT_FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(wasm);
    cmd::run(&mut opt)?;
    let after = sri_digests(wasm, SRI_ALGORITHMS)?;
    update_integrity(&out.join("index.html"), &before, &after)
}

/// `<alg>-<base64>` digests of a file, one per algorithm, computed by node (already
/// required for wasm-opt) so that xtask needs no crypto crates.
pub fn sri_digests(file: &Path, algorithms: &[&str]) -> Res<Vec<String>> {
    const SCRIPT: &str = "const c=require('crypto'),b=require('fs').readFileSync(process.argv[1]);\
        for(const a of process.argv.slice(2))console.log(a+'-'+c.createHash(a).update(b).digest('base64'))";
    let out = probe(
        Command::new("node")
            .args(["-e", SCRIPT])
            .arg(file)
            .args(algorithms),
    )
    .ok_or_else(|| format!("node could not hash {}", file.display()))?;
    Ok(out.lines().map(str::to_owned).collect())
}

/// Replaces stale integrity digests; a stale one makes Chromium block the preload.
fn update_integrity(index: &Path, before: &[String], after: &[String]) -> Res<()> {
    let html = read(index)?;
    let updated = before
        .iter()
        .zip(after)
        .fold(html.clone(), |text, (old, new)| text.replace(old, new));
    if updated != html {
        println!("updated integrity digests in {}", index.display());
        std::fs::write(index, updated)
            .map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    }
    Ok(())
}

/// Prints raw and gzip -9 sizes of every file in `out`, marking (`*`) those that
/// its index.html loads; returns their gzip total. Other files (the embedding
/// example, the icon, which browsers fetch lazily) are listed but not counted.
fn print_sizes(out: &Path) -> Res<u64> {
    let loaded = shipped::page_files(out)?;
    let (mut raw_total, mut gz_total) = (0, 0);
    println!(
        "\n{:>10} {:>10}  file (* = loaded by index.html)",
        "raw B", "gzip-9 B"
    );
    for file in files(out)? {
        let raw = std::fs::metadata(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len();
        let gz = gzip_size(&file)?;
        let counted = loaded.contains(&file);
        let mark = if counted { '*' } else { ' ' };
        println!("{raw:>10} {gz:>10} {mark}{}", file.display());
        if counted {
            raw_total += raw;
            gz_total += gz;
        }
    }
    println!("{raw_total:>10} {gz_total:>10}  total shipped for the main view (*)");
    Ok(gz_total)
}

/// `gzip -9 -n` size: what a static server with precompressed assets would send.
fn gzip_size(file: &Path) -> Res<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-n", "-c"])
        .arg(file)
        .output()
        .map_err(|e| format!("could not run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", file.display()));
    }
    Ok(out.stdout.len() as u64)
}

/// All files below `dir`, sorted for stable output.
pub fn files(dir: &Path) -> Res<Vec<PathBuf>> {
    let mut found = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path)?);
        } else {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

pub fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.contains(&e))
}

fn read(path: &Path) -> Res<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
