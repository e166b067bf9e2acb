//! `events`: recent Kubernetes events, newest last, optionally only warnings or only those
//! about one object; at most the newest 500, redacted by the printer.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::status::{now, strip_kind};
use super::{
    Direct, Effect, Hints, Scope, Tool, ToolContext, ToolFuture, ToolOutput, namespace_flag, namespaced, ns, shell_word,
};
use crate::cluster::print;
use crate::validate::{self, Limits, ValidationError};

/// The most events `events` prints (the newest ones).
const MAX_EVENTS: usize = 500;

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
    /// Every namespace instead of one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_namespaces: bool,
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

    fn hints(&self) -> Hints {
        Hints::READ_CLUSTER
    }

    fn scope(&self, args: &EventsArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, args.target.as_deref(), ctx)
    }

    fn command_line(&self, args: &EventsArgs, ctx: &ToolContext) -> Option<String> {
        let target = args.target.as_deref().map(|t| format!(" {}", shell_word(t))).unwrap_or_default();
        let warnings = if args.warnings_only { " --warnings-only" } else { "" };
        let place = if args.all_namespaces { " -A".to_string() } else { namespace_flag(&args.namespace, ctx) };
        Some(format!("todo-ai events{target}{warnings}{place}"))
    }

    fn validate(&self, args: &EventsArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::namespace(args.namespace.as_deref())?;
        args.target.as_deref().map_or(Ok(()), validate::target)
    }

    fn preview(&self, args: &EventsArgs, ctx: &ToolContext) -> String {
        let kind = if args.warnings_only { "warning events" } else { "events" };
        let place = if args.all_namespaces {
            "in every namespace".to_string()
        } else {
            format!("in namespace {}", ns(&args.namespace, ctx))
        };
        match &args.target {
            Some(target) => format!("show {kind} for `{target}` {place}"),
            None => format!("show {kind} {place}"),
        }
    }

    fn run<'a>(&'a self, args: EventsArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let events = if args.all_namespaces {
                let mut all = Vec::new();
                for namespace in cluster.namespaces().await? {
                    all.extend(cluster.events(&namespace).await?);
                }
                // Newest last across namespaces too.
                all.sort_by_key(print::event_time);
                all
            } else {
                cluster.events(&namespace).await?
            };
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
            let text = if rows.is_empty() && args.all_namespaces {
                format!("No {}events found.", if args.warnings_only { "warning " } else { "" })
            } else if rows.is_empty() {
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

/// Options of `events`.
#[derive(Debug, clap::Args)]
pub struct EventsCommand {
    /// Only events about this object
    pub target: Option<String>,
    /// Only warnings
    #[arg(short = 'w', long)]
    pub warnings_only: bool,
    /// Every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

impl Direct for Events {
    type Command = EventsCommand;

    fn args(&self, command: EventsCommand, namespace: Option<String>) -> EventsArgs {
        EventsArgs {
            namespace,
            target: command.target,
            warnings_only: command.warnings_only,
            all_namespaces: command.all_namespaces,
        }
    }
}
