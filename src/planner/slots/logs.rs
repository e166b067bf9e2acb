//! `logs`: a pod or deployment (or a `-l` selector), and how much to show: the previous
//! container ("before it crashed", `-p`), a line count ("last 50 lines", `--tail`) and a time
//! window ("since 2h", "from the last 15 minutes", `--since=10m`).

use serde_json::json;

use super::{Built, Fill};
use crate::planner::text::Kind;

/// Fills `logs`: `target` (one step per target, or the selector), and `previous`, `since`
/// and `tail` when asked for.
pub(super) fn logs(mut fill: Fill<'_>) -> Built {
    let previous = fill.flag(&["p", "previous"]).is_some()
        || fill.words.iter().any(|w| matches!(*w, "previous" | "prev" | "prior" | "crashed" | "died" | "dead"))
        || fill.has_word("before")
            && fill.words.iter().any(|w| {
                w.starts_with("crash")
                    || w.starts_with("restart")
                    || w.starts_with("die")
                    || w.starts_with("oom")
                    || *w == "exited"
                    || *w == "killed"
            })
        || fill.has_word("last") && fill.words.iter().any(|w| matches!(*w, "crash" | "restart" | "run"));
    let tail = fill
        .flag(&["tail"])
        .and_then(|(_, v)| v.and_then(|v| v.parse::<i64>().ok()))
        .or_else(|| fill.numbers.after(&["last", "tail", "latest", "recent", "final"]))
        .or_else(|| fill.numbers.before(&["lines", "line"]))
        .or_else(|| fill.numbers.first());
    let selector = fill.flag(&["l", "selector"]).and_then(|(_, v)| v.map(str::to_string));
    // `--since=10m`, "since 2h", "from the last 15 minutes".
    let since = fill.flag(&["since"]).and_then(|(_, v)| v.map(str::to_string)).or_else(|| {
        fill.tokens.windows(2).find_map(|pair| match (&pair[0].kind, pair[1].lower.as_str()) {
            (Kind::Number(n), "minutes" | "minute" | "mins" | "min") if *n > 0 => Some(format!("{n}m")),
            (Kind::Number(n), "hours" | "hour" | "hrs" | "hr") if *n > 0 => Some(format!("{n}h")),
            (Kind::Number(n), "seconds" | "second" | "secs" | "sec") if *n > 0 => Some(format!("{n}s")),
            (Kind::Number(n), "days" | "day") if *n > 0 => Some(format!("{n}d")),
            _ if pair[0].is("since") && crate::validate::duration("since", &pair[1].lower).is_ok() => {
                Some(pair[1].lower.clone())
            }
            _ => None,
        })
    });
    let mut targets = fill.targets();
    if let Some(selector) = selector {
        targets = vec![selector];
    }
    if targets.is_empty() {
        return Built::Clarify(
            "Logs of which pod or deployment? (e.g. `logs backend` or `logs backend --previous`)".into(),
        );
    }
    if previous {
        fill.args.insert("previous".into(), json!(true));
    }
    if let Some(since) = since {
        fill.args.insert("since".into(), json!(since));
    }
    let counts_time = ["minutes", "hours", "minute", "hour"].iter().any(|word| fill.has_word(word));
    if let Some(tail) = tail.filter(|_| !counts_time) {
        fill.args.insert("tail".into(), json!(tail));
    }
    fill.per_target("target", targets)
}
