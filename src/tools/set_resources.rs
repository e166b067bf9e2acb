//! `set_resources`: changes the CPU/memory requests and limits of one container of a
//! deployment (which starts a rollout). Quantities follow the Kubernetes grammar, stay under
//! configurable ceilings, and a request never exceeds its limit — checked against the values
//! the container has now, so changing only a limit cannot leave a larger request behind. The
//! question shows each value old → new; the dry run is the API server's.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rollout_restart::dry_prefix;
use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag,
    namespaced, ns, rollout, shell_word,
};
use crate::quantity::Quantity;
use crate::validate::{self, Limits, ValidationError};

/// CPU and memory amounts (Kubernetes quantities such as `250m`, `1`, `512Mi`, `2Gi`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amounts {
    /// CPU, e.g. `250m` or `1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Memory, e.g. `512Mi` or `2Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

impl Amounts {
    fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none()
    }

    fn get(&self, resource: &str) -> Option<&String> {
        match resource {
            "cpu" => self.cpu.as_ref(),
            _ => self.memory.as_ref(),
        }
    }
}

/// Arguments of `set_resources`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetResourcesArgs {
    /// Deployment name or unique fragment.
    pub deployment: String,
    /// Container to change; optional when the pod has one container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// New requests (what the scheduler reserves); values not given stay as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Amounts>,
    /// New limits (the most the container may use; over the memory limit it is OOMKilled);
    /// values not given stay as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Amounts>,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Changes a container's resource requests and limits (starting a rollout).
pub struct SetResources;

const RESOURCES: [&str; 2] = ["cpu", "memory"];

impl Tool for SetResources {
    type Args = SetResourcesArgs;
    const NAME: &'static str = "set_resources";

    fn description(&self) -> &'static str {
        "Change the CPU/memory requests and limits of a deployment's container, which starts a rollout"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn touches(&self) -> super::Touches {
        super::Touches::Deployment
    }

    fn hints(&self) -> Hints {
        // Setting values (idempotent) that replaces the running pods; a lower limit can get
        // them killed.
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn validate(&self, args: &SetResourcesArgs, limits: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())?;
        if let Some(container) = &args.container {
            validate::label_name("container", container)?;
        }
        let requests = args.requests.clone().unwrap_or_default();
        let given_limits = args.limits.clone().unwrap_or_default();
        if requests.is_empty() && given_limits.is_empty() {
            return Err(ValidationError::Conflict(
                "say which requests or limits to set (e.g. `limits: {memory: 512Mi}`)".into(),
            ));
        }
        for (kind, amounts) in [("requests", &requests), ("limits", &given_limits)] {
            for resource in RESOURCES {
                if let Some(value) = amounts.get(resource) {
                    let field = field_name(kind, resource);
                    validate::quantity(field, value, ceiling(resource, limits))?;
                }
            }
        }
        // Both given in the call: check them against each other now; against the container's
        // current values in `prepare`.
        for resource in RESOURCES {
            if let (Some(request), Some(limit)) = (requests.get(resource), given_limits.get(resource)) {
                check_order(resource, request, limit)?;
            }
        }
        Ok(())
    }

    fn scope(&self, args: &SetResourcesArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn preview(&self, args: &SetResourcesArgs, ctx: &ToolContext) -> String {
        let container =
            args.container.as_deref().map_or_else(|| "its container".to_string(), |c| format!("container `{c}`"));
        format!(
            "set {} of {container} in deployment {}/{} (starts a rollout)",
            changes(args).join(", "),
            ns(&args.namespace, ctx),
            args.deployment
        )
    }

    fn command_line(&self, args: &SetResourcesArgs, ctx: &ToolContext) -> Option<String> {
        let mut line = format!("todo-ai set-resources {}", shell_word(&args.deployment));
        if let Some(container) = &args.container {
            line.push_str(&format!(" -c {}", shell_word(container)));
        }
        for (kind, amounts) in [("request", &args.requests), ("limit", &args.limits)] {
            for resource in RESOURCES {
                if let Some(value) = amounts.as_ref().and_then(|a| a.get(resource)) {
                    line.push_str(&format!(" --{resource}-{kind} {}", shell_word(value)));
                }
            }
        }
        line.push_str(&namespace_flag(&args.namespace, ctx));
        Some(line)
    }

    fn prepare<'a>(&'a self, mut args: SetResourcesArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, SetResourcesArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let deployment = ctx.cluster.get().await?.find_deployment(&namespace, &args.deployment).await?;
            let name = deployment.metadata.name.clone().unwrap_or_default();
            let containers: Vec<k8s_openapi::api::core::v1::Container> =
                deployment.spec.and_then(|s| s.template.spec).map(|s| s.containers).unwrap_or_default();
            let names = || containers.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", ");
            let failed = |message: String| ToolError::Failed { tool: Self::NAME, message };
            let container = match &args.container {
                Some(wanted) => containers.iter().find(|c| &c.name == wanted).ok_or_else(|| {
                    failed(format!(
                        "deployment {namespace}/{name} has no container `{wanted}`; its containers: {}",
                        names()
                    ))
                })?,
                None => match containers.as_slice() {
                    [only] => only,
                    _ => {
                        return Err(failed(format!(
                            "deployment {namespace}/{name} has several containers ({}); say which with `container`",
                            names()
                        )));
                    }
                },
            };
            let current = current_amounts(container);
            // Each resource as it will be: the new value where one is given, else the current.
            let mut lines = Vec::new();
            for resource in RESOURCES {
                let new_request = args.requests.as_ref().and_then(|a| a.get(resource)).cloned();
                let new_limit = args.limits.as_ref().and_then(|a| a.get(resource)).cloned();
                let request = new_request.clone().or_else(|| current.get(&("requests", resource)).cloned());
                let limit = new_limit.clone().or_else(|| current.get(&("limits", resource)).cloned());
                if let (Some(request), Some(limit)) = (&request, &limit) {
                    check_order(resource, request, limit).map_err(|source| ToolError::Invalid {
                        tool: Self::NAME,
                        source: ValidationError::Conflict(format!(
                            "container `{}` in deployment {namespace}/{name}: {source}",
                            container.name
                        )),
                    })?;
                }
                for (kind, new) in [("requests", new_request), ("limits", new_limit)] {
                    if let Some(new) = new {
                        let old = current.get(&(kind, resource)).cloned().unwrap_or_else(|| "none".into());
                        let unchanged = if old == new { " (unchanged)" } else { "" };
                        lines.push(format!("{} {old} → {new}{unchanged}", field_name(kind, resource)));
                    }
                }
            }
            let preview = format!(
                "set the resources of container `{}` in deployment {namespace}/{name}: {} (starts a rollout)",
                container.name,
                lines.join(", ")
            );
            args.container = Some(container.name.clone());
            args.deployment = name;
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a SetResourcesArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(async move { rollout::undo_to_current(ctx, ns(&args.namespace, ctx), &args.deployment).await })
    }

    fn run<'a>(&'a self, args: SetResourcesArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(apply(args, ctx, false))
    }

    fn dry_run<'a>(&'a self, args: SetResourcesArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(apply(args, ctx, true))
    }
}

async fn apply(args: SetResourcesArgs, ctx: &ToolContext, dry_run: bool) -> Result<ToolOutput, ToolError> {
    let namespace = ns(&args.namespace, ctx).to_string();
    let Some(container) = args.container.clone() else {
        return Err(ToolError::Failed { tool: SetResources::NAME, message: "no container resolved".into() });
    };
    let mut resources = serde_json::Map::new();
    for (kind, amounts) in [("requests", &args.requests), ("limits", &args.limits)] {
        if let Some(amounts) = amounts.as_ref().filter(|a| !a.is_empty()) {
            resources.insert(kind.into(), serde_json::to_value(amounts).unwrap_or_default());
        }
    }
    // Strategic merge keys containers by name and merges `resources` key by key: only what
    // was given changes.
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": container, "resources": resources}]}}}});
    ctx.cluster.get().await?.patch_deployment(&namespace, &args.deployment, &patch, true, dry_run).await?;
    let text = format!(
        "{}deployment {namespace}/{}: container `{container}` now has {}",
        dry_prefix(dry_run),
        args.deployment,
        changes(&args).join(", ")
    );
    Ok(ToolOutput {
        text,
        data: json!({"namespace": namespace, "deployment": args.deployment, "container": container,
                     "requests": args.requests, "limits": args.limits, "dry_run": dry_run}),
    })
}

fn field_name(kind: &str, resource: &str) -> &'static str {
    match (kind, resource) {
        ("requests", "cpu") => "requests.cpu",
        ("requests", _) => "requests.memory",
        (_, "cpu") => "limits.cpu",
        _ => "limits.memory",
    }
}

fn ceiling(resource: &str, limits: &Limits) -> i128 {
    if resource == "cpu" { limits.max_cpu_milli } else { limits.max_memory_milli }
}

/// A request may not exceed its limit (the API server refuses it too, but later and less
/// clearly).
fn check_order(resource: &str, request: &str, limit: &str) -> Result<(), ValidationError> {
    let (Ok(request_amount), Ok(limit_amount)) = (Quantity::parse(request), Quantity::parse(limit)) else {
        return Ok(());
    };
    if request_amount.milli > limit_amount.milli {
        return Err(ValidationError::Conflict(format!(
            "the {resource} request {request} would be above its limit {limit}; a request must not exceed its limit"
        )));
    }
    Ok(())
}

/// The container's current requests and limits, as text.
fn current_amounts(
    container: &k8s_openapi::api::core::v1::Container,
) -> BTreeMap<(&'static str, &'static str), String> {
    let mut amounts = BTreeMap::new();
    let resources = container.resources.as_ref();
    for (kind, map) in [
        ("requests", resources.and_then(|r| r.requests.as_ref())),
        ("limits", resources.and_then(|r| r.limits.as_ref())),
    ] {
        for resource in RESOURCES {
            if let Some(value) = map.and_then(|m| m.get(resource)) {
                amounts.insert((kind, resource), value.0.clone());
            }
        }
    }
    amounts
}

/// `limits.memory=512Mi` … for the values a call sets.
fn changes(args: &SetResourcesArgs) -> Vec<String> {
    let mut changes = Vec::new();
    for (kind, amounts) in [("requests", &args.requests), ("limits", &args.limits)] {
        for resource in RESOURCES {
            if let Some(value) = amounts.as_ref().and_then(|a| a.get(resource)) {
                changes.push(format!("{}={value}", field_name(kind, resource)));
            }
        }
    }
    changes
}

/// Options of `set-resources`.
#[derive(Debug, clap::Args)]
pub struct SetResourcesCommand {
    /// Deployment name or unique fragment
    pub deployment: String,
    /// Container to change (optional when there is one)
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// CPU request, e.g. 250m
    #[arg(long, value_name = "QUANTITY")]
    pub cpu_request: Option<String>,
    /// Memory request, e.g. 256Mi
    #[arg(long, value_name = "QUANTITY")]
    pub memory_request: Option<String>,
    /// CPU limit, e.g. 1
    #[arg(long, value_name = "QUANTITY")]
    pub cpu_limit: Option<String>,
    /// Memory limit, e.g. 512Mi
    #[arg(long, value_name = "QUANTITY")]
    pub memory_limit: Option<String>,
}

impl Direct for SetResources {
    type Command = SetResourcesCommand;

    fn args(&self, command: SetResourcesCommand, namespace: Option<String>) -> SetResourcesArgs {
        let amounts = |cpu: Option<String>, memory: Option<String>| {
            let amounts = Amounts { cpu, memory };
            (!amounts.is_empty()).then_some(amounts)
        };
        SetResourcesArgs {
            deployment: command.deployment,
            container: command.container,
            requests: amounts(command.cpu_request, command.memory_request),
            limits: amounts(command.cpu_limit, command.memory_limit),
            namespace,
        }
    }
}
