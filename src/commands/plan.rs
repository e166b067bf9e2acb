//! `todo-ai plan` and `todo-ai ask`: plan a prompt with the active planner (the LLM when one
//! is configured, else the offline rules; the offline rules also whenever the LLM fails
//! before anything ran), check every step against the registry, show it; `ask` runs it
//! through the executor — with an LLM, as an agent loop that feeds results back.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{execute, executor, render_data, runtime, tool_context, write_stdout};
use crate::cli::OutputFormat;
use crate::error::{CliError, ExitStatus};
use crate::executor::TerminalApprover;
use crate::llm::{LlmClient, LlmError, agent};
use crate::planner::{Plan, PlannerKind, offline};
use crate::settings::Settings;
use crate::tools::{self, CheckedCall, ToolContext};

/// A plan whose steps all passed the registry's checks (or that was refused whole).
pub struct CheckedPlan {
    /// The plan as shown (steps cleared if any failed its checks).
    pub plan: Plan,
    /// The checked calls, in order.
    pub calls: Vec<CheckedCall>,
    /// Who planned it.
    pub planner: PlannerKind,
}

impl CheckedPlan {
    /// The JSON shape of `plan -o json`, the same whichever planner made it.
    pub fn to_json(&self) -> Value {
        let steps: Vec<Value> = self
            .calls
            .iter()
            .map(|call| {
                json!({
                    "tool": call.name(),
                    "args": call.args(),
                    "effect": call.effect(),
                    "preview": call.preview(),
                })
            })
            .collect();
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
        crate::redact::json(&mut value);
        value
    }
}

/// Checks every step; if one fails (unknown tool, bad arguments, out of range) the whole plan
/// is refused with that reason, so nothing half-runs.
pub fn check_plan(plan: Plan, planner: PlannerKind, ctx: &ToolContext) -> CheckedPlan {
    let mut calls = Vec::with_capacity(plan.steps.len());
    for step in &plan.steps {
        match tools::check(&step.tool, step.args.clone(), ctx) {
            Ok(call) => calls.push(call),
            Err(error) => {
                let reason = format!("{error}; nothing from this request was run");
                return CheckedPlan { plan: Plan::refuse(reason), calls: Vec::new(), planner };
            }
        }
    }
    CheckedPlan { plan, calls, planner }
}

/// Plans a prompt with the active planner and checks it.
pub fn make_plan(prompt: &str, ctx: &ToolContext) -> CheckedPlan {
    check_plan(offline::plan(prompt), PlannerKind::Offline, ctx)
}

/// The plan as people read it.
pub fn render_plan_text(checked: &CheckedPlan) -> String {
    let mut text = String::new();
    if checked.calls.is_empty() {
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

fn print_plan(checked: &CheckedPlan, output: OutputFormat) -> Result<(), CliError> {
    match output {
        OutputFormat::Text | OutputFormat::Markdown => write_stdout(&render_plan_text(checked)),
        OutputFormat::Json | OutputFormat::Yaml => write_stdout(&render_data(&checked.to_json(), output)?),
    }
}

/// The LLM client for these settings, when one is configured and can be built.
pub fn llm_client(settings: &Settings) -> Option<LlmClient> {
    let config = settings.llm.clone().ok()?;
    match LlmClient::new(config) {
        Ok(client) => Some(client),
        Err(error) => {
            fallback_notice(&error);
            None
        }
    }
}

/// The one line saying the LLM failed and the offline planner answers instead.
pub fn fallback_notice(error: &LlmError) {
    eprintln!("note: {error}; planning offline instead (hint: {})", error.hint());
}

/// Plans with the active planner. A prompt the offline rules refuse as out of scope is
/// refused whoever plans (defence in depth: the model never sees it).
pub fn plan_with(
    llm: Option<&LlmClient>,
    prompt: &str,
    ctx: &ToolContext,
    runtime: &tokio::runtime::Runtime,
) -> CheckedPlan {
    let offline_plan = offline::plan(prompt);
    let Some(client) = llm.filter(|_| !offline_plan.refused) else {
        return check_plan(offline_plan, PlannerKind::Offline, ctx);
    };
    match runtime.block_on(agent::plan(client, prompt, ctx)) {
        Ok(plan) => check_plan(plan, PlannerKind::Llm, ctx),
        Err(error) => {
            fallback_notice(&error);
            check_plan(offline_plan, PlannerKind::Offline, ctx)
        }
    }
}

/// `todo-ai plan PROMPT`: exit 0 with steps, 1 when nothing was planned.
pub fn plan_command(settings: &Settings, prompt: &str) -> Result<ExitStatus, CliError> {
    let llm = llm_client(settings);
    let checked = if llm.is_some() {
        plan_with(llm.as_ref(), prompt, &tool_context(settings), &runtime()?)
    } else {
        make_plan(prompt, &tool_context(settings))
    };
    print_plan(&checked, settings.output)?;
    Ok(if checked.calls.is_empty() { ExitStatus::Failure } else { ExitStatus::Success })
}

/// `todo-ai ask PROMPT`: with an LLM, the agent loop (each change approved as it comes);
/// otherwise, or when the LLM fails before anything ran, the offline plan run with approval.
pub fn ask_command(settings: &Settings, prompt: &str) -> Result<ExitStatus, CliError> {
    let mut executor = executor(settings);
    if let Some(client) = llm_client(settings).filter(|_| !offline::plan(prompt).refused) {
        let runtime = runtime()?;
        let mut conversation = agent::Conversation::default();
        let mut stdout = std::io::stdout();
        let mut stderr = std::io::stderr();
        let end = runtime.block_on(agent::run_turn(
            &client, &mut conversation, prompt, &mut executor, &mut TerminalApprover, &mut stdout, &mut stderr,
        ));
        match end {
            agent::TurnEnd::Answered(status) => return Ok(status),
            agent::TurnEnd::StepLimit(status) => return Ok(status.max(ExitStatus::Failure)),
            agent::TurnEnd::Failed { error, ran_anything: true } => {
                return Err(CliError::new(error.to_string())
                    .hint(format!("{}; the steps that ran are in the audit log, nothing is re-run", error.hint())));
            }
            agent::TurnEnd::Failed { error, ran_anything: false } => fallback_notice(&error),
        }
    }
    let checked = make_plan(prompt, &executor.ctx);
    if checked.calls.is_empty() {
        print_plan(&checked, settings.output)?;
        return Ok(ExitStatus::Failure);
    }
    if settings.verbosity >= 0 {
        eprint!("{}", render_plan_text(&checked));
    }
    execute(&mut executor, &checked.calls, settings.output)
}
