//! The binary against the bundled example snapshot: read tools work offline, changing tools
//! show their resolved plan and refuse to change a snapshot, broken files are clear errors.

use predicates::prelude::*;

use crate::support::{audit_lines, todo_ai};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/manifests/examples/todo-snapshot.yaml");

#[test]
fn status_reads_the_snapshot_like_kubectl() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home).args(["--snapshot", EXAMPLE, "status"]).assert().code(0).stdout(
        predicate::str::contains("NAME            READY   UP-TO-DATE   AVAILABLE   AGE")
            .and(predicate::str::contains("todo-backend    0/2     2            0"))
            .and(predicate::str::contains("CrashLoopBackOff"))
            .and(predicate::str::contains("ImagePullBackOff")),
    );
    let output = todo_ai(&home).args(["--snapshot", EXAMPLE, "-o", "json", "status", "frontend"]).output().unwrap();
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["outcome"], "ok");
    assert_eq!(result["result"]["namespace"], "todo", "the snapshot's only namespace is the default");
    let pods = result["result"]["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["status"], "ImagePullBackOff");
    assert_eq!(pods[0]["ready"], "0/1");
}

#[test]
fn unknown_targets_suggest_the_closest_names() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .args(["--snapshot", EXAMPLE, "status", "bakend"])
        .assert()
        .code(2)
        .stderr("error: workload or pod `bakend` not found in namespace todo; did you mean `todo-backend`?\n\nhint: see what is there with `todo-ai status -n todo`\n");
}

#[test]
fn changing_tools_show_the_plan_and_refuse_a_snapshot() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .args(["--snapshot", EXAMPLE, "--yes", "scale", "backend", "3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot be changed; it would scale deployment todo/backend to 3 replicas"));
    // Refused before anything ran for it (not even resolving the name): the audit names the
    // object as asked.
    let audit = audit_lines(home.path());
    assert_eq!(audit[0]["outcome"], "forbidden");
    assert_eq!(audit[0]["args"]["deployment"], "backend");
}

#[test]
fn events_from_the_snapshot() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .args(["--snapshot", EXAMPLE, "events", "--warnings-only", "frontend"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Failed to pull image").and(predicate::str::contains("todo-backend").not()));
}

#[test]
fn broken_snapshots_are_one_line_errors() {
    let home = tempfile::tempdir().unwrap();
    let bad = home.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  apiVersion: v1\n  metadata: [oops\n")
        .unwrap();
    todo_ai(&home).args(["--snapshot", bad.to_str().unwrap(), "-n", "todo", "status"]).assert().code(2).stderr(
        predicate::str::starts_with(format!("error: cannot read snapshot `{}`: line ", bad.display()))
            .and(predicate::str::contains("hint: a snapshot is what `kubectl get … -o yaml` prints")),
    );
    let directory = home.path().join("snap");
    std::fs::create_dir(&directory).unwrap();
    std::fs::copy(EXAMPLE, directory.join("todo.yaml")).unwrap();
    todo_ai(&home).args(["--snapshot", directory.to_str().unwrap(), "status"]).assert().code(0);
}

fn write_kubeconfig(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    std::fs::write(
        &path,
        r"apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}
users:
- name: me
  user: {token: not-a-real-token}
contexts:
- name: dev
  context: {cluster: local, user: me, namespace: team-a}
- name: other
  context: {cluster: local, user: me}
",
    )
    .unwrap();
    path
}

#[test]
fn unreachable_cluster_names_server_and_context() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(home.path());
    todo_ai(&home)
        .args(["--kubeconfig", kubeconfig.to_str().unwrap(), "status"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with("error: cannot reach the cluster at https://127.0.0.1:1/ (context dev):")
                .and(predicate::str::contains(
                    "hint: is the cluster running (`minikube status`)? check `kubectl --context dev cluster-info`",
                ))
                .and(predicate::str::contains("not-a-real-token").not()),
        );
}

#[test]
fn the_kube_context_namespace_is_the_default() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(home.path());
    let preview = |extra: &[&str]| {
        let mut command = todo_ai(&home);
        command.env("KUBECONFIG", &kubeconfig).args(extra).args(["plan", "-o", "json", "restart api"]);
        let output = command.output().unwrap();
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        plan["steps"][0]["preview"].as_str().unwrap().to_string()
    };
    assert!(preview(&[]).contains("team-a/api"));
    assert!(preview(&["--context", "other"]).contains("default/api"));
    assert!(preview(&["-n", "explicit"]).contains("explicit/api"));
}

#[test]
fn an_invalid_kubeconfig_is_one_line_with_a_hint() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = home.path().join("broken");
    std::fs::write(&kubeconfig, "clusters: [this is not a kubeconfig\n").unwrap();
    todo_ai(&home)
        .args(["--kubeconfig", kubeconfig.to_str().unwrap(), "-n", "todo", "status"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with("error: cannot use the kubeconfig: `")
                .and(predicate::str::contains("hint: check it with `kubectl config view`")),
        );
}

#[test]
fn a_silent_api_server_times_out_with_one_line() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(8).flatten() {
            held.push(stream);
        }
        std::thread::sleep(std::time::Duration::from_secs(30));
    });
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = home.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: slow\nclusters:\n- name: c\n  cluster: {{server: 'https://127.0.0.1:{port}', insecure-skip-tls-verify: true}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: slow\n  context: {{cluster: c, user: u}}\n"
        ),
    )
    .unwrap();
    todo_ai(&home)
        .env("TODO_AI_REQUEST_TIMEOUT", "1")
        .args(["--kubeconfig", kubeconfig.to_str().unwrap(), "-n", "todo", "status"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with(format!(
                "error: the cluster at https://127.0.0.1:{port}/ did not answer in time"
            ))
            .and(predicate::str::contains("hint: check the network to the API server, then try again")),
        );
}

// Hostile snapshots (issue 12 #6): each of these hung, read forever or took gigabytes before.

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("snapshot.yaml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    todo_ai(&home)
        .args(["--snapshot", fifo.to_str().unwrap(), "-n", "todo", "status"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a regular file"));
}

#[test]
fn a_device_is_refused_before_a_byte_is_read() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .args(["--snapshot", "/dev/zero", "-n", "todo", "status"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: cannot read snapshot `/dev/zero`: not a regular file"));
}

#[test]
fn bytes_are_read_through_a_configurable_limit() {
    let home = tempfile::tempdir().unwrap();
    todo_ai(&home)
        .env("TODO_AI_SNAPSHOT_MAX_BYTES", "16K")
        .args(["--snapshot", EXAMPLE, "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "larger than the snapshot limit of 16384 bytes (set `TODO_AI_SNAPSHOT_MAX_BYTES` to raise it)",
        ));
    // A directory's files count together.
    let directory = home.path().join("snap");
    std::fs::create_dir(&directory).unwrap();
    std::fs::copy(EXAMPLE, directory.join("a.yaml")).unwrap();
    std::fs::copy(EXAMPLE, directory.join("b.yaml")).unwrap();
    let size = std::fs::metadata(EXAMPLE).unwrap().len();
    todo_ai(&home)
        .env("TODO_AI_SNAPSHOT_MAX_BYTES", (size * 3 / 2).to_string())
        .args(["--snapshot", directory.to_str().unwrap(), "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than the snapshot limit"));
    todo_ai(&home).args(["--snapshot", directory.to_str().unwrap(), "status"]).assert().code(0);
}

#[test]
fn links_in_a_snapshot_directory_are_not_followed() {
    let home = tempfile::tempdir().unwrap();
    let outside = home.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(
        outside.join("private.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: from-outside, namespace: todo}\nspec: {containers: [{name: c, image: x}]}\n",
    )
    .unwrap();
    let directory = home.path().join("snap");
    std::fs::create_dir(&directory).unwrap();
    std::fs::copy(EXAMPLE, directory.join("todo.yaml")).unwrap();
    std::os::unix::fs::symlink(outside.join("private.yaml"), directory.join("linked.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", directory.join("zero.yaml")).unwrap();
    todo_ai(&home)
        .args(["--snapshot", directory.to_str().unwrap(), "-n", "todo", "status"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("todo-backend").and(predicate::str::contains("from-outside").not()));
}

#[test]
fn an_alias_bomb_is_refused_within_bounds() {
    // 50 KB of YAML whose aliases expand a 10 KB string through 8,000 pods: 1.2 GB before.
    let home = tempfile::tempdir().unwrap();
    let long = "x".repeat(10_000);
    let mut text = format!(
        "apiVersion: v1\nkind: List\nitems:\n- &p {{apiVersion: v1, kind: Pod, metadata: {{name: p, labels: {{a: &s \"{long}\", b: *s, c: *s}}}}, spec: {{containers: [{{name: *s, image: *s}}, {{name: *s, image: *s}}]}}}}\n"
    );
    text.push_str(&"- *p\n".repeat(8_000));
    let bomb = home.path().join("bomb.yaml");
    std::fs::write(&bomb, text).unwrap();
    todo_ai(&home)
        .args(["--snapshot", bomb.to_str().unwrap(), "-n", "default", "status"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("the YAML expands beyond the snapshot limits")
                .or(predicate::str::contains("needs more memory than its budget allows")),
        );
}

#[test]
fn fix_shows_its_proposals_and_what_the_guard_would_do_on_a_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/manifests/examples/bad-rollout.yaml");
    let output = todo_ai(&home).args(["--snapshot", bad, "fix", "backend"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "a critical problem is left on a snapshot");
    let filters = vec![(r"`[^`]*/manifests/examples/", "`manifests/examples/")];
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("fix_text", format!(
            "--- stdout\n{}--- stderr\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    });
    let output = todo_ai(&home).args(["--snapshot", bad, "-o", "json", "fix", "backend"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    insta::with_settings!({filters => vec![(r"`[^`]*/manifests/examples/", "`manifests/examples/")]}, {
        insta::assert_json_snapshot!("fix_json", json);
    });
    // Diagnose lists the same fix, as data too.
    let output = todo_ai(&home).args(["--snapshot", bad, "-o", "json", "diagnose"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let remediation = &json["findings"][0]["remediations"][0];
    assert_eq!(remediation["tool"], "rollout_undo");
    assert_eq!(
        remediation["args"],
        serde_json::json!({"deployment": "todo-backend", "revision": 2, "namespace": "todo"})
    );
}
