//! Runs checked tool calls under the approval policy: decide, ask when needed, run, audit.
//! The CLI's one-shot commands, `ask` and the REPL all go through [`Executor::run_all`], so
//! there is exactly one path from a plan to a change.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::approval::{self, Decision, Policy, Requirement};
use crate::audit::{self, Outcome};
use crate::error::ExitStatus;
use crate::tools::{CheckedCall, ToolContext, ToolError, ToolOutput};

/// Asks a person to approve a call.
pub trait Approver {
    /// Shows `question` and returns the answer. Implementations must deny on end of input.
    fn ask(&mut self, question: &str) -> Decision;
}

/// Asks on stderr and reads the answer from stdin.
pub struct TerminalApprover;

impl Approver for TerminalApprover {
    fn ask(&mut self, question: &str) -> Decision {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "{question}");
        let _ = stderr.flush();
        let mut answer = String::new();
        match std::io::stdin().lock().read_line(&mut answer) {
            Ok(0) | Err(_) => Decision::Denied,
            Ok(_) => Decision::parse(&answer),
        }
    }
}

/// How one call ended.
#[derive(Debug)]
pub enum StepResult {
    /// It ran.
    Ran(ToolOutput),
    /// It ran as a dry run, or showed what it would do.
    DryRun(String),
    /// The person said no.
    Denied,
    /// The policy refused it.
    Forbidden(String),
    /// It failed.
    Failed(ToolError),
}

impl StepResult {
    /// The exit status this result implies.
    pub fn status(&self) -> ExitStatus {
        match self {
            StepResult::Ran(_) | StepResult::DryRun(_) => ExitStatus::Success,
            StepResult::Denied | StepResult::Forbidden(_) => ExitStatus::Failure,
            StepResult::Failed(_) => ExitStatus::Error,
        }
    }

    /// A JSON summary for `-o json`.
    pub fn to_json(&self, call: &CheckedCall) -> Value {
        let (outcome, detail) = match self {
            StepResult::Ran(output) => ("ok", output.data.clone()),
            StepResult::DryRun(text) => ("dry_run", json!(text)),
            StepResult::Denied => ("denied", Value::Null),
            StepResult::Forbidden(reason) => ("forbidden", json!(reason)),
            StepResult::Failed(error) => ("error", json!(crate::redact::text(&error.to_string()))),
        };
        json!({"tool": call.name(), "args": call.args(), "outcome": outcome, "result": detail})
    }
}

/// The session state that outlives one call: policy (with session approvals), context and
/// where to audit.
pub struct Executor {
    /// The approval policy.
    pub policy: Policy,
    /// Where tools run.
    pub ctx: ToolContext,
    /// The audit log, when one can be written.
    pub audit_log: Option<PathBuf>,
}

impl Executor {
    /// Runs calls in order. Stops at the first call that is denied, forbidden or fails, since
    /// later steps usually depend on earlier ones ("build it and deploy").
    pub async fn run_all(
        &mut self,
        calls: &[CheckedCall],
        approver: &mut dyn Approver,
        stderr: &mut dyn Write,
    ) -> Vec<StepResult> {
        let mut results = Vec::with_capacity(calls.len());
        for (index, call) in calls.iter().enumerate() {
            let result = self.run_one(call, approver, stderr).await;
            let stop = !matches!(result, StepResult::Ran(_) | StepResult::DryRun(_));
            results.push(result);
            if stop {
                let skipped = calls.len() - index - 1;
                if skipped > 0 {
                    let _ = writeln!(stderr, "skipped the remaining {skipped} step(s)");
                }
                break;
            }
        }
        results
    }

    /// Runs one call under the policy.
    pub async fn run_one(
        &mut self,
        call: &CheckedCall,
        approver: &mut dyn Approver,
        stderr: &mut dyn Write,
    ) -> StepResult {
        let requirement = approval::requirement(&self.policy, call.name(), call.effect());
        // A changing call first resolves its target and reads current state (read-only), so
        // the question and the audit line name the real object and the real change.
        // A refusal stands even when the cluster cannot be read for the preview.
        let prepared;
        let call = if call.effect().is_read_only() {
            call
        } else {
            let mut copy = call.clone();
            match copy.prepare(&self.ctx).await {
                Ok(()) => {
                    prepared = copy;
                    &prepared
                }
                Err(_) if matches!(requirement, Requirement::Forbidden { .. }) => call,
                Err(error) => {
                    let result = StepResult::Failed(error);
                    self.audit(call, &result, stderr);
                    return result;
                }
            }
        };
        let result = match requirement {
            Requirement::Skip { .. } => self.run(call).await,
            Requirement::DryRun => {
                let mut ctx = self.ctx.clone();
                ctx.dry_run = true;
                match call.run(&ctx).await {
                    Ok(output) => StepResult::DryRun(output.text),
                    Err(error) => StepResult::Failed(error),
                }
            }
            Requirement::NeedsApproval { reason } => {
                let target = match &self.ctx.kube_context {
                    Some(context) => format!("context {context}, namespace {}", self.namespace_of(call)),
                    None => format!("namespace {}", self.namespace_of(call)),
                };
                let question = approval::prompt_text(call.name(), call.preview(), reason, &target);
                match approver.ask(&question) {
                    Decision::Approved => self.run(call).await,
                    Decision::ApprovedForSession => {
                        self.policy.approved_for_session.insert(call.name().to_string());
                        self.run(call).await
                    }
                    Decision::Denied => {
                        let _ = writeln!(stderr, "not approved: {} was not run", call.name());
                        StepResult::Denied
                    }
                }
            }
            Requirement::Forbidden { reason } => {
                StepResult::Forbidden(format!("{reason}; it would {}", call.preview()))
            }
        };
        if !call.effect().is_read_only() {
            self.audit(call, &result, stderr);
        }
        result
    }

    async fn run(&self, call: &CheckedCall) -> StepResult {
        match call.run(&self.ctx).await {
            Ok(output) => StepResult::Ran(output),
            Err(error) => StepResult::Failed(error),
        }
    }

    fn namespace_of<'a>(&'a self, call: &'a CheckedCall) -> &'a str {
        call.args().get("namespace").and_then(Value::as_str).unwrap_or(&self.ctx.namespace)
    }

    fn audit(&self, call: &CheckedCall, result: &StepResult, stderr: &mut dyn Write) {
        let Some(path) = &self.audit_log else { return };
        let outcome = match result {
            StepResult::Ran(_) => Outcome::Ok,
            StepResult::DryRun(_) => Outcome::DryRun,
            StepResult::Denied => Outcome::Denied,
            StepResult::Forbidden(reason) => Outcome::Forbidden(reason.clone()),
            StepResult::Failed(error) => Outcome::Error(error.to_string()),
        };
        let entry = audit::Entry {
            time: audit::now_rfc3339(),
            context: self.ctx.kube_context.as_deref(),
            namespace: self.namespace_of(call),
            tool: call.name(),
            args: call.args().clone(),
            outcome,
        };
        if let Err(error) = audit::append(path, entry) {
            // The change itself already happened (or not); say the record is missing.
            let _ = writeln!(stderr, "warning: could not write the audit log `{}`: {error}", path.display());
        }
    }
}
