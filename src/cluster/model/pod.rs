//! The pod view: what the containers are (images, ports, resources, the Secrets and
//! ConfigMaps they reference, the claims they mount) and what the kubelet reports about them
//! (phase, conditions, each container's state, last termination and restarts).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::budget::{list, map, optional_text, text};
use super::{Condition, Meta, Timestamp, nullable};

/// A pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Pod {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// What should run.
    #[serde(deserialize_with = "nullable")]
    pub spec: PodSpec,
    /// What runs.
    #[serde(deserialize_with = "nullable")]
    pub status: PodStatus,
}

/// A pod's spec (also a workload's pod template spec).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodSpec {
    /// App containers.
    #[serde(deserialize_with = "list")]
    pub containers: Vec<Container>,
    /// Init containers (with `restartPolicy: Always`, sidecars).
    #[serde(deserialize_with = "list")]
    pub init_containers: Vec<Container>,
    /// Volumes (only the references that can be missing are kept).
    #[serde(deserialize_with = "list")]
    pub volumes: Vec<Volume>,
    /// The node it was scheduled to.
    #[serde(deserialize_with = "text")]
    pub node_name: String,
    /// Node labels it requires.
    #[serde(deserialize_with = "map")]
    pub node_selector: BTreeMap<String, String>,
}

/// One container of a spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Container {
    /// Name.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// Image reference.
    #[serde(deserialize_with = "text")]
    pub image: String,
    /// Declared ports.
    #[serde(deserialize_with = "list")]
    pub ports: Vec<ContainerPort>,
    /// Requests and limits.
    #[serde(deserialize_with = "nullable")]
    pub resources: Resources,
    /// Environment variables: names and references only (values are never kept).
    #[serde(deserialize_with = "list")]
    pub env: Vec<EnvVar>,
    /// Whole Secrets/ConfigMaps as environment.
    #[serde(deserialize_with = "list")]
    pub env_from: Vec<EnvFromSource>,
    /// `Always` for a sidecar init container.
    #[serde(deserialize_with = "optional_text")]
    pub restart_policy: Option<String>,
}

/// A declared container port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContainerPort {
    /// Its name, if any.
    #[serde(deserialize_with = "optional_text")]
    pub name: Option<String>,
    /// The port number.
    #[serde(deserialize_with = "nullable")]
    pub container_port: i64,
}

/// Resource requests and limits (`cpu: 100m`, `memory: 128Mi`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Resources {
    /// Requests.
    #[serde(deserialize_with = "map")]
    pub requests: BTreeMap<String, String>,
    /// Limits.
    #[serde(deserialize_with = "map")]
    pub limits: BTreeMap<String, String>,
}

/// An environment variable: its name and where its value comes from (never the value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvVar {
    /// Name.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// A Secret or ConfigMap key it reads.
    pub value_from: Option<EnvVarSource>,
}

/// Where an environment variable's value comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvVarSource {
    /// A Secret key.
    pub secret_key_ref: Option<KeyReference>,
    /// A ConfigMap key.
    pub config_map_key_ref: Option<KeyReference>,
}

/// A reference to one key of a Secret or ConfigMap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KeyReference {
    /// The object's name.
    #[serde(deserialize_with = "optional_text")]
    pub name: Option<String>,
    /// The key.
    #[serde(deserialize_with = "optional_text")]
    pub key: Option<String>,
}

/// A whole Secret or ConfigMap as environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvFromSource {
    /// A Secret.
    pub secret_ref: Option<NameReference>,
    /// A ConfigMap.
    pub config_map_ref: Option<NameReference>,
}

/// A reference by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NameReference {
    /// The name.
    #[serde(deserialize_with = "optional_text")]
    pub name: Option<String>,
}

/// A volume: the claim, Secret or ConfigMap it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Volume {
    /// Name.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// A PersistentVolumeClaim.
    pub persistent_volume_claim: Option<VolumeClaimReference>,
    /// A Secret.
    pub secret: Option<SecretVolume>,
    /// A ConfigMap.
    pub config_map: Option<NameReference>,
}

/// A claim a volume mounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VolumeClaimReference {
    /// The claim's name.
    #[serde(deserialize_with = "text")]
    pub claim_name: String,
}

/// A Secret a volume mounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretVolume {
    /// The Secret's name.
    #[serde(deserialize_with = "optional_text")]
    pub secret_name: Option<String>,
}

/// What the kubelet reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodStatus {
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    #[serde(deserialize_with = "text")]
    pub phase: String,
    /// Why it is in this state (`Evicted`, `NodeLost` …).
    #[serde(deserialize_with = "text")]
    pub reason: String,
    /// Details.
    #[serde(deserialize_with = "text")]
    pub message: String,
    /// Conditions (`PodScheduled`, `Ready` …).
    #[serde(deserialize_with = "list")]
    pub conditions: Vec<Condition>,
    /// App containers.
    #[serde(deserialize_with = "list")]
    pub container_statuses: Vec<ContainerStatus>,
    /// Init containers.
    #[serde(deserialize_with = "list")]
    pub init_container_statuses: Vec<ContainerStatus>,
}

/// One container's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContainerStatus {
    /// Container name.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// Whether it passes its readiness probe.
    #[serde(deserialize_with = "nullable")]
    pub ready: bool,
    /// Whether it has started (startup probe passed).
    pub started: Option<bool>,
    /// Restarts so far.
    #[serde(deserialize_with = "nullable")]
    pub restart_count: i64,
    /// The image it runs.
    #[serde(deserialize_with = "text")]
    pub image: String,
    /// Now.
    #[serde(deserialize_with = "nullable")]
    pub state: ContainerState,
    /// The previous instance.
    #[serde(deserialize_with = "nullable")]
    pub last_state: ContainerState,
}

/// A container state: at most one of waiting, running, terminated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContainerState {
    /// Waiting (`CrashLoopBackOff`, `ImagePullBackOff` …).
    pub waiting: Option<Waiting>,
    /// Running.
    pub running: Option<Running>,
    /// Terminated (exit code, `OOMKilled` …).
    pub terminated: Option<Terminated>,
}

/// A waiting container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Waiting {
    /// Why.
    #[serde(deserialize_with = "text")]
    pub reason: String,
    /// Details.
    #[serde(deserialize_with = "text")]
    pub message: String,
}

/// A running container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Running {
    /// Since when.
    pub started_at: Option<Timestamp>,
}

/// A terminated container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Terminated {
    /// Exit code.
    #[serde(deserialize_with = "nullable")]
    pub exit_code: i64,
    /// Why (`Error`, `OOMKilled`, `StartError`, `Completed` …).
    #[serde(deserialize_with = "text")]
    pub reason: String,
    /// Details (the termination message).
    #[serde(deserialize_with = "text")]
    pub message: String,
    /// The signal that ended it.
    pub signal: Option<i64>,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
}

impl Pod {
    /// A container of the spec by name.
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.spec.containers.iter().find(|c| c.name == name)
    }

    /// Whether the pod's `Ready` condition is `True`.
    pub fn is_ready(&self) -> bool {
        super::condition_true(&self.status.conditions, "Ready")
    }
}
