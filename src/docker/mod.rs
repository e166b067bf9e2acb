//! The Docker Engine seam (bollard): where the daemon is (`DOCKER_HOST`, TLS from
//! `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`, or minikube's `docker-env`), connecting with one
//! clear error when it is not there, choosing BuildKit or the legacy builder, and building an
//! image from a context streamed as a tar (never held in memory whole) with progress on
//! stderr. Old daemons (API 1.41, Docker 20.10) work: requests use the daemon's own version.

pub mod minikube;
pub mod progress;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::{BuildImageOptionsBuilder, BuilderVersion};
use bytes::Bytes;
use futures::StreamExt;

use self::progress::{BuildProgress, Failure, Renderer};
use crate::containerise::context;

/// Where the Docker CLI looks when `DOCKER_HOST` is not set.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// The oldest Engine API todo-ai talks to (Docker 1.13).
const MIN_API: (u64, u64) = (1, 25);

/// The oldest API whose daemon can run BuildKit builds for a client session.
const BUILDKIT_API: (u64, u64) = (1, 39);

/// How long a build may stream before bollard gives up on it.
const BUILD_TIMEOUT_SECS: u64 = 3600;

/// Why a Docker operation failed. Each variant has a hint.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// Nothing answered at the daemon's address.
    #[error("cannot reach the Docker daemon at {host}: {reason}")]
    Unreachable {
        /// The address tried.
        host: String,
        /// What the connection attempt said.
        reason: String,
    },
    /// `DOCKER_HOST` names a transport todo-ai does not speak.
    #[error("unsupported DOCKER_HOST `{host}`")]
    UnsupportedHost {
        /// The address.
        host: String,
    },
    /// The daemon's API is older than todo-ai supports.
    #[error("the Docker daemon at {host} speaks Engine API {version}, older than the {}.{} todo-ai needs", MIN_API.0, MIN_API.1)]
    TooOld {
        /// The address.
        host: String,
        /// Its API version.
        version: String,
    },
    /// The Dockerfile uses BuildKit syntax and the daemon only has the legacy builder.
    #[error("`{dockerfile}` needs BuildKit ({feature}) but the legacy builder was selected")]
    NeedsBuildKit {
        /// The Dockerfile.
        dockerfile: String,
        /// The BuildKit-only construct found.
        feature: String,
    },
    /// There is no Dockerfile to build.
    #[error("no Dockerfile at `{path}`")]
    NoDockerfile {
        /// The app directory, as the user wrote it.
        app: String,
        /// The Dockerfile path looked for.
        path: String,
    },
    /// The build context could not be read.
    #[error("cannot read the build context `{path}`: {reason}")]
    Context {
        /// The directory.
        path: String,
        /// The IO error.
        reason: String,
    },
    /// The build ran and failed.
    #[error("the build failed{}: {message}", step.as_ref().map(|s| format!(" at {s}")).unwrap_or_default())]
    BuildFailed {
        /// The failing step, when known.
        step: Option<String>,
        /// What the builder said.
        message: String,
        /// The last lines the failing step printed.
        output: Vec<String>,
    },
    /// The daemon answered an API call with an error.
    #[error("the Docker daemon refused {action}: {message}")]
    Api {
        /// What was asked.
        action: &'static str,
        /// Its message.
        message: String,
    },
    /// minikube could not give a place to build.
    #[error("{message}")]
    Minikube {
        /// What went wrong.
        message: String,
        /// What to do.
        hint: String,
    },
}

impl DockerError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            DockerError::Unreachable { reason, .. } if reason.contains("ermission denied") => {
                "add your user to the `docker` group (then log in again) or use rootless Docker".into()
            }
            DockerError::Unreachable { .. } => "start Docker (`sudo systemctl start docker`, or Docker Desktop), or point \
                 `DOCKER_HOST` at a running daemon; `--minikube` builds inside minikube instead"
                .into(),
            DockerError::UnsupportedHost { .. } => {
                "use `unix://`, `tcp://` or `https://` (for ssh, forward the socket: `ssh -NL /tmp/docker.sock:/var/run/docker.sock host`)".into()
            }
            DockerError::TooOld { .. } => "upgrade the Docker Engine (20.10 or newer is tested)".into(),
            DockerError::NeedsBuildKit { .. } => {
                "unset `DOCKER_BUILDKIT=0`, or use a daemon with BuildKit (Docker 18.09+ on Linux)".into()
            }
            DockerError::NoDockerfile { app, .. } => {
                format!("`todo-ai dockerfile {app} --write` generates one")
            }
            DockerError::Context { .. } => "check the directory's permissions and the `.dockerignore`".into(),
            DockerError::BuildFailed { message, .. } => {
                let lower = message.to_lowercase();
                if ["pull access denied", "manifest unknown", "failed to resolve source metadata", "not found"]
                    .iter()
                    .any(|needle| lower.contains(needle))
                {
                    "check the base image names (`ARG` lines at the top of the Dockerfile) and that this machine can reach their registry".into()
                } else {
                    "fix the failing step and build again; `-v` shows every line the build prints".into()
                }
            }
            DockerError::Api { .. } => return None,
            DockerError::Minikube { hint, .. } => hint.clone(),
        })
    }

    /// Detail for the `caused by:` line: the failing step's last output.
    pub fn cause(&self) -> Option<String> {
        match self {
            DockerError::BuildFailed { output, .. } if !output.is_empty() => {
                Some(format!("its last output:\n    {}", output.join("\n    ")))
            }
            _ => None,
        }
    }
}

/// Where a daemon listens and how to trust it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///…`, `tcp://host:port`, `http://…` or `https://…`.
    pub host: String,
    /// The directory with `ca.pem`, `cert.pem` and `key.pem` when TLS is verified.
    pub tls: Option<PathBuf>,
}

impl Endpoint {
    /// The daemon the Docker CLI would use, from the process environment.
    pub fn from_env() -> Endpoint {
        Endpoint::from_vars(|key| std::env::var(key).ok())
    }

    /// The daemon named by `DOCKER_HOST`, `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Endpoint {
        let host = get("DOCKER_HOST").filter(|h| !h.trim().is_empty()).unwrap_or_else(|| DEFAULT_HOST.to_string());
        let verify = get("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty() && v != "0");
        let tls = verify.then(|| {
            get("DOCKER_CERT_PATH").filter(|p| !p.is_empty()).map_or_else(
                || std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".docker"),
                PathBuf::from,
            )
        });
        Endpoint { host, tls }
    }
}

/// Which builder runs the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    /// BuildKit (cache mounts, parallel stages).
    BuildKit,
    /// The classic builder.
    Legacy,
}

/// The builder to use: `DOCKER_BUILDKIT` decides when set (as for the Docker CLI), else
/// BuildKit wherever the daemon can run it.
pub fn choose_builder(docker_buildkit: Option<&str>, api: (u64, u64), os: &str) -> Builder {
    match docker_buildkit.map(str::trim) {
        Some("0" | "false") => Builder::Legacy,
        Some("1" | "true") => Builder::BuildKit,
        _ if api >= BUILDKIT_API && os.eq_ignore_ascii_case("linux") => Builder::BuildKit,
        _ => Builder::Legacy,
    }
}

/// The first construct in a Dockerfile that only BuildKit understands, if any.
pub fn needs_buildkit(dockerfile: &str) -> Option<&'static str> {
    let instructions = dockerfile.lines().map(str::trim_start).filter(|line| !line.starts_with('#'));
    for line in instructions {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("RUN ") && line.contains("--mount=") {
            return Some("RUN --mount");
        }
        if (upper.starts_with("COPY ") || upper.starts_with("ADD ")) && line.contains("--link") {
            return Some("COPY --link");
        }
        if (upper.starts_with("RUN ") || upper.starts_with("COPY ")) && line.contains("<<") {
            return Some("a heredoc");
        }
    }
    None
}

/// A connected daemon.
pub struct Engine {
    docker: Docker,
    /// Where it is.
    pub endpoint: Endpoint,
    /// Its Engine API version, e.g. `1.41`.
    pub api_version: String,
    /// The builder builds will use.
    pub builder: Builder,
}

/// What to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    /// The context directory.
    pub context: PathBuf,
    /// The Dockerfile, relative to the context (`/`-separated).
    pub dockerfile: String,
    /// The tag to give the image.
    pub tag: String,
    /// `--build-arg` pairs.
    pub build_args: BTreeMap<String, String>,
    /// The stage to stop at.
    pub target: Option<String>,
    /// The network `RUN` steps use.
    pub network: Network,
}

/// The network a build's `RUN` steps use (`docker build --network`).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// The daemon's default (a bridge network).
    #[default]
    Default,
    /// The host's network: for daemons without a bridge network.
    Host,
    /// No network at all.
    None,
}

impl Network {
    /// The Engine API's `networkmode` value; `None` for the daemon's default.
    pub fn mode(self) -> Option<&'static str> {
        match self {
            Network::Default => None,
            Network::Host => Some("host"),
            Network::None => Some("none"),
        }
    }
}

/// A built image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// Its id (`sha256:…`).
    pub id: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its size on disk in bytes, as `docker image inspect` reports it.
    pub size: i64,
}

impl Engine {
    /// Connects to the daemon and learns its API version. Fails fast (within `timeout`) with
    /// [`DockerError::Unreachable`] when nothing answers.
    pub async fn connect(endpoint: Endpoint, timeout: Duration) -> Result<Engine, DockerError> {
        let docker = client(&endpoint)?;
        let unreachable = |reason: String| DockerError::Unreachable { host: endpoint.host.clone(), reason };
        let version = match tokio::time::timeout(timeout, async {
            let docker = docker.negotiate_version().await?;
            let version = docker.version().await?;
            Ok::<_, bollard::errors::Error>((docker, version))
        })
        .await
        {
            Err(_) => return Err(unreachable(format!("no answer within {}s", timeout.as_secs()))),
            Ok(Err(error)) => return Err(unreachable(connect_reason(&error))),
            Ok(Ok(pair)) => pair,
        };
        let (docker, version) = version;
        let api_version = version.api_version.clone().unwrap_or_default();
        let api = parse_api(&api_version)
            .ok_or_else(|| unreachable(format!("the daemon reported API version `{api_version}`")))?;
        if api < MIN_API {
            return Err(DockerError::TooOld { host: endpoint.host, version: api_version });
        }
        let os = version.os.unwrap_or_else(|| "linux".into());
        let builder = choose_builder(std::env::var("DOCKER_BUILDKIT").ok().as_deref(), api, &os);
        tracing::debug!(host = %endpoint.host, api = %api_version, ?builder, "connected to the Docker daemon");
        Ok(Engine { docker, endpoint, api_version, builder })
    }

    /// Builds an image, drawing progress with `renderer`, and inspects the result.
    pub async fn build(&self, spec: &BuildSpec, renderer: &mut Renderer) -> Result<Built, DockerError> {
        let dockerfile_path = spec.context.join(&spec.dockerfile);
        let dockerfile = crate::containerise::files::read_regular(
            &spec.context,
            &spec.dockerfile,
            crate::containerise::files::MAX_DOCKERFILE_BYTES,
        )
        .map_err(|error| match error {
            crate::containerise::files::ReadError::Missing(_) => DockerError::NoDockerfile {
                app: spec.context.display().to_string(),
                path: dockerfile_path.display().to_string(),
            },
            other => DockerError::Context { path: spec.context.display().to_string(), reason: other.to_string() },
        })?;
        // Listed before anything is sent, so a bad context is one clear error.
        let listing = context_summary(&spec.context, &spec.dockerfile)?;
        if let Some(feature) = needs_buildkit(&dockerfile).filter(|_| self.builder == Builder::Legacy) {
            return Err(DockerError::NeedsBuildKit { dockerfile: spec.dockerfile.clone(), feature: feature.into() });
        }
        let buildargs: HashMap<String, String> = spec.build_args.clone().into_iter().collect();
        let mut options = BuildImageOptionsBuilder::default()
            .dockerfile(&spec.dockerfile)
            .t(&spec.tag)
            .rm(true)
            .forcerm(true)
            .buildargs(&buildargs);
        if let Some(target) = &spec.target {
            options = options.target(target);
        }
        if self.builder == Builder::BuildKit {
            options = options.version(BuilderVersion::BuilderBuildKit).session(&session_id());
        }
        if let Some(mode) = spec.network.mode() {
            options = options.networkmode(mode);
        }
        let body = bollard::body_try_stream(context_chunks(spec.context.clone(), listing));
        let mut stream = self.docker.build_image(options.build(), None, Some(body));
        let mut progress = BuildProgress::default();
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    for event in progress.update(&info) {
                        renderer.show(&event);
                    }
                }
                Err(error) => progress.fail(stream_reason(&error)),
            }
            if progress.failure().is_some() {
                break;
            }
        }
        renderer.finish();
        if let Some(failure) = progress.failure().cloned() {
            // The caller shows the step's last output (redacted) under the error.
            let Failure { step, message, output } = failure;
            return Err(DockerError::BuildFailed { step, message, output });
        }
        let inspect = self.docker.inspect_image(&spec.tag).await.map_err(|error| DockerError::Api {
            action: "to inspect the built image",
            message: stream_reason(&error),
        })?;
        Ok(Built {
            id: inspect.id.or_else(|| progress.image_id().map(str::to_string)).unwrap_or_default(),
            tags: inspect.repo_tags.unwrap_or_else(|| vec![spec.tag.clone()]),
            size: inspect.size.unwrap_or_default(),
        })
    }
}

/// A bollard client for an endpoint (no IO yet).
fn client(endpoint: &Endpoint) -> Result<Docker, DockerError> {
    let host = endpoint.host.as_str();
    let version = bollard::API_DEFAULT_VERSION;
    let result = if host.starts_with("unix://") {
        Docker::connect_with_unix(host, BUILD_TIMEOUT_SECS, version)
    } else if host.starts_with("tcp://") || host.starts_with("http://") || host.starts_with("https://") {
        match &endpoint.tls {
            Some(dir) => Docker::connect_with_ssl(
                host,
                &dir.join("key.pem"),
                &dir.join("cert.pem"),
                &dir.join("ca.pem"),
                BUILD_TIMEOUT_SECS,
                version,
            ),
            None if host.starts_with("https://") => return Err(DockerError::UnsupportedHost { host: host.into() }),
            None => Docker::connect_with_http(host, BUILD_TIMEOUT_SECS, version),
        }
    } else {
        return Err(DockerError::UnsupportedHost { host: host.into() });
    };
    result.map_err(|error| DockerError::Unreachable { host: host.into(), reason: connect_reason(&error) })
}

/// A one-line reason for a failed connection.
fn connect_reason(error: &bollard::errors::Error) -> String {
    use bollard::errors::Error;
    match error {
        Error::SocketNotFoundError(path) => format!("no socket at {path}"),
        Error::DockerResponseServerError { status_code, message } => format!("HTTP {status_code}: {message}"),
        Error::RequestTimeoutError => "the request timed out".into(),
        other => crate::error::root_cause(other),
    }
}

/// A one-line reason for a failed build stream or call.
fn stream_reason(error: &bollard::errors::Error) -> String {
    use bollard::errors::Error;
    match error {
        Error::DockerResponseServerError { message, .. } => message.trim().to_string(),
        Error::DockerStreamError { error } => error.trim().to_string(),
        other => connect_reason(other),
    }
}

/// `1.41` → (1, 41).
fn parse_api(version: &str) -> Option<(u64, u64)> {
    let (major, minor) = version.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// A unique BuildKit session id for this build.
fn session_id() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("todo-ai-{}-{nanos:x}", std::process::id())
}

/// The build context as a stream for the request body: a blocking task walks and tars the
/// tree into 64 KiB chunks while the daemon reads them.
fn context_chunks(
    dir: PathBuf,
    listing: context::Context,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::task::spawn_blocking(move || {
        let mut writer = ChunkWriter { sender: sender.clone(), buffer: Vec::with_capacity(CHUNK) };
        let result = context::write_tar(&dir, &listing, &mut writer).and_then(|()| writer.send());
        if let Err(error) = result {
            let _ = sender.blocking_send(Err(error));
        }
    });
    futures::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|chunk| (chunk, receiver)) },
    )
}

const CHUNK: usize = 64 * 1024;

struct ChunkWriter {
    sender: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the daemon stopped reading the context"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The context a build would send (entries, links, special files left out, bytes).
pub fn context_summary(dir: &Path, dockerfile: &str) -> Result<context::Context, DockerError> {
    context::list(dir, dockerfile)
        .map_err(|error| DockerError::Context { path: dir.display().to_string(), reason: error.to_string() })
}

/// The default tag for an app directory: `<dir-name>:<git short sha>`, or `:dev` outside a
/// git checkout (a trailing `-dirty` when the tree has uncommitted changes).
pub async fn default_tag(dir: &Path) -> String {
    format!("{}:{}", repository_name(dir), version_tag(dir).await)
}

/// The version part of a default tag: the git short sha of `dir`'s checkout (`-dirty` when
/// it has uncommitted changes), or `dev` outside git.
pub async fn version_tag(dir: &Path) -> String {
    let dir_arg = dir.display().to_string();
    let sha = crate::exec::output("git", ["-C", dir_arg.as_str(), "rev-parse", "--short", "HEAD"])
        .await
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|sha| !sha.is_empty() && sha.chars().all(|c| c.is_ascii_hexdigit()));
    let Some(sha) = sha else {
        return "dev".into();
    };
    let dirty = crate::exec::output("git", ["-C", dir_arg.as_str(), "status", "--porcelain", "--", "."])
        .await
        .ok()
        .is_some_and(|out| out.status.success() && !out.stdout.is_empty());
    format!("{sha}{}", if dirty { "-dirty" } else { "" })
}

/// A directory's name made into a valid image repository name (`My App` → `my-app`).
pub fn repository_name(dir: &Path) -> String {
    let raw = dir
        .canonicalize()
        .ok()
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_default();
    let mut name = String::new();
    for c in raw.to_lowercase().chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' { c } else { '-' };
        if c == '-' && name.ends_with('-') {
            continue;
        }
        name.push(c);
    }
    let name = name.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
    if name.is_empty() { "app".into() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_from_the_docker_cli_variables() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
        };
        assert_eq!(Endpoint::from_vars(vars(&[])), Endpoint { host: DEFAULT_HOST.into(), tls: None });
        assert_eq!(
            Endpoint::from_vars(vars(&[
                ("DOCKER_HOST", "tcp://192.168.49.2:2376"),
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", "/certs")
            ])),
            Endpoint { host: "tcp://192.168.49.2:2376".into(), tls: Some(PathBuf::from("/certs")) }
        );
        assert_eq!(Endpoint::from_vars(vars(&[("DOCKER_HOST", "tcp://h:2375"), ("DOCKER_TLS_VERIFY", "0")])).tls, None);
    }

    #[test]
    fn builder_choice_follows_docker_buildkit_then_the_daemon() {
        assert_eq!(choose_builder(None, (1, 41), "linux"), Builder::BuildKit);
        assert_eq!(choose_builder(None, (1, 38), "linux"), Builder::Legacy);
        assert_eq!(choose_builder(None, (1, 41), "windows"), Builder::Legacy);
        assert_eq!(choose_builder(Some("0"), (1, 45), "linux"), Builder::Legacy);
        assert_eq!(choose_builder(Some("1"), (1, 30), "linux"), Builder::BuildKit);
    }

    #[test]
    fn buildkit_only_syntax_is_found() {
        assert_eq!(needs_buildkit("FROM x\nRUN --mount=type=cache,target=/root/.npm npm ci\n"), Some("RUN --mount"));
        assert_eq!(needs_buildkit("FROM x\nCOPY --link . .\n"), Some("COPY --link"));
        assert_eq!(needs_buildkit("FROM x\nRUN <<EOF\necho\nEOF\n"), Some("a heredoc"));
        assert_eq!(needs_buildkit("# RUN --mount=x\nFROM scratch\nCOPY a /a\n"), None);
    }

    #[test]
    fn repository_names_are_valid_references() {
        let dir = tempfile::tempdir().unwrap();
        for (raw, want) in [("My App", "my-app"), ("todo_backend", "todo_backend"), ("--x--", "x"), ("日本", "app")] {
            let path = dir.path().join(raw);
            std::fs::create_dir_all(&path).unwrap();
            let name = repository_name(&path);
            assert_eq!(name, want);
            crate::validate::image(&format!("{name}:dev")).unwrap();
        }
    }

    #[test]
    fn api_versions_parse() {
        assert_eq!(parse_api("1.41"), Some((1, 41)));
        assert!(parse_api("1.41") >= Some(MIN_API));
        assert_eq!(parse_api("x"), None);
    }
}
