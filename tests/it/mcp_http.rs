//! `todo-ai mcp --http` as an attacker on the same machine sees it: every request needs the
//! bearer token the server generated at start (or the operator's `--token-file`), a browser
//! `Origin` or a `Host` that is not loopback is turned away (DNS rebinding), the token file is
//! private and gone after Ctrl-C or SIGTERM, the token never reaches stdout, and a
//! non-loopback address needs `--allow-remote` with the host names clients use, and still
//! the token. Raw HTTP requests for the status codes; rmcp's client for real sessions.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use rmcp::ServiceExt as _;
use rmcp::model::ElicitationAction;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};

use crate::mcp::{Client, EXAMPLE, call, command, fastapi_app, is_error, text};

/// A running `todo-ai mcp --http` and what it told stderr.
struct HttpServer {
    child: tokio::process::Child,
    url: String,
    port: u16,
    /// The token from the `Authorization: Bearer …` line (empty with `--token-file`).
    printed_token: String,
    /// The token file it named.
    token_file: PathBuf,
    /// Everything it printed on stderr until it was ready.
    stderr_lines: Vec<String>,
}

impl HttpServer {
    /// The token clients send: the one in the token file.
    fn token(&self) -> String {
        std::fs::read_to_string(&self.token_file).unwrap().trim().to_string()
    }

    fn bearer(&self) -> (&'static str, String) {
        ("Authorization", format!("Bearer {}", self.token()))
    }

    fn loopback_host(&self) -> (&'static str, String) {
        ("Host", format!("127.0.0.1:{}", self.port))
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the exit; returns the exit code and stdout.
    async fn stop(mut self, signal: &str) -> (Option<i32>, String) {
        let pid = self.child.id().unwrap().to_string();
        assert!(std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap().success());
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await.unwrap().unwrap();
        let mut stdout = String::new();
        self.child.stdout.take().unwrap().read_to_string(&mut stdout).await.unwrap();
        (status.code(), stdout)
    }
}

/// The test's own runtime directory under `home`, so the token file lands there.
fn runtime_dir(home: &TempDir) -> PathBuf {
    home.path().join("run")
}

/// Starts `todo-ai <args>` and reads stderr until the server says how to authenticate.
async fn start(home: &TempDir, args: &[&str]) -> HttpServer {
    let mut command = command(home, args);
    command.env("XDG_RUNTIME_DIR", runtime_dir(home));
    start_command(command).await
}

async fn start_command(mut command: tokio::process::Command) -> HttpServer {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let read = tokio::time::timeout(Duration::from_secs(20), stderr.read_line(&mut line)).await.unwrap().unwrap();
        assert!(read > 0, "the server ended early: {lines:?}");
        lines.push(line.trim_end().to_string());
        if line.starts_with("todo-ai: clients must send") {
            break;
        }
    }
    // Keep draining stderr so the server never blocks on a full pipe.
    tokio::spawn(async move {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest).await;
    });
    let url = lines
        .iter()
        .find_map(|line| line.strip_prefix("todo-ai: serving MCP at "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no URL line: {lines:?}"))
        .to_string();
    let port = url.rsplit(':').next().unwrap().trim_end_matches("/mcp").parse().unwrap();
    let token_file = lines
        .iter()
        .find_map(|line| {
            line.strip_prefix("todo-ai: token file: ").or_else(|| line.strip_prefix("todo-ai: token from "))
        })
        .map(|rest| PathBuf::from(rest.split(' ').next().unwrap().trim_matches('`')))
        .unwrap_or_else(|| panic!("no token file line: {lines:?}"));
    let printed_token = lines
        .iter()
        .find_map(|line| line.split("`Authorization: Bearer ").nth(1))
        .map(|rest| rest.trim_end_matches('`').to_string())
        .unwrap_or_default();
    HttpServer { child, url, port, printed_token, token_file, stderr_lines: lines }
}

/// One raw HTTP response: the status code, the header block and (when not 200) the body.
struct Raw {
    status: u16,
    head: String,
    body: String,
}

/// POSTs an `initialize` to the server on `port` with exactly these headers (plus the body's).
async fn raw_initialize(port: u16, headers: &[(&str, String)]) -> Raw {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"#;
    raw_post(port, headers, body).await
}

async fn raw_post(port: u16, headers: &[(&str, String)], body: &str) -> Raw {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut request = String::from("POST /mcp HTTP/1.1\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line)).await.unwrap().unwrap();
        if line.trim_end().is_empty() {
            break;
        }
        head.push_str(&line);
    }
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = String::new();
    if status != 200 {
        // Refusals are whole small bodies and the connection closes; an event stream may not.
        tokio::time::timeout(Duration::from_secs(10), reader.read_to_string(&mut body)).await.unwrap().unwrap();
    }
    Raw { status, head, body }
}

/// The one-line JSON error of a refused request.
fn refusal(raw: &Raw) -> String {
    assert_eq!(raw.body.trim_end().lines().count(), 1, "one line: {:?}", raw.body);
    let value: Value = serde_json::from_str(raw.body.trim()).unwrap();
    value["error"].as_str().unwrap().to_string()
}

/// An rmcp client on `url`, sending `token` when given.
async fn http_client(
    url: &str,
    token: Option<String>,
    client: Client,
) -> Result<rmcp::service::RunningService<rmcp::RoleClient, Client>, String> {
    // reqwest is built without a default TLS provider here; plain HTTP still wants one set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    client.serve(StreamableHttpClientTransport::from_config(config)).await.map_err(|error| error.to_string())
}

#[tokio::test]
async fn every_http_request_needs_the_bearer_token() {
    let home = tempfile::tempdir().unwrap();
    let app = fastapi_app(&home);
    let server = start(&home, &["--snapshot", EXAMPLE, "mcp", "--allow-changes", "--http", "127.0.0.1:0"]).await;
    assert!(server.url.starts_with("http://127.0.0.1:") && server.url.ends_with("/mcp"), "{}", server.url);
    let token = server.token();
    assert_eq!(server.printed_token, token, "the token is printed once on stderr and is the file's");
    assert!(token.len() >= 32 && token.bytes().all(|byte| byte.is_ascii_hexdigit()), "{token}");
    let occurrences: usize = server.stderr_lines.iter().map(|line| line.matches(&token).count()).sum();
    assert_eq!(occurrences, 1, "{:?}", server.stderr_lines);

    let missing = raw_initialize(server.port, &[server.loopback_host()]).await;
    assert_eq!(missing.status, 401);
    assert!(missing.head.to_ascii_lowercase().contains("www-authenticate: bearer"), "{}", missing.head);
    assert!(refusal(&missing).contains("Authorization: Bearer"), "{}", missing.body);

    let mut wrong = token.clone().into_bytes();
    wrong[0] = if wrong[0] == b'a' { b'b' } else { b'a' };
    let wrong = String::from_utf8(wrong).unwrap();
    for header in [
        format!("Bearer {wrong}"),
        format!("Bearer {}", &token[..token.len() - 1]),
        format!("Bearer {token}x"),
        format!("Basic {token}"),
        token.clone(),
        "Bearer ".to_string(),
    ] {
        let refused = raw_initialize(server.port, &[server.loopback_host(), ("Authorization", header.clone())]).await;
        assert_eq!(refused.status, 401, "{header}");
        assert!(!refused.body.contains(&token), "the refusal never echoes the token");
    }
    assert_eq!(raw_initialize(server.port, &[server.loopback_host(), server.bearer()]).await.status, 200);
    let lowercase = ("Authorization", format!("bearer {token}"));
    assert_eq!(raw_initialize(server.port, &[server.loopback_host(), lowercase]).await.status, 200);

    // `--allow-changes` over HTTP is only ever reached with the token: without it a changing
    // call is refused at the door and nothing runs, nobody is asked.
    let changing = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"generate_dockerfile","arguments":{"path":"app"}}}"#;
    assert_eq!(raw_post(server.port, &[server.loopback_host()], changing).await.status, 401);
    let asked = Client::answering(ElicitationAction::Accept);
    let refused = http_client(&server.url, None, asked.clone()).await;
    assert!(refused.is_err(), "a client without the token gets no session");
    assert!(asked.questions().is_empty());
    assert!(!app.join("Dockerfile").exists());

    // With the token: the whole session, elicitation included (it rides the call's stream).
    let accepting = Client::answering(ElicitationAction::Accept);
    let client = http_client(&server.url, Some(token.clone()), accepting.clone()).await.unwrap();
    assert_eq!(client.list_all_tools().await.unwrap().len(), todo_ai::tools::all().len());
    let status = call(&client, "status", json!({"target": "frontend"})).await;
    assert!(text(&status).contains("ImagePullBackOff"), "{}", text(&status));
    let result = call(&client, "generate_dockerfile", json!({"path": "app"})).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(app.join("Dockerfile").exists());
    assert_eq!(accepting.questions().len(), 1);
    client.cancel().await.unwrap();

    let (code, stdout) = server.stop("TERM").await;
    assert_eq!(code, Some(0));
    assert!(stdout.is_empty(), "stdout is data; the server has none: {stdout}");
}

#[tokio::test]
async fn foreign_origins_and_rebinding_hosts_are_turned_away() {
    let home = tempfile::tempdir().unwrap();
    let server = start(
        &home,
        &["--snapshot", EXAMPLE, "mcp", "--http", "127.0.0.1:0", "--allowed-origin", "https://console.example"],
    )
    .await;
    let port = server.port;
    let with = |extra: (&'static str, String)| vec![server.loopback_host(), server.bearer(), extra];

    // A page elsewhere (or a sandboxed one) is refused even when it somehow has the token.
    for origin in
        ["https://evil.example", "null", "http://127.0.0.1.evil.example", &format!("http://evil.example:{port}")]
    {
        let refused = raw_initialize(port, &with(("Origin", origin.to_string()))).await;
        assert_eq!(refused.status, 403, "{origin}");
        assert!(refusal(&refused).contains("Origin"), "{}", refused.body);
    }
    for origin in [
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
        "https://console.example".to_string(),
    ] {
        assert_eq!(raw_initialize(port, &with(("Origin", origin.clone()))).await.status, 200, "{origin}");
    }

    // DNS rebinding: a name that resolves to 127.0.0.1 still says its own name in `Host`.
    let token = server.bearer();
    for host in [format!("attacker.example:{port}"), "attacker.example".to_string(), format!("127.0.0.1.nip.io:{port}")]
    {
        let refused = raw_initialize(port, &[("Host", host.clone()), token.clone()]).await;
        assert_eq!(refused.status, 403, "{host}");
        assert!(refusal(&refused).contains("Host"), "{}", refused.body);
    }
    // Refused before the token is even looked at: no token needed to learn nothing.
    assert_eq!(raw_initialize(port, &[("Host", format!("attacker.example:{port}"))]).await.status, 403);
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        assert_eq!(raw_initialize(port, &[("Host", host.clone()), token.clone()]).await.status, 200, "{host}");
    }
    server.stop("TERM").await;
}

#[tokio::test]
async fn the_token_file_is_private_and_removed_at_exit() {
    for signal in ["TERM", "INT"] {
        let home = tempfile::tempdir().unwrap();
        let server = start(&home, &["--snapshot", EXAMPLE, "mcp", "--http", "127.0.0.1:0"]).await;
        let file = server.token_file.clone();
        assert!(file.starts_with(runtime_dir(&home).join("todo-ai")), "{}", file.display());
        let metadata = std::fs::symlink_metadata(&file).unwrap();
        assert!(metadata.file_type().is_file());
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600, "{signal}");
        let directory = std::fs::metadata(file.parent().unwrap()).unwrap();
        assert_eq!(directory.permissions().mode() & 0o077, 0, "the directory is private too");
        let token = server.token();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{token}\n"));

        let (code, stdout) = server.stop(signal).await;
        assert_eq!(code, Some(0), "{signal} stops the server cleanly");
        assert!(!file.exists(), "{signal}: the token file is removed");
        assert!(!stdout.contains(&token), "{signal}: the token never reaches stdout");
        assert!(stdout.is_empty(), "{stdout}");
    }
}

#[tokio::test]
async fn a_planted_token_file_is_not_followed() {
    // Without a runtime directory the file goes under the state directory; a symlink planted
    // where it will be written is neither followed nor overwritten.
    let home = tempfile::tempdir().unwrap();
    let outside = home.path().join("outside.txt");
    std::fs::write(&outside, "precious\n").unwrap();
    let directory = home.path().join("state/todo-ai");
    std::fs::create_dir_all(&directory).unwrap();
    let mut child = command(&home, &["--snapshot", EXAMPLE, "mcp", "--http", "127.0.0.1:0"])
        .env_remove("XDG_RUNTIME_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(20), stderr.read_line(&mut first)).await.unwrap().unwrap();
    let port: u16 = first.split(':').nth(3).unwrap().split('/').next().unwrap().parse().unwrap();
    let mut second = String::new();
    tokio::time::timeout(Duration::from_secs(20), stderr.read_line(&mut second)).await.unwrap().unwrap();
    let file = second.strip_prefix("todo-ai: token file: ").unwrap().split(' ').next().unwrap().to_string();
    assert!(file.starts_with(&directory.display().to_string()), "{file}");
    assert!(file.contains(&port.to_string()), "{file}");
    child.kill().await.unwrap();
    child.wait().await.unwrap();
    // The killed server left its file (SIGKILL cannot be caught); the next one on this port
    // finds a symlink there instead.
    let _ = std::fs::remove_file(&file);
    std::os::unix::fs::symlink(&outside, &file).unwrap();
    let mut again = command(&home, &["--snapshot", EXAMPLE, "mcp", "--http", &format!("127.0.0.1:{port}")]);
    again.env_remove("XDG_RUNTIME_DIR");
    let server = start_command(again).await;
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious\n", "the symlink target is untouched");
    assert_eq!(server.token_file.display().to_string(), file);
    assert!(std::fs::symlink_metadata(&file).unwrap().file_type().is_file(), "a fresh file replaced the link");
    server.stop("TERM").await;
    assert!(!Path::new(&file).exists());
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious\n");
}

#[tokio::test]
async fn an_operator_token_file_must_be_private_and_is_kept() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("mcp.token");
    let token = "k7Q2vX9mR4tL8wZ3nB6cF1hJ5pS0dG2e";
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let run = |path: &Path| {
        crate::support::todo_ai(&home)
            .args(["--snapshot", EXAMPLE, "mcp", "--http", "127.0.0.1:0", "--token-file"])
            .arg(path)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap()
    };

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = run(&file);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: the token file "), "{stderr}");
    assert!(stderr.contains("0600"), "{stderr}");
    assert!(!stderr.contains(token), "{stderr}");

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = home.path().join("link.token");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let output = run(&link);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("symbolic link"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let short = home.path().join("short.token");
    std::fs::write(&short, "hunter2\n").unwrap();
    std::fs::set_permissions(&short, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = run(&short);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("at least 32"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let file_arg = file.display().to_string();
    let server =
        start(&home, &["--snapshot", EXAMPLE, "mcp", "--http", "127.0.0.1:0", "--token-file", &file_arg]).await;
    assert_eq!(server.token_file, file);
    assert!(server.printed_token.is_empty(), "an operator's token is not printed");
    assert!(server.stderr_lines.iter().all(|line| !line.contains(token)), "{:?}", server.stderr_lines);
    let bearer = ("Authorization", format!("Bearer {token}"));
    assert_eq!(raw_initialize(server.port, &[server.loopback_host(), bearer]).await.status, 200);
    assert_eq!(raw_initialize(server.port, &[server.loopback_host()]).await.status, 401);
    server.stop("TERM").await;
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{token}\n"), "the operator's file is kept");
}

#[test]
fn http_refuses_a_non_loopback_address_without_allow_remote() {
    let home = tempfile::tempdir().unwrap();
    let output = crate::support::todo_ai(&home).args(["mcp", "--http", "0.0.0.0:8383"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: refusing to serve MCP on 0.0.0.0:8383: it is not a loopback address"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-remote"), "{stderr}");
    assert!(output.stdout.is_empty());

    // Remote clients name this machine somehow: those names must be given.
    let output = crate::support::todo_ai(&home)
        .args(["mcp", "--http", "0.0.0.0:0", "--allow-remote"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--allowed-host"), "{stderr}");
    // And names are only for remote servers.
    let output = crate::support::todo_ai(&home)
        .args(["mcp", "--http", "127.0.0.1:0", "--allowed-host", "todo.example"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
}

#[tokio::test]
async fn a_remote_server_takes_its_named_hosts_and_still_needs_the_token() {
    let home = tempfile::tempdir().unwrap();
    let server = start(
        &home,
        &["--snapshot", EXAMPLE, "mcp", "--http", "0.0.0.0:0", "--allow-remote", "--allowed-host", "todo.example"],
    )
    .await;
    let port = server.port;
    let named = ("Host", format!("todo.example:{port}"));
    let missing = raw_initialize(port, std::slice::from_ref(&named)).await;
    assert_eq!(missing.status, 401, "remote or not, the token is required");
    assert_eq!(raw_initialize(port, &[named, server.bearer()]).await.status, 200);
    assert_eq!(raw_initialize(port, &[("Host", format!("other.example:{port}")), server.bearer()]).await.status, 403);
    assert_eq!(raw_initialize(port, &[server.loopback_host(), server.bearer()]).await.status, 200);
    server.stop("TERM").await;
}
