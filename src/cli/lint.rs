//! `authlint lint`: find files, lint them in parallel, fix, report.

use super::emit::{exit_code, finish, stdout_result, write_diff};
use super::paths::{display_path, slash_path};
use super::report::{FileReport, Notice, NoticeLevel, Report, ReportOptions};
use super::write::write_out;
use super::{warn, LintArgs, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::config::{ConfigError, ConfigResolver, ResolvedConfig};
use crate::diagnostic::{Confidence, Diagnostic};
use crate::engine::{self, Language};
use crate::fix::{fix_until_stable, FixMode};
use crate::fsio::ReadError;
use crate::lint::{Linter, Skip};
use crate::rules::RULES;
use crate::settings::{Level, Settings};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Fix passes per file before giving up (each pass re-lints).
const MAX_FIX_PASSES: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixAction {
    /// Report only.
    None,
    /// Apply and write (`--fix`).
    Write,
    /// Apply and show a diff (`--diff`).
    Diff,
}

/// Linters cached per (config file, matching overrides), so files sharing
/// settings share one project index.
type LinterCache = Mutex<HashMap<LinterKey, Arc<Linter>>>;
/// The config file, the `[[overrides]]` that match and the `[roles]` role.
type LinterKey = (Option<PathBuf>, Vec<usize>, Option<crate::roles::Role>);

struct Ctx {
    resolver: Arc<ConfigResolver>,
    select: Vec<String>,
    ignore: Vec<String>,
    action: FixAction,
    mode: FixMode,
    force_exclude: bool,
    min_confidence: Option<Confidence>,
    fail_on_skipped: bool,
    linters: LinterCache,
}

impl Ctx {
    fn settings(&self, config: &ResolvedConfig, file: &Path) -> Settings {
        let mut s = config.settings_for(file);
        if !self.select.is_empty() {
            for r in RULES {
                if !self.select.iter().any(|id| id == r.id) {
                    s.rules.insert(r.id.to_string(), Level::Off);
                } else if s.level(r.id) == Level::Off {
                    s.rules
                        .insert(r.id.to_string(), Level::from(r.default_severity));
                }
            }
        }
        for id in &self.ignore {
            s.rules.insert(id.clone(), Level::Off);
        }
        if let Some(c) = self.min_confidence {
            s.min_confidence = c;
        }
        s
    }

    fn linter(&self, config: &ResolvedConfig, file: &Path) -> Arc<Linter> {
        let key = (
            config.path.clone(),
            config.overrides_for(file),
            config.role_for(file),
        );
        let mut cache = match self.linters.lock() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        cache
            .entry(key)
            .or_insert_with(|| Arc::new(Linter::new(self.settings(config, file))))
            .clone()
    }
}

/// What happened to one file.
enum Outcome {
    Linted {
        /// `None` when the file has nothing to report.
        report: Option<FileReport>,
        fixes: usize,
        diff: Option<String>,
        /// Said when the file had syntax errors.
        partial: Option<Notice>,
    },
    Notice(Notice),
    Config(ConfigError),
    /// Excluded by the configuration: silently not linted.
    Excluded,
}

fn notice(path: &Path, message: impl Into<String>, level: NoticeLevel) -> Notice {
    Notice::about(path, message, level)
}

impl Ctx {
    /// A notice that `path` was not analysed (or only in part).
    fn skipped(&self, path: &Path, message: impl Into<String>, level: NoticeLevel) -> Notice {
        Notice::skipped(path, message, level, self.fail_on_skipped)
    }
}

pub fn run(args: &LintArgs) -> i32 {
    for id in args.select.iter().chain(&args.ignore) {
        if crate::rules::find(id).is_none() {
            warn(crate::suggest::unknown_rule(id));
            return EXIT_USAGE;
        }
    }
    if let Err(e) = super::emit::check_args(args) {
        warn(e);
        return EXIT_USAGE;
    }
    if let Some(cfg) = &args.config {
        if !cfg.exists() {
            warn(format_args!("{}: config file not found", cfg.display()));
            return EXIT_USAGE;
        }
    }
    let action = if args.diff {
        FixAction::Diff
    } else if args.fix {
        FixAction::Write
    } else {
        FixAction::None
    };
    let ctx = Ctx {
        resolver: Arc::new(ConfigResolver::new(args.config.clone())),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        action,
        mode: if args.unsafe_fixes {
            FixMode::IncludeUnsafe
        } else {
            FixMode::SafeOnly
        },
        force_exclude: args.force_exclude,
        min_confidence: args.min_confidence.map(Confidence::from),
        fail_on_skipped: args.fail_on_skipped,
        linters: Mutex::new(HashMap::new()),
    };
    if args.config.is_some() {
        // Fail early on a broken --config, before walking anything.
        if let Err(e) = ctx.resolver.resolve(Path::new("authlint-probe.ts")) {
            warn(e);
            return EXIT_USAGE;
        }
    }
    if let Some(name) = &args.stdin_filename {
        if args.paths.iter().any(|p| p.as_os_str() != "-") {
            warn("--stdin-filename reads standard input; do not pass paths with it");
            return EXIT_USAGE;
        }
        return run_stdin(args, &ctx, Some(name));
    }
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            warn("`-` reads standard input; do not pass other paths with it");
            return EXIT_USAGE;
        }
        return run_stdin(args, &ctx, None);
    }

    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (files, mut notices) =
        super::walk::collect_files(&roots, &ctx.resolver, ctx.fail_on_skipped);
    if args.show_sites {
        return super::sites::show(&files, |path| {
            let config = ctx.resolver.resolve(path).ok()?;
            Some(ctx.linter(&config, path))
        });
    }
    if args.show_roles {
        return super::roles::show(&files, |path| {
            let config = ctx.resolver.resolve(path).ok()?;
            Some(ctx.linter(&config, path))
        });
    }
    let outcomes: Vec<(PathBuf, Outcome)> = files
        .par_iter()
        .map(|(path, explicit)| (path.clone(), lint_file(&ctx, path, *explicit)))
        .collect();

    let mut config_errors: Vec<String> = Vec::new();
    let mut reports = Vec::new();
    let mut diffs = Vec::new();
    let mut files_checked = 0;
    let mut fixes_applied = 0;
    let mut files_fixed = 0;
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Linted {
                report,
                fixes,
                diff,
                partial,
            } => {
                files_checked += 1;
                notices.extend(partial);
                if fixes > 0 {
                    fixes_applied += fixes;
                    files_fixed += 1;
                }
                if let Some(d) = diff {
                    diffs.push(d);
                }
                reports.extend(report);
            }
            Outcome::Notice(n) => notices.push(n),
            Outcome::Config(e) => {
                let s = e.to_string();
                if !config_errors.contains(&s) {
                    config_errors.push(s);
                }
            }
            Outcome::Excluded => {}
        }
    }
    if !config_errors.is_empty() {
        for e in config_errors {
            warn(e);
        }
        return EXIT_USAGE;
    }
    if files.is_empty() && notices.is_empty() {
        let shown: Vec<String> = roots.iter().map(|p| slash_path(p)).collect();
        notices.push(Notice {
            path: None,
            skipped: false,
            message: format!(
                "no JavaScript, TypeScript or Python files found in {}",
                shown.join(", ")
            ),
            level: NoticeLevel::Warning,
        });
    }
    print_notices(&notices);
    let report = Report {
        files: reports,
        files_checked,
        notices,
        fixes_applied,
        files_fixed,
        options: report_options(args),
        baselined: 0,
    };

    if action == FixAction::Diff {
        if write_diff(&diffs.concat()).is_err() {
            return EXIT_USAGE;
        }
        if report.has_errors() {
            return EXIT_USAGE;
        }
        let mut err = anstream::stderr();
        if diffs.is_empty() {
            let _ = writeln!(err, "No fixes available.");
            return EXIT_OK;
        }
        let _ = writeln!(
            err,
            "Would fix {} in {}.",
            super::report::plural(fixes_applied, "problem"),
            super::report::plural(files_fixed, "file")
        );
        return EXIT_FINDINGS;
    }

    finish(args, report)
}

fn lint_file(ctx: &Ctx, path: &Path, explicit: bool) -> Outcome {
    let config = match ctx.resolver.resolve(path) {
        Ok(c) => c,
        Err(e) => return Outcome::Config(e),
    };
    if (!explicit || ctx.force_exclude) && !config.is_included(path) {
        return Outcome::Excluded;
    }
    let (bytes, meta) = match crate::fsio::read_regular_meta(path, crate::lint::MAX_FILE_BYTES) {
        Ok(read) => read,
        Err(e @ ReadError::TooLarge(_)) => {
            return Outcome::Notice(ctx.skipped(path, e.to_string(), NoticeLevel::Warning))
        }
        Err(e) => return Outcome::Notice(notice(path, e.to_string(), NoticeLevel::Error)),
    };
    let linter = ctx.linter(&config, path);
    let shown = display_path(path);
    let text = match linter.decode(&bytes) {
        Ok(t) => t,
        Err(skip) => {
            return Outcome::Notice(ctx.skipped(path, skip.to_string(), NoticeLevel::Warning))
        }
    };
    let p = match process(ctx, &linter, &shown, text) {
        Ok(p) => p,
        Err(skip) => {
            return Outcome::Notice(ctx.skipped(path, skip.to_string(), NoticeLevel::Warning))
        }
    };
    let partial = p
        .syntax_errors
        .then(|| ctx.skipped(path, SYNTAX_ERRORS, NoticeLevel::Info));
    let mut fixes = 0;
    let mut diff = None;
    let mut written = None;
    if let Some(new) = p.fixed {
        match ctx.action {
            FixAction::Write => {
                match super::write::write_fixed(path, &bytes, &meta, new.as_bytes()) {
                    Ok(()) => {
                        fixes = p.fixes;
                        written = Some(new);
                    }
                    Err(e) => {
                        let level = match e {
                            super::write::FixWriteError::Io(_) => NoticeLevel::Error,
                            _ => NoticeLevel::Warning,
                        };
                        return Outcome::Notice(notice(path, e.to_string(), level));
                    }
                }
            }
            FixAction::Diff => {
                fixes = p.fixes;
                diff = Some(unified_diff(&shown, text, &new));
            }
            FixAction::None => {}
        }
    }
    if let Some(reason) = p.refused {
        warn(format_args!("{}: {reason}", slash_path(&shown)));
    }
    let diagnostics = if ctx.action == FixAction::Write && fixes > 0 {
        p.remaining
    } else {
        p.original
    };
    Outcome::Linted {
        // Most files have nothing to report: keep neither their text nor a line index.
        report: (!diagnostics.is_empty()).then(|| {
            FileReport::new(
                shown,
                written.unwrap_or_else(|| text.to_string()),
                diagnostics,
            )
        }),
        fixes,
        diff,
        partial,
    }
}

/// Each notice on standard error, before the report.
fn print_notices(notices: &[Notice]) {
    for n in notices {
        match &n.path {
            Some(p) => warn(format_args!("{}: {}", slash_path(p), n.message)),
            None => warn(&n.message),
        }
    }
}

/// What a file with syntax errors is told.
const SYNTAX_ERRORS: &str =
    "the file has syntax errors: it was analysed only where the parser could follow it";

/// The result of linting (and, when asked, fixing) one text.
struct Processed {
    /// Diagnostics on the original text.
    original: Vec<Diagnostic>,
    /// The fixed text, when fixing changed anything and was not refused.
    fixed: Option<String>,
    /// Fixes applied to reach `fixed`.
    fixes: usize,
    /// Diagnostics left on `fixed`.
    remaining: Vec<Diagnostic>,
    /// Why fixes were not applied, when they were refused.
    refused: Option<String>,
    /// The original text had syntax errors.
    syntax_errors: bool,
}

fn process(ctx: &Ctx, linter: &Linter, path: &Path, text: &str) -> Result<Processed, Skip> {
    let lang = Language::from_path(path).ok_or(Skip::NotSupported)?;
    let linted = linter.lint_checked(path, text, lang)?;
    let mut out = Processed {
        original: linted.diagnostics,
        fixed: None,
        fixes: 0,
        remaining: Vec::new(),
        refused: None,
        syntax_errors: linted.syntax_errors,
    };
    if ctx.action == FixAction::None {
        return Ok(out);
    }
    let run = fix_until_stable(text, out.original.clone(), ctx.mode, MAX_FIX_PASSES, |t| {
        linter.lint(path, t)
    });
    if let Some(skip) = run.failed {
        out.refused = Some(format!(
            "fixes not applied: the fixed text would be skipped ({skip})"
        ));
        return Ok(out);
    }
    let (current, total, diags) = (run.text, run.applied, run.remaining);
    if current == text {
        return Ok(out);
    }
    if let Some(lang) = Language::from_path(path) {
        if introduces_syntax_error(lang, text, &current) {
            out.refused = Some(
                "fixes not applied: they would introduce a syntax error (please report this)"
                    .to_string(),
            );
            return Ok(out);
        }
    }
    out.fixed = Some(current);
    out.fixes = total;
    out.remaining = diags;
    Ok(out)
}

/// Whether `after` has syntax errors that `before` did not.
fn introduces_syntax_error(lang: Language, before: &str, after: &str) -> bool {
    let broken = |t: &str| {
        engine::parse(lang, t, None)
            .map(|tree| tree.root_node().has_error())
            .unwrap_or(true)
    };
    broken(after) && !broken(before)
}

fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let p = slash_path(path);
    let diff = similar::TextDiff::from_lines(old, new);
    let mut s = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{p}"), &format!("b/{p}"))
        .to_string();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Lints standard input as the file `name`; without one (`authlint lint -`)
/// as `stdin.ts`, or `stdin.py` when the text parses only as Python.
fn run_stdin(args: &LintArgs, ctx: &Ctx, name: Option<&Path>) -> i32 {
    let bytes = match crate::fsio::read_capped(std::io::stdin().lock(), crate::lint::MAX_FILE_BYTES)
    {
        Ok(b) => b,
        Err(e @ ReadError::TooLarge(_)) => {
            if ctx.action == FixAction::Write {
                // Nothing can be echoed unchanged: say so instead of
                // printing a truncated file for an editor to save.
                warn(format_args!("standard input: {e}; nothing written"));
                return EXIT_USAGE;
            }
            let shown = display_path(name.unwrap_or(Path::new(STDIN_TS)));
            return stdin_skipped(args, ctx, &shown, &e.to_string(), None);
        }
        Err(e) => {
            warn(format_args!("cannot read standard input: {e}"));
            return EXIT_USAGE;
        }
    };
    let guessed;
    let name = match name {
        Some(n) => n,
        None => {
            guessed = PathBuf::from(guess_stdin_name(&bytes));
            guessed.as_path()
        }
    };
    let shown = display_path(name);
    let config = match ctx.resolver.resolve(name) {
        Ok(c) => c,
        Err(e) => {
            warn(e);
            return EXIT_USAGE;
        }
    };
    if Language::from_path(name).is_none() {
        warn(format_args!(
            "{}: {}",
            slash_path(&shown),
            Skip::NotSupported
        ));
        let _ = echo(ctx, &bytes);
        return EXIT_USAGE;
    }
    let linter = ctx.linter(&config, name);
    let excluded = ctx.force_exclude && !config.is_included(name);
    let decoded = linter.decode(&bytes);
    let processed = match decoded {
        _ if excluded => None,
        Ok(text) => Some(process(ctx, &linter, &shown, text).map(|p| (text, p))),
        Err(skip) => Some(Err(skip)),
    };
    let (text, p) = match processed {
        None => return stdin_report(args, ctx, &shown, "", Vec::new(), Vec::new(), &bytes),
        Some(Err(skip)) => {
            return stdin_skipped(args, ctx, &shown, &skip.to_string(), Some(&bytes))
        }
        Some(Ok(done)) => done,
    };
    if let Some(reason) = &p.refused {
        warn(format_args!("{}: {reason}", slash_path(&shown)));
    }
    let notices: Vec<Notice> = p
        .syntax_errors
        .then(|| ctx.skipped(&shown, SYNTAX_ERRORS, NoticeLevel::Info))
        .into_iter()
        .collect();
    // As for files: the summary's "see the messages above" points here.
    print_notices(&notices);
    match ctx.action {
        FixAction::Diff => {
            let (diff, fixes) = match &p.fixed {
                Some(new) => (unified_diff(&shown, text, new), p.fixes),
                None => (String::new(), 0),
            };
            if write_diff(&diff).is_err() {
                return EXIT_USAGE;
            }
            if fixes > 0 {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            }
        }
        FixAction::Write => {
            let (new_text, diags, fixes) = match p.fixed {
                Some(new) => (new, p.remaining, p.fixes),
                None => (text.to_string(), p.original, 0),
            };
            let out = write_out(&mut std::io::stdout().lock(), new_text.as_bytes());
            if stdout_result(out).is_err() {
                return EXIT_USAGE;
            }
            let report = Report {
                files: vec![FileReport::new(shown, new_text, diags)],
                files_checked: 1,
                notices,
                fixes_applied: fixes,
                files_fixed: usize::from(fixes > 0),
                options: report_options(args),
                baselined: 0,
            };
            // The fixed text owns stdout; the report goes to stderr.
            let _ = anstream::stderr().write_all(super::pretty::render(&report, true).as_bytes());
            exit_code(args, &report)
        }
        FixAction::None => stdin_report(args, ctx, &shown, text, p.original, notices, &bytes),
    }
}

/// What `authlint lint -` calls standard input unless it reads as Python.
const STDIN_TS: &str = "stdin.ts";

/// `stdin.py` when `bytes` parse as Python and not as TypeScript (which
/// also reads JavaScript); `stdin.ts` otherwise.
fn guess_stdin_name(bytes: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(bytes);
    let clean = |lang| engine::parse(lang, &text, None).is_some_and(|t| !t.root_node().has_error());
    if !clean(Language::TypeScript) && clean(Language::Python) {
        "stdin.py"
    } else {
        STDIN_TS
    }
}

fn report_options(args: &LintArgs) -> ReportOptions {
    ReportOptions {
        show_suppressed: args.show_suppressed,
        quiet: args.quiet,
    }
}

/// With `--fix`, prints standard input unchanged (the fixed text of a file
/// that needed no fix).
fn echo(ctx: &Ctx, bytes: &[u8]) -> Result<(), ()> {
    if ctx.action != FixAction::Write {
        return Ok(());
    }
    stdout_result(write_out(&mut std::io::stdout().lock(), bytes))
}

/// Standard input that was not analysed: said on stderr, echoed under
/// `--fix`, and a notice in the report otherwise.
fn stdin_skipped(args: &LintArgs, ctx: &Ctx, shown: &Path, why: &str, bytes: Option<&[u8]>) -> i32 {
    let n = ctx.skipped(shown, why, NoticeLevel::Warning);
    warn(format_args!("{}: {why}", slash_path(shown)));
    let code = if n.level == NoticeLevel::Error {
        EXIT_USAGE
    } else {
        EXIT_OK
    };
    match ctx.action {
        FixAction::Write => match echo(ctx, bytes.unwrap_or_default()) {
            Ok(()) => code,
            Err(()) => EXIT_USAGE,
        },
        FixAction::Diff => code,
        FixAction::None => stdin_report(args, ctx, shown, "", Vec::new(), vec![n], &[]),
    }
}

/// Emits the report on standard input (`text` and its findings), or under
/// `--fix`, echoes `bytes`.
fn stdin_report(
    args: &LintArgs,
    ctx: &Ctx,
    shown: &Path,
    text: &str,
    diagnostics: Vec<Diagnostic>,
    notices: Vec<Notice>,
    bytes: &[u8],
) -> i32 {
    if ctx.action != FixAction::None {
        return match echo(ctx, bytes) {
            Ok(()) => EXIT_OK,
            Err(()) => EXIT_USAGE,
        };
    }
    let analysed = notices
        .iter()
        .all(|n| !n.skipped || n.level == NoticeLevel::Info);
    let report = Report {
        files: (!diagnostics.is_empty())
            .then(|| FileReport::new(shown.to_path_buf(), text.to_string(), diagnostics))
            .into_iter()
            .collect(),
        files_checked: usize::from(analysed),
        notices,
        fixes_applied: 0,
        files_fixed: 0,
        options: report_options(args),
        baselined: 0,
    };
    finish(args, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_guard() {
        let ts = Language::TypeScript;
        assert!(introduces_syntax_error(ts, "f(1);\n", "f(1;\n"));
        assert!(!introduces_syntax_error(ts, "f(1);\n", "f(2);\n"));
        // A file that was already broken may stay broken.
        assert!(!introduces_syntax_error(ts, "f(1;\n", "f(2;\n"));
        assert!(introduces_syntax_error(
            Language::Python,
            "x = 1\n",
            "x = = 1\n"
        ));
    }
}
