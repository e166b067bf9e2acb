//! Which planner is active and why: an OpenAI-compatible server (OpenAI, a local server at
//! `OPENAI_BASE_URL` such as Ollama, llama.cpp, vLLM or LM Studio, with the key optional) or
//! Azure OpenAI, from flags > environment > config file; else the offline planner, with the
//! reason. API keys come from the environment only and never show in `Debug` output.
//!
//! The environment is untrusted input too: every value is bounded in size and checked for
//! shape (URLs are http(s) URLs with a host, names have no control characters, keys are
//! header-safe, timeouts are in range), and a bad one is a one-line error with a hint that
//! never echoes the value.

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

/// The longest `TODO_AI_LLM_TIMEOUT` (seconds): ten minutes.
pub const MAX_TIMEOUT_SECONDS: u64 = 600;

/// Most bytes of a base URL or endpoint.
pub const MAX_URL_BYTES: usize = 2048;

/// Most bytes of a model, deployment or API version name.
pub const MAX_NAME_BYTES: usize = 200;

/// Most bytes of an API key.
pub const MAX_KEY_BYTES: usize = 4096;

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
    /// `TODO_AI_ALLOW_INSECURE_LLM=1`: send the API key over plain http to another host.
    pub allow_insecure_http: bool,
}

impl LlmConfig {
    /// A one-line description for `doctor` and `/status` (no secrets).
    pub fn describe(&self) -> String {
        let described = match &self.provider {
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
        };
        match (self.insecure_key_host(), self.allow_insecure_http) {
            (None, _) => described,
            (Some(_), false) => format!(
                "{described} — plain http to a non-loopback host: the API key is not sent, so the offline planner answers (use https, or TODO_AI_ALLOW_INSECURE_LLM=1)"
            ),
            (Some(_), true) => format!(
                "{described} — WARNING: plain http to a non-loopback host: the API key is sent in clear text (TODO_AI_ALLOW_INSECURE_LLM=1)"
            ),
        }
    }

    /// The host an API key would reach over plain http, when that host is not this machine
    /// (`localhost` or a loopback address). Names are not resolved: only `localhost` counts.
    pub fn insecure_key_host(&self) -> Option<String> {
        let url = match &self.provider {
            Provider::OpenAi { api_key: None, .. } => return None,
            Provider::OpenAi { base_url, api_key: Some(_) } => base_url,
            Provider::Azure { endpoint, .. } => endpoint,
        };
        let url = reqwest::Url::parse(url).ok()?;
        if url.scheme() != "http" {
            return None;
        }
        let host = url.host_str()?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = bare.eq_ignore_ascii_case("localhost")
            || bare.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback());
        (!loopback).then(|| host.to_string())
    }
}

/// A setting that cannot be used: what is wrong (never the value) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    /// One line naming the setting.
    pub message: String,
    /// What to do instead.
    pub hint: String,
}

impl InvalidSetting {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> InvalidSetting {
        InvalidSetting { message: message.into(), hint: hint.into() }
    }
}

/// The LLM when one is configured, else why the offline planner is active.
pub type Resolution = Result<LlmConfig, String>;

/// A timeout in seconds, `name` saying where it came from.
fn timeout_seconds(name: &str, text: &str) -> Result<Duration, InvalidSetting> {
    let hint = format!("give whole seconds between 1 and {MAX_TIMEOUT_SECONDS}, e.g. `{name}=60`");
    let seconds = text
        .parse::<u64>()
        .map_err(|_| InvalidSetting::new(format!("{name} is not a whole number of seconds"), hint.clone()))?;
    check_timeout(name, seconds)
}

fn check_timeout(name: &str, seconds: u64) -> Result<Duration, InvalidSetting> {
    if !(1..=MAX_TIMEOUT_SECONDS).contains(&seconds) {
        return Err(InvalidSetting::new(
            format!("{name} must be between 1 and {MAX_TIMEOUT_SECONDS} seconds"),
            format!("give whole seconds between 1 and {MAX_TIMEOUT_SECONDS}"),
        ));
    }
    Ok(Duration::from_secs(seconds))
}

/// An http(s) URL with a host, at most [`MAX_URL_BYTES`].
fn check_url(name: &str, value: &str) -> Result<(), InvalidSetting> {
    let hint = "give the server's URL, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`";
    if value.len() > MAX_URL_BYTES {
        return Err(InvalidSetting::new(format!("{name} is longer than {MAX_URL_BYTES} bytes"), hint));
    }
    let valid = reqwest::Url::parse(value).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|host| !host.is_empty())
    });
    if !valid {
        return Err(InvalidSetting::new(format!("{name} is not an http:// or https:// URL"), hint));
    }
    Ok(())
}

/// A name of at most [`MAX_NAME_BYTES`] without control characters; `url_safe` also keeps
/// it to letters, digits, `.`, `-` and `_` (it goes into a URL path or query).
fn check_name(name: &str, value: &str, url_safe: bool, hint: &str) -> Result<(), InvalidSetting> {
    if value.len() > MAX_NAME_BYTES {
        return Err(InvalidSetting::new(format!("{name} is longer than {MAX_NAME_BYTES} bytes"), hint));
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidSetting::new(format!("{name} contains control characters"), hint));
    }
    if url_safe && !value.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_')) {
        return Err(InvalidSetting::new(format!("{name} may only have letters, digits, `.`, `-` and `_`"), hint));
    }
    Ok(())
}

/// A key that fits in an HTTP header: visible ASCII, at most [`MAX_KEY_BYTES`].
fn check_key(name: &str, value: &str) -> Result<(), InvalidSetting> {
    let hint = format!("set `{name}` to the key exactly as the provider shows it");
    if value.len() > MAX_KEY_BYTES {
        return Err(InvalidSetting::new(format!("`{name}` is longer than {MAX_KEY_BYTES} bytes"), hint));
    }
    if !value.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(InvalidSetting::new(format!("`{name}` has spaces, control or non-ASCII characters"), hint));
    }
    Ok(())
}

/// `1`/`true`/`yes` or `0`/`false`/`no`.
fn flag(name: &str, value: Option<String>) -> Result<bool, InvalidSetting> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(_) => {
            Err(InvalidSetting::new(format!("`{name}` is neither 1 nor 0"), format!("set `{name}=1` or unset it")))
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

/// Resolves the LLM: `Ok(Ok(config))` when one is configured, `Ok(Err(reason))` saying why
/// the offline planner is active, `Err` when a setting is invalid (offline mode reads none).
pub fn resolve(
    offline: bool,
    model: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    file: &FileKeys,
) -> Result<Resolution, InvalidSetting> {
    if offline {
        return Ok(Err("offline mode (--offline, TODO_AI_OFFLINE or the config file)".into()));
    }
    let get = |name: &str| env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let timeout = match (get("TODO_AI_LLM_TIMEOUT"), file.llm_timeout) {
        (Some(text), _) => timeout_seconds("`TODO_AI_LLM_TIMEOUT`", &text)?,
        (None, Some(seconds)) => check_timeout("`llm_timeout` in the config file", seconds)?,
        (None, None) => DEFAULT_TIMEOUT,
    };
    let model_hint = "set `--model` / `TODO_AI_MODEL` (or `model` in the config file) to the model's name";
    if let Some(model) = &model {
        check_name("the model name", model, false, model_hint)?;
    }
    let json_mode = get("TODO_AI_LLM_TOOLS").is_some_and(|v| v.eq_ignore_ascii_case("json"));
    let allow_insecure_http = flag("TODO_AI_ALLOW_INSECURE_LLM", get("TODO_AI_ALLOW_INSECURE_LLM"))?;
    let azure_endpoint = match get("AZURE_OPENAI_ENDPOINT") {
        Some(endpoint) => Some(("`AZURE_OPENAI_ENDPOINT`", endpoint)),
        None => file.azure_endpoint.clone().map(|endpoint| ("`azure_endpoint` in the config file", endpoint)),
    };
    if let Some((source, endpoint)) = azure_endpoint {
        check_url(source, &endpoint)?;
        let Some(api_key) = get("AZURE_OPENAI_API_KEY") else {
            return Ok(Err("AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_API_KEY is not".into()));
        };
        check_key("AZURE_OPENAI_API_KEY", &api_key)?;
        let Some(deployment) =
            get("AZURE_OPENAI_DEPLOYMENT").or_else(|| file.azure_deployment.clone()).or_else(|| model.clone())
        else {
            return Ok(Err("AZURE_OPENAI_ENDPOINT is set but no deployment (AZURE_OPENAI_DEPLOYMENT)".to_string()));
        };
        check_name(
            "the Azure deployment",
            &deployment,
            true,
            "set `AZURE_OPENAI_DEPLOYMENT` to the deployment's name",
        )?;
        let api_version = get("AZURE_OPENAI_API_VERSION")
            .or_else(|| file.azure_api_version.clone())
            .unwrap_or_else(|| DEFAULT_AZURE_API_VERSION.into());
        check_name(
            "the Azure API version",
            &api_version,
            true,
            "set `AZURE_OPENAI_API_VERSION` to a version such as 2024-10-21",
        )?;
        return Ok(Ok(LlmConfig {
            model: model.unwrap_or_else(|| deployment.clone()),
            provider: Provider::Azure {
                endpoint: endpoint.trim_end_matches('/').to_string(),
                deployment,
                api_version,
                api_key: Secret::new(api_key),
            },
            timeout,
            json_mode,
            allow_insecure_http,
        }));
    }
    let api_key = get("OPENAI_API_KEY");
    if let Some(key) = &api_key {
        check_key("OPENAI_API_KEY", key)?;
    }
    let base_url = match get("OPENAI_BASE_URL") {
        Some(url) => Some(("`OPENAI_BASE_URL`", url)),
        None => file.base_url.clone().map(|url| ("`base_url` in the config file", url)),
    };
    if let Some((source, url)) = &base_url {
        check_url(source, url)?;
    }
    Ok(match (base_url, api_key) {
        (None, None) => Err("no LLM configured (set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server)".into()),
        (base_url, api_key) => Ok(LlmConfig {
            provider: Provider::OpenAi {
                base_url: base_url
                    .map_or_else(|| OPENAI_BASE_URL.into(), |(_, url)| url)
                    .trim_end_matches('/')
                    .to_string(),
                api_key: api_key.map(Secret::new),
            },
            model: model.unwrap_or_else(|| DEFAULT_MODEL.into()),
            timeout,
            json_mode,
            allow_insecure_http,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn providers_and_reasons() {
        let none = FileKeys::default();
        let resolve = |offline, model, env: &dyn Fn(&str) -> Option<String>, file: &FileKeys| {
            resolve(offline, model, env, file).unwrap()
        };
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

    #[test]
    fn bad_settings_are_one_line_errors_that_never_echo_the_value() {
        let none = FileKeys::default();
        let error = |pairs: &[(&str, &str)]| resolve(false, None, &env_of(pairs), &none).unwrap_err();
        let key = ("OPENAI_API_KEY", "sk-abc");
        assert_eq!(
            error(&[key, ("TODO_AI_LLM_TIMEOUT", "ten")]).message,
            "`TODO_AI_LLM_TIMEOUT` is not a whole number of seconds"
        );
        assert!(error(&[key, ("TODO_AI_LLM_TIMEOUT", "0")]).message.contains("between 1 and 600"));
        assert!(error(&[key, ("TODO_AI_LLM_TIMEOUT", "601")]).message.contains("between 1 and 600"));
        assert!(resolve(false, None, &env_of(&[key, ("TODO_AI_LLM_TIMEOUT", "600")]), &none).is_ok());
        let file = FileKeys { llm_timeout: Some(0), ..FileKeys::default() };
        assert!(resolve(false, None, &env_of(&[key]), &file).unwrap_err().message.contains("`llm_timeout`"));
        assert!(error(&[("OPENAI_API_KEY", "sk-abc\r\nX-Evil: 1")]).message.contains("control"));
        assert!(error(&[key, ("OPENAI_BASE_URL", "file:///etc/passwd")]).message.contains("not an http://"));
        assert!(error(&[key, ("OPENAI_BASE_URL", "http://")]).message.contains("not an http://"));
        assert!(error(&[key, ("TODO_AI_ALLOW_INSECURE_LLM", "maybe")]).message.contains("neither 1 nor 0"));
        let azure = [
            ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY", "k"),
            ("AZURE_OPENAI_DEPLOYMENT", "gpt4o/../../admin?x=1"),
        ];
        assert!(error(&azure).message.starts_with("the Azure deployment may only have"));
        let long_model = "m".repeat(MAX_NAME_BYTES + 1);
        let long = resolve(false, Some(long_model.clone()), &env_of(&[key]), &none).unwrap_err();
        assert!(!long.message.contains(&long_model) && long.message.contains("longer than 200 bytes"));
        let secret = error(&[("OPENAI_API_KEY", "sk-secret value")]);
        assert!(!secret.message.contains("sk-secret") && !secret.hint.contains("sk-secret"));
    }

    #[test]
    fn plain_http_to_another_host_is_insecure_for_keys_only() {
        let none = FileKeys::default();
        let config = |pairs: &[(&str, &str)]| resolve(false, None, &env_of(pairs), &none).unwrap().unwrap();
        let key = ("OPENAI_API_KEY", "sk-abc");
        for local in
            ["http://localhost:11434/v1", "http://127.0.0.1:8080/v1", "http://[::1]:8000/v1", "https://api.example/v1"]
        {
            assert_eq!(config(&[key, ("OPENAI_BASE_URL", local)]).insecure_key_host(), None, "{local}");
        }
        let remote = config(&[key, ("OPENAI_BASE_URL", "http://gpu-box.lan:8000/v1")]);
        assert_eq!(remote.insecure_key_host().as_deref(), Some("gpu-box.lan"));
        assert!(!remote.allow_insecure_http);
        assert!(remote.describe().contains("the API key is not sent"), "{}", remote.describe());
        let trick = config(&[key, ("OPENAI_BASE_URL", "http://localhost.evil.example/v1")]);
        assert_eq!(trick.insecure_key_host().as_deref(), Some("localhost.evil.example"));
        let keyless = config(&[("OPENAI_BASE_URL", "http://gpu-box.lan:8000/v1")]);
        assert_eq!(keyless.insecure_key_host(), None, "no key, nothing to leak");
        let allowed = config(&[key, ("OPENAI_BASE_URL", "http://10.0.0.5/v1"), ("TODO_AI_ALLOW_INSECURE_LLM", "1")]);
        assert!(allowed.allow_insecure_http);
        assert!(allowed.describe().contains("WARNING"), "{}", allowed.describe());
        let azure = config(&[
            ("AZURE_OPENAI_ENDPOINT", "http://azure.example"),
            ("AZURE_OPENAI_API_KEY", "k"),
            ("AZURE_OPENAI_DEPLOYMENT", "d"),
        ]);
        assert_eq!(azure.insecure_key_host().as_deref(), Some("azure.example"));
    }
}
