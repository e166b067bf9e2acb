//! The binary end to end: exit codes, refusals, approval without a terminal (no hang),
//! dry-run, read-only, settings errors and the REPL on piped input.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{HELM_HISTORY, audit_lines, chart_dir, fake_helm, path_with, todo_ai};

fn json_stdout(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn plan_json_is_the_public_contract() {
    let home = tempfile::tempdir().unwrap();
    let output = todo_ai(&home).args(["plan", "--offline", "--output", "json", "scale backend to 3"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let plan = json_stdout(&output);
    assert_eq!(plan["planner"], "offline");
    assert_eq!(plan["steps"][0]["tool"], "scale");
    assert_eq!(plan["steps"][0]["args"], serde_json::json!({"deployment": "backend", "replicas": 3}));
    assert_eq!(plan["steps"][0]["effect"], "changes_cluster");
    assert_eq!(plan["steps"][0]["preview"], "scale deployment default/backend to 3 replicas");
}

#[test]
fn plan_without_quotes_and_with_namespace_flag() {
    let home = tempfile::tempdir().unwrap();
    let output = todo_ai(&home).args(["-n", "todo", "-o", "json", "plan", "restart", "the", "api"]).output().unwrap();
    let plan = json_stdout(&output);
    assert_eq!(plan["steps"][0]["tool"], "rollout_restart");
    assert_eq!(plan["steps"][0]["preview"], "restart deployment todo/api (a rolling update replaces its pods)");
}

#[test]
fn nothing_planned_exits_1() {
    let home = tempfile::tempdir().unwrap();
    for prompt in ["delete all pods", "hello", "scale to 3", "scale backend to -2"] {
        let output = todo_ai(&home).args(["plan", "-o", "json", prompt]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{prompt}");
        let plan = json_stdout(&output);
        assert_eq!(plan["steps"], serde_json::json!([]), "{prompt}");
        assert!(plan.get("message").is_some() || plan.get("clarify").is_some(), "{prompt}: {plan}");
    }
}

#[test]
fn out_of_range_is_refused_with_the_reason_and_the_ceiling_can_move() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home).args(["plan", "scale backend to 500"]).assert().code(1).stdout(predicate::str::contains(
        "replicas must be between 0 and 100 (got 500); raise the ceiling with `--max-replicas`",
    ));
    todo_ai(&home).args(["--max-replicas", "1000", "plan", "scale backend to 500"]).assert().code(0);
}

#[test]
fn ask_without_terminal_refuses_instead_of_waiting() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .args(["ask", "scale backend to 3"])
        .write_stdin("y\n")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no terminal to ask for approval — re-run with `--yes` to approve or `--dry-run` to preview",
        ));
    let audit = audit_lines(home.path());
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["outcome"], "forbidden");
    assert_eq!(audit[0]["tool"], "scale");
}

#[test]
fn ask_dry_run_shows_what_would_happen() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    std::fs::write(home.path().join("helm-state/history.json"), HELM_HISTORY).unwrap();
    todo_ai(&home)
        .env("PATH", path_with(&bin))
        .args(["ask", "--dry-run", "helm rollback todo-app to revision 2"])
        .assert()
        .code(0)
        .stdout("dry run: helm accepts the rollback of todo-app to revision 2\n");
    assert_eq!(audit_lines(home.path())[0]["outcome"], "dry_run");
    let argv = std::fs::read_to_string(home.path().join("helm.argv")).unwrap();
    assert_eq!(
        argv,
        "history todo-app -o json --max 20 --namespace default\nrollback todo-app 2 --namespace default --dry-run\n"
    );
}

#[test]
fn read_only_refuses_changes_but_not_reads() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .args(["--read-only", "--yes", "ask", "restart the backend"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("read-only mode: `rollout_restart` changes the cluster"));
    // A read-only tool runs: here there is no cluster, so it says so (exit 2) with a hint.
    todo_ai(&home).args(["--read-only", "ask", "show pods"]).assert().code(2).stderr(
        predicate::str::contains("error: no Kubernetes configuration found").and(predicate::str::contains(
            "hint: set `KUBECONFIG` or pass `--kubeconfig FILE`; to work without a cluster pass `--snapshot FILE`",
        )),
    );
}

#[test]
fn yes_runs_the_change_and_audits_it() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    todo_ai(&home)
        .env("PATH", path_with(&bin))
        .env("TODO_AI_CHART", chart_dir())
        .args([
            "--yes",
            "ask",
            "helm upgrade todo-app --set secrets.openaiApiKey=sk-abcdefghijklmnop1234 --set backend.replicaCount=3",
        ])
        .assert()
        .code(0)
        .stdout("release todo-app revision 1 deployed in default (chart todo-app-0.1.0, app 1.0.0)\n");
    // The secret went to helm on its stdin, never to argv.
    let argv = std::fs::read_to_string(home.path().join("helm.argv")).unwrap();
    assert!(!argv.contains("sk-abcdefghijklmnop1234"), "{argv}");
    assert!(argv.contains("--set backend.replicaCount=3"), "{argv}");
    let secrets_file = std::fs::read_to_string(home.path().join("helm-state/f-1.yaml")).unwrap();
    assert_eq!(secrets_file, "secrets:\n  openaiApiKey: sk-abcdefghijklmnop1234\n");
    // On helm's stdin: never on a command line, never on disk.
    assert_eq!(std::fs::read_to_string(home.path().join("helm-state/f-1.mode")).unwrap().trim(), "stdin");
    let audit = audit_lines(home.path());
    assert_eq!(audit[0]["tool"], "helm_install");
    // One line before the change starts and one when it ends, with the same id.
    assert_eq!(audit[0]["outcome"], "started");
    assert_eq!(audit[1]["outcome"], "ok");
    assert_eq!(audit[0]["id"], audit[1]["id"]);
    assert_eq!(audit[1]["args"]["set"]["secrets.openaiApiKey"], "[REDACTED]");
    assert_eq!(audit[1]["args"]["set"]["backend.replicaCount"], "3");
}

#[test]
fn plan_output_never_shows_secret_values() {
    let home = tempfile::tempdir().unwrap();
    let output = todo_ai(&home)
        .args(["plan", "deploy with --set secrets.databaseUrl=postgresql://u:hunter2@db/todo"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("hunter2"), "{stdout}");
    assert!(stdout.contains("secrets.databaseUrl=[REDACTED]"), "{stdout}");
}

#[test]
fn direct_subcommands_share_the_tools() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    todo_ai(&home)
        .env("PATH", path_with(&bin))
        .env("TODO_AI_CHART", chart_dir())
        .args(["--dry-run", "-n", "todo", "deploy", "-f", "values-dev.yaml", "--set", "backend.replicaCount=3"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "dry run (server side): the install of todo-app in todo would change (Secret data hidden):\n+ ---\n+ # Source: todo-app/templates/configmap.yaml\n",
        ));
    todo_ai(&home).args(["scale", "backend", "-5"]).assert().code(1).stderr(predicate::str::starts_with(
        "error: invalid arguments for `scale`: replicas must be between 0 and 100 (got -5)",
    ));
    todo_ai(&home)
        .args(["--dry-run", "set-image", "backend", "Not An Image"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a valid image reference"));
    todo_ai(&home)
        // Showing reads any path the person typed; writing stays inside the working tree.
        .args(["--dry-run", "dockerfile", "../outside", "--write"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is outside the working tree"));
    std::fs::write(home.path().join("helm-state/history.json"), HELM_HISTORY).unwrap();
    todo_ai(&home)
        .env("PATH", path_with(&bin))
        .args(["--dry-run", "-o", "json", "helm-rollback", "--revision", "2"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"outcome\": \"dry_run\""));
    // helm missing: one error with an install hint.
    todo_ai(&home).env("PATH", "/nonexistent").args(["--yes", "helm-rollback"]).assert().code(2).stderr(
        predicate::str::starts_with("error: `helm` is not installed (not found on PATH)\n\nhint: install Helm 3"),
    );
}

#[test]
fn settings_errors_are_one_line_with_a_hint() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .args(["-n", "Bad_NS", "plan", "show pods"])
        .assert()
        .code(2)
        .stderr("error: namespace `Bad_NS` is not a valid Kubernetes name: use only lowercase letters, digits and `-`\n\nhint: namespaces are lowercase letters, digits and `-`\n");
    std::fs::create_dir_all(home.path().join("config/todo-ai")).unwrap();
    std::fs::write(home.path().join("config/todo-ai/config.toml"), "namespace = [\n").unwrap();
    todo_ai(&home)
        .args(["plan", "show pods"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: cannot read config file").and(predicate::str::contains("hint:")));
}

#[test]
fn environment_and_config_file_settings() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config/todo-ai")).unwrap();
    std::fs::write(home.path().join("config/todo-ai/config.toml"), "namespace = \"from-file\"\n").unwrap();
    let preview =
        |output: std::process::Output| json_stdout(&output)["steps"][0]["preview"].as_str().unwrap().to_string();
    let output = todo_ai(&home).args(["plan", "-o", "json", "restart api"]).output().unwrap();
    assert_eq!(preview(output), "restart deployment from-file/api (a rolling update replaces its pods)");
    let output = todo_ai(&home)
        .env("TODO_AI_NAMESPACE", "from-env")
        .args(["plan", "-o", "json", "restart api"])
        .output()
        .unwrap();
    assert_eq!(preview(output), "restart deployment from-env/api (a rolling update replaces its pods)");
}

#[test]
fn tools_json_is_openai_function_json() {
    let home = tempfile::tempdir().unwrap();
    let output = todo_ai(&home).args(["tools", "--json"]).output().unwrap();
    let tools = json_stdout(&output);
    let tools = tools.as_array().unwrap();
    assert_eq!(tools.len(), todo_ai::tools::all().len());
    for tool in tools {
        assert_eq!(tool["type"], "function");
        let function = &tool["function"];
        assert!(function["name"].as_str().unwrap().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        assert!(!function["description"].as_str().unwrap().is_empty());
        assert_eq!(function["parameters"]["type"], "object");
    }
}

#[test]
fn completions_and_yaml_output() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home).args(["completions", "bash"]).assert().code(0).stdout(predicate::str::contains("todo-ai"));
    todo_ai(&home)
        .args(["plan", "-o", "yaml", "scale backend to 3"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("planner: offline").and(predicate::str::contains("tool: scale")));
}

#[test]
fn repl_on_piped_input_plans_and_refuses_changes() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    std::fs::write(home.path().join("helm-state/history.json"), crate::support::HELM_HISTORY).unwrap();
    let assert = todo_ai(&home)
        .env("PATH", path_with(&bin))
        .write_stdin("/namespace todo\nscale backend to 3\n/dry-run\nrollback the helm release\n/bogus\n/exit\n")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(0);
    let output = assert.get_output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("namespace is now todo"), "{stdout}");
    // The plan is progress (stderr), as for `ask`; results are data (stdout).
    assert!(stderr.contains("scale deployment todo/backend to 3 replicas [changes cluster]"), "{stderr}");
    assert!(stderr.contains("refused: `scale` changes the cluster and there is no terminal"), "{stderr}");
    assert!(stdout.contains("dry run: helm accepts the rollback of todo-app to revision 2"), "{stdout}");
    assert!(stdout.contains("unknown command `/bogus`"), "{stdout}");
    // History is kept in the state directory.
    assert!(home.path().join("state/todo-ai/history.txt").exists());
}
