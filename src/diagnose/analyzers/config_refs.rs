//! Config references: the Secrets and ConfigMaps (and keys) a pod's containers and volumes
//! name that do not exist. Names come from the spec and are checked against names and key
//! names only — secret values are never read.

use super::{Code, Finding, Inventory, ObjectRef, Severity, finding};
use crate::cluster::model::{KeyedObject, Pod};

/// Which kind a reference names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Secret,
    ConfigMap,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Secret => "Secret",
            Kind::ConfigMap => "ConfigMap",
        }
    }

    fn code(self) -> Code {
        match self {
            Kind::Secret => Code::MissingSecret,
            Kind::ConfigMap => Code::MissingConfigMap,
        }
    }
}

/// Every Secret/ConfigMap reference of a pod: kind, name and key (if one key is named).
fn references(pod: &Pod) -> Vec<(Kind, String, Option<String>)> {
    let mut references = Vec::new();
    for container in pod.spec.containers.iter().chain(&pod.spec.init_containers) {
        for from in container.env.iter().filter_map(|env| env.value_from.as_ref()) {
            if let Some(secret) = &from.secret_key_ref
                && let Some(name) = &secret.name
            {
                references.push((Kind::Secret, name.clone(), secret.key.clone()));
            }
            if let Some(config) = &from.config_map_key_ref
                && let Some(name) = &config.name
            {
                references.push((Kind::ConfigMap, name.clone(), config.key.clone()));
            }
        }
        for from in &container.env_from {
            if let Some(name) = from.secret_ref.as_ref().and_then(|r| r.name.clone()) {
                references.push((Kind::Secret, name, None));
            }
            if let Some(name) = from.config_map_ref.as_ref().and_then(|r| r.name.clone()) {
                references.push((Kind::ConfigMap, name, None));
            }
        }
    }
    for volume in &pod.spec.volumes {
        if let Some(name) = volume.secret.as_ref().and_then(|s| s.secret_name.clone()) {
            references.push((Kind::Secret, name, None));
        }
        if let Some(name) = volume.config_map.as_ref().and_then(|c| c.name.clone()) {
            references.push((Kind::ConfigMap, name, None));
        }
    }
    references
}

/// Findings for the references of `pod` that do not resolve; `message` is the kubelet's
/// CreateContainerConfigError message, quoted as evidence.
pub(super) fn missing(
    inventory: &Inventory<'_>,
    pod: &Pod,
    pod_ref: &ObjectRef,
    message: &str,
    findings: &mut Vec<Finding>,
) {
    for (kind, reference, key) in references(pod) {
        let candidates: &[&KeyedObject] = match kind {
            Kind::Secret => &inventory.secrets,
            Kind::ConfigMap => &inventory.config_maps,
        };
        let existing = candidates.iter().find(|o| o.metadata.name == reference);
        let problem = match existing {
            None => Some(format!("{} `{reference}` does not exist", kind.name())),
            // Key names only: values are never looked at.
            Some(object) => key
                .as_ref()
                .filter(|key| object.lacks_key(key))
                .map(|key| format!("{} `{reference}` has no key `{key}`", kind.name())),
        };
        let Some(problem) = problem else { continue };
        let object_ref =
            ObjectRef { kind: kind.name().into(), name: reference.clone(), namespace: pod_ref.namespace.clone() };
        if let Some(existing) = findings.iter_mut().find(|f| f.code == kind.code() && f.object == object_ref) {
            existing.related.push(pod_ref.display());
            continue;
        }
        let mut f = finding(kind.code(), Severity::Critical, object_ref, format!("{problem}, but pods reference it"));
        f.evidence.push(format!("pod {}: {message}", pod_ref.name));
        f.fix.push(match kind {
            Kind::Secret => format!("create it without putting values on the command line: `kubectl create secret generic {reference} -n {} --from-env-file=.env`, or set `secrets.existingSecret` in the Helm values", pod_ref.namespace),
            Kind::ConfigMap => format!("create it: `kubectl create configmap {reference} -n {} --from-literal=KEY=value`, or deploy the chart that provides it", pod_ref.namespace),
        });
        f.related.push(pod_ref.display());
        findings.push(f);
    }
}
