//! Guarded changes and `fix`, through a real `kube::Client` against the fake API server, with
//! the fake's `after_write` hook playing the controllers (a new ReplicaSet and its pods after
//! the change): a regression is undone automatically and the audit log chains the change, the
//! verdict and the undo under one correlation id; a healthy change is kept; a problem that
//! was already there triggers nothing; `fix` proposes, applies, verifies and reports.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use todo_ai::approval::{Decision, Policy};
use todo_ai::engine::guard::{self, Guard, Verdict};
use todo_ai::engine::render::Collect;
use todo_ai::executor::{Approver, Executor, StepResult};
use todo_ai::tools;

use crate::fake_api::{self, State};

/// Answers every question the same way and counts them.
struct Answer(Decision, usize);

impl Approver for Answer {
    fn ask(&mut self, _: &str) -> Decision {
        self.1 += 1;
        self.0
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Deployment `api` at revision 2 (image `api:1`) with a ready pod, and its ReplicaSets 1 and 2.
fn healthy() -> Vec<Value> {
    let template = |image: &str, hash: &str| {
        json!({"metadata": {"labels": {"app": "api", "pod-template-hash": hash}},
               "spec": {"containers": [{"name": "api", "image": image}]}})
    };
    let replicaset = |revision: i64, image: &str, hash: &str, available: i64| {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("api-{hash}"), "namespace": "todo",
                         "annotations": {"deployment.kubernetes.io/revision": revision.to_string()},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "uid": "uid-api"}]},
            "spec": {"replicas": available, "selector": {"matchLabels": {"app": "api"}}, "template": template(image, hash)},
            "status": {"replicas": available, "availableReplicas": available}
        })
    };
    vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "api", "namespace": "todo", "uid": "uid-api", "generation": 2,
                            "annotations": {"deployment.kubernetes.io/revision": "2"}},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
                        "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api", "image": "api:1"}]}}},
               "status": {"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1, "readyReplicas": 1}}),
        replicaset(1, "api:0", "aaa", 0),
        replicaset(2, "api:1", "bbb", 1),
        pod("api-bbb-1", "bbb", "api:1", json!({"running": {}}), true),
    ]
}

fn pod(name: &str, hash: &str, image: &str, state: Value, ready: bool) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "todo", "labels": {"app": "api", "pod-template-hash": hash},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("api-{hash}")}]},
        "spec": {"containers": [{"name": "api", "image": image}]},
        "status": {"phase": if ready { "Running" } else { "Pending" },
                   "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
                   "containerStatuses": [{"name": "api", "image": image, "ready": ready, "restartCount": 0, "state": state}]}
    })
}

/// What the controllers do after `set_image api:<image>`: revision 3 with one pod in `state`.
fn rollout_to(image: &'static str, state: Value, ready: bool) -> fake_api::Hook {
    Box::new(move |state_: &mut State| {
        state_.add([json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "api-ccc", "namespace": "todo",
                         "annotations": {"deployment.kubernetes.io/revision": "3"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "uid": "uid-api"}]},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
                     "template": {"metadata": {"labels": {"app": "api", "pod-template-hash": "ccc"}},
                                  "spec": {"containers": [{"name": "api", "image": image}]}}},
            "status": {"replicas": 1, "availableReplicas": if ready { 1 } else { 0 }}
        })]);
        state_.add([pod("api-ccc-1", "ccc", image, state, ready)]);
        state_.update(
            "Deployment",
            "todo",
            "api",
            &json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3"}}}),
        );
    })
}

fn audit(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

struct Run {
    result: StepResult,
    verdict: Verdict,
    questions: usize,
    audit: Vec<Value>,
    state: Arc<Mutex<State>>,
}

fn guarded(objects: Vec<Value>, hook: fake_api::Hook, tool: &str, args: Value, answer: Decision) -> Run {
    let mut state = State::default();
    state.add(objects);
    state.after_write = Some(hook);
    let state = Arc::new(Mutex::new(state));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let (result, verdict, questions) = runtime().block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut executor = Executor::new(
            Policy { assume_yes: true, terminal: true, ..Policy::default() },
            ctx.clone(),
            Some(log.clone()),
        );
        let call = tools::check(tool, args, &ctx).unwrap();
        let mut approver = Answer(answer, 0);
        let guard = Guard { window: Duration::from_secs(5), interval: Duration::from_millis(200), automatic: true };
        let (result, verdict) = guard::run(&mut executor, &call, guard, &mut approver, &mut Collect::default()).await;
        (result, verdict, approver.1)
    });
    Run { result, verdict, questions, audit: audit(&log), state }
}

#[test]
fn a_change_that_breaks_the_workload_is_undone_and_the_audit_chains_it() {
    let waiting = json!({"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"api:nope\""}});
    let run = guarded(
        healthy(),
        rollout_to("api:nope", waiting, false),
        "set_image",
        json!({"deployment": "api", "image": "api:nope"}),
        Decision::Denied,
    );
    assert!(matches!(run.result, StepResult::Ran(_)), "{:?}", run.result);
    let Verdict::RolledBack { finding, undo, result } = &run.verdict else { panic!("{:?}", run.verdict) };
    assert!(finding.starts_with("ImagePullBackOff on Pod/api-ccc-1"), "{finding}");
    assert_eq!(undo, "roll deployment todo/api back to revision 2");
    assert!(matches!(result, StepResult::Ran(_)), "{result:?}");
    assert_eq!(run.questions, 0, "--yes: approving the change approved its undo");
    // The last write put revision 2's template back.
    let state = run.state.lock().unwrap();
    let last = state.requests.iter().rev().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(last.body["spec"]["template"]["spec"]["containers"][0]["image"], "api:1");
    // Change, verdict and undo under one correlation id.
    let outcomes: Vec<(&str, &str)> =
        run.audit.iter().map(|l| (l["tool"].as_str().unwrap(), l["outcome"].as_str().unwrap())).collect();
    assert_eq!(
        outcomes,
        [
            ("set_image", "started"),
            ("set_image", "ok"),
            ("rollout_undo", "started"),
            ("rollout_undo", "ok"),
            ("set_image", "verdict")
        ]
    );
    let correlation = &run.audit[0]["correlation"];
    assert!(correlation.is_string());
    assert!(run.audit.iter().all(|line| &line["correlation"] == correlation), "{:?}", run.audit);
    assert!(run.audit[4]["detail"].as_str().unwrap().contains("rolled back"));
}

#[test]
fn a_change_that_stays_healthy_is_kept() {
    let run = guarded(
        healthy(),
        rollout_to("api:2", json!({"running": {}}), true),
        "set_image",
        json!({"deployment": "api", "image": "api:2"}),
        Decision::Denied,
    );
    assert!(matches!(run.verdict, Verdict::Kept { checks } if checks >= 2), "{:?}", run.verdict);
    assert!(run.state.lock().unwrap().requests.iter().filter(|r| r.method == "PATCH").count() == 1, "no undo");
}

#[test]
fn a_problem_that_was_already_there_triggers_no_undo() {
    // The pod of revision 2 already crash-loops; the change (one more replica) brings another
    // pod of the same ReplicaSet with the same fault: same identity, not a new problem.
    let mut objects = healthy();
    let crashing = json!({"waiting": {"reason": "CrashLoopBackOff"}});
    objects[3] = pod("api-bbb-1", "bbb", "api:1", crashing.clone(), false);
    let hook: fake_api::Hook =
        Box::new(move |state: &mut State| state.add([pod("api-bbb-2", "bbb", "api:1", crashing, false)]));
    let run = guarded(objects, hook, "scale", json!({"deployment": "api", "change": "+1"}), Decision::Denied);
    assert!(matches!(run.verdict, Verdict::Kept { .. }), "{:?}", run.verdict);
}

#[test]
fn without_yes_the_person_is_asked_before_the_undo_and_can_keep_the_change() {
    let waiting = json!({"waiting": {"reason": "ErrImagePull"}});
    let mut state = State::default();
    state.add(healthy());
    state.after_write = Some(rollout_to("api:nope", waiting, false));
    let state = Arc::new(Mutex::new(state));
    let (verdict, questions) = runtime().block_on(async {
        let ctx = fake_api::start(state.clone());
        let mut executor = Executor::new(Policy { terminal: true, ..Policy::default() }, ctx.clone(), None);
        let call = tools::check("set_image", json!({"deployment": "api", "tag": "nope"}), &ctx).unwrap();
        // Yes to the change, then no to the undo.
        struct Script(Vec<Decision>, usize);
        impl Approver for Script {
            fn ask(&mut self, _: &str) -> Decision {
                self.1 += 1;
                self.0.remove(0)
            }
        }
        let mut approver = Script(vec![Decision::Approved, Decision::Denied], 0);
        let guard = Guard { window: Duration::from_secs(5), interval: Duration::from_millis(200), automatic: false };
        let (_, verdict) = guard::run(&mut executor, &call, guard, &mut approver, &mut Collect::default()).await;
        (verdict, approver.1)
    });
    assert_eq!(questions, 2);
    assert!(matches!(&verdict, Verdict::Regressed { reason, .. } if reason.contains("keep")), "{verdict:?}");
}

#[test]
fn fix_rolls_back_a_bad_rollout_verifies_and_reports_before_and_after() {
    // Revision 3 cannot pull its image; revision 2 still serves.
    let mut objects = healthy();
    objects.push(json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "api-ccc", "namespace": "todo",
                     "annotations": {"deployment.kubernetes.io/revision": "3"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "uid": "uid-api"}]},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
                 "template": {"metadata": {"labels": {"app": "api", "pod-template-hash": "ccc"}}, "spec": {"containers": [{"name": "api", "image": "api:nope"}]}}},
        "status": {"replicas": 1, "availableReplicas": 0}
    }));
    objects.push(pod("api-ccc-1", "ccc", "api:nope", json!({"waiting": {"reason": "ImagePullBackOff"}}), false));
    objects[0]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = json!("3");
    let mut state = State::default();
    state.add(objects);
    // The rollback's effect: the failing ReplicaSet scales away.
    state.after_write = Some(Box::new(|state: &mut State| state.remove("Pod", "todo", "api-ccc-1")));
    let state = Arc::new(Mutex::new(state));
    let mut renderer = Collect::default();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let status = runtime().block_on(async {
        let ctx = fake_api::start(state.clone());
        let executor = Executor::new(Policy { assume_yes: true, ..Policy::default() }, ctx.clone(), Some(log.clone()));
        let mut session = todo_ai::engine::Session {
            executor,
            planner: todo_ai::engine::Planner::offline(),
            guard: Some(Duration::ZERO),
        };
        let fix = todo_ai::engine::plan::CheckedFix::check(
            todo_ai::engine::fix::FixArgs { target: Some("api".into()), namespace: None },
            &ctx,
        )
        .unwrap();
        session.fix(&fix, &mut Answer(Decision::Denied, 0), &mut renderer).await
    });
    let text = renderer.lines.join("\n");
    assert_eq!(status, todo_ai::error::ExitStatus::Success, "{text}");
    assert!(text.contains("todo-ai can fix 1 problem"), "{text}");
    assert!(
        text.contains("why: ImagePullBackOff began with the latest rollout (revision 3); revision 2 still serves pods"),
        "{text}"
    );
    assert!(text.contains("resolved:\n  critical ImagePullBackOff Pod/api-ccc-1"), "{text}");
    let state = state.lock().unwrap();
    let patch = state.requests.iter().rev().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.body["spec"]["template"]["spec"]["containers"][0]["image"], "api:1");
    // The audit chain: the proposal (its finding and why), the change, the guard's verdict,
    // under one correlation id.
    let lines = audit(&log);
    let outcomes: Vec<(&str, &str)> =
        lines.iter().map(|l| (l["tool"].as_str().unwrap(), l["outcome"].as_str().unwrap())).collect();
    assert_eq!(
        outcomes,
        [
            ("rollout_undo", "proposed"),
            ("rollout_undo", "started"),
            ("rollout_undo", "ok"),
            ("rollout_undo", "verdict")
        ]
    );
    assert!(lines[0]["detail"].as_str().unwrap().starts_with("ImagePullBackOff Pod/api-ccc-1: "), "{}", lines[0]);
    let correlation = &lines[0]["correlation"];
    assert!(correlation.is_string());
    assert!(lines.iter().all(|line| &line["correlation"] == correlation), "{lines:?}");
}

#[test]
fn fix_with_nothing_it_can_change_gives_the_manual_steps() {
    let mut objects = healthy();
    objects[3]["spec"]["containers"][0]["env"] =
        json!([{"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db-credentials", "key": "url"}}}]);
    objects[3]["status"]["containerStatuses"][0]["state"] =
        json!({"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"db-credentials\" not found"}});
    let mut state = State::default();
    state.add(objects);
    let state = Arc::new(Mutex::new(state));
    let mut renderer = Collect::default();
    let status = runtime().block_on(async {
        let ctx = fake_api::start(state.clone());
        let executor = Executor::new(Policy { assume_yes: true, ..Policy::default() }, ctx.clone(), None);
        let mut session =
            todo_ai::engine::Session { executor, planner: todo_ai::engine::Planner::offline(), guard: None };
        let fix = todo_ai::engine::plan::CheckedFix::check(todo_ai::engine::fix::FixArgs::default(), &ctx).unwrap();
        session.fix(&fix, &mut Answer(Decision::Denied, 0), &mut renderer).await
    });
    let text = renderer.lines.join("\n");
    assert_eq!(status, todo_ai::error::ExitStatus::Failure, "a critical problem is left: {text}");
    assert!(text.contains("needs you (no safe automatic fix):\n  MissingSecret"), "{text}");
    assert!(state.lock().unwrap().requests.iter().all(|r| r.method == "GET"), "nothing was changed");
}
