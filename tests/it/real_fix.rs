//! `fix` and `--guard` on a real node: a Deployment broken by a tag the node cannot pull is put
//! back by `todo-ai fix`, and a guarded `set-image` to such a tag undoes itself. Both check the
//! audit log's chain (one correlation id from the proposal or change to the verdict).
//!
//! ```sh
//! TODO_AI_TEST_KUBECONFIG=/tmp/todo-ai-lab/kubeconfig cargo test --test it -- --ignored real_fix
//! ```

use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

use crate::real_lab::{FAULT_WITHIN, Scratch, busybox, codes, in_scratch_namespace, poll, unique, web_server};
use crate::support::audit_lines;

/// A tag of the lab's busybox image that the node does not have and cannot pull.
fn missing_tag() -> String {
    let image = busybox();
    let repository = image.rsplit_once(':').map_or(image.as_str(), |(repository, _)| repository);
    format!("{repository}:{}", unique("missing"))
}

/// The image of the Deployment's only container.
async fn image_of(lab: &Scratch, name: &str) -> String {
    let deployment = lab.deployment(name).await;
    deployment.spec.unwrap().template.spec.unwrap().containers[0].image.clone().unwrap_or_default()
}

/// The audit lines the binary wrote in this test's home, as (tool, outcome), and the lines.
fn audit_chain(lab: &Scratch) -> (Vec<(String, String)>, Vec<Value>) {
    let lines = audit_lines(lab.workdir.path());
    let chain = lines
        .iter()
        .map(|line| {
            (
                line["tool"].as_str().unwrap_or_default().to_string(),
                line["outcome"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (chain, lines)
}

fn one_correlation(lines: &[Value]) {
    let correlation = &lines[0]["correlation"];
    assert!(correlation.is_string(), "{lines:#?}");
    assert!(lines.iter().all(|line| &line["correlation"] == correlation), "one correlation id: {lines:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn fix_puts_back_an_image_the_node_cannot_pull() {
    in_scratch_namespace("fix", |lab| async move {
        lab.create::<Deployment>(web_server("app", 1, "fixed by todo-ai")).await;
        lab.wait_available("app", 1).await;
        let good = image_of(&lab, "app").await;
        // Broken behind todo-ai's back: a direct API call, as a bad deploy would.
        let bad = missing_tag();
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": bad}]}}}});
        Api::<Deployment>::namespaced(lab.client.clone(), &lab.namespace)
            .patch("app", &PatchParams::default(), &Patch::Strategic(&patch))
            .await
            .unwrap();
        poll("the new pod fails to pull", FAULT_WITHIN, || async {
            let seen = codes(&lab.findings(None).await);
            if seen.contains("ImagePullBackOff Pod/app-") { Ok(()) } else { Err(format!("{seen:?}")) }
        })
        .await;

        let started = std::time::Instant::now();
        let output = lab.todo_ai().args(["fix", "app", "--yes"]).output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        eprintln!("real cluster: fix with its 60s guard took {:.0?}", started.elapsed());
        assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
        assert!(stdout.contains("resolved:") && stdout.contains("ImagePullBackOff"), "{stdout}\n{stderr}");

        assert_eq!(image_of(&lab, "app").await, good, "{stdout}\n{stderr}");
        lab.wait_available("app", 1).await;

        // diagnose/proposal → change → guard verdict, under one correlation id.
        let (chain, lines) = audit_chain(&lab);
        let outcomes: Vec<&str> = chain.iter().map(|(_, outcome)| outcome.as_str()).collect();
        assert_eq!(outcomes, ["proposed", "started", "ok", "verdict"], "{lines:#?}");
        assert!(chain.iter().all(|(tool, _)| tool == &chain[0].0), "one call: {chain:?}");
        assert!(matches!(chain[0].0.as_str(), "rollout_undo" | "set_image"), "{chain:?}");
        let proposal = lines[0]["detail"].as_str().unwrap_or_default();
        assert!(proposal.starts_with("ImagePullBackOff Pod/app-"), "the finding it fixes: {proposal}");
        assert!(lines[3]["detail"].as_str().unwrap_or_default().contains("kept"), "{lines:#?}");
        one_correlation(&lines);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)"]
async fn a_guarded_set_image_to_a_tag_that_cannot_be_pulled_undoes_itself() {
    in_scratch_namespace("guard", |lab| async move {
        lab.create::<Deployment>(web_server("app", 1, "guarded")).await;
        lab.wait_available("app", 1).await;
        let good = image_of(&lab, "app").await;
        let bad = missing_tag();

        let started = std::time::Instant::now();
        let output = lab.todo_ai().args(["set-image", "app", &bad, "--guard", "60s", "--yes"]).output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        eprintln!("real cluster: guarded set-image rolled back in {:.0?}", started.elapsed());
        let said = format!("{stdout}{stderr}");
        assert!(said.contains("guard: rolled back — ImagePullBackOff on Pod/app-"), "{said}");
        assert!(said.contains("undone: roll deployment"), "{said}");

        assert_eq!(image_of(&lab, "app").await, good, "{said}");
        lab.wait_available("app", 1).await;

        // change → undo → verdict, under one correlation id.
        let (chain, lines) = audit_chain(&lab);
        let expected = [
            ("set_image", "started"),
            ("set_image", "ok"),
            ("rollout_undo", "started"),
            ("rollout_undo", "ok"),
            ("set_image", "verdict"),
        ];
        let chain: Vec<(&str, &str)> = chain.iter().map(|(tool, outcome)| (tool.as_str(), outcome.as_str())).collect();
        assert_eq!(chain, expected, "{lines:#?}");
        assert!(lines[4]["detail"].as_str().unwrap_or_default().contains("rolled back"), "{lines:#?}");
        one_correlation(&lines);
    })
    .await;
}
