//! The pipeline's layers depend one way: packs → engine → rules → front
//! ends. The engine, the rules and the packs never name a front end
//! (`lint`, `cli`, `lsp`, `config`), and `config` never names the language
//! server.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(file:line, text)` of code lines (not comments) in `paths` naming one of `modules`.
fn uses_of(paths: &[&str], modules: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for p in paths {
        let p = root.join(p);
        if p.is_dir() {
            rust_files(&p, &mut files);
        } else if p.is_file() {
            files.push(p);
        }
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for m in modules {
                let named = code.match_indices(&format!("crate::{m}")).any(|(at, s)| {
                    !code[at + s.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if named {
                    let rel = file.strip_prefix(root).unwrap().display().to_string();
                    found.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn engine_rules_and_packs_do_not_import_front_ends() {
    let found = uses_of(
        &["src/engine", "src/engine.rs", "src/rules", "src/packs"],
        &["lint", "cli", "lsp", "config"],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn config_does_not_import_the_language_server() {
    let found = uses_of(&["src/config.rs", "src/config"], &["lsp"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}
