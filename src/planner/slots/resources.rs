//! `set_resources`: a deployment and its new requests and/or limits, from flags
//! (`--memory-limit 1Gi`, `--cpu-request 250m`, kubectl's `--limits=cpu=1,memory=512Mi`) or
//! from words: an amount (`2Gi`, `512Mi`, `250m`, "2 cores") read with the resource and the
//! kind named before it ("memory request 512Mi, limit 1Gi"). A memory unit says memory, `m`
//! or "cores" says CPU. An amount named as neither a request nor a limit is a limit: the most
//! the container may use, which is what "give it more memory" changes.

use serde_json::{Map, Value, json};

use super::{Built, Fill};
use crate::planner::lexicon::{CPU_WORDS, LIMIT_WORDS, MEMORY_WORDS, REQUEST_WORDS};
use crate::planner::shapes::{Resource, quantity};
use crate::planner::text::Kind;

/// Where an amount goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Requests,
    Limits,
}

fn key(resource: Resource) -> &'static str {
    match resource {
        Resource::Cpu => "cpu",
        Resource::Memory => "memory",
    }
}

/// Fills `set_resources`: `deployment` (one step per target), `requests` and `limits`.
pub(super) fn set_resources(mut fill: Fill<'_>) -> Built {
    let mut requests = Map::new();
    let mut limits = Map::new();
    let mut put = |slot: Slot, resource: Resource, amount: String| {
        let map = if slot == Slot::Requests { &mut requests } else { &mut limits };
        map.entry(key(resource)).or_insert(Value::String(amount));
    };
    let tokens = fill.tokens;
    // Flags first: they say exactly what is meant.
    for (index, token) in tokens.iter().enumerate() {
        let Kind::Flag { name, value: Some(value) } = &token.kind else { continue };
        let flagged = match name.as_str() {
            "cpu-request" => Some((Slot::Requests, Resource::Cpu)),
            "memory-request" | "mem-request" => Some((Slot::Requests, Resource::Memory)),
            "cpu-limit" => Some((Slot::Limits, Resource::Cpu)),
            "memory-limit" | "mem-limit" => Some((Slot::Limits, Resource::Memory)),
            _ => None,
        };
        if let Some((slot, resource)) = flagged {
            put(slot, resource, value.clone());
            fill.used[index] = true;
            continue;
        }
        // kubectl: `--limits=cpu=1,memory=512Mi`.
        let slot = match name.as_str() {
            "limits" => Slot::Limits,
            "requests" => Slot::Requests,
            _ => continue,
        };
        for pair in value.split(',') {
            match pair.split_once('=') {
                Some(("cpu", amount)) => put(slot, Resource::Cpu, amount.to_string()),
                Some(("memory", amount)) => put(slot, Resource::Memory, amount.to_string()),
                _ => {}
            }
        }
        fill.used[index] = true;
    }
    // Words: the kind and the resource last named apply to the next amount.
    let mut slot = None;
    let mut resource = None;
    for (index, token) in tokens.iter().enumerate() {
        if fill.used[index] {
            continue;
        }
        let word = token.lower.as_str();
        let next = tokens.get(index + 1).map(|t| t.lower.as_str()).unwrap_or_default();
        if token.is_word() {
            if LIMIT_WORDS.contains(&word) {
                slot = Some(Slot::Limits);
            } else if REQUEST_WORDS.contains(&word) {
                slot = Some(Slot::Requests);
            } else if MEMORY_WORDS.contains(&word) {
                resource = Some(Resource::Memory);
            } else if CPU_WORDS.contains(&word) {
                resource = Some(Resource::Cpu);
            }
        }
        let amount = match &token.kind {
            Kind::Word => match quantity(&token.raw) {
                Some(found) => Some(found),
                // "1.5 cores", "0.5 cpu".
                None if is_decimal(&token.raw) && CPU_WORDS.contains(&next) => Some((Resource::Cpu, token.raw.clone())),
                None => None,
            },
            // "2 cores", "cpu limit 2": a count of CPUs.
            Kind::Number(count) if *count > 0 && (CPU_WORDS.contains(&next) || resource == Some(Resource::Cpu)) => {
                Some((Resource::Cpu, count.to_string()))
            }
            _ => None,
        };
        if let Some((measured, amount)) = amount {
            put(slot.unwrap_or(Slot::Limits), measured, amount);
            fill.used[index] = true;
            resource = Some(measured);
        }
    }
    let targets = fill.targets();
    if targets.is_empty() {
        return Built::Clarify(
            "Which deployment's resources should I change? (e.g. `set the memory limit of backend to 1Gi`)".into(),
        );
    }
    if requests.is_empty() && limits.is_empty() {
        return Built::Clarify(format!(
            "What should `{}` get? Name the amount with its unit (e.g. `memory limit 1Gi`, `cpu request 250m`)",
            targets[0]
        ));
    }
    if !requests.is_empty() {
        fill.args.insert("requests".into(), Value::Object(requests));
    }
    if !limits.is_empty() {
        fill.args.insert("limits".into(), json!(limits));
    }
    fill.per_target("deployment", targets)
}

/// `1.5`, `0.25`: a decimal number (the tokenizer reads only whole numbers).
fn is_decimal(raw: &str) -> bool {
    raw.split_once('.').is_some_and(|(whole, part)| {
        !whole.is_empty()
            && !part.is_empty()
            && whole.chars().all(|c| c.is_ascii_digit())
            && part.chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::planner::offline::{plan, steps};

    #[test]
    fn amounts_go_where_their_words_say() {
        assert_eq!(
            steps("raise the memory limit of web to 2Gi"),
            vec![("set_resources".into(), json!({"deployment": "web", "limits": {"memory": "2Gi"}}))]
        );
        assert_eq!(
            steps("set cpu request 250m and memory request 256Mi on worker"),
            vec![(
                "set_resources".into(),
                json!({"deployment": "worker", "requests": {"cpu": "250m", "memory": "256Mi"}})
            )]
        );
        // The kind carries over a comma; the unit says the resource.
        assert_eq!(
            steps("queue: memory request 300Mi, limit 600Mi"),
            vec![(
                "set_resources".into(),
                json!({"deployment": "queue", "requests": {"memory": "300Mi"}, "limits": {"memory": "600Mi"}})
            )]
        );
        assert_eq!(
            steps("give the importer 2 cores"),
            vec![("set_resources".into(), json!({"deployment": "importer", "limits": {"cpu": "2"}}))]
        );
        assert_eq!(
            steps("set-resources mailer --memory-limit 1Gi --cpu-request 100m -n ops"),
            vec![(
                "set_resources".into(),
                json!({"deployment": "mailer", "limits": {"memory": "1Gi"}, "requests": {"cpu": "100m"}, "namespace": "ops"})
            )]
        );
        assert_eq!(
            steps("kubectl set resources deployment/cache --limits=cpu=1,memory=512Mi"),
            vec![("set_resources".into(), json!({"deployment": "cache", "limits": {"cpu": "1", "memory": "512Mi"}}))]
        );
    }

    #[test]
    fn resources_without_an_amount_or_a_change_are_not_set() {
        // A question about the limit, and an autoscaler's CPU target, are not new amounts.
        assert_ne!(
            steps("what is the memory limit of web?").first().map(|s| s.0.clone()),
            Some("set_resources".into())
        );
        assert_eq!(steps("autoscale web between 2 and 6 at 70% cpu")[0].0, "autoscale");
        assert!(plan("raise the memory limit of web").clarify.is_some());
    }
}
