//! `todo-ai diagnose`: the report people run when paged and in CI. Text (colour unless
//! `NO_COLOR` or not a terminal), JSON `{"findings": […], "summary": {…}}` (each finding with
//! its stable `id`), YAML, Markdown, SARIF 2.1.0 or JUnit XML.
//!
//! The gate: `--baseline FILE` marks findings `new`/`unchanged` and lists the resolved ones;
//! `.todo-ai/ignore.yaml` (or `--ignore-file`) hides accepted findings, counted; `--fail-on`
//! sets what fails. Exit codes: 0 nothing fails the gate, 1 a finding reaches `--fail-on`
//! (`new-*`: only findings not in the baseline), 2 an error (cluster, baseline, ignore file).
//! With `GITHUB_ACTIONS=true`, workflow annotations follow the report. `--watch` diagnoses
//! again at each interval and prints only what changed, until Ctrl-C (exit 0).

use std::io::IsTerminal;

use super::{block_on_cancellable, render_data, runtime, tool_context, write_stdout};
use crate::cli::{DiagnoseArgs, FailOn, OutputFormat};
use crate::diagnose::gate::{self, Baseline, Gated, IgnoreFile, Threshold, github, ignore, sarif, watch};
use crate::diagnose::{self, Report, Severity};
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;
use crate::tools::ToolContext;

/// The threshold of a `--fail-on`.
pub fn threshold(fail_on: FailOn) -> Threshold {
    let (severity, new_only) = match fail_on {
        FailOn::Critical => (Some(Severity::Critical), false),
        FailOn::Warning => (Some(Severity::Warning), false),
        FailOn::NewCritical => (Some(Severity::Critical), true),
        FailOn::NewWarning => (Some(Severity::Warning), true),
        FailOn::Never => (None, false),
    };
    Threshold { severity, new_only }
}

/// Runs `todo-ai diagnose`.
pub fn run(settings: &Settings, args: &DiagnoseArgs) -> Result<ExitStatus, CliError> {
    if let Some(target) = &args.target {
        crate::validate::target(target).map_err(|error| CliError::refused(error.to_string()))?;
    }
    let interval = if args.watch {
        if !matches!(settings.output, OutputFormat::Text | OutputFormat::Markdown) {
            return Err(CliError::refused("`--watch` prints changes as text lines")
                .hint("drop `-o`, or run diagnose without `--watch` for a document"));
        }
        Some(watch::interval(&args.interval).map_err(|error| {
            CliError::refused(error).hint("give an interval from 2s to 1h, such as `--interval 30s`")
        })?)
    } else {
        None
    };
    let threshold = threshold(args.fail_on);
    let baseline = match &args.baseline {
        Some(path) => {
            let baseline = Baseline::load(path).map_err(|error| CliError::new(error.to_string()).hint(error.hint()))?;
            if baseline.without_id > 0 {
                eprintln!(
                    "note: the baseline has {} findings without an `id` (an older todo-ai): they are matched by code and object, so a replaced pod's finding shows as new",
                    baseline.without_id
                );
            }
            Some(baseline)
        }
        None => None,
    };
    let ignore = load_ignore(args.ignore_file.as_deref())?;
    let ctx = tool_context(settings);
    let runtime = runtime()?;
    let report = runtime.block_on(diagnose_report(&ctx, args.all_namespaces, args.target.as_deref()))?;
    let gated = gate::apply(report, baseline.as_ref(), ignore.as_ref(), &gate::today());
    let text = match settings.output {
        OutputFormat::Text => gate::render_text(&gated, colour()),
        OutputFormat::Markdown => gate::render_markdown(&gated),
        OutputFormat::Json | OutputFormat::Yaml => render_data(&gated.to_json(), settings.output)?,
        OutputFormat::Sarif => {
            let chart = sarif::ChartIndex::discover(&settings.workdir);
            render_data(&sarif::render(&gated, chart.as_ref(), threshold), OutputFormat::Json)?
        }
        OutputFormat::Junit => gate::junit::render(&gated, threshold),
    };
    write_stdout(&text)?;
    if github::enabled() {
        annotate(&gated, settings.output)?;
    }
    if args.explain {
        explain(settings, &gated.report, &runtime)?;
    }
    if let Some(interval) = interval {
        watch_until_interrupted(&runtime, &ctx, &gated, interval, args, baseline.as_ref(), ignore.as_ref());
        return Ok(ExitStatus::Success);
    }
    Ok(if gated.failing(threshold) { ExitStatus::Failure } else { ExitStatus::Success })
}

fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// GitHub workflow annotations: on stdout after a report for people; on stderr when stdout
/// carries a document (the runner reads both), so `-o sarif > file` stays valid.
fn annotate(gated: &Gated, output: OutputFormat) -> Result<(), CliError> {
    let lines = github::annotations(gated);
    if lines.is_empty() {
        return Ok(());
    }
    if matches!(output, OutputFormat::Text | OutputFormat::Markdown) {
        write_stdout(&lines)
    } else {
        eprint!("{lines}");
        Ok(())
    }
}

/// The ignore file: the one named, else `.todo-ai/ignore.yaml` when it exists.
pub fn load_ignore(path: Option<&std::path::Path>) -> Result<Option<IgnoreFile>, CliError> {
    let error = |error: gate::IgnoreError| CliError::new(error.to_string()).hint(error.hint());
    match path {
        Some(path) => IgnoreFile::load(path, gate::Links::Follow).map(Some).map_err(error),
        None => {
            // The repository's own file: absent is fine; a link or a special file is an error.
            let default = std::path::Path::new(ignore::DEFAULT_PATH);
            if std::fs::symlink_metadata(default).is_err() {
                return Ok(None);
            }
            IgnoreFile::load(default, gate::Links::Refuse).map(Some).map_err(error)
        }
    }
}

/// Diagnoses the context's namespace (or every namespace).
pub async fn diagnose_report(
    ctx: &ToolContext,
    all_namespaces: bool,
    target: Option<&str>,
) -> Result<Report, crate::cluster::ClusterError> {
    let cluster = ctx.cluster.get().await?;
    let namespaces = if all_namespaces { cluster.namespaces().await? } else { vec![ctx.namespace.clone()] };
    diagnose::run_namespaces(&cluster, &namespaces, target, all_namespaces, &ctx.limits).await
}

/// The watch loop on the terminal: until Ctrl-C.
fn watch_until_interrupted(
    runtime: &tokio::runtime::Runtime,
    ctx: &ToolContext,
    first: &Gated,
    interval: std::time::Duration,
    args: &DiagnoseArgs,
    baseline: Option<&Baseline>,
    ignore: Option<&IgnoreFile>,
) {
    eprintln!(
        "watching: {} finding{} now; diagnosing every {}s and printing what changes (Ctrl-C stops)",
        first.report.findings.len(),
        if first.report.findings.len() == 1 { "" } else { "s" },
        interval.as_secs()
    );
    let cancel = tokio_util::sync::CancellationToken::new();
    let target = args.target.as_deref();
    let all = args.all_namespaces;
    block_on_cancellable(runtime, &cancel, watch_loop(ctx, first, interval, all, target, baseline, ignore, &cancel));
}

/// The watch loop (also the REPL's `/watch`): prints each change to stdout until `cancel`.
#[allow(clippy::too_many_arguments)]
pub async fn watch_loop(
    ctx: &ToolContext,
    first: &Gated,
    interval: std::time::Duration,
    all_namespaces: bool,
    target: Option<&str>,
    baseline: Option<&Baseline>,
    ignore: Option<&IgnoreFile>,
    cancel: &tokio_util::sync::CancellationToken,
) -> usize {
    watch::run(
        first,
        || async move {
            let report = diagnose_report(ctx, all_namespaces, target).await;
            Some(report.map(|report| gate::apply(report, baseline, ignore, &gate::today())))
        },
        || async move {
            tokio::select! {
                () = tokio::time::sleep(interval) => true,
                () = cancel.cancelled() => false,
            }
        },
        || {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            gate::time_of(now.as_secs())
        },
        |text| {
            let _ = write_stdout(text);
        },
    )
    .await
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
    if !matches!(settings.output, OutputFormat::Text | OutputFormat::Markdown) {
        eprintln!("note: `--explain` adds text, so it is left out of JSON, YAML, SARIF and JUnit output");
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
