//! The offline planner: deterministic rules from English (and kubectl/helm/docker syntax) to
//! tool calls. No model, no network, microseconds per prompt.
//!
//! How it reads a prompt:
//! 1. [`super::text::tokenize`] (called by the scope gate) gives words, numbers, ranges, flags and clause separators.
//! 2. The scope gate ([`scope::check`]) refuses anything outside the vetted tools (delete,
//!    exec, shell, secrets, RBAC …) for the whole prompt, so a mixed request never half-runs.
//! 3. The prompt splits into clauses at separators; each clause gets an intent from ordered
//!    keyword rules (with typo tolerance as a second try). A clause without an intent either
//!    adds targets to the previous one ("frontend and backend") or, if it carries its own
//!    values, repeats the previous intent ("frontend to 2 and backend to 4").
//! 4. Slots are filled per intent: targets, namespace, numbers, images, tags, values files,
//!    `--set` pairs. "it" refers to the previous clause's targets. A missing required slot
//!    turns the whole plan into a clarifying question.
//!
//! Ranges and name syntax are checked later by the registry, not here.

use serde_json::{Map, Value, json};

use super::clauses::{Clause, Role, clauses};
use super::intents::Intent;
use super::lexicon::*;
pub use super::scope::CAPABILITIES;
use super::scope::{self, InScope};
use super::shapes::{bare_word, image_candidate, is_name_like, is_path, is_values_file, looks_like_image, strip_kind};
use super::text::{Kind, Token};
use super::{Plan, Step};

// ---------------------------------------------------------------------------------------
// Entry point.

/// Plans a prompt: the scope gate ([`scope::check`]), then [`plan_in_scope`]. Pure and
/// deterministic: the same prompt always gives the same plan.
pub fn plan(prompt: &str) -> Plan {
    match scope::check(prompt) {
        Ok(in_scope) => plan_in_scope(in_scope),
        Err(plan) => plan,
    }
}

/// Plans a prompt that passed the scope gate, reading the tokens the gate already made.
pub fn plan_in_scope(in_scope: InScope<'_>) -> Plan {
    let tokens = in_scope.into_tokens();
    let clauses = match clauses(tokens) {
        Ok(clauses) => clauses,
        Err(plan) => return plan,
    };
    if clauses.is_empty() {
        return Plan::nothing(format!("I can't map that to a todo-ai tool. {CAPABILITIES}"));
    }
    // A namespace named once applies to every clause that names none.
    let prompt_namespace = clauses.iter().find_map(|clause| {
        namespace_of(&clause.tokens).or_else(|| namespace_of(&clause.context)).map(|found| found.name)
    });
    let acting = clauses.iter().any(|clause| clause.intent != Intent::Diagnose);
    let mut steps = Vec::new();
    let mut previous_targets: Vec<String> = Vec::new();
    for clause in &clauses {
        match build(clause, &previous_targets, prompt_namespace.as_deref()) {
            Built::Steps { steps: built, targets } => {
                // A stated symptom next to an action only explains it; its targets still
                // count for "it".
                if !(acting && clause.is_stated_symptom()) {
                    steps.extend(built);
                }
                if !targets.is_empty() {
                    previous_targets = targets;
                }
            }
            Built::Clarify(question) => return Plan::clarify(question),
        }
    }
    Plan { steps, ..Plan::default() }
}

// ---------------------------------------------------------------------------------------
// Slots.

enum Built {
    Steps { steps: Vec<Step>, targets: Vec<String> },
    Clarify(String),
}

struct FoundNamespace {
    name: String,
    /// Token indexes that spelled it, so they are not read as targets.
    used: Vec<usize>,
    /// Only "in X" said it: X may be an object's name instead.
    weak: bool,
}

fn namespace_of(tokens: &[Token]) -> Option<FoundNamespace> {
    for (index, token) in tokens.iter().enumerate() {
        if let Kind::Flag { name, value: Some(value) } = &token.kind
            && (name == "n" || name == "namespace")
        {
            return Some(FoundNamespace { name: value.to_lowercase(), used: vec![index], weak: false });
        }
        if token.is_word()
            && let Some(value) = token.lower.strip_prefix("namespace=").or_else(|| token.lower.strip_prefix("ns="))
        {
            return Some(FoundNamespace { name: value.to_string(), used: vec![index], weak: false });
        }
    }
    let name_at = |index: usize| -> Option<&Token> {
        tokens.get(index).filter(|t| {
            t.is_word() && is_name_like(&t.lower) && !NOISE.contains(t.lower.as_str()) && !t.lower.contains('/')
        })
    };
    for (index, token) in tokens.iter().enumerate() {
        if !token.is_word() {
            continue;
        }
        // "namespace todo", "ns todo"
        if matches!(token.lower.as_str(), "namespace" | "ns") {
            if let Some(next) = name_at(index + 1) {
                return Some(FoundNamespace { name: next.lower.clone(), used: vec![index, index + 1], weak: false });
            }
            // "the todo namespace"
            if index > 0
                && let Some(previous) = name_at(index - 1)
            {
                return Some(FoundNamespace {
                    name: previous.lower.clone(),
                    used: vec![index - 1, index],
                    weak: false,
                });
            }
        }
    }
    for (index, token) in tokens.iter().enumerate() {
        // "in staging", "in todo-app"; "on"/"to" only with an environment's name ("to prod").
        if token.is_word()
            && matches!(token.lower.as_str(), "in" | "on" | "within" | "inside" | "to" | "into")
            && let Some(next) = name_at(index + 1)
        {
            let environment = ENVIRONMENT_WORDS.contains(&next.lower.as_str());
            let loose = matches!(token.lower.as_str(), "in" | "within" | "inside");
            let plausible = environment || loose && !DEFAULT_COMPONENTS.contains(&next.lower.as_str());
            if plausible && !next.lower.contains('.') && !next.lower.contains(':') {
                return Some(FoundNamespace { name: next.lower.clone(), used: vec![index + 1], weak: !environment });
            }
        }
    }
    None
}

fn build(clause: &Clause, previous_targets: &[String], prompt_namespace: Option<&str>) -> Built {
    let tokens = &clause.tokens;
    let intent = clause.intent;
    let refs = Refs { previous: previous_targets, roles: &clause.roles, context: &clause.context };
    let mut used = vec![false; tokens.len()];
    let mut args = Map::new();
    let mut weak_namespace = None;

    if intent.takes_namespace() {
        if let Some(found) = namespace_of(tokens) {
            for index in &found.used {
                used[*index] = true;
            }
            if found.weak {
                weak_namespace = Some(found.name.clone());
            }
            args.insert("namespace".into(), json!(found.name));
        } else if let Some(name) = prompt_namespace {
            args.insert("namespace".into(), json!(name));
        }
    }

    let words: Vec<&str> = tokens.iter().filter(|t| t.is_word()).map(|t| t.lower.as_str()).collect();
    let has_word = |word: &str| words.contains(&word);
    let flag = |wanted: &[&str]| -> Option<(usize, Option<&str>)> {
        tokens.iter().enumerate().find_map(|(index, t)| match &t.kind {
            Kind::Flag { name, value } if wanted.contains(&name.as_str()) => Some((index, value.as_deref())),
            _ => None,
        })
    };
    let mut numbers = Numbers::new(tokens);

    match intent {
        Intent::Scale => {
            let replicas = flag(&["replicas"])
                .and_then(|(_, value)| value.and_then(|v| v.parse::<i64>().ok()))
                .or_else(|| numbers.after(&["by"]).map(|_| i64::MIN))
                .or_else(|| numbers.range().map(|(_, high)| high))
                .or_else(|| numbers.first());
            let targets = targets(tokens, &mut used, intent, &refs);
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
                    args.insert("replicas".into(), json!(replicas));
                    per_target(intent, "deployment", targets, &args)
                }
            }
        }
        Intent::Autoscale => {
            let mut min = flag(&["min"]).and_then(|(_, v)| v.and_then(|v| v.parse::<i64>().ok()));
            let mut max = flag(&["max"]).and_then(|(_, v)| v.and_then(|v| v.parse::<i64>().ok()));
            let mut cpu = flag(&["cpu-percent", "cpu"])
                .and_then(|(_, v)| v.and_then(|v| v.trim_end_matches('%').parse::<i64>().ok()));
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
            let targets = targets(tokens, &mut used, intent, &refs);
            if targets.is_empty() {
                return Built::Clarify(
                    "Which deployment should I autoscale? (e.g. `autoscale backend between 2 and 10 at 70% cpu`)"
                        .into(),
                );
            }
            let Some(max) = max else {
                return Built::Clarify(format!(
                    "What is the most replicas `{}` may scale to? (e.g. `autoscale {} max 10`)",
                    targets[0], targets[0]
                ));
            };
            if let Some(min) = min {
                args.insert("min".into(), json!(min));
            }
            args.insert("max".into(), json!(max));
            if let Some(cpu) = cpu {
                args.insert("cpu_percent".into(), json!(cpu));
            }
            per_target(intent, "deployment", targets, &args)
        }
        Intent::Logs => {
            let previous = flag(&["p", "previous"]).is_some()
                || words.iter().any(|w| matches!(*w, "previous" | "prev" | "prior" | "crashed" | "died" | "dead"))
                || has_word("before")
                    && words.iter().any(|w| {
                        w.starts_with("crash")
                            || w.starts_with("restart")
                            || w.starts_with("die")
                            || w.starts_with("oom")
                            || *w == "exited"
                            || *w == "killed"
                    })
                || has_word("last") && words.iter().any(|w| matches!(*w, "crash" | "restart" | "run"));
            let tail = flag(&["tail"])
                .and_then(|(_, v)| v.and_then(|v| v.parse::<i64>().ok()))
                .or_else(|| numbers.after(&["last", "tail", "latest", "recent", "final"]))
                .or_else(|| numbers.before(&["lines", "line"]))
                .or_else(|| numbers.first());
            let selector = flag(&["l", "selector"]).and_then(|(_, v)| v.map(str::to_string));
            // `--since=10m`, "since 2h", "from the last 15 minutes".
            let since = flag(&["since"]).and_then(|(_, v)| v.map(str::to_string)).or_else(|| {
                tokens.windows(2).find_map(|pair| match (&pair[0].kind, pair[1].lower.as_str()) {
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
            let mut targets = targets(tokens, &mut used, intent, &refs);
            if let Some(selector) = selector {
                targets = vec![selector];
            }
            if targets.is_empty() {
                return Built::Clarify(
                    "Logs of which pod or deployment? (e.g. `logs backend` or `logs backend --previous`)".into(),
                );
            }
            if previous {
                args.insert("previous".into(), json!(true));
            }
            if let Some(since) = since {
                args.insert("since".into(), json!(since));
            }
            if let Some(tail) =
                tail.filter(|_| !has_word("minutes") && !has_word("hours") && !has_word("minute") && !has_word("hour"))
            {
                args.insert("tail".into(), json!(tail));
            }
            per_target(intent, "target", targets, &args)
        }
        Intent::Events => {
            let warnings = words.iter().any(|w| WARNING_WORDS.contains(w))
                || flag(&["field-selector"])
                    .is_some_and(|(_, v)| v.is_some_and(|v| v.to_ascii_lowercase().contains("warning")));
            if warnings {
                args.insert("warnings_only".into(), json!(true));
            }
            optional_target(intent, tokens, &mut used, &refs, args)
        }
        Intent::Status | Intent::Diagnose => optional_target(intent, tokens, &mut used, &refs, args),
        Intent::RolloutRestart | Intent::RolloutStatus => {
            let targets = targets(tokens, &mut used, intent, &refs);
            if targets.is_empty() {
                let verb = if intent == Intent::RolloutRestart { "restart" } else { "follow the rollout of" };
                return Built::Clarify(format!(
                    "Which deployment should I {verb}? (e.g. `{} backend`)",
                    if intent == Intent::RolloutRestart { "restart" } else { "rollout status" }
                ));
            }
            per_target(intent, "deployment", targets, &args)
        }
        Intent::RolloutUndo => {
            if let Some(revision) = revision(tokens, &mut numbers) {
                args.insert("revision".into(), json!(revision));
            }
            let targets = targets(tokens, &mut used, intent, &refs);
            if targets.is_empty() {
                return Built::Clarify(
                    "Which deployment should I roll back? (e.g. `rollback backend` or `rollback the helm release`)"
                        .into(),
                );
            }
            per_target(intent, "deployment", targets, &args)
        }
        Intent::SetImage => set_image(tokens, &mut used, &refs, weak_namespace, args),
        Intent::HelmInstall => {
            helm_release(tokens, &mut used, &mut args);
            let mut values: Vec<String> = Vec::new();
            let mut pairs = Map::new();
            for (index, token) in tokens.iter().enumerate() {
                match &token.kind {
                    Kind::Flag { name, value: Some(value) } if name == "f" || name == "values" => {
                        values.push(value.clone())
                    }
                    Kind::Flag { name, value: Some(value) } if name == "set" || name == "set-string" => {
                        for pair in value.split(',') {
                            if let Some((key, value)) = pair.split_once('=') {
                                pairs.insert(key.to_string(), json!(value));
                            }
                        }
                    }
                    Kind::Word if is_values_file(&token.lower) => {
                        used[index] = true;
                        values.push(token.raw.clone());
                    }
                    Kind::Word => {
                        if let Some((key, value)) = token.raw.split_once('=')
                            && is_helm_key(key)
                            && !matches!(key.to_ascii_lowercase().as_str(), "namespace" | "ns")
                        {
                            used[index] = true;
                            pairs.insert(key.to_string(), json!(value));
                        }
                    }
                    _ => {}
                }
            }
            if !values.is_empty() {
                args.insert("values".into(), json!(values));
            }
            if !pairs.is_empty() {
                args.insert("set".into(), Value::Object(pairs));
            }
            single(intent, args, Vec::new())
        }
        Intent::HelmRollback => {
            helm_release(tokens, &mut used, &mut args);
            if let Some(revision) = revision(tokens, &mut numbers) {
                args.insert("revision".into(), json!(revision));
            }
            single(intent, args, Vec::new())
        }
        Intent::GenerateDockerfile => {
            let paths = paths(tokens, &mut used, intent, &refs);
            let steps = paths
                .iter()
                .map(|(path, index)| {
                    let mut args = args.clone();
                    args.insert("path".into(), json!(path));
                    if let Some(stack) = stack_for(tokens, *index) {
                        args.insert("stack".into(), json!(stack));
                    }
                    Step { tool: intent.tool().to_string(), args: Value::Object(args) }
                })
                .collect();
            Built::Steps { steps, targets: paths.into_iter().map(|(path, _)| path).collect() }
        }
        Intent::BuildImage => {
            let tag = flag(&["t", "tag"]).and_then(|(index, value)| {
                used[index] = true;
                value.map(str::to_string)
            });
            let tag = tag.or_else(|| {
                tokens.iter().enumerate().find_map(|(index, t)| {
                    let after_marker = index > 0
                        && matches!(tokens[index - 1].lower.as_str(), "as" | "tagged" | "tag" | "named" | "called");
                    let is_tag = t.is_word()
                        && (looks_like_image(&t.raw)
                            || after_marker
                                && crate::validate::image(&t.raw).is_ok()
                                && !NOISE.contains(t.lower.as_str()));
                    if is_tag && !is_path(&t.raw) {
                        used[index] = true;
                        Some(t.raw.clone())
                    } else {
                        None
                    }
                })
            });
            if let Some(tag) = tag {
                args.insert("tag".into(), json!(tag));
            }
            args.insert("minikube".into(), json!(has_word("minikube") || flag(&["minikube"]).is_some()));
            let paths = paths(tokens, &mut used, intent, &refs).into_iter().map(|(path, _)| path).collect();
            per_target(intent, "path", paths, &args)
        }
    }
}

/// The stack named for the target at `index`: the nearest stack word in the same part of
/// the clause ("the fastapi backend and the nextjs frontend"), else the clause's only one.
fn stack_for(tokens: &[Token], index: Option<usize>) -> Option<&'static str> {
    let stack_of = |t: &Token| {
        t.is_word().then(|| STACK_WORDS.iter().find(|(word, _)| *word == t.lower).map(|(_, stack)| *stack)).flatten()
    };
    let segment = |i: usize| tokens[..i].iter().filter(|t| t.kind == Kind::Separator).count();
    let found: Vec<(usize, &'static str)> =
        tokens.iter().enumerate().filter_map(|(i, t)| stack_of(t).map(|stack| (i, stack))).collect();
    if let Some(index) = index {
        let own = found
            .iter()
            .filter(|(i, _)| segment(*i) == segment(index))
            .min_by_key(|(i, _)| (usize::from(*i > index), i.abs_diff(index)));
        if let Some((_, stack)) = own {
            return Some(stack);
        }
    }
    let mut distinct: Vec<&str> = found.iter().map(|(_, stack)| *stack).collect();
    distinct.dedup();
    if distinct.len() == 1 { distinct.first().copied() } else { None }
}

fn revision(tokens: &[Token], numbers: &mut Numbers) -> Option<i64> {
    tokens
        .iter()
        .find_map(|t| match &t.kind {
            Kind::Flag { name, value: Some(value) } if name == "to-revision" || name == "revision" => {
                value.parse().ok()
            }
            _ => None,
        })
        .or_else(|| numbers.after(&["revision", "rev", "version", "v"]))
        .or_else(|| numbers.first())
}

fn helm_release(tokens: &[Token], used: &mut [bool], args: &mut Map<String, Value>) {
    let helm_syntax = tokens
        .windows(2)
        .any(|pair| pair[0].is("helm") && matches!(pair[1].lower.as_str(), "install" | "upgrade" | "rollback"));
    let candidate = |index: usize| {
        tokens.get(index).filter(|t| {
            t.is_word()
                && is_name_like(&t.lower)
                && !NOISE.contains(t.lower.as_str())
                && !is_path(&t.raw)
                && !t.raw.contains('=')
                && !is_values_file(&t.lower)
        })
    };
    let mut found = None;
    for (index, token) in tokens.iter().enumerate() {
        if !token.is_word() {
            continue;
        }
        let after_verb = helm_syntax && matches!(token.lower.as_str(), "install" | "upgrade" | "rollback");
        if after_verb || matches!(token.lower.as_str(), "release" | "named" | "called") {
            // Skip flags between the verb and the name (`helm upgrade --install todo`).
            let mut next = index + 1;
            while tokens.get(next).is_some_and(|t| matches!(t.kind, Kind::Flag { .. })) {
                next += 1;
            }
            if let Some(name) = candidate(next) {
                found = Some((next, name.lower.clone()));
                break;
            }
        }
        if token.lower == "release"
            && index > 0
            && let Some(name) = candidate(index - 1)
        {
            found = Some((index - 1, name.lower.clone()));
            break;
        }
    }
    if let Some((index, name)) = found {
        used[index] = true;
        args.insert("release".into(), json!(name));
    }
}

fn set_image(
    tokens: &[Token],
    used: &mut [bool],
    refs: &Refs,
    weak_namespace: Option<String>,
    mut args: Map<String, Value>,
) -> Built {
    let mut image = None;
    let mut container = tokens.iter().find_map(|t| match &t.kind {
        Kind::Flag { name, value: Some(value) } if name == "c" || name == "container" => Some(value.to_lowercase()),
        _ => None,
    });
    for (index, token) in tokens.iter().enumerate() {
        if !token.is_word() {
            continue;
        }
        // kubectl's `container=image`.
        if let Some((name, value)) = token.raw.split_once('=')
            && let Some(candidate) = image_candidate(value).filter(|_| is_name_like(name))
        {
            container = Some(name.to_lowercase());
            image = Some(candidate);
            used[index] = true;
            break;
        }
        let after_marker = index > 0 && matches!(tokens[index - 1].lower.as_str(), "image" | "to");
        let mentions_image = tokens.iter().any(|t| t.is("image"));
        let candidate = image_candidate(&token.raw);
        if looks_like_image(&token.raw)
            || after_marker && mentions_image && !NOISE.contains(token.lower.as_str()) && candidate.is_some()
        {
            image = candidate;
            used[index] = true;
            break;
        }
    }
    // "container web" / "the web container".
    let mut named_container = None;
    for (index, token) in tokens.iter().enumerate() {
        let names_container = index > 0 && tokens[index - 1].is("container")
            || tokens.get(index + 1).is_some_and(|next| next.is("container"));
        if names_container && token.is_word() && !used[index] && !NOISE.contains(token.lower.as_str()) {
            named_container = Some(token.lower.clone());
            used[index] = true;
        }
    }
    let mut targets = targets(tokens, used, Intent::SetImage, &Refs { previous: &[], ..*refs });
    if targets.is_empty() {
        if let Some(deployment) = weak_namespace {
            // "the backend container in todo-backend": "in X" named the deployment.
            args.remove("namespace");
            targets = vec![deployment];
        } else if let Some(name) = named_container.take() {
            // "set the frontend container's image …": the container names the deployment.
            targets = vec![name];
        } else {
            targets = refs.previous.to_vec();
        }
    }
    container = container.or(named_container);
    let Some(image) = image else {
        let who = targets.first().map_or_else(|| "the deployment".to_string(), |t| format!("`{t}`"));
        return Built::Clarify(format!(
            "Which image should {who} run? (e.g. `set image backend to ghcr.io/acme/todo-backend:1.2`)"
        ));
    };
    if targets.is_empty() {
        return Built::Clarify(format!("Which deployment should run `{image}`? (e.g. `set image backend to {image}`)"));
    }
    args.insert("image".into(), json!(image));
    if let Some(container) = container {
        args.insert("container".into(), json!(container));
    }
    per_target(Intent::SetImage, "deployment", targets, &args)
}

fn optional_target(
    intent: Intent,
    tokens: &[Token],
    used: &mut [bool],
    refs: &Refs,
    args: Map<String, Value>,
) -> Built {
    let targets = targets(tokens, used, intent, refs);
    if targets.is_empty() { single(intent, args, Vec::new()) } else { per_target(intent, "target", targets, &args) }
}

fn single(intent: Intent, args: Map<String, Value>, targets: Vec<String>) -> Built {
    Built::Steps { steps: vec![Step { tool: intent.tool().to_string(), args: Value::Object(args) }], targets }
}

fn per_target(intent: Intent, key: &str, targets: Vec<String>, args: &Map<String, Value>) -> Built {
    let steps = targets
        .iter()
        .map(|target| {
            let mut args = args.clone();
            args.insert(key.to_string(), json!(target));
            Step { tool: intent.tool().to_string(), args: Value::Object(args) }
        })
        .collect();
    Built::Steps { steps, targets }
}

/// What a target search may use besides the clause's own words.
#[derive(Clone, Copy)]
struct Refs<'a> {
    /// The previous clause's targets, for "it" and for a missing required target.
    previous: &'a [String],
    /// The role of each part of the clause.
    roles: &'a [Role],
    /// Context sentences before the request.
    context: &'a [Token],
}

/// A candidate this good is a name even outside the clause's main part.
const STRONG_CANDIDATE: i32 = 4;

/// Targets named in a clause, in order: the best-scoring candidate of the clause's main part,
/// plus clearly named ones from later parts ("… and the backend"). A pronoun or a missing
/// required target refers back to the previous clause, then to a clear name in the context.
fn targets(tokens: &[Token], used: &mut [bool], intent: Intent, refs: &Refs) -> Vec<String> {
    targets_at(tokens, used, intent, refs).into_iter().map(|(name, _)| name).collect()
}

/// [`targets`] with the index of each name's token (`None` when referred back).
fn targets_at(tokens: &[Token], used: &mut [bool], intent: Intent, refs: &Refs) -> Vec<(String, Option<usize>)> {
    let parts = refs.roles.len().max(1);
    let mut best: Vec<Option<(i32, usize, String)>> = vec![None; parts];
    let mut pronoun = false;
    let mut part = 0usize;
    for (index, token) in tokens.iter().enumerate() {
        if token.kind == Kind::Separator {
            part = (part + 1).min(parts - 1);
            continue;
        }
        if used[index] || !token.is_word() {
            continue;
        }
        let word = bare_word(&token.lower);
        if PRONOUNS.contains(&word) {
            pronoun = true;
            continue;
        }
        let Some(name) = candidate_name(word, intent) else { continue };
        let score = candidate_score(tokens, index, name, word);
        if best[part].as_ref().is_none_or(|(existing, _, _)| score > *existing) {
            best[part] = Some((score, index, name.to_string()));
        }
    }
    let mut found: Vec<(String, Option<usize>)> = Vec::new();
    for (part, candidate) in best.into_iter().enumerate() {
        let Some((score, index, name)) = candidate else { continue };
        let role = refs.roles.get(part).copied().unwrap_or(Role::Follower);
        let accept = role == Role::Primary || score >= STRONG_CANDIDATE || is_list_item(tokens, index);
        if accept && !found.iter().any(|(existing, _)| *existing == name) {
            used[index] = true;
            found.push((name, Some(index)));
        }
    }
    let required = matches!(
        intent,
        Intent::Scale
            | Intent::Logs
            | Intent::RolloutRestart
            | Intent::RolloutUndo
            | Intent::RolloutStatus
            | Intent::SetImage
            | Intent::Autoscale
    );
    if found.is_empty() && (pronoun || required) {
        if !refs.previous.is_empty() {
            return refs.previous.iter().map(|name| (name.clone(), None)).collect();
        }
        // "the frontend's behaviour is off after the config change, just restart it"
        let from_context = refs
            .context
            .iter()
            .enumerate()
            .filter(|(_, t)| t.is_word())
            .filter_map(|(index, t)| {
                let word = bare_word(&t.lower);
                let name = candidate_name(word, intent)?;
                Some((candidate_score(refs.context, index, name, word), name.to_string()))
            })
            .filter(|(score, _)| *score >= STRONG_CANDIDATE)
            .max_by_key(|(score, _)| *score);
        if let Some((_, name)) = from_context {
            return vec![(name, None)];
        }
    }
    found
}

/// The name a word would stand for as a target, if it can be one.
fn candidate_name(word: &str, intent: Intent) -> Option<&str> {
    let name = strip_kind(word);
    let prefixed = name != word;
    let selector = name.contains('=') && intent == Intent::Logs;
    let plausible = is_name_like(name)
        && name.len() >= 2
        && !looks_like_image(name)
        && !is_values_file(name)
        && (!name.contains('=') || selector)
        && (prefixed || !NOISE.contains(name));
    plausible.then_some(name)
}

/// How likely a word is the target, from its shape and position.
fn candidate_score(tokens: &[Token], index: usize, name: &str, word: &str) -> i32 {
    let mut score = 1;
    if name != word {
        score += 5;
    }
    if COMPONENT_WORDS.contains(&name) {
        score += 4;
    }
    let has_digit = name.chars().any(|c| c.is_ascii_digit());
    if name.contains(['-', '_', '.']) || has_digit && name.chars().any(|c| c.is_ascii_alphabetic()) {
        score += 3;
    }
    if tokens.get(index + 1).is_some_and(|next| next.is_word() && KIND_NOUNS.contains(&bare_word(&next.lower))) {
        score += 3;
    }
    let previous = tokens[..index].iter().rev().find(|t| !(t.is_word() && DETERMINERS.contains(&t.lower.as_str())));
    if previous.is_some_and(|t| {
        t.is_word()
            && (matches!(t.lower.as_str(), "of" | "for" | "on" | "about" | "from")
                || INTENT_VOCABULARY.binary_search(&t.lower.as_str()).is_ok())
    }) {
        score += 2;
    }
    score
}

/// Whether the word at `index` stands alone in its part ("and the backend", "payments too").
fn is_list_item(tokens: &[Token], index: usize) -> bool {
    let start = tokens[..index].iter().rposition(|t| t.kind == Kind::Separator).map_or(0, |i| i + 1);
    let end = tokens[index..].iter().position(|t| t.kind == Kind::Separator).map_or(tokens.len(), |i| index + i);
    tokens[start..end]
        .iter()
        .enumerate()
        .all(|(offset, t)| start + offset == index || t.is_word() && LIST_FILLER.contains(&t.lower.as_str()))
}

/// Directories named in a docker clause (with the index of their token); `.` when none,
/// both components for plurals ("the images"), the previous targets after "it".
fn paths(tokens: &[Token], used: &mut [bool], intent: Intent, refs: &Refs) -> Vec<(String, Option<usize>)> {
    let mut found: Vec<(String, Option<usize>)> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if used[index] || !token.is_word() {
            continue;
        }
        if is_path(&token.raw) {
            used[index] = true;
            let path = normalise_path(&token.raw);
            if !found.iter().any(|(existing, _)| *existing == path) {
                found.push((path, Some(index)));
            }
        }
    }
    if found.is_empty() {
        found = targets_at(tokens, used, intent, &Refs { previous: &[], ..*refs });
    }
    if found.is_empty() {
        let words: Vec<&str> = tokens.iter().filter(|t| t.is_word()).map(|t| t.lower.as_str()).collect();
        let named: Vec<String> = if words.iter().any(|w| BOTH_WORDS.contains(w)) {
            DEFAULT_COMPONENTS.iter().map(|c| (*c).to_string()).collect()
        } else if !refs.previous.is_empty() {
            refs.previous.to_vec()
        } else {
            vec![".".to_string()]
        };
        found = named.into_iter().map(|name| (name, None)).collect();
    }
    found
}

fn normalise_path(raw: &str) -> String {
    let trimmed = raw.strip_prefix("./").unwrap_or(raw);
    let trimmed = if trimmed.len() > 1 { trimmed.trim_end_matches('/') } else { trimmed };
    if trimmed.is_empty() { ".".into() } else { trimmed.to_string() }
}

fn is_helm_key(key: &str) -> bool {
    crate::validate::helm_key(key).is_ok() && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// The numbers of a clause, each handed out once.
struct Numbers<'a> {
    tokens: &'a [Token],
    taken: Vec<bool>,
}

impl<'a> Numbers<'a> {
    fn new(tokens: &'a [Token]) -> Numbers<'a> {
        Numbers { tokens, taken: vec![false; tokens.len()] }
    }

    fn take(&mut self, index: usize) -> Option<i64> {
        if self.taken[index] {
            return None;
        }
        match self.tokens[index].kind {
            Kind::Number(value) | Kind::Percent(value) => {
                self.taken[index] = true;
                Some(value)
            }
            _ => None,
        }
    }

    /// The number right after one of `markers` (skipping "of", "to", "at", "=").
    fn after(&mut self, markers: &[&str]) -> Option<i64> {
        for index in 0..self.tokens.len() {
            if !self.tokens[index].is_word() || !markers.contains(&self.tokens[index].lower.as_str()) {
                continue;
            }
            let mut next = index + 1;
            while self
                .tokens
                .get(next)
                .is_some_and(|t| matches!(t.lower.as_str(), "of" | "to" | "at" | "=" | "is" | "the"))
            {
                next += 1;
            }
            if next < self.tokens.len()
                && let Some(value) = self.take(next)
            {
                return Some(value);
            }
        }
        None
    }

    /// The number right after the two-word marker `first second` ("up to 20").
    fn after_pair(&mut self, first: &str, second: &str) -> Option<i64> {
        for index in 0..self.tokens.len().saturating_sub(2) {
            if self.tokens[index].is(first)
                && self.tokens[index + 1].is(second)
                && let Some(value) = self.take(index + 2)
            {
                return Some(value);
            }
        }
        None
    }

    /// The number right before one of `markers` ("50 lines", "70 cpu").
    fn before(&mut self, markers: &[&str]) -> Option<i64> {
        for index in 1..self.tokens.len() {
            if self.tokens[index].is_word()
                && markers.contains(&self.tokens[index].lower.as_str())
                && let Some(value) = self.take(index - 1)
            {
                return Some(value);
            }
        }
        None
    }

    fn percent(&mut self) -> Option<i64> {
        let index =
            self.tokens.iter().enumerate().position(|(i, t)| !self.taken[i] && matches!(t.kind, Kind::Percent(_)))?;
        self.take(index)
    }

    fn range(&mut self) -> Option<(i64, i64)> {
        let index =
            self.tokens.iter().enumerate().position(|(i, t)| !self.taken[i] && matches!(t.kind, Kind::Range(..)))?;
        self.taken[index] = true;
        match self.tokens[index].kind {
            Kind::Range(low, high) => Some((low, high)),
            _ => None,
        }
    }

    fn first(&mut self) -> Option<i64> {
        let index =
            self.tokens.iter().enumerate().position(|(i, t)| !self.taken[i] && matches!(t.kind, Kind::Number(_)))?;
        self.take(index)
    }
}

/// The planned calls as (tool, arguments) pairs, for tests across the planner.
#[cfg(test)]
pub(super) fn steps(prompt: &str) -> Vec<(String, Value)> {
    plan(prompt).steps.into_iter().map(|step| (step.tool, step.args)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn mixed_requests_are_refused_whole() {
        for prompt in [
            "scale backend to 3 and delete the frontend",
            "restart backend; rm -rf /",
            "show pods | sh",
            "scale backend to 3 and create a configmap",
        ] {
            let plan = plan(prompt);
            assert!(plan.steps.is_empty(), "{prompt}");
            assert!(plan.refused, "{prompt}");
        }
    }

    #[test]
    fn pronouns_refer_back() {
        assert_eq!(
            steps("generate a dockerfile for backend, build it and deploy"),
            vec![
                ("generate_dockerfile".into(), json!({"path": "backend"})),
                ("build_image".into(), json!({"path": "backend", "minikube": false})),
                ("helm_install".into(), json!({})),
            ]
        );
    }

    #[test]
    fn deterministic() {
        let prompt = "build the images and deploy with values-dev.yaml --set backend.replicaCount=3 -n todo";
        assert_eq!(plan(prompt), plan(prompt));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// A tiny deterministic generator, so failures reproduce.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> usize {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(self.0 >> 33).unwrap_or(0)
        }
    }

    #[test]
    fn arbitrary_prompts_never_panic_and_plan_the_same_twice() {
        let pieces = [
            "scale", "backend", "to", "3", "-n", "--replicas=", "=", "é", "🙂", "..", "./", "/", "?", ",", "and",
            "then", "it", "helm", "upgrade", "--set", "a.b=c", "-f", "x.yaml", "kubectl", "logs", "-p", "--tail",
            "between", "twenty", "minus", "%", "deploy/", "image", "ghcr.io/a/b:1", "@sha256:", "'s", "\"", "(", ")",
            "\u{0}", "ß", "İ", "-", "--", "in", "namespace", "build", "the", "new", "why", "delete", "secret", "k",
            "1-2", "a hundred", "dockerfile", "fastapi", "roll", "back", "out",
        ];
        let mut random = Lcg(0x5eed);
        for _ in 0..5_000 {
            let length = random.next() % 14;
            let prompt: Vec<&str> = (0..length).map(|_| pieces[random.next() % pieces.len()]).collect();
            let glue = if random.next().is_multiple_of(3) { "" } else { " " };
            let prompt = prompt.join(glue);
            let first = plan(&prompt);
            assert_eq!(first, plan(&prompt), "{prompt:?}");
            // A plan has steps, or says why not — never nothing at all.
            assert!(!first.steps.is_empty() || first.message.is_some() || first.clarify.is_some(), "{prompt:?}");
        }
    }
}
