//! Word shapes: what a single word looks like — a name, an image reference, a path, a
//! values file, `kind/name`. Pure predicates with no vocabulary of their own beyond the
//! kind prefixes, shared by intent detection, clause splitting and slot filling.

use super::lexicon::KIND_PREFIXES;

/// A word without a possessive (`backend's` → `backend`).
pub(super) fn bare_word(word: &str) -> &str {
    word.trim_end_matches("'s").trim_end_matches('\'')
}

/// Whether a word is a directory path (`.`, `./web`, `services/api/`), not a name or image.
pub(super) fn is_path(raw: &str) -> bool {
    raw == "."
        || raw.starts_with("./")
        || raw.starts_with("../")
        || raw.starts_with('/')
        || raw.ends_with('/') && raw.len() > 1
        || raw.contains('/') && !raw.contains(':') && !raw.contains('=') && strip_kind(raw) == raw
}

/// `deployment/x`, `deploy/x`, `pod/x` … → `x`.
pub(super) fn strip_kind(word: &str) -> &str {
    match word.split_once('/') {
        Some((kind, name)) if KIND_PREFIXES.contains(&kind) => name,
        _ => word,
    }
}

/// Whether a word could be a Kubernetes object's name (letters, digits, `-._/=`).
pub(super) fn is_name_like(word: &str) -> bool {
    !word.is_empty()
        && word.chars().any(|c| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | '='))
        && !word.starts_with('-')
}

/// Whether a word is a Helm values file.
pub(super) fn is_values_file(word: &str) -> bool {
    word.ends_with(".yaml") || word.ends_with(".yml")
}

/// An explicit image reference: has a tag, digest or registry, and parses.
pub(super) fn looks_like_image(raw: &str) -> bool {
    let explicit = raw.contains(':')
        || raw.contains('@')
        || raw.split('/').next().is_some_and(|first| first.contains('.') && raw.contains('/'));
    explicit && !raw.contains('=') && !raw.contains("://") && image_candidate(raw).is_some()
}

/// The image reference a token stands for: as typed, or lower-cased when typed in capitals
/// (repository names are always lower case). Kind prefixes (`deployment/x`) and values files
/// are not images.
pub(super) fn image_candidate(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    if is_values_file(&lower) || strip_kind(&lower) != lower || lower.contains("://") {
        return None;
    }
    if crate::validate::image(raw).is_ok() {
        return Some(raw.to_string());
    }
    crate::validate::image(&lower).is_ok().then_some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_prefixes_and_possessives_come_off() {
        assert_eq!(strip_kind("deployment/todo-web"), "todo-web");
        assert_eq!(strip_kind("po/api-7d9"), "api-7d9");
        assert_eq!(strip_kind("services/api"), "services/api");
        assert_eq!(bare_word("backend's"), "backend");
    }

    #[test]
    fn images_paths_and_names_are_told_apart() {
        assert!(looks_like_image("ghcr.io/acme/todo-backend:1.2"));
        assert!(looks_like_image("nginx:1.27"));
        assert!(!looks_like_image("backend"));
        assert!(!looks_like_image("backend.replicaCount=3"));
        assert!(!looks_like_image("values-dev.yaml"));
        assert_eq!(image_candidate("GHCR.IO/Acme/API:1.2").as_deref(), Some("ghcr.io/acme/api:1.2"));
        assert!(image_candidate("deployment/web").is_none());
        for path in [".", "./web", "../api", "services/api/", "apps/web"] {
            assert!(is_path(path), "{path}");
        }
        for not_path in ["deployment/web", "ghcr.io/acme/web:1", "a/b=c", "backend"] {
            assert!(!is_path(not_path), "{not_path}");
        }
        assert!(is_name_like("todo-web") && !is_name_like("--replicas") && !is_name_like("123"));
        assert!(is_values_file("values-dev.yaml") && is_values_file("prod.yml") && !is_values_file("web"));
    }
}
