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
                "GET /api/v1/namespaces/todo/pods?",
                "GET /apis/apps/v1/namespaces/todo/daemonsets?",
                "GET /apis/apps/v1/namespaces/todo/deployments?",
                "GET /apis/apps/v1/namespaces/todo/statefulsets?",
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
        let mut executor =
            Executor { policy: Policy { assume_yes: true, ..Policy::default() }, ctx: ctx.clone(), audit_log: None };
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
        let mut executor =
            Executor { policy: Policy { dry_run: true, ..Policy::default() }, ctx: ctx.clone(), audit_log: None };
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
    assert_eq!(requests(&state), vec!["GET /api/v1/namespaces/todo/events?"]);
}

/// An approver that must never be asked.
struct Never;

impl Approver for Never {
    fn ask(&mut self, question: &str) -> todo_ai::approval::Decision {
        panic!("unexpected question: {question}");
    }
}
