//! Framework packs: each built-in pack in `packs/<language>/<name>.toml`
//! has fixtures in `packs/<language>/<name>/` (`invalid*` files must
//! produce findings, `valid*` files none). Every fixture's findings and
//! fixed text are snapshotted, a fix never breaks a file, and every row of
//! every pack must recognise a site in its fixtures: a row no fixture
//! exercises fails the test.

use authlint::engine::{self, Language, ProjectIndex};
use authlint::fix::{apply_fixes, FixMode};
use authlint::packs::{Packs, BUILTIN};
use authlint::source::{Encoding, LineMap};
use authlint::{Linter, Settings};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("packs")
}

fn settings() -> Settings {
    Settings {
        role: Some(authlint::roles::Role::App),
        ..Settings::default()
    }
}

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            fixtures(&p, out);
        } else if Language::from_path(&p).is_some() {
            out.push(p);
        }
    }
    out.sort();
}

fn render(path: &Path, text: &str) -> (String, usize) {
    let linter = Linter::new(settings());
    let diags: Vec<_> = linter.lint(path, text).unwrap();
    let map = LineMap::new(text);
    let mut out = String::from("--- diagnostics ---\n");
    for d in &diags {
        let s = map.position(text, d.range.start, Encoding::Utf32);
        writeln!(
            out,
            "{}:{} {} {}: {}",
            s.line + 1,
            s.column + 1,
            d.severity.as_str(),
            d.rule,
            d.message
        )
        .unwrap();
        for f in d.fixes.iter() {
            let kind = if f.safe { "safe" } else { "unsafe" };
            writeln!(out, "  fix ({kind}): {}", f.title).unwrap();
        }
    }
    let fixed = apply_fixes(text, &diags, FixMode::IncludeUnsafe);
    if fixed.applied > 0 {
        let lang = Language::from_path(path).unwrap();
        let after = engine::parse(lang, &fixed.text, None).unwrap();
        assert!(
            !after.root_node().has_error(),
            "{}: fixed text no longer parses:\n{}",
            path.display(),
            fixed.text
        );
        writeln!(out, "--- fixed ---\n{}", fixed.text).unwrap();
    }
    (out, diags.len())
}

/// The pack rows (`name#index`) that recognised a site in `path`.
fn rows_seen(path: &Path, text: &str, seen: &mut BTreeSet<String>) {
    let lang = Language::from_path(path).unwrap();
    let tree = engine::parse(lang, text, None).unwrap();
    let index = ProjectIndex::new(std::sync::Arc::new(engine::FsSource));
    let model = engine::extract(path, text, lang, &tree, &settings(), &index);
    for site in model.sites {
        if let Some(p) = site.pack {
            seen.insert(p.row.to_string());
        }
    }
}

#[test]
fn every_pack_file_is_built_in() {
    let mut on_disk = Vec::new();
    for lang in ["javascript", "python"] {
        for e in std::fs::read_dir(root().join(lang)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".toml") {
                on_disk.push(format!("{lang}/{name}"));
            }
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = BUILTIN.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "packs/ and BUILTIN in src/packs/mod.rs differ"
    );
}

#[test]
fn every_builtin_pack_has_fixtures_that_exercise_every_row() {
    let packs = Packs::builtin();
    let mut missing = Vec::new();
    for ((file, _), pack) in BUILTIN.iter().zip(packs.packs()) {
        let dir = root().join(file.trim_end_matches(".toml"));
        assert!(dir.is_dir(), "{file}: no fixture folder {}", dir.display());
        let mut files = Vec::new();
        fixtures(&dir, &mut files);
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("invalid"))
                && names.iter().any(|n| n.starts_with("valid")),
            "{file}: needs `invalid*` and `valid*` fixtures, has {names:?}"
        );
        let mut seen = BTreeSet::new();
        for f in &files {
            rows_seen(f, &std::fs::read_to_string(f).unwrap(), &mut seen);
        }
        for i in 0..pack.file.response.len() {
            let id = format!("{}#{i}", pack.file.name);
            if !seen.contains(&id) {
                missing.push(format!("{file}: response row {} matched nothing", i + 1));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn pack_fixtures() {
    let mut files = Vec::new();
    fixtures(&root(), &mut files);
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (out, count) = render(&path, &text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("invalid") {
            assert!(count > 0, "{}: expected findings\n{out}", path.display());
        } else if name.starts_with("valid") {
            assert_eq!(count, 0, "{}: expected no findings\n{out}", path.display());
        } else {
            panic!(
                "{}: fixture names start with `valid` or `invalid`",
                path.display()
            );
        }
        let rel = path
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        insta::with_settings!({ snapshot_suffix => rel.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("pack", out);
        });
    }
}
