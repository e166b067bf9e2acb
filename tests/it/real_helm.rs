//! The Todo chart and `todo-ai up` on a real node: the two shared sample apps (FastAPI and
//! Next.js, copied to the test's working tree) get their Dockerfiles from `todo-ai dockerfile
//! --write`, are built with `todo-ai build --network host` and the lab's base images, and are
//! loaded into the node; `helm_install` of `manifests/helm/todo-app` then waits until the
//! kubelet has them Ready (probes, numeric non-root user, read-only root filesystem and
//! resources as the chart sets them), `helm test` passes, and `helm_rollback` returns to the
//! previous revision. `up` runs end to end on the lab with `--load-command`. Build, load and
//! install times are printed for the record, never asserted.
//!
//! Needs, besides `TODO_AI_TEST_KUBECONFIG`: `TODO_AI_TEST_DOCKER_HOST` (`lab.sh docker-up`),
//! the base images (`TODO_AI_TEST_PYTHON_IMAGE`/`TODO_AI_TEST_NODE_IMAGE`, default the lab's
//! `local/python:3.11` and `local/node:22` from `lab.sh base-images`), the sample apps
//! (`TODO_AI_TEST_SAMPLE_APPS`, else `shared/eval/apps` beside the checkout), `helm` on `PATH`
//! (`.ci/install-chart-validators`) and the lab kit (`TODO_AI_TEST_LAB`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, ListParams};
use serde_json::{Value, json};
use todo_ai::tools::HelmTest;

use crate::real_lab::{
    Scratch, in_scratch_namespace, kubeconfig, lab_image, lab_script, poll, remove_node_image, then_always, unique,
};
use crate::support::{chart_dir, copy_dir, todo_ai};

/// One build at a time: they share two CPUs and the daemon's caches.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

static HELM_TEST: HelmTest = HelmTest;

/// A `wget -qO- [-T N] URL` for the chart's test pod: the lab's static busybox `wget`
/// crashes (segfaults) on this kernel, so one GET goes through `nc`; it prints the body and
/// succeeds only on a 2xx status, as wget does.
const WGET: &str = r#"#!/bin/sh
timeout=10
while [ $# -gt 1 ]; do
  case "$1" in -T) timeout=$2; shift 2 ;; *) shift ;; esac
done
url=${1#http://}
hostport=${url%%/*}
path=/${url#*/}
[ "$hostport" = "$url" ] && path=/
host=${hostport%:*}
port=${hostport##*:}
[ "$port" = "$hostport" ] && port=80
response=$(printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" | nc -w "$timeout" "$host" "$port") || exit 1
status=$(printf '%s\n' "$response" | head -n 1 | cut -d ' ' -f 2)
printf '%s\n' "$response" | sed '1,/^\r*$/d'
case "$status" in
  2??) exit 0 ;;
  *) echo "wget: http://$url answered ${status:-nothing}" >&2; exit 1 ;;
esac
"#;

/// The secrets the chart needs; the sample apps never use them.
const SECRETS: [(&str, &str); 2] = [
    ("secrets.databaseUrl", "postgresql://todo:unused@127.0.0.1:5432/todo"),
    ("secrets.betterAuthSecret", "not-a-real-secret-0123456789abcdef"),
];

/// What building for the lab needs.
struct Builder {
    docker_host: String,
    apps: PathBuf,
    build_args: [String; 2],
}

/// The prerequisites beyond the cluster; panics naming the one that is missing.
fn builder() -> Builder {
    let _ = kubeconfig();
    let docker_host =
        std::env::var("TODO_AI_TEST_DOCKER_HOST").ok().filter(|host| !host.is_empty()).unwrap_or_else(|| {
            panic!("needs a Docker daemon: set TODO_AI_TEST_DOCKER_HOST (../shared/lab/lab.sh docker-up)")
        });
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let apps = std::env::var_os("TODO_AI_TEST_SAMPLE_APPS")
        .map(PathBuf::from)
        .or_else(|| checkout.ancestors().skip(1).map(|dir| dir.join("shared/eval/apps")).find(|dir| dir.is_dir()))
        .filter(|dir| dir.join("fastapi-requirements").is_dir() && dir.join("nextjs-npm").is_dir())
        .unwrap_or_else(|| panic!("needs the sample apps: set TODO_AI_TEST_SAMPLE_APPS (shared/eval/apps)"));
    assert!(todo_ai::exec::find_program("helm").is_some(), "needs helm on PATH (.ci/install-chart-validators)");
    let image = |name: &str, default: &str| {
        std::env::var(name).ok().filter(|value| !value.is_empty()).unwrap_or_else(|| default.to_string())
    };
    Builder {
        docker_host,
        apps,
        build_args: [
            format!("PYTHON_IMAGE={}", image("TODO_AI_TEST_PYTHON_IMAGE", "local/python:3.11")),
            format!("NODE_IMAGE={}", image("TODO_AI_TEST_NODE_IMAGE", "local/node:22")),
        ],
    }
}

/// The sample apps as `frontend/` and `backend/` of `dir`.
fn copy_apps(builder: &Builder, dir: &Path) {
    copy_dir(&builder.apps.join("nextjs-npm"), &dir.join("frontend"));
    copy_dir(&builder.apps.join("fastapi-requirements"), &dir.join("backend"));
}

/// Runs the binary off the async runtime.
async fn run(mut command: assert_cmd::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

/// `todo-ai build APP --network host` with the base images, then `lab.sh load-docker-image`:
/// (build time, load time).
async fn build_and_load(builder: &Builder, lab: &Scratch, app: &str, tag: &str) -> (Duration, Duration) {
    let mut command = todo_ai(&lab.workdir);
    command
        .env("DOCKER_HOST", &builder.docker_host)
        .env("DOCKER_BUILDKIT", "1")
        .args(["--yes", "build", app, "--network", "host", "-t", tag]);
    for argument in &builder.build_args {
        command.args(["--build-arg", argument]);
    }
    let started = Instant::now();
    let output = run(command).await;
    let built = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "build {app}: {}", String::from_utf8_lossy(&output.stderr));
    let started = Instant::now();
    let output = tokio::process::Command::new(lab_script())
        .args(["load-docker-image", tag])
        .env("DOCKER_HOST", &builder.docker_host)
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "load {tag}: {}", String::from_utf8_lossy(&output.stderr));
    (built, started.elapsed())
}

/// Removes an image from the Docker daemon and from the node, best effort.
async fn remove_image(builder: &Builder, reference: &str) {
    if let Ok(docker) = bollard::Docker::connect_with_host(&builder.docker_host) {
        let options = bollard::query_parameters::RemoveImageOptionsBuilder::new().force(true).build();
        let _ = docker.remove_image(reference, Some(options), None).await;
    }
    remove_node_image(reference).await;
}

/// The test pod's image: busybox with the [`WGET`] above, tagged for this run.
async fn wget_image() -> String {
    let reference = format!("localhost/todo-ai-it-wget:{}", unique("w"));
    lab_image(&reference, &[("usr/local/bin/wget", WGET)], &[]).await;
    reference
}

/// The chart's pods of one component, once every one of them is Ready.
async fn ready_pods(lab: &Scratch, component: &str) -> Vec<Pod> {
    let selector = format!("app.kubernetes.io/component={component}");
    poll(&format!("{component} pods Ready"), Duration::from_secs(180), || async {
        let pods = lab.pods(&selector).await;
        let ready = |pod: &Pod| {
            pod.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|conditions| conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                && pod.metadata.deletion_timestamp.is_none()
        };
        let live: Vec<Pod> = pods.into_iter().filter(|pod| pod.metadata.deletion_timestamp.is_none()).collect();
        if !live.is_empty() && live.iter().all(ready) { Ok(live) } else { Err(format!("{} pods", live.len())) }
    })
    .await
}

/// The kubelet runs the chart's pods as the chart says: uid 10001, read-only root, no
/// capabilities, bounded resources, the image given.
fn assert_hardened_as_run(pod: &Pod, image: &str) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let spec = serde_json::to_value(pod.spec.as_ref().unwrap()).unwrap();
    let container = &spec["containers"][0];
    assert_eq!(container["image"], image, "{name}");
    assert_eq!(container["securityContext"]["runAsUser"], 10001, "{name}");
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true, "{name}");
    assert_eq!(container["securityContext"]["capabilities"]["drop"], json!(["ALL"]), "{name}");
    assert!(container["resources"]["limits"]["memory"].is_string(), "{name}: {}", container["resources"]);
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        assert!(container[probe]["httpGet"]["path"].is_string(), "{name}: {probe}");
    }
    let status = serde_json::to_value(pod.status.as_ref().unwrap()).unwrap();
    assert_eq!(status["containerStatuses"][0]["ready"], true, "{name}");
    assert_eq!(status["containerStatuses"][0]["restartCount"], 0, "{name}: restarted");
}

/// `LOG_LEVEL` in the release's ConfigMap.
async fn log_level(lab: &Scratch) -> String {
    let maps: Api<ConfigMap> = Api::namespaced(lab.client.clone(), &lab.namespace);
    let map = maps.get("todo-app-config").await.unwrap();
    map.data.unwrap_or_default().get("LOG_LEVEL").cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn the_chart_installs_tests_and_rolls_back_on_the_node() {
    let builder = builder();
    let _serial = SERIAL.lock().await;
    let run_tag = unique("chart");
    let images = [format!("todo-ai-it/frontend:{run_tag}"), format!("todo-ai-it/backend:{run_tag}")];
    let test_image = wget_image().await;
    let (frontend, backend, tester) = (images[0].clone(), images[1].clone(), test_image.clone());
    let builder_ref = &builder;
    let test = in_scratch_namespace("chart", |lab| async move {
        copy_apps(builder_ref, lab.workdir.path());
        copy_dir(&chart_dir(), &lab.workdir.path().join(todo_ai::tools::CHART_PATH));
        for app in ["frontend", "backend"] {
            let output = todo_ai(&lab.workdir).args(["--yes", "dockerfile", app, "--write"]).output().unwrap();
            assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        }
        for (app, tag) in [("frontend", &frontend), ("backend", &backend)] {
            let (built, loaded) = build_and_load(builder_ref, &lab, app, tag).await;
            eprintln!(
                "real chart: {app} built in {:.1} s, loaded into the node in {:.1} s",
                built.as_secs_f64(),
                loaded.as_secs_f64()
            );
        }
        let (test_repository, test_tag) = tester.rsplit_once(':').unwrap();
        let values = json!({
            "frontend": {"image": {"pullPolicy": "Never"}},
            "backend": {"image": {"pullPolicy": "Never"}},
            "tests": {"image": {"repository": test_repository, "tag": test_tag, "pullPolicy": "Never"}}
        });
        std::fs::write(lab.workdir.path().join("lab-values.yaml"), serde_yaml::to_string(&values).unwrap()).unwrap();
        let mut set: serde_json::Map<String, Value> =
            SECRETS.iter().map(|(key, value)| ((*key).to_string(), json!(value))).collect();
        for (component, image) in [("frontend", &frontend), ("backend", &backend)] {
            let (repository, tag) = image.rsplit_once(':').unwrap();
            set.insert(format!("{component}.image.repository"), json!(repository));
            set.insert(format!("{component}.image.tag"), json!(tag));
        }
        let install = |set: &serde_json::Map<String, Value>| json!({"release": "todo-app", "values": ["values-dev.yaml", "lab-values.yaml"], "set": set});

        // Install: helm waits until the kubelet has every pod Ready.
        let started = Instant::now();
        let installed = lab.change("helm_install", install(&set)).await;
        eprintln!("real chart: installed and Ready in {:.1} s", started.elapsed().as_secs_f64());
        assert!(installed.text.contains("revision 1"), "{}", installed.text);
        for (component, image) in [("frontend", &frontend), ("backend", &backend)] {
            let pods = ready_pods(&lab, component).await;
            assert_eq!(pods.len(), 1, "{component}: values-dev.yaml runs one replica");
            assert_hardened_as_run(&pods[0], image);
        }
        assert_eq!(log_level(&lab).await, "debug");

        // helm test: both health endpoints through their Services, from a pod.
        let tested = lab.change_internal(&HELM_TEST, json!({"release": "todo-app", "namespace": lab.namespace})).await;
        assert!(tested.text.contains("Succeeded"), "{}", tested.text);
        let pods: Api<Pod> = Api::namespaced(lab.client.clone(), &lab.namespace);
        let test_pod = pods.get("todo-app-test-health").await.unwrap();
        assert_eq!(test_pod.status.unwrap().phase.as_deref(), Some("Succeeded"));

        // An upgrade (revision 2), then a rollback to revision 1's values (as revision 3).
        set.insert("config.logLevel".into(), json!("warning"));
        let upgraded = lab.change("helm_install", install(&set)).await;
        assert!(upgraded.text.contains("revision 2"), "{}", upgraded.text);
        assert_eq!(log_level(&lab).await, "warning");
        let rolled_back = lab.change("helm_rollback", json!({"release": "todo-app"})).await;
        assert!(rolled_back.text.contains("revision 3"), "{}", rolled_back.text);
        assert_eq!(log_level(&lab).await, "debug");
        let target = todo_ai::helm::Target {
            release: "todo-app".into(),
            namespace: lab.namespace.clone(),
            kube_context: None,
            kubeconfig: Some(lab.kubeconfig.clone()),
            cancel: None,
        };
        let status = todo_ai::helm::status(&target).await.unwrap().unwrap();
        assert_eq!((status.revision, status.status.as_str()), (3, "deployed"));
        // The config change rolled the pods both ways; they are Ready again.
        for component in ["frontend", "backend"] {
            ready_pods(&lab, component).await;
        }
    });
    then_always(test, async {
        for image in images.iter().chain([&test_image]) {
            remove_image(&builder, image).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn up_deploys_to_the_lab_with_a_load_command() {
    let builder = builder();
    let _serial = SERIAL.lock().await;
    let test_image = wget_image().await;
    let tester = test_image.clone();
    let builder_ref = &builder;
    let deployed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let deployed_images = deployed.clone();
    let test = in_scratch_namespace("up", |lab| async move {
        copy_apps(builder_ref, lab.workdir.path());
        std::fs::write(
            lab.workdir.path().join(".env"),
            format!("DATABASE_URL={}\nBETTER_AUTH_SECRET={}\n", SECRETS[0].1, SECRETS[1].1),
        )
        .unwrap();
        let (test_repository, test_tag) = tester.rsplit_once(':').unwrap();
        let values =
            json!({"tests": {"image": {"repository": test_repository, "tag": test_tag, "pullPolicy": "Never"}}});
        std::fs::write(lab.workdir.path().join("lab-values.yaml"), serde_yaml::to_string(&values).unwrap()).unwrap();
        let up = || {
            let mut command = lab.todo_ai();
            command
                .env("DOCKER_HOST", &builder_ref.docker_host)
                .env("DOCKER_BUILDKIT", "1")
                .env("TODO_AI_CHART", chart_dir())
                .args(["--yes", "up", "--network", "host", "-f", "lab-values.yaml"])
                .args(["--load-command", &format!("{} load-docker-image {{image}}", lab_script().display())]);
            for argument in &builder_ref.build_args {
                command.args(["--build-arg", argument]);
            }
            command
        };

        let started = Instant::now();
        let output = run(up()).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        eprintln!("real up: first run {:.1} s", started.elapsed().as_secs_f64());
        assert_eq!(String::from_utf8_lossy(&output.stdout), "http://127.0.0.1:3000\n");
        assert!(
            stderr.contains("[2/8] cluster: context todo-ai-lab (the kubeconfig's current context) answers"),
            "{stderr}"
        );
        assert_eq!(stderr.matches(" is available to the cluster").count(), 2, "both images loaded: {stderr}");
        assert!(stderr.contains("helm test passed"), "{stderr}");
        assert!(stderr.contains("svc/todo-app-frontend 3000:3000 --context todo-ai-lab"), "{stderr}");
        assert!(!stderr.contains(SECRETS[1].1), "a secret was shown: {stderr}");
        for component in ["frontend", "backend"] {
            let pods = ready_pods(&lab, component).await;
            let image = pods[0].spec.as_ref().unwrap().containers[0].image.clone().unwrap();
            assert!(image.starts_with(&format!("todo-{component}:ctx-")), "{image}");
            assert_hardened_as_run(&pods[0], &image);
            deployed_images.lock().unwrap().push(image);
        }

        // Again: everything is found done; nothing is built, loaded or upgraded.
        let output = run(up()).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("are deployed (done)"), "{stderr}");
        assert!(stderr.contains("revision 1 is deployed with these images and values (done)"), "{stderr}");
        assert!(!stderr.contains("is available to the cluster"), "{stderr}");
        let pods: Api<Pod> = Api::namespaced(lab.client.clone(), &lab.namespace);
        let all = pods.list(&ListParams::default().labels("app.kubernetes.io/instance=todo-app")).await.unwrap();
        assert!(all.items.len() >= 2);
    });
    then_always(test, async {
        let images: Vec<String> = deployed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        for image in images.iter().chain([&test_image]) {
            remove_image(&builder, image).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn helm_status_names_the_chart_and_its_app_version() {
    let _ = builder();
    in_scratch_namespace("helm-status", |lab| async move {
        let chart = lab.workdir.path().join("tiny");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: tiny\nversion: 0.1.0\nappVersion: \"1.2.3\"\n")
            .unwrap();
        std::fs::write(
            chart.join("templates/config.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tiny\ndata:\n  a: b\n",
        )
        .unwrap();
        let output = tokio::process::Command::new("helm")
            .args(["install", "tiny", &chart.display().to_string(), "-n", &lab.namespace, "--kubeconfig"])
            .arg(&lab.kubeconfig)
            .output()
            .await
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let target = todo_ai::helm::Target {
            release: "tiny".into(),
            namespace: lab.namespace.clone(),
            kube_context: None,
            kubeconfig: Some(lab.kubeconfig.clone()),
            cancel: None,
        };
        let status = todo_ai::helm::status(&target).await.unwrap().unwrap();
        assert_eq!((status.chart.as_str(), status.app_version.as_str()), ("tiny-0.1.0", "1.2.3"));
    })
    .await;
}
