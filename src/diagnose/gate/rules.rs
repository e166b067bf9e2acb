//! What each finding code means, for SARIF rules and JUnit: a short description and the
//! general help (each finding's own fix is specific and comes with the result).

use crate::diagnose::Code;

/// The short description and help text of a code.
pub fn describe(code: Code) -> (&'static str, &'static str) {
    match code {
        Code::Evicted => (
            "A pod was evicted (node pressure)",
            "The kubelet evicted the pod because its node ran short of memory, disk or PIDs. Set requests that match real use, and check the node's pressure conditions.",
        ),
        Code::Unschedulable => (
            "A pod cannot be scheduled",
            "No node fits the pod: its requests, node selectors, affinities, taints or volume zones rule every node out. Read the scheduler's event, then lower requests, add capacity or relax the constraint.",
        ),
        Code::InitContainerFailing => (
            "An init container fails, so the app containers never start",
            "An init container exits non-zero or cannot start, so the pod stays in Init. Read its logs and fix what it waits for or runs.",
        ),
        Code::ImagePullBackOff => (
            "An image cannot be pulled",
            "The image name or tag is wrong, the registry is unreachable, or credentials (imagePullSecrets) are missing. Check the image reference and the pull secret.",
        ),
        Code::CreateContainerConfigError => (
            "A container cannot be created (a missing Secret/ConfigMap or key)",
            "The container references a Secret or ConfigMap, or a key in one, that does not exist. Create it or fix the reference.",
        ),
        Code::ContainerStartError => (
            "The runtime could not start a container's process at all",
            "The command or entrypoint does not exist in the image, or is not executable. Check the image's entrypoint and the pod's command.",
        ),
        Code::CrashLoopBackOff => (
            "A container keeps exiting and is restarted with back-off",
            "The process exits soon after starting. Read the previous container's logs and its exit code; configuration and missing dependencies are the usual causes.",
        ),
        Code::OomKilled => (
            "A container was killed for exceeding its memory limit",
            "The container used more memory than its limit. Raise the limit to fit real use, or reduce the app's memory use.",
        ),
        Code::ProbeFailing => (
            "A readiness or liveness probe fails",
            "The probe's path, port or timing does not match the app, or the app is unhealthy. Compare the probe with what the app serves and how long it takes to start.",
        ),
        Code::LogErrors => (
            "Recent log lines of a running container report errors",
            "The container runs but logs errors. Read the quoted lines and the app's logs around them.",
        ),
        Code::MissingSecret => (
            "Pods reference a Secret (or key) that does not exist",
            "Create the Secret (or key) in the namespace, or fix the name the pod spec references.",
        ),
        Code::MissingConfigMap => (
            "Pods reference a ConfigMap (or key) that does not exist",
            "Create the ConfigMap (or key) in the namespace, or fix the name the pod spec references.",
        ),
        Code::RolloutStuck => (
            "A rollout exceeded its progress deadline",
            "The new ReplicaSet's pods do not become available. Fix their root cause, or roll back to the previous revision.",
        ),
        Code::DeploymentUnavailable => (
            "A Deployment has fewer available replicas than desired",
            "Some replicas are not available; the pod findings say why.",
        ),
        Code::ReplicaCreateFailed => (
            "A ReplicaSet cannot create pods (quota, admission)",
            "Pod creation is refused, usually by a ResourceQuota or an admission policy. Read the ReplicaSet's events.",
        ),
        Code::StatefulSetUnavailable => (
            "A StatefulSet has fewer ready replicas than desired",
            "Some replicas are not ready; the pod and claim findings say why.",
        ),
        Code::ServiceTargetPortMismatch => (
            "A Service's target port matches no port of its pods",
            "Set the Service's targetPort to a port the selected pods' containers listen on (number or name).",
        ),
        Code::ServiceNoEndpoints => (
            "A Service has no ready endpoints",
            "The Service's selector matches no ready pod. Check the selector against the pods' labels, and the pods' readiness.",
        ),
        Code::IngressClassMissing => (
            "An Ingress names an IngressClass that does not exist",
            "Install the ingress controller for that class, or set ingressClassName to an existing class.",
        ),
        Code::IngressClassUnchecked => (
            "An Ingress names an IngressClass that could not be checked (none in a snapshot)",
            "Confirm the IngressClass exists on the live cluster.",
        ),
        Code::IngressBackendMissing => (
            "An Ingress backend Service or port does not exist",
            "Point the Ingress rule at an existing Service and one of its ports.",
        ),
        Code::IngressTlsSecretMissing => (
            "An Ingress TLS Secret does not exist",
            "Create the TLS Secret the Ingress names (or let cert-manager issue it).",
        ),
        Code::HpaTargetMissing => {
            ("An autoscaler's target does not exist", "Fix the autoscaler's scaleTargetRef, or delete the autoscaler.")
        }
        Code::HpaMetricsUnavailable => (
            "An autoscaler cannot read metrics",
            "Install metrics-server (or the adapter for custom metrics), and set resource requests on the target's containers.",
        ),
        Code::HpaMaxedOut => (
            "An autoscaler runs at its maximum",
            "The load needs more replicas than maxReplicas allows. Raise the maximum within capacity, or make each replica do more.",
        ),
        Code::PvcPending => (
            "A PersistentVolumeClaim is not bound",
            "No volume matches the claim, or its StorageClass cannot provision one. Check the StorageClass and the provisioner's events.",
        ),
        Code::NodeNotReady => (
            "A node is not Ready",
            "The kubelet on the node is not reporting healthy. Check the node's conditions and the kubelet.",
        ),
        Code::NodePressure => (
            "A node reports memory, disk or PID pressure",
            "The node is short of a resource and may evict pods. Free or add capacity.",
        ),
        Code::PdbBlocksDisruption => (
            "A PodDisruptionBudget allows no disruption",
            "Drains and voluntary evictions will block. Allow at least one disruption, or run more replicas.",
        ),
        Code::JobFailed => ("A Job failed", "The Job reached its backoff limit or deadline. Read its pods' logs."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_described() {
        for code in Code::ALL {
            let (short, help) = describe(code);
            assert!(!short.is_empty() && help.len() > short.len() / 2, "{code}");
        }
    }
}
