//! The namespace a clause names: `-n todo`, `--namespace=todo`, `namespace=todo`, "namespace
//! todo", "the todo namespace", or "in staging" / "to prod". The tokens that spelled it are
//! reported so they are never read as a target.

use crate::planner::lexicon::{
    ALL_WORDS, CLUSTER_WIDE_WORDS, DEFAULT_COMPONENTS, ENVIRONMENT_WORDS, FILLER_WORDS, NOISE, PRONOUNS, STATE_NOUNS,
    STATE_WORDS,
};
use crate::planner::shapes::{is_camel_case, is_name_like};
use crate::planner::text::{Kind, Quote, Token};

/// A namespace found in a clause.
pub(in crate::planner) struct FoundNamespace {
    /// The namespace, lower case.
    pub(in crate::planner) name: String,
    /// Token indexes that spelled it, so they are not read as targets.
    pub(super) used: Vec<usize>,
    /// Only "in X" said it: X may be an object's name instead.
    pub(super) weak: bool,
}

/// The first namespace a clause names, if any: flags and `namespace=` first, then
/// "namespace X" / "the X namespace", then "in X".
pub(in crate::planner) fn namespace_of(tokens: &[Token]) -> Option<FoundNamespace> {
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
    // A namespace is a lower-case DNS label: never a state ("Pending", "ContainerCreating")
    // or a word followed by "state"/"status" ("in Error state").
    let name_at = |index: usize| -> Option<&Token> {
        tokens.get(index).filter(|t| {
            t.is_word()
                && is_name_like(&t.lower)
                && !NOISE.contains(t.lower.as_str())
                && !t.lower.contains('/')
                && !t.lower.contains('.')
                && !is_camel_case(&t.raw)
                && !tokens.get(index + 1).is_some_and(|next| STATE_NOUNS.contains(&next.lower.as_str()))
        })
    };
    for (index, token) in tokens.iter().enumerate() {
        if !token.is_word() {
            continue;
        }
        // "namespace todo", "ns todo", "namespace is todo"
        if matches!(token.lower.as_str(), "namespace" | "ns") {
            let before = index.checked_sub(1).and_then(name_at);
            // "in the todo namespace …": the name before wins over whatever word follows.
            let introduced = index >= 2
                && tokens.get(index - 2).is_some_and(|t| {
                    matches!(
                        t.lower.as_str(),
                        "in" | "the" | "under" | "from" | "of" | "for" | "within" | "inside" | "on" | "across" | "into"
                    )
                });
            if let Some(previous) = before.filter(|_| introduced) {
                return Some(FoundNamespace {
                    name: previous.lower.clone(),
                    used: vec![index - 1, index],
                    weak: false,
                });
            }
            let skip = usize::from(tokens.get(index + 1).is_some_and(|t| t.is("is") || t.is("=")));
            // Right after the word "namespace" even a word the rules know is a name
            // ("namespace search", "namespace jobs"), unless it is grammar or a state.
            let explicit = tokens.get(index + 1 + skip).filter(|t| {
                t.is_word()
                    && t.quote != Quote::Text
                    && is_name_like(&t.lower)
                    && !t.lower.contains(['/', '.'])
                    && !is_camel_case(&t.raw)
                    && !FILLER_WORDS.contains(&t.lower.as_str())
                    && !STATE_WORDS.contains(&t.lower.as_str())
                    && !PRONOUNS.contains(&t.lower.as_str())
            });
            if let Some(next) = explicit.or_else(|| name_at(index + 1 + skip)) {
                let used = (index..=index + 1 + skip).collect();
                return Some(FoundNamespace { name: next.lower.clone(), used, weak: false });
            }
            // "the todo namespace"
            if let Some(previous) = before {
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

/// Whether a clause asks about every namespace: `-A`, `--all-namespaces`, "across all
/// namespaces", "every namespace", "everywhere"; or, when it names no target, "in the
/// cluster" ("all pods in the cluster").
pub(in crate::planner) fn all_namespaces(tokens: &[Token], has_target: bool) -> bool {
    tokens.iter().enumerate().any(|(index, token)| {
        let next = |offset: usize| tokens.get(index + offset).map_or("", |t| t.lower.as_str());
        match &token.kind {
            Kind::Flag { name, .. } => name == "a" || name == "all-namespaces",
            Kind::Word => {
                let word = token.lower.as_str();
                CLUSTER_WIDE_WORDS.contains(&word)
                    || ALL_WORDS.contains(&word)
                        && (matches!(next(1), "namespace" | "namespaces" | "ns")
                            || matches!(next(1), "the" | "of") && matches!(next(2), "namespace" | "namespaces"))
                    || !has_target
                        && matches!(word, "in" | "across" | "whole" | "entire" | "throughout")
                        && (next(1) == "cluster" || next(1) == "the" && next(2) == "cluster")
            }
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::text::tokenize;

    fn found(prompt: &str) -> Option<(String, Vec<usize>, bool)> {
        namespace_of(&tokenize(prompt)).map(|found| (found.name, found.used, found.weak))
    }

    #[test]
    fn flags_and_the_word_namespace_are_strong() {
        assert_eq!(found("restart backend -n Todo"), Some(("todo".into(), vec![2], false)));
        assert_eq!(found("restart backend ns=web"), Some(("web".into(), vec![2], false)));
        assert_eq!(found("status of the todo namespace"), Some(("todo".into(), vec![3, 4], false)));
    }

    #[test]
    fn states_are_never_namespaces() {
        assert_eq!(found("pods stuck in Pending"), None);
        assert_eq!(found("the worker is in Failed state"), None);
        assert_eq!(found("web stuck in ContainerCreating in namespace media").map(|f| f.0), Some("media".into()));
        assert_eq!(found("the api in the shop namespace needs help").map(|f| f.0), Some("shop".into()));
        assert_eq!(found("namespace is media").map(|f| f.0), Some("media".into()));
    }

    #[test]
    fn in_x_is_weak_unless_x_is_an_environment() {
        assert_eq!(found("restart backend in staging"), Some(("staging".into(), vec![3], false)));
        assert_eq!(found("restart backend in todo-app"), Some(("todo-app".into(), vec![3], true)));
        assert_eq!(found("deploy to prod"), Some(("prod".into(), vec![2], false)));
        // "to" before a name that is not an environment, or a component after "in", is no namespace.
        assert_eq!(found("switch traffic to web"), None);
        assert_eq!(found("errors in backend"), None);
    }
}
