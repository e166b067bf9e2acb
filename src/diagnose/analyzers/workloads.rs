//! Workloads: rollouts past their progress deadline, Deployments and StatefulSets short of
//! their replicas, and ReplicaSets the API refuses pods to (quota, admission).

use super::{Code, Finding, Inventory, Severity, finding, object};
use crate::cluster::model;

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for deployment in &inventory.deployments {
        let deployment_ref = object("Deployment", &deployment.metadata);
        let desired = deployment.desired();
        let available = deployment.status.available_replicas.unwrap_or(0);
        let progressing = model::condition(&deployment.status.conditions, "Progressing");
        if let Some(progressing) = progressing.filter(|c| c.reason == "ProgressDeadlineExceeded") {
            let message = &progressing.message;
            let mut f = finding(
                Code::RolloutStuck,
                Severity::Critical,
                deployment_ref.clone(),
                format!("the rollout exceeded its progress deadline: {message}"),
            );
            f.evidence.push(format!("condition Progressing=False reason=ProgressDeadlineExceeded: {message}"));
            f.fix.push(format!(
                "fix the new pods (see the pod findings), or roll back: `todo-ai rollout undo {} -n {}`",
                deployment_ref.name, deployment_ref.namespace
            ));
            f.workload = Some(deployment_ref.clone());
            findings.push(f);
        }
        if desired > 0 && available < desired {
            let mut f = finding(
                Code::DeploymentUnavailable,
                Severity::Warning,
                deployment_ref.clone(),
                format!("{available} of {desired} replicas available"),
            );
            f.evidence.push(format!("status.availableReplicas={available} spec.replicas={desired}"));
            f.fix.push("see the findings about its pods for the cause".into());
            f.workload = Some(deployment_ref.clone());
            findings.push(f);
        }
    }
    for replicaset in &inventory.replicasets {
        let failure = model::condition(&replicaset.status.conditions, "ReplicaFailure").filter(|c| c.status == "True");
        if let Some(failure) = failure {
            let message = &failure.message;
            let mut f = finding(
                Code::ReplicaCreateFailed,
                Severity::Critical,
                object("ReplicaSet", &replicaset.metadata),
                format!("cannot create pods: {message}"),
            );
            f.evidence.push(format!("condition ReplicaFailure=True reason={}: {message}", failure.reason));
            f.fix.push(if message.contains("exceeded quota") {
                "lower the pods' requests/limits or raise the ResourceQuota (`kubectl describe resourcequota`)".into()
            } else {
                "read the admission error and fix the pod template (policy, quota, service account)".into()
            });
            if let Some(owner) = replicaset.metadata.owner_references.first() {
                f.related.push(format!("{}/{}", owner.kind, owner.name));
                f.workload = Some(super::ObjectRef {
                    kind: owner.kind.clone(),
                    name: owner.name.clone(),
                    namespace: inventory.namespace().to_string(),
                });
            }
            findings.push(f);
        }
    }
    for set in &inventory.statefulsets {
        let desired = set.spec.replicas.unwrap_or(1);
        let ready = set.status.ready_replicas.unwrap_or(0);
        if desired > 0 && ready < desired {
            let set_ref = object("StatefulSet", &set.metadata);
            let mut f = finding(
                Code::StatefulSetUnavailable,
                Severity::Warning,
                set_ref.clone(),
                format!("{ready} of {desired} replicas ready"),
            );
            f.evidence.push(format!("status.readyReplicas={ready} spec.replicas={desired}"));
            f.fix.push("see the findings about its pods and volume claims".into());
            f.workload = Some(set_ref);
            findings.push(f);
        }
    }
}
