//! Autoscalers: a target that does not exist, metrics that cannot be read (so nothing
//! scales), and an autoscaler resting at its ceiling.

use super::{Code, Finding, Inventory, Severity, finding, object};
use crate::cluster::model;

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for hpa in &inventory.hpas {
        let hpa_ref = object("HorizontalPodAutoscaler", &hpa.metadata);
        let target = &hpa.spec.scale_target_ref;
        let (target_kind, target_name) = (target.kind.as_str(), target.name.as_str());
        let target_ref = super::ObjectRef {
            kind: target_kind.to_string(),
            name: target_name.to_string(),
            namespace: inventory.namespace().to_string(),
        };
        if !target_kind.is_empty() && !inventory.has(target_kind, target_name) {
            let mut f = finding(
                Code::HpaTargetMissing,
                Severity::Warning,
                hpa_ref.clone(),
                format!("it scales {target_kind} `{target_name}`, which does not exist"),
            );
            f.evidence.push(format!("spec.scaleTargetRef={target_kind}/{target_name}"));
            f.fix.push("point scaleTargetRef at the right workload or delete the autoscaler".into());
            findings.push(f);
            continue;
        }
        let conditions = &hpa.status.conditions;
        if let Some(active) = model::condition(conditions, "ScalingActive").filter(|c| c.status == "False") {
            let message = &active.message;
            let mut f = finding(
                Code::HpaMetricsUnavailable,
                Severity::Warning,
                hpa_ref.clone(),
                format!("cannot read metrics, so it does not scale: {message}"),
            );
            f.evidence.push(format!("condition ScalingActive=False reason={}: {message}", active.reason));
            f.fix.push(if message.contains("missing request") {
                "set CPU requests on every container of the target (`resources.requests.cpu`)".into()
            } else {
                "make sure metrics-server runs (`minikube addons enable metrics-server`; `kubectl top pods`)".into()
            });
            f.workload = Some(target_ref);
            findings.push(f);
            continue;
        }
        let max = hpa.spec.max_replicas;
        let current = hpa.status.current_replicas.unwrap_or(0);
        let desired = hpa.status.desired_replicas;
        let limited = model::condition(conditions, "ScalingLimited")
            .is_some_and(|c| c.status == "True" && c.reason == "TooManyReplicas");
        if max > 0 && current >= max && (desired >= max || limited) {
            let mut f = finding(
                Code::HpaMaxedOut,
                Severity::Warning,
                hpa_ref.clone(),
                format!("running at its maximum of {max} replicas; load may need more"),
            );
            f.evidence
                .push(format!("status.currentReplicas={current} desiredReplicas={desired} spec.maxReplicas={max}"));
            f.fix.push(format!(
                "raise the ceiling: `todo-ai autoscale {target_name} --max {} -n {}`, or make each pod cheaper",
                max * 2,
                hpa_ref.namespace
            ));
            f.workload = Some(target_ref);
            findings.push(f);
        }
    }
}
