//! Plans as the engine handles them: a planner's [`Plan`] whose every step passed the
//! registry's checks ([`CheckedPlan`]), or was refused whole; and the plan as people read it.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::fix::FixArgs;
use crate::planner::{Plan, PlannerKind, offline};
use crate::tools::{self, CheckedCall, ToolContext};
use crate::validate::ValidationError;

/// The step name a planner uses to ask for the fix flow ([`super::fix`]).
pub const FIX_STEP: &str = "fix";

/// A fix request whose arguments passed their checks, with what it will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFix {
    /// The target and namespace.
    pub args: FixArgs,
    /// What the flow will do.
    pub preview: String,
}

impl CheckedFix {
    /// Checks a fix request.
    pub fn check(args: FixArgs, ctx: &ToolContext) -> Result<CheckedFix, ValidationError> {
        args.validate()?;
        let preview = args.preview(ctx);
        Ok(CheckedFix { args, preview })
    }
}

/// A plan whose steps all passed the registry's checks (or that was refused whole).
#[derive(Debug)]
pub struct CheckedPlan {
    /// The plan as shown (steps cleared if any failed its checks).
    pub plan: Plan,
    /// The checked calls, in order.
    pub calls: Vec<CheckedCall>,
    /// The fix flow, when the request is to fix something (then there are no calls).
    pub fix: Option<CheckedFix>,
    /// Who planned it.
    pub planner: PlannerKind,
}

impl CheckedPlan {
    /// The model's plan: its calls were checked as they arrived.
    pub fn from_model(model: crate::llm::agent::ModelPlan) -> CheckedPlan {
        CheckedPlan { plan: model.plan, calls: model.calls, fix: None, planner: PlannerKind::Llm }
    }

    /// Whether nothing would run (a refusal, a question, or nothing understood).
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.fix.is_none()
    }

    /// The JSON shape of `plan -o json`, the same whichever planner made it.
    pub fn to_json(&self) -> Value {
        let fix = self.fix.iter().map(|fix| {
            json!({"tool": FIX_STEP, "args": fix.args, "effect": crate::tools::Effect::ChangesCluster, "preview": fix.preview})
        });
        let calls = self.calls.iter().map(|call| {
            json!({
                "tool": call.name(),
                "args": call.args(),
                "effect": call.effect(),
                "preview": call.preview(),
            })
        });
        let steps: Vec<Value> = fix.chain(calls).collect();
        let mut value = json!({"planner": self.planner.name(), "steps": steps});
        if let Some(message) = &self.plan.message {
            value["message"] = json!(message);
        }
        if let Some(question) = &self.plan.clarify {
            value["clarify"] = json!(question);
        }
        if self.plan.refused {
            value["refused"] = json!(true);
        }
        // Data leaves the program here: no secret in it (a `--set` value, a token in a prompt).
        crate::redact::json(&mut value);
        value
    }
}

/// Checks every step; if one fails (unknown tool, bad arguments, out of range) the whole plan
/// is refused with that reason, so nothing half-runs.
pub fn check_plan(plan: Plan, planner: PlannerKind, ctx: &ToolContext) -> CheckedPlan {
    // The offline planner asks for the fix flow with one `fix` step of its own.
    if let [step] = plan.steps.as_slice()
        && step.tool == FIX_STEP
    {
        let checked = serde_json::from_value::<FixArgs>(step.args.clone())
            .map_err(|error| error.to_string())
            .and_then(|args| CheckedFix::check(args, ctx).map_err(|error| error.to_string()));
        return match checked {
            Ok(fix) => CheckedPlan { plan, calls: Vec::new(), fix: Some(fix), planner },
            Err(error) => {
                let reason = format!("{error}; nothing from this request was run");
                CheckedPlan { plan: Plan::refuse(reason), calls: Vec::new(), fix: None, planner }
            }
        };
    }
    let mut calls = Vec::with_capacity(plan.steps.len());
    for step in &plan.steps {
        match tools::check(&step.tool, step.args.clone(), ctx) {
            Ok(call) => calls.push(call),
            Err(error) => {
                let reason = format!("{error}; nothing from this request was run");
                return CheckedPlan { plan: Plan::refuse(reason), calls: Vec::new(), fix: None, planner };
            }
        }
    }
    CheckedPlan { plan, calls, fix: None, planner }
}

/// Plans a prompt with the active planner and checks it.
pub fn make_plan(prompt: &str, ctx: &ToolContext) -> CheckedPlan {
    check_plan(offline::plan(prompt), PlannerKind::Offline, ctx)
}

/// The plan as people read it.
pub fn render_plan_text(checked: &CheckedPlan) -> String {
    let mut text = String::new();
    if checked.is_empty() {
        if let Some(question) = &checked.plan.clarify {
            let _ = writeln!(text, "? {question}");
        } else if let Some(message) = &checked.plan.message {
            let label = if checked.plan.refused { "refused" } else { "nothing to do" };
            let _ = writeln!(text, "{label}: {message}");
        } else {
            let _ = writeln!(text, "nothing to do");
        }
        return text;
    }
    let _ = writeln!(text, "plan ({} planner):", checked.planner.name());
    if let Some(fix) = &checked.fix {
        let args = crate::redact::text(&format_args_inline(&serde_json::to_value(&fix.args).unwrap_or_default()));
        let separator = if args.is_empty() { "" } else { " " };
        let _ = writeln!(text, "  1. fix{separator}{args}");
        let _ = writeln!(text, "     {} [{}]", fix.preview, crate::tools::Effect::ChangesCluster);
    }
    for (index, call) in checked.calls.iter().enumerate() {
        let args = crate::redact::text(&format_args_inline(call.args()));
        let separator = if args.is_empty() { "" } else { " " };
        let _ = writeln!(text, "  {}. {}{separator}{args}", index + 1, call.name());
        let _ = writeln!(text, "     {} [{}]", call.preview(), call.effect());
    }
    if let Some(message) = &checked.plan.message {
        let _ = writeln!(text, "note: {message}");
    }
    text
}

/// `key=value` pairs for a one-line view of arguments; empty defaults left out.
fn format_args_inline(args: &Value) -> String {
    let Value::Object(map) = args else { return args.to_string() };
    map.iter()
        .filter(|(_, value)| {
            !matches!(value, Value::Bool(false) | Value::Null) && value != &&json!([]) && value != &&json!({})
        })
        .map(|(key, value)| match value {
            Value::String(text) => format!("{key}={text}"),
            Value::Array(items) => format!(
                "{key}={}",
                items
                    .iter()
                    .map(|item| item.as_str().map_or_else(|| item.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Value::Object(pairs) => pairs
                .iter()
                .map(|(k, v)| format!("{key}.{k}={}", crate::redact::helm_value(k, v.as_str().unwrap_or_default())))
                .collect::<Vec<_>>()
                .join(" "),
            other => format!("{key}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
