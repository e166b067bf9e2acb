//! The typed tool registry: the one list of vetted tools that drives the LLM function
//! definitions, `todo-ai tools`, the offline planner's validation, help text and the
//! checked-in `tools/<name>.schema.json` files.
//!
//! Each tool is a type implementing [`Tool`] with a typed, `deny_unknown_fields` argument
//! struct. The registry erases the argument type behind [`DynTool`] so callers can work with
//! JSON (what planners and models produce) while every argument still goes through the typed
//! parse and [`Tool::validate`] before anything runs.

mod containerise;
mod deploy;
mod kube_ops;

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use containerise::{BuildImage, BuildImageArgs, GenerateDockerfile, GenerateDockerfileArgs, Stack};
pub use deploy::{
    CHART_PATH, DEFAULT_RELEASE, HelmInstall, HelmInstallArgs, HelmRollback, HelmRollbackArgs, HelmTest, HelmUninstall,
    Minikube, MinikubeArgs, ReleaseArgs,
};
pub use kube_ops::{
    Autoscale, AutoscaleArgs, Diagnose, DiagnoseArgs, Events, EventsArgs, Logs, LogsArgs, RolloutRestart,
    RolloutRestartArgs, RolloutStatus, RolloutStatusArgs, RolloutUndo, RolloutUndoArgs, Scale, ScaleArgs, SetImage,
    SetImageArgs, Status, StatusArgs,
};

use crate::cluster::{ClusterAccess, ClusterError};
use crate::validate::{Limits, ValidationError};

/// What running a tool can change. The approval policy decides from this alone, so a tool
/// that could change anything must never claim [`Effect::ReadOnly`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Only reads cluster or local state.
    ReadOnly,
    /// Creates, updates or rolls back objects in the cluster.
    ChangesCluster,
    /// Writes files in the working tree.
    WritesFiles,
    /// Builds container images (and may load them into minikube).
    BuildsImages,
}

impl Effect {
    /// Every effect, in a stable order (for tables and tests).
    pub const ALL: [Effect; 4] = [Effect::ReadOnly, Effect::ChangesCluster, Effect::WritesFiles, Effect::BuildsImages];

    /// Whether running a tool with this effect can change anything.
    pub fn is_read_only(self) -> bool {
        match self {
            Effect::ReadOnly => true,
            Effect::ChangesCluster | Effect::WritesFiles | Effect::BuildsImages => false,
        }
    }

    /// A short label for tables and prompts.
    pub fn label(self) -> &'static str {
        match self {
            Effect::ReadOnly => "read-only",
            Effect::ChangesCluster => "changes cluster",
            Effect::WritesFiles => "writes files",
            Effect::BuildsImages => "builds images",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Everything a tool may know about where it runs. Built once from the resolved settings.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// The namespace used when a call names none.
    pub namespace: String,
    /// The kube context in use, when one is known.
    pub kube_context: Option<String>,
    /// When set, changing tools only show what they would do.
    pub dry_run: bool,
    /// Bounds applied by validation.
    pub limits: Limits,
    /// The working tree: paths in arguments must stay inside it.
    pub workdir: PathBuf,
    /// The cluster (or snapshot), connected on first use.
    pub cluster: std::sync::Arc<ClusterAccess>,
    /// How much progress tools draw on stderr: -1 none, 0 steps, 1+ every line.
    pub verbosity: i8,
}

impl ToolContext {
    /// The namespace a call targets: its own, or the context's default.
    pub fn namespace_or_default<'a>(&'a self, namespace: Option<&'a str>) -> &'a str {
        namespace.unwrap_or(&self.namespace)
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

    /// Checks the rules a schema cannot express (name syntax, ranges, paths).
    fn validate(&self, args: &Self::Args, limits: &Limits, ctx: &ToolContext) -> Result<(), ValidationError>;

    /// A sentence saying exactly what the call will do, e.g.
    /// "scale deployment todo/todo-backend to 3 replicas".
    fn preview(&self, args: &Self::Args, ctx: &ToolContext) -> String;

    /// Reads what the approval question needs before a changing call: resolves targets
    /// ("backend" → "todo-backend") and current state ("from 2 to 3 replicas"). Changes
    /// nothing. The default keeps the arguments and the static preview.
    fn prepare<'a>(&'a self, args: Self::Args, ctx: &'a ToolContext) -> PrepareFuture<'a, Self::Args> {
        let preview = self.preview(&args, ctx);
        Box::pin(async move { Ok((args, preview)) })
    }

    /// Runs the call. Only reached after validation and the approval policy.
    fn run<'a>(&'a self, args: Self::Args, ctx: &'a ToolContext) -> ToolFuture<'a>;
}

/// A call whose arguments parsed and validated: the only thing the executor will run.
#[derive(Clone)]
pub struct CheckedCall {
    tool: &'static dyn DynTool,
    args: Value,
    preview: String,
}

impl fmt::Debug for CheckedCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedCall").field("tool", &self.tool.name()).field("args", &self.args).finish()
    }
}

impl CheckedCall {
    /// The tool's name.
    pub fn name(&self) -> &'static str {
        self.tool.name()
    }

    /// The tool's effect.
    pub fn effect(&self) -> Effect {
        self.tool.effect()
    }

    /// The normalised arguments (defaults filled in).
    pub fn args(&self) -> &Value {
        &self.args
    }

    /// What the call will do, in one sentence.
    pub fn preview(&self) -> &str {
        &self.preview
    }

    /// Runs the call.
    pub fn run<'a>(&'a self, ctx: &'a ToolContext) -> ToolFuture<'a> {
        self.tool.run_json(self.args.clone(), ctx)
    }

    /// Resolves targets and reads current state for the preview (see [`Tool::prepare`]).
    pub async fn prepare(&mut self, ctx: &ToolContext) -> Result<(), ToolError> {
        let (args, preview) = self.tool.prepare_json(self.args.clone(), ctx).await?;
        self.args = args;
        self.preview = crate::redact::text(&preview);
        Ok(())
    }
}

/// The object-safe face of a [`Tool`]: JSON in, checked calls out.
pub trait DynTool: Send + Sync {
    /// The public name.
    fn name(&self) -> &'static str;
    /// One line saying what it does.
    fn description(&self) -> &'static str;
    /// What running it can change.
    fn effect(&self) -> Effect;
    /// The JSON Schema of its arguments.
    fn schema(&self) -> Value;
    /// Parses and validates JSON arguments, returning them normalised and the preview.
    fn check_json(&self, args: Value, ctx: &ToolContext) -> Result<(Value, String), ToolError>;
    /// Runs with JSON arguments that [`DynTool::check_json`] accepted.
    fn run_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> ToolFuture<'a>;
    /// [`Tool::prepare`] with JSON arguments.
    fn prepare_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> PrepareFuture<'a, Value>;
}

impl<T: Tool> DynTool for T {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn description(&self) -> &'static str {
        Tool::description(self)
    }

    fn effect(&self) -> Effect {
        Tool::effect(self)
    }

    fn schema(&self) -> Value {
        let mut schema = serde_json::to_value(schemars::schema_for!(T::Args)).unwrap_or(Value::Null);
        // Function-calling APIs want a bare object schema; the title and `$schema` are noise.
        if let Value::Object(map) = &mut schema {
            map.remove("$schema");
            map.remove("title");
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        schema
    }

    fn check_json(&self, args: Value, ctx: &ToolContext) -> Result<(Value, String), ToolError> {
        // A model may send `null` for "no arguments".
        let args = if args.is_null() { Value::Object(Default::default()) } else { args };
        let typed: T::Args = serde_json::from_value(args)
            .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })?;
        self.validate(&typed, &ctx.limits, ctx).map_err(|source| ToolError::Invalid { tool: T::NAME, source })?;
        let preview = self.preview(&typed, ctx);
        let normalised = serde_json::to_value(&typed)
            .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })?;
        Ok((normalised, preview))
    }

    fn prepare_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> PrepareFuture<'a, Value> {
        Box::pin(async move {
            let typed: T::Args = serde_json::from_value(args)
                .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })?;
            let (typed, preview) = self.prepare(typed, ctx).await?;
            let value = serde_json::to_value(&typed)
                .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })?;
            Ok((value, preview))
        })
    }

    fn run_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> ToolFuture<'a> {
        match serde_json::from_value::<T::Args>(args) {
            Ok(typed) => self.run(typed, ctx),
            Err(error) => {
                Box::pin(async move { Err(ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() }) })
            }
        }
    }
}

static TOOLS: [&dyn DynTool; 14] = [
    &GenerateDockerfile, &BuildImage, &HelmInstall, &HelmRollback, &Diagnose, &Scale, &Status, &Logs, &Events,
    &RolloutRestart, &RolloutUndo, &RolloutStatus, &SetImage, &Autoscale,
];

/// The registry: every vetted tool, in catalogue order.
pub fn all() -> &'static [&'static dyn DynTool] {
    &TOOLS
}

/// Looks a tool up by its exact name.
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
    Ok(CheckedCall { tool, args, preview: crate::redact::text(&preview) })
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
}
