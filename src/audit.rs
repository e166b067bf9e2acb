//! The audit log: one JSON line per changing call that reached the approval step (run,
//! dry-run, denied or forbidden), appended to `$XDG_STATE_HOME/todo-ai/audit.jsonl`. A call
//! that runs writes two lines with the same `id`: `started` before the change begins and its
//! outcome when it ends, so an interrupted change still leaves a record. Steps of one request
//! that belong together (a change and its automatic undo) share a `correlation` id.
//! Arguments are redacted before they are written.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

use crate::redact;

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "detail")]
pub enum Outcome {
    /// It was approved and is starting (a second line with the same `id` says how it ended).
    Started,
    /// It ran and succeeded.
    Ok,
    /// It ran as a dry run.
    DryRun,
    /// It ran and failed.
    Error(String),
    /// The person said no.
    Denied,
    /// The policy refused it.
    Forbidden(String),
    /// A guard's verdict on the change: kept, or rolled back and why.
    Verdict(String),
    /// `fix` proposed the call: the finding it fixes and why (before it is asked for).
    Proposed(String),
}

/// One audit line.
#[derive(Debug, Clone, Serialize)]
pub struct Entry<'a> {
    /// RFC 3339 UTC time.
    pub time: String,
    /// The call's id: the `started` line and the outcome line of one call share it.
    pub id: &'a str,
    /// Shared by the lines of calls that belong together (a change and its undo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation: Option<&'a str>,
    /// The kube context, when known.
    pub context: Option<&'a str>,
    /// The namespace the call targeted.
    pub namespace: &'a str,
    /// The tool.
    pub tool: &'a str,
    /// Its arguments, redacted.
    pub args: Value,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Where the audit log lives: `$XDG_STATE_HOME/todo-ai/audit.jsonl`, else
/// `~/.local/state/todo-ai/audit.jsonl`.
pub fn default_path() -> Option<PathBuf> {
    crate::settings::state_dir().map(|dir| dir.join("audit.jsonl"))
}

/// Appends one entry. The arguments are redacted here, whatever the caller did.
pub fn append(path: &Path, mut entry: Entry<'_>) -> std::io::Result<()> {
    redact::json(&mut entry.args);
    if let Outcome::Error(message)
    | Outcome::Forbidden(message)
    | Outcome::Verdict(message)
    | Outcome::Proposed(message) = &mut entry.outcome
    {
        *message = redact::text(message);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Never through a link planted in its place, never blocking on a FIFO.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("the audit log is not a regular file"));
    }
    // The log names what was changed where: an existing file readable by others is
    // narrowed to its owner, as a new one is created.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if metadata.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    // One write call per line keeps concurrent writers from interleaving within a line.
    file.write_all(line.as_bytes())
}

/// A new id for an audit entry: unique within this machine in practice (process id, time in
/// nanoseconds and a counter), short enough to read.
pub fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:x}-{:x}-{count:x}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

/// The current time as RFC 3339 UTC with seconds.
pub fn now_rfc3339() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    rfc3339(seconds)
}

/// A Unix time as RFC 3339 in UTC (`2026-12-02T14:05:00Z`).
pub(crate) fn rfc3339(unix_seconds: u64) -> String {
    let days = i64::try_from(unix_seconds / 86_400).unwrap_or(0);
    let rem = unix_seconds % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_320_000), "2026-11-22T04:00:00Z");
    }

    #[test]
    fn appends_redacted_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/audit.jsonl");
        for outcome in [Outcome::Ok, Outcome::Denied] {
            append(
                &path,
                Entry {
                    time: now_rfc3339(),
                    id: "test",
                    correlation: None,
                    context: Some("minikube"),
                    namespace: "todo",
                    tool: "helm_install",
                    args: serde_json::json!({"set": {"secrets.openaiApiKey": "sk-live-123456789012345"}}),
                    outcome,
                },
            )
            .unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "ok");
        assert_eq!(lines[1]["outcome"], "denied");
        assert_eq!(lines[0]["tool"], "helm_install");
        assert!(!text.contains("sk-live"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    fn entry() -> Entry<'static> {
        Entry {
            time: now_rfc3339(),
            id: "test",
            correlation: None,
            context: None,
            namespace: "todo",
            tool: "scale",
            args: serde_json::json!({"replicas": 3}),
            outcome: Outcome::Ok,
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_log_is_narrowed_to_its_owner_and_links_are_not_followed() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        append(&path, entry()).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

        // A link planted where the log goes: the file it names is not written.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "kept\n").unwrap();
        let link = dir.path().join("linked.jsonl");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(append(&link, entry()).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "kept\n");

        // A FIFO without a reader: refused at once, not waited on.
        let fifo = dir.path().join("fifo.jsonl");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        assert!(append(&fifo, entry()).is_err());
    }
}
