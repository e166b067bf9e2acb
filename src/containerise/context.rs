//! The build context: which entries a build sends, following `.dockerignore` exactly as the
//! Docker CLI does ([`super::ignore`]), and the tar stream itself. Nothing outside the app
//! directory is ever read: directories are walked without following links, a symlink is sent
//! as a symlink (its target is never opened, as the Docker CLI does), and special files
//! (FIFOs, sockets, devices) are left out unread and reported, so the approval question can
//! say what was skipped. Regular files are opened without following links and must still be
//! regular files when read. The Dockerfile and `.dockerignore` must be regular files; they
//! are always sent. Ignored directories are not even opened when no exception could
//! re-include something inside them, so a large ignored `node_modules` costs nothing. The
//! walk is bounded: entries, path bytes and `.dockerignore` matching work.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::files::{self, ReadError};
use super::ignore::{self, Ignore, IgnoreError};

/// The most entries a context walk visits.
pub const MAX_ENTRIES: usize = 500_000;

/// The most bytes of relative paths a context listing holds.
pub const MAX_PATH_BYTES: usize = 64 * 1024 * 1024;

/// The most `.dockerignore` matching steps one listing may spend (linear matching makes a
/// hostile pattern cost steps, not time; this bounds the sum).
pub const MAX_MATCH_STEPS: u64 = 2_000_000_000;

/// Why a context cannot be listed or sent.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// Reading the tree failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The Dockerfile or `.dockerignore` is not a regular file inside the context.
    #[error("{0}")]
    BuildFile(ReadError),
    /// The `.dockerignore` does not parse.
    #[error("{0}")]
    Ignore(#[from] IgnoreError),
    /// A bound was reached.
    #[error("{0}")]
    TooLarge(String),
    /// The context directory is a kernel pseudo-filesystem.
    #[error("`{0}` is a kernel pseudo-filesystem, not an app")]
    Pseudo(String),
}

/// What one entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file of this many bytes (when listed).
    File(u64),
    /// A directory.
    Directory,
    /// A symlink, sent as a link to this target (never followed).
    Symlink(PathBuf),
}

/// One entry the build sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative, `/`-separated.
    pub path: String,
    /// Its kind.
    pub kind: EntryKind,
}

/// A special file left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Special {
    /// Relative, `/`-separated.
    pub path: String,
    /// `a FIFO`, `a socket`, `a character device`, `a block device`.
    pub kind: &'static str,
}

/// A listed context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// What is sent, sorted by path.
    pub entries: Vec<Entry>,
    /// Entries `.dockerignore` left out (an ignored directory counts once).
    pub ignored: usize,
    /// Special files left out unread.
    pub special: Vec<Special>,
}

impl Context {
    /// The regular files sent.
    pub fn files(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|entry| matches!(entry.kind, EntryKind::File(_)))
    }

    /// The symlinks sent as links.
    pub fn symlinks(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|entry| matches!(entry.kind, EntryKind::Symlink(_)))
    }

    /// The bytes of file content sent.
    pub fn bytes(&self) -> u64 {
        self.entries
            .iter()
            .map(|entry| match entry.kind {
                EntryKind::File(length) => length,
                EntryKind::Directory | EntryKind::Symlink(_) => 0,
            })
            .sum()
    }

    /// What a preview says besides files and bytes: symlinks sent as links, special files
    /// left out (the first few named). Empty when there are neither.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let links = self.symlinks().count();
        if links > 0 {
            notes.push(format!("{links} symlink{} sent as link{}, not followed", plural(links), plural(links)));
        }
        if !self.special.is_empty() {
            let named: Vec<String> =
                // A file name may hold newlines and escapes: on one line, it cannot pose as a
                // line of the approval question.
                self.special
                    .iter()
                    .take(5)
                    .map(|special| format!("`{}` {}", crate::sanitize::one_line(&special.path), special.kind))
                    .collect();
            let more = self.special.len().saturating_sub(5);
            let more = if more > 0 { format!(", {more} more") } else { String::new() };
            notes.push(format!(
                "{} special file{} not sent ({}{more})",
                self.special.len(),
                plural(self.special.len()),
                named.join(", ")
            ));
        }
        notes
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// Lists what a build of `dir` with `dockerfile` (relative, `/`-separated) sends.
pub fn list(dir: &Path, dockerfile: &str) -> Result<Context, ContextError> {
    let real = dir.canonicalize()?;
    if ["/proc", "/sys", "/dev"].iter().any(|pseudo| real.starts_with(pseudo)) {
        return Err(ContextError::Pseudo(real.display().to_string()));
    }
    // Both build files must be regular files in the tree; a FIFO would block the reader
    // and a link would send (or parse) whatever it points at. A missing Dockerfile is the
    // build's own error (the listing also serves to fingerprint an app before it has one).
    match files::read_regular(dir, dockerfile, files::MAX_DOCKERFILE_BYTES) {
        Ok(_) | Err(ReadError::Missing(_)) => {}
        Err(error) => return Err(ContextError::BuildFile(error)),
    }
    let mut ignore = match files::read_regular(dir, ".dockerignore", ignore::MAX_BYTES) {
        Ok(text) => Ignore::parse(&text)?,
        Err(ReadError::Missing(_)) => Ignore::default(),
        Err(error) => return Err(ContextError::BuildFile(error)),
    };
    let dockerfile = ignore::clean(dockerfile);
    ignore.keep(&dockerfile);
    ignore.keep(".dockerignore");
    let mut context = Context::default();
    let (mut visited, mut path_bytes, mut steps) = (0usize, 0usize, 0u64);
    let mut pending: Vec<(PathBuf, String)> = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, relative)) = pending.pop() {
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            visited += 1;
            if visited > MAX_ENTRIES {
                return Err(ContextError::TooLarge(format!("the context has more than {MAX_ENTRIES} entries")));
            }
            let name = entry.file_name().to_string_lossy().to_string();
            let child = if relative.is_empty() { name } else { format!("{relative}/{name}") };
            // `file_type` comes from the directory entry: a link is seen as a link.
            let kind = entry.file_type()?;
            let excluded = ignore.excluded_counting(&child, &mut steps);
            if steps > MAX_MATCH_STEPS {
                return Err(ContextError::TooLarge(format!(
                    "matching .dockerignore took over {MAX_MATCH_STEPS} steps (too many long patterns for this many files)"
                )));
            }
            if kind.is_dir() {
                if !excluded {
                    context.entries.push(Entry { path: child.clone(), kind: EntryKind::Directory });
                } else if !ignore.may_reinclude_under(&child) {
                    context.ignored += 1;
                    continue;
                }
                pending.push((entry.path(), child));
                continue;
            }
            if excluded {
                context.ignored += 1;
                continue;
            }
            path_bytes += child.len();
            if path_bytes > MAX_PATH_BYTES {
                return Err(ContextError::TooLarge(format!("the context's paths exceed {MAX_PATH_BYTES} bytes")));
            }
            if kind.is_symlink() {
                let target = std::fs::read_link(entry.path())?;
                context.entries.push(Entry { path: child, kind: EntryKind::Symlink(target) });
            } else if kind.is_file() {
                let length = entry.metadata()?.len();
                context.entries.push(Entry { path: child, kind: EntryKind::File(length) });
            } else {
                context.special.push(Special { path: child, kind: special_kind(&kind) });
            }
        }
    }
    context.entries.sort_by(|a, b| a.path.cmp(&b.path));
    context.special.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(context)
}

fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

/// The regular files a build of `dir` sends (relative `/` paths, sorted) and how many entries
/// `.dockerignore` left out.
pub fn files(dir: &Path, dockerfile: &str) -> Result<(Vec<String>, usize), ContextError> {
    let context = list(dir, dockerfile)?;
    Ok((context.files().map(|entry| entry.path.clone()).collect(), context.ignored))
}

/// Writes the build context of `dir` as a tar archive; returns how many entries it holds.
pub fn tar(dir: &Path, dockerfile: &str, out: impl Write) -> Result<usize, ContextError> {
    let context = list(dir, dockerfile)?;
    write_tar(dir, &context, out)?;
    Ok(context.entries.len())
}

/// Writes a listed context as a tar archive. A file is opened without following links and
/// must still be a regular file; it is sent at the size it has when opened.
pub fn write_tar(dir: &Path, context: &Context, out: impl Write) -> std::io::Result<()> {
    let mut builder = tar::Builder::new(out);
    builder.mode(tar::HeaderMode::Deterministic);
    for entry in &context.entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(0);
        match &entry.kind {
            EntryKind::Directory => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                builder.append_data(&mut header, format!("{}/", entry.path), std::io::empty())?;
            }
            EntryKind::Symlink(target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_mode(0o777);
                header.set_size(0);
                builder.append_link(&mut header, &entry.path, target)?;
            }
            EntryKind::File(_) => {
                let (file, metadata) = files::open_regular(&dir.join(&entry.path)).map_err(std::io::Error::other)?;
                use std::os::unix::fs::PermissionsExt;
                let executable = metadata.permissions().mode() & 0o111 != 0;
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(if executable { 0o755 } else { 0o644 });
                header.set_size(metadata.len());
                let reader = Exact { inner: file.take(metadata.len()), remaining: metadata.len() };
                builder.append_data(&mut header, &entry.path, reader)?;
            }
        }
    }
    builder.finish()
}

/// A reader that fails if its source ends before the size already written in a tar header
/// (a file truncated while the context streams would otherwise corrupt the archive).
struct Exact<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if read == 0 && self.remaining > 0 && !buffer.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "a file shrank while it was sent"));
        }
        self.remaining -= read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_directories_are_not_opened_and_the_dockerfile_always_goes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
        for file in ["node_modules/a.js", "node_modules/b.js", "node_modules/pkg/index.js"] {
            std::fs::write(root.join(file), "x").unwrap();
        }
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/app.js"), "x").unwrap();
        std::fs::write(root.join("Dockerfile"), "FROM scratch").unwrap();
        std::fs::write(root.join(".dockerignore"), "node_modules\nDockerfile\n.dockerignore\n").unwrap();
        let (files, skipped) = files(root, "Dockerfile").unwrap();
        assert_eq!(files, vec![".dockerignore", "Dockerfile", "src/app.js"]);
        // One entry skipped: node_modules as a whole. Walking into it would have skipped 3.
        assert_eq!(skipped, 1);
        let mut archive = Vec::new();
        assert_eq!(tar(root, "Dockerfile", &mut archive).unwrap(), 4);
        let mut reader = ::tar::Archive::new(archive.as_slice());
        let names: Vec<String> =
            reader.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        // Directories go as entries too, named with a trailing slash as the Docker CLI does.
        assert_eq!(names, vec![".dockerignore", "Dockerfile", "src/", "src/app.js"]);
    }

    #[test]
    fn links_go_as_links_and_special_files_are_named_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(dir.path().join("secret"), "SECRET-0003").unwrap();
        std::fs::write(root.join("Dockerfile"), "FROM scratch").unwrap();
        std::os::unix::fs::symlink("../secret", root.join("creds")).unwrap();
        std::os::unix::net::UnixListener::bind(root.join("sock")).unwrap();
        let context = list(&root, "Dockerfile").unwrap();
        assert_eq!(
            context.notes(),
            vec![
                "1 symlink sent as link, not followed".to_string(),
                "1 special file not sent (`sock` a socket)".to_string()
            ]
        );
        let mut archive = Vec::new();
        write_tar(&root, &context, &mut archive).unwrap();
        assert!(!String::from_utf8_lossy(&archive).contains("SECRET-0003"));
        // A link as the Dockerfile is refused.
        std::fs::remove_file(root.join("Dockerfile")).unwrap();
        std::os::unix::fs::symlink("../secret", root.join("Dockerfile")).unwrap();
        assert!(matches!(list(&root, "Dockerfile"), Err(ContextError::BuildFile(ReadError::Symlink(_)))));
        assert!(matches!(list(Path::new("/proc/self"), "Dockerfile"), Err(ContextError::Pseudo(_))));
    }
}
