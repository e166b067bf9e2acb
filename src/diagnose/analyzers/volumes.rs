//! Volumes: PersistentVolumeClaims that stay Pending (a StorageClass that does not exist, or
//! the provisioner's own word), and the pods that wait on them.

use super::{Code, Finding, Inventory, Severity, event_line, finding, object};

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for claim in &inventory.claims {
        if claim.status.phase != "Pending" {
            continue;
        }
        let claim_ref = object("PersistentVolumeClaim", &claim.metadata);
        let class = claim.spec.storage_class_name.as_deref();
        let events = inventory.events_for("PersistentVolumeClaim", &claim_ref.name);
        let cause = match class {
            Some(class) if !inventory.storage_classes.is_empty() && !inventory.has("StorageClass", class) => {
                format!("StorageClass `{class}` does not exist")
            }
            _ => events.last().map_or_else(
                || "no volume has been provisioned".to_string(),
                |e| e.message.as_deref().unwrap_or_default().to_string(),
            ),
        };
        let mut f =
            finding(Code::PvcPending, Severity::Critical, claim_ref.clone(), format!("claim is not bound: {cause}"));
        f.evidence.push(format!("status.phase=Pending storageClassName={}", class.unwrap_or("<default>")));
        f.evidence.extend(events.iter().rev().take(1).map(|e| event_line(e)));
        f.fix.push("use an existing StorageClass (`kubectl get storageclass`; minikube has `standard`) or enable a provisioner".into());
        // Pods waiting on this claim are explained by it.
        for pod in &inventory.pods {
            let uses = pod
                .spec
                .volumes
                .iter()
                .any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == claim_ref.name));
            if uses {
                f.related.push(format!("Pod/{}", pod.metadata.name));
            }
        }
        findings.push(f);
    }
}
