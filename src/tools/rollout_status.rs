//! `rollout_status`: follows a deployment's rollout until it completes, exceeds its progress
//! deadline or times out, with kubectl's progress lines.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rollout_restart::DeploymentCommand;
use super::{
    Direct, Effect, Hints, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag, namespaced, ns,
    rollout, shell_word,
};
use crate::validate::{self, Limits, ValidationError};

/// How long `rollout_status` follows a rollout.
const ROLLOUT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);
/// How often it looks.
const ROLLOUT_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Arguments of `rollout_status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutStatusArgs {
    /// Deployment name or unique fragment.
    pub deployment: String,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Follows a rollout until it completes, stalls or times out.
pub struct RolloutStatus;

impl Tool for RolloutStatus {
    type Args = RolloutStatusArgs;
    const NAME: &'static str = "rollout_status";

    fn description(&self) -> &'static str {
        "Follow a deployment's rollout until it completes, exceeds its progress deadline or times out"
    }

    fn effect(&self) -> Effect {
        Effect::ReadOnly
    }

    fn hints(&self) -> Hints {
        Hints::READ_CLUSTER
    }

    fn scope(&self, args: &RolloutStatusArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn command_line(&self, args: &RolloutStatusArgs, ctx: &ToolContext) -> Option<String> {
        Some(format!("todo-ai rollout status {}{}", shell_word(&args.deployment), namespace_flag(&args.namespace, ctx)))
    }

    fn validate(&self, args: &RolloutStatusArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())
    }

    fn preview(&self, args: &RolloutStatusArgs, ctx: &ToolContext) -> String {
        format!("follow the rollout of deployment {}/{}", ns(&args.namespace, ctx), args.deployment)
    }

    fn run<'a>(&'a self, args: RolloutStatusArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let deadline = std::time::Instant::now() + ROLLOUT_TIMEOUT;
            let mut last_line = String::new();
            loop {
                let deployment = cluster.find_deployment(&namespace, &args.deployment).await?;
                let name = deployment.metadata.name.clone().unwrap_or_default();
                let state = rollout::status(&deployment);
                let done = |text: String, outcome: &str| {
                    Ok(ToolOutput {
                        text,
                        data: json!({"namespace": namespace, "deployment": name, "outcome": outcome}),
                    })
                };
                match state {
                    rollout::State::Complete => {
                        return done(format!("deployment {namespace}/{name} successfully rolled out"), "complete");
                    }
                    rollout::State::DeadlineExceeded(message) => {
                        return Err(ToolError::Failed {
                            tool: Self::NAME,
                            message: format!("deployment {namespace}/{name} exceeded its progress deadline: {message}"),
                        });
                    }
                    rollout::State::Progressing(line) => {
                        // A snapshot never changes: report where it stands.
                        if cluster.is_snapshot() {
                            return done(format!("deployment {namespace}/{name}: {line} (snapshot)"), "progressing");
                        }
                        if line != last_line {
                            ctx.progress(&line);
                            last_line = line;
                        }
                        if std::time::Instant::now() >= deadline {
                            return Err(ToolError::Failed {
                                tool: Self::NAME,
                                message: format!(
                                    "deployment {namespace}/{name} did not finish rolling out in {}s: {last_line}",
                                    ROLLOUT_TIMEOUT.as_secs()
                                ),
                            });
                        }
                        tokio::select! {
                            () = tokio::time::sleep(ROLLOUT_POLL) => {}
                            () = ctx.cancel.cancelled() => {
                                return Err(ToolError::Cancelled {
                                    tool: Self::NAME,
                                    message: format!("stopped following deployment {namespace}/{name}: {last_line}"),
                                });
                            }
                        }
                    }
                }
            }
        })
    }
}

impl Direct for RolloutStatus {
    type Command = DeploymentCommand;

    fn args(&self, command: DeploymentCommand, namespace: Option<String>) -> RolloutStatusArgs {
        RolloutStatusArgs { deployment: command.deployment, namespace }
    }
}
