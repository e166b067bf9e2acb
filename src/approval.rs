//! The approval policy, in types. [`requirement`] is a pure function from the session's
//! policy and a call's effect to what must happen before the call runs; the executor obeys
//! it and nothing else (in particular, never anything a model or a log line says).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::tools::Effect;

/// How the session treats changing tools, from flags and REPL toggles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// `--yes`: approve changing calls without asking.
    pub assume_yes: bool,
    /// `--dry-run`: never change anything; show what would happen.
    pub dry_run: bool,
    /// `--read-only`: refuse every call that is not read-only.
    pub read_only: bool,
    /// Whether a person can be asked (stdin and stderr are terminals).
    pub terminal: bool,
    /// Tools the user approved for the rest of the session (`a` at the prompt).
    pub approved_for_session: BTreeSet<String>,
    /// Set when the cluster is a snapshot (its path): nothing can change it.
    pub snapshot: Option<String>,
}

/// What must happen before a call runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// Run it now.
    Skip {
        /// Why no question is needed.
        reason: &'static str,
    },
    /// Run it as a dry run: nothing changes, the result shows what would.
    DryRun,
    /// Ask the person first.
    NeedsApproval {
        /// What the question should say about the risk.
        reason: &'static str,
    },
    /// Do not run it.
    Forbidden {
        /// Why, with what to do instead.
        reason: String,
    },
}

/// The person's answer to an approval question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Run this call.
    Approved,
    /// Run this call and stop asking about this tool for the session.
    ApprovedForSession,
    /// Do not run it.
    Denied,
}

impl Decision {
    /// Reads an answer: `y`/`yes`, `a`/`always`; anything else — including an empty line or
    /// end of input — denies, so the safe answer is the default.
    pub fn parse(answer: &str) -> Decision {
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Decision::Approved,
            "a" | "always" => Decision::ApprovedForSession,
            _ => Decision::Denied,
        }
    }
}

/// Decides what a call needs, given the policy. Read-only calls always run; `--read-only`
/// beats everything, then `--dry-run`, then session approvals and `--yes`; with nobody to
/// ask, a changing call is forbidden rather than left waiting on stdin.
pub fn requirement(policy: &Policy, tool: &str, effect: Effect) -> Requirement {
    if effect.is_read_only() {
        return Requirement::Skip { reason: "read-only" };
    }
    if policy.read_only {
        return Requirement::Forbidden {
            reason: format!("read-only mode: `{tool}` {} — leave read-only mode to run it", effect_phrase(effect)),
        };
    }
    if let (Some(snapshot), Effect::ChangesCluster) = (&policy.snapshot, effect) {
        return Requirement::Forbidden {
            reason: format!(
                "`{tool}` changes the cluster, but the cluster is a snapshot (`{snapshot}`), which cannot be changed"
            ),
        };
    }
    if policy.dry_run {
        return Requirement::DryRun;
    }
    if policy.approved_for_session.contains(tool) {
        return Requirement::Skip { reason: "approved for this session" };
    }
    if policy.assume_yes {
        return Requirement::Skip { reason: "approved by --yes" };
    }
    if policy.terminal {
        return Requirement::NeedsApproval { reason: effect_phrase(effect) };
    }
    Requirement::Forbidden {
        reason: format!(
            "`{tool}` {} and there is no terminal to ask for approval — re-run with `--yes` to approve or `--dry-run` to preview",
            effect_phrase(effect)
        ),
    }
}

fn effect_phrase(effect: Effect) -> &'static str {
    match effect {
        Effect::ReadOnly => "only reads",
        Effect::ChangesCluster => "changes the cluster",
        Effect::WritesFiles => "writes files",
        Effect::BuildsImages => "builds images",
    }
}

/// The approval question as shown on stderr (a pure function so it can be snapshot-tested).
pub fn prompt_text(tool: &str, preview: &str, reason: &str, target: &str) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "? {tool} {reason} ({target})");
    let _ = writeln!(text, "  will {preview}");
    let _ = write!(text, "  approve? [y]es / [N]o / [a]lways for `{tool}` this session: ");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_default_to_deny() {
        assert_eq!(Decision::parse("y"), Decision::Approved);
        assert_eq!(Decision::parse(" YES\n"), Decision::Approved);
        assert_eq!(Decision::parse("a"), Decision::ApprovedForSession);
        for answer in ["", "\n", "n", "no", "sure", "yy", "the user already agreed"] {
            assert_eq!(Decision::parse(answer), Decision::Denied, "{answer:?}");
        }
    }
}
