//! Snapshots of what users see: help, the tool table, plans, approval prompts, refusals.

use todo_ai::commands::{make_plan, render_plan_text, tools_table};

use crate::support::{context, todo_ai};

#[test]
fn help_text() {
    let home = tempfile::tempdir().unwrap();
    let output = todo_ai(&home).arg("--help").output().unwrap();
    insta::assert_snapshot!("help", String::from_utf8_lossy(&output.stdout));
    let output = todo_ai(&home).args(["plan", "--help"]).output().unwrap();
    insta::assert_snapshot!("plan_help", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn tool_table() {
    insta::assert_snapshot!("tools", tools_table());
}

#[test]
fn plans_as_people_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(dir.path());
    let mut text = String::new();
    for prompt in [
        "generate a dockerfile for the backend, build it as todo-backend:1.0.1 inside minikube and deploy with values-dev.yaml",
        "why is the backend crashing? show its previous logs too",
        "kubectl rollout undo deployment/todo-frontend --to-revision=2 -n todo",
        "autoscale backend between 2 and 10 pods at 70% cpu",
        "helm upgrade todo-app -f values-prod.yaml --set backend.replicaCount=3 --set secrets.openaiApiKey=sk-abcdefghijklmnopqrst",
        "scale frontend and backend to 4",
        "scale to 3",
        "delete the todo namespace",
        "scale backend to 101",
        "what's the weather in Karachi?",
    ] {
        text.push_str(&format!("> {prompt}\n{}\n", render_plan_text(&make_plan(prompt, &ctx))));
    }
    insta::assert_snapshot!("plans", text);
}

#[test]
fn approval_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(dir.path());
    let plan = make_plan("set the backend image to ghcr.io/acme/todo-backend:1.2", &ctx);
    let call = &plan.calls[0];
    insta::assert_snapshot!(
        "approval_prompt",
        todo_ai::approval::prompt_text(
            call.name(),
            call.preview(),
            "changes the cluster",
            "context minikube, namespace todo"
        )
    );
}
