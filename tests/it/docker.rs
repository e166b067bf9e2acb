//! `build_image` through the real Docker client code (bollard) against a fake Engine API
//! (wiremock) for what a real daemon cannot be made to do on demand: a daemon that is down,
//! a failing build stream, old API versions, BuildKit-only syntax on the legacy builder, and
//! minikube placements through a fake `minikube` on PATH that records its argv. The real
//! engine builds a `FROM scratch` image when `TODO_AI_TEST_DOCKER_HOST` is set (CI starts a
//! dockerd for it).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::todo_ai;

/// A scratch app: a Dockerfile, one file, and an ignored node_modules that must not be sent.
fn scratch_app(root: &Path, dockerfile: &str) -> PathBuf {
    let app = root.join("hello-app");
    std::fs::create_dir_all(app.join("node_modules/pkg")).unwrap();
    std::fs::write(app.join("node_modules/pkg/index.js"), "ignored").unwrap();
    std::fs::write(app.join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(app.join("hello.txt"), "hello\n").unwrap();
    std::fs::write(app.join(".dockerignore"), "node_modules\n").unwrap();
    app
}

const SCRATCH: &str = "FROM scratch\nCOPY hello.txt /hello.txt\nCMD [\"/hello.txt\"]\n";

/// A fake daemon: `/version` with the given API version, `/build` answering `build_stream`
/// (newline-delimited JSON), and the built image's inspect.
async fn fake_engine(api_version: &str, build_stream: &[Value]) -> MockServer {
    let server = MockServer::start().await;
    let version = json!({"ApiVersion": api_version, "Version": "20.10.24", "Os": "linux", "Arch": "amd64", "MinAPIVersion": "1.12"});
    Mock::given(method("GET"))
        .and(path_regex(r"^(/v[0-9.]+)?/version$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(version))
        .mount(&server)
        .await;
    let body: String = build_stream.iter().map(|item| format!("{item}\r\n")).collect();
    Mock::given(method("POST"))
        .and(path_regex(r"^(/v[0-9.]+)?/build$"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let inspect = json!({"Id": "sha256:5f3c0a7d9e1b2c4d6e8f00112233445566778899aabbccddeeff001122334455", "RepoTags": ["hello-app:1.0"], "Size": 6});
    Mock::given(method("GET"))
        .and(path_regex(r"^(/v[0-9.]+)?/images/.+/json$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(inspect))
        .mount(&server)
        .await;
    server
}

fn host(server: &MockServer) -> String {
    server.uri().replacen("http://", "tcp://", 1)
}

const SUCCESS: &[&str] = &[
    r#"{"stream":"Step 1/3 : FROM scratch\n"}"#,
    r#"{"stream":" ---\u003e \n"}"#,
    r#"{"stream":"Step 2/3 : COPY hello.txt /hello.txt\n"}"#,
    r#"{"stream":"Step 3/3 : CMD [\"/hello.txt\"]\n"}"#,
    r#"{"aux":{"ID":"sha256:5f3c0a7d9e1b2c4d6e8f00112233445566778899aabbccddeeff001122334455"}}"#,
    r#"{"stream":"Successfully built 5f3c0a7d9e1b\n"}"#,
    r#"{"stream":"Successfully tagged hello-app:1.0\n"}"#,
];

fn items(lines: &[&str]) -> Vec<Value> {
    lines.iter().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// Runs the binary off the async runtime (the fake daemon needs it to answer).
async fn run(command: assert_cmd::Command) -> std::process::Output {
    let mut command = command;
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

async fn requests_to(server: &MockServer, suffix: &str) -> Vec<wiremock::Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter().filter(|request| request.url.path().ends_with(suffix)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builds_through_the_engine_api_with_tag_args_target_and_an_ignoring_context() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), SCRATCH);
    let server = fake_engine("1.41", &items(SUCCESS)).await;
    let mut command = todo_ai(&home);
    command.env("DOCKER_HOST", host(&server)).env("DOCKER_BUILDKIT", "0").args([
        "-o", "json", "build", "hello-app", "-t", "hello-app:1.0", "--build-arg", "APP_VERSION=1.0", "--target",
        "runtime", "--network", "host", "--yes",
    ]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let data = &result["result"];
    assert_eq!(data["tags"], json!(["hello-app:1.0"]), "{result}");
    assert_eq!(data["size"], 6);
    assert_eq!(data["builder"], "legacy");
    assert_eq!(data["api_version"], "1.41");
    // Progress went to stderr, step by step.
    assert!(stderr.contains("step 2/3 COPY hello.txt /hello.txt"), "{stderr}");

    let builds = requests_to(&server, "/build").await;
    assert_eq!(builds.len(), 1);
    let query: std::collections::HashMap<String, String> = builds[0].url.query_pairs().into_owned().collect();
    assert_eq!(query["t"], "hello-app:1.0");
    assert_eq!(query["dockerfile"], "Dockerfile");
    assert_eq!(query["target"], "runtime");
    assert_eq!(serde_json::from_str::<Value>(&query["buildargs"]).unwrap(), json!({"APP_VERSION": "1.0"}));
    assert!(query.get("version").is_none_or(|v| v == "1"), "legacy builder: {query:?}");
    assert_eq!(query["networkmode"], "host");
    // The context is a tar of exactly what .dockerignore lets through.
    let mut archive = tar::Archive::new(builds[0].body.as_slice());
    let names: Vec<String> =
        archive.entries().unwrap().map(|entry| entry.unwrap().path().unwrap().display().to_string()).collect();
    assert_eq!(names, vec![".dockerignore", "Dockerfile", "hello.txt"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_step_is_named_with_its_last_output() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), "FROM busybox:1.36\nRUN ./configure\n");
    let stream = items(&[
        r#"{"stream":"Step 1/2 : FROM busybox:1.36\n"}"#,
        r#"{"stream":"Step 2/2 : RUN ./configure\n"}"#,
        r#"{"stream":" ---\u003e Running in 0d9c\n"}"#,
        r#"{"stream":"checking for gcc... no\n"}"#,
        r#"{"stream":"configure: error: no C compiler found (token=sk-live-abcdefghijklmnopqrstuvwx)\n"}"#,
        r#"{"errorDetail":{"code":127,"message":"The command '/bin/sh -c ./configure' returned a non-zero code: 127"},"error":"The command '/bin/sh -c ./configure' returned a non-zero code: 127"}"#,
    ]);
    let server = fake_engine("1.41", &stream).await;
    let mut command = todo_ai(&home);
    command.env("DOCKER_HOST", host(&server)).env("DOCKER_BUILDKIT", "0").args(["build", "hello-app", "--yes"]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: the build failed at step 2/2: RUN ./configure: The command '/bin/sh -c ./configure' returned a non-zero code: 127"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "caused by: its last output:\n    checking for gcc... no\n    configure: error: no C compiler found"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: fix the failing step"), "{stderr}");
    assert!(!stderr.contains("sk-live-abcdefghijklmnopqrstuvwx"), "secrets in build output are redacted: {stderr}");
    // Nothing is inspected after a failure.
    assert!(requests_to(&server, "/json").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_daemons_use_the_legacy_builder_and_ancient_ones_are_refused() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), SCRATCH);
    // API 1.38 (Docker 18.06) cannot run client BuildKit sessions: the legacy builder is used.
    let server = fake_engine("1.38", &items(SUCCESS)).await;
    let mut command = todo_ai(&home);
    command
        .env("DOCKER_HOST", host(&server))
        .args(["-o", "json", "build", "hello-app", "-t", "hello-app:1.0", "--yes"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["result"]["builder"], "legacy");
    let builds = requests_to(&server, "/build").await;
    assert_eq!(builds.len(), 1);
    // The daemon's default network unless `--network` says otherwise.
    assert!(!builds[0].url.query_pairs().any(|(key, _)| key == "networkmode"), "{}", builds[0].url);

    let ancient = fake_engine("1.24", &items(SUCCESS)).await;
    let mut command = todo_ai(&home);
    command.env("DOCKER_HOST", host(&ancient)).args(["build", "hello-app", "--yes"]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("speaks Engine API 1.24, older than the 1.25 todo-ai needs"), "{stderr}");
    assert!(requests_to(&ancient, "/build").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buildkit_syntax_on_the_legacy_builder_fails_before_sending_anything() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), "FROM node:22-alpine\nRUN --mount=type=cache,target=/root/.npm npm ci\n");
    let server = fake_engine("1.41", &items(SUCCESS)).await;
    let mut command = todo_ai(&home);
    command.env("DOCKER_HOST", host(&server)).env("DOCKER_BUILDKIT", "0").args(["build", "hello-app", "--yes"]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("`Dockerfile` needs BuildKit (RUN --mount) but the legacy builder was selected"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: unset `DOCKER_BUILDKIT=0`"), "{stderr}");
    assert!(requests_to(&server, "/build").await.is_empty());
}

#[test]
fn a_daemon_that_is_down_is_one_error_with_a_hint() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), SCRATCH);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for docker_host in [format!("tcp://127.0.0.1:{port}"), "unix:///nonexistent/docker.sock".to_string()] {
        let output =
            todo_ai(&home).env("DOCKER_HOST", &docker_host).args(["build", "hello-app", "--yes"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with(&format!("error: cannot reach the Docker daemon at {docker_host}: ")), "{stderr}");
        assert!(stderr.contains("hint: start Docker"), "{stderr}");
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1);
    }
    let output =
        todo_ai(&home).env("DOCKER_HOST", "ssh://me@host").args(["build", "hello-app", "--yes"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("unsupported DOCKER_HOST `ssh://me@host`"));
}

#[test]
fn missing_dockerfile_secret_build_args_and_dry_run() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("empty")).unwrap();
    let output = todo_ai(&home).args(["build", "empty", "--yes"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no Dockerfile at `empty/Dockerfile`"), "{stderr}");
    assert!(stderr.contains("hint: `todo-ai dockerfile empty --write` generates one"), "{stderr}");

    scratch_app(home.path(), SCRATCH);
    let output =
        todo_ai(&home).args(["build", "hello-app", "--build-arg", "OPENAI_API_KEY=sk-x", "--yes"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("build arg `OPENAI_API_KEY` looks like a secret"), "{stderr}");
    assert!(!stderr.contains("sk-x"));

    // A dry run needs no daemon: it says what would be sent.
    let output = todo_ai(&home)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["--dry-run", "build", "hello-app", "-t", "hello-app:1.0"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("dry run: would build `hello-app:1.0` from `hello-app` (3 files, "), "{stdout}");
}

#[test]
fn the_default_tag_is_the_directory_and_git_sha_or_dev() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), SCRATCH);
    let output = todo_ai(&home).args(["-o", "json", "plan", "build the image for ./hello-app"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    // Without a repository the prepared preview says `:dev`.
    let output = todo_ai(&home).args(["--dry-run", "build", "hello-app"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("build image `hello-app:dev` from `hello-app` (3 files, "), "{stderr}");
    assert!(stderr.contains("1 entries left out by .dockerignore"), "{stderr}");

    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(home.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap();
        assert!(status.success());
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "init"]);
    let sha = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(home.path())
        .output()
        .unwrap();
    let sha = String::from_utf8_lossy(&sha.stdout).trim().to_string();
    let output = todo_ai(&home).args(["--dry-run", "build", "hello-app"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("build image `hello-app:{sha}` from")), "{stderr}");
    std::fs::write(home.path().join("hello-app/hello.txt"), "changed\n").unwrap();
    let output = todo_ai(&home).args(["--dry-run", "build", "hello-app"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("`hello-app:{sha}-dirty`")));
}

/// A fake `minikube` that records its argv and answers `docker-env` with `docker_env`
/// (stdout, exit code) and everything else with success.
fn fake_minikube(dir: &Path, docker_env: &str, docker_env_code: i32) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("minikube.argv");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{log}'\nif [ \"$1\" = docker-env ]; then\n  printf '%s\\n' '{docker_env}' | tr '|' '\\n'\n  [ {docker_env_code} -eq 0 ] || echo 'X Exiting due to failure' >&2\n  exit {docker_env_code}\nfi\nexit 0\n",
        log = log.display()
    );
    let path = bin.join("minikube");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn path_with(bin: &Path) -> String {
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minikube_builds_on_its_daemon_or_loads_the_image() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), SCRATCH);
    let inside = fake_engine("1.41", &items(SUCCESS)).await;
    let local = fake_engine("1.41", &items(SUCCESS)).await;

    // Docker runtime: docker-env points at minikube's daemon, which builds.
    let bin = fake_minikube(home.path(), &format!("DOCKER_HOST={}|MINIKUBE_ACTIVE_DOCKERD=minikube", host(&inside)), 0);
    let mut command = todo_ai(&home);
    command
        .env("PATH", path_with(&bin))
        .env("DOCKER_HOST", host(&local))
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "hello-app", "-t", "hello-app:1.0", "--minikube", "--yes"]);
    let output = run(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("inside minikube's Docker daemon"), "{stdout}");
    assert_eq!(requests_to(&inside, "/build").await.len(), 1);
    assert!(requests_to(&local, "/build").await.is_empty());
    let argv = std::fs::read_to_string(home.path().join("minikube.argv")).unwrap();
    assert_eq!(argv, "docker-env --shell none\n");

    // containerd runtime: build locally, then `minikube image load`.
    std::fs::remove_file(home.path().join("minikube.argv")).unwrap();
    let bin = fake_minikube(
        home.path(),
        "X Exiting due to MK_USAGE: The docker-env command is only compatible with the \"docker\" runtime, but this cluster was configured to use the \"containerd\" runtime.",
        14,
    );
    let mut command = todo_ai(&home);
    command
        .env("PATH", path_with(&bin))
        .env("DOCKER_HOST", host(&local))
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "hello-app", "-t", "hello-app:1.0", "--minikube", "--yes"]);
    let output = run(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("loaded into minikube"), "{stdout}");
    assert_eq!(requests_to(&local, "/build").await.len(), 1);
    let argv = std::fs::read_to_string(home.path().join("minikube.argv")).unwrap();
    assert_eq!(argv, "docker-env --shell none\nimage load hello-app:1.0\n");

    // Stopped: one error saying how to start it; nothing is built.
    let bin = fake_minikube(home.path(), "X Exiting due to GUEST_STATUS: minikube is not running", 85);
    let mut command = todo_ai(&home);
    command
        .env("PATH", path_with(&bin))
        .env("DOCKER_HOST", host(&local))
        .args(["build", "hello-app", "--minikube", "--yes"]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("error: minikube is not running") && stderr.contains("hint: start it with `minikube start`"),
        "{stderr}"
    );
    assert_eq!(requests_to(&local, "/build").await.len(), 1);
}

#[test]
fn minikube_missing_is_an_install_hint() {
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), SCRATCH);
    let empty = home.path().join("nobin");
    std::fs::create_dir_all(&empty).unwrap();
    // PATH with git but no minikube.
    let git_dir = todo_ai::exec::find_program("git").map(|p| p.parent().unwrap().to_path_buf());
    let path = match git_dir {
        Some(dir) if !dir.join("minikube").exists() => dir.display().to_string(),
        _ => empty.display().to_string(),
    };
    let output = todo_ai(&home).env("PATH", path).args(["build", "hello-app", "--minikube", "--yes"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: `minikube` is not installed (not found on PATH)"), "{stderr}");
    assert!(stderr.contains("build without `--minikube`"), "{stderr}");
}

/// The real engine: builds a `FROM scratch` image with BuildKit and with the legacy builder
/// and checks the image exists with its tag (via bollard, independently of the tool).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Docker: set TODO_AI_TEST_DOCKER_HOST (e.g. the lab's `docker-up`)"]
async fn real_engine_builds_a_scratch_image() {
    let docker_host = std::env::var("TODO_AI_TEST_DOCKER_HOST")
        .expect("set TODO_AI_TEST_DOCKER_HOST (e.g. unix:///var/run/docker.sock) to build on a real engine");
    let home = tempfile::tempdir().unwrap();
    scratch_app(home.path(), SCRATCH);
    let docker = bollard::Docker::connect_with_host(&docker_host).unwrap();
    // Tags carry the pid: other runs may share the daemon.
    let pid = std::process::id();
    for (builder, tag) in
        [("1", format!("todo-ai-it/scratch:buildkit-{pid}")), ("0", format!("todo-ai-it/scratch:legacy-{pid}"))]
    {
        let tag = tag.as_str();
        let _ = docker.remove_image(tag, None::<bollard::query_parameters::RemoveImageOptions>, None).await;
        let mut command = todo_ai(&home);
        command
            .env("DOCKER_HOST", &docker_host)
            .env("DOCKER_BUILDKIT", builder)
            .args(["-o", "json", "build", "hello-app", "-t", tag, "--yes"]);
        let output = run(command).await;
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let result: Value = serde_json::from_slice(&output.stdout).unwrap();
        let image = docker.inspect_image(tag).await.unwrap();
        assert!(image.repo_tags.unwrap_or_default().contains(&tag.to_string()));
        assert_eq!(result["result"]["id"], json!(image.id.unwrap()));
        assert_eq!(result["result"]["builder"], if builder == "1" { "buildkit" } else { "legacy" });
        let _ = docker.remove_image(tag, None::<bollard::query_parameters::RemoveImageOptions>, None).await;
    }
}

/// A hostile app directory: links out of the tree and to /proc, a FIFO and a socket.
fn hostile_app(root: &Path) -> PathBuf {
    let app = scratch_app(root, SCRATCH);
    std::fs::create_dir_all(root.join("outside")).unwrap();
    std::fs::write(root.join("outside/credentials"), "aws_secret_access_key=OUTSIDE-SECRET-0001\n").unwrap();
    std::os::unix::fs::symlink("../outside/credentials", app.join("creds")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", app.join("env")).unwrap();
    std::os::unix::fs::symlink("../outside", app.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink("hello.txt", app.join("inside-link")).unwrap();
    let status = std::process::Command::new("mkfifo").arg(app.join("pipe")).status().unwrap();
    assert!(status.success());
    std::os::unix::net::UnixListener::bind(app.join("socket")).unwrap();
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_context_sends_symlinks_as_links_and_never_reads_special_files() {
    let home = tempfile::tempdir().unwrap();
    hostile_app(home.path());
    let server = fake_engine("1.41", &items(SUCCESS)).await;
    // The prepared preview (here: as a dry run shows it) says what was left out and why.
    let mut command = todo_ai(&home);
    command.env("DOCKER_HOST", host(&server)).args(["--dry-run", "build", "hello-app", "-t", "hello-app:1.0"]);
    command.timeout(std::time::Duration::from_secs(120));
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("2 special files not sent (`pipe` a FIFO, `socket` a socket)"), "{stderr}");
    assert!(stderr.contains("4 symlinks sent as links"), "{stderr}");

    let mut command = todo_ai(&home);
    command
        .env("DOCKER_HOST", host(&server))
        .env("DOCKER_BUILDKIT", "0")
        .env("TODO_AI_CANARY", "CANARY-ENVIRON-0002")
        .args(["build", "hello-app", "-t", "hello-app:1.0", "--yes"]);
    command.timeout(std::time::Duration::from_secs(120));
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let builds = requests_to(&server, "/build").await;
    let body = &builds[0].body;
    let text = String::from_utf8_lossy(body);
    assert!(
        !text.contains("OUTSIDE-SECRET-0001") && !text.contains("CANARY-ENVIRON-0002"),
        "a target's content was sent"
    );
    let mut archive = tar::Archive::new(body.as_slice());
    let mut entries: Vec<(String, tar::EntryType, Option<String>, u64)> = archive
        .entries()
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let header = entry.header();
            let link = entry.link_name().unwrap().map(|l| l.display().to_string());
            (entry.path().unwrap().display().to_string(), header.entry_type(), link, header.size().unwrap())
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<&str> = entries.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(names, vec![".dockerignore", "Dockerfile", "creds", "env", "hello.txt", "inside-link", "linked-dir"]);
    for (name, kind, link, size) in &entries {
        let want = match name.as_str() {
            "creds" => Some("../outside/credentials"),
            "env" => Some("/proc/self/environ"),
            "inside-link" => Some("hello.txt"),
            "linked-dir" => Some("../outside"),
            _ => None,
        };
        match want {
            Some(target) => {
                assert_eq!((*kind, link.as_deref(), *size), (tar::EntryType::Symlink, Some(target), 0), "{name}");
            }
            None => assert_eq!(*kind, tar::EntryType::Regular, "{name}"),
        }
    }
}

#[test]
fn a_dockerfile_or_dockerignore_that_is_a_link_or_special_file_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let app = scratch_app(home.path(), SCRATCH);
    std::fs::create_dir_all(home.path().join("outside")).unwrap();
    std::fs::write(home.path().join("outside/Dockerfile"), SCRATCH).unwrap();
    std::fs::remove_file(app.join("Dockerfile")).unwrap();
    std::os::unix::fs::symlink("../outside/Dockerfile", app.join("Dockerfile")).unwrap();
    let output = todo_ai(&home)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["build", "hello-app", "--yes"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`hello-app/Dockerfile` is a symlink"), "{stderr}");

    // A FIFO as .dockerignore would block a reader forever: it is refused, not read.
    std::fs::remove_file(app.join("Dockerfile")).unwrap();
    std::fs::write(app.join("Dockerfile"), SCRATCH).unwrap();
    std::fs::remove_file(app.join(".dockerignore")).unwrap();
    let status = std::process::Command::new("mkfifo").arg(app.join(".dockerignore")).status().unwrap();
    assert!(status.success());
    let output = todo_ai(&home)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["build", "hello-app", "--yes"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`hello-app/.dockerignore` is not a regular file"), "{stderr}");
}
