//! Paths as users see them: relative to the working directory, with `/`.

use crate::config::{absolute, working_dir};
use std::path::{Path, PathBuf};

/// `path` relative to the working directory when it lies below it, else
/// absolute; `.` and `..` are resolved lexically.
pub fn display_path(path: &Path) -> PathBuf {
    let abs = absolute(path);
    if let Some(cwd) = working_dir() {
        if let Ok(rel) = abs.strip_prefix(cwd) {
            if rel.as_os_str().is_empty() {
                return PathBuf::from(".");
            }
            return rel.to_path_buf();
        }
    }
    abs
}

/// The path as a string with `/` separators (for reports and URIs).
pub fn slash_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// Percent-encodes a relative path for use as a URI reference (RFC 3986):
/// unreserved characters, `/` and sub-delimiters safe in paths stay as they are.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `file://` URI for an absolute path (a directory URI ends with `/`).
pub fn file_uri(path: &Path, dir: bool) -> String {
    let mut s = slash_path(path);
    if !s.starts_with('/') {
        // Windows drive paths: file:///C:/...
        s.insert(0, '/');
    }
    if dir && !s.ends_with('/') {
        s.push('/');
    }
    // A leading `:` would be ambiguous in a relative reference, not here.
    format!("file://{}", uri_path(&s))
}

/// The working directory, absolute.
pub fn cwd() -> PathBuf {
    working_dir().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_uris() {
        assert_eq!(uri_path("src/a b/ü.ts"), "src/a%20b/%C3%BC.ts");
        assert_eq!(uri_path("a#b?c%"), "a%23b%3Fc%25");
        assert_eq!(file_uri(Path::new("/tmp/x y"), true), "file:///tmp/x%20y/");
    }
}
