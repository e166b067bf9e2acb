//! `todo-ai mcp`: the registry's vetted tools served over the Model Context Protocol, on
//! stdio (the default) or streamable HTTP bound to loopback, read-only unless
//! `--allow-changes`, with every changing call still decided by the CLI's approval policy and
//! confirmed through MCP elicitation.
//!
//! - `catalog`: registry tools → MCP tool definitions and annotations
//! - `server`: the handler (list, check, execute, render results)
//! - `approve`: elicitation as the executor's approver (session requests or retries)
//! - `output`: redaction and the size cap on results
//! - here: the command's flags, the listen-address rule and the transports

mod approve;
mod catalog;
mod output;
mod server;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Args;

pub use approve::ANSWER_TIMEOUT;
pub use catalog::{annotations, definition};
pub use output::DEFAULT_MAX_TEXT;
pub use server::{ServerOptions, TodoAiServer};

use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;

/// The address `--http` listens on when given without one.
pub const DEFAULT_HTTP_ADDRESS: &str = "127.0.0.1:8383";

/// The path the streamable HTTP endpoint is served at.
pub const HTTP_PATH: &str = "/mcp";

/// Options of `mcp`.
#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// Serve streamable HTTP at http://ADDR/mcp instead of stdio [default: 127.0.0.1:8383]
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = DEFAULT_HTTP_ADDRESS)]
    pub http: Option<String>,
    /// Let `--http` listen on a non-loopback address: the server has no authentication, so
    /// anyone who can reach the port can call the tools
    #[arg(long, requires = "http")]
    pub allow_remote: bool,
    /// Also offer the tools that change things; each call still asks for approval through
    /// the client (elicitation) unless `--yes`
    #[arg(long)]
    pub allow_changes: bool,
    /// Most bytes of text in one tool result; longer results are cut with a note
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_TEXT, value_parser = clap::value_parser!(usize))]
    pub max_output: usize,
}

/// Why `--http` cannot listen where it was asked to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not `HOST:PORT`, `PORT` or an IP address with a port.
    #[error("`{0}` is not an address to listen on")]
    Invalid(String),
    /// A non-loopback address without `--allow-remote`.
    #[error(
        "refusing to serve MCP on {0}: it is not a loopback address, and the server has no authentication — anyone who can reach the port could call the tools"
    )]
    NotLoopback(SocketAddr),
}

impl AddressError {
    /// What to do instead.
    pub fn hint(&self) -> &'static str {
        match self {
            AddressError::Invalid(_) => {
                "give `--http 127.0.0.1:8383`, `--http [::1]:8383`, `--http localhost:8383` or a port"
            }
            AddressError::NotLoopback(_) => {
                "listen on loopback (`--http 127.0.0.1:8383`, the default) and reach it through an SSH tunnel, or pass `--allow-remote` behind an authenticating proxy"
            }
        }
    }
}

/// Parses `--http`'s address: `PORT`, `IP:PORT`, `[IPv6]:PORT` or `localhost:PORT`, which
/// must be loopback unless `allow_remote`.
pub fn listen_address(text: &str, allow_remote: bool) -> Result<SocketAddr, AddressError> {
    let text = text.trim();
    let invalid = || AddressError::Invalid(text.to_string());
    let address = if let Ok(port) = text.parse::<u16>() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else if let Ok(address) = text.parse::<SocketAddr>() {
        address
    } else {
        let (host, port) = text.rsplit_once(':').ok_or_else(invalid)?;
        let port = port.parse::<u16>().map_err(|_| invalid())?;
        if !host.eq_ignore_ascii_case("localhost") {
            // Other names could resolve anywhere; say the address.
            return Err(invalid());
        }
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    };
    if address.ip().is_loopback() || allow_remote { Ok(address) } else { Err(AddressError::NotLoopback(address)) }
}

/// Runs the server until the client hangs up (stdio) or Ctrl-C (HTTP).
pub fn run(settings: &Settings, args: &McpArgs) -> Result<ExitStatus, CliError> {
    let address = match &args.http {
        Some(text) => Some(
            listen_address(text, args.allow_remote)
                .map_err(|error| CliError::new(error.to_string()).hint(error.hint()))?,
        ),
        None => None,
    };
    if args.max_output < 256 {
        return Err(CliError::new(format!("`--max-output {}` is too small", args.max_output))
            .hint("give at least 256 bytes; the default is 8192"));
    }
    let runtime = crate::commands::runtime()?;
    runtime.block_on(async {
        // Built inside the runtime: loading a snapshot and the cluster access may need it.
        let server = TodoAiServer::new(
            settings,
            ServerOptions { allow_changes: args.allow_changes, max_output: args.max_output },
        );
        match address {
            None => serve_stdio(server).await,
            Some(address) => serve_http(server, address, args.allow_remote).await,
        }
    })?;
    Ok(ExitStatus::Success)
}

async fn serve_stdio(server: TodoAiServer) -> Result<(), CliError> {
    use std::io::IsTerminal as _;

    use rmcp::ServiceExt as _;
    if std::io::stdin().is_terminal() {
        // Someone typed `todo-ai mcp` by hand: say what it is waiting for (stderr only).
        eprintln!(
            "todo-ai: serving MCP on stdio — an MCP client starts this (see \"MCP server\" in the README); Ctrl-D ends it"
        );
    }
    let running = server
        .serve(rmcp::transport::io::stdio_pipes())
        .await
        .map_err(|error| CliError::new("the MCP client did not complete the handshake").cause(error.to_string()))?;
    running.waiting().await.map_err(|error| CliError::new("the MCP session failed").cause(error.to_string()))?;
    Ok(())
}

async fn serve_http(server: TodoAiServer, address: SocketAddr, allow_remote: bool) -> Result<(), CliError> {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

    let mut config = StreamableHttpServerConfig::default();
    let shutdown = config.cancellation_token.clone();
    if allow_remote && !address.ip().is_loopback() {
        // Clients name this machine however they reach it; the Host check is for loopback
        // servers (DNS rebinding), which this one is not.
        config = config.disable_allowed_hosts();
    }
    let service = StreamableHttpService::new(move || Ok(server.clone()), LocalSessionManager::default().into(), config);
    let router = axum::Router::new().nest_service(HTTP_PATH, service);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| CliError::new(format!("cannot listen on {address}")).cause(error.to_string()))?;
    let bound = listener.local_addr().unwrap_or(address);
    eprintln!("todo-ai: serving MCP at http://{bound}{HTTP_PATH} (Ctrl-C stops)");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
        })
        .await
        .map_err(|error| CliError::new("the MCP HTTP server failed").cause(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_by_default() {
        let local = |text: &str| listen_address(text, false);
        assert_eq!(local("8383").unwrap(), "127.0.0.1:8383".parse().unwrap());
        assert_eq!(local("127.0.0.1:9000").unwrap(), "127.0.0.1:9000".parse().unwrap());
        assert_eq!(local("[::1]:9000").unwrap(), "[::1]:9000".parse().unwrap());
        assert_eq!(local("localhost:9000").unwrap(), "127.0.0.1:9000".parse().unwrap());
        for remote in ["0.0.0.0:8383", "192.168.1.10:8383", "[::]:8383"] {
            assert!(matches!(local(remote), Err(AddressError::NotLoopback(_))), "{remote}");
            assert!(listen_address(remote, true).is_ok(), "{remote}");
        }
        for invalid in ["", "example.com:80", "127.0.0.1", "localhost:http", "127.0.0.1:99999"] {
            assert!(matches!(local(invalid), Err(AddressError::Invalid(_))), "{invalid}");
        }
        let message = local("0.0.0.0:8383").unwrap_err().to_string();
        assert!(message.contains("no authentication"), "{message}");
    }
}
