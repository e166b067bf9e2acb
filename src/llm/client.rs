//! The chat-completions client: async-openai (OpenAI or Azure config, bring-your-own JSON
//! types so odd servers' replies still parse) over an HTTP service that retries 429 and 5xx
//! at most three tries in all, honouring `Retry-After` and adding jitter. Failures become
//! [`LlmError`]s with hints; the caller falls back to the offline planner.

use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use futures::StreamExt;
use serde_json::{Value, json};

use super::config::{LlmConfig, Provider};

/// Tries per request, the first included.
pub const MAX_TRIES: u32 = 3;

/// Why a model request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// No answer in time.
    #[error("the LLM did not answer within {0}s")]
    Timeout(u64),
    /// The server could not be reached.
    #[error("cannot reach the LLM server: {0}")]
    Connect(String),
    /// The key was refused (401/403).
    #[error("the LLM server refused the API key (HTTP {0})")]
    Auth(u16),
    /// The model does not exist there (404).
    #[error("the LLM server has no model `{0}` (HTTP 404)")]
    ModelNotFound(String),
    /// Still rate limited after the retries (429).
    #[error("the LLM server is rate limiting (HTTP 429) after {MAX_TRIES} tries")]
    RateLimited,
    /// A server error after the retries (5xx).
    #[error("the LLM server failed (HTTP {0}) after {MAX_TRIES} tries")]
    Server(u16),
    /// The server does not take the `tools` parameter.
    #[error("the LLM server does not support tool calls: {0}")]
    ToolsUnsupported(String),
    /// Another refusal of the request (400, 422 …).
    #[error("the LLM server rejected the request (HTTP {0}): {1}")]
    Rejected(u16, String),
    /// The reply could not be read.
    #[error("the LLM reply could not be read: {0}")]
    Malformed(String),
}

impl LlmError {
    /// What the user can do.
    pub fn hint(&self) -> &'static str {
        match self {
            LlmError::Timeout(_) => "raise `TODO_AI_LLM_TIMEOUT` (seconds) or use a smaller model",
            LlmError::Connect(_) => "check `OPENAI_BASE_URL` and that the server is running",
            LlmError::Auth(_) => "check `OPENAI_API_KEY` (or `AZURE_OPENAI_API_KEY`)",
            LlmError::ModelNotFound(_) => "set `--model` / `TODO_AI_MODEL` to a model the server has",
            LlmError::RateLimited | LlmError::Server(_) => "try again later; offline planning works meanwhile",
            LlmError::ToolsUnsupported(_) => "set `TODO_AI_LLM_TOOLS=json` to ask for JSON tool calls instead",
            LlmError::Rejected(..) | LlmError::Malformed(_) => "run with `-vv` to see the exchange",
        }
    }
}

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

/// A connected chat client.
pub struct LlmClient {
    client: Client<Box<dyn Config>>,
    /// The configuration it was made from.
    pub config: LlmConfig,
}

impl LlmClient {
    /// Builds the client (no request yet).
    pub fn new(config: LlmConfig) -> Result<LlmClient, LlmError> {
        let boxed: Box<dyn Config> = match &config.provider {
            Provider::OpenAi { base_url, api_key } => Box::new(
                OpenAIConfig::new()
                    .with_api_base(base_url)
                    .with_api_key(api_key.as_ref().map_or("", |key| key.expose())),
            ),
            Provider::Azure { endpoint, deployment, api_version, api_key } => Box::new(
                AzureConfig::new()
                    .with_api_base(endpoint)
                    .with_deployment_id(deployment)
                    .with_api_version(api_version)
                    .with_api_key(api_key.expose()),
            ),
        };
        // reqwest uses rustls without a built-in provider: make sure ring is installed (the
        // binary does this at start; library callers and tests may not have).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|error| LlmError::Connect(error.to_string()))?;
        let service = tower::service_fn(move |factory: HttpRequestFactory| {
            let http = http.clone();
            async move { send_with_retries(&http, &factory).await }
        });
        let client = Client::with_config(boxed).with_http_service(service);
        Ok(LlmClient { client, config })
    }

    /// Sends a chat request and returns the reply; with `on_text`, the reply is streamed and
    /// each piece of text is handed over as it arrives.
    pub async fn chat(
        &self,
        messages: &[Value],
        tools: Option<&Value>,
        on_text: Option<&mut (dyn FnMut(&str) + Send)>,
    ) -> Result<Reply, LlmError> {
        let mut request = json!({"model": self.config.model, "messages": messages});
        if let Some(tools) = tools {
            request["tools"] = tools.clone();
            request["tool_choice"] = json!("auto");
        }
        if self.config.json_mode {
            request["response_format"] = json!({"type": "json_object"});
        }
        let started = Instant::now();
        let timeout = self.config.timeout;
        let result = match on_text {
            None => {
                request["stream"] = json!(false);
                let chat = self.client.chat();
                let call = chat.create_byot::<Value, Value>(request);
                match tokio::time::timeout(timeout * MAX_TRIES + Duration::from_secs(1), call).await {
                    Err(_) => Err(LlmError::Timeout(timeout.as_secs())),
                    Ok(result) => result.map_err(|error| map_error(error, &self.config)).and_then(parse_reply),
                }
            }
            Some(on_text) => {
                request["stream"] = json!(true);
                self.stream(request, on_text).await
            }
        };
        if let Ok(reply) = &result {
            let (prompt, completion) = reply.usage.unwrap_or_default();
            tracing::info!(
                model = %self.config.model,
                latency_ms = started.elapsed().as_millis() as u64,
                prompt_tokens = prompt,
                completion_tokens = completion,
                tool_calls = reply.tool_calls.len(),
                "LLM turn"
            );
        }
        result
    }

    async fn stream(&self, request: Value, on_text: &mut (dyn FnMut(&str) + Send)) -> Result<Reply, LlmError> {
        let timeout = self.config.timeout;
        let mut stream = self
            .client
            .chat()
            .create_stream_byot::<Value, Value>(request)
            .await
            .map_err(|error| map_error(error, &self.config))?;
        let mut reply = Reply::default();
        loop {
            let chunk = match tokio::time::timeout(timeout, stream.next()).await {
                Err(_) => return Err(LlmError::Timeout(timeout.as_secs())),
                Ok(None) => break,
                Ok(Some(chunk)) => chunk.map_err(|error| map_error(error, &self.config))?,
            };
            merge_chunk(&mut reply, &chunk, on_text);
        }
        Ok(reply)
    }
}

/// Sends one request, retrying 429 and 5xx up to [`MAX_TRIES`]
/// tries: `Retry-After` when the server gives one (capped at 20 s), else exponential backoff
/// from 0.5 s with up to 50% jitter.
async fn send_with_retries(
    http: &reqwest::Client,
    factory: &HttpRequestFactory,
) -> Result<reqwest::Response, OpenAIError> {
    let mut attempt = 1;
    loop {
        let request = factory.build().await?;
        let result = http.execute(request).await;
        let retryable = match &result {
            Ok(response) => response.status().as_u16() == 429 || response.status().is_server_error(),
            // Timeouts and refused connections fall back at once: retrying only adds waiting.
            Err(_) => false,
        };
        if !retryable || attempt >= MAX_TRIES {
            return result.map_err(OpenAIError::Reqwest);
        }
        let retry_after = result
            .as_ref()
            .ok()
            .and_then(|response| response.headers().get(reqwest::header::RETRY_AFTER))
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<f64>().ok())
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .map(|seconds| Duration::from_secs_f64(seconds.min(20.0)));
        let delay = retry_after.unwrap_or_else(|| {
            let base = Duration::from_millis(500) * 2u32.pow(attempt - 1);
            base + base.mul_f64(jitter() * 0.5)
        });
        tracing::info!(attempt, delay_ms = delay.as_millis() as u64, "LLM request retried");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// A number in [0, 1) that differs between calls (no RNG dependency needed for jitter).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    (hasher.finish() % 10_000) as f64 / 10_000.0
}

fn map_error(error: OpenAIError, config: &LlmConfig) -> LlmError {
    match error {
        OpenAIError::Reqwest(error) if error.is_timeout() => LlmError::Timeout(config.timeout.as_secs()),
        OpenAIError::Reqwest(error) => LlmError::Connect(crate::redact::text(&crate::error::root_cause(&error))),
        OpenAIError::ApiError(response) => {
            let status = response.status_code.as_u16();
            let message = crate::redact::text(&response.api_error.message);
            match status {
                401 | 403 => LlmError::Auth(status),
                404 => LlmError::ModelNotFound(config.model.clone()),
                429 => LlmError::RateLimited,
                500..=599 => LlmError::Server(status),
                _ if mentions_tools(&message) => LlmError::ToolsUnsupported(one_line(&message)),
                _ => LlmError::Rejected(status, one_line(&message)),
            }
        }
        OpenAIError::JSONDeserialize(error, _) => LlmError::Malformed(error.to_string()),
        OpenAIError::StreamError(error) => LlmError::Malformed(crate::redact::text(&error.to_string())),
        other => LlmError::Malformed(crate::redact::text(&other.to_string())),
    }
}

fn mentions_tools(message: &str) -> bool {
    let lower = message.to_lowercase();
    lower.contains("tool") || lower.contains("function")
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

/// A whole (non-streamed) reply: `choices[0].message`.
pub fn parse_reply(value: Value) -> Result<Reply, LlmError> {
    let message = value
        .pointer("/choices/0/message")
        .ok_or_else(|| LlmError::Malformed("no `choices[0].message` in the reply".into()))?;
    let mut reply = Reply {
        content: message["content"].as_str().unwrap_or_default().to_string(),
        tool_calls: Vec::new(),
        usage: usage(&value),
    };
    if let Some(calls) = message["tool_calls"].as_array() {
        for (index, call) in calls.iter().enumerate() {
            let name = call.pointer("/function/name").and_then(Value::as_str).unwrap_or_default();
            let arguments = match call.pointer("/function/arguments") {
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let id = call["id"].as_str().map_or_else(|| format!("call_{index}"), str::to_string);
            reply.tool_calls.push(ToolCall { id, name: name.to_string(), arguments });
        }
    }
    Ok(reply)
}

fn usage(value: &Value) -> Option<(u64, u64)> {
    let usage = value.get("usage")?;
    Some((usage["prompt_tokens"].as_u64().unwrap_or(0), usage["completion_tokens"].as_u64().unwrap_or(0)))
}

/// Adds one streamed chunk to the reply: text deltas are handed on, tool-call deltas merged
/// by their `index`.
pub fn merge_chunk(reply: &mut Reply, chunk: &Value, on_text: &mut (dyn FnMut(&str) + Send)) {
    if let Some(tokens) = usage(chunk) {
        reply.usage = Some(tokens);
    }
    let Some(delta) = chunk.pointer("/choices/0/delta") else { return };
    if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
        reply.content.push_str(text);
        on_text(text);
    }
    if let Some(calls) = delta["tool_calls"].as_array() {
        for call in calls {
            let index = call["index"].as_u64().map_or(reply.tool_calls.len().saturating_sub(1), |i| i as usize);
            while reply.tool_calls.len() <= index {
                let next = reply.tool_calls.len();
                reply.tool_calls.push(ToolCall { id: format!("call_{next}"), ..ToolCall::default() });
            }
            let entry = &mut reply.tool_calls[index];
            if let Some(id) = call["id"].as_str() {
                entry.id = id.to_string();
            }
            if let Some(name) = call.pointer("/function/name").and_then(Value::as_str) {
                entry.name.push_str(name);
            }
            if let Some(arguments) = call.pointer("/function/arguments").and_then(Value::as_str) {
                entry.arguments.push_str(arguments);
            }
        }
    }
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
            merge_chunk(&mut reply, chunk, &mut |text| seen.push_str(text));
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
    fn whole_replies_parse_and_odd_ones_do_not_crash() {
        let reply = parse_reply(json!({"choices": [{"message": {"content": null, "tool_calls": [{"id": "x", "function": {"name": "scale", "arguments": {"deployment": "backend", "replicas": 3}}}]}}]})).unwrap();
        assert_eq!(reply.tool_calls[0].arguments, "{\"deployment\":\"backend\",\"replicas\":3}");
        assert!(parse_reply(json!({"nope": 1})).is_err());
        let jitters: Vec<f64> = (0..5).map(|_| jitter()).collect();
        assert!(jitters.iter().all(|j| (0.0..1.0).contains(j)));
    }
}
