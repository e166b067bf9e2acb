//! Finding codes: one enum, so a typo is a compile error and every code is listed in one
//! place. Each serializes (and prints) as its fixed name, the string scripts match on.

use std::fmt;

use serde::Serialize;

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// A pod was evicted (node pressure).
    Evicted,
    /// A pod cannot be scheduled.
    Unschedulable,
    /// An init container fails, so the app containers never start.
    InitContainerFailing,
    /// An image cannot be pulled.
    ImagePullBackOff,
    /// A container cannot be created (a missing Secret/ConfigMap or key).
    CreateContainerConfigError,
    /// The runtime could not start a container's process at all.
    ContainerStartError,
    /// A container keeps exiting and is restarted with back-off.
    CrashLoopBackOff,
    /// A container was killed for exceeding its memory limit.
    OomKilled,
    /// A readiness or liveness probe fails.
    ProbeFailing,
    /// Recent log lines of a running container report errors.
    LogErrors,
    /// Pods reference a Secret (or key) that does not exist.
    MissingSecret,
    /// Pods reference a ConfigMap (or key) that does not exist.
    MissingConfigMap,
    /// A rollout exceeded its progress deadline.
    RolloutStuck,
    /// A Deployment has fewer available replicas than desired.
    DeploymentUnavailable,
    /// A ReplicaSet cannot create pods (quota, admission).
    ReplicaCreateFailed,
    /// A StatefulSet has fewer ready replicas than desired.
    StatefulSetUnavailable,
    /// A Service's target port matches no port of its pods.
    ServiceTargetPortMismatch,
    /// A Service has no ready endpoints.
    ServiceNoEndpoints,
    /// An Ingress names an IngressClass that does not exist.
    IngressClassMissing,
    /// An Ingress names an IngressClass that could not be checked (none in a snapshot).
    IngressClassUnchecked,
    /// An Ingress backend Service or port does not exist.
    IngressBackendMissing,
    /// An Ingress TLS Secret does not exist.
    IngressTlsSecretMissing,
    /// An autoscaler's target does not exist.
    HpaTargetMissing,
    /// An autoscaler cannot read metrics.
    HpaMetricsUnavailable,
    /// An autoscaler runs at its maximum.
    HpaMaxedOut,
    /// A PersistentVolumeClaim is not bound.
    PvcPending,
    /// A node is not Ready.
    NodeNotReady,
    /// A node reports memory, disk or PID pressure.
    NodePressure,
    /// A PodDisruptionBudget allows no disruption.
    PdbBlocksDisruption,
    /// A Job failed.
    JobFailed,
}

impl Code {
    /// Every code, for documentation and tests.
    pub const ALL: [Code; 30] = [
        Code::Evicted,
        Code::Unschedulable,
        Code::InitContainerFailing,
        Code::ImagePullBackOff,
        Code::CreateContainerConfigError,
        Code::ContainerStartError,
        Code::CrashLoopBackOff,
        Code::OomKilled,
        Code::ProbeFailing,
        Code::LogErrors,
        Code::MissingSecret,
        Code::MissingConfigMap,
        Code::RolloutStuck,
        Code::DeploymentUnavailable,
        Code::ReplicaCreateFailed,
        Code::StatefulSetUnavailable,
        Code::ServiceTargetPortMismatch,
        Code::ServiceNoEndpoints,
        Code::IngressClassMissing,
        Code::IngressClassUnchecked,
        Code::IngressBackendMissing,
        Code::IngressTlsSecretMissing,
        Code::HpaTargetMissing,
        Code::HpaMetricsUnavailable,
        Code::HpaMaxedOut,
        Code::PvcPending,
        Code::NodeNotReady,
        Code::NodePressure,
        Code::PdbBlocksDisruption,
        Code::JobFailed,
    ];

    /// The fixed name (`CrashLoopBackOff`, `OOMKilled` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Evicted => "Evicted",
            Code::Unschedulable => "Unschedulable",
            Code::InitContainerFailing => "InitContainerFailing",
            Code::ImagePullBackOff => "ImagePullBackOff",
            Code::CreateContainerConfigError => "CreateContainerConfigError",
            Code::ContainerStartError => "ContainerStartError",
            Code::CrashLoopBackOff => "CrashLoopBackOff",
            Code::OomKilled => "OOMKilled",
            Code::ProbeFailing => "ProbeFailing",
            Code::LogErrors => "LogErrors",
            Code::MissingSecret => "MissingSecret",
            Code::MissingConfigMap => "MissingConfigMap",
            Code::RolloutStuck => "RolloutStuck",
            Code::DeploymentUnavailable => "DeploymentUnavailable",
            Code::ReplicaCreateFailed => "ReplicaCreateFailed",
            Code::StatefulSetUnavailable => "StatefulSetUnavailable",
            Code::ServiceTargetPortMismatch => "ServiceTargetPortMismatch",
            Code::ServiceNoEndpoints => "ServiceNoEndpoints",
            Code::IngressClassMissing => "IngressClassMissing",
            Code::IngressClassUnchecked => "IngressClassUnchecked",
            Code::IngressBackendMissing => "IngressBackendMissing",
            Code::IngressTlsSecretMissing => "IngressTlsSecretMissing",
            Code::HpaTargetMissing => "HpaTargetMissing",
            Code::HpaMetricsUnavailable => "HpaMetricsUnavailable",
            Code::HpaMaxedOut => "HpaMaxedOut",
            Code::PvcPending => "PvcPending",
            Code::NodeNotReady => "NodeNotReady",
            Code::NodePressure => "NodePressure",
            Code::PdbBlocksDisruption => "PdbBlocksDisruption",
            Code::JobFailed => "JobFailed",
        }
    }

    /// The code of a name, if it is one.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.as_str() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Codes order by name, as reports always have.
impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_to_their_fixed_names_and_back() {
        for code in Code::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
            assert_eq!(Code::parse(code.as_str()), Some(code));
        }
        assert_eq!(Code::OomKilled.to_string(), "OOMKilled");
        assert!(Code::CrashLoopBackOff == "CrashLoopBackOff");
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
