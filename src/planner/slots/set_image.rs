//! `set_image`: a deployment, the image it should run, and the container when named. The
//! image is an explicit reference (`ghcr.io/acme/api:1.2`, `nginx@sha256:…`), a word after
//! "image"/"to" in a clause about images, or kubectl's `container=image`. A container named
//! without a deployment ("set the frontend container's image …") names the deployment too.

use serde_json::json;

use super::targets::{Refs, targets};
use super::{Built, Fill};
use crate::planner::intents::Intent;
use crate::planner::lexicon::NOISE;
use crate::planner::shapes::{image_candidate, is_name_like, is_version, looks_like_image, tag_value};
use crate::planner::text::Kind;

/// Fills `set_image`: `deployment` (one step per target), `image`, and `container` when
/// named.
pub(super) fn set_image(mut fill: Fill<'_>) -> Built {
    let tokens = fill.tokens;
    let mut image = None;
    let mut container = tokens.iter().find_map(|t| match &t.kind {
        Kind::Flag { name, value: Some(value) } if name == "c" || name == "container" => Some(value.to_lowercase()),
        _ => None,
    });
    // "set the image tag of web to `sha-9f3c2a1`": a clause about the tag changes only the tag.
    let about_tag = fill.has_word("tag") && !tokens.iter().any(|t| t.is_word() && looks_like_image(&t.raw));
    for (index, token) in tokens.iter().enumerate() {
        if !token.is_word() || about_tag {
            continue;
        }
        // kubectl's `container=image`.
        if let Some((name, value)) = token.raw.split_once('=')
            && let Some(candidate) = image_candidate(value).filter(|_| is_name_like(name))
        {
            container = Some(name.to_lowercase());
            image = Some(candidate);
            fill.used[index] = true;
            break;
        }
        let after_marker = index > 0 && matches!(tokens[index - 1].lower.as_str(), "image" | "to");
        let mentions_image = tokens.iter().any(|t| t.is("image"));
        let candidate = image_candidate(&token.raw);
        // A version after "to" is a new tag for the image it runs ("bump the api image to v2").
        if looks_like_image(&token.raw)
            || after_marker
                && mentions_image
                && !NOISE.contains(token.lower.as_str())
                && !is_version(&token.raw)
                && candidate.is_some()
        {
            image = candidate;
            fill.used[index] = true;
            break;
        }
    }
    // Only a new tag: "tag 1.25.3", "to version 1.22", "bump the api to v2.3.1".
    let mut tag = None;
    if image.is_none()
        && let Some((index, value)) = tag_value(tokens)
    {
        tag = Some(value);
        fill.used[index] = true;
    }
    // "container web" / "the web container".
    let mut named_container = None;
    for (index, token) in tokens.iter().enumerate() {
        let names_container = index > 0 && tokens[index - 1].is("container")
            || tokens.get(index + 1).is_some_and(|next| next.is("container"));
        if names_container && token.is_word() && !fill.used[index] && !NOISE.contains(token.lower.as_str()) {
            named_container = Some(token.lower.clone());
            fill.used[index] = true;
        }
    }
    // "it" is resolved below, after the container and "in X" had their say.
    let own_words_only = Refs { previous: &[], ..fill.refs };
    let mut targets = targets(tokens, &mut fill.used, Intent::SetImage, &own_words_only);
    if targets.is_empty() {
        if let Some(deployment) = fill.weak_namespace.take() {
            // "the backend container in todo-backend": "in X" named the deployment.
            fill.args.remove("namespace");
            targets = vec![deployment];
        } else if let Some(name) = named_container.take() {
            // "set the frontend container's image …": the container names the deployment.
            targets = vec![name];
        } else {
            targets = fill.refs.previous.to_vec();
        }
    }
    container = container.or(named_container);
    if let Some(tag) = tag {
        if targets.is_empty() {
            return Built::Clarify(format!(
                "Which deployment should run tag `{tag}`? (e.g. `set image backend tag {tag}`)"
            ));
        }
        fill.args.insert("tag".into(), json!(tag));
        if let Some(container) = container {
            fill.args.insert("container".into(), json!(container));
        }
        return fill.per_target("deployment", targets);
    }
    let Some(image) = image else {
        let who = targets.first().map_or_else(|| "the deployment".to_string(), |t| format!("`{t}`"));
        return Built::Clarify(format!(
            "Which image should {who} run? (e.g. `set image backend to ghcr.io/acme/todo-backend:1.2`)"
        ));
    };
    if targets.is_empty() {
        return Built::Clarify(format!("Which deployment should run `{image}`? (e.g. `set image backend to {image}`)"));
    }
    fill.args.insert("image".into(), json!(image));
    if let Some(container) = container {
        fill.args.insert("container".into(), json!(container));
    }
    fill.per_target("deployment", targets)
}
