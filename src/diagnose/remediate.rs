//! Typed remediations: for the findings with a safe, typed fix, the call to a vetted tool
//! that applies it, why, and the evidence it rests on. Pure rules over the inventory — no
//! model, no free-form commands. Findings without a safe typed fix (a missing Secret or
//! ConfigMap, a selector that matches nothing, …) get none: their `fix` lines are the manual
//! steps, and secret values are never typed into todo-ai.
//!
//! The rules:
//! - ImagePullBackOff, CrashLoopBackOff, ProbeFailing on pods of the newest ReplicaSet, or a
//!   RolloutStuck Deployment, when that ReplicaSet is not fully available and an older
//!   revision exists: roll back to the newest older revision that still serves pods, else to
//!   the revision the latest rollout replaced.
//! - OOMKilled: raise that container's memory limit — double it, within the ceiling
//!   (`TODO_AI_MAX_MEMORY`); requests are left alone, so they stay under the limit.
//! - HpaMaxedOut: raise the autoscaler's ceiling — double it, within `--max-replicas`.
//! - A Service that routes to a Deployment scaled to 0: scale it back to its earlier count
//!   (todo-ai's own record of it, else an older ReplicaSet's desired count, else 1).

use serde::Serialize;
use serde_json::Value;

use super::inventory::Inventory;
use super::{Code, Finding};
use crate::cluster::model::{Deployment, ReplicaSet};
use crate::quantity::Quantity;
use crate::tools::{self, Tool};
use crate::validate::Limits;

/// The annotation todo-ai's `scale` leaves on a Deployment it scales to 0: the count before.
pub const REPLICAS_BEFORE_ZERO: &str = "todo-ai.io/replicas-before-zero";

/// A typed fix: a call to a vetted tool, with why and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remediation {
    /// The tool.
    pub tool: &'static str,
    /// Its arguments (built from the tool's typed argument struct).
    pub args: Value,
    /// Why this fixes the finding.
    pub reason: String,
    /// What it rests on.
    pub evidence: Vec<String>,
}

impl Remediation {
    fn call<T: Tool>(_: &'static T, args: &T::Args, reason: String, evidence: Vec<String>) -> Option<Remediation> {
        Some(Remediation { tool: T::NAME, args: serde_json::to_value(args).ok()?, reason, evidence })
    }
}

/// Attaches remediations to the findings that have a safe typed fix.
pub fn attach(inventory: &Inventory<'_>, findings: &mut [Finding], limits: &Limits) {
    for finding in findings.iter_mut() {
        finding.remediations = propose(inventory, finding, limits).into_iter().collect();
    }
}

fn propose(inventory: &Inventory<'_>, finding: &Finding, limits: &Limits) -> Option<Remediation> {
    match finding.code {
        Code::ImagePullBackOff | Code::CrashLoopBackOff | Code::ProbeFailing => {
            let pod = inventory
                .pods
                .iter()
                .find(|p| finding.object.kind == "Pod" && p.metadata.name == finding.object.name)?;
            let owner = pod.metadata.owner_references.iter().find(|o| o.kind == "ReplicaSet")?;
            let failing = inventory.replicaset(&owner.name)?;
            let deployment = owning_deployment(inventory, failing)?;
            roll_back(inventory, deployment, failing, finding)
        }
        Code::RolloutStuck => {
            let deployment = inventory.deployments.iter().find(|d| d.metadata.name == finding.object.name)?;
            let newest = history(inventory, deployment).into_iter().last()?;
            roll_back(inventory, deployment, newest, finding)
        }
        Code::OomKilled => raise_memory(inventory, finding, limits),
        Code::HpaMaxedOut => raise_ceiling(inventory, finding, limits),
        Code::ServiceNoEndpoints => scale_back_up(inventory, finding),
        _ => None,
    }
}

/// The Deployment that owns a ReplicaSet.
fn owning_deployment<'a>(inventory: &Inventory<'a>, replicaset: &ReplicaSet) -> Option<&'a Deployment> {
    let owner = replicaset.metadata.owner_references.iter().find(|o| o.kind == "Deployment")?;
    inventory.deployments.iter().copied().find(|d| d.metadata.name == owner.name)
}

/// A Deployment's ReplicaSets with revisions, oldest first.
fn history<'a>(inventory: &Inventory<'a>, deployment: &Deployment) -> Vec<&'a ReplicaSet> {
    let mut owned: Vec<&ReplicaSet> = inventory
        .replicasets
        .iter()
        .copied()
        .filter(|rs| {
            rs.metadata.owner_references.iter().any(|o| {
                o.kind == "Deployment"
                    && (o.uid == deployment.metadata.uid && !o.uid.is_empty() || o.name == deployment.metadata.name)
            })
        })
        .filter(|rs| rs.revision().is_some())
        .collect();
    owned.sort_by_key(|rs| rs.revision());
    owned
}

fn replicaset_line(rs: &ReplicaSet) -> String {
    format!(
        "ReplicaSet {} (revision {}, image {}): {}/{} available",
        rs.metadata.name,
        rs.revision().unwrap_or(0),
        rs.spec.template.images().join(", "),
        rs.status.available_replicas.unwrap_or(0),
        rs.spec.replicas.unwrap_or(0)
    )
}

/// Roll back when the failure came with the latest rollout: the failing ReplicaSet is the
/// newest revision, it is not fully available, and an older revision exists.
fn roll_back(
    inventory: &Inventory<'_>,
    deployment: &Deployment,
    failing: &ReplicaSet,
    finding: &Finding,
) -> Option<Remediation> {
    let history = history(inventory, deployment);
    let newest = history.last()?;
    if newest.metadata.name != failing.metadata.name {
        return None;
    }
    let desired = failing.spec.replicas.unwrap_or(0);
    if desired > 0 && failing.status.available_replicas.unwrap_or(0) >= desired {
        return None;
    }
    let older: Vec<&&ReplicaSet> = history.iter().rev().skip(1).collect();
    // The newest older revision that still serves pods proves it works; else the one the
    // latest rollout replaced.
    let (target, proven) = match older.iter().find(|rs| rs.status.available_replicas.unwrap_or(0) > 0) {
        Some(serving) => (serving, true),
        None => (older.first()?, false),
    };
    let revision = target.revision()?;
    let name = &deployment.metadata.name;
    let namespace = inventory.namespace();
    let mut evidence = vec![replicaset_line(failing), replicaset_line(target)];
    evidence.retain(|line| !line.is_empty());
    let reason = if proven {
        format!(
            "{} began with the latest rollout (revision {}); revision {revision} still serves pods, so rolling back restores a version that works",
            finding.code,
            failing.revision().unwrap_or(0)
        )
    } else {
        format!(
            "{} began with the latest rollout (revision {}); rolling back returns to revision {revision}, which it replaced",
            finding.code,
            failing.revision().unwrap_or(0)
        )
    };
    let args = tools::RolloutUndoArgs {
        deployment: name.clone(),
        revision: Some(revision),
        namespace: Some(namespace.to_string()),
    };
    Remediation::call(&tools::RolloutUndo, &args, reason, evidence)
}

/// Double the container's memory limit, within the ceiling.
fn raise_memory(inventory: &Inventory<'_>, finding: &Finding, limits: &Limits) -> Option<Remediation> {
    let workload = finding.workload.as_ref().filter(|w| w.kind == "Deployment")?;
    let deployment = inventory.deployments.iter().find(|d| d.metadata.name == workload.name)?;
    let containers = &deployment.spec.template.spec.containers;
    let container = match &finding.container {
        Some(name) => containers.iter().find(|c| &c.name == name)?,
        None => match containers.as_slice() {
            [only] => only,
            _ => return None,
        },
    };
    let current_text = container.resources.limits.get("memory")?;
    let current = Quantity::parse(current_text).ok()?;
    let doubled = current.times(2);
    let raised = if doubled.milli <= limits.max_memory_milli {
        doubled
    } else if limits.max_memory_milli > current.milli {
        Quantity { milli: limits.max_memory_milli, format: current.format }
    } else {
        return None;
    };
    let requests = container.resources.requests.get("memory").cloned();
    let mut evidence = vec![format!("container `{}` limits.memory={current_text}", container.name)];
    if let Some(request) = &requests {
        evidence.push(format!("requests.memory={request} (stays under the new limit)"));
    }
    let capped = if raised == doubled { "" } else { " (capped at the memory ceiling)" };
    let reason = format!(
        "the container was killed for using more than its {current_text} memory limit; raising it to {raised}{capped} gives it room"
    );
    let args = tools::SetResourcesArgs {
        deployment: deployment.metadata.name.clone(),
        container: Some(container.name.clone()),
        requests: None,
        limits: Some(tools::Amounts { cpu: None, memory: Some(raised.to_string()) }),
        namespace: Some(inventory.namespace().to_string()),
    };
    Remediation::call(&tools::SetResources, &args, reason, evidence)
}

/// Double an autoscaler's ceiling, within `--max-replicas`.
fn raise_ceiling(inventory: &Inventory<'_>, finding: &Finding, limits: &Limits) -> Option<Remediation> {
    let hpa = inventory.hpas.iter().find(|h| h.metadata.name == finding.object.name)?;
    let target = &hpa.spec.scale_target_ref;
    if target.kind != "Deployment" {
        return None;
    }
    let max = hpa.spec.max_replicas;
    let raised = (max * 2).min(limits.max_replicas);
    if raised <= max {
        return None;
    }
    let args = tools::AutoscaleArgs {
        deployment: target.name.clone(),
        min: hpa.spec.min_replicas,
        max: raised,
        cpu_percent: hpa.cpu_target(),
        namespace: Some(inventory.namespace().to_string()),
    };
    let reason =
        format!("the autoscaler runs at its ceiling of {max} replicas; raising it to {raised} lets it follow the load");
    Remediation::call(&tools::Autoscale, &args, reason, finding.evidence.clone())
}

/// A Service that routes to a Deployment scaled to 0: scale it back to its earlier count.
fn scale_back_up(inventory: &Inventory<'_>, finding: &Finding) -> Option<Remediation> {
    let service = inventory.services.iter().find(|s| s.metadata.name == finding.object.name)?;
    let selector = &service.spec.selector;
    if selector.is_empty() {
        return None;
    }
    let deployment = inventory.deployments.iter().find(|d| {
        d.desired() == 0
            && crate::cluster::model::selects(selector.iter().map(|(k, v)| (k, v)), &d.spec.template.metadata.labels)
    })?;
    let (replicas, source) = earlier_count(inventory, deployment);
    let name = &deployment.metadata.name;
    let args = tools::ScaleArgs {
        deployment: name.clone(),
        replicas: Some(replicas),
        change: None,
        namespace: Some(inventory.namespace().to_string()),
    };
    let reason = format!(
        "Service {} routes to deployment {name}, which is scaled to 0 replicas; scaling it back to {replicas} ({source}) gives the Service endpoints",
        finding.object.name
    );
    let evidence =
        vec![format!("deployment {name}: spec.replicas=0"), format!("service selector matches its pod template")];
    Remediation::call(&tools::Scale, &args, reason, evidence)
}

/// The count a Deployment had before it went to 0: todo-ai's record, else the newest older
/// ReplicaSet's desired count, else 1 (the least that serves).
fn earlier_count(inventory: &Inventory<'_>, deployment: &Deployment) -> (i64, &'static str) {
    if let Some(count) = deployment
        .metadata
        .annotations
        .get(REPLICAS_BEFORE_ZERO)
        .and_then(|text| text.parse::<i64>().ok())
        .filter(|count| *count > 0)
    {
        return (count, "the count todo-ai recorded when it scaled it to 0");
    }
    let recorded = history(inventory, deployment).iter().rev().find_map(|rs| {
        rs.metadata
            .annotations
            .get("deployment.kubernetes.io/desired-replicas")
            .and_then(|text| text.parse::<i64>().ok())
            .filter(|count| *count > 0)
    });
    match recorded {
        Some(count) => (count, "the count its ReplicaSets last recorded"),
        None => (1, "no earlier count is recorded; 1 is the least that serves"),
    }
}

#[cfg(test)]
mod tests {
    use crate::cluster::model::Objects;
    use crate::cluster::snapshot;
    use crate::diagnose::{Code, analyze};
    use serde_json::json;

    fn load(text: &str) -> Objects {
        let mut objects = Objects::default();
        snapshot::parse(text, &mut objects).unwrap();
        objects
    }

    /// A deployment at revision 3 (image `api:3`, failing as `waiting`) whose revision 2
    /// (`api:2`) still has `serving` pods available.
    fn rollout(waiting: &str, serving: i64) -> String {
        format!(
            r#"
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: api, namespace: shop, uid: d1, annotations: {{deployment.kubernetes.io/revision: "3"}}}}
  spec: {{replicas: 2, selector: {{matchLabels: {{app: api}}}}, template: {{metadata: {{labels: {{app: api}}}}, spec: {{containers: [{{name: app, image: "api:3"}}]}}}}}}
  status: {{replicas: 3, updatedReplicas: 1, availableReplicas: {serving}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {{name: api-r1, namespace: shop, annotations: {{deployment.kubernetes.io/revision: "1"}}, ownerReferences: [{{kind: Deployment, name: api, uid: d1}}]}}
  spec: {{replicas: 0, template: {{spec: {{containers: [{{name: app, image: "api:1"}}]}}}}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {{name: api-r2, namespace: shop, annotations: {{deployment.kubernetes.io/revision: "2"}}, ownerReferences: [{{kind: Deployment, name: api, uid: d1}}]}}
  spec: {{replicas: {serving}, template: {{spec: {{containers: [{{name: app, image: "api:2"}}]}}}}}}
  status: {{replicas: {serving}, availableReplicas: {serving}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {{name: api-r3, namespace: shop, annotations: {{deployment.kubernetes.io/revision: "3"}}, ownerReferences: [{{kind: Deployment, name: api, uid: d1}}]}}
  spec: {{replicas: 1, template: {{spec: {{containers: [{{name: app, image: "api:3"}}]}}}}}}
  status: {{replicas: 1, availableReplicas: 0}}
- apiVersion: v1
  kind: Pod
  metadata: {{name: api-r3-xyz, namespace: shop, labels: {{app: api}}, ownerReferences: [{{kind: ReplicaSet, name: api-r3}}]}}
  spec: {{containers: [{{name: app, image: "api:3"}}]}}
  status:
    phase: Pending
    containerStatuses:
    - {{name: app, ready: false, restartCount: 0, image: "api:3", state: {{waiting: {{reason: {waiting}, message: "failed"}}}}}}
"#
        )
    }

    fn remediations(objects: &Objects, code: Code) -> Vec<super::Remediation> {
        let report = analyze(objects, "shop", None);
        report.findings.into_iter().filter(|f| f.code == code).flat_map(|f| f.remediations).collect()
    }

    #[test]
    fn a_failure_that_came_with_the_latest_rollout_rolls_back_to_the_revision_that_serves() {
        for (waiting, code) in
            [("ImagePullBackOff", Code::ImagePullBackOff), ("CrashLoopBackOff", Code::CrashLoopBackOff)]
        {
            let found = remediations(&load(&rollout(waiting, 2)), code);
            assert_eq!(found.len(), 1, "{waiting}: {found:?}");
            assert_eq!(found[0].tool, "rollout_undo");
            assert_eq!(found[0].args, json!({"deployment": "api", "revision": 2, "namespace": "shop"}));
            assert!(found[0].reason.contains("revision 2 still serves pods"), "{}", found[0].reason);
            assert!(found[0].evidence.iter().any(|line| line.contains("api-r2 (revision 2, image api:2): 2/2")));
        }
        // Nothing serves any more: back to the revision the rollout replaced.
        let found = remediations(&load(&rollout("ImagePullBackOff", 0)), Code::ImagePullBackOff);
        assert_eq!(found[0].args["revision"], 2);
        assert!(found[0].reason.contains("which it replaced"), "{}", found[0].reason);
    }

    #[test]
    fn a_failure_on_an_older_revision_or_without_history_has_no_automatic_fix() {
        // The failing pod belongs to revision 2, not the newest: the rollout did not cause it.
        let older = rollout("ImagePullBackOff", 2).replace(
            "ownerReferences: [{kind: ReplicaSet, name: api-r3}]",
            "ownerReferences: [{kind: ReplicaSet, name: api-r2}]",
        );
        assert!(remediations(&load(&older), Code::ImagePullBackOff).is_empty());
        // Only one revision: nothing to go back to.
        let single = rollout("ImagePullBackOff", 2)
            .replace("annotations: {deployment.kubernetes.io/revision: \"1\"}", "annotations: {}")
            .replace("annotations: {deployment.kubernetes.io/revision: \"2\"}", "annotations: {}");
        assert!(remediations(&load(&single), Code::ImagePullBackOff).is_empty());
    }

    const OOM: &str = r#"
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, namespace: shop, uid: d1}
  spec: {replicas: 1, selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {containers: [{name: app, image: "api:1", resources: {requests: {memory: 128Mi}, limits: {memory: 256Mi}}}]}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: api-r1, namespace: shop, ownerReferences: [{kind: Deployment, name: api, uid: d1}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: api-r1-abc, namespace: shop, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api-r1}]}
  spec: {containers: [{name: app, image: "api:1"}]}
  status:
    phase: Running
    containerStatuses:
    - {name: app, ready: false, restartCount: 3, image: "api:1", state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated: {exitCode: 137, reason: OOMKilled}}}
"#;

    #[test]
    fn an_oom_kill_doubles_the_memory_limit_within_the_ceiling() {
        let found = remediations(&load(OOM), Code::OomKilled);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].tool, "set_resources");
        assert_eq!(
            found[0].args,
            json!({"deployment": "api", "container": "app", "limits": {"memory": "512Mi"}, "namespace": "shop"})
        );
        // A ceiling below double caps it; one at the current limit leaves no automatic fix.
        let objects = load(OOM);
        let report = |ceiling: i128| {
            let source = crate::diagnose::inventory::Source {
                ceilings: crate::validate::Limits { max_memory_milli: ceiling, ..Default::default() },
                ..Default::default()
            };
            crate::diagnose::analyze_with(&objects, "shop", None, source)
                .findings
                .into_iter()
                .filter(|f| f.code == Code::OomKilled)
                .flat_map(|f| f.remediations)
                .collect::<Vec<_>>()
        };
        let capped = report(384 * (1 << 20) * 1000);
        assert_eq!(capped[0].args["limits"]["memory"], "384Mi");
        assert!(report(256 * (1 << 20) * 1000).is_empty());
    }

    #[test]
    fn a_service_routing_to_a_deployment_at_zero_scales_it_back() {
        let objects = load(
            r#"
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop, uid: w1, annotations: {todo-ai.io/replicas-before-zero: "3"}}
  spec: {replicas: 0, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "web:1"}]}}}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
"#,
        );
        let found = remediations(&objects, Code::ServiceNoEndpoints);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].args, json!({"deployment": "web", "replicas": 3, "namespace": "shop"}));
        assert!(found[0].reason.contains("the count todo-ai recorded"), "{}", found[0].reason);
    }
}
