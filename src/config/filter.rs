//! Path filters: `include`/`exclude` and `[[overrides]]` `files` globs,
//! matched against paths relative to the configuration's directory.

use super::ConfigError;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Globs relative to a base directory. A pattern without `/` matches at any
/// depth; a path matches when it or any of its parent directories does.
#[derive(Debug, Clone)]
pub(super) struct PathFilter {
    pub(super) base: PathBuf,
    pub(super) set: GlobSet,
}

impl PathFilter {
    pub(super) fn matches(&self, file: &Path) -> bool {
        let Ok(rel) = file.strip_prefix(&self.base) else {
            return false;
        };
        let mut p: Option<&Path> = Some(rel);
        while let Some(cur) = p {
            if cur.as_os_str().is_empty() {
                break;
            }
            if self.set.is_match(cur) {
                return true;
            }
            p = cur.parent();
        }
        false
    }
}

fn build_glob(pattern: &str) -> Result<Vec<Glob>, String> {
    let mut pat = pattern.trim().to_string();
    if let Some(rest) = pat.strip_prefix("./") {
        pat = rest.to_string();
    }
    if pat.is_empty() {
        return Err("empty glob pattern".to_string());
    }
    let pat = pat.trim_end_matches('/').to_string();
    let pat = if pat.starts_with('/') {
        pat.trim_start_matches('/').to_string()
    } else if !pat.contains('/') && !pat.starts_with("**") {
        format!("**/{pat}")
    } else {
        pat
    };
    let mut variants = vec![pat.clone()];
    // `dir/**` also names the directory itself, so walks can prune it.
    if let Some(dir) = pat.strip_suffix("/**") {
        if !dir.is_empty() && dir != "**" {
            variants.push(dir.to_string());
        }
    }
    variants
        .iter()
        .map(|p| {
            GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))
        })
        .collect()
}

pub(super) fn compile_filter(
    base: &Path,
    patterns: &[Spanned<String>],
    file: &Path,
    text: &str,
) -> Result<PathFilter, ConfigError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let globs =
            build_glob(p.get_ref()).map_err(|m| ConfigError::at(file, text, p.span().start, m))?;
        for g in globs {
            b.add(g);
        }
    }
    let set = b
        .build()
        .map_err(|e| ConfigError::new(file, format!("invalid glob set: {e}")))?;
    Ok(PathFilter {
        base: base.to_path_buf(),
        set,
    })
}
