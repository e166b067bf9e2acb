//! One direct subcommand per tool (`todo-ai scale backend 3`, `todo-ai logs api` …): the
//! tool's own [`Direct`] mapping turns the parsed flags into its typed arguments, and the
//! call goes through the same registry check, approval policy and executor as a planned step.

use super::{execute, executor};
use crate::cli::{Command, RolloutCommand};
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;
use crate::tools::{self, Direct, RolloutStatus, RolloutStatusArgs};

/// Runs a direct subcommand.
pub fn run(settings: &Settings, command: Command) -> Result<ExitStatus, CliError> {
    match command {
        Command::Status(command) => direct(settings, &tools::Status, command),
        Command::Logs(command) => direct(settings, &tools::Logs, command),
        Command::Events(command) => direct(settings, &tools::Events, command),
        Command::Scale(command) => direct(settings, &tools::Scale, command),
        Command::Restart(command) | Command::Rollout(RolloutCommand::Restart(command)) => {
            direct(settings, &tools::RolloutRestart, command)
        }
        Command::Rollout(RolloutCommand::Undo(command)) => direct(settings, &tools::RolloutUndo, command),
        Command::Rollout(RolloutCommand::Status(command)) => direct(settings, &tools::RolloutStatus, command),
        Command::SetImage(command) => direct(settings, &tools::SetImage, command),
        Command::Autoscale(command) => direct(settings, &tools::Autoscale, command),
        Command::SetResources(command) => direct(settings, &tools::SetResources, command),
        Command::Dockerfile(command) => direct(settings, &tools::GenerateDockerfile, command),
        Command::Build(command) => direct(settings, &tools::BuildImage, command),
        Command::Deploy(command) => direct(settings, &tools::HelmInstall, command),
        Command::HelmRollback(command) => direct(settings, &tools::HelmRollback, command),
        Command::Ask(_)
        | Command::Plan(_)
        | Command::Tools(_)
        | Command::Completions(_)
        | Command::Diagnose(_)
        | Command::Fix(_)
        | Command::Up(_)
        | Command::Down(_)
        | Command::Doctor
        | Command::Mcp(_) => Err(CliError::new("internal: not a direct tool command")),
    }
}

/// Runs one tool from its subcommand; `-n` on a direct command is the call's namespace (it is
/// also the default, but recording it makes the audit entry and preview exact).
fn direct<T: Direct>(settings: &Settings, tool: &'static T, command: T::Command) -> Result<ExitStatus, CliError> {
    let wait = tool.waits_for_rollout(&command);
    let namespace = settings.namespace_explicit.then(|| settings.namespace.clone());
    let args = tool.args(command, namespace);
    let mut executor = executor(settings);
    let call = tools::check_typed(tool, &args, &executor.ctx)?;
    let scope = call.scope(&executor.ctx);
    let status = execute(&mut executor, std::slice::from_ref(&call), settings.output, settings.guard)?;
    match (wait, scope.target) {
        // `scale --wait`: follow the rollout until the new replicas are ready.
        (true, Some(deployment)) if status == ExitStatus::Success && !settings.dry_run => {
            // `execute` runs each batch on a runtime of its own, and a kube client lives on
            // the runtime that connected it (its request buffer is a task there): reusing
            // the first call's connection fails with "buffer's worker closed unexpectedly".
            // Following the rollout gets a fresh connection.
            let mut executor = super::executor(settings);
            let follow = RolloutStatusArgs { deployment, namespace: scope.namespace };
            let call = tools::check_typed(&RolloutStatus, &follow, &executor.ctx)?;
            execute(&mut executor, std::slice::from_ref(&call), settings.output, None)
        }
        _ => Ok(status),
    }
}
