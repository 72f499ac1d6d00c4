//! Shared helpers for the CLI tests: run the real binary in a temp dir.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_authlint");

/// A 401 with no challenge: `require-www-authenticate` (error, safe fix).
pub const MISSING_CHALLENGE: &str = "export default () => new Response(\"no\", { status: 401 });\n";

/// A 401 for an authorization failure: `prefer-403-for-authorization`
/// (warning, unsafe fix), and nothing else.
pub const AUTHZ_401: &str = r#"import express from "express";
const app = express();
app.get("/admin", (req, res) => {
  if (!req.user.isAdmin) {
    console.error("not an admin");
    return res.status(401).json({ error: "admin only" });
  }
  res.json({ ok: true });
});
"#;

/// Nothing to report.
pub const CLEAN: &str = r#"export function handler(req: Request): Response {
  return new Response("ok", { status: 200 });
}
"#;

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("GITHUB_ACTIONS");
    c
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    run_cmd(command(dir, args), None)
}

pub fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    run_cmd(command(dir, args), Some(input))
}

pub fn run_cmd(mut c: Command, input: Option<&str>) -> Output {
    c.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn authlint");
    if let Some(input) = input {
        let mut stdin = child.stdin.take().unwrap();
        // A process that rejects its arguments may exit before reading stdin;
        // the broken pipe that follows is its answer, not a test failure.
        if let Err(e) = stdin.write_all(input.as_bytes()) {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe,
                "writing stdin: {e}"
            );
        }
    }
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temp dir populated with `files` (relative path, contents).
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    dir
}

pub fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

pub fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

/// The rule ids of a `--format json` report, in order.
pub fn rules_of(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The findings of a JSON report, as (path, rule), in report order.
pub fn paths_and_rules(json: &serde_json::Value) -> Vec<(String, String)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
