//! Target resolution, shared by every tool: exact name first; otherwise a unique match by
//! name fragment or by the `app.kubernetes.io/name` / `app` label ("backend" →
//! "todo-backend"); several matches → the candidates; none → the closest names.

use std::collections::BTreeMap;

use crate::planner::text::edit_distance;

/// One object a target may name.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its labels.
    pub labels: Option<&'a BTreeMap<String, String>>,
}

/// How a target resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Exactly one object.
    Found(String),
    /// More than one object matches; the user must choose.
    Ambiguous(Vec<String>),
    /// Nothing matches; the closest names, best first (may be empty).
    NotFound(Vec<String>),
}

/// Resolves `query` among `candidates`.
pub fn resolve(query: &str, candidates: &[Candidate<'_>]) -> Resolution {
    let query = query.to_ascii_lowercase();
    if let Some(exact) = candidates.iter().find(|c| c.name == query) {
        return Resolution::Found(exact.name.to_string());
    }
    let by_label = |c: &Candidate<'_>| {
        c.labels.is_some_and(|labels| {
            ["app.kubernetes.io/name", "app", "app.kubernetes.io/component"]
                .iter()
                .any(|key| labels.get(*key).is_some_and(|value| value.eq_ignore_ascii_case(&query)))
        })
    };
    let mut matches: Vec<&str> = candidates.iter().filter(|c| by_label(c)).map(|c| c.name).collect();
    if matches.is_empty() {
        matches = candidates.iter().filter(|c| c.name.contains(query.as_str())).map(|c| c.name).collect();
    }
    matches.sort_unstable();
    matches.dedup();
    match matches.as_slice() {
        [one] => Resolution::Found((*one).to_string()),
        [] => Resolution::NotFound(closest(&query, candidates)),
        many => Resolution::Ambiguous(many.iter().map(|name| (*name).to_string()).collect()),
    }
}

/// Up to three names closest to `query`: by edit distance to the whole name, to any of its
/// `-`-separated parts ("bakend" ~ "todo-backend") or to its app labels.
fn closest(query: &str, candidates: &[Candidate<'_>]) -> Vec<String> {
    let limit = (query.len() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .map(|c| {
            let labels = c.labels.into_iter().flat_map(|labels| {
                ["app.kubernetes.io/name", "app"].into_iter().filter_map(|key| labels.get(key).map(String::as_str))
            });
            let distance = std::iter::once(c.name)
                .chain(c.name.split('-'))
                .chain(labels)
                .map(|text| edit_distance(query, text, limit))
                .min()
                .unwrap_or(limit + 1);
            (distance, c.name)
        })
        .filter(|(distance, _)| *distance <= limit)
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, name)| name.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates<'a>(names: &'a [&'a str], labels: &'a [BTreeMap<String, String>]) -> Vec<Candidate<'a>> {
        names.iter().zip(labels).map(|(name, labels)| Candidate { name, labels: Some(labels) }).collect()
    }

    #[test]
    fn exact_fragment_label_ambiguous_and_suggestions() {
        let label = |value: &str| BTreeMap::from([("app.kubernetes.io/name".to_string(), value.to_string())]);
        let labels = [label("frontend"), label("backend"), label("postgres"), BTreeMap::new()];
        let names = ["todo-frontend", "todo-backend", "todo-db", "todo-backend-worker"];
        let all = candidates(&names, &labels);
        assert_eq!(resolve("todo-backend", &all), Resolution::Found("todo-backend".into()));
        assert_eq!(resolve("backend", &all), Resolution::Found("todo-backend".into()), "label beats fragment");
        assert_eq!(resolve("Postgres", &all), Resolution::Found("todo-db".into()));
        assert_eq!(resolve("front", &all), Resolution::Found("todo-frontend".into()));
        assert_eq!(
            resolve("todo", &all),
            Resolution::Ambiguous(vec![
                "todo-backend".into(),
                "todo-backend-worker".into(),
                "todo-db".into(),
                "todo-frontend".into()
            ])
        );
        assert_eq!(resolve("todo-bakend", &all), Resolution::NotFound(vec!["todo-backend".into()]));
        assert_eq!(resolve("zzz", &all), Resolution::NotFound(vec![]));
    }
}
