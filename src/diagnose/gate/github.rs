//! GitHub Actions annotations (`GITHUB_ACTIONS=true`): one workflow command per finding,
//! `::error title=CODE::message` for critical, `::warning` and `::notice` below. Against a
//! baseline only new findings are annotated (the unchanged ones were accepted before).
//!
//! Escaping follows the runner's rules: in the message `%`, `\r` and `\n` become `%25`,
//! `%0D` and `%0A`; in a property value `:` and `,` also become `%3A` and `%2C`. Control
//! characters are replaced first, so cluster text cannot inject a workflow command.

use super::{Gated, Status};
use crate::diagnose::Severity;

/// Whether annotations are wanted (`GITHUB_ACTIONS=true`).
pub fn enabled() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|value| value == "true")
}

/// Replaces control characters other than `\n` and `\r`.
fn sanitize(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' && c != '\r' { '\u{FFFD}' } else { c }).collect()
}

/// Escapes a command's message.
pub fn escape_data(text: &str) -> String {
    sanitize(text).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command's property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation lines, one per finding annotated, each ending in a newline.
pub fn annotations(gated: &Gated) -> String {
    let mut out = String::new();
    for (index, finding) in gated.report.findings.iter().enumerate() {
        if gated.statuses.is_some() && gated.status(index) != Status::New {
            continue;
        }
        let command = match finding.severity {
            Severity::Critical => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let namespace = if finding.object.namespace.is_empty() {
            String::new()
        } else {
            format!(" in namespace {}", finding.object.namespace)
        };
        let mut message = format!("{}{namespace}: {}", finding.object.display(), finding.message);
        for fix in &finding.fix {
            message.push_str(&format!("\nfix: {fix}"));
        }
        out.push_str(&format!(
            "::{command} title={}::{}\n",
            escape_property(&format!("{} {}", finding.code, finding.object.display())),
            escape_data(&message)
        ));
    }
    out
}
