//! Calls: where a call came from ([`Origin`]), a call whose arguments passed the registry's
//! checks ([`CheckedCall`], the only thing the executor runs), and the object-safe face of a
//! tool ([`DynTool`]: JSON in, checked calls out) that the registry holds.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::{Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, Touches, Undo, UndoFuture};

/// Where a call came from. The approval policy treats a call a model makes after it has read
/// cluster data (which may carry instructions) more strictly than one a person typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The person's own words: a direct subcommand or the offline planner's plan of them.
    #[default]
    User,
    /// An MCP client (an agent acting for someone; it asks the person by elicitation).
    Client,
    /// A language model, before any tool result entered the turn.
    Model,
    /// A language model, after a tool result (cluster text) entered the turn.
    ModelAfterToolResult,
}

impl Origin {
    /// Whether a model proposed the call.
    pub fn is_model(self) -> bool {
        match self {
            Origin::Model | Origin::ModelAfterToolResult => true,
            Origin::User | Origin::Client => false,
        }
    }
}

/// A call whose arguments parsed and validated: the only thing the executor will run.
#[derive(Clone)]
pub struct CheckedCall {
    pub(super) tool: &'static dyn DynTool,
    pub(super) args: Value,
    pub(super) preview: String,
    pub(super) origin: Origin,
}

impl fmt::Debug for CheckedCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedCall").field("tool", &self.tool.name()).field("args", &self.args).finish()
    }
}

impl CheckedCall {
    /// The tool.
    pub fn tool(&self) -> &'static dyn DynTool {
        self.tool
    }

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

    /// Where the call came from.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The same call, marked as coming from `origin`.
    pub fn with_origin(mut self, origin: Origin) -> CheckedCall {
        self.origin = origin;
        self
    }

    /// Where the call acts.
    pub fn scope(&self, ctx: &ToolContext) -> Scope {
        self.tool.scope_json(&self.args, ctx)
    }

    /// The direct command that runs exactly this call, when there is one.
    pub fn command_line(&self, ctx: &ToolContext) -> Option<String> {
        self.tool.command_line_json(&self.args, ctx)
    }

    /// Runs the call.
    pub fn run<'a>(&'a self, ctx: &'a ToolContext) -> ToolFuture<'a> {
        self.tool.run_json(self.args.clone(), ctx)
    }

    /// Shows what the call would do, changing nothing.
    pub fn dry_run<'a>(&'a self, ctx: &'a ToolContext) -> ToolFuture<'a> {
        self.tool.dry_run_json(self.args.clone(), &self.preview, ctx)
    }

    /// Adds words to the preview (what a guard will do).
    pub fn append_to_preview(&mut self, text: &str) {
        self.preview.push_str(text);
    }

    /// The call that would undo this one, read now (see [`Tool::undo`]).
    pub async fn undo(&self, ctx: &ToolContext) -> Result<Option<Undo>, ToolError> {
        self.tool.undo_json(self.args.clone(), ctx).await
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
    /// Its MCP hints.
    fn hints(&self) -> Hints;
    /// What a change by it touches, for a guard.
    fn touches(&self) -> Touches;
    /// The JSON Schema of its arguments.
    fn schema(&self) -> Value;
    /// Parses and validates JSON arguments, returning them normalised and the preview.
    fn check_json(&self, args: Value, ctx: &ToolContext) -> Result<(Value, String), ToolError>;
    /// [`Tool::scope`] with JSON arguments that [`DynTool::check_json`] accepted.
    fn scope_json(&self, args: &Value, ctx: &ToolContext) -> Scope;
    /// [`Tool::command_line`] with JSON arguments.
    fn command_line_json(&self, args: &Value, ctx: &ToolContext) -> Option<String>;
    /// Runs with JSON arguments that [`DynTool::check_json`] accepted.
    fn run_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> ToolFuture<'a>;
    /// [`Tool::dry_run`] with JSON arguments.
    fn dry_run_json<'a>(&'a self, args: Value, preview: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a>;
    /// [`Tool::prepare`] with JSON arguments.
    fn prepare_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> PrepareFuture<'a, Value>;
    /// [`Tool::undo`] with JSON arguments.
    fn undo_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> UndoFuture<'a>;
}

fn parse<T: Tool>(args: Value) -> Result<T::Args, ToolError> {
    serde_json::from_value(args)
        .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })
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

    fn hints(&self) -> Hints {
        Tool::hints(self)
    }

    fn touches(&self) -> Touches {
        Tool::touches(self)
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
        let typed = parse::<T>(args)?;
        self.validate(&typed, &ctx.limits, ctx).map_err(|source| ToolError::Invalid { tool: T::NAME, source })?;
        let preview = self.preview(&typed, ctx);
        let normalised = serde_json::to_value(&typed)
            .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })?;
        Ok((normalised, preview))
    }

    fn scope_json(&self, args: &Value, ctx: &ToolContext) -> Scope {
        match parse::<T>(args.clone()) {
            Ok(typed) => self.scope(&typed, ctx),
            // Checked arguments always parse; should one not, the widest scope is the safe one.
            Err(_) => Scope { namespace: Some(ctx.namespace.clone()), target: None },
        }
    }

    fn command_line_json(&self, args: &Value, ctx: &ToolContext) -> Option<String> {
        parse::<T>(args.clone()).ok().and_then(|typed| self.command_line(&typed, ctx))
    }

    fn prepare_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> PrepareFuture<'a, Value> {
        Box::pin(async move {
            let (typed, preview) = self.prepare(parse::<T>(args)?, ctx).await?;
            let value = serde_json::to_value(&typed)
                .map_err(|error| ToolError::InvalidArguments { tool: T::NAME, reason: error.to_string() })?;
            Ok((value, preview))
        })
    }

    fn run_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> ToolFuture<'a> {
        match parse::<T>(args) {
            Ok(typed) => self.run(typed, ctx),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn dry_run_json<'a>(&'a self, args: Value, preview: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        match parse::<T>(args) {
            Ok(typed) => self.dry_run(typed, preview, ctx),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn undo_json<'a>(&'a self, args: Value, ctx: &'a ToolContext) -> UndoFuture<'a> {
        Box::pin(async move {
            let typed = parse::<T>(args)?;
            self.undo(&typed, ctx).await
        })
    }
}
