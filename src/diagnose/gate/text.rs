//! The text and Markdown reports with the gate: each finding marked `new`/`unchanged`
//! against a baseline, the baseline counts and resolved findings, the accepted count and
//! the expired ignore entries. Without a baseline or ignore file, the plain reports.

use super::{Gated, Status};
use crate::diagnose::render::{render_markdown_marked, render_text_marked};
use crate::sanitize::one_line;

fn marks(gated: &Gated) -> Vec<&'static str> {
    match &gated.statuses {
        Some(statuses) => statuses.iter().map(|status| status.name()).collect(),
        None => Vec::new(),
    }
}

/// The lines after the report: baseline counts, resolved findings, accepted and expired.
fn trailer(gated: &Gated, markdown: bool) -> String {
    let mut text = String::new();
    let bullet = if markdown { "- " } else { "  " };
    if gated.statuses.is_some() {
        text.push_str(&format!(
            "\n{}Against the baseline: {} new, {} unchanged, {} resolved\n",
            if markdown { "**" } else { "" },
            gated.count(Status::New),
            gated.count(Status::Unchanged),
            gated.resolved.len()
        ));
        if markdown {
            text = text.replacen("resolved\n", "resolved**\n", 1);
        }
        if !gated.resolved.is_empty() {
            text.push('\n');
        }
        for resolved in &gated.resolved {
            text.push_str(&format!(
                "{bullet}resolved: {} {} {} (namespace {}) — {}\n",
                one_line(&resolved.severity).to_uppercase(),
                one_line(&resolved.code),
                one_line(&resolved.object),
                one_line(&resolved.namespace),
                resolved.message
            ));
        }
    }
    if let Some(file) = &gated.ignore_file
        && gated.accepted > 0
    {
        text.push_str(&format!(
            "\n{} accepted finding{} hidden (see {file})\n",
            gated.accepted,
            if gated.accepted == 1 { "" } else { "s" }
        ));
    }
    for expired in &gated.expired {
        text.push_str(&format!(
            "{}ignore entry {} ({} {}) in {} expired on {}: it hides nothing now ({} finding{} shown again)\n",
            if markdown { "- " } else { "" },
            expired.entry,
            one_line(&expired.code),
            one_line(&expired.object),
            gated.ignore_file.as_deref().unwrap_or_default(),
            expired.expires,
            expired.matched,
            if expired.matched == 1 { "" } else { "s" }
        ));
    }
    text
}

/// The text report with the gate.
pub fn render_text(gated: &Gated, colour: bool) -> String {
    let mut text = render_text_marked(&gated.report, colour, &marks(gated));
    text.push_str(&trailer(gated, false));
    text
}

/// The Markdown report with the gate.
pub fn render_markdown(gated: &Gated) -> String {
    let mut text = render_markdown_marked(&gated.report, &marks(gated));
    text.push_str(&trailer(gated, true));
    text
}
