//! `rollout_undo`: rolls a deployment back to its previous or a given revision, as
//! `kubectl rollout undo` does (the old ReplicaSet's template, without its hash label).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rollout_restart::dry_prefix;
use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag,
    namespaced, ns, rollout, shell_word,
};
use crate::validate::{self, Limits, ValidationError};

/// Arguments of `rollout_undo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutUndoArgs {
    /// Deployment name or unique fragment.
    pub deployment: String,
    /// Revision to return to; the previous one when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub revision: Option<i64>,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Rolls a deployment back to an earlier revision (like `kubectl rollout undo`).
pub struct RolloutUndo;

impl Tool for RolloutUndo {
    type Args = RolloutUndoArgs;
    const NAME: &'static str = "rollout_undo";

    fn description(&self) -> &'static str {
        "Roll a deployment back to its previous or a given revision, like kubectl rollout undo"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn touches(&self) -> super::Touches {
        super::Touches::Deployment
    }

    fn hints(&self) -> Hints {
        // Undoing twice goes back and forth.
        Hints { destructive: true, idempotent: false, open_world: false }
    }

    fn validate(&self, args: &RolloutUndoArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())?;
        args.revision.map_or(Ok(()), |revision| validate::range("revision", revision, 1, i64::from(i32::MAX)))
    }

    fn scope(&self, args: &RolloutUndoArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn command_line(&self, args: &RolloutUndoArgs, ctx: &ToolContext) -> Option<String> {
        let revision = args.revision.map(|r| format!(" --to-revision {r}")).unwrap_or_default();
        Some(format!(
            "todo-ai rollout undo {}{revision}{}",
            shell_word(&args.deployment),
            namespace_flag(&args.namespace, ctx)
        ))
    }

    fn preview(&self, args: &RolloutUndoArgs, ctx: &ToolContext) -> String {
        let to = args.revision.map_or_else(|| "the previous revision".to_string(), |r| format!("revision {r}"));
        format!("roll back deployment {}/{} to {to}", ns(&args.namespace, ctx), args.deployment)
    }

    fn prepare<'a>(&'a self, mut args: RolloutUndoArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, RolloutUndoArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let undo = rollout::plan_undo(ctx, &namespace, &args.deployment, args.revision).await?;
            let from_image = rollout::images(Some(&undo.current_template));
            let to_image = rollout::images(Some(&undo.template));
            let (name, current, target) = (undo.name, undo.current, undo.target);
            args.deployment = name.clone();
            args.revision = Some(target);
            let preview = format!(
                "roll back deployment {namespace}/{name} from revision {current} to revision {target} (image {from_image} → {to_image})"
            );
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a RolloutUndoArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(async move { rollout::undo_to_current(ctx, ns(&args.namespace, ctx), &args.deployment).await })
    }

    fn run<'a>(&'a self, args: RolloutUndoArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(undo(args, ctx, false))
    }

    fn dry_run<'a>(&'a self, args: RolloutUndoArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(undo(args, ctx, true))
    }
}

async fn undo(args: RolloutUndoArgs, ctx: &ToolContext, dry_run: bool) -> Result<ToolOutput, ToolError> {
    let namespace = ns(&args.namespace, ctx).to_string();
    let undo = rollout::plan_undo(ctx, &namespace, &args.deployment, args.revision).await?;
    let (target, template) = (undo.target, undo.template);
    let cluster = ctx.cluster.get().await?;
    // Like kubectl: the deployment's pod template becomes the old ReplicaSet's, without the
    // pod-template-hash label that the ReplicaSet added.
    let patch = json!({"spec": {"template": rollout::without_hash(template)}});
    cluster.patch_deployment(&namespace, &args.deployment, &patch, false, dry_run).await?;
    let text =
        format!("{}deployment {namespace}/{} rolled back to revision {target}", dry_prefix(dry_run), args.deployment);
    Ok(ToolOutput {
        text,
        data: json!({"namespace": namespace, "deployment": args.deployment, "revision": target, "dry_run": dry_run}),
    })
}

/// Options of `rollout undo`.
#[derive(Debug, clap::Args)]
pub struct RolloutUndoCommand {
    /// Deployment name or unique fragment
    pub deployment: String,
    /// Revision to return to [default: previous]
    #[arg(long, value_name = "N")]
    pub to_revision: Option<i64>,
}

impl Direct for RolloutUndo {
    type Command = RolloutUndoCommand;

    fn args(&self, command: RolloutUndoCommand, namespace: Option<String>) -> RolloutUndoArgs {
        RolloutUndoArgs { deployment: command.deployment, revision: command.to_revision, namespace }
    }
}
