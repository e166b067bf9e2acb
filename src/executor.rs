//! Runs checked tool calls under the approval policy: decide, ask when needed, run, audit.
//! The CLI's one-shot commands, `ask` and the REPL all go through [`Executor::run_all`], so
//! there is exactly one path from a plan to a change; the MCP server takes the same path
//! through [`Executor::run_one_async`], with the client's elicitation as the approver.

use std::future::Future;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::pin::Pin;

use serde_json::{Value, json};

use crate::audit::Outcome;

use crate::approval::{self, Decision, Policy, Requirement};
use crate::audit;
use crate::error::ExitStatus;
use crate::tools::{CheckedCall, ToolContext, ToolError, ToolOutput};

/// Something the executor reports while it works. The executor never prints: front ends
/// render these (the CLI and REPL on stderr, `up` in its own layout, the MCP server into its
/// log).
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A changing call runs as a dry run; this is what it would do (the prepared preview).
    DryRun {
        /// The tool.
        tool: &'a str,
        /// What it would do.
        preview: &'a str,
    },
    /// The person said no.
    NotApproved {
        /// The tool.
        tool: &'a str,
    },
    /// A step did not run, so the rest of the plan was not run either.
    Skipped {
        /// How many steps were left.
        remaining: usize,
    },
    /// The audit log could not be written (the change itself happened or not regardless).
    AuditFailed {
        /// The log.
        path: &'a std::path::Path,
        /// Why.
        error: &'a str,
    },
}

impl Event<'_> {
    /// The event as one line of text.
    pub fn text(&self) -> String {
        match self {
            Event::DryRun { tool, preview } => format!("dry run: {tool} would {preview}"),
            Event::NotApproved { tool } => format!("not approved: {tool} was not run"),
            Event::Skipped { remaining } => format!("skipped the remaining {remaining} step(s)"),
            Event::AuditFailed { path, error } => {
                format!("warning: could not write the audit log `{}`: {error}", path.display())
            }
        }
    }
}

/// Where executor events go.
pub trait EventSink {
    /// Takes one event.
    fn event(&mut self, event: Event<'_>);
}

/// Any writer renders events as lines of text, made safe for a terminal.
impl<W: Write + ?Sized> EventSink for W {
    fn event(&mut self, event: Event<'_>) {
        let _ = writeln!(self, "{}", crate::sanitize::terminal(&event.text()));
    }
}

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

/// An approval question, as data, for approvers that render it themselves (an MCP client's
/// elicitation dialog rather than a terminal line).
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The tool.
    pub tool: String,
    /// What the call will do, after [`CheckedCall::prepare`] ("scale deployment
    /// todo/todo-backend from 2 to 3 replicas").
    pub preview: String,
    /// What the call risks ("changes the cluster").
    pub reason: String,
    /// Where it acts ("context minikube, namespace todo").
    pub target: String,
    /// The prepared arguments the answer approves.
    pub args: Value,
}

impl Question {
    /// The question as the terminal shows it.
    pub fn prompt_text(&self) -> String {
        approval::prompt_text(&self.tool, &self.preview, &self.reason, &self.target)
    }
}

/// The future an [`AsyncApprover`] returns.
pub type AnswerFuture<'a> = Pin<Box<dyn Future<Output = Option<Decision>> + Send + 'a>>;

/// Asks a person without blocking the runtime: an MCP client, through elicitation.
pub trait AsyncApprover: Send {
    /// Puts `question` to the person. `None` means the answer cannot be had within this
    /// request (it arrives with a later one): the call neither runs nor is audited, and
    /// [`Executor::run_one_async`] returns [`AsyncStep::Pending`]. Implementations must
    /// deny (not return `None`) when the person could not be reached.
    fn ask<'a>(&'a mut self, question: &'a Question) -> AnswerFuture<'a>;
}

/// How [`Executor::run_one_async`] ended.
#[derive(Debug)]
pub enum AsyncStep {
    /// The call was decided: it ran, ran dry, was denied, refused or failed (and a changing
    /// call was audited), exactly as [`Executor::run_one`] would.
    Done(StepResult),
    /// The approver has no answer yet; nothing ran. This is the question to put.
    Pending(Question),
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
        let mut value = json!({"tool": call.name(), "args": call.args(), "outcome": outcome, "result": detail});
        crate::redact::json(&mut value);
        value
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
    /// The correlation id audit lines carry while set (a change, its verification and undo).
    pub correlation: Option<String>,
    /// When set, changes are guarded for this long: the undo is read before each change and
    /// the question says what it is (the engine's guard watches and applies it).
    pub guard: Option<std::time::Duration>,
    /// The last changing call as prepared, and its undo when guarded.
    pub last: Option<Prepared>,
}

/// A changing call as it was prepared (resolved names, current state) and, when guarded, the
/// call that would undo it.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The prepared call.
    pub call: CheckedCall,
    /// Its undo, when the change is guarded and one exists.
    pub undo: Option<crate::tools::Undo>,
}

impl Executor {
    /// An executor for a policy and context, auditing to `audit_log`.
    pub fn new(policy: Policy, ctx: ToolContext, audit_log: Option<PathBuf>) -> Executor {
        Executor { policy, ctx, audit_log, correlation: None, guard: None, last: None }
    }
}

/// Words for a guard window: `90s`, `2m`, `1m30s`, `1h`.
pub fn human_duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

impl Executor {
    /// Runs calls in order. Stops at the first call that is denied, forbidden or fails, since
    /// later steps usually depend on earlier ones ("build it and deploy").
    pub async fn run_all(
        &mut self,
        calls: &[CheckedCall],
        approver: &mut dyn Approver,
        events: &mut dyn EventSink,
    ) -> Vec<StepResult> {
        let mut results = Vec::with_capacity(calls.len());
        for (index, call) in calls.iter().enumerate() {
            let result = self.run_one(call, approver, events).await;
            let stop = !matches!(result, StepResult::Ran(_) | StepResult::DryRun(_));
            results.push(result);
            if stop {
                let skipped = calls.len() - index - 1;
                if skipped > 0 {
                    events.event(Event::Skipped { remaining: skipped });
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
        events: &mut dyn EventSink,
    ) -> StepResult {
        match self.decide_and_run(call, &mut TerminalAsk(approver), events).await {
            AsyncStep::Done(result) => result,
            // A terminal approver always answers; should one not, nothing runs.
            AsyncStep::Pending(_) => StepResult::Denied,
        }
    }

    /// [`Executor::run_one`] with an asynchronous approver, for servers whose futures must be
    /// `Send` (the MCP server). The same decisions, previews, runs and audit lines.
    pub async fn run_one_async(
        &mut self,
        call: &CheckedCall,
        approver: &mut dyn AsyncApprover,
        events: &mut (dyn EventSink + Send),
    ) -> AsyncStep {
        self.decide_and_run(call, &mut RemoteAsk(approver), events).await
    }

    /// The one path from a checked call to its result: decide, prepare, ask, run, audit.
    async fn decide_and_run<A: Ask, W: EventSink + ?Sized>(
        &mut self,
        call: &CheckedCall,
        asker: &mut A,
        events: &mut W,
    ) -> AsyncStep {
        let id = crate::audit::new_id();
        // After Ctrl-C nothing new starts.
        if self.ctx.cancel.is_cancelled() {
            let message = "not started: the request was cancelled (Ctrl-C)".to_string();
            return AsyncStep::Done(StepResult::Failed(crate::tools::ToolError::Cancelled {
                tool: call.name(),
                message,
            }));
        }
        // A call the policy refuses is refused before anything runs for it — not even the
        // read-only preparation (helm status, cluster reads) — with its static preview.
        let requirement = self.requirement(call);
        if let Requirement::Forbidden { reason } = requirement {
            let result = StepResult::Forbidden(format!("{reason}; it would {}", call.preview()));
            if !call.effect().is_read_only() {
                self.audit(&id, call, &result, events);
            }
            return AsyncStep::Done(result);
        }
        if call.effect().is_read_only() {
            return AsyncStep::Done(self.run(call).await);
        }
        // A changing call first resolves its target and reads current state (read-only), so
        // the question and the audit line name the real object and the real change.
        let mut prepared = call.clone();
        if let Err(error) = prepared.prepare(&self.ctx).await {
            let result = StepResult::Failed(error);
            self.audit(&id, call, &result, events);
            return AsyncStep::Done(result);
        }
        // A guarded change reads its undo now, before anything changes, and the question says
        // what it will be: approving the change approves its undo.
        let mut undo = None;
        if let Some(window) = self.guard {
            undo = prepared.undo(&self.ctx).await.ok().flatten();
            let guard = match &undo {
                Some(undo) => format!(
                    " — guarded: will {} if a new critical problem appears within {}",
                    undo.description,
                    human_duration(window)
                ),
                None => format!(
                    " — guarded for {} (watched; no vetted call can undo this change automatically)",
                    human_duration(window)
                ),
            };
            prepared.append_to_preview(&guard);
        }
        self.last = Some(Prepared { call: prepared.clone(), undo });
        let call = &prepared;
        // The resolved object decides whether an "always" answer covers it.
        let result = match self.requirement(call) {
            Requirement::Skip { .. } => self.run_audited(&id, call, events).await,
            // The executor, not the tool, decides: under --dry-run `run` is never called. The
            // prepared preview (what the question would have said) is shown too.
            Requirement::DryRun => {
                events.event(Event::DryRun { tool: call.name(), preview: call.preview() });
                match call.dry_run(&self.ctx).await {
                    Ok(output) => StepResult::DryRun(output.text),
                    Err(error) => StepResult::Failed(error),
                }
            }
            Requirement::NeedsApproval { reason } => {
                let question = self.question(call, &reason);
                match asker.ask(&question).await {
                    None => return AsyncStep::Pending(question),
                    Some(Decision::Approved) => self.run_audited(&id, call, events).await,
                    Some(Decision::ApprovedForSession) => {
                        let scope = call.scope(&self.ctx);
                        self.policy.approve_for_session(call.name(), scope);
                        self.run_audited(&id, call, events).await
                    }
                    Some(Decision::Denied) => {
                        events.event(Event::NotApproved { tool: call.name() });
                        StepResult::Denied
                    }
                }
            }
            Requirement::Forbidden { reason } => {
                StepResult::Forbidden(format!("{reason}; it would {}", call.preview()))
            }
        };
        self.audit(&id, call, &result, events);
        AsyncStep::Done(result)
    }

    /// What the policy requires for a call, from where it acts and who proposed it.
    pub fn requirement(&self, call: &CheckedCall) -> Requirement {
        let scope = call.scope(&self.ctx);
        let command_line = call.command_line(&self.ctx);
        approval::requirement_for(
            &self.policy,
            &approval::Request {
                tool: call.name(),
                effect: call.effect(),
                scope: &scope,
                origin: call.origin(),
                session_namespace: &self.ctx.namespace,
                command_line: command_line.as_deref(),
            },
        )
    }

    /// Runs an approved change between its two audit lines: `started` first, so a change
    /// that is interrupted still leaves a record; the caller writes the outcome.
    async fn run_audited<W: EventSink + ?Sized>(&self, id: &str, call: &CheckedCall, events: &mut W) -> StepResult {
        self.write_audit(id, call, Outcome::Started, events);
        self.run(call).await
    }

    /// The approval question for a (prepared) call.
    fn question(&self, call: &CheckedCall, reason: &str) -> Question {
        let namespace = self.namespace_of(call);
        let target = match self.ctx.kube_context() {
            Some(context) => format!("context {context}, namespace {namespace}"),
            None => format!("namespace {namespace}"),
        };
        Question {
            tool: call.name().to_string(),
            preview: call.preview().to_string(),
            reason: reason.to_string(),
            target,
            args: call.args().clone(),
        }
    }

    async fn run(&self, call: &CheckedCall) -> StepResult {
        match call.run(&self.ctx).await {
            Ok(output) => StepResult::Ran(output),
            Err(error) => StepResult::Failed(error),
        }
    }

    fn namespace_of(&self, call: &CheckedCall) -> String {
        call.scope(&self.ctx).namespace.unwrap_or_else(|| self.ctx.namespace.clone())
    }

    /// Appends the audit line for a call and how it ended (an event when the log cannot be
    /// written). [`Executor::run_one`] does this for every changing call; servers
    /// that also record read-only calls use it directly.
    pub fn audit<W: EventSink + ?Sized>(&self, id: &str, call: &CheckedCall, result: &StepResult, events: &mut W) {
        let outcome = match result {
            StepResult::Ran(_) => Outcome::Ok,
            StepResult::DryRun(_) => Outcome::DryRun,
            StepResult::Denied => Outcome::Denied,
            StepResult::Forbidden(reason) => Outcome::Forbidden(reason.clone()),
            StepResult::Failed(error) => Outcome::Error(error.to_string()),
        };
        self.write_audit(id, call, outcome, events);
    }

    /// Records a guard's verdict on a change, under the change's correlation id.
    pub fn audit_verdict<W: EventSink + ?Sized>(&self, call: &CheckedCall, verdict: &str, events: &mut W) {
        self.write_audit(&audit::new_id(), call, Outcome::Verdict(verdict.to_string()), events);
    }

    /// Records that `fix` proposed a call (the finding and why), under the current
    /// correlation id, so the proposal, the change and its verdict read as one chain.
    pub fn audit_proposal<W: EventSink + ?Sized>(&self, call: &CheckedCall, proposal: &str, events: &mut W) {
        self.write_audit(&audit::new_id(), call, Outcome::Proposed(proposal.to_string()), events);
    }

    fn write_audit<W: EventSink + ?Sized>(&self, id: &str, call: &CheckedCall, outcome: Outcome, events: &mut W) {
        let Some(path) = &self.audit_log else { return };
        let namespace = self.namespace_of(call);
        let entry = audit::Entry {
            time: audit::now_rfc3339(),
            id,
            correlation: self.correlation.as_deref(),
            context: self.ctx.kube_context(),
            namespace: &namespace,
            tool: call.name(),
            args: call.args().clone(),
            outcome,
        };
        if let Err(error) = audit::append(path, entry) {
            // The change itself already happened (or not); say the record is missing.
            events.event(Event::AuditFailed { path, error: &error.to_string() });
        }
    }
}

/// How the executor puts a question, whichever kind of approver answers it.
trait Ask {
    /// The answer, or `None` when it is not available yet.
    async fn ask(&mut self, question: &Question) -> Option<Decision>;
}

/// A blocking [`Approver`] (the terminal, the REPL's editor): always answers.
struct TerminalAsk<'a>(&'a mut dyn Approver);

impl Ask for TerminalAsk<'_> {
    async fn ask(&mut self, question: &Question) -> Option<Decision> {
        Some(self.0.ask(&question.prompt_text()))
    }
}

/// An [`AsyncApprover`].
struct RemoteAsk<'a>(&'a mut dyn AsyncApprover);

impl Ask for RemoteAsk<'_> {
    async fn ask(&mut self, question: &Question) -> Option<Decision> {
        self.0.ask(question).await
    }
}
