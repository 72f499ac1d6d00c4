//! Sets `AUTHLINT_VERSION` for `authlint --version`: the package version and,
//! when it can be known, the commit it was built from:
//!
//! - in a git checkout of authlint: `0.1.0 (aa7c40b 2026-12-06)` (short hash
//!   and commit date);
//! - from a crates.io package, which records the commit in
//!   `.cargo_vcs_info.json`: `0.1.0 (aa7c40b)`;
//! - otherwise (no git, a source tarball, or a checkout of some other
//!   repository around a vendored copy): `0.1.0`.
//!
//! No dependency and no failure: a missing or broken git only drops the
//! commit from the version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap();
    println!("cargo:rerun-if-changed=build.rs");
    if manifest_dir.join(".cargo_vcs_info.json").is_file() {
        println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    }
    println!("cargo:rerun-if-env-changed=AUTHLINT_BUILD_COMMIT");

    let commit = std::env::var("AUTHLINT_BUILD_COMMIT")
        .ok()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .or_else(|| from_git(&manifest_dir))
        .or_else(|| from_cargo_vcs_info(&manifest_dir));
    let long = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=AUTHLINT_VERSION={long}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// `aa7c40b 2026-12-06` when `dir` is the top of a git work tree.
pub fn from_git(dir: &Path) -> Option<String> {
    // Only authlint's own checkout: a copy unpacked inside another
    // repository must not report that repository's commit.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = match (Path::new(&top).canonicalize(), dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself, the branch it points to (loose
    // or packed). `--git-path` resolves these for linked work trees too.
    // Only existing files are named: cargo treats a missing one as changed.
    let mut watched = vec![git(dir, &["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(dir, &["rev-parse", "--git-path", &branch]));
    }
    watched.push(git(dir, &["rev-parse", "--git-path", "packed-refs"]));
    for path in watched.into_iter().flatten() {
        let path = dir.join(path);
        if path.is_file() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let line = git(
        dir,
        &[
            "log",
            "-1",
            "--no-show-signature",
            "--format=%h %cs",
            "--abbrev=7",
        ],
    )?;
    let mut parts = line.split_whitespace();
    let hash = parts.next()?;
    let date = parts.next()?;
    let ok = hash.len() >= 7 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| format!("{hash} {date}"))
}

/// The short commit recorded by `cargo package` in `.cargo_vcs_info.json`.
pub fn from_cargo_vcs_info(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let rest = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let sha = &rest[..rest.find('"')?];
    let ok = sha.len() >= 7 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| sha[..7].to_string())
}
