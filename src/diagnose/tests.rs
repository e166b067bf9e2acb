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
