//! Kubernetes tools: diagnose, status, logs, events, scale, rollouts, set image and
//! autoscale. The argument types and previews are final; the engines arrive with the
//! Kubernetes and diagnose work, and until then `run` says so plainly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Effect, Tool, ToolContext, ToolFuture, not_available, ns};
use crate::validate::{self, Limits, MAX_TAIL_LINES, ValidationError};

/// The default CPU target of an autoscaler when none is given (kubectl's default).
pub const DEFAULT_CPU_PERCENT: i64 = 80;

/// The default number of log lines.
pub const DEFAULT_TAIL_LINES: i64 = 200;

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

    fn validate(&self, args: &DiagnoseArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::namespace(args.namespace.as_deref())?;
        args.target.as_deref().map_or(Ok(()), validate::target)
    }

    fn preview(&self, args: &DiagnoseArgs, ctx: &ToolContext) -> String {
        match &args.target {
            Some(target) => format!("diagnose `{target}` in namespace {}", ns(&args.namespace, ctx)),
            None => format!("diagnose namespace {}", ns(&args.namespace, ctx)),
        }
    }

    fn run<'a>(&'a self, _: DiagnoseArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

/// Arguments of `status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {
    /// Namespace to show; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Limit to one workload or pod (a name, name fragment or `kind/name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Shows deployments, statefulsets, daemonsets and pods like `kubectl get`.
pub struct Status;

impl Tool for Status {
    type Args = StatusArgs;
    const NAME: &'static str = "status";

    fn description(&self) -> &'static str {
        "Show deployments, statefulsets, daemonsets and pods with their readiness, like kubectl get"
    }

    fn effect(&self) -> Effect {
        Effect::ReadOnly
    }

    fn validate(&self, args: &StatusArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::namespace(args.namespace.as_deref())?;
        args.target.as_deref().map_or(Ok(()), validate::target)
    }

    fn preview(&self, args: &StatusArgs, ctx: &ToolContext) -> String {
        match &args.target {
            Some(target) => format!("show the status of `{target}` in namespace {}", ns(&args.namespace, ctx)),
            None => format!("show workloads and pods in namespace {}", ns(&args.namespace, ctx)),
        }
    }

    fn run<'a>(&'a self, _: StatusArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

/// Arguments of `logs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogsArgs {
    /// A pod, a deployment (name, fragment or `kind/name`) or a label selector (`app=backend`).
    pub target: String,
    /// Logs of the previous (crashed) container instead of the running one.
    #[serde(default)]
    pub previous: bool,
    /// How many lines from the end (default 200, at most 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5000))]
    pub tail: Option<i64>,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Prints container logs.
pub struct Logs;

impl Tool for Logs {
    type Args = LogsArgs;
    const NAME: &'static str = "logs";

    fn description(&self) -> &'static str {
        "Print container logs of a pod, deployment or label selector (several pods merged with a prefix)"
    }

    fn effect(&self) -> Effect {
        Effect::ReadOnly
    }

    fn validate(&self, args: &LogsArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::target(&args.target)?;
        validate::namespace(args.namespace.as_deref())?;
        args.tail.map_or(Ok(()), |tail| validate::range("tail", tail, 1, MAX_TAIL_LINES))
    }

    fn preview(&self, args: &LogsArgs, ctx: &ToolContext) -> String {
        format!(
            "show the last {} lines of {}logs of `{}` in namespace {}",
            args.tail.unwrap_or(DEFAULT_TAIL_LINES),
            if args.previous { "the previous container's " } else { "" },
            args.target,
            ns(&args.namespace, ctx)
        )
    }

    fn run<'a>(&'a self, _: LogsArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

/// Arguments of `events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsArgs {
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Only events about this object (a name, fragment or `kind/name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Only `Warning` events.
    #[serde(default)]
    pub warnings_only: bool,
}

/// Lists recent events, newest last.
pub struct Events;

impl Tool for Events {
    type Args = EventsArgs;
    const NAME: &'static str = "events";

    fn description(&self) -> &'static str {
        "List recent Kubernetes events, newest last, optionally only warnings or only for one object"
    }

    fn effect(&self) -> Effect {
        Effect::ReadOnly
    }

    fn validate(&self, args: &EventsArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::namespace(args.namespace.as_deref())?;
        args.target.as_deref().map_or(Ok(()), validate::target)
    }

    fn preview(&self, args: &EventsArgs, ctx: &ToolContext) -> String {
        let kind = if args.warnings_only { "warning events" } else { "events" };
        match &args.target {
            Some(target) => format!("show {kind} for `{target}` in namespace {}", ns(&args.namespace, ctx)),
            None => format!("show {kind} in namespace {}", ns(&args.namespace, ctx)),
        }
    }

    fn run<'a>(&'a self, _: EventsArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

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

    fn run<'a>(&'a self, _: ScaleArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

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

    fn validate(&self, args: &RolloutRestartArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())
    }

    fn preview(&self, args: &RolloutRestartArgs, ctx: &ToolContext) -> String {
        format!(
            "restart deployment {}/{} (a rolling update replaces its pods)",
            ns(&args.namespace, ctx),
            args.deployment
        )
    }

    fn run<'a>(&'a self, _: RolloutRestartArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

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

    fn validate(&self, args: &RolloutUndoArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())?;
        args.revision.map_or(Ok(()), |revision| validate::range("revision", revision, 1, i64::from(i32::MAX)))
    }

    fn preview(&self, args: &RolloutUndoArgs, ctx: &ToolContext) -> String {
        let to = args.revision.map_or_else(|| "the previous revision".to_string(), |r| format!("revision {r}"));
        format!("roll back deployment {}/{} to {to}", ns(&args.namespace, ctx), args.deployment)
    }

    fn run<'a>(&'a self, _: RolloutUndoArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

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

    fn validate(&self, args: &RolloutStatusArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())
    }

    fn preview(&self, args: &RolloutStatusArgs, ctx: &ToolContext) -> String {
        format!("follow the rollout of deployment {}/{}", ns(&args.namespace, ctx), args.deployment)
    }

    fn run<'a>(&'a self, _: RolloutStatusArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

/// Arguments of `set_image`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetImageArgs {
    /// Deployment name or unique fragment.
    pub deployment: String,
    /// The new image reference, e.g. `ghcr.io/acme/todo-backend:1.2.0`.
    pub image: String,
    /// Container to update; optional when the pod has one container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Changes a container image of a deployment (starting a rollout).
pub struct SetImage;

impl Tool for SetImage {
    type Args = SetImageArgs;
    const NAME: &'static str = "set_image";

    fn description(&self) -> &'static str {
        "Change the image of a deployment's container, which starts a rollout"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn validate(&self, args: &SetImageArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::image(&args.image)?;
        if let Some(container) = &args.container {
            validate::label_name("container", container)?;
        }
        validate::namespace(args.namespace.as_deref())
    }

    fn preview(&self, args: &SetImageArgs, ctx: &ToolContext) -> String {
        let container =
            args.container.as_deref().map_or_else(|| "its container".to_string(), |c| format!("container `{c}`"));
        format!(
            "set the image of {container} in deployment {}/{} to {} (starts a rollout)",
            ns(&args.namespace, ctx),
            args.deployment,
            args.image
        )
    }

    fn run<'a>(&'a self, _: SetImageArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

/// Arguments of `autoscale`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoscaleArgs {
    /// Deployment name or unique fragment.
    pub deployment: String,
    /// Fewest replicas (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub min: Option<i64>,
    /// Most replicas.
    #[schemars(range(min = 1))]
    pub max: i64,
    /// Target average CPU utilisation in percent of the request (default 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub cpu_percent: Option<i64>,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Creates or updates an autoscaling/v2 HorizontalPodAutoscaler for a deployment.
pub struct Autoscale;

impl Tool for Autoscale {
    type Args = AutoscaleArgs;
    const NAME: &'static str = "autoscale";

    fn description(&self) -> &'static str {
        "Create or update a HorizontalPodAutoscaler (autoscaling/v2, CPU target) for a deployment"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn validate(&self, args: &AutoscaleArgs, limits: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())?;
        validate::replicas("max", args.max, 1, limits)?;
        if let Some(min) = args.min {
            validate::replicas("min", min, 1, limits)?;
            if min > args.max {
                return Err(ValidationError::Conflict(format!(
                    "min ({min}) must not be greater than max ({})",
                    args.max
                )));
            }
        }
        args.cpu_percent.map_or(Ok(()), |cpu| validate::range("cpu_percent", cpu, 1, 100))
    }

    fn preview(&self, args: &AutoscaleArgs, ctx: &ToolContext) -> String {
        format!(
            "autoscale deployment {}/{} between {} and {} replicas at {}% CPU",
            ns(&args.namespace, ctx),
            args.deployment,
            args.min.unwrap_or(1),
            args.max,
            args.cpu_percent.unwrap_or(DEFAULT_CPU_PERCENT)
        )
    }

    fn run<'a>(&'a self, _: AutoscaleArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}
