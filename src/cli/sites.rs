//! `authlint lint --show-sites`: every response site authlint finds in each
//! file, and what recognised it (a framework pack's row, or built-in support).

use super::paths::{display_path, slash_path};
use super::{warn, EXIT_OK, EXIT_USAGE};
use crate::engine::model::{ResponseSite, Status};
use crate::lint::Linter;
use crate::source::{Encoding, LineMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Prints `path:line:col: <status> <challenge> (<recognised by>)` for every
/// site of every file, in path order. A file that cannot be read or parsed
/// is reported on standard error and the rest go on.
pub fn show(files: &[(PathBuf, bool)], linter_for: impl Fn(&Path) -> Option<Arc<Linter>>) -> i32 {
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
        let sites = super::roles::read_text(path, &linter)
            .and_then(|text| Ok((linter.sites(path, &text).map_err(|s| s.to_string())?, text)));
        let (sites, text) = match sites {
            Ok(s) => s,
            Err(e) => {
                warn(format_args!("{shown}: {e}"));
                code = EXIT_USAGE;
                continue;
            }
        };
        let map = LineMap::new(&text);
        for site in &sites {
            let at = map.position(&text, site.range.start, Encoding::Utf32);
            let line = describe(site);
            if writeln!(out, "{shown}:{}:{}: {line}", at.line + 1, at.column + 1).is_err() {
                return EXIT_USAGE;
            }
        }
    }
    code
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
