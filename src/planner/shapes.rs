//! Word shapes: what a single word looks like — a name, an image reference, a path, a
//! values file, `kind/name`. Pure predicates with no vocabulary of their own beyond the
//! kind prefixes, shared by intent detection, clause splitting and slot filling.

use super::lexicon::KIND_PREFIXES;
use super::text::{Kind, Quote, Token};

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

/// What a quantity is an amount of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resource {
    /// CPU (`250m`, `1.5`).
    Cpu,
    /// Memory (`512Mi`, `2G`).
    Memory,
}

/// A Kubernetes quantity written with a unit, as the resource it measures and its canonical
/// spelling: `2Gi`/`2gib`/`2GiB` → memory `2Gi`, `512MB` → memory `512M`, `250m` → CPU `250m`.
/// A bare number is no quantity here (it may be a count); "2 cores" is read by the caller.
pub(super) fn quantity(raw: &str) -> Option<(Resource, String)> {
    let split = raw.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = raw.split_at(split);
    let valid_number =
        !number.is_empty() && !number.starts_with('.') && !number.ends_with('.') && number.matches('.').count() <= 1;
    if !valid_number || unit.is_empty() {
        return None;
    }
    let memory = |suffix: &str| Some((Resource::Memory, format!("{number}{suffix}")));
    match unit {
        // Milli-CPU is a lower-case `m`; an upper-case `M` is megabytes.
        "m" => Some((Resource::Cpu, format!("{number}m"))),
        "M" | "MB" | "mb" | "Mb" => memory("M"),
        _ => match unit.to_ascii_lowercase().as_str() {
            "ki" | "kib" => memory("Ki"),
            "mi" | "mib" => memory("Mi"),
            "gi" | "gib" => memory("Gi"),
            "ti" | "tib" => memory("Ti"),
            "k" | "kb" => memory("k"),
            "g" | "gb" => memory("G"),
            "t" | "tb" => memory("T"),
            _ => None,
        },
    }
}

/// Whether a word is written in CamelCase (`ContainerCreating`, `NotReady`): a state or a
/// type, never a Kubernetes name (those are lower case).
pub(super) fn is_camel_case(raw: &str) -> bool {
    raw.chars().zip(raw.chars().skip(1)).any(|(a, b)| a.is_ascii_lowercase() && b.is_ascii_uppercase())
}

/// Whether a word is a service's cluster DNS name, a URL or a host with a port: text that
/// names where something is reached, not an object to act on.
pub(super) fn is_address(word: &str) -> bool {
    word.contains(".svc") || word.ends_with(".local") || word.contains("://") || word.contains(':')
}

/// The service and namespace of a cluster DNS name (`api.shop.svc.cluster.local[:80]`).
pub(super) fn service_dns(word: &str) -> Option<(&str, &str)> {
    let host = word.split(':').next().unwrap_or(word);
    let mut parts = host.split('.');
    let service = parts.next()?;
    let namespace = parts.next()?;
    (parts.next() == Some("svc") && is_name_like(service) && is_name_like(namespace)).then_some((service, namespace))
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
    let repository = raw.rsplit_once(':').map_or(raw, |(repository, _)| repository);
    explicit
        && !raw.contains('=')
        && !raw.contains("://")
        && repository.chars().any(|c| c.is_ascii_alphabetic())
        && image_candidate(raw).is_some()
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

/// Whether a word reads as a version (`1.22`, `v2.3.1`, `7.2.0-rc1`, `2026-11-30`).
pub(super) fn is_version(word: &str) -> bool {
    let body = word.strip_prefix(['v', 'V']).unwrap_or(word);
    body.starts_with(|c: char| c.is_ascii_digit())
        && (body.contains('.') || body.contains('-') || body.len() < word.len())
        && body.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && body.len() <= 128
}

/// Whether a word is a valid image tag (the OCI tag grammar).
fn is_tag(word: &str) -> bool {
    word.len() <= 128
        && word.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The new tag a clause asks for, with its token index: the word after "tag" ("tag 1.25.3",
/// "to tag `v2`"), before it ("to the 1.4 tag"), or a version after "to"/"version"
/// ("bump the api to v2.3.1").
pub(super) fn tag_value(tokens: &[Token]) -> Option<(usize, String)> {
    let word_at = |index: usize| tokens.get(index).filter(|t| t.kind != Kind::Separator);
    for (index, token) in tokens.iter().enumerate() {
        if !token.is_word() {
            continue;
        }
        let marker = token.lower.as_str();
        if matches!(marker, "tag" | "version") {
            let mut next = index + 1;
            while word_at(next).is_some_and(|t| matches!(t.lower.as_str(), "to" | "=" | "of" | "is" | "the" | "as")) {
                next += 1;
            }
            if let Some(value) = word_at(next)
                && (marker == "tag" && (value.quote != Quote::None || value.raw.chars().any(|c| c.is_ascii_digit()))
                    || is_version(&value.raw))
                && is_tag(&value.raw)
                && !looks_like_image(&value.raw)
            {
                return Some((next, value.raw.clone()));
            }
            // "to the 1.4 tag"
            if marker == "tag"
                && let Some(value) = index.checked_sub(1).and_then(word_at)
                && is_version(&value.raw)
            {
                return Some((index - 1, value.raw.clone()));
            }
        }
        // "to v2.3.1"; after a "tag" earlier in the clause, any tag ("set the image tag of web
        // to `sha-9f3c2a1`").
        let tag_before = tokens[..index].iter().any(|t| t.is("tag"));
        if marker == "to"
            && let Some(value) = word_at(index + 1)
            && (is_version(&value.raw)
                || tag_before && value.raw.chars().any(|c| c.is_ascii_digit()) && is_tag(&value.raw))
        {
            return Some((index + 1, value.raw.clone()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_say_what_they_measure() {
        let memory = |text: &str| Some((Resource::Memory, text.to_string()));
        assert_eq!(quantity("2Gi"), memory("2Gi"));
        assert_eq!(quantity("2gib"), memory("2Gi"));
        assert_eq!(quantity("1.5GiB"), memory("1.5Gi"));
        assert_eq!(quantity("512MB"), memory("512M"));
        assert_eq!(quantity("512M"), memory("512M"));
        assert_eq!(quantity("250m"), Some((Resource::Cpu, "250m".into())));
        for not_one in ["2", "v2", "1.2.3", ".5Gi", "2x", "api", "10Gb-disk", "Gi"] {
            assert_eq!(quantity(not_one), None, "{not_one}");
        }
    }

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
