//! Guarded changes: a change that watches what it did and undoes itself on a regression.
//!
//! 1. Before the change, diagnose the workloads it touches (the baseline) and read its undo
//!    (the executor does, and the approval question names it: approving the change approves
//!    its undo).
//! 2. Apply the change.
//! 3. Follow the rollout, then diagnose the touched workloads again at intervals for the
//!    guard's window.
//! 4. A critical finding on a touched workload that was not in the baseline (compared by
//!    stable identity: code, kind, namespace, owning workload, container — a new pod name is
//!    not a new problem) triggers the undo — at once, or after asking when the guard was set
//!    to ask (`fix` in a terminal).
//! 5. The verdict — kept, or rolled back with the finding that caused it — is reported, and
//!    the change, the verdict and any undo share one correlation id in the audit log.
//!
//! Ctrl-C while watching asks whether to keep or undo the change.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::approval::Decision;
use crate::diagnose::{Code, Finding, Severity};
use crate::executor::{Approver, Executor, StepResult};
use crate::tools::{CheckedCall, RolloutStatus, RolloutStatusArgs, Scope, ToolContext, Touches, Undo};

use super::render::{Renderer, StepEvents, TurnEvent};

/// How a guard watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    /// How long to watch after the rollout.
    pub window: Duration,
    /// How often to diagnose while watching.
    pub interval: Duration,
    /// Undo without asking (`--guard`, and `fix --yes`); otherwise the person is asked.
    pub automatic: bool,
}

/// The shortest and longest guard windows.
pub const WINDOW_RANGE: (Duration, Duration) = (Duration::from_secs(5), Duration::from_secs(3600));

impl Guard {
    /// A guard for `window`, checking about ten times (at most every 30 s, at least every 2 s).
    pub fn new(window: Duration, automatic: bool) -> Guard {
        let interval = (window / 10).clamp(Duration::from_secs(2), Duration::from_secs(30));
        Guard { window, interval, automatic }
    }
}

/// What a guard saw and did.
#[derive(Debug)]
pub enum Verdict {
    /// The change did not run (denied, refused, failed, or a dry run): nothing to watch.
    NotApplied,
    /// No new critical problem appeared on the touched workloads within the window.
    Kept {
        /// How many times the workloads were diagnosed.
        checks: usize,
    },
    /// A new critical problem appeared, and the change was undone.
    RolledBack {
        /// The finding that caused it (`Code on Kind/name: message`).
        finding: String,
        /// What the undo did.
        undo: String,
        /// How the undo ended.
        result: StepResult,
    },
    /// A new critical problem appeared, but the change stays: no vetted call can undo it, or
    /// the person chose to keep it.
    Regressed {
        /// The finding.
        finding: String,
        /// Why it was not undone.
        reason: String,
    },
    /// Ctrl-C while watching; the person chose to keep the change (or could not be asked).
    StoppedWatching,
}

impl Verdict {
    /// One line for people.
    pub fn line(&self, window: Duration) -> String {
        match self {
            Verdict::NotApplied => "guard: the change was not applied, nothing to watch".to_string(),
            Verdict::Kept { checks } => format!(
                "guard: kept — no new critical problem within {} ({checks} checks)",
                crate::executor::human_duration(window)
            ),
            Verdict::RolledBack { finding, undo, result } => match result {
                StepResult::Ran(_) => format!("guard: rolled back — {finding}; undone: {undo}"),
                StepResult::Failed(error) => {
                    format!("guard: {finding}; the undo ({undo}) failed: {error}")
                }
                _ => format!("guard: {finding}; the undo ({undo}) did not run"),
            },
            Verdict::Regressed { finding, reason } => format!("guard: {finding}; not undone: {reason}"),
            Verdict::StoppedWatching => "guard: stopped watching; the change stays".to_string(),
        }
    }
}

/// The workloads a change touches, as `Kind/name` in a namespace, and the diagnose target that
/// covers them.
#[derive(Debug, Clone)]
struct Touched {
    namespace: String,
    /// `Deployment/api` …; empty means the whole namespace is watched.
    workloads: BTreeSet<String>,
    /// The diagnose target (a deployment), or the whole namespace.
    target: Option<String>,
    /// Deployments whose rollout to follow.
    rollouts: Vec<String>,
}

/// What a change touches: its deployment, or a Helm release's deployments.
async fn touched(call: &CheckedCall, ctx: &ToolContext) -> Option<Touched> {
    let Scope { namespace, target } = call.scope(ctx);
    let namespace = namespace?;
    let target = target?;
    match call.tool().touches() {
        Touches::Nothing => None,
        Touches::Release => {
            let cluster = ctx.cluster.get().await.ok()?;
            let workloads = cluster.workloads(&namespace).await.ok()?;
            let deployments: Vec<String> = workloads
                .deployments
                .iter()
                .filter(|d| d.metadata.labels.get("app.kubernetes.io/instance") == Some(&target))
                .map(|d| d.metadata.name.clone())
                .collect();
            Some(Touched {
                namespace,
                workloads: deployments.iter().map(|d| format!("Deployment/{d}")).collect(),
                target: None,
                rollouts: deployments,
            })
        }
        Touches::Deployment => Some(Touched {
            namespace,
            workloads: BTreeSet::from([format!("Deployment/{target}")]),
            target: Some(target.clone()),
            rollouts: vec![target],
        }),
    }
}

/// The critical findings on touched workloads, by identity.
async fn observe(touched: &Touched, ctx: &ToolContext) -> Option<Vec<Finding>> {
    let cluster = ctx.cluster.get().await.ok()?;
    let report =
        crate::diagnose::run(&cluster, &touched.namespace, touched.target.as_deref(), &ctx.limits).await.ok()?;
    Some(
        report
            .findings
            .into_iter()
            .filter(|finding| finding.severity == Severity::Critical)
            .filter(|finding| {
                touched.workloads.is_empty() || {
                    let owner = finding.workload.as_ref().unwrap_or(&finding.object).display();
                    touched.workloads.contains(&owner)
                }
            })
            .collect(),
    )
}

/// Failures a rollout does not recover from by waiting: its new pods cannot pull their image,
/// cannot be created or started, or crash.
fn fails_any_rollout(code: Code) -> bool {
    matches!(
        code,
        Code::ImagePullBackOff
            | Code::CreateContainerConfigError
            | Code::ContainerStartError
            | Code::CrashLoopBackOff
            | Code::OomKilled
            | Code::InitContainerFailing
    )
}

fn describe(finding: &Finding) -> String {
    format!("{} on {}: {}", finding.code, finding.object.display(), finding.message)
}

/// Runs `call` under `guard`: baseline, change, rollout, watch, undo on regression.
pub async fn run(
    executor: &mut Executor,
    call: &CheckedCall,
    guard: Guard,
    approver: &mut dyn Approver,
    renderer: &mut dyn Renderer,
) -> (StepResult, Verdict) {
    // One chain per change: `fix` opens it with the proposal; otherwise it starts here.
    let correlation = executor.correlation.clone().unwrap_or_else(crate::audit::new_id);
    let outer = executor.correlation.replace(correlation);
    let touched = touched(call, &executor.ctx).await;
    let baseline: BTreeSet<String> = match &touched {
        Some(touched) => {
            observe(touched, &executor.ctx).await.unwrap_or_default().iter().map(Finding::identity).collect()
        }
        None => BTreeSet::new(),
    };
    if executor.ctx.cluster.is_snapshot() {
        // A snapshot cannot change, so the change is refused; still say what the guard would
        // have done (reading a snapshot changes nothing).
        let mut prepared = call.clone();
        if prepared.prepare(&executor.ctx).await.is_ok() {
            let undo = prepared.undo(&executor.ctx).await.ok().flatten();
            renderer.render(TurnEvent::Notice(&format!(
                "guard (on a live cluster): would watch {} for {} after the change{}",
                touched.as_ref().map_or_else(String::new, |t| t
                    .workloads
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")),
                crate::executor::human_duration(guard.window),
                undo.map(|u| format!(" and {} if a new critical problem appeared", u.description)).unwrap_or_default()
            )));
        }
    }
    executor.guard = Some(guard.window);
    let result = executor.run_one(call, approver, &mut StepEvents(&mut *renderer)).await;
    executor.guard = None;
    let undo = executor.last.take().and_then(|prepared| prepared.undo);
    let verdict = match (&result, touched) {
        (StepResult::Ran(_), Some(touched)) => {
            renderer.render(TurnEvent::StepDone { call, result: &result });
            watch(executor, &touched, &baseline, undo, guard, approver, renderer).await
        }
        (StepResult::Ran(_), None) => {
            renderer.render(TurnEvent::StepDone { call, result: &result });
            Verdict::Regressed {
                finding: "the change has no workload to watch".into(),
                reason: "nothing was diagnosed".into(),
            }
        }
        _ => {
            renderer.render(TurnEvent::StepDone { call, result: &result });
            Verdict::NotApplied
        }
    };
    renderer.render(TurnEvent::Notice(&verdict.line(guard.window)));
    if !matches!(verdict, Verdict::NotApplied) {
        executor.audit_verdict(call, &verdict.line(guard.window), &mut StepEvents(&mut *renderer));
    }
    executor.correlation = outer;
    (result, verdict)
}

/// Follows the rollouts, then diagnoses at intervals until the window ends or a new critical
/// problem appears.
async fn watch(
    executor: &mut Executor,
    touched: &Touched,
    baseline: &BTreeSet<String>,
    undo: Option<Undo>,
    guard: Guard,
    approver: &mut dyn Approver,
    renderer: &mut dyn Renderer,
) -> Verdict {
    let started = tokio::time::Instant::now();
    let deadline = started + guard.window;
    let cancel = executor.ctx.cancel.clone();
    // Follow each rollout (bounded by the window). A rollout whose new pods cannot pull their
    // image or crash never completes, so the pods are looked at every interval meanwhile; only
    // failures no rollout recovers from count here (a probe failing while an app starts, or
    // fewer available replicas mid-rollout, are judged after it).
    for deployment in &touched.rollouts {
        let args = RolloutStatusArgs { deployment: deployment.clone(), namespace: Some(touched.namespace.clone()) };
        let Ok(call) = crate::tools::check_typed(&RolloutStatus, &args, &executor.ctx) else { continue };
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        let mut failed = None;
        {
            let follow = tokio::time::timeout(remaining, call.run(&executor.ctx));
            tokio::pin!(follow);
            loop {
                tokio::select! {
                    _ = &mut follow => break,
                    () = cancel.cancelled() => break,
                    () = tokio::time::sleep(guard.interval) => {
                        let found = observe(touched, &executor.ctx).await.unwrap_or_default();
                        let stuck = found.iter().filter(|finding| fails_any_rollout(finding.code));
                        if let Some(regression) = stuck.into_iter().find(|finding| !baseline.contains(&finding.identity())) {
                            failed = Some(describe(regression));
                            break;
                        }
                    }
                }
            }
        }
        if let Some(finding) = failed {
            return regressed(executor, finding, undo, guard, approver, renderer).await;
        }
    }
    let mut checks = 0;
    loop {
        if cancel.is_cancelled() {
            return stop_watching(executor, undo, approver, renderer).await;
        }
        checks += 1;
        let found = observe(touched, &executor.ctx).await.unwrap_or_default();
        if let Some(regression) = found.iter().find(|finding| !baseline.contains(&finding.identity())) {
            return regressed(executor, describe(regression), undo, guard, approver, renderer).await;
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Verdict::Kept { checks };
        }
        renderer.render(TurnEvent::Notice(&format!(
            "guard: check {checks}: no new critical problem; watching for {} more",
            crate::executor::human_duration(deadline - now)
        )));
        tokio::select! {
            () = tokio::time::sleep(guard.interval.min(deadline - now)) => {}
            () = cancel.cancelled() => {}
        }
    }
}

/// A new critical problem: undo (at once, or after asking), or say why not.
async fn regressed(
    executor: &mut Executor,
    finding: String,
    undo: Option<Undo>,
    guard: Guard,
    approver: &mut dyn Approver,
    renderer: &mut dyn Renderer,
) -> Verdict {
    let Some(undo) = undo else {
        return Verdict::Regressed { finding, reason: "no vetted call can undo this change".into() };
    };
    if !guard.automatic {
        let question = format!(
            "? a new critical problem appeared after the change: {finding}\n  undo it ({})? [y]es / [N]o: ",
            undo.description
        );
        if !matches!(approver.ask(&question), Decision::Approved | Decision::ApprovedForSession) {
            return Verdict::Regressed { finding, reason: "you chose to keep the change".into() };
        }
    }
    renderer.render(TurnEvent::Notice(&format!("guard: {finding} — undoing: {}", undo.description)));
    let result = apply_undo(executor, &undo, approver, renderer).await;
    Verdict::RolledBack { finding, undo: undo.description, result }
}

/// Ctrl-C while watching: ask whether to keep or undo.
async fn stop_watching(
    executor: &mut Executor,
    undo: Option<Undo>,
    approver: &mut dyn Approver,
    renderer: &mut dyn Renderer,
) -> Verdict {
    let Some(undo) = undo else { return Verdict::StoppedWatching };
    let question = format!("? stopped watching the change: undo it ({})? [y]es / [N]o (keep it): ", undo.description);
    if !executor.policy.terminal || !matches!(approver.ask(&question), Decision::Approved) {
        renderer.render(TurnEvent::Notice(&format!(
            "guard: to undo later, run `{}`",
            undo.check(&executor.ctx).ok().and_then(|call| call.command_line(&executor.ctx)).unwrap_or_default()
        )));
        return Verdict::StoppedWatching;
    }
    // The Ctrl-C was for the watching, not for the undo the person just asked for.
    executor.ctx.cancel = tokio_util::sync::CancellationToken::new();
    let result = apply_undo(executor, &undo, approver, renderer).await;
    Verdict::RolledBack { finding: "stopped watching".into(), undo: undo.description, result }
}

/// Runs the undo: approving the change approved it, so it is not asked again (refusals by
/// `--read-only` or a snapshot still stand); audited under the same correlation id.
async fn apply_undo(
    executor: &mut Executor,
    undo: &Undo,
    approver: &mut dyn Approver,
    renderer: &mut dyn Renderer,
) -> StepResult {
    let call = match undo.check(&executor.ctx) {
        Ok(call) => call,
        Err(error) => return StepResult::Failed(error),
    };
    let saved = executor.policy.clone();
    executor.policy.assume_yes = true;
    let result = executor.run_one(&call, approver, &mut StepEvents(&mut *renderer)).await;
    executor.policy = saved;
    renderer.render(TurnEvent::StepDone { call: &call, result: &result });
    result
}
