//! Targets: which words of a clause name the objects to act on. Every word that could be a
//! name gets a score from its shape and place ("the frontend deployment", `todo-web`,
//! `deployment/x`); the best of the clause's main part is the target, and later parts add
//! only clear names ("… and the backend"). A pronoun, or a required target that is missing,
//! refers back to the previous clause's targets, then to a clear name in the context.

use crate::planner::clauses::Role;
use crate::planner::intents::Intent;
use crate::planner::lexicon::{
    COMPONENT_WORDS, DETERMINERS, INTENT_VOCABULARY, KIND_NOUNS, LIST_FILLER, NOISE, PRONOUNS,
};
use crate::planner::shapes::{
    bare_word, is_address, is_camel_case, is_name_like, is_values_file, looks_like_image, strip_kind,
};
use crate::planner::text::{Kind, Quote, Token};

use super::namespace::namespace_of;

/// What a target search may use besides the clause's own words.
#[derive(Clone, Copy)]
pub(super) struct Refs<'a> {
    /// The previous clause's targets, for "it" and for a missing required target.
    pub(super) previous: &'a [String],
    /// The role of each part of the clause.
    pub(super) roles: &'a [Role],
    /// Context sentences before the request.
    pub(super) context: &'a [Token],
}

/// Kinds written before a name ("deployment api", "statefulset kafka").
const KIND_BEFORE: &[&str] = &[
    "deployment", "deploy", "pod", "job", "cronjob", "statefulset", "sts", "daemonset", "ds", "replicaset", "rs",
    "workload", "service", "svc", "app", "application",
];

/// A candidate this good is a name even outside the clause's main part.
const STRONG_CANDIDATE: i32 = 4;

/// Targets named in a clause, in order: the best-scoring candidate of the clause's main part,
/// plus clearly named ones from later parts ("… and the backend"). A pronoun or a missing
/// required target refers back to the previous clause, then to a clear name in the context.
pub(super) fn targets(tokens: &[Token], used: &mut [bool], intent: Intent, refs: &Refs) -> Vec<String> {
    targets_at(tokens, used, intent, refs).into_iter().map(|(name, _)| name).collect()
}

/// [`targets`] with the index of each name's token (`None` when referred back).
pub(super) fn targets_at(
    tokens: &[Token],
    used: &mut [bool],
    intent: Intent,
    refs: &Refs,
) -> Vec<(String, Option<usize>)> {
    let parts = refs.roles.len().max(1);
    let mut best: Vec<Option<(i32, usize, String)>> = vec![None; parts];
    let mut pronoun = false;
    let mut part = 0usize;
    // After "so we can …" comes why it is asked, not what it is about.
    let mut purpose = false;
    for (index, token) in tokens.iter().enumerate() {
        if token.kind == Kind::Separator {
            part = (part + 1).min(parts - 1);
            purpose = false;
            continue;
        }
        let next = tokens.get(index + 1).map_or("", |t| t.lower.as_str());
        purpose |= token.is("so") && matches!(next, "we" | "i" | "you" | "they" | "that" | "it" | "the");
        if purpose {
            continue;
        }
        if used[index] || !token.is_word() || !is_k8s_word(&token.raw) {
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
    if found.is_empty() {
        // A request that names nothing after sentences that did ("since the deploy the
        // backend keeps dying, can you check why?") is about what they named.
        let refers_back = pronoun || required;
        if refers_back && !refs.previous.is_empty() {
            return refs.previous.iter().map(|name| (name.clone(), None)).collect();
        }
        // "the frontend's behaviour is off after the config change, just restart it": the
        // first clear name of the context (a ticket names its subject first), never the
        // namespace it gave.
        let namespace = namespace_of(refs.context).map(|found| found.used).unwrap_or_default();
        let from_context = refs
            .context
            .iter()
            .enumerate()
            .filter(|(index, t)| t.is_word() && !namespace.contains(index) && is_k8s_word(&t.raw))
            .filter_map(|(index, t)| {
                let word = bare_word(&t.lower);
                let name = candidate_name(word, intent)?;
                Some((candidate_score(refs.context, index, name, word), name.to_string()))
            })
            .find(|(score, _)| *score >= STRONG_CANDIDATE);
        if let Some((_, name)) = from_context {
            return vec![(name, None)];
        }
    }
    found
}

/// Whether a word, as typed, could be a Kubernetes name: not CamelCase (`NotReady`), not an
/// address (`api.shop.svc.cluster.local`, a URL) and not an identifier in capitals with digits
/// (a ticket or change number such as `INC-4821`).
fn is_k8s_word(raw: &str) -> bool {
    let id_in_capitals = raw.chars().any(|c| c.is_ascii_digit())
        && raw.chars().any(|c| c.is_ascii_uppercase())
        && !raw.chars().any(|c| c.is_ascii_lowercase());
    !is_camel_case(raw) && !is_address(&raw.to_ascii_lowercase()) && !id_in_capitals
}

/// The name a word would stand for as a target, if it can be one.
fn candidate_name(word: &str, intent: Intent) -> Option<&str> {
    let name = strip_kind(word);
    let prefixed = name != word;
    // A path (`/app/worker.py`) is no object's name.
    if name.contains('/') && !(name.contains('=') && intent == Intent::Logs) {
        return None;
    }
    let selector = name.contains('=') && intent == Intent::Logs;
    let plausible = is_name_like(name)
        && name.len() >= 2
        && !looks_like_image(name)
        && !is_values_file(name)
        && !is_amount(name)
        && (!name.contains('=') || selector)
        && (prefixed || !NOISE.contains(name));
    plausible.then_some(name)
}

/// An amount, not a name: a quantity (`2Gi`, `250m`) or a duration (`20s`, `15min`, `2h`).
fn is_amount(name: &str) -> bool {
    let digits = name.chars().take_while(char::is_ascii_digit).count();
    let unit = &name[digits..];
    digits > 0
        && (crate::planner::shapes::quantity(name).is_some()
            || matches!(unit, "s" | "ms" | "sec" | "secs" | "min" | "mins" | "h" | "hr" | "hrs" | "d" | "w"))
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
        score += 5;
    }
    // "payments-worker in namespace batch", "recommendations (namespace ml)": a name is
    // followed by where it lives.
    let after = |offset: usize| tokens.get(index + offset).map_or("", |t| t.lower.as_str());
    if matches!(after(1), "namespace" | "ns")
        || after(1) == "in" && (2..=4).any(|o| matches!(after(o), "namespace" | "ns"))
    {
        score += 3;
    }
    // A name in quotes or backticks, or after "named"/"called", is a name as typed.
    if tokens[index].quote == Quote::Word {
        score += 4;
    }
    let before = index.checked_sub(1).and_then(|i| tokens.get(i)).map_or("", |t| t.lower.as_str());
    if matches!(before, "named" | "called" | "name") {
        score += 6;
    }
    // "deployment api", "the job nightly", "pod api-7d9…".
    if KIND_BEFORE.contains(&before) {
        score += 3;
    }
    // "the checkout is broken", "our mailer keeps failing": the subject a sentence describes.
    if matches!(before, "the" | "our" | "my")
        && matches!(
            after(1),
            "is" | "are"
                | "was"
                | "were"
                | "keeps"
                | "kept"
                | "has"
                | "seems"
                | "looks"
                | "isn't"
                | "aren't"
                | "won't"
                | "can't"
                | "doesn't"
                | "went"
                | "got"
                | "started"
                | "stopped"
                | "throws"
                | "returns"
                | "fails"
        )
    {
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
