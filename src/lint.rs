//! Linting one file: parse, extract, run rules, apply suppressions.

use crate::diagnostic::Diagnostic;
use crate::engine::{self, FsSource, Language, ModuleSource, ProjectIndex};
use crate::roles::{Assigned, Detector, Role};
use crate::rules;
use crate::settings::Settings;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use tree_sitter::Tree;

pub use crate::engine::limits::{MAX_BRACKET_DEPTH, MAX_FILE_BYTES, MAX_TREE_DEPTH};

/// Why a file was not analysed. The message names the reason; callers add the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    NotSupported,
    TooLarge(usize),
    NotUtf8,
    Binary,
    TooDeep,
    ParseFailed,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::NotSupported => write!(f, "not a JavaScript, TypeScript or Python file"),
            Skip::TooLarge(n) => {
                write!(f, "file is {n} bytes, over the {MAX_FILE_BYTES}-byte limit")
            }
            Skip::NotUtf8 => write!(f, "file is not valid UTF-8"),
            Skip::Binary => write!(f, "file looks binary (contains NUL bytes)"),
            Skip::TooDeep => write!(f, "syntax nested more than {MAX_TREE_DEPTH} levels deep"),
            Skip::ParseFailed => write!(f, "the parser gave up on this file"),
        }
    }
}

/// What [`Linter::lint_checked`] found.
pub struct Linted {
    pub diagnostics: Vec<Diagnostic>,
    /// The file had syntax errors: it was analysed where the tree allows.
    pub syntax_errors: bool,
}

/// A linter: settings plus the project index that resolves imports.
/// Cheap to share across threads.
pub struct Linter {
    pub settings: Settings,
    pub index: ProjectIndex,
    /// Finds each file's role when the settings do not give one.
    roles: Detector,
    /// `settings` with each detected role in force, and whether any rule
    /// runs under it, made once per role.
    by_role: [OnceLock<(Settings, bool)>; Role::ALL.len()],
}

impl Linter {
    pub fn new(settings: Settings) -> Self {
        Self::with_source(settings, Arc::new(FsSource))
    }

    pub fn with_source(settings: Settings, source: Arc<dyn ModuleSource>) -> Self {
        Linter {
            settings,
            index: ProjectIndex::new(source),
            roles: Detector::default(),
            by_role: Default::default(),
        }
    }

    /// The role of the file at `path` and why: the configured one, or the
    /// one [`Detector`] finds.
    pub fn role(&self, path: &Path, text: &str) -> Assigned {
        match self.settings.role {
            Some(role) => Assigned {
                role,
                why: "set by `[roles]` in the configuration".to_string(),
            },
            None => self.roles.detect(path, text),
        }
    }

    /// The settings for one file: its role in force, so that rules which do
    /// not apply to that role are off (`None` when no rule applies at all).
    fn settings_for(&self, path: &Path, text: &str) -> Option<&Settings> {
        let (s, any_rule) = self.role_settings(path, text);
        any_rule.then_some(s)
    }

    /// The file's settings when it can hold a finding: a rule runs under its
    /// role, and its text names a status, or it imports a module that does
    /// ([`engine::clues`]). `None` means it need not be parsed.
    fn may_hold_finding(&self, path: &Path, text: &str, lang: Language) -> Option<&Settings> {
        // A pack's exception that names no status (`NotAuthenticated`).
        if engine::syntax::may_contain_response(text, lang.is_python())
            || self.settings.packs.names_fixed_status(
                lang.pack_language(),
                text,
                engine::syntax::has_status_clue,
            )
        {
            return self.settings_for(path, text);
        }
        // Imports are resolved only where a rule runs.
        let settings = self.settings_for(path, text)?;
        engine::clues::imports_response_fact(path, text, lang, &self.index).then_some(settings)
    }

    /// Whether `text` needs parsing at all (see [`Linter::lint_checked`]).
    pub fn can_hold_finding(&self, path: &Path, text: &str, lang: Language) -> bool {
        self.may_hold_finding(path, text, lang).is_some()
    }

    fn role_settings(&self, path: &Path, text: &str) -> (&Settings, bool) {
        let role = match self.settings.role {
            Some(role) => role,
            None => self.roles.detect(path, text).role,
        };
        let (s, any_rule) = self.by_role[role.index()].get_or_init(|| {
            let s = Settings {
                role: Some(role),
                ..self.settings.clone()
            };
            let any_rule = rules::RULES
                .iter()
                .any(|r| s.level(r.id).severity().is_some());
            (s, any_rule)
        });
        (s, *any_rule)
    }

    /// Checks bytes read from disk: size, NUL bytes, UTF-8.
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Result<&'a str, Skip> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(Skip::TooLarge(bytes.len()));
        }
        if memchr::memchr(0, bytes).is_some() {
            return Err(Skip::Binary);
        }
        // A BOM stays in the text so offsets match the file; the grammars treat it as whitespace.
        std::str::from_utf8(bytes).map_err(|_| Skip::NotUtf8)
    }

    /// Lints `text` as the contents of `path`.
    pub fn lint(&self, path: &Path, text: &str) -> Result<Vec<Diagnostic>, Skip> {
        let lang = Language::from_path(path).ok_or(Skip::NotSupported)?;
        self.lint_as(path, text, lang)
    }

    /// Lints `text` in a given language (for buffers whose path says nothing).
    pub fn lint_as(
        &self,
        path: &Path,
        text: &str,
        lang: Language,
    ) -> Result<Vec<Diagnostic>, Skip> {
        self.lint_checked(path, text, lang).map(|l| l.diagnostics)
    }

    /// [`Linter::lint_as`], also saying whether the file had syntax errors.
    pub fn lint_checked(&self, path: &Path, text: &str, lang: Language) -> Result<Linted, Skip> {
        let clean = |diagnostics| Linted {
            diagnostics,
            syntax_errors: false,
        };
        if text.len() > MAX_FILE_BYTES {
            return Err(Skip::TooLarge(text.len()));
        }
        let Some(settings) = self.may_hold_finding(path, text, lang) else {
            return Ok(clean(Vec::new()));
        };
        if engine::syntax::bracket_depth_exceeds(text, MAX_BRACKET_DEPTH) {
            return Err(Skip::TooDeep);
        }
        let tree = engine::parse(lang, text, None).ok_or(Skip::ParseFailed)?;
        Ok(Linted {
            diagnostics: self.lint_parsed(settings, path, text, lang, &tree)?,
            syntax_errors: tree.root_node().has_error(),
        })
    }

    /// Lints an already parsed tree (the language server reparses incrementally).
    pub fn lint_tree(
        &self,
        path: &Path,
        text: &str,
        lang: Language,
        tree: &Tree,
    ) -> Result<Vec<Diagnostic>, Skip> {
        match self.settings_for(path, text) {
            Some(settings) => self.lint_parsed(settings, path, text, lang, tree),
            None => Ok(Vec::new()),
        }
    }

    /// The response sites authlint finds in `text` (for `--show-sites`):
    /// what the rules see, whatever the file's role.
    pub fn sites(&self, path: &Path, text: &str) -> Result<Vec<engine::model::ResponseSite>, Skip> {
        let lang = Language::from_path(path).ok_or(Skip::NotSupported)?;
        if engine::syntax::bracket_depth_exceeds(text, MAX_BRACKET_DEPTH) {
            return Err(Skip::TooDeep);
        }
        let tree = engine::parse(lang, text, None).ok_or(Skip::ParseFailed)?;
        let settings = Settings {
            role: Some(crate::roles::Role::App),
            ..self.settings.clone()
        };
        let model = engine::extract_within(
            path,
            text,
            lang,
            &tree,
            &settings,
            &self.index,
            MAX_TREE_DEPTH,
        )
        .ok_or(Skip::TooDeep)?;
        Ok(model.sites)
    }

    /// [`Linter::lint_tree`] with the file's settings already chosen.
    fn lint_parsed(
        &self,
        settings: &Settings,
        path: &Path,
        text: &str,
        lang: Language,
        tree: &Tree,
    ) -> Result<Vec<Diagnostic>, Skip> {
        let model = engine::extract_within(
            path,
            text,
            lang,
            tree,
            settings,
            &self.index,
            MAX_TREE_DEPTH,
        )
        .ok_or(Skip::TooDeep)?;
        Ok(self.check(settings, &model, text, lang, tree))
    }

    /// [`Linter::lint_tree`] for a document being edited: reuses what the
    /// previous lint found in the parts of the file the edits did not touch
    /// (see [`engine::extract_reusing`] and [`rules::reuse`]) and returns
    /// what the next lint can reuse. The diagnostics are the ones
    /// `lint_tree` gives.
    pub fn lint_tree_reusing(
        &self,
        path: &Path,
        text: &str,
        lang: Language,
        tree: &Tree,
        prev: Option<Reuse<'_>>,
    ) -> Result<(Vec<Diagnostic>, Analysis), Skip> {
        // As `lint_checked` does: a file that cannot hold a finding, or whose
        // role runs no rule, is not analysed (each keystroke then costs a
        // scan of the text, whatever its size).
        let Some(settings) = self.may_hold_finding(path, text, lang) else {
            return Ok((Vec::new(), Analysis::default()));
        };
        let engine_prev = prev.and_then(|p| {
            Some(engine::Reuse {
                analysis: p.analysis.engine.as_ref()?,
                old_tree: p.old_tree,
            })
        });
        let (model, analysis) =
            engine::extract_reusing(path, text, lang, tree, settings, &self.index, engine_prev)
                .ok_or(Skip::TooDeep)?;
        let ctx = rules::Context::new(&model, settings, text, lang);
        let (mut diags, cache) =
            rules::reuse::run(&ctx, tree, prev.and_then(|p| p.analysis.rules.as_ref()));
        finish(settings, &mut diags, text, lang, tree);
        let analysis = Analysis {
            engine: Some(analysis),
            rules: Some(cache.finish(model.sites)),
        };
        Ok((diags, analysis))
    }

    /// Rules and suppressions over a file's model.
    fn check(
        &self,
        settings: &Settings,
        model: &engine::model::FileModel,
        text: &str,
        lang: Language,
        tree: &Tree,
    ) -> Vec<Diagnostic> {
        let ctx = rules::Context::new(model, settings, text, lang);
        let mut diags = rules::run(&ctx);
        finish(settings, &mut diags, text, lang, tree);
        diags
    }
}

/// Suppressions, the confidence bar, then the order findings are reported in.
/// Suppressions see every finding, so one that silences a finding below the
/// bar is still used.
fn finish(
    settings: &Settings,
    diags: &mut Vec<Diagnostic>,
    text: &str,
    lang: Language,
    tree: &Tree,
) {
    crate::suppress::apply(text, lang, tree, settings, diags);
    diags.retain(|d| d.confidence >= settings.min_confidence);
    drop_fixes_near_errors(diags, tree);
    // Sorting the keys and then moving each finding once beats moving
    // the large findings around while sorting (a big file has ~900).
    diags.sort_by_cached_key(|d| (d.range.start, d.range.end, d.rule));
}

/// Findings on code the parser could not follow keep no fix: a fix is built
/// from the structure the rule saw, and around a syntax error that is not
/// the structure that is there (an insertion would land in the broken part,
/// and be offered again after every run).
fn drop_fixes_near_errors(diags: &mut [Diagnostic], tree: &Tree) {
    let root = tree.root_node();
    if !root.has_error() || diags.iter().all(|d| d.fixes.is_empty()) {
        return;
    }
    let errors = error_ranges(root);
    let touches =
        |r: &std::ops::Range<usize>| errors.iter().any(|e| e.start <= r.end && r.start <= e.end);
    for d in diags.iter_mut().filter(|d| !d.fixes.is_empty()) {
        let near = touches(&d.range)
            || d.fixes
                .iter()
                .flat_map(|f| &f.edits)
                .any(|e| touches(&e.range));
        if near {
            d.fixes = Vec::new().into();
        }
    }
}

/// The byte ranges of the tree's error and missing nodes (only subtrees
/// that hold an error are visited).
fn error_ranges(root: tree_sitter::Node<'_>) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            out.push(n.byte_range());
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor).filter(|c| c.has_error()));
    }
    out
}

/// What one lint of a document leaves for the next
/// ([`Linter::lint_tree_reusing`]): the extraction's per-statement results
/// and every site's findings.
/// Both are `None` when the document was not analysed (nothing in it could
/// be found).
#[derive(Default)]
pub struct Analysis {
    pub engine: Option<engine::Analysis>,
    rules: Option<rules::reuse::Cache>,
}

impl Analysis {
    /// See [`engine::Analysis::extracted`].
    pub fn extracted(&self) -> Option<(usize, usize)> {
        self.engine.as_ref()?.extracted()
    }

    /// (sites whose findings were kept from the previous lint, sites).
    pub fn kept(&self) -> (usize, usize) {
        self.rules.as_ref().map_or((0, 0), |r| (r.kept, r.sites()))
    }
}

/// A previous lint to reuse: its [`Analysis`] and its tree, `edit`ed with
/// every change made to the text since (see [`engine::Reuse`]).
#[derive(Clone, Copy)]
pub struct Reuse<'a> {
    pub analysis: &'a Analysis,
    pub old_tree: &'a Tree,
}

/// Lints one in-memory file with `settings` and imports read from disk.
pub fn lint_source(path: &Path, text: &str, settings: &Settings) -> Result<Vec<Diagnostic>, Skip> {
    Linter::new(settings.clone()).lint(path, text)
}

/// Lints an already parsed tree with `settings`.
pub fn lint_tree(
    path: &Path,
    text: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
) -> Result<Vec<Diagnostic>, Skip> {
    Linter::new(settings.clone()).lint_tree(path, text, lang, tree)
}
