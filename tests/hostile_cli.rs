//! A repository's layout, standard input and standard output are input too:
//! FIFOs, devices, endless files, read-only and foreign files, a file saved
//! while `--fix` works on it, files that cannot be analysed. Each test runs
//! the real binary with a deadline, so a hang fails instead of stalling.
#![cfg(unix)]

mod cli_support;

use cli_support::{project, read, write, Output, BIN, MISSING_CHALLENGE};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long any run may take before it counts as a hang.
const DEADLINE: Duration = Duration::from_secs(30);

fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs `c` to completion, failing the test if it outlives the deadline.
fn finish(mut c: Command) -> Output {
    let mut child = c.spawn().expect("spawn authlint");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = child.stdout.take().map(|o| drain(Box::new(o)));
    let err = child.stderr.take().map(|e| drain(Box::new(e)));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("authlint did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: out.map(|t| t.join().unwrap()).unwrap_or_default(),
        stderr: err.map(|t| t.join().unwrap()).unwrap_or_default(),
    }
}

fn lint(dir: &Path, args: &[&str]) -> Output {
    finish(cmd(dir, args))
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {p:?}"
    );
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

fn temp_files_left(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".authlint-"))
        .collect()
}

#[test]
fn a_fifo_named_on_the_command_line_is_an_error_not_a_hang() {
    let d = project(&[]);
    mkfifo(&d.path().join("p.ts"));
    for args in [&["lint", "p.ts"][..], &["lint", "--fix", "p.ts"]] {
        let out = lint(d.path(), args);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr.contains("p.ts: not a regular file (a FIFO)"),
            "{out:?}"
        );
    }
}

#[test]
fn devices_and_endless_input_are_refused_within_the_size_cap() {
    let d = project(&[]);
    std::os::unix::fs::symlink("/dev/zero", d.path().join("z.ts")).unwrap();
    let out = lint(d.path(), &["lint", "z.ts"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("z.ts: not a regular file (a character device)"),
        "{out:?}"
    );

    let endless = || Stdio::from(std::fs::File::open("/dev/zero").unwrap());
    let mut c = cmd(
        d.path(),
        &["lint", "--format", "json", "--stdin-filename", "a.ts"],
    );
    c.stdin(endless());
    let out = finish(c);
    assert_eq!(out.code, 0, "{out:?}");
    let json = out.json();
    assert_eq!(json["notices"][0]["skipped"], true, "{out:?}");
    assert!(
        json["notices"][0]["message"]
            .as_str()
            .unwrap()
            .contains("over the"),
        "{out:?}"
    );

    // Under --fix nothing can be echoed unchanged: an error, and no output.
    let mut c = cmd(d.path(), &["lint", "--fix", "--stdin-filename", "a.ts"]);
    c.stdin(endless());
    let out = finish(c);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn imports_of_fifos_and_devices_are_not_read() {
    let main = "import { corsHeaders } from './cors.ts';\n\
                export default () => new Response('no', { status: 401, headers: { ...corsHeaders } });\n";
    for special in ["fifo", "device"] {
        let d = project(&[("main.ts", main)]);
        let cors = d.path().join("cors.ts");
        if special == "fifo" {
            mkfifo(&cors);
        } else {
            std::os::unix::fs::symlink("/dev/zero", &cors).unwrap();
        }
        let out = lint(d.path(), &["lint", "--format", "json", "main.ts"]);
        // The spread headers are unknown, so only the silent 401 is reported.
        assert_eq!(out.code, 0, "{special}: {out:?}");
        assert_eq!(
            cli_support::rules_of(&out.json()),
            ["require-401-logging"],
            "{special}: {out:?}"
        );
    }
}

#[test]
fn special_ignore_files_skip_their_directory_with_an_error() {
    // At the root: nothing can be walked safely.
    let d = project(&[("a.ts", MISSING_CHALLENGE)]);
    mkfifo(&d.path().join(".gitignore"));
    let out = lint(d.path(), &["lint", "."]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("directory skipped: .gitignore: not a regular file (a FIFO)"),
        "{out:?}"
    );

    // Below it: that directory is skipped, the rest is linted.
    let d = project(&[("a.ts", MISSING_CHALLENGE), ("sub/b.ts", MISSING_CHALLENGE)]);
    std::os::unix::fs::symlink("/dev/zero", d.path().join("sub/.ignore")).unwrap();
    let out = lint(d.path(), &["lint", "--format", "json", "."]);
    assert_eq!(out.code, 2, "{out:?}");
    let json = out.json();
    let paths: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"a.ts") && !paths.contains(&"sub/b.ts"),
        "{out:?}"
    );
    assert!(
        json["notices"][0]["message"]
            .as_str()
            .unwrap()
            .contains("sub/.ignore: not a regular file (a character device)"),
        "{out:?}"
    );
}

#[test]
fn a_config_file_that_is_not_a_regular_file_is_an_error() {
    for kind in ["dir", "fifo"] {
        let d = project(&[("a.ts", MISSING_CHALLENGE)]);
        let cfg = d.path().join("authlint.toml");
        if kind == "dir" {
            std::fs::create_dir(&cfg).unwrap();
        } else {
            mkfifo(&cfg);
        }
        let out = lint(d.path(), &["lint", "a.ts"]);
        assert_eq!(out.code, 2, "{kind}: {out:?}");
        assert!(out.stderr.contains("not a regular file"), "{kind}: {out:?}");
    }
}

#[test]
fn reports_go_to_fifos_and_devices_directly_and_keep_modes() {
    let d = project(&[("a.ts", MISSING_CHALLENGE)]);
    // A FIFO with a reader gets the report; it stays a FIFO.
    let fifo = d.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = lint(
        d.path(),
        &["lint", "--format", "json", "-o", "report.fifo", "a.ts"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    let still_fifo = std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo();
    // Release the reader whatever happened (it waits for a writer to open).
    if still_fifo {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo);
    }
    assert!(still_fifo, "the FIFO was replaced: {out:?}");
    let got = reader.join().unwrap();
    assert!(got.contains("\"require-www-authenticate\""), "{got}");

    // A device stays a device.
    let out = lint(d.path(), &["lint", "-o", "/dev/null", "a.ts"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    // A new report follows the umask; an existing one keeps its mode.
    let mut c = cmd(
        d.path(),
        &["lint", "--format", "json", "-o", "new.json", "a.ts"],
    );
    use std::os::unix::process::CommandExt;
    unsafe {
        c.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    assert_eq!(finish(c).code, 1);
    let mode = |p: &str| {
        std::fs::metadata(d.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("new.json"), 0o644);
    std::fs::set_permissions(
        d.path().join("new.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    assert_eq!(
        lint(
            d.path(),
            &["lint", "--format", "json", "-o", "new.json", "a.ts"]
        )
        .code,
        1
    );
    assert_eq!(mode("new.json"), 0o640);
    assert!(read(d.path(), "new.json").contains("require-www-authenticate"));
}

#[test]
fn write_errors_on_standard_output_exit_2() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let d = project(&[("a.ts", MISSING_CHALLENGE)]);
    let full = || {
        Stdio::from(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
    };
    let mut c = cmd(d.path(), &["lint", "--format", "json", "a.ts"]);
    c.stdout(full());
    let out = finish(c);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("cannot write to standard output"),
        "{out:?}"
    );

    let mut c = cmd(d.path(), &["lint", "--fix", "--stdin-filename", "a.ts"]);
    c.stdin(Stdio::from(
        std::fs::File::open(d.path().join("a.ts")).unwrap(),
    ))
    .stdout(full());
    let out = finish(c);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("cannot write to standard output"),
        "{out:?}"
    );
}

#[test]
fn standard_input_that_is_not_utf8_still_gives_a_json_report() {
    let d = project(&[]);
    let mut c = cmd(
        d.path(),
        &["lint", "--format", "json", "--stdin-filename", "l.js"],
    );
    c.stdin(Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"x=\"caf\xe9\"\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["notices"][0]["path"], "l.js");
    assert_eq!(json["notices"][0]["message"], "file is not valid UTF-8");
    assert_eq!(json["summary"]["skipped"], 1);
}

#[test]
fn fixes_are_never_repeated_on_files_with_syntax_errors() {
    let cases = [
        (
            "ni.js",
            "function h() {\n  return {\n    statusCode: 401,\n    body: f(!,\n  }\n}\n",
        ),
        (
            "express.js",
            "const express = require('express');\nconst app = express();\n\
             app.get('/', (req, res) => {\n  if (!req.headers.authorization) {\n    \
             return res.status(401).send(f(!,);\n  }\n});\n",
        ),
        (
            "fastify.js",
            "const fastify = require('fastify')();\n\
             fastify.get('/', async (request, reply) => {\n  \
             return reply.code(401).send({ error: f(!, });\n});\n",
        ),
        (
            "api.py",
            "from fastapi import FastAPI, HTTPException\napp = FastAPI()\n\n\
             @app.get('/')\ndef read(token: str = ''):\n    if not token:\n        \
             raise HTTPException(status_code=401, detail=f(!,)\n",
        ),
    ];
    for (name, text) in cases {
        let d = project(&[(name, text)]);
        for run in 0..2 {
            let out = lint(d.path(), &["lint", "--fix", name]);
            assert_ne!(out.code, 2, "{name} run {run}: {out:?}");
            let after = read(d.path(), name);
            assert_eq!(
                after.matches("WWW-Authenticate").count(),
                0,
                "{name} run {run}: a fix landed in broken code:\n{after}"
            );
            assert_eq!(after, text, "{name} run {run}");
        }
    }
}

#[test]
fn fixes_respect_read_only_files_and_hard_links() {
    let d = project(&[("a.ts", MISSING_CHALLENGE)]);
    let a = d.path().join("a.ts");
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = lint(d.path(), &["lint", "--fix", "a.ts"]);
    assert!(
        out.stderr
            .contains("a.ts: fixes not written: the file is read-only"),
        "{out:?}"
    );
    assert_eq!(read(d.path(), "a.ts"), MISSING_CHALLENGE);
    assert_eq!(
        std::fs::metadata(&a).unwrap().permissions().mode() & 0o777,
        0o444
    );

    let d = project(&[("a.ts", MISSING_CHALLENGE)]);
    std::fs::hard_link(d.path().join("a.ts"), d.path().join("b.ts")).unwrap();
    let out = lint(d.path(), &["lint", "--fix", "a.ts"]);
    assert!(
        out.stderr
            .contains("a.ts: fixes not written: the file has 2 hard links"),
        "{out:?}"
    );
    let (a, b) = (
        std::fs::metadata(d.path().join("a.ts")).unwrap(),
        std::fs::metadata(d.path().join("b.ts")).unwrap(),
    );
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
    assert_eq!(read(d.path(), "a.ts"), MISSING_CHALLENGE);
}

#[test]
fn fixes_keep_the_files_owner_and_group() {
    if !is_root() {
        eprintln!("skipped: changing a file's owner needs root");
        return;
    }
    let d = project(&[("a.ts", MISSING_CHALLENGE)]);
    let a = d.path().join("a.ts");
    std::os::unix::fs::chown(&a, Some(65534), Some(65534)).unwrap();
    let out = lint(d.path(), &["lint", "--fix", "a.ts"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(read(d.path(), "a.ts").contains("WWW-Authenticate"));
    let m = std::fs::metadata(&a).unwrap();
    assert_eq!((m.uid(), m.gid()), (65534, 65534));
}

#[test]
fn a_save_during_a_fix_is_kept_and_the_fix_skipped() {
    let d = project(&[("a.ts", MISSING_CHALLENGE)]);
    let mut c = cmd(d.path(), &["lint", "--fix", "a.ts"]);
    c.env("AUTHLINT_TEST_PAUSE_BEFORE_RENAME_MS", "2000");
    let child = std::thread::spawn(move || finish(c));
    // The editor saves while the fix waits to be renamed into place.
    std::thread::sleep(Duration::from_millis(700));
    let saved = "export default () => new Response('saved by the editor', { status: 200 });\n";
    write(d.path(), "a.ts", saved);
    let out = child.join().unwrap();
    assert!(
        out.stderr
            .contains("a.ts: fixes not written: the file changed while"),
        "{out:?}"
    );
    assert_eq!(read(d.path(), "a.ts"), saved);
    assert_eq!(temp_files_left(d.path()), Vec::<String>::new());
}

#[test]
fn an_interrupted_fix_leaves_no_temporary_file() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let d = project(&[("a.ts", MISSING_CHALLENGE)]);
        let mut c = cmd(d.path(), &["lint", "--fix", "a.ts"]);
        c.env("AUTHLINT_TEST_PAUSE_BEFORE_RENAME_MS", "5000");
        let mut child = c.spawn().unwrap();
        // Wait for the temporary file to exist, then interrupt.
        let start = Instant::now();
        while temp_files_left(d.path()).is_empty() {
            assert!(start.elapsed() < DEADLINE, "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().unwrap();
        assert_ne!(status.code(), Some(0));
        assert_eq!(
            temp_files_left(d.path()),
            Vec::<String>::new(),
            "signal {signal}"
        );
        assert_eq!(read(d.path(), "a.ts"), MISSING_CHALLENGE);
    }
}

#[test]
fn files_not_analysed_are_in_every_report_and_can_fail_the_run() {
    let deep = format!(
        "export default () => new Response('no', {{ status: 401 }});\nconst x = {}1{};\n",
        "[".repeat(600),
        "]".repeat(600)
    );
    let d = project(&[
        ("deep.ts", &deep),
        (
            "broken.ts",
            "export default () => new Response('no', { status: 401 }); f(!,\n",
        ),
    ]);
    std::fs::write(d.path().join("latin1.ts"), b"const s = 'caf\xe9'; // 401\n").unwrap();
    std::fs::write(d.path().join("nul.ts"), b"const s = 401;\0\n").unwrap();

    let out = lint(d.path(), &["lint", "--format", "json", "."]);
    assert_eq!(out.code, 1, "{out:?}");
    let json = out.json();
    let mut skipped: Vec<(String, String)> = json["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["skipped"] == true)
        .map(|n| {
            (
                n["path"].as_str().unwrap().to_string(),
                n["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    skipped.sort();
    let expected: Vec<(String, String)> = [
        ("broken.ts", "info"),
        ("deep.ts", "warning"),
        ("latin1.ts", "warning"),
        ("nul.ts", "warning"),
    ]
    .iter()
    .map(|(p, l)| (p.to_string(), l.to_string()))
    .collect();
    assert_eq!(skipped, expected, "{out:?}");
    assert_eq!(json["summary"]["skipped"], 4);
    // The broken file is still linted where the parser could follow it.
    assert!(cli_support::rules_of(&json).contains(&"require-www-authenticate".into()));

    let out = lint(d.path(), &["lint", "--format", "github", "."]);
    assert!(
        out.stdout
            .contains("::warning file=latin1.ts,title=authlint::file is not valid UTF-8"),
        "{out:?}"
    );
    let out = lint(d.path(), &["lint", "--format", "sarif", "."]);
    assert!(out.stdout.contains("toolExecutionNotifications"), "{out:?}");
    assert!(out.stdout.contains("file looks binary"), "{out:?}");
    let out = lint(d.path(), &["lint", "."]);
    assert!(
        out.stdout.contains("4 files not analysed in full"),
        "{out:?}"
    );

    let out = lint(d.path(), &["lint", "--fail-on-skipped", "."]);
    assert_eq!(out.code, 2, "{out:?}");

    // Standard input names what was not analysed in full, as files do.
    let broken = "function h(req, res) {\n  if (!req.user) return res.status(401).json({\n    error: f(!,\n  })\n}\n";
    let out = cli_support::run_stdin(d.path(), &["lint", "--stdin-filename", "b.js", "-"], broken);
    assert!(
        out.stdout.contains("1 file not analysed in full"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("b.js: the file has syntax errors"),
        "{out:?}"
    );
}
