//! A guarded Helm upgrade whose pods crash is rolled back with `helm_rollback`: the binary,
//! a fake `helm` on `PATH` that records its argv, and a fake API server whose release pods
//! run before the upgrade and crash-loop after it (the fake helm's values file marks it done).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{HELM_HISTORY, audit_lines, chart_dir, fake_helm, path_with, todo_ai};

const NAMESPACE: &str = "todo";

fn list(kind: &str, items: Vec<Value>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"apiVersion": "v1", "kind": kind, "metadata": {}, "items": items}))
}

fn replicaset(hash: &str, revision: u32, image: &str, available: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("todo-app-backend-{hash}"), "namespace": NAMESPACE,
                     "annotations": {"deployment.kubernetes.io/revision": revision.to_string()},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "todo-app-backend", "uid": "uid-b"}]},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "backend"}},
                 "template": {"metadata": {"labels": {"app": "backend", "pod-template-hash": hash}},
                              "spec": {"containers": [{"name": "backend", "image": image}]}}},
        "status": {"replicas": 1, "availableReplicas": available}
    })
}

/// The release's pods: running before the upgrade, crash-looping after it.
struct Pods {
    upgraded: PathBuf,
}

impl Respond for Pods {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let (hash, image, ready, state, last) = if self.upgraded.exists() {
            (
                "new",
                "backend:2",
                false,
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}}),
                json!({"terminated": {"reason": "Error", "exitCode": 1}}),
            )
        } else {
            ("old", "backend:1", true, json!({"running": {"startedAt": "2026-12-01T10:00:00Z"}}), json!({}))
        };
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("todo-app-backend-{hash}-x1"), "namespace": NAMESPACE,
                         "labels": {"app": "backend", "pod-template-hash": hash},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("todo-app-backend-{hash}")}]},
            "spec": {"containers": [{"name": "backend", "image": image}]},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
                       "containerStatuses": [{"name": "backend", "image": image, "ready": ready,
                                              "restartCount": if ready { 0 } else { 4 }, "state": state, "lastState": last}]}
        });
        list("PodList", vec![pod])
    }
}

async fn api_server(helm_state: &Path) -> MockServer {
    let server = MockServer::start().await;
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "todo-app-backend", "namespace": NAMESPACE, "uid": "uid-b", "generation": 3,
                     "labels": {"app.kubernetes.io/instance": "todo-app", "app.kubernetes.io/managed-by": "Helm"},
                     "annotations": {"deployment.kubernetes.io/revision": "1", "meta.helm.sh/release-name": "todo-app"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "backend"}},
                 "template": {"metadata": {"labels": {"app": "backend"}}, "spec": {"containers": [{"name": "backend", "image": "backend:1"}]}}},
        "status": {"observedGeneration": 3, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1, "readyReplicas": 1}
    });
    let base = format!("/api/v1/namespaces/{NAMESPACE}");
    let apps = format!("/apis/apps/v1/namespaces/{NAMESPACE}");
    Mock::given(method("GET"))
        .and(path(format!("{base}/pods")))
        .respond_with(Pods { upgraded: helm_state.join("values.json") })
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{apps}/deployments")))
        .respond_with(list("DeploymentList", vec![deployment]))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{apps}/replicasets")))
        .respond_with(list(
            "ReplicaSetList",
            vec![replicaset("old", 1, "backend:1", 1), replicaset("new", 2, "backend:2", 0)],
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    // Every other collection is empty.
    Mock::given(method("GET")).respond_with(list("List", Vec::new())).with_priority(10).mount(&server).await;
    server
}

fn kubeconfig(dir: &Path, server: &MockServer) -> PathBuf {
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: lab\n\
         clusters:\n- name: lab\n  cluster: {{server: \"{}\"}}\n\
         users:\n- name: u\n  user: {{token: t0k3n}}\n\
         contexts:\n- name: lab\n  context: {{cluster: lab, user: u, namespace: {NAMESPACE}}}\n",
        server.uri()
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guarded_helm_upgrade_whose_pods_crash_is_rolled_back_to_the_revision_before() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    let state = home.path().join("helm-state");
    // Revision 3 is deployed (the fake reads the last `"version": N` as the revision).
    std::fs::write(
        state.join("status.json"),
        r#"{"name": "todo-app", "info": {"status": "deployed", "last_deployed": "2026-12-01T09:00:00Z"}, "chart": {"metadata": {"name": "todo-app", "appVersion": "1.0.1"}}, "version": 3}"#,
    )
    .unwrap();
    // The history as helm shows it once the upgrade is in (the fake's history does not
    // change): revision 4 deployed on top of revision 3.
    let history: Vec<Value> = serde_json::from_str(HELM_HISTORY).unwrap();
    let mut history = history
        .into_iter()
        .map(|mut r| {
            r["status"] = json!("superseded");
            r
        })
        .collect::<Vec<_>>();
    history.push(json!({"revision": 4, "updated": "2026-12-02T09:00:00Z", "status": "deployed", "chart": "todo-app-0.1.0", "app_version": "1.0.2", "description": "Upgrade complete"}));
    std::fs::write(state.join("history.json"), serde_json::to_string(&history).unwrap()).unwrap();
    let server = api_server(&state).await;
    let config = kubeconfig(home.path(), &server);

    let mut command = todo_ai(&home);
    command
        .env("PATH", path_with(&bin))
        .env("TODO_AI_CHART", chart_dir())
        .env("KUBECONFIG", &config)
        .args(["--yes", "--guard", "5s", "-n", NAMESPACE, "deploy"]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let text = format!("{stdout}\n{stderr}");

    // The question named the undo before anything changed, and the guard used it.
    assert!(text.contains("roll Helm release todo-app back to revision 3"), "{text}");
    assert!(text.contains("CrashLoopBackOff"), "{text}");
    assert!(text.contains("rolled back"), "{text}");
    let argv = std::fs::read_to_string(home.path().join("helm.argv")).unwrap();
    let upgrade = argv.lines().position(|l| l.starts_with("upgrade --install todo-app") && !l.contains("--dry-run"));
    let rollback = argv.lines().position(|l| l.starts_with("rollback todo-app 3"));
    assert!(upgrade.is_some() && rollback.is_some() && upgrade < rollback, "{argv}");

    // Change, undo and verdict under one correlation id.
    let audit = audit_lines(home.path());
    let outcomes: Vec<(&str, &str)> =
        audit.iter().map(|l| (l["tool"].as_str().unwrap(), l["outcome"].as_str().unwrap())).collect();
    assert_eq!(
        outcomes,
        [
            ("helm_install", "started"),
            ("helm_install", "ok"),
            ("helm_rollback", "started"),
            ("helm_rollback", "ok"),
            ("helm_install", "verdict")
        ],
        "{audit:?}"
    );
    let correlation = &audit[0]["correlation"];
    assert!(correlation.is_string());
    assert!(audit.iter().all(|line| &line["correlation"] == correlation), "{audit:?}");
}
