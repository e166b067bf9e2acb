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
    /// Desired number of replicas (0 to the replica ceiling, 100 by default). Give this or
    /// `change`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub replicas: Option<i64>,
    /// A change relative to the current count, instead of `replicas`: `+2`, `-1`, `+100%`
    /// (double), `-50%` (halve). Percentages round half away from zero, and a non-zero
    /// change always moves at least one replica; the result must stay within 0 and the
    /// replica ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
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

    fn touches(&self) -> super::Touches {
        super::Touches::Deployment
    }

    fn hints(&self) -> Hints {
        // Setting a value: the same count twice is one change; fewer replicas removes pods.
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn scope(&self, args: &ScaleArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn command_line(&self, args: &ScaleArgs, ctx: &ToolContext) -> Option<String> {
        let count = match (&args.replicas, &args.change) {
            (Some(replicas), _) => replicas.to_string(),
            (None, Some(change)) => format!("--by {}", shell_word(change)),
            (None, None) => return None,
        };
        Some(format!("todo-ai scale {} {count}{}", shell_word(&args.deployment), namespace_flag(&args.namespace, ctx)))
    }

    fn validate(&self, args: &ScaleArgs, limits: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        validate::namespace(args.namespace.as_deref())?;
        match (args.replicas, &args.change) {
            (Some(replicas), None) => validate::replicas("replicas", replicas, 0, limits),
            (None, Some(change)) => Change::parse(change).map(drop),
            (Some(_), Some(_)) => Err(ValidationError::Conflict("give either `replicas` or `change`, not both".into())),
            (None, None) => Err(ValidationError::Conflict(
                "say how many replicas (`replicas`) or by how much to change them (`change`, e.g. `+2` or `+100%`)"
                    .into(),
            )),
        }
    }

    fn preview(&self, args: &ScaleArgs, ctx: &ToolContext) -> String {
        let to = match (args.replicas, &args.change) {
            (Some(replicas), _) => format!("to {replicas} {}", plural(replicas)),
            (None, Some(change)) => format!("by {change}"),
            (None, None) => "(no count given)".to_string(),
        };
        format!("scale deployment {}/{} {to}", ns(&args.namespace, ctx), args.deployment)
    }

    fn prepare<'a>(&'a self, mut args: ScaleArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, ScaleArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let cluster = ctx.cluster.get().await?;
            let target = cluster.scale_target(&namespace, &args.deployment).await?;
            args.deployment = target.name.clone();
            let current = i64::from(target.replicas);
            let (replicas, relative) = match (args.replicas, &args.change) {
                (Some(replicas), _) => (replicas, String::new()),
                (None, Some(change)) => {
                    let change =
                        Change::parse(change).map_err(|source| ToolError::Invalid { tool: Self::NAME, source })?;
                    let replicas = change.apply(current);
                    validate::replicas("replicas", replicas, 0, &ctx.limits).map_err(|source| ToolError::Invalid {
                        tool: Self::NAME,
                        source: ValidationError::Conflict(format!(
                            "{change} of deployment {namespace}/{} ({current} now) gives {replicas}: {source}",
                            target.name
                        )),
                    })?;
                    (replicas, format!(" ({change})"))
                }
                (None, None) => {
                    return Err(ToolError::Failed { tool: Self::NAME, message: "no replica count was given".into() });
                }
            };
            args.replicas = Some(replicas);
            let mut preview = format!(
                "scale deployment {namespace}/{} from {current} to {replicas} {}{relative}",
                target.name,
                plural(replicas)
            );
            if let Some((hpa, min, max)) = &target.autoscaler {
                // Do not fight the autoscaler silently.
                preview.push_str(&format!(
                    " — note: HorizontalPodAutoscaler `{hpa}` manages it ({min}–{max} replicas) and will override this; \
                     to change the range instead run `todo-ai autoscale {} --min {} --max {max}`",
                    target.name,
                    replicas.clamp(1, i64::from(*max))
                ));
            }
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a ScaleArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let target = ctx.cluster.get().await?.scale_target(&namespace, &args.deployment).await?;
            let replicas = i64::from(target.replicas);
            let back = ScaleArgs {
                deployment: target.name.clone(),
                replicas: Some(replicas),
                change: None,
                namespace: Some(namespace.clone()),
            };
            Ok(super::Undo::by(
                &Scale,
                &back,
                format!("scale deployment {namespace}/{} back to {replicas} {}", target.name, plural(replicas)),
            ))
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
        // `prepare` resolves a relative change to a count; nothing runs without one.
        let Some(count) = args.replicas else {
            return Err(ToolError::Failed { tool: Self::NAME, message: "the replica count was not resolved".into() });
        };
        let replicas = i32::try_from(count).map_err(|_| ToolError::Failed {
            tool: Self::NAME,
            message: format!("{count} replicas is out of range"),
        })?;
        let cluster = ctx.cluster.get().await?;
        // Going to zero: remember the count, so `fix` can bring it back.
        let before = if replicas == 0 && !dry_run {
            Some(cluster.scale_target(&namespace, &args.deployment).await?.replicas).filter(|count| *count > 0)
        } else {
            None
        };
        let accepted = cluster.scale(&namespace, &args.deployment, replicas, dry_run).await?;
        if let Some(count) = before {
            let patch = json!({"metadata": {"annotations": {
                crate::diagnose::remediate::REPLICAS_BEFORE_ZERO: count.to_string()
            }}});
            cluster.patch_deployment(&namespace, &args.deployment, &patch, false, false).await?;
        }
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

fn plural(replicas: i64) -> &'static str {
    if replicas == 1 { "replica" } else { "replicas" }
}

/// A replica change relative to the current count: `+N`, `-N`, `+N%` or `-N%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Add (or, negative, remove) this many replicas.
    By(i64),
    /// Add (or remove) this percentage of the current count.
    Percent(i64),
}

impl Change {
    /// Parses `+2`, `-1`, `+100%`, `-50%` (a sign is required: a bare number is a count).
    pub fn parse(text: &str) -> Result<Change, ValidationError> {
        let invalid = || {
            ValidationError::Conflict(format!(
                "change `{}` is not a relative replica change: use `+N`, `-N`, `+N%` or `-N%`",
                text.chars().take(40).collect::<String>()
            ))
        };
        let trimmed = text.trim();
        let (sign, rest) = match trimmed.chars().next() {
            Some('+') => (1, &trimmed[1..]),
            Some('-') => (-1, &trimmed[1..]),
            _ => return Err(invalid()),
        };
        let (digits, percent) = match rest.strip_suffix('%') {
            Some(digits) => (digits, true),
            None => (rest, false),
        };
        if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let value: i64 = digits.parse().map_err(|_| invalid())?;
        if percent && sign < 0 && value > 100 {
            return Err(ValidationError::Conflict(format!("change `{trimmed}` would remove more than every replica")));
        }
        Ok(if percent { Change::Percent(sign * value) } else { Change::By(sign * value) })
    }

    /// The new count from `current`: percentages round half away from zero, and a non-zero
    /// change moves at least one replica (+10% of 2 is 3, not 2). Never below 0.
    pub fn apply(self, current: i64) -> i64 {
        let delta = match self {
            Change::By(delta) => delta,
            Change::Percent(percent) => {
                let hundredths = current * percent;
                let rounded = (hundredths.abs() + 50) / 100 * hundredths.signum();
                if rounded == 0 && percent != 0 && current > 0 { percent.signum() } else { rounded }
            }
        };
        (current + delta).max(0)
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::By(delta) => write!(f, "{delta:+}"),
            Change::Percent(percent) => write!(f, "{percent:+}%"),
        }
    }
}

/// Options of `scale`.
#[derive(Debug, clap::Args)]
pub struct ScaleCommand {
    /// Deployment name or unique fragment
    pub deployment: String,
    /// Desired replicas
    #[arg(allow_negative_numbers = true, required_unless_present = "by")]
    pub replicas: Option<i64>,
    /// Instead, change the count by this much: `+2`, `-1`, `+100%` (double), `-50%` (halve)
    #[arg(long, value_name = "CHANGE", allow_hyphen_values = true, conflicts_with = "replicas")]
    pub by: Option<String>,
    /// Then wait until the replicas are ready, with a progress line
    #[arg(long)]
    pub wait: bool,
}

impl Direct for Scale {
    type Command = ScaleCommand;

    fn args(&self, command: ScaleCommand, namespace: Option<String>) -> ScaleArgs {
        ScaleArgs { deployment: command.deployment, replicas: command.replicas, change: command.by, namespace }
    }

    fn waits_for_rollout(&self, command: &ScaleCommand) -> bool {
        command.wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_changes_and_their_rounding() {
        let apply = |text: &str, current: i64| Change::parse(text).unwrap().apply(current);
        assert_eq!(apply("+100%", 2), 4);
        assert_eq!(apply("-50%", 4), 2);
        assert_eq!(apply("-50%", 3), 1, "1.5 rounds away from zero: 3 − 2");
        assert_eq!(apply("+50%", 3), 5, "+1.5 rounds to +2");
        assert_eq!(apply("+10%", 2), 3, "a non-zero change moves at least one replica");
        assert_eq!(apply("+2", 1), 3);
        assert_eq!(apply("-1", 1), 0);
        assert_eq!(apply("-5", 2), 0, "never below zero");
        assert_eq!(apply("+100%", 0), 0, "nothing to double");
        for bad in ["2", "x2", "+", "+-1", "+1.5", "+50 %", "-150%", "+9999999", "", "%"] {
            assert!(Change::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Change::parse("+100%").unwrap().to_string(), "+100%");
    }
}
