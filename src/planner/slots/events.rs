//! `events`: optionally a target, and whether to show warnings only ("warnings",
//! `--field-selector type=Warning`).

use serde_json::json;

use super::{Built, Fill};
use crate::planner::lexicon::WARNING_WORDS;

/// Fills `events`: `warnings_only` when asked, and `target` (one step per target) when named.
pub(super) fn events(mut fill: Fill<'_>) -> Built {
    let warnings = fill.words.iter().any(|w| WARNING_WORDS.contains(w))
        || fill
            .flag(&["field-selector"])
            .is_some_and(|(_, v)| v.is_some_and(|v| v.to_ascii_lowercase().contains("warning")));
    if warnings {
        fill.args.insert("warnings_only".into(), json!(true));
    }
    fill.cluster_wide_target()
}
