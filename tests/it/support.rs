//! Shared test helpers: an isolated `todo-ai` command and a default tool context.

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;
use todo_ai::tools::ToolContext;

/// A `todo-ai` command with its own HOME, XDG dirs and no inherited settings.
pub fn todo_ai(home: &TempDir) -> Command {
    let mut command = Command::cargo_bin("todo-ai").unwrap();
    for (name, _) in std::env::vars() {
        if name.starts_with("TODO_AI_")
            || name.starts_with("OPENAI_")
            || name.starts_with("DOCKER_")
            || name == "KUBECONFIG"
        {
            command.env_remove(name);
        }
    }
    command
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    command
}

/// The audit log `todo_ai` writes under `home`.
pub fn audit_lines(home: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(home.join("state/todo-ai/audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A tool context rooted at `workdir`, namespace `todo`.
pub fn context(workdir: &Path) -> ToolContext {
    ToolContext {
        namespace: "todo".into(),
        kube_context: Some("minikube".into()),
        dry_run: false,
        limits: Default::default(),
        workdir: workdir.to_path_buf(),
        cluster: std::sync::Arc::new(todo_ai::cluster::ClusterAccess::new(None, None, None)),
        verbosity: -1,
    }
}
