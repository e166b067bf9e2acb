//! Facts about tools and calls that the rest of the program decides by: what a tool can
//! change ([`Effect`]), what it does to what exists ([`Hints`], the MCP annotations), where a
//! call acts ([`Scope`]), what it touches for a guard to watch ([`Touches`]) and how to put
//! back what it changed ([`Undo`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde_json::Value;

use super::{CheckedCall, DynTool, Tool, ToolContext, ToolError, check_tool};

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

/// What a tool does to what already exists, beyond its [`Effect`]: the MCP annotations
/// (`destructiveHint`, `idempotentHint`, `openWorldHint`). Every tool decides them on its
/// type; the README's table says why for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    /// It may replace or remove existing state (pods, a running image, files).
    pub destructive: bool,
    /// Calling it again with the same arguments changes nothing more.
    pub idempotent: bool,
    /// It reaches beyond the cluster and the working tree (image registries).
    pub open_world: bool,
}

impl Hints {
    /// The hints of a tool that only reads the cluster (or a snapshot): a closed world.
    pub const READ_CLUSTER: Hints = Hints { destructive: false, idempotent: true, open_world: false };
}

/// Where a call acts: the namespace (none for tools that act on files or images) and the
/// object it names. Approvals "for this session" are scoped to tool + namespace + target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Scope {
    /// The namespace the call acts in.
    pub namespace: Option<String>,
    /// The object (deployment, release, path) it names.
    pub target: Option<String>,
}

/// What a change touches, for a guard to watch after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touches {
    /// Nothing in the cluster (files, images) or nothing a guard can watch.
    Nothing,
    /// The deployment the call names.
    Deployment,
    /// The deployments of the Helm release the call names.
    Release,
}

/// How to put back what a change changed: a call to a vetted tool, read before the change
/// runs (the revision it replaces, the count it changes). Approving a guarded change approves
/// this undo.
#[derive(Clone)]
pub struct Undo {
    /// The tool that undoes it.
    pub tool: &'static dyn DynTool,
    /// Its arguments.
    pub args: Value,
    /// What it does, for questions and reports ("roll back to revision 7").
    pub description: String,
}

impl fmt::Debug for Undo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undo").field("tool", &self.tool.name()).field("args", &self.args).finish()
    }
}

impl Undo {
    /// An undo by a typed call.
    pub fn by<T: Tool>(tool: &'static T, args: &T::Args, description: impl Into<String>) -> Option<Undo> {
        Some(Undo { tool, args: serde_json::to_value(args).ok()?, description: description.into() })
    }

    /// The undo as a checked call (its arguments are validated like any other).
    pub fn check(&self, ctx: &ToolContext) -> Result<CheckedCall, ToolError> {
        check_tool(self.tool, self.args.clone(), ctx)
    }
}

/// The result of [`Tool::undo`].
pub type UndoFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<Undo>, ToolError>> + Send + 'a>>;
