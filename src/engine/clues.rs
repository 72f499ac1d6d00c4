//! Whether a file can hold a finding through what it imports, read from its
//! text before it is parsed.
//!
//! A file that names no status itself (no `401`, no `Unauthorized`, no
//! `.status`) can still build a 401: `raise AuthError()` with `AuthError`
//! defined in another module, `res.status(UNAUTHORIZED)` with the constant
//! imported. Such a file is parsed when it imports a project module that
//! names a 401 or 403 itself and exports something a response is built from
//! (a constant, a helper, an error class, headers). Imports are found in the
//! text (`from … import`, `import …`, `from '…'`, `require('…')`), resolved
//! through the project index, and each module is judged once per run.
//!
//! Not followed: a module that has no status clue of its own but re-exports
//! or subclasses one from a third module.

use super::index::ProjectIndex;
use super::Language;
use std::path::Path;

/// Whether `text` imports a project module that names a 401 or 403 and
/// exports a response fact. Every import resolved is recorded in the index,
/// so that a change to the module re-lints this file in the editor.
pub fn imports_response_fact(
    path: &Path,
    text: &str,
    lang: Language,
    index: &ProjectIndex,
) -> bool {
    let python = lang.is_python();
    let specs = if python {
        python_imports(text)
    } else {
        js_imports(text)
    };
    let mut found = false;
    for (spec, names) in specs {
        if let Some(module) = index.resolve_cached(path, &spec, python) {
            index.record_import(path, &module);
            found = found || index.holds_response_fact(&module, &names);
        }
    }
    found
}

/// A module specifier and the names taken from it (none: any name).
type Import = (String, Vec<String>);

/// Modules a Python text imports, with the names taken: `from X import a`
/// gives `X` with `a` (and, when `X` is only dots, `X.a` with any name:
/// `from . import errors`); `import X.Y` gives `X.Y` with any name.
fn python_imports(text: &str) -> Vec<Import> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import") else {
                continue;
            };
            let module = module.trim();
            if module.is_empty() {
                continue;
            }
            let mut names = names.to_string();
            if names.contains('(') {
                // A parenthesised list may run over lines.
                let mut more = lines.by_ref().take(200);
                while !names.contains(')') {
                    let Some(line) = more.next() else { break };
                    names.push_str(line);
                    names.push(',');
                }
            }
            let names: Vec<String> = names
                .split(',')
                .map(|n| {
                    n.trim_matches(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '\\'))
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                })
                .filter(|n| is_identifier(n))
                .map(str::to_string)
                .collect();
            if module.chars().all(|c| c == '.') {
                out.extend(names.iter().map(|n| (format!("{module}{n}"), Vec::new())));
            }
            // `from x import *` takes any name.
            let star = names.is_empty();
            out.push((module.to_string(), if star { Vec::new() } else { names }));
        } else if let Some(rest) = line.strip_prefix("import ") {
            for part in rest.split(',') {
                let name = part.split_whitespace().next().unwrap_or("");
                if !name.is_empty() && name.split('.').all(is_identifier) {
                    out.push((name.to_string(), Vec::new()));
                }
            }
        }
    }
    out
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// Specifiers a JavaScript or TypeScript text imports from, with the names
/// taken: after `from`, `require(`, `import(` and a bare `import`, the
/// quoted string. `import { A, B as C } from` takes `A` and `B`, `import D
/// from` takes `default`, a namespace import, `require` or `export *` any
/// name. Package names without a `/` are left out (never project modules
/// unless a path alias says so, and aliases always hold one).
fn js_imports(text: &str) -> Vec<Import> {
    let bytes = text.as_bytes();
    let mut out: Vec<Import> = Vec::new();
    for keyword in ["from", "require(", "import(", "import"] {
        for at in memchr::memmem::find_iter(bytes, keyword.as_bytes()) {
            let rest = &text[at + keyword.len()..];
            let rest = rest.trim_start_matches([' ', '\t']);
            let Some(quote) = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '\'' | '"' | '`'))
            else {
                continue;
            };
            let Some(end) = rest[1..].find(quote) else {
                continue;
            };
            let spec = &rest[1..1 + end];
            if !spec.contains('/') || spec.contains('\n') || spec.len() >= 512 {
                continue;
            }
            let names = if keyword == "from" {
                clause_names(&text[..at])
            } else {
                Vec::new()
            };
            out.push((spec.to_string(), names));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The names an `import …`/`export …` clause ending at the end of `before`
/// takes (none: any).
fn clause_names(before: &str) -> Vec<String> {
    // The last 4 KiB, from a character boundary.
    let mut from = before.len().saturating_sub(4096);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let window = &before[from..];
    let Some(start) = ["import", "export"]
        .iter()
        .filter_map(|k| window.rfind(k).map(|i| i + k.len()))
        .max()
    else {
        return Vec::new();
    };
    let clause = window[start..].trim();
    let clause = clause.strip_prefix("type ").unwrap_or(clause);
    let (head, braces) = match clause.split_once('{') {
        Some((h, b)) => (h, b.split('}').next().unwrap_or("")),
        None => (clause, ""),
    };
    if head.contains('*') {
        return Vec::new();
    }
    let mut names: Vec<String> = braces
        .split(',')
        .filter_map(|n| {
            let n = n.trim();
            let n = n.strip_prefix("type ").unwrap_or(n);
            n.split_whitespace().next().map(str::to_string)
        })
        .filter(|n| !n.is_empty())
        .collect();
    let default = head.trim().trim_end_matches(',').trim();
    if !default.is_empty() {
        names.push("default".to_string());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(spec: &str, names: &[&str]) -> Import {
        (
            spec.to_string(),
            names.iter().map(|n| n.to_string()).collect(),
        )
    }

    #[test]
    fn python_import_forms() {
        let text = "import os, app.errors as e\nfrom .errors import AuthError\nfrom . import (\n    codes,\n    helpers as h,\n)\n    from ..deep import *\nfrom app.core import y, z\n";
        assert_eq!(
            python_imports(text),
            [
                import("os", &[]),
                import("app.errors", &[]),
                import(".errors", &["AuthError"]),
                import(".codes", &[]),
                import(".helpers", &[]),
                import(".", &["codes", "helpers"]),
                import("..deep", &[]),
                import("app.core", &["y", "z"]),
            ]
        );
    }

    #[test]
    fn a_long_clause_window_starts_on_a_character_boundary() {
        // 4 KiB back from `from` falls inside a multi-byte character.
        // (2,100 two-byte characters and an odd number of bytes after them.)
        let text = format!(
            "import {{ A }} /* {} */  from './errors'\n",
            "é".repeat(2100)
        );
        assert_eq!(js_imports(&text), [import("./errors", &[])]);
    }

    #[test]
    fn javascript_import_forms() {
        let text = "import { A, type B, C as D } from './errors'\nimport d from \"../lib/status.js\"\nconst c = require('./codes')\nimport './side-effect'\nconst m = await import(`./lazy`)\nimport express from 'express'\nexport * from '@/lib/http'\nimport * as ns from './ns'\nimport e, { F } from './both'\n";
        assert_eq!(
            js_imports(text),
            [
                import("../lib/status.js", &["default"]),
                import("./both", &["F", "default"]),
                import("./codes", &[]),
                import("./errors", &["A", "B", "C"]),
                import("./lazy", &[]),
                import("./ns", &[]),
                import("./side-effect", &[]),
                import("@/lib/http", &[]),
            ]
        );
    }
}
