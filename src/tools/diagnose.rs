//! `diagnose`: root causes of failing pods, workloads, services and nodes, with evidence and
//! fixes (the analysis itself is [`crate::diagnose`]). Its subcommand has options of its own
//! (`--fail-on`, `-A`, `--explain`) and lives in `commands/diagnose.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Effect, Hints, Scope, Tool, ToolContext, ToolFuture, ToolOutput, namespace_flag, namespaced, ns, shell_word,
};
use crate::validate::{self, Limits, ValidationError};

/// Arguments of `diagnose`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnoseArgs {
    /// Namespace to analyse; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Limit the analysis to one workload or pod (a name, name fragment or `kind/name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Every namespace instead of one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_namespaces: bool,
}

/// Finds root causes of failing workloads, with evidence and fixes.
pub struct Diagnose;

impl Tool for Diagnose {
    type Args = DiagnoseArgs;
    const NAME: &'static str = "diagnose";

    fn description(&self) -> &'static str {
        "Find root causes of failing pods, workloads, services and nodes, with evidence and fixes"
    }

    fn effect(&self) -> Effect {
        Effect::ReadOnly
    }

    fn hints(&self) -> Hints {
        Hints::READ_CLUSTER
    }

    fn validate(&self, args: &DiagnoseArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::namespace(args.namespace.as_deref())?;
        args.target.as_deref().map_or(Ok(()), validate::target)
    }

    fn scope(&self, args: &DiagnoseArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, args.target.as_deref(), ctx)
    }

    fn preview(&self, args: &DiagnoseArgs, ctx: &ToolContext) -> String {
        match (&args.target, args.all_namespaces) {
            (Some(target), true) => format!("diagnose `{target}` in every namespace"),
            (None, true) => "diagnose every namespace".to_string(),
            (Some(target), false) => format!("diagnose `{target}` in namespace {}", ns(&args.namespace, ctx)),
            (None, false) => format!("diagnose namespace {}", ns(&args.namespace, ctx)),
        }
    }

    fn command_line(&self, args: &DiagnoseArgs, ctx: &ToolContext) -> Option<String> {
        let target = args.target.as_deref().map(|t| format!(" {}", shell_word(t))).unwrap_or_default();
        let place = if args.all_namespaces { " -A".to_string() } else { namespace_flag(&args.namespace, ctx) };
        Some(format!("todo-ai diagnose{target}{place}"))
    }

    fn run<'a>(&'a self, args: DiagnoseArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let namespaces = if args.all_namespaces { cluster.namespaces().await? } else { vec![namespace] };
            let report = crate::diagnose::run_namespaces(
                &cluster,
                &namespaces,
                args.target.as_deref(),
                args.all_namespaces,
                &ctx.limits,
            )
            .await?;
            let text = crate::diagnose::render_text(&report, false);
            // The same document as `todo-ai diagnose -o json`: each finding with its stable `id`
            // (what a baseline or an ignore entry names), for MCP clients and the model alike.
            let data = crate::diagnose::gate::apply(report, None, None, "").to_json();
            Ok(ToolOutput { text, data })
        })
    }
}
