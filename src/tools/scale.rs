//! `scale`: sets a deployment's replica count through the scale subresource. The question
//! says "from N to M" and warns when an autoscaler will override the count; the dry run is
//! the API server's (`dryRun=All`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag,
    namespaced, ns, shell_word,
};
use crate::validate::{self, Limits, ValidationError};

/// Arguments of `scale`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleArgs {
    /// Deployment name or unique fragment ("backend" finds "todo-backend").
    pub deployment: String,
    /// Desired number of replicas (0 to the replica ceiling, 100 by default).
    #[schemars(range(min = 0))]
    pub replicas: i64,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Sets a deployment's replica count through the scale subresource.
pub struct Scale;

impl Tool for Scale {
    type Args = ScaleArgs;
    const NAME: &'static str = "scale";

    fn description(&self) -> &'static str {
        "Set the number of replicas of a deployment"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn hints(&self) -> Hints {
        // Setting a value: the same count twice is one change; fewer replicas removes pods.
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn scope(&self, args: &ScaleArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn command_line(&self, args: &ScaleArgs, ctx: &ToolContext) -> Option<String> {
        Some(format!(
            "todo-ai scale {} {}{}",
            shell_word(&args.deployment),
            args.replicas,
            namespace_flag(&args.namespace, ctx)
        ))
    }

    fn validate(&self, args: &ScaleArgs, limits: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())?;
        validate::replicas("replicas", args.replicas, 0, limits)
    }

    fn preview(&self, args: &ScaleArgs, ctx: &ToolContext) -> String {
        format!(
            "scale deployment {}/{} to {} {}",
            ns(&args.namespace, ctx),
            args.deployment,
            args.replicas,
            if args.replicas == 1 { "replica" } else { "replicas" }
        )
    }

    fn prepare<'a>(&'a self, mut args: ScaleArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, ScaleArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let target = cluster.scale_target(&namespace, &args.deployment).await?;
            args.deployment = target.name.clone();
            let mut preview = format!(
                "scale deployment {namespace}/{} from {} to {} {}",
                target.name,
                target.replicas,
                args.replicas,
                if args.replicas == 1 { "replica" } else { "replicas" }
            );
            if let Some((hpa, min, max)) = &target.autoscaler {
                // Do not fight the autoscaler silently.
                preview.push_str(&format!(
                    " — note: HorizontalPodAutoscaler `{hpa}` manages it ({min}–{max} replicas) and will override this; \
                     to change the range instead run `todo-ai autoscale {} --min {} --max {max}`",
                    target.name,
                    args.replicas.clamp(1, i64::from(*max))
                ));
            }
            Ok((args, preview))
        })
    }

    fn run<'a>(&'a self, args: ScaleArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(self.apply(args, ctx, false))
    }

    fn dry_run<'a>(&'a self, args: ScaleArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(self.apply(args, ctx, true))
    }
}

impl Scale {
    /// Scales for real, or as a server-side dry run.
    async fn apply(&self, args: ScaleArgs, ctx: &ToolContext, dry_run: bool) -> Result<ToolOutput, ToolError> {
        let namespace = ns(&args.namespace, ctx).to_string();
        let replicas = i32::try_from(args.replicas).map_err(|_| ToolError::Failed {
            tool: Self::NAME,
            message: format!("{} replicas is out of range", args.replicas),
        })?;
        let cluster = ctx.cluster.get().await?;
        let accepted = cluster.scale(&namespace, &args.deployment, replicas, dry_run).await?;
        let text = if dry_run {
            format!("server dry run: deployment {namespace}/{} would be scaled to {accepted} replicas", args.deployment)
        } else {
            format!("deployment {namespace}/{} scaled to {accepted} replicas", args.deployment)
        };
        let data = json!({
            "namespace": namespace, "deployment": args.deployment, "replicas": accepted, "dry_run": dry_run,
        });
        Ok(ToolOutput { text, data })
    }
}

/// Options of `scale`.
#[derive(Debug, clap::Args)]
pub struct ScaleCommand {
    /// Deployment name or unique fragment
    pub deployment: String,
    /// Desired replicas
    #[arg(allow_negative_numbers = true)]
    pub replicas: i64,
    /// Then wait until the replicas are ready, with a progress line
    #[arg(long)]
    pub wait: bool,
}

impl Direct for Scale {
    type Command = ScaleCommand;

    fn args(&self, command: ScaleCommand, namespace: Option<String>) -> ScaleArgs {
        ScaleArgs { deployment: command.deployment, replicas: command.replicas, namespace }
    }

    fn waits_for_rollout(&self, command: &ScaleCommand) -> bool {
        command.wait
    }
}
