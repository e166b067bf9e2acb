//! Subcommands. `main` parses, resolves settings, dispatches and renders errors; each
//! subcommand lives in its own file and the REPL calls the same functions.

pub mod diagnose;
mod direct;
mod dockerfile;
mod doctor;
mod plan;
mod tools_list;
pub mod up;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

pub use crate::engine::{CheckedPlan, check_plan, make_plan, render_plan_text};
pub use plan::llm_client;
pub use tools_list::table as tools_table;

use crate::approval::Policy;
use crate::cli::{Cli, Command, OutputFormat};
use crate::error::{CliError, ExitStatus};
use crate::executor::{Executor, TerminalApprover};
use crate::settings::{self, Settings};
use crate::tools::{CheckedCall, ToolContext};

/// The program: parse, resolve, dispatch, render errors, exit.
pub fn main() -> ExitCode {
    // One TLS crypto provider for every client (kube, later the LLM): ring. Installing it can
    // only fail if one is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    match run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            let _ = std::io::stderr().write_all(error.render().as_bytes());
            error.status.into()
        }
    }
}

fn run(cli: Cli) -> Result<ExitStatus, CliError> {
    let workdir = std::env::current_dir()
        .map_err(|error| CliError::new("cannot read the current directory").cause(error.to_string()))?;
    let config = match settings::config_dir() {
        Some(dir) => settings::load_config(&dir.join("config.toml"))?,
        None => settings::ConfigFile::default(),
    };
    let settings = settings::resolve(&cli.global, &|name| std::env::var(name).ok(), &config, workdir)?;
    init_tracing(settings.verbosity);
    match cli.command {
        None => crate::repl::run(settings),
        Some(Command::Plan(prompt)) => plan::plan_command(&settings, &prompt.text()),
        Some(Command::Ask(prompt)) => plan::ask_command(&settings, &prompt.text()),
        Some(Command::Tools(args)) => tools_list::run(&settings, args.json),
        Some(Command::Diagnose(args)) => diagnose::run(&settings, &args),
        Some(Command::Fix(args)) => plan::fix_command(&settings, args.target),
        Some(Command::Doctor) => doctor::run(&settings),
        Some(Command::Up(args)) => up::up(&settings, &args),
        Some(Command::Down(args)) => up::down(&settings, &args),
        Some(Command::Mcp(args)) => crate::mcp::run(&settings, &args),
        Some(Command::Dockerfile(args)) if args.check => dockerfile::check(&settings, &args),
        Some(Command::Dockerfile(args)) if !args.write => dockerfile::show(&settings, &args),
        Some(Command::Completions(args)) => {
            let mut command = Cli::command();
            let mut buffer = Vec::new();
            clap_complete::generate(args.shell, &mut command, "todo-ai", &mut buffer);
            write_stdout(&String::from_utf8_lossy(&buffer))?;
            Ok(ExitStatus::Success)
        }
        Some(command) => direct::run(&settings, command),
    }
}

fn init_tracing(verbosity: i8) {
    let level = match verbosity {
        i8::MIN..=-1 => "error",
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    // Libraries report failures that we turn into our own one-line errors; their logs only
    // show from -vv on.
    let libraries = if verbosity >= 2 { level } else { "off" };
    let directives = format!(
        "{level},kube={libraries},kube_client={libraries},hyper={libraries},tower={libraries},rustls={libraries}"
    );
    let filter = tracing_subscriber::EnvFilter::try_from_env("TODO_AI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal())
        .without_time()
        .try_init();
}

/// Writes data to stdout. A closed pipe (`todo-ai tools | head -1`) ends the program
/// quietly with status 0, as Unix tools do.
///
/// Whatever is printed may carry text from outside (cluster text, app files, model replies):
/// control characters are replaced here, the one way to stdout, so no escape sequence from a
/// log line reaches the terminal. (JSON output has none: JSON escapes them.)
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    let text = crate::sanitize::terminal(text);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => Err(CliError::new("cannot write to stdout").cause(error.to_string())),
    }
}

/// Serialises data in the chosen format (JSON or YAML), with a trailing newline.
pub fn render_data(value: &serde_json::Value, format: OutputFormat) -> Result<String, CliError> {
    let text = match format {
        OutputFormat::Yaml => serde_yaml::to_string(value)
            .map_err(|error| CliError::new("cannot render YAML").cause(error.to_string()))?,
        OutputFormat::Json
        | OutputFormat::Text
        | OutputFormat::Markdown
        | OutputFormat::Sarif
        | OutputFormat::Junit => {
            let mut text = serde_json::to_string_pretty(value)
                .map_err(|error| CliError::new("cannot render JSON").cause(error.to_string()))?;
            text.push('\n');
            text
        }
    };
    Ok(text)
}

/// The tool context for these settings. When no namespace was chosen, it is the snapshot's
/// only namespace, else the kube context's namespace, else `default` — as kubectl does. The
/// kube context is resolved here, once, and the connection is made to exactly that context,
/// so what questions and audit lines name is where changes go.
pub fn tool_context(settings: &Settings) -> ToolContext {
    let mut namespace = settings.namespace.clone();
    let access = match &settings.snapshot {
        Some(path) => {
            let mut access = crate::cluster::ClusterAccess::new(None, None, Some(path.clone()));
            if !settings.namespace_explicit {
                // Load now to learn its namespaces; a broken file is reported when a tool reads it.
                if let Ok(cluster) = crate::cluster::Cluster::from_snapshot(path.clone()) {
                    if let Some(only) = cluster.single_namespace() {
                        namespace = only;
                    }
                    access = crate::cluster::ClusterAccess::ready(cluster);
                }
            }
            access
        }
        None => {
            let (context, context_namespace) =
                settings::kube_context_defaults(settings.kubeconfig.as_deref(), settings.context.as_deref());
            if let Some(from_context) = context_namespace.filter(|_| !settings.namespace_explicit) {
                namespace = from_context;
            }
            crate::cluster::ClusterAccess::new(settings.kubeconfig.clone(), context, None)
        }
    };
    let mut ctx =
        ToolContext::new(namespace, settings.workdir.clone(), std::sync::Arc::new(access), settings.verbosity);
    ctx.limits = settings.limits;
    ctx
}

/// The policy for these settings; `terminal` is whether a person can be asked.
pub fn policy(settings: &Settings) -> Policy {
    Policy {
        assume_yes: settings.assume_yes,
        dry_run: settings.dry_run,
        read_only: settings.read_only,
        terminal: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        approved_for_session: Default::default(),
        snapshot: settings.snapshot.as_ref().map(|path| path.display().to_string()),
    }
}

/// An executor for these settings.
pub fn executor(settings: &Settings) -> Executor {
    Executor::new(policy(settings), tool_context(settings), settings.audit_log.clone())
}

/// A runtime for the async tool engines; one thread is plenty for a CLI.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::new("cannot start the async runtime").cause(error.to_string()))
}

/// Runs `future` on `runtime`. The first Ctrl-C or SIGTERM cancels `cancel`: tools stop
/// cleanly (an external program is interrupted and waited for — helm rolls back — and the
/// audit log gets each change's outcome); nothing new starts. A second one abandons the work
/// at once (`None`): running programs are killed.
pub fn block_on_cancellable<F: std::future::Future>(
    runtime: &tokio::runtime::Runtime,
    cancel: &tokio_util::sync::CancellationToken,
    future: F,
) -> Option<F::Output> {
    runtime.block_on(async {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::pin!(future);
        tokio::select! {
            output = &mut future => return Some(output),
            () = interrupted(terminate.as_mut()) => {}
        }
        cancel.cancel();
        eprintln!("cancelling: letting what runs stop cleanly (press Ctrl-C again to stop at once)");
        tokio::select! {
            output = &mut future => Some(output),
            () = interrupted(terminate.as_mut()) => None,
        }
    })
}

/// Waits for Ctrl-C or SIGTERM.
async fn interrupted(terminate: Option<&mut tokio::signal::unix::Signal>) {
    match terminate {
        Some(terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        None => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The error of work abandoned by a second Ctrl-C.
pub fn cancelled() -> CliError {
    CliError::new("stopped at once (Ctrl-C twice)")
        .hint("a change that was running may be incomplete: `todo-ai status` and the audit log show where it stopped")
}

/// A turn-engine session for these settings: executor, and the planner the settings choose.
pub fn session(settings: &Settings) -> crate::engine::Session {
    let llm = if settings.offline { None } else { llm_client(settings) };
    let llm_reason = match &settings.llm {
        Err(reason) => reason.clone(),
        Ok(_) if llm.is_none() => "the LLM client could not be built".into(),
        Ok(_) => String::new(),
    };
    crate::engine::Session {
        guard: settings.guard,
        executor: executor(settings),
        planner: crate::engine::Planner {
            llm,
            offline: settings.offline,
            llm_reason,
            conversation: Default::default(),
        },
    }
}

/// Runs checked calls through the engine with the terminal approver and prints results;
/// returns the worst status. Used by the direct subcommands.
pub fn execute(
    executor: &mut Executor,
    calls: &[CheckedCall],
    output: OutputFormat,
    guard: Option<std::time::Duration>,
) -> Result<ExitStatus, CliError> {
    use crate::engine::render::Renderer as _;
    let runtime = runtime()?;
    let mut session = crate::engine::Session {
        executor: std::mem::replace(executor, Executor::new(Policy::default(), executor.ctx.clone(), None)),
        planner: crate::engine::Planner::offline(),
        guard,
    };
    let quiet = executor.ctx.verbosity < 0;
    let mut renderer =
        crate::engine::render::Terminal::new(output, crate::engine::render::PlanPlacement::Hidden, quiet);
    let cancel = session.executor.ctx.cancel.clone();
    let status =
        block_on_cancellable(&runtime, &cancel, session.run_calls(calls, &mut TerminalApprover, &mut renderer));
    *executor = session.executor;
    renderer.finish()?;
    status.ok_or_else(cancelled)
}
