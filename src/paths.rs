//! Paths as authlint compares them: absolute against the working directory,
//! `.` and `..` removed lexically. Shared by the configuration and the file
//! roles, below both.

use std::path::{Component, Path, PathBuf};

/// Makes `path` absolute (against the working directory) and removes `.`
/// and `..` components lexically, without touching the file system.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match working_dir() {
            Some(cwd) => cwd.join(path),
            None => path.to_path_buf(),
        }
    };
    normalize(joined)
}

/// The working directory, absolute and normalized. authlint never changes
/// its working directory, so the OS is asked once, not once per linted file.
pub fn working_dir() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok().map(normalize))
        .as_deref()
}

/// Removes `.` and `..` components lexically.
fn normalize(joined: PathBuf) -> PathBuf {
    // Most paths (every one the directory walker yields) have nothing to
    // remove; a `.` or `..` component starts the path or follows a separator.
    let bytes = joined.as_os_str().as_encoded_bytes();
    let dot_after_separator = memchr::memmem::find_iter(bytes, b".").any(|i| {
        i == 0
            || bytes
                .get(i - 1)
                .is_some_and(|b| std::path::is_separator(char::from(*b)))
    });
    if !dot_after_separator
        || !joined
            .components()
            .any(|c| matches!(c, Component::CurDir | Component::ParentDir))
    {
        return joined;
    }
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}
