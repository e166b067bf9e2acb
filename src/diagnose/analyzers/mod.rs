//! The analyzers: one module per area, each reading the typed inventory and adding
//! findings, and the helpers they share (building a finding, quoting an event, finding the
//! workload that owns a pod).

mod autoscalers;
mod budgets;
mod config_refs;
mod containers;
mod exit_codes;
mod ingresses;
mod jobs;
mod nodes;
mod pods;
mod services;
mod volumes;
mod workloads;

pub use exit_codes::explain as explain_exit_code;

use super::{Code, Finding, Inventory, ObjectRef, Severity};
use crate::cluster::model::{Event, Meta, Pod};

/// Runs every analyzer, in a fixed order.
pub fn run(inventory: &Inventory<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    pods::analyze(inventory, &mut findings);
    workloads::analyze(inventory, &mut findings);
    services::analyze(inventory, &mut findings);
    ingresses::analyze(inventory, &mut findings);
    autoscalers::analyze(inventory, &mut findings);
    volumes::analyze(inventory, &mut findings);
    nodes::analyze(inventory, &mut findings);
    budgets::analyze(inventory, &mut findings);
    jobs::analyze(inventory, &mut findings);
    findings
}

/// The reference to an object as findings name it (its own namespace, as recorded).
fn object(kind: &str, meta: &Meta) -> ObjectRef {
    ObjectRef { kind: kind.to_string(), name: meta.name.clone(), namespace: meta.namespace.clone() }
}

/// A new root-cause finding with no evidence, fix or relations yet.
fn finding(code: Code, severity: Severity, object: ObjectRef, message: String) -> Finding {
    Finding {
        code,
        severity,
        object,
        message,
        evidence: Vec::new(),
        fix: Vec::new(),
        related: Vec::new(),
        root_cause: true,
        workload: None,
        container: None,
        remediations: Vec::new(),
    }
}

/// An event as an evidence line.
fn event_line(event: &Event) -> String {
    let count = event.count.filter(|c| *c > 1).map(|c| format!(" (x{c})")).unwrap_or_default();
    format!(
        "event {} {}: {}{count}",
        event.type_.as_deref().unwrap_or_default(),
        event.reason.as_deref().unwrap_or_default(),
        event.message.as_deref().unwrap_or_default().trim()
    )
}

/// The workload that owns a pod (through its ReplicaSet for Deployments).
fn owner_of(inventory: &Inventory<'_>, pod: &Pod) -> Option<ObjectRef> {
    let namespace = inventory.namespace().to_string();
    let Some(owner) = pod.metadata.owner_references.first() else {
        // No owner recorded: the workload whose selector matches the pod's labels.
        let labels = &pod.metadata.labels;
        return inventory
            .deployments
            .iter()
            .find(|w| w.spec.selector.matches(labels))
            .map(|w| ("Deployment", &w.metadata))
            .or_else(|| {
                inventory
                    .statefulsets
                    .iter()
                    .find(|w| w.spec.selector.matches(labels))
                    .map(|w| ("StatefulSet", &w.metadata))
            })
            .or_else(|| {
                inventory
                    .daemonsets
                    .iter()
                    .find(|w| w.spec.selector.matches(labels))
                    .map(|w| ("DaemonSet", &w.metadata))
            })
            .map(|(kind, meta)| ObjectRef { kind: kind.into(), name: meta.name.clone(), namespace });
    };
    if owner.kind == "ReplicaSet" {
        if let Some(deployment) = inventory
            .replicaset(&owner.name)
            .and_then(|rs| rs.metadata.owner_references.iter().find(|o| o.kind == "Deployment"))
        {
            return Some(ObjectRef { kind: "Deployment".into(), name: deployment.name.clone(), namespace });
        }
        // A pod-template-hash suffix: the Deployment is the name before it.
        if let Some((deployment, _)) = owner.name.rsplit_once('-')
            && inventory.has("Deployment", deployment)
        {
            return Some(ObjectRef { kind: "Deployment".into(), name: deployment.into(), namespace });
        }
    }
    Some(ObjectRef { kind: owner.kind.clone(), name: owner.name.clone(), namespace })
}
