//! `todo-ai mcp --http`: the streamable HTTP transport behind a gate that every request
//! passes first — `Host` must be loopback or a name given with `--allowed-host` (DNS
//! rebinding), a browser `Origin` must be loopback or given with `--allowed-origin`, and
//! `Authorization: Bearer TOKEN` must carry the server's token (compared in constant time).
//! Refusals are one-line JSON errors: 403 for Host/Origin, 401 with `WWW-Authenticate` for
//! the token. The token file lives as long as the server: Ctrl-C and SIGTERM stop it cleanly
//! and remove the file. SIGHUP keeps its usual meaning (so `nohup` still works): a hangup
//! that ends the server leaves the file, which the next server on the port replaces.
//!
//! There is no way to build the router without the gate, so `--allow-changes` over HTTP is
//! only ever reachable with the token.

use std::future::IntoFuture as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::token::{Token, TokenFile};
use super::{HTTP_PATH, TodoAiServer};
use crate::error::CliError;

/// How long open connections (event streams) get to finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The host names every server answers to.
const LOOPBACK_NAMES: [&str; 1] = ["localhost"];

/// How the HTTP transport is guarded.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// `--allow-remote`: a non-loopback address may be listened on.
    pub allow_remote: bool,
    /// `--allowed-host`: names (without port) remote clients reach the server by.
    pub allowed_hosts: Vec<String>,
    /// `--allowed-origin`: browser origins besides loopback ones (`https://app.example`).
    pub allowed_origins: Vec<String>,
    /// `--token-file`: the operator's token instead of a generated one.
    pub token_file: Option<PathBuf>,
}

/// Why a request was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `Host` is missing or not an allowed name (403).
    Host,
    /// `Origin` is a page elsewhere (403).
    Origin,
    /// No `Authorization: Bearer` with the token (401).
    Token,
}

impl Refusal {
    /// The HTTP response: status, one line of JSON and, for the token, `WWW-Authenticate`.
    fn response(self) -> Response {
        let (status, message) = match self {
            Refusal::Host => (
                StatusCode::FORBIDDEN,
                "forbidden: the Host header must be localhost, a loopback address or a name given with --allowed-host (DNS rebinding protection)",
            ),
            Refusal::Origin => (
                StatusCode::FORBIDDEN,
                "forbidden: requests from a browser page must come from a loopback Origin or one given with --allowed-origin",
            ),
            Refusal::Token => (
                StatusCode::UNAUTHORIZED,
                "unauthorized: send `Authorization: Bearer TOKEN` with the token `todo-ai mcp --http` printed and wrote to its token file",
            ),
        };
        let body = serde_json::json!({ "error": message }).to_string() + "\n";
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self == Refusal::Token {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"todo-ai mcp\""));
        }
        response
    }
}

/// The checks every request passes before the MCP service sees it.
#[derive(Debug)]
pub struct Gate {
    token: Token,
    /// Lower-case names besides loopback ones.
    allowed_hosts: Vec<String>,
    /// Lower-case origins besides loopback ones, without a trailing `/`.
    allowed_origins: Vec<String>,
}

impl Gate {
    /// A gate for `token`, with the extra hosts and origins (compared case-insensitively).
    pub fn new(token: Token, allowed_hosts: &[String], allowed_origins: &[String]) -> Gate {
        Gate {
            token,
            allowed_hosts: allowed_hosts.iter().map(|host| host.trim().to_ascii_lowercase()).collect(),
            allowed_origins: allowed_origins
                .iter()
                .map(|origin| origin.trim().trim_end_matches('/').to_ascii_lowercase())
                .collect(),
        }
    }

    /// Host first, then Origin (a rebinding page never gets as far as the token), then the
    /// token.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let host = headers.get(header::HOST).and_then(|value| value.to_str().ok()).ok_or(Refusal::Host)?;
        if !self.host_allowed(host) {
            return Err(Refusal::Host);
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().map_err(|_| Refusal::Origin)?;
            if !self.origin_allowed(origin) {
                return Err(Refusal::Origin);
            }
        }
        let authorization = headers.get(header::AUTHORIZATION).ok_or(Refusal::Token)?.as_bytes();
        let (scheme, token) = split_at_space(authorization).ok_or(Refusal::Token)?;
        if !scheme.eq_ignore_ascii_case(b"bearer") || !self.token.matches(token) {
            return Err(Refusal::Token);
        }
        Ok(())
    }

    /// `Host: NAME[:PORT]` or `[IPv6][:PORT]`: a loopback address, `localhost`, or allowed.
    fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        is_loopback_name(&name) || self.allowed_hosts.contains(&name)
    }

    /// `Origin: SCHEME://HOST[:PORT]`: http(s) on a loopback host, or allowed exactly.
    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        if self.allowed_origins.contains(&origin) {
            return true;
        }
        let Some(authority) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
            // `null` (sandboxed pages, file:), other schemes: not a loopback page.
            return false;
        };
        if authority.contains(['/', '@', '?', '#']) {
            return false;
        }
        is_loopback_name(&host_name(authority))
    }
}

/// The name part of `NAME[:PORT]` or `[IPv6][:PORT]` (brackets removed).
fn host_name(authority: &str) -> String {
    let authority = authority.trim();
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_string();
    }
    match authority.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|byte| byte.is_ascii_digit()) => name.to_string(),
        _ => authority.to_string(),
    }
}

/// `localhost` or a loopback IP literal. Other names could resolve anywhere.
fn is_loopback_name(name: &str) -> bool {
    LOOPBACK_NAMES.contains(&name) || name.parse::<IpAddr>().is_ok_and(|address| address.is_loopback())
}

/// `SCHEME TOKEN` split at the first run of spaces; `None` without a token part.
fn split_at_space(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = value.iter().position(|byte| *byte == b' ')?;
    let (scheme, rest) = value.split_at(space);
    let token = rest.trim_ascii_start();
    (!token.is_empty()).then_some((scheme, token))
}

async fn check_request(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    match gate.check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            tracing::info!(?refusal, path = %request.uri().path(), "MCP HTTP request refused");
            refusal.response()
        }
    }
}

/// The MCP router with the gate in front of everything it serves, and the function that
/// ends rmcp's sessions and event streams.
fn router(server: TodoAiServer, gate: Arc<Gate>, rmcp_hosts: Vec<String>) -> (axum::Router, impl FnOnce() + Send) {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

    // rmcp checks Host too (the same list): a second lock on the same door costs nothing.
    let config = StreamableHttpServerConfig::default().with_allowed_hosts(rmcp_hosts);
    let sessions = config.cancellation_token.clone();
    let service = StreamableHttpService::new(move || Ok(server.clone()), LocalSessionManager::default().into(), config);
    let router = axum::Router::new()
        .nest_service(HTTP_PATH, service)
        .layer(axum::middleware::from_fn_with_state(gate, check_request));
    (router, move || sessions.cancel())
}

/// A receiver that turns `true` on Ctrl-C or SIGTERM. The handlers are installed
/// before this returns, so a signal sent once the server has said where it listens is never
/// the default (fatal) one that would leave the token file behind.
fn stop_signals() -> Result<tokio::sync::watch::Receiver<bool>, CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let install = |kind: SignalKind| {
        signal(kind).map_err(|error| CliError::new("cannot install the signal handlers").cause(error.to_string()))
    };
    let mut interrupt = install(SignalKind::interrupt())?;
    let mut terminate = install(SignalKind::terminate())?;
    let (sender, receiver) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        let _ = sender.send(true);
    });
    Ok(receiver)
}

async fn stopped(mut receiver: tokio::sync::watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it sent.
    let _ = receiver.wait_for(|stop| *stop).await;
}

/// Serves until a stop signal; the token file (when generated) exists exactly as long.
pub async fn serve(server: TodoAiServer, address: SocketAddr, options: &HttpOptions) -> Result<(), CliError> {
    let token = match &options.token_file {
        Some(path) => Token::read_operator_file(path)?,
        None => Token::generate()?,
    };
    let directory = if options.token_file.is_none() { Some(TokenFile::directory()?) } else { None };
    let stop = stop_signals()?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| CliError::new(format!("cannot listen on {address}")).cause(error.to_string()))?;
    let bound = listener.local_addr().unwrap_or(address);
    let token_file = match &directory {
        Some(directory) => Some(TokenFile::create(directory, bound.port(), &token)?),
        None => None,
    };
    let mut rmcp_hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    rmcp_hosts.extend(options.allowed_hosts.iter().cloned());
    let gate = Arc::new(Gate::new(token.clone(), &options.allowed_hosts, &options.allowed_origins));
    let (router, end_sessions) = router(server, gate, rmcp_hosts);

    eprintln!("todo-ai: serving MCP at http://{bound}{HTTP_PATH} (Ctrl-C stops)");
    match (&token_file, &options.token_file) {
        (Some(file), _) => {
            eprintln!("todo-ai: token file: {} (0600; removed when the server stops)", file.path().display());
            // The one place the token is shown: stderr, once, for the person who started it.
            eprintln!("todo-ai: clients must send `Authorization: Bearer {}`", token.expose());
        }
        (None, Some(path)) => {
            eprintln!("todo-ai: token from `{}` (--token-file)", path.display());
            eprintln!("todo-ai: clients must send `Authorization: Bearer` with that token");
        }
        (None, None) => {}
    }

    let graceful = stopped(stop.clone());
    let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
        graceful.await;
        end_sessions();
    });
    let result = tokio::select! {
        result = serving.into_future() => {
            result.map_err(|error| CliError::new("the MCP HTTP server failed").cause(error.to_string()))
        }
        // A connection that does not close is no reason to keep the token alive.
        () = async { stopped(stop).await; tokio::time::sleep(SHUTDOWN_GRACE).await } => Ok(()),
    };
    drop(token_file);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn host_then_origin_then_token() {
        let token = Token::generate().unwrap();
        let gate = Gate::new(token.clone(), &["Todo.Example".into()], &["https://console.example/".into()]);
        let bearer = format!("Bearer {}", token.expose());
        let ok = |pairs: &[(&'static str, &str)]| gate.check(&headers(pairs));
        assert_eq!(ok(&[("host", "127.0.0.1:8383"), ("authorization", &bearer)]), Ok(()));
        for host in ["localhost", "LOCALHOST:1", "[::1]:8383", "127.0.0.2:80", "todo.example:8383"] {
            assert_eq!(ok(&[("host", host), ("authorization", &bearer)]), Ok(()), "{host}");
        }
        for host in
            ["attacker.example", "127.0.0.1.nip.io:8383", "localhost.attacker.example", "[::2]:1", "0.0.0.0:8383", ""]
        {
            assert_eq!(ok(&[("host", host), ("authorization", &bearer)]), Err(Refusal::Host), "{host}");
        }
        assert_eq!(ok(&[("authorization", &bearer)]), Err(Refusal::Host), "no Host");
        assert_eq!(ok(&[("host", "evil.example")]), Err(Refusal::Host), "Host before the token");

        let from = |origin: &str| ok(&[("host", "localhost:8383"), ("origin", origin), ("authorization", &bearer)]);
        for origin in ["http://localhost:3000", "https://127.0.0.1", "http://[::1]:6274", "https://console.example"] {
            assert_eq!(from(origin), Ok(()), "{origin}");
        }
        for origin in [
            "null", "https://evil.example", "http://localhost@evil.example", "file://", "chrome-extension://abc",
            "http://127.0.0.1.evil.example", "https://console.example.evil",
        ] {
            assert_eq!(from(origin), Err(Refusal::Origin), "{origin}");
        }
        assert_eq!(
            ok(&[("host", "localhost"), ("origin", "https://evil.example")]),
            Err(Refusal::Origin),
            "Origin before the token"
        );

        let with = |authorization: &str| ok(&[("host", "localhost"), ("authorization", authorization)]);
        assert_eq!(with(&format!("bearer  {}", token.expose())), Ok(()));
        for wrong in [
            String::new(),
            "Bearer".into(),
            "Bearer ".into(),
            token.expose().to_string(),
            format!("Basic {}", token.expose()),
            format!("Bearer {}x", token.expose()),
            format!("Bearer {}", &token.expose()[1..]),
        ] {
            assert_eq!(with(&wrong), Err(Refusal::Token), "{wrong}");
        }
        assert_eq!(ok(&[("host", "localhost")]), Err(Refusal::Token));
    }

    #[tokio::test]
    async fn refusals_are_one_json_line() {
        let response = Refusal::Token.response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer realm=\"todo-ai mcp\"");
        let forbidden = Refusal::Origin.response();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        assert!(forbidden.headers().get(header::WWW_AUTHENTICATE).is_none());
        let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(text.lines().count(), 1);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(value["error"].as_str().unwrap().starts_with("unauthorized: "));
    }
}
