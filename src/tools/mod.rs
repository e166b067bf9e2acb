//! The typed tool registry: the one list of vetted tools that drives the LLM function
//! definitions, `todo-ai tools`, the planners, the MCP catalogue, the direct subcommands,
//! help text and the checked-in `tools/<name>.schema.json` files.
//!
//! Everything about a tool lives on its type ([`Tool`]): name, description, typed arguments,
//! effect, MCP hints, scope (namespace and target, for approvals), the command line that runs
//! exactly one call, preview, prepare, run and dry run. The registry erases the argument type
//! behind [`DynTool`] so callers can work with JSON (what models and MCP clients send) while
//! every argument still goes through the typed parse and [`Tool::validate`] before anything
//! runs. The executor — never the tool — decides between [`Tool::run`] and
//! [`Tool::dry_run`].
//!
//! Adding a tool: one file in this directory with its argument struct and a unit struct
//! implementing [`Tool`] (and [`Direct`] for a subcommand), plus one line in [`TOOLS`].

mod autoscale;
mod call;
mod containerise;
mod deploy;
mod diagnose;
mod direct;
mod events;
mod facts;
mod logs;
mod rollout;
mod rollout_restart;
mod rollout_status;
mod rollout_undo;
mod scale;
mod set_image;
mod set_resources;
mod status;

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use autoscale::{Autoscale, AutoscaleArgs, AutoscaleCommand};
pub use call::{CheckedCall, DynTool, Origin};
pub use containerise::{
    BuildCommand, BuildImage, BuildImageArgs, DockerfileCommand, GenerateDockerfile, GenerateDockerfileArgs, Stack,
};
pub use deploy::{
    CHART_PATH, DEFAULT_RELEASE, DeployCommand, HelmInstall, HelmInstallArgs, HelmRollback, HelmRollbackArgs,
    HelmRollbackCommand, HelmTest, HelmUninstall, Minikube, MinikubeArgs, ReleaseArgs,
};
pub use diagnose::{Diagnose, DiagnoseArgs};
pub use direct::{Direct, parse_key_value};
pub use events::{Events, EventsArgs, EventsCommand};
pub use facts::{Effect, Hints, Scope, Touches, Undo, UndoFuture};
pub use logs::{Logs, LogsArgs, LogsCommand};
pub use rollout_restart::{DeploymentCommand, RolloutRestart, RolloutRestartArgs};
pub use rollout_status::{RolloutStatus, RolloutStatusArgs};
pub use rollout_undo::{RolloutUndo, RolloutUndoArgs, RolloutUndoCommand};
pub use scale::{Scale, ScaleArgs, ScaleCommand};
pub use set_image::{SetImage, SetImageArgs, SetImageCommand, with_tag};
pub use set_resources::{Amounts, SetResources, SetResourcesArgs, SetResourcesCommand};
pub use status::{Status, StatusArgs, StatusCommand};

use crate::cluster::{ClusterAccess, ClusterError};
use crate::validate::{Limits, ValidationError};

/// A line of progress a tool reports while it runs ("Waiting for rollout to finish: 1 of 3
/// updated replicas are available..."). The front end decides where it goes.
pub type ProgressSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Everything a tool may know about where it runs. Built once from the resolved settings.
#[derive(Clone)]
pub struct ToolContext {
    /// The namespace used when a call names none.
    pub namespace: String,
    /// Bounds applied by validation.
    pub limits: Limits,
    /// The working tree: paths in arguments must stay inside it.
    pub workdir: PathBuf,
    /// The cluster (or snapshot), connected on first use. The kube context it connects to
    /// is the one every question and audit line names ([`ToolContext::kube_context`]).
    pub cluster: Arc<ClusterAccess>,
    /// How much progress tools draw on stderr: -1 none, 0 steps, 1+ every line.
    pub verbosity: i8,
    /// Where progress lines go (stderr unless a front end says otherwise).
    pub progress: ProgressSink,
    /// Cancelled when the user presses Ctrl-C: long-running tools stop cleanly (an external
    /// program is interrupted and waited for, a followed rollout stops following).
    pub cancel: tokio_util::sync::CancellationToken,
}

impl fmt::Debug for ToolContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolContext")
            .field("namespace", &self.namespace)
            .field("cluster", &self.cluster)
            .field("workdir", &self.workdir)
            .finish_non_exhaustive()
    }
}

impl ToolContext {
    /// A context with default limits, progress on stderr (unless `verbosity` < 0).
    pub fn new(namespace: impl Into<String>, workdir: PathBuf, cluster: Arc<ClusterAccess>, verbosity: i8) -> Self {
        ToolContext {
            namespace: namespace.into(),
            limits: Limits::default(),
            workdir,
            cluster,
            verbosity,
            progress: stderr_progress(verbosity),
            cancel: tokio_util::sync::CancellationToken::new(),
        }
    }

    /// The namespace a call targets: its own, or the context's default.
    pub fn namespace_or_default<'a>(&'a self, namespace: Option<&'a str>) -> &'a str {
        namespace.unwrap_or(&self.namespace)
    }

    /// The kube context of the connection tools use (`None` for a snapshot or in-cluster
    /// configuration). Derived from the connection itself, so a label can never name a
    /// different cluster than the one a change goes to.
    pub fn kube_context(&self) -> Option<&str> {
        self.cluster.context()
    }

    /// Reports a progress line.
    pub fn progress(&self, line: &str) {
        (self.progress)(line);
    }
}

/// Progress lines on stderr, made safe for the terminal; nothing when `verbosity` < 0.
pub fn stderr_progress(verbosity: i8) -> ProgressSink {
    if verbosity < 0 {
        Arc::new(|_: &str| {})
    } else {
        Arc::new(|line: &str| eprintln!("{}", crate::sanitize::terminal(line)))
    }
}

/// What a tool returns: human text for the terminal and structured data for `-o json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolOutput {
    /// A rendering for people.
    pub text: String,
    /// The same result as data.
    pub data: Value,
}

/// Why a tool call could not run.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// No tool of that name is in the registry.
    #[error("unknown tool `{name}`")]
    UnknownTool {
        /// The name that was asked for.
        name: String,
    },
    /// The arguments do not fit the tool's schema.
    #[error("invalid arguments for `{tool}`: {reason}")]
    InvalidArguments {
        /// The tool.
        tool: &'static str,
        /// What is wrong, from the typed parse.
        reason: String,
    },
    /// The arguments parse but break a rule (name syntax, ranges, paths).
    #[error("invalid arguments for `{tool}`: {source}")]
    Invalid {
        /// The tool.
        tool: &'static str,
        /// The broken rule.
        #[source]
        source: ValidationError,
    },
    /// The cluster could not answer or refused.
    #[error("{0}")]
    Cluster(#[from] ClusterError),
    /// helm failed or is missing.
    #[error("{0}")]
    Helm(crate::helm::HelmError),
    /// The Docker Engine (or minikube) could not build.
    #[error("{0}")]
    Docker(#[from] crate::docker::DockerError),
    /// The user cancelled it (Ctrl-C) before it finished.
    #[error("`{tool}` was cancelled: {message}")]
    Cancelled {
        /// The tool.
        tool: &'static str,
        /// Where it stopped.
        message: String,
    },
    /// The tool ran and failed.
    #[error("`{tool}` failed: {message}")]
    Failed {
        /// The tool.
        tool: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl ToolError {
    /// A hint for the user, shown under the error.
    pub fn hint(&self) -> Option<String> {
        match self {
            ToolError::UnknownTool { .. } => Some("run `todo-ai tools` to list the tools".into()),
            ToolError::InvalidArguments { tool, .. } | ToolError::Invalid { tool, .. } => {
                Some(format!("see `todo-ai tools --json` for the arguments `{tool}` takes"))
            }
            ToolError::Cluster(error) => error.hint(),
            ToolError::Docker(error) => error.hint(),
            ToolError::Helm(error) => error.hint(),
            ToolError::Cancelled { .. } => {
                Some("nothing more was started after Ctrl-C; the audit log has what ran".into())
            }
            ToolError::Failed { .. } => None,
        }
    }

    /// Detail for the `caused by:` line, when there is more to say than the message.
    pub fn cause(&self) -> Option<String> {
        match self {
            ToolError::Docker(error) => error.cause(),
            ToolError::Helm(error) => error.cause(),
            ToolError::UnknownTool { .. }
            | ToolError::InvalidArguments { .. }
            | ToolError::Invalid { .. }
            | ToolError::Cluster(_)
            | ToolError::Cancelled { .. }
            | ToolError::Failed { .. } => None,
        }
    }
}

/// A boxed future, so the registry can hold tools with different argument types.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = Result<ToolOutput, ToolError>> + Send + 'a>>;

/// The result of [`Tool::prepare`]: arguments with targets resolved, and the exact preview.
pub type PrepareFuture<'a, A> = Pin<Box<dyn Future<Output = Result<(A, String), ToolError>> + Send + 'a>>;

/// A vetted tool with typed arguments.
pub trait Tool: Send + Sync + 'static {
    /// Its arguments. Unknown fields must be rejected (`#[serde(deny_unknown_fields)]`).
    type Args: JsonSchema + DeserializeOwned + Serialize + Send + Sync + fmt::Debug;

    /// The public name (a contract: scripts, prompts and evaluations use it).
    const NAME: &'static str;

    /// One line saying what it does.
    fn description(&self) -> &'static str;

    /// What running it can change.
    fn effect(&self) -> Effect;

    /// What it does to what already exists (the MCP annotations).
    fn hints(&self) -> Hints;

    /// What a change by it touches, for a guard to watch after it (nothing by default).
    fn touches(&self) -> Touches {
        Touches::Nothing
    }

    /// Checks the rules a schema cannot express (name syntax, ranges, paths).
    fn validate(&self, args: &Self::Args, limits: &Limits, ctx: &ToolContext) -> Result<(), ValidationError>;

    /// Where the call acts (namespace and named object), for approvals and audit lines.
    fn scope(&self, args: &Self::Args, ctx: &ToolContext) -> Scope;

    /// A sentence saying exactly what the call will do, e.g.
    /// "scale deployment todo/todo-backend to 3 replicas".
    fn preview(&self, args: &Self::Args, ctx: &ToolContext) -> String;

    /// The `todo-ai …` command line that runs exactly this call, for messages that tell a
    /// person how to run a step themselves. `None` when the tool has no direct subcommand.
    fn command_line(&self, args: &Self::Args, ctx: &ToolContext) -> Option<String>;

    /// Reads what the approval question needs before a changing call: resolves targets
    /// ("backend" → "todo-backend") and current state ("from 2 to 3 replicas"). Changes
    /// nothing. The default keeps the arguments and the static preview.
    fn prepare<'a>(&'a self, args: Self::Args, ctx: &'a ToolContext) -> PrepareFuture<'a, Self::Args> {
        let preview = self.preview(&args, ctx);
        Box::pin(async move { Ok((args, preview)) })
    }

    /// Runs the call. Only reached after validation and the approval policy, and never
    /// under `--dry-run`.
    fn run<'a>(&'a self, args: Self::Args, ctx: &'a ToolContext) -> ToolFuture<'a>;

    /// The call that would put back what this (prepared) call changes, read now, before it
    /// runs. `None` — the default — when no vetted call can undo it; a guard then says so.
    fn undo<'a>(&'a self, args: &'a Self::Args, ctx: &'a ToolContext) -> UndoFuture<'a> {
        let _ = (args, ctx);
        Box::pin(async { Ok(None) })
    }

    /// Shows what the call would do and changes nothing: a server-side dry run where the
    /// backend has one, else the prepared preview (the default). The executor calls this
    /// instead of [`Tool::run`] under `--dry-run`, so a tool that does not override it
    /// still cannot change anything.
    fn dry_run<'a>(&'a self, args: Self::Args, preview: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        let _ = (args, ctx);
        let text = format!("dry run: would {preview}");
        Box::pin(async move { Ok(ToolOutput { text, data: serde_json::json!({"dry_run": true, "preview": preview}) }) })
    }
}

/// The registry, in catalogue order. Adding a tool is one line here (and its file).
#[rustfmt::skip]
static TOOLS: [&dyn DynTool; 15] = [
    &GenerateDockerfile,
    &BuildImage,
    &HelmInstall,
    &HelmRollback,
    &Diagnose,
    &Scale,
    &Status,
    &Logs,
    &Events,
    &RolloutRestart,
    &RolloutUndo,
    &RolloutStatus,
    &SetImage,
    &Autoscale,
    &SetResources,
];

/// The registry: every vetted tool, in catalogue order.
pub fn all() -> &'static [&'static dyn DynTool] {
    &TOOLS
}

/// Looks a tool up by its exact name (for names that arrive as data: model replies, MCP
/// requests, JSON plans).
pub fn find(name: &str) -> Option<&'static dyn DynTool> {
    TOOLS.iter().copied().find(|tool| tool.name() == name)
}

/// Checks a call: the tool must exist, the arguments must parse and validate. Unknown tools
/// fail closed.
pub fn check(name: &str, args: Value, ctx: &ToolContext) -> Result<CheckedCall, ToolError> {
    let tool = find(name).ok_or_else(|| ToolError::UnknownTool { name: name.to_string() })?;
    check_tool(tool, args, ctx)
}

/// Checks a call to a given tool (the registry's, or a test double).
pub fn check_tool(tool: &'static dyn DynTool, args: Value, ctx: &ToolContext) -> Result<CheckedCall, ToolError> {
    let (args, preview) = tool.check_json(args, ctx)?;
    // Previews are shown (plans, questions, refusals, MCP); they never carry a secret.
    Ok(CheckedCall { tool, args, preview: crate::redact::text(&preview), origin: Origin::User })
}

/// Checks a typed call to a known tool.
pub fn check_typed<T: Tool>(tool: &'static T, args: &T::Args, ctx: &ToolContext) -> Result<CheckedCall, ToolError> {
    let value = serde_json::to_value(args)
        .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })?;
    check_tool(tool, value, ctx)
}

/// The tool list as OpenAI function definitions (`tools` in a chat-completions request).
pub fn openai_functions() -> Value {
    Value::Array(
        all()
            .iter()
            .map(|tool| {
                serde_json::json!({
                    "type": "function",
                    "function": {
                        "name": tool.name(),
                        "description": tool.description(),
                        "parameters": tool.schema(),
                    }
                })
            })
            .collect(),
    )
}

/// The checked-in schema file's content for a tool (pretty JSON with a trailing newline).
pub fn schema_file_content(tool: &dyn DynTool) -> String {
    let mut text = serde_json::to_string_pretty(&tool.schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// Renders an optional namespace for previews: the call's own or the default.
fn ns<'a>(namespace: &'a Option<String>, ctx: &'a ToolContext) -> &'a str {
    ctx.namespace_or_default(namespace.as_deref())
}

/// The scope of a call on a namespaced object.
fn namespaced(namespace: &Option<String>, target: Option<&str>, ctx: &ToolContext) -> Scope {
    Scope { namespace: Some(ns(namespace, ctx).to_string()), target: target.map(str::to_string) }
}

/// ` -n NS` when a call's namespace differs from the session's (for command lines).
fn namespace_flag(namespace: &Option<String>, ctx: &ToolContext) -> String {
    format!(" -n {}", ns(namespace, ctx))
}

/// Quotes a word for a shell command line when it needs it (single quotes).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | '@' | ','));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut names: Vec<_> = all().iter().map(|tool| tool.name()).collect();
        assert!(names.iter().all(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all().len());
    }

    #[test]
    fn every_schema_is_a_closed_object() {
        for tool in all() {
            let schema = tool.schema();
            assert_eq!(schema["type"], "object", "{}", tool.name());
            assert_eq!(schema["additionalProperties"], false, "{}", tool.name());
        }
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("todo-backend"), "todo-backend");
        assert_eq!(shell_word("ghcr.io/acme/api:1.2"), "ghcr.io/acme/api:1.2");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
