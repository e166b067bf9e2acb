//! `autoscale`: a deployment, the most replicas (required), the fewest and a CPU target, from
//! flags (`--min`, `--max`, `--cpu-percent`), a range ("between 2 and 10"), a percentage
//! ("at 70%") or marked numbers ("max 10", "up to 20", "70 cpu").

use serde_json::json;

use super::{Built, Fill};

/// Fills `autoscale`: `deployment` (one step per target), `max`, and `min` / `cpu_percent`
/// when given.
pub(super) fn autoscale(mut fill: Fill<'_>) -> Built {
    let mut min = fill.flag(&["min"]).and_then(|(_, v)| v.and_then(|v| v.parse::<i64>().ok()));
    let mut max = fill.flag(&["max"]).and_then(|(_, v)| v.and_then(|v| v.parse::<i64>().ok()));
    let mut cpu = fill
        .flag(&["cpu-percent", "cpu"])
        .and_then(|(_, v)| v.and_then(|v| v.trim_end_matches('%').parse::<i64>().ok()));
    let numbers = &mut fill.numbers;
    if let Some((low, high)) = numbers.range() {
        min = min.or(Some(low));
        max = max.or(Some(high));
    }
    cpu = cpu
        .or_else(|| numbers.percent())
        .or_else(|| numbers.after(&["cpu", "utilization", "utilisation"]))
        .or_else(|| numbers.before(&["cpu"]));
    min = min
        .or_else(|| numbers.after(&["min", "minimum", "least", "floor"]))
        .or_else(|| numbers.before(&["min", "minimum"]));
    max = max
        .or_else(|| numbers.after(&["max", "maximum", "most", "upto", "up-to", "limit", "cap", "ceiling"]))
        .or_else(|| numbers.after_pair("up", "to"))
        .or_else(|| numbers.before(&["max", "maximum"]));
    if max.is_none() {
        max = numbers.first();
    }
    if min.is_none() && max.is_some() {
        min = numbers.first();
    }
    let targets = fill.targets();
    if targets.is_empty() {
        return Built::Clarify(
            "Which deployment should I autoscale? (e.g. `autoscale backend between 2 and 10 at 70% cpu`)".into(),
        );
    }
    let Some(max) = max else {
        return Built::Clarify(format!(
            "What is the most replicas `{}` may scale to? (e.g. `autoscale {} max 10`)",
            targets[0], targets[0]
        ));
    };
    if let Some(min) = min {
        fill.args.insert("min".into(), json!(min));
    }
    fill.args.insert("max".into(), json!(max));
    if let Some(cpu) = cpu {
        fill.args.insert("cpu_percent".into(), json!(cpu));
    }
    fill.per_target("deployment", targets)
}
