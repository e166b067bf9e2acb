//! The typed model through the analyzers: findings carry their workload and container, and
//! a stable identity that survives a pod's generated name.

use super::*;
use crate::cluster::snapshot;

fn load(text: &str) -> Objects {
    let mut objects = Objects::default();
    snapshot::parse(text, &mut objects).unwrap();
    objects
}

const CRASHING: &str = r#"
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, namespace: shop, uid: d1}
  spec: {replicas: 2, selector: {matchLabels: {app: api}}, template: {spec: {containers: [{name: app, image: api:1}]}}}
  status: {availableReplicas: 0}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: api-5d9f, namespace: shop, ownerReferences: [{kind: Deployment, name: api, uid: d1}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: api-5d9f-abcde, namespace: shop, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api-5d9f}]}
  spec: {containers: [{name: app, image: api:1}]}
  status:
    phase: Running
    containerStatuses:
    - name: app
      ready: false
      restartCount: 4
      image: api:1
      state: {waiting: {reason: CrashLoopBackOff}}
      lastState: {terminated: {exitCode: 1, reason: Error}}
"#;

#[test]
fn findings_know_their_workload_and_container() {
    let report = analyze(&load(CRASHING), "shop", None);
    let crash = report.findings.iter().find(|f| f.code == Code::CrashLoopBackOff).unwrap();
    assert_eq!(crash.workload.as_ref().map(ObjectRef::display).as_deref(), Some("Deployment/api"));
    assert_eq!(crash.container.as_deref(), Some("app"));
    assert_eq!(crash.identity(), "CrashLoopBackOff/Pod/shop/Deployment/api/app");
    // The identity does not depend on the pod's generated name; the JSON is unchanged.
    let json = serde_json::to_value(crash).unwrap();
    assert!(json.get("workload").is_none() && json.get("container").is_none(), "{json}");
    assert_eq!(json["code"], "CrashLoopBackOff");
}

#[test]
fn a_target_keeps_its_findings_and_their_causes() {
    let objects = load(CRASHING);
    let all = analyze(&objects, "shop", None);
    assert!(all.findings.iter().any(|f| f.code == Code::DeploymentUnavailable));
    let narrowed = analyze(&objects, "shop", Some("deploy/API"));
    assert_eq!(narrowed.findings.len(), all.findings.len());
    assert!(analyze(&objects, "shop", Some("frontend")).findings.is_empty());
    assert!(analyze(&objects, "other", None).findings.is_empty());
}

/// A pod whose only container is in the given state, with the given last termination.
fn pod_in(state: &str, last: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Pod
metadata: {{name: web-1, namespace: shop}}
spec: {{containers: [{{name: app, image: web:1, resources: {{limits: {{memory: 64Mi}}}}}}]}}
status:
  phase: Running
  containerStatuses:
  - {{name: app, ready: false, restartCount: 6, image: web:1, state: {state}, lastState: {last}}}
"#
    )
}

fn only(report: &Report) -> &Finding {
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    &report.findings[0]
}

#[test]
fn a_command_that_is_not_found_is_the_kubelets_crash_loop_with_the_code_explained() {
    // What a real kubelet reports for `command: [sh, -c, nosuchcommand]`: the shell starts
    // and exits 127, and the container is in CrashLoopBackOff.
    let report = analyze(
        &load(&pod_in("{waiting: {reason: CrashLoopBackOff}}", "{terminated: {exitCode: 127, reason: Error}}")),
        "shop",
        None,
    );
    let finding = only(&report);
    assert_eq!(finding.code, Code::CrashLoopBackOff);
    assert!(finding.message.contains("exit code 127 (command not found"), "{}", finding.message);
    assert!(finding.fix.iter().any(|f| f.contains("`command`/`args`")), "{:?}", finding.fix);
    for (code, meaning) in [
        (126, "not executable"),
        (137, "SIGKILL"),
        (139, "segmentation fault"),
        (143, "SIGTERM"),
        (1, "application error"),
    ] {
        let last = format!("{{terminated: {{exitCode: {code}, reason: Error}}}}");
        let report = analyze(&load(&pod_in("{waiting: {reason: CrashLoopBackOff}}", &last)), "shop", None);
        let finding = only(&report);
        assert_eq!(finding.code, Code::CrashLoopBackOff, "{code}");
        assert!(finding.message.contains(meaning), "{code}: {}", finding.message);
    }
}

#[test]
fn a_runtime_that_cannot_start_the_process_is_a_start_error() {
    for (state, last) in [
        (
            "{waiting: {reason: RunContainerError, message: 'exec: \"uvicorn\": executable file not found in $PATH'}}",
            "{}",
        ),
        (
            "{waiting: {reason: CrashLoopBackOff}}",
            "{terminated: {exitCode: 128, reason: StartError, message: 'exec format error'}}",
        ),
        ("{waiting: {reason: CrashLoopBackOff}}", "{terminated: {exitCode: 128, reason: ContainerCannotRun}}"),
    ] {
        let report = analyze(&load(&pod_in(state, last)), "shop", None);
        assert_eq!(only(&report).code, Code::ContainerStartError, "{state} {last}");
    }
    let report = analyze(
        &load(&pod_in("{waiting: {reason: CrashLoopBackOff}}", "{terminated: {exitCode: 137, reason: OOMKilled}}")),
        "shop",
        None,
    );
    assert_eq!(only(&report).code, Code::OomKilled);
}

#[test]
fn a_crash_loop_is_reported_between_two_back_offs() {
    // Right after a crash the kubelet reports `terminated` (kubectl: Error), or waiting with no
    // reason yet, before it says CrashLoopBackOff again.
    for (state, last, exit) in [
        ("{terminated: {exitCode: 1, reason: Error}}", "{terminated: {exitCode: 1, reason: Error}}", "exit code 1"),
        ("{terminated: {exitCode: 127, reason: Error}}", "{}", "exit code 127 (command not found"),
        ("{waiting: {}}", "{terminated: {exitCode: 139, reason: Error}}", "segmentation fault"),
        ("{waiting: {reason: ContainerCreating}}", "{terminated: {exitCode: 2, reason: Error}}", "exit code 2"),
    ] {
        let report = analyze(&load(&pod_in(state, last)), "shop", None);
        let finding = only(&report);
        assert_eq!(finding.code, Code::CrashLoopBackOff, "{state} {last}");
        assert!(finding.message.contains(exit) && finding.message.contains("6 restarts"), "{}", finding.message);
        assert!(finding.evidence.iter().any(|line| line.contains("restartCount=6")), "{:?}", finding.evidence);
    }
    let report = analyze(
        &load(&pod_in("{terminated: {exitCode: 128, reason: StartError, message: 'exec format error'}}", "{}")),
        "shop",
        None,
    );
    assert_eq!(only(&report).code, Code::ContainerStartError);
    // Not a crash loop: running again, a clean exit, a first run, a pod being deleted.
    for text in [
        pod_in("{running: {startedAt: '2026-12-02T10:00:00Z'}}", "{terminated: {exitCode: 1, reason: Error}}"),
        pod_in("{terminated: {exitCode: 0, reason: Completed}}", "{terminated: {exitCode: 0, reason: Completed}}"),
        pod_in("{terminated: {exitCode: 1, reason: Error}}", "{}").replace("restartCount: 6", "restartCount: 0"),
        pod_in("{terminated: {exitCode: 143, reason: Error}}", "{}")
            .replace("namespace: shop}", "namespace: shop, deletionTimestamp: '2026-12-02T10:00:00Z'}"),
    ] {
        let report = analyze(&load(&text), "shop", None);
        assert!(report.findings.iter().all(|f| f.code != Code::CrashLoopBackOff), "{text}: {:#?}", report.findings);
    }
}

const INGRESS: &str = r#"
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec: {selector: {app: web}, ports: [{port: 80}]}
- apiVersion: networking.k8s.io/v1
  kind: Ingress
  metadata: {name: web, namespace: shop}
  spec:
    ingressClassName: nginx
    rules:
    - http:
        paths:
        - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
        - {path: /static, pathType: Prefix, backend: {resource: {apiGroup: k8s.example.com, kind: Bucket, name: assets}}}
"#;

#[test]
fn an_ingress_class_is_checked_only_where_it_can_be() {
    let objects = load(INGRESS);
    let codes = |report: &Report| {
        report.findings.iter().filter(|f| f.object.kind == "Ingress").map(|f| (f.code, f.severity)).collect::<Vec<_>>()
    };
    // A snapshot without IngressClass objects cannot tell: information, not a warning.
    let snapshot = analyze(&objects, "shop", None);
    assert_eq!(codes(&snapshot), [(Code::IngressClassUnchecked, Severity::Info)]);
    // A live LIST that succeeded and found none: nothing serves the Ingress.
    let live = analyze_with(&objects, "shop", None, Source { ingress_classes_listed: true, ..Source::default() });
    assert_eq!(codes(&live), [(Code::IngressClassMissing, Severity::Critical)]);
    assert!(live.findings[0].message.contains("no IngressClass at all"), "{}", live.findings[0].message);
    // With classes, only an unknown one is reported.
    let mut with_class = load(INGRESS);
    with_class.append(load("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n"));
    assert!(codes(&analyze(&with_class, "shop", None)).is_empty(), "the resource backend is not a missing Service");
    let mut other_class = load(INGRESS);
    other_class.append(load("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: traefik}\n"));
    assert_eq!(codes(&analyze(&other_class, "shop", None)), [(Code::IngressClassMissing, Severity::Critical)]);
}
