//! Noticing `authlint.toml` edits when the client cannot watch files.
//!
//! Clients that register file watchers (`workspace.didChangeWatchedFiles.
//! dynamicRegistration`) tell the server when a config file changes. Others
//! (Neovim on Linux) do not, so an edit made outside the editor, or in a
//! buffer the server never saw saved, would go unnoticed until a restart.
//! For them the server remembers the modification time and size of every
//! `authlint.toml` that could apply to the files it has opened (one per
//! directory up from each file), and looks again whenever a file is opened
//! or saved: a config that appeared, disappeared or changed reloads the
//! settings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// What identifies one state of a config file on disk; `None` when absent.
type Stamp = Option<(SystemTime, u64)>;

#[derive(Default)]
pub struct ConfigStamps(Mutex<HashMap<PathBuf, Stamp>>);

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl ConfigStamps {
    /// Looks at the config files that could apply to `file`, remembering
    /// them; true when one seen before is no longer as it was.
    pub fn changed(&self, file: &Path) -> bool {
        let mut seen = match self.0.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let mut changed = false;
        for dir in file.ancestors().skip(1) {
            let config = dir.join(super::CONFIG_FILE);
            let now = stamp(&config);
            if let Some(before) = seen.insert(config, now) {
                changed |= before != now;
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appearing_and_edited_configs_are_changes() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("src/a.ts");
        let stamps = ConfigStamps::default();
        assert!(!stamps.changed(&file), "first look records");
        assert!(!stamps.changed(&file), "nothing changed");
        let config = d.path().join("authlint.toml");
        std::fs::write(&config, "").unwrap();
        assert!(stamps.changed(&file), "a config appeared");
        assert!(!stamps.changed(&file));
        std::fs::write(&config, "[rules]\n").unwrap();
        assert!(stamps.changed(&file), "its size changed");
        std::fs::remove_file(&config).unwrap();
        assert!(stamps.changed(&file), "it went away");
    }
}
