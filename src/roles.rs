//! File roles: what part a file plays in its project, and so which rules a
//! maintainer of that file would accept.
//!
//! A 401 built on purpose by an authentication library, a snippet in a docs
//! folder, a mock server in a test and a minified bundle are not the same as
//! an application's handler. Each file gets one [`Role`]:
//!
//! 1. a role the configuration gives it (`[roles]` globs in `authlint.toml`),
//! 2. else `generated`, `test`, `docs` from its path below the project root
//!    (the nearest folder holding `.git`) and from its first lines,
//! 3. else `library` when the nearest package manifest describes a package
//!    published for others (see [`Manifest`]),
//! 4. else `app`.
//!
//! Every rule declares the roles it applies to ([`crate::rules::Rule::roles`]);
//! `docs/roles.md` lists the heuristics and the table of rules by role.

use rustc_hash::FxHashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The application's own handlers, routes and middleware.
    App,
    /// Code that implements authentication for others (an auth middleware
    /// package, a framework's security module).
    Library,
    /// Docs and examples: snippets meant to be read and copied.
    Docs,
    /// Tests, mocks and fixtures.
    Test,
    /// Generated clients, bundles and vendored code.
    Generated,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::App,
        Role::Library,
        Role::Docs,
        Role::Test,
        Role::Generated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::App => "app",
            Role::Library => "library",
            Role::Docs => "docs",
            Role::Test => "test",
            Role::Generated => "generated",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A file's role and the reason it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub role: Role,
    pub why: String,
}

/// Folder names that hold generated or vendored code.
const GENERATED_DIRS: &[&str] = &[
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "node_modules",
    "bower_components",
    "site-packages",
    "dist",
    "build",
    ".next",
    ".nuxt",
    ".output",
    ".svelte-kit",
    ".vercel",
    ".netlify",
    "generated",
    "__generated__",
];
/// File name endings of generated or bundled code.
const GENERATED_SUFFIXES: &[&str] = &[
    ".min.js",
    ".min.mjs",
    ".min.cjs",
    "-min.js",
    ".bundle.js",
    "-bundle.js",
    ".chunk.js",
    "_pb2.py",
    "_pb2_grpc.py",
    ".gen.ts",
    ".gen.js",
];
/// Folder names that hold tests, mocks and fixtures.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__test__",
    "__mocks__",
    "mocks",
    "__fixtures__",
    "fixtures",
    "spec",
    "specs",
    "e2e",
    "cypress",
    "playwright",
    "testing",
    "test-utils",
    "test_utils",
];
/// Folder names that hold docs and examples.
const DOCS_DIRS: &[&str] = &[
    "docs",
    "doc",
    "docs_src",
    "documentation",
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    "tutorial",
    "tutorials",
    "cookbook",
    "snippets",
    "playground",
    "playgrounds",
];

/// The role `path`'s location and first lines give it, or `None` for
/// [`Role::App`] or [`Role::Library`] (decided by the manifests).
/// `rel` is the path below the project root.
pub fn from_path_and_text(rel: &Path, text: &str) -> Option<Assigned> {
    let name = rel
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let dirs: Vec<String> = rel
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_ascii_lowercase),
            _ => None,
        })
        .collect();
    // In JavaScript routers that map folders to URLs (Next.js `app/…/api/`
    // and `pages/api/`, SvelteKit and Remix `routes/`), folders below the
    // route root are URL segments: `app/api/docs/route.ts` is a route.
    let js = [".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts"]
        .iter()
        .any(|e| name.ends_with(e));
    let route_root = dirs.iter().enumerate().find_map(|(i, d)| {
        let router =
            d == "routes" || (d == "api" && dirs[..i].iter().any(|p| p == "app" || p == "pages"));
        (js && router).then_some(i + 1)
    });
    let segments_from = route_root.unwrap_or(dirs.len());
    let found_above_routes = |list: &[&str]| {
        dirs[..segments_from]
            .iter()
            .find(|d| list.contains(&d.as_str()))
            .cloned()
    };
    let assigned = |role, why: String| Some(Assigned { role, why });
    // A Python package may be named `build` (a feature's module); the
    // output of a Python build sits in `build/lib…/` or `build/bdist…/`.
    let python_build_output = |i: usize| {
        !name.ends_with(".py")
            || dirs
                .get(i + 1)
                .is_some_and(|n| n.starts_with("lib") || n.starts_with("bdist"))
    };
    let generated_dir = dirs.iter().enumerate().find(|(i, d)| {
        GENERATED_DIRS.contains(&d.as_str()) && (d.as_str() != "build" || python_build_output(*i))
    });
    if let Some((_, d)) = generated_dir {
        return assigned(Role::Generated, format!("under a `{d}/` folder"));
    }
    if let Some(s) = GENERATED_SUFFIXES.iter().find(|s| name.ends_with(*s)) {
        return assigned(Role::Generated, format!("the file name ends in `{s}`"));
    }
    if let Some(why) = generated_marker(text) {
        return assigned(Role::Generated, why);
    }
    if let Some(why) = test_name(&name) {
        return assigned(Role::Test, why);
    }
    if let Some(d) = found_above_routes(TEST_DIRS) {
        return assigned(Role::Test, format!("under a `{d}/` folder"));
    }
    if imports_msw(text) {
        return assigned(
            Role::Test,
            "imports `msw` (a mock server for tests)".to_string(),
        );
    }
    if let Some(d) = found_above_routes(DOCS_DIRS) {
        return assigned(Role::Docs, format!("under a `{d}/` folder"));
    }
    // A monorepo's `apps/dev/`: the harness its maintainers try the packages in.
    if dirs[..segments_from]
        .windows(2)
        .any(|w| w[0] == "apps" && w[1] == "dev")
    {
        return assigned(
            Role::Docs,
            "under `apps/dev/` (a development app of a monorepo)".to_string(),
        );
    }
    None
}

fn test_name(name: &str) -> Option<String> {
    let stem_parts: Vec<&str> = name.split('.').collect();
    if stem_parts.len() >= 3 {
        let marker = stem_parts[stem_parts.len() - 2];
        if matches!(
            marker,
            "test" | "spec" | "e2e" | "mock" | "mocks" | "stories" | "test-d" | "spec-d"
        ) {
            return Some(format!("the file name has `.{marker}.`"));
        }
    }
    if name.ends_with(".py")
        && (name.starts_with("test_")
            || name.ends_with("_test.py")
            || name == "conftest.py"
            || name == "tests.py")
    {
        return Some("a pytest or unittest file name".to_string());
    }
    None
}

/// A generated-code marker in the first lines, or a minified layout.
fn generated_marker(text: &str) -> Option<String> {
    let head = &text[..floor_char_boundary(text, 1024)];
    let lower = head.to_ascii_lowercase();
    // Statements about the file, not a word that may describe something
    // else ("auto-generated columns").
    for marker in [
        "@generated",
        "do not edit",
        "auto-generated by",
        "autogenerated by",
        "automatically generated by",
        "auto-generated file",
        "autogenerated file",
        "code generated by",
        "this file was generated",
        "this file is generated",
        "this file was auto-generated",
        "this file is auto-generated",
        // webpack's bundles, minified or not
        "webpackbootstrap",
        "webpackuniversalmoduledefinition",
        "for license information please see",
    ] {
        if lower.contains(marker) {
            return Some(format!("its first lines say \"{marker}\""));
        }
    }
    // Minified: long and with very long lines on average. Counting stops
    // once there are enough lines to rule it out (the language server asks
    // on every keystroke).
    if text.len() > 4096 {
        let enough = text.len() / 400;
        let lines = memchr::memchr_iter(b'\n', text.as_bytes())
            .take(enough)
            .count()
            + 1;
        if lines <= enough {
            return Some(format!(
                "minified (about {} characters per line)",
                text.len() / lines
            ));
        }
    }
    None
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut i = at.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Mock Service Worker handlers are test doubles of someone else's server.
fn imports_msw(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"msw").any(|i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + 3).copied();
        matches!(before, Some(b'\'' | b'"')) && matches!(after, Some(b'\'' | b'"' | b'/'))
    })
}

/// What a package manifest says about the package it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The manifest's file name (`package.json`, `pyproject.toml`…).
    pub file: &'static str,
    /// Why the package is published for others, when it is.
    pub library: Option<String>,
}

/// PyPI classifiers that mark a package written for other developers.
const LIBRARY_CLASSIFIERS: &[&str] = &[
    "Framework ::",
    "Intended Audience :: Developers",
    "Topic :: Software Development :: Libraries",
    "Topic :: Internet :: WWW/HTTP",
];

/// Reads `package.json`: a package is a library when it is not `private`,
/// names an entry point (`exports`, `main`, `module`, `types`), and shows
/// it is meant for other projects (`keywords`, `peerDependencies` or
/// `publishConfig`).
pub fn package_json(text: &str) -> Manifest {
    let file = "package.json";
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Manifest {
            file,
            library: None,
        };
    };
    let private = v.get("private").and_then(|p| p.as_bool()) == Some(true);
    let entry = ["exports", "main", "module", "types", "typings"]
        .iter()
        .find(|k| v.get(**k).is_some());
    let non_empty = |k: &str| match v.get(k) {
        Some(serde_json::Value::Array(a)) => !a.is_empty(),
        Some(serde_json::Value::Object(o)) => !o.is_empty(),
        _ => false,
    };
    let audience = ["keywords", "peerDependencies", "publishConfig"]
        .into_iter()
        .find(|k| non_empty(k));
    // A package that installs a command and plugs into no host (`bin`, no
    // `peerDependencies`) is a program people run, such as a server
    // published to be started with `npx`: its 401s are its own.
    // So is one whose `start` script runs its own server (`node
    // src/server.js`, `tsx src/index.ts`).
    let starts_itself = v
        .get("scripts")
        .and_then(|s| s.get("start"))
        .and_then(|s| s.as_str())
        .is_some_and(|s| {
            let first = s.split_whitespace().next().unwrap_or("");
            matches!(first, "node" | "tsx" | "ts-node" | "nodemon" | "bun")
        });
    let program = (v.get("bin").is_some_and(|b| !b.is_null()) || starts_itself)
        && !non_empty("peerDependencies");
    let library = match (private, entry, audience) {
        (false, Some(e), Some(a)) if !program => Some(format!(
            "`package.json` publishes a package (`{e}`, `{a}`, not private)"
        )),
        _ => None,
    };
    Manifest { file, library }
}

/// Reads `pyproject.toml`, `setup.cfg` or `setup.py`: a package is a
/// library when its classifiers say it is for developers or a framework.
/// `Topic :: Internet :: WWW/HTTP :: HTTP Servers` or `… :: WSGI ::
/// Application` alone names what the package is (a site, a server), not a
/// library: only another classifier can say library then.
pub fn python_manifest(file: &'static str, text: &str) -> Manifest {
    const APPLICATION_TOPICS: &[&str] = &[" :: HTTP Servers", " :: WSGI :: Application"];
    let library = LIBRARY_CLASSIFIERS
        .iter()
        .find(|c| {
            text.match_indices(*c).any(|(i, _)| {
                let rest = &text[i + c.len()..];
                !(c.ends_with("WWW/HTTP") && APPLICATION_TOPICS.iter().any(|t| rest.starts_with(t)))
            })
        })
        .map(|c| format!("`{file}` has the PyPI classifier `{c}…`"));
    Manifest { file, library }
}

const MANIFESTS: &[&str] = &["package.json", "pyproject.toml", "setup.cfg", "setup.py"];
/// Files beside a manifest that show the folder is deployed as an application.
const DEPLOYED_MARKERS: &[&str] = &[
    "manage.py",
    "wsgi.py",
    "asgi.py",
    "Procfile",
    "Dockerfile",
    "docker/Dockerfile",
];
/// Manifests larger than this are not read.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Finds each file's project root and nearest manifest, caching what it
/// learns per folder. One per linter; cheap to share across threads.
#[derive(Default)]
pub struct Detector {
    /// folder → (project root, nearest manifest at or above it, below the root)
    dirs: Mutex<FxHashMap<PathBuf, DirFacts>>,
}

#[derive(Clone, Debug)]
struct DirFacts {
    root: Option<PathBuf>,
    manifest: Option<Manifest>,
}

impl Detector {
    /// The role of the file at `path` (absolute or relative to the working
    /// directory) with text `text`.
    pub fn detect(&self, path: &Path, text: &str) -> Assigned {
        let abs = crate::paths::absolute(path);
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let facts = self.facts(&dir);
        let rel = match &facts.root {
            Some(root) => abs.strip_prefix(root).unwrap_or(&abs),
            None => match crate::paths::working_dir() {
                Some(cwd) => abs.strip_prefix(cwd).unwrap_or(&abs),
                None => &abs,
            },
        };
        if let Some(a) = from_path_and_text(rel, text) {
            return a;
        }
        match facts.manifest {
            Some(Manifest {
                library: Some(why), ..
            }) => Assigned {
                role: Role::Library,
                why,
            },
            Some(Manifest { file, .. }) => Assigned {
                role: Role::App,
                why: format!("the nearest `{file}` describes an application"),
            },
            None => Assigned {
                role: Role::App,
                why: "no test, docs, generated or library evidence".to_string(),
            },
        }
    }

    fn facts(&self, dir: &Path) -> DirFacts {
        if let Some(f) = self.dirs.lock().ok().and_then(|d| d.get(dir).cloned()) {
            return f;
        }
        let parent_facts = || match dir.parent() {
            Some(p) if p != dir => self.facts(p),
            _ => DirFacts {
                root: None,
                manifest: None,
            },
        };
        let is_root = dir.join(".git").exists();
        // A folder can hold several manifests (`setup.cfg` configuring tools
        // beside the `setup.py` that publishes): one that says library wins.
        // A Django project's `manage.py`, a WSGI or ASGI entry point or a
        // `Procfile`, or a `Dockerfile` that starts a program, marks a
        // deployed application, even under a
        // `pyproject.toml` whose classifiers say `Framework :: Flask`: the
        // folder's manifests are not read.
        let deployed = DEPLOYED_MARKERS.iter().find(|m| deploys(&dir.join(m), m));
        let found: Vec<Manifest> = if let Some(marker) = deployed {
            vec![Manifest {
                file: marker,
                library: None,
            }]
        } else {
            MANIFESTS
                .iter()
                .filter_map(|m| read_manifest(&dir.join(m), m))
                .collect()
        };
        let manifest = found
            .iter()
            .find(|m| m.library.is_some())
            .or(found.first())
            .cloned();
        let facts = if is_root {
            DirFacts {
                root: Some(dir.to_path_buf()),
                manifest,
            }
        } else {
            let up = parent_facts();
            DirFacts {
                root: up.root,
                manifest: manifest.or(up.manifest),
            }
        };
        if let Ok(mut d) = self.dirs.lock() {
            d.insert(dir.to_path_buf(), facts.clone());
        }
        facts
    }
}

/// Whether the marker file at `path` shows its folder is deployed. A
/// `Dockerfile` counts only when it starts something (`CMD` or
/// `ENTRYPOINT`): an image built to run the package's tests or to build
/// its docs does not make the package an application.
fn deploys(path: &Path, marker: &str) -> bool {
    if marker == "manage.py" {
        // A library's `manage.py` that runs its test suite's settings
        // (`DJANGO_SETTINGS_MODULE` = `tests.settings`) deploys nothing.
        return crate::fsio::read_text(path, MAX_MANIFEST_BYTES as usize)
            .is_some_and(|t| !runs_test_settings(&t));
    }
    if !marker.ends_with("Dockerfile") {
        return path.is_file();
    }
    // `read_text` opens only a regular file, and only up to the cap.
    crate::fsio::read_text(path, MAX_MANIFEST_BYTES as usize).is_some_and(|t| {
        t.lines().any(|l| {
            let l = l.trim_start().to_ascii_uppercase();
            l.starts_with("CMD ") || l.starts_with("CMD[") || l.starts_with("ENTRYPOINT")
        })
    })
}

/// A `manage.py` whose default settings module is a test suite's
/// (`tests.projects.regular.settings`, `test_settings`, `testapp.settings`).
fn runs_test_settings(manage_py: &str) -> bool {
    manage_py.lines().any(|l| {
        let Some(i) = l.find("DJANGO_SETTINGS_MODULE") else {
            return false;
        };
        let module = l[i..]
            .split(['"', '\''])
            .nth(2)
            .unwrap_or("")
            .to_ascii_lowercase();
        module.split('.').any(|part| {
            part == "tests"
                || part == "test"
                || part.starts_with("test_")
                || part.ends_with("_tests")
                || part.starts_with("testapp")
                || part.starts_with("testproject")
        })
    })
}

/// A manifest at `path`, when it is a regular file of a sane size.
fn read_manifest(path: &Path, name: &str) -> Option<Manifest> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_MANIFEST_BYTES {
        return None;
    }
    // A `setup.py` inside a Python package is one of its modules, and a
    // `package.json` there a marker for the JavaScript release tools (a
    // name and a version): neither is the project's manifest.
    let in_package = path
        .parent()
        .is_some_and(|d| d.join("__init__.py").exists());
    if in_package && (name.starts_with("setup.") || name == "package.json") {
        return None;
    }
    let text = crate::fsio::read_text(path, MAX_MANIFEST_BYTES as usize)?;
    Some(match name {
        "package.json" => package_json(&text),
        "pyproject.toml" => python_manifest("pyproject.toml", &text),
        "setup.cfg" => python_manifest("setup.cfg", &text),
        _ => python_manifest("setup.py", &text),
    })
}

#[cfg(test)]
mod tests;
