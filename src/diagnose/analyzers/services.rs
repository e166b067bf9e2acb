//! Services: a selector that matches no pods, pods that are none of them ready, and target
//! ports that match no port the selected pods declare.

use std::collections::{BTreeSet, HashSet};

use super::{Code, Finding, Inventory, Severity, finding, object};
use crate::cluster::model::{ContainerPort, IntOrString, Pod, Service, json_number, selects};

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for service in &inventory.services {
        analyze_service(inventory, service, findings);
    }
}

fn analyze_service(inventory: &Inventory<'_>, service: &Service, findings: &mut Vec<Finding>) {
    let spec = &service.spec;
    if spec.type_.as_deref() == Some("ExternalName") || spec.selector.is_empty() {
        return;
    }
    let selector = &spec.selector;
    let service_ref = object("Service", &service.metadata);
    // Only the pods that carry the selector's rarest label can match all of it.
    let candidates = selector
        .iter()
        .map(|(key, value)| inventory.pods_labelled(key, value))
        .min_by_key(|pods| pods.len())
        .unwrap_or(&[]);
    let pods: Vec<&Pod> = candidates
        .iter()
        .copied()
        .filter(|p| p.status.phase != "Succeeded" && selects(selector.iter().map(|(k, v)| (k, v)), &p.metadata.labels))
        .collect();
    let ready_pods = pods.iter().filter(|p| p.is_ready()).count();
    let selector_text = selector.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    // Target ports against the selected pods' container ports.
    let container_ports: Vec<&ContainerPort> =
        pods.iter().flat_map(|p| &p.spec.containers).flat_map(|c| &c.ports).collect();
    if !container_ports.is_empty() {
        for port in &spec.ports {
            let target = port.target_port.clone().or(port.port.map(IntOrString::Int));
            let matches = match &target {
                Some(IntOrString::Int(number)) => container_ports.iter().any(|p| p.container_port == *number),
                Some(IntOrString::String(name)) => container_ports.iter().any(|p| p.name.as_deref() == Some(name)),
                None => true,
            };
            if matches {
                continue;
            }
            let declared = container_ports
                .iter()
                .map(|p| match &p.name {
                    Some(name) => format!("{name}:{}", p.container_port),
                    None => p.container_port.to_string(),
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ");
            let target_text = match &target {
                Some(IntOrString::Int(number)) => number.to_string(),
                Some(IntOrString::String(name)) => name.clone(),
                None => "null".to_string(),
            };
            let mut f = finding(
                Code::ServiceTargetPortMismatch,
                Severity::Critical,
                service_ref.clone(),
                format!(
                    "port {} targets {target_text}, but the selected pods expose {declared}",
                    json_number(port.port)
                ),
            );
            f.evidence.push(format!(
                "spec.ports[{}].targetPort={target_text}; pod containerPorts: {declared}",
                port.name.as_deref().unwrap_or_default()
            ));
            f.fix.push(format!("set the Service's targetPort to the container port (`kubectl edit service {} -n {}` or the chart's `port` value)", service_ref.name, service_ref.namespace));
            findings.push(f);
        }
    }
    let endpoints = inventory.endpoints.iter().find(|e| e.metadata.name == service_ref.name);
    let ready_addresses = endpoints.map_or(ready_pods, |e| e.ready_addresses);
    if ready_addresses == 0 {
        let (message, severity) = if pods.is_empty() {
            (format!("selector {selector_text} matches no pods"), Severity::Critical)
        } else {
            (format!("none of the {} pods it selects is ready", pods.len()), Severity::Warning)
        };
        // The pods' own findings explain a Service whose pods are not ready.
        let pod_names: HashSet<String> = pods.iter().map(|p| format!("Pod/{}", p.metadata.name)).collect();
        for pod_finding in
            findings.iter_mut().filter(|f| f.object.kind == "Pod" && pod_names.contains(&f.object.display()))
        {
            pod_finding.related.push(service_ref.display());
        }
        let mut f = finding(Code::ServiceNoEndpoints, severity, service_ref.clone(), message);
        f.evidence.push(format!("endpoints {}: no ready addresses; selector {selector_text}", service_ref.name));
        f.fix.push(if pods.is_empty() {
            format!(
                "make the selector match the pods' labels (`kubectl get pods -n {} --show-labels`)",
                service_ref.namespace
            )
        } else {
            "fix the pods (see their findings); the Service recovers when they are ready".into()
        });
        findings.push(f);
    }
}
