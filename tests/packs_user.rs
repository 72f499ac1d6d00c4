//! A user's pack teaches authlint a made-up framework end to end: the
//! worked example of `docs/packs.md`, as written there, gives a finding and
//! a fix on the command line, a diagnostic in the language server, and a
//! line in `--show-sites`. A broken pack is a configuration error that says
//! which pack and why.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{binary, LspClient};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// Writes every `<!-- file: PATH -->` block of docs/packs.md under `dir`.
fn write_example(dir: &Path) -> Vec<String> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/packs.md"))
        .unwrap();
    let mut written = Vec::new();
    let mut rest = doc.as_str();
    while let Some(i) = rest.find("<!-- file: ") {
        rest = &rest[i + "<!-- file: ".len()..];
        let name = rest[..rest.find(" -->").unwrap()].to_string();
        let fence = rest.find("```").unwrap();
        let body_start = fence + rest[fence..].find('\n').unwrap() + 1;
        let body_len = rest[body_start..].find("```").unwrap();
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rest[body_start..body_start + body_len]).unwrap();
        written.push(name);
        rest = &rest[body_start + body_len..];
    }
    written
}

fn authlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_worked_example_finds_fixes_and_shows_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_example(dir.path());
    assert_eq!(
        files,
        ["authlint/acme-http.toml", "authlint.toml", "src/orders.ts"]
    );

    let (code, out, err) = authlint(dir.path(), &["lint", "--format", "json", "src/orders.ts"]);
    assert_eq!(code, 1, "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let diags = report["diagnostics"].as_array().unwrap();
    let rules: Vec<&str> = diags.iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["require-www-authenticate"], "{out}");
    assert_eq!(diags[0]["range"]["start"]["line"], 7);

    // The report docs/packs.md shows is the one authlint prints.
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/packs.md"))
        .unwrap();
    let shown = doc
        .split("```console\n$ authlint lint src/orders.ts\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let (_, printed, _) = authlint(dir.path(), &["lint", "src/orders.ts"]);
    assert_eq!(printed.trim_end(), shown.trim_end());

    // Without the pack, authlint does not know `reject`: nothing to report.
    std::fs::write(dir.path().join("authlint.toml"), "").unwrap();
    let (code, out, _) = authlint(dir.path(), &["lint", "--format", "json", "src/orders.ts"]);
    assert_eq!(code, 0, "{out}");
    write_example(dir.path());

    let (_, sites, err) = authlint(dir.path(), &["lint", "--show-sites", "src"]);
    assert_eq!(
        sites.trim(),
        "src/orders.ts:7:12: status 401, no challenge (pack row acme-http#0)",
        "{err}"
    );

    let (code, out, err) = authlint(dir.path(), &["lint", "--fix", "src/orders.ts"]);
    assert_eq!(code, 0, "{out}{err}");
    let fixed = std::fs::read_to_string(dir.path().join("src/orders.ts")).unwrap();
    assert!(
        fixed.contains(
            "return reject(401, 'missing token', { headers: { 'WWW-Authenticate': 'Bearer realm=\"api\"' } });"
        ),
        "{fixed}"
    );
}

#[test]
fn the_language_server_reports_what_the_users_pack_finds() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let root = dir.path().canonicalize().unwrap();
    let file = root.join("src/orders.ts");
    let uri = format!("file://{}", file.display());
    let text = std::fs::read_to_string(&file).unwrap();
    let (mut c, _) = LspClient::start_in(
        &root,
        Some(&format!("file://{}", root.display())),
        json!({}),
        Value::Null,
    );
    c.open(&uri, "typescript", 1, &text);
    let diags = c.diagnostics(&uri, 1);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "require-www-authenticate");
    assert_eq!(diags[0]["range"]["start"]["line"], 6);
    assert!(c.shutdown().success());
}

#[test]
fn a_broken_pack_is_a_configuration_error_naming_pack_row_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    std::fs::write(
        dir.path().join("authlint/acme-http.toml"),
        "name = \"acme-http\"\nlanguage = \"javascript\"\nmodules = [\"@acme/http\"]\n\n[[response]]\ncall = \"@other/http.reject\"\nstatus = 401\n",
    )
    .unwrap();
    let (code, out, err) = authlint(dir.path(), &["lint", "src/orders.ts"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("authlint.toml:1:"), "{err}");
    assert!(
        err.contains("pack `authlint/acme-http.toml`")
            && err.contains("response row 1 (reject)")
            && err.contains("one of `modules`"),
        "{err}"
    );

    std::fs::remove_file(dir.path().join("authlint/acme-http.toml")).unwrap();
    let (code, _, err) = authlint(dir.path(), &["lint", "src/orders.ts"]);
    assert_eq!(code, 2);
    assert!(err.contains("pack `authlint/acme-http.toml`"), "{err}");
}

#[test]
fn a_pack_reaches_commonjs_requires_and_default_exports() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("authlint.toml"), "packs = [\"legacy.toml\"]\n").unwrap();
    std::fs::write(
        root.join("legacy.toml"),
        "name = \"legacy\"\nlanguage = \"javascript\"\nmodules = [\"@acme/legacy\"]\n\n\
         [[response]]\ncall = [\"@acme/legacy.default\", \"@acme/legacy.deny\"]\n\
         status = { position = 0 }\nmessage = { position = 1 }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("handlers.js"),
        "const reject = require('@acme/legacy');\n\
         const { deny } = require('@acme/legacy');\n\
         const legacy = require('@acme/legacy');\n\
         \n\
         function a(req) {\n  if (!req.headers.authorization) {\n    console.warn('a: no header');\n    return reject(401, 'missing token');\n  }\n}\n\
         function b(req) {\n  if (!req.headers.authorization) {\n    console.warn('b: no header');\n    return deny(401, 'missing token');\n  }\n}\n\
         function c(req) {\n  if (!req.headers.authorization) {\n    console.warn('c: no header');\n    return legacy.deny(401, 'missing token');\n  }\n}\n\
         module.exports = { a, b, c };\n",
    )
    .unwrap();
    let (_, sites, err) = authlint(root, &["lint", "--show-sites", "handlers.js"]);
    assert_eq!(
        sites.trim(),
        "handlers.js:8:12: status 401, no challenge (pack row legacy#0)\n\
         handlers.js:14:12: status 401, no challenge (pack row legacy#0)\n\
         handlers.js:20:12: status 401, no challenge (pack row legacy#0)",
        "{err}"
    );
}
