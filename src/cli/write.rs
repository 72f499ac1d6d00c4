//! Writing what the command line produces: fixed files, report files and
//! standard output, without losing anyone's data.
//!
//! - A fixed file is written to a temporary file beside it and renamed over
//!   it, so no reader sees half a file. The new file keeps the old one's
//!   permissions, owner and group. A read-only file, a file with several
//!   hard links (a rename would split them) and a file that changed since
//!   it was read (an editor saved it meanwhile) are left alone, each with a
//!   message.
//! - A report file (`-o`) replaces a regular file the same way, keeping its
//!   mode; a new one gets the mode the umask allows. Anything else (a FIFO,
//!   a device, `/dev/stdout`, a shell's `>(…)`) is written to directly.
//! - Temporary files are removed when the run is interrupted (SIGINT,
//!   SIGTERM, SIGHUP).
//! - A write error on standard output is an error; a closed pipe (`| head`)
//!   is not.

use crate::config::absolute;
use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

/// Temporary files in flight, removed if the process is interrupted.
static IN_FLIGHT: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

fn track(path: &Path, live: bool) {
    let mut set = match IN_FLIGHT.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    let set = set.get_or_insert_with(HashSet::new);
    if live {
        set.insert(path.to_path_buf());
    } else {
        set.remove(path);
    }
}

/// Removes temporary files on SIGINT, SIGTERM and SIGHUP, then exits with
/// 128 + the signal's usual number (130 for SIGINT). Installed once, before
/// the first temporary file is made.
fn install_cleanup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let set = match IN_FLIGHT.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            for p in set.iter().flatten() {
                let _ = std::fs::remove_file(p);
            }
            let _ = writeln!(io::stderr(), "authlint: interrupted");
            std::process::exit(130);
        });
    });
}

/// A temporary file beside `target` holding `bytes`, tracked for cleanup.
struct Temp {
    /// `None` once persisted.
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Temp {
    fn new(target: &Path, bytes: &[u8]) -> io::Result<Temp> {
        install_cleanup();
        let dir = target.parent().unwrap_or(Path::new("."));
        let file = tempfile::Builder::new()
            .prefix(".authlint-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        let path = file.path().to_path_buf();
        track(&path, true);
        // From here on, dropping `temp` removes the file and untracks it.
        let mut temp = Temp {
            file: Some(file),
            path,
        };
        let f = temp.file();
        (&*f).write_all(bytes)?;
        f.sync_all()?;
        Ok(temp)
    }

    fn file(&mut self) -> &std::fs::File {
        self.file.as_mut().expect("not persisted yet").as_file()
    }

    /// Renames the temporary file over `target`.
    fn persist(mut self, target: &Path) -> io::Result<()> {
        match self.file.take() {
            Some(f) => f.persist(target).map(|_| ()).map_err(|e| e.error),
            None => Ok(()),
        }
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        track(&self.path, false);
    }
}

/// The real file behind `path` (writes go through symbolic links rather
/// than replacing them).
fn real_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path))
}

/// Why fixes were not written.
#[derive(Debug)]
pub enum FixWriteError {
    ReadOnly,
    HardLinks(u64),
    Changed,
    Io(io::Error),
}

impl std::fmt::Display for FixWriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixWriteError::ReadOnly => write!(f, "fixes not written: the file is read-only"),
            FixWriteError::HardLinks(n) => write!(
                f,
                "fixes not written: the file has {n} hard links, which replacing it would \
                 separate (use --diff and apply the patch)"
            ),
            FixWriteError::Changed => write!(
                f,
                "fixes not written: the file changed while authlint was fixing it; run again"
            ),
            FixWriteError::Io(e) => write!(f, "cannot write fixes: {e}"),
        }
    }
}

impl From<io::Error> for FixWriteError {
    fn from(e: io::Error) -> Self {
        FixWriteError::Io(e)
    }
}

/// Writes `fixed` over `path`, which held `original` when it was read (with
/// metadata `read`), unless it is read-only, hard-linked or changed since.
pub fn write_fixed(
    path: &Path,
    original: &[u8],
    read: &std::fs::Metadata,
    fixed: &[u8],
) -> Result<(), FixWriteError> {
    if read.permissions().readonly() || !writable(path) {
        return Err(FixWriteError::ReadOnly);
    }
    let links = link_count(read);
    if links > 1 {
        return Err(FixWriteError::HardLinks(links));
    }
    let target = real_path(path);
    let mut temp = Temp::new(&target, fixed)?;
    std::fs::set_permissions(&temp.path, read.permissions())?;
    keep_owner(temp.file(), read)?;
    test_pause();
    // Last look before the rename: the file must be the one that was read.
    if changed_since(&target, original, read) {
        return Err(FixWriteError::Changed);
    }
    temp.persist(&target)?;
    Ok(())
}

/// For tests of what happens while a fix is being written (an editor's
/// save, a signal): `AUTHLINT_TEST_PAUSE_BEFORE_RENAME_MS` holds the write
/// with its temporary file in place. Not for users.
fn test_pause() {
    if let Some(ms) = std::env::var_os("AUTHLINT_TEST_PAUSE_BEFORE_RENAME_MS") {
        let ms = ms.to_str().and_then(|s| s.parse().ok()).unwrap_or(0u64);
        std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
    }
}

/// Whether the file at `path` is no longer what was read: another length,
/// modification time, inode or content.
fn changed_since(path: &Path, original: &[u8], read: &std::fs::Metadata) -> bool {
    let Ok((now, meta)) = crate::fsio::read_regular_meta(path, original.len()) else {
        return true;
    };
    now != original
        || meta.len() != read.len()
        || meta.modified().ok() != read.modified().ok()
        || same_file_id(&meta) != same_file_id(read)
}

#[cfg(unix)]
fn same_file_id(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn same_file_id(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

#[cfg(unix)]
fn link_count(m: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.nlink()
}

#[cfg(not(unix))]
fn link_count(_: &std::fs::Metadata) -> u64 {
    1
}

/// Whether this process may write `path` (root may write a file with write
/// bits for no one; that case is caught by `readonly()` first).
#[cfg(unix)]
fn writable(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the call's duration.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn writable(_: &Path) -> bool {
    true
}

/// Gives `file` the owner and group in `read`. Fails only when the file
/// would otherwise change hands.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, read: &std::fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let now = file.metadata()?;
    if (now.uid(), now.gid()) == (read.uid(), read.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(read.uid()), Some(read.gid())).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot keep the file's owner and group ({e})"),
        )
    })
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) -> io::Result<()> {
    Ok(())
}

/// Writes a report to `path`: a regular (or new) file is replaced whole;
/// anything else that can be written to (a FIFO, a device, a pipe) is
/// written to directly.
pub fn write_report(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a directory",
        )),
        Ok(m) if !m.is_file() => {
            let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
            f.write_all(bytes)?;
            f.flush()
        }
        Ok(m) => {
            let target = real_path(path);
            let temp = Temp::new(&target, bytes)?;
            std::fs::set_permissions(&temp.path, m.permissions())?;
            temp.persist(&target)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let target = absolute(path);
            let temp = Temp::new(&target, bytes)?;
            set_default_mode(&temp.path)?;
            temp.persist(&target)
        }
        Err(e) => Err(e),
    }
}

/// Gives a new file the mode `File::create` would have: 0666 less the umask.
#[cfg(unix)]
fn set_default_mode(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: umask cannot fail; it is set back at once. Reports are written
    // after linting, when no other thread creates files.
    let mask = unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old
    };
    let mode = 0o666 & !(mask as u32);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_default_mode(_: &Path) -> io::Result<()> {
    Ok(())
}

/// Writes `bytes` to `out` and flushes it. A closed pipe is not an error
/// (the reader has seen what it wanted); any other failure is.
pub fn write_out(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn fixes_keep_the_mode_and_refuse_links_and_changes() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.ts");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        let (bytes, meta) = crate::fsio::read_regular_meta(&p, 100).unwrap();
        write_fixed(&p, &bytes, &meta, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(mode(&p), 0o640);

        let (bytes, meta) = crate::fsio::read_regular_meta(&p, 100).unwrap();
        std::fs::write(&p, "edited").unwrap();
        assert!(matches!(
            write_fixed(&p, &bytes, &meta, b"fixed"),
            Err(FixWriteError::Changed)
        ));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "edited");

        std::fs::hard_link(&p, d.path().join("b.ts")).unwrap();
        let (bytes, meta) = crate::fsio::read_regular_meta(&p, 100).unwrap();
        assert!(matches!(
            write_fixed(&p, &bytes, &meta, b"fixed"),
            Err(FixWriteError::HardLinks(2))
        ));
        let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary file is left behind");
    }

    #[test]
    fn fixes_go_through_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.ts");
        std::fs::write(&real, "old").unwrap();
        let link = d.path().join("link.ts");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let (bytes, meta) = crate::fsio::read_regular_meta(&link, 100).unwrap();
        write_fixed(&link, &bytes, &meta, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn reports_keep_an_existing_mode() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.json");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_report(&p, b"new").unwrap();
        assert_eq!(mode(&p), 0o644);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    }
}
