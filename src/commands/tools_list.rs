//! `todo-ai tools`: the registry as a table, or as OpenAI function definitions (`--json`).

use std::fmt::Write as _;

use super::{render_data, write_stdout};
use crate::cli::OutputFormat;
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;
use crate::tools;

/// The table people read.
pub fn table() -> String {
    let width = tools::all().iter().map(|tool| tool.name().len()).max().unwrap_or(0);
    let mut text = String::new();
    let _ = writeln!(text, "{:width$}  {:15}  DESCRIPTION", "TOOL", "EFFECT");
    for tool in tools::all() {
        let _ = writeln!(text, "{:width$}  {:15}  {}", tool.name(), tool.effect().label(), tool.description());
    }
    text
}

/// Runs `todo-ai tools`.
pub fn run(settings: &Settings, json: bool) -> Result<ExitStatus, CliError> {
    if json || matches!(settings.output, OutputFormat::Json | OutputFormat::Yaml) {
        let format = if json { OutputFormat::Json } else { settings.output };
        write_stdout(&render_data(&tools::openai_functions(), format)?)?;
    } else {
        write_stdout(&table())?;
    }
    Ok(ExitStatus::Success)
}
