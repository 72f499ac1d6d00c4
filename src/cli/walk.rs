//! Finding the files to lint: the paths named, and the directories walked
//! with `.gitignore`, `.ignore` and `.git/info/exclude` respected.
//!
//! The walk reads ignore files through the `ignore` crate, which opens them
//! as they are. A repository's layout is input, so before the walk enters a
//! directory its ignore files are checked here: one that is not a regular
//! file (a FIFO would block the walk, `/dev/zero` would never end) or is
//! absurdly large makes the directory skipped, with an error that names the
//! file. Symbolic links are not followed; special files (FIFOs, devices,
//! sockets) found on the way are reported and skipped.

use super::paths::display_path;
use super::report::{Notice, NoticeLevel};
use crate::config::ConfigResolver;
use crate::engine::Language;
use crate::fsio::kind_of;
use crate::lint::Skip;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Ignore files larger than this are not read (and their directory is skipped).
const MAX_IGNORE_BYTES: u64 = 4 * 1024 * 1024;
/// A `.git` file (a worktree's or submodule's pointer) is one short line.
const MAX_GIT_POINTER_BYTES: u64 = 64 * 1024;

/// Walks `roots`: returns the files to lint (sorted, with whether each was
/// named on the command line) and problems met on the way. `fatal_skips`
/// makes files skipped on the way errors (`--fail-on-skipped`).
pub fn collect_files(
    roots: &[PathBuf],
    resolver: &Arc<ConfigResolver>,
    fatal_skips: bool,
) -> (Vec<(PathBuf, bool)>, Vec<Notice>) {
    // (path, named on the command line): an explicit file is linted even if
    // excluded. Duplicates are removed after sorting, below.
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let mut notices = Vec::new();
    let mut dirs = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => match unsafe_ignore_files(root, true) {
                Some(why) => notices.push(Notice::about(root, why, NoticeLevel::Error)),
                None => dirs.push(root.clone()),
            },
            Ok(_) => {
                if Language::from_path(root).is_some() {
                    files.push((clean(root), true));
                } else {
                    notices.push(Notice::skipped(
                        root,
                        Skip::NotSupported.to_string(),
                        NoticeLevel::Warning,
                        fatal_skips,
                    ));
                }
            }
            Err(e) => notices.push(Notice::about(root, io_message(&e), NoticeLevel::Error)),
        }
    }
    if !dirs.is_empty() {
        let (found, errs) = walk(&dirs, resolver, fatal_skips);
        files.extend(found.into_iter().map(|p| (clean(&p), false)));
        notices.extend(errs);
    }
    // Sort by the displayed path so output order is deterministic; one file
    // named two ways (`src/a.ts`, `./src/a.ts`, absolute) is linted once,
    // as an explicit file if it was named. Each display path is computed once.
    let mut list: Vec<(Vec<u8>, bool, PathBuf)> = files
        .into_iter()
        .map(|(p, explicit)| (component_order_key(&display_path(&p)), !explicit, p))
        .collect();
    list.sort_unstable();
    list.dedup_by(|a, b| a.0 == b.0);
    let list = list
        .into_iter()
        .map(|(_, implicit, p)| (p, !implicit))
        .collect();
    (list, notices)
}

/// Walks the directories `dirs` (whose own ignore files were checked).
fn walk(
    dirs: &[PathBuf],
    resolver: &Arc<ConfigResolver>,
    fatal_skips: bool,
) -> (Vec<PathBuf>, Vec<Notice>) {
    let mut wb = ignore::WalkBuilder::new(&dirs[0]);
    for d in &dirs[1..] {
        wb.add(d);
    }
    wb.hidden(true)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false);
    let resolver = resolver.clone();
    let skipped_dirs: Arc<Mutex<Vec<Notice>>> = Arc::default();
    let skipped = skipped_dirs.clone();
    wb.filter_entry(move |e| {
        if e.depth() == 0 || !e.file_type().is_some_and(|t| t.is_dir()) {
            return true;
        }
        if let Some(why) = unsafe_ignore_files(e.path(), false) {
            if let Ok(mut s) = skipped.lock() {
                s.push(Notice::about(e.path(), why, NoticeLevel::Error));
            }
            return false;
        }
        match resolver.resolve(e.path()) {
            Ok(c) => !c.is_excluded_dir(e.path()),
            Err(_) => true, // reported when a file below is linted
        }
    });
    let found: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<Notice>> = Mutex::new(Vec::new());
    wb.build_parallel().run(|| {
        Box::new(|res| {
            match res {
                Ok(entry) => {
                    let Some(t) = entry.file_type() else {
                        return ignore::WalkState::Continue;
                    };
                    let lintable = Language::from_path(entry.path()).is_some();
                    if lintable && t.is_file() {
                        if let Ok(mut f) = found.lock() {
                            f.push(entry.into_path());
                        }
                    } else if lintable && !t.is_dir() && !t.is_symlink() {
                        // A FIFO or a device named like source code.
                        let why = format!("not a regular file ({})", kind_of(t));
                        if let Ok(mut e) = errors.lock() {
                            e.push(Notice::skipped(
                                entry.path(),
                                why,
                                NoticeLevel::Warning,
                                fatal_skips,
                            ));
                        }
                    }
                }
                Err(err) => {
                    let level = if err.io_error().is_some() {
                        NoticeLevel::Error
                    } else {
                        NoticeLevel::Warning
                    };
                    if let Ok(mut e) = errors.lock() {
                        e.push(Notice {
                            path: None,
                            message: err.to_string(),
                            level,
                            skipped: false,
                        });
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut errs = errors.into_inner().unwrap_or_default();
    if let Ok(mut s) = skipped_dirs.lock() {
        errs.append(&mut s);
    }
    errs.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    (found.into_inner().unwrap_or_default(), errs)
}

/// Why the walk must not enter `dir`: one of the ignore files it would read
/// there is not a regular file, or is too large. With `and_parents`, the
/// directories above it are checked too (the walk reads their ignore files
/// for a directory named on the command line).
fn unsafe_ignore_files(dir: &Path, and_parents: bool) -> Option<String> {
    let abs = crate::paths::absolute(dir);
    let dirs: Vec<&Path> = if and_parents {
        abs.ancestors().collect()
    } else {
        vec![abs.as_path()]
    };
    dirs.into_iter().find_map(|d| {
        let shown = |p: &Path| display_path(p).display().to_string();
        for name in [".gitignore", ".ignore"] {
            let p = d.join(name);
            if let Some(why) = unsafe_file(&p, MAX_IGNORE_BYTES) {
                return Some(format!("directory skipped: {}: {why}", shown(&p)));
            }
        }
        let git = d.join(".git");
        let why = match std::fs::symlink_metadata(&git) {
            Ok(m) if m.is_dir() => unsafe_file(&git.join("info/exclude"), MAX_IGNORE_BYTES)
                .map(|why| (git.join("info/exclude"), why)),
            Ok(m) if m.is_file() => unsafe_git_pointer(&git),
            _ => None,
        };
        why.map(|(p, why)| format!("directory skipped: {}: {why}", shown(&p)))
    })
}

/// A `.git` file points at the real git directory (`gitdir: …`), whose
/// `commondir` file and `info/exclude` the walk reads.
fn unsafe_git_pointer(git: &Path) -> Option<(PathBuf, String)> {
    if let Some(why) = unsafe_file(git, MAX_GIT_POINTER_BYTES) {
        return Some((git.to_path_buf(), why));
    }
    let text = crate::fsio::read_text(git, MAX_GIT_POINTER_BYTES as usize)?;
    let real = PathBuf::from(text.lines().next()?.strip_prefix("gitdir: ")?);
    let commondir = real.join("commondir");
    if let Some(why) = unsafe_file(&commondir, MAX_GIT_POINTER_BYTES) {
        return Some((commondir, why));
    }
    let common = crate::fsio::read_text(&commondir, MAX_GIT_POINTER_BYTES as usize)
        .and_then(|t| t.lines().next().map(|l| real.join(l)))
        .unwrap_or(real);
    let exclude = common.join("info/exclude");
    unsafe_file(&exclude, MAX_IGNORE_BYTES).map(|why| (exclude, why))
}

/// Why reading `p` would be unsafe: it exists but is not a regular file
/// (following links), or is over `max` bytes. `None` when it is missing.
fn unsafe_file(p: &Path, max: u64) -> Option<String> {
    match std::fs::metadata(p) {
        Ok(m) if !m.is_file() => Some(format!("not a regular file ({})", kind_of(m.file_type()))),
        Ok(m) if m.len() > max => Some(format!("over the {max}-byte limit")),
        Ok(_) => None,
        // A dangling link or an unreadable entry: the walk reports it itself.
        Err(_) => None,
    }
}

/// A byte string that sorts as `Path`'s component-wise order does (`a/b`
/// before `a.b`), and compares far faster: separators become the lowest byte.
fn component_order_key(path: &Path) -> Vec<u8> {
    let mut key = path.as_os_str().as_encoded_bytes().to_vec();
    for b in &mut key {
        if std::path::is_separator(char::from(*b)) {
            *b = 0;
        }
    }
    key
}

/// `./src/a.ts` → `src/a.ts`.
fn clean(p: &Path) -> PathBuf {
    p.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_key_sorts_like_paths() {
        let mut paths: Vec<PathBuf> = [
            "a.b/x.ts", "a/b/c.ts", "a/b.ts", "a-b.ts", "a/z.ts", "ab.ts", "a.ts",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_key = paths.clone();
        by_key.sort_by_key(|p| component_order_key(p));
        paths.sort();
        assert_eq!(by_key, paths);
    }

    #[cfg(unix)]
    #[test]
    fn special_ignore_files_are_named() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(unsafe_ignore_files(d.path(), false), None);
        std::os::unix::fs::symlink("/dev/zero", d.path().join(".ignore")).unwrap();
        let why = unsafe_ignore_files(d.path(), false).unwrap();
        assert!(
            why.ends_with(".ignore: not a regular file (a character device)"),
            "{why}"
        );
    }
}
