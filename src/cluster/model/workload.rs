//! Workload views: Deployments (replicas, strategy, annotations, conditions, template),
//! their ReplicaSets (revision, owner, template images and resources, replica counts),
//! StatefulSets, DaemonSets and HorizontalPodAutoscalers (autoscaling/v2 and v1).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::budget::{list, map, optional_text, text};
use super::{Condition, IntOrString, Meta, PodSpec, nullable};

/// The annotation that numbers a Deployment's revisions (on it and on its ReplicaSets).
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";

/// A label selector (`matchLabels`; `matchExpressions` are not evaluated).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LabelSelector {
    /// Labels that must all match.
    #[serde(deserialize_with = "map")]
    pub match_labels: BTreeMap<String, String>,
}

impl LabelSelector {
    /// Whether `labels` satisfy it (an empty selector matches nothing here).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        selects(&self.match_labels, labels)
    }
}

/// Whether `labels` satisfy an equality selector (a map, or pairs in the order written); an
/// empty selector matches nothing.
pub fn selects<'a>(
    selector: impl IntoIterator<Item = (&'a String, &'a String)>,
    labels: &BTreeMap<String, String>,
) -> bool {
    let mut empty = true;
    let all = selector.into_iter().all(|(key, value)| {
        empty = false;
        labels.get(key) == Some(value)
    });
    all && !empty
}

/// A pod template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodTemplate {
    /// Its labels and annotations.
    #[serde(deserialize_with = "nullable")]
    pub metadata: Meta,
    /// Its pod spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: PodSpec,
}

impl PodTemplate {
    /// The images of its containers, in order.
    pub fn images(&self) -> Vec<&str> {
        self.spec.containers.iter().map(|c| c.image.as_str()).collect()
    }
}

/// A Deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Deployment {
    /// Metadata (annotations carry the revision).
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: DeploymentSpec,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: DeploymentStatus,
}

/// A Deployment's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentSpec {
    /// Desired replicas (the API default is 1).
    pub replicas: Option<i64>,
    /// Which pods it owns.
    #[serde(deserialize_with = "nullable")]
    pub selector: LabelSelector,
    /// How it rolls out.
    #[serde(deserialize_with = "nullable")]
    pub strategy: Strategy,
    /// The pod template.
    #[serde(deserialize_with = "nullable")]
    pub template: PodTemplate,
}

/// A rollout strategy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Strategy {
    /// `RollingUpdate` or `Recreate`.
    #[serde(rename = "type", deserialize_with = "optional_text")]
    pub type_: Option<String>,
    /// Surge and unavailability bounds.
    pub rolling_update: Option<RollingUpdate>,
}

/// Rolling update bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RollingUpdate {
    /// Extra pods allowed during a rollout.
    pub max_surge: Option<IntOrString>,
    /// Pods allowed to be unavailable during a rollout.
    pub max_unavailable: Option<IntOrString>,
}

/// A Deployment's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentStatus {
    /// Pods it has.
    pub replicas: Option<i64>,
    /// Ready pods.
    pub ready_replicas: Option<i64>,
    /// Pods of the current template.
    pub updated_replicas: Option<i64>,
    /// Available pods.
    pub available_replicas: Option<i64>,
    /// The generation the controller has seen.
    pub observed_generation: Option<i64>,
    /// `Available`, `Progressing`, `ReplicaFailure`.
    #[serde(deserialize_with = "list")]
    pub conditions: Vec<Condition>,
}

impl Deployment {
    /// Desired replicas (1 when unset).
    pub fn desired(&self) -> i64 {
        self.spec.replicas.unwrap_or(1)
    }

    /// Its revision annotation, if it parses.
    pub fn revision(&self) -> Option<i64> {
        self.metadata.annotations.get(REVISION_ANNOTATION).and_then(|r| r.parse().ok())
    }
}

/// A ReplicaSet: one revision of a Deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplicaSet {
    /// Metadata (owner, revision annotation, creation time).
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: ReplicaSetSpec,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: ReplicaSetStatus,
}

/// A ReplicaSet's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplicaSetSpec {
    /// Desired replicas.
    pub replicas: Option<i64>,
    /// Which pods it owns.
    #[serde(deserialize_with = "nullable")]
    pub selector: LabelSelector,
    /// The revision's pod template (images, resources).
    #[serde(deserialize_with = "nullable")]
    pub template: PodTemplate,
}

/// A ReplicaSet's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplicaSetStatus {
    /// Pods it has.
    #[serde(deserialize_with = "nullable")]
    pub replicas: i64,
    /// Ready pods.
    pub ready_replicas: Option<i64>,
    /// Available pods.
    pub available_replicas: Option<i64>,
    /// `ReplicaFailure`.
    #[serde(deserialize_with = "list")]
    pub conditions: Vec<Condition>,
}

impl ReplicaSet {
    /// Its revision annotation, if it parses.
    pub fn revision(&self) -> Option<i64> {
        self.metadata.annotations.get(REVISION_ANNOTATION).and_then(|r| r.parse().ok())
    }
}

/// A StatefulSet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StatefulSet {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: StatefulSetSpec,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: StatefulSetStatus,
}

/// A StatefulSet's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StatefulSetSpec {
    /// Desired replicas (the API default is 1).
    pub replicas: Option<i64>,
    /// Which pods it owns.
    #[serde(deserialize_with = "nullable")]
    pub selector: LabelSelector,
    /// The pod template.
    #[serde(deserialize_with = "nullable")]
    pub template: PodTemplate,
}

/// A StatefulSet's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StatefulSetStatus {
    /// Pods it has.
    #[serde(deserialize_with = "nullable")]
    pub replicas: i64,
    /// Ready pods.
    pub ready_replicas: Option<i64>,
}

/// A DaemonSet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DaemonSet {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: DaemonSetSpec,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: DaemonSetStatus,
}

/// A DaemonSet's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DaemonSetSpec {
    /// Which pods it owns.
    #[serde(deserialize_with = "nullable")]
    pub selector: LabelSelector,
    /// The pod template (its node selector is a column of `status`).
    #[serde(deserialize_with = "nullable")]
    pub template: PodTemplate,
}

/// A DaemonSet's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DaemonSetStatus {
    /// Nodes that should run it.
    #[serde(deserialize_with = "nullable")]
    pub desired_number_scheduled: i64,
    /// Nodes that run it.
    #[serde(deserialize_with = "nullable")]
    pub current_number_scheduled: i64,
    /// Nodes where it is ready.
    #[serde(deserialize_with = "nullable")]
    pub number_ready: i64,
    /// Nodes that run the current template.
    pub updated_number_scheduled: Option<i64>,
    /// Nodes where it is available.
    pub number_available: Option<i64>,
}

/// A HorizontalPodAutoscaler (autoscaling/v2, or v1's CPU target).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HorizontalPodAutoscaler {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: HpaSpec,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: HpaStatus,
}

/// An autoscaler's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HpaSpec {
    /// What it scales.
    #[serde(deserialize_with = "nullable")]
    pub scale_target_ref: ScaleTargetReference,
    /// The floor (the API default is 1).
    pub min_replicas: Option<i64>,
    /// The ceiling.
    #[serde(deserialize_with = "nullable")]
    pub max_replicas: i64,
    /// Metrics (v2).
    #[serde(deserialize_with = "list")]
    pub metrics: Vec<Metric>,
    /// The CPU target (v1).
    pub target_cpu_utilization_percentage: Option<i64>,
}

/// The workload an autoscaler scales.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ScaleTargetReference {
    /// Its API version.
    #[serde(deserialize_with = "text")]
    pub api_version: String,
    /// Its kind.
    #[serde(deserialize_with = "text")]
    pub kind: String,
    /// Its name.
    #[serde(deserialize_with = "text")]
    pub name: String,
}

/// One autoscaling metric (only resource metrics are kept in detail).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Metric {
    /// `Resource`, `Pods`, `Object`, `External`, `ContainerResource`.
    #[serde(rename = "type", deserialize_with = "text")]
    pub type_: String,
    /// A resource metric (cpu, memory).
    pub resource: Option<ResourceMetric>,
}

/// A resource metric.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceMetric {
    /// `cpu` or `memory`.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// The target.
    #[serde(deserialize_with = "nullable")]
    pub target: MetricTarget,
}

/// A metric target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MetricTarget {
    /// `Utilization`, `AverageValue` or `Value`.
    #[serde(rename = "type", deserialize_with = "text")]
    pub type_: String,
    /// Percent of the request.
    pub average_utilization: Option<i64>,
}

/// An autoscaler's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HpaStatus {
    /// Replicas now.
    pub current_replicas: Option<i64>,
    /// Replicas it wants.
    #[serde(deserialize_with = "nullable")]
    pub desired_replicas: i64,
    /// `AbleToScale`, `ScalingActive`, `ScalingLimited` (v2).
    #[serde(deserialize_with = "list")]
    pub conditions: Vec<Condition>,
}

impl HorizontalPodAutoscaler {
    /// Its CPU utilisation target, from either API version.
    pub fn cpu_target(&self) -> Option<i64> {
        self.spec
            .metrics
            .iter()
            .filter_map(|metric| metric.resource.as_ref())
            .find(|resource| resource.name == "cpu")
            .and_then(|resource| resource.target.average_utilization)
            .or(self.spec.target_cpu_utilization_percentage)
    }
}
