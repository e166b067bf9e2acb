//! The MCP server handler: lists the registry's tools and runs calls through the same check,
//! policy, executor and audit log as the CLI. Nothing here decides whether a call may run —
//! [`crate::approval::requirement`] does, inside [`Executor::run_one_async`]; this file
//! translates between MCP and the executor: who can be asked, how the question travels, and
//! how results (and refusals) come back as tool results.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ElicitResult, Implementation, InputRequest,
    InputRequests, InputRequiredResult, ListToolsResult, PaginatedRequestParams, ProtocolVersion, ServerCapabilities,
    ServerConfig, Tool as McpTool,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::Value;

use super::approve::{self, NobodyToAsk, Pending, RetryApprover, SessionApprover};
use super::catalog;
use super::output;
use crate::approval::{self, Decision, Policy, Requirement};
use crate::error::CliError;
use crate::executor::{AsyncStep, Executor, StepResult};
use crate::settings::Settings;
use crate::tools::{self, CheckedCall, DynTool, ToolContext, ToolError};

/// How the server was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerOptions {
    /// Offer the tools that change things (`--allow-changes`).
    pub allow_changes: bool,
    /// The cap on a result's text, in bytes.
    pub max_output: usize,
}

impl Default for ServerOptions {
    fn default() -> ServerOptions {
        ServerOptions { allow_changes: false, max_output: output::DEFAULT_MAX_TEXT }
    }
}

/// The todo-ai MCP server. Cheap to clone: every session of the HTTP transport shares one.
#[derive(Clone)]
pub struct TodoAiServer {
    inner: Arc<Inner>,
}

struct Inner {
    /// Where tools run (one cluster connection for every session).
    ctx: ToolContext,
    /// The session policy from the flags; `terminal` is decided per call.
    policy: Policy,
    audit_log: Option<PathBuf>,
    options: ServerOptions,
    /// Approval questions sent in `input_required` results, not answered yet.
    pending: Pending,
    instructions: String,
}

impl TodoAiServer {
    /// A server for these settings: the same tool context and policy as the CLI's.
    pub fn new(settings: &Settings, options: ServerOptions) -> TodoAiServer {
        let ctx = crate::commands::tool_context(settings);
        let mut policy = crate::commands::policy(settings);
        // Whether a person can be asked is the client's business (elicitation), not the
        // server process's terminal.
        policy.terminal = false;
        let instructions = instructions(&ctx, &policy, options);
        TodoAiServer {
            inner: Arc::new(Inner {
                ctx,
                policy,
                audit_log: settings.audit_log.clone(),
                options,
                pending: Pending::default(),
                instructions,
            }),
        }
    }

    /// Whether a tool is listed and callable: read-only tools always; changing tools with
    /// `--allow-changes`, unless `--read-only` forbids them anyway.
    pub fn offers(&self, tool: &dyn DynTool) -> bool {
        tool.effect().is_read_only() || (self.inner.options.allow_changes && !self.inner.policy.read_only)
    }

    /// The tools this server lists, in catalogue order.
    pub fn tools(&self) -> Vec<McpTool> {
        tools::all().iter().filter(|tool| self.offers(**tool)).map(|tool| catalog::definition(*tool)).collect()
    }

    /// Runs one `tools/call`. Every failure is a tool result with `isError`, never a
    /// protocol error: the model reads it and can correct itself.
    pub async fn call(&self, request: CallToolRequestParams, context: &RequestContext<RoleServer>) -> CallToolResponse {
        let name = request.name.to_string();
        let Some(tool) = tools::find(&name) else {
            return failure(&CliError::from(ToolError::UnknownTool { name }), self.max_output());
        };
        // The registry's typed check first: nothing runs on arguments it refuses.
        let arguments = request.arguments.clone().map_or(Value::Null, Value::Object);
        let call = match tools::check_tool(tool, arguments, &self.inner.ctx) {
            Ok(call) => call.with_origin(tools::Origin::Client),
            Err(error) => return failure(&CliError::from(error), self.max_output()),
        };
        let offered = self.offers(tool);
        let can_ask = client_can_elicit(context);
        let mut policy = self.inner.policy.clone();
        policy.terminal = can_ask;
        // A tool that is not offered is refused by the policy, so the refusal is audited
        // like any other.
        policy.read_only |= !offered;
        let mut executor = Executor::new(policy, self.inner.ctx.clone(), self.inner.audit_log.clone());
        let mut log = Vec::new();
        let mut no_answer = None;
        let step = if !can_ask {
            executor.run_one_async(&call, &mut NobodyToAsk, &mut log).await
        } else if asks_by_retry(context) {
            let mut approver = RetryApprover::new(self.answer(&request));
            executor.run_one_async(&call, &mut approver, &mut log).await
        } else {
            let mut approver = SessionApprover::new(context.peer.clone());
            let step = executor.run_one_async(&call, &mut approver, &mut log).await;
            no_answer = approver.failure;
            step
        };
        if call.effect().is_read_only()
            && let AsyncStep::Done(result) = &step
        {
            // The CLI audits changes only; a client is an agent acting for someone, so what
            // it read is recorded too (one appended line per call).
            executor.audit(&crate::audit::new_id(), &call, result, &mut log);
        }
        if !log.is_empty() {
            // stdout is the MCP channel; the executor's notes go to stderr.
            let _ = std::io::stderr().write_all(&log);
        }
        match step {
            AsyncStep::Pending(question) => {
                let state = self.inner.pending.record(&question);
                let requests = InputRequests::from([(
                    approve::INPUT_KEY.to_string(),
                    InputRequest::Elicitation(approve::elicitation_request(&question)),
                )]);
                CallToolResponse::InputRequired(InputRequiredResult::new(Some(requests), Some(state)))
            }
            AsyncStep::Done(result) => {
                let refusal = Refusal { offered, can_ask, read_only_flag: self.inner.policy.read_only };
                self.result(&call, result, &executor.policy, refusal, no_answer)
            }
        }
    }

    fn max_output(&self) -> usize {
        self.inner.options.max_output
    }

    /// The answer a retried call brings, with the question it answers.
    fn answer(&self, request: &CallToolRequestParams) -> Option<(u64, Decision)> {
        let asked = self.inner.pending.take(request.request_state.as_deref()?)?;
        let response = request.input_responses.as_ref()?.get(approve::INPUT_KEY)?;
        let decision = match serde_json::from_value::<ElicitResult>(response.clone()) {
            Ok(result) => approve::decision(&result.action),
            // An answer that is not an elicitation result is no.
            Err(_) => Decision::Denied,
        };
        Some((asked, decision))
    }

    fn result(
        &self,
        call: &CheckedCall,
        result: StepResult,
        policy: &Policy,
        refusal: Refusal,
        no_answer: Option<String>,
    ) -> CallToolResponse {
        let mut data = Some(result.to_json(call));
        let max = self.max_output();
        let (text, is_error) = match result {
            StepResult::Ran(output) => (output.text, false),
            StepResult::DryRun(text) => (text, false),
            StepResult::Denied => (
                match no_answer {
                    Some(why) => format!("not approved: `{}` was not run — {why}", call.name()),
                    None => format!("not approved: `{}` was not run (declined)", call.name()),
                },
                true,
            ),
            StepResult::Forbidden(reason) => (refusal.message(call, &reason, policy), true),
            // The CLI's rendering: message, cause, hint.
            StepResult::Failed(error) => (rendered(&CliError::from(error)), true),
        };
        if is_error && let Some(Value::Object(map)) = &mut data {
            // The data says what the text says, not the executor's wording behind it.
            map.insert("result".into(), Value::String(text.clone()));
        }
        let body = output::body(&text, data, max);
        let content = vec![ContentBlock::text(body.text)];
        let mut result = if is_error { CallToolResult::error(content) } else { CallToolResult::success(content) };
        result.structured_content = body.data;
        CallToolResponse::Complete(result)
    }
}

/// Why a refused call was refused, for the message.
#[derive(Debug, Clone, Copy)]
struct Refusal {
    offered: bool,
    can_ask: bool,
    read_only_flag: bool,
}

impl Refusal {
    fn message(self, call: &CheckedCall, reason: &str, policy: &Policy) -> String {
        // What the call would have done, as the executor worded it.
        let would = reason.find("; it would ").map_or("", |at| &reason[at..]);
        if !self.offered && !self.read_only_flag {
            return format!(
                "refused: `{}` is not offered by this MCP server, which serves read-only tools only — restart it with `todo-ai mcp --allow-changes` to offer changing tools (each change is still confirmed){would}",
                call.name()
            );
        }
        let askable = Policy { terminal: true, ..policy.clone() };
        let needs_a_person =
            matches!(approval::requirement(&askable, call.name(), call.effect()), Requirement::NeedsApproval { .. });
        if !self.can_ask && needs_a_person {
            return format!(
                "refused: `{}` needs approval, and this MCP client cannot ask you (it does not support elicitation) — re-run the server with `--yes` (`todo-ai mcp --allow-changes --yes`) to approve changes without asking, or with `--dry-run` to preview them{would}",
                call.name()
            );
        }
        format!("refused: {reason}")
    }
}

/// The CLI's rendering of an error (`error: …`, `caused by: …`, `hint: …`), without the
/// trailing newline.
fn rendered(error: &CliError) -> String {
    let mut text = error.render();
    text.truncate(text.trim_end().len());
    text
}

/// An error result for a call that never reached the executor (unknown tool, bad arguments).
fn failure(error: &CliError, max: usize) -> CallToolResponse {
    let body = output::body(&rendered(error), None, max);
    CallToolResponse::Complete(CallToolResult::error(vec![ContentBlock::text(body.text)]))
}

/// Whether the client declared form elicitation, for this request (2026-07-28 carries
/// capabilities per request) or the session.
fn client_can_elicit(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .and_then(|capabilities| capabilities.elicitation)
        // No mode named means form, as the spec says for older clients.
        .is_some_and(|elicitation| elicitation.form.is_some() || elicitation.url.is_none())
}

/// Whether questions travel as `input_required` results (2026-07-28 and later forbid
/// server-to-client requests) rather than as `elicitation/create` requests.
fn asks_by_retry(context: &RequestContext<RoleServer>) -> bool {
    context.protocol_version().is_some_and(|version| version.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}

fn instructions(ctx: &ToolContext, policy: &Policy, options: ServerOptions) -> String {
    let cluster = match &policy.snapshot {
        Some(path) => format!("a saved snapshot (`{path}`), which cannot be changed"),
        None => match ctx.kube_context() {
            Some(context) => format!("kube context `{context}`"),
            None => "the current kube context".to_string(),
        },
    };
    let changes = if policy.read_only || !options.allow_changes {
        "Only read-only tools are offered."
    } else if policy.dry_run {
        "Changing tools run as dry runs: they show what would change and change nothing."
    } else if policy.assume_yes {
        "Changing tools run without asking (the server was started with --yes)."
    } else {
        "Each changing call asks the person to approve it first (elicitation) and is refused when they cannot be asked."
    };
    format!(
        "todo-ai operates the Todo app on Kubernetes through vetted, typed tools: {cluster}, default namespace `{namespace}`. \
         Start with `diagnose` when something is broken and `status` for an overview. {changes} \
         Results are redacted and capped at {max} bytes.",
        namespace = ctx.namespace,
        max = options.max_output
    )
}

impl rmcp::ServerHandler for TodoAiServer {
    fn get_info(&self) -> ServerConfig {
        let mut implementation = Implementation::new("todo-ai", env!("CARGO_PKG_VERSION"));
        implementation.title = Some("todo-ai".into());
        implementation.description = Some(env!("CARGO_PKG_DESCRIPTION").into());
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation)
            .with_instructions(self.inner.instructions.clone())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    fn get_tool(&self, name: &str) -> Option<McpTool> {
        tools::find(name).filter(|tool| self.offers(*tool)).map(catalog::definition)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        Ok(self.call(request, &context).await)
    }
}
