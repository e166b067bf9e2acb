//! The helm driver: `helm` found on PATH and run with argv only. Secret values never reach
//! argv, logs or disk: they go to helm as a values file on its stdin (`-f -`).
//! Output that could carry secrets (`helm status -o json` has the release's values, a
//! rendered manifest has Secret data) is parsed for what is needed, or redacted, never shown
//! whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::exec::{self, ExecError};

/// How long helm may wait for resources (`--timeout`).
pub const WAIT_TIMEOUT: &str = "5m0s";

/// [`WAIT_TIMEOUT`] in seconds.
const WAIT_SECONDS: u64 = 300;

/// Why a helm operation failed.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    /// `helm` is not on PATH.
    #[error("`helm` is not installed (not found on PATH)")]
    NotInstalled,
    /// helm could not be started.
    #[error("cannot run `helm`: {0}")]
    Spawn(String),
    /// helm ran and failed.
    #[error("`helm {command}` failed: {message}")]
    Failed {
        /// The subcommand, e.g. `upgrade --install`.
        command: String,
        /// The relevant part of helm's output (redacted).
        message: String,
        /// Further lines of helm's error, when there are any.
        detail: Vec<String>,
    },
    /// The chart is not where todo-ai looks for it.
    #[error("the Helm chart is not at `{0}`")]
    NoChart(String),
    /// The temporary values file could not be written.
    #[error("cannot write the temporary values file: {0}")]
    ValuesFile(String),
    /// helm did not finish within its timeout and was stopped.
    #[error("`helm {command}` did not finish within {seconds}s and was stopped")]
    TimedOut {
        /// The subcommand.
        command: String,
        /// The timeout.
        seconds: u64,
    },
    /// The user pressed Ctrl-C: helm was interrupted (SIGINT) and waited for.
    #[error("`helm {command}` was interrupted (Ctrl-C){}", state.as_deref().map(|s| format!("; the release is now {s}")).unwrap_or_default())]
    Interrupted {
        /// The subcommand.
        command: String,
        /// The release's state afterwards (`helm status`), when it could be read.
        state: Option<String>,
    },
    /// helm printed something todo-ai cannot read.
    #[error("cannot read `helm {command}` output: {reason}")]
    Output {
        /// The subcommand.
        command: String,
        /// The parse error.
        reason: String,
    },
}

impl HelmError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            HelmError::NotInstalled => Some(
                "install Helm 3 (https://helm.sh/docs/intro/install/, e.g. `brew install helm` or the `get-helm-3` script)".into(),
            ),
            HelmError::Spawn(_) => Some("check that `helm` is executable".into()),
            HelmError::Failed { message, .. } => Some(failure_hint(message)),
            HelmError::NoChart(_) => Some("run todo-ai from the repository that holds `manifests/helm/todo-app`, or set `TODO_AI_CHART` to the chart's directory".into()),
            HelmError::ValuesFile(_) => Some("check that the temporary directory (`TMPDIR`) is writable".into()),
            HelmError::Output { .. } => Some("check `helm version` (Helm 3.13 or newer is needed)".into()),
            HelmError::TimedOut { .. } => Some(
                "the cluster may be slow or unreachable: `kubectl cluster-info`; `helm history` shows whether the release changed".into(),
            ),
            HelmError::Interrupted { state, .. } => Some(match state.as_deref() {
                Some(state) if state.contains("pending") => {
                    "the release was left mid-operation: `todo-ai helm-rollback` returns it to its last good revision".into()
                }
                Some(_) => "helm wound the operation down itself (with --atomic it rolls a failed upgrade back); `todo-ai status` shows the pods".into(),
                None => "`helm history` shows what state the release is in; `todo-ai helm-rollback` returns it to its last good revision".into(),
            }),
        }
    }

    /// Further lines of helm's error, for the `caused by:` line.
    pub fn cause(&self) -> Option<String> {
        match self {
            HelmError::Failed { detail, .. } if !detail.is_empty() => Some(detail.join("\n    ")),
            _ => None,
        }
    }
}

fn failure_hint(message: &str) -> String {
    let lower = message.to_lowercase();
    if lower.contains("another operation") && lower.contains("in progress") {
        "an earlier helm operation was interrupted: `helm history` shows it; roll back (`todo-ai helm-rollback`) to clear it".into()
    } else if lower.contains("timed out") || lower.contains("context deadline exceeded") {
        "the pods did not become ready in time (helm rolled the change back): `todo-ai diagnose` says why".into()
    } else if lower.contains("values don't meet the specifications") || lower.contains("schema") {
        "a value does not fit the chart's `values.schema.json`: check the key names and types".into()
    } else if lower.contains("kubernetes cluster unreachable") || lower.contains("connection refused") {
        "check the cluster: `kubectl cluster-info` (for minikube: `minikube status`)".into()
    } else if lower.contains("forbidden") {
        "your credentials may not change this namespace: `kubectl auth can-i create deployments -n <namespace>`".into()
    } else if lower.contains("has no deployed releases") || lower.contains("not found") {
        "`helm list -A` shows the releases there are".into()
    } else {
        "run the same helm command with `--debug` for more detail".into()
    }
}

/// Where a release lives and how to reach the cluster.
#[derive(Debug, Clone)]
pub struct Target {
    /// The release name.
    pub release: String,
    /// Its namespace.
    pub namespace: String,
    /// `--kube-context`, when one was chosen.
    pub kube_context: Option<String>,
    /// `--kubeconfig`, when one was given.
    pub kubeconfig: Option<PathBuf>,
    /// Ctrl-C: interrupts a running helm (which then winds down itself).
    pub cancel: Option<tokio_util::sync::CancellationToken>,
}

impl Target {
    fn cluster_args(&self) -> Vec<String> {
        let mut args = vec!["--namespace".to_string(), self.namespace.clone()];
        if let Some(context) = &self.kube_context {
            args.extend(["--kube-context".into(), context.clone()]);
        }
        if let Some(path) = &self.kubeconfig {
            args.extend(["--kubeconfig".into(), path.display().to_string()]);
        }
        args
    }
}

/// The chart todo-ai installs: `TODO_AI_CHART`, else `manifests/helm/todo-app` in the tree.
pub fn chart_dir(workdir: &Path) -> Result<PathBuf, HelmError> {
    let path =
        std::env::var_os("TODO_AI_CHART").map(PathBuf::from).unwrap_or_else(|| workdir.join(crate::tools::CHART_PATH));
    if path.join("Chart.yaml").is_file() { Ok(path) } else { Err(HelmError::NoChart(path.display().to_string())) }
}

/// What `helm upgrade --install` gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    /// The chart directory.
    pub chart: PathBuf,
    /// Values files, in order.
    pub values: Vec<PathBuf>,
    /// `--set` pairs that are not secrets.
    pub set: BTreeMap<String, String>,
    /// Secret values (dotted keys), given to helm on stdin, never in argv or a file.
    pub secrets: BTreeMap<String, String>,
    /// A description recorded in the release history.
    pub description: Option<String>,
}

/// Splits `--set` pairs into plain values and secrets. A pair is secret when its key names
/// one (`secrets.databaseUrl`, `backend.env.DB_PASS`) or when the redactor would mask
/// anything in its key or value (a token, a URL with a password): those go to helm on
/// stdin, never to argv.
pub fn split_secrets(set: &BTreeMap<String, String>) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    set.iter().map(|(k, v)| (k.clone(), v.clone())).partition(|(key, value)| {
        !crate::redact::is_secret_key(key) && !crate::redact::has_secret(key) && !crate::redact::has_secret(value)
    })
}

/// One revision in `helm history`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Revision {
    /// Its number.
    pub revision: i64,
    /// `deployed`, `superseded`, `failed`, `pending-upgrade` …
    pub status: String,
    /// `todo-app-0.1.0`.
    #[serde(default)]
    pub chart: String,
    /// The app version.
    #[serde(default)]
    pub app_version: String,
    /// What happened.
    #[serde(default)]
    pub description: String,
    /// When.
    #[serde(default)]
    pub updated: String,
}

/// The parts of `helm status -o json` todo-ai shows (never its `config`: it has the values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Revision number.
    pub revision: i64,
    /// `deployed`, `failed` …
    pub status: String,
    /// `todo-app-0.1.0`.
    pub chart: String,
    /// The app version.
    pub app_version: String,
    /// When it was last deployed.
    pub last_deployed: String,
}

impl Status {
    /// One line: `release todo-app revision 3 deployed in todo (chart todo-app-0.1.0, app 1.0.0)`.
    pub fn line(&self, target: &Target) -> String {
        format!(
            "release {} revision {} {} in {} (chart {}, app {})",
            target.release, self.revision, self.status, target.namespace, self.chart, self.app_version
        )
    }
}

/// Runs a quick helm query with argv; a non-zero exit becomes [`HelmError::Failed`].
async fn helm(command: &str, args: &[String]) -> Result<String, HelmError> {
    helm_with(command, args, exec::Options::timeout(exec::timeout_or(exec::QUICK))).await
}

/// How long a waiting helm command may run: its own `--timeout` plus a minute.
fn waiting() -> std::time::Duration {
    exec::timeout_or(std::time::Duration::from_secs(WAIT_SECONDS + 60))
}

/// Runs a helm command that changes the release and waits for it: with the user's Ctrl-C
/// wired to interrupt it, and values (the secret ones) on stdin.
async fn helm_change(
    command: &str,
    args: &[String],
    target: &Target,
    stdin: Option<Vec<u8>>,
) -> Result<String, HelmError> {
    let options = exec::Options { stdin, cancel: target.cancel.clone(), ..exec::Options::timeout(waiting()) };
    match helm_with(command, args, options).await {
        Err(HelmError::Interrupted { command, .. }) => {
            // Say what state the interruption left: helm's own status, read without the token.
            let quiet = Target { cancel: None, ..target.clone() };
            let state =
                status(&quiet).await.ok().flatten().map(|s| format!("`{}` at revision {}", s.status, s.revision));
            Err(HelmError::Interrupted { command, state })
        }
        other => other,
    }
}

/// Runs helm; a non-zero exit becomes [`HelmError::Failed`].
async fn helm_with(command: &str, args: &[String], options: exec::Options) -> Result<String, HelmError> {
    // argv holds no secret (they go to helm on stdin), but a debug log is no place to find
    // out otherwise.
    tracing::debug!(args = %crate::redact::text(&args.join(" ")), "helm");
    let output = exec::run("helm", args, options).await.map_err(|error| match error {
        ExecError::NotFound { .. } => HelmError::NotInstalled,
        ExecError::Spawn { reason, .. } => HelmError::Spawn(reason),
        ExecError::TimedOut { after, .. } => {
            HelmError::TimedOut { command: command.to_string(), seconds: after.as_secs() }
        }
        ExecError::Interrupted { .. } => HelmError::Interrupted { command: command.to_string(), state: None },
    })?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let (message, detail) = relevant_error(&String::from_utf8_lossy(&output.stderr), &output);
    Err(HelmError::Failed { command: command.to_string(), message, detail })
}

/// The relevant part of helm's error output: the `Error:` line (without helm's prefix) and
/// up to 8 lines after it; else the last lines. Redacted.
fn relevant_error(stderr: &str, output: &std::process::Output) -> (String, Vec<String>) {
    let lines: Vec<&str> = stderr.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
    let start = lines.iter().position(|line| line.starts_with("Error:"));
    let picked: Vec<String> = match start {
        Some(index) => lines[index..].iter().take(9).map(|l| crate::redact::text(l)).collect(),
        None if !lines.is_empty() => {
            lines[lines.len().saturating_sub(5)..].iter().map(|l| crate::redact::text(l)).collect()
        }
        None => vec![exec::last_line(output)],
    };
    let mut picked = picked.into_iter();
    let first = picked.next().unwrap_or_default();
    let first = first.strip_prefix("Error: ").unwrap_or(&first).to_string();
    (first, picked.collect())
}

/// The release's status, or `None` when there is no such release.
pub async fn status(target: &Target) -> Result<Option<Status>, HelmError> {
    let mut args = vec!["status".to_string(), target.release.clone(), "-o".into(), "json".into()];
    args.extend(target.cluster_args());
    let mut status = match helm("status", &args).await {
        Ok(text) => parse_status(&text)?,
        Err(HelmError::Failed { message, .. }) if message.contains("not found") => return Ok(None),
        Err(error) => return Err(error),
    };
    // helm 3.17 and later leave `chart` out of `helm status -o json`; the history has it.
    // Best effort: a history that cannot be read leaves the chart unnamed.
    let history = if status.chart.is_empty() || status.app_version.is_empty() {
        history(&Target { cancel: None, ..target.clone() }).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    fill_chart_from_history(&mut status, &history);
    Ok(Some(status))
}

/// Names the chart and app version from the history entry of the status's revision (else
/// the newest one); what stays unknown is shown as `?`.
fn fill_chart_from_history(status: &mut Status, history: &[Revision]) {
    let entry =
        history.iter().find(|r| r.revision == status.revision).or_else(|| history.iter().max_by_key(|r| r.revision));
    if let Some(entry) = entry {
        if status.chart.is_empty() && !entry.chart.is_empty() {
            status.chart.clone_from(&entry.chart);
        }
        if status.app_version.is_empty() && !entry.app_version.is_empty() {
            status.app_version.clone_from(&entry.app_version);
        }
    }
    for field in [&mut status.chart, &mut status.app_version] {
        if field.is_empty() {
            *field = "?".into();
        }
    }
}

fn parse_status(text: &str) -> Result<Status, HelmError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|error| HelmError::Output { command: "status".into(), reason: error.to_string() })?;
    // Empty when helm left the chart out (3.17+): [`status`] then reads it from the history.
    let metadata = &value["chart"]["metadata"];
    let chart = match (metadata["name"].as_str(), metadata["version"].as_str()) {
        (Some(name), Some(version)) => format!("{name}-{version}"),
        (Some(name), None) => format!("{name}-?"),
        _ => String::new(),
    };
    Ok(Status {
        revision: value["version"].as_i64().unwrap_or_default(),
        status: value["info"]["status"].as_str().unwrap_or("unknown").to_string(),
        chart,
        app_version: metadata["appVersion"].as_str().unwrap_or_default().to_string(),
        last_deployed: value["info"]["last_deployed"].as_str().unwrap_or_default().to_string(),
    })
}

/// The release history, oldest first; empty when there is no such release.
pub async fn history(target: &Target) -> Result<Vec<Revision>, HelmError> {
    let mut args =
        vec!["history".to_string(), target.release.clone(), "-o".into(), "json".into(), "--max".into(), "20".into()];
    args.extend(target.cluster_args());
    match helm("history", &args).await {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|error| HelmError::Output { command: "history".into(), reason: error.to_string() }),
        Err(HelmError::Failed { message, .. }) if message.contains("not found") => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}

/// The revision a rollback without a number returns to: the newest one before the current
/// that was deployed successfully (like `helm rollback` with revision 0, but said up front).
pub fn previous_revision(history: &[Revision]) -> Option<i64> {
    let current = history.iter().map(|r| r.revision).max()?;
    history
        .iter()
        .filter(|r| r.revision < current && matches!(r.status.as_str(), "superseded" | "deployed"))
        .map(|r| r.revision)
        .max()
}

/// A history as a small table for previews.
pub fn history_table(history: &[Revision]) -> String {
    let mut text = String::from("REVISION  STATUS           CHART            APP VERSION  DESCRIPTION\n");
    for revision in history {
        text.push_str(&format!(
            "{:<9} {:<16} {:<16} {:<12} {}\n",
            revision.revision,
            revision.status,
            revision.chart,
            revision.app_version,
            crate::redact::text(&revision.description)
        ));
    }
    text
}

/// The manifest the release has now (`helm get manifest`), or `None` without a release.
pub async fn manifest(target: &Target) -> Result<Option<String>, HelmError> {
    let mut args = vec!["get".to_string(), "manifest".into(), target.release.clone()];
    args.extend(target.cluster_args());
    match helm("get manifest", &args).await {
        Ok(text) => Ok(Some(text)),
        Err(HelmError::Failed { message, .. }) if message.contains("not found") => Ok(None),
        Err(error) => Err(error),
    }
}

/// The values the release was installed with (`helm get values -o json`: what `-f` files and
/// `--set` gave, merged), or `None` without a release. Compared, never shown: it has secrets.
pub async fn user_values(target: &Target) -> Result<Option<Value>, HelmError> {
    let mut args = vec!["get".to_string(), "values".into(), target.release.clone(), "-o".into(), "json".into()];
    args.extend(target.cluster_args());
    match helm("get values", &args).await {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|error| HelmError::Output { command: "get values".into(), reason: error.to_string() }),
        Err(HelmError::Failed { message, .. }) if message.contains("not found") => Ok(None),
        Err(error) => Err(error),
    }
}

/// The secret values as the YAML helm reads from stdin (`-f -`): they never touch a command
/// line or the disk, so no exit — a signal, a crash — can leave them behind.
fn secret_values(secrets: &BTreeMap<String, String>) -> Result<Option<Vec<u8>>, HelmError> {
    if secrets.is_empty() {
        return Ok(None);
    }
    let yaml = serde_yaml::to_string(&nest(secrets)).map_err(|error| HelmError::ValuesFile(error.to_string()))?;
    Ok(Some(yaml.into_bytes()))
}

/// Dotted keys to nested maps: `secrets.databaseUrl=x` → `{secrets: {databaseUrl: x}}`
/// (values stay strings: a secret is never a number).
fn nest(pairs: &BTreeMap<String, String>) -> Value {
    let mut root = serde_json::Map::new();
    for (key, value) in pairs {
        let mut node = &mut root;
        let parts: Vec<&str> = key.split('.').collect();
        for (index, part) in parts.iter().enumerate() {
            if index + 1 == parts.len() {
                node.insert((*part).to_string(), Value::String(value.clone()));
            } else {
                let entry = node.entry((*part).to_string()).or_insert_with(|| Value::Object(serde_json::Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(serde_json::Map::new());
                }
                match entry {
                    Value::Object(map) => node = map,
                    _ => break,
                }
            }
        }
    }
    Value::Object(root)
}

/// Escapes a `--set` value the way helm's strvals parser reads it.
fn escape_set_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn install_args(install: &Install, target: &Target, secrets_on_stdin: bool, dry_run: bool) -> Vec<String> {
    let mut args =
        vec!["upgrade".to_string(), "--install".into(), target.release.clone(), install.chart.display().to_string()];
    args.extend(target.cluster_args());
    args.push("--create-namespace".into());
    if dry_run {
        args.extend(["--dry-run=server".into(), "-o".into(), "json".into()]);
    } else {
        args.extend(["--atomic".into(), "--wait".into(), "--timeout".into(), WAIT_TIMEOUT.into()]);
    }
    for file in &install.values {
        args.extend(["-f".into(), file.display().to_string()]);
    }
    if secrets_on_stdin {
        // Last, so the secrets win over any file's placeholders.
        args.extend(["-f".into(), "-".into()]);
    }
    for (key, value) in &install.set {
        // `--set` turns `1234567` into a number; an image tag is always a string.
        let flag = if key.rsplit('.').next().is_some_and(|last| last.eq_ignore_ascii_case("tag")) {
            "--set-string"
        } else {
            "--set"
        };
        args.extend([flag.into(), format!("{key}={}", escape_set_value(value))]);
    }
    if let Some(description) = &install.description {
        args.extend(["--description".into(), description.clone()]);
    }
    args
}

/// `helm upgrade --install --atomic --wait`; returns the release status after.
pub async fn upgrade_install(install: &Install, target: &Target) -> Result<Status, HelmError> {
    let secrets = secret_values(&install.secrets)?;
    let args = install_args(install, target, secrets.is_some(), false);
    helm_change("upgrade --install", &args, target, secrets).await?;
    status(target).await?.ok_or_else(|| HelmError::Output {
        command: "status".into(),
        reason: "the release is missing right after the upgrade".into(),
    })
}

/// A server-side dry run of the install: the rendered manifest (Secret data redacted) and the
/// one the release has now (`None` when it is not installed).
pub async fn dry_run_install(install: &Install, target: &Target) -> Result<(String, Option<String>), HelmError> {
    let secrets = secret_values(&install.secrets)?;
    let args = install_args(install, target, secrets.is_some(), true);
    let text = helm_change("upgrade --install --dry-run=server", &args, target, secrets).await?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|error| HelmError::Output { command: "upgrade --dry-run".into(), reason: error.to_string() })?;
    let rendered = redact_manifest(value["manifest"].as_str().unwrap_or_default());
    let current = manifest(target).await?.map(|m| redact_manifest(&m));
    Ok((rendered, current))
}

/// `helm rollback` to a revision (0 = previous), waiting for the result.
pub async fn rollback(target: &Target, revision: i64, dry_run: bool) -> Result<Option<Status>, HelmError> {
    let mut args = vec!["rollback".to_string(), target.release.clone(), revision.to_string()];
    args.extend(target.cluster_args());
    if dry_run {
        args.push("--dry-run".into());
    } else {
        args.extend(["--wait".into(), "--timeout".into(), WAIT_TIMEOUT.into()]);
    }
    helm_change("rollback", &args, target, None).await?;
    if dry_run { Ok(None) } else { status(target).await }
}

/// `helm test`: runs the chart's test hooks.
pub async fn test(target: &Target) -> Result<String, HelmError> {
    let mut args = vec!["test".to_string(), target.release.clone(), "--timeout".into(), "2m0s".into()];
    args.extend(target.cluster_args());
    helm_change("test", &args, target, None).await.map(|text| crate::redact::text(&text))
}

/// `helm uninstall --wait`.
pub async fn uninstall(target: &Target) -> Result<(), HelmError> {
    let mut args = vec!["uninstall".to_string(), target.release.clone(), "--wait".into()];
    args.extend(target.cluster_args());
    helm_change("uninstall", &args, target, None).await.map(drop)
}

/// A rendered manifest with every Secret's `data`/`stringData` values replaced, so a diff
/// can be shown. Documents that do not parse are dropped with a note rather than shown raw.
pub fn redact_manifest(manifest: &str) -> String {
    let mut out = String::new();
    for document in manifest.split("\n---").map(|d| d.trim_start_matches("---").trim()) {
        if document.is_empty() {
            continue;
        }
        let source = document.lines().find(|l| l.starts_with("# Source:")).unwrap_or_default();
        let Ok(mut value) = serde_yaml::from_str::<serde_yaml::Value>(document) else {
            out.push_str(&format!("---\n{source}\n# (not shown: it does not parse as YAML)\n"));
            continue;
        };
        if value.get("kind").and_then(serde_yaml::Value::as_str) == Some("Secret") {
            for field in ["data", "stringData"] {
                if let Some(serde_yaml::Value::Mapping(map)) = value.get_mut(field) {
                    for (_, v) in map.iter_mut() {
                        *v = serde_yaml::Value::String(crate::redact::MASK.into());
                    }
                }
            }
        }
        mask_secret_env(&mut value);
        let text = serde_yaml::to_string(&value).unwrap_or_default();
        out.push_str(&format!("---\n{source}\n{}", crate::redact::text(&text)));
    }
    out
}

/// `env: [{name: DB_PASS, value: …}]` anywhere in a manifest: the name says the value is a
/// secret (a `--set backend.env.DB_PASS=…` renders like this).
fn mask_secret_env(value: &mut serde_yaml::Value) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            let named_secret =
                map.get("name").and_then(serde_yaml::Value::as_str).is_some_and(crate::redact::is_secret_key);
            for (key, inner) in map.iter_mut() {
                if named_secret && key.as_str() == Some("value") && !inner.is_mapping() {
                    *inner = serde_yaml::Value::String(crate::redact::MASK.into());
                } else {
                    mask_secret_env(inner);
                }
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter_mut().for_each(mask_secret_env),
        serde_yaml::Value::Tagged(tagged) => mask_secret_env(&mut tagged.value),
        serde_yaml::Value::Null
        | serde_yaml::Value::Bool(_)
        | serde_yaml::Value::Number(_)
        | serde_yaml::Value::String(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            release: "todo-app".into(),
            namespace: "todo".into(),
            kube_context: Some("minikube".into()),
            kubeconfig: None,
            cancel: None,
        }
    }

    #[test]
    fn install_argv_has_no_secret_and_escapes_set_values() {
        let set = BTreeMap::from([
            ("backend.replicaCount".to_string(), "3".to_string()),
            ("config.allowedOrigins".to_string(), "a,b".to_string()),
            ("frontend.image.tag".to_string(), "1234567".to_string()),
            ("secrets.databaseUrl".to_string(), "postgresql://u:hunter2@db/todo".to_string()),
        ]);
        let (plain, secrets) = split_secrets(&set);
        assert_eq!(secrets.keys().collect::<Vec<_>>(), vec!["secrets.databaseUrl"]);
        let install = Install {
            chart: "manifests/helm/todo-app".into(),
            values: vec!["values-dev.yaml".into()],
            set: plain,
            secrets,
            description: None,
        };
        let args = install_args(&install, &target(), true, false);
        let joined = args.join(" ");
        assert_eq!(
            joined,
            "upgrade --install todo-app manifests/helm/todo-app --namespace todo --kube-context minikube --create-namespace --atomic --wait --timeout 5m0s -f values-dev.yaml -f - --set backend.replicaCount=3 --set config.allowedOrigins=a\\,b --set-string frontend.image.tag=1234567"
        );
        assert!(!joined.contains("hunter2"));
    }

    #[test]
    fn secret_looking_keys_and_values_go_to_helm_on_stdin() {
        let set = BTreeMap::from([
            ("backend.env.DB_PASS".to_string(), "hunter2".to_string()),
            ("backend.env.SESSION_KEY".to_string(), "k".to_string()),
            ("backend.env.NOTE".to_string(), "sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9".to_string()),
            ("backend.env.REDIS_URL".to_string(), "redis://:pw@cache:6379".to_string()),
            ("backend.replicaCount".to_string(), "3".to_string()),
            ("frontend.image.tag".to_string(), "sha-9fceb02d0ae598e95dc970b74767f19372d61af8".to_string()),
        ]);
        let (plain, secrets) = split_secrets(&set);
        assert_eq!(plain.keys().collect::<Vec<_>>(), vec!["backend.replicaCount", "frontend.image.tag"]);
        assert_eq!(
            secrets.keys().collect::<Vec<_>>(),
            vec!["backend.env.DB_PASS", "backend.env.NOTE", "backend.env.REDIS_URL", "backend.env.SESSION_KEY"]
        );
        let install = Install { chart: "c".into(), values: vec![], set: plain, secrets, description: None };
        let joined = install_args(&install, &target(), true, false).join(" ");
        for secret in ["hunter2", "DB_PASS", "sk-proj", ":pw@"] {
            assert!(!joined.contains(secret), "{joined}");
        }
    }

    #[test]
    fn manifests_lose_secret_env_values() {
        let manifest = "---\n# Source: todo-app/templates/backend-deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: backend\n          env:\n            - name: PORT\n              value: \"8000\"\n            - name: DB_PASS\n              value: \"hunter2\"\n            - name: DATABASE_URL\n              valueFrom:\n                secretKeyRef:\n                  name: todo\n                  key: DATABASE_URL\n";
        let redacted = redact_manifest(manifest);
        assert!(!redacted.contains("hunter2"), "{redacted}");
        assert!(redacted.contains("value: '8000'") || redacted.contains("value: \"8000\""), "{redacted}");
        assert!(redacted.contains("key: DATABASE_URL"), "{redacted}");
    }

    #[test]
    fn secret_values_are_nested_yaml_for_stdin() {
        let secrets = BTreeMap::from([
            ("secrets.databaseUrl".to_string(), "postgresql://u:p@db/todo".to_string()),
            ("secrets.openaiApiKey".to_string(), "sk-test".to_string()),
        ]);
        let bytes = secret_values(&secrets).unwrap().unwrap();
        let parsed: Value = serde_yaml::from_slice(&bytes).unwrap();
        assert_eq!(parsed["secrets"]["openaiApiKey"], "sk-test");
        assert!(secret_values(&BTreeMap::new()).unwrap().is_none());
    }

    #[test]
    fn previous_revision_skips_failed_ones() {
        let revision = |revision, status: &str| Revision {
            revision,
            status: status.into(),
            chart: String::new(),
            app_version: String::new(),
            description: String::new(),
            updated: String::new(),
        };
        let history = vec![revision(1, "superseded"), revision(2, "failed"), revision(3, "deployed")];
        assert_eq!(previous_revision(&history), Some(1));
        assert_eq!(previous_revision(&history[..1]), None);
    }

    #[test]
    fn a_status_without_chart_names_it_from_the_history() {
        // helm 3.17's `helm status -o json`: no `chart` key at all.
        let text = r#"{"name":"tiny","info":{"status":"deployed","last_deployed":"2026-12-02T10:00:00Z"},"version":2,"namespace":"x"}"#;
        let mut status = parse_status(text).unwrap();
        assert_eq!((status.chart.as_str(), status.app_version.as_str()), ("", ""));
        let entry = |revision, chart: &str, app: &str| Revision {
            revision,
            status: "superseded".into(),
            chart: chart.into(),
            app_version: app.into(),
            description: String::new(),
            updated: String::new(),
        };
        let history =
            vec![entry(1, "tiny-0.1.0", "1.2.2"), entry(2, "tiny-0.1.1", "1.2.3"), entry(3, "tiny-0.2.0", "2")];
        fill_chart_from_history(&mut status, &history);
        assert_eq!((status.chart.as_str(), status.app_version.as_str()), ("tiny-0.1.1", "1.2.3"));
        assert!(status.line(&target()).contains("(chart tiny-0.1.1, app 1.2.3)"));

        // No history to read: unknown, never empty.
        let mut status = parse_status(text).unwrap();
        fill_chart_from_history(&mut status, &[]);
        assert_eq!((status.chart.as_str(), status.app_version.as_str()), ("?", "?"));

        // Older helm: the chart is in the status, the history is not needed.
        let text = r#"{"info":{"status":"deployed"},"version":1,"chart":{"metadata":{"name":"tiny","version":"0.1.0","appVersion":"1.2.3"}}}"#;
        let mut status = parse_status(text).unwrap();
        fill_chart_from_history(&mut status, &[]);
        assert_eq!((status.chart.as_str(), status.app_version.as_str()), ("tiny-0.1.0", "1.2.3"));
    }

    #[test]
    fn manifests_lose_secret_data() {
        let manifest = "---\n# Source: todo-app/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  DATABASE_URL: cG9zdGdyZXM6Ly91OnBAZGIvdG9kbw==\n---\n# Source: todo-app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  LOG_LEVEL: info\n";
        let redacted = redact_manifest(manifest);
        assert!(!redacted.contains("cG9zdGdyZXM6Ly91OnBAZGIvdG9kbw=="), "{redacted}");
        assert!(redacted.contains("DATABASE_URL: ") && redacted.contains("[REDACTED]"), "{redacted}");
        assert!(redacted.contains("LOG_LEVEL: info"));
        assert!(redacted.contains("# Source: todo-app/templates/cm.yaml"));
    }

    #[test]
    fn helm_errors_keep_the_relevant_part() {
        let output = std::process::Command::new("true").output().unwrap();
        let (message, detail) = relevant_error(
            "coalesce.go:237: warning: skipped value\nError: UPGRADE FAILED: values don't meet the specifications of the schema(s):\n- backend.replicaCount: Must be greater than or equal to 1\n",
            &output,
        );
        assert_eq!(message, "UPGRADE FAILED: values don't meet the specifications of the schema(s):");
        assert_eq!(detail, vec!["- backend.replicaCount: Must be greater than or equal to 1"]);
        assert!(failure_hint(&message).contains("values.schema.json"));
    }
}
