//! Diagnosis against known-fault scenarios (the shared sample and our own): every expected
//! finding is reported, nothing else at warning or above, no secret value ever appears;
//! plus the command's exit codes and formats, report snapshots, and the live path.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use predicates::prelude::*;
use serde_json::{Value, json};
use todo_ai::cluster::{Objects, snapshot};
use todo_ai::tools;

use crate::fake_api::{self, State, backend_pods, example_objects};
use crate::support::todo_ai;

fn fixtures(directory: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(directory)
}

fn load(path: &std::path::Path) -> Objects {
    let mut objects = Objects::default();
    snapshot::parse(&std::fs::read_to_string(path).unwrap(), &mut objects).unwrap();
    objects
}

fn score(directory: &str) {
    let root = fixtures(directory);
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(root.join("expected.json")).unwrap()).unwrap();
    let mut problems = Vec::new();
    for (name, case) in expected.as_object().unwrap() {
        let objects = load(&root.join(format!("{name}.yaml")));
        let namespace = case["namespace"].as_str().unwrap();
        let report = todo_ai::diagnose::analyze(&objects, namespace, None);
        let key = |v: &Value| (v[0].as_str().unwrap().to_string(), v[1].as_str().unwrap().to_string());
        let expect: BTreeSet<(String, String)> = case["expect"].as_array().unwrap().iter().map(key).collect();
        let allow: BTreeSet<(String, String)> = case["allow"].as_array().unwrap().iter().map(key).collect();
        let got: BTreeSet<(String, String)> =
            report.findings.iter().map(|f| (f.code.to_string(), f.object.display())).collect();
        for missing in expect.difference(&got) {
            problems.push(format!("{name}: missed {missing:?}"));
        }
        for finding in &report.findings {
            let id = (finding.code.to_string(), finding.object.display());
            if finding.severity <= todo_ai::diagnose::Severity::Warning && !expect.contains(&id) && !allow.contains(&id)
            {
                problems.push(format!("{name}: false positive {id:?} ({})", finding.severity.name()));
            }
        }
        let rendered = format!(
            "{}{}{}",
            serde_json::to_string(&report).unwrap(),
            todo_ai::diagnose::render_text(&report, false),
            todo_ai::diagnose::render_markdown(&report)
        );
        for secret in case["secrets"].as_array().unwrap() {
            if rendered.contains(secret.as_str().unwrap()) {
                problems.push(format!("{name}: leaked a secret value"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn shared_scenarios() {
    score("scenarios");
}

#[test]
fn our_own_scenarios() {
    score("scenarios_extra");
}

#[test]
fn order_is_root_causes_first_and_stable() {
    let objects = load(&fixtures("scenarios/missing-secret.yaml"));
    let first = todo_ai::diagnose::analyze(&objects, "todo", None);
    let second = todo_ai::diagnose::analyze(&objects, "todo", None);
    let codes = |r: &todo_ai::diagnose::Report| {
        r.findings.iter().map(|f| (f.code, f.object.display(), f.root_cause)).collect::<Vec<_>>()
    };
    assert_eq!(codes(&first), codes(&second));
    assert_eq!(first.findings[0].code, "MissingSecret");
    assert!(first.findings[0].root_cause);
    assert!(first.findings[0].related.iter().all(|r| r.starts_with("Pod/todo-backend")));
    assert!(first.findings.iter().filter(|f| f.code == "CreateContainerConfigError").all(|f| !f.root_cause));
}

#[test]
fn command_exit_codes_and_formats() {
    let home = tempfile::tempdir().unwrap();
    let scenario = |name: &str| fixtures("scenarios").join(format!("{name}.yaml")).display().to_string();
    // Critical findings fail by default; --fail-on never does not.
    todo_ai(&home).args(["diagnose", "--snapshot", &scenario("crashloop-backend"), "-n", "todo"]).assert().code(1);
    todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("crashloop-backend"), "-n", "todo", "--fail-on", "never"])
        .assert()
        .code(0);
    // A warning-only cluster passes by default and fails with --fail-on warning.
    todo_ai(&home).args(["diagnose", "--snapshot", &scenario("hpa-maxed"), "-n", "todo"]).assert().code(0);
    todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("hpa-maxed"), "-n", "todo", "--fail-on", "warning"])
        .assert()
        .code(1);
    todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("healthy"), "-n", "todo"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("No problems found in namespace todo"));
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("missing-secret"), "-n", "todo", "-o", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["critical"], 3);
    assert_eq!(report["findings"][0]["code"], "MissingSecret");
    assert_eq!(
        report["findings"][0]["object"],
        json!({"kind": "Secret", "name": "todo-app-secrets", "namespace": "todo"})
    );
    todo_ai(&home)
        .args([
            "diagnose",
            "--snapshot",
            &scenario("missing-secret"),
            "-n",
            "todo",
            "-o",
            "markdown",
            "--fail-on",
            "never",
        ])
        .assert()
        .stdout(predicate::str::starts_with("## todo-ai diagnose: namespace `todo`"));
    // A target narrows the report to it and its causes.
    let output = todo_ai(&home).args(["diagnose", "frontend", "--snapshot", EXAMPLE, "-o", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["object"]["name"].as_str().unwrap().contains("frontend"))
    );
    // All namespaces of a snapshot directory.
    let output = todo_ai(&home)
        .args([
            "diagnose",
            "-A",
            "--snapshot",
            fixtures("scenarios_extra").to_str().unwrap(),
            "-o",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["namespace"], "all namespaces");
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["object"]["namespace"] == "shop"));
}

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/manifests/examples/todo-snapshot.yaml");

#[test]
fn reports_as_people_read_them() {
    for (name, namespace) in [("crashloop-backend", "todo"), ("missing-secret", "todo"), ("pvc-pending", "todo")] {
        let objects = load(&fixtures("scenarios").join(format!("{name}.yaml")));
        let report = todo_ai::diagnose::analyze(&objects, namespace, None);
        insta::assert_snapshot!(format!("diagnose_{name}"), todo_ai::diagnose::render_text(&report, false));
    }
}

#[test]
fn live_diagnosis_lists_each_kind_once_whatever_the_size() {
    let mut counts = Vec::new();
    for pods in [10, 1000] {
        let mut objects = example_objects();
        objects.extend(backend_pods(pods));
        let mut state = State::default();
        state.add(objects);
        let state = Arc::new(Mutex::new(state));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let output = runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap()
        });
        let codes: Vec<&str> =
            output.data["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"CrashLoopBackOff") && codes.contains(&"ImagePullBackOff"), "{codes:?}");
        // Crashing containers: the previous log's most telling line is quoted, redacted.
        let crash =
            output.data["findings"].as_array().unwrap().iter().find(|f| f["code"] == "CrashLoopBackOff").unwrap();
        let evidence = crash["evidence"].to_string();
        assert!(evidence.contains("previous log: todo-backend-"), "{evidence}");
        assert!(!output.data.to_string().contains("pw-123"));
        let requests = state.lock().unwrap().requests.clone();
        assert!(requests.iter().all(|r| r.method == "GET"));
        // Secrets are listed as metadata only: never their data.
        let secrets = requests.iter().find(|r| r.path.ends_with("/secrets")).unwrap();
        assert!(secrets.path == "/api/v1/namespaces/todo/secrets");
        counts.push(requests.len());
    }
    assert_eq!(counts[0], counts[1]);
    // 19 LISTs, plus the previous logs of the 2 crashing pods (at most 5).
    assert_eq!(counts[0], 21);
}

#[test]
fn the_same_scenarios_through_the_live_path() {
    let root = fixtures("scenarios");
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(root.join("expected.json")).unwrap()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut problems = Vec::new();
    for (name, case) in expected.as_object().unwrap() {
        let text = std::fs::read_to_string(root.join(format!("{name}.yaml"))).unwrap();
        let list: Value = serde_yaml::from_str(&text).unwrap();
        let mut state = State::default();
        state.add(list["items"].as_array().unwrap().iter().cloned());
        let state = Arc::new(Mutex::new(state));
        let namespace = case["namespace"].as_str().unwrap();
        let report = runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            tools::check("diagnose", json!({"namespace": namespace}), &ctx).unwrap().run(&ctx).await.unwrap().data
        });
        let got: BTreeSet<(String, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    format!("{}/{}", f["object"]["kind"].as_str().unwrap(), f["object"]["name"].as_str().unwrap()),
                )
            })
            .collect();
        for want in case["expect"].as_array().unwrap() {
            let want = (want[0].as_str().unwrap().to_string(), want[1].as_str().unwrap().to_string());
            if !got.contains(&want) {
                problems.push(format!("{name}: missed {want:?} live"));
            }
        }
        for secret in case["secrets"].as_array().unwrap() {
            if report.to_string().contains(secret.as_str().unwrap()) {
                problems.push(format!("{name}: leaked a secret live"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn kinds_you_may_not_list_are_reported_not_fatal() {
    let mut state = State::default();
    state.add(example_objects());
    state.errors.insert("secrets".into(), 403);
    state.errors.insert("nodes".into(), 403);
    let state = Arc::new(Mutex::new(state));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap()
    });
    assert_eq!(output.data["summary"]["unchecked"], json!(["nodes: forbidden", "secrets: forbidden"]));
    assert!(
        output.text.starts_with("not checked (no access): nodes: forbidden, secrets: forbidden\n"),
        "{}",
        output.text
    );
    assert!(output.data["findings"].as_array().unwrap().iter().any(|f| f["code"] == "CrashLoopBackOff"));
}

#[test]
fn live_lists_are_paged_and_every_page_is_read() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let diagnose = |paging: bool| {
        let mut objects = example_objects();
        objects.extend(backend_pods(1_234));
        let mut state = State::default();
        state.paging = paging;
        state.add(objects);
        let state = Arc::new(Mutex::new(state));
        let output = runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap()
        });
        (output, state)
    };
    let (whole, _) = diagnose(false);
    let (output, state) = diagnose(true);
    assert!(whole.data["summary"]["objects_checked"].as_u64().unwrap() > 1_234);
    assert_eq!(output.data["summary"], whole.data["summary"], "every page was read");
    assert_eq!(output.data["findings"], whole.data["findings"]);
    let requests = state.lock().unwrap().requests.clone();
    let pages: Vec<&str> =
        requests.iter().filter(|r| r.path == "/api/v1/namespaces/todo/pods").map(|r| r.query.as_str()).collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages.iter().all(|q| q.contains("limit=500")), "{pages:?}");
    assert!(pages[1].contains("continue=500") && pages[2].contains("continue=1000"), "{pages:?}");
    // Every kind is paged, not only pods.
    assert!(requests.iter().filter(|r| !r.path.ends_with("/log")).all(|r| r.query.contains("limit=500")));
}

#[test]
fn a_namespace_list_error_is_reported_as_it_is() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for (code, forbidden) in [(500, false), (403, true)] {
        let mut state = State::default();
        state.add(example_objects());
        state.errors.insert("namespaces".into(), code);
        let state = Arc::new(Mutex::new(state));
        let error = runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            ctx.cluster.get().await.unwrap().namespaces().await.unwrap_err()
        });
        assert_eq!(matches!(error, todo_ai::cluster::ClusterError::Forbidden { .. }), forbidden, "{code}: {error}");
        if !forbidden {
            assert!(error.to_string().contains("namespaces is Error"), "{error}");
        }
    }
}

fn ingress_without_classes() -> Vec<Value> {
    let mut objects: Vec<Value> = example_objects().into_iter().filter(|o| o["kind"] != "IngressClass").collect();
    objects.push(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "todo", "namespace": "todo"},
        "spec": {"ingressClassName": "nginx", "rules": [{"http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "todo-frontend", "port": {"number": 3000}}}}
        ]}}]}
    }));
    objects
}

#[test]
fn an_ingress_class_that_no_listed_class_matches_is_missing_live() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let diagnose = |forbidden: bool| {
        let mut state = State::default();
        state.add(ingress_without_classes());
        if forbidden {
            state.errors.insert("ingressclasses".into(), 403);
        }
        let state = Arc::new(Mutex::new(state));
        runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap().data
        })
    };
    let ingress = |report: &Value| -> Vec<(String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["object"]["kind"] == "Ingress")
            .map(|f| (f["code"].as_str().unwrap().to_string(), f["severity"].as_str().unwrap().to_string()))
            .collect()
    };
    // The LIST succeeded and found no IngressClass at all: no controller serves it.
    assert_eq!(ingress(&diagnose(false)), [("IngressClassMissing".to_string(), "critical".to_string())]);
    // The LIST was refused: the class could not be checked.
    let refused = diagnose(true);
    assert_eq!(ingress(&refused), [("IngressClassUnchecked".to_string(), "info".to_string())]);
    assert_eq!(refused["summary"]["unchecked"], json!(["ingressclasses: forbidden"]));
}

#[test]
fn a_named_target_has_its_running_pods_logs_scanned_for_errors() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut objects = example_objects();
    objects.extend(backend_pods(5));
    let mut state = State::default();
    state.add(objects);
    state.logs.insert(
        "todo-backend-abc-00000".into(),
        "INFO started\nINFO GET /health 200\nERROR cannot reach postgresql://todo:pw-123@db:5432/todo: connection refused\nINFO GET /health 200\n".into(),
    );
    let state = Arc::new(Mutex::new(state));
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        tools::check("diagnose", json!({"target": "backend"}), &ctx).unwrap().run(&ctx).await.unwrap()
    });
    let findings = output.data["findings"].as_array().unwrap();
    let logged = findings
        .iter()
        .find(|f| f["code"] == "LogErrors" && f["object"]["name"] == "todo-backend-abc-00000")
        .unwrap_or_else(|| panic!("{}", output.text));
    assert_eq!(logged["severity"], "warning");
    assert!(logged["message"].as_str().unwrap().contains("connection refused"), "{logged}");
    assert!(!output.data.to_string().contains("pw-123"), "log lines are redacted");
    // Healthy logs say nothing; reads are bounded: a few running pods, a tail of lines.
    assert!(!findings.iter().any(|f| f["code"] == "LogErrors" && f["object"]["name"] != "todo-backend-abc-00000"));
    let requests = state.lock().unwrap().requests.clone();
    let scans: Vec<_> =
        requests.iter().filter(|r| r.path.ends_with("/log") && !r.query.contains("previous=true")).collect();
    assert_eq!(scans.len(), 3, "{scans:?}");
    assert!(scans.iter().all(|r| r.query.contains("tailLines=100") && r.query.contains("container=backend")));
    // Without a target no running pod's log is read.
    let state = Arc::new(Mutex::new({
        let mut state = State::default();
        state.add(example_objects().into_iter().chain(backend_pods(5)));
        state
    }));
    runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap()
    });
    assert!(
        state.lock().unwrap().requests.iter().all(|r| !r.path.ends_with("/log") || r.query.contains("previous=true"))
    );
}

/// Every LIST a namespace's diagnosis makes, by resource.
const GATHERED: [&str; 19] = [
    "pods", "deployments", "replicasets", "statefulsets", "daemonsets", "events", "horizontalpodautoscalers",
    "services", "endpoints", "ingresses", "persistentvolumeclaims", "poddisruptionbudgets", "jobs", "resourcequotas",
    "secrets", "configmaps", "nodes", "ingressclasses", "storageclasses",
];

#[test]
fn a_user_who_may_list_nothing_is_refused_not_told_all_is_well() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut state = State::default();
    state.add(example_objects());
    for resource in GATHERED {
        state.errors.insert(resource.into(), 403);
    }
    let state = Arc::new(Mutex::new(state));
    let error = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap_err()
    });
    assert!(matches!(error, tools::ToolError::Cluster(todo_ai::cluster::ClusterError::Forbidden { .. })), "{error}");
    assert!(error.to_string().starts_with("forbidden: cannot list pods in namespace todo"), "{error}");
    assert!(error.hint().is_some_and(|hint| hint.contains("kubectl auth can-i list pods -n todo")));
    assert!(!error.to_string().contains('\n'));
}

#[test]
fn a_user_who_may_read_the_namespace_only_is_told_what_was_not_checked() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut state = State::default();
    // A namespace with nothing wrong in it, and no right to the cluster-scoped kinds.
    state.add(backend_pods(2));
    for resource in ["nodes", "ingressclasses", "storageclasses", "secrets"] {
        state.errors.insert(resource.into(), 403);
    }
    let state = Arc::new(Mutex::new(state));
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap()
    });
    assert_eq!(
        output.data["summary"]["unchecked"],
        json!(["ingressclasses: forbidden", "nodes: forbidden", "secrets: forbidden", "storageclasses: forbidden"])
    );
    let mut lines = output.text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "not checked (no access): ingressclasses: forbidden, nodes: forbidden, secrets: forbidden, storageclasses: forbidden"
        )
    );
    let verdict = lines.next().unwrap_or_default();
    assert!(verdict.starts_with("No problems found in what could be read in namespace todo"), "{}", output.text);
}

/// A Deployment's pod whose container crashed `restarts` times and is now in `state`.
fn crashed_pod(name: &str, state: Value, last: Value, restarts: i64) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "todo", "labels": {"app": "worker"},
                     "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"containers": [{"name": "worker", "image": "worker:1"}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "worker", "ready": false, "restartCount": restarts, "image": "worker:1", "imageID": "",
            "state": state, "lastState": last
        }]}
    })
}

#[test]
fn a_crash_loop_between_back_offs_is_reported_live_without_the_kubelets_own_log_message() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut state = State::default();
    let failed = |code: i64| json!({"terminated": {"exitCode": code, "reason": "Error"}});
    // Just crashed again (kubectl: Error), and the kubelet has no previous log to give yet.
    state.add([crashed_pod("worker-a", failed(1), failed(1), 3)]);
    // Back in CrashLoopBackOff after `sh` could not find the command, with the shell's words.
    state.add([crashed_pod("worker-b", json!({"waiting": {"reason": "CrashLoopBackOff"}}), failed(127), 2)]);
    state.logs.insert(
        "worker-a".into(),
        "unable to retrieve container logs for containerd://0d3f6c1b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170\n"
            .into(),
    );
    state.logs.insert("worker-b".into(), "booting\nsh: worker-server: not found\n".into());
    // Just exited (terminated): no previous container yet, the current one holds the crash.
    state.add([crashed_pod("worker-c", failed(1), json!({}), 1)]);
    state.logs.insert(
        "worker-c/previous".into(),
        "unable to retrieve container logs for containerd://5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281\n".into(),
    );
    state.logs.insert("worker-c".into(), "loading config\nFATAL: config.yaml: no such file\n".into());
    let state = Arc::new(Mutex::new(state));
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        tools::check("diagnose", json!({}), &ctx).unwrap().run(&ctx).await.unwrap()
    });
    let findings = output.data["findings"].as_array().unwrap();
    let of = |pod: &str| {
        findings.iter().find(|f| f["object"]["name"] == pod).unwrap_or_else(|| panic!("{pod}: {}", output.text))
    };
    let between = of("worker-a");
    assert_eq!(between["code"], "CrashLoopBackOff", "{between:#}");
    assert!(between["message"].as_str().unwrap().contains("exit code 1 (application error) after 3 restarts"));
    assert!(!between["evidence"].to_string().contains("unable to retrieve"), "{between:#}");
    assert!(!between["evidence"].to_string().contains("log"), "nothing quoted: {between:#}");
    let just_exited = of("worker-c");
    assert_eq!(just_exited["code"], "CrashLoopBackOff", "{just_exited:#}");
    assert!(
        just_exited["evidence"].to_string().contains("log of the exited container: FATAL: config.yaml: no such file"),
        "{just_exited:#}"
    );
    let not_found = of("worker-b");
    assert_eq!(not_found["code"], "CrashLoopBackOff", "{not_found:#}");
    assert!(not_found["message"].as_str().unwrap().contains("exit code 127 (command not found"), "{not_found:#}");
    assert!(not_found["evidence"].to_string().contains("previous log: sh: worker-server: not found"), "{not_found:#}");
    assert!(findings.iter().all(|f| f["code"] != "ContainerStartError"), "{}", output.text);
}
