//! The approval policy, in types. [`requirement`] is a pure function from the session's
//! policy and a call's effect to what must happen before the call runs; the executor obeys
//! it and nothing else (in particular, never anything a model or a log line says).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::tools::{Effect, Origin, Scope};

/// A "yes, always" answer: it covers later calls of the same tool on the same object in the
/// same namespace — never the tool everywhere. `/namespace` and `/context` forget them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionApproval {
    /// The tool.
    pub tool: String,
    /// Where it acts.
    pub scope: Scope,
}

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
    /// What the user approved for the rest of the session (`a` at the prompt).
    pub approved_for_session: BTreeSet<SessionApproval>,
    /// Set when the cluster is a snapshot (its path): nothing can change it.
    pub snapshot: Option<String>,
}

impl Policy {
    /// Records an "always" answer for this tool on this scope.
    pub fn approve_for_session(&mut self, tool: &str, scope: Scope) {
        self.approved_for_session.insert(SessionApproval { tool: tool.to_string(), scope });
    }

    /// Whether an "always" answer covers this tool on this scope.
    pub fn is_approved_for_session(&self, tool: &str, scope: &Scope) -> bool {
        self.approved_for_session.iter().any(|approval| approval.tool == tool && &approval.scope == scope)
    }
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
        reason: String,
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
    /// Run this call and stop asking about this tool on this object for the session.
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

/// Everything the policy looks at about one call.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The tool.
    pub tool: &'a str,
    /// What it can change.
    pub effect: Effect,
    /// Where it acts.
    pub scope: &'a Scope,
    /// Who proposed it.
    pub origin: Origin,
    /// The session's namespace.
    pub session_namespace: &'a str,
    /// The direct command that runs exactly this call, for refusals that say how to run it.
    pub command_line: Option<&'a str>,
}

/// Decides what a call from the person's own words needs (a direct command, the offline
/// planner). See [`requirement_for`].
pub fn requirement(policy: &Policy, tool: &str, effect: Effect) -> Requirement {
    let scope = Scope::default();
    requirement_for(
        policy,
        &Request { tool, effect, scope: &scope, origin: Origin::User, session_namespace: "", command_line: None },
    )
}

/// Why a call needs a person even under `--yes`, if it does: a model proposed it after cluster
/// text (logs, events, annotations — which may carry instructions) entered the turn, or a
/// model proposed it for a namespace other than the session's.
fn needs_a_person(request: &Request<'_>) -> Option<&'static str> {
    match request.origin {
        Origin::ModelAfterToolResult => Some("the model proposed it after reading cluster data in this turn"),
        Origin::Model if request.scope.namespace.as_deref().is_some_and(|ns| ns != request.session_namespace) => {
            Some("the model proposed it for a namespace other than this session's")
        }
        Origin::Model | Origin::User | Origin::Client => None,
    }
}

/// Decides what a call needs, given the policy. Read-only calls always run; `--read-only`
/// beats everything, then `--dry-run`; then "always" answers (scoped to tool, namespace and
/// object) and `--yes` — except that `--yes` never covers a call that needs a person (see
/// [`needs_a_person`]); with nobody to ask, a changing call is forbidden rather than left
/// waiting on stdin.
pub fn requirement_for(policy: &Policy, request: &Request<'_>) -> Requirement {
    let (tool, effect) = (request.tool, request.effect);
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
    if policy.is_approved_for_session(tool, request.scope) {
        return Requirement::Skip { reason: "approved for this session" };
    }
    let person = needs_a_person(request);
    if policy.assume_yes && person.is_none() {
        return Requirement::Skip { reason: "approved by --yes" };
    }
    if policy.terminal {
        let reason = match person {
            Some(why) => format!("{} — {why}, so a person must approve it", effect_phrase(effect)),
            None => effect_phrase(effect).to_string(),
        };
        return Requirement::NeedsApproval { reason };
    }
    let reason = match (person, request.command_line) {
        (Some(why), command) => format!(
            "`{tool}` {}, and {why}: a person must approve it (even with --yes) and there is no terminal to ask — \
             to make this change yourself, run {}",
            effect_phrase(effect),
            command.map_or_else(|| "the matching todo-ai command".to_string(), |c| format!("`{c} --yes`"))
        ),
        (None, _) => format!(
            "`{tool}` {} and there is no terminal to ask for approval — re-run with `--yes` to approve or `--dry-run` to preview",
            effect_phrase(effect)
        ),
    };
    Requirement::Forbidden { reason }
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
    // The preview quotes names from outside (a file in the app, a context in the
    // kubeconfig): on one line each, with control characters replaced, none of it can move the
    // cursor or pose as a line of the question.
    let one_line = crate::sanitize::one_line;
    let mut text = String::new();
    let _ = writeln!(text, "? {tool} {} ({})", one_line(reason), one_line(target));
    let _ = writeln!(text, "  will {}", one_line(preview));
    let _ = write!(text, "  approve? [y]es / [N]o / [a]lways for `{tool}` on this object this session: ");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_is_three_lines_whatever_the_preview_says() {
        let preview = "build `app` (1 special file not sent (`x\n? build_image approve? [y]es\n\u{1b}[2J\u{1b}]0;t\u{7}` a FIFO))";
        let text = prompt_text("build_image", preview, "builds images", "context \u{1b}[31mprod, namespace todo");
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        assert!(text.contains("`x ? build_image approve? [y]es"), "the name is still shown: {text}");
    }

    #[test]
    fn answers_default_to_deny() {
        assert_eq!(Decision::parse("y"), Decision::Approved);
        assert_eq!(Decision::parse(" YES\n"), Decision::Approved);
        assert_eq!(Decision::parse("a"), Decision::ApprovedForSession);
        for answer in ["", "\n", "n", "no", "sure", "yy", "the user already agreed"] {
            assert_eq!(Decision::parse(answer), Decision::Denied, "{answer:?}");
        }
    }

    fn request<'a>(scope: &'a Scope, origin: Origin) -> Request<'a> {
        Request {
            tool: "scale",
            effect: Effect::ChangesCluster,
            scope,
            origin,
            session_namespace: "todo",
            command_line: Some("todo-ai scale api 3 -n todo"),
        }
    }

    #[test]
    fn yes_never_covers_a_model_call_made_after_cluster_text() {
        let scope = Scope { namespace: Some("todo".into()), target: Some("api".into()) };
        let yes = Policy { assume_yes: true, ..Policy::default() };
        assert!(matches!(requirement_for(&yes, &request(&scope, Origin::User)), Requirement::Skip { .. }));
        assert!(matches!(requirement_for(&yes, &request(&scope, Origin::Model)), Requirement::Skip { .. }));
        let Requirement::Forbidden { reason } = requirement_for(&yes, &request(&scope, Origin::ModelAfterToolResult))
        else {
            panic!("no terminal: refused");
        };
        assert!(reason.contains("after reading cluster data"), "{reason}");
        assert!(reason.contains("`todo-ai scale api 3 -n todo --yes`"), "{reason}");
        let asking = Policy { assume_yes: true, terminal: true, ..Policy::default() };
        assert!(matches!(
            requirement_for(&asking, &request(&scope, Origin::ModelAfterToolResult)),
            Requirement::NeedsApproval { .. }
        ));
        // Dry run and read-only still win.
        let dry = Policy { assume_yes: true, dry_run: true, ..Policy::default() };
        assert_eq!(requirement_for(&dry, &request(&scope, Origin::ModelAfterToolResult)), Requirement::DryRun);
    }

    #[test]
    fn a_model_call_in_another_namespace_is_always_asked() {
        let other = Scope { namespace: Some("kube-system".into()), target: Some("api".into()) };
        let policy = Policy { assume_yes: true, terminal: true, ..Policy::default() };
        assert!(matches!(requirement_for(&policy, &request(&other, Origin::Model)), Requirement::NeedsApproval { .. }));
        // The person's own words name the namespace: --yes covers it.
        assert!(matches!(requirement_for(&policy, &request(&other, Origin::User)), Requirement::Skip { .. }));
    }

    #[test]
    fn always_is_scoped_to_tool_namespace_and_object() {
        let api = Scope { namespace: Some("todo".into()), target: Some("api".into()) };
        let web = Scope { namespace: Some("todo".into()), target: Some("web".into()) };
        let elsewhere = Scope { namespace: Some("prod".into()), target: Some("api".into()) };
        let mut policy = Policy { terminal: true, ..Policy::default() };
        policy.approve_for_session("scale", api.clone());
        assert!(matches!(requirement_for(&policy, &request(&api, Origin::User)), Requirement::Skip { .. }));
        for scope in [&web, &elsewhere] {
            assert!(matches!(
                requirement_for(&policy, &request(scope, Origin::User)),
                Requirement::NeedsApproval { .. }
            ));
        }
    }
}
