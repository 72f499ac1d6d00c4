//! The checks behind the fuzz targets in `fuzz_targets/` (one target per
//! language for linting and fixing, one for the language server's input).
//! See `docs/fuzzing.md`.

use authlint::engine::{self, Language, ModuleSource};
use authlint::fix::{fix_until_stable, FixMode};
use authlint::lint::{Linter, Skip};
use authlint::lsp::framing::{Event, Framer};
use authlint::lsp::input::{check, Checked};
use authlint::roles::Role;
use authlint::{Diagnostic, Settings};
use serde_json::Value;
use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Fix passes per file, as `authlint lint --fix` runs them.
const MAX_FIX_PASSES: usize = 10;

/// Where the input is linted from. Nothing is read there: imports resolve
/// through [`Echo`], and the directories do not exist.
fn path_of(lang: Language) -> &'static Path {
    Path::new(match lang {
        Language::TypeScript => "/authlint-fuzz/src/input.ts",
        Language::Tsx => "/authlint-fuzz/src/input.tsx",
        Language::JavaScript => "/authlint-fuzz/src/input.js",
        Language::Python => "/authlint-fuzz/src/input.py",
    })
}

/// A project in which every module an import could name exists and holds
/// the fuzzed text itself: import resolution and module summaries run on
/// the input too, and nothing is read from disk.
struct Echo(String);

impl ModuleSource for Echo {
    fn read(&self, _: &Path) -> Option<String> {
        Some(self.0.clone())
    }

    fn exists(&self, _: &Path) -> bool {
        true
    }
}

/// A linter with the default settings, the file's role forced to
/// application code (so that every rule runs, whatever the text looks
/// like), and imports resolved by [`Echo`].
fn linter(text: &str) -> Linter {
    let settings = Settings {
        role: Some(Role::App),
        ..Settings::default()
    };
    Linter::with_source(settings, Arc::new(Echo(text.to_string())))
}

/// The input's text. Bytes the CLI would skip (not UTF-8, or holding NUL)
/// are what `Linter::decode` reports as a skipped file; the language server
/// takes any text an editor sends, NUL included, so such input is converted
/// lossily and linted rather than thrown away.
fn text_of(data: &[u8]) -> Cow<'_, str> {
    static DECODER: OnceLock<Linter> = OnceLock::new();
    let decoder = DECODER.get_or_init(|| Linter::new(Settings::default()));
    match decoder.decode(data) {
        Ok(text) => Cow::Borrowed(text),
        Err(Skip::NotUtf8 | Skip::Binary) => String::from_utf8_lossy(data),
        Err(other) => panic!("decode skipped {} bytes: {other}", data.len()),
    }
}

/// `lint_checked` as the CLI calls it. `None` for a file skipped as nested
/// too deeply (the only skip an in-memory text can earn: it is not too
/// large, and tree-sitter gives up only when cancelled).
fn lint_checked(linter: &Linter, text: &str, lang: Language) -> Option<authlint::lint::Linted> {
    match linter.lint_checked(path_of(lang), text, lang) {
        Ok(linted) => {
            check_diagnostics(text, &linted.diagnostics);
            Some(linted)
        }
        Err(Skip::TooDeep) => None,
        Err(skip) => panic!("unexpected skip: {skip}"),
    }
}

/// Target 1: lint `data` as a `lang` file. Checks that linting does not
/// panic, that every range in the findings lies in the text on char
/// boundaries (see [`check_diagnostics`]), and that the language server's
/// path (`lint_tree_reusing` on a fresh tree) finds exactly what the CLI's
/// does.
pub fn lint(lang: Language, data: &[u8]) {
    let text = text_of(data);
    let linter = linter(&text);
    let Some(linted) = lint_checked(&linter, &text, lang) else {
        return;
    };
    let tree = engine::parse(lang, &text, None).expect("tree-sitter gave up");
    match linter.lint_tree_reusing(path_of(lang), &text, lang, &tree, None) {
        Ok((diags, _)) => assert_eq!(
            diags, linted.diagnostics,
            "the language server's lint differs from the CLI's"
        ),
        Err(skip) => panic!("the language server skipped what the CLI linted: {skip}"),
    }
}

/// Whether `text` has syntax errors (or could not be parsed at all).
fn broken(lang: Language, text: &str) -> bool {
    engine::parse(lang, text, None).is_none_or(|t| t.root_node().has_error())
}

/// Target 2: fix `data` as `authlint lint --fix` (safe fixes) and
/// `--fix --unsafe-fixes` do, re-linting between passes. Checks what
/// [`lint`] checks on every text linted on the way, and then that
/// (a) fixing a text without syntax errors leaves none, and
/// (b) fixing the fixed text again changes nothing.
pub fn fix(lang: Language, data: &[u8]) {
    let text = text_of(data);
    let linter = linter(&text);
    let Some(first) = lint_checked(&linter, &text, lang) else {
        return;
    };
    let path = path_of(lang);
    let was_broken = broken(lang, &text);
    for mode in [FixMode::SafeOnly, FixMode::IncludeUnsafe] {
        let mut relints = 0;
        let relint = |t: &str| {
            relints += 1;
            let diags = linter.lint_as(path, t, lang)?;
            check_diagnostics(t, &diags);
            Ok::<_, Skip>(diags)
        };
        let run = fix_until_stable(
            &text,
            first.diagnostics.clone(),
            mode,
            MAX_FIX_PASSES,
            relint,
        );
        // A failed re-lint makes the CLI refuse the fixes: nothing changes.
        if run.failed.is_some() || run.text == *text {
            continue;
        }
        assert!(
            was_broken || !broken(lang, &run.text),
            "{mode:?} fixes introduced a syntax error:\n--- before\n{text}\n--- after\n{}",
            run.text
        );
        if relints == MAX_FIX_PASSES {
            // The passes ran out: fixes may be left for another run.
            continue;
        }
        let again = lint_checked(&linter, &run.text, lang)
            .expect("the fixed text re-linted, but does not lint now");
        let second = fix_until_stable(
            &run.text,
            again.diagnostics,
            mode,
            MAX_FIX_PASSES,
            |t: &str| linter.lint_as(path, t, lang),
        );
        assert!(
            second.failed.is_some() || second.text == run.text,
            "{mode:?} fixing is not idempotent:\n--- input\n{text}\n--- fixed once\n{}\n--- fixed twice\n{}",
            run.text,
            second.text
        );
    }
}

/// Whether `r` is a range of `text` on char boundaries.
fn in_text(text: &str, r: &Range<usize>) -> bool {
    r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end)
}

/// Every range a finding holds (its own, its related locations in the same
/// file, its fixes' edits, its suppression comment) lies in `text` on char
/// boundaries; no fix has overlapping edits (`apply_edits` would drop one
/// silently); findings come sorted by place, as the front ends expect.
fn check_diagnostics(text: &str, diags: &[Diagnostic]) {
    for d in diags {
        let ctx = || format!("{} at {:?} in {text:?}", d.rule, d.range);
        assert!(in_text(text, &d.range), "finding range: {}", ctx());
        for r in d.related.iter().filter(|r| r.path.is_none()) {
            assert!(
                in_text(text, &r.range),
                "related range {:?}: {}",
                r.range,
                ctx()
            );
        }
        for f in d.fixes.iter() {
            let mut edits: Vec<&Range<usize>> = f.edits.iter().map(|e| &e.range).collect();
            for r in &edits {
                assert!(in_text(text, r), "fix edit {r:?}: {}", ctx());
            }
            edits.sort_by_key(|r| (r.start, r.end));
            for w in edits.windows(2) {
                assert!(
                    w[0].end <= w[1].start,
                    "fix {:?} has overlapping edits {:?} and {:?}: {}",
                    f.title,
                    w[0],
                    w[1],
                    ctx()
                );
            }
        }
        if let Some(s) = &d.suppressed {
            assert!(
                in_text(text, &s.comment),
                "suppression comment {:?}: {}",
                s.comment,
                ctx()
            );
        }
    }
    let keys: Vec<_> = diags
        .iter()
        .map(|d| (d.range.start, d.range.end, d.rule))
        .collect();
    assert!(keys.is_sorted(), "findings out of order: {keys:?}");
}

/// Hands out its input at most `step` bytes per read, as a pipe may.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.len().min(self.step).min(out.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Every event the framer reads from `data`, read `step` bytes at a time,
/// up to end of input or a fatal error. Each event but the last consumes
/// input, so more events than bytes means the reader is not moving.
fn events(data: &[u8], step: usize) -> Vec<Event> {
    let mut framer = Framer::new(Trickle { data, step });
    let mut out = Vec::new();
    loop {
        let e = framer.next_event();
        let last = matches!(e, Event::End(_) | Event::Fatal(_));
        out.push(e);
        if last {
            return out;
        }
        assert!(
            out.len() <= data.len() + 1,
            "{} events from {} bytes: the reader is not moving",
            out.len(),
            data.len()
        );
    }
}

/// A message as tower-lsp-server's codec decodes a frame's body (its own
/// type for this is private): a response, or else a request or
/// notification.
#[derive(serde::Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum Message {
    Response(tower_lsp_server::jsonrpc::Response),
    Request(tower_lsp_server::jsonrpc::Request),
}

/// Target 3: the language server's input. Reads `data` as LSP frames and
/// checks that reading ends (no allocation beyond the input's size plus a
/// read buffer is enforced by libFuzzer's `-malloc_limit_mb`), that the
/// events do not depend on how the input is split into reads, and that
/// every body then goes through the server's check (`lsp::input::check`)
/// to a frame tower-lsp-server decodes (one it could not decode would end
/// the session) or to a direct answer that is JSON and carries the
/// message's id.
pub fn lsp_input(data: &[u8]) {
    let whole = events(data, usize::MAX);
    // A read size that varies with the input, small enough to split headers.
    let step = 1 + data.len() % 23;
    assert_eq!(
        events(data, step),
        whole,
        "the events depend on reading {step} bytes at a time"
    );
    for event in &whole {
        let Event::Body(body, _) = event else {
            continue;
        };
        match check(body) {
            Checked::Pass(frame) => {
                let split = frame
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .expect("a frame without a header block");
                let (head, rest) = (&frame[..split], &frame[split + 4..]);
                assert_eq!(
                    head,
                    format!("Content-Length: {}", rest.len()).as_bytes(),
                    "frame header"
                );
                let text = std::str::from_utf8(rest).expect("a frame body that is not UTF-8");
                if let Err(e) = serde_json::from_str::<Message>(text) {
                    panic!(
                        "tower-lsp-server cannot decode a frame passed on ({e}): {text:?} \
                         (from the body {:?})",
                        String::from_utf8_lossy(body)
                    );
                }
            }
            Checked::Answer(answer) => {
                let answer: Value = serde_json::from_slice(&answer).expect("an answer not JSON");
                let sent: Value = serde_json::from_slice(body).expect("answered a body not JSON");
                assert_eq!(answer.get("id"), sent.get("id"), "the answer's id");
                assert!(answer.get("error").is_some(), "an answer without an error");
            }
        }
    }
}
