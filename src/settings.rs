//! Settings resolution: command-line flags, then environment (`TODO_AI_*`, `KUBECONFIG`),
//! then the config file (`$XDG_CONFIG_HOME/todo-ai/config.toml`), then defaults — resolved
//! once into [`Settings`], which everything else reads.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::CliError;
use crate::validate::{self, DEFAULT_MAX_REPLICAS, Limits};

/// The namespace used when nothing names one.
pub const DEFAULT_NAMESPACE: &str = "default";

/// Everything the commands need to know, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Default namespace for calls that name none.
    pub namespace: String,
    /// Whether a flag, the environment or the config file chose the namespace (otherwise the
    /// kube context's namespace or the snapshot's only namespace is used).
    pub namespace_explicit: bool,
    /// Kube context, when chosen.
    pub context: Option<String>,
    /// Kubeconfig file from `--kubeconfig` or the config file (`KUBECONFIG` itself is read
    /// by the Kubernetes client, which merges several paths as kubectl does).
    pub kubeconfig: Option<PathBuf>,
    /// A saved cluster state to read instead of a live cluster.
    pub snapshot: Option<PathBuf>,
    /// Never call an LLM.
    pub offline: bool,
    /// LLM model name.
    pub model: Option<String>,
    /// The LLM planner's configuration, or why the offline planner is active.
    pub llm: Result<crate::llm::LlmConfig, String>,
    /// Approve changes without asking.
    pub assume_yes: bool,
    /// Change nothing.
    pub dry_run: bool,
    /// Refuse changing tools.
    pub read_only: bool,
    /// `--guard`: watch each change to a workload this long, undo it on a new critical problem.
    pub guard: Option<std::time::Duration>,
    /// Validation bounds.
    pub limits: Limits,
    /// Output format.
    pub output: OutputFormat,
    /// Verbosity: -1 quiet, 0 normal, 1+ verbose.
    pub verbosity: i8,
    /// Where changing calls are recorded.
    pub audit_log: Option<PathBuf>,
    /// The working tree paths must stay in.
    pub workdir: PathBuf,
}

/// The config file's keys (all optional). `--yes` is deliberately not configurable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Default namespace.
    pub namespace: Option<String>,
    /// Kube context.
    pub context: Option<String>,
    /// Kubeconfig path.
    pub kubeconfig: Option<PathBuf>,
    /// Never call an LLM.
    pub offline: Option<bool>,
    /// LLM model.
    pub model: Option<String>,
    /// Dry-run by default.
    pub dry_run: Option<bool>,
    /// Read-only by default.
    pub read_only: Option<bool>,
    /// Replica ceiling.
    pub max_replicas: Option<i64>,
    /// CPU ceiling of one container for `set_resources` (a quantity, e.g. `8`).
    pub max_cpu: Option<String>,
    /// Memory ceiling of one container for `set_resources` (a quantity, e.g. `16Gi`).
    pub max_memory: Option<String>,
    /// Output format.
    pub output: Option<OutputFormat>,
    /// OpenAI-compatible base URL (Ollama, llama.cpp, vLLM …); API keys only from the environment.
    pub base_url: Option<String>,
    /// Azure OpenAI endpoint.
    pub azure_endpoint: Option<String>,
    /// Azure OpenAI deployment.
    pub azure_deployment: Option<String>,
    /// Azure OpenAI API version.
    pub azure_api_version: Option<String>,
    /// Seconds one LLM request may take.
    pub llm_timeout: Option<u64>,
}

/// The state directory: `$XDG_STATE_HOME/todo-ai`, else `~/.local/state/todo-ai`.
pub fn state_dir() -> Option<PathBuf> {
    xdg_dir("XDG_STATE_HOME", ".local/state")
}

/// The config directory: `$XDG_CONFIG_HOME/todo-ai`, else `~/.config/todo-ai`.
pub fn config_dir() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config")
}

fn xdg_dir(variable: &str, fallback: &str) -> Option<PathBuf> {
    std::env::var_os(variable)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").filter(|home| !home.is_empty()).map(|home| PathBuf::from(home).join(fallback))
        })
        .map(|dir| dir.join("todo-ai"))
}

/// The largest config file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads the config file; a missing file is an empty config, a broken one an error.
pub fn load_config(path: &Path) -> Result<ConfigFile, CliError> {
    // The path comes from the environment (`XDG_CONFIG_HOME`, `HOME`): read without blocking,
    // a regular file only, bounded.
    match crate::bounded::read_text(path, crate::bounded::Links::Follow, MAX_CONFIG_BYTES) {
        Ok(text) => toml::from_str(&text).map_err(|error| {
            CliError::new(format!("cannot read config file `{}`", path.display()))
                .cause(error.message().to_string())
                .hint("fix the file or move it aside; keys: namespace, context, kubeconfig, offline, model, base_url, azure_endpoint, azure_deployment, azure_api_version, llm_timeout, dry_run, read_only, max_replicas, max_cpu, max_memory, output")
        }),
        Err(crate::bounded::Error::Missing) => Ok(ConfigFile::default()),
        Err(error) => Err(CliError::new(format!("cannot read config file `{}`", path.display()))
            .cause(error.to_string())
            .hint("the config file is a small TOML file; fix it or move it aside")),
    }
}

/// Resolves flags > environment > config file > defaults. `env` looks a variable up, so
/// tests can pass their own.
pub fn resolve(
    flags: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
    config: &ConfigFile,
    workdir: PathBuf,
) -> Result<Settings, CliError> {
    let env_bool = |name: &str| -> Result<Option<bool>, CliError> {
        match env(name).as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("1" | "true" | "yes" | "on") => Ok(Some(true)),
            Some("0" | "false" | "no" | "off") => Ok(Some(false)),
            Some(other) => Err(CliError::new(format!("`{name}` is `{other}`, not a boolean"))
                .hint(format!("set `{name}` to true or false"))),
        }
    };
    let flag_bool = |flag: bool, name: &str, file: Option<bool>| -> Result<bool, CliError> {
        Ok(flag || env_bool(name)?.or(file).unwrap_or(false))
    };

    let chosen = flags
        .namespace
        .clone()
        .or_else(|| env("TODO_AI_NAMESPACE").filter(|v| !v.is_empty()))
        .or_else(|| config.namespace.clone());
    let namespace_explicit = chosen.is_some();
    let namespace = chosen.unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
    validate::label_name("namespace", &namespace)
        .map_err(|error| CliError::new(error.to_string()).hint("namespaces are lowercase letters, digits and `-`"))?;

    let max_replicas = match (flags.max_replicas, env("TODO_AI_MAX_REPLICAS").filter(|v| !v.is_empty())) {
        (Some(value), _) => value,
        (None, Some(text)) => text.trim().parse().map_err(|_| {
            CliError::new(format!("`TODO_AI_MAX_REPLICAS` is `{text}`, not a number"))
                .hint("set it to a whole number such as 100")
        })?,
        (None, None) => config.max_replicas.unwrap_or(DEFAULT_MAX_REPLICAS),
    };
    if !(1..=10_000).contains(&max_replicas) {
        return Err(CliError::new(format!("the replica ceiling must be between 1 and 10000 (got {max_replicas})"))
            .hint("pass `--max-replicas N`"));
    }

    let ceiling = |variable: &str, configured: &Option<String>, default: i128| -> Result<i128, CliError> {
        let Some(text) = env(variable).filter(|v| !v.is_empty()).or_else(|| configured.clone()) else {
            return Ok(default);
        };
        crate::quantity::Quantity::parse(text.trim()).map(|q| q.milli).map_err(|error| {
            CliError::new(format!("`{variable}` (or the config's setting) is not valid: {error}"))
                .hint("use a Kubernetes quantity such as `8` (CPUs) or `16Gi` (memory)")
        })
    };
    let max_cpu_milli = ceiling("TODO_AI_MAX_CPU", &config.max_cpu, validate::DEFAULT_MAX_CPU_MILLI)?;
    let max_memory_milli = ceiling("TODO_AI_MAX_MEMORY", &config.max_memory, validate::DEFAULT_MAX_MEMORY_MILLI)?;

    // `--guard 0` (or `0s`) verifies once after the rollout; otherwise 5 s to 1 h.
    let guard = match flags.guard.as_deref() {
        None => None,
        Some("0" | "0s") => Some(std::time::Duration::ZERO),
        Some(text) => {
            let seconds = validate::duration("--guard", text).map_err(|error| {
                CliError::new(error.to_string()).hint("give a duration such as `90s`, `2m` or `1h` (`0` verifies once)")
            })?;
            if !(5..=3_600).contains(&seconds) {
                return Err(CliError::new(format!("--guard {text} is outside 5s–1h"))
                    .hint("a guard watches for seconds to an hour; `0` verifies once after the rollout"));
            }
            Some(std::time::Duration::from_secs(u64::try_from(seconds).unwrap_or(60)))
        }
    };

    let output = match (flags.output, env("TODO_AI_OUTPUT").filter(|v| !v.is_empty())) {
        (Some(output), _) => output,
        (None, Some(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "text" => OutputFormat::Text,
            "json" => OutputFormat::Json,
            "yaml" => OutputFormat::Yaml,
            "markdown" => OutputFormat::Markdown,
            "sarif" => OutputFormat::Sarif,
            "junit" => OutputFormat::Junit,
            _ => {
                return Err(CliError::new(format!("`TODO_AI_OUTPUT` is `{text}`"))
                    .hint("use text, json, yaml, markdown, sarif or junit"));
            }
        },
        (None, None) => config.output.unwrap_or(OutputFormat::Text),
    };

    let verbosity = if flags.quiet { -1 } else { i8::try_from(flags.verbose).unwrap_or(i8::MAX) };
    let offline = flag_bool(flags.offline, "TODO_AI_OFFLINE", config.offline)?;
    let model =
        flags.model.clone().or_else(|| env("TODO_AI_MODEL").filter(|v| !v.is_empty())).or_else(|| config.model.clone());
    let llm_keys = crate::llm::config::FileKeys {
        base_url: config.base_url.clone(),
        azure_endpoint: config.azure_endpoint.clone(),
        azure_deployment: config.azure_deployment.clone(),
        azure_api_version: config.azure_api_version.clone(),
        llm_timeout: config.llm_timeout,
    };
    let llm = crate::llm::config::resolve(offline, model.clone(), env, &llm_keys)
        .map_err(|invalid| CliError::new(invalid.message).hint(invalid.hint))?;

    let kubeconfig = flags.kubeconfig.clone().or_else(|| config.kubeconfig.clone());
    let snapshot =
        flags.snapshot.clone().or_else(|| env("TODO_AI_SNAPSHOT").filter(|v| !v.is_empty()).map(PathBuf::from));
    if snapshot.is_none() {
        check_kubeconfig_files(kubeconfig.as_deref(), env)?;
    }

    Ok(Settings {
        namespace,
        namespace_explicit,
        context: flags
            .context
            .clone()
            .or_else(|| env("TODO_AI_CONTEXT").filter(|v| !v.is_empty()))
            .or_else(|| config.context.clone()),
        kubeconfig,
        snapshot,
        offline,
        model,
        llm,
        assume_yes: flags.yes,
        dry_run: flag_bool(flags.dry_run, "TODO_AI_DRY_RUN", config.dry_run)?,
        read_only: flag_bool(flags.read_only, "TODO_AI_READ_ONLY", config.read_only)?,
        limits: Limits { max_replicas, max_cpu_milli, max_memory_milli },
        guard,
        output,
        verbosity,
        audit_log: env("TODO_AI_AUDIT_LOG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(crate::audit::default_path),
        workdir,
    })
}

/// The largest kubeconfig read: real ones are kilobytes, a few megabytes with many clusters.
const MAX_KUBECONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// Checks the files the Kubernetes client will read (`--kubeconfig`, else each `KUBECONFIG`
/// entry, else `~/.kube/config`) before it reads them whole: each that exists must be a
/// regular file (a link to one is fine) of at most [`MAX_KUBECONFIG_BYTES`]. A FIFO would
/// block the read forever and `/dev/zero` would fill memory.
fn check_kubeconfig_files(explicit: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<(), CliError> {
    let paths: Vec<PathBuf> = match explicit {
        Some(path) => vec![path.to_path_buf()],
        None => match env("KUBECONFIG").filter(|value| !value.is_empty()) {
            Some(list) => std::env::split_paths(&list).filter(|path| !path.as_os_str().is_empty()).collect(),
            None => env("HOME").map(|home| PathBuf::from(home).join(".kube/config")).into_iter().collect(),
        },
    };
    for path in paths {
        let shown = crate::sanitize::one_line(&path.display().to_string());
        let problem = match std::fs::metadata(&path) {
            Err(_) => continue,
            Ok(metadata) if !metadata.is_file() => "is not a regular file".to_string(),
            Ok(metadata) if metadata.len() > MAX_KUBECONFIG_BYTES => {
                format!("is larger than {} MiB", MAX_KUBECONFIG_BYTES / 1024 / 1024)
            }
            Ok(_) => continue,
        };
        return Err(CliError::new(format!("the kubeconfig `{shown}` {problem}")).hint(
            "point `KUBECONFIG` or `--kubeconfig` at a kubeconfig file (`kubectl config view` shows the one in use)",
        ));
    }
    Ok(())
}

/// The kube context in use (`--context` or the kubeconfig's current one) and its namespace,
/// as kubectl would default to them. `None`s when there is no kubeconfig.
pub fn kube_context_defaults(kubeconfig: Option<&Path>, context: Option<&str>) -> (Option<String>, Option<String>) {
    let config = match kubeconfig {
        Some(path) => kube::config::Kubeconfig::read_from(path).ok(),
        None => kube::config::Kubeconfig::read().ok(),
    };
    let Some(config) = config else { return (context.map(str::to_string), None) };
    let Some(name) = context.map(str::to_string).or(config.current_context.clone()) else { return (None, None) };
    let namespace = config
        .contexts
        .iter()
        .find(|named| named.name == name)
        .and_then(|named| named.context.as_ref())
        .and_then(|context| context.namespace.clone())
        .filter(|namespace| !namespace.is_empty());
    (Some(name), namespace)
}

/// Every context in the kubeconfig, with its namespace (empty when there is no kubeconfig).
pub fn kube_contexts(kubeconfig: Option<&Path>) -> Vec<(String, Option<String>)> {
    let config = match kubeconfig {
        Some(path) => kube::config::Kubeconfig::read_from(path).ok(),
        None => kube::config::Kubeconfig::read().ok(),
    };
    config
        .map(|config| {
            config
                .contexts
                .into_iter()
                .map(|named| {
                    let namespace = named.context.and_then(|c| c.namespace).filter(|n| !n.is_empty());
                    (named.name, namespace)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn flags_beat_env_beat_config() {
        let config = ConfigFile { namespace: Some("from-file".into()), max_replicas: Some(7), ..ConfigFile::default() };
        let env = env_of(&[("TODO_AI_NAMESPACE", "from-env")]);
        let flags = GlobalArgs::default();
        let settings = resolve(&flags, &env, &config, PathBuf::from("/w")).unwrap();
        assert_eq!(settings.namespace, "from-env");
        assert_eq!(settings.limits.max_replicas, 7);
        let flags = GlobalArgs { namespace: Some("from-flag".into()), ..GlobalArgs::default() };
        assert_eq!(resolve(&flags, &env, &config, PathBuf::from("/w")).unwrap().namespace, "from-flag");
        let settings = resolve(&GlobalArgs::default(), &env_of(&[]), &config, PathBuf::from("/w")).unwrap();
        assert_eq!(settings.namespace, "from-file");
        let settings =
            resolve(&GlobalArgs::default(), &env_of(&[]), &ConfigFile::default(), PathBuf::from("/w")).unwrap();
        assert_eq!(settings.namespace, DEFAULT_NAMESPACE);
        assert_eq!(settings.output, OutputFormat::Text);
    }

    #[test]
    fn booleans_from_env() {
        let settings = resolve(
            &GlobalArgs::default(),
            &env_of(&[("TODO_AI_READ_ONLY", "true"), ("TODO_AI_OFFLINE", "1")]),
            &ConfigFile::default(),
            PathBuf::from("/w"),
        )
        .unwrap();
        assert!(settings.read_only && settings.offline && !settings.dry_run);
        let error = resolve(
            &GlobalArgs::default(),
            &env_of(&[("TODO_AI_DRY_RUN", "maybe")]),
            &ConfigFile::default(),
            PathBuf::from("/w"),
        )
        .unwrap_err();
        assert!(error.to_string().contains("TODO_AI_DRY_RUN"));
    }

    #[test]
    fn bad_values_are_errors() {
        let flags = GlobalArgs { namespace: Some("Bad_NS".into()), ..GlobalArgs::default() };
        assert!(resolve(&flags, &env_of(&[]), &ConfigFile::default(), PathBuf::from("/w")).is_err());
        let flags = GlobalArgs { max_replicas: Some(0), ..GlobalArgs::default() };
        assert!(resolve(&flags, &env_of(&[]), &ConfigFile::default(), PathBuf::from("/w")).is_err());
        assert!(
            resolve(
                &GlobalArgs::default(),
                &env_of(&[("TODO_AI_MAX_REPLICAS", "lots")]),
                &ConfigFile::default(),
                PathBuf::from("/w")
            )
            .is_err()
        );
    }

    #[test]
    fn config_file_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "namespace = \"todo\"\nyes = true\n").unwrap();
        assert!(load_config(&path).is_err());
        std::fs::write(&path, "namespace = \"todo\"\nread_only = true\noutput = \"json\"\n").unwrap();
        let config = load_config(&path).unwrap();
        assert_eq!(config.namespace.as_deref(), Some("todo"));
        assert_eq!(config.output, Some(OutputFormat::Json));
        assert!(load_config(&dir.path().join("missing.toml")).unwrap().namespace.is_none());
    }

    #[test]
    fn a_config_file_that_is_a_fifo_or_a_device_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("config.toml");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let error = load_config(&fifo).unwrap_err();
        assert!(format!("{error:?}").contains("not a regular file"), "{error:?}");
        assert!(load_config(Path::new("/dev/zero")).is_err());
    }
}
