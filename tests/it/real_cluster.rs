//! The Kubernetes tools against a real cluster, when `TODO_AI_TEST_KUBECONFIG` names a
//! kubeconfig (minikube, kind …); skipped, saying so, otherwise. It creates a scratch
//! namespace and a Deployment, exercises scale (dry-run and real), set_image,
//! rollout_restart, rollout_undo, rollout_status, autoscale, status, events and logs —
//! tolerating a cluster without nodes, where pods stay Pending — and always deletes the
//! namespace.
//!
//! ```sh
//! minikube start   # or: kind create cluster
//! TODO_AI_TEST_KUBECONFIG=$HOME/.kube/config cargo test --test it real_cluster -- --nocapture
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::json;
use todo_ai::approval::Policy;
use todo_ai::cluster::{Cluster, ClusterAccess};
use todo_ai::executor::{Approver, Executor, StepResult};
use todo_ai::tools::{self, ToolContext};

struct Yes;

impl Approver for Yes {
    fn ask(&mut self, _: &str) -> todo_ai::approval::Decision {
        todo_ai::approval::Decision::Approved
    }
}

#[test]
fn tools_against_a_real_cluster() {
    let Some(kubeconfig) = std::env::var_os("TODO_AI_TEST_KUBECONFIG").map(PathBuf::from) else {
        eprintln!("skipped: set TODO_AI_TEST_KUBECONFIG to a kubeconfig to run the real-cluster suite");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let namespace = format!("todo-ai-it-{}", std::process::id());
    let client = runtime.block_on(async {
        match Cluster::connect(Some(kubeconfig.clone()), None).await.unwrap() {
            Cluster::Live(live) => live.client,
            Cluster::Snapshot { .. } => unreachable!(),
        }
    });
    let namespaces: Api<Namespace> = Api::all(client.clone());
    runtime.block_on(async {
        let object: Namespace = serde_json::from_value(json!({"metadata": {"name": namespace}})).unwrap();
        namespaces.create(&PostParams::default(), &object).await.unwrap();
    });
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(exercise(client.clone(), kubeconfig.clone(), namespace.clone()));
    }));
    runtime.block_on(async {
        let _ = namespaces.delete(&namespace, &DeleteParams::default()).await;
    });
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn exercise(client: kube::Client, kubeconfig: PathBuf, namespace: String) {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &namespace);
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "todo-web", "labels": {"app.kubernetes.io/name": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
                "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.9",
                                         "resources": {"requests": {"cpu": "10m"}}}]}
            }
        }
    }))
    .unwrap();
    deployments.create(&PostParams::default(), &deployment).await.unwrap();

    let ctx = ToolContext::new(
        namespace.clone(),
        std::env::temp_dir(),
        Arc::new(ClusterAccess::new(Some(kubeconfig), None, None)),
        -1,
    );
    let mut executor = Executor::new(Policy { assume_yes: true, ..Policy::default() }, ctx.clone(), None);
    let mut dry = Executor::new(Policy { dry_run: true, ..Policy::default() }, ctx.clone(), None);
    let call = |tool: &str, args: serde_json::Value| tools::check(tool, args, &ctx).unwrap();
    let replicas = || async { deployments.get("todo-web").await.unwrap().spec.unwrap().replicas.unwrap() };

    // scale: a server-side dry run changes nothing; the real one does.
    let results =
        dry.run_all(&[call("scale", json!({"deployment": "web", "replicas": 2}))], &mut Yes, &mut Vec::new()).await;
    assert!(matches!(results[0], StepResult::DryRun(_)), "{results:?}");
    assert_eq!(replicas().await, 1);
    let results = executor
        .run_all(&[call("scale", json!({"deployment": "web", "replicas": 2}))], &mut Yes, &mut Vec::new())
        .await;
    assert!(matches!(results[0], StepResult::Ran(_)), "{results:?}");
    assert_eq!(replicas().await, 2);

    // set_image creates revision 2; rollout_restart revision 3.
    let results = executor
        .run_all(
            &[call("set_image", json!({"deployment": "web", "image": "registry.k8s.io/pause:3.10"}))],
            &mut Yes,
            &mut Vec::new(),
        )
        .await;
    assert!(matches!(results[0], StepResult::Ran(_)), "{results:?}");
    let results =
        executor.run_all(&[call("rollout_restart", json!({"deployment": "web"}))], &mut Yes, &mut Vec::new()).await;
    assert!(matches!(results[0], StepResult::Ran(_)), "{results:?}");

    // Wait for the controller to record revisions, then undo to the previous one.
    for _ in 0..30 {
        let annotations = deployments.get("todo-web").await.unwrap().metadata.annotations.unwrap_or_default();
        if annotations
            .get("deployment.kubernetes.io/revision")
            .and_then(|r| r.parse::<i64>().ok())
            .is_some_and(|r| r >= 3)
        {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let results =
        executor.run_all(&[call("rollout_undo", json!({"deployment": "web"}))], &mut Yes, &mut Vec::new()).await;
    assert!(matches!(results[0], StepResult::Ran(_)), "{results:?}");

    // rollout_status: without nodes the rollout cannot finish; either answer is fine.
    let _ =
        tokio::time::timeout(Duration::from_secs(10), call("rollout_status", json!({"deployment": "web"})).run(&ctx))
            .await;

    // autoscale: create, then update.
    for max in [4, 6] {
        let results = executor
            .run_all(
                &[call("autoscale", json!({"deployment": "web", "min": 1, "max": max}))],
                &mut Yes,
                &mut Vec::new(),
            )
            .await;
        assert!(matches!(results[0], StepResult::Ran(_)), "{results:?}");
    }

    // Reads.
    let status = call("status", json!({"target": "web"})).run(&ctx).await.unwrap();
    assert_eq!(status.data["deployments"][0]["name"], "todo-web");
    call("events", json!({})).run(&ctx).await.unwrap();
    // Pods may be Pending (no nodes): then there are no logs to read, which is reported.
    let _ = call("logs", json!({"target": "web"})).run(&ctx).await;

    // Diagnose a known fault: a pod whose status (set through the status subresource, so no
    // node is needed) says its container cannot find a Secret that does not exist.
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), &namespace);
    let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
        "metadata": {"name": "broken-0", "labels": {"app": "broken"}},
        "spec": {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.9",
                 "env": [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "todo-missing", "key": "DATABASE_URL"}}}]}]}
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    let status = json!({"status": {"phase": "Pending", "containerStatuses": [{
        "name": "app", "ready": false, "restartCount": 0, "image": "registry.k8s.io/pause:3.9", "imageID": "",
        "state": {"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"todo-missing\" not found"}}
    }]}});
    pods.patch_status("broken-0", &kube::api::PatchParams::default(), &kube::api::Patch::Merge(&status)).await.unwrap();
    let report = call("diagnose", json!({})).run(&ctx).await.unwrap();
    let codes: Vec<String> = report.data["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}/{}",
                f["code"].as_str().unwrap(),
                f["object"]["kind"].as_str().unwrap(),
                f["object"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert!(codes.contains(&"MissingSecret Secret/todo-missing".to_string()), "{codes:?}");
}
