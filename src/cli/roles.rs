//! `authlint lint --show-roles`: the role each file plays, and why.

use super::paths::{display_path, slash_path};
use super::{warn, EXIT_OK, EXIT_USAGE};
use crate::lint::Linter;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Prints `path: role (why)` for every file, in path order. A file that
/// cannot be read is reported on standard error and the rest go on.
pub fn show(files: &[(PathBuf, bool)], linter_for: impl Fn(&Path) -> Option<Arc<Linter>>) -> i32 {
    each_file(files, linter_for, |out, shown, path, text, linter| {
        let assigned = linter.role(path, text);
        writeln!(
            out,
            "{shown}: {} ({})",
            assigned.role.as_str(),
            assigned.why
        )
        .map_err(|_| Stop)
    })
}

/// Standard output could not be written: stop.
pub(super) struct Stop;

/// Calls `report` with standard output, the path as shown, the path, the
/// text and the linter of every file, in path order. A file that cannot be
/// read (or `report` refuses with an error message) is reported on standard
/// error and the rest go on, with exit code 2 at the end.
pub(super) fn each_file(
    files: &[(PathBuf, bool)],
    linter_for: impl Fn(&Path) -> Option<Arc<Linter>>,
    mut report: impl FnMut(&mut dyn Write, &str, &Path, &str, &Linter) -> Result<(), Stop>,
) -> i32 {
    let mut paths: Vec<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    paths.sort();
    let mut out = std::io::stdout().lock();
    let mut code = EXIT_OK;
    for path in paths {
        let shown = slash_path(&display_path(path));
        let Some(linter) = linter_for(path) else {
            warn(format_args!("{shown}: its configuration cannot be read"));
            code = EXIT_USAGE;
            continue;
        };
        let text = match read_text(path, &linter) {
            Ok(t) => t,
            Err(e) => {
                warn(format_args!("{shown}: {e}"));
                code = EXIT_USAGE;
                continue;
            }
        };
        if report(&mut out, &shown, path, &text, &linter).is_err() {
            return EXIT_USAGE;
        }
    }
    code
}

/// The file's text, read only when it is a regular file within the size limit.
pub(super) fn read_text(path: &Path, linter: &Linter) -> Result<String, String> {
    let bytes =
        crate::fsio::read_regular(path, crate::lint::MAX_FILE_BYTES).map_err(|e| e.to_string())?;
    linter
        .decode(&bytes)
        .map(str::to_string)
        .map_err(|s| s.to_string())
}
