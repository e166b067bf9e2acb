//! Running the few external programs todo-ai drives (helm, minikube, git, hadolint): found on
//! `PATH` by name, given argv only (never a shell), optionally fed stdin (how secrets reach
//! helm: never on a command line, never in a file), with their output captured and bounded.
//!
//! Every run has a timeout. Each program runs in its own process group, so a Ctrl-C at the
//! terminal reaches todo-ai only; todo-ai then interrupts the program itself (SIGINT to its
//! group) and waits for it to finish cleanly — `helm upgrade --atomic` rolls back on SIGINT,
//! whereas a killed helm leaves the release `pending-upgrade`. Only when the program does not
//! end within a grace period is it killed. A missing program is its own error so callers can
//! give an install hint.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// The most bytes of a program's stdout (and, separately, stderr) that are kept.
pub const MAX_OUTPUT: usize = 32 * 1024 * 1024;

/// How long a program has to end after it was interrupted, before it is killed.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(90);

/// The timeout of quick queries (`helm status`, `git rev-parse`, `minikube status`).
pub const QUICK: Duration = Duration::from_secs(60);

/// Why an external program could not be run, or did not finish.
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
    /// It did not finish in time; it was interrupted (and killed if it did not stop).
    #[error("`{program}` did not finish within {}s and was stopped", after.as_secs())]
    TimedOut {
        /// Its name.
        program: String,
        /// The timeout.
        after: Duration,
        /// What it printed until then.
        output: Output,
    },
    /// The user cancelled (Ctrl-C); the program was interrupted and waited for.
    #[error("`{program}` was interrupted (Ctrl-C)")]
    Interrupted {
        /// Its name.
        program: String,
        /// What it printed, including how it wound down.
        output: Output,
    },
}

/// How to run a program.
#[derive(Debug, Clone)]
pub struct Options {
    /// The longest it may run.
    pub timeout: Duration,
    /// Bytes for its stdin (closed after them); `None` gives it no stdin.
    pub stdin: Option<Vec<u8>>,
    /// Cancelled when the user presses Ctrl-C.
    pub cancel: Option<CancellationToken>,
    /// How long it may take to end once interrupted.
    pub grace: Duration,
}

impl Options {
    /// A run with this timeout, no stdin, no cancellation.
    pub fn timeout(timeout: Duration) -> Options {
        Options { timeout, stdin: None, cancel: None, grace: INTERRUPT_GRACE }
    }
}

/// Finds an executable on `PATH`, as a shell would; a name with a `/` in it is a path (as
/// a shell takes it too), used when it is executable.
pub fn find_program(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let path = PathBuf::from(name);
        return is_executable(&path).then_some(path);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|path| is_executable(path))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The timeout for external programs: `TODO_AI_EXEC_TIMEOUT` (seconds, 1–86400) when set and
/// valid, else `default`.
pub fn timeout_or(default: Duration) -> Duration {
    parse_timeout(std::env::var("TODO_AI_EXEC_TIMEOUT").ok().as_deref(), default)
}

/// A timeout in whole seconds from untrusted text: short, a number, 1–86400; else `default`.
fn parse_timeout(value: Option<&str>, default: Duration) -> Duration {
    value
        .filter(|value| value.len() <= 6)
        .and_then(|value| value.trim().parse::<u64>().ok())
        .filter(|seconds| (1..=86_400).contains(seconds))
        .map_or(default, Duration::from_secs)
}

/// Runs `program args…` to completion with piped output (stdin closed), within [`QUICK`].
pub async fn output<I, S>(program: &str, args: I) -> Result<Output, ExecError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(program, args, Options::timeout(timeout_or(QUICK))).await
}

/// Runs `program args…` under `options` (see the module documentation).
pub async fn run<I, S>(program: &str, args: I, options: Options) -> Result<Output, ExecError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let path = find_program(program).ok_or_else(|| ExecError::NotFound { program: program.to_string() })?;
    let spawn_error =
        |error: std::io::Error| ExecError::Spawn { program: program.to_string(), reason: error.to_string() };
    let mut child = tokio::process::Command::new(path)
        .args(args)
        .stdin(if options.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group: the terminal's Ctrl-C is todo-ai's to handle.
        .process_group(0)
        // If todo-ai itself is torn down mid-run, the program does not outlive it.
        .kill_on_drop(true)
        .spawn()
        .map_err(spawn_error)?;
    let pid = child.id();
    let stdout = tokio::spawn(read_bounded(child.stdout.take()));
    let stderr = tokio::spawn(read_bounded(child.stderr.take()));
    if let (Some(bytes), Some(mut pipe)) = (options.stdin, child.stdin.take()) {
        // A program that exits without reading its stdin closes the pipe: not our error.
        let _ = pipe.write_all(&bytes).await;
        drop(pipe);
    }
    let cancel = options.cancel.unwrap_or_default();
    let ended = tokio::select! {
        status = child.wait() => Ended::Exited(status),
        () = tokio::time::sleep(options.timeout) => Ended::TimedOut,
        () = cancel.cancelled() => Ended::Cancelled,
    };
    let status = match &ended {
        Ended::Exited(status) => status.as_ref().ok().copied(),
        Ended::TimedOut | Ended::Cancelled => stop(&mut child, pid, options.grace).await,
    };
    let collect = |handle: Result<Vec<u8>, tokio::task::JoinError>| handle.unwrap_or_default();
    let output = Output {
        status: status.unwrap_or_else(failed_status),
        stdout: collect(stdout.await),
        stderr: collect(stderr.await),
    };
    match ended {
        Ended::Exited(Ok(_)) => Ok(output),
        Ended::Exited(Err(error)) => Err(spawn_error(error)),
        Ended::TimedOut => Err(ExecError::TimedOut { program: program.to_string(), after: options.timeout, output }),
        Ended::Cancelled => Err(ExecError::Interrupted { program: program.to_string(), output }),
    }
}

enum Ended {
    Exited(std::io::Result<ExitStatus>),
    TimedOut,
    Cancelled,
}

/// Interrupts the program's process group and waits up to `grace` for it to end; kills it
/// if it does not. Returns its exit status when it could be read.
async fn stop(child: &mut tokio::process::Child, pid: Option<u32>, grace: Duration) -> Option<ExitStatus> {
    if let Some(group) = pid.and_then(|pid| i32::try_from(pid).ok()) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGINT);
    }
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(status) => status.ok(),
        Err(_) => {
            let _ = child.kill().await;
            child.wait().await.ok()
        }
    }
}

/// Reads a pipe to its end, keeping at most [`MAX_OUTPUT`] bytes (the rest is drained).
async fn read_bounded<R: AsyncRead + Unpin>(pipe: Option<R>) -> Vec<u8> {
    let Some(mut pipe) = pipe else { return Vec::new() };
    let mut kept = Vec::new();
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        match pipe.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                let room = MAX_OUTPUT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..read.min(room)]);
            }
        }
    }
    kept
}

fn failed_status() -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    ExitStatus::from_raw(1 << 8)
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

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    #[test]
    fn finds_programs_and_reports_missing_ones() {
        assert!(find_program("sh").is_some());
        assert!(find_program("todo-ai-no-such-program").is_none());
        // A path is taken as it is (a user-given command such as `./lab.sh`), when executable.
        assert_eq!(find_program("/bin/sh"), Some(PathBuf::from("/bin/sh")));
        assert!(find_program("/etc/passwd").is_none());
        assert!(find_program("./todo-ai-no-such-program").is_none());
        let runtime = runtime();
        let error = runtime.block_on(output("todo-ai-no-such-program", ["x"])).unwrap_err();
        assert!(matches!(error, ExecError::NotFound { .. }), "{error}");
        let out = runtime.block_on(output("sh", ["-c", "echo one; echo two >&2; exit 3"])).unwrap();
        assert_eq!(last_line(&out), "two");
    }

    #[test]
    fn stdin_reaches_the_program_and_no_file_is_needed() {
        let options = Options { stdin: Some(b"secret: x\n".to_vec()), ..Options::timeout(Duration::from_secs(10)) };
        let out = runtime().block_on(run("sh", ["-c", "cat"], options)).unwrap();
        assert_eq!(out.stdout, b"secret: x\n");
    }

    #[test]
    fn a_program_that_hangs_is_stopped_at_its_timeout() {
        let options = Options { grace: Duration::from_secs(5), ..Options::timeout(Duration::from_millis(200)) };
        let error = runtime().block_on(run("sh", ["-c", "sleep 30"], options)).unwrap_err();
        assert!(matches!(error, ExecError::TimedOut { .. }), "{error}");
        assert!(error.to_string().contains("did not finish within 0s"), "{error}");
    }

    #[test]
    fn cancelling_interrupts_the_program_and_waits_for_it() {
        let cancel = CancellationToken::new();
        let options = Options { cancel: Some(cancel.clone()), ..Options::timeout(Duration::from_secs(20)) };
        let script = "trap 'echo rolled back; exit 130' INT; echo started; while :; do sleep 0.1; done";
        let runtime = runtime();
        let error = runtime.block_on(async {
            let run = run("sh", ["-c", script], options);
            let cancel_later = async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                cancel.cancel();
            };
            let (result, ()) = tokio::join!(run, cancel_later);
            result.unwrap_err()
        });
        let ExecError::Interrupted { output, .. } = error else { panic!("{error}") };
        // It got SIGINT and wound down itself (not killed).
        assert_eq!(String::from_utf8_lossy(&output.stdout), "started\nrolled back\n");
        assert_eq!(output.status.code(), Some(130));
    }

    #[test]
    fn timeouts_from_the_environment_are_bounded() {
        let default = Duration::from_secs(7);
        assert_eq!(parse_timeout(Some("30"), default), Duration::from_secs(30));
        for bad in ["0", "-1", "86401", "9999999999", "1e3", "", "ten"] {
            assert_eq!(parse_timeout(Some(bad), default), default, "{bad}");
        }
        assert_eq!(parse_timeout(None, default), default);
    }
}
