//! `rollout_restart`, `rollout_status` and `rollout_undo`: a deployment (required; "it"
//! refers back), and for undo the revision to go back to when one is named.

use serde_json::json;

use super::{Built, Fill};
use crate::planner::intents::Intent;

/// Fills `rollout_restart` or `rollout_status`: `deployment`, one step per target.
pub(super) fn restart_or_status(mut fill: Fill<'_>) -> Built {
    let targets = fill.targets();
    if targets.is_empty() {
        let restart = fill.intent == Intent::RolloutRestart;
        let verb = if restart { "restart" } else { "follow the rollout of" };
        return Built::Clarify(format!(
            "Which deployment should I {verb}? (e.g. `{} backend`)",
            if restart { "restart" } else { "rollout status" }
        ));
    }
    fill.per_target("deployment", targets)
}

/// Fills `rollout_undo`: `deployment` (one step per target) and `revision` when named.
pub(super) fn undo(mut fill: Fill<'_>) -> Built {
    if let Some(revision) = fill.revision() {
        fill.args.insert("revision".into(), json!(revision));
    }
    let targets = fill.targets();
    if targets.is_empty() {
        return Built::Clarify(
            "Which deployment should I roll back? (e.g. `rollback backend` or `rollback the helm release`)".into(),
        );
    }
    fill.per_target("deployment", targets)
}
