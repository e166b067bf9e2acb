//! Reading a file someone else may have written (an app's files, a repository's gate files and
//! chart, a snapshot, a `.env`): the one way todo-ai opens such a file.
//!
//! - Opening never blocks: `O_NONBLOCK`, so a FIFO without a writer is not waited on, and
//!   `O_NOCTTY`, so a terminal device never becomes ours.
//! - The type is checked on the opened file, not on the path before it (no race with a swap):
//!   only a regular file is read, never a FIFO, socket, device or directory.
//! - A final link is refused with [`Links::Refuse`] (`O_NOFOLLOW`); [`Links::Follow`] is for
//!   paths the user named themselves.
//! - The bound is on what is read, not on the size the file claims: a file that grows while it
//!   is read stops at the bound plus one byte and is refused.

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// Whether a link as the file's last component is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Followed (a path the user gave).
    Follow,
    /// Refused (a file found in a tree someone else wrote).
    Refuse,
}

/// Why a file was not read (shown after the file's name: "`x.yaml`: not a regular file").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// There is no such file.
    #[error("no such file")]
    Missing,
    /// It is a link, and links were refused.
    #[error("a symbolic link, not followed")]
    Link,
    /// It is a FIFO, socket, device or directory.
    #[error("not a regular file")]
    NotRegular,
    /// It holds more than the bound.
    #[error("larger than {0} bytes")]
    TooLarge(u64),
    /// Its bytes are not UTF-8 ([`read_text`] only).
    #[error("not UTF-8 text")]
    NotUtf8,
    /// The system said no (permissions, I/O).
    #[error("{0}")]
    Io(String),
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        match error.raw_os_error() {
            Some(libc::ELOOP) => Error::Link,
            // A socket or a device without a driver cannot be opened at all.
            Some(libc::ENXIO) => Error::NotRegular,
            _ if error.kind() == std::io::ErrorKind::NotFound => Error::Missing,
            _ => Error::Io(error.to_string()),
        }
    }
}

/// Opens `path` for reading without blocking; it must be a regular file. Returns the file and
/// its metadata (from the open file, so they agree).
pub fn open(path: &Path, links: Links) -> Result<(File, Metadata), Error> {
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let file = std::fs::OpenOptions::new().read(true).custom_flags(flags).open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(Error::NotRegular);
    }
    Ok((file, metadata))
}

/// The bytes of a regular file, at most `limit` of them.
pub fn read(path: &Path, links: Links, limit: u64) -> Result<Vec<u8>, Error> {
    let (file, metadata) = open(path, links)?;
    if metadata.len() > limit {
        return Err(Error::TooLarge(limit));
    }
    let capacity = usize::try_from(metadata.len()).unwrap_or(0).saturating_add(1);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge(limit));
    }
    Ok(bytes)
}

/// [`read`], as UTF-8 text.
pub fn read_text(path: &Path, links: Links, limit: u64) -> Result<String, Error> {
    String::from_utf8(read(path, links, limit)?).map_err(|_| Error::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifo(path: &Path) {
        nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    }

    #[test]
    fn regular_files_within_the_bound_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "kind: Pod\n").unwrap();
        assert_eq!(read_text(&path, Links::Refuse, 10).unwrap(), "kind: Pod\n");
        assert_eq!(read_text(&path, Links::Refuse, 9), Err(Error::TooLarge(9)));
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert_eq!(read_text(&path, Links::Refuse, 10), Err(Error::NotUtf8));
        assert_eq!(read(&path, Links::Refuse, 10).unwrap(), b"\xff\xfe");
        assert_eq!(read(&dir.path().join("absent"), Links::Follow, 10), Err(Error::Missing));
    }

    #[test]
    fn links_are_followed_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read(&link, Links::Refuse, 10), Err(Error::Link));
        assert_eq!(read(&link, Links::Follow, 10).unwrap(), b"x");
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        // A FIFO with no writer: a blocking open would wait forever.
        let pipe = dir.path().join("pipe.yaml");
        fifo(&pipe);
        assert_eq!(read(&pipe, Links::Refuse, 10), Err(Error::NotRegular));
        // Devices and directories, including through a link the user named.
        assert_eq!(read(Path::new("/dev/zero"), Links::Follow, 10), Err(Error::NotRegular));
        assert_eq!(read(Path::new("/dev/null"), Links::Follow, 10), Err(Error::NotRegular));
        assert_eq!(read(dir.path(), Links::Follow, 10), Err(Error::NotRegular));
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(read(&link, Links::Follow, 10), Err(Error::NotRegular));
    }
}
