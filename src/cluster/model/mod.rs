//! The typed model of cluster state that `status`, `diagnose` and `events` read: slim views of
//! each kind, deserialized straight from API responses and snapshot files with serde. A view
//! keeps only the fields something reads — never `managedFields`, never Secret or ConfigMap
//! values (only their key names), never a whole spec where a few fields do — so a namespace
//! of 10,000 pods fits in a few tens of megabytes.
//!
//! Field names follow the Kubernetes API (camelCase on the wire). An absent or `null` field
//! takes its API default (empty, zero, false); fields whose absence means something
//! (`spec.replicas` defaults to 1, an exit code that was never recorded) are `Option`s.
//! Unknown fields are skipped without being built, so new API versions never break a view.

pub mod budget;
mod compat;
mod network;
mod other;
mod pod;
mod workload;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};

use budget::{list, map, text};

pub use network::{
    Backend, Endpoints, HttpRule, Ingress, IngressClass, IngressPath, IngressRule, IngressSpec, IngressTls, Service,
    ServiceBackend, ServiceBackendPort, ServicePort, ServiceSpec,
};
pub use other::{
    Event, EventSeries, InvolvedObject, Job, JobStatus, KeyedObject, Node, NodeStatus, Other, PersistentVolumeClaim,
    PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus, StorageClass, VolumeClaimSpec,
    VolumeClaimStatus,
};
pub use pod::{
    Container, ContainerPort, ContainerState, ContainerStatus, EnvFromSource, EnvVar, EnvVarSource, KeyReference,
    NameReference, Pod, PodSpec, PodStatus, Resources, Running, SecretVolume, Terminated, Volume, VolumeClaimReference,
    Waiting,
};
pub use workload::{
    DaemonSet, DaemonSetSpec, DaemonSetStatus, Deployment, DeploymentSpec, DeploymentStatus, HorizontalPodAutoscaler,
    HpaSpec, HpaStatus, LabelSelector, Metric, MetricTarget, PodTemplate, REVISION_ANNOTATION, ReplicaSet,
    ReplicaSetSpec, ReplicaSetStatus, ResourceMetric, RollingUpdate, ScaleTargetReference, StatefulSet,
    StatefulSetSpec, StatefulSetStatus, Strategy, selects,
};

/// Absent and `null` both mean the API default (serde's `default` alone covers only absent).
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

thread_local! {
    /// The name of the object being read on this thread, for errors that name it.
    static CURRENT_NAME: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// An object's own metadata: read like any field, and its name remembered so that an error
/// later in the same object can say which object it is.
pub(crate) fn metadata<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Meta, D::Error> {
    let meta: Meta = nullable(deserializer)?;
    CURRENT_NAME.with(|name| *name.borrow_mut() = Some(meta.name.clone()).filter(|n| !n.is_empty()));
    Ok(meta)
}

/// The name of the object being read, if its metadata has been read.
pub(crate) fn take_current_name() -> Option<String> {
    CURRENT_NAME.with(|name| name.borrow_mut().take())
}

/// Forgets the name before the next object.
pub(crate) fn clear_current_name() {
    CURRENT_NAME.with(|name| name.borrow_mut().take());
}

/// A Kubernetes time (`Time` or `MicroTime`) as seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The parser k8s-openapi uses: RFC 3339, any fraction of a second.
        let time = k8s_openapi::jiff::Timestamp::deserialize(deserializer)?;
        Ok(Timestamp(time.as_second()))
    }
}

impl Timestamp {
    /// The same instant as the API type, for the tools that still take API objects.
    pub fn to_time(self) -> Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> {
        k8s_openapi::jiff::Timestamp::from_second(self.0).ok().map(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time)
    }
}

/// An `int-or-string` field (`targetPort: 8080` or `targetPort: http`, `minAvailable: 50%`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntOrString {
    /// A number.
    Int(i64),
    /// A name or a percentage.
    String(String),
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = IntOrString;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("an integer or a string")
            }
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<IntOrString, E> {
                Ok(IntOrString::Int(value))
            }
            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<IntOrString, E> {
                i64::try_from(value).map(IntOrString::Int).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<IntOrString, E> {
                budget::charge::<E>(value.len())?;
                Ok(IntOrString::String(value.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl IntOrString {
    /// As JSON prints it (`8080`, `"50%"`), for evidence lines that quote the field.
    pub fn json(value: Option<&IntOrString>) -> String {
        match value {
            None => "null".to_string(),
            Some(IntOrString::Int(number)) => number.to_string(),
            Some(IntOrString::String(text)) => serde_json::Value::String(text.clone()).to_string(),
        }
    }
}

/// A number as JSON prints it, `null` when absent (evidence quotes the field as found).
pub fn json_number(value: Option<i64>) -> String {
    value.map_or_else(|| "null".to_string(), |number| number.to_string())
}

/// The annotation `kubectl apply` writes: a copy of the whole object, never read, so dropped.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Object metadata: identity, labels, annotations and owners.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Meta {
    /// Name.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// Namespace; empty for cluster-scoped objects and for objects that did not say.
    #[serde(deserialize_with = "text")]
    pub namespace: String,
    /// Unique id.
    #[serde(deserialize_with = "text")]
    pub uid: String,
    /// Labels.
    #[serde(deserialize_with = "map")]
    pub labels: BTreeMap<String, String>,
    /// Annotations, without `kubectl.kubernetes.io/last-applied-configuration`.
    #[serde(deserialize_with = "annotations")]
    pub annotations: BTreeMap<String, String>,
    /// Owners (a pod's ReplicaSet, a ReplicaSet's Deployment).
    #[serde(deserialize_with = "list")]
    pub owner_references: Vec<OwnerReference>,
    /// When it was created.
    pub creation_timestamp: Option<Timestamp>,
    /// When its deletion was requested (it is terminating).
    pub deletion_timestamp: Option<Timestamp>,
    /// The spec generation.
    pub generation: Option<i64>,
}

fn annotations<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error> {
    let mut annotations = budget::map(deserializer)?;
    annotations.remove(LAST_APPLIED);
    Ok(annotations)
}

impl Meta {
    /// The namespace used for filtering: an object that names none is in `default`.
    pub fn namespace_or_default(&self) -> &str {
        if self.namespace.is_empty() { "default" } else { &self.namespace }
    }

    /// The owner that controls it (else the first one).
    pub fn controller(&self) -> Option<&OwnerReference> {
        self.owner_references.iter().find(|o| o.controller).or_else(|| self.owner_references.first())
    }
}

/// One owner reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OwnerReference {
    /// Kind of the owner.
    #[serde(deserialize_with = "text")]
    pub kind: String,
    /// Name of the owner.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// Uid of the owner.
    #[serde(deserialize_with = "text")]
    pub uid: String,
    /// Whether the owner is the managing controller.
    #[serde(deserialize_with = "nullable")]
    pub controller: bool,
}

/// A status condition (pods, workloads, nodes, autoscalers, jobs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    /// Its type (`Ready`, `PodScheduled`, `Progressing` …).
    #[serde(rename = "type", deserialize_with = "text")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    #[serde(deserialize_with = "text")]
    pub status: String,
    /// Machine-readable reason.
    #[serde(deserialize_with = "text")]
    pub reason: String,
    /// Human-readable message.
    #[serde(deserialize_with = "text")]
    pub message: String,
}

/// The condition of a type, if reported.
pub fn condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Whether a condition of that type is `True`.
pub fn condition_true(conditions: &[Condition], type_: &str) -> bool {
    condition(conditions, type_).is_some_and(|c| c.status == "True")
}

/// Every object kind the model reads, by collection; a snapshot or a live namespace.
#[derive(Debug, Clone, Default)]
pub struct Objects {
    /// Pods.
    pub pods: Vec<Pod>,
    /// Deployments.
    pub deployments: Vec<Deployment>,
    /// StatefulSets.
    pub statefulsets: Vec<StatefulSet>,
    /// DaemonSets.
    pub daemonsets: Vec<DaemonSet>,
    /// ReplicaSets.
    pub replicasets: Vec<ReplicaSet>,
    /// Events (core/v1 and events.k8s.io/v1 in one shape), in the order read.
    pub events: Vec<Event>,
    /// HorizontalPodAutoscalers (autoscaling/v2 and v1 in one shape).
    pub hpas: Vec<HorizontalPodAutoscaler>,
    /// Services.
    pub services: Vec<Service>,
    /// Endpoints.
    pub endpoints: Vec<Endpoints>,
    /// Ingresses.
    pub ingresses: Vec<Ingress>,
    /// IngressClasses (cluster-scoped).
    pub ingress_classes: Vec<IngressClass>,
    /// PersistentVolumeClaims.
    pub claims: Vec<PersistentVolumeClaim>,
    /// StorageClasses (cluster-scoped).
    pub storage_classes: Vec<StorageClass>,
    /// Nodes (cluster-scoped).
    pub nodes: Vec<Node>,
    /// PodDisruptionBudgets.
    pub budgets: Vec<PodDisruptionBudget>,
    /// Jobs.
    pub jobs: Vec<Job>,
    /// Secrets: names and key names only, never values.
    pub secrets: Vec<KeyedObject>,
    /// ConfigMaps: names and key names only.
    pub config_maps: Vec<KeyedObject>,
    /// Every other kind (ResourceQuotas, Namespaces …): kind and metadata.
    pub other: Vec<Other>,
}

/// Kinds that live outside namespaces: a namespace's analysis always includes them.
pub const CLUSTER_SCOPED: [&str; 5] = ["Node", "IngressClass", "StorageClass", "PersistentVolume", "Namespace"];

impl Objects {
    /// How many objects there are.
    pub fn len(&self) -> usize {
        self.pods.len()
            + self.deployments.len()
            + self.statefulsets.len()
            + self.daemonsets.len()
            + self.replicasets.len()
            + self.events.len()
            + self.hpas.len()
            + self.services.len()
            + self.endpoints.len()
            + self.ingresses.len()
            + self.ingress_classes.len()
            + self.claims.len()
            + self.storage_classes.len()
            + self.nodes.len()
            + self.budgets.len()
            + self.jobs.len()
            + self.secrets.len()
            + self.config_maps.len()
            + self.other.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves every object of `more` into these.
    pub fn append(&mut self, mut more: Objects) {
        self.pods.append(&mut more.pods);
        self.deployments.append(&mut more.deployments);
        self.statefulsets.append(&mut more.statefulsets);
        self.daemonsets.append(&mut more.daemonsets);
        self.replicasets.append(&mut more.replicasets);
        self.events.append(&mut more.events);
        self.hpas.append(&mut more.hpas);
        self.services.append(&mut more.services);
        self.endpoints.append(&mut more.endpoints);
        self.ingresses.append(&mut more.ingresses);
        self.ingress_classes.append(&mut more.ingress_classes);
        self.claims.append(&mut more.claims);
        self.storage_classes.append(&mut more.storage_classes);
        self.nodes.append(&mut more.nodes);
        self.budgets.append(&mut more.budgets);
        self.jobs.append(&mut more.jobs);
        self.secrets.append(&mut more.secrets);
        self.config_maps.append(&mut more.config_maps);
        self.other.append(&mut more.other);
    }

    /// The metadata of everything but pods, workloads, ReplicaSets, events and autoscalers
    /// (the objects that say which namespaces a snapshot is about, with the workloads).
    pub fn configuration_metas(&self) -> impl Iterator<Item = &Meta> {
        self.services
            .iter()
            .map(|o| &o.metadata)
            .chain(self.endpoints.iter().map(|o| &o.metadata))
            .chain(self.ingresses.iter().map(|o| &o.metadata))
            .chain(self.ingress_classes.iter().map(|o| &o.metadata))
            .chain(self.claims.iter().map(|o| &o.metadata))
            .chain(self.storage_classes.iter().map(|o| &o.metadata))
            .chain(self.nodes.iter().map(|o| &o.metadata))
            .chain(self.budgets.iter().map(|o| &o.metadata))
            .chain(self.jobs.iter().map(|o| &o.metadata))
            .chain(self.secrets.iter().map(|o| &o.metadata))
            .chain(self.config_maps.iter().map(|o| &o.metadata))
            .chain(self.other.iter().map(|o| &o.metadata))
    }

    /// Only the pods and workloads of one namespace (what `status` reads).
    pub fn workloads_in(&self, namespace: &str) -> Objects {
        fn keep<T: Clone>(items: &[T], meta: fn(&T) -> &Meta, namespace: &str) -> Vec<T> {
            items.iter().filter(|o| meta(o).namespace_or_default() == namespace).cloned().collect()
        }
        Objects {
            pods: keep(&self.pods, |o| &o.metadata, namespace),
            deployments: keep(&self.deployments, |o| &o.metadata, namespace),
            statefulsets: keep(&self.statefulsets, |o| &o.metadata, namespace),
            daemonsets: keep(&self.daemonsets, |o| &o.metadata, namespace),
            ..Objects::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_drops_what_nothing_reads() {
        let meta: Meta = serde_json::from_value(serde_json::json!({
            "name": "web", "namespace": null, "labels": null,
            "annotations": {"a": "b", LAST_APPLIED: "{\"huge\": true}"},
            "managedFields": [{"manager": "kubectl"}],
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-1"}, {"kind": "ReplicaSet", "name": "web-2", "controller": true}]
        }))
        .unwrap();
        assert_eq!(meta.name, "web");
        assert_eq!(meta.namespace_or_default(), "default");
        assert_eq!(meta.annotations.len(), 1);
        assert_eq!(meta.controller().unwrap().name, "web-2");
        assert_eq!(meta.creation_timestamp, Some(Timestamp(1_767_225_600)));
        assert_eq!(meta.creation_timestamp.and_then(Timestamp::to_time).unwrap().0.as_second(), 1_767_225_600);
    }

    #[test]
    fn int_or_string_as_json_prints_it() {
        let values: Vec<IntOrString> = serde_json::from_str(r#"[8080, "http"]"#).unwrap();
        assert_eq!(values, [IntOrString::Int(8080), IntOrString::String("http".into())]);
        assert_eq!(IntOrString::json(values.first()), "8080");
        assert_eq!(IntOrString::json(values.get(1)), "\"http\"");
        assert_eq!(IntOrString::json(None), "null");
    }
}
