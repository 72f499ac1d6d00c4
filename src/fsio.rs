//! Reading files that may be hostile: a repository's layout is input too.
//!
//! Every file authlint reads (a file to lint, an imported module, a
//! `tsconfig.json`, `authlint.toml`, a package manifest, an ignore file)
//! goes through [`read_regular`]: it refuses anything that is not a regular
//! file before reading a byte (a FIFO would block forever, `/dev/zero`
//! never ends), and enforces the size cap while reading, so a file that
//! grows, or lies about its size, cannot make authlint hold more than the
//! cap. Standard input goes through [`read_capped`] with the same cap.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: names what it is (`a FIFO`, `a directory`, …).
    NotRegular(&'static str),
    /// Larger than the cap (the cap, in bytes).
    TooLarge(usize),
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular(what) => write!(f, "not a regular file ({what})"),
            ReadError::TooLarge(cap) => write!(f, "file is over the {cap}-byte limit"),
            ReadError::Io(e) => match e.kind() {
                io::ErrorKind::NotFound => write!(f, "no such file or directory"),
                io::ErrorKind::PermissionDenied => write!(f, "permission denied"),
                _ => write!(f, "{e}"),
            },
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// What kind of file `t` is, in words, for a file that is not regular.
pub fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Whether `path` (following symbolic links) is a regular file. Never opens it.
pub fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Reads `path` if it is a regular file of at most `cap` bytes.
///
/// The type is checked before opening (opening some devices has effects),
/// the file is opened without blocking (a FIFO swapped in between the two
/// steps cannot hang the read) and checked again on the open handle, and
/// reading stops one byte past the cap.
pub fn read_regular(path: &Path, cap: usize) -> Result<Vec<u8>, ReadError> {
    read_regular_meta(path, cap).map(|(bytes, _)| bytes)
}

/// [`read_regular`], with the metadata of the file that was read (for
/// noticing later that it changed).
pub fn read_regular_meta(
    path: &Path,
    cap: usize,
) -> Result<(Vec<u8>, std::fs::Metadata), ReadError> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    if meta.len() > cap as u64 {
        return Err(ReadError::TooLarge(cap));
    }
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    let mut bytes = Vec::with_capacity((meta.len() as usize).min(cap) + 1);
    read_capped_into(file, cap, &mut bytes)?;
    Ok((bytes, meta))
}

/// Reads [`read_regular`]'s bytes as UTF-8 text; `None` on any failure.
pub fn read_text(path: &Path, cap: usize) -> Option<String> {
    String::from_utf8(read_regular(path, cap).ok()?).ok()
}

/// Reads all of `input`, failing once it passes `cap` bytes.
pub fn read_capped(input: impl Read, cap: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    read_capped_into(input, cap, &mut bytes)?;
    Ok(bytes)
}

fn read_capped_into(input: impl Read, cap: usize, bytes: &mut Vec<u8>) -> Result<(), ReadError> {
    input.take(cap as u64 + 1).read_to_end(bytes)?;
    if bytes.len() > cap {
        return Err(ReadError::TooLarge(cap));
    }
    Ok(())
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_under_the_cap() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.ts");
        std::fs::write(&p, "abc").unwrap();
        assert_eq!(read_regular(&p, 3).unwrap(), b"abc");
        assert!(matches!(read_regular(&p, 2), Err(ReadError::TooLarge(2))));
        assert!(matches!(
            read_regular(d.path(), 10),
            Err(ReadError::NotRegular("a directory"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_fifos_and_devices_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("p.ts");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_regular(&fifo, 10),
            Err(ReadError::NotRegular("a FIFO"))
        ));
        let zero = d.path().join("z.ts");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(
            read_regular(&zero, 10),
            Err(ReadError::NotRegular("a character device"))
        ));
        assert!(matches!(
            read_capped(std::fs::File::open("/dev/zero").unwrap(), 100),
            Err(ReadError::TooLarge(100))
        ));
    }
}
