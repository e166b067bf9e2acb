//! The Kubernetes tools against a real cluster whose pods really run (the lab:
//! `../shared/lab/lab.sh up --node`): reads of running pods (status, events, logs with pod
//! prefixes, `tail`, `since`), scale (absolute, relative, dry run, `--wait`), rollout restart,
//! set_image (`tag` only, then a tag that does not exist, diagnosed live and undone),
//! set_resources, autoscale without a metrics server, and a user without RBAC rights. Each
//! test works in its own namespace, deleted at the end (see `real_lab`).
//!
//! ```sh
//! TODO_AI_TEST_KUBECONFIG=/tmp/todo-ai-lab/kubeconfig cargo test --test it -- --ignored real_cluster
//! ```

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::{Api, ListParams};
use serde_json::json;

use crate::real_lab::{
    Scratch, busybox, codes, deployment, dev_kubeconfig, evidence, finding, in_scratch_namespace, lab_image, poll,
    remove_node_image, then_always, unique, web_server,
};

/// The names of a deployment's pods, sorted.
async fn pod_names(lab: &Scratch, name: &str) -> Vec<String> {
    let mut names: Vec<String> =
        lab.pods(&format!("app={name}")).await.into_iter().filter_map(|pod| pod.metadata.name).collect();
    names.sort();
    names
}

/// The images of a deployment's template.
async fn template_image(lab: &Scratch, name: &str) -> String {
    let deployment = lab.deployment(name).await;
    deployment.spec.unwrap().template.spec.unwrap().containers[0].image.clone().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn status_events_and_logs_read_running_pods() {
    in_scratch_namespace("reads", |lab| async move {
        let script = "i=0; while true; do i=$((i+1)); echo \"talker $HOSTNAME line $i\"; sleep 1; done";
        let started = std::time::Instant::now();
        lab.create::<Deployment>(deployment("talker", 2, &busybox(), &["sh", "-c", script], json!({}), json!({})))
            .await;
        lab.wait_available("talker", 2).await;
        eprintln!("real cluster: 2 pods from create to available in {:.1} s", started.elapsed().as_secs_f64());
        let pods = pod_names(&lab, "talker").await;

        // status: the deployment 2/2 and both pods Running and ready.
        let status = lab.read("status", json!({"target": "talker"})).await;
        assert_eq!(status.data["deployments"][0]["name"], "talker", "{}", status.text);
        assert_eq!(status.data["deployments"][0]["ready"], "2/2", "{}", status.text);
        let listed: BTreeSet<&str> =
            status.data["pods"].as_array().unwrap().iter().filter_map(|pod| pod["name"].as_str()).collect();
        assert_eq!(listed, pods.iter().map(String::as_str).collect(), "{}", status.text);
        for pod in status.data["pods"].as_array().unwrap() {
            assert_eq!((pod["status"].as_str(), pod["ready"].as_str()), (Some("Running"), Some("1/1")), "{pod}");
        }

        // events: the kubelet's own, about these pods.
        let events = lab.read("events", json!({})).await;
        for pod in &pods {
            for reason in ["Scheduled", "Started"] {
                assert!(
                    events.data["events"].as_array().unwrap().iter().any(|event| {
                        event["reason"] == reason && event["object"].as_str().is_some_and(|o| o.ends_with(pod.as_str()))
                    }),
                    "no {reason} event for {pod}: {}",
                    events.text
                );
            }
        }

        // logs: both pods, prefixed, real lines; wait until each has printed a few.
        let log = poll("five log lines from each pod", std::time::Duration::from_secs(30), || async {
            let log = lab.read("logs", json!({"target": "talker"})).await.text;
            let each: Vec<usize> =
                pods.iter().map(|pod| log.lines().filter(|l| l.starts_with(&format!("[{pod}] "))).count()).collect();
            if each.iter().all(|count| *count >= 5) { Ok(log) } else { Err(format!("{each:?} lines: {log}")) }
        })
        .await;
        for line in log.lines() {
            let (prefix, rest) = line.split_once("] ").unwrap_or_else(|| panic!("unprefixed line {line:?}"));
            let pod = prefix.trim_start_matches('[');
            assert!(pods.iter().any(|p| p == pod), "{line}");
            assert!(rest.starts_with(&format!("talker {pod} line ")), "{line}");
        }

        // tail: exactly the last 2 lines of each pod, still in order.
        let tail = lab.read("logs", json!({"target": "talker", "tail": 2})).await.text;
        for pod in &pods {
            let numbers: Vec<u64> = tail
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("[{pod}] talker {pod} line ")))
                .map(|n| n.parse().unwrap())
                .collect();
            assert_eq!(numbers.len(), 2, "{tail}");
            assert_eq!(numbers[1], numbers[0] + 1, "{tail}");
        }

        // since: a pod writes one line a second, so 3 s hold far fewer lines than its whole log.
        let whole = lab.read("logs", json!({"target": "pod/".to_string() + &pods[0]})).await.text.lines().count();
        let recent = lab.read("logs", json!({"target": format!("pod/{}", pods[0]), "since": "3s"})).await.text;
        let recent = recent.lines().count();
        assert!(recent >= 1 && recent < whole && recent <= 6, "since 3s: {recent} of {whole} lines");

        // A label selector names the same pods; the binary prints the same prefixed lines.
        let output = lab.todo_ai().args(["logs", "app=talker", "--tail", "1"]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout);
        for pod in &pods {
            assert_eq!(stdout.lines().filter(|l| l.starts_with(&format!("[{pod}] talker {pod} line "))).count(), 1);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn scale_up_and_down_until_available() {
    in_scratch_namespace("scale", |lab| async move {
        lab.create::<Deployment>(web_server("web", 1, "scaled")).await;
        lab.wait_available("web", 1).await;

        // A dry run (server side) changes nothing.
        let mut dry = todo_ai::executor::Executor::new(
            todo_ai::approval::Policy { dry_run: true, ..Default::default() },
            lab.ctx.clone(),
            None,
        );
        struct No;
        impl todo_ai::executor::Approver for No {
            fn ask(&mut self, _: &str) -> todo_ai::approval::Decision {
                todo_ai::approval::Decision::Denied
            }
        }
        let call = lab.check("scale", json!({"deployment": "web", "replicas": 3}));
        let result = dry.run_one(&call, &mut No, &mut Vec::new()).await;
        assert!(matches!(result, todo_ai::executor::StepResult::DryRun(_)), "{result:?}");
        assert_eq!(lab.deployment("web").await.spec.unwrap().replicas, Some(1));

        // Up to 3, followed by rollout_status until all three are available.
        lab.change("scale", json!({"deployment": "web", "replicas": 3})).await;
        let followed = lab.read("rollout_status", json!({"deployment": "web"})).await;
        assert_eq!(followed.data["outcome"], "complete", "{}", followed.text);
        assert_eq!(lab.deployment("web").await.status.unwrap().available_replicas, Some(3));
        lab.wait_available("web", 3).await;

        // Down by a relative change, then the same wait.
        let scaled = lab.change("scale", json!({"deployment": "web", "change": "-2"})).await;
        assert!(scaled.text.contains('1'), "{}", scaled.text);
        let followed = lab.read("rollout_status", json!({"deployment": "web"})).await;
        assert_eq!(followed.data["outcome"], "complete", "{}", followed.text);
        assert_eq!(lab.deployment("web").await.spec.unwrap().replicas, Some(1));
        lab.wait_available("web", 1).await;

        // `+100%` doubles.
        lab.change("scale", json!({"deployment": "web", "change": "+100%"})).await;
        assert_eq!(lab.deployment("web").await.spec.unwrap().replicas, Some(2));

        // The binary's `scale --wait` returns once the count is available.
        let output = lab.todo_ai().args(["--yes", "scale", "web", "4", "--wait"]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let status = lab.deployment("web").await.status.unwrap();
        assert_eq!((status.available_replicas, status.ready_replicas), (Some(4), Some(4)), "{status:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn rollout_restart_makes_a_new_replicaset() {
    in_scratch_namespace("restart", |lab| async move {
        lab.create::<Deployment>(web_server("web", 2, "restarted")).await;
        lab.wait_available("web", 2).await;
        let replicasets: Api<ReplicaSet> = Api::namespaced(lab.client.clone(), &lab.namespace);
        let before = replicasets.list(&ListParams::default().labels("app=web")).await.unwrap().items;
        assert_eq!(before.len(), 1);
        let old_pods = pod_names(&lab, "web").await;

        lab.change("rollout_restart", json!({"deployment": "web"})).await;
        let followed = lab.read("rollout_status", json!({"deployment": "web"})).await;
        assert_eq!(followed.data["outcome"], "complete", "{}", followed.text);

        let after = replicasets.list(&ListParams::default().labels("app=web")).await.unwrap().items;
        assert_eq!(after.len(), 2, "a new ReplicaSet next to the old one");
        let newest = after.iter().find(|rs| rs.metadata.name != before[0].metadata.name).expect("the new ReplicaSet");
        let template = newest.spec.as_ref().unwrap().template.as_ref().unwrap();
        assert!(
            template
                .metadata
                .as_ref()
                .unwrap()
                .annotations
                .as_ref()
                .unwrap()
                .contains_key("kubectl.kubernetes.io/restartedAt"),
            "{template:?}"
        );
        assert_eq!(newest.status.as_ref().unwrap().ready_replicas, Some(2));
        lab.wait_available("web", 2).await;
        let new_pods = pod_names(&lab, "web").await;
        assert!(new_pods.iter().all(|pod| !old_pods.contains(pod)), "old {old_pods:?}, new {new_pods:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn set_image_tag_then_a_missing_tag_is_diagnosed_and_undone() {
    // Two versions of a tiny web image on the node; the tags are this run's own.
    let suffix = unique("v");
    let repository = "local/todo-ai-it-web";
    let (v1, v2) = (format!("{repository}:{suffix}-1"), format!("{repository}:{suffix}-2"));
    for (image, page) in [(&v1, "version one"), (&v2, "version two")] {
        lab_image(image, &[("www/index.html", page)], &["httpd", "-f", "-p", "8080", "-h", "/www"]).await;
    }
    let (first, second) = (v1.clone(), v2.clone());
    let test = in_scratch_namespace("image", |lab| async move {
        let mut spec = web_server("web", 2, "unused");
        let container = &mut spec["spec"]["template"]["spec"]["containers"][0];
        container["image"] = json!(first);
        container.as_object_mut().unwrap().remove("command");
        lab.create::<Deployment>(spec).await;
        lab.wait_available("web", 2).await;

        // Only a new tag: the repository stays.
        lab.change("set_image", json!({"deployment": "web", "tag": format!("{suffix}-2")})).await;
        let followed = lab.read("rollout_status", json!({"deployment": "web"})).await;
        assert_eq!(followed.data["outcome"], "complete", "{}", followed.text);
        assert_eq!(template_image(&lab, "web").await, second);
        lab.wait_available("web", 2).await;
        for pod in lab.pods("app=web").await {
            let image = pod.status.unwrap().container_statuses.unwrap()[0].image.clone();
            assert!(image.ends_with(&format!("{suffix}-2")), "{image}");
        }

        // A tag that does not exist: the new pod cannot pull it, the old ones keep serving.
        let missing = format!("{suffix}-missing");
        lab.change("set_image", json!({"deployment": "web", "tag": missing})).await;
        let findings = lab.diagnose_until(&["ImagePullBackOff Pod/web-"]).await;
        let pull = finding(&findings, "ImagePullBackOff");
        assert!(pull["message"].as_str().unwrap().contains(&format!("{repository}:{missing}")), "{pull:#}");
        let lines = evidence(pull);
        assert!(
            lines.iter().any(|line| line.starts_with("event Warning Failed:") && line.contains(&missing)),
            "the pull failure event is evidence: {lines:#?}"
        );
        assert_eq!(lab.deployment("web").await.status.unwrap().available_replicas, Some(2));

        // Undo: back to the second version, and the rollout completes.
        lab.change("rollout_undo", json!({"deployment": "web"})).await;
        let followed = lab.read("rollout_status", json!({"deployment": "web"})).await;
        assert_eq!(followed.data["outcome"], "complete", "{}", followed.text);
        assert_eq!(template_image(&lab, "web").await, second);
        lab.wait_available("web", 2).await;
        assert_eq!(codes(&lab.findings(None).await), BTreeSet::new(), "nothing left to report");
    });
    then_always(test, async {
        remove_node_image(&v1).await;
        remove_node_image(&v2).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn set_resources_reaches_the_new_pods() {
    in_scratch_namespace("resources", |lab| async move {
        lab.create::<Deployment>(web_server("web", 2, "resized")).await;
        lab.wait_available("web", 2).await;
        lab.change(
            "set_resources",
            json!({"deployment": "web", "limits": {"cpu": "200m", "memory": "96Mi"}, "requests": {"memory": "32Mi"}}),
        )
        .await;
        let followed = lab.read("rollout_status", json!({"deployment": "web"})).await;
        assert_eq!(followed.data["outcome"], "complete", "{}", followed.text);
        lab.wait_available("web", 2).await;
        for pod in lab.pods("app=web").await {
            let name = pod.metadata.name.clone().unwrap();
            let resources = serde_json::to_value(&pod.spec.unwrap().containers[0].resources).unwrap();
            assert_eq!(resources["limits"], json!({"cpu": "200m", "memory": "96Mi"}), "{name}");
            // The request not named stays; the one named changes.
            assert_eq!(resources["requests"], json!({"cpu": "10m", "memory": "32Mi"}), "{name}");
            // The kubelet runs it with those limits.
            let status = serde_json::to_value(pod.status.unwrap()).unwrap();
            let actual = &status["containerStatuses"][0]["resources"]["limits"];
            assert!(actual.is_null() || actual["memory"] == "96Mi", "{name}: {actual}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn autoscale_creates_an_hpa_without_metrics() {
    in_scratch_namespace("autoscale", |lab| async move {
        lab.create::<Deployment>(web_server("web", 1, "scaled by load")).await;
        lab.wait_available("web", 1).await;
        let created =
            lab.change("autoscale", json!({"deployment": "web", "min": 1, "max": 3, "cpu_percent": 60})).await;
        assert_eq!(created.data["created"], true, "{}", created.text);
        let updated = lab.change("autoscale", json!({"deployment": "web", "min": 1, "max": 4})).await;
        assert_eq!(updated.data["created"], false, "{}", updated.text);
        let hpas: Api<HorizontalPodAutoscaler> = Api::namespaced(lab.client.clone(), &lab.namespace);
        let hpa = hpas.list(&ListParams::default()).await.unwrap().items;
        assert_eq!(hpa.len(), 1);
        let spec = hpa[0].spec.as_ref().unwrap();
        assert_eq!((spec.min_replicas, spec.max_replicas, spec.scale_target_ref.name.as_str()), (Some(1), 4, "web"));

        // The lab has no metrics server: the controller says so, and diagnose reports it.
        let hpa_name = hpa[0].metadata.name.clone().unwrap();
        let findings =
            lab.diagnose_until(&[&format!("HpaMetricsUnavailable HorizontalPodAutoscaler/{hpa_name}")]).await;
        let metrics = finding(&findings, "HpaMetricsUnavailable");
        assert!(!evidence(metrics).is_empty(), "{metrics:#}");
    })
    .await;
}

/// Runs the binary as the lab's user without RBAC rights; returns (exit code, stdout, stderr).
fn as_user_without_rights(lab: &Scratch, args: &[&str]) -> (Option<i32>, String, String) {
    let mut command = crate::support::todo_ai(&lab.workdir);
    command.arg("--kubeconfig").arg(dev_kubeconfig()).args(["-n", &lab.namespace]).args(args);
    let output = command.output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

/// A refusal by RBAC: exit 2, nothing on stdout, `error: …forbidden…` first, then a hint.
fn assert_forbidden_with_hint(args: &[&str], (code, stdout, stderr): (Option<i32>, String, String)) {
    assert_eq!(code, Some(2), "{args:?}: {stdout}{stderr}");
    assert!(stdout.is_empty(), "{args:?}: {stdout}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: ") && first.to_lowercase().contains("forbidden"), "{args:?}: {stderr}");
    assert!(stderr.lines().any(|line| line.starts_with("hint: ")), "{args:?}: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_user_without_rights_is_forbidden_with_a_hint() {
    in_scratch_namespace("forbidden", |lab| async move {
        lab.create::<Deployment>(web_server("web", 1, "private")).await;
        for args in [&["status"][..], &["--yes", "scale", "web", "2"], &["logs", "web"], &["events"]] {
            assert_forbidden_with_hint(args, as_user_without_rights(&lab, args));
        }
        // Nothing changed.
        assert_eq!(lab.deployment("web").await.spec.unwrap().replicas, Some(1));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn diagnose_without_rights_is_forbidden_not_healthy() {
    in_scratch_namespace("forbidden-diagnose", |lab| async move {
        lab.create::<Deployment>(web_server("web", 1, "private")).await;
        assert_forbidden_with_hint(&["diagnose"], as_user_without_rights(&lab, &["diagnose"]));
    })
    .await;
}
