//! `todo-ai plan` and `todo-ai ask`: both drive the turn engine ([`crate::engine::Session`]).
//! `plan` asks the active planner and prints the checked plan as data; `ask` runs the turn
//! with the terminal approver and prints results on stdout, everything else on stderr.

use super::{block_on_cancellable, render_data, runtime, session, write_stdout};
use crate::cli::OutputFormat;
use crate::engine::render::{PlanPlacement, Renderer, Terminal};
use crate::engine::{CheckedPlan, fallback_notice, render_plan_text};
use crate::error::{CliError, ExitStatus};
use crate::executor::TerminalApprover;
use crate::llm::LlmClient;
use crate::settings::Settings;

fn print_plan(checked: &CheckedPlan, output: OutputFormat) -> Result<(), CliError> {
    match output {
        OutputFormat::Text | OutputFormat::Markdown | OutputFormat::Sarif | OutputFormat::Junit => {
            write_stdout(&render_plan_text(checked))
        }
        OutputFormat::Json | OutputFormat::Yaml => write_stdout(&render_data(&checked.to_json(), output)?),
    }
}

/// The LLM client for these settings, when one is configured and can be built.
pub fn llm_client(settings: &Settings) -> Option<LlmClient> {
    let config = settings.llm.clone().ok()?;
    match LlmClient::new(config) {
        Ok(client) => Some(client),
        Err(error) => {
            eprintln!("{}", fallback_notice(&error));
            None
        }
    }
}

/// `todo-ai plan PROMPT`: exit 0 with steps, 1 when nothing was planned.
pub fn plan_command(settings: &Settings, prompt: &str) -> Result<ExitStatus, CliError> {
    let mut session = session(settings);
    let mut renderer = Terminal::new(settings.output, PlanPlacement::Hidden, settings.verbosity < 0);
    let checked = runtime()?.block_on(session.plan(prompt, &mut renderer));
    print_plan(&checked, settings.output)?;
    Ok(if checked.is_empty() { ExitStatus::Failure } else { ExitStatus::Success })
}

/// `todo-ai ask PROMPT`: one turn of the engine, asking before each change.
pub fn ask_command(settings: &Settings, prompt: &str) -> Result<ExitStatus, CliError> {
    let mut session = session(settings);
    let mut renderer = Terminal::new(settings.output, PlanPlacement::Stderr, settings.verbosity < 0);
    let cancel = session.executor.ctx.cancel.clone();
    let status = block_on_cancellable(&runtime()?, &cancel, session.turn(prompt, &mut TerminalApprover, &mut renderer));
    renderer.finish()?;
    status.ok_or_else(super::cancelled)
}

/// `todo-ai fix [TARGET]`: the fix flow — diagnose, propose the safe typed fixes, ask for
/// each, apply it guarded, diagnose again, report before and after. Exit 0 when no critical
/// problem is left, 1 when one is, 2 on error.
pub fn fix_command(settings: &Settings, target: Option<String>) -> Result<ExitStatus, CliError> {
    let mut session = session(settings);
    let namespace = settings.namespace_explicit.then(|| settings.namespace.clone());
    let args = crate::engine::fix::FixArgs { target, namespace };
    let fix = crate::engine::plan::CheckedFix::check(args, &session.executor.ctx)
        .map_err(|error| CliError::refused(error.to_string()))?;
    let mut renderer = Terminal::new(settings.output, PlanPlacement::Stderr, settings.verbosity < 0);
    let cancel = session.executor.ctx.cancel.clone();
    let status = block_on_cancellable(&runtime()?, &cancel, session.fix(&fix, &mut TerminalApprover, &mut renderer));
    renderer.finish()?;
    status.ok_or_else(super::cancelled)
}
