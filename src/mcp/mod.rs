//! `todo-ai mcp`: the registry's vetted tools served over the Model Context Protocol, on
//! stdio (the default) or streamable HTTP bound to loopback and guarded by a bearer token,
//! read-only unless `--allow-changes`, with every changing call still decided by the CLI's
//! approval policy and confirmed through MCP elicitation.
//!
//! - `catalog`: registry tools → MCP tool definitions and annotations
//! - `server`: the handler (list, check, execute, render results)
//! - `approve`: elicitation as the executor's approver (session requests or retries)
//! - `output`: redaction and the size cap on results
//! - `http`: the HTTP transport behind its gate (Host, Origin, bearer token) and its shutdown
//! - `token`: the bearer token, its private file, the constant-time comparison
//! - here: the command's flags, the listen-address rule and the stdio transport

mod approve;
mod catalog;
mod http;
mod output;
mod server;
mod token;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Args;

pub use approve::ANSWER_TIMEOUT;
pub use catalog::{annotations, definition};
pub use http::{Gate, HttpOptions, Refusal};
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
    /// Let `--http` listen on a non-loopback address (name the hosts clients use with
    /// `--allowed-host`); clients still need the token, and the traffic is plain HTTP
    #[arg(long, requires = "http")]
    pub allow_remote: bool,
    /// A host name remote clients reach the server by (repeatable; with `--allow-remote`);
    /// requests naming any other `Host` than these and loopback are refused
    #[arg(long, value_name = "HOST", requires = "allow_remote")]
    pub allowed_host: Vec<String>,
    /// A browser origin allowed besides loopback ones, e.g. `https://console.example`
    /// (repeatable)
    #[arg(long, value_name = "ORIGIN", requires = "http")]
    pub allowed_origin: Vec<String>,
    /// Read the bearer token from this file (mode 0600, not a link) instead of generating
    /// one; it is neither printed nor removed
    #[arg(long, value_name = "PATH", requires = "http")]
    pub token_file: Option<PathBuf>,
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
        "refusing to serve MCP on {0}: it is not a loopback address, and anyone who can reach the port could try the token over plain HTTP"
    )]
    NotLoopback(SocketAddr),
    /// A non-loopback address without the names clients reach it by.
    #[error("serving MCP on {0} needs the host names clients use to reach it")]
    NoAllowedHosts(SocketAddr),
}

impl AddressError {
    /// What to do instead.
    pub fn hint(&self) -> &'static str {
        match self {
            AddressError::Invalid(_) => {
                "give `--http 127.0.0.1:8383`, `--http [::1]:8383`, `--http localhost:8383` or a port"
            }
            AddressError::NotLoopback(_) => {
                "listen on loopback (`--http 127.0.0.1:8383`, the default) and reach it through an SSH tunnel, or pass `--allow-remote --allowed-host NAME` behind a TLS proxy (clients still need the token)"
            }
            AddressError::NoAllowedHosts(_) => {
                "add `--allowed-host NAME` for each name or address clients connect to (requests naming other hosts are refused: DNS rebinding)"
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

/// `--http`'s address with the rest of the HTTP rules: a non-loopback address needs
/// `--allow-remote` and at least one `--allowed-host`.
pub fn http_address(text: &str, options: &HttpOptions) -> Result<SocketAddr, AddressError> {
    let address = listen_address(text, options.allow_remote)?;
    if !address.ip().is_loopback() && options.allowed_hosts.is_empty() {
        return Err(AddressError::NoAllowedHosts(address));
    }
    Ok(address)
}

/// Runs the server until the client hangs up (stdio) or Ctrl-C (HTTP).
pub fn run(settings: &Settings, args: &McpArgs) -> Result<ExitStatus, CliError> {
    let http_options = HttpOptions {
        allow_remote: args.allow_remote,
        allowed_hosts: args.allowed_host.clone(),
        allowed_origins: args.allowed_origin.clone(),
        token_file: args.token_file.clone(),
    };
    let address = match &args.http {
        Some(text) => Some(
            http_address(text, &http_options).map_err(|error| CliError::new(error.to_string()).hint(error.hint()))?,
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
            Some(address) => http::serve(server, address, &http_options).await,
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
        assert!(message.contains("not a loopback address"), "{message}");
        let remote = |hosts: &[&str]| HttpOptions {
            allow_remote: true,
            allowed_hosts: hosts.iter().map(|host| host.to_string()).collect(),
            ..HttpOptions::default()
        };
        assert!(matches!(http_address("0.0.0.0:8383", &remote(&[])), Err(AddressError::NoAllowedHosts(_))));
        assert!(http_address("0.0.0.0:8383", &remote(&["todo.example"])).is_ok());
        assert!(http_address("127.0.0.1:8383", &remote(&[])).is_ok(), "loopback needs no names");
    }
}
