//! The one secret redactor. Everything that leaves the process towards a person, a log or a
//! model — audit entries, previews, cluster text — goes through here first. It is
//! deliberately greedy: a false redaction costs a little readability, a leak costs a key.

use serde_json::Value;

/// The text that stands in for a secret.
pub const MASK: &str = "[REDACTED]";

/// Key fragments that mark a value as secret (compared case-insensitively, ignoring `_`/`-`).
const SECRET_KEY_PARTS: [&str; 12] = [
    "password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey", "credential", "databaseurl",
    "connectionstring", "dsn", "auth",
];

/// Whether a key (env var, Helm value path, JSON field) names a secret.
pub fn is_secret_key(key: &str) -> bool {
    let folded: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    // The last path segment decides for dotted Helm keys (`secrets.databaseUrl`), but a
    // `secrets.` prefix alone is enough too.
    SECRET_KEY_PARTS.iter().any(|part| folded.contains(part))
}

/// A Helm `--set` value as it may be shown: masked when its key names a secret.
pub fn helm_value<'a>(key: &str, value: &'a str) -> &'a str {
    if is_secret_key(key) { MASK } else { redact_inline(value) }
}

/// Masks secrets inside free text: URLs with credentials, `sk-…` keys, bearer tokens, JWTs
/// and `password=…`-style pairs.
pub fn text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while !rest.is_empty() {
        // Work token by token so replacements never split a word.
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        out.push_str(&redact_word(word));
        let spaces = tail.len() - tail.trim_start().len();
        out.push_str(&tail[..spaces]);
        rest = &tail[spaces..];
        // `Bearer <token>`, `password: <value>`, `API_KEY = <value>`: the next word is the secret.
        let lower = word.to_ascii_lowercase();
        let key = lower.trim_end_matches([':', '=']).trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
        let labels_next = matches!(key, "bearer" | "basic" | "token")
            || (lower.ends_with(':') || lower.ends_with('=')) && is_secret_key(key);
        if labels_next && !rest.is_empty() {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            // `Authorization: Bearer x`: let the scheme word label the secret instead.
            let scheme = matches!(rest[..end].to_ascii_lowercase().as_str(), "bearer" | "basic");
            if !scheme {
                out.push_str(MASK);
                rest = &rest[end..];
            }
        }
    }
    out
}

/// [`text`] for a value that is one token (no allocation when nothing matches).
fn redact_inline(value: &str) -> &str {
    if looks_secret(value) { MASK } else { value }
}

fn redact_word(word: &str) -> String {
    // `key=value` and `key: value` pairs with a secret-looking key.
    for separator in ['=', ':'] {
        if let Some((key, value)) = word.split_once(separator) {
            let key_only = key.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
            if !value.is_empty() && !key_only.is_empty() && is_secret_key(key_only) && !value.starts_with("//") {
                return format!("{key}{separator}{MASK}");
            }
        }
    }
    if let Some(redacted) = redact_url_credentials(word) {
        return redacted;
    }
    if looks_secret(word.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';' | ')' | '('))) {
        return MASK.to_string();
    }
    word.to_string()
}

/// `scheme://user:password@host` → `scheme://user:[REDACTED]@host`.
fn redact_url_credentials(word: &str) -> Option<String> {
    let scheme_end = word.find("://")?;
    let after = &word[scheme_end + 3..];
    let at = after.find('@')?;
    let userinfo = &after[..at];
    if userinfo.contains('/') {
        return None;
    }
    let (user, _) = userinfo.split_once(':')?;
    Some(format!("{}://{user}:{MASK}{}", &word[..scheme_end], &after[at..]))
}

/// Tokens that are secrets on their own: API keys, JWTs, long high-entropy strings.
fn looks_secret(token: &str) -> bool {
    let known_prefix =
        ["sk-", "sk_live_", "sk_test_", "ghp_", "gho_", "github_pat_", "xoxb-", "xoxp-", "glpat-", "AKIA"]
            .iter()
            .any(|prefix| token.starts_with(prefix) && token.len() >= prefix.len() + 12);
    if known_prefix {
        return true;
    }
    // A JWT: three base64url segments, the first starting with `eyJ` (`{"`).
    let segments: Vec<&str> = token.split('.').collect();
    if segments.len() == 3
        && token.starts_with("eyJ")
        && segments.iter().all(|s| s.len() >= 4 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return true;
    }
    false
}

/// Redacts a JSON value in place: secret-named keys are masked whole, strings scanned.
pub fn json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) && !matches!(inner, Value::Object(_) | Value::Array(_) | Value::Null) {
                    *inner = Value::String(MASK.into());
                } else if key == "set" {
                    // Helm `set` maps: the key of each pair decides.
                    if let Value::Object(pairs) = inner {
                        for (pair_key, pair_value) in pairs.iter_mut() {
                            if is_secret_key(pair_key) {
                                *pair_value = Value::String(MASK.into());
                            } else {
                                json(pair_value);
                            }
                        }
                    }
                } else {
                    json(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json),
        Value::String(text_value) => {
            let redacted = text(text_value);
            if redacted != *text_value {
                *text_value = redacted;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_credentials_in_text() {
        let cases = [
            ("DATABASE_URL=postgresql://todo:Xk9-pl7q@ep.neon.tech/todo", "DATABASE_URL=[REDACTED]"),
            (
                "connect postgresql://todo:Xk9-pl7q@db:5432/todo failed",
                "connect postgresql://todo:[REDACTED]@db:5432/todo failed",
            ),
            ("key sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9 used", "key [REDACTED] used"),
            ("Authorization: Bearer abc.def.ghi", "Authorization: Bearer [REDACTED]"),
            ("password=hunter2 user=bob", "password=[REDACTED] user=bob"),
            ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU", "jwt [REDACTED]"),
            ("BETTER_AUTH_SECRET: b3tt3r", "BETTER_AUTH_SECRET: [REDACTED]"),
        ];
        for (input, want) in cases {
            assert_eq!(text(input), want, "{input}");
        }
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for input in [
            "Back-off restarting failed container backend in pod todo-backend-5f",
            "image ghcr.io/acme/todo:v3 pulled",
            "http://todo.local/api/health returned 503",
            "replicas=3 namespace: todo",
        ] {
            assert_eq!(text(input), input);
        }
    }

    #[test]
    fn masks_json_by_key_and_content() {
        let mut value = serde_json::json!({
            "tool": "helm_install",
            "args": {
                "set": {"secrets.databaseUrl": "postgres://a:b@c/d", "backend.replicaCount": "3"},
                "values": ["values-dev.yaml"],
                "openai_api_key": "sk-abcdefghijklmnopqrstu",
                "note": "token: abc"
            }
        });
        json(&mut value);
        assert_eq!(value["args"]["set"]["secrets.databaseUrl"], MASK);
        assert_eq!(value["args"]["set"]["backend.replicaCount"], "3");
        assert_eq!(value["args"]["openai_api_key"], MASK);
        assert_eq!(value["args"]["note"], "token: [REDACTED]");
        assert_eq!(value["args"]["values"][0], "values-dev.yaml");
    }

    #[test]
    fn helm_values_masked_by_key() {
        assert_eq!(helm_value("secrets.openaiApiKey", "x"), MASK);
        assert_eq!(helm_value("backend.image.tag", "1.2"), "1.2");
        assert_eq!(helm_value("config.note", "sk-abcdefghijklmnop"), MASK);
    }
}
