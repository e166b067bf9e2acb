//! `logs`: container logs of a pod, a workload (all its pods, merged with a `[pod]` prefix)
//! or a label selector; the previous (crashed) container, a tail, a time window. Bounded:
//! at most [`cluster::MAX_LOG_PODS`] pods and 256 KB of text, redacted line by line.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::status::select;
use super::{
    Direct, Effect, Hints, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag, namespaced, ns,
    shell_word,
};
use crate::cluster;
use crate::validate::{self, Limits, MAX_TAIL_LINES, ValidationError};

/// The default number of log lines.
pub const DEFAULT_TAIL_LINES: i64 = 200;

/// The most log text one call returns.
const MAX_LOG_BYTES: usize = 256 * 1024;

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

    fn hints(&self) -> Hints {
        Hints::READ_CLUSTER
    }

    fn scope(&self, args: &LogsArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.target), ctx)
    }

    fn command_line(&self, args: &LogsArgs, ctx: &ToolContext) -> Option<String> {
        let mut line = format!("todo-ai logs {}", shell_word(&args.target));
        if args.previous {
            line.push_str(" --previous");
        }
        if let Some(tail) = args.tail {
            line.push_str(&format!(" --tail {tail}"));
        }
        if let Some(since) = &args.since {
            line.push_str(&format!(" --since {}", shell_word(since)));
        }
        line.push_str(&namespace_flag(&args.namespace, ctx));
        Some(line)
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
                // Whole, not line by line: a private key's body spans lines.
                let log = crate::redact::text(&result?);
                for line in log.lines() {
                    if prefix {
                        text.push_str(&format!("[{pod}] "));
                    }
                    text.push_str(line);
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

/// Options of `logs`.
#[derive(Debug, clap::Args)]
pub struct LogsCommand {
    /// A pod, deployment or label selector (`app=backend`)
    pub target: String,
    /// Logs of the previous (crashed) container
    #[arg(short = 'p', long)]
    pub previous: bool,
    /// Lines from the end [default: 200]
    #[arg(long, value_name = "N")]
    pub tail: Option<i64>,
    /// Only lines newer than this (30s, 10m, 2h)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
}

impl Direct for Logs {
    type Command = LogsCommand;

    fn args(&self, command: LogsCommand, namespace: Option<String>) -> LogsArgs {
        LogsArgs {
            target: command.target,
            previous: command.previous,
            tail: command.tail,
            since: command.since,
            namespace,
        }
    }
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
