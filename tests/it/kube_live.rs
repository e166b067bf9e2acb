//! The Kubernetes tools through the real HTTP path (kube::Client → fake API server): exact
//! requests, constant request counts whatever the cluster size, target resolution, error
//! messages, server-side dry run.

use std::sync::{Arc, Mutex};

use serde_json::json;
use todo_ai::approval::Policy;
use todo_ai::executor::{Approver, Executor, StepResult};
use todo_ai::tools::{self, ToolContext, ToolError};

use crate::fake_api::{self, State, backend_pods, example_objects};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn fake(objects: Vec<serde_json::Value>) -> (Arc<Mutex<State>>, tokio::runtime::Runtime) {
    let mut state = State::default();
    state.add(objects);
    (Arc::new(Mutex::new(state)), runtime())
}

fn requests(state: &Arc<Mutex<State>>) -> Vec<String> {
    state.lock().unwrap().requests.iter().map(|r| format!("{} {}?{}", r.method, r.path, r.query)).collect()
}

async fn run(ctx: &ToolContext, tool: &str, args: serde_json::Value) -> Result<tools::ToolOutput, ToolError> {
    tools::check(tool, args, ctx)?.run(ctx).await
}

#[test]
fn status_lists_each_kind_once_whatever_the_number_of_pods() {
    let mut counts = Vec::new();
    for pods in [10, 1000] {
        let mut objects = backend_pods(pods);
        objects.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "todo-backend", "namespace": "todo"},
            "spec": {"replicas": pods, "selector": {"matchLabels": {"app.kubernetes.io/name": "backend"}}, "template": {}},
            "status": {"replicas": pods, "readyReplicas": pods, "updatedReplicas": pods, "availableReplicas": pods}}));
        let (state, runtime) = fake(objects);
        let output = runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            run(&ctx, "status", json!({"target": "backend"})).await.unwrap()
        });
        assert_eq!(output.data["pods"].as_array().unwrap().len(), pods);
        assert!(output.text.contains(&format!("todo-backend   {pods}/{pods}")), "{}", output.text);
        let mut seen = requests(&state);
        seen.sort();
        assert_eq!(
            seen,
            vec![
                "GET /api/v1/namespaces/todo/pods?&limit=500",
                "GET /apis/apps/v1/namespaces/todo/daemonsets?&limit=500",
                "GET /apis/apps/v1/namespaces/todo/deployments?&limit=500",
                "GET /apis/apps/v1/namespaces/todo/statefulsets?&limit=500",
            ]
        );
        counts.push(seen.len());
    }
    assert_eq!(counts[0], counts[1]);
}

#[test]
fn scale_patches_the_scale_subresource_after_resolving_the_name() {
    let (state, runtime) = fake(example_objects());
    let (results, preview) = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut executor = Executor::new(Policy { assume_yes: true, ..Policy::default() }, ctx.clone(), None);
        let mut call = tools::check("scale", json!({"deployment": "backend", "replicas": 4}), &ctx).unwrap();
        call.prepare(&ctx).await.unwrap();
        let preview = call.preview().to_string();
        let results = executor.run_all(&[call], &mut Never, &mut Vec::new()).await;
        (results, preview)
    });
    assert!(preview.starts_with("scale deployment todo/todo-backend from 2 to 4 replicas"), "{preview}");
    assert!(preview.contains("HorizontalPodAutoscaler `todo-backend`"), "{preview}");
    let StepResult::Ran(output) = &results[0] else { panic!("{results:?}") };
    assert_eq!(output.text, "deployment todo/todo-backend scaled to 4 replicas");
    let state = state.lock().unwrap();
    let patch = state.requests.iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.path, "/apis/apps/v1/namespaces/todo/deployments/todo-backend/scale");
    assert_eq!(patch.query, "");
    assert_eq!(patch.body, json!({"spec": {"replicas": 4}}));
}

#[test]
fn dry_run_is_a_server_side_dry_run() {
    let (state, runtime) = fake(example_objects());
    let results = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut executor = Executor::new(Policy { dry_run: true, ..Policy::default() }, ctx.clone(), None);
        let call = tools::check("scale", json!({"deployment": "todo-backend", "replicas": 3}), &ctx).unwrap();
        executor.run_all(&[call], &mut Never, &mut Vec::new()).await
    });
    assert!(matches!(&results[0], StepResult::DryRun(text) if text.starts_with("server dry run:")), "{results:?}");
    let patch = state.lock().unwrap().requests.iter().find(|r| r.method == "PATCH").cloned().unwrap();
    // kube-rs writes the parameter list with a leading `&`; the API server reads it the same.
    assert_eq!(patch.query.trim_start_matches('&'), "dryRun=All");
}

#[test]
fn unknown_and_ambiguous_targets_say_what_exists() {
    let (state, runtime) = fake(example_objects());
    let (missing, ambiguous) = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let missing = run(&ctx, "status", json!({"target": "bakend"})).await.unwrap_err();
        let mut call = tools::check("scale", json!({"deployment": "todo", "replicas": 1}), &ctx).unwrap();
        let ambiguous = call.prepare(&ctx).await.unwrap_err();
        (missing, ambiguous)
    });
    assert_eq!(
        missing.to_string(),
        "workload or pod `bakend` not found in namespace todo; did you mean `todo-backend`?"
    );
    assert_eq!(
        ambiguous.to_string(),
        "`todo` matches several deployments in namespace todo: todo-backend, todo-frontend"
    );
    // Nothing was changed while finding out.
    assert!(state.lock().unwrap().requests.iter().all(|r| r.method == "GET"));
}

#[test]
fn forbidden_names_the_verb_and_resource() {
    let (state, runtime) = fake(example_objects());
    state.lock().unwrap().errors.insert("pods".into(), 403);
    let error = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        run(&ctx, "status", json!({})).await.unwrap_err()
    });
    assert_eq!(error.to_string(), "forbidden: cannot list pods in namespace todo");
    assert_eq!(error.hint().unwrap(), "check your access with `kubectl auth can-i list pods -n todo`");
}

#[test]
fn events_newest_last_filtered_and_redacted() {
    let mut objects = example_objects();
    objects.push(json!({"apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "leak", "namespace": "todo", "creationTimestamp": "2030-01-01T00:00:00Z"},
        "involvedObject": {"kind": "Pod", "name": "todo-backend-x"}, "reason": "Failed", "type": "Warning",
        "lastTimestamp": "2030-01-01T00:00:00Z",
        "message": "connect postgresql://todo:Xk9-pl7q@db/todo failed"}));
    let (state, runtime) = fake(objects);
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        run(&ctx, "events", json!({"target": "backend", "warnings_only": true})).await.unwrap()
    });
    let events = output.data["events"].as_array().unwrap();
    assert!(events.iter().all(|e| e["object"].as_str().unwrap().contains("backend")));
    assert_eq!(events.last().unwrap()["reason"], "Failed", "newest last");
    assert!(!output.text.contains("Xk9-pl7q"), "{}", output.text);
    assert_eq!(requests(&state), vec!["GET /api/v1/namespaces/todo/events?&limit=500"]);
}

/// An approver that must never be asked.
struct Never;

impl Approver for Never {
    fn ask(&mut self, question: &str) -> todo_ai::approval::Decision {
        panic!("unexpected question: {question}");
    }
}

fn run_approved(
    state: &Arc<Mutex<State>>,
    runtime: &tokio::runtime::Runtime,
    tool: &str,
    args: serde_json::Value,
) -> (String, StepResult) {
    runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut executor = Executor::new(Policy { assume_yes: true, ..Policy::default() }, ctx.clone(), None);
        let mut call = tools::check(tool, args, &ctx).unwrap();
        call.prepare(&ctx).await.unwrap();
        let preview = call.preview().to_string();
        let mut results = executor.run_all(&[call], &mut Never, &mut Vec::new()).await;
        (preview, results.remove(0))
    })
}

fn last_write(state: &Arc<Mutex<State>>) -> fake_api::Recorded {
    state.lock().unwrap().requests.iter().rev().find(|r| r.method != "GET").cloned().unwrap()
}

#[test]
fn rollout_restart_sets_the_restartedat_annotation() {
    let (state, runtime) = fake(example_objects());
    let (preview, result) = run_approved(&state, &runtime, "rollout_restart", json!({"deployment": "frontend"}));
    assert_eq!(preview, "restart deployment todo/todo-frontend: a rolling update replaces its 1 pod");
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    let patch = last_write(&state);
    assert_eq!(patch.path, "/apis/apps/v1/namespaces/todo/deployments/todo-frontend");
    assert_eq!(patch.content_type, "application/strategic-merge-patch+json");
    let restarted = patch.body["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
        .as_str()
        .unwrap();
    assert!(restarted.ends_with('Z') && restarted.len() == 20, "{restarted}");
}

#[test]
fn set_image_changes_only_the_resolved_container() {
    let (state, runtime) = fake(example_objects());
    let (preview, result) =
        run_approved(&state, &runtime, "set_image", json!({"deployment": "backend", "image": "todo-backend:1.2.0"}));
    assert!(
        preview.starts_with("set the image of container `backend` in deployment todo/todo-backend from "),
        "{preview}"
    );
    assert!(preview.ends_with("to todo-backend:1.2.0 (starts a rollout)"), "{preview}");
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    let patch = last_write(&state);
    assert_eq!(
        patch.body,
        json!({"spec": {"template": {"spec": {"containers": [{"name": "backend", "image": "todo-backend:1.2.0"}]}}}})
    );
    // A container that does not exist is named, with the ones that do.
    let error = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut call =
            tools::check("set_image", json!({"deployment": "backend", "image": "x:1", "container": "web"}), &ctx)
                .unwrap();
        call.prepare(&ctx).await.unwrap_err()
    });
    assert_eq!(
        error.to_string(),
        "`set_image` failed: deployment todo/todo-backend has no container `web`; its containers: `backend`"
    );
}

#[test]
fn autoscale_creates_or_updates_and_warns_without_cpu_requests() {
    let (state, runtime) = fake(example_objects());
    let (preview, result) = run_approved(
        &state,
        &runtime,
        "autoscale",
        json!({"deployment": "frontend", "min": 2, "max": 6, "cpu_percent": 70}),
    );
    assert!(
        preview.starts_with(
            "create HorizontalPodAutoscaler todo/todo-frontend for deployment todo-frontend: 2–6 replicas at 70% CPU"
        ),
        "{preview}"
    );
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    let create = last_write(&state);
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/apis/autoscaling/v2/namespaces/todo/horizontalpodautoscalers");
    assert_eq!(
        create.body["spec"]["scaleTargetRef"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "todo-frontend"})
    );
    assert_eq!(create.body["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 70);
    // The backend already has one: update it.
    let (preview, _) = run_approved(&state, &runtime, "autoscale", json!({"deployment": "backend", "max": 8}));
    assert!(preview.starts_with("update HorizontalPodAutoscaler todo/todo-backend: replicas 2–5 → 1–8"), "{preview}");
    assert_eq!(last_write(&state).method, "PATCH");
    // A container without a CPU request makes utilisation meaningless: say so.
    let mut objects = example_objects();
    for object in &mut objects {
        if object["kind"] == "Deployment" {
            object["spec"]["template"]["spec"]["containers"][0]["resources"] = json!({});
        }
    }
    let (state, runtime) = fake(objects);
    let (preview, _) = run_approved(&state, &runtime, "autoscale", json!({"deployment": "frontend", "max": 4}));
    assert!(preview.contains("warning: container `frontend` has no CPU request"), "{preview}");
}

#[test]
fn logs_merge_pods_with_a_prefix_and_redact() {
    let (state, runtime) = fake(example_objects());
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        run(&ctx, "logs", json!({"target": "backend", "previous": true, "tail": 50})).await.unwrap()
    });
    assert!(
        output.text.contains("[todo-backend-0427955b73-3f076] todo-backend-0427955b73-3f076 exited with 1"),
        "{}",
        output.text
    );
    assert!(output.text.contains("[todo-backend-0427955b73-fx329] "), "{}", output.text);
    assert!(!output.text.contains("pw-123"), "{}", output.text);
    let state = state.lock().unwrap();
    let reads: Vec<_> = state.requests.iter().filter(|r| r.path.ends_with("/log")).collect();
    assert_eq!(reads.len(), 2);
    assert!(reads.iter().all(|r| r.query.contains("previous=true") && r.query.contains("tailLines=50")), "{reads:?}");
}

fn revisions() -> Vec<serde_json::Value> {
    let template = |image: &str, hash: &str| {
        json!({
            "metadata": {"labels": {"app": "api", "pod-template-hash": hash}},
            "spec": {"containers": [{"name": "api", "image": image}]}
        })
    };
    let replicaset = |revision: i64, image: &str, hash: &str| {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("api-{hash}"), "namespace": "todo",
                         "annotations": {"deployment.kubernetes.io/revision": revision.to_string()},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "uid": "uid-api"}]},
            "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": template(image, hash)}
        })
    };
    vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "api", "namespace": "todo", "uid": "uid-api", "generation": 3,
                            "annotations": {"deployment.kubernetes.io/revision": "3"}},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
                        "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api", "image": "api:1.2"}]}}},
               "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2, "readyReplicas": 2}}),
        replicaset(1, "api:1.0", "aaa"),
        replicaset(2, "api:1.1", "bbb"),
        replicaset(3, "api:1.2", "ccc"),
    ]
}

#[test]
fn rollout_undo_returns_to_the_previous_or_given_revision() {
    let (state, runtime) = fake(revisions());
    let (preview, result) = run_approved(&state, &runtime, "rollout_undo", json!({"deployment": "api"}));
    assert_eq!(preview, "roll back deployment todo/api from revision 3 to revision 2 (image api:1.2 → api:1.1)");
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    let patch = last_write(&state);
    assert_eq!(patch.content_type, "application/merge-patch+json");
    assert_eq!(patch.body["spec"]["template"]["spec"]["containers"][0]["image"], "api:1.1");
    assert_eq!(
        patch.body["spec"]["template"]["metadata"]["labels"],
        json!({"app": "api"}),
        "pod-template-hash removed"
    );
    let (preview, _) = run_approved(&state, &runtime, "rollout_undo", json!({"deployment": "api", "revision": 1}));
    // The fake API does not bump the revision annotation on PATCH: the deployment still says 3.
    assert_eq!(preview, "roll back deployment todo/api from revision 3 to revision 1 (image api:1.2 → api:1.0)");
    let error = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut call = tools::check("rollout_undo", json!({"deployment": "api", "revision": 9}), &ctx).unwrap();
        call.prepare(&ctx).await.unwrap_err()
    });
    assert_eq!(
        error.to_string(),
        "`rollout_undo` failed: deployment todo/api: revision 9 not found; known revisions: 1, 2, 3"
    );
}

#[test]
fn rollout_status_reports_complete_or_deadline_exceeded() {
    let (state, runtime) = fake(revisions());
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        run(&ctx, "rollout_status", json!({"deployment": "api"})).await.unwrap()
    });
    assert_eq!(output.text, "deployment todo/api successfully rolled out");
    let mut objects = revisions();
    objects[0]["status"]["updatedReplicas"] = json!(1);
    objects[0]["status"]["conditions"] = json!([{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
        "message": "ReplicaSet \"api-ccc\" has timed out progressing."}]);
    let (state, runtime) = fake(objects);
    let error = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        run(&ctx, "rollout_status", json!({"deployment": "api"})).await.unwrap_err()
    });
    assert_eq!(
        error.to_string(),
        "`rollout_status` failed: deployment todo/api exceeded its progress deadline: ReplicaSet \"api-ccc\" has timed out progressing."
    );
}

#[test]
fn request_counts_do_not_grow_with_the_number_of_pods() {
    let mut counts: Vec<Vec<usize>> = Vec::new();
    for pods in [10, 1000] {
        let mut objects = example_objects();
        objects.extend(backend_pods(pods).into_iter().map(|mut pod| {
            pod["metadata"]["labels"] =
                json!({"app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "todo-app"});
            pod
        }));
        let (state, runtime) = fake(objects);
        let mut per_tool = Vec::new();
        for (tool, args) in [
            ("status", json!({})),
            ("status", json!({"target": "backend"})),
            ("events", json!({"warnings_only": true})),
            ("logs", json!({"target": "backend", "tail": 5})),
        ] {
            state.lock().unwrap().requests.clear();
            runtime.block_on(async {
                let ctx = fake_api::start(state.clone());
                run(&ctx, tool, args).await.unwrap();
            });
            per_tool.push(state.lock().unwrap().requests.len());
        }
        state.lock().unwrap().requests.clear();
        runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            let mut call = tools::check("scale", json!({"deployment": "backend", "replicas": 3}), &ctx).unwrap();
            call.prepare(&ctx).await.unwrap();
        });
        per_tool.push(state.lock().unwrap().requests.len());
        counts.push(per_tool);
    }
    // status: 4 LISTs; events: 1; logs: 4 LISTs + at most 10 log reads; scale prepare: 2 LISTs.
    assert_eq!(counts[0], counts[1], "10 pods vs 1000 pods");
    assert_eq!(counts[0], vec![4, 4, 1, 14, 2]);
}

#[test]
fn a_conflict_is_retried_once() {
    let (state, runtime) = fake(example_objects());
    state.lock().unwrap().errors_once.insert("PATCH deployments".into(), 409);
    let (_, result) = run_approved(&state, &runtime, "scale", json!({"deployment": "backend", "replicas": 3}));
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    let patches = state.lock().unwrap().requests.iter().filter(|r| r.method == "PATCH").count();
    assert_eq!(patches, 2);
}

#[test]
fn every_changing_kube_tool_is_a_server_side_dry_run_under_dry_run() {
    let (state, runtime) = fake(revisions());
    let calls = [
        ("scale", json!({"deployment": "api", "replicas": 3})),
        ("rollout_restart", json!({"deployment": "api"})),
        ("rollout_undo", json!({"deployment": "api"})),
        ("set_image", json!({"deployment": "api", "image": "api:2.0"})),
        ("autoscale", json!({"deployment": "api", "max": 5})),
    ];
    for (tool, args) in calls {
        let results = runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            let mut executor = Executor::new(Policy { dry_run: true, ..Policy::default() }, ctx.clone(), None);
            let call = tools::check(tool, args, &ctx).unwrap();
            executor.run_all(&[call], &mut Never, &mut Vec::new()).await
        });
        assert!(matches!(&results[0], StepResult::DryRun(_)), "{tool}: {results:?}");
    }
    let state = state.lock().unwrap();
    let writes: Vec<_> = state.requests.iter().filter(|r| r.method != "GET").collect();
    assert_eq!(writes.len(), 5, "{writes:?}");
    for write in writes {
        assert_eq!(write.query.trim_start_matches('&'), "dryRun=All", "{} {}", write.method, write.path);
    }
}

#[test]
fn relative_scaling_is_resolved_from_the_live_count() {
    let (state, runtime) = fake(revisions());
    let (preview, result) = run_approved(&state, &runtime, "scale", json!({"deployment": "api", "change": "+100%"}));
    assert_eq!(preview, "scale deployment todo/api from 2 to 4 replicas (+100%)");
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    assert_eq!(last_write(&state).body, json!({"spec": {"replicas": 4}}));
    let (preview, _) = run_approved(&state, &runtime, "scale", json!({"deployment": "api", "change": "-1"}));
    assert_eq!(preview, "scale deployment todo/api from 2 to 1 replica (-1)");
    // The ceiling still applies to the result.
    let error = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut call = tools::check("scale", json!({"deployment": "api", "change": "+5000%"}), &ctx).unwrap();
        call.prepare(&ctx).await.unwrap_err()
    });
    assert!(error.to_string().contains("+5000% of deployment todo/api (2 now) gives 102"), "{error}");
}

#[test]
fn a_tag_alone_keeps_the_rest_of_the_image() {
    let (state, runtime) = fake(revisions());
    let (preview, result) = run_approved(&state, &runtime, "set_image", json!({"deployment": "api", "tag": "1.3"}));
    assert_eq!(
        preview,
        "set the image of container `api` in deployment todo/api from api:1.2 to api:1.3 (starts a rollout)"
    );
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    assert_eq!(
        last_write(&state).body,
        json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": "api:1.3"}]}}}})
    );
}

#[test]
fn set_resources_checks_requests_against_limits_and_patches_only_what_is_given() {
    let mut objects = revisions();
    objects[0]["spec"]["template"]["spec"]["containers"][0]["resources"] =
        json!({"requests": {"memory": "256Mi", "cpu": "100m"}, "limits": {"memory": "256Mi"}});
    let (state, runtime) = fake(objects);
    let (preview, result) =
        run_approved(&state, &runtime, "set_resources", json!({"deployment": "api", "limits": {"memory": "512Mi"}}));
    assert_eq!(
        preview,
        "set the resources of container `api` in deployment todo/api: limits.memory 256Mi → 512Mi (starts a rollout)"
    );
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    let patch = last_write(&state);
    assert_eq!(patch.content_type, "application/strategic-merge-patch+json");
    assert_eq!(
        patch.body,
        json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "resources": {"limits": {"memory": "512Mi"}}}]}}}})
    );
    // A limit below the container's current request is refused before anything is sent.
    let writes = state.lock().unwrap().requests.iter().filter(|r| r.method != "GET").count();
    let error = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut call =
            tools::check("set_resources", json!({"deployment": "api", "limits": {"cpu": "50m"}}), &ctx).unwrap();
        call.prepare(&ctx).await.unwrap_err()
    });
    assert!(error.to_string().contains("the cpu request 100m would be above its limit 50m"), "{error}");
    assert_eq!(state.lock().unwrap().requests.iter().filter(|r| r.method != "GET").count(), writes);
    // Quantities and ceilings are checked with the arguments.
    let dir = tempfile::tempdir().unwrap();
    let ctx = crate::support::context(dir.path());
    for (args, want) in [
        (json!({"deployment": "api", "limits": {"memory": "lots"}}), "is not a Kubernetes quantity"),
        (json!({"deployment": "api", "limits": {"memory": "64Gi"}}), "above the ceiling of 16Gi"),
        (json!({"deployment": "api", "requests": {"cpu": "2"}, "limits": {"cpu": "1"}}), "would be above its limit"),
        (json!({"deployment": "api"}), "say which requests or limits"),
    ] {
        let error = tools::check("set_resources", args, &ctx).unwrap_err();
        assert!(error.to_string().contains(want), "{error}");
    }
}

#[test]
fn each_change_knows_its_undo_before_it_runs() {
    let (state, runtime) = fake(revisions());
    let undo = |tool: &str, args: serde_json::Value| {
        runtime.block_on(async {
            let ctx = fake_api::start(state.clone());
            let mut call = tools::check(tool, args, &ctx).unwrap();
            call.prepare(&ctx).await.unwrap();
            call.undo(&ctx).await.unwrap().map(|undo| (undo.tool.name(), undo.args, undo.description))
        })
    };
    let (tool, args, description) = undo("set_image", json!({"deployment": "api", "image": "api:9"})).unwrap();
    assert_eq!((tool, description.as_str()), ("rollout_undo", "roll deployment todo/api back to revision 3"));
    assert_eq!(args, json!({"deployment": "api", "revision": 3, "namespace": "todo"}));
    let (tool, args, _) = undo("scale", json!({"deployment": "api", "change": "+1"})).unwrap();
    assert_eq!(tool, "scale");
    assert_eq!(args, json!({"deployment": "api", "replicas": 2, "namespace": "todo"}));
    let (tool, ..) = undo("rollout_restart", json!({"deployment": "api"})).unwrap();
    assert_eq!(tool, "rollout_undo");
    // An autoscaler this call would create has nothing to go back to.
    assert!(undo("autoscale", json!({"deployment": "api", "max": 4})).is_none());
    // Reading the undo changed nothing.
    assert!(state.lock().unwrap().requests.iter().all(|r| r.method == "GET"));
}

#[test]
fn scaling_to_zero_records_the_count_for_fix() {
    let (state, runtime) = fake(revisions());
    let (_, result) = run_approved(&state, &runtime, "scale", json!({"deployment": "api", "replicas": 0}));
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    let annotation = last_write(&state);
    assert_eq!(annotation.content_type, "application/merge-patch+json");
    assert_eq!(annotation.body, json!({"metadata": {"annotations": {"todo-ai.io/replicas-before-zero": "2"}}}));
}
