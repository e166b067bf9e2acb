//! `status` and `diagnose`: read-only looks at the whole namespace, or at the targets named
//! ("status of the backend", "why is the frontend crashing?"). Neither needs a target, so
//! neither ever asks for one.

use super::{Built, Fill};

/// Fills `status` or `diagnose`: `target` (one step per target) when named, else one step.
pub(super) fn status_or_diagnose(fill: Fill<'_>) -> Built {
    fill.optional_target()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::planner::offline::steps;

    #[test]
    fn reads_take_a_target_only_when_one_is_named() {
        assert_eq!(steps("show status"), vec![("status".into(), json!({}))]);
        assert_eq!(
            steps("why is the frontend crashing in staging?"),
            vec![("diagnose".into(), json!({"target": "frontend", "namespace": "staging"}))]
        );
    }
}
