//! Any input, however broken, is analysed or skipped with a reason: never a
//! panic or a stack overflow. Each case runs on a thread with a small
//! (256 KiB) stack, so deep recursion would crash the test.

use authlint::lint::Skip;
use authlint::{Linter, Settings};
use std::path::Path;

const EXTS: &[&str] = &["ts", "tsx", "js", "py"];

/// Lints `bytes` as `name` the way the CLI does: decode, then lint.
fn lint_bytes(name: &str, bytes: Vec<u8>) -> Result<usize, Skip> {
    let name = name.to_string();
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            // Analysed as application code: a long one-line input would
            // otherwise be taken for a minified bundle and not analysed.
            let linter = Linter::new(Settings {
                role: Some(authlint::roles::Role::App),
                ..Settings::default()
            });
            let text = linter.decode(&bytes)?;
            linter.lint(Path::new(&name), text).map(|d| d.len())
        })
        .unwrap()
        .join()
        .expect("linting panicked")
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_are_skipped_or_linted() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for i in 0..200 {
        let len = (rng.next() % 4096) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Make sure the pre-filter lets some of them through to the parser.
        if i % 2 == 0 {
            bytes.extend_from_slice(
                b"status: 401 res.status(401) new Response('x', { status: 401 })",
            );
        }
        let ext = EXTS[i % EXTS.len()];
        let _ = lint_bytes(&format!("random{i}.{ext}"), bytes);
    }
}

#[test]
fn random_ascii_source_is_linted() {
    // Printable noise built from the languages' own punctuation and keywords.
    let pieces = [
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "401",
        "403",
        "status",
        ":",
        ",",
        "new Response(",
        "res.status(",
        "return",
        "if",
        "!",
        "'",
        "\"",
        "`",
        "${",
        "\n",
        " ",
        "=>",
        "def ",
        "raise ",
        "HTTPException(",
        "#",
        "//",
        "/*",
        "*/",
    ];
    let mut rng = XorShift(42);
    for i in 0..300 {
        let n = (rng.next() % 200) as usize;
        let src: String = (0..n)
            .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
            .collect();
        let ext = EXTS[i % EXTS.len()];
        let r = lint_bytes(&format!("noise{i}.{ext}"), src.into_bytes());
        assert!(r.is_ok(), "noise{i}.{ext}: {r:?}");
    }
}

#[test]
fn invalid_utf8_is_skipped_with_a_reason() {
    let mut bytes = b"return new Response('x', { status: 401 })".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    let err = lint_bytes("bad.ts", bytes).unwrap_err();
    assert_eq!(err, Skip::NotUtf8);
    assert!(err.to_string().contains("UTF-8"));
}

#[test]
fn binary_files_are_skipped() {
    let err = lint_bytes("bin.js", b"401\0\0\x01".to_vec()).unwrap_err();
    assert_eq!(err, Skip::Binary);
}

#[test]
fn deep_nesting_never_overflows() {
    let depth = 100_000;
    let cases = [
        (
            "deep.ts",
            format!(
                "const x = {}401{};\nreturn new Response('x', {{ status: 401 }})\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
        (
            "deep.js",
            format!("f({}401{});\n", "(".repeat(depth), ")".repeat(depth)),
        ),
        (
            "deep.tsx",
            format!(
                "const a = {}{};\n",
                "{a: ".repeat(depth),
                "401}".repeat(depth)
            ),
        ),
        (
            "deep.py",
            format!(
                "x = {}401{}\nraise HTTPException(status_code=401)\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
        // Unbalanced: the parser recovers, the engine must not recurse through it.
        (
            "open.ts",
            format!("{}res.status(401).json({{}})", "if (a) { ".repeat(depth)),
        ),
    ];
    for (name, src) in cases {
        match lint_bytes(name, src.into_bytes()) {
            Ok(_) | Err(Skip::TooDeep) => {}
            Err(other) => panic!("{name}: unexpected skip {other}"),
        }
    }
}

/// Nesting with no brackets (unary and binary chains, nested ternaries)
/// gets past the pre-parse bracket check; the tree-depth check must catch
/// it before anything recurses on the tree.
#[test]
fn deep_expressions_without_brackets_are_skipped() {
    let depth = 50_000;
    let cases = [
        (
            "unary.ts",
            format!(
                "const x = {}a\nreturn new Response('x', {{ status: 401 }})\n",
                "!".repeat(depth)
            ),
        ),
        (
            "binary.js",
            format!("res.status(401).json({{ n: {}1 }})\n", "1 + ".repeat(depth)),
        ),
        (
            "ternary.tsx",
            format!("const s = {}401\n", "a ? 401 : ".repeat(depth)),
        ),
        (
            "unary.py",
            format!(
                "x = {}a\nraise HTTPException(status_code=401)\n",
                "not ".repeat(depth)
            ),
        ),
    ];
    for (name, src) in cases {
        assert_eq!(
            lint_bytes(name, src.into_bytes()),
            Err(Skip::TooDeep),
            "{name}"
        );
    }
}

#[test]
fn large_minified_file_is_analysed() {
    // ~4 MB of handlers on one line, as a bundler would emit them.
    let unit = "app.get('/x',function(req,res){if(!req.user){return res.status(401).json({error:'no'})}res.json({ok:1})});";
    let mut src = String::new();
    while src.len() < 4 * 1024 * 1024 {
        src.push_str(unit);
    }
    let count =
        lint_bytes("bundle.min.js", src.into_bytes()).expect("a 4 MB file is within limits");
    // Every handler is a 401 without a challenge or a log line.
    assert!(count >= 2 * (4 * 1024 * 1024 / unit.len()), "found {count}");
}

#[test]
fn a_minified_bundle_is_generated_code_and_not_reported() {
    let unit = "app.get('/x',function(req,res){if(!req.user){return res.status(401).json({error:'no'})}});";
    let src = unit.repeat(100);
    let linter = Linter::new(Settings::default());
    let role = linter.role(Path::new("static/app.js"), &src);
    assert_eq!(role.role, authlint::roles::Role::Generated, "{}", role.why);
    assert_eq!(
        linter.lint(Path::new("static/app.js"), &src),
        Ok(Vec::new())
    );
    // The same handler, laid out by a person, is application code.
    let readable = unit.replace(';', ";\n").replace('{', "{\n");
    assert!(!linter
        .lint(Path::new("static/app.js"), &readable)
        .unwrap()
        .is_empty());
}

#[test]
fn oversized_files_are_skipped_with_a_reason() {
    let src = "x".repeat(authlint::lint::MAX_FILE_BYTES + 1);
    let err = lint_bytes("huge.js", src.into_bytes()).unwrap_err();
    assert!(matches!(err, Skip::TooLarge(_)));
    assert!(err.to_string().contains("limit"));
}
