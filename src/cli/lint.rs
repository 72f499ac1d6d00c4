//! `authlint lint`: find files, lint them in parallel, fix, report.

use super::paths::{display_path, slash_path};
use super::report::{FileReport, Notice, NoticeLevel, Report, ReportOptions};
use super::{warn, Format, LintArgs, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::config::{absolute, ConfigError, ConfigResolver, ResolvedConfig};
use crate::diagnostic::{Confidence, Diagnostic};
use crate::engine::{self, Language};
use crate::fix::{apply_fixes, FixMode};
use crate::lint::{Linter, Skip};
use crate::rules::RULES;
use crate::settings::{Level, Settings};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{Read, Write};
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
    },
    Notice(Notice),
    Config(ConfigError),
    /// Excluded by the configuration: silently not linted.
    Excluded,
}

fn notice(path: &Path, message: impl Into<String>, level: NoticeLevel) -> Notice {
    Notice {
        path: Some(display_path(path)),
        message: message.into(),
        level,
    }
}

pub fn run(args: &LintArgs) -> i32 {
    for id in args.select.iter().chain(&args.ignore) {
        if crate::rules::find(id).is_none() {
            let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
            warn(format_args!(
                "unknown rule `{id}`; valid rules are: {}",
                ids.join(", ")
            ));
            return EXIT_USAGE;
        }
    }
    if let Some(cfg) = &args.config {
        if !cfg.is_file() {
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
        return run_stdin(args, &ctx, name);
    }

    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (files, mut notices) = collect_files(&roots, &ctx);
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
            } => {
                files_checked += 1;
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
            message: format!(
                "no JavaScript, TypeScript or Python files found in {}",
                shown.join(", ")
            ),
            level: NoticeLevel::Warning,
        });
    }
    for n in &notices {
        match &n.path {
            Some(p) => warn(format_args!("{}: {}", slash_path(p), n.message)),
            None => warn(&n.message),
        }
    }
    let report = Report {
        files: reports,
        files_checked,
        notices,
        fixes_applied,
        files_fixed,
        options: ReportOptions {
            show_suppressed: args.show_suppressed,
            quiet: args.quiet,
        },
    };

    if action == FixAction::Diff {
        let mut out = anstream::stdout();
        for d in &diffs {
            let _ = out.write_all(d.as_bytes());
        }
        let _ = out.flush();
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

    if emit(args, &report).is_err() {
        return EXIT_USAGE;
    }
    exit_code(args, &report)
}

fn exit_code(args: &LintArgs, report: &Report) -> i32 {
    if report.has_errors() {
        return EXIT_USAGE;
    }
    let c = report.counts();
    if c.errors > 0 {
        return EXIT_FINDINGS;
    }
    if let Some(max) = args.max_warnings {
        if c.warnings > max {
            warn(format_args!(
                "{} found, more than --max-warnings {max}",
                super::report::plural(c.warnings, "warning")
            ));
            return EXIT_FINDINGS;
        }
    }
    EXIT_OK
}

fn render(format: Format, report: &Report, color: bool) -> String {
    match format {
        Format::Pretty => super::pretty::render(report, color),
        Format::Json => super::json::render(report),
        Format::Sarif => super::sarif::render(report),
        Format::Github => super::github::render(report),
    }
}

/// Writes the report to stdout (and `--output-file`). Errors are reported here.
fn emit(args: &LintArgs, report: &Report) -> Result<(), ()> {
    let terminal_format = if args.output_file.is_some() {
        Format::Pretty
    } else {
        args.format
    };
    if let Some(path) = &args.output_file {
        let text = render(args.format, report, false);
        if let Err(e) = write_atomic(path, text.as_bytes(), None) {
            warn(format_args!("{}: {e}", path.display()));
            return Err(());
        }
    }
    let text = render(terminal_format, report, true);
    // Machine formats carry no color: write them as they are (anstream
    // would scan every byte of a large report for escapes to strip).
    let written = if terminal_format == Format::Pretty {
        let mut out = anstream::stdout();
        out.write_all(text.as_bytes()).and_then(|_| out.flush())
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|_| out.flush())
    };
    // A closed pipe (e.g. `| head`) is not worth a panic or a message.
    let _ = written;
    Ok(())
}

/// Walks `roots`: returns the files to lint (sorted, with whether each was
/// named on the command line) and problems met on the way.
fn collect_files(roots: &[PathBuf], ctx: &Ctx) -> (Vec<(PathBuf, bool)>, Vec<Notice>) {
    // (path, named on the command line): an explicit file is linted even if
    // excluded. Duplicates are removed after sorting, below.
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let mut notices = Vec::new();
    let mut dirs = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => dirs.push(root.clone()),
            Ok(_) => {
                if Language::from_path(root).is_some() {
                    files.push((clean(root), true));
                } else {
                    notices.push(notice(
                        root,
                        Skip::NotSupported.to_string(),
                        NoticeLevel::Warning,
                    ));
                }
            }
            Err(e) => notices.push(notice(root, io_message(&e), NoticeLevel::Error)),
        }
    }
    if let Some((first, rest)) = dirs.split_first() {
        let mut wb = ignore::WalkBuilder::new(first);
        for d in rest {
            wb.add(d);
        }
        wb.hidden(true)
            .parents(true)
            .ignore(true)
            .git_ignore(true)
            .git_global(true)
            .git_exclude(true)
            .require_git(false)
            .follow_links(false);
        let resolver = ctx.resolver.clone();
        wb.filter_entry(move |e| {
            if e.depth() == 0 || !e.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            match resolver.resolve(e.path()) {
                Ok(c) => !c.is_excluded_dir(e.path()),
                Err(_) => true, // reported when a file below is linted
            }
        });
        let found: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
        let errors: Mutex<Vec<Notice>> = Mutex::new(Vec::new());
        wb.build_parallel().run(|| {
            Box::new(|res| {
                match res {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file && Language::from_path(entry.path()).is_some() {
                            if let Ok(mut f) = found.lock() {
                                f.push(entry.into_path());
                            }
                        }
                    }
                    Err(err) => {
                        let level = if err.io_error().is_some() {
                            NoticeLevel::Error
                        } else {
                            NoticeLevel::Warning
                        };
                        if let Ok(mut e) = errors.lock() {
                            e.push(Notice {
                                path: None,
                                message: err.to_string(),
                                level,
                            });
                        }
                    }
                }
                ignore::WalkState::Continue
            })
        });
        for p in found.into_inner().unwrap_or_default() {
            files.push((clean(&p), false));
        }
        let mut errs = errors.into_inner().unwrap_or_default();
        errs.sort_by(|a, b| a.message.cmp(&b.message));
        notices.extend(errs);
    }
    // Sort by the displayed path so output order is deterministic; one file
    // named two ways (`src/a.ts`, `./src/a.ts`, absolute) is linted once,
    // as an explicit file if it was named. Each display path is computed once.
    let mut list: Vec<(Vec<u8>, bool, PathBuf)> = files
        .into_iter()
        .map(|(p, explicit)| (component_order_key(&display_path(&p)), !explicit, p))
        .collect();
    list.sort_unstable();
    list.dedup_by(|a, b| a.0 == b.0);
    let list = list
        .into_iter()
        .map(|(_, implicit, p)| (p, !implicit))
        .collect();
    (list, notices)
}

/// A byte string that sorts as `Path`'s component-wise order does (`a/b`
/// before `a.b`), and compares far faster: separators become the lowest byte.
fn component_order_key(path: &Path) -> Vec<u8> {
    let mut key = path.as_os_str().as_encoded_bytes().to_vec();
    for b in &mut key {
        if std::path::is_separator(char::from(*b)) {
            *b = 0;
        }
    }
    key
}

/// `./src/a.ts` → `src/a.ts`.
fn clean(p: &Path) -> PathBuf {
    p.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn lint_file(ctx: &Ctx, path: &Path, explicit: bool) -> Outcome {
    let config = match ctx.resolver.resolve(path) {
        Ok(c) => c,
        Err(e) => return Outcome::Config(e),
    };
    if (!explicit || ctx.force_exclude) && !config.is_included(path) {
        return Outcome::Excluded;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Outcome::Notice(notice(path, io_message(&e), NoticeLevel::Error)),
    };
    let linter = ctx.linter(&config, path);
    let shown = display_path(path);
    let text = match linter.decode(&bytes) {
        Ok(t) => t,
        Err(skip) => return Outcome::Notice(notice(path, skip.to_string(), NoticeLevel::Warning)),
    };
    match process(ctx, &linter, &shown, text) {
        Ok(p) => {
            let mut fixes = 0;
            let mut diff = None;
            let mut written = None;
            if let Some(new) = p.fixed {
                match ctx.action {
                    FixAction::Write => match write_atomic(path, new.as_bytes(), Some(path)) {
                        Ok(()) => {
                            fixes = p.fixes;
                            written = Some(new);
                        }
                        Err(e) => {
                            return Outcome::Notice(notice(
                                path,
                                format!("cannot write fixes: {e}"),
                                NoticeLevel::Error,
                            ))
                        }
                    },
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
            }
        }
        Err(skip) => Outcome::Notice(notice(path, skip.to_string(), NoticeLevel::Warning)),
    }
}

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
}

fn process(ctx: &Ctx, linter: &Linter, path: &Path, text: &str) -> Result<Processed, Skip> {
    let original = linter.lint(path, text)?;
    let mut out = Processed {
        original,
        fixed: None,
        fixes: 0,
        remaining: Vec::new(),
        refused: None,
    };
    if ctx.action == FixAction::None {
        return Ok(out);
    }
    let mut current = text.to_string();
    let mut diags = out.original.clone();
    let mut total = 0;
    for _ in 0..MAX_FIX_PASSES {
        let applied = apply_fixes(&current, &diags, ctx.mode);
        if applied.applied == 0 || applied.text == current {
            break;
        }
        total += applied.applied;
        current = applied.text;
        diags = match linter.lint(path, &current) {
            Ok(d) => d,
            Err(skip) => {
                out.refused = Some(format!(
                    "fixes not applied: the fixed text would be skipped ({skip})"
                ));
                return Ok(out);
            }
        };
    }
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

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so readers never see half a file. With `keep_permissions_of`,
/// the new file gets that file's permissions.
fn write_atomic(
    path: &Path,
    bytes: &[u8],
    keep_permissions_of: Option<&Path>,
) -> std::io::Result<()> {
    // Write through symlinks to the real file rather than replacing the link.
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path));
    let dir = abs.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".authlint-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Some(src) = keep_permissions_of {
        let perms = std::fs::metadata(src)?.permissions();
        std::fs::set_permissions(tmp.path(), perms)?;
    }
    tmp.persist(&abs).map_err(|e| e.error)?;
    Ok(())
}

fn run_stdin(args: &LintArgs, ctx: &Ctx, name: &Path) -> i32 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        warn(format_args!("cannot read standard input: {e}"));
        return EXIT_USAGE;
    }
    let config = match ctx.resolver.resolve(name) {
        Ok(c) => c,
        Err(e) => {
            warn(e);
            return EXIT_USAGE;
        }
    };
    let shown = display_path(name);
    let mut stdout = std::io::stdout();
    let echo = |out: &mut std::io::Stdout| {
        if ctx.action == FixAction::Write {
            let _ = out.write_all(&bytes);
        }
    };
    if ctx.force_exclude && !config.is_included(name) {
        echo(&mut stdout);
        return EXIT_OK;
    }
    if Language::from_path(name).is_none() {
        warn(format_args!(
            "{}: {}",
            slash_path(&shown),
            Skip::NotSupported
        ));
        echo(&mut stdout);
        return EXIT_USAGE;
    }
    let linter = ctx.linter(&config, name);
    let text = match linter.decode(&bytes) {
        Ok(t) => t,
        Err(skip) => {
            warn(format_args!("{}: {skip}", slash_path(&shown)));
            echo(&mut stdout);
            return EXIT_OK;
        }
    };
    let p = match process(ctx, &linter, &shown, text) {
        Ok(p) => p,
        Err(skip) => {
            warn(format_args!("{}: {skip}", slash_path(&shown)));
            echo(&mut stdout);
            return EXIT_OK;
        }
    };
    if let Some(reason) = &p.refused {
        warn(format_args!("{}: {reason}", slash_path(&shown)));
    }
    let options = ReportOptions {
        show_suppressed: args.show_suppressed,
        quiet: args.quiet,
    };
    match ctx.action {
        FixAction::Diff => {
            let (diff, fixes) = match &p.fixed {
                Some(new) => (unified_diff(&shown, text, new), p.fixes),
                None => (String::new(), 0),
            };
            let _ = stdout.write_all(diff.as_bytes());
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
            let _ = stdout.write_all(new_text.as_bytes());
            let _ = stdout.flush();
            let report = Report {
                files: vec![FileReport::new(shown, new_text, diags)],
                files_checked: 1,
                notices: Vec::new(),
                fixes_applied: fixes,
                files_fixed: usize::from(fixes > 0),
                options,
            };
            // The fixed text owns stdout; the report goes to stderr.
            let _ = anstream::stderr().write_all(super::pretty::render(&report, true).as_bytes());
            exit_code(args, &report)
        }
        FixAction::None => {
            let report = Report {
                files: vec![FileReport::new(shown, text.to_string(), p.original)],
                files_checked: 1,
                notices: Vec::new(),
                fixes_applied: 0,
                files_fixed: 0,
                options,
            };
            if emit(args, &report).is_err() {
                return EXIT_USAGE;
            }
            exit_code(args, &report)
        }
    }
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

    #[cfg(unix)]
    #[test]
    fn atomic_write_goes_through_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.ts");
        std::fs::write(&real, "old").unwrap();
        let link = d.path().join("link.ts");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new", Some(&link)).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn order_key_sorts_like_paths() {
        let mut paths: Vec<PathBuf> = [
            "a.b/x.ts", "a/b/c.ts", "a/b.ts", "a-b.ts", "a/z.ts", "ab.ts", "a.ts",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_key = paths.clone();
        by_key.sort_by_key(|p| component_order_key(p));
        paths.sort();
        assert_eq!(by_key, paths);
    }
}
