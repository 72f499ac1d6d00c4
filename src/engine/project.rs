//! The files of a project, for the facts only the whole project shows
//! (an application's error handlers, registered in a module the routes
//! never import).

use std::path::{Path, PathBuf};

/// Files read at most, and folders deep, in one project.
const MAX_FILES: usize = 20_000;
const MAX_DEPTH: usize = 12;

/// Folders that hold no application code of the project's own.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "__pycache__",
    "venv",
    "env",
    "build",
    "dist",
    "tests",
    "test",
    "__tests__",
    "docs",
    "docs_src",
    "examples",
];

/// The project's files with one of `extensions`, outside dependencies,
/// virtual environments, build output, tests, docs and hidden folders.
/// Ignore files are not read (a FIFO named `.gitignore` cannot block it),
/// symbolic links are not followed, and only regular files are listed.
pub fn files(root: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut wb = ignore::WalkBuilder::new(root);
    wb.standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .max_depth(Some(MAX_DEPTH))
        .filter_entry(|e| {
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n) || n.starts_with('.')))
        });
    wb.build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| extensions.contains(&x))
        })
        .take(MAX_FILES)
        .collect()
}
