//! Framework packs: what authlint knows about a framework, as data.
//!
//! A pack (`packs/<language>/<name>.toml`, or a user's own file named in
//! `authlint.toml`) lists the framework's packages, the calls, method calls
//! and assignments that build a response (with where the status, headers,
//! message and challenge are), and the calls that set a header earlier on
//! the path. The extractors read rows by name; a row only matches a name the
//! file imports from one of the pack's packages (or a receiver spelled as
//! the row says, in a file that imports the framework). `docs/packs.md`
//! describes the format.
//!
//! Built-in packs are compiled into the binary and parsed once per process,
//! when the first file asks; user packs are parsed with the configuration.

pub mod format;

pub use format::{
    Arg, ChallengeSpec, HeaderRow, Names, PackFile, PackLanguage, ResponseRow, StatusSpec,
};

use aho_corasick::AhoCorasick;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// `(file, text)` for files under `packs/`, compiled in.
macro_rules! packs {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../packs/", $file)))),*]
    };
}

/// The built-in packs, by file name under `packs/` (a test checks that
/// every file there is listed and has fixtures).
pub const BUILTIN: &[(&str, &str)] = packs![
    "python/aiohttp.toml",
    "python/django.toml",
    "python/django-ninja.toml",
    "python/django-rest-framework.toml",
    "python/falcon.toml",
    "python/litestar.toml",
    "python/sanic.toml",
    "python/tornado.toml",
    "javascript/better-call.toml",
    "javascript/elysia.toml",
    "javascript/h3.toml",
    "javascript/hono.toml",
    "javascript/http-errors.toml",
    "javascript/itty-router.toml",
    "javascript/nestjs.toml",
    "javascript/oak.toml",
    "javascript/remix.toml",
    "javascript/solid-start.toml",
    "javascript/sveltekit.toml",
];

/// A parsed pack and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Pack {
    pub file: PackFile,
    /// The user's pack file; `None` for a built-in pack.
    pub path: Option<PathBuf>,
}

/// How a row is spelled at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `pkg.Name(…)`, `new Name(…)`, `raise Name`.
    Call,
    /// `receiver.name(…)`.
    Method,
    /// `receiver.name = …`.
    Assign,
    /// `return false` in a method named so (`canActivate`).
    Return,
}

/// One response row, with its pack.
#[derive(Debug, Clone, Copy)]
pub struct Row<'p> {
    pub pack: &'p Pack,
    /// Index in the pack's `response` list.
    pub index: usize,
    pub row: &'p ResponseRow,
    /// For `call` rows: the module part of the qualified name.
    pub module: &'p str,
}

impl Row<'_> {
    /// `aiohttp#0`: names the row in the model and in tests.
    pub fn id(&self) -> Arc<str> {
        format!("{}#{}", self.pack.file.name, self.index).into()
    }
}

/// Every pack in force, indexed by the names rows match.
#[derive(Debug, Default)]
pub struct Packs {
    packs: Vec<Pack>,
    /// Final name -> (language, shape, pack, row, module of the name).
    rows: HashMap<String, Vec<Entry>>,
    /// Names of rows whose status the name alone gives: a file with one of
    /// them may hold a response even without a status number in it.
    /// Per language (Python, JavaScript).
    needles: [OnceLock<Option<AhoCorasick>>; 2],
}

#[derive(Debug)]
struct Entry {
    lang: PackLanguage,
    shape: Shape,
    pack: usize,
    row: usize,
    module: String,
}

impl PartialEq for Packs {
    /// The same packs (settings are compared on every keystroke: the shared
    /// built-in set is one allocation, so this is usually a pointer test).
    fn eq(&self, other: &Packs) -> bool {
        std::ptr::eq(self, other) || self.packs == other.packs
    }
}

/// A pack that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    pub pack: String,
    pub reason: String,
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pack, self.reason)
    }
}

impl Packs {
    /// The built-in packs (parsed once per process).
    pub fn builtin() -> Arc<Packs> {
        static BUILT: OnceLock<Arc<Packs>> = OnceLock::new();
        BUILT
            .get_or_init(|| {
                let packs = BUILTIN
                    .iter()
                    .map(|(name, text)| {
                        parse(name, text, None).unwrap_or_else(|e| panic!("built-in pack {e}"))
                    })
                    .collect();
                Arc::new(Packs::new(packs))
            })
            .clone()
    }

    /// The built-in packs and `user` ones (the user's rows come last: a
    /// built-in row wins where both match).
    pub fn with_user(user: Vec<Pack>) -> Packs {
        let mut packs: Vec<Pack> = Packs::builtin().packs.clone();
        packs.extend(user);
        Packs::new(packs)
    }

    fn new(packs: Vec<Pack>) -> Packs {
        let mut rows: HashMap<_, Vec<_>> = HashMap::default();
        for (p, pack) in packs.iter().enumerate() {
            for (r, row) in pack.file.response.iter().enumerate() {
                for (shape, module, name) in row_keys(row) {
                    rows.entry(name.to_string()).or_default().push(Entry {
                        lang: pack.file.language,
                        shape,
                        pack: p,
                        row: r,
                        module: module.to_string(),
                    });
                }
            }
        }
        Packs {
            packs,
            rows,
            needles: Default::default(),
        }
    }

    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    /// The packs the user added.
    pub fn user(&self) -> impl Iterator<Item = &Pack> {
        self.packs.iter().filter(|p| p.path.is_some())
    }

    /// Whether any row of `lang` is spelled `name` in `shape` (a cheap
    /// check before resolving imports).
    pub fn has(&self, lang: PackLanguage, shape: Shape, name: &str) -> bool {
        self.rows
            .get(name)
            .is_some_and(|es| es.iter().any(|e| e.lang == lang && e.shape == shape))
    }

    /// Whether a call spelled `name(…)` or `x.name(…)` may be a row's;
    /// `imported` is the name imported when `name` is a local alias
    /// (`ForbiddenException as Denied`).
    pub fn may_call(&self, lang: PackLanguage, name: &str, imported: Option<&str>) -> bool {
        let any = |n: &str| self.has(lang, Shape::Call, n) || self.has(lang, Shape::Method, n);
        any(name) || imported.is_some_and(any)
    }

    /// Whether a `returns` row returns this value (`false`).
    pub fn returns_value(&self, lang: PackLanguage, value: &str) -> bool {
        self.packs.iter().any(|p| {
            p.file.language == lang
                && p.file
                    .response
                    .iter()
                    .any(|r| r.returns.as_deref() == Some(value))
        })
    }

    /// Whether a row names a module's default export (`pkg.default`): then
    /// any name the file binds may be it (`const createError = require(…)`).
    pub fn has_default(&self, lang: PackLanguage) -> bool {
        self.has(lang, Shape::Call, "default")
    }

    /// The rows of `lang` spelled `name` in `shape`, built-in packs first.
    pub fn rows(&self, lang: PackLanguage, shape: Shape, name: &str) -> Vec<Row<'_>> {
        let Some(found) = self.rows.get(name) else {
            return Vec::new();
        };
        found
            .iter()
            .filter(|e| e.lang == lang && e.shape == shape)
            .map(|e| {
                let pack = &self.packs[e.pack];
                Row {
                    pack,
                    index: e.row,
                    row: &pack.file.response[e.row],
                    module: &e.module,
                }
            })
            .collect()
    }

    /// The `call` row for `name` imported from `module` (its package).
    pub fn call_row(&self, lang: PackLanguage, module: &str, name: &str) -> Option<Row<'_>> {
        self.rows(lang, Shape::Call, name)
            .into_iter()
            .find(|r| same_package(lang, r.module, module))
    }

    /// The `method` or `assign` row spelled `name` on a receiver spelled
    /// `recv`, in a pack the file `uses`.
    pub fn receiver_row(
        &self,
        lang: PackLanguage,
        shape: Shape,
        recv: &str,
        name: &str,
        uses: impl Fn(&Pack) -> bool,
    ) -> Option<Row<'_>> {
        self.rows(lang, shape, name)
            .into_iter()
            .find(|r| r.row.receiver.as_deref() == Some(recv) && uses(r.pack))
    }

    /// Whether `text` names a response of a row whose name alone gives its
    /// status (`NotAuthenticated`), so it must be parsed even though no
    /// status number or status word is in it. Names `clued` already finds
    /// (`HTTPUnauthorized` holds "nauthorized") are left out of the search;
    /// the caller passes the same function every time.
    pub fn names_fixed_status(
        &self,
        lang: PackLanguage,
        text: &str,
        clued: fn(&str) -> bool,
    ) -> bool {
        let slot = match lang {
            PackLanguage::Python => &self.needles[0],
            PackLanguage::Javascript => &self.needles[1],
        };
        let ac = slot.get_or_init(|| {
            let mut names: Vec<&str> = Vec::new();
            for pack in self.packs.iter().filter(|p| p.file.language == lang) {
                for row in &pack.file.response {
                    if matches!(row.status, StatusSpec::Fixed(_)) {
                        names.extend(
                            row_keys(row)
                                .into_iter()
                                .map(|(_, _, n)| n)
                                .filter(|n| !clued(n)),
                        );
                    }
                }
            }
            names.sort_unstable();
            names.dedup();
            (!names.is_empty())
                .then(|| AhoCorasick::new(names))
                .and_then(Result::ok)
        });
        ac.as_ref().is_some_and(|ac| ac.is_match(text))
    }
}

/// A file whose imports come from `imported` (module paths or specifiers)
/// uses `pack`.
pub fn uses<'a>(
    lang: PackLanguage,
    pack: &Pack,
    mut imported: impl Iterator<Item = &'a str>,
) -> bool {
    imported.any(|m| pack.file.modules.iter().any(|p| same_package(lang, p, m)))
}

/// A header row calls the function `name` imported from `module`.
pub fn header_call_is(lang: PackLanguage, h: &HeaderRow, module: &str, name: &str) -> bool {
    h.call.as_ref().is_some_and(|names| {
        names.iter().any(|q| {
            split_qualified(q).is_some_and(|(qm, qn)| qn == name && same_package(lang, qm, module))
        })
    })
}

/// How a row is found: its shape, the module of each name (empty for
/// methods and assignments) and the name.
fn row_keys(row: &ResponseRow) -> Vec<(Shape, &str, &str)> {
    if let Some(c) = &row.call {
        c.iter()
            .map(|q| {
                let (m, n) = split_qualified(q).unwrap_or(("", q));
                (Shape::Call, m, n)
            })
            .collect()
    } else if let Some(m) = &row.method {
        vec![(Shape::Method, "", m.as_str())]
    } else if let Some(m) = &row.in_method {
        vec![(Shape::Return, "", m.as_str())]
    } else {
        vec![(Shape::Assign, "", row.assign.as_deref().unwrap_or(""))]
    }
}

/// The name a row is shown by in errors.
fn row_label(row: &ResponseRow) -> &str {
    row_keys(row).first().map(|(_, _, n)| *n).unwrap_or("")
}

/// `aiohttp.web.HTTPUnauthorized` → (`aiohttp.web`, `HTTPUnauthorized`);
/// `@sveltejs/kit.error` → (`@sveltejs/kit`, `error`).
pub fn split_qualified(q: &str) -> Option<(&str, &str)> {
    let dot = q.rfind('.')?;
    let (m, n) = (&q[..dot], &q[dot + 1..]);
    (!m.is_empty() && !n.is_empty()).then_some((m, n))
}

/// The package a module belongs to: `aiohttp` for `aiohttp.web`,
/// `@sveltejs/kit` for `@sveltejs/kit/node`. JavaScript specifiers lose
/// Deno's and CDNs' spellings and versions: `jsr:@oak/oak@^17`,
/// `https://deno.land/x/oak@v12.6.1/mod.ts` and `npm:hono@4` name the
/// packages `@oak/oak`, `oak` and `hono`.
pub fn package(lang: PackLanguage, module: &str) -> &str {
    match lang {
        PackLanguage::Python => module.split('.').next().unwrap_or(module),
        PackLanguage::Javascript => {
            let mut m = module;
            for prefix in ["npm:", "jsr:", "node:"] {
                if let Some(rest) = m.strip_prefix(prefix) {
                    m = rest;
                    break;
                }
            }
            for host in [
                "https://deno.land/x/",
                "https://esm.sh/",
                "https://cdn.skypack.dev/",
                "https://unpkg.com/",
                "https://cdn.jsdelivr.net/npm/",
            ] {
                if let Some(rest) = m.strip_prefix(host) {
                    m = rest;
                    break;
                }
            }
            let mut parts = m.splitn(3, '/');
            let first = parts.next().unwrap_or("");
            let name = if first.starts_with('@') {
                match parts.next() {
                    Some(second) => &m[..first.len() + 1 + second.len()],
                    None => m,
                }
            } else {
                first
            };
            // A version after the name (not the scope's own `@`).
            match name.get(1..).and_then(|r| r.find('@')) {
                Some(i) => &name[..i + 1],
                None => name,
            }
        }
    }
}

/// A JavaScript module specifier without Deno's and CDNs' spellings and
/// the package's version, keeping its path inside the package:
/// `jsr:@supabase/supabase-js@2/cors` is `@supabase/supabase-js/cors`.
pub fn module_path(module: &str) -> String {
    let pkg = package(PackLanguage::Javascript, module);
    // What follows the package (and its version) in the specifier.
    let rest = module
        .find(pkg)
        .map(|i| &module[i + pkg.len()..])
        .map(|r| r.find('/').map_or("", |j| &r[j..]))
        .unwrap_or("");
    format!("{pkg}{rest}")
}

/// Whether a name imported from `imported` (a module path) is the row's:
/// the same package (packages re-export their names from their top
/// module, so the path between may differ).
pub fn same_package(lang: PackLanguage, row_module: &str, imported: &str) -> bool {
    !row_module.is_empty() && package(lang, row_module) == package(lang, imported)
}

/// Reads and checks one pack. `name` says which pack in errors.
pub fn parse(name: &str, text: &str, path: Option<&Path>) -> Result<Pack, PackError> {
    let err = |reason: String| PackError {
        pack: name.to_string(),
        reason,
    };
    let file: PackFile = toml::from_str(text).map_err(|e| {
        // Where in the pack, when TOML says.
        let at = e
            .span()
            .and_then(|s| text.get(..s.start))
            .map(|before| {
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("line {line}, column {column}: ")
            })
            .unwrap_or_default();
        err(format!("{at}{}", e.message()))
    })?;
    check(&file).map_err(err)?;
    Ok(Pack {
        file,
        path: path.map(Path::to_path_buf),
    })
}

fn check(file: &PackFile) -> Result<(), String> {
    if file.modules.is_empty() {
        return Err("`modules` must name at least one package".into());
    }
    for (i, row) in file.response.iter().enumerate() {
        let at = |what: &str| format!("response row {} ({}): {what}", i + 1, row_label(row));
        let shapes = [
            row.call.is_some(),
            row.method.is_some(),
            row.assign.is_some(),
            row.returns.is_some(),
        ]
        .iter()
        .filter(|s| **s)
        .count();
        if shapes != 1 {
            return Err(at(
                "give exactly one of `call`, `method`, `assign` or `returns`",
            ));
        }
        if row.returns.is_some() != row.in_method.is_some() {
            return Err(at("`returns` and `in-method` go together"));
        }
        if row.returns.is_some() && file.language != PackLanguage::Javascript {
            return Err(at("`returns` rows are for JavaScript packs"));
        }
        if let Some(calls) = &row.call {
            for c in calls.iter() {
                let (m, _) = split_qualified(c)
                    .ok_or_else(|| at("`call` is a qualified name such as `package.Name`"))?;
                if !file.modules.iter().any(|p| {
                    package(file.language, p) == package(file.language, m)
                            // A class's static member: `better-call.APIError.from`.
                            || m.split_once('.').is_some_and(|(pkg, _)| {
                                package(file.language, pkg) == package(file.language, p)
                            })
                }) {
                    return Err(at("`call` must name something in one of `modules`"));
                }
            }
        } else if row.returns.is_none() && row.receiver.as_deref().map_or(true, str::is_empty) {
            return Err(at("`method` and `assign` rows need a `receiver`"));
        }
        match &row.status {
            StatusSpec::Fixed(code) if !(100..=599).contains(code) => {
                return Err(at("`status` must be an HTTP status (100-599)"));
            }
            StatusSpec::Arg(a) => check_arg(a, row.assign.is_some()).map_err(|e| at(&e))?,
            _ => {}
        }
        for a in [&row.headers, &row.message, &row.response]
            .into_iter()
            .flatten()
        {
            check_arg(a, false).map_err(|e| at(&e))?;
        }
        if row.response.is_some() && file.language != PackLanguage::Javascript {
            return Err(at("`response` is for JavaScript packs"));
        }
        match &row.challenge {
            Some(ChallengeSpec::Word(w)) if w != "framework" => {
                return Err(at("`challenge` is an argument or \"framework\""));
            }
            Some(ChallengeSpec::Arg(a)) => check_arg(a, false).map_err(|e| at(&e))?,
            _ => {}
        }
        if let Some(t) = &row.fix_before {
            if !t.contains("$NAME") || !t.contains("$VALUE") {
                return Err(at("`fix-before` must contain `$NAME` and `$VALUE`"));
            }
        }
    }
    for (i, h) in file.header.iter().enumerate() {
        let at = |what: &str| format!("header row {}: {what}", i + 1);
        match (&h.call, &h.method, &h.assign) {
            (Some(c), None, None) => {
                for c in c.iter() {
                    split_qualified(c).ok_or_else(|| at("`call` is a qualified name"))?;
                }
            }
            (None, Some(_), None) | (None, None, Some(_)) if h.receiver.is_some() => {}
            _ => return Err(at("give `call`, or `method` or `assign` with a `receiver`")),
        }
        if h.assign.is_none() {
            for a in [&h.name, &h.value] {
                let a = a
                    .as_ref()
                    .ok_or_else(|| at("call rows need `name` and `value` arguments"))?;
                check_arg(a, false).map_err(|e| at(&e))?;
            }
        }
    }
    Ok(())
}

/// An argument must say where it is (`assign` rows read the assigned value).
fn check_arg(a: &Arg, assigned: bool) -> Result<(), String> {
    if a.position.is_none() && a.keyword.is_none() && !(assigned || a.field.is_some()) {
        return Err("an argument needs `position` or `keyword`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_parse() {
        let packs = Packs::builtin();
        assert_eq!(packs.packs().len(), BUILTIN.len());
        assert!(packs.has(PackLanguage::Python, Shape::Call, "HTTPUnauthorized"));
        assert!(!packs.has(PackLanguage::Javascript, Shape::Call, "HTTPUnauthorized"));
    }

    #[test]
    fn module_paths_keep_the_path_inside_the_package() {
        for (spec, path) in [
            (
                "jsr:@supabase/supabase-js@2/cors",
                "@supabase/supabase-js/cors",
            ),
            (
                "npm:@supabase/supabase-js@2.49.1/cors",
                "@supabase/supabase-js/cors",
            ),
            (
                "https://esm.sh/@supabase/supabase-js@2/cors",
                "@supabase/supabase-js/cors",
            ),
            ("@supabase/supabase-js/cors", "@supabase/supabase-js/cors"),
            ("@supabase/supabase-js", "@supabase/supabase-js"),
            ("hono/http-exception", "hono/http-exception"),
            ("npm:hono@4", "hono"),
        ] {
            assert_eq!(module_path(spec), path, "{spec}");
        }
    }

    #[test]
    fn packages_and_qualified_names() {
        assert_eq!(
            split_qualified("@sveltejs/kit.error"),
            Some(("@sveltejs/kit", "error"))
        );
        assert_eq!(
            package(PackLanguage::Javascript, "@sveltejs/kit/node"),
            "@sveltejs/kit"
        );
        assert_eq!(package(PackLanguage::Javascript, "h3"), "h3");
        assert_eq!(
            package(PackLanguage::Javascript, "jsr:@oak/oak@^17.1"),
            "@oak/oak"
        );
        assert_eq!(
            package(
                PackLanguage::Javascript,
                "https://deno.land/x/oak@v12.6.1/mod.ts"
            ),
            "oak"
        );
        assert_eq!(package(PackLanguage::Javascript, "npm:hono@4/jwt"), "hono");
        assert_eq!(
            package(PackLanguage::Javascript, "@scope/pkg@1.0.0/sub"),
            "@scope/pkg"
        );
        assert_eq!(package(PackLanguage::Python, "aiohttp.web"), "aiohttp");
        assert!(same_package(
            PackLanguage::Python,
            "aiohttp.web",
            "aiohttp.web_exceptions"
        ));
        assert!(!same_package(PackLanguage::Python, "aiohttp.web", "flask"));
    }

    #[test]
    fn bad_packs_say_why() {
        let e = parse("p", "name='p'\nlanguage='python'\nmodules=['x']\n[[response]]\ncall='x.A'\nmethod='m'\nstatus=401\n", None)
            .unwrap_err();
        assert!(e.reason.contains("exactly one"), "{e}");
        let e = parse(
            "p",
            "name='p'\nlanguage='python'\nmodules=['x']\n[[response]]\ncall='y.A'\nstatus=401\n",
            None,
        )
        .unwrap_err();
        assert!(e.reason.contains("modules"), "{e}");
        let e = parse(
            "p",
            "name='p'\nlanguage='python'\nmodules=['x']\n[[response]]\ncall='x.A'\nstatus=99\n",
            None,
        )
        .unwrap_err();
        assert!(e.reason.contains("100-599"), "{e}");
        let e = parse("p", "name='p'\nlanguage='cobol'\nmodules=['x']\n", None).unwrap_err();
        assert!(
            e.reason.contains("cobol") && e.reason.starts_with("line 2, column 10: "),
            "{e}"
        );
        let e = parse("p", "name='p'\nlanguage='python'\nmodules=['x']\n[[response]]\ncall='x.A'\nstatus=401\nfix-before='f()'\n", None)
            .unwrap_err();
        assert!(e.reason.contains("$NAME"), "{e}");
    }
}
