//! `scale`: a deployment and a replica count (`--replicas=3`, "to 3", the top of "2-4"), or
//! a change relative to the current count (`change`): "up by 2", "down by one", "add 3
//! replicas", "one more replica", `-2`, "by 50%", "double", "halve", "cut in half". The tool
//! resolves a change against the live count when it prepares the call.

use serde_json::json;

use super::{Built, Fill};
use crate::planner::lexicon::{DOWN_WORDS, MULTIPLIER_WORDS};
use crate::planner::scope::takes_replicas_away;
use crate::planner::text::Kind;

/// A change relative to the current count, as the tool's `change` (`+2`, `-50%`).
fn relative_change(fill: &mut Fill<'_>) -> Option<String> {
    let words = &fill.words;
    let has = |word: &str| words.contains(&word);
    if let Some(percent) = words.iter().find_map(|w| MULTIPLIER_WORDS.iter().find(|(word, _)| word == w)) {
        return Some(format!("{:+}%", percent.1));
    }
    if has("half") && (has("in") || has("by")) {
        return Some("-50%".into());
    }
    // "remove two replicas", "take a pod off": a count taken away.
    let taken = (0..fill.tokens.len()).find(|&index| takes_replicas_away(fill.tokens, index));
    let down = taken.is_some() || words.iter().any(|w| DOWN_WORDS.contains(w));
    let sign = if down { "-" } else { "+" };
    // "to 3" is a count, whatever else the clause says ("scale down to 1").
    let absolute = fill
        .tokens
        .windows(2)
        .any(|pair| (pair[0].is("to") || pair[0].is("at")) && matches!(pair[1].kind, Kind::Number(_)));
    let by = fill.tokens.iter().position(|t| t.is("by"));
    let percent = fill.tokens.iter().enumerate().find_map(|(index, t)| match t.kind {
        Kind::Percent(value) if by.is_some_and(|by| by < index) || !absolute => Some(value),
        _ => None,
    });
    if let Some(percent) = percent {
        return Some(format!("{sign}{}%", percent.abs()));
    }
    if absolute {
        return None;
    }
    // "three times the replicas": a multiple of the current count.
    let times = fill.tokens.windows(2).find_map(|pair| match pair[0].kind {
        Kind::Number(value) if (2..=10).contains(&value) && pair[1].is("times") => Some(value),
        _ => None,
    });
    if let Some(times) = times {
        return Some(format!("+{}%", (times - 1) * 100));
    }
    if by.is_some()
        && let Some(amount) = fill.numbers.after(&["by"])
    {
        return Some(format!("{sign}{}", amount.abs()));
    }
    // "add 3 replicas", "one more replica", "2 fewer pods", "remove a replica".
    if let Some(index) = taken {
        let amount = match fill.tokens[index + 1].kind {
            Kind::Number(value) => value,
            _ => 1,
        };
        return Some(format!("-{}", amount.abs()));
    }
    let more = has("add") || has("more") || has("extra") || has("fewer") || has("less");
    if more && let Some(amount) = fill.numbers.first() {
        return Some(format!("{sign}{}", amount.abs()));
    }
    // `scale web -2`, `+2`
    fill.tokens.iter().find_map(|t| match t.kind {
        Kind::Number(value) if value < 0 => Some(value.to_string()),
        Kind::Word if t.raw.starts_with('+') && t.raw[1..].parse::<u32>().is_ok() => Some(t.raw.clone()),
        _ => None,
    })
}

/// Fills `scale`: `deployment` (one step per target) and `replicas` or `change`.
pub(super) fn scale(mut fill: Fill<'_>) -> Built {
    let flagged = fill.flag(&["replicas"]).and_then(|(_, value)| value.and_then(|v| v.parse::<i64>().ok()));
    let change = if flagged.is_some() { None } else { relative_change(&mut fill) };
    if let Some(change) = change {
        let targets = fill.targets();
        if targets.is_empty() {
            return Built::Clarify(format!("Which deployment should I scale by {change}? (e.g. `scale backend +2`)"));
        }
        fill.args.insert("change".into(), json!(change));
        return fill.per_target("deployment", targets);
    }
    let replicas = flagged.or_else(|| fill.numbers.range().map(|(_, high)| high)).or_else(|| fill.numbers.first());
    let targets = fill.targets();
    match (targets.is_empty(), replicas) {
        (true, Some(replicas)) => Built::Clarify(format!(
            "Which deployment should I scale to {replicas}? (e.g. `scale backend to {replicas}`)"
        )),
        (true, None) => Built::Clarify(
            "Which deployment should I scale, and to how many replicas? (e.g. `scale backend to 3`)".into(),
        ),
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
        assert_eq!(
            steps("scale backend up by 2"),
            vec![("scale".into(), json!({"deployment": "backend", "change": "+2"}))]
        );
        assert!(plan("scale it up by 2").clarify.is_some());
    }

    #[test]
    fn relative_changes() {
        let change = |prompt: &str| -> Option<String> {
            steps(prompt).first().and_then(|(_, args)| args["change"].as_str().map(str::to_string))
        };
        assert_eq!(change("double the worker").as_deref(), Some("+100%"));
        assert_eq!(change("halve the replicas of queue-reader").as_deref(), Some("-50%"));
        assert_eq!(change("grow frontend by 30%").as_deref(), Some("+30%"));
        assert_eq!(change("bring gateway down by 3").as_deref(), Some("-3"));
        assert_eq!(change("add two replicas to the mailer").as_deref(), Some("+2"));
        assert_eq!(change("scale ingest -1").as_deref(), Some("-1"));
        assert_eq!(change("give the mailer four times as many replicas").as_deref(), Some("+300%"));
        // Taking replicas away is a scale down, not a deletion.
        assert_eq!(change("remove 3 replicas from the mailer").as_deref(), Some("-3"));
        assert_eq!(change("take a replica off ingest").as_deref(), Some("-1"));
        assert_eq!(change("cut two pods from gateway").as_deref(), Some("-2"));
        assert!(plan("remove the mailer").refused);
        assert!(plan("remove 2 replicas from the mailer and delete ingest").refused);
        // "down to 1" is a count, not a change.
        assert_eq!(
            steps("scale ingest down to 1"),
            vec![("scale".into(), json!({"deployment": "ingest", "replicas": 1}))]
        );
    }
}
