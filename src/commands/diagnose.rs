//! `todo-ai diagnose`: the report people run when paged and in CI. Text (colour unless
//! `NO_COLOR` or not a terminal), JSON `{"findings": […], "summary": {…}}`, YAML or
//! Markdown; exit 1 when a finding reaches `--fail-on` (default critical), 2 on error.

use std::io::IsTerminal;

use super::{render_data, runtime, tool_context, write_stdout};
use crate::cli::{DiagnoseArgs, FailOn, OutputFormat};
use crate::diagnose::{self, Report, Severity};
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;

/// Runs `todo-ai diagnose`.
pub fn run(settings: &Settings, args: &DiagnoseArgs) -> Result<ExitStatus, CliError> {
    if let Some(target) = &args.target {
        crate::validate::target(target).map_err(|error| CliError::refused(error.to_string()))?;
    }
    let ctx = tool_context(settings);
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let cluster = ctx.cluster.get().await?;
        let namespaces = if args.all_namespaces { cluster.namespaces().await? } else { vec![ctx.namespace.clone()] };
        diagnose::run_namespaces(&cluster, &namespaces, args.target.as_deref(), args.all_namespaces, &ctx.limits).await
    })?;
    let text = match settings.output {
        OutputFormat::Text => {
            let colour = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
            diagnose::render_text(&report, colour)
        }
        OutputFormat::Markdown => diagnose::render_markdown(&report),
        OutputFormat::Json | OutputFormat::Yaml => {
            render_data(&serde_json::to_value(&report).unwrap_or_default(), settings.output)?
        }
    };
    write_stdout(&text)?;
    if args.explain {
        explain(settings, &report, &runtime)?;
    }
    let threshold = match args.fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|threshold| report.findings.iter().any(|f| f.severity <= threshold));
    Ok(if failing { ExitStatus::Failure } else { ExitStatus::Success })
}

/// `--explain`: the LLM explains the findings in plain words, after the deterministic report
/// (which stands on its own: an LLM failure is one note, and the exit code is unchanged).
fn explain(settings: &Settings, report: &Report, runtime: &tokio::runtime::Runtime) -> Result<(), CliError> {
    if report.findings.is_empty() {
        return Ok(());
    }
    let Some(client) = crate::commands::llm_client(settings) else {
        if let Err(reason) = &settings.llm {
            eprintln!("note: `--explain` needs an LLM ({reason}); the findings above are complete without it");
        }
        return Ok(());
    };
    if matches!(settings.output, OutputFormat::Json | OutputFormat::Yaml) {
        eprintln!("note: `--explain` adds text, so it is left out of JSON and YAML output");
        return Ok(());
    }
    write_stdout("\nExplanation (LLM, from the findings above):\n")?;
    let findings = serde_json::to_value(report).unwrap_or_default();
    let mut renderer = crate::engine::render::Terminal::new(
        settings.output,
        crate::engine::render::PlanPlacement::Hidden,
        settings.verbosity < 0,
    );
    if let Err(error) = runtime.block_on(crate::llm::agent::explain(&client, &findings, &mut renderer)) {
        eprintln!("note: no explanation: {error} (hint: {})", error.hint());
    }
    Ok(())
}
