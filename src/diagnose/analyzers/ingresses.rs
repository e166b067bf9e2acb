//! Ingresses: a class no controller serves, backends whose Service or port does not exist,
//! and TLS Secrets that are missing.
//!
//! An IngressClass names the controller that serves an Ingress. When the class is not among
//! those that exist, nothing serves it. "None exist" is only known when a live LIST of
//! IngressClasses succeeded and came back empty; a snapshot without IngressClass objects
//! may simply not have included them, so there the class is reported as not checked.

use super::{Code, Finding, Inventory, Severity, finding, object};
use crate::cluster::model::{Ingress, ServiceBackendPort};

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for ingress in &inventory.ingresses {
        analyze_ingress(inventory, ingress, findings);
    }
}

fn analyze_ingress(inventory: &Inventory<'_>, ingress: &Ingress, findings: &mut Vec<Finding>) {
    let ingress_ref = object("Ingress", &ingress.metadata);
    let spec = &ingress.spec;
    if let Some(class) = &spec.ingress_class_name {
        class_finding(inventory, &ingress_ref, class, findings);
    }
    let mut backends: Vec<(&str, Option<&ServiceBackendPort>)> = Vec::new();
    if let Some(service) = spec.default_backend.as_ref().and_then(|b| b.service.as_ref()) {
        backends.push((&service.name, service.port.as_ref()));
    }
    // A path may route to a resource instead of a Service; only Service backends are checked.
    let paths = spec.rules.iter().filter_map(|rule| rule.http.as_ref()).flat_map(|http| &http.paths);
    for service in paths.filter_map(|path| path.backend.service.as_ref()) {
        backends.push((&service.name, service.port.as_ref()));
    }
    for (service_name, port) in backends {
        let service = inventory.services.iter().find(|s| s.metadata.name == service_name);
        let problem = match service {
            None => Some(format!("backend Service `{service_name}` does not exist")),
            Some(service) => {
                let ports = &service.spec.ports;
                let number = port.and_then(|p| p.number);
                let name = port.and_then(|p| p.name.as_deref());
                let found = if let Some(number) = number {
                    ports.iter().any(|p| p.port == Some(number))
                } else if let Some(name) = name {
                    ports.iter().any(|p| p.name.as_deref() == Some(name))
                } else {
                    true
                };
                (!found).then(|| {
                    format!(
                        "backend Service `{service_name}` has no port {}",
                        number.map_or_else(|| name.unwrap_or_default().to_string(), |n| n.to_string())
                    )
                })
            }
        };
        if let Some(problem) = problem {
            let mut f = finding(Code::IngressBackendMissing, Severity::Critical, ingress_ref.clone(), problem.clone());
            f.evidence.push(format!("spec.rules backend service={service_name}"));
            f.fix.push(
                "point the Ingress at an existing Service and port (the chart's `/` → frontend, `/api` → backend)"
                    .into(),
            );
            findings.push(f);
        }
    }
    for secret in spec.tls.iter().filter_map(|tls| tls.secret_name.as_deref()) {
        // Only when Secrets could be listed at all (RBAC may hide them).
        if !inventory.has("Secret", secret) && !inventory.secrets.is_empty() {
            let mut f = finding(
                Code::IngressTlsSecretMissing,
                Severity::Warning,
                ingress_ref.clone(),
                format!("TLS Secret `{secret}` does not exist; the controller serves its default certificate"),
            );
            f.evidence.push(format!("spec.tls.secretName={secret}"));
            f.fix.push(format!("create it: `kubectl create secret tls {secret} --cert=tls.crt --key=tls.key -n {}` or use cert-manager", ingress_ref.namespace));
            findings.push(f);
        }
    }
}

fn class_finding(inventory: &Inventory<'_>, ingress_ref: &super::ObjectRef, class: &str, findings: &mut Vec<Finding>) {
    let none_listed = inventory.ingress_classes.is_empty();
    if !none_listed && inventory.has("IngressClass", class) {
        return;
    }
    if none_listed && !inventory.source.ingress_classes_listed {
        let mut f = finding(
            Code::IngressClassUnchecked,
            Severity::Info,
            ingress_ref.clone(),
            format!("IngressClass `{class}` could not be checked: the snapshot has no IngressClass objects"),
        );
        f.evidence.push(format!("spec.ingressClassName={class}; no IngressClass in the snapshot"));
        f.fix.push(
            "include IngressClasses in the snapshot (`kubectl get ingressclass -o yaml`), or run against the cluster"
                .into(),
        );
        findings.push(f);
        return;
    }
    let message = if none_listed {
        format!(
            "IngressClass `{class}` does not exist (the cluster has no IngressClass at all), so no controller serves this Ingress"
        )
    } else {
        format!("IngressClass `{class}` does not exist, so no controller serves this Ingress")
    };
    let mut f = finding(Code::IngressClassMissing, Severity::Critical, ingress_ref.clone(), message);
    f.evidence.push(format!("spec.ingressClassName={class}"));
    if none_listed {
        f.evidence.push("ingressclasses: the list is empty".into());
    }
    f.fix.push("install the ingress controller (`minikube addons enable ingress`) or set `ingress.className` to an existing class".into());
    findings.push(f);
}
