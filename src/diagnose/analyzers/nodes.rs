//! Nodes: not Ready, or under memory, disk or PID pressure.

use super::{Code, Finding, Inventory, ObjectRef, Severity, finding};
use crate::cluster::model;

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for node in &inventory.nodes {
        let node_ref = ObjectRef { kind: "Node".into(), name: node.metadata.name.clone(), namespace: String::new() };
        let conditions = &node.status.conditions;
        let ready = model::condition(conditions, "Ready");
        if let Some(ready) = ready.filter(|c| c.status != "True") {
            let reason = format!("{}: {}", ready.reason, ready.message);
            let mut f = finding(
                Code::NodeNotReady,
                Severity::Critical,
                node_ref.clone(),
                format!("node is not Ready ({reason})"),
            );
            f.evidence.push(format!("condition Ready={} {reason}", ready.status));
            f.fix.push(format!("check the kubelet on the node (`kubectl describe node {}`; for minikube `minikube ssh -n {} -- sudo systemctl status kubelet`)", node_ref.name, node_ref.name));
            findings.push(f);
        }
        for pressure in ["MemoryPressure", "DiskPressure", "PIDPressure"] {
            if model::condition_true(conditions, pressure) {
                let mut f = finding(
                    Code::NodePressure,
                    Severity::Warning,
                    node_ref.clone(),
                    format!("node reports {pressure}; pods may be evicted"),
                );
                f.evidence.push(format!("condition {pressure}=True"));
                f.fix.push("free resources on the node or add capacity".into());
                findings.push(f);
            }
        }
    }
}
