//! Rendering a report for people: text (root causes first, each with its evidence, fix and
//! the symptoms it explains; colour optional) and Markdown for CI comments and tickets.

use super::{Report, Severity};

/// The text report: root causes first, each with its evidence, fix and the symptoms it
/// explains. `colour` adds ANSI colour to severities.
pub fn render_text(report: &Report, colour: bool) -> String {
    render_text_marked(report, colour, &[])
}

/// The text report with a mark after each finding's heading (`[new]`), by index.
pub(crate) fn render_text_marked(report: &Report, colour: bool, marks: &[&str]) -> String {
    let paint = |severity: Severity| -> String {
        let label = severity.name().to_uppercase();
        if !colour {
            return label;
        }
        let code = match severity {
            Severity::Critical => "31;1",
            Severity::Warning => "33;1",
            Severity::Info => "36",
        };
        format!("\u{1b}[{code}m{label}\u{1b}[0m")
    };
    let mut text = String::new();
    let summary = &report.summary;
    if !summary.unchecked.is_empty() {
        text.push_str(&format!("not checked (no access): {}\n", summary.unchecked.join(", ")));
    }
    if report.findings.is_empty() {
        // Never "healthy" about what could not be read.
        let scope = if summary.unchecked.is_empty() { "" } else { " in what could be read" };
        text.push_str(&format!(
            "No problems found{scope} in namespace {} ({} objects checked).\n",
            summary.namespace, summary.objects_checked
        ));
        return text;
    }
    text.push_str(&format!(
        "Namespace {}: {} critical, {} warning, {} info ({} root cause{}, {} objects checked)\n",
        summary.namespace,
        summary.critical,
        summary.warning,
        summary.info,
        summary.root_causes,
        if summary.root_causes == 1 { "" } else { "s" },
        summary.objects_checked
    ));
    for (index, finding) in report.findings.iter().enumerate() {
        text.push('\n');
        let marker = if finding.root_cause { "root cause" } else { "symptom" };
        let mark = marks.get(index).map(|mark| format!(" [{mark}]")).unwrap_or_default();
        text.push_str(&format!(
            "{} {} {} ({marker}){mark}\n  {}\n",
            paint(finding.severity),
            finding.code,
            finding.object.display(),
            finding.message
        ));
        for line in &finding.evidence {
            text.push_str(&format!("  evidence: {line}\n"));
        }
        for line in &finding.fix {
            text.push_str(&format!("  fix: {line}\n"));
        }
        if !finding.related.is_empty() {
            text.push_str(&format!("  explains: {}\n", finding.related.join(", ")));
        }
        for remediation in &finding.remediations {
            text.push_str(&format!("  todo-ai can fix: {} — {}\n", call_line(remediation), remediation.reason));
        }
    }
    let fixable = report.findings.iter().filter(|f| !f.remediations.is_empty()).count();
    if fixable > 0 {
        text.push_str(&format!(
            "\nFixes todo-ai can apply: {fixable} finding{} above. Run `todo-ai fix [TARGET] -n {}` to review and apply them (each is shown and asked for first, then verified).\n",
            if fixable == 1 { " has one" } else { "s have one" },
            summary.namespace
        ));
    }
    text
}

/// A remediation's call on one line: `rollout_undo deployment=api revision=2`.
pub fn call_line(remediation: &super::remediate::Remediation) -> String {
    let mut line = remediation.tool.to_string();
    if let serde_json::Value::Object(args) = &remediation.args {
        for (key, value) in args {
            let value = match value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            line.push_str(&format!(" {key}={value}"));
        }
    }
    line
}

/// The Markdown report (for CI comments and tickets).
pub fn render_markdown(report: &Report) -> String {
    render_markdown_marked(report, &[])
}

/// The Markdown report with a mark after each finding's heading (`[new]`), by index.
pub(crate) fn render_markdown_marked(report: &Report, marks: &[&str]) -> String {
    let summary = &report.summary;
    let mut text = format!(
        "## todo-ai diagnose: namespace `{}`\n\n{} critical, {} warning, {} info\n",
        summary.namespace, summary.critical, summary.warning, summary.info
    );
    for (index, finding) in report.findings.iter().enumerate() {
        let mark = marks.get(index).map(|mark| format!(" ({mark})")).unwrap_or_default();
        text.push_str(&format!(
            "\n### {} `{}` — {}{mark}\n\n{}\n",
            finding.severity.name(),
            finding.object.display(),
            finding.code,
            finding.message
        ));
        for line in &finding.evidence {
            text.push_str(&format!("- evidence: `{line}`\n"));
        }
        for line in &finding.fix {
            text.push_str(&format!("- fix: {line}\n"));
        }
        if !finding.related.is_empty() {
            text.push_str(&format!("- explains: {}\n", finding.related.join(", ")));
        }
        for remediation in &finding.remediations {
            text.push_str(&format!("- todo-ai can fix: `{}` — {}\n", call_line(remediation), remediation.reason));
        }
    }
    text
}
