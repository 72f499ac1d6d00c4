//! `authlint --version` names the commit it was built from (build.rs), and
//! the build script falls back cleanly without git.

use std::path::Path;
use std::process::Command;

// The build script itself, so its fallbacks can be tested on real folders.
#[allow(dead_code)]
#[path = "../build.rs"]
mod build_script;

const BIN: &str = env!("CARGO_BIN_EXE_authlint");
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn version_names_the_package_version_and_the_commit() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout.trim_end();
    assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    let rest = line
        .strip_prefix(&format!("authlint {VERSION}"))
        .unwrap_or_else(|| panic!("{line:?} does not start with `authlint {VERSION}`"));

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let in_checkout = git(manifest, &["rev-parse", "--show-toplevel"])
        .is_some_and(|top| Path::new(&top).canonicalize().ok() == manifest.canonicalize().ok());
    if !in_checkout {
        // A source tarball: the commit is optional.
        assert!(rest.is_empty() || rest.starts_with(" ("), "{line:?}");
        return;
    }
    // `authlint 0.1.0 (aa7c40b 2026-12-06)`: HEAD's short hash and date.
    let inner = rest
        .strip_prefix(" (")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line:?} has no `(commit date)`"));
    let (hash, date) = inner.split_once(' ').unwrap();
    let head = git(manifest, &["rev-parse", "HEAD"]).unwrap();
    assert!(
        hash.len() >= 7 && head.starts_with(hash),
        "{line:?} vs HEAD {head}"
    );
    let head_date = git(manifest, &["log", "-1", "--format=%cs"]).unwrap();
    assert_eq!(date, head_date, "{line:?}");
}

#[test]
fn subcommand_version_is_the_same() {
    let top = Command::new(BIN).arg("--version").output().unwrap();
    let sub = Command::new(BIN)
        .args(["lint", "--version"])
        .output()
        .unwrap();
    let top = String::from_utf8(top.stdout).unwrap();
    let sub = String::from_utf8(sub.stdout).unwrap();
    assert_eq!(
        top.trim_start_matches("authlint "),
        sub.trim_start_matches("authlint-lint "),
    );
}

#[test]
fn build_script_without_git_gives_no_commit() {
    // A folder that is no git work tree (nor inside one).
    let dir = tempfile::tempdir().unwrap();
    if git(dir.path(), &["rev-parse", "--show-toplevel"]).is_some() {
        return; // the temp dir is inside some repository: nothing to test
    }
    assert_eq!(build_script::from_git(dir.path()), None);
    assert_eq!(build_script::from_cargo_vcs_info(dir.path()), None);
}

#[test]
fn build_script_ignores_a_surrounding_repository() {
    // A copy of the sources unpacked inside someone else's repository must
    // not report that repository's commit.
    let dir = tempfile::tempdir().unwrap();
    if git(dir.path(), &["init", "-q"]).is_none() {
        return; // no git here
    }
    let _ = git(
        dir.path(),
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "outer",
        ],
    );
    let vendored = dir.path().join("vendor/authlint");
    std::fs::create_dir_all(&vendored).unwrap();
    assert_eq!(build_script::from_git(&vendored), None);
    // ...while the top of that repository is a checkout with a commit.
    let own = build_script::from_git(dir.path()).expect("a commit at the top");
    let (hash, date) = own.split_once(' ').unwrap();
    assert_eq!(hash.len(), 7, "{own}");
    assert_eq!(date.len(), 10, "{own}");
}

#[test]
fn build_script_reads_cargo_vcs_info() {
    // What `cargo package` writes into a crates.io tarball.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".cargo_vcs_info.json"),
        "{\n  \"git\": {\n    \"sha1\": \"aa7c40b0123456789abcdef0123456789abcdef0\"\n  },\n  \"path_in_vcs\": \"\"\n}",
    )
    .unwrap();
    assert_eq!(
        build_script::from_cargo_vcs_info(dir.path()).as_deref(),
        Some("aa7c40b")
    );
    std::fs::write(dir.path().join(".cargo_vcs_info.json"), "{\"git\": {}}").unwrap();
    assert_eq!(build_script::from_cargo_vcs_info(dir.path()), None);
}
