//! `autoscale`: creates or updates an autoscaling/v2 HorizontalPodAutoscaler with a CPU
//! target for a deployment; the question shows the old and new range and warns when a
//! container has no CPU request (utilisation cannot be computed without one).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rollout_restart::dry_prefix;
use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag,
    namespaced, ns, shell_word,
};
use crate::validate::{self, Limits, ValidationError};

/// The default CPU target of an autoscaler when none is given (kubectl's default).
pub const DEFAULT_CPU_PERCENT: i64 = 80;

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

    fn touches(&self) -> super::Touches {
        super::Touches::Deployment
    }

    fn hints(&self) -> Hints {
        // Overwrites an autoscaler's range (idempotent), which can scale down.
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn scope(&self, args: &AutoscaleArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn command_line(&self, args: &AutoscaleArgs, ctx: &ToolContext) -> Option<String> {
        let mut line = format!("todo-ai autoscale {}", shell_word(&args.deployment));
        if let Some(min) = args.min {
            line.push_str(&format!(" --min {min}"));
        }
        line.push_str(&format!(" --max {}", args.max));
        if let Some(cpu) = args.cpu_percent {
            line.push_str(&format!(" --cpu-percent {cpu}"));
        }
        line.push_str(&namespace_flag(&args.namespace, ctx));
        Some(line)
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

    fn prepare<'a>(&'a self, mut args: AutoscaleArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, AutoscaleArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let deployment = cluster.find_deployment(&namespace, &args.deployment).await?;
            let name = deployment.metadata.name.clone().unwrap_or_default();
            let existing =
                cluster.hpas(&namespace).await?.into_iter().find(|h| h.metadata.name.as_deref() == Some(name.as_str()));
            let (min, max, cpu) = (args.min.unwrap_or(1), args.max, args.cpu_percent.unwrap_or(DEFAULT_CPU_PERCENT));
            let mut preview = match existing.as_ref().and_then(|h| h.spec.as_ref()) {
                Some(spec) => format!(
                    "update HorizontalPodAutoscaler {namespace}/{name}: replicas {}–{} → {min}–{max}, target {}% → {cpu}% CPU",
                    spec.min_replicas.unwrap_or(1),
                    spec.max_replicas,
                    cpu_target(spec).map_or_else(|| "?".to_string(), |c| c.to_string())
                ),
                None => format!(
                    "create HorizontalPodAutoscaler {namespace}/{name} for deployment {name}: {min}–{max} replicas at {cpu}% CPU"
                ),
            };
            // Utilisation is a share of the request: without one the autoscaler cannot work.
            let missing: Vec<String> = deployment
                .spec
                .as_ref()
                .and_then(|s| s.template.spec.as_ref())
                .map(|s| {
                    s.containers
                        .iter()
                        .filter(|c| {
                            c.resources
                                .as_ref()
                                .and_then(|r| r.requests.as_ref())
                                .is_none_or(|r| !r.contains_key("cpu"))
                        })
                        .map(|c| format!("`{}`", c.name))
                        .collect()
                })
                .unwrap_or_default();
            if !missing.is_empty() {
                preview.push_str(&format!(
                    " — warning: container {} has no CPU request, so the autoscaler cannot compute utilisation; \
                     set `resources.requests.cpu` (e.g. 100m)",
                    missing.join(", ")
                ));
            }
            args.deployment = name;
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a AutoscaleArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(async move {
            // An autoscaler that exists gets its range and target back; one this call creates
            // has no vetted undo (deleting is not a tool).
            let namespace = ns(&args.namespace, ctx).to_string();
            let hpas = ctx.cluster.get().await?.hpas(&namespace).await?;
            let Some(spec) = hpas
                .iter()
                .find(|h| h.metadata.name.as_deref() == Some(args.deployment.as_str()))
                .and_then(|h| h.spec.as_ref())
            else {
                return Ok(None);
            };
            let back = AutoscaleArgs {
                deployment: args.deployment.clone(),
                min: Some(i64::from(spec.min_replicas.unwrap_or(1))),
                max: i64::from(spec.max_replicas),
                cpu_percent: cpu_target(spec).map(i64::from),
                namespace: Some(namespace.clone()),
            };
            let description = format!(
                "set HorizontalPodAutoscaler {namespace}/{} back to {}–{} replicas",
                args.deployment,
                back.min.unwrap_or(1),
                back.max
            );
            Ok(super::Undo::by(&Autoscale, &back, description))
        })
    }

    fn run<'a>(&'a self, args: AutoscaleArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(apply(args, ctx, false))
    }

    fn dry_run<'a>(&'a self, args: AutoscaleArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(apply(args, ctx, true))
    }
}

async fn apply(args: AutoscaleArgs, ctx: &ToolContext, dry_run: bool) -> Result<ToolOutput, ToolError> {
    let namespace = ns(&args.namespace, ctx).to_string();
    let cluster = ctx.cluster.get().await?;
    let exists =
        cluster.hpas(&namespace).await?.iter().any(|h| h.metadata.name.as_deref() == Some(args.deployment.as_str()));
    let hpa: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler = serde_json::from_value(json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": args.deployment, "namespace": namespace},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": args.deployment},
            "minReplicas": args.min.unwrap_or(1),
            "maxReplicas": args.max,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": args.cpu_percent.unwrap_or(DEFAULT_CPU_PERCENT)
            }}}]
        }
    }))
    .map_err(|error| ToolError::Failed { tool: Autoscale::NAME, message: error.to_string() })?;
    cluster.apply_hpa(&namespace, &hpa, exists, dry_run).await?;
    let text = format!(
        "{}horizontalpodautoscaler {namespace}/{} {}",
        dry_prefix(dry_run),
        args.deployment,
        if exists { "updated" } else { "created" }
    );
    Ok(ToolOutput {
        text,
        data: json!({"namespace": namespace, "deployment": args.deployment, "created": !exists, "dry_run": dry_run}),
    })
}

fn cpu_target(spec: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec) -> Option<i32> {
    spec.metrics.as_ref()?.iter().find_map(|metric| {
        let resource = metric.resource.as_ref()?;
        (resource.name == "cpu").then_some(resource.target.average_utilization).flatten()
    })
}

/// Options of `autoscale`.
#[derive(Debug, clap::Args)]
pub struct AutoscaleCommand {
    /// Deployment name or unique fragment
    pub deployment: String,
    /// Fewest replicas [default: 1]
    #[arg(long)]
    pub min: Option<i64>,
    /// Most replicas
    #[arg(long)]
    pub max: i64,
    /// Target CPU utilisation in percent [default: 80]
    #[arg(long)]
    pub cpu_percent: Option<i64>,
}

impl Direct for Autoscale {
    type Command = AutoscaleCommand;

    fn args(&self, command: AutoscaleCommand, namespace: Option<String>) -> AutoscaleArgs {
        AutoscaleArgs {
            deployment: command.deployment,
            min: command.min,
            max: command.max,
            cpu_percent: command.cpu_percent,
            namespace,
        }
    }
}
