//! The MCP server driven by a real MCP client (rmcp's): the binary `todo-ai mcp` over stdio
//! (child process; HTTP is in `mcp_http`), and the server in process over a duplex pipe with
//! the 2026-07-28 lifecycle (questions as `input_required` results). Asserts the tool list is
//! the registry's, read-only by default; read calls return real snapshot content; changes are
//! refused, confirmed by elicitation, or dry runs exactly as the policy says; errors are tool
//! results; output is redacted and capped; and the audit log records every call.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, Implementation, InputRequest, JsonObject, ProtocolVersion, Tool,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt as _, RequestContext, RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, ServiceExt as _};
use serde_json::{Value, json};
use tempfile::TempDir;
use todo_ai::cli::GlobalArgs;
use todo_ai::mcp::{ServerOptions, TodoAiServer};
use todo_ai::settings::{self, ConfigFile};
use todo_ai::tools;

use crate::support::audit_lines;

pub const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/manifests/examples/todo-snapshot.yaml");
const FASTAPI_APP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/apps/fastapi-requirements");

/// A test MCP client: declares elicitation when it has an answer, records every question.
#[derive(Clone, Default)]
pub struct Client {
    answer: Option<ElicitationAction>,
    questions: Arc<Mutex<Vec<String>>>,
}

impl Client {
    pub fn answering(answer: ElicitationAction) -> Client {
        Client { answer: Some(answer), ..Client::default() }
    }

    pub fn questions(&self) -> Vec<String> {
        self.questions.lock().unwrap().clone()
    }
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientConfig {
        let capabilities = match self.answer {
            Some(_) => ClientCapabilities::builder().enable_elicitation().build(),
            None => ClientCapabilities::default(),
        };
        ClientConfig::new(capabilities, Implementation::new("todo-ai-tests", "1.0.0"))
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::FormElicitationParams { message, requested_schema, .. } = request else {
            panic!("todo-ai asks with forms");
        };
        assert!(requested_schema.properties.is_empty(), "the answer is the action alone");
        self.questions.lock().unwrap().push(message);
        Ok(ElicitResult::new(self.answer.clone().unwrap_or(ElicitationAction::Decline)))
    }
}

/// `todo-ai <args>` isolated under `home` (as `support::todo_ai`), as a tokio command.
pub fn command(home: &TempDir, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(assert_cmd::cargo::cargo_bin("todo-ai"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TODO_AI_")
            || name.starts_with("OPENAI_")
            || name.starts_with("DOCKER_")
            || name == "KUBECONFIG"
        {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("NO_COLOR", "1");
    command
}

/// The binary as an MCP server on stdio, with `client` connected to it.
async fn serve_binary(home: &TempDir, args: &[&str], client: Client) -> RunningService<RoleClient, Client> {
    let (transport, _) = TokioChildProcess::builder(command(home, args)).stderr(Stdio::null()).spawn().unwrap();
    client.serve(transport).await.unwrap()
}

/// Settings as the binary would resolve them from `flags` in `home`.
fn settings_in(home: &TempDir, flags: GlobalArgs) -> settings::Settings {
    let audit = home.path().join("state/todo-ai/audit.jsonl");
    let env = move |name: &str| (name == "TODO_AI_AUDIT_LOG").then(|| audit.display().to_string());
    settings::resolve(&flags, &env, &ConfigFile::default(), home.path().to_path_buf()).unwrap()
}

/// The server in process, `client` connected over a duplex pipe with `lifecycle`.
async fn serve_in_process(
    server: TodoAiServer,
    client: Client,
    lifecycle: ClientLifecycleMode,
) -> RunningService<RoleClient, Client> {
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    client.serve_with_lifecycle(client_io, lifecycle).await.unwrap()
}

/// The 2026-07-28 lifecycle: no `initialize`, no server-to-client requests.
fn inline_lifecycle() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover { preferred_versions: vec![ProtocolVersion::V_2026_07_28] }
}

fn arguments(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments are an object, not {other}"),
    }
}

pub async fn call(client: &RunningService<RoleClient, Client>, tool: &str, args: Value) -> CallToolResult {
    client.call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments(args))).await.unwrap()
}

pub fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|content| content.as_text()).map(|text| text.text.as_str()).collect()
}

pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// A copy of the FastAPI fixture at `home/app`.
pub fn fastapi_app(home: &TempDir) -> PathBuf {
    let app = home.path().join("app");
    crate::support::copy_dir(Path::new(FASTAPI_APP), &app);
    app
}

fn names(tools: &[Tool]) -> Vec<String> {
    tools.iter().map(|tool| tool.name.to_string()).collect()
}

#[tokio::test]
async fn lists_the_registrys_read_only_tools_by_default() {
    let home = tempfile::tempdir().unwrap();
    let client = serve_binary(&home, &["--snapshot", EXAMPLE, "mcp"], Client::default()).await;
    let listed = client.list_all_tools().await.unwrap();
    let read_only: Vec<_> = tools::all().iter().filter(|tool| tool.effect().is_read_only()).collect();
    assert_eq!(names(&listed), read_only.iter().map(|tool| tool.name().to_string()).collect::<Vec<_>>());
    assert_eq!(listed.len(), 5);
    for (mcp, tool) in listed.iter().zip(&read_only) {
        assert_eq!(mcp.description.as_deref(), Some(tool.description()));
        assert_eq!(Value::Object((*mcp.input_schema).clone()), tool.schema(), "{}", tool.name());
        let annotations = mcp.annotations.clone().unwrap();
        assert_eq!(annotations.read_only_hint, Some(true), "{}", tool.name());
        assert_eq!(annotations.destructive_hint, None, "{}", tool.name());
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn allow_changes_lists_every_tool_with_its_hints() {
    let home = tempfile::tempdir().unwrap();
    let client = serve_binary(&home, &["--snapshot", EXAMPLE, "mcp", "--allow-changes"], Client::default()).await;
    let listed = client.list_all_tools().await.unwrap();
    assert_eq!(names(&listed), tools::all().iter().map(|tool| tool.name().to_string()).collect::<Vec<_>>());
    let hints = |name: &str| listed.iter().find(|tool| tool.name == name).unwrap().annotations.clone().unwrap();
    for tool in tools::all() {
        assert_eq!(hints(tool.name()), todo_ai::mcp::annotations(*tool), "{}", tool.name());
        assert_eq!(hints(tool.name()).read_only_hint, Some(tool.effect().is_read_only()), "{}", tool.name());
    }
    for idempotent in ["scale", "set_image", "autoscale", "helm_install", "generate_dockerfile"] {
        assert_eq!(hints(idempotent).idempotent_hint, Some(true), "{idempotent}");
    }
    for repeated in ["rollout_restart", "rollout_undo", "helm_rollback", "build_image"] {
        assert_eq!(hints(repeated).idempotent_hint, Some(false), "{repeated}");
    }
    assert_eq!(hints("build_image").destructive_hint, Some(false));
    assert_eq!(hints("rollout_undo").destructive_hint, Some(true));

    // `--read-only` still wins over `--allow-changes`.
    let client =
        serve_binary(&home, &["--snapshot", EXAMPLE, "--read-only", "mcp", "--allow-changes"], Client::default()).await;
    assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
    let refused = call(&client, "scale", json!({"deployment": "backend", "replicas": 3})).await;
    assert!(is_error(&refused));
    assert!(text(&refused).starts_with("refused: read-only mode: `scale` changes the cluster"), "{}", text(&refused));
}

#[tokio::test]
async fn status_and_diagnose_read_the_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let client = serve_binary(&home, &["--snapshot", EXAMPLE, "mcp"], Client::default()).await;

    let status = call(&client, "status", json!({})).await;
    assert!(!is_error(&status), "{}", text(&status));
    let body = text(&status);
    assert!(body.contains("todo-backend    0/2     2            0"), "{body}");
    assert!(body.contains("CrashLoopBackOff") && body.contains("ImagePullBackOff"), "{body}");
    let data = status.structured_content.clone().unwrap();
    assert_eq!(data["outcome"], "ok");
    assert_eq!(data["result"]["namespace"], "todo");
    assert_eq!(data["result"]["pods"].as_array().unwrap().len(), 3);

    let diagnose = call(&client, "diagnose", json!({"target": "backend"})).await;
    assert!(!is_error(&diagnose), "{}", text(&diagnose));
    assert!(text(&diagnose).contains("CrashLoopBackOff"), "{}", text(&diagnose));
    assert!(text(&diagnose).contains("todo-backend"), "{}", text(&diagnose));
    assert!(!text(&diagnose).contains("ImagePullBackOff"), "the target narrows it: {}", text(&diagnose));
    // Each finding carries the id that `diagnose -o json`, baselines and ignore entries use.
    let findings = diagnose.structured_content.clone().unwrap()["result"]["findings"].clone();
    let ids: Vec<&str> = findings.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap_or_default()).collect();
    assert!(!ids.is_empty() && ids.iter().all(|id| id.len() == 16), "{findings:#}");

    let missing = call(&client, "status", json!({"target": "bakend"})).await;
    assert!(is_error(&missing));
    assert_eq!(
        text(&missing),
        "error: workload or pod `bakend` not found in namespace todo; did you mean `todo-backend`?\n\nhint: see what is there with `todo-ai status -n todo`",
        "the CLI's message and hint"
    );
    client.cancel().await.unwrap();

    // Read calls are audited too.
    let audit = audit_lines(home.path());
    let tools: Vec<_> = audit.iter().map(|line| line["tool"].as_str().unwrap()).collect();
    assert_eq!(tools, ["status", "diagnose", "status"]);
    assert_eq!(audit[0]["outcome"], "ok");
    assert_eq!(audit[2]["outcome"], "error");
}

#[tokio::test]
async fn changing_tools_are_not_offered_without_allow_changes() {
    let home = tempfile::tempdir().unwrap();
    let client = Client::answering(ElicitationAction::Accept);
    let running = serve_binary(&home, &["--snapshot", EXAMPLE, "mcp"], client.clone()).await;
    let app = fastapi_app(&home);
    for (tool, args) in
        [("scale", json!({"deployment": "backend", "replicas": 3})), ("generate_dockerfile", json!({"path": "app"}))]
    {
        let result = call(&running, tool, args).await;
        assert!(is_error(&result), "{tool}");
        assert!(text(&result).starts_with(&format!("refused: `{tool}` is not offered")), "{}", text(&result));
        assert!(text(&result).contains("--allow-changes"), "{}", text(&result));
    }
    running.cancel().await.unwrap();
    assert!(client.questions().is_empty(), "nobody was asked");
    assert!(!app.join("Dockerfile").exists());
    let audit = audit_lines(home.path());
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|line| line["outcome"] == "forbidden"), "{audit:?}");
    assert_eq!(audit[0]["args"]["deployment"], "backend", "refused before the name was even resolved");
}

#[tokio::test]
async fn changes_are_refused_with_the_yes_hint_when_the_client_cannot_ask() {
    let home = tempfile::tempdir().unwrap();
    let app = fastapi_app(&home);
    let client = serve_binary(&home, &["--snapshot", EXAMPLE, "mcp", "--allow-changes"], Client::default()).await;
    let result = call(&client, "generate_dockerfile", json!({"path": "app"})).await;
    assert!(is_error(&result));
    let message = text(&result);
    assert!(message.starts_with("refused: `generate_dockerfile` needs approval"), "{message}");
    assert!(message.contains("does not support elicitation"), "{message}");
    assert!(message.contains("`--yes`"), "{message}");
    assert!(message.contains("it would write Dockerfile and .dockerignore in `app`"), "{message}");
    assert_eq!(result.structured_content.clone().unwrap()["outcome"], "forbidden");
    client.cancel().await.unwrap();
    assert!(!app.join("Dockerfile").exists(), "nothing was written");
    assert_eq!(audit_lines(home.path())[0]["outcome"], "forbidden");

    // With `--yes` the same call runs without a question.
    let client =
        serve_binary(&home, &["--snapshot", EXAMPLE, "--yes", "mcp", "--allow-changes"], Client::default()).await;
    let result = call(&client, "generate_dockerfile", json!({"path": "app"})).await;
    assert!(!is_error(&result), "{}", text(&result));
    client.cancel().await.unwrap();
    assert!(app.join("Dockerfile").exists());
}

#[tokio::test]
async fn an_accepted_question_runs_the_change_a_declined_one_does_not() {
    let home = tempfile::tempdir().unwrap();
    let app = fastapi_app(&home);
    let args = ["--snapshot", EXAMPLE, "mcp", "--allow-changes"];

    let declining = Client::answering(ElicitationAction::Decline);
    let client = serve_binary(&home, &args, declining.clone()).await;
    let result = call(&client, "generate_dockerfile", json!({"path": "app"})).await;
    client.cancel().await.unwrap();
    assert!(is_error(&result));
    assert_eq!(text(&result), "not approved: `generate_dockerfile` was not run (declined)");
    assert!(!app.join("Dockerfile").exists(), "declined: nothing written");
    let questions = declining.questions();
    assert_eq!(questions.len(), 1);
    assert!(questions[0].starts_with("todo-ai: `generate_dockerfile` writes files (namespace todo)."), "{questions:?}");
    assert!(
        questions[0].contains(
            "It will write Dockerfile and .dockerignore in `app` for a fastapi app (port 8000); creates Dockerfile:\n+ "
        ),
        "the prepared preview: {questions:?}"
    );

    let accepting = Client::answering(ElicitationAction::Accept);
    let client = serve_binary(&home, &args, accepting.clone()).await;
    let result = call(&client, "generate_dockerfile", json!({"path": "app"})).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(
        text(&result).starts_with("wrote app/Dockerfile and app/.dockerignore (fastapi app, port 8000)"),
        "{}",
        text(&result)
    );
    assert!(std::fs::read_to_string(app.join("Dockerfile")).unwrap().contains("uvicorn"));
    assert_eq!(accepting.questions().len(), 1);

    // A cluster change on a snapshot is refused by the policy before anyone is asked.
    let result = call(&client, "scale", json!({"deployment": "backend", "replicas": 3})).await;
    client.cancel().await.unwrap();
    assert!(is_error(&result));
    assert!(text(&result).contains("the cluster is a snapshot"), "{}", text(&result));
    assert!(text(&result).contains("it would scale deployment todo/backend to 3 replicas"), "{}", text(&result));
    assert_eq!(accepting.questions().len(), 1, "no question for a forbidden call");

    let outcomes: Vec<_> =
        audit_lines(home.path()).iter().map(|line| line["outcome"].as_str().unwrap().to_string()).collect();
    assert_eq!(outcomes, ["denied", "started", "ok", "forbidden"]);
}

#[tokio::test]
async fn dry_run_changes_nothing_and_asks_nothing() {
    let home = tempfile::tempdir().unwrap();
    let app = fastapi_app(&home);
    let client = Client::answering(ElicitationAction::Accept);
    let running =
        serve_binary(&home, &["--snapshot", EXAMPLE, "--dry-run", "mcp", "--allow-changes"], client.clone()).await;
    let result = call(&running, "generate_dockerfile", json!({"path": "app"})).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(text(&result).starts_with("dry run: would write app/Dockerfile and .dockerignore"), "{}", text(&result));
    assert_eq!(result.structured_content.clone().unwrap()["outcome"], "dry_run");
    running.cancel().await.unwrap();
    assert!(!app.join("Dockerfile").exists());
    assert!(client.questions().is_empty());
    assert_eq!(audit_lines(home.path())[0]["outcome"], "dry_run");
}

#[tokio::test]
async fn bad_calls_are_tool_errors_and_run_nothing() {
    let home = tempfile::tempdir().unwrap();
    let app = fastapi_app(&home);
    let client = Client::answering(ElicitationAction::Accept);
    let running =
        serve_binary(&home, &["--snapshot", EXAMPLE, "--yes", "mcp", "--allow-changes"], client.clone()).await;
    let cases = [
        ("scale", json!({"deployment": "backend", "replicas": 1000}), "error: invalid arguments for `scale`: "),
        (
            "scale",
            json!({"deployment": "backend"}),
            "error: invalid arguments for `scale`: say how many replicas (`replicas`)",
        ),
        ("generate_dockerfile", json!({"path": "../outside"}), "error: invalid arguments for `generate_dockerfile`: "),
        (
            "generate_dockerfile",
            json!({"path": "app", "force": true}),
            "error: invalid arguments for `generate_dockerfile`: unknown field `force`",
        ),
        (
            "delete_namespace",
            json!({"namespace": "todo"}),
            "error: unknown tool `delete_namespace`\n\nhint: run `todo-ai tools`",
        ),
    ];
    for (tool, args, want) in cases {
        let result = call(&running, tool, args).await;
        assert!(is_error(&result), "{tool}");
        assert!(text(&result).starts_with(want), "{tool}: {}", text(&result));
    }
    // The session is still fine afterwards.
    assert!(!is_error(&call(&running, "status", json!({})).await));
    running.cancel().await.unwrap();
    assert!(!app.join("Dockerfile").exists());
    assert!(client.questions().is_empty());
    let audit = audit_lines(home.path());
    assert_eq!(audit.len(), 1, "only the status call reached the executor: {audit:?}");
}

/// A snapshot with `count` warning events whose messages (and one reason) carry secrets.
fn noisy_snapshot(dir: &Path, count: usize) -> PathBuf {
    let mut items = String::new();
    for index in 0..count {
        items.push_str(&format!(
            r"- apiVersion: v1
  kind: Event
  metadata:
    name: todo-backend.{index:04}
    namespace: todo
  involvedObject:
    kind: Pod
    name: todo-backend-5f7d9c-abcde
    namespace: todo
  reason: {reason}
  message: 'container env dump {index}: DATABASE_URL=postgresql://todo:Xk9-pl7q@db:5432/todo OPENAI_API_KEY=sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9 and a long tail of words to make the line wide'
  type: Warning
  count: 1
  lastTimestamp: '2026-11-20T10:{minute:02}:00Z'
",
            reason = if index == 0 { "token=ghp_abcdefghijklmnopqrstuvwxyz0123" } else { "BackOff" },
            minute = index % 60,
        ));
    }
    let path = dir.join("noisy.yaml");
    std::fs::write(&path, format!("apiVersion: v1\nkind: List\nitems:\n{items}")).unwrap();
    path
}

#[tokio::test]
async fn results_are_redacted_and_capped() {
    let home = tempfile::tempdir().unwrap();
    let snapshot = noisy_snapshot(home.path(), 200);
    let snapshot = snapshot.to_str().unwrap();
    let client = serve_binary(&home, &["--snapshot", snapshot, "-n", "todo", "mcp"], Client::default()).await;
    let result = call(&client, "events", json!({})).await;
    assert!(!is_error(&result), "{}", text(&result));
    let body = text(&result);
    for secret in ["Xk9-pl7q", "sk-proj-4fQ2", "ghp_abcdefghij"] {
        assert!(!body.contains(secret), "{secret} leaked: {body}");
    }
    assert!(body.contains("[REDACTED]"), "{body}");
    assert!(body.len() <= 8192 + 300, "capped: {} bytes", body.len());
    assert!(body.contains("[truncated: showing "), "{body}");
    assert!(body.contains("structured data left out"), "{body}");
    assert!(result.structured_content.is_none(), "too big to send");

    // A smaller result keeps its (redacted) data, and `--max-output` moves the cap.
    let small = call(&client, "events", json!({"target": "nothing-matches"})).await;
    assert!(small.structured_content.is_some());
    client.cancel().await.unwrap();
    let client =
        serve_binary(&home, &["--snapshot", snapshot, "-n", "todo", "mcp", "--max-output", "1024"], Client::default())
            .await;
    let result = call(&client, "events", json!({})).await;
    assert!(text(&result).len() <= 1024 + 300, "{}", text(&result).len());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn small_results_keep_redacted_structured_data() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("few")).unwrap();
    let snapshot = noisy_snapshot(&home.path().join("few"), 2);
    let client =
        serve_binary(&home, &["--snapshot", snapshot.to_str().unwrap(), "-n", "todo", "mcp"], Client::default()).await;
    let result = call(&client, "events", json!({})).await;
    client.cancel().await.unwrap();
    assert!(!text(&result).contains("[truncated"), "{}", text(&result));
    let data = result.structured_content.unwrap().to_string();
    assert!(data.contains("todo-backend-5f7d9c-abcde"), "{data}");
    for secret in ["Xk9-pl7q", "sk-proj-4fQ2", "ghp_abcdefghij"] {
        assert!(!data.contains(secret), "{secret} leaked: {data}");
    }
}

#[tokio::test]
async fn questions_travel_as_input_required_on_2026_07_28() {
    let home = tempfile::tempdir().unwrap();
    let app = fastapi_app(&home);
    let flags = GlobalArgs { snapshot: Some(EXAMPLE.into()), ..GlobalArgs::default() };
    let server = TodoAiServer::new(
        &settings_in(&home, flags),
        ServerOptions { allow_changes: true, ..ServerOptions::default() },
    );

    // Declined through the client's own handler (rmcp answers `input_required` and retries).
    let declining = Client::answering(ElicitationAction::Decline);
    let client = serve_in_process(server.clone(), declining.clone(), inline_lifecycle()).await;
    let result = call(&client, "generate_dockerfile", json!({"path": "app"})).await;
    assert_eq!(text(&result), "not approved: `generate_dockerfile` was not run (declined)");
    assert!(!app.join("Dockerfile").exists());
    assert_eq!(declining.questions().len(), 1);
    assert!(declining.questions()[0].contains("It will write Dockerfile and .dockerignore in `app`"));

    // Driven by hand: the question, a forged state, then the real answer.
    let accepting = Client::answering(ElicitationAction::Accept);
    let client = serve_in_process(server.clone(), accepting.clone(), inline_lifecycle()).await;
    let params = CallToolRequestParams::new("generate_dockerfile").with_arguments(arguments(json!({"path": "app"})));
    let CallToolResponse::InputRequired(asked) = client.call_tool_once(params.clone()).await.unwrap() else {
        panic!("a changing call asks first");
    };
    let state = asked.request_state.clone().unwrap();
    let Some(InputRequest::Elicitation(question)) = asked.input_requests.as_ref().unwrap().get("approve") else {
        panic!("an elicitation under `approve`: {asked:?}");
    };
    let ElicitRequestParams::FormElicitationParams { message, .. } = &question.params else { panic!("a form") };
    assert!(message.contains("for a fastapi app (port 8000)"), "{message}");
    let accept = std::collections::BTreeMap::from([("approve".to_string(), json!({"action": "accept"}))]);
    let forged =
        params.clone().with_request_state("todo-ai-approval-0-0000000000000000").with_input_responses(accept.clone());
    assert!(
        matches!(client.call_tool_once(forged).await.unwrap(), CallToolResponse::InputRequired(_)),
        "an answer to a question that was not asked is no answer"
    );
    assert!(!app.join("Dockerfile").exists());
    let answered = params.clone().with_request_state(state.clone()).with_input_responses(accept.clone());
    let CallToolResponse::Complete(done) = client.call_tool_once(answered.clone()).await.unwrap() else {
        panic!("the answered call completes");
    };
    assert!(!is_error(&done), "{}", text(&done));
    assert!(app.join("Dockerfile").exists());
    assert!(
        matches!(client.call_tool_once(answered).await.unwrap(), CallToolResponse::InputRequired(_)),
        "a request state answers once"
    );

    // The high-level call fulfils the question through the handler.
    std::fs::remove_file(app.join("Dockerfile")).unwrap();
    let result = call(&client, "generate_dockerfile", json!({"path": "app"})).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(app.join("Dockerfile").exists());
    assert_eq!(accepting.questions().len(), 1);

    let outcomes: Vec<_> =
        audit_lines(home.path()).iter().map(|line| line["outcome"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        outcomes,
        ["denied", "started", "ok", "started", "ok"],
        "pending questions are not audited, decisions are (a change is audited as it starts and ends)"
    );
}

#[tokio::test]
async fn the_session_lifecycle_in_process_asks_by_request() {
    let home = tempfile::tempdir().unwrap();
    let app = fastapi_app(&home);
    let flags = GlobalArgs { snapshot: Some(EXAMPLE.into()), ..GlobalArgs::default() };
    let server = TodoAiServer::new(
        &settings_in(&home, flags),
        ServerOptions { allow_changes: true, ..ServerOptions::default() },
    );
    let accepting = Client::answering(ElicitationAction::Accept);
    let client = serve_in_process(server, accepting.clone(), ClientLifecycleMode::Initialize).await;
    let params = CallToolRequestParams::new("generate_dockerfile").with_arguments(arguments(json!({"path": "app"})));
    let CallToolResponse::Complete(result) = client.call_tool_once(params).await.unwrap() else {
        panic!("older sessions are asked with elicitation/create, inside the call");
    };
    assert!(!is_error(&result), "{}", text(&result));
    assert!(app.join("Dockerfile").exists());
    assert_eq!(accepting.questions().len(), 1);
}

#[test]
fn stdout_carries_only_protocol_messages() {
    let home = tempfile::tempdir().unwrap();
    let lines = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"diagnose","arguments":{}}}"#,
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"scale","arguments":{"deployment":"backend","replicas":3}}}"#,
    ];
    let output = crate::support::todo_ai(&home)
        .args(["--snapshot", EXAMPLE, "-vv", "mcp"])
        .write_stdin(lines.join("\n") + "\n")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "the server ends when the client hangs up");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let messages: Vec<Value> = stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(messages.len(), 4, "{stdout}");
    assert!(messages.iter().all(|message| message["jsonrpc"] == "2.0"));
    assert_eq!(messages[0]["result"]["serverInfo"]["name"], "todo-ai");
    assert_eq!(messages[2]["result"]["isError"], false);
    assert!(messages[2]["result"]["content"][0]["text"].as_str().unwrap().contains("CrashLoopBackOff"));
    assert_eq!(messages[3]["result"]["isError"], true, "a refusal is a tool result, not a protocol error");
    assert!(messages[3].get("error").is_none());
}
