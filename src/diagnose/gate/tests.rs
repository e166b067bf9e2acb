//! The gate's pure parts: ids, baseline diff, ignore entries, annotations, JUnit escaping,
//! the watch loop with a fake source and no real time.

use super::*;
use crate::cluster::{Objects, snapshot};
use crate::diagnose::{Code, analyze};

fn load(text: &str) -> Objects {
    let mut objects = Objects::default();
    snapshot::parse(text, &mut objects).unwrap();
    objects
}

/// A crash-looping `api` Deployment whose pod has the given generated suffix, plus a
/// healthy-looking `web` Service with no endpoints when `web` is set.
fn crashing(pod: &str, web: bool) -> String {
    let mut text = format!(
        r#"
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: api, namespace: shop, uid: d1, annotations: {{meta.helm.sh/release-name: shop}}}}
  spec: {{replicas: 1, selector: {{matchLabels: {{app: api}}}}, template: {{spec: {{containers: [{{name: app, image: api:1}}]}}}}}}
  status: {{availableReplicas: 0}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {{name: api-5d9f, namespace: shop, ownerReferences: [{{kind: Deployment, name: api, uid: d1}}]}}
- apiVersion: v1
  kind: Pod
  metadata: {{name: api-5d9f-{pod}, namespace: shop, labels: {{app: api}}, ownerReferences: [{{kind: ReplicaSet, name: api-5d9f}}]}}
  spec: {{containers: [{{name: app, image: api:1}}]}}
  status:
    phase: Running
    containerStatuses:
    - name: app
      ready: false
      restartCount: 4
      image: api:1
      state: {{waiting: {{reason: CrashLoopBackOff}}}}
      lastState: {{terminated: {{exitCode: 1, reason: Error}}}}
"#
    );
    if web {
        text.push_str(
            r#"- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
"#,
        );
    }
    text
}

fn report(pod: &str, web: bool) -> Report {
    analyze(&load(&crashing(pod, web)), "shop", None)
}

fn baseline_of(report: &Report) -> Baseline {
    let json = apply(report.clone(), None, None, "2026-01-01").to_json();
    Baseline::parse(&json.to_string()).unwrap()
}

#[test]
fn ids_are_stable_across_pod_names_and_short_hex() {
    let (a, b) = (report("abcde", false), report("zzzzz", false));
    let crash = |r: &Report| r.findings.iter().find(|f| f.code == Code::CrashLoopBackOff).map(finding_id).unwrap();
    assert_eq!(crash(&a), crash(&b));
    assert_eq!(crash(&a).len(), 16);
    assert!(crash(&a).chars().all(|c| c.is_ascii_hexdigit()));
    // Different identities, different ids.
    let ids: std::collections::HashSet<String> = a.findings.iter().map(finding_id).collect();
    assert_eq!(ids.len(), a.findings.len());
    // FNV-1a 64 of the empty string is its offset basis.
    assert_eq!(id_of(""), "cbf29ce484222325");
}

#[test]
fn json_adds_id_and_keeps_every_field() {
    let plain = serde_json::to_value(report("abcde", false)).unwrap();
    let gated = apply(report("abcde", false), None, None, "2026-01-01").to_json();
    for (before, after) in plain["findings"].as_array().unwrap().iter().zip(gated["findings"].as_array().unwrap()) {
        for (key, value) in before.as_object().unwrap() {
            assert_eq!(&after[key], value, "{key}");
        }
        assert_eq!(after["id"].as_str().unwrap().len(), 16);
        assert!(after.get("status").is_none());
    }
    assert_eq!(gated["summary"], plain["summary"]);
    assert!(gated.get("resolved").is_none());
}

#[test]
fn baseline_marks_new_unchanged_and_resolved() {
    let before = report("abcde", false);
    let baseline = baseline_of(&before);
    // Same fault, new pod name, plus a new Service problem.
    let gated = apply(report("qwert", true), Some(&baseline), None, "2026-01-01");
    let status_of = |code: Code| {
        let index = gated.report.findings.iter().position(|f| f.code == code).unwrap();
        gated.status(index)
    };
    assert_eq!(status_of(Code::CrashLoopBackOff), Status::Unchanged);
    assert_eq!(status_of(Code::ServiceNoEndpoints), Status::New);
    assert!(gated.resolved.is_empty());
    let json = gated.to_json();
    assert_eq!(json["summary"]["new"], 1);
    assert_eq!(json["summary"]["resolved"], 0);
    // Gate on new findings only: the new one fails; the same fault on a new pod does not.
    let new_critical = Threshold { severity: Some(Severity::Critical), new_only: true };
    assert!(gated.failing(new_critical));
    let same = apply(report("asdfg", false), Some(&baseline), None, "2026-01-01");
    assert_eq!(same.count(Status::New), 0);
    assert!(!same.failing(new_critical));
    assert!(!same.failing(Threshold { severity: Some(Severity::Info), new_only: true }));
    assert!(same.failing(Threshold::CRITICAL));
    assert!(!same.failing(Threshold { severity: None, new_only: false }));
    // The fault fixed: everything resolved.
    let fixed = Report { findings: Vec::new(), ..before.clone() };
    let gated = apply(fixed, Some(&baseline), None, "2026-01-01");
    assert_eq!(gated.resolved.len(), before.findings.len());
    assert!(gated.resolved.iter().any(|r| r.code == "CrashLoopBackOff" && r.object.starts_with("Pod/api-5d9f-")));
    let text = render_text(&gated, false);
    assert!(text.contains("Against the baseline: 0 new, 0 unchanged, "), "{text}");
    assert!(text.contains("resolved: CRITICAL CrashLoopBackOff Pod/api-5d9f-abcde"), "{text}");
}

#[test]
fn bad_baselines_are_one_line_errors() {
    assert!(Baseline::parse("not json").unwrap_err().contains("line 1"));
    assert!(Baseline::parse("{\"items\": []}").unwrap_err().contains("findings"));
    assert!(Baseline::parse("{\"findings\": [{\"message\": \"x\"}]}").is_err());
    // A report from before ids: matched by code and object.
    let old = Baseline::parse(
        r#"{"findings": [{"code": "ServiceNoEndpoints", "severity": "warning", "object": {"kind": "Service", "name": "web", "namespace": "shop"}, "message": "m"}]}"#,
    )
    .unwrap();
    assert_eq!(old.without_id, 1);
    let gated = apply(report("abcde", true), Some(&old), None, "2026-01-01");
    let index = gated.report.findings.iter().position(|f| f.code == Code::ServiceNoEndpoints).unwrap();
    assert_eq!(gated.status(index), Status::Unchanged);
}

#[test]
fn globs_and_object_patterns() {
    assert!(ignore::glob("api*", "api-5d9f"));
    assert!(ignore::glob("a?i", "api"));
    assert!(ignore::glob("*", ""));
    assert!(!ignore::glob("api", "api-x"));
    assert!(ignore::glob("*-x*y", "a-xzzy"));
    let object = ObjectRef { kind: "Deployment".into(), name: "api-v2".into(), namespace: "shop".into() };
    assert!(ignore::object_matches("Deployment/shop/api*", &object));
    assert!(ignore::object_matches("deployment/shop/api*", &object));
    assert!(ignore::object_matches("shop/*", &object));
    assert!(ignore::object_matches("Deployment/api-v2", &object));
    assert!(ignore::object_matches("api-*", &object));
    assert!(!ignore::object_matches("Service/shop/*", &object));
    assert!(!ignore::object_matches("other/*", &object));
}

#[test]
fn accepted_findings_are_hidden_and_counted_until_they_expire() {
    let ignore = IgnoreFile::parse(
        ".todo-ai/ignore.yaml",
        "- code: CrashLoopBackOff\n  object: Deployment/shop/api*\n  reason: known, fix in the next sprint\n- code: ServiceNoEndpoints\n  object: shop/web\n  reason: being retired\n  expires: 2026-01-01\n",
    )
    .unwrap();
    let gated = apply(report("abcde", true), None, Some(&ignore), "2025-12-31");
    assert!(!gated.report.findings.iter().any(|f| f.code == Code::CrashLoopBackOff));
    assert!(!gated.report.findings.iter().any(|f| f.code == Code::ServiceNoEndpoints));
    assert_eq!(gated.accepted, 2);
    assert_eq!(gated.ids.len(), gated.report.findings.len());
    assert!(gated.expired.is_empty());
    let text = render_text(&gated, false);
    assert!(text.contains("2 accepted findings hidden (see .todo-ai/ignore.yaml)"), "{text}");
    assert_eq!(gated.to_json()["summary"]["accepted"], 2);
    // On its expiry date the entry hides nothing and is reported.
    let gated = apply(report("abcde", true), None, Some(&ignore), "2026-01-01");
    assert!(gated.report.findings.iter().any(|f| f.code == Code::ServiceNoEndpoints));
    assert_eq!(gated.accepted, 1);
    assert_eq!(gated.expired.len(), 1);
    assert_eq!((gated.expired[0].entry, gated.expired[0].matched), (2, 1));
    let text = render_text(&gated, false);
    assert!(
        text.contains("ignore entry 2 (ServiceNoEndpoints shop/web) in .todo-ai/ignore.yaml expired on 2026-01-01"),
        "{text}"
    );
    assert_eq!(gated.to_json()["expired_ignores"][0]["expires"], "2026-01-01");
    // Counts follow what is shown.
    assert_eq!(
        gated.report.summary.critical + gated.report.summary.warning + gated.report.summary.info,
        gated.report.findings.len()
    );
}

#[test]
fn bad_ignore_entries_name_the_file_and_line() {
    let cases = [
        ("- code: CrashLoopBackOff\n  object: x\n", 1, "missing field `reason`"),
        (
            "- code: CrashLoopBackOff\n  object: x\n  reason: ok\n- code: Nope\n  object: y\n  reason: z\n",
            4,
            "not a finding code",
        ),
        ("- code: HpaMaxedOut\n  object: x\n  reason: ok\n  expires: tomorrow\n", 4, "not a date"),
        ("- code: HpaMaxedOut\n  object: x\n  reason: ''\n", 3, "empty"),
        ("- code: HpaMaxedOut\n  object: x\n  reason: ok\n  because: no\n", 4, "unknown field"),
    ];
    for (text, line, reason) in cases {
        let error = IgnoreFile::parse("ignore.yaml", text).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with(&format!("bad entry in ignore.yaml line {line}: ")), "{message}");
        assert!(message.contains(reason), "{message}");
        assert!(!message.contains('\n'));
    }
    assert!(IgnoreFile::parse("ignore.yaml", "").unwrap().entries.is_empty());
}

#[test]
fn github_annotations_escape_and_cannot_inject() {
    assert_eq!(github::escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
    assert_eq!(github::escape_property("a:b,c"), "a%3Ab%2Cc");
    assert_eq!(github::escape_data("x\u{1b}[31m"), "x\u{FFFD}[31m");
    let mut report = report("abcde", false);
    report.findings[0].message = "boom\n::error::injected 50%".into();
    let gated = apply(report, None, None, "2026-01-01");
    let lines = github::annotations(&gated);
    assert_eq!(lines.lines().count(), gated.report.findings.len());
    assert!(lines.lines().all(|l| l.starts_with("::error title=")
        || l.starts_with("::warning title=")
        || l.starts_with("::notice title=")));
    assert!(lines.contains("boom%0A::error::injected 50%25"), "{lines}");
    // Against a baseline only new findings are annotated.
    let baseline = baseline_of(&gated.report);
    let again = apply(gated.report.clone(), Some(&baseline), None, "2026-01-01");
    assert_eq!(github::annotations(&again), "");
}

#[test]
fn junit_escapes_what_xml_cannot_carry() {
    assert_eq!(junit::escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;\u{FFFD}");
}

#[test]
fn dates_and_times() {
    assert_eq!(date_of(0), "1970-01-01");
    assert_eq!(date_of(951_782_400), "2000-02-29");
    assert_eq!(date_of(1_798_675_200), "2026-12-31");
    assert_eq!(time_of(3_723), "01:02:03");
}

#[test]
fn intervals_are_bounded() {
    assert_eq!(watch::interval("10s").unwrap().as_secs(), 10);
    assert_eq!(watch::interval("1h").unwrap().as_secs(), 3600);
    assert!(watch::interval("1s").unwrap_err().contains("2s..1h"));
    assert!(watch::interval("2h").is_err());
    assert!(watch::interval("soon").is_err());
}

#[test]
fn watch_prints_only_changes_with_a_fake_source() {
    let first = apply(report("aaaaa", false), None, None, "2026-01-01");
    // Round 1: the same fault on a new pod (no change); 2: a Service breaks (new); 3: it
    // fails to diagnose; 4: everything healthy (resolved); then the source ends.
    let healthy = Report { findings: Vec::new(), ..report("aaaaa", false) };
    let mut rounds: std::collections::VecDeque<Result<Report, String>> = [
        Ok(report("bbbbb", false)),
        Ok(report("ccccc", true)),
        Err("connection refused\u{1b}[2J".to_string()),
        Ok(healthy),
    ]
    .into_iter()
    .collect();
    let mut printed = Vec::new();
    let waits = std::cell::Cell::new(0);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let made = runtime.block_on(watch::run(
        &first,
        || {
            let next = rounds.pop_front().map(|r| r.map(|report| apply(report, None, None, "2026-01-01")));
            async move { next }
        },
        || {
            waits.set(waits.get() + 1);
            async { true }
        },
        || format!("t{}", waits.get()),
        |text| printed.push(text.to_string()),
    ));
    assert_eq!(made, 4);
    assert_eq!(waits.get(), 5);
    assert_eq!(printed.len(), 3, "{printed:?}");
    assert!(printed[0].starts_with("[t2] new: CRITICAL ServiceNoEndpoints Service/web (shop): "), "{printed:?}");
    assert!(printed[1].starts_with("[t3] diagnose failed: connection refused"), "{printed:?}");
    assert!(!printed[1].contains('\u{1b}'));
    assert!(printed[2].contains("[t4] resolved: CRITICAL CrashLoopBackOff Pod/api-5d9f-ccccc (shop)"), "{printed:?}");
    assert!(printed[2].contains("[t4] resolved: CRITICAL ServiceNoEndpoints"), "{printed:?}");
    // A wait that returns false (Ctrl-C) stops before diagnosing.
    let mut calls = 0;
    let made = runtime.block_on(watch::run(
        &first,
        || {
            calls += 1;
            async { None::<Result<Gated, String>> }
        },
        || async { false },
        String::new,
        |_| {},
    ));
    assert_eq!((made, calls), (0, 0));
}

#[test]
fn gate_files_that_are_fifos_or_devices_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ignore.yaml");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    assert!(matches!(IgnoreFile::load(&fifo, Links::Follow), Err(IgnoreError::Read { .. })));
    assert!(matches!(Baseline::load(&fifo), Err(BaselineError::Read { .. })));
    assert!(matches!(Baseline::load(std::path::Path::new("/dev/zero")), Err(BaselineError::Read { .. })));
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, vec![b'#'; 2 << 20]).unwrap();
    assert!(matches!(IgnoreFile::load(&big, Links::Follow), Err(IgnoreError::TooLarge { .. })));
    // The repository's default file is not read through a link; one the user names may be.
    let real = dir.path().join("real.yaml");
    std::fs::write(&real, "# nothing accepted\n").unwrap();
    let link = dir.path().join("linked.yaml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert!(matches!(IgnoreFile::load(&link, Links::Refuse), Err(IgnoreError::Read { .. })));
    assert!(IgnoreFile::load(&link, Links::Follow).is_ok());
}

#[test]
fn a_chart_template_that_is_a_fifo_or_a_link_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("chart/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(dir.path().join("chart/Chart.yaml"), "name: shop\n").unwrap();
    std::fs::write(templates.join("deployment.yaml"), "kind: Deployment\n").unwrap();
    // A FIFO with no writer would block a plain read forever (and the CI job with it).
    nix::unistd::mkfifo(&templates.join("service.yaml"), nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let outside = dir.path().join("outside.yaml");
    std::fs::write(&outside, "kind: Secret\n").unwrap();
    std::os::unix::fs::symlink(&outside, templates.join("secret.yaml")).unwrap();
    let index = sarif::ChartIndex::discover(dir.path()).unwrap();
    assert_eq!(index.name, "shop");
    let kinds: Vec<(&str, usize)> = index.templates.iter().map(|(path, kinds)| (path.as_str(), kinds.len())).collect();
    assert_eq!(
        kinds,
        [
            ("chart/templates/deployment.yaml", 1),
            ("chart/templates/secret.yaml", 0),
            ("chart/templates/service.yaml", 0)
        ]
    );
}

#[test]
fn every_sarif_result_has_a_file_even_without_a_chart() {
    let threshold = Threshold { severity: Some(Severity::Critical), new_only: false };
    let gated = apply(report("x1", true), None, None, "2026-12-02");
    let sarif = sarif::render(&gated, None, threshold);
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    // A pod's finding points at its workload (its name outlives the pod's hash).
    assert!(uris.contains(&"kubernetes/shop/Deployment/api"), "{uris:?}");
    assert!(uris.contains(&"kubernetes/shop/Service/web"), "{uris:?}");
    assert!(uris.iter().all(|uri| !uri.contains("x1")), "{uris:?}");
    // A name from a hostile snapshot cannot climb out of the path or break the URI.
    let mut hostile = report("x1", true);
    for finding in &mut hostile.findings {
        finding.workload = None;
        finding.object.name = "../../etc/pass wd".into();
        finding.object.namespace = "..".into();
    }
    let sarif = sarif::render(&apply(hostile, None, None, "2026-12-02"), None, threshold);
    let uri =
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(!uri.split('/').any(|part| part == ".." || part == "." || part.contains(' ')), "{uri}");
}
