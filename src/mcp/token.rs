//! The bearer token of `todo-ai mcp --http`: 256 bits from the operating system's random
//! source, or the operator's own from `--token-file`; the private file a generated token is
//! written to (0600 in a 0700 directory, created without following links, removed when the
//! server stops); and the constant-time comparison requests are checked with.
//!
//! The token is what stands between any local process (another user, a sidecar sharing the
//! loopback interface, a browser page) and the tools, so it never goes to stdout, a log line
//! or a command line, and its `Debug` is masked.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Random bytes in a generated token (256 bits; printed as 64 hex digits).
const TOKEN_BYTES: usize = 32;

/// The shortest operator token accepted (as many characters as 192 bits in base64).
pub const MIN_OPERATOR_TOKEN: usize = 32;

/// The longest operator token accepted: more is not a token.
const MAX_OPERATOR_TOKEN: usize = 4096;

/// A bearer token. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::redact::MASK)
    }
}

impl Token {
    /// A fresh token from the operating system's random source.
    pub fn generate() -> Result<Token, CliError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|error| {
            CliError::new("cannot generate the MCP token")
                .cause(error.to_string())
                .hint("the operating system's random source failed; give a token with `--token-file PATH` instead")
        })?;
        Ok(Token(bytes.iter().map(|byte| format!("{byte:02x}")).collect()))
    }

    /// The operator's token from `path`: a regular file (not a symbolic link) that only its
    /// owner can read or write (0600 or stricter), holding one line of at least
    /// [`MIN_OPERATOR_TOKEN`] visible ASCII characters.
    pub fn read_operator_file(path: &Path) -> Result<Token, CliError> {
        let shown = path.display();
        let unreadable = |error: std::io::Error| {
            CliError::new(format!("cannot read the token file `{shown}`")).cause(error.to_string())
        };
        let before = std::fs::symlink_metadata(path).map_err(unreadable)?;
        if before.file_type().is_symlink() {
            return Err(CliError::new(format!("the token file `{shown}` is a symbolic link"))
                .hint("give the path of the file itself, so nobody can point the link elsewhere"));
        }
        if !before.file_type().is_file() {
            return Err(CliError::new(format!("the token file `{shown}` is not a regular file")));
        }
        let mode = before.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(CliError::new(format!(
                "the token file `{shown}` can be read or written by others (mode {mode:04o}); it must be 0600"
            ))
            .hint(format!("run `chmod 600 {shown}`")));
        }
        // Opened without blocking: a FIFO swapped in after the check above is not waited on.
        let (mut file, _) = crate::bounded::open(path, crate::bounded::Links::Refuse)
            .map_err(|error| CliError::new(format!("cannot read the token file `{shown}`")).cause(error.to_string()))?;
        // The file opened must be the one checked: no swap for a link in between.
        let opened = file.metadata().map_err(unreadable)?;
        if (opened.dev(), opened.ino()) != (before.dev(), before.ino()) {
            return Err(CliError::new(format!("the token file `{shown}` changed while it was read")));
        }
        let mut text = String::new();
        (&mut file).take(MAX_OPERATOR_TOKEN as u64 + 2).read_to_string(&mut text).map_err(unreadable)?;
        let token = text.strip_suffix('\n').unwrap_or(&text);
        let token = token.strip_suffix('\r').unwrap_or(token);
        let hint = format!(
            "put one line of {MIN_OPERATOR_TOKEN} to {MAX_OPERATOR_TOKEN} visible ASCII characters in it, e.g. `openssl rand -hex 32`"
        );
        if token.len() < MIN_OPERATOR_TOKEN || token.len() > MAX_OPERATOR_TOKEN {
            return Err(CliError::new(format!(
                "the token in `{shown}` must be at least {MIN_OPERATOR_TOKEN} and at most {MAX_OPERATOR_TOKEN} characters"
            ))
            .hint(hint));
        }
        if !token.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(
                CliError::new(format!("the token in `{shown}` has spaces, control or non-ASCII characters")).hint(hint)
            );
        }
        Ok(Token(token.to_string()))
    }

    /// The token, for the one line that shows it and the file that keeps it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this token, in time that depends on the length only (the
    /// length is no secret: generated tokens all have the same one).
    pub fn matches(&self, candidate: &[u8]) -> bool {
        constant_time_eq(self.0.as_bytes(), candidate)
    }
}

/// Equality of two byte strings without an early exit on the first difference.
fn constant_time_eq(expected: &[u8], candidate: &[u8]) -> bool {
    if expected.len() != candidate.len() {
        return false;
    }
    let difference = expected.iter().zip(candidate).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    // Keep the optimiser from turning the fold back into an early-exit comparison.
    std::hint::black_box(difference) == 0
}

/// A generated token's file, removed when this is dropped (the server stopping, an error, a
/// panic unwinding, Ctrl-C or SIGTERM). Only a fatal signal (SIGKILL, a hangup) leaves it
/// behind, and the next server on the port replaces it.
#[derive(Debug)]
pub struct TokenFile {
    path: PathBuf,
}

impl TokenFile {
    /// Where token files go: `$XDG_RUNTIME_DIR/todo-ai` (a per-user tmpfs), else the state
    /// directory (`$XDG_STATE_HOME/todo-ai`).
    pub fn directory() -> Result<PathBuf, CliError> {
        let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).filter(|path| path.is_absolute());
        runtime.map(|path| path.join("todo-ai")).or_else(crate::settings::state_dir).ok_or_else(|| {
            CliError::new("no directory for the MCP token file")
                .hint("set `XDG_RUNTIME_DIR` or `HOME`, or give a token with `--token-file PATH`")
        })
    }

    /// Writes `token` to `directory/mcp-PORT.token`, mode 0600, the directory created 0700.
    /// The file is created new (`O_EXCL`, which never follows a link); a stale file or link
    /// left there is unlinked (the link itself, never its target) and the creation retried.
    pub fn create(directory: &Path, port: u16, token: &Token) -> Result<TokenFile, CliError> {
        let failed = |what: &str, path: &Path, error: std::io::Error| {
            CliError::new(format!("cannot {what} `{}`", path.display()))
                .cause(error.to_string())
                .hint("give a token with `--token-file PATH` instead")
        };
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(directory)
            .map_err(|error| failed("create the token directory", directory, error))?;
        let metadata = std::fs::symlink_metadata(directory)
            .map_err(|error| failed("read the token directory", directory, error))?;
        if !metadata.file_type().is_dir() || metadata.permissions().mode() & 0o022 != 0 {
            return Err(CliError::new(format!(
                "the token directory `{}` is a link, not a directory, or others can write to it",
                directory.display()
            ))
            .hint("remove it (todo-ai creates it 0700), or give a token with `--token-file PATH`"));
        }
        let path = directory.join(format!("mcp-{port}.token"));
        let open = || std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path);
        let mut file = match open() {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&path).map_err(|error| failed("replace the stale token file", &path, error))?;
                open()
            }
            other => other,
        }
        .map_err(|error| failed("create the token file", &path, error))?;
        // From here on the guard owns the file: any failure below removes it.
        let guard = TokenFile { path };
        writeln!(file, "{}", token.expose()).map_err(|error| failed("write the token file", &guard.path, error))?;
        Ok(guard)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TokenFile {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %error, "could not remove the MCP token file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_long_random_and_masked() {
        let first = Token::generate().unwrap();
        let second = Token::generate().unwrap();
        assert_eq!(first.expose().len(), 64);
        assert!(first.expose().bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(first, second);
        assert_eq!(format!("{first:?}"), crate::redact::MASK);
    }

    #[test]
    fn matching_is_exact() {
        let token = Token("a".repeat(40));
        assert!(token.matches("a".repeat(40).as_bytes()));
        for other in ["a".repeat(39), "a".repeat(41), format!("{}b", "a".repeat(39)), String::new()] {
            assert!(!token.matches(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn the_file_is_private_replaces_links_and_goes_away() {
        let home = tempfile::tempdir().unwrap();
        let directory = home.path().join("run/todo-ai");
        let token = Token::generate().unwrap();
        let file = TokenFile::create(&directory, 8383, &token).unwrap();
        let path = file.path().to_path_buf();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&directory).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{}\n", token.expose()));
        drop(file);
        assert!(!path.exists());

        let target = home.path().join("target.txt");
        std::fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let file = TokenFile::create(&directory, 8383, &token).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(std::fs::symlink_metadata(file.path()).unwrap().file_type().is_file());
    }

    #[test]
    fn operator_files_are_checked() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("token");
        let write = |text: &str, mode: u32| {
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        let good = "Zx8".repeat(12);
        write(&format!("{good}\r\n"), 0o600);
        assert_eq!(Token::read_operator_file(&path).unwrap().expose(), good);
        write(&format!("{good}\n"), 0o400);
        assert!(Token::read_operator_file(&path).is_ok());
        write(&format!("{good}\n"), 0o640);
        assert!(Token::read_operator_file(&path).unwrap_err().message.contains("mode 0640"));
        write("short\n", 0o600);
        assert!(Token::read_operator_file(&path).unwrap_err().message.contains("at least 32"));
        write(&format!("{good} {good}\n"), 0o600);
        assert!(Token::read_operator_file(&path).unwrap_err().message.contains("spaces"));
        write(&"x".repeat(MAX_OPERATOR_TOKEN + 100), 0o600);
        assert!(Token::read_operator_file(&path).is_err());
        let error = Token::read_operator_file(home.path()).unwrap_err();
        assert!(error.message.contains("not a regular file"), "{error:?}");
    }
}
