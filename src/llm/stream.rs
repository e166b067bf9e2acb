//! Reading model replies within fixed bounds. A model server is untrusted input: whatever it
//! sends — a tool-call `index` of three billion, a reply of gigabytes, a thousand tool calls,
//! megabytes of arguments, an event line without end — the result is a [`Reply`] within the
//! caps below or an [`LlmError::Malformed`] (and the caller plans offline), never an abort.
//!
//! - [`SseParser`]: server-sent-event bytes → `data:` payloads, counting every byte
//! - [`merge_chunk`] / [`merge_event`]: one streamed chunk into the reply (text deltas,
//!   tool-call deltas by index)
//! - [`parse_reply`]: a whole (non-streamed) reply
//!
//! All three are pure (no IO), so the property tests and the fuzz target drive exactly the
//! code the client runs.

use serde_json::{Value, json};

use super::client::LlmError;

/// Most bytes of one reply, streamed or whole (the events or the JSON body as sent).
pub const MAX_REPLY_BYTES: usize = 1 << 20;

/// Most tool calls in one reply (the agent runs at most 8 calls a turn anyway).
pub const MAX_TOOL_CALLS: usize = 16;

/// Most bytes of one tool call's arguments (the registry's arguments are a few hundred).
pub const MAX_ARGUMENT_BYTES: usize = 64 * 1024;

/// Most bytes of a tool call's name or id.
pub const MAX_NAME_BYTES: usize = 256;

/// One assistant reply, however it arrived (whole or streamed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    /// Text the model wrote.
    pub content: String,
    /// Tool calls it asked for.
    pub tool_calls: Vec<ToolCall>,
    /// Prompt and completion tokens, when reported.
    pub usage: Option<(u64, u64)>,
}

/// One tool call from the model (arguments still raw text: they may not even be JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolCall {
    /// The id to answer it with.
    pub id: String,
    /// The tool it names.
    pub name: String,
    /// Its arguments as the model wrote them.
    pub arguments: String,
}

impl Reply {
    /// The reply as an assistant message for the conversation.
    pub fn to_message(&self) -> Value {
        let mut message = json!({"role": "assistant", "content": self.content});
        if !self.tool_calls.is_empty() {
            message["tool_calls"] = Value::Array(
                self.tool_calls
                    .iter()
                    .map(|call| {
                        json!({"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}})
                    })
                    .collect(),
            );
        }
        message
    }
}

fn malformed(message: impl Into<String>) -> LlmError {
    LlmError::Malformed(message.into())
}

/// The error for a reply over [`MAX_REPLY_BYTES`].
pub fn too_large() -> LlmError {
    malformed(format!("the reply is larger than {} MiB", MAX_REPLY_BYTES >> 20))
}

fn too_many_calls() -> LlmError {
    malformed(format!("more than {MAX_TOOL_CALLS} tool calls in one reply"))
}

fn arguments_too_large(index: usize) -> LlmError {
    malformed(format!("the arguments of tool call {index} are larger than {} KiB", MAX_ARGUMENT_BYTES >> 10))
}

fn name_too_long(index: usize) -> LlmError {
    malformed(format!("the name or id of tool call {index} is longer than {MAX_NAME_BYTES} bytes"))
}

/// Server-sent events, incrementally: bytes in (any split), `data:` payloads out. Lines end
/// with LF, CRLF or CR; `:` lines are comments; an event ends at a blank line; `[DONE]` ends
/// the stream; `event: keepalive` is skipped. More than [`MAX_REPLY_BYTES`] in all is an
/// error, so neither the pending line nor the pending event can grow past it.
#[derive(Debug, Default)]
pub struct SseParser {
    /// The current line so far.
    line: Vec<u8>,
    /// The current event's `data:` lines, joined with `\n`.
    data: Option<String>,
    /// The current event's `event:` field.
    event: String,
    /// The last byte was a CR (a following LF belongs to it).
    after_cr: bool,
    /// Bytes seen in all.
    seen: usize,
    /// `[DONE]` arrived.
    done: bool,
}

impl SseParser {
    /// Takes the next bytes; returns the payloads of the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, LlmError> {
        self.seen = self.seen.saturating_add(bytes.len());
        if self.seen > MAX_REPLY_BYTES {
            return Err(too_large());
        }
        let mut payloads = Vec::new();
        for &byte in bytes {
            if self.done {
                break;
            }
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    self.end_line(&mut payloads)?;
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(byte);
                }
            }
        }
        Ok(payloads)
    }

    /// The end of the body: an event without its closing blank line still counts.
    pub fn finish(&mut self) -> Result<Vec<String>, LlmError> {
        let mut payloads = Vec::new();
        if !self.done {
            if !self.line.is_empty() {
                self.end_line(&mut payloads)?;
            }
            self.dispatch(&mut payloads);
        }
        Ok(payloads)
    }

    /// Whether `[DONE]` arrived (nothing after it is read).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Bytes held for an unfinished line or event.
    pub fn buffered(&self) -> usize {
        self.line.len() + self.data.as_ref().map_or(0, String::len) + self.event.len()
    }

    fn end_line(&mut self, payloads: &mut Vec<String>) -> Result<(), LlmError> {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            self.dispatch(payloads);
            return Ok(());
        }
        let line = String::from_utf8(line).map_err(|_| malformed("an event line is not UTF-8"))?;
        if line.starts_with(':') {
            return Ok(());
        }
        let (field, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            "event" => value.clone_into(&mut self.event),
            // `id`, `retry` and unknown fields mean nothing here.
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, payloads: &mut Vec<String>) {
        let event = std::mem::take(&mut self.event);
        let Some(data) = self.data.take() else { return };
        if event == "keepalive" {
            return;
        }
        if data.trim() == "[DONE]" {
            self.done = true;
            return;
        }
        payloads.push(data);
    }
}

/// An `{"error": …}` object a server put where a reply or chunk should be.
fn server_error(value: &Value) -> Option<LlmError> {
    let error = value.get("error")?;
    let message = error.get("message").and_then(Value::as_str).map_or_else(|| error.to_string(), str::to_string);
    let line: String = crate::redact::text(&message).lines().next().unwrap_or_default().chars().take(200).collect();
    Some(malformed(format!("the server sent an error: {line}")))
}

fn usage(value: &Value) -> Option<(u64, u64)> {
    let usage = value.get("usage")?;
    Some((usage["prompt_tokens"].as_u64().unwrap_or(0), usage["completion_tokens"].as_u64().unwrap_or(0)))
}

/// A whole (non-streamed) reply: `choices[0].message`, within the caps.
pub fn parse_reply(value: &Value) -> Result<Reply, LlmError> {
    if let Some(error) = server_error(value) {
        return Err(error);
    }
    let message =
        value.pointer("/choices/0/message").ok_or_else(|| malformed("no `choices[0].message` in the reply"))?;
    let content = message["content"].as_str().unwrap_or_default();
    if content.len() > MAX_REPLY_BYTES {
        return Err(too_large());
    }
    let mut reply = Reply { content: content.to_string(), tool_calls: Vec::new(), usage: usage(value) };
    if let Some(calls) = message["tool_calls"].as_array() {
        if calls.len() > MAX_TOOL_CALLS {
            return Err(too_many_calls());
        }
        for (index, call) in calls.iter().enumerate() {
            let name = call.pointer("/function/name").and_then(Value::as_str).unwrap_or_default();
            let arguments = match call.pointer("/function/arguments") {
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            if arguments.len() > MAX_ARGUMENT_BYTES {
                return Err(arguments_too_large(index));
            }
            let id = call["id"].as_str().map_or_else(|| format!("call_{index}"), str::to_string);
            if name.len() > MAX_NAME_BYTES || id.len() > MAX_NAME_BYTES {
                return Err(name_too_long(index));
            }
            reply.tool_calls.push(ToolCall { id, name: name.to_string(), arguments });
        }
    }
    Ok(reply)
}

/// Adds one streamed chunk to the reply: text deltas are handed on, tool-call deltas merged
/// by their `index`, which must name a call so far or the next one (a missing index means
/// the last call). Anything past a cap is an error and leaves the reply within it.
pub fn merge_chunk(reply: &mut Reply, chunk: &Value, on_text: &mut (dyn FnMut(&str) + Send)) -> Result<(), LlmError> {
    if let Some(error) = server_error(chunk) {
        return Err(error);
    }
    if let Some(tokens) = usage(chunk) {
        reply.usage = Some(tokens);
    }
    let Some(delta) = chunk.pointer("/choices/0/delta") else { return Ok(()) };
    if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
        if reply.content.len() + text.len() > MAX_REPLY_BYTES {
            return Err(too_large());
        }
        reply.content.push_str(text);
        on_text(text);
    }
    let Some(calls) = delta["tool_calls"].as_array() else { return Ok(()) };
    for call in calls {
        let count = reply.tool_calls.len();
        let index = match call.get("index") {
            None | Some(Value::Null) => count.saturating_sub(1),
            Some(value) => match value.as_u64().and_then(|index| usize::try_from(index).ok()) {
                Some(index) if index <= count => index,
                Some(index) => {
                    return Err(malformed(format!(
                        "tool call index {index} skips ahead ({count} call{} so far)",
                        if count == 1 { "" } else { "s" }
                    )));
                }
                None => return Err(malformed(format!("tool call index {value} is not a small whole number"))),
            },
        };
        if index == count {
            if count == MAX_TOOL_CALLS {
                return Err(too_many_calls());
            }
            reply.tool_calls.push(ToolCall { id: format!("call_{count}"), ..ToolCall::default() });
        }
        let entry = &mut reply.tool_calls[index];
        if let Some(id) = call["id"].as_str() {
            if id.len() > MAX_NAME_BYTES {
                return Err(name_too_long(index));
            }
            id.clone_into(&mut entry.id);
        }
        if let Some(name) = call.pointer("/function/name").and_then(Value::as_str) {
            if entry.name.len() + name.len() > MAX_NAME_BYTES {
                return Err(name_too_long(index));
            }
            entry.name.push_str(name);
        }
        if let Some(arguments) = call.pointer("/function/arguments").and_then(Value::as_str) {
            if entry.arguments.len() + arguments.len() > MAX_ARGUMENT_BYTES {
                return Err(arguments_too_large(index));
            }
            entry.arguments.push_str(arguments);
        }
    }
    Ok(())
}

/// One event's `data:` payload (a JSON chunk) into the reply.
pub fn merge_event(reply: &mut Reply, payload: &str, on_text: &mut (dyn FnMut(&str) + Send)) -> Result<(), LlmError> {
    let chunk: Value =
        serde_json::from_str(payload).map_err(|error| malformed(format!("an event is not JSON: {error}")))?;
    merge_chunk(reply, &chunk, on_text)
}

/// A whole event stream at once: what the client does piece by piece, for tests and fuzzing.
pub fn reply_from_sse(bytes: &[u8], on_text: &mut (dyn FnMut(&str) + Send)) -> Result<Reply, LlmError> {
    let mut parser = SseParser::default();
    let mut reply = Reply::default();
    let mut payloads = parser.push(bytes)?;
    payloads.extend(parser.finish()?);
    for payload in payloads {
        merge_event(&mut reply, &payload, on_text)?;
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_tool_calls_merge_by_index() {
        let mut reply = Reply::default();
        let mut seen = String::new();
        let chunks = [
            json!({"choices": [{"delta": {"content": "Let me "}}]}),
            json!({"choices": [{"delta": {"content": "check."}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "status", "arguments": "{\"na"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "mespace\":\"todo\"}"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "id": "b", "function": {"name": "events", "arguments": "{}"}}]}}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 3}}),
        ];
        for chunk in &chunks {
            merge_chunk(&mut reply, chunk, &mut |text| seen.push_str(text)).unwrap();
        }
        assert_eq!(seen, "Let me check.");
        assert_eq!(reply.tool_calls.len(), 2);
        assert_eq!(
            reply.tool_calls[0],
            ToolCall { id: "a".into(), name: "status".into(), arguments: "{\"namespace\":\"todo\"}".into() }
        );
        assert_eq!(reply.usage, Some((10, 3)));
    }

    #[test]
    fn indexes_are_bounded_by_the_calls_so_far() {
        let call = |index: Value| json!({"choices": [{"delta": {"tool_calls": [{"index": index, "function": {"name": "x"}}]}}]});
        let mut reply = Reply::default();
        let mut ignore = |_: &str| {};
        for bad in [json!(3_000_000_000_u64), json!(1), json!(-1), json!(0.5), json!("0"), json!(u64::MAX)] {
            assert!(merge_chunk(&mut reply, &call(bad.clone()), &mut ignore).is_err(), "{bad}");
            assert!(reply.tool_calls.is_empty(), "{bad}");
        }
        for index in 0..MAX_TOOL_CALLS {
            merge_chunk(&mut reply, &call(json!(index)), &mut ignore).unwrap();
            merge_chunk(&mut reply, &call(json!(index)), &mut ignore).unwrap();
        }
        assert_eq!(reply.tool_calls.len(), MAX_TOOL_CALLS);
        assert_eq!(reply.tool_calls[3].name, "xx");
        let error = merge_chunk(&mut reply, &call(json!(MAX_TOOL_CALLS)), &mut ignore).unwrap_err();
        assert_eq!(error, too_many_calls());
        assert_eq!(reply.tool_calls.len(), MAX_TOOL_CALLS);
    }

    #[test]
    fn whole_replies_parse_within_the_caps() {
        let reply = parse_reply(&json!({"choices": [{"message": {"content": null, "tool_calls": [{"id": "x", "function": {"name": "scale", "arguments": {"deployment": "backend", "replicas": 3}}}]}}]})).unwrap();
        assert_eq!(reply.tool_calls[0].arguments, "{\"deployment\":\"backend\",\"replicas\":3}");
        assert!(parse_reply(&json!({"nope": 1})).is_err());
        let many: Vec<Value> = (0..=MAX_TOOL_CALLS).map(|_| json!({"function": {"name": "status"}})).collect();
        assert_eq!(parse_reply(&json!({"choices": [{"message": {"tool_calls": many}}]})), Err(too_many_calls()));
        let huge = json!({"choices": [{"message": {"tool_calls": [{"function": {"name": "status", "arguments": "a".repeat(MAX_ARGUMENT_BYTES + 1)}}]}}]});
        assert_eq!(parse_reply(&huge), Err(arguments_too_large(0)));
        let error = parse_reply(&json!({"error": {"message": "quota exceeded for key sk-abc123DEF456ghi789JKL0mn"}}));
        let LlmError::Malformed(message) = error.unwrap_err() else { panic!("malformed") };
        assert!(message.starts_with("the server sent an error: quota exceeded"), "{message}");
        assert!(!message.contains("sk-abc123DEF"), "{message}");
    }

    #[test]
    fn server_sent_events_split_anywhere() {
        let body = b": ping\r\n\r\nevent: keepalive\ndata: {}\n\ndata: {\"choices\": [{\"delta\": {\"content\": \"a\"}}]}\r\n\r\ndata: {\"choices\":\rdata: [{\"delta\": {\"content\": \"b\"}}]}\r\rdata: [DONE]\n\ndata: {\"choices\": [{\"delta\": {\"content\": \"after\"}}]}\n\n";
        for split in 0..body.len() {
            let mut parser = SseParser::default();
            let mut payloads = parser.push(&body[..split]).unwrap();
            payloads.extend(parser.push(&body[split..]).unwrap());
            payloads.extend(parser.finish().unwrap());
            assert!(parser.is_done());
            assert_eq!(payloads.len(), 2, "split at {split}: {payloads:?}");
            assert_eq!(payloads[1], "{\"choices\":\n[{\"delta\": {\"content\": \"b\"}}]}");
        }
        let mut text = String::new();
        let reply = reply_from_sse(body, &mut |piece| text.push_str(piece)).unwrap();
        assert_eq!((reply.content.as_str(), text.as_str()), ("ab", "ab"));
        // No blank line at the end still delivers the last event.
        assert_eq!(
            reply_from_sse(b"data: {\"usage\": {\"prompt_tokens\": 1}}", &mut |_| {}).unwrap().usage,
            Some((1, 0))
        );
    }

    #[test]
    fn the_byte_cap_holds_for_any_shape() {
        let mut parser = SseParser::default();
        let line = vec![b'x'; 64 * 1024];
        let mut result = Ok(Vec::new());
        for _ in 0..17 {
            result = parser.push(&line);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(too_large()));
        assert!(parser.buffered() <= MAX_REPLY_BYTES);
        assert!(reply_from_sse(&vec![b'\n'; MAX_REPLY_BYTES + 1], &mut |_| {}).is_err());
        assert!(reply_from_sse(b"data: \xff\n\n", &mut |_| {}).is_err(), "not UTF-8");
    }
}
