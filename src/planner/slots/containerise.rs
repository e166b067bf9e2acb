//! `generate_dockerfile` and `build_image`: the directories to work in (`./web`, "the
//! backend", `.` when none, both components for "the images", the previous targets for
//! "it"), the stack when named ("a fastapi Dockerfile for backend"), and for a build the tag
//! (`-t`, "as api:1.2", an image reference) and whether to load it into minikube.

use serde_json::{Value, json};

use super::targets::{Refs, targets_at};
use super::{Built, Fill};
use crate::planner::Step;
use crate::planner::intents::Intent;
use crate::planner::lexicon::{BOTH_WORDS, DEFAULT_COMPONENTS, NOISE, STACK_WORDS};
use crate::planner::shapes::{is_path, looks_like_image};
use crate::planner::text::{Kind, Token};

/// Fills `generate_dockerfile`: one step per directory, each with `path` and the `stack`
/// named for it.
pub(super) fn dockerfile(mut fill: Fill<'_>) -> Built {
    let tokens = fill.tokens;
    let paths = paths(tokens, &mut fill.used, fill.intent, &fill.refs);
    let steps = paths
        .iter()
        .map(|(path, index)| {
            let mut args = fill.args.clone();
            args.insert("path".into(), json!(path));
            if let Some(stack) = stack_for(tokens, *index) {
                args.insert("stack".into(), json!(stack));
            }
            Step { tool: fill.intent.tool().to_string(), args: Value::Object(args) }
        })
        .collect();
    Built::Steps { steps, targets: paths.into_iter().map(|(path, _)| path).collect() }
}

/// Fills `build_image`: `path` (one step per directory), `tag` when given, and `minikube`.
pub(super) fn build_image(mut fill: Fill<'_>) -> Built {
    let tokens = fill.tokens;
    let tag = fill.flag(&["t", "tag"]).and_then(|(index, value)| {
        fill.used[index] = true;
        value.map(str::to_string)
    });
    let tag = tag.or_else(|| {
        tokens.iter().enumerate().find_map(|(index, t)| {
            let after_marker =
                index > 0 && matches!(tokens[index - 1].lower.as_str(), "as" | "tagged" | "tag" | "named" | "called");
            let is_tag = t.is_word()
                && (looks_like_image(&t.raw)
                    || after_marker && crate::validate::image(&t.raw).is_ok() && !NOISE.contains(t.lower.as_str()));
            if is_tag && !is_path(&t.raw) {
                fill.used[index] = true;
                Some(t.raw.clone())
            } else {
                None
            }
        })
    });
    if let Some(tag) = tag {
        fill.args.insert("tag".into(), json!(tag));
    }
    let minikube = fill.has_word("minikube") || fill.flag(&["minikube"]).is_some();
    fill.args.insert("minikube".into(), json!(minikube));
    let paths = paths(tokens, &mut fill.used, fill.intent, &fill.refs).into_iter().map(|(path, _)| path).collect();
    fill.per_target("path", paths)
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

/// `./web/` → `web`; an empty path is `.`.
fn normalise_path(raw: &str) -> String {
    let trimmed = raw.strip_prefix("./").unwrap_or(raw);
    let trimmed = if trimmed.len() > 1 { trimmed.trim_end_matches('/') } else { trimmed };
    if trimmed.is_empty() { ".".into() } else { trimmed.to_string() }
}
