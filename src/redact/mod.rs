//! The one secret redactor. Everything that leaves the process towards a person, a log or a
//! model — audit entries, previews, plans, step results, cluster text — goes through here
//! first. It is deliberately greedy: a false redaction costs a little readability, a leak
//! costs a key.
//!
//! [`text`] masks PEM private key blocks (`pem`), then one scanner pass (`scan`) finds values of
//! secret-named keys (`keys`) in every common shape, URL credentials, vendor tokens and
//! high-entropy tokens next to secret-like words (`tokens`). It is hand-written (no regex
//! engine, no backtracking): linear in its input, idempotent, and it never panics.

mod keys;
mod pem;
mod scan;
mod tokens;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use serde_json::Value;

pub use keys::is_secret_key;

/// The text that stands in for a secret.
pub const MASK: &str = "[REDACTED]";

/// A Helm `--set` value as it may be shown: masked when its key names a secret, else
/// redacted like any text.
pub fn helm_value<'a>(key: &str, value: &'a str) -> Cow<'a, str> {
    if is_secret_key(key) {
        Cow::Borrowed(MASK)
    } else {
        match text(value) {
            redacted if redacted == value => Cow::Borrowed(value),
            redacted => Cow::Owned(redacted),
        }
    }
}

/// Whether [`text`] would mask something in `input` (a value that must not go on a
/// command line).
pub fn has_secret(input: &str) -> bool {
    text(input) != input
}

/// Masks secrets inside free text: values of secret-named keys (`KEY=…`, `key: …`, JSON,
/// `k=v` lists, `--flag value`), URL credentials, vendor tokens, JWTs, `Bearer`/`Basic`
/// credentials, PEM private keys and high-entropy tokens next to secret-like words.
///
/// The scanner's rules keep a mask inert on a second pass; as a backstop for the rare case
/// where a mask changes how the words around it are read (it can hide a `/` that ended a
/// URL's authority, or shift which words follow a secret-like one), the output is scanned
/// again until nothing changes (at most four passes, each linear). Text without secrets is read
/// once, text with secrets usually twice.
pub fn text(input: &str) -> String {
    let Some(mut current) = redact_once(input) else { return input.to_string() };
    for _ in 1..MAX_PASSES {
        match redact_once(&current) {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

/// How many times [`text`] scans at most.
const MAX_PASSES: usize = 4;

/// One pass: PEM blocks, then the scanner. `None` when nothing was masked.
fn redact_once(input: &str) -> Option<String> {
    match pem::mask_private_keys(input) {
        Cow::Borrowed(unchanged) => scan::redact(unchanged),
        Cow::Owned(masked) => Some(scan::redact(&masked).unwrap_or(masked)),
    }
}

/// Redacts a JSON value in place: secret-named keys are masked whole (everything under an
/// object or array they name too, except what only names or points at a secret), the
/// `value` of a `{"name": "DB_PASS", "value": …}` pair as well, a Kubernetes Secret's data,
/// and every other string (and key) is scanned as [`text`].
pub fn json(value: &mut Value) {
    redact_value(value, false);
}

fn redact_value(value: &mut Value, secret: bool) {
    match value {
        Value::Object(map) => {
            if map.keys().any(|key| has_secret(key)) {
                let entries = std::mem::take(map);
                map.extend(entries.into_iter().map(|(key, inner)| (text(&key), inner)));
            }
            // `env: [{"name": "DB_PASS", "value": "…"}]`: the name says what the value is.
            let named_secret = map.get("name").and_then(Value::as_str).is_some_and(is_secret_key);
            let secret_object = map.get("kind").and_then(Value::as_str) == Some("Secret");
            for (key, inner) in map.iter_mut() {
                let inner_secret = if secret {
                    !keys::describes_secret(key)
                } else {
                    is_secret_key(key)
                        || (named_secret && key == "value")
                        || (secret_object && matches!(key.as_str(), "data" | "stringData"))
                };
                redact_value(inner, inner_secret);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact_value(item, secret)),
        Value::String(string) if secret => {
            if string != MASK {
                *string = MASK.into();
            }
        }
        Value::Bool(_) | Value::Number(_) if secret => *value = Value::String(MASK.into()),
        Value::String(string) => {
            let redacted = text(string);
            if redacted != *string {
                *string = redacted;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Cuts (already redacted) text for a model or MCP client to at most `max` bytes (on a line end when one is near, else on a character
/// boundary) and says so.
pub fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // Prefer a whole last line when that loses little.
    if let Some(newline) = text[..end].rfind('\n')
        && newline >= end - end / 5
    {
        end = newline + 1;
    }
    let mut capped = text[..end].to_string();
    if !capped.ends_with('\n') {
        capped.push('\n');
    }
    capped.push_str(&format!(
        "[truncated: showing {end} of {} bytes; narrow the call (a target, `tail`, `since`, `warnings_only`) to see the rest]",
        text.len()
    ));
    capped
}
