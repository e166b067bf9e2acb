//! `diagnose` against faults a real kubelet produces (not hand-written statuses): each test
//! makes one fault in its own namespace, polls `diagnose` until its findings are exactly the
//! expected codes (so nothing else is reported: no false positives), then checks the message
//! and the evidence. A healthy app must produce no finding at all.
//!
//! ```sh
//! TODO_AI_TEST_KUBECONFIG=/tmp/todo-ai-lab/kubeconfig cargo test --test it -- --ignored real_diagnose
//! ```

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::networking::v1::Ingress;
use serde_json::json;

use crate::real_lab::{
    FAULT_WITHIN, busybox, codes, deployment, evidence, finding, in_scratch_namespace, poll, web_server,
};

/// Whether a finding quotes `line` as the crashed container's last log line. Right after a
/// crash the kubelet may not serve the previous container's log yet (it answers with its own
/// "unable to retrieve container logs" message, which diagnose does not quote), so tests wait
/// for the real line.
fn quoted(findings: &[serde_json::Value], line: &str) -> bool {
    findings.iter().any(|finding| evidence(finding).contains(&format!("previous log: {line}")))
}

/// A Deployment of one container running `script`.
fn crashing(name: &str, script: &str) -> serde_json::Value {
    deployment(name, 1, &busybox(), &["sh", "-c", script], json!({}), json!({}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_healthy_app_has_no_findings() {
    in_scratch_namespace("healthy", |lab| async move {
        lab.create::<Deployment>(web_server("web", 2, "all good")).await;
        lab.create::<Service>(json!({
            "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}
        }))
        .await;
        lab.wait_available("web", 2).await;
        // The Endpoints controller may lag the pods' readiness by a moment.
        lab.diagnose_until(&[]).await;
        let output = lab.todo_ai().arg("diagnose").output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("No problems found"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn exit_1_is_a_crash_loop_with_its_last_log_line() {
    in_scratch_namespace("crash", |lab| async move {
        // stdout and stderr reach the log through two pipes: the pause keeps their order.
        let script =
            "echo 'starting worker'; sleep 1; echo 'FATAL: cannot reach database at 10.0.0.7:5432' >&2; exit 1";
        lab.create::<Deployment>(crashing("crasher", script)).await;
        // The crashed container's log is quoted once the kubelet serves it (see `quoted`).
        let findings = lab
            .diagnose_until_with(&["CrashLoopBackOff Pod/crasher-", "DeploymentUnavailable Deployment/crasher"], |f| {
                quoted(f, "FATAL: cannot reach database at 10.0.0.7:5432")
            })
            .await;
        let crash = finding(&findings, "CrashLoopBackOff");
        assert_eq!(crash["root_cause"], true, "{crash:#}");
        assert!(crash["message"].as_str().unwrap().contains("exit code 1"), "{crash:#}");
        let lines = evidence(crash);
        assert!(
            lines.contains(&"previous log: FATAL: cannot reach database at 10.0.0.7:5432".to_string()),
            "the real last log line is quoted: {lines:#?}"
        );
        assert!(lines.iter().any(|line| line.contains("exitCode=1")), "{lines:#?}");

        // The previous (crashed) container's whole output, through the binary.
        let pod = crash["object"]["name"].as_str().unwrap().to_string();
        let output = lab.todo_ai().args(["logs", &pod, "--previous"]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "starting worker\nFATAL: cannot reach database at 10.0.0.7:5432\n"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn exit_127_is_a_crash_loop_with_the_exit_code_explained() {
    in_scratch_namespace("notfound", |lab| async move {
        lab.create::<Deployment>(crashing("missing-command", "echo booting; todo-server --port 8080")).await;
        // The shell's complaint is quoted once the kubelet serves the crashed run's log.
        let findings = lab
            .diagnose_until_with(
                &["CrashLoopBackOff Pod/missing-command-", "DeploymentUnavailable Deployment/missing-command"],
                |findings| findings.iter().any(|f| evidence(f).iter().any(|line| line.contains("todo-server"))),
            )
            .await;
        let crash = finding(&findings, "CrashLoopBackOff");
        let message = crash["message"].as_str().unwrap();
        assert!(message.contains("127") && message.contains("command not found"), "{crash:#}");
        assert!(
            evidence(crash).iter().any(|line| line.contains("todo-server")),
            "the shell's own complaint: {crash:#}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_crash_loop_is_reported_between_restarts_too() {
    in_scratch_namespace("between", |lab| async move {
        lab.create::<Deployment>(crashing("crasher", "echo 'bad config'; exit 1")).await;
        // Once the container has crashed twice, every look must report it, whatever the
        // moment: the kubelet alternates between `Error` (≈10 s) and `CrashLoopBackOff`.
        poll("two restarts", FAULT_WITHIN, || async {
            let pods = lab.pods("app=crasher").await;
            let restarts = pods
                .first()
                .and_then(|pod| pod.status.as_ref()?.container_statuses.as_ref()?.first().map(|s| s.restart_count))
                .unwrap_or(0);
            if restarts >= 2 { Ok(()) } else { Err(format!("{restarts} restarts")) }
        })
        .await;
        // Looks while the container is up (it runs for a moment each time) do not count. The
        // pod is read before and after each look: only when it was not running at either read
        // and did not restart in between did diagnose see it down.
        let container = || async {
            let pods = lab.pods("app=crasher").await;
            let statuses = serde_json::to_value(&pods[0].status.as_ref().unwrap().container_statuses).unwrap();
            (statuses[0]["state"].clone(), statuses[0]["restartCount"].clone())
        };
        let mut silent = Vec::new();
        for look in 0..20 {
            let (before, restarts_before) = container().await;
            let seen = codes(&lab.findings(None).await);
            let (after, restarts_after) = container().await;
            let down = before["running"].is_null() && after["running"].is_null() && restarts_before == restarts_after;
            if down && !seen.iter().any(|code| code.ends_with("Pod/crasher-")) {
                silent.push(format!("look {look}: {seen:?} while {after} (restarts {restarts_after})"));
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        assert!(silent.is_empty(), "a crash-looping pod went unreported:\n{}", silent.join("\n"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn over_the_memory_limit_is_oom_killed() {
    in_scratch_namespace("oom", |lab| async move {
        // A shell variable of 100 MB in a 24 MiB container: the kernel kills it.
        let script = "echo 'loading cache'; cache=$(head -c 100000000 /dev/zero | tr '\\0' a); echo loaded; sleep 3600";
        let spec = deployment(
            "hungry",
            1,
            &busybox(),
            &["sh", "-c", script],
            json!({"resources": {"limits": {"memory": "24Mi"}, "requests": {"memory": "24Mi"}}}),
            json!({}),
        );
        lab.create::<Deployment>(spec).await;
        let findings = lab.diagnose_until(&["OOMKilled Pod/hungry-", "DeploymentUnavailable Deployment/hungry"]).await;
        let oom = finding(&findings, "OOMKilled");
        assert!(oom["message"].as_str().unwrap().contains("24Mi"), "{oom:#}");
        assert!(evidence(oom).iter().any(|line| line.contains("OOMKilled") && line.contains("137")), "{oom:#}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_readiness_probe_on_a_missing_path_is_probe_failing() {
    in_scratch_namespace("readiness", |lab| async move {
        let mut spec = web_server("web", 1, "no health route here");
        spec["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] = json!("/healthz");
        lab.create::<Deployment>(spec).await;
        let findings = lab.diagnose_until(&["ProbeFailing Pod/web-", "DeploymentUnavailable Deployment/web"]).await;
        let probe = finding(&findings, "ProbeFailing");
        assert_eq!(probe["severity"], "warning", "{probe:#}");
        let message = probe["message"].as_str().unwrap();
        assert!(
            message.starts_with("readiness probe of container `app` fails") && message.contains("404"),
            "{probe:#}"
        );
        assert!(evidence(probe).iter().any(|line| line.contains("Readiness probe failed") && line.contains("404")));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_liveness_probe_on_a_missing_path_restarts_and_is_probe_failing() {
    in_scratch_namespace("liveness", |lab| async move {
        let mut spec = web_server("web", 1, "ready but not alive");
        spec["spec"]["template"]["spec"]["containers"][0]["livenessProbe"] =
            json!({"httpGet": {"path": "/livez", "port": 8080}, "periodSeconds": 1, "failureThreshold": 2});
        lab.create::<Deployment>(spec).await;
        // Restarted by the kubelet: a liveness finding (critical); the deployment may or may
        // not be counted available at that moment, so only the pod's findings are exact.
        let findings = poll("a liveness ProbeFailing", FAULT_WITHIN, || async {
            let findings = lab.findings(None).await;
            let pod_codes: Vec<String> = codes(&findings).into_iter().filter(|code| code.contains(" Pod/")).collect();
            let liveness = findings.iter().any(|f| {
                f["code"] == "ProbeFailing" && f["message"].as_str().is_some_and(|m| m.starts_with("liveness probe"))
            });
            if pod_codes == ["ProbeFailing Pod/web-"] && liveness {
                Ok(findings)
            } else {
                Err(format!("{findings:#?}"))
            }
        })
        .await;
        for code in codes(&findings) {
            assert!(
                ["ProbeFailing Pod/web-", "DeploymentUnavailable Deployment/web", "CrashLoopBackOff Pod/web-"]
                    .contains(&code.as_str()),
                "unexpected {code}"
            );
        }
        let probe = finding(&findings, "ProbeFailing");
        assert_eq!(probe["severity"], "critical", "{probe:#}");
        assert!(probe["message"].as_str().unwrap().contains("404"), "{probe:#}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_service_selecting_nothing_has_no_endpoints() {
    in_scratch_namespace("service", |lab| async move {
        lab.create::<Deployment>(web_server("web", 1, "unreachable")).await;
        lab.create::<Service>(json!({
            "metadata": {"name": "web"},
            "spec": {"selector": {"app": "website"}, "ports": [{"port": 80, "targetPort": 8080}]}
        }))
        .await;
        lab.wait_available("web", 1).await;
        let findings = lab.diagnose_until(&["ServiceNoEndpoints Service/web"]).await;
        let service = finding(&findings, "ServiceNoEndpoints");
        assert!(service["message"].as_str().unwrap().contains("app=website"), "{service:#}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_tag_that_does_not_exist_cannot_be_pulled() {
    in_scratch_namespace("pull", |lab| async move {
        let image = format!("{}-not-built", busybox());
        lab.create::<Deployment>(deployment("web", 1, &image, &["sleep", "3600"], json!({}), json!({}))).await;
        let findings = lab.diagnose_until(&["ImagePullBackOff Pod/web-", "DeploymentUnavailable Deployment/web"]).await;
        let pull = finding(&findings, "ImagePullBackOff");
        assert!(pull["message"].as_str().unwrap().contains(&image), "{pull:#}");
        assert!(evidence(pull).iter().any(|line| line.starts_with("event Warning Failed:")), "{pull:#}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_claim_on_a_missing_storage_class_is_pending() {
    in_scratch_namespace("storage", |lab| async move {
        lab.create::<PersistentVolumeClaim>(json!({
            "metadata": {"name": "data"},
            "spec": {"storageClassName": "fast-ssd", "accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "1Gi"}}}
        }))
        .await;
        let spec = deployment(
            "db",
            1,
            &busybox(),
            &["sleep", "3600"],
            json!({"volumeMounts": [{"name": "data", "mountPath": "/data"}]}),
            json!({"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}),
        );
        lab.create::<Deployment>(spec).await;
        let findings = lab
            .diagnose_until(&[
                "PvcPending PersistentVolumeClaim/data",
                "Unschedulable Pod/db-",
                "DeploymentUnavailable Deployment/db",
            ])
            .await;
        let claim = finding(&findings, "PvcPending");
        assert_eq!(claim["root_cause"], true, "{claim:#}");
        assert!(claim["message"].as_str().unwrap().contains("fast-ssd"), "{claim:#}");
        let pod = finding(&findings, "Unschedulable");
        assert_eq!(pod["root_cause"], false, "the claim explains the pod: {pod:#}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_node_selector_no_node_matches_is_unschedulable() {
    in_scratch_namespace("selector", |lab| async move {
        let spec = deployment(
            "web",
            1,
            &busybox(),
            &["sleep", "3600"],
            json!({}),
            json!({"nodeSelector": {"disktype": "nvme"}}),
        );
        lab.create::<Deployment>(spec).await;
        let findings = lab.diagnose_until(&["Unschedulable Pod/web-", "DeploymentUnavailable Deployment/web"]).await;
        let pod = finding(&findings, "Unschedulable");
        assert!(pod["message"].as_str().unwrap().contains("node selector/affinity"), "{pod:#}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn an_ingress_class_that_does_not_exist_is_missing() {
    in_scratch_namespace("ingress", |lab| async move {
        lab.create::<Deployment>(web_server("web", 1, "behind an ingress")).await;
        lab.create::<Service>(json!({
            "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}
        }))
        .await;
        lab.create::<Ingress>(json!({
            "metadata": {"name": "web"},
            "spec": {"ingressClassName": "nginx", "rules": [{"host": "todo.local", "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}
        }))
        .await;
        lab.wait_available("web", 1).await;
        let findings = lab.diagnose_until(&["IngressClassMissing Ingress/web"]).await;
        assert!(finding(&findings, "IngressClassMissing")["message"].as_str().unwrap().contains("nginx"));
    })
    .await;
}

/// A bare pod that fails at once is not a workload: its name stays whole in the codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_bare_pod_that_crashes_is_named_whole() {
    in_scratch_namespace("bare", |lab| async move {
        lab.create::<Pod>(json!({
            "metadata": {"name": "once"},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [{
                "name": "app", "image": busybox(), "imagePullPolicy": "IfNotPresent",
                "command": ["sh", "-c", "echo 'panic: nil map'; exit 2"]}]}
        }))
        .await;
        let findings = lab.diagnose_until_with(&["CrashLoopBackOff Pod/once"], |f| quoted(f, "panic: nil map")).await;
        let crash = finding(&findings, "CrashLoopBackOff");
        assert!(crash["message"].as_str().unwrap().contains("exit code 2"), "{crash:#}");
        assert!(evidence(crash).contains(&"previous log: panic: nil map".to_string()), "{crash:#}");
    })
    .await;
}
