//! The project index: what other files export, parsed once and cached.
//!
//! Resolving `...corsHeaders` from `../_shared/cors.ts`, an imported status
//! constant or an imported response helper goes through here, so each
//! imported module is parsed once per run (CLI) or once per change (LSP).

use super::model::Evidence;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Where module text comes from: the file system, or the editor's buffers.
pub trait ModuleSource: Send + Sync {
    fn read(&self, path: &Path) -> Option<String>;

    /// Whether a module is at `path` (resolving a specifier asks this of
    /// every candidate, most of which are not there).
    fn exists(&self, path: &Path) -> bool {
        self.read(path).is_some()
    }
}

/// How many folders up an absolute Python import is looked for.
pub const MAX_PACKAGE_DEPTH: usize = 6;

/// Reads modules from disk.
pub struct FsSource;

impl ModuleSource for FsSource {
    fn read(&self, path: &Path) -> Option<String> {
        crate::fsio::read_text(path, super::limits::MAX_FILE_BYTES)
    }

    fn exists(&self, path: &Path) -> bool {
        crate::fsio::is_regular(path)
    }
}

/// A value exported by a module that the engine can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// A numeric constant (`export const UNAUTHORIZED = 401`).
    Number(u16),
    /// A string constant.
    Str(String),
    /// An object literal of headers: lower-cased keys, with the
    /// `WWW-Authenticate` value if present.
    Headers {
        challenge: Option<Option<std::sync::Arc<str>>>,
        opaque: bool,
    },
    /// A function that builds a response from a status parameter.
    Helper(HelperSig),
    /// A function returning a headers object.
    HeaderBuilder {
        challenge: Option<Option<std::sync::Arc<str>>>,
        opaque: bool,
    },
    /// A Python exception class raised as a response, with a fixed status
    /// (`class AuthError(HTTPException)` calling `super().__init__(status_code=401)`).
    ErrorClass(ErrorClassSig),
    /// A function that logs (a logging wrapper, or a check that logs why it
    /// failed before it returns): calling it before a 401 logs the reason.
    Logs,
}

/// A Python exception class that becomes a response when raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorClassSig {
    pub code: u16,
    pub framework: super::model::Framework,
    /// The default message (`detail`/`description`), if a literal.
    pub message: Option<String>,
    /// `Some(value)` when the class sets `WWW-Authenticate`.
    pub challenge: Option<Option<std::sync::Arc<str>>>,
    /// Byte range of the class definition in its file.
    pub definition: std::ops::Range<usize>,
    /// For a project class that is no framework's exception: its name and
    /// its project bases' names, nearest first. Raising it is a response
    /// only where the application registers a handler for one of them.
    pub lineage: Vec<String>,
    /// Which `__init__` parameters carry the status, message and headers.
    pub ctor: Option<ErrorCtor>,
    /// A response class (`class HttpResponseUnauthorized(HttpResponse):
    /// status_code = 401`): returned, not raised.
    pub response: bool,
}

/// Which `__init__` parameters (index without `self`, name) of a project
/// exception class carry its status, its message and its headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorCtor {
    pub status: Option<(usize, String)>,
    pub detail: Option<(usize, String)>,
    pub headers: Option<(usize, String)>,
}

/// A response helper's signature: which parameter is the status, which the
/// message, and whether the response it builds carries a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperSig {
    pub status_param: usize,
    pub message_param: Option<usize>,
    /// `Some(value)` when the helper's response sets `WWW-Authenticate`.
    pub challenge: Option<Option<std::sync::Arc<str>>>,
    /// The helper logs before responding.
    pub logs: bool,
    /// Byte range of the helper's definition in its file.
    pub definition: std::ops::Range<usize>,
    /// A parameter spread into the response's headers
    /// (`(status, body, headers = {}) => ({ headers: { ...headers } })`):
    /// each call's argument decides whether a challenge is sent.
    pub headers_param: Option<usize>,
    /// The helper always answers this status (`unauthorized()` building a
    /// 401): `status_param` is unused, and each call is a site with it.
    pub fixed_status: Option<u16>,
    /// The helper throws the response it builds (an exception that an
    /// error handler turns into the response).
    pub throws: bool,
}

impl HelperSig {
    /// A helper declared in `[[helpers]]`: its status and message arguments,
    /// nothing known of its body.
    pub fn configured(spec: &crate::settings::HelperSpec) -> Self {
        HelperSig {
            status_param: spec.status_arg,
            message_param: spec.message_arg,
            challenge: None,
            logs: false,
            definition: 0..0,
            headers_param: None,
            fixed_status: None,
            throws: false,
        }
    }
}

/// The summary of one module: its exports by name.
#[derive(Debug, Clone, Default)]
pub struct ModuleSummary {
    pub exports: HashMap<String, Export>,
    pub default_export: Option<Export>,
    /// `export * from './errors'` (`names` is `None`) and
    /// `export { A, B as C } from './errors'` (`(A, A)`, `(B, C)`): the
    /// modules they name, resolved.
    pub reexports: Vec<Reexport>,
}

#[derive(Debug, Clone)]
pub struct Reexport {
    pub from: PathBuf,
    pub names: Option<Vec<(String, String)>>,
}

/// The names a module's text exports (`export class A`, `export const B`,
/// `export { C }`), and whether it passes on all of another's (`export *`).
#[derive(Debug, Default)]
struct ExportedNames {
    names: std::collections::HashSet<String>,
    star: bool,
}

impl ExportedNames {
    /// A Python module's names, from its text: every word it holds (what
    /// it defines, imports or passes on, one name per line or a
    /// parenthesised list over several); a star import passes on others.
    fn of_python(text: &str) -> ExportedNames {
        ExportedNames {
            star: text.contains("import *"),
            names: crate::engine::syntax::words(text)
                .map(str::to_string)
                .collect(),
        }
    }

    fn of(text: &str) -> ExportedNames {
        let mut out = ExportedNames::default();
        for (at, _) in text.match_indices("export ") {
            let mut rest = text[at + "export ".len()..].trim_start();
            if rest.starts_with('*') {
                out.star = true;
                continue;
            }
            if let Some(list) = rest.strip_prefix('{') {
                let list = &list[..list.find('}').unwrap_or(0)];
                out.names
                    .extend(export_specifiers(list).into_iter().map(|(_, alias)| alias));
                continue;
            }
            for kw in ["default ", "declare ", "abstract ", "async "] {
                rest = rest.strip_prefix(kw).unwrap_or(rest).trim_start();
            }
            for kw in [
                "class ",
                "function* ",
                "function ",
                "const ",
                "let ",
                "var ",
            ] {
                if let Some(r) = rest.strip_prefix(kw) {
                    let name: String = r
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                        .collect();
                    out.names.insert(name);
                    break;
                }
            }
        }
        out
    }
}

/// The names of an export list's text (`A, B as C, type D`, between the
/// braces), each with the name it is exported as: `(A, A)`, `(B, C)`, `(D, D)`.
pub fn export_specifiers(list: &str) -> Vec<(String, String)> {
    list.split(',')
        .filter_map(|spec| {
            let spec = spec.trim();
            let spec = spec.strip_prefix("type ").unwrap_or(spec);
            let mut parts = spec.split_whitespace();
            let name = parts.next()?.to_string();
            let alias = match (parts.next(), parts.next()) {
                (Some("as"), Some(a)) => a.to_string(),
                _ => name.clone(),
            };
            Some((name, alias))
        })
        .collect()
}

/// How many re-exports deep a name is followed (`index.ts` → `errors/index.ts` → …).
const MAX_REEXPORT_DEPTH: usize = 4;

pub struct ProjectIndex {
    source: Arc<dyn ModuleSource>,
    cache: Mutex<HashMap<PathBuf, Option<Arc<ModuleSummary>>>>,
    /// importer -> imported modules, to find dependents on change.
    imports: Mutex<HashMap<PathBuf, Vec<PathBuf>>>,
    /// How often each module was invalidated, and how often everything was.
    epochs: Mutex<HashMap<PathBuf, u64>>,
    clears: std::sync::atomic::AtomicU64,
    /// folder → the import aliases of the nearest `tsconfig.json` or
    /// `jsconfig.json` at or above it (see [`super::aliases`]).
    aliases: Mutex<HashMap<PathBuf, Option<Arc<super::aliases::Aliases>>>>,
    /// (importing folder, specifier) → the module it names, for the
    /// pre-parse check of imports ([`super::clues`]).
    /// `(…, true)`: [`ProjectIndex::resolve`]'s answers for package names,
    /// which look into the workspace's packages.
    resolved: Mutex<HashMap<(PathBuf, String, bool), Option<PathBuf>>>,
    /// module → its summary when it holds a status clue of its own
    /// ([`ProjectIndex::holds_response_fact`]).
    fact_modules: Mutex<HashMap<PathBuf, Option<Arc<ModuleSummary>>>>,
    /// (project root, what) → a fact learnt by scanning the whole project
    /// ([`ProjectIndex::project_fact`]).
    project_facts: Mutex<HashMap<(PathBuf, &'static str), FactCell>>,
    /// module → the names its text exports ([`ProjectIndex::exported_names`]).
    export_names: Mutex<HashMap<PathBuf, Option<Arc<ExportedNames>>>>,
    /// (module, name) → the export found through its re-exports.
    found_exports: Mutex<HashMap<(PathBuf, String), Option<FoundExport>>>,
}

type ProjectFact = Arc<dyn std::any::Any + Send + Sync>;
type FactCell = Arc<OnceLock<ProjectFact>>;
/// An export, and the module that declares it.
type FoundExport = (Export, PathBuf);

/// `map[key]`, computed by `compute` the first time (`None` only when the
/// lock is poisoned).
fn remembered<K: std::hash::Hash + Eq, V: Clone>(
    map: &Mutex<HashMap<K, V>>,
    key: K,
    compute: impl FnOnce() -> V,
) -> Option<V> {
    if let Some(hit) = map.lock().ok()?.get(&key) {
        return Some(hit.clone());
    }
    let found = compute();
    if let Ok(mut m) = map.lock() {
        m.insert(key, found.clone());
    }
    Some(found)
}

fn empty<K, V>(m: &Mutex<HashMap<K, V>>) {
    if let Ok(mut m) = m.lock() {
        m.clear();
    }
}

/// Files that mark a project's root folder.
const ROOT_MARKERS: &[&str] = &[
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "package.json",
    ".git",
];

/// What a file's last lint learnt from other modules, as of one moment:
/// equal stamps mean no module it imported has changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyStamp {
    clears: u64,
    modules: Vec<(PathBuf, u64)>,
}

impl ProjectIndex {
    pub fn new(source: Arc<dyn ModuleSource>) -> Self {
        ProjectIndex {
            source,
            cache: Mutex::new(HashMap::new()),
            imports: Mutex::new(HashMap::new()),
            epochs: Mutex::new(HashMap::new()),
            clears: std::sync::atomic::AtomicU64::new(0),
            aliases: Mutex::new(HashMap::new()),
            resolved: Mutex::new(HashMap::new()),
            fact_modules: Mutex::new(HashMap::new()),
            project_facts: Mutex::new(HashMap::new()),
            found_exports: Mutex::new(HashMap::new()),
            export_names: Mutex::new(HashMap::new()),
        }
    }

    /// The nearest folder at or above `file`'s that holds a project marker
    /// (`pyproject.toml`, `package.json`, `.git`…), at most eight levels up.
    pub fn project_root(file: &Path) -> Option<PathBuf> {
        let file = crate::paths::absolute(file);
        file.ancestors().skip(1).take(8).find_map(|d| {
            ROOT_MARKERS
                .iter()
                .any(|m| std::fs::symlink_metadata(d.join(m)).is_ok())
                .then(|| d.to_path_buf())
        })
    }

    /// What `compute` learns about the project at `root` by reading its
    /// files, computed once (until a file under `root` changes).
    pub fn project_fact<T: std::any::Any + Send + Sync>(
        &self,
        root: &Path,
        what: &'static str,
        compute: impl FnOnce(&dyn ModuleSource) -> T,
    ) -> Option<Arc<T>> {
        // One computes while the others wait for it (the CLI lints in parallel).
        let cell = self
            .project_facts
            .lock()
            .ok()?
            .entry((root.to_path_buf(), what))
            .or_default()
            .clone();
        let fact = cell.get_or_init(|| Arc::new(compute(self.source.as_ref())));
        fact.clone().downcast().ok()
    }

    /// [`ProjectIndex::resolve`] or, for Python, [`ProjectIndex::resolve_python_anywhere`],
    /// remembered per importing folder.
    pub fn resolve_cached(&self, from: &Path, spec: &str, python: bool) -> Option<PathBuf> {
        let key = (from.parent()?.to_path_buf(), spec.to_string(), false);
        // A workspace package is not looked into here: that would parse, for
        // every file of a monorepo, the modules its packages' imports name.
        remembered(&self.resolved, key, || {
            if python {
                self.resolve_python_anywhere(from, spec)
            } else {
                self.resolve_within(from, spec, false)
            }
        })
        .flatten()
    }

    /// Whether the module at `path` holds a status clue of its own (a 401 or
    /// 403, a status word) and exports one of `names` (any name when
    /// `names` is empty; `default` for a default export). The module is
    /// judged once per run.
    pub fn holds_response_fact(&self, path: &Path, names: &[String]) -> bool {
        let cached = self
            .fact_modules
            .lock()
            .ok()
            .and_then(|m| m.get(path).cloned());
        let summary = match cached {
            Some(s) => s,
            None => {
                let clue = self
                    .source
                    .read(path)
                    .is_some_and(|text| super::syntax::has_status_clue(&text));
                let s = if clue { self.summary(path) } else { None };
                if let Ok(mut m) = self.fact_modules.lock() {
                    m.insert(path.to_path_buf(), s.clone());
                }
                s
            }
        };
        let Some(s) = summary else { return false };
        if names.is_empty() {
            return !s.exports.is_empty() || s.default_export.is_some();
        }
        names
            .iter()
            .any(|n| s.exports.contains_key(n) || (n == "default" && s.default_export.is_some()))
    }

    /// The summary of the module at `path` (already resolved to a file).
    pub fn summary(&self, path: &Path) -> Option<Arc<ModuleSummary>> {
        thread_local! {
            /// Modules being summarised on this thread: an import cycle stops here.
            static IN_PROGRESS: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        if let Some(hit) = self.cache.lock().ok()?.get(path) {
            return hit.clone();
        }
        let blocked = IN_PROGRESS.with(|p| {
            let p = p.borrow();
            p.len() > 16 || p.iter().any(|x| x == path)
        });
        if blocked {
            return None;
        }
        IN_PROGRESS.with(|p| p.borrow_mut().push(path.to_path_buf()));
        let summary = self.source.read(path).and_then(|text| {
            let lang = super::Language::from_path(path)?;
            super::summarize_module(path, &text, lang, self).map(Arc::new)
        });
        IN_PROGRESS.with(|p| p.borrow_mut().pop());
        // First writer wins, so concurrent lints agree on one summary.
        let mut cache = self.cache.lock().ok()?;
        cache.entry(path.to_path_buf()).or_insert(summary).clone()
    }

    /// The export `name` of the module at `path`, followed through its
    /// re-exports, with the module that declares it.
    pub fn export_of(&self, path: &Path, name: &str) -> Option<(Export, PathBuf)> {
        let key = (path.to_path_buf(), name.to_string());
        remembered(&self.found_exports, key, || self.export_in(path, name, 0)).flatten()
    }

    /// The names a JavaScript module's text declares as exports, read
    /// without parsing it, once.
    fn exported_names(&self, path: &Path) -> Option<Arc<ExportedNames>> {
        remembered(&self.export_names, path.to_path_buf(), || {
            self.source.read(path).map(|text| {
                Arc::new(match path.extension().is_some_and(|e| e == "py") {
                    true => ExportedNames::of_python(&text),
                    false => ExportedNames::of(&text),
                })
            })
        })
        .flatten()
    }

    fn export_in(&self, path: &Path, name: &str, depth: usize) -> Option<(Export, PathBuf)> {
        let summary = self.summary(path)?;
        let found = if name == "default" {
            summary.default_export.clone()
        } else {
            summary.exports.get(name).cloned()
        };
        if let Some(e) = found {
            return Some((e, path.to_path_buf()));
        }
        if name == "default" || depth >= MAX_REEXPORT_DEPTH {
            return None;
        }
        summary.reexports.iter().find_map(|r| {
            let original = match &r.names {
                None => {
                    // Parse a module only if it declares the name as an
                    // export (or passes others on).
                    let names = self.exported_names(&r.from)?;
                    if !(names.star || names.names.contains(name)) {
                        return None;
                    }
                    name
                }
                Some(names) => names.iter().find(|(_, alias)| alias == name)?.0.as_str(),
            };
            self.export_in(&r.from, original, depth + 1)
        })
    }

    /// Records that `importer` depends on `imported`.
    pub fn record_import(&self, importer: &Path, imported: &Path) {
        if let Ok(mut m) = self.imports.lock() {
            let list = m.entry(importer.to_path_buf()).or_default();
            if !list.iter().any(|p| p == imported) {
                list.push(imported.to_path_buf());
            }
        }
    }

    /// Forgets what is known about `path` (its text changed).
    pub fn invalidate(&self, path: &Path) {
        if let Ok(mut e) = self.epochs.lock() {
            *e.entry(path.to_path_buf()).or_default() += 1;
        }
        if let Ok(mut m) = self.fact_modules.lock() {
            m.remove(path);
        }
        if let Ok(mut f) = self.project_facts.lock() {
            f.retain(|(root, _), _| !path.starts_with(root));
        }
        // What a chain of re-exports passes on may change with any module.
        if let Ok(mut f) = self.found_exports.lock() {
            f.clear();
        }
        if let Ok(mut f) = self.export_names.lock() {
            f.remove(path);
        }
        // A file appearing or going changes what specifiers name.
        if let Ok(mut r) = self.resolved.lock() {
            r.clear();
        }
        if let Ok(mut c) = self.cache.lock() {
            c.remove(path);
        }
    }

    /// Forgets everything (configuration changed).
    pub fn clear(&self) {
        self.clears
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        empty(&self.cache);
        empty(&self.aliases);
        empty(&self.resolved);
        empty(&self.fact_modules);
        empty(&self.project_facts);
        empty(&self.found_exports);
        empty(&self.export_names);
    }

    /// The modules `importer` was seen to import, each with how often it was
    /// invalidated: a result that used them is current while this is equal.
    pub fn stamp(&self, importer: &Path) -> DependencyStamp {
        let clears = self.clears.load(std::sync::atomic::Ordering::SeqCst);
        let mut modules: Vec<(PathBuf, u64)> = self
            .imports
            .lock()
            .map(|m| m.get(importer).cloned().unwrap_or_default())
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p, 0))
            .collect();
        if let Ok(e) = self.epochs.lock() {
            for (p, n) in modules.iter_mut() {
                *n = e.get(p).copied().unwrap_or(0);
            }
        }
        modules.sort();
        DependencyStamp { clears, modules }
    }

    /// Whether every module in `earlier` is unchanged in `later`.
    pub fn stamp_covers(later: &DependencyStamp, earlier: &DependencyStamp) -> bool {
        later.clears == earlier.clears
            && earlier
                .modules
                .iter()
                .all(|m| later.modules.binary_search(m).is_ok())
    }

    /// Files whose last lint imported `path`.
    pub fn dependents(&self, path: &Path) -> Vec<PathBuf> {
        let Ok(m) = self.imports.lock() else {
            return Vec::new();
        };
        m.iter()
            .filter(|(_, deps)| deps.iter().any(|d| d == path))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Resolves an import specifier from `from` to an existing file: relative,
    /// through the nearest `tsconfig.json` aliases, or a workspace package
    /// (remembered per importing folder).
    pub fn resolve(&self, from: &Path, spec: &str) -> Option<PathBuf> {
        if spec.starts_with('.') {
            return self.resolve_within(from, spec, true);
        }
        // A package name costs a look through the workspace: remembered.
        let key = (from.parent()?.to_path_buf(), spec.to_string(), true);
        remembered(&self.resolved, key, || {
            self.resolve_within(from, spec, true)
        })
        .flatten()
    }

    fn resolve_within(&self, from: &Path, spec: &str, workspaces: bool) -> Option<PathBuf> {
        if !(spec.starts_with("./") || spec.starts_with("../")) {
            // `@/lib/response` through the project's `compilerOptions.paths`,
            // else `@acme/shared` from the monorepo's own packages.
            let dir = from.parent()?;
            let aliased = self.aliases_for(dir).and_then(|aliases| {
                aliases
                    .targets(spec)
                    .into_iter()
                    .find_map(|t| self.module_at(&normalize(&t)))
            });
            return aliased.or_else(|| {
                workspaces
                    .then(|| self.workspace_module(dir, spec))
                    .flatten()
            });
        }
        let base = from.parent()?.join(spec);
        self.module_at(&normalize(&base))
    }

    /// The aliases in force in `dir`, read once per folder.
    fn aliases_for(&self, dir: &Path) -> Option<Arc<super::aliases::Aliases>> {
        if let Some(hit) = self.aliases.lock().ok()?.get(dir) {
            return hit.clone();
        }
        let found = super::aliases::Aliases::nearest(dir).map(Arc::new);
        if let Ok(mut m) = self.aliases.lock() {
            m.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    /// A module of one of the workspace's packages (see [`super::workspaces`]).
    fn workspace_module(&self, dir: &Path, spec: &str) -> Option<PathBuf> {
        let dir = crate::paths::absolute(dir);
        let root =
            self.project_fact(&dir, "js-workspace-root", |_| super::workspaces::root(&dir))?;
        let root = root.as_ref().as_ref()?;
        let ws = self.project_fact(root, "js-workspace", |_| {
            super::workspaces::Workspace::scan(root)
        })?;
        ws.targets(spec)
            .into_iter()
            .find_map(|t| self.module_at(&normalize(&t)))
    }

    /// The module file a resolved specifier names: the path itself, or with
    /// an extension, or its `index`.
    fn module_at(&self, base: &Path) -> Option<PathBuf> {
        let base = base.to_path_buf();
        let candidates = [
            base.clone(),
            base.with_extension("ts"),
            base.with_extension("tsx"),
            base.with_extension("js"),
            base.with_extension("mjs"),
            base.join("index.ts"),
            base.join("index.js"),
        ];
        // `./cors.js` in TypeScript sources usually means `./cors.ts`.
        let ts_for_js = match base.extension().and_then(|e| e.to_str()) {
            Some("js") => Some(base.with_extension("ts")),
            Some("mjs") => Some(base.with_extension("mts")),
            _ => None,
        };
        candidates.into_iter().chain(ts_for_js).find(|p| {
            p.extension().is_some()
                && super::Language::from_path(p).is_some()
                && self.source.exists(p)
        })
    }

    /// Resolves a Python import within the project: relative (`.errors`),
    /// or absolute (`app.errors`) from the file's folder or one of its
    /// ancestors, up to [`MAX_PACKAGE_DEPTH`] levels up. Python resolves an
    /// absolute import from an import root, a folder that is not itself a
    /// package; so `polar.exceptions` in `polar/integrations/slack/x.py`
    /// is `polar/exceptions.py`, not a nested `polar/integrations/polar/`.
    /// A match under a package folder is kept only when no root matches.
    pub fn resolve_python_anywhere(&self, from: &Path, module: &str) -> Option<PathBuf> {
        if module.starts_with('.') {
            return self.resolve_python(from, module);
        }
        let mut nested = None;
        let mut base = from.parent();
        for dots in 1..=MAX_PACKAGE_DEPTH {
            let Some(dir) = base else { break };
            if let Some(found) = self.resolve_python(from, &format!("{}{module}", ".".repeat(dots)))
            {
                if !self.source.exists(&dir.join("__init__.py")) {
                    return Some(found);
                }
                nested.get_or_insert(found);
            }
            base = dir.parent();
        }
        nested
    }

    /// Resolves a Python relative import (`from .auth import x`).
    pub fn resolve_python(&self, from: &Path, module: &str) -> Option<PathBuf> {
        let dots = module.chars().take_while(|c| *c == '.').count();
        if dots == 0 {
            return None;
        }
        let mut dir = from.parent()?.to_path_buf();
        for _ in 1..dots {
            dir = dir.parent()?.to_path_buf();
        }
        let rest = &module[dots..];
        let mut p = dir;
        for part in rest.split('.').filter(|s| !s.is_empty()) {
            p = p.join(part);
        }
        [p.with_extension("py"), p.join("__init__.py")]
            .into_iter()
            .find(|c| self.source.exists(c))
    }
}

/// Lexically normalises `a/./b/../c` to `a/c`.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            // `../../x` from a relative start keeps both: only a named
            // folder is taken back.
            std::path::Component::ParentDir => {
                let named = matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                );
                if named {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Evidence pointing into another file.
pub fn evidence_in(
    path: &Path,
    range: std::ops::Range<usize>,
    note: impl Into<std::sync::Arc<str>>,
) -> Evidence {
    Evidence {
        path: Some(path.to_path_buf()),
        range,
        note: note.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize, ExportedNames};
    use std::path::Path;

    #[test]
    fn normalize_keeps_every_leading_parent_of_a_relative_path() {
        let n = |p: &str| normalize(Path::new(p));
        assert_eq!(n("../../errors/x.ts"), Path::new("../../errors/x.ts"));
        assert_eq!(n("a/../../b"), Path::new("../b"));
        assert_eq!(n("./a/./b/../c"), Path::new("a/c"));
        assert_eq!(n("/../a"), Path::new("/a"));
        assert_eq!(n("/srv/app/../lib"), Path::new("/srv/lib"));
    }

    #[test]
    fn exported_names_are_read_from_the_text() {
        let n = ExportedNames::of(
            "export class UnauthorizedError extends BaseError {}\nexport const LIMIT = 3;\nexport { a as b, c };\nexport default async function handler() {}\n",
        );
        for name in ["UnauthorizedError", "LIMIT", "b", "c", "handler"] {
            assert!(n.names.contains(name), "{name}: {:?}", n.names);
        }
        assert!(!n.star);
        assert!(ExportedNames::of("export * from './errors';\n").star);
    }
}
