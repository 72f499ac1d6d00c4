//! `authlint lint --show-sites`: every response site authlint finds in each
//! file, and what recognised it (a framework pack's row, or built-in support).

use super::roles::{each_file, Stop};
use super::{warn, EXIT_OK, EXIT_USAGE};
use crate::engine::model::{ResponseSite, Status};
use crate::lint::Linter;
use crate::source::{Encoding, LineMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Prints `path:line:col: <status> <challenge> (<recognised by>)` for every
/// site of every file, in path order. A file that cannot be read or parsed
/// is reported on standard error and the rest go on.
pub fn show(files: &[(PathBuf, bool)], linter_for: impl Fn(&Path) -> Option<Arc<Linter>>) -> i32 {
    let mut code = EXIT_OK;
    let walked = each_file(files, linter_for, |out, shown, path, text, linter| {
        let sites = match linter.sites(path, text) {
            Ok(s) => s,
            Err(e) => {
                warn(format_args!("{shown}: {e}"));
                code = EXIT_USAGE;
                return Ok(());
            }
        };
        let map = LineMap::new(text);
        for site in &sites {
            let at = map.position(text, site.range.start, Encoding::Utf32);
            let line = describe(site);
            writeln!(out, "{shown}:{}:{}: {line}", at.line + 1, at.column + 1).map_err(|_| Stop)?;
        }
        Ok(())
    });
    walked.max(code)
}

fn describe(site: &ResponseSite) -> String {
    let status = match &site.status {
        Status::Known(v) => v
            .iter()
            .map(|v| v.code.to_string())
            .collect::<Vec<_>>()
            .join("|"),
        Status::Forwarded { source, .. } => format!("forwarded from `{source}`"),
        Status::Unknown => "unknown".to_string(),
    };
    let challenge = match (&site.headers.challenge, site.headers.opaque) {
        (Some(c), _) => match &c.literal {
            Some(v) => format!("challenge `{v}`"),
            None => "challenge (computed)".to_string(),
        },
        (None, true) => "headers not visible".to_string(),
        (None, false) => "no challenge".to_string(),
    };
    let by = match &site.pack {
        Some(p) => format!("pack row {}", p.row),
        None => format!("built-in: {}", site.framework.label()),
    };
    format!("status {status}, {challenge} ({by})")
}
