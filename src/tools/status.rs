//! `status`: deployments, statefulsets, daemonsets and pods like `kubectl get`, for a
//! namespace or one workload (with its pods). Also the target selection other read tools
//! share ([`select`]) and the clock they print ages against.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    Direct, Effect, Hints, Scope, Tool, ToolContext, ToolFuture, ToolOutput, namespace_flag, namespaced, ns, shell_word,
};
use crate::cluster::{self, ClusterError, Objects, print};
use crate::validate::{self, Limits, ValidationError};

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

    fn hints(&self) -> Hints {
        Hints::READ_CLUSTER
    }

    fn validate(&self, args: &StatusArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::namespace(args.namespace.as_deref())?;
        args.target.as_deref().map_or(Ok(()), validate::target)
    }

    fn scope(&self, args: &StatusArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, args.target.as_deref(), ctx)
    }

    fn command_line(&self, args: &StatusArgs, ctx: &ToolContext) -> Option<String> {
        let target = args.target.as_deref().map(|t| format!(" {}", shell_word(t))).unwrap_or_default();
        Some(format!("todo-ai status{target}{}", namespace_flag(&args.namespace, ctx)))
    }

    fn preview(&self, args: &StatusArgs, ctx: &ToolContext) -> String {
        match &args.target {
            Some(target) => format!("show the status of `{target}` in namespace {}", ns(&args.namespace, ctx)),
            None => format!("show workloads and pods in namespace {}", ns(&args.namespace, ctx)),
        }
    }

    fn run<'a>(&'a self, args: StatusArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let objects = cluster.workloads(&namespace).await?;
            let objects = match &args.target {
                Some(target) => select(&objects, target, &namespace)?,
                None => objects,
            };
            Ok(render_status(&objects, &namespace, now()))
        })
    }
}

/// Options of `status`.
#[derive(Debug, clap::Args)]
pub struct StatusCommand {
    /// A workload or pod: name, name fragment or `kind/name`
    pub target: Option<String>,
}

impl Direct for Status {
    type Command = StatusCommand;

    fn args(&self, command: StatusCommand, namespace: Option<String>) -> StatusArgs {
        StatusArgs { namespace, target: command.target }
    }
}

/// Seconds since the epoch, now.
pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `deploy/x` → `x`.
pub(super) fn strip_kind(target: &str) -> &str {
    target.split_once('/').map_or(target, |(_, name)| name)
}

/// The workload a target names (with its pods), or the pod it names.
pub(super) fn select(objects: &Objects, target: &str, namespace: &str) -> Result<Objects, ClusterError> {
    let query = strip_kind(target);
    let workloads = objects
        .deployments
        .iter()
        .map(|d| &d.metadata)
        .chain(objects.statefulsets.iter().map(|s| &s.metadata))
        .chain(objects.daemonsets.iter().map(|d| &d.metadata));
    match cluster::resolve_one("workload", namespace, query, workloads) {
        Ok(name) => {
            let named = |meta: &kube::api::ObjectMeta| meta.name.as_deref() == Some(name.as_str());
            let mut selectors = Vec::new();
            let mut view = Objects::default();
            for deployment in objects.deployments.iter().filter(|d| named(&d.metadata)) {
                selectors.extend(deployment.spec.as_ref().and_then(|s| s.selector.match_labels.clone()));
                view.deployments.push(deployment.clone());
            }
            for set in objects.statefulsets.iter().filter(|s| named(&s.metadata)) {
                selectors.extend(set.spec.as_ref().and_then(|s| s.selector.match_labels.clone()));
                view.statefulsets.push(set.clone());
            }
            for set in objects.daemonsets.iter().filter(|d| named(&d.metadata)) {
                selectors.extend(set.spec.as_ref().and_then(|s| s.selector.match_labels.clone()));
                view.daemonsets.push(set.clone());
            }
            view.pods = objects
                .pods
                .iter()
                .filter(|pod| {
                    let labels = pod.metadata.labels.as_ref();
                    selectors.iter().any(|selector| {
                        !selector.is_empty() && selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
                    })
                })
                .cloned()
                .collect();
            Ok(view)
        }
        Err(ClusterError::NotFound { suggestions, .. }) => {
            // Maybe it names a pod.
            match cluster::resolve_one("pod", namespace, query, objects.pods.iter().map(|p| &p.metadata)) {
                Ok(name) => Ok(Objects {
                    pods: objects
                        .pods
                        .iter()
                        .filter(|p| p.metadata.name.as_deref() == Some(name.as_str()))
                        .cloned()
                        .collect(),
                    ..Objects::default()
                }),
                Err(ClusterError::NotFound { suggestions: pod_suggestions, .. }) => Err(ClusterError::NotFound {
                    kind: "workload or pod".into(),
                    name: query.into(),
                    namespace: namespace.into(),
                    // Workloads first: they are what people name.
                    suggestions: if suggestions.is_empty() { pod_suggestions } else { suggestions },
                }),
                Err(other) => Err(other),
            }
        }
        Err(other) => Err(other),
    }
}

/// The status report: kubectl-style tables per kind, and the same as data.
fn render_status(objects: &Objects, namespace: &str, now: i64) -> ToolOutput {
    let deployments: Vec<_> = objects.deployments.iter().collect();
    let statefulsets: Vec<_> = objects.statefulsets.iter().collect();
    let daemonsets: Vec<_> = objects.daemonsets.iter().collect();
    let mut pods: Vec<_> = objects.pods.iter().collect();
    pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut sections = Vec::new();
    let deployment_rows = print::deployment_rows(&deployments, now);
    if !deployment_rows.is_empty() {
        sections.push(format!(
            "DEPLOYMENTS\n{}",
            print::table(&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], &deployment_rows)
        ));
    }
    let statefulset_rows = print::statefulset_rows(&statefulsets, now);
    if !statefulset_rows.is_empty() {
        sections.push(format!("STATEFULSETS\n{}", print::table(&["NAME", "READY", "AGE"], &statefulset_rows)));
    }
    let daemonset_rows = print::daemonset_rows(&daemonsets, now);
    if !daemonset_rows.is_empty() {
        sections.push(format!(
            "DAEMONSETS\n{}",
            print::table(
                &["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
                &daemonset_rows
            )
        ));
    }
    let pod_rows = print::pod_rows(&pods, now);
    if !pod_rows.is_empty() {
        sections.push(format!("PODS\n{}", print::table(&["NAME", "READY", "STATUS", "RESTARTS", "AGE"], &pod_rows)));
    }
    let text =
        if sections.is_empty() { format!("No resources found in {namespace} namespace.") } else { sections.join("\n") };
    let rows_json = |header: &[&str], rows: &[Vec<String>]| -> Vec<serde_json::Value> {
        rows.iter()
            .map(|row| {
                serde_json::Value::Object(
                    header.iter().zip(row).map(|(key, value)| ((*key).to_string(), json!(value))).collect(),
                )
            })
            .collect()
    };
    let data = json!({
        "namespace": namespace,
        "deployments": rows_json(&["name", "ready", "up_to_date", "available", "age"], &deployment_rows),
        "statefulsets": rows_json(&["name", "ready", "age"], &statefulset_rows),
        "daemonsets": rows_json(&["name", "desired", "current", "ready", "up_to_date", "available", "node_selector", "age"], &daemonset_rows),
        "pods": rows_json(&["name", "ready", "status", "restarts", "age"], &pod_rows),
    });
    ToolOutput { text, data }
}
