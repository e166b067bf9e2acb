//! Which planner is active and why: an OpenAI-compatible server (OpenAI, a local server at
//! `OPENAI_BASE_URL` such as Ollama, llama.cpp, vLLM or LM Studio, with the key optional) or
//! Azure OpenAI, from flags > environment > config file; else the offline planner, with the
//! reason. API keys come from the environment only and never show in `Debug` output.

use std::fmt;
use std::time::Duration;

/// The model used when none is configured.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// The OpenAI API.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// The Azure OpenAI API version used when none is configured.
pub const DEFAULT_AZURE_API_VERSION: &str = "2024-10-21";

/// How long one LLM request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A secret string: its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::redact::MASK)
    }
}

/// Where the model is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// An OpenAI-compatible `/chat/completions` endpoint.
    OpenAi {
        /// `https://api.openai.com/v1`, `http://localhost:11434/v1` …
        base_url: String,
        /// The key; local servers may need none.
        api_key: Option<Secret>,
    },
    /// Azure OpenAI.
    Azure {
        /// `https://NAME.openai.azure.com`.
        endpoint: String,
        /// The deployment (it names the model).
        deployment: String,
        /// `api-version`.
        api_version: String,
        /// The key.
        api_key: Secret,
    },
}

/// A configured LLM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmConfig {
    /// Where.
    pub provider: Provider,
    /// Which model.
    pub model: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Ask for tool calls as a JSON object in the reply instead of native `tools`
    /// (`TODO_AI_LLM_TOOLS=json`; also switched on when a server rejects `tools`).
    pub json_mode: bool,
}

impl LlmConfig {
    /// A one-line description for `doctor` and `/status` (no secrets).
    pub fn describe(&self) -> String {
        match &self.provider {
            Provider::OpenAi { base_url, api_key } => format!(
                "model {} at {} ({}; timeout {}s{})",
                self.model,
                crate::redact::text(base_url),
                if api_key.is_some() { "API key set" } else { "no API key" },
                self.timeout.as_secs(),
                if self.json_mode { "; JSON tool mode" } else { "" }
            ),
            Provider::Azure { endpoint, deployment, api_version, .. } => format!(
                "Azure OpenAI deployment {deployment} at {} (api-version {api_version}; timeout {}s)",
                crate::redact::text(endpoint),
                self.timeout.as_secs()
            ),
        }
    }
}

/// The LLM keys of the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileKeys {
    /// `base_url`.
    pub base_url: Option<String>,
    /// `azure_endpoint`.
    pub azure_endpoint: Option<String>,
    /// `azure_deployment`.
    pub azure_deployment: Option<String>,
    /// `azure_api_version`.
    pub azure_api_version: Option<String>,
    /// `llm_timeout` (seconds).
    pub llm_timeout: Option<u64>,
}

/// Resolves the LLM: `Ok(config)` when one is configured, else `Err(reason)` saying why the
/// offline planner is active.
pub fn resolve(
    offline: bool,
    model: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    file: &FileKeys,
) -> Result<LlmConfig, String> {
    if offline {
        return Err("offline mode (--offline, TODO_AI_OFFLINE or the config file)".into());
    }
    let get = |name: &str| env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let timeout = get("TODO_AI_LLM_TIMEOUT")
        .and_then(|v| v.parse::<u64>().ok())
        .or(file.llm_timeout)
        .filter(|seconds| *seconds > 0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let json_mode = get("TODO_AI_LLM_TOOLS").is_some_and(|v| v.eq_ignore_ascii_case("json"));
    let azure_endpoint = get("AZURE_OPENAI_ENDPOINT").or_else(|| file.azure_endpoint.clone());
    if let Some(endpoint) = azure_endpoint {
        let Some(api_key) = get("AZURE_OPENAI_API_KEY") else {
            return Err("AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_API_KEY is not".into());
        };
        let deployment = get("AZURE_OPENAI_DEPLOYMENT")
            .or_else(|| file.azure_deployment.clone())
            .or_else(|| model.clone())
            .ok_or_else(|| "AZURE_OPENAI_ENDPOINT is set but no deployment (AZURE_OPENAI_DEPLOYMENT)".to_string())?;
        let api_version = get("AZURE_OPENAI_API_VERSION")
            .or_else(|| file.azure_api_version.clone())
            .unwrap_or_else(|| DEFAULT_AZURE_API_VERSION.into());
        return Ok(LlmConfig {
            model: model.unwrap_or_else(|| deployment.clone()),
            provider: Provider::Azure {
                endpoint: endpoint.trim_end_matches('/').to_string(),
                deployment,
                api_version,
                api_key: Secret::new(api_key),
            },
            timeout,
            json_mode,
        });
    }
    let api_key = get("OPENAI_API_KEY").map(Secret::new);
    let base_url = get("OPENAI_BASE_URL").or_else(|| file.base_url.clone());
    match (base_url, api_key) {
        (None, None) => Err("no LLM configured (set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server)".into()),
        (base_url, api_key) => Ok(LlmConfig {
            provider: Provider::OpenAi {
                base_url: base_url.unwrap_or_else(|| OPENAI_BASE_URL.into()).trim_end_matches('/').to_string(),
                api_key,
            },
            model: model.unwrap_or_else(|| DEFAULT_MODEL.into()),
            timeout,
            json_mode,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
    }

    #[test]
    fn providers_and_reasons() {
        let none = FileKeys::default();
        assert!(resolve(false, None, &env_of(&[]), &none).unwrap_err().contains("no LLM configured"));
        assert!(resolve(true, None, &env_of(&[("OPENAI_API_KEY", "sk-x")]), &none).unwrap_err().contains("offline"));
        let openai = resolve(false, None, &env_of(&[("OPENAI_API_KEY", "sk-abc")]), &none).unwrap();
        assert_eq!(openai.model, DEFAULT_MODEL);
        assert_eq!(
            openai.provider,
            Provider::OpenAi { base_url: OPENAI_BASE_URL.into(), api_key: Some(Secret::new("sk-abc")) }
        );
        // A local server needs no key.
        let local = resolve(
            false,
            Some("llama3.1".into()),
            &env_of(&[("OPENAI_BASE_URL", "http://localhost:11434/v1/"), ("TODO_AI_LLM_TIMEOUT", "5")]),
            &none,
        )
        .unwrap();
        assert_eq!(local.provider, Provider::OpenAi { base_url: "http://localhost:11434/v1".into(), api_key: None });
        assert_eq!(local.timeout, Duration::from_secs(5));
        let azure = resolve(
            false,
            None,
            &env_of(&[
                ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/"),
                ("AZURE_OPENAI_API_KEY", "k"),
                ("AZURE_OPENAI_DEPLOYMENT", "gpt4o"),
            ]),
            &none,
        )
        .unwrap();
        assert!(
            matches!(azure.provider, Provider::Azure { ref api_version, .. } if api_version == DEFAULT_AZURE_API_VERSION)
        );
        assert_eq!(azure.model, "gpt4o");
        // Keys never show in Debug.
        assert!(!format!("{openai:?}").contains("sk-abc"));
        assert!(!openai.describe().contains("sk-abc"));
    }
}
