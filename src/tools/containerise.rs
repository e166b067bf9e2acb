//! Container tools: `generate_dockerfile` and `build_image`. The argument types and previews
//! are final; the Dockerfile generator and the Docker Engine client arrive with the
//! containerise work, and until then `run` says so plainly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Effect, PrepareFuture, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, not_available};
use crate::validate::{self, Limits, ValidationError};

/// The application stacks todo-ai can containerise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stack {
    /// Detect from the files in the directory.
    #[default]
    Auto,
    /// Next.js (package.json depends on `next`).
    Nextjs,
    /// FastAPI (an ASGI app served by uvicorn).
    Fastapi,
    /// Any other Node.js app.
    Node,
    /// Any other Python app (Flask, Django …).
    Python,
    /// Go modules.
    Go,
    /// Cargo projects.
    Rust,
    /// Static files served by a web server.
    Static,
}

impl Stack {
    /// The name used in arguments and output.
    pub fn name(self) -> &'static str {
        match self {
            Stack::Auto => "auto",
            Stack::Nextjs => "nextjs",
            Stack::Fastapi => "fastapi",
            Stack::Node => "node",
            Stack::Python => "python",
            Stack::Go => "go",
            Stack::Rust => "rust",
            Stack::Static => "static",
        }
    }
}

fn is_auto(stack: &Stack) -> bool {
    *stack == Stack::Auto
}

/// Arguments of `generate_dockerfile`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateDockerfileArgs {
    /// The app's directory, inside the working tree (`.` for the current one).
    pub path: String,
    /// The stack; detected from the files when `auto`.
    #[serde(default, skip_serializing_if = "is_auto")]
    pub stack: Stack,
}

/// Writes a production Dockerfile and `.dockerignore` for an app.
pub struct GenerateDockerfile;

impl Tool for GenerateDockerfile {
    type Args = GenerateDockerfileArgs;
    const NAME: &'static str = "generate_dockerfile";

    fn description(&self) -> &'static str {
        "Detect an app's stack and write a multi-stage, non-root Dockerfile and .dockerignore for it"
    }

    fn effect(&self) -> Effect {
        Effect::WritesFiles
    }

    fn validate(&self, args: &GenerateDockerfileArgs, _: &Limits, ctx: &ToolContext) -> Result<(), ValidationError> {
        validate::path_inside(&args.path, &ctx.workdir).map(drop)
    }

    fn preview(&self, args: &GenerateDockerfileArgs, _: &ToolContext) -> String {
        let stack = match args.stack {
            Stack::Auto => "stack detected from its files".to_string(),
            other => format!("{} stack", other.name()),
        };
        format!("write Dockerfile and .dockerignore in `{}` ({stack})", display_path(&args.path))
    }

    fn prepare<'a>(
        &'a self,
        args: GenerateDockerfileArgs,
        ctx: &'a ToolContext,
    ) -> PrepareFuture<'a, GenerateDockerfileArgs> {
        Box::pin(async move {
            let (dir, detection, generated, standalone) = files_for(&args, ctx)?;
            let mut preview = format!(
                "write Dockerfile and .dockerignore in `{}` for a {} app (port {})",
                display_path(&args.path),
                detection.stack.name(),
                detection.port
            );
            // Never overwrite silently: the question shows what changes.
            for (name, content) in [("Dockerfile", &generated.dockerfile), (".dockerignore", &generated.dockerignore)] {
                if let Ok(existing) = std::fs::read_to_string(dir.join(name)) {
                    if existing == *content {
                        preview.push_str(&format!("; {name} is already up to date"));
                    } else {
                        preview.push_str(&format!(
                            "; OVERWRITES the existing {name}:\n{}",
                            crate::containerise::diff(&existing, content)
                        ));
                    }
                }
            }
            if let Some((file, old, new)) = &standalone {
                preview.push_str(&format!(
                    "; adds `output: 'standalone'` to {file} (the small runtime image needs it):\n{}",
                    crate::containerise::diff(old, new)
                ));
            }
            Ok((args, preview))
        })
    }

    fn run<'a>(&'a self, args: GenerateDockerfileArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let (dir, detection, generated, standalone) = files_for(&args, ctx)?;
            if ctx.dry_run {
                return Ok(ToolOutput {
                    text: format!(
                        "dry run: would write {}/Dockerfile and .dockerignore\n\n{}",
                        display_path(&args.path),
                        generated.dockerfile
                    ),
                    data: serde_json::json!({"path": args.path, "stack": detection.stack.name(), "dry_run": true}),
                });
            }
            let write = |name: &str, content: &str| {
                std::fs::write(dir.join(name), content).map_err(|error| ToolError::Failed {
                    tool: Self::NAME,
                    message: format!("cannot write {name}: {error}"),
                })
            };
            if let Some((file, _, new)) = &standalone {
                write(file, new)?;
            }
            write("Dockerfile", &generated.dockerfile)?;
            write(".dockerignore", &generated.dockerignore)?;
            Ok(ToolOutput {
                text: format!(
                    "wrote {path}/Dockerfile and {path}/.dockerignore ({} app, port {})\n{}",
                    detection.stack.name(),
                    detection.port,
                    detection
                        .notes
                        .iter()
                        .filter(|n| standalone.is_none() || !n.contains("output: 'standalone'"))
                        .map(|n| format!("note: {n}"))
                        .chain(
                            standalone
                                .iter()
                                .map(|(file, _, _)| format!("note: added `output: 'standalone'` to {file}"))
                        )
                        .collect::<Vec<_>>()
                        .join("\n"),
                    path = display_path(&args.path)
                ),
                data: serde_json::json!({"path": args.path, "stack": detection.stack.name(), "port": detection.port, "written": ["Dockerfile", ".dockerignore"]}),
            })
        })
    }
}

/// Arguments of `build_image`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildImageArgs {
    /// The build context: the app's directory, inside the working tree.
    pub path: String,
    /// Image tag, e.g. `todo-backend:1.0.1`; `<dir>:<git sha or dev>` when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Build where minikube's nodes can use the image.
    #[serde(default)]
    pub minikube: bool,
}

/// Builds an image through the Docker Engine API.
pub struct BuildImage;

impl Tool for BuildImage {
    type Args = BuildImageArgs;
    const NAME: &'static str = "build_image";

    fn description(&self) -> &'static str {
        "Build a container image from a directory through the Docker Engine, optionally into minikube"
    }

    fn effect(&self) -> Effect {
        Effect::BuildsImages
    }

    fn validate(&self, args: &BuildImageArgs, _: &Limits, ctx: &ToolContext) -> Result<(), ValidationError> {
        validate::path_inside(&args.path, &ctx.workdir)?;
        args.tag.as_deref().map_or(Ok(()), validate::image)
    }

    fn preview(&self, args: &BuildImageArgs, _: &ToolContext) -> String {
        let tag = args.tag.as_deref().map_or_else(|| "a default tag".to_string(), |tag| format!("`{tag}`"));
        let place = if args.minikube { " inside minikube" } else { "" };
        format!("build an image from `{}` tagged {tag}{place}", display_path(&args.path))
    }

    fn run<'a>(&'a self, _: BuildImageArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}

/// A path as users write it: `./backend` shows as `backend`, `.` stays `.`.
fn display_path(path: &str) -> &str {
    let trimmed = path.strip_prefix("./").unwrap_or(path);
    let trimmed = trimmed.trim_end_matches('/');
    if trimmed.is_empty() { "." } else { trimmed }
}

/// For a Next.js app without a standalone build: the config change to make (approved with
/// the files), and the Dockerfile regenerated for the standalone runtime it enables.
fn standalone_change(
    dir: &std::path::Path,
    detection: &crate::containerise::Detection,
    generated: &mut crate::containerise::Generated,
) -> Option<(String, String, String)> {
    if detection.stack != Stack::Nextjs || detection.standalone != Some(false) {
        return None;
    }
    let patch = crate::containerise::standalone_patch(dir)?;
    let mut standalone = detection.clone();
    standalone.standalone = Some(true);
    *generated = crate::containerise::generate(&standalone, dir.join("public").is_dir());
    Some(patch)
}

/// What `generate_dockerfile` would write for its arguments: the directory, the detection, the
/// files, and the Next.js standalone change when one is needed (shared by preview and run, so
/// what was approved is what is written).
#[allow(clippy::type_complexity)]
fn files_for(
    args: &GenerateDockerfileArgs,
    ctx: &ToolContext,
) -> Result<
    (
        std::path::PathBuf,
        crate::containerise::Detection,
        crate::containerise::Generated,
        Option<(String, String, String)>,
    ),
    ToolError,
> {
    let dir = validate::path_inside(&args.path, &ctx.workdir)
        .map_err(|source| ToolError::Invalid { tool: GenerateDockerfile::NAME, source })?;
    let (detection, mut generated) = crate::containerise::containerise(&dir, args.stack)
        .map_err(|message| ToolError::Failed { tool: GenerateDockerfile::NAME, message })?;
    let standalone = standalone_change(&dir, &detection, &mut generated);
    Ok((dir, detection, generated, standalone))
}
