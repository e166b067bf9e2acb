//! Container tools: `generate_dockerfile` (detect the stack, write a Dockerfile and
//! `.dockerignore`; the approval question shows a new file whole and a changed one as a
//! diff; writes never follow a link and stay in the app directory) and `build_image` (build
//! through the Docker Engine API with a chosen network, optionally where minikube can use the
//! image; the question says what the context sends and what it left out).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, shell_word,
};
use crate::containerise::files::{self, ReadError};
use crate::docker::{self, DockerError, Network};
use crate::redact;
use crate::validate::{self, Limits, ValidationError};

/// The application stacks todo-ai can containerise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, clap::ValueEnum)]
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
    /// Start the Dockerfile with `# syntax=docker/dockerfile:1`. Off by default: BuildKit
    /// then pulls that frontend image from Docker Hub on every build, and the Engine's
    /// built-in frontend (Docker 20.10+) already handles everything the file uses.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub syntax_directive: bool,
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

    fn hints(&self) -> Hints {
        // The same files every time; it can overwrite an existing Dockerfile (the approval
        // question shows the diff first), so it is not marked harmless.
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn scope(&self, args: &GenerateDockerfileArgs, _: &ToolContext) -> Scope {
        Scope { namespace: None, target: Some(display_path(&args.path).to_string()) }
    }

    fn command_line(&self, args: &GenerateDockerfileArgs, _: &ToolContext) -> Option<String> {
        let stack = if args.stack == Stack::Auto { String::new() } else { format!(" --stack {}", args.stack.name()) };
        let syntax = if args.syntax_directive { " --syntax-directive" } else { "" };
        Some(format!("todo-ai dockerfile {}{stack}{syntax} --write", shell_word(display_path(&args.path))))
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
            let Planned { dir, detection, generated, changes } = files_for(&args, ctx)?;
            let app = display_path(&args.path);
            let mut preview = format!(
                "write Dockerfile and .dockerignore in `{app}` for a {} app (port {})",
                detection.stack.name(),
                detection.port
            );
            // Never write unseen: a new file is shown whole, a changed one as a diff; a
            // destination that is a link or not a regular file is refused here, before asking.
            for (name, content) in [("Dockerfile", &generated.dockerfile), (".dockerignore", &generated.dockerignore)] {
                match existing(&dir, name, app)? {
                    Some(existing) if existing == *content => {
                        preview.push_str(&format!("; {name} is already up to date"));
                    }
                    Some(existing) => preview.push_str(&format!(
                        "; OVERWRITES the existing {name}:\n{}",
                        crate::containerise::diff(&existing, content)
                    )),
                    None => preview.push_str(&format!("; creates {name}:\n{}", crate::containerise::diff("", content))),
                }
            }
            for change in &changes {
                files::check_destination(&dir, &change.file).map_err(|error| refused_write(&error, app))?;
                preview.push_str(&format!(
                    "; {}:\n{}",
                    change.summary,
                    crate::containerise::diff(change.old.as_deref().unwrap_or_default(), &change.new)
                ));
            }
            Ok((args, preview))
        })
    }

    fn dry_run<'a>(&'a self, args: GenerateDockerfileArgs, preview: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            // The prepared preview (with the diff of anything it would overwrite) and the
            // Dockerfile that would be written.
            let Planned { detection, generated, .. } = files_for(&args, ctx)?;
            Ok(ToolOutput {
                text: format!(
                    "dry run: would write {}/Dockerfile and .dockerignore\n{preview}\n\n{}",
                    display_path(&args.path),
                    generated.dockerfile
                ),
                data: serde_json::json!({"path": args.path, "stack": detection.stack.name(), "dry_run": true}),
            })
        })
    }

    fn run<'a>(&'a self, args: GenerateDockerfileArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let Planned { dir, detection, generated, changes } = files_for(&args, ctx)?;
            let app = display_path(&args.path);
            let mut writes: Vec<(&str, &str)> =
                vec![("Dockerfile", &generated.dockerfile), (".dockerignore", &generated.dockerignore)];
            for change in &changes {
                writes.insert(0, (&change.file, &change.new));
            }
            // Every destination is checked before the first write, so a refusal writes nothing.
            for (name, _) in &writes {
                files::check_destination(&dir, name).map_err(|error| refused_write(&error, app))?;
            }
            for (name, content) in &writes {
                files::write_no_follow(&dir, name, content).map_err(|error| refused_write(&error, app))?;
            }
            Ok(ToolOutput {
                text: format!(
                    "wrote {path}/Dockerfile and {path}/.dockerignore ({} app, port {})\n{}",
                    detection.stack.name(),
                    detection.port,
                    detection
                        .notes
                        .iter()
                        .filter(|note| !changes.iter().any(|change| note.contains(change.resolves)))
                        .map(|note| format!("note: {note}"))
                        .chain(changes.iter().map(|change| format!("note: {}", change.done)))
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
    /// The Dockerfile, relative to the context (default `Dockerfile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    /// The stage to build, for multi-stage Dockerfiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Build arguments (`--build-arg NAME=VALUE`); never secrets: they stay in the image history.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub build_args: BTreeMap<String, String>,
    /// The network `RUN` steps use: `default` (the daemon's bridge), `host` (for daemons
    /// without a bridge network) or `none`.
    #[serde(default, skip_serializing_if = "is_default_network")]
    pub network: Network,
}

fn is_default_network(network: &Network) -> bool {
    *network == Network::Default
}

impl BuildImageArgs {
    fn dockerfile(&self) -> &str {
        self.dockerfile.as_deref().map_or("Dockerfile", |f| f.trim_start_matches("./"))
    }
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

    fn hints(&self) -> Hints {
        // Adds an image (a tag may move; no image is deleted), pulls base images from
        // registries, and every build is a new image.
        Hints { destructive: false, idempotent: false, open_world: true }
    }

    fn scope(&self, args: &BuildImageArgs, _: &ToolContext) -> Scope {
        Scope { namespace: None, target: Some(display_path(&args.path).to_string()) }
    }

    fn command_line(&self, args: &BuildImageArgs, _: &ToolContext) -> Option<String> {
        let mut line = format!("todo-ai build {}", shell_word(display_path(&args.path)));
        if let Some(tag) = &args.tag {
            line.push_str(&format!(" -t {}", shell_word(tag)));
        }
        if let Some(file) = &args.dockerfile {
            line.push_str(&format!(" -f {}", shell_word(file)));
        }
        if let Some(target) = &args.target {
            line.push_str(&format!(" --target {}", shell_word(target)));
        }
        for (key, value) in &args.build_args {
            line.push_str(&format!(
                " --build-arg {}",
                shell_word(&format!("{key}={}", redact::helm_value(key, value)))
            ));
        }
        if let Some(mode) = args.network.mode() {
            line.push_str(&format!(" --network {mode}"));
        }
        if args.minikube {
            line.push_str(" --minikube");
        }
        Some(line)
    }

    fn validate(&self, args: &BuildImageArgs, _: &Limits, ctx: &ToolContext) -> Result<(), ValidationError> {
        let context = validate::path_inside(&args.path, &ctx.workdir)?;
        args.tag.as_deref().map_or(Ok(()), validate::image)?;
        if let Some(dockerfile) = &args.dockerfile {
            // The Dockerfile travels in the context, so it must live inside it.
            validate::path_inside(dockerfile, &context)?;
        }
        if let Some(target) = &args.target {
            validate::stage_name(target)?;
        }
        for name in args.build_args.keys() {
            validate::build_arg(name)?;
        }
        Ok(())
    }

    fn preview(&self, args: &BuildImageArgs, _: &ToolContext) -> String {
        let tag = args.tag.as_deref().map_or_else(|| "a default tag".to_string(), |tag| format!("`{tag}`"));
        let mut text = format!("build an image from `{}` tagged {tag}", display_path(&args.path));
        text.push_str(&build_details(args));
        text
    }

    fn prepare<'a>(&'a self, mut args: BuildImageArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, BuildImageArgs> {
        Box::pin(async move {
            let context = context_dir(&args, ctx)?;
            let dockerfile = args.dockerfile().to_string();
            let listing = listed_context(&context, &dockerfile, display_path(&args.path))?;
            if args.tag.is_none() {
                args.tag = Some(docker::default_tag(&context).await);
            }
            let tag = args.tag.clone().unwrap_or_default();
            let mut preview =
                format!("build image `{tag}` from `{}` ({})", display_path(&args.path), context_line(&listing));
            preview.push_str(&build_details(&args));
            Ok((args, preview))
        })
    }

    fn dry_run<'a>(&'a self, args: BuildImageArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let context = context_dir(&args, ctx)?;
            let tag = match &args.tag {
                Some(tag) => tag.clone(),
                None => docker::default_tag(&context).await,
            };
            let listing = listed_context(&context, args.dockerfile(), display_path(&args.path))?;
            Ok(ToolOutput {
                text: format!(
                    "dry run: would build `{tag}` from `{}` ({}){}",
                    display_path(&args.path),
                    context_line(&listing),
                    build_details(&args)
                ),
                data: serde_json::json!({"tag": tag, "path": args.path, "dry_run": true, "context_files": listing.files().count()}),
            })
        })
    }

    fn run<'a>(&'a self, args: BuildImageArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let context = context_dir(&args, ctx)?;
            let tag = match &args.tag {
                Some(tag) => tag.clone(),
                None => docker::default_tag(&context).await,
            };
            let placement = if args.minikube { Some(docker::minikube::placement().await?) } else { None };
            let endpoint = match &placement {
                Some(docker::minikube::Placement::Daemon(endpoint)) => endpoint.clone(),
                Some(docker::minikube::Placement::LoadAfterBuild) | None => docker::Endpoint::from_env(),
            };
            let engine = docker::Engine::connect(endpoint, crate::cluster::request_timeout()).await?;
            let spec = docker::BuildSpec {
                context,
                dockerfile: args.dockerfile().to_string(),
                tag: tag.clone(),
                build_args: args.build_args.clone(),
                target: args.target.clone(),
                network: args.network,
            };
            let mut renderer = docker::progress::Renderer::stderr(ctx.verbosity);
            let built = engine.build(&spec, &mut renderer).await?;
            let mut where_ = format!("on {}", engine.endpoint.host);
            if placement == Some(docker::minikube::Placement::LoadAfterBuild) {
                docker::minikube::image_load(&tag).await?;
                where_.push_str(", loaded into minikube");
            } else if args.minikube {
                where_ = "inside minikube's Docker daemon".into();
            }
            let size = docker::progress::human_bytes(built.size);
            let short_id = built.id.strip_prefix("sha256:").unwrap_or(&built.id).chars().take(12).collect::<String>();
            Ok(ToolOutput {
                text: format!("built {} ({short_id}, {size}) {where_}", built.tags.join(", ")),
                data: serde_json::json!({
                    "id": built.id,
                    "tags": built.tags,
                    "size": built.size,
                    "builder": match engine.builder { docker::Builder::BuildKit => "buildkit", docker::Builder::Legacy => "legacy" },
                    "api_version": engine.api_version,
                    "minikube": args.minikube,
                }),
            })
        })
    }
}

/// The part of a build preview after the tag: Dockerfile, target, build args, minikube.
fn build_details(args: &BuildImageArgs) -> String {
    let mut text = String::new();
    if args.dockerfile.is_some() {
        text.push_str(&format!(" using `{}`", args.dockerfile()));
    }
    if let Some(target) = &args.target {
        text.push_str(&format!(", target stage `{target}`"));
    }
    if !args.build_args.is_empty() {
        let pairs: Vec<String> =
            args.build_args.iter().map(|(k, v)| format!("{k}={}", redact::helm_value(k, v))).collect();
        text.push_str(&format!(", build args {}", pairs.join(" ")));
    }
    if let Some(mode) = args.network.mode() {
        text.push_str(&format!(", {mode} network"));
    }
    if args.minikube {
        text.push_str(", for minikube");
    }
    text
}

/// The context a build sends, with a Dockerfile or `.dockerignore` that is missing, a link
/// or a special file as one clear error naming it under the app.
fn listed_context(
    context: &std::path::Path,
    dockerfile: &str,
    app: &str,
) -> Result<crate::containerise::context::Context, ToolError> {
    use crate::containerise::context::{self, ContextError};
    match files::read_regular(context, dockerfile, files::MAX_DOCKERFILE_BYTES) {
        Ok(_) => {}
        Err(ReadError::Missing(_)) => {
            return Err(DockerError::NoDockerfile { app: app.to_string(), path: format!("{app}/{dockerfile}") }.into());
        }
        Err(error) => {
            return Err(DockerError::Context { path: app.into(), reason: error.within(app).to_string() }.into());
        }
    }
    context::list(context, dockerfile).map_err(|error| {
        let reason = match error {
            ContextError::BuildFile(error) => error.within(app).to_string(),
            other => other.to_string(),
        };
        DockerError::Context { path: app.into(), reason }.into()
    })
}

/// `12 files, 4.2 kB sent, 3 entries left out by .dockerignore; 1 symlink sent as link, …`.
fn context_line(listing: &crate::containerise::context::Context) -> String {
    let mut line = format!(
        "{} files, {} sent",
        listing.files().count(),
        docker::progress::human_bytes(i64::try_from(listing.bytes()).unwrap_or(i64::MAX))
    );
    if listing.ignored > 0 {
        line.push_str(&format!(", {} entries left out by .dockerignore", listing.ignored));
    }
    for note in listing.notes() {
        line.push_str("; ");
        line.push_str(&note);
    }
    line
}

/// The current content of `name` in the app (`None` when absent); a link or special file is
/// refused.
fn existing(dir: &std::path::Path, name: &str, app: &str) -> Result<Option<String>, ToolError> {
    match files::read_regular(dir, name, files::MAX_DOCKERFILE_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(ReadError::Missing(_)) => Ok(None),
        Err(error) => Err(refused_write(&error, app)),
    }
}

/// A write refused because of what is at (or on the way to) the destination.
fn refused_write(error: &ReadError, app: &str) -> ToolError {
    ToolError::Failed {
        tool: GenerateDockerfile::NAME,
        message: format!("refusing to write: {}", error.clone().within(app)),
    }
}

fn context_dir(args: &BuildImageArgs, ctx: &ToolContext) -> Result<std::path::PathBuf, ToolError> {
    validate::path_inside(&args.path, &ctx.workdir)
        .map_err(|source| ToolError::Invalid { tool: BuildImage::NAME, source })
}

/// A path as users write it: `./backend` shows as `backend`, `.` stays `.`.
fn display_path(path: &str) -> &str {
    let trimmed = path.strip_prefix("./").unwrap_or(path);
    let trimmed = trimmed.trim_end_matches('/');
    if trimmed.is_empty() { "." } else { trimmed }
}

/// A change to the app's own files that the Dockerfile needs, approved with it.
struct AppChange {
    /// The file, relative to the app.
    file: String,
    /// Its content now (`None`: it is created).
    old: Option<String>,
    /// Its new content.
    new: String,
    /// What the approval question says.
    summary: String,
    /// What the result says.
    done: String,
    /// Text of the detection note this change makes moot.
    resolves: &'static str,
}

/// The changes a Next.js app needs: a root layout when a page has none (`next build` refuses
/// the app without one), and `output: 'standalone'` (the Dockerfile is then regenerated for
/// the standalone runtime it enables).
fn app_changes(
    dir: &std::path::Path,
    detection: &crate::containerise::Detection,
    generated: &mut crate::containerise::Generated,
    options: crate::containerise::Options,
) -> Vec<AppChange> {
    let mut changes = Vec::new();
    if detection.stack != Stack::Nextjs {
        return changes;
    }
    if let Some((file, new)) = crate::containerise::missing_root_layout(dir) {
        changes.push(AppChange {
            summary: format!(
                "creates {file} (`next build` needs a root layout; this is the one `next dev` would create)"
            ),
            done: format!("created {file}, the root layout `next build` needs"),
            file,
            old: None,
            new,
            resolves: "no root layout",
        });
    }
    if detection.standalone == Some(false)
        && let Some((file, old, new)) = crate::containerise::standalone_patch(dir)
    {
        let mut standalone = detection.clone();
        standalone.standalone = Some(true);
        *generated = crate::containerise::generate(&standalone, options);
        changes.push(AppChange {
            summary: format!("adds `output: 'standalone'` to {file} (the small runtime image needs it)"),
            done: format!("added `output: 'standalone'` to {file}"),
            file,
            old: Some(old),
            new,
            resolves: "output: 'standalone'",
        });
    }
    changes
}

/// What `generate_dockerfile` would write for its arguments (shared by preview and run, so
/// what was approved is what is written).
struct Planned {
    /// The resolved app directory.
    dir: std::path::PathBuf,
    detection: crate::containerise::Detection,
    generated: crate::containerise::Generated,
    /// Changes to the app's own files.
    changes: Vec<AppChange>,
}

fn files_for(args: &GenerateDockerfileArgs, ctx: &ToolContext) -> Result<Planned, ToolError> {
    let dir = validate::path_inside(&args.path, &ctx.workdir)
        .map_err(|source| ToolError::Invalid { tool: GenerateDockerfile::NAME, source })?;
    // Writes go to the resolved directory, checked again to be inside the (resolved) tree.
    let outside = || ToolError::Invalid {
        tool: GenerateDockerfile::NAME,
        source: validate::ValidationError::PathOutside {
            value: args.path.clone(),
            workdir: ctx.workdir.display().to_string(),
        },
    };
    let dir = dir.canonicalize().map_err(|_| outside())?;
    if !ctx.workdir.canonicalize().is_ok_and(|root| dir.starts_with(root)) {
        return Err(outside());
    }
    let (detection, mut generated) = crate::containerise::containerise_with(&dir, args.stack, args.syntax_directive)
        .map_err(|message| ToolError::Failed { tool: GenerateDockerfile::NAME, message })?;
    let options = crate::containerise::options(&dir, args.syntax_directive);
    let changes = app_changes(&dir, &detection, &mut generated, options);
    Ok(Planned { dir, detection, generated, changes })
}

/// Options of `dockerfile`.
#[derive(Debug, clap::Args)]
pub struct DockerfileCommand {
    /// The app's directory
    #[arg(default_value = ".")]
    pub path: String,
    /// The stack, instead of detecting it
    #[arg(long, value_enum, default_value = "auto")]
    pub stack: Stack,
    /// Write the files (asks first; shows a diff when one exists)
    #[arg(long, conflicts_with = "check")]
    pub write: bool,
    /// Review the existing Dockerfile instead, with concrete fixes (and hadolint when installed)
    #[arg(long)]
    pub check: bool,
    /// Start the Dockerfile with `# syntax=docker/dockerfile:1` (BuildKit then pulls that
    /// frontend from Docker Hub; not needed on Docker 20.10+)
    #[arg(long, conflicts_with = "check")]
    pub syntax_directive: bool,
}

impl Direct for GenerateDockerfile {
    type Command = DockerfileCommand;

    fn args(&self, command: DockerfileCommand, _: Option<String>) -> GenerateDockerfileArgs {
        GenerateDockerfileArgs { path: command.path, stack: command.stack, syntax_directive: command.syntax_directive }
    }
}

/// Options of `build`.
#[derive(Debug, clap::Args)]
pub struct BuildCommand {
    /// The build context
    #[arg(default_value = ".")]
    pub path: String,
    /// Image tag [default: <dir>:<git sha or dev>]
    #[arg(short = 't', long)]
    pub tag: Option<String>,
    /// Build where minikube can use the image (its Docker daemon, or `minikube image load`)
    #[arg(long)]
    pub minikube: bool,
    /// The Dockerfile, relative to the context
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub dockerfile: Option<String>,
    /// The stage to build
    #[arg(long)]
    pub target: Option<String>,
    /// A build argument (repeatable); never a secret: build args stay in the image history
    #[arg(long = "build-arg", value_name = "NAME=VALUE", value_parser = super::parse_key_value)]
    pub build_args: Vec<(String, String)>,
    /// The network `RUN` steps use (`host` for a daemon without a bridge network)
    #[arg(long, value_enum, default_value = "default")]
    pub network: Network,
}

impl Direct for BuildImage {
    type Command = BuildCommand;

    fn args(&self, command: BuildCommand, _: Option<String>) -> BuildImageArgs {
        BuildImageArgs {
            path: command.path,
            tag: command.tag,
            minikube: command.minikube,
            dockerfile: command.dockerfile,
            target: command.target,
            build_args: command.build_args.into_iter().collect(),
            network: command.network,
        }
    }
}
