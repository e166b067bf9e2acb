//! The turn engine: the one flow from a request to its results, driven by every front end
//! (`plan`, `ask`, direct commands, the REPL and the MCP server).
//!
//! ```text
//! prompt ─▶ scope gate ─▶ planner (LLM agent loop, or offline rules; offline on LLM failure)
//!                              │
//!                              ▼
//!                      checked calls ─▶ executor (policy, prepare, ask, run/dry run, audit)
//!                              │                        │
//!                              ▼                        ▼
//!                         TurnEvent ──────────────▶ Renderer (terminal, REPL, MCP log)
//! ```
//!
//! The engine never prints; it emits [`render::TurnEvent`]s and each front end renders them.

pub mod fix;
pub mod guard;
pub mod plan;
pub mod render;

use crate::error::{CliError, ExitStatus};
use crate::executor::{Approver, Executor};
use crate::llm::{LlmClient, LlmError, agent};
use crate::planner::{PlannerKind, offline};
use crate::tools::CheckedCall;
pub use plan::{CheckedPlan, check_plan, make_plan, render_plan_text};
use render::{Renderer, StepEvents, TurnEvent};

/// Which planner a session uses, and the LLM's conversation.
pub struct Planner {
    /// The LLM, when one is configured (dropped for the session after it refuses the key).
    pub llm: Option<LlmClient>,
    /// Whether planning stays offline (`--offline`, `/offline`).
    pub offline: bool,
    /// Why there is no LLM, for `/status` and `doctor`.
    pub llm_reason: String,
    /// The conversation with the LLM so far (bounded; `/clear` resets it).
    pub conversation: agent::Conversation,
}

impl Planner {
    /// The offline planner only.
    pub fn offline() -> Planner {
        Planner { llm: None, offline: true, llm_reason: "offline".into(), conversation: Default::default() }
    }

    /// The LLM to use now, if any.
    pub fn active_llm(&self) -> Option<&LlmClient> {
        self.llm.as_ref().filter(|_| !self.offline)
    }
}

/// A session: what outlives one turn.
pub struct Session {
    /// Policy, tool context and audit log.
    pub executor: Executor,
    /// The planner.
    pub planner: Planner,
    /// `--guard`: watch each change this long and undo it on a new critical problem.
    pub guard: Option<std::time::Duration>,
}

/// How long `fix` watches each change it makes when `--guard` does not say.
pub const FIX_GUARD: std::time::Duration = std::time::Duration::from_secs(60);

/// The one line saying the LLM failed and the offline planner answers instead.
pub fn fallback_notice(error: &LlmError) -> String {
    format!("note: {error}; planning offline instead (hint: {})", error.hint())
}

impl Session {
    /// Plans a prompt without running anything: the scope gate, then the active planner (the
    /// offline rules also when the LLM fails).
    pub async fn plan(&mut self, prompt: &str, renderer: &mut dyn Renderer) -> CheckedPlan {
        // Out-of-scope prompts are refused by the offline rules before any model sees them.
        let offline_plan = offline::plan(prompt);
        if offline_plan.refused {
            return check_plan(offline_plan, PlannerKind::Offline, &self.executor.ctx);
        }
        if let Some(client) = self.planner.active_llm() {
            match agent::plan(client, prompt, &self.executor.ctx).await {
                Ok(model) => return CheckedPlan::from_model(model),
                Err(error) => renderer.render(TurnEvent::Notice(&fallback_notice(&error))),
            }
        }
        check_plan(offline_plan, PlannerKind::Offline, &self.executor.ctx)
    }

    /// Runs one request: with an LLM, the agent loop (each change approved as it comes);
    /// otherwise, or when the LLM fails before anything ran, the offline plan through the
    /// executor. Returns the worst status of what ran (1 when nothing was planned).
    pub async fn turn(&mut self, prompt: &str, approver: &mut dyn Approver, renderer: &mut dyn Renderer) -> ExitStatus {
        let offline_plan = offline::plan(prompt);
        if !offline_plan.refused
            && let Some(client) = self.planner.active_llm().is_some().then(|| self.planner.llm.take()).flatten()
        {
            let end = agent::run_turn(
                &client, &mut self.planner.conversation, prompt, &mut self.executor, approver, renderer,
            )
            .await;
            self.planner.llm = Some(client);
            match end {
                agent::TurnEnd::Answered(status) => return status,
                agent::TurnEnd::StepLimit(status) => return status.max(ExitStatus::Failure),
                agent::TurnEnd::Failed { error, ran_anything: true } => {
                    let error = CliError::new(error.to_string())
                        .hint(format!("{}; the steps that ran are in the audit log, nothing is re-run", error.hint()));
                    renderer.render(TurnEvent::Failed(&error));
                    return ExitStatus::Error;
                }
                agent::TurnEnd::Failed { error, ran_anything: false } => {
                    renderer.render(TurnEvent::Notice(&fallback_notice(&error)));
                    if matches!(error, LlmError::Auth(_)) {
                        // The key will not get better during this session.
                        self.planner.llm = None;
                        self.planner.llm_reason = error.to_string();
                    }
                }
            }
        }
        let checked = check_plan(offline_plan, PlannerKind::Offline, &self.executor.ctx);
        self.run_plan(&checked, approver, renderer).await
    }

    /// Shows a checked plan and runs its calls in order (stopping at the first that does not
    /// run); 1 when it has none.
    pub async fn run_plan(
        &mut self,
        checked: &CheckedPlan,
        approver: &mut dyn Approver,
        renderer: &mut dyn Renderer,
    ) -> ExitStatus {
        renderer.render(TurnEvent::Planned(checked));
        if let Some(fix) = &checked.fix {
            return self.fix(fix, approver, renderer).await;
        }
        if checked.is_empty() {
            return ExitStatus::Failure;
        }
        self.run_calls(&checked.calls, approver, renderer).await
    }

    /// Runs checked calls in order through the executor, reporting each result; stops at the
    /// first that does not run (later steps usually depend on earlier ones). With `--guard`,
    /// each change to a workload is guarded.
    pub async fn run_calls(
        &mut self,
        calls: &[CheckedCall],
        approver: &mut dyn Approver,
        renderer: &mut dyn Renderer,
    ) -> ExitStatus {
        let mut status = ExitStatus::Success;
        for (index, call) in calls.iter().enumerate() {
            let guarded = self.guard.filter(|_| call.tool().touches() != crate::tools::Touches::Nothing);
            let result = match guarded {
                Some(window) => {
                    let guard = guard::Guard::new(window, true);
                    guard::run(&mut self.executor, call, guard, approver, renderer).await.0
                }
                None => {
                    let result = self.executor.run_one(call, approver, &mut StepEvents(&mut *renderer)).await;
                    renderer.render(TurnEvent::StepDone { call, result: &result });
                    result
                }
            };
            status = status.max(result.status());
            if !matches!(result, crate::executor::StepResult::Ran(_) | crate::executor::StepResult::DryRun(_)) {
                let remaining = calls.len() - index - 1;
                if remaining > 0 {
                    renderer.render(TurnEvent::Step(crate::executor::Event::Skipped { remaining }));
                }
                break;
            }
        }
        status
    }

    /// The fix flow (see [`fix`]): diagnose, propose typed fixes, ask for each, apply each
    /// under a guard (`--guard`, else [`FIX_GUARD`]), diagnose again, report before and after.
    pub async fn fix(
        &mut self,
        request: &plan::CheckedFix,
        approver: &mut dyn Approver,
        renderer: &mut dyn Renderer,
    ) -> ExitStatus {
        let namespace = request.args.namespace.clone().unwrap_or_else(|| self.executor.ctx.namespace.clone());
        let target = request.args.target.clone();
        let diagnosed = async |executor: &Executor| -> Result<crate::diagnose::Report, CliError> {
            let cluster = executor.ctx.cluster.get().await.map_err(CliError::from)?;
            crate::diagnose::run(&cluster, &namespace, target.as_deref(), &executor.ctx.limits)
                .await
                .map_err(CliError::from)
        };
        let before = match diagnosed(&self.executor).await {
            Ok(report) => report,
            Err(error) => {
                renderer.render(TurnEvent::Failed(&error));
                return ExitStatus::Error;
            }
        };
        let (mut proposals, manual) = fix::proposals(&before, &self.executor.ctx);
        if let Some(client) = self.planner.active_llm() {
            proposals.extend(fix::model_proposals(client, &before, &self.executor.ctx, &proposals).await);
        }
        let mut report = fix::FixReport {
            namespace: namespace.clone(),
            target: target.clone(),
            before: before.findings.iter().map(fix::FindingLine::of).collect(),
            manual,
            ..fix::FixReport::default()
        };
        if !proposals.is_empty() {
            renderer.render(TurnEvent::Notice(&fix::describe(&proposals)));
        }
        let window = self.guard.unwrap_or(FIX_GUARD);
        let automatic = self.executor.policy.assume_yes;
        let mut status = ExitStatus::Success;
        let mut changed = false;
        for proposal in &proposals {
            let guard = guard::Guard::new(window, automatic);
            // The proposal, the change, its verdict and any undo: one correlation id.
            let outer = self.executor.correlation.replace(crate::audit::new_id());
            self.executor.audit_proposal(
                &proposal.call,
                &format!("{}: {}", proposal.finding, proposal.reason),
                &mut render::StepEvents(&mut *renderer),
            );
            let (result, verdict) = guard::run(&mut self.executor, &proposal.call, guard, approver, renderer).await;
            self.executor.correlation = outer;
            changed |= matches!(result, crate::executor::StepResult::Ran(_));
            if matches!(result, crate::executor::StepResult::Failed(_)) {
                status = ExitStatus::Error;
            }
            let json = result.to_json(&proposal.call);
            report.proposals.push(fix::ProposalLine {
                tool: proposal.call.name().to_string(),
                args: json["args"].clone(),
                preview: proposal.call.preview().to_string(),
                reason: proposal.reason.clone(),
                finding: proposal.finding.clone(),
                evidence: proposal.evidence.clone(),
                outcome: json["outcome"].as_str().unwrap_or_default().to_string(),
                verdict: (!matches!(verdict, guard::Verdict::NotApplied)).then(|| verdict.line(window)),
            });
        }
        let after = if changed {
            match diagnosed(&self.executor).await {
                Ok(report) => report.findings.iter().map(fix::FindingLine::of).collect(),
                Err(error) => {
                    renderer.render(TurnEvent::Failed(&error));
                    return ExitStatus::Error;
                }
            }
        } else {
            report.before.clone()
        };
        let (resolved, remaining, new) = fix::compare(&report.before, &after);
        report.resolved = resolved;
        report.remaining = remaining;
        report.new = new;
        renderer.render(TurnEvent::Fixed(&report));
        if report.critical_left() { status.max(ExitStatus::Failure) } else { status }
    }
}
