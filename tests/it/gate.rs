//! Diagnose as a CI gate, through the command: baselines from pairs of snapshots (the same
//! fault on a new pod is unchanged, a fixed one resolved, a new one new) and the exit codes
//! of `--fail-on`; accepted findings; SARIF validated against the official 2.1.0 schema;
//! JUnit parsed back; GitHub annotations.

use serde_json::Value;
use tempfile::TempDir;

use crate::support::todo_ai;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn scenario(name: &str) -> String {
    format!("{ROOT}/tests/fixtures/scenarios/{name}.yaml")
}

/// `diagnose -o json` of a snapshot, written to `home/name.json`.
fn baseline(home: &TempDir, snapshot: &str, name: &str) -> String {
    let output = todo_ai(home).args(["diagnose", "--snapshot", snapshot, "-n", "todo", "-o", "json"]).output().unwrap();
    let path = home.path().join(format!("{name}.json"));
    std::fs::write(&path, &output.stdout).unwrap();
    path.display().to_string()
}

/// The crash-loop scenario with its pods renamed (a new ReplicaSet hash and pod suffixes).
fn renamed_pods(home: &TempDir) -> String {
    let text = std::fs::read_to_string(scenario("crashloop-backend")).unwrap();
    let renamed = text.replace("todo-backend-0427955b73-fx329", "todo-backend-0427955b73-zz111");
    let renamed = renamed.replace("todo-backend-0427955b73-3f076", "todo-backend-0427955b73-zz222");
    assert_ne!(text, renamed);
    let path = home.path().join("renamed.yaml");
    std::fs::write(&path, renamed).unwrap();
    path.display().to_string()
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn baseline_pairs_of_snapshots_and_the_new_only_gate() {
    let home = TempDir::new().unwrap();
    let before = baseline(&home, &scenario("crashloop-backend"), "before");
    let base: Value = serde_json::from_str(&std::fs::read_to_string(&before).unwrap()).unwrap();
    assert!(base["findings"].as_array().unwrap().iter().all(|f| f["id"].as_str().is_some_and(|id| id.len() == 16)));

    // The same fault on pods with new names: unchanged, and `new-critical` passes.
    let renamed = renamed_pods(&home);
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &renamed, "-n", "todo", "-o", "json", "--baseline", &before])
        .args(["--fail-on", "new-critical"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = json_of(&output);
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["status"] == "unchanged"), "{report}");
    assert_eq!(report["summary"]["new"], 0);
    assert_eq!(report["summary"]["resolved"], 0);
    // Plain `critical` still fails on them.
    todo_ai(&home)
        .args(["diagnose", "--snapshot", &renamed, "-n", "todo", "--baseline", &before, "--fail-on", "critical"])
        .assert()
        .code(1);

    // Fixed: everything resolved, exit 0.
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("healthy"), "-n", "todo", "--baseline", &before])
        .args(["--fail-on", "new-critical"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let critical = base["summary"]["critical"].as_u64().unwrap() + base["summary"]["warning"].as_u64().unwrap();
    assert!(critical > 0);
    // Two pods of one Deployment with the same fault are one identity, so one resolved line.
    let ids: std::collections::BTreeSet<&str> =
        base["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.len() < base["findings"].as_array().unwrap().len());
    assert!(text.contains(&format!("Against the baseline: 0 new, 0 unchanged, {} resolved", ids.len())), "{text}");
    assert!(text.contains("resolved: CRITICAL CrashLoopBackOff Pod/todo-backend-0427955b73-"), "{text}");

    // A different fault: new, and `new-critical` fails (exit 1); Markdown marks it.
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("missing-secret"), "-n", "todo", "-o", "markdown"])
        .args(["--baseline", &before, "--fail-on", "new-critical"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let markdown = String::from_utf8_lossy(&output.stdout);
    assert!(markdown.contains("(new)") && markdown.contains("**Against the baseline: "), "{markdown}");
    // `new-warning` without a baseline: every finding is new.
    todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("hpa-maxed"), "-n", "todo", "--fail-on", "new-warning"])
        .assert()
        .code(1);
}

#[test]
fn bad_baselines_are_one_line_errors_with_a_hint() {
    let home = TempDir::new().unwrap();
    let bad = home.path().join("bad.json");
    std::fs::write(&bad, "Namespace todo: 1 critical").unwrap();
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("healthy"), "-n", "todo", "--baseline"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: the baseline ") && stderr.contains("is not a `diagnose -o json` report"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: create the baseline with `todo-ai diagnose -n NS -o json > FILE`"), "{stderr}");
    assert_eq!(stderr.lines().next().unwrap().len(), stderr.lines().next().unwrap().trim_end().len());
}

#[test]
fn accepted_findings_are_counted_expired_ones_shown_bad_ones_refused() {
    let home = TempDir::new().unwrap();
    std::fs::create_dir_all(home.path().join(".todo-ai")).unwrap();
    std::fs::write(
        home.path().join(".todo-ai/ignore.yaml"),
        "# accepted\n- code: CrashLoopBackOff\n  object: Deployment/todo/todo-backend*\n  reason: known, tracked in TICKET-1\n- code: '*'\n  object: todo/*\n  reason: old\n  expires: 2000-01-01\n",
    )
    .unwrap();
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("crashloop-backend"), "-n", "todo", "-o", "json"])
        .output()
        .unwrap();
    let report = json_of(&output);
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["code"] != "CrashLoopBackOff"), "{report}");
    assert!(report["summary"]["accepted"].as_u64().unwrap() >= 1);
    assert_eq!(report["expired_ignores"][0]["entry"], 2);
    let text =
        todo_ai(&home).args(["diagnose", "--snapshot", &scenario("crashloop-backend"), "-n", "todo"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("accepted finding") && text.contains("hidden (see .todo-ai/ignore.yaml)"), "{text}");
    assert!(text.contains("ignore entry 2 (* todo/*) in .todo-ai/ignore.yaml expired on 2000-01-01"), "{text}");

    // A bad entry: exit 2, the file and line named.
    let bad = home.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "- code: CrashLoopBackOff\n  object: x\n  reason: ok\n- code: CrashLoop\n  object: y\n  reason: z\n",
    )
    .unwrap();
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("healthy"), "-n", "todo", "--ignore-file"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: bad entry in {} line 4: `CrashLoop` is not a finding code", bad.display())),
        "{stderr}"
    );
}

/// The official SARIF 2.1.0 schema (the OASIS standard's final JSON schema as Microsoft
/// publishes it, `sarif-2.1.0-rtm.5.json`, from the npm package `@microsoft/jest-sarif`).
/// Its `run.language` pattern has a lone `]`, a literal in ECMAScript regexes that the Rust
/// regex engine rejects: it is escaped here, same meaning; nothing else is changed.
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/sarif/sarif-2.1.0-rtm.5.json")).unwrap();
    let lone = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(lone));
    let text = text.replace(lone, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::new(&schema).unwrap()
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema_and_points_at_the_chart() {
    let validator = sarif_validator();
    let home = TempDir::new().unwrap();
    let before = baseline(&home, &scenario("crashloop-backend"), "before");
    let mut results = 0;
    for name in ["crashloop-backend", "missing-secret", "healthy", "ingress-backend-missing", "hpa-maxed"] {
        // From the repository root, where the chart is.
        let output = todo_ai(&home)
            .current_dir(ROOT)
            .args(["diagnose", "--snapshot", &scenario(name), "-n", "todo", "-o", "sarif", "--baseline", &before])
            .output()
            .unwrap();
        let sarif = json_of(&output);
        let errors: Vec<String> =
            validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let run = &sarif["runs"][0];
        let rules: Vec<&str> =
            run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        for result in run["results"].as_array().unwrap() {
            results += 1;
            let rule = result["ruleId"].as_str().unwrap();
            assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize], rule);
            assert_eq!(result["partialFingerprints"]["todoAiFindingId/v1"].as_str().unwrap().len(), 16);
            let logical = &result["locations"][0]["logicalLocations"][0];
            assert!(logical["fullyQualifiedName"].as_str().unwrap().contains("/todo/"), "{logical}");
            // Code scanning refuses a result without a file: every result has one.
            let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri.starts_with("manifests/helm/todo-app/") || uri.starts_with("kubernetes/todo/"), "{uri}");
        }
        if name == "crashloop-backend" {
            // The backend Deployment came from the chart: its template is named.
            let uris: Vec<&str> = run["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
                .collect();
            assert!(uris.contains(&"manifests/helm/todo-app/templates/backend-deployment.yaml"), "{uris:?}");
            assert!(run["results"].as_array().unwrap().iter().all(|r| r["baselineState"] == "unchanged"));
            assert!(rules.contains(&"CrashLoopBackOff"));
            let rule = &run["tool"]["driver"]["rules"][0];
            assert!(rule["help"]["text"].as_str().unwrap().len() > 20);
        }
    }
    assert!(results > 5);
    // The schema rejects what is not SARIF (the test can fail).
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]})));
}

#[test]
fn junit_has_a_case_per_object_and_failures_at_the_threshold() {
    let home = TempDir::new().unwrap();
    let parse = |args: &[&str]| {
        let output = todo_ai(&home).args(["diagnose", "-n", "todo", "-o", "junit"]).args(args).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let xml = parse(&["--snapshot", &scenario("crashloop-backend")]);
    let document = roxmltree::Document::parse(&xml).unwrap();
    let suite = document.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
    let cases: Vec<roxmltree::Node> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(suite.attribute("tests").unwrap().parse::<usize>().unwrap(), cases.len());
    assert!(cases.iter().any(|c| c.attribute("name") == Some("Deployment/todo-backend")));
    assert!(cases.iter().any(|c| c.attribute("name").unwrap().starts_with("Service/")));
    assert!(cases.iter().any(|c| c.attribute("name").unwrap().starts_with("Pod/todo-backend-")));
    let failures: Vec<roxmltree::Node> = document.descendants().filter(|n| n.has_tag_name("failure")).collect();
    assert_eq!(suite.attribute("failures").unwrap().parse::<usize>().unwrap(), failures.len());
    assert!(failures.iter().any(|f| f.attribute("type") == Some("CrashLoopBackOff")));
    // Only critical findings fail by default; `--fail-on warning` fails more.
    let warning = parse(&["--snapshot", &scenario("crashloop-backend"), "--fail-on", "warning"]);
    let more =
        roxmltree::Document::parse(&warning).unwrap().descendants().filter(|n| n.has_tag_name("failure")).count();
    assert!(more > failures.len(), "{more} vs {}", failures.len());
    // A healthy namespace: cases, no failures.
    let healthy = parse(&["--snapshot", &scenario("healthy")]);
    let healthy = roxmltree::Document::parse(&healthy).unwrap();
    assert_eq!(healthy.descendants().filter(|n| n.has_tag_name("failure")).count(), 0);
    assert!(healthy.descendants().filter(|n| n.has_tag_name("testcase")).count() > 3);
}

#[test]
fn github_annotations_follow_the_report() {
    let home = TempDir::new().unwrap();
    let output = todo_ai(&home)
        .env("GITHUB_ACTIONS", "true")
        .args(["diagnose", "--snapshot", &scenario("crashloop-backend"), "-n", "todo"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert!(annotations.iter().any(|l| l.starts_with("::error title=CrashLoopBackOff Pod/todo-backend-")), "{stdout}");
    // With a document on stdout, annotations go to stderr and the document stays valid.
    let output = todo_ai(&home)
        .env("GITHUB_ACTIONS", "true")
        .args(["diagnose", "--snapshot", &scenario("crashloop-backend"), "-n", "todo", "-o", "sarif"])
        .output()
        .unwrap();
    json_of(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("::error title=CrashLoopBackOff"));
    // Not on GitHub: none.
    let output =
        todo_ai(&home).args(["diagnose", "--snapshot", &scenario("crashloop-backend"), "-n", "todo"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&output.stdout).contains("::error"));
}

#[test]
fn watch_refuses_bad_intervals_and_documents() {
    let home = TempDir::new().unwrap();
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("healthy"), "-n", "todo", "--watch", "--interval", "1s"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("outside 2s..1h"));
    let output = todo_ai(&home)
        .args(["diagnose", "--snapshot", &scenario("healthy"), "-n", "todo", "--watch", "-o", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}
