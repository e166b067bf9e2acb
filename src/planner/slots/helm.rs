//! `helm_install` and `helm_rollback`: the release name when one is given ("release todo",
//! `helm upgrade --install todo`), values files (`-f`, `values-dev.yaml`), `--set` pairs
//! (`--set a=b,c=d`, `backend.replicaCount=3`) and, for a rollback, the revision.

use serde_json::{Map, Value, json};

use super::{Built, Fill};
use crate::planner::lexicon::NOISE;
use crate::planner::shapes::{is_name_like, is_path, is_values_file};
use crate::planner::text::{Kind, Token};

/// Fills `helm_install`: `release`, `values` and `set` when given; one step.
pub(super) fn install(mut fill: Fill<'_>) -> Built {
    let tokens = fill.tokens;
    helm_release(tokens, &mut fill.used, &mut fill.args);
    let mut values: Vec<String> = Vec::new();
    let mut pairs = Map::new();
    for (index, token) in tokens.iter().enumerate() {
        match &token.kind {
            Kind::Flag { name, value: Some(value) } if name == "f" || name == "values" => values.push(value.clone()),
            Kind::Flag { name, value: Some(value) } if name == "set" || name == "set-string" => {
                for pair in value.split(',') {
                    if let Some((key, value)) = pair.split_once('=') {
                        pairs.insert(key.to_string(), json!(value));
                    }
                }
            }
            Kind::Word if is_values_file(&token.lower) => {
                fill.used[index] = true;
                values.push(token.raw.clone());
            }
            Kind::Word => {
                if let Some((key, value)) = token.raw.split_once('=')
                    && is_helm_key(key)
                    && !matches!(key.to_ascii_lowercase().as_str(), "namespace" | "ns")
                {
                    fill.used[index] = true;
                    pairs.insert(key.to_string(), json!(value));
                }
            }
            _ => {}
        }
    }
    if !values.is_empty() {
        fill.args.insert("values".into(), json!(values));
    }
    if !pairs.is_empty() {
        fill.args.insert("set".into(), Value::Object(pairs));
    }
    fill.single()
}

/// Fills `helm_rollback`: `release` and `revision` when given; one step.
pub(super) fn rollback(mut fill: Fill<'_>) -> Built {
    helm_release(fill.tokens, &mut fill.used, &mut fill.args);
    if !fill.args.contains_key("release") {
        // "The 'storefront' release broke …. Please roll the release back."
        let context = fill.refs.context;
        helm_release(context, &mut vec![false; context.len()], &mut fill.args);
    }
    if let Some(revision) = fill.revision() {
        fill.args.insert("revision".into(), json!(revision));
    }
    fill.single()
}

/// Sets `release` when the clause names one: after `helm install|upgrade|rollback` (past
/// any flags), after "release"/"named"/"called", or before "release".
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

/// Whether `key` can be a `--set` key (`backend.replicaCount`), not a word with an `=`.
fn is_helm_key(key: &str) -> bool {
    crate::validate::helm_key(key).is_ok() && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}
