//! Kubernetes tools: diagnose, status, logs, events, scale, rollouts, set image and
//! autoscale. The argument types and previews are final; the engines arrive with the
//! Kubernetes and diagnose work, and until then `run` says so plainly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use serde_json::json;

use super::{Effect, PrepareFuture, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, ns};
use crate::cluster::{self, ClusterError, Objects, print};
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

    fn run<'a>(&'a self, args: DiagnoseArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let report = crate::diagnose::run(&cluster, &namespace, args.target.as_deref()).await?;
            let text = crate::diagnose::render_text(&report, false);
            let data = serde_json::to_value(&report).unwrap_or_default();
            Ok(ToolOutput { text, data })
        })
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
    /// Only lines newer than this, e.g. `10m`, `2h`, `30s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
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
        if let Some(since) = &args.since {
            validate::duration("since", since)?;
        }
        args.tail.map_or(Ok(()), |tail| validate::range("tail", tail, 1, MAX_TAIL_LINES))
    }

    fn preview(&self, args: &LogsArgs, ctx: &ToolContext) -> String {
        format!(
            "show the last {} lines of {}logs of `{}` in namespace {}{}",
            args.tail.unwrap_or(DEFAULT_TAIL_LINES),
            if args.previous { "the previous container's " } else { "" },
            args.target,
            ns(&args.namespace, ctx),
            args.since.as_deref().map(|since| format!(" from the last {since}")).unwrap_or_default()
        )
    }

    fn run<'a>(&'a self, args: LogsArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let pods = log_pods(&cluster, &namespace, &args.target).await?;
            if pods.is_empty() {
                return Err(ToolError::Failed {
                    tool: Self::NAME,
                    message: format!("no pods of `{}` in namespace {namespace}", args.target),
                });
            }
            let tail = args.tail.unwrap_or(DEFAULT_TAIL_LINES);
            let chosen: Vec<String> = pods.iter().take(cluster::MAX_LOG_PODS).cloned().collect();
            // One request per pod, concurrently; bounded by MAX_LOG_PODS.
            let since = args.since.as_deref().and_then(|since| validate::duration("since", since).ok());
            let reads = chosen.iter().map(|pod| cluster.pod_logs(&namespace, pod, None, args.previous, tail, since));
            let results = futures::future::join_all(reads).await;
            let prefix = chosen.len() > 1;
            let mut text = String::new();
            for (pod, result) in chosen.iter().zip(results) {
                let log = result?;
                for line in log.lines() {
                    if prefix {
                        text.push_str(&format!("[{pod}] "));
                    }
                    text.push_str(&crate::redact::text(line));
                    text.push('\n');
                }
            }
            let truncated = text.len() > MAX_LOG_BYTES;
            if truncated {
                let cut = text.len() - MAX_LOG_BYTES;
                let cut = (cut..text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
                text = format!("[… earlier output cut to the last {} KB]\n{}", MAX_LOG_BYTES / 1024, &text[cut..]);
            }
            if pods.len() > chosen.len() {
                text.push_str(&format!("[showing {} of {} pods]\n", chosen.len(), pods.len()));
            }
            let data = json!({"namespace": namespace, "pods": chosen, "previous": args.previous, "tail": tail, "truncated": truncated, "log": text});
            Ok(ToolOutput { text, data })
        })
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

    fn run<'a>(&'a self, args: EventsArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let events = cluster.events(&namespace).await?;
            let fragment = args.target.as_deref().map(strip_kind);
            let selected: Vec<&k8s_openapi::api::core::v1::Event> = events
                .iter()
                .filter(|e| !args.warnings_only || e.type_.as_deref() == Some("Warning"))
                .filter(|e| {
                    fragment.is_none_or(|f| e.involved_object.name.as_deref().is_some_and(|name| name.contains(f)))
                })
                .collect();
            // Newest last; only the most recent ones when there are very many.
            let shown = &selected[selected.len().saturating_sub(MAX_EVENTS)..];
            let now = now();
            let rows = print::event_rows(shown, now);
            let text = if rows.is_empty() {
                format!("No {}events found in {namespace} namespace.", if args.warnings_only { "warning " } else { "" })
            } else {
                print::table(&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &rows)
            };
            let data = json!({
                "namespace": namespace,
                "events": rows.iter().map(|row| json!({
                    "last_seen": row[0], "type": row[1], "reason": row[2], "object": row[3], "message": row[4],
                })).collect::<Vec<_>>(),
                "truncated": selected.len() > shown.len(),
            });
            Ok(ToolOutput { text, data })
        })
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
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let replicas = i32::try_from(args.replicas).map_err(|_| ToolError::Failed {
                tool: Self::NAME,
                message: format!("{} replicas is out of range", args.replicas),
            })?;
            let cluster = ctx.cluster.get().await?;
            let accepted = cluster.scale(&namespace, &args.deployment, replicas, ctx.dry_run).await?;
            let text = if ctx.dry_run {
                format!(
                    "server dry run: deployment {namespace}/{} would be scaled to {accepted} replicas",
                    args.deployment
                )
            } else {
                format!("deployment {namespace}/{} scaled to {accepted} replicas", args.deployment)
            };
            let data = json!({
                "namespace": namespace, "deployment": args.deployment, "replicas": accepted, "dry_run": ctx.dry_run,
            });
            Ok(ToolOutput { text, data })
        })
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

    fn run<'a>(&'a self, args: RolloutRestartArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            // The annotation kubectl rollout restart sets; changing the template starts a rollout.
            let patch = json!({"spec": {"template": {"metadata": {"annotations": {
                "kubectl.kubernetes.io/restartedAt": crate::audit::now_rfc3339()
            }}}}});
            let cluster = ctx.cluster.get().await?;
            cluster.patch_deployment(&namespace, &args.deployment, &patch, true, ctx.dry_run).await?;
            let text = format!("{}deployment {namespace}/{} restarted", dry_prefix(ctx), args.deployment);
            Ok(ToolOutput {
                text,
                data: json!({"namespace": namespace, "deployment": args.deployment, "dry_run": ctx.dry_run}),
            })
        })
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

    fn run<'a>(&'a self, args: RolloutUndoArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let undo = rollout::plan_undo(ctx, &namespace, &args.deployment, args.revision).await?;
            let (target, template) = (undo.target, undo.template);
            let cluster = ctx.cluster.get().await?;
            // Like kubectl: the deployment's pod template becomes the old ReplicaSet's, without
            // the pod-template-hash label that the ReplicaSet added.
            let patch = json!({"spec": {"template": rollout::without_hash(template)}});
            cluster.patch_deployment(&namespace, &args.deployment, &patch, false, ctx.dry_run).await?;
            let text = format!(
                "{}deployment {namespace}/{} rolled back to revision {target}",
                dry_prefix(ctx),
                args.deployment
            );
            Ok(ToolOutput {
                text,
                data: json!({"namespace": namespace, "deployment": args.deployment, "revision": target, "dry_run": ctx.dry_run}),
            })
        })
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
                            eprintln!("{line}");
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
                        tokio::time::sleep(ROLLOUT_POLL).await;
                    }
                }
            }
        })
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

    fn prepare<'a>(&'a self, mut args: SetImageArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, SetImageArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let deployment = ctx.cluster.get().await?.find_deployment(&namespace, &args.deployment).await?;
            let name = deployment.metadata.name.clone().unwrap_or_default();
            let containers: Vec<(String, String)> = deployment
                .spec
                .as_ref()
                .and_then(|s| s.template.spec.as_ref())
                .map(|s| s.containers.iter().map(|c| (c.name.clone(), c.image.clone().unwrap_or_default())).collect())
                .unwrap_or_default();
            let names = || containers.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            let (container, old) = match &args.container {
                Some(wanted) => {
                    containers.iter().find(|(n, _)| n == wanted).cloned().ok_or_else(|| ToolError::Failed {
                        tool: Self::NAME,
                        message: format!(
                            "deployment {namespace}/{name} has no container `{wanted}`; its containers: {}",
                            names()
                        ),
                    })?
                }
                None => match containers.as_slice() {
                    [only] => only.clone(),
                    _ => {
                        return Err(ToolError::Failed {
                            tool: Self::NAME,
                            message: format!(
                                "deployment {namespace}/{name} has several containers ({}); say which with `container`",
                                names()
                            ),
                        });
                    }
                },
            };
            let unchanged = if old == args.image { " (unchanged)" } else { "" };
            let preview = format!(
                "set the image of container `{container}` in deployment {namespace}/{name} from {old} to {}{unchanged} (starts a rollout)",
                args.image
            );
            args.deployment = name;
            args.container = Some(container);
            Ok((args, preview))
        })
    }

    fn run<'a>(&'a self, args: SetImageArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let Some(container) = args.container.clone() else {
                return Err(ToolError::Failed { tool: Self::NAME, message: "no container resolved".into() });
            };
            // Strategic merge keys containers by name: only this container's image changes.
            let patch =
                json!({"spec": {"template": {"spec": {"containers": [{"name": container, "image": args.image}]}}}});
            ctx.cluster.get().await?.patch_deployment(&namespace, &args.deployment, &patch, true, ctx.dry_run).await?;
            let text = format!(
                "{}deployment {namespace}/{}: container `{container}` now runs {}",
                dry_prefix(ctx),
                args.deployment,
                args.image
            );
            Ok(ToolOutput {
                text,
                data: json!({"namespace": namespace, "deployment": args.deployment, "container": container, "image": args.image, "dry_run": ctx.dry_run}),
            })
        })
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

    fn run<'a>(&'a self, args: AutoscaleArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let exists = cluster
                .hpas(&namespace)
                .await?
                .iter()
                .any(|h| h.metadata.name.as_deref() == Some(args.deployment.as_str()));
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
            .map_err(|error| ToolError::Failed { tool: Self::NAME, message: error.to_string() })?;
            cluster.apply_hpa(&namespace, &hpa, exists, ctx.dry_run).await?;
            let text = format!(
                "{}horizontalpodautoscaler {namespace}/{} {}",
                dry_prefix(ctx),
                args.deployment,
                if exists { "updated" } else { "created" }
            );
            Ok(ToolOutput {
                text,
                data: json!({"namespace": namespace, "deployment": args.deployment, "created": !exists, "dry_run": ctx.dry_run}),
            })
        })
    }
}

/// The most events `events` prints (the newest ones).
const MAX_EVENTS: usize = 500;

/// Seconds since the epoch, now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `deploy/x` → `x`.
fn strip_kind(target: &str) -> &str {
    target.split_once('/').map_or(target, |(_, name)| name)
}

/// The workload a target names (with its pods), or the pod it names.
fn select(objects: &Objects, target: &str, namespace: &str) -> Result<Objects, ClusterError> {
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

/// How long `rollout_status` follows a rollout.
const ROLLOUT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);
/// How often it looks.
const ROLLOUT_POLL: std::time::Duration = std::time::Duration::from_secs(2);
/// The most log text one call returns.
const MAX_LOG_BYTES: usize = 256 * 1024;

fn dry_prefix(ctx: &ToolContext) -> &'static str {
    if ctx.dry_run { "server dry run: " } else { "" }
}

fn cpu_target(spec: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec) -> Option<i32> {
    spec.metrics.as_ref()?.iter().find_map(|metric| {
        let resource = metric.resource.as_ref()?;
        (resource.name == "cpu").then_some(resource.target.average_utilization).flatten()
    })
}

/// The pods a `logs` target names: a label selector, `pod/x`, a workload (its selector) or
/// a pod by name or fragment.
async fn log_pods(cluster: &cluster::Cluster, namespace: &str, target: &str) -> Result<Vec<String>, ToolError> {
    let names = |pods: Vec<cluster::model::Pod>| {
        let mut names: Vec<String> = pods.into_iter().map(|p| p.metadata.name).filter(|n| !n.is_empty()).collect();
        names.sort();
        names
    };
    if target.contains('=') {
        return Ok(names(cluster.pods(namespace, Some(target)).await?));
    }
    if let Some(pod) =
        target.strip_prefix("pod/").or_else(|| target.strip_prefix("pods/")).or_else(|| target.strip_prefix("po/"))
    {
        return Ok(vec![pod.to_string()]);
    }
    let objects = cluster.workloads(namespace).await?;
    let view = select(&objects, target, namespace)?;
    Ok(names(view.pods))
}

/// Deployment revisions from ReplicaSets, the way `kubectl rollout history/undo` reads them.
mod rollout {
    use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
    use k8s_openapi::api::core::v1::PodTemplateSpec;

    const REVISION: &str = "deployment.kubernetes.io/revision";

    /// One revision: its number and pod template.
    pub struct Revision {
        pub revision: i64,
        pub template: PodTemplateSpec,
    }

    /// Where a rollout stands.
    pub enum State {
        Complete,
        Progressing(String),
        DeadlineExceeded(String),
    }

    /// The deployment's ReplicaSets with their revisions, oldest first.
    pub fn history(deployment: &Deployment, replicasets: &[ReplicaSet]) -> Vec<Revision> {
        let uid = deployment.metadata.uid.as_deref();
        let name = deployment.metadata.name.as_deref().unwrap_or_default();
        let mut revisions: Vec<Revision> = replicasets
            .iter()
            .filter(|rs| {
                let owners = rs.metadata.owner_references.as_deref().unwrap_or_default();
                owners
                    .iter()
                    .any(|o| o.kind == "Deployment" && (Some(o.uid.as_str()) == uid || uid.is_none() && o.name == name))
            })
            .filter_map(|rs| {
                let revision = rs.metadata.annotations.as_ref()?.get(REVISION)?.parse().ok()?;
                Some(Revision { revision, template: rs.spec.as_ref()?.template.clone()? })
            })
            .collect();
        revisions.sort_by_key(|r| r.revision);
        revisions
    }

    /// The deployment's current revision (its annotation, else the newest ReplicaSet's).
    pub fn current_revision(deployment: &Deployment, history: &[Revision]) -> i64 {
        deployment
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
            .and_then(|r| r.parse().ok())
            .or_else(|| history.last().map(|r| r.revision))
            .unwrap_or(0)
    }

    /// The revision to return to: the one asked for, else the newest before the current.
    pub fn target_revision(history: &[Revision], current: i64, wanted: Option<i64>) -> Result<i64, String> {
        let known = || history.iter().map(|r| r.revision.to_string()).collect::<Vec<_>>().join(", ");
        match wanted {
            Some(wanted) if wanted == current => Err(format!("revision {wanted} is the current revision")),
            Some(wanted) if history.iter().any(|r| r.revision == wanted) => Ok(wanted),
            Some(wanted) => Err(format!("revision {wanted} not found; known revisions: {}", known())),
            None => history
                .iter()
                .rev()
                .map(|r| r.revision)
                .find(|r| *r < current)
                .ok_or_else(|| format!("no previous revision to roll back to (known revisions: {})", known())),
        }
    }

    /// A resolved rollback: the deployment, its current revision (and template) and the
    /// revision to return to (and its template).
    pub struct Undo {
        pub name: String,
        pub current: i64,
        pub current_template: PodTemplateSpec,
        pub target: i64,
        pub template: PodTemplateSpec,
    }

    /// Resolves the deployment and the revision to return to (shared by preview and run).
    pub async fn plan_undo(
        ctx: &super::ToolContext,
        namespace: &str,
        query: &str,
        wanted: Option<i64>,
    ) -> Result<Undo, super::ToolError> {
        let cluster = ctx.cluster.get().await?;
        let deployment = cluster.find_deployment(namespace, query).await?;
        let replicasets = cluster.replicasets(namespace).await?;
        let history = history(&deployment, &replicasets);
        let name = deployment.metadata.name.clone().unwrap_or_default();
        let current = current_revision(&deployment, &history);
        let failed = |message: String| super::ToolError::Failed {
            tool: "rollout_undo",
            message: format!("deployment {namespace}/{name}: {message}"),
        };
        let target = target_revision(&history, current, wanted).map_err(failed)?;
        let template_of = |revision: i64| history.iter().find(|r| r.revision == revision).map(|r| r.template.clone());
        let template = template_of(target).ok_or_else(|| failed(format!("revision {target} not found")))?;
        let current_template = template_of(current).unwrap_or_default();
        Ok(Undo { name, current, current_template, target, template })
    }

    /// The images of a template, for previews.
    pub fn images(template: Option<&PodTemplateSpec>) -> String {
        template
            .and_then(|t| t.spec.as_ref())
            .map(|s| s.containers.iter().filter_map(|c| c.image.clone()).collect::<Vec<_>>().join(", "))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "?".to_string())
    }

    /// A ReplicaSet's template without the pod-template-hash label it added.
    pub fn without_hash(mut template: PodTemplateSpec) -> PodTemplateSpec {
        if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            labels.remove("pod-template-hash");
        }
        template
    }

    /// kubectl's rollout status rules for a deployment.
    pub fn status(deployment: &Deployment) -> State {
        let spec_replicas = deployment.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let Some(status) = deployment.status.as_ref() else {
            return State::Progressing("waiting for the deployment to be observed".into());
        };
        let generation = deployment.metadata.generation.unwrap_or(0);
        if status.observed_generation.unwrap_or(0) < generation {
            return State::Progressing("waiting for deployment spec update to be observed...".into());
        }
        let progressing = status.conditions.as_deref().unwrap_or_default().iter().find(|c| c.type_ == "Progressing");
        if let Some(condition) = progressing.filter(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
            return State::DeadlineExceeded(condition.message.clone().unwrap_or_default());
        }
        let updated = status.updated_replicas.unwrap_or(0);
        let replicas = status.replicas.unwrap_or(0);
        let available = status.available_replicas.unwrap_or(0);
        if updated < spec_replicas {
            return State::Progressing(format!(
                "Waiting for rollout to finish: {updated} out of {spec_replicas} new replicas have been updated..."
            ));
        }
        if replicas > updated {
            return State::Progressing(format!(
                "Waiting for rollout to finish: {} old replicas are pending termination...",
                replicas - updated
            ));
        }
        if available < updated {
            return State::Progressing(format!(
                "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
            ));
        }
        State::Complete
    }
}
