//! The LLM client against hostile or broken servers and environments: a streamed tool-call
//! `index` in the billions, replies over the size cap (streamed and whole), too many tool
//! calls, huge arguments, a stream that drips forever, an API key about to go over plain http
//! to another host, and oversized or out-of-range environment variables. Each one ends in a
//! one-line note and the offline planner (or a one-line error for bad settings), never an
//! abort, a hang or a leaked key.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::llm::{bodies, command, openai, run, snapshot, stream, text, tool_calls};
use crate::support::todo_ai;

/// A server-sent-events reply with these raw chunk objects as `data:` lines.
fn raw_stream(chunks: &[Value]) -> ResponseTemplate {
    let mut body = String::new();
    for chunk in chunks {
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

fn delta(delta: Value) -> Value {
    json!({"id": "s", "object": "chat.completion.chunk", "model": "m", "choices": [{"index": 0, "delta": delta}]})
}

/// `ask` for a read-only prompt the offline planner answers with `status`.
async fn ask_status(server: &MockServer) -> (Option<i32>, String, String) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = command(&home, server);
    cmd.args(["ask", "what is the status of the backend"]).timeout(Duration::from_secs(60));
    let output = run(cmd).await;
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `-o json plan` (a whole, non-streamed reply): the planner that answered and stderr.
async fn plan_status(server: &MockServer) -> (String, String) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = command(&home, server);
    cmd.args(["-o", "json", "plan", "what is the status of the backend"]).timeout(Duration::from_secs(60));
    let output = run(cmd).await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (plan["planner"].as_str().unwrap().to_string(), stderr)
}

/// The offline fallback happened, said in one note that starts with `reason`.
fn fell_back(stderr: &str, reason: &str) {
    let notes: Vec<&str> = stderr.lines().filter(|line| line.starts_with("note:")).collect();
    assert_eq!(notes.len(), 1, "one note: {stderr}");
    assert!(notes[0].starts_with(&format!("note: the LLM reply could not be read: {reason}")), "{stderr}");
    assert!(notes[0].contains("planning offline instead"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_streamed_tool_call_index_is_malformed_not_an_allocation() {
    let server = openai(vec![raw_stream(&[delta(
        json!({"tool_calls": [{"index": 3_000_000_000_u64, "id": "x", "type": "function", "function": {"name": "status", "arguments": "{}"}}]}),
    )])])
    .await;
    let (code, stdout, stderr) = ask_status(&server).await;
    fell_back(&stderr, "tool call index 3000000000");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("plan (offline planner):"), "{stderr}");
    assert!(stdout.contains("todo-backend"), "the offline status ran: {stdout}");

    // A gap is as bad as a huge number: the next call is the only new index allowed.
    let server = openai(vec![raw_stream(&[
        delta(json!({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "status", "arguments": "{}"}}]})),
        delta(json!({"tool_calls": [{"index": 2, "id": "c", "function": {"name": "events", "arguments": "{}"}}]})),
    ])])
    .await;
    let (_, _, stderr) = ask_status(&server).await;
    fell_back(&stderr, "tool call index 2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_over_the_size_cap_fall_back_streamed_or_whole() {
    // 2 MiB of text in 64 KiB pieces.
    let piece = "x".repeat(64 * 1024);
    let pieces: Vec<&str> = (0..32).map(|_| piece.as_str()).collect();
    let server = openai(vec![stream(&pieces, &[])]).await;
    let (_, stdout, stderr) = ask_status(&server).await;
    fell_back(&stderr, "the reply is larger than 1 MiB");
    assert!(stdout.len() < 1024 * 1024 + 64 * 1024, "the text shown stops at the cap: {} bytes", stdout.len());

    let server = openai(vec![text(&"y".repeat(2 * 1024 * 1024))]).await;
    let (planner, stderr) = plan_status(&server).await;
    assert_eq!(planner, "offline");
    fell_back(&stderr, "the reply is larger than 1 MiB");

    // A body that announces less than it sends, or no length at all, is counted as it comes.
    let server = openai(vec![ResponseTemplate::new(200).set_body_raw(
        format!("{{\"choices\": [{{\"message\": {{\"content\": \"{}\"}}}}]}}", "z".repeat(3 * 1024 * 1024)),
        "application/json",
    )])
    .await;
    let (planner, stderr) = plan_status(&server).await;
    assert_eq!(planner, "offline");
    fell_back(&stderr, "the reply is larger than 1 MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_tool_calls_or_huge_arguments_fall_back() {
    let calls: Vec<(&str, Value)> = (0..17).map(|_| ("status", json!({}))).collect();
    let server = openai(vec![tool_calls(&calls)]).await;
    let (planner, stderr) = plan_status(&server).await;
    assert_eq!(planner, "offline");
    fell_back(&stderr, "more than 16 tool calls in one reply");

    let server = openai(vec![stream(&[], &calls)]).await;
    let (_, _, stderr) = ask_status(&server).await;
    fell_back(&stderr, "more than 16 tool calls in one reply");

    let huge = json!({"target": "b".repeat(100 * 1024)});
    let server = openai(vec![stream(&[], &[("status", huge.clone())])]).await;
    let (_, _, stderr) = ask_status(&server).await;
    fell_back(&stderr, "the arguments of tool call 0 are larger than 64 KiB");
    let server = openai(vec![tool_calls(&[("status", huge)])]).await;
    let (planner, stderr) = plan_status(&server).await;
    assert_eq!(planner, "offline");
    fell_back(&stderr, "the arguments of tool call 0 are larger than 64 KiB");

    // Sixteen calls are fine.
    let calls: Vec<(&str, Value)> = (0..16).map(|_| ("status", json!({}))).collect();
    let server = openai(vec![tool_calls(&calls)]).await;
    let (planner, stderr) = plan_status(&server).await;
    assert_eq!(planner, "llm", "{stderr}");
}

/// An OpenAI-compatible server that answers every request with an event stream that sends a
/// text piece every 100 ms and never ends.
async fn dripping_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
                let mut request = vec![0; 64 * 1024];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    let event = format!("data: {}\n\n", delta(json!({"content": "."})));
                    if socket.write_all(event.as_bytes()).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
        }
    });
    format!("http://{address}/v1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_never_ends_is_cut_by_the_whole_reply_deadline() {
    let base_url = dripping_server().await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = todo_ai(&home);
    cmd.env("OPENAI_BASE_URL", &base_url)
        .env("TODO_AI_LLM_TIMEOUT", "1")
        .arg("--snapshot")
        .arg(snapshot())
        .args(["ask", "what is the status of the backend"])
        .timeout(Duration::from_secs(60));
    let output = run(cmd).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("..."), "the drip was streamed while it lasted: {stdout}");
    assert!(
        stderr.contains(
            "note: the LLM reply did not finish within 4s; planning offline instead (hint: raise `TODO_AI_LLM_TIMEOUT`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("plan (offline planner):"), "{stderr}");
}

/// This machine's address on its default route: reachable here, yet not loopback.
fn non_loopback_address() -> std::net::IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    // Connecting a UDP socket sends nothing; it only picks the outgoing interface.
    socket.connect("203.0.113.1:9").expect("a default route (this test needs a non-loopback interface)");
    let address = socket.local_addr().unwrap().ip();
    assert!(!address.is_loopback() && !address.is_unspecified(), "{address}");
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_never_goes_over_plain_http_to_another_host() {
    let address = non_loopback_address();
    let listener = std::net::TcpListener::bind((address, 0)).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(tool_calls(&[("status", json!({}))]))
        .mount(&server)
        .await;
    let base_url = format!("{}/v1", server.uri());
    assert!(base_url.starts_with(&format!("http://{address}:")), "{base_url}");
    let home = tempfile::tempdir().unwrap();
    let with_key = || {
        let mut cmd = todo_ai(&home);
        cmd.env("OPENAI_BASE_URL", &base_url)
            .env("OPENAI_API_KEY", "sk-test-0123456789abcdefghij")
            .arg("--snapshot")
            .arg(snapshot());
        cmd
    };

    let mut cmd = with_key();
    cmd.args(["-o", "json", "plan", "what is the status of the backend"]);
    let output = run(cmd).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["planner"], "offline", "{stderr}");
    assert!(stderr.contains(&format!("note: refusing to send the API key over plain http to {address}")), "{stderr}");
    assert!(stderr.contains("TODO_AI_ALLOW_INSECURE_LLM=1"), "the hint says how to allow it: {stderr}");
    assert!(!stderr.contains("sk-test-0123456789abcdefghij"));
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent at all");

    let mut cmd = with_key();
    cmd.arg("doctor");
    let output = run(cmd).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let planner = stdout.lines().next().unwrap();
    assert!(planner.contains("plain http") && planner.contains("not sent"), "{stdout}");

    // Allowed explicitly: it is sent, with one warning on stderr.
    let mut cmd = with_key();
    cmd.env("TODO_AI_ALLOW_INSECURE_LLM", "1").args(["-o", "json", "plan", "what is the status of the backend"]);
    let output = run(cmd).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["planner"], "llm", "{stderr}");
    assert_eq!(stderr.matches("warning: the API key goes over plain http").count(), 1, "{stderr}");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].headers.get("authorization").unwrap(), "Bearer sk-test-0123456789abcdefghij");

    // No key: nothing to protect, no warning.
    let mut cmd = todo_ai(&home);
    cmd.env("OPENAI_BASE_URL", &base_url).arg("--snapshot").arg(snapshot()).args([
        "-o",
        "json",
        "plan",
        "what is the status of the backend",
    ]);
    let output = run(cmd).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("plain http"), "{stderr}");
    assert_eq!(serde_json::from_slice::<Value>(&output.stdout).unwrap()["planner"], "llm", "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_http_stays_quiet() {
    let server = openai(vec![tool_calls(&[("status", json!({}))])]).await;
    let (planner, stderr) = plan_status(&server).await;
    assert_eq!(planner, "llm", "{stderr}");
    assert!(!stderr.contains("plain http"), "{stderr}");
    assert_eq!(bodies(&server).await.len(), 1);
}

#[test]
fn environment_values_are_bounded_and_checked() {
    let home = tempfile::tempdir().unwrap();
    let long = "m".repeat(10_000);
    let long_url = format!("https://{}.example/v1", "a".repeat(10_000));
    let cases: [(&str, &str, &str); 9] = [
        ("TODO_AI_LLM_TIMEOUT", "abc", "`TODO_AI_LLM_TIMEOUT` is not a whole number of seconds"),
        ("TODO_AI_LLM_TIMEOUT", "0", "`TODO_AI_LLM_TIMEOUT` must be between 1 and 600 seconds"),
        ("TODO_AI_LLM_TIMEOUT", "99999999999999999999999", "`TODO_AI_LLM_TIMEOUT` is not a whole number of seconds"),
        ("TODO_AI_LLM_TIMEOUT", "601", "`TODO_AI_LLM_TIMEOUT` must be between 1 and 600 seconds"),
        ("TODO_AI_MODEL", &long, "the model name is longer than 200 bytes"),
        ("TODO_AI_MODEL", "gpt-4o\nX-Injected: 1", "the model name contains control characters"),
        ("OPENAI_BASE_URL", &long_url, "`OPENAI_BASE_URL` is longer than 2048 bytes"),
        ("OPENAI_BASE_URL", "ftp://models.example/v1", "`OPENAI_BASE_URL` is not an http:// or https:// URL"),
        ("OPENAI_BASE_URL", "not a url", "`OPENAI_BASE_URL` is not an http:// or https:// URL"),
    ];
    for (name, value, want) in cases {
        let output = todo_ai(&home)
            .env("OPENAI_API_KEY", "sk-test-0123456789abcdefghij")
            .env(name, value)
            .args(["--snapshot"])
            .arg(snapshot())
            .args(["plan", "what is the status of the backend"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}={value:.40}: {stderr}");
        assert!(stderr.starts_with(&format!("error: {want}")), "{name}: {stderr}");
        assert!(stderr.contains("\nhint: "), "{name}: {stderr}");
        assert!(stderr.len() < 600, "the value is not echoed whole: {} bytes", stderr.len());
        assert!(output.stdout.is_empty());
    }
    // `--offline` reads none of them.
    let output = todo_ai(&home)
        .env("TODO_AI_LLM_TIMEOUT", "abc")
        .args(["--offline", "--snapshot"])
        .arg(snapshot())
        .args(["plan", "what is the status of the backend"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}
