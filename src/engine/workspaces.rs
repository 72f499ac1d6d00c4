//! The packages of a JavaScript monorepo (npm, Yarn or pnpm workspaces), so
//! that `import { UnauthorizedError } from '@acme/shared'` finds the module
//! in `packages/shared/src` the way the workspace's own build does.
//!
//! A workspace root is the nearest folder at or above the importer's with a
//! `pnpm-workspace.yaml`, or a `package.json` that declares `workspaces`.
//! Its packages are the `package.json` files up to four folders below it
//! (outside `node_modules` and hidden folders), by their `name`. A package's
//! entry usually names built output (`dist/index.js`), absent from a
//! checkout: the source it was built from is looked for too (`src/index.ts`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `package.json` files larger than this are not read.
const MAX_MANIFEST_BYTES: usize = 1024 * 1024;
const MAX_DEPTH: usize = 4;
const MAX_PACKAGES: usize = 2_000;

/// A workspace's packages: name → folder and entry points as written.
#[derive(Debug, Default)]
pub struct Workspace {
    packages: HashMap<String, Package>,
}

#[derive(Debug)]
struct Package {
    dir: PathBuf,
    /// `exports` subpaths (`.`, `./server`) → targets, then `source`,
    /// `types`, `module` and `main` under `.`.
    entries: Vec<(String, String)>,
}

/// The workspace root for an importer in `dir`.
pub fn root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().take(10).find_map(|d| {
        let declares = crate::fsio::is_regular(&d.join("pnpm-workspace.yaml"))
            || read_json(&d.join("package.json")).is_some_and(|j| j.get("workspaces").is_some());
        declares.then(|| d.to_path_buf())
    })
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    let text = crate::fsio::read_text(path, MAX_MANIFEST_BYTES)?;
    serde_json::from_str(&text).ok()
}

impl Workspace {
    pub fn scan(root: &Path) -> Workspace {
        let mut wb = ignore::WalkBuilder::new(root);
        wb.standard_filters(false)
            .hidden(true)
            .follow_links(false)
            .max_depth(Some(MAX_DEPTH))
            .filter_entry(|e| e.file_name() != "node_modules");
        let mut packages = HashMap::new();
        let manifests = wb
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == "package.json" && e.depth() > 0)
            .take(MAX_PACKAGES);
        for m in manifests {
            let Some(json) = read_json(m.path()) else {
                continue;
            };
            let (Some(name), Some(dir)) =
                (json.get("name").and_then(|n| n.as_str()), m.path().parent())
            else {
                continue;
            };
            packages.entry(name.to_string()).or_insert(Package {
                dir: dir.to_path_buf(),
                entries: entries(&json),
            });
        }
        Workspace { packages }
    }

    /// The module bases `spec` may name (without an extension; the caller
    /// tries extensions and `index`): `@acme/shared/server` → the
    /// `./server` export's source, then `packages/shared/server`.
    pub fn targets(&self, spec: &str) -> Vec<PathBuf> {
        let (name, sub) = split_specifier(spec);
        let Some(pkg) = self.packages.get(name) else {
            return Vec::new();
        };
        let key = if sub.is_empty() {
            ".".to_string()
        } else {
            format!("./{sub}")
        };
        let mut out = Vec::new();
        for (k, target) in &pkg.entries {
            if *k == key {
                out.extend(sources_for(&pkg.dir, target));
            }
        }
        if sub.is_empty() {
            out.push(pkg.dir.join("src/index"));
            out.push(pkg.dir.join("index"));
        } else {
            out.push(pkg.dir.join(sub));
            out.push(pkg.dir.join("src").join(sub));
        }
        out
    }
}

/// `@scope/name/sub/path` → (`@scope/name`, `sub/path`); `name/sub` → (`name`, `sub`).
fn split_specifier(spec: &str) -> (&str, &str) {
    let cut = if spec.starts_with('@') {
        spec.match_indices('/').nth(1).map(|(i, _)| i)
    } else {
        spec.find('/')
    };
    match cut {
        Some(i) => (&spec[..i], &spec[i + 1..]),
        None => (spec, ""),
    }
}

/// The entry points a manifest names, by subpath.
fn entries(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match json.get("exports") {
        Some(serde_json::Value::String(s)) => out.push((".".to_string(), s.clone())),
        Some(serde_json::Value::Object(map)) => {
            let subpaths = map.keys().all(|k| k.starts_with('.'));
            if subpaths {
                for (k, v) in map {
                    out.extend(condition_targets(v).into_iter().map(|t| (k.clone(), t)));
                }
            } else {
                // Conditions for `.` only: `{ "import": "./dist/index.js" }`.
                out.extend(
                    condition_targets(&serde_json::Value::Object(map.clone()))
                        .into_iter()
                        .map(|t| (".".to_string(), t)),
                );
            }
        }
        _ => {}
    }
    for field in ["source", "types", "typings", "module", "main"] {
        if let Some(s) = json.get(field).and_then(|v| v.as_str()) {
            out.push((".".to_string(), s.to_string()));
        }
    }
    out
}

/// The paths of an `exports` value: a string, or conditions (nested).
fn condition_targets(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Object(map) => map.values().flat_map(condition_targets).collect(),
        _ => Vec::new(),
    }
}

/// A target as written, then the source it was likely built from: with
/// `.d.ts`/`.js` dropped, and a leading `dist/`, `build/`, `lib/` or `out/`
/// read as `src/` or as nothing.
fn sources_for(dir: &Path, target: &str) -> Vec<PathBuf> {
    let t = target.trim_start_matches("./");
    let stem = t
        .strip_suffix(".d.ts")
        .or_else(|| t.strip_suffix(".js"))
        .or_else(|| t.strip_suffix(".mjs"))
        .or_else(|| t.strip_suffix(".cjs"))
        .unwrap_or(t);
    let mut out = vec![dir.join(t), dir.join(stem)];
    for built in ["dist/", "build/", "lib/", "out/"] {
        if let Some(rest) = stem.strip_prefix(built) {
            out.push(dir.join(rest));
            if !rest.starts_with("src/") {
                out.push(dir.join("src").join(rest));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_split_into_package_and_subpath() {
        assert_eq!(split_specifier("@acme/shared"), ("@acme/shared", ""));
        assert_eq!(
            split_specifier("@acme/shared/src/server"),
            ("@acme/shared", "src/server")
        );
        assert_eq!(split_specifier("shared/errors"), ("shared", "errors"));
    }

    #[test]
    fn built_entries_map_back_to_their_sources() {
        let d = Path::new("/w/packages/shared");
        let got = sources_for(d, "./dist/src/index.js");
        assert!(got.contains(&d.join("src/index")), "{got:?}");
        let got = sources_for(d, "./dist/index.d.ts");
        assert!(got.contains(&d.join("src/index")), "{got:?}");
    }
}
