//! `todo-ai up` on a cluster that is not minikube, against fakes: a kubeconfig whose current
//! context names a fake API server (it answers `/version`), a fake Docker Engine for the
//! builds, a fake `helm`, and recording `docker` and load-command scripts. The images reach
//! the cluster through `--load-command` (argv, no shell, `{image}` replaced) or `--registry`
//! (`docker push`); minikube is never touched; without either, `up` refuses before anything
//! runs. The real thing runs in `real_helm::up_deploys_to_the_lab_with_a_load_command`.

use std::path::Path;

use serde_json::json;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{chart_dir, fake_helm, fake_program, path_with, todo_ai};

/// A fake API server (only `/version`) and a Docker Engine that accepts any build.
async fn fake_servers() -> (MockServer, MockServer) {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/version$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "major": "1", "minor": "36", "gitVersion": "v1.36.2", "gitCommit": "x", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.27", "compiler": "gc", "platform": "linux/amd64"
        })))
        .mount(&api)
        .await;
    let engine = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^(/v[0-9.]+)?/version$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ApiVersion": "1.41", "Os": "linux"})))
        .mount(&engine)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"^(/v[0-9.]+)?/build$"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\r\n{\"stream\":\"Step 2/2 : COPY hello.txt /hello.txt\\n\"}\r\n",
            "application/json",
        ))
        .mount(&engine)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^(/v[0-9.]+)?/images/.+/json$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Id": "sha256:0123456789abcdef", "RepoTags": ["x:y"], "Size": 6})),
        )
        .mount(&engine)
        .await;
    (api, engine)
}

/// A working tree with two apps (their Dockerfiles written), a `.env`, a kubeconfig whose
/// current context `kind-dev` is the fake API server, fake `helm`, `minikube` (must not be
/// called) and `docker`, and `bin/load.sh`, which records its argv.
fn workspace(home: &Path, api: &MockServer) {
    for app in ["frontend", "backend"] {
        std::fs::create_dir_all(home.join(app)).unwrap();
        std::fs::write(home.join(app).join("hello.txt"), format!("{app}\n")).unwrap();
        std::fs::write(home.join(app).join("Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n").unwrap();
    }
    std::fs::write(
        home.join(".env"),
        "DATABASE_URL=postgresql://u:pw-9a8b7c@db/todo\nBETTER_AUTH_SECRET=s-0123456789\n",
    )
    .unwrap();
    std::fs::write(
        home.join("kubeconfig"),
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: kind-dev\nclusters:\n- name: dev\n  cluster:\n    server: {}\ncontexts:\n- name: kind-dev\n  context:\n    cluster: dev\n    user: dev\nusers:\n- name: dev\n  user: {{}}\n",
            api.uri()
        ),
    )
    .unwrap();
    fake_helm(home);
    let log = |name: &str| format!("#!/bin/sh\necho \"$*\" >> '{}'\nexit 0\n", home.join(name).display());
    fake_program(home, "minikube", &log("minikube.argv"));
    fake_program(home, "docker", &log("docker.argv"));
    // The load command records how many arguments it got, so a quoted word shows as one.
    fake_program(home, "load.sh", &format!("#!/bin/sh\necho \"$# $*\" >> '{}'\n", home.join("load.argv").display()));
}

fn up(home: &tempfile::TempDir, engine: &MockServer) -> assert_cmd::Command {
    let mut command = todo_ai(home);
    command
        .env("PATH", path_with(&home.path().join("bin")))
        .env("TODO_AI_CHART", chart_dir())
        .env("KUBECONFIG", home.path().join("kubeconfig"))
        .env("DOCKER_HOST", engine.uri().replacen("http://", "tcp://", 1))
        .env("DOCKER_BUILDKIT", "0")
        .env_remove("DATABASE_URL")
        .env_remove("BETTER_AUTH_SECRET")
        .env_remove("OPENAI_API_KEY");
    command
}

async fn output(mut command: assert_cmd::Command) -> (Option<i32>, String, String) {
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

fn read(home: &Path, name: &str) -> String {
    std::fs::read_to_string(home.join(name)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_on_the_current_context_loads_the_images_with_the_users_command() {
    let (api, engine) = fake_servers().await;
    let home = tempfile::tempdir().unwrap();
    workspace(home.path(), &api);
    std::fs::write(home.path().join("extra.yaml"), "config:\n  logLevel: warning\n").unwrap();
    let mut command = up(&home, &engine);
    command.args(["--yes", "-n", "todo", "up", "--network", "host", "--build-arg", "PYTHON_IMAGE=local/python:3.11"]);
    command.args(["-f", "extra.yaml", "--load-command", "./bin/load.sh --name 'dev cluster' {image}"]);
    let (code, stdout, stderr) = output(command).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "http://127.0.0.1:3000\n");
    assert!(
        stderr.starts_with("todo-ai up: the Todo app on context kind-dev (namespace todo, release todo-app)"),
        "{stderr}"
    );
    assert!(stderr.contains("[1/8] prerequisites: helm and ./bin/load.sh are installed"), "{stderr}");
    assert!(
        stderr
            .contains("[2/8] cluster: context kind-dev (the kubeconfig's current context) answers: Kubernetes v1.36.2"),
        "{stderr}"
    );
    assert!(stderr.contains("svc/todo-app-frontend 3000:3000 --context kind-dev"), "{stderr}");

    // Each image was loaded once, by argv: the quoted words stayed one word.
    let loads: Vec<String> = read(home.path(), "load.argv").lines().map(str::to_string).collect();
    assert_eq!(loads.len(), 2, "{loads:?}");
    assert!(loads[0].starts_with("3 --name dev cluster todo-frontend:ctx-"), "{loads:?}");
    assert!(loads[1].starts_with("3 --name dev cluster todo-backend:ctx-"), "{loads:?}");
    // The builds used the network and build arguments asked for.
    let builds: Vec<String> = engine
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/build"))
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect();
    assert_eq!(builds.len(), 2);
    for query in &builds {
        assert!(query.contains("networkmode=host") && query.contains("PYTHON_IMAGE"), "{query}");
    }
    // helm targets the context, with the extra values file after values-dev.yaml.
    let helm = read(home.path(), "helm.argv");
    let upgrade = helm.lines().find(|l| l.starts_with("upgrade")).unwrap();
    assert!(upgrade.contains("--kube-context kind-dev"), "{upgrade}");
    assert!(upgrade.contains(&format!("/values-dev.yaml -f {}/extra.yaml", home.path().display())), "{upgrade}");
    assert!(helm.lines().any(|l| l.starts_with("test todo-app")), "{helm}");
    assert_eq!(read(home.path(), "minikube.argv"), "", "minikube was not touched");
    assert!(!helm.contains("pw-9a8b7c") && !read(home.path(), "load.argv").contains("pw-9a8b7c"));

    // Again: the release has these images, so nothing is built, loaded or upgraded.
    std::fs::write(home.path().join("helm.argv"), "").unwrap();
    let mut command = up(&home, &engine);
    command.args(["--yes", "-n", "todo", "up", "--network", "host", "--build-arg", "PYTHON_IMAGE=local/python:3.11"]);
    command.args(["-f", "extra.yaml", "--load-command", "./bin/load.sh --name 'dev cluster' {image}"]);
    let (code, _, stderr) = output(command).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("are deployed (done)"), "{stderr}");
    assert_eq!(read(home.path(), "load.argv").lines().count(), 2, "not loaded again");
    assert!(!read(home.path(), "helm.argv").contains("upgrade"));

    // A changed values file makes the release out of date.
    std::fs::write(home.path().join("extra.yaml"), "config:\n  logLevel: error\n").unwrap();
    let mut command = up(&home, &engine);
    command.args(["--dry-run", "-n", "todo", "up", "-f", "extra.yaml", "--load-command", "./bin/load.sh {image}"]);
    let (code, _, stderr) = output(command).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("release: todo-app revision 1 differs: to upgrade"), "{stderr}");
    assert!(stderr.contains("dry run: would make image todo-frontend:ctx-"), "{stderr}");
    assert_eq!(read(home.path(), "load.argv").lines().count(), 2, "a dry run loads nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_with_a_registry_pushes_and_the_release_pulls_from_it() {
    let (api, engine) = fake_servers().await;
    let home = tempfile::tempdir().unwrap();
    workspace(home.path(), &api);
    let mut command = up(&home, &engine);
    command.args(["--yes", "-n", "todo", "up", "--registry", "localhost:5000/acme/"]);
    let (code, _, stderr) = output(command).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("[1/8] prerequisites: helm and docker are installed"), "{stderr}");
    let pushes: Vec<String> = read(home.path(), "docker.argv").lines().map(str::to_string).collect();
    assert_eq!(pushes.len(), 2, "{pushes:?}");
    assert!(pushes[0].starts_with("push localhost:5000/acme/todo-frontend:ctx-"), "{pushes:?}");
    assert!(pushes[1].starts_with("push localhost:5000/acme/todo-backend:ctx-"), "{pushes:?}");
    let upgrade = read(home.path(), "helm.argv").lines().find(|l| l.starts_with("upgrade")).unwrap().to_string();
    assert!(upgrade.contains("--set backend.image.repository=localhost:5000/acme/todo-backend"), "{upgrade}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_on_another_context_needs_a_way_to_deliver_the_images() {
    let (api, engine) = fake_servers().await;
    let home = tempfile::tempdir().unwrap();
    workspace(home.path(), &api);
    let mut command = up(&home, &engine);
    command.args(["--yes", "up"]);
    let (code, stdout, stderr) = output(command).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.starts_with("error: context `kind-dev` is not minikube"), "{stderr}");
    assert!(
        stderr.contains("hint: ") && stderr.contains("--registry") && stderr.contains("--load-command"),
        "{stderr}"
    );
    assert_eq!(read(home.path(), "helm.argv"), "", "nothing ran");
    assert!(engine.received_requests().await.unwrap().is_empty(), "nothing was built");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_command_meant_for_a_shell_is_refused_before_anything_runs() {
    let (api, engine) = fake_servers().await;
    let home = tempfile::tempdir().unwrap();
    workspace(home.path(), &api);
    for (command_line, why) in [
        ("docker save {image} | ctr -n k8s.io images import -", "not run by a shell"),
        ("kind load docker-image", "{image}"),
        ("load {image} 'unclosed", "unclosed"),
    ] {
        let mut command = up(&home, &engine);
        command.args(["--yes", "up", "--load-command", command_line]);
        let (code, _, stderr) = output(command).await;
        assert_eq!(code, Some(2), "{command_line}: {stderr}");
        assert!(stderr.contains(why), "{command_line}: {stderr}");
    }
    let mut command = up(&home, &engine);
    command.args(["--yes", "up", "--registry", "ghcr.io/acme", "--load-command", "./bin/load.sh {image}"]);
    let (code, _, stderr) = output(command).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    assert_eq!(read(home.path(), "helm.argv"), "");
    assert_eq!(read(home.path(), "load.argv"), "");
}
