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
    /// Every namespace instead of one (a NAMESPACE column is added).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_namespaces: bool,
    /// Also show each workload's and pod's container images (which versions run).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub images: bool,
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
        let images = if args.images { " --images" } else { "" };
        let place = if args.all_namespaces { " -A".to_string() } else { namespace_flag(&args.namespace, ctx) };
        Some(format!("todo-ai status{target}{images}{place}"))
    }

    fn preview(&self, args: &StatusArgs, ctx: &ToolContext) -> String {
        let images = if args.images { " with their images" } else { "" };
        let place = if args.all_namespaces {
            "in every namespace".to_string()
        } else {
            format!("in namespace {}", ns(&args.namespace, ctx))
        };
        match &args.target {
            Some(target) => format!("show the status of `{target}`{images} {place}"),
            None => format!("show workloads and pods{images} {place}"),
        }
    }

    fn run<'a>(&'a self, args: StatusArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let view = View { all_namespaces: args.all_namespaces, images: args.images };
            if args.all_namespaces {
                let mut objects = Objects::default();
                for namespace in cluster.namespaces().await? {
                    let mut found = cluster.workloads(&namespace).await?;
                    if let Some(target) = &args.target {
                        // A name that is not in this namespace is simply not shown here.
                        match select(&found, target, &namespace) {
                            Ok(selected) => found = selected,
                            Err(ClusterError::NotFound { .. }) => continue,
                            Err(error) => return Err(error.into()),
                        }
                    }
                    objects.deployments.extend(found.deployments);
                    objects.statefulsets.extend(found.statefulsets);
                    objects.daemonsets.extend(found.daemonsets);
                    objects.pods.extend(found.pods);
                }
                return Ok(render_status(&objects, "all", now(), view));
            }
            let objects = cluster.workloads(&namespace).await?;
            let objects = match &args.target {
                Some(target) => select(&objects, target, &namespace)?,
                None => objects,
            };
            Ok(render_status(&objects, &namespace, now(), view))
        })
    }
}

/// Options of `status`.
#[derive(Debug, clap::Args)]
pub struct StatusCommand {
    /// A workload or pod: name, name fragment or `kind/name`
    pub target: Option<String>,
    /// Every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Show container images too
    #[arg(long)]
    pub images: bool,
}

impl Direct for Status {
    type Command = StatusCommand;

    fn args(&self, command: StatusCommand, namespace: Option<String>) -> StatusArgs {
        StatusArgs { namespace, target: command.target, all_namespaces: command.all_namespaces, images: command.images }
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
            let named = |meta: &cluster::model::Meta| meta.name == name;
            let mut selectors = Vec::new();
            let mut view = Objects::default();
            for deployment in objects.deployments.iter().filter(|d| named(&d.metadata)) {
                selectors.push(deployment.spec.selector.match_labels.clone());
                view.deployments.push(deployment.clone());
            }
            for set in objects.statefulsets.iter().filter(|s| named(&s.metadata)) {
                selectors.push(set.spec.selector.match_labels.clone());
                view.statefulsets.push(set.clone());
            }
            for set in objects.daemonsets.iter().filter(|d| named(&d.metadata)) {
                selectors.push(set.spec.selector.match_labels.clone());
                view.daemonsets.push(set.clone());
            }
            view.pods = objects
                .pods
                .iter()
                .filter(|pod| selectors.iter().any(|selector| cluster::model::selects(selector, &pod.metadata.labels)))
                .cloned()
                .collect();
            Ok(view)
        }
        Err(ClusterError::NotFound { suggestions, .. }) => {
            // Maybe it names a pod.
            match cluster::resolve_one("pod", namespace, query, objects.pods.iter().map(|p| &p.metadata)) {
                Ok(name) => Ok(Objects {
                    pods: objects.pods.iter().filter(|p| p.metadata.name == name).cloned().collect(),
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

/// Which extra columns `status` shows.
#[derive(Debug, Clone, Copy, Default)]
struct View {
    /// A NAMESPACE column first.
    all_namespaces: bool,
    /// An IMAGES column last.
    images: bool,
}

/// A table's rows with the view's extra columns: NAMESPACE first, IMAGES last.
fn with_columns(
    header: &[&'static str],
    rows: Vec<Vec<String>>,
    metas: &[(&cluster::model::Meta, Vec<String>)],
    view: View,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let mut columns = header.to_vec();
    if view.all_namespaces {
        columns.insert(0, "NAMESPACE");
    }
    if view.images {
        columns.push("IMAGES");
    }
    let rows = rows
        .into_iter()
        .zip(metas)
        .map(|(mut row, (meta, images))| {
            if view.all_namespaces {
                row.insert(0, meta.namespace.clone());
            }
            if view.images {
                row.push(images.join(","));
            }
            row
        })
        .collect();
    (columns, rows)
}

fn template_images(spec: &cluster::model::PodSpec) -> Vec<String> {
    spec.containers.iter().map(|c| c.image.clone()).collect()
}

/// The status report: kubectl-style tables per kind, and the same as data.
fn render_status(objects: &Objects, namespace: &str, now: i64, view: View) -> ToolOutput {
    let deployments: Vec<_> = objects.deployments.iter().collect();
    let statefulsets: Vec<_> = objects.statefulsets.iter().collect();
    let daemonsets: Vec<_> = objects.daemonsets.iter().collect();
    let mut pods: Vec<_> = objects.pods.iter().collect();
    pods.sort_by(|a, b| (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name)));
    let mut sections = Vec::new();
    let mut data = serde_json::Map::new();
    data.insert("namespace".into(), json!(namespace));
    let mut table = |title: &str,
                     key: &str,
                     header: &[&'static str],
                     keys: &[&str],
                     rows: Vec<Vec<String>>,
                     metas: Vec<(&cluster::model::Meta, Vec<String>)>| {
        let (columns, rows) = with_columns(header, rows, &metas, view);
        if !rows.is_empty() {
            sections.push(format!("{title}\n{}", print::table(&columns, &rows)));
        }
        let mut names: Vec<&str> = keys.to_vec();
        if view.all_namespaces {
            names.insert(0, "namespace");
        }
        if view.images {
            names.push("images");
        }
        let json_rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|row| {
                serde_json::Value::Object(
                    names.iter().zip(row).map(|(key, value)| ((*key).to_string(), json!(value))).collect(),
                )
            })
            .collect();
        data.insert(key.into(), json!(json_rows));
    };
    table(
        "DEPLOYMENTS",
        "deployments",
        &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        &["name", "ready", "up_to_date", "available", "age"],
        print::deployment_rows(&deployments, now),
        deployments.iter().map(|d| (&d.metadata, template_images(&d.spec.template.spec))).collect(),
    );
    table(
        "STATEFULSETS",
        "statefulsets",
        &["NAME", "READY", "AGE"],
        &["name", "ready", "age"],
        print::statefulset_rows(&statefulsets, now),
        statefulsets.iter().map(|s| (&s.metadata, template_images(&s.spec.template.spec))).collect(),
    );
    table(
        "DAEMONSETS",
        "daemonsets",
        &["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
        &["name", "desired", "current", "ready", "up_to_date", "available", "node_selector", "age"],
        print::daemonset_rows(&daemonsets, now),
        daemonsets.iter().map(|d| (&d.metadata, template_images(&d.spec.template.spec))).collect(),
    );
    table(
        "PODS",
        "pods",
        &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        &["name", "ready", "status", "restarts", "age"],
        print::pod_rows(&pods, now),
        pods.iter().map(|p| (&p.metadata, template_images(&p.spec))).collect(),
    );
    let text = if sections.is_empty() {
        if view.all_namespaces {
            "No resources found.".to_string()
        } else {
            format!("No resources found in {namespace} namespace.")
        }
    } else {
        sections.join("\n")
    };
    ToolOutput { text, data: serde_json::Value::Object(data) }
}
