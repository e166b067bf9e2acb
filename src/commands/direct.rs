//! One direct subcommand per tool (`todo-ai scale backend 3`, `todo-ai diagnose` …): each
//! builds the tool's JSON arguments from its flags and goes through the same registry check,
//! approval policy and executor as a planned step.

use serde_json::{Map, Value, json};

use super::{execute, executor};
use crate::cli::{Command, RolloutCommand};
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;
use crate::tools::{self, Stack};

/// Runs a direct subcommand.
pub fn run(settings: &Settings, command: Command) -> Result<ExitStatus, CliError> {
    let wait = match &command {
        Command::Scale(scale) if scale.wait => Some(scale.deployment.clone()),
        _ => None,
    };
    let status = run_tool(settings, command)?;
    match wait {
        // `scale --wait`: follow the rollout until the new replicas are ready.
        Some(deployment) if status == ExitStatus::Success && !settings.dry_run => run_tool(
            settings,
            Command::Rollout(crate::cli::RolloutCommand::Status(crate::cli::DeploymentArgs { deployment })),
        ),
        _ => Ok(status),
    }
}

fn run_tool(settings: &Settings, command: Command) -> Result<ExitStatus, CliError> {
    let (tool, mut args, namespaced) = arguments(command)?;
    if namespaced && settings.namespace_explicit {
        // `-n` on a direct command is the call's namespace (it is also the default, but
        // recording it makes the audit entry and preview exact).
        args.insert("namespace".into(), json!(settings.namespace));
    }
    let mut executor = executor(settings);
    let call = tools::check(tool, Value::Object(args), &executor.ctx)?;
    execute(&mut executor, std::slice::from_ref(&call), settings.output)
}

fn arguments(command: Command) -> Result<(&'static str, Map<String, Value>, bool), CliError> {
    let mut args = Map::new();
    let mut put = |key: &str, value: Value| {
        if !value.is_null() {
            args.insert(key.to_string(), value);
        }
    };
    let (tool, namespaced) = match command {
        Command::Diagnose(diagnose) => {
            put("target", json!(diagnose.target));
            ("diagnose", true)
        }
        Command::Status(target) => {
            put("target", json!(target.target));
            ("status", true)
        }
        Command::Logs(logs) => {
            put("target", json!(logs.target));
            put("previous", json!(logs.previous));
            put("tail", json!(logs.tail));
            put("since", json!(logs.since));
            ("logs", true)
        }
        Command::Events(events) => {
            put("target", json!(events.target));
            put("warnings_only", json!(events.warnings_only));
            ("events", true)
        }
        Command::Scale(scale) => {
            put("deployment", json!(scale.deployment));
            put("replicas", json!(scale.replicas));
            ("scale", true)
        }
        Command::Restart(target) | Command::Rollout(RolloutCommand::Restart(target)) => {
            put("deployment", json!(target.deployment));
            ("rollout_restart", true)
        }
        Command::Rollout(RolloutCommand::Undo(undo)) => {
            put("deployment", json!(undo.deployment));
            put("revision", json!(undo.to_revision));
            ("rollout_undo", true)
        }
        Command::Rollout(RolloutCommand::Status(target)) => {
            put("deployment", json!(target.deployment));
            ("rollout_status", true)
        }
        Command::SetImage(set) => {
            put("deployment", json!(set.deployment));
            put("image", json!(set.image));
            put("container", json!(set.container));
            ("set_image", true)
        }
        Command::Autoscale(autoscale) => {
            put("deployment", json!(autoscale.deployment));
            put("min", json!(autoscale.min));
            put("max", json!(autoscale.max));
            put("cpu_percent", json!(autoscale.cpu_percent));
            ("autoscale", true)
        }
        Command::Dockerfile(dockerfile) => {
            put("path", json!(dockerfile.path));
            put("stack", json!(Stack::from(dockerfile.stack).name()));
            put("syntax_directive", json!(dockerfile.syntax_directive));
            ("generate_dockerfile", false)
        }
        Command::Build(build) => {
            put("path", json!(build.path));
            put("tag", json!(build.tag));
            put("minikube", json!(build.minikube));
            put("dockerfile", json!(build.dockerfile));
            put("target", json!(build.target));
            put("network", json!(build.network.name()));
            let pairs: Map<String, Value> =
                build.build_args.into_iter().map(|(key, value)| (key, json!(value))).collect();
            if !pairs.is_empty() {
                put("build_args", Value::Object(pairs));
            }
            ("build_image", false)
        }
        Command::Deploy(deploy) => {
            put("release", json!(deploy.release));
            put("values", json!(deploy.values));
            let pairs: Map<String, Value> = deploy.set.into_iter().map(|(key, value)| (key, json!(value))).collect();
            put("set", Value::Object(pairs));
            ("helm_install", true)
        }
        Command::HelmRollback(rollback) => {
            put("release", json!(rollback.release));
            put("revision", json!(rollback.revision));
            ("helm_rollback", true)
        }
        Command::Ask(_)
        | Command::Plan(_)
        | Command::Tools(_)
        | Command::Completions(_)
        | Command::Up(_)
        | Command::Down(_)
        | Command::Doctor
        | Command::Mcp(_) => {
            return Err(CliError::new("internal: not a direct tool command"));
        }
    };
    Ok((tool, args, namespaced))
}
