//! `rollout_restart`: restarts a deployment's pods with a rolling update, as
//! `kubectl rollout restart` does (the `restartedAt` annotation on the pod template).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag,
    namespaced, ns, rollout, shell_word,
};
use crate::validate::{self, Limits, ValidationError};

/// Arguments of the rollout tools that take only a deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutRestartArgs {
    /// Deployment name or unique fragment.
    pub deployment: String,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Restarts a deployment's pods with a rolling update (like `kubectl rollout restart`).
pub struct RolloutRestart;

impl Tool for RolloutRestart {
    type Args = RolloutRestartArgs;
    const NAME: &'static str = "rollout_restart";

    fn description(&self) -> &'static str {
        "Restart a deployment's pods with a rolling update, like kubectl rollout restart"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn touches(&self) -> super::Touches {
        super::Touches::Deployment
    }

    fn hints(&self) -> Hints {
        // Every call restarts every pod again.
        Hints { destructive: true, idempotent: false, open_world: false }
    }

    fn validate(&self, args: &RolloutRestartArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())
    }

    fn scope(&self, args: &RolloutRestartArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn command_line(&self, args: &RolloutRestartArgs, ctx: &ToolContext) -> Option<String> {
        Some(format!(
            "todo-ai rollout restart {}{}",
            shell_word(&args.deployment),
            namespace_flag(&args.namespace, ctx)
        ))
    }

    fn preview(&self, args: &RolloutRestartArgs, ctx: &ToolContext) -> String {
        format!(
            "restart deployment {}/{} (a rolling update replaces its pods)",
            ns(&args.namespace, ctx),
            args.deployment
        )
    }

    fn prepare<'a>(
        &'a self,
        mut args: RolloutRestartArgs,
        ctx: &'a ToolContext,
    ) -> PrepareFuture<'a, RolloutRestartArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let deployment = ctx.cluster.get().await?.find_deployment(&namespace, &args.deployment).await?;
            args.deployment = deployment.metadata.name.clone().unwrap_or_default();
            let replicas = deployment.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let preview = format!(
                "restart deployment {namespace}/{}: a rolling update replaces its {replicas} {}",
                args.deployment,
                if replicas == 1 { "pod" } else { "pods" }
            );
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a RolloutRestartArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(async move { rollout::undo_to_current(ctx, ns(&args.namespace, ctx), &args.deployment).await })
    }

    fn run<'a>(&'a self, args: RolloutRestartArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(restart(args, ctx, false))
    }

    fn dry_run<'a>(&'a self, args: RolloutRestartArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(restart(args, ctx, true))
    }
}

async fn restart(args: RolloutRestartArgs, ctx: &ToolContext, dry_run: bool) -> Result<ToolOutput, ToolError> {
    let namespace = ns(&args.namespace, ctx).to_string();
    // The annotation kubectl rollout restart sets; changing the template starts a rollout.
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": crate::audit::now_rfc3339()
    }}}}});
    let cluster = ctx.cluster.get().await?;
    cluster.patch_deployment(&namespace, &args.deployment, &patch, true, dry_run).await?;
    let text = format!("{}deployment {namespace}/{} restarted", dry_prefix(dry_run), args.deployment);
    Ok(ToolOutput { text, data: json!({"namespace": namespace, "deployment": args.deployment, "dry_run": dry_run}) })
}

/// The prefix of a server-side dry run's result line.
pub(super) fn dry_prefix(dry_run: bool) -> &'static str {
    if dry_run { "server dry run: " } else { "" }
}

/// A deployment (for `restart`, `rollout restart` and `rollout status`).
#[derive(Debug, clap::Args)]
pub struct DeploymentCommand {
    /// Deployment name or unique fragment
    pub deployment: String,
}

impl Direct for RolloutRestart {
    type Command = DeploymentCommand;

    fn args(&self, command: DeploymentCommand, namespace: Option<String>) -> RolloutRestartArgs {
        RolloutRestartArgs { deployment: command.deployment, namespace }
    }
}
