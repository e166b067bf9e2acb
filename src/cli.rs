//! The command line, as clap structs. Their doc comments are the `--help` text, so they are
//! written for users. Parsing only: resolution into [`crate::settings::Settings`] happens in
//! `settings`, and each subcommand's behaviour lives in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::tools;

/// todo-ai — deploy and operate the Todo app on Kubernetes from plain language.
///
/// With no command, opens an interactive session: type what you want ("scale backend to 3",
/// "why is the frontend crashing?") and todo-ai plans it with its vetted tools, shows exactly
/// what will change and asks before changing anything.
#[derive(Debug, Parser)]
#[command(name = "todo-ai", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 ok, 1 refused or problems found, 2 error.\nRun `todo-ai tools` to list the tools."
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// What to do; the interactive session when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Kubernetes namespace [env: TODO_AI_NAMESPACE]
    #[arg(short = 'n', long, global = true, value_name = "NS")]
    pub namespace: Option<String>,

    /// Kube context to use [env: TODO_AI_CONTEXT]
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Kubeconfig file [env: KUBECONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Read a saved cluster state (kubectl get -o yaml|json output, or a directory of it)
    /// instead of a live cluster; nothing can be changed [env: TODO_AI_SNAPSHOT]
    #[arg(long, global = true, value_name = "FILE|DIR")]
    pub snapshot: Option<PathBuf>,

    /// Never call an LLM; plan with the built-in rules [env: TODO_AI_OFFLINE]
    #[arg(long, global = true)]
    pub offline: bool,

    /// LLM model name [env: TODO_AI_MODEL]
    #[arg(long, global = true, value_name = "NAME")]
    pub model: Option<String>,

    /// Approve every change without asking
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Change nothing; show what would happen [env: TODO_AI_DRY_RUN]
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Refuse every tool that changes anything [env: TODO_AI_READ_ONLY]
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Watch each change to a workload this long (90s, 2m) and undo it if a new critical
    /// problem appears; `0` verifies once after the rollout (`fix` guards for 60s by default)
    #[arg(long, global = true, value_name = "DURATION")]
    pub guard: Option<String>,

    /// Most replicas `scale` and `autoscale` may set [env: TODO_AI_MAX_REPLICAS] [default: 100]
    #[arg(long, global = true, value_name = "N")]
    pub max_replicas: Option<i64>,

    /// Output format for data on stdout [env: TODO_AI_OUTPUT] [default: text]
    #[arg(short = 'o', long, global = true, value_enum)]
    pub output: Option<OutputFormat>,

    /// More detail on stderr (-v, -vv)
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only errors on stderr
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
}

/// Formats for data on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// For people.
    Text,
    /// JSON, one document.
    Json,
    /// YAML.
    Yaml,
    /// Markdown (the diagnose report; other commands print text).
    Markdown,
    /// SARIF 2.1.0 (the diagnose report, for code scanning; other commands print text).
    Sarif,
    /// JUnit XML (the diagnose report, one test case per object; other commands print text).
    Junit,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a request and run it, asking before each change
    Ask(PromptArgs),
    /// Show the plan for a request without running anything
    Plan(PromptArgs),
    /// List the tools todo-ai can use
    Tools(ToolsArgs),
    /// Print shell completions
    Completions(CompletionsArgs),
    /// Find root causes of problems, with fixes
    Diagnose(DiagnoseArgs),
    /// Diagnose and apply the safe typed fixes (each asked for, then verified and guarded)
    Fix(FixArgs),
    /// Show workloads and pods
    Status(tools::StatusCommand),
    /// Print container logs
    Logs(tools::LogsCommand),
    /// List recent events
    Events(tools::EventsCommand),
    /// Set the replicas of a deployment
    Scale(tools::ScaleCommand),
    /// Restart, roll back or follow a deployment's rollout
    #[command(subcommand)]
    Rollout(RolloutCommand),
    /// Restart a deployment's pods (same as `rollout restart`)
    Restart(tools::DeploymentCommand),
    /// Change a deployment's container image
    SetImage(tools::SetImageCommand),
    /// Create or update a HorizontalPodAutoscaler
    Autoscale(tools::AutoscaleCommand),
    /// Change a deployment container's CPU/memory requests and limits
    SetResources(tools::SetResourcesCommand),
    /// Generate a Dockerfile and .dockerignore for an app
    Dockerfile(tools::DockerfileCommand),
    /// Build a container image
    Build(tools::BuildCommand),
    /// Install or upgrade the Helm release
    Deploy(tools::DeployCommand),
    /// Roll the Helm release back
    HelmRollback(tools::HelmRollbackCommand),
    /// Run the Todo app on minikube or the current context: build, deploy, test (resumable; asks per step)
    Up(UpArgs),
    /// Uninstall the Helm release (asks first)
    Down(DownArgs),
    /// Show which planner, cluster, Docker daemon and programs todo-ai would use, and why
    Doctor,
    /// Serve the tools to MCP clients (stdio, or --http on loopback); read-only unless --allow-changes
    Mcp(crate::mcp::McpArgs),
}

/// Options of `up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// The frontend's source directory
    #[arg(long, default_value = "frontend", value_name = "DIR")]
    pub frontend: String,
    /// The backend's source directory
    #[arg(long, default_value = "backend", value_name = "DIR")]
    pub backend: String,
    /// Release name [default: todo-app]
    #[arg(long)]
    pub release: Option<String>,
    /// Where DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY are when not in the environment [default: .env]
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<std::path::PathBuf>,
    /// Push the images to this registry (e.g. `ghcr.io/acme`, `localhost:5000`) with `docker push`;
    /// the release pulls them from there
    #[arg(long, value_name = "REGISTRY", conflicts_with = "load_command", value_parser = crate::commands::up::parse_registry)]
    pub registry: Option<String>,
    /// Make each built image available to the cluster by running this command, `{image}` replaced
    /// by the image (e.g. `kind load docker-image {image}`); split into words, never run by a shell
    #[arg(long, value_name = "COMMAND", value_parser = crate::commands::up::LoadCommand::parse)]
    pub load_command: Option<crate::commands::up::LoadCommand>,
    /// The network of the builds' `RUN` steps (`host` for a Docker daemon without a bridge network)
    #[arg(long, value_enum, default_value = "default")]
    pub network: crate::docker::Network,
    /// A build argument for both images (repeatable), e.g. `PYTHON_IMAGE=python:3.12-slim`
    #[arg(long = "build-arg", value_name = "NAME=VALUE", value_parser = tools::parse_key_value)]
    pub build_args: Vec<(String, String)>,
    /// A values file applied after the chart's `values-dev.yaml` (repeatable; inside the working tree)
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
}

/// Options of `down`.
#[derive(Debug, Args)]
pub struct DownArgs {
    /// Release name [default: todo-app]
    #[arg(long)]
    pub release: Option<String>,
}

/// A request in plain language.
#[derive(Debug, Args)]
pub struct PromptArgs {
    /// What you want, e.g. "scale backend to 3" (quotes optional)
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "PROMPT")]
    pub prompt: Vec<String>,
}

impl PromptArgs {
    /// The prompt as one string.
    pub fn text(&self) -> String {
        self.prompt.join(" ")
    }
}

/// Options of `tools`.
#[derive(Debug, Args)]
pub struct ToolsArgs {
    /// Print the tools as OpenAI function definitions
    #[arg(long)]
    pub json: bool,
}

/// Options of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options of `diagnose`.
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Only findings about this workload or pod (and their causes)
    pub target: Option<String>,
    /// Every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Exit 1 when a finding is at least this severe
    #[arg(long, value_enum, default_value = "critical")]
    pub fail_on: FailOn,
    /// Add a plain-language explanation per root cause (needs an LLM; omitted offline)
    #[arg(long)]
    pub explain: bool,
    /// Compare with an earlier `diagnose -o json` report: findings are new or unchanged, and
    /// the baseline's findings that are gone are resolved
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<std::path::PathBuf>,
    /// Accepted findings to hide (and count) [default: .todo-ai/ignore.yaml when it exists]
    #[arg(long, value_name = "PATH")]
    pub ignore_file: Option<std::path::PathBuf>,
    /// Diagnose again at each interval and print only what changed, until Ctrl-C
    #[arg(long)]
    pub watch: bool,
    /// How often `--watch` diagnoses (2s to 1h)
    #[arg(long, value_name = "DURATION", default_value = "10s", requires = "watch")]
    pub interval: String,
}

/// Options of `fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// The workload or pod to fix (name, fragment or `kind/name`); the whole namespace when omitted
    pub target: Option<String>,
}

/// `--fail-on` thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Critical findings fail.
    Critical,
    /// Warnings and critical findings fail.
    Warning,
    /// Critical findings not in the `--baseline` fail (without one, every finding is new).
    NewCritical,
    /// Warnings and critical findings not in the `--baseline` fail.
    NewWarning,
    /// Never fail on findings.
    Never,
}

/// `rollout` subcommands.
#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Restart the pods with a rolling update
    Restart(tools::DeploymentCommand),
    /// Roll back to the previous or a given revision
    Undo(tools::RolloutUndoCommand),
    /// Follow the rollout until it completes or stalls
    Status(tools::DeploymentCommand),
}
