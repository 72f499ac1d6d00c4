//! Fixes are checked like code: every safe fix is applied to the TypeScript
//! fixtures (`tests/fixtures/*/*.invalid.{ts,tsx,mts}`) and examples, and
//! the TypeScript compiler checks the result against the frameworks' real
//! type packages. A fix may not add a type error: `res.set(…)` on a Next.js
//! `NextApiResponse`, which has no `set`, would turn every rejected request
//! into a 500.
//!
//! The fixtures import modules that do not exist (`./auth`), so they are not
//! free of errors to begin with: the test compares the errors of the fixed
//! files with those of the originals, and fails on any error that only the
//! fixed files have.
//!
//! The Python fixtures and examples are checked the same way with pyright,
//! against FastAPI, Flask, Django, DRF and aiohttp installed in a virtual
//! environment: a fix may not pass a keyword a call does not take.
//!
//! The TypeScript check runs when `AUTHLINT_TSC_NODE_MODULES` names a
//! `node_modules` folder holding `typescript` and the type packages; the
//! Python one when `AUTHLINT_PYRIGHT` names the pyright executable and
//! `AUTHLINT_PYTHON_VENV` the virtual environment (`.ci/run` installs all
//! of them, at the versions pinned there). Without them each test says so
//! and passes; with `AUTHLINT_REQUIRE_TYPECHECK=1` a missing one is a
//! failure.

mod cli_support;
use cli_support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "es2022",
    "module": "esnext",
    "moduleResolution": "bundler",
    "jsx": "preserve",
    "lib": ["es2022", "dom", "dom.iterable"],
    "types": ["node"],
    "strict": false,
    "noImplicitAny": false,
    "skipLibCheck": true,
    "noEmit": true
  },
  "include": ["**/*.ts", "**/*.tsx", "**/*.mts"],
  "exclude": ["node_modules"]
}
"#;

/// The sources of one language the test checks, relative to the
/// repository: the invalid fixtures and the examples.
fn sources(root: &Path, fixture_ends: &[&str], example_exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root.join("tests/fixtures")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            if fixture_ends.iter().any(|e| name.ends_with(e)) {
                out.push(f.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut stack = vec![root.join("examples")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| example_exts.iter().any(|e| x == *e))
            {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// A workspace holding `files` and `config` (name, text).
fn workspace(root: &Path, files: &[PathBuf], config: (&str, &str)) -> tempfile::TempDir {
    let w = tempfile::tempdir().unwrap();
    for f in files {
        let to = w.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root.join(f), &to).unwrap();
    }
    std::fs::write(w.path().join(config.0), config.1).unwrap();
    // Fixtures sit under `tests/`: lint them as application code, as
    // `tests/rules.rs` does.
    std::fs::write(w.path().join("authlint.toml"), "[roles]\napp = [\"**\"]\n").unwrap();
    w
}

/// Whether a check's tool is configured; when not, whether that is allowed.
fn configured(vars: &[&str]) -> Option<Vec<PathBuf>> {
    let values: Vec<Option<PathBuf>> = vars
        .iter()
        .map(|v| std::env::var_os(v).map(PathBuf::from))
        .collect();
    if values.iter().all(Option::is_some) {
        return Some(values.into_iter().flatten().collect());
    }
    assert!(
        std::env::var_os("AUTHLINT_REQUIRE_TYPECHECK").is_none(),
        "AUTHLINT_REQUIRE_TYPECHECK is set but {} is not",
        vars.join(" or ")
    );
    eprintln!(
        "skipped: set {} (see the module documentation)",
        vars.join(" and ")
    );
    None
}

/// Applies the safe fixes in `dir` with the CLI, and returns how many of
/// `files` changed.
fn fix_all(dir: &Path, original: &Path, files: &[PathBuf]) -> usize {
    let out = run(dir, &["lint", "--fix", "."]);
    assert!(out.code <= 1, "{out:?}");
    files
        .iter()
        .filter(|f| std::fs::read(original.join(f)).unwrap() != std::fs::read(dir.join(f)).unwrap())
        .count()
}

type Errors = BTreeMap<(String, String, String), usize>;

/// `tsc`'s errors in `dir`, counted by file, code and message (not by
/// position: a fix moves the lines after it).
fn tsc_errors(dir: &Path, node_modules: &Path) -> Errors {
    let tsc = node_modules.join("typescript/bin/tsc");
    let out = Command::new("node")
        .arg(&tsc)
        .args(["-p", "."])
        .current_dir(dir)
        .output()
        .expect("run node with typescript's tsc");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut found = BTreeMap::new();
    for line in text.lines() {
        // `path(line,col): error TS1234: message`
        let Some((loc, rest)) = line.split_once("): error ") else {
            continue;
        };
        let Some((code, message)) = rest.split_once(": ") else {
            continue;
        };
        let file = loc.rsplit_once('(').map_or(loc, |(f, _)| f);
        *found
            .entry((file.to_string(), code.to_string(), message.to_string()))
            .or_default() += 1;
    }
    assert!(
        out.status.success() || !found.is_empty(),
        "tsc failed without reporting errors:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    found
}

/// Errors `after` has more of than `before`.
fn added(before: &Errors, after: &Errors) -> Vec<String> {
    after
        .iter()
        .filter(|(k, n)| before.get(*k).copied().unwrap_or(0) < **n)
        .map(|((f, c, m), _)| format!("{f}: {c} {m}"))
        .collect()
}

#[test]
fn safe_fixes_add_no_typescript_errors() {
    let Some(tools) = configured(&["AUTHLINT_TSC_NODE_MODULES"]) else {
        return;
    };
    let node_modules = tools[0].canonicalize().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = sources(
        root,
        &[".invalid.ts", ".invalid.tsx", ".invalid.mts"],
        &["ts", "tsx"],
    );
    assert!(files.len() > 50, "only {} TypeScript sources", files.len());
    let original = workspace(root, &files, ("tsconfig.json", TSCONFIG));
    let fixed = workspace(root, &files, ("tsconfig.json", TSCONFIG));
    for w in [&original, &fixed] {
        std::os::unix::fs::symlink(&node_modules, w.path().join("node_modules")).unwrap();
    }
    let changed = fix_all(fixed.path(), original.path(), &files);
    assert!(changed > 40, "the fixes changed only {changed} files");

    let before = tsc_errors(original.path(), &node_modules);
    let new = added(&before, &tsc_errors(fixed.path(), &node_modules));
    assert!(
        new.is_empty(),
        "safe fixes added type errors:\n  {}",
        new.join("\n  ")
    );

    // The check can fail: Express's `.set` on a Next.js `NextApiResponse`
    // is an error it reports.
    let broken = breaking(
        fixed.path(),
        "tests/fixtures/require-www-authenticate/next-pages.invalid.ts",
        (".setHeader('WWW-Authenticate'", ".set('WWW-Authenticate'"),
    );
    let new = added(&before, &tsc_errors(fixed.path(), &node_modules));
    assert!(
        new.iter()
            .any(|e| e.contains(&broken) && e.contains("TS2339")),
        "a broken fix went unnoticed: {new:?}"
    );
}

#[test]
fn safe_fixes_add_no_python_type_errors() {
    let Some(tools) = configured(&["AUTHLINT_PYRIGHT", "AUTHLINT_PYTHON_VENV"]) else {
        return;
    };
    let (pyright, venv) = (&tools[0], tools[1].canonicalize().unwrap());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = sources(root, &[".invalid.py"], &["py"]);
    assert!(files.len() > 20, "only {} Python sources", files.len());
    let config = serde_json::json!({
        "venvPath": venv.parent().unwrap(),
        "venv": venv.file_name().unwrap().to_string_lossy(),
        "typeCheckingMode": "basic",
    })
    .to_string();
    let original = workspace(root, &files, ("pyrightconfig.json", &config));
    let fixed = workspace(root, &files, ("pyrightconfig.json", &config));
    let changed = fix_all(fixed.path(), original.path(), &files);
    assert!(changed > 15, "the fixes changed only {changed} files");

    let before = pyright_errors(original.path(), pyright);
    let unresolved = |(_, rule, message): &(String, String, String)| {
        rule == "reportMissingImports"
            && [
                "\"fastapi",
                "\"flask\"",
                "\"django",
                "\"rest_framework",
                "\"aiohttp",
            ]
            .iter()
            .any(|m| message.contains(m))
    };
    assert!(
        !before.keys().any(unresolved),
        "the frameworks are not installed in the virtual environment: {before:?}"
    );
    let new = added(&before, &pyright_errors(fixed.path(), pyright));
    assert!(
        new.is_empty(),
        "safe fixes added type errors:\n  {}",
        new.join("\n  ")
    );

    // The check can fail: a keyword FastAPI's HTTPException does not take.
    let broken = breaking(
        fixed.path(),
        "tests/fixtures/require-www-authenticate/fastapi.invalid.py",
        (
            "headers={\"WWW-Authenticate\"",
            "header={\"WWW-Authenticate\"",
        ),
    );
    let new = added(&before, &pyright_errors(fixed.path(), pyright));
    assert!(
        new.iter().any(|e| e.contains(&broken)),
        "a broken fix went unnoticed: {new:?}"
    );
}

/// Breaks the fixed `file` in `dir` by replacing `what.0` with `what.1`
/// (which the fixes must have written), and returns the file's path.
fn breaking(dir: &Path, file: &str, what: (&str, &str)) -> String {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(what.0), "{file} has no `{}`:\n{text}", what.0);
    std::fs::write(&path, text.replace(what.0, what.1)).unwrap();
    file.to_string()
}

/// pyright's errors in `dir`, counted by file, rule and message.
fn pyright_errors(dir: &Path, pyright: &Path) -> Errors {
    let out = Command::new(pyright)
        .arg("--outputjson")
        .current_dir(dir)
        .output()
        .expect("run pyright");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "pyright's output is not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let base = dir.canonicalize().unwrap();
    let mut found = BTreeMap::new();
    for d in report["generalDiagnostics"].as_array().unwrap() {
        if d["severity"] != "error" && d["rule"] != "reportMissingImports" {
            continue;
        }
        let file = PathBuf::from(d["file"].as_str().unwrap());
        let file = file
            .strip_prefix(&base)
            .unwrap_or(&file)
            .display()
            .to_string();
        let key = (
            file,
            d["rule"].as_str().unwrap_or("").to_string(),
            d["message"].as_str().unwrap_or("").to_string(),
        );
        *found.entry(key).or_default() += 1;
    }
    found
}
