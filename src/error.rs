//! One exit-code policy and one error shape for the whole CLI: `error: …`, then
//! `  caused by: …`, then a blank line and `hint: …`, on stderr.

use std::fmt;
use std::process::ExitCode;

use crate::tools::ToolError;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done (0).
    Success,
    /// Refused, denied, nothing planned, or problems found (1).
    Failure,
    /// Something went wrong (2).
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }

    /// The worse of two statuses.
    pub fn max(self, other: ExitStatus) -> ExitStatus {
        if other.code() > self.code() { other } else { self }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

/// An error for the user: one line, an optional cause and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// What went wrong, one line, no trailing period.
    pub message: String,
    /// The underlying cause.
    pub cause: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// The exit status (2 unless it is a refusal).
    pub status: ExitStatus,
}

impl CliError {
    /// An error (exit 2).
    pub fn new(message: impl Into<String>) -> CliError {
        CliError { message: message.into(), cause: None, hint: None, status: ExitStatus::Error }
    }

    /// A refusal (exit 1).
    pub fn refused(message: impl Into<String>) -> CliError {
        CliError { status: ExitStatus::Failure, ..CliError::new(message) }
    }

    /// Adds the cause.
    pub fn cause(mut self, cause: impl Into<String>) -> CliError {
        self.cause = Some(cause.into());
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    /// The full rendering for stderr.
    ///
    /// Messages often quote text from outside (a server's error, a file name, a log line), so
    /// control characters are replaced, the message is kept to one line and the cause's further
    /// lines are indented: an error can never rewrite the terminal, and a server cannot add an
    /// `error:` or `hint:` line of its own.
    pub fn render(&self) -> String {
        let mut text = format!("error: {}\n", crate::sanitize::one_line(&self.message));
        if let Some(cause) = &self.cause {
            // A cause may quote several lines of a program's output; each further line is
            // indented, so none can pass for an `error:` or `hint:` line.
            let cause = crate::sanitize::terminal(cause);
            let mut lines = cause.lines();
            text.push_str(&format!("  caused by: {}\n", lines.next().unwrap_or_default()));
            for line in lines {
                let indent = if line.starts_with([' ', '\t']) { "" } else { "    " };
                text.push_str(&format!("{indent}{line}\n"));
            }
        }
        if let Some(hint) = &self.hint {
            text.push_str(&format!("\nhint: {}\n", crate::sanitize::terminal(hint)));
        }
        text
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The innermost cause of an error, as one line: transport errors nest the useful part
/// ("Connection refused (os error 111)") several sources deep.
pub fn root_cause(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text = inner.to_string();
        source = inner.source();
    }
    text
}

impl From<ToolError> for CliError {
    fn from(error: ToolError) -> CliError {
        let status = match error {
            ToolError::InvalidArguments { .. } | ToolError::Invalid { .. } => ExitStatus::Failure,
            ToolError::UnknownTool { .. }
            | ToolError::Cluster(_)
            | ToolError::Docker(_)
            | ToolError::Helm(_)
            | ToolError::Cancelled { .. }
            | ToolError::Failed { .. } => ExitStatus::Error,
        };
        let hint = error.hint();
        let cause = error.cause().map(|cause| crate::redact::text(&cause));
        let message = crate::redact::text(&error.to_string());
        CliError { message, cause, hint, status }
    }
}

impl From<crate::cluster::ClusterError> for CliError {
    fn from(error: crate::cluster::ClusterError) -> CliError {
        let hint = error.hint();
        CliError { message: crate::redact::text(&error.to_string()), cause: None, hint, status: ExitStatus::Error }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_error_cause_hint() {
        let error = CliError::new("cannot reach the cluster")
            .cause("connection refused")
            .hint("check `kubectl config current-context`");
        assert_eq!(
            error.render(),
            "error: cannot reach the cluster\n  caused by: connection refused\n\nhint: check `kubectl config current-context`\n"
        );
        assert_eq!(CliError::new("x").status.code(), 2);
        assert_eq!(CliError::refused("x").status.code(), 1);
    }

    #[test]
    fn worst_status_wins() {
        assert_eq!(ExitStatus::Success.max(ExitStatus::Failure), ExitStatus::Failure);
        assert_eq!(ExitStatus::Error.max(ExitStatus::Failure), ExitStatus::Error);
    }
}
