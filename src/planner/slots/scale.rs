//! `scale`: a deployment and a replica count (`--replicas=3`, "to 3", the top of "2-4").
//! "up by 2" is relative, and the planner cannot know the current count, so it asks.

use serde_json::json;

use super::{Built, Fill};

/// Fills `scale`: `deployment` (one step per target) and `replicas`.
pub(super) fn scale(mut fill: Fill<'_>) -> Built {
    // `i64::MIN` marks a relative change ("by 2"), which needs a question.
    let replicas = fill
        .flag(&["replicas"])
        .and_then(|(_, value)| value.and_then(|v| v.parse::<i64>().ok()))
        .or_else(|| fill.numbers.after(&["by"]).map(|_| i64::MIN))
        .or_else(|| fill.numbers.range().map(|(_, high)| high))
        .or_else(|| fill.numbers.first());
    let targets = fill.targets();
    match (targets.is_empty(), replicas) {
        (true, Some(replicas)) if replicas != i64::MIN => Built::Clarify(format!(
            "Which deployment should I scale to {replicas}? (e.g. `scale backend to {replicas}`)"
        )),
        (true, _) => Built::Clarify(
            "Which deployment should I scale, and to how many replicas? (e.g. `scale backend to 3`)".into(),
        ),
        (false, Some(i64::MIN)) => Built::Clarify(format!(
            "Relative scaling needs the current count: how many replicas in total should `{}` run?",
            targets.join("`, `")
        )),
        (false, None) => Built::Clarify(format!("How many replicas should `{}` run?", targets.join("`, `"))),
        (false, Some(replicas)) => {
            fill.args.insert("replicas".into(), json!(replicas));
            fill.per_target("deployment", targets)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::planner::offline::{plan, steps};

    #[test]
    fn scale_variants() {
        assert_eq!(
            steps("scale backend to 3"),
            vec![("scale".into(), json!({"deployment": "backend", "replicas": 3}))]
        );
        assert_eq!(
            steps("kubectl scale deployment/todo-frontend --replicas=3 -n web"),
            vec![("scale".into(), json!({"deployment": "todo-frontend", "replicas": 3, "namespace": "web"}))]
        );
        assert_eq!(
            steps("scale frontend to 2 and backend to 4"),
            vec![
                ("scale".into(), json!({"deployment": "frontend", "replicas": 2})),
                ("scale".into(), json!({"deployment": "backend", "replicas": 4})),
            ]
        );
        assert_eq!(steps("scale frontend and backend to five").len(), 2);
        assert!(plan("scale to 3").clarify.is_some());
        assert!(plan("scale backend up by 2").clarify.is_some());
    }
}
