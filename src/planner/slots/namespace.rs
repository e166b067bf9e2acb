//! The namespace a clause names: `-n todo`, `--namespace=todo`, `namespace=todo`, "namespace
//! todo", "the todo namespace", or "in staging" / "to prod". The tokens that spelled it are
//! reported so they are never read as a target.

use crate::planner::lexicon::{DEFAULT_COMPONENTS, ENVIRONMENT_WORDS, NOISE};
use crate::planner::shapes::is_name_like;
use crate::planner::text::{Kind, Token};

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
    fn in_x_is_weak_unless_x_is_an_environment() {
        assert_eq!(found("restart backend in staging"), Some(("staging".into(), vec![3], false)));
        assert_eq!(found("restart backend in todo-app"), Some(("todo-app".into(), vec![3], true)));
        assert_eq!(found("deploy to prod"), Some(("prod".into(), vec![2], false)));
        // "to" before a name that is not an environment, or a component after "in", is no namespace.
        assert_eq!(found("switch traffic to web"), None);
        assert_eq!(found("errors in backend"), None);
    }
}
