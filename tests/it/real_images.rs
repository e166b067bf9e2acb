//! The generated Dockerfiles built and started for real: the two shared sample apps (FastAPI
//! and Next.js, copied to a temporary directory) get their files from `todo-ai dockerfile
//! --write`, are built twice (first, then with everything cached) with `todo-ai build --network host
//! --build-arg PYTHON_IMAGE=…/NODE_IMAGE=…` on the daemon at `TODO_AI_TEST_DOCKER_HOST`, and
//! run with host networking on a free port; each must reach `healthy` through its own
//! HEALTHCHECK, run as a non-root uid and answer 200 on its health endpoint. The Next.js app
//! is built both standalone (what `--write` sets up) and without standalone, whose runtime
//! must hold no devDependencies. Sizes and build times are printed for the record, never
//! asserted. Containers and images are removed whatever happens.
//!
//! Needs: `TODO_AI_TEST_DOCKER_HOST` (e.g. the lab's `unix://…/docker.sock`), the base images
//! in `TODO_AI_TEST_PYTHON_IMAGE` / `TODO_AI_TEST_NODE_IMAGE` (unset: the Dockerfile's pinned
//! defaults, pulled from Docker Hub), and the sample apps (`TODO_AI_TEST_SAMPLE_APPS`, else
//! `shared/eval/apps` beside the checkout or one of its parents). Missing prerequisites fail
//! the tests when `CI` is set and skip them with a reason otherwise.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::models::{ContainerCreateBody, ExecConfig, HealthConfig, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectContainerOptions, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    RemoveImageOptionsBuilder,
};
use futures::{FutureExt, StreamExt};
use serde_json::Value;

use crate::support::todo_ai;

/// How long a container may take to become healthy.
const HEALTHY_WITHIN: Duration = Duration::from_secs(180);

/// One build at a time: they share two CPUs and the daemon's caches.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The prerequisites, or `None` (after failing in CI) with the reason printed.
struct Lab {
    docker_host: String,
    apps: PathBuf,
    python_image: Option<String>,
    node_image: Option<String>,
}

fn lab() -> Option<Lab> {
    // These tests are `#[ignore]`d: asking for them without their prerequisites fails.
    let missing = |what: &str| -> Option<Lab> { panic!("the real image builds need {what}") };
    let Ok(docker_host) = std::env::var("TODO_AI_TEST_DOCKER_HOST") else {
        return missing("TODO_AI_TEST_DOCKER_HOST (a Docker daemon, e.g. `lab.sh docker-up`)");
    };
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let apps = std::env::var_os("TODO_AI_TEST_SAMPLE_APPS")
        .map(PathBuf::from)
        .or_else(|| checkout.ancestors().skip(1).map(|dir| dir.join("shared/eval/apps")).find(|dir| dir.is_dir()));
    let Some(apps) = apps.filter(|dir| dir.join("fastapi-requirements").is_dir() && dir.join("nextjs-npm").is_dir())
    else {
        return missing("the sample apps (`../shared/eval/apps` beside the checkout, or TODO_AI_TEST_SAMPLE_APPS)");
    };
    let image = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    Some(Lab {
        docker_host,
        apps,
        python_image: image("TODO_AI_TEST_PYTHON_IMAGE"),
        node_image: image("TODO_AI_TEST_NODE_IMAGE"),
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Runs the binary off the async runtime.
async fn run(command: assert_cmd::Command) -> std::process::Output {
    let mut command = command;
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

/// A free TCP port on the host (the container uses the host's network).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// What a variant of a sample app is.
struct Sample {
    /// The shared app's directory name.
    app: &'static str,
    /// A label for tags and the record.
    label: &'static str,
    /// The base image build argument and its value.
    base: (&'static str, Option<String>),
    /// The environment variable the server's port comes from.
    port_variable: &'static str,
    /// Build the Next.js app without `output: 'standalone'`.
    without_standalone: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Docker: TODO_AI_TEST_DOCKER_HOST, the base images and the sample apps"]
async fn fastapi_sample_builds_and_becomes_healthy() {
    let Some(lab) = lab() else { return };
    let base = ("PYTHON_IMAGE", lab.python_image.clone());
    let sample = Sample {
        app: "fastapi-requirements",
        label: "fastapi",
        base,
        port_variable: "UVICORN_PORT",
        without_standalone: false,
    };
    build_and_run(&lab, &sample).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Docker: TODO_AI_TEST_DOCKER_HOST, the base images and the sample apps"]
async fn nextjs_sample_builds_standalone_and_becomes_healthy() {
    let Some(lab) = lab() else { return };
    let base = ("NODE_IMAGE", lab.node_image.clone());
    let sample = Sample { app: "nextjs-npm", label: "nextjs", base, port_variable: "PORT", without_standalone: false };
    build_and_run(&lab, &sample).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Docker: TODO_AI_TEST_DOCKER_HOST, the base images and the sample apps"]
async fn nextjs_sample_without_standalone_ships_no_dev_dependencies() {
    let Some(lab) = lab() else { return };
    let base = ("NODE_IMAGE", lab.node_image.clone());
    let sample =
        Sample { app: "nextjs-npm", label: "nextjs-full", base, port_variable: "PORT", without_standalone: true };
    build_and_run(&lab, &sample).await;
}

async fn build_and_run(lab: &Lab, sample: &Sample) {
    let _serial = SERIAL.lock().await;
    let home = tempfile::tempdir().unwrap();
    copy_tree(&lab.apps.join(sample.app), &home.path().join(sample.app));
    let app = home.path().join(sample.app);

    // The files, as a person would get them.
    let output = todo_ai(&home).args(["--yes", "dockerfile", sample.app, "--write"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!std::fs::read_to_string(app.join("Dockerfile")).unwrap().contains("# syntax="));
    if sample.without_standalone {
        // Back to the app's own config: the Dockerfile for a non-standalone runtime.
        std::fs::copy(lab.apps.join(sample.app).join("next.config.js"), app.join("next.config.js")).unwrap();
    }
    let output = todo_ai(&home).args(["-o", "json", "dockerfile", sample.app]).output().unwrap();
    let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
    if sample.without_standalone {
        std::fs::write(app.join("Dockerfile"), shown["dockerfile"].as_str().unwrap()).unwrap();
        assert!(shown["dockerfile"].as_str().unwrap().contains("--omit=dev"));
    }
    let health_path = shown["health_path"].as_str().unwrap().to_string();

    let docker = Docker::connect_with_host(&lab.docker_host).unwrap();
    let tag = format!("todo-ai-it/{}:containerise-{}", sample.label, std::process::id());
    let container = format!("todo-ai-it-{}-containerise-{}", sample.label, std::process::id());
    let outcome = std::panic::AssertUnwindSafe(async {
        // The first build is cold only on a daemon whose caches have not seen the app.
        let (first, size) = build(lab, &home, sample, &tag).await;
        let (again, _) = build(lab, &home, sample, &tag).await;
        eprintln!(
            "real image {}: {:.1} MB, first build {:.1} s, again (all cached) {:.1} s",
            sample.label,
            size as f64 / 1e6,
            first.as_secs_f64(),
            again.as_secs_f64()
        );
        let port = free_port();
        start(&docker, &tag, &container, &[format!("{}={port}", sample.port_variable)]).await;
        wait_healthy(&docker, &container).await;
        let uid = exec(&docker, &container, &["id", "-u"]).await;
        assert!(uid.trim().parse::<u32>().is_ok_and(|uid| uid != 0), "runs as uid {uid:?}");
        let inspect = docker.inspect_container(&container, None::<InspectContainerOptions>).await.unwrap();
        let user = inspect.config.and_then(|config| config.user).unwrap_or_default();
        assert!(user.split(':').all(|id| id.parse::<u32>().is_ok_and(|id| id > 0)), "USER {user:?}");
        assert_eq!(http_status(port, &health_path), 200, "GET {health_path}");
        if sample.without_standalone {
            let listing = exec(&docker, &container, &["ls", "node_modules"]).await;
            for dev in ["typescript", "tailwindcss"] {
                assert!(!listing.lines().any(|line| line == dev), "{dev} is a devDependency: {listing}");
            }
            assert!(listing.lines().any(|line| line == "next"), "{listing}");
        }
    })
    .catch_unwind()
    .await;
    let remove = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
    let _ = docker.remove_container(&container, Some(remove)).await;
    let _ = docker.remove_image(&tag, Some(RemoveImageOptionsBuilder::new().force(true).build()), None).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// `todo-ai build` with host networking and the base image argument: (wall time, image size).
async fn build(lab: &Lab, home: &tempfile::TempDir, sample: &Sample, tag: &str) -> (Duration, i64) {
    let mut command = todo_ai(home);
    command
        .env("DOCKER_HOST", &lab.docker_host)
        .env("DOCKER_BUILDKIT", "1")
        .args(["--yes", "-o", "json", "build", sample.app, "--network", "host", "-t", tag]);
    if let (name, Some(image)) = &sample.base {
        command.args(["--build-arg", &format!("{name}={image}")]);
    }
    let started = Instant::now();
    let output = run(command).await;
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    (elapsed, result["result"]["size"].as_i64().unwrap_or_default())
}

/// Creates and starts the container on the host's network, with the image's own health check
/// polled every 2 s instead of every 30 s.
async fn start(docker: &Docker, tag: &str, name: &str, env: &[String]) {
    let options = CreateContainerOptionsBuilder::new().name(name).build();
    let body = ContainerCreateBody {
        image: Some(tag.to_string()),
        env: Some(env.to_vec()),
        healthcheck: Some(HealthConfig { interval: Some(2_000_000_000), ..Default::default() }),
        host_config: Some(HostConfig { network_mode: Some("host".into()), ..Default::default() }),
        ..Default::default()
    };
    docker.create_container(Some(options), body).await.unwrap();
    docker.start_container(name, None::<bollard::query_parameters::StartContainerOptions>).await.unwrap();
}

/// Polls until the health check says `healthy`; fails with the container's last log lines
/// when it says `unhealthy`, the container stops, or the bound passes.
async fn wait_healthy(docker: &Docker, name: &str) {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < HEALTHY_WITHIN {
        let inspect = docker.inspect_container(name, None::<InspectContainerOptions>).await.unwrap();
        let state = inspect.state.unwrap_or_default();
        last = state.health.and_then(|health| health.status).map(|status| status.to_string()).unwrap_or_default();
        if last == "healthy" {
            return;
        }
        if last == "unhealthy" || state.running == Some(false) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let options = LogsOptionsBuilder::new().stdout(true).stderr(true).tail("30").build();
    let logs: Vec<String> = docker
        .logs(name, Some(options))
        .filter_map(|line| async move { line.ok().map(|line| line.to_string()) })
        .collect()
        .await;
    panic!("`{name}` is {last:?}, not healthy; its last output:\n{}", logs.concat());
}

/// Runs a command in the container and returns its standard output.
async fn exec(docker: &Docker, name: &str, command: &[&str]) -> String {
    let config = ExecConfig {
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        cmd: Some(command.iter().map(|part| (*part).to_string()).collect()),
        ..Default::default()
    };
    let id = docker.create_exec(name, config).await.unwrap().id;
    let mut text = String::new();
    if let bollard::exec::StartExecResults::Attached { mut output, .. } = docker.start_exec(&id, None).await.unwrap() {
        while let Some(Ok(chunk)) = output.next().await {
            if let bollard::container::LogOutput::StdOut { message } = chunk {
                text.push_str(&String::from_utf8_lossy(&message));
            }
        }
    }
    text
}

/// The status code of `GET path` on the host's port (a plain HTTP/1.0 request).
fn http_status(port: u16, path: &str) -> u16 {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0)
}
