//! `tools/<name>.schema.json` are generated from the registry and checked in. This test
//! fails when one is stale; run with `TODO_AI_UPDATE_SCHEMAS=1` to regenerate them.

use todo_ai::tools;

#[test]
fn checked_in_schemas_are_fresh() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools");
    let update = std::env::var_os("TODO_AI_UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for tool in tools::all() {
        let path = dir.join(format!("{}.schema.json", tool.name()));
        let want = tools::schema_file_content(*tool);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale schemas (run `TODO_AI_UPDATE_SCHEMAS=1 cargo test schemas`): {stale:?}");
    // No schema for a tool that no longer exists.
    let names: Vec<String> = tools::all().iter().map(|tool| format!("{}.schema.json", tool.name())).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(names.contains(&name), "`tools/{name}` has no tool in the registry");
    }
}

#[test]
fn the_catalogue_is_the_public_contract() {
    // Names and argument names are relied on by scripts and evaluations.
    let contract: [(&str, &[&str], &[&str]); 15] = [
        ("generate_dockerfile", &["path", "stack", "syntax_directive"], &["path"]),
        ("build_image", &["path", "tag", "minikube", "dockerfile", "target", "build_args", "network"], &["path"]),
        ("helm_install", &["release", "namespace", "values", "set"], &[]),
        ("helm_rollback", &["release", "revision", "namespace"], &[]),
        ("diagnose", &["namespace", "target", "all_namespaces"], &[]),
        ("scale", &["deployment", "replicas", "change", "namespace"], &["deployment"]),
        ("status", &["namespace", "target", "all_namespaces", "images"], &[]),
        ("logs", &["target", "previous", "tail", "since", "namespace"], &["target"]),
        ("events", &["namespace", "target", "warnings_only", "all_namespaces"], &[]),
        ("rollout_restart", &["deployment", "namespace"], &["deployment"]),
        ("rollout_undo", &["deployment", "revision", "namespace"], &["deployment"]),
        ("rollout_status", &["deployment", "namespace"], &["deployment"]),
        ("set_image", &["deployment", "image", "tag", "container", "namespace"], &["deployment"]),
        ("autoscale", &["deployment", "min", "max", "cpu_percent", "namespace"], &["deployment", "max"]),
        ("set_resources", &["deployment", "container", "requests", "limits", "namespace"], &["deployment"]),
    ];
    let names: Vec<&str> = tools::all().iter().map(|tool| tool.name()).collect();
    assert_eq!(names, contract.iter().map(|(name, _, _)| *name).collect::<Vec<_>>());
    for (name, properties, required) in contract {
        let schema = tools::find(name).unwrap().schema();
        let mut got: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        got.sort_unstable();
        let mut want = properties.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{name}");
        let mut got_required: Vec<&str> =
            schema["required"].as_array().map(|r| r.iter().map(|v| v.as_str().unwrap()).collect()).unwrap_or_default();
        got_required.sort_unstable();
        let mut want_required = required.to_vec();
        want_required.sort_unstable();
        assert_eq!(got_required, want_required, "{name}");
    }
}

#[test]
fn unknown_arguments_and_tools_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = crate::support::context(dir.path());
    let error =
        tools::check("scale", serde_json::json!({"deployment": "x", "replicas": 1, "force": true}), &ctx).unwrap_err();
    assert!(error.to_string().contains("unknown field `force`"), "{error}");
    let error = tools::check("shell", serde_json::json!({"command": "rm -rf /"}), &ctx).unwrap_err();
    assert_eq!(error.to_string(), "unknown tool `shell`");
    let error = tools::check("scale", serde_json::json!({"deployment": "x"}), &ctx).unwrap_err();
    // A count or a relative change is required (the schema cannot say "one of").
    assert!(error.to_string().contains("say how many replicas (`replicas`)"), "{error}");
    let error =
        tools::check("scale", serde_json::json!({"deployment": "x", "replicas": 2, "change": "+1"}), &ctx).unwrap_err();
    assert!(error.to_string().contains("either `replicas` or `change`"), "{error}");
    let error = tools::check("set_image", serde_json::json!({"deployment": "x"}), &ctx).unwrap_err();
    assert!(error.to_string().contains("which image (`image`) or which tag (`tag`)"), "{error}");
    let error =
        tools::check("autoscale", serde_json::json!({"deployment": "x", "min": 5, "max": 2}), &ctx).unwrap_err();
    assert!(error.to_string().contains("min (5) must not be greater than max (2)"), "{error}");
}

#[test]
fn the_readme_tool_table_is_the_registry() {
    // The README's table is for people, but it must say what the registry says: every tool,
    // its effect, and exactly its argument names (in order of the schema's properties).
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let rows: Vec<Vec<String>> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| tool | effect | arguments |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.trim_matches('|').split(" | ").map(|cell| cell.trim().to_string()).collect())
        .collect();
    assert_eq!(rows.len(), tools::all().len(), "one README row per registry tool");
    for (tool, row) in tools::all().iter().zip(&rows) {
        assert_eq!(row[0], format!("`{}`", tool.name()));
        assert_eq!(row[1], tool.effect().label(), "{}", tool.name());
        let named: Vec<&str> = row[2]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|name| name.split([':', ' ']).next().unwrap_or_default().trim_end_matches('?'))
            .collect();
        let schema = tool.schema();
        let properties: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(named, properties, "README arguments of `{}`", tool.name());
    }
}
