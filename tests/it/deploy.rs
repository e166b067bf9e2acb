//! The helm tools and `todo-ai up`/`down` against recorded fakes: `helm`, `minikube`,
//! `kubectl` and `docker` executables on PATH that log their argv (and keep a little state),
//! plus a fake Docker Engine for the builds. Secrets must never appear in any argv; the plan
//! of `up` is snapshotted for a fresh machine and for one where everything is done.

use std::path::Path;

use serde_json::json;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{HELM_HISTORY, audit_lines, chart_dir, copy_dir, fake_helm, fake_program, path_with, todo_ai};

const DATABASE_URL: &str = "postgresql://todo:s3cr3t-db-pass@db.example.com:5432/todo";
const AUTH_SECRET: &str = "auth-secret-9f8e7d6c5b4a39281706";
const OPENAI_KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwxyz012345";

/// A fake `minikube` whose state lives in `dir/minikube-state` (`running`, `stopped`, or
/// absent: not created), `dir/minikube-addons.json`, `dir/minikube-images` and
/// `dir/minikube-docker-env`; every argv is logged to `dir/minikube.argv`.
pub(crate) fn fake_minikube(dir: &Path) {
    let script = format!(
        r#"#!/bin/sh
d='{dir}'
echo "$*" >> "$d/minikube.argv"
env >> "$d/minikube.argv.env"
case "$1" in
  status)
    state=$(cat "$d/minikube-state" 2>/dev/null)
    case "$state" in
      running) echo '{{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured"}}'; exit 0 ;;
      stopped) echo '{{"Name":"minikube","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped"}}'; exit 7 ;;
      *) echo '* Profile "minikube" not found. Run "minikube profile list" to view all profiles.' >&2; exit 85 ;;
    esac ;;
  addons)
    case "$2" in
      list) cat "$d/minikube-addons.json" 2>/dev/null || echo '{{"ingress":{{"Status":"disabled"}},"metrics-server":{{"Status":"disabled"}}}}'; exit 0 ;;
      enable) exit 0 ;;
    esac ;;
  start) echo running > "$d/minikube-state"; echo '{{"ingress":{{"Status":"enabled"}},"metrics-server":{{"Status":"enabled"}}}}' > "$d/minikube-addons.json"; exit 0 ;;
  image)
    case "$2" in
      ls) cat "$d/minikube-images" 2>/dev/null; exit 0 ;;
      load) echo "docker.io/library/$3" >> "$d/minikube-images"; exit 0 ;;
    esac ;;
  docker-env) cat "$d/minikube-docker-env"; exit 0 ;;
  ip) echo 192.168.49.2; exit 0 ;;
esac
echo "fake minikube: unexpected $*" >&2
exit 64
"#,
        dir = dir.display()
    );
    fake_program(dir, "minikube", &script);
    fake_program(dir, "kubectl", "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/../kubectl.argv\"\nexit 0\n");
    fake_program(dir, "docker", "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/../docker.argv\"\nexit 0\n");
}

/// A working tree with `frontend/` and `backend/` apps and a `.env` with the secrets.
pub(crate) fn workspace(dir: &Path, with_dockerfiles: bool) {
    for app in ["frontend", "backend"] {
        let root = dir.join(app);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("hello.txt"), format!("{app}\n")).unwrap();
        if with_dockerfiles {
            std::fs::write(root.join("Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n").unwrap();
        }
    }
    // The sample apps for generation: a Next.js frontend and a FastAPI backend.
    if !with_dockerfiles {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps");
        copy_dir(&fixtures.join("nextjs-npm"), &dir.join("frontend"));
        copy_dir(&fixtures.join("fastapi-requirements"), &dir.join("backend"));
    }
    std::fs::write(
        dir.join(".env"),
        format!("# local only\nDATABASE_URL={DATABASE_URL}\nBETTER_AUTH_SECRET=\"{AUTH_SECRET}\"\nOPENAI_API_KEY={OPENAI_KEY}\n"),
    )
    .unwrap();
}

fn up_command(home: &tempfile::TempDir) -> assert_cmd::Command {
    assert_cmd::Command::from_std(up_command_std(home))
}

/// `todo-ai` for `up`: fakes on PATH, the repository's chart, no secrets in the environment.
pub(crate) fn up_command_std(home: &tempfile::TempDir) -> std::process::Command {
    let mut command = crate::support::todo_ai_std(home);
    command
        .env("PATH", path_with(&home.path().join("bin")))
        .env("TODO_AI_CHART", chart_dir())
        .env_remove("DATABASE_URL")
        .env_remove("BETTER_AUTH_SECRET")
        .env_remove("OPENAI_API_KEY");
    command
}

/// Replaces temp paths and the release fingerprint (it hashes the chart) so snapshots are
/// stable. Image tags stay: they hash the fixture apps, which do not change.
fn stable(text: &str, home: &Path) -> String {
    let text =
        text.replace(&home.display().to_string(), "[HOME]").replace(&chart_dir().display().to_string(), "[CHART]");
    match text.find("fp-") {
        Some(index) => format!("{}fp-[HASH]{}", &text[..index], &text[index + 19..]),
        None => text,
    }
}

fn assert_no_secrets(home: &Path) {
    // argv and the environment of every helm and minikube run (the secrets came from .env).
    for log in ["helm.argv", "minikube.argv", "kubectl.argv", "docker.argv", "helm.argv.env", "minikube.argv.env"] {
        let text = std::fs::read_to_string(home.join(log)).unwrap_or_default();
        for secret in [DATABASE_URL, "s3cr3t-db-pass", AUTH_SECRET, OPENAI_KEY] {
            assert!(!text.contains(secret), "{secret} on the argv of {log}: {text}");
        }
    }
}

#[test]
fn up_plan_on_a_fresh_machine() {
    let home = tempfile::tempdir().unwrap();
    workspace(home.path(), false);
    fake_helm(home.path());
    fake_minikube(home.path());
    let output = up_command(&home).args(["--dry-run", "-n", "todo", "up"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "http://todo.local\n");
    insta::assert_snapshot!("up_fresh", stable(&stderr, home.path()));
    // A dry run starts nothing, writes nothing and never shows a secret.
    assert!(!home.path().join("frontend/Dockerfile").exists());
    let minikube = std::fs::read_to_string(home.path().join("minikube.argv")).unwrap();
    assert!(!minikube.lines().any(|l| l.starts_with("start")), "{minikube}");
    for secret in [DATABASE_URL, AUTH_SECRET, OPENAI_KEY] {
        assert!(!stderr.contains(secret));
    }
    assert_no_secrets(home.path());
}

/// A fake Docker Engine that accepts any build.
async fn fake_engine() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^(/v[0-9.]+)?/version$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ApiVersion": "1.41", "Os": "linux"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"^(/v[0-9.]+)?/build$"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\r\n{\"stream\":\"Step 2/2 : COPY hello.txt /hello.txt\\n\"}\r\n",
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^(/v[0-9.]+)?/images/.+/json$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Id": "sha256:0123456789abcdef", "RepoTags": ["x:y"], "Size": 6})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_runs_every_step_then_resumes_with_nothing_to_do() {
    let home = tempfile::tempdir().unwrap();
    workspace(home.path(), true);
    fake_helm(home.path());
    fake_minikube(home.path());
    let engine = fake_engine().await;
    std::fs::write(
        home.path().join("minikube-docker-env"),
        format!("DOCKER_HOST={}\nMINIKUBE_ACTIVE_DOCKERD=minikube\n", engine.uri().replacen("http://", "tcp://", 1)),
    )
    .unwrap();

    let mut command = up_command(&home);
    command.env("DOCKER_BUILDKIT", "0").args(["--yes", "-n", "todo", "up"]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let builds =
        engine.received_requests().await.unwrap().into_iter().filter(|r| r.url.path().ends_with("/build")).count();
    assert_eq!(builds, 2, "both images were built on minikube's daemon");
    let minikube = std::fs::read_to_string(home.path().join("minikube.argv")).unwrap();
    assert!(minikube.contains("start --cpus 4 --memory 8g --addons ingress --addons metrics-server\n"), "{minikube}");
    let helm = std::fs::read_to_string(home.path().join("helm.argv")).unwrap();
    let upgrade = helm.lines().find(|l| l.starts_with("upgrade")).unwrap();
    assert!(upgrade.starts_with(&format!(
        "upgrade --install todo-app {} --namespace todo --kube-context minikube --create-namespace --atomic --wait --timeout 5m0s -f {}/values-dev.yaml -f ",
        chart_dir().display(),
        chart_dir().display()
    )), "{upgrade}");
    assert!(
        upgrade.contains("--set frontend.image.repository=todo-frontend --set-string frontend.image.tag=ctx-"),
        "{upgrade}"
    );
    assert!(helm.lines().any(|l| l.starts_with("test todo-app")), "{helm}");
    // The secrets reached helm in a 0600 file only.
    let file = std::fs::read_to_string(home.path().join("helm-state/f-2.yaml")).unwrap();
    assert!(file.contains(DATABASE_URL) && file.contains(AUTH_SECRET) && file.contains(OPENAI_KEY), "{file}");
    assert_eq!(std::fs::read_to_string(home.path().join("helm-state/f-2.mode")).unwrap().trim(), "stdin");
    assert!(!stderr.contains("s3cr3t-db-pass") && !stderr.contains(OPENAI_KEY), "{stderr}");
    assert_no_secrets(home.path());
    assert!(std::fs::read_to_string(home.path().join("helm.argv.env")).unwrap().contains("PATH="), "env was recorded");
    // Audited, with the secrets masked.
    let audit = audit_lines(home.path());
    let install = audit.iter().rfind(|line| line["tool"] == "helm_install").unwrap();
    assert_eq!(install["args"]["set"]["secrets.databaseUrl"], "[REDACTED]");
    assert_eq!(install["outcome"], "ok");

    // Again: everything is detected as done; only the test runs. (minikube lists what was
    // built on its daemon.)
    let tags: Vec<String> = upgrade
        .split(' ')
        .filter_map(|arg| {
            arg.strip_prefix("frontend.image.tag=").map(|t| format!("docker.io/library/todo-frontend:{t}")).or_else(
                || arg.strip_prefix("backend.image.tag=").map(|t| format!("docker.io/library/todo-backend:{t}")),
            )
        })
        .collect();
    assert_eq!(tags.len(), 2, "{upgrade}");
    std::fs::write(home.path().join("minikube-images"), tags.join("\n") + "\n").unwrap();
    std::fs::write(home.path().join("helm.argv"), "").unwrap();
    let mut command = up_command(&home);
    command.env("DOCKER_BUILDKIT", "0").args(["--yes", "-n", "todo", "up"]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    insta::assert_snapshot!("up_done", stable(&stderr, home.path()));
    let builds =
        engine.received_requests().await.unwrap().into_iter().filter(|r| r.url.path().ends_with("/build")).count();
    assert_eq!(builds, 2, "nothing was rebuilt");
    let helm = std::fs::read_to_string(home.path().join("helm.argv")).unwrap();
    assert!(!helm.contains("upgrade"), "{helm}");

    // A changed secret makes the release out of date (and still never shows it).
    let env =
        std::fs::read_to_string(home.path().join(".env")).unwrap().replace(AUTH_SECRET, "rotated-secret-000111222");
    std::fs::write(home.path().join(".env"), env).unwrap();
    let mut command = up_command(&home);
    command.env("DOCKER_BUILDKIT", "0").args(["--dry-run", "-n", "todo", "up"]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("release: todo-app revision 1 differs: to upgrade"), "{stderr}");
    assert!(!stderr.contains("rotated-secret-000111222"));
}

#[test]
fn up_stops_early_on_missing_prerequisites_and_secrets() {
    let home = tempfile::tempdir().unwrap();
    workspace(home.path(), true);
    // Only helm: the others are missing.
    let bin = fake_helm(home.path());
    let output = todo_ai(&home).env("PATH", bin.display().to_string()).args(["--yes", "up"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: missing prerequisites: minikube, kubectl, docker"), "{stderr}");
    assert!(
        stderr.contains("hint: install them and run `todo-ai up` again (minikube: https://minikube.sigs.k8s.io"),
        "{stderr}"
    );

    fake_minikube(home.path());
    std::fs::write(home.path().join(".env"), "OPENAI_API_KEY=sk-x\n").unwrap();
    let output = up_command(&home).args(["--yes", "up"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: missing DATABASE_URL, BETTER_AUTH_SECRET for the app's Secret"), "{stderr}");
    // Nothing was started.
    assert!(!std::fs::read_to_string(home.path().join("minikube.argv")).unwrap_or_default().contains("start"));

    // Without a terminal and without --yes, the first change is refused (never a hang).
    workspace(home.path(), true);
    let output = up_command(&home).arg("up").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused: `minikube_start` changes the cluster and there is no terminal"), "{stderr}");
}

#[test]
fn helm_failures_are_surfaced_with_a_hint_and_rollback_shows_history() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    std::fs::write(
        home.path().join("helm-state/fail-upgrade"),
        "coalesce.go:237: warning: skipped value for x\nError: UPGRADE FAILED: release todo-app failed, and has been rolled back due to atomic being set: context deadline exceeded\n",
    )
    .unwrap();
    let output = todo_ai(&home)
        .env("PATH", path_with(&bin))
        .env("TODO_AI_CHART", chart_dir())
        .args(["--yes", "-n", "todo", "deploy", "--set", "secrets.databaseUrl=postgresql://u:hunter2@db/x"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: `helm upgrade --install` failed: UPGRADE FAILED: release todo-app failed, and has been rolled back due to atomic being set: context deadline exceeded"), "{stderr}");
    assert!(
        stderr.contains(
            "hint: the pods did not become ready in time (helm rolled the change back): `todo-ai diagnose` says why"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"));

    // The rollback question shows the history and the exact revisions.
    std::fs::write(home.path().join("helm-state/history.json"), HELM_HISTORY).unwrap();
    // Refused without a terminal, before helm is even asked for the history.
    let output = todo_ai(&home).env("PATH", path_with(&bin)).args(["-n", "todo", "helm-rollback"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("it would roll back Helm release todo-app to the previous revision"), "{stderr}");
    let argv = std::fs::read_to_string(home.path().join("helm.argv")).unwrap_or_default();
    assert!(!argv.lines().last().unwrap_or_default().starts_with("history"), "{argv}");
    let output = todo_ai(&home)
        .env("PATH", path_with(&bin))
        .args(["--dry-run", "-n", "todo", "helm-rollback"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("would roll back Helm release todo-app in namespace todo from revision 3 to revision 2 (todo-app-0.1.0)\nREVISION  STATUS"), "{stderr}");
    let output = todo_ai(&home)
        .env("PATH", path_with(&bin))
        .args(["--yes", "-n", "todo", "helm-rollback", "--revision", "3"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("revision 3 is the current one: nothing to roll back"));
    let output = todo_ai(&home)
        .env("PATH", path_with(&bin))
        .args(["--yes", "-n", "todo", "helm-rollback", "--revision", "9"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("release todo-app has no revision 9 (it has 1, 2, 3)"));
}

#[test]
fn down_asks_and_uninstalls() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    std::fs::write(
        home.path().join("helm-state/status.json"),
        r#"{"version": 4, "info": {"status": "deployed"}, "chart": {"metadata": {"name": "todo-app", "version": "0.1.0", "appVersion": "1.0.0"}}}"#,
    )
    .unwrap();
    let output = todo_ai(&home).env("PATH", path_with(&bin)).args(["-n", "todo", "down"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused: `helm_uninstall` changes the cluster and there is no terminal"), "{stderr}");
    let output = todo_ai(&home).env("PATH", path_with(&bin)).args(["--yes", "-n", "todo", "down"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let argv = std::fs::read_to_string(home.path().join("helm.argv")).unwrap();
    assert!(argv.ends_with("uninstall todo-app --wait --namespace todo --kube-context minikube\n"), "{argv}");
    // Nothing left: a second `down` says so.
    let output = todo_ai(&home).env("PATH", path_with(&bin)).args(["--yes", "-n", "todo", "down"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("there is no release todo-app in namespace todo"));
}
