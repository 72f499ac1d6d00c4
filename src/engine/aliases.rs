//! Import aliases from `tsconfig.json` / `jsconfig.json`
//! (`compilerOptions.paths`, relative to `baseUrl`), so `import { unauthorized }
//! from '@/lib/response'` finds the module the way the TypeScript compiler does.
//!
//! The files are JSON with comments and trailing commas; `extends` with a
//! relative path is followed (a few levels). Package `extends` (`@tsconfig/…`)
//! are not read.

use std::path::{Path, PathBuf};

const CONFIG_FILES: &[&str] = &["tsconfig.json", "jsconfig.json"];
/// Config files larger than this are not read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
const MAX_EXTENDS: usize = 4;

/// One `paths` entry: `@/*` → `["./src/*"]`, split at its `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    prefix: String,
    /// `None` for an exact pattern (no `*`).
    suffix: Option<String>,
    targets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aliases {
    /// Where the targets are relative to (`baseUrl`, else the config's folder).
    base: PathBuf,
    patterns: Vec<Pattern>,
}

impl Aliases {
    /// The aliases of the nearest config at or above `dir` (stopping at a
    /// folder holding `.git`), when it declares any.
    pub fn nearest(dir: &Path) -> Option<Aliases> {
        for d in dir.ancestors() {
            for name in CONFIG_FILES {
                let p = d.join(name);
                if is_small_file(&p) {
                    return Aliases::load(&p);
                }
            }
            if d.join(".git").exists() {
                break;
            }
        }
        None
    }

    fn load(path: &Path) -> Option<Aliases> {
        let mut current = path.to_path_buf();
        let mut base: Option<PathBuf> = None;
        let mut paths: Option<serde_json::Map<String, serde_json::Value>> = None;
        let mut paths_dir: Option<PathBuf> = None;
        for _ in 0..MAX_EXTENDS {
            let text = crate::fsio::read_text(&current, MAX_CONFIG_BYTES as usize)?;
            let json: serde_json::Value = serde_json::from_str(&strip_jsonc(&text)).ok()?;
            let dir = current.parent()?.to_path_buf();
            let opts = json.get("compilerOptions");
            if base.is_none() {
                if let Some(b) = opts.and_then(|o| o.get("baseUrl")).and_then(|b| b.as_str()) {
                    base = Some(dir.join(b));
                }
            }
            if paths.is_none() {
                if let Some(p) = opts
                    .and_then(|o| o.get("paths"))
                    .and_then(|p| p.as_object())
                {
                    paths = Some(p.clone());
                    paths_dir = Some(dir.clone());
                }
            }
            if base.is_some() && paths.is_some() {
                break;
            }
            match json.get("extends").and_then(|e| e.as_str()) {
                Some(e) if e.starts_with('.') => {
                    // As TypeScript does: the path as written, else with `.json`.
                    let exact = dir.join(e);
                    let with_json = dir.join(format!("{e}.json"));
                    match [exact, with_json].into_iter().find(|p| is_small_file(p)) {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                _ => break,
            }
        }
        let paths = paths?;
        let patterns: Vec<Pattern> = paths
            .iter()
            .filter_map(|(key, targets)| {
                let targets: Vec<String> = targets
                    .as_array()?
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect();
                let (prefix, suffix) = match key.split_once('*') {
                    Some((p, s)) => (p.to_string(), Some(s.to_string())),
                    None => (key.clone(), None),
                };
                Some(Pattern {
                    prefix,
                    suffix,
                    targets,
                })
            })
            .collect();
        // Without `baseUrl`, `paths` are relative to the config declaring them.
        let base = base.or(paths_dir)?;
        Some(Aliases { base, patterns })
    }

    /// The files `spec` may name, most specific pattern first.
    pub fn targets(&self, spec: &str) -> Vec<PathBuf> {
        let mut matches: Vec<(&Pattern, &str)> = self
            .patterns
            .iter()
            .filter_map(|p| match &p.suffix {
                None => (spec == p.prefix).then_some((p, "")),
                Some(suffix) => spec
                    .strip_prefix(p.prefix.as_str())
                    .and_then(|rest| rest.strip_suffix(suffix.as_str()))
                    .map(|star| (p, star)),
            })
            .collect();
        matches.sort_by_key(|(p, _)| std::cmp::Reverse(p.prefix.len()));
        matches
            .into_iter()
            .flat_map(|(p, star)| {
                p.targets
                    .iter()
                    .map(move |t| self.base.join(t.replacen('*', star, 1)))
            })
            .collect()
    }
}

fn is_small_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= MAX_CONFIG_BYTES)
}

/// JSON with comments and trailing commas (as `tsconfig.json` allows) made
/// plain JSON: comments become spaces, and a comma before `}` or `]` goes.
fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            let ch_len = utf8_len(c);
            out.push_str(&text[i..i + ch_len]);
            if c == b'\\' {
                // The escaped character, whole: it may take several bytes.
                if let Some(next) = text[i + 1..].chars().next() {
                    out.push(next);
                    i += 1 + next.len_utf8();
                } else {
                    i += 1;
                }
                continue;
            }
            if c == b'"' {
                in_string = false;
            }
            i += ch_len;
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                out.push('"');
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                out.push(' ');
            }
            b',' => {
                let next = bytes[i + 1..]
                    .iter()
                    .find(|b| !b.is_ascii_whitespace())
                    .copied();
                if !matches!(next, Some(b'}') | Some(b']')) {
                    out.push(',');
                }
                i += 1;
            }
            _ => {
                let ch_len = utf8_len(c);
                out.push_str(&text[i..i + ch_len]);
                i += ch_len;
            }
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas_are_dropped() {
        let text = "{\n  // a comment with \"quotes\"\n  \"a\": \"x // not a comment\", /* block */\n  \"b\": [1, 2,],\n  \"é\": \"ü\",\n}\n";
        let v: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).unwrap();
        assert_eq!(v["a"], "x // not a comment");
        assert_eq!(v["b"], serde_json::json!([1, 2]));
        assert_eq!(v["é"], "ü");
    }

    #[test]
    fn an_escaped_character_of_several_bytes_is_kept_whole() {
        // A backslash before a non-ASCII character is not valid JSON, but a
        // hand-edited tsconfig may have one: it must not split the character.
        for text in ["{\"a\": \"\\é\"}", "{\"a\": \"\\", "{\"a\": \"x\\€ // y\"}"] {
            let out = strip_jsonc(text);
            assert!(out.contains('\\'), "{out}");
        }
        let v: serde_json::Value =
            serde_json::from_str(&strip_jsonc("{\"a\": \"\\u00e9\\\"\"}")).unwrap();
        assert_eq!(v["a"], "é\"");
    }

    #[test]
    fn paths_resolve_through_extends_and_base_url() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("web/src/lib")).unwrap();
        std::fs::write(
            root.join("tsconfig.base.json"),
            "{ \"compilerOptions\": { \"paths\": { \"@/*\": [\"./web/src/*\"], \"@config\": [\"./web/src/config.ts\"], } } }",
        )
        .unwrap();
        std::fs::write(
            root.join("web/tsconfig.json"),
            "{ // web\n \"extends\": \"../tsconfig.base\" }",
        )
        .unwrap();
        let a = Aliases::nearest(&root.join("web/src/lib")).unwrap();
        let norm = |v: Vec<PathBuf>| {
            v.iter()
                .map(|p| super::super::index::normalize(p))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            norm(a.targets("@/lib/response")),
            vec![root.join("web/src/lib/response")]
        );
        assert_eq!(
            norm(a.targets("@config")),
            vec![root.join("web/src/config.ts")]
        );
        assert!(a.targets("react").is_empty());
        // baseUrl makes targets relative to it.
        std::fs::write(
            root.join("web/tsconfig.json"),
            "{ \"compilerOptions\": { \"baseUrl\": \"src\", \"paths\": { \"~/*\": [\"*\"] } } }",
        )
        .unwrap();
        let a = Aliases::nearest(&root.join("web/src")).unwrap();
        assert_eq!(norm(a.targets("~/lib/x")), vec![root.join("web/src/lib/x")]);
    }
}
