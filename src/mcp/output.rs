//! What a tool call sends back to an MCP client: redacted with [`crate::redact`] exactly as
//! for the LLM, then capped, since the client usually hands it to a model whose context is
//! small and dear. Redaction comes first so a cut can never leave half a secret readable.

use serde_json::Value;

use crate::redact;

/// The default cap on a result's text, in bytes.
pub const DEFAULT_MAX_TEXT: usize = 8 * 1024;

/// Structured data may be this many times the text cap before it is left out (JSON is
/// wordier than the text rendering of the same result).
const DATA_FACTOR: usize = 4;

/// A result body, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The text, redacted and capped.
    pub text: String,
    /// The structured data, redacted; `None` when it was too big to send.
    pub data: Option<Value>,
}

/// Redacts `text` and `data` and caps them at `max_text` bytes of text (data: a multiple of
/// it). A cut text ends with a note saying how much was left out; left-out data too.
pub fn body(text: &str, data: Option<Value>, max_text: usize) -> Body {
    let mut text = redact::cap(&redact::text(text), max_text);
    let data = data.and_then(|mut value| {
        redact::json(&mut value);
        let size = serde_json::to_string(&value).map_or(usize::MAX, |json| json.len());
        if size <= max_text.saturating_mul(DATA_FACTOR) {
            Some(value)
        } else {
            text.push_str(&format!(
                "\n[structured data left out: {size} bytes of JSON is over the {} byte limit]",
                max_text.saturating_mul(DATA_FACTOR)
            ));
            None
        }
    });
    Body { text, data }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::cap;

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(cap("three lines\nof\ntext", 100), "three lines\nof\ntext");
    }

    #[test]
    fn long_text_is_cut_on_a_line_with_a_note() {
        let text = "line of text\n".repeat(1000);
        let capped = cap(&text, 1024);
        assert!(capped.len() < 1024 + 200, "{}", capped.len());
        let (kept, note) = capped.rsplit_once('\n').unwrap();
        assert!(kept.lines().all(|line| line == "line of text"), "{kept}");
        assert!(note.starts_with("[truncated: showing 1014 of 13000 bytes"), "{note}");
    }

    #[test]
    fn cuts_on_character_boundaries() {
        let text = "é".repeat(100);
        let capped = cap(&text, 51);
        assert!(capped.starts_with(&"é".repeat(25)));
        assert!(capped.contains("showing 50 of 200 bytes"));
    }

    #[test]
    fn redacts_before_cutting() {
        let secret = "sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9";
        let text = format!("{} {secret} tail", "x".repeat(10));
        let body = body(&text, Some(serde_json::json!({"log": format!("key {secret}")})), 20);
        assert!(!body.text.contains("sk-proj"), "{}", body.text);
        assert!(!body.text.contains("4fQ2"), "{}", body.text);
        assert_eq!(body.data.unwrap()["log"], "key [REDACTED]");
    }

    #[test]
    fn big_data_is_left_out_with_a_note() {
        let data = serde_json::json!({"pods": vec!["todo-backend-5f7d9c-abcde"; 1000]});
        let body = body("ok", Some(data), 1024);
        assert!(body.data.is_none());
        assert!(body.text.contains("structured data left out"), "{}", body.text);
    }
}
