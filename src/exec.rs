//! Running the few external programs todo-ai drives (git, minikube, later helm): found on
//! `PATH` by name, given argv only (never a shell), with their output captured. A missing
//! program is its own error so callers can give an install hint.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Why an external program could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The program is not on `PATH`.
    #[error("`{program}` is not installed (not found on PATH)")]
    NotFound {
        /// Its name.
        program: String,
    },
    /// It could not be started.
    #[error("cannot run `{program}`: {reason}")]
    Spawn {
        /// Its name.
        program: String,
        /// The OS error.
        reason: String,
    },
}

/// Finds an executable on `PATH`, as a shell would.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|path| is_executable(path))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Runs `program args…` to completion with piped output (stdin closed).
pub async fn output<I, S>(program: &str, args: I) -> Result<Output, ExecError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let path = find_program(program).ok_or_else(|| ExecError::NotFound { program: program.to_string() })?;
    tokio::process::Command::new(path)
        .args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|error| ExecError::Spawn { program: program.to_string(), reason: error.to_string() })
}

/// The most useful line of a failed program's stderr (else stdout): the last non-empty one.
pub fn last_line(output: &Output) -> String {
    [&output.stderr, &output.stdout]
        .iter()
        .find_map(|bytes| {
            String::from_utf8_lossy(bytes).lines().map(str::trim).rfind(|line| !line.is_empty()).map(str::to_string)
        })
        .unwrap_or_else(|| format!("exited with {}", output.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_programs_and_reports_missing_ones() {
        assert!(find_program("sh").is_some());
        assert!(find_program("todo-ai-no-such-program").is_none());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let error = runtime.block_on(output("todo-ai-no-such-program", ["x"])).unwrap_err();
        assert!(matches!(error, ExecError::NotFound { .. }), "{error}");
        let out = runtime.block_on(output("sh", ["-c", "echo one; echo two >&2; exit 3"])).unwrap();
        assert_eq!(last_line(&out), "two");
    }
}
