//! The chat-completions client: async-openai's provider configuration (OpenAI-compatible or
//! Azure: URL, headers, `api-version`) over our own HTTP exchange, so every byte of the reply
//! passes through the bounded readers in [`super::stream`]. Requests that fail with 429 or
//! 5xx are retried, three tries in all, honouring `Retry-After` and adding jitter. Each try
//! of a whole reply has the timeout; a streamed reply must start and keep arriving within
//! it, and finish within [`STREAM_DEADLINE_FACTOR`] times it. Failures become [`LlmError`]s
//! with hints; the caller falls back to the offline planner.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use serde_json::{Value, json};

use super::config::{LlmConfig, Provider};
use super::stream::{MAX_REPLY_BYTES, SseParser, merge_event, parse_reply, too_large};
pub use super::stream::{Reply, ToolCall};

/// Tries per request, the first included.
pub const MAX_TRIES: u32 = 3;

/// A streamed reply may take this many times the timeout in all.
pub const STREAM_DEADLINE_FACTOR: u32 = 4;

/// Most bytes of an error body read (its message is one line anyway).
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Why a model request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// No answer in time.
    #[error("the LLM did not answer within {0}s")]
    Timeout(u64),
    /// A streamed reply kept coming past its deadline.
    #[error("the LLM reply did not finish within {0}s")]
    Unfinished(u64),
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
    /// The reply could not be read, or broke a bound (size, tool calls, index).
    #[error("the LLM reply could not be read: {0}")]
    Malformed(String),
    /// An API key would go over plain http to a host that is not this machine.
    #[error("refusing to send the API key over plain http to {0}")]
    InsecureTransport(String),
}

impl LlmError {
    /// What the user can do.
    pub fn hint(&self) -> &'static str {
        match self {
            LlmError::Timeout(_) => "raise `TODO_AI_LLM_TIMEOUT` (seconds) or use a smaller model",
            LlmError::Unfinished(_) => {
                "raise `TODO_AI_LLM_TIMEOUT` (seconds; a streamed reply may take 4 times that) or use a smaller model"
            }
            LlmError::Connect(_) => "check `OPENAI_BASE_URL` and that the server is running",
            LlmError::Auth(_) => "check `OPENAI_API_KEY` (or `AZURE_OPENAI_API_KEY`)",
            LlmError::ModelNotFound(_) => "set `--model` / `TODO_AI_MODEL` to a model the server has",
            LlmError::RateLimited | LlmError::Server(_) => "try again later; offline planning works meanwhile",
            LlmError::ToolsUnsupported(_) => "set `TODO_AI_LLM_TOOLS=json` to ask for JSON tool calls instead",
            LlmError::Rejected(..) | LlmError::Malformed(_) => "run with `-vv` to see the exchange",
            LlmError::InsecureTransport(_) => {
                "use an https:// URL, or set `TODO_AI_ALLOW_INSECURE_LLM=1` to send the key in clear text anyway (anyone on the network path can read it)"
            }
        }
    }
}

/// Whether the plain-http warning was shown (once per process).
static WARNED_INSECURE: AtomicBool = AtomicBool::new(false);

/// A connected chat client.
pub struct LlmClient {
    http: reqwest::Client,
    provider: Box<dyn Config>,
    /// The configuration it was made from.
    pub config: LlmConfig,
}

impl LlmClient {
    /// Builds the client (no request yet). An API key bound for plain http to another host
    /// is refused unless `TODO_AI_ALLOW_INSECURE_LLM=1`, which warns once on stderr.
    pub fn new(config: LlmConfig) -> Result<LlmClient, LlmError> {
        if let Some(host) = config.insecure_key_host() {
            if !config.allow_insecure_http {
                return Err(LlmError::InsecureTransport(host));
            }
            if !WARNED_INSECURE.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "warning: the API key goes over plain http to {host} (TODO_AI_ALLOW_INSECURE_LLM=1): anyone on the network path can read it"
                );
            }
        }
        let provider: Box<dyn Config> = match &config.provider {
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
        // No total timeout here: a whole reply gets one per request, a stream its own deadline.
        let http = reqwest::Client::builder()
            .read_timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|error| LlmError::Connect(error.to_string()))?;
        Ok(LlmClient { http, provider, config })
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
                let whole = self.whole(&request);
                match tokio::time::timeout(timeout * MAX_TRIES + Duration::from_secs(1), whole).await {
                    Err(_) => Err(LlmError::Timeout(timeout.as_secs())),
                    Ok(result) => result,
                }
            }
            Some(on_text) => {
                request["stream"] = json!(true);
                let deadline = timeout * STREAM_DEADLINE_FACTOR;
                match tokio::time::timeout(deadline, self.stream(&request, on_text)).await {
                    Err(_) => Err(LlmError::Unfinished(deadline.as_secs())),
                    Ok(result) => result,
                }
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

    /// A whole reply: at most [`MAX_REPLY_BYTES`] of JSON, then [`parse_reply`].
    async fn whole(&self, request: &Value) -> Result<Reply, LlmError> {
        let mut response = self.send(request, Some(self.config.timeout)).await?;
        if response.content_length().is_some_and(|length| length > MAX_REPLY_BYTES as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(piece) = response.chunk().await.map_err(|error| self.transport_error(&error))? {
            if body.len() + piece.len() > MAX_REPLY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&piece);
        }
        let value: Value = serde_json::from_slice(&body)
            .map_err(|error| LlmError::Malformed(format!("the reply is not JSON: {error}")))?;
        parse_reply(&value)
    }

    /// A streamed reply: events through the bounded [`SseParser`] into [`merge_event`]; each
    /// piece must arrive within the timeout.
    async fn stream(&self, request: &Value, on_text: &mut (dyn FnMut(&str) + Send)) -> Result<Reply, LlmError> {
        let timeout = self.config.timeout;
        let mut response = self.send(request, None).await?;
        let mut parser = SseParser::default();
        let mut reply = Reply::default();
        while !parser.is_done() {
            let piece = match tokio::time::timeout(timeout, response.chunk()).await {
                Err(_) => return Err(LlmError::Timeout(timeout.as_secs())),
                Ok(piece) => piece.map_err(|error| self.transport_error(&error))?,
            };
            let payloads = match piece {
                Some(bytes) => parser.push(&bytes)?,
                None => {
                    let rest = parser.finish()?;
                    if rest.is_empty() {
                        break;
                    }
                    rest
                }
            };
            for payload in payloads {
                merge_event(&mut reply, &payload, on_text)?;
            }
        }
        Ok(reply)
    }

    /// POSTs the request (retrying 429 and 5xx); a non-success status becomes its error.
    async fn send(&self, request: &Value, total: Option<Duration>) -> Result<reqwest::Response, LlmError> {
        let body = serde_json::to_vec(request).map_err(|error| LlmError::Malformed(error.to_string()))?;
        let mut url = reqwest::Url::parse(&self.provider.url("/chat/completions"))
            .map_err(|error| LlmError::Connect(format!("the URL is not valid: {error}")))?;
        for (name, value) in self.provider.query() {
            url.query_pairs_mut().append_pair(name, value);
        }
        let build = || {
            let mut builder = self
                .http
                .post(url.clone())
                .headers(self.provider.headers())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
            if let Some(total) = total {
                builder = builder.timeout(total);
            }
            builder
        };
        let response = send_with_retries(build).await.map_err(|error| self.transport_error(&error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        Err(self.status_error(status.as_u16(), &read_error_body(response).await))
    }

    fn transport_error(&self, error: &reqwest::Error) -> LlmError {
        if error.is_timeout() {
            LlmError::Timeout(self.config.timeout.as_secs())
        } else if error.is_body() || error.is_decode() {
            LlmError::Malformed(crate::redact::text(&crate::error::root_cause(error)))
        } else {
            LlmError::Connect(crate::redact::text(&crate::error::root_cause(error)))
        }
    }

    fn status_error(&self, status: u16, message: &str) -> LlmError {
        let message = crate::redact::text(message);
        match status {
            401 | 403 => LlmError::Auth(status),
            404 => LlmError::ModelNotFound(self.config.model.clone()),
            429 => LlmError::RateLimited,
            500..=599 => LlmError::Server(status),
            _ if mentions_tools(&message) => LlmError::ToolsUnsupported(one_line(&message)),
            _ => LlmError::Rejected(status, one_line(&message)),
        }
    }
}

/// The message of an error reply: `error.message` when it is OpenAI's JSON, else the text.
async fn read_error_body(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(piece)) = response.chunk().await {
        let room = MAX_ERROR_BYTES.saturating_sub(body.len());
        body.extend_from_slice(&piece[..piece.len().min(room)]);
        if room <= piece.len() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&body);
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|value| value.pointer("/error/message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| text.into_owned())
}

/// Sends one request, retrying 429 and 5xx up to [`MAX_TRIES`]
/// tries: `Retry-After` when the server gives one (capped at 20 s), else exponential backoff
/// from 0.5 s with up to 50% jitter.
async fn send_with_retries(build: impl Fn() -> reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
    let mut attempt = 1;
    loop {
        let result = build().send().await;
        let retryable = match &result {
            Ok(response) => response.status().as_u16() == 429 || response.status().is_server_error(),
            // Timeouts and refused connections fall back at once: retrying only adds waiting.
            Err(_) => false,
        };
        if !retryable || attempt >= MAX_TRIES {
            return result;
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

fn mentions_tools(message: &str) -> bool {
    let lower = message.to_lowercase();
    lower.contains("tool") || lower.contains("function")
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_in_range() {
        let jitters: Vec<f64> = (0..5).map(|_| jitter()).collect();
        assert!(jitters.iter().all(|j| (0.0..1.0).contains(j)));
    }
}
