//! `todo-ai doctor`: what todo-ai would use and why — the planner (LLM or offline, and the
//! reason), the cluster, the Docker daemon, the programs `up` needs, the audit log and the
//! config file. It reads settings and PATH only: no request leaves the machine, and no secret
//! is shown (an API key is reported as set or not).

use super::write_stdout;
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;

/// Prints the report.
pub fn run(settings: &Settings) -> Result<ExitStatus, CliError> {
    let mut lines = Vec::new();
    lines.push(match &settings.llm {
        Ok(config) => format!("planner:    llm — {}", config.describe()),
        Err(reason) => format!("planner:    offline — {reason}"),
    });
    lines.push(match &settings.snapshot {
        Some(path) => format!("cluster:    snapshot {} (read-only)", path.display()),
        None => {
            let (context, namespace) =
                crate::settings::kube_context_defaults(settings.kubeconfig.as_deref(), settings.context.as_deref());
            let kubeconfig = settings.kubeconfig.as_ref().map_or_else(
                || std::env::var("KUBECONFIG").unwrap_or_else(|_| "~/.kube/config".into()),
                |path| path.display().to_string(),
            );
            format!(
                "cluster:    context {} from {kubeconfig}, namespace {}",
                context.as_deref().unwrap_or("(none: no kubeconfig found)"),
                if settings.namespace_explicit {
                    settings.namespace.clone()
                } else {
                    namespace.unwrap_or_else(|| settings.namespace.clone())
                }
            )
        }
    });
    let docker = crate::docker::Endpoint::from_env();
    let builder = match std::env::var("DOCKER_BUILDKIT").ok().as_deref() {
        Some("0" | "false") => "legacy builder (DOCKER_BUILDKIT=0)",
        Some("1" | "true") => "BuildKit (DOCKER_BUILDKIT=1)",
        _ => "BuildKit where the daemon supports it",
    };
    lines.push(format!(
        "docker:     {}{}; {builder}",
        docker.host,
        if docker.tls.is_some() { " with TLS" } else { "" }
    ));
    for program in ["helm", "minikube", "kubectl", "git"] {
        lines.push(format!(
            "{:<11} {}",
            format!("{program}:"),
            crate::exec::find_program(program)
                .map_or_else(|| "not found on PATH".to_string(), |p| p.display().to_string())
        ));
    }
    lines.push(format!(
        "audit log:  {}",
        settings
            .audit_log
            .as_ref()
            .map_or_else(|| "(none: no state directory)".to_string(), |p| p.display().to_string())
    ));
    let config = crate::settings::config_dir().map(|dir| dir.join("config.toml"));
    lines.push(format!(
        "config:     {}",
        config.map_or_else(
            || "(no config directory)".to_string(),
            |path| format!("{} ({})", path.display(), if path.is_file() { "read" } else { "not present" })
        )
    ));
    let mut modes = Vec::new();
    for (on, name) in [(settings.dry_run, "dry-run"), (settings.read_only, "read-only"), (settings.assume_yes, "--yes")]
    {
        if on {
            modes.push(name);
        }
    }
    lines.push(format!("modes:      {}", if modes.is_empty() { "none".to_string() } else { modes.join(", ") }));
    write_stdout(&format!("{}\n", crate::redact::text(&lines.join("\n"))))?;
    Ok(ExitStatus::Success)
}
