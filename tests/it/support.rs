//! Shared test helpers: an isolated `todo-ai` command and a default tool context.

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;
use todo_ai::tools::ToolContext;

/// A `todo-ai` command with its own HOME, XDG dirs and no inherited settings.
pub fn todo_ai(home: &TempDir) -> Command {
    Command::from_std(todo_ai_std(home))
}

/// [`todo_ai`] as a plain `std::process::Command` (to spawn it and signal it).
pub fn todo_ai_std(home: &TempDir) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("todo-ai"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TODO_AI_")
            || name.starts_with("OPENAI_")
            || name.starts_with("AZURE_OPENAI_")
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
    ToolContext::new(
        "todo",
        workdir.to_path_buf(),
        std::sync::Arc::new(todo_ai::cluster::ClusterAccess::new(None, Some("minikube".into()), None)),
        -1,
    )
}

/// The repository's chart, for `TODO_AI_CHART`.
pub fn chart_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests/helm/todo-app")
}

/// Writes a fake executable `name` into `dir/bin` and returns that bin directory.
pub fn fake_program(dir: &Path, name: &str, script: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = bin.join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// A fake `helm` on `dir/bin` that keeps its release state in `dir/helm-state`: it records
/// every argv (one line each) in `dir/helm.argv`, copies each `-f` file it is given (with
/// its mode, or `stdin` for `-f -`) to `dir/helm-state/f-N.yaml`, and answers status/history/get/upgrade/rollback/
/// test/uninstall from the state files (`status.json`, `history.json`, `values.json`,
/// `manifest.yaml`, `dry-run.json`; `fail-upgrade` makes upgrades fail with its text).
pub fn fake_helm(dir: &Path) -> std::path::PathBuf {
    let state = dir.join("helm-state");
    std::fs::create_dir_all(&state).unwrap();
    let script = format!(
        r#"#!/bin/sh
state='{state}'
echo "$*" >> '{log}'
env >> '{log}.env'
notfound() {{ echo "Error: release: not found" >&2; exit 1; }}
case "$1" in
  version) echo "v3.17.2+gfake"; exit 0 ;;
  status) [ -f "$state/status.json" ] && cat "$state/status.json" && exit 0; notfound ;;
  history) [ -f "$state/history.json" ] && cat "$state/history.json" && exit 0; notfound ;;
  get)
    case "$2" in
      values) [ -f "$state/values.json" ] && cat "$state/values.json" && exit 0; notfound ;;
      manifest) [ -f "$state/manifest.yaml" ] && cat "$state/manifest.yaml" && exit 0; notfound ;;
    esac ;;
  upgrade)
    n=0; dry=0; fingerprint=""; prev=""
    for arg in "$@"; do
      case "$prev" in
        -f) n=$((n+1))
            if [ "$arg" = "-" ]; then cat > "$state/f-$n.yaml"; echo stdin > "$state/f-$n.mode"
            else cp "$arg" "$state/f-$n.yaml"; stat -c %a "$arg" > "$state/f-$n.mode"; fi ;;
        --set) case "$arg" in global.todoAiFingerprint=*) fingerprint="${{arg#global.todoAiFingerprint=}}" ;; esac ;;
      esac
      [ "$arg" = "--dry-run=server" ] && dry=1
      prev="$arg"
    done
    if [ $dry = 1 ]; then
      if [ -f "$state/dry-run.json" ]; then cat "$state/dry-run.json"; else printf '%s\n' '{{"manifest": "---\n# Source: todo-app/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: todo-app-config\ndata:\n  LOG_LEVEL: debug\n"}}'; fi
      exit 0
    fi
    if [ -f "$state/fail-upgrade" ]; then cat "$state/fail-upgrade" >&2; exit 1; fi
    revision=1
    [ -f "$state/status.json" ] && revision=$(( $(sed -n 's/.*"version": *\([0-9]*\).*/\1/p' "$state/status.json") + 1 ))
    echo "{{\"version\": $revision, \"info\": {{\"status\": \"deployed\", \"last_deployed\": \"2026-12-01T20:00:00Z\"}}, \"chart\": {{\"metadata\": {{\"name\": \"todo-app\", \"version\": \"0.1.0\", \"appVersion\": \"1.0.0\"}}}}, \"config\": {{\"secrets\": {{\"databaseUrl\": \"SHOULD-NEVER-BE-SHOWN\"}}}}}}" > "$state/status.json"
    echo "{{\"global\": {{\"todoAiFingerprint\": \"$fingerprint\"}}}}" > "$state/values.json"
    echo "Release \"todo-app\" has been upgraded. Happy Helming!"
    exit 0 ;;
  rollback) echo "Rollback was a success! Happy Helming!"; exit 0 ;;
  test) printf 'NAME: todo-app\nTEST SUITE:     todo-app-test-health\nPhase:          Succeeded\n'; exit 0 ;;
  uninstall) rm -f "$state/status.json"; echo "release \"todo-app\" uninstalled"; exit 0 ;;
esac
echo "fake helm: unexpected $*" >&2
exit 64
"#,
        state = state.display(),
        log = dir.join("helm.argv").display()
    );
    fake_program(dir, "helm", &script)
}

/// `PATH` with `bin` first.
pub fn path_with(bin: &Path) -> String {
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

/// A helm history of three revisions, the last deployed.
pub const HELM_HISTORY: &str = r#"[{"revision":1,"updated":"2026-11-30T10:00:00Z","status":"superseded","chart":"todo-app-0.1.0","app_version":"1.0.0","description":"Install complete"},{"revision":2,"updated":"2026-11-30T11:00:00Z","status":"superseded","chart":"todo-app-0.1.0","app_version":"1.0.0","description":"Upgrade complete"},{"revision":3,"updated":"2026-12-01T09:00:00Z","status":"deployed","chart":"todo-app-0.1.0","app_version":"1.0.1","description":"Upgrade complete"}]"#;

/// Copies a directory tree (fixture apps, the chart) into a test's temp dir.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
