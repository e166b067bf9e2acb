//! `todo-ai dockerfile [PATH] [--stack S]`: show what was detected and the files that would be
//! generated (text, or JSON for scripts) without writing anything; `--write` goes through the
//! `generate_dockerfile` tool and its approval instead.

use serde_json::json;

use super::{render_data, write_stdout};
use crate::cli::{DockerfileArgs, OutputFormat};
use crate::error::{CliError, ExitStatus};
use crate::settings::Settings;
use crate::tools::Stack;

/// Shows the detection and generated files; writes nothing.
pub fn show(settings: &Settings, args: &DockerfileArgs) -> Result<ExitStatus, CliError> {
    let dir = crate::validate::path_inside(&args.path, &settings.workdir)
        .map_err(|error| CliError::refused(error.to_string()))?;
    let (detection, generated) = match crate::containerise::containerise(&dir, Stack::from(args.stack)) {
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
        OutputFormat::Text | OutputFormat::Markdown => {
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
