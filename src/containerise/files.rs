//! Reading from and writing into an app directory without trusting it. Reads take only
//! regular files inside the directory, opened without following a link (and without
//! blocking, so a FIFO planted as `package.json` cannot hang a read), and at most a bounded
//! number of bytes. Writes never follow a link either: the new content goes to a fresh file
//! in the same directory, which is then renamed over the destination, and a destination that
//! is a link or not a regular file is refused.

use std::fs::{File, Metadata};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::bounded::Links;

/// The largest Dockerfile read.
pub const MAX_DOCKERFILE_BYTES: u64 = 1024 * 1024;

/// The largest manifest (package.json, pyproject.toml, requirements.txt …) read.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// The largest source file scanned for routes and ports.
pub const MAX_SOURCE_BYTES: u64 = 512 * 1024;

/// Why a file of the app was not read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// There is no such file.
    #[error("`{0}` does not exist")]
    Missing(String),
    /// It is a symlink (never followed).
    #[error("`{0}` is a symlink; todo-ai does not follow links in an app")]
    Symlink(String),
    /// It is a directory, FIFO, socket or device.
    #[error("`{0}` is not a regular file")]
    NotRegular(String),
    /// A directory on its path leads out of the app.
    #[error("`{0}` is outside the app directory")]
    Outside(String),
    /// It is larger than the bound.
    #[error("`{path}` is larger than {limit} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// The bound.
        limit: u64,
    },
    /// The system said no.
    #[error("`{path}`: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The IO error.
        reason: String,
    },
}

/// Opens `path` for reading without following a final link and without blocking; it must be
/// a regular file. Returns the file and its metadata (from the open file, so they agree).
pub fn open_regular(path: &Path) -> Result<(File, Metadata), ReadError> {
    crate::bounded::open(path, Links::Refuse)
        .map_err(|error| ReadError::from_bounded(error, &path.display().to_string()))
}

/// Reads `relative` (`/`-separated) inside `dir` as UTF-8 text (lossily), at most `limit`
/// bytes: a regular file, not a link, every directory on its way inside `dir`. Errors name the
/// file as `<dir>/<relative>`.
pub fn read_regular(dir: &Path, relative: &str, limit: u64) -> Result<String, ReadError> {
    let shown = display(dir, relative);
    let path = inside(dir, relative).map_err(|()| ReadError::Outside(shown.clone()))?;
    let bytes =
        crate::bounded::read(&path, Links::Refuse, limit).map_err(|error| ReadError::from_bounded(error, &shown))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// [`read_regular`], with a missing, linked, special or oversized file as `None`.
pub fn read_optional(dir: &Path, relative: &str, limit: u64) -> Option<String> {
    read_regular(dir, relative, limit).ok()
}

/// Whether `relative` inside `dir` is a regular file (a link is not).
pub fn is_regular(dir: &Path, relative: &str) -> bool {
    inside(dir, relative).ok().and_then(|path| std::fs::symlink_metadata(path).ok()).is_some_and(|meta| meta.is_file())
}

/// Whether `relative` inside `dir` is a directory (a link is not).
pub fn is_directory(dir: &Path, relative: &str) -> bool {
    inside(dir, relative).ok().and_then(|path| std::fs::symlink_metadata(path).ok()).is_some_and(|meta| meta.is_dir())
}

/// Checks a file about to be replaced: absent is fine, a regular file is fine; a link or
/// anything else is refused.
pub fn check_destination(dir: &Path, name: &str) -> Result<(), ReadError> {
    let shown = display(dir, name);
    let path = inside(dir, name).map_err(|()| ReadError::Outside(shown.clone()))?;
    match std::fs::symlink_metadata(&path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(ReadError::Io { path: shown, reason: error.to_string() }),
        Ok(meta) if meta.file_type().is_symlink() => Err(ReadError::Symlink(shown)),
        Ok(meta) if !meta.is_file() => Err(ReadError::NotRegular(shown)),
        Ok(_) => Ok(()),
    }
}

/// Replaces (or creates) `name` in `dir` with `content`, never following a link: the content
/// goes to a new file in the same directory, created exclusively, then renamed over `name`
/// (a rename replaces a link itself, never its target). The existing file's permissions are
/// kept.
pub fn write_no_follow(dir: &Path, name: &str, content: &str) -> Result<(), ReadError> {
    check_destination(dir, name)?;
    let shown = display(dir, name);
    let destination = inside(dir, name).map_err(|()| ReadError::Outside(shown.clone()))?;
    let parent = destination.parent().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
    let io = |error: std::io::Error| ReadError::Io { path: shown.clone(), reason: error.to_string() };
    let mode = std::fs::symlink_metadata(&destination).ok().map(|meta| {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    });
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let file_name = destination.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temporary = parent.join(format!(".{file_name}.todo-ai-{}-{nanos:08x}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .mode(mode.unwrap_or(0o644))
            .open(&temporary)?;
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        std::fs::rename(&temporary, &destination)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(io)
}

/// `dir/relative`, refused when `relative` is absolute or climbs out, or when a directory on
/// its way resolves outside `dir`.
fn inside(dir: &Path, relative: &str) -> Result<PathBuf, ()> {
    let candidate = Path::new(relative);
    if candidate.is_absolute()
        || candidate.components().any(|c| !matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir))
    {
        return Err(());
    }
    let path = dir.join(candidate);
    let root = dir.canonicalize().map_err(|_| ())?;
    match path.parent().map(Path::canonicalize) {
        Some(Ok(parent)) if parent.starts_with(&root) => Ok(path),
        Some(Err(_)) => Ok(path),
        _ => Err(()),
    }
}

/// How errors name a file: by its path inside the app ([`ReadError::within`] adds the app).
fn display(_dir: &Path, relative: &str) -> String {
    relative.to_string()
}

impl ReadError {
    /// The error of a [`crate::bounded`] read of the file shown as `shown`.
    fn from_bounded(error: crate::bounded::Error, shown: &str) -> ReadError {
        let shown = shown.to_string();
        match error {
            crate::bounded::Error::Missing => ReadError::Missing(shown),
            crate::bounded::Error::Link => ReadError::Symlink(shown),
            crate::bounded::Error::NotRegular => ReadError::NotRegular(shown),
            crate::bounded::Error::TooLarge(limit) => ReadError::TooLarge { path: shown, limit },
            error @ (crate::bounded::Error::NotUtf8 | crate::bounded::Error::Io(_)) => {
                ReadError::Io { path: shown, reason: error.to_string() }
            }
        }
    }

    /// The file it is about, as named.
    pub fn path(&self) -> &str {
        match self {
            ReadError::Missing(path)
            | ReadError::Symlink(path)
            | ReadError::NotRegular(path)
            | ReadError::Outside(path)
            | ReadError::TooLarge { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }

    /// The same error with the file named under the app as the user wrote it (`backend` →
    /// `backend/Dockerfile`; `.` adds nothing).
    pub fn within(self, app: &str) -> ReadError {
        let app = app.trim_end_matches('/');
        if app.is_empty() || app == "." {
            return self;
        }
        let shown = format!("{app}/{}", self.path());
        match self {
            ReadError::Missing(_) => ReadError::Missing(shown),
            ReadError::Symlink(_) => ReadError::Symlink(shown),
            ReadError::NotRegular(_) => ReadError::NotRegular(shown),
            ReadError::Outside(_) => ReadError::Outside(shown),
            ReadError::TooLarge { limit, .. } => ReadError::TooLarge { path: shown, limit },
            ReadError::Io { reason, .. } => ReadError::Io { path: shown, reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_bounded_regular_files_inside() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app");
        std::fs::create_dir_all(app.join("sub")).unwrap();
        std::fs::write(dir.path().join("outside.txt"), "outside").unwrap();
        std::fs::write(app.join("sub/a.txt"), "inside").unwrap();
        std::os::unix::fs::symlink("../outside.txt", app.join("link")).unwrap();
        std::os::unix::fs::symlink("..", app.join("up")).unwrap();
        std::os::unix::net::UnixListener::bind(app.join("sock")).unwrap();
        assert_eq!(read_regular(&app, "sub/a.txt", 100).unwrap(), "inside");
        assert!(matches!(read_regular(&app, "link", 100), Err(ReadError::Symlink(_))));
        assert!(matches!(read_regular(&app, "up/outside.txt", 100), Err(ReadError::Outside(_))));
        assert!(matches!(read_regular(&app, "../outside.txt", 100), Err(ReadError::Outside(_))));
        assert!(matches!(read_regular(&app, "sock", 100), Err(ReadError::NotRegular(_))));
        assert!(matches!(read_regular(&app, "sub", 100), Err(ReadError::NotRegular(_))));
        assert!(matches!(read_regular(&app, "none", 100), Err(ReadError::Missing(_))));
        assert!(matches!(read_regular(&app, "sub/a.txt", 3), Err(ReadError::TooLarge { limit: 3, .. })));
        assert!(is_regular(&app, "sub/a.txt") && !is_regular(&app, "link") && is_directory(&app, "sub"));
    }

    #[test]
    fn writes_replace_files_and_refuse_links() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path();
        std::fs::write(app.join("victim"), "keep").unwrap();
        std::os::unix::fs::symlink("victim", app.join("Dockerfile")).unwrap();
        assert!(matches!(write_no_follow(app, "Dockerfile", "x"), Err(ReadError::Symlink(_))));
        assert_eq!(std::fs::read_to_string(app.join("victim")).unwrap(), "keep");
        std::fs::write(app.join("run.sh"), "old").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(app.join("run.sh"), std::fs::Permissions::from_mode(0o750)).unwrap();
        write_no_follow(app, "run.sh", "new").unwrap();
        assert_eq!(std::fs::read_to_string(app.join("run.sh")).unwrap(), "new");
        assert_eq!(std::fs::metadata(app.join("run.sh")).unwrap().permissions().mode() & 0o777, 0o750);
        write_no_follow(app, "fresh", "hello").unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(app)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
