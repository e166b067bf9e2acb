//! `status` and `diagnose`: read-only looks at the whole namespace, or at the targets named
//! ("status of the backend", "why is the frontend crashing?"). Neither needs a target, so
//! neither ever asks for one.

use serde_json::json;

use super::{Built, Fill};
use crate::planner::intents::Intent;
use crate::planner::lexicon::IMAGE_QUESTION_WORDS;

/// Fills `status` or `diagnose`: `target` (one step per target) when named, else one step;
/// every namespace when asked ("across all namespaces"), and for `status` the images when
/// the clause asks about images or versions.
pub(super) fn status_or_diagnose(mut fill: Fill<'_>) -> Built {
    if fill.intent == Intent::Status && fill.words.iter().any(|w| IMAGE_QUESTION_WORDS.contains(w)) {
        fill.args.insert("images".into(), json!(true));
    }
    fill.cluster_wide_target()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::planner::offline::steps;

    #[test]
    fn every_namespace_and_images_when_asked() {
        assert_eq!(
            steps("warnings across every namespace"),
            vec![("events".into(), json!({"warnings_only": true, "all_namespaces": true}))]
        );
        assert_eq!(steps("diagnose everything everywhere"), vec![("diagnose".into(), json!({"all_namespaces": true}))]);
        assert_eq!(
            steps("what version is the billing deployment on?"),
            vec![("status".into(), json!({"target": "billing", "images": true}))]
        );
    }

    #[test]
    fn reads_take_a_target_only_when_one_is_named() {
        assert_eq!(steps("show status"), vec![("status".into(), json!({}))]);
        assert_eq!(
            steps("why is the frontend crashing in staging?"),
            vec![("diagnose".into(), json!({"target": "frontend", "namespace": "staging"}))]
        );
    }
}
