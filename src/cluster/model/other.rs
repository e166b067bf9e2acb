//! The remaining views: Events (core/v1 and events.k8s.io/v1 in one shape), Nodes,
//! PersistentVolumeClaims, StorageClasses, PodDisruptionBudgets, Jobs, Secrets and
//! ConfigMaps (key names only: values are skipped while parsing, never stored), and any
//! other kind as its metadata.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::budget::{keys, list, optional_text, text};
use super::{Condition, IntOrString, Meta, Timestamp, nullable};

/// An event about an object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Event {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// What it is about (`regarding` in events.k8s.io/v1).
    #[serde(alias = "regarding", deserialize_with = "nullable")]
    pub involved_object: InvolvedObject,
    /// Short reason (`BackOff`, `Unhealthy`, `FailedScheduling` …).
    #[serde(deserialize_with = "optional_text")]
    pub reason: Option<String>,
    /// What happened (`note` in events.k8s.io/v1).
    #[serde(alias = "note", deserialize_with = "optional_text")]
    pub message: Option<String>,
    /// `Normal` or `Warning`.
    #[serde(rename = "type", deserialize_with = "optional_text")]
    pub type_: Option<String>,
    /// How often (`deprecatedCount` in events.k8s.io/v1).
    #[serde(alias = "deprecatedCount")]
    pub count: Option<i64>,
    /// First seen.
    #[serde(alias = "deprecatedFirstTimestamp")]
    pub first_timestamp: Option<Timestamp>,
    /// Last seen.
    #[serde(alias = "deprecatedLastTimestamp")]
    pub last_timestamp: Option<Timestamp>,
    /// When it happened (new-style events).
    pub event_time: Option<Timestamp>,
    /// A series of the same event.
    pub series: Option<EventSeries>,
    /// Who reported it (`reportingController` in events.k8s.io/v1).
    #[serde(alias = "reportingController", deserialize_with = "optional_text")]
    pub reporting_component: Option<String>,
}

/// The object an event is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InvolvedObject {
    /// Its kind.
    #[serde(deserialize_with = "optional_text")]
    pub kind: Option<String>,
    /// Its name.
    #[serde(deserialize_with = "optional_text")]
    pub name: Option<String>,
    /// Its namespace.
    #[serde(deserialize_with = "optional_text")]
    pub namespace: Option<String>,
    /// The part of it (`spec.containers{app}`).
    #[serde(deserialize_with = "optional_text")]
    pub field_path: Option<String>,
}

/// A repeated event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventSeries {
    /// Occurrences.
    pub count: Option<i64>,
    /// The last one.
    pub last_observed_time: Option<Timestamp>,
}

impl Event {
    /// When it happened last (series, lastTimestamp, eventTime, firstTimestamp, creation).
    pub fn time(&self) -> i64 {
        self.series
            .as_ref()
            .and_then(|s| s.last_observed_time)
            .or(self.last_timestamp)
            .or(self.event_time)
            .or(self.first_timestamp)
            .or(self.metadata.creation_timestamp)
            .map_or(0, |t| t.0)
    }
}

/// A node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Node {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: NodeStatus,
}

/// A node's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeStatus {
    /// `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`.
    #[serde(deserialize_with = "list")]
    pub conditions: Vec<Condition>,
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PersistentVolumeClaim {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: VolumeClaimSpec,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: VolumeClaimStatus,
}

/// A claim's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VolumeClaimSpec {
    /// The StorageClass (the cluster default when unset).
    #[serde(deserialize_with = "optional_text")]
    pub storage_class_name: Option<String>,
}

/// A claim's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VolumeClaimStatus {
    /// `Pending`, `Bound`, `Lost`.
    #[serde(deserialize_with = "text")]
    pub phase: String,
}

/// A StorageClass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StorageClass {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
}

/// A PodDisruptionBudget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodDisruptionBudget {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: PodDisruptionBudgetSpec,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: PodDisruptionBudgetStatus,
}

/// A budget's rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodDisruptionBudgetSpec {
    /// Pods that must stay up.
    pub min_available: Option<IntOrString>,
    /// Pods that may be down.
    pub max_unavailable: Option<IntOrString>,
}

/// A budget's status (the fields are quoted as found, so absent stays absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodDisruptionBudgetStatus {
    /// Evictions allowed now.
    pub disruptions_allowed: Option<i64>,
    /// Healthy pods now.
    pub current_healthy: Option<i64>,
    /// Healthy pods required.
    pub desired_healthy: Option<i64>,
    /// Pods it covers.
    pub expected_pods: Option<i64>,
}

/// A Job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Job {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Status.
    #[serde(deserialize_with = "nullable")]
    pub status: JobStatus,
}

/// A Job's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct JobStatus {
    /// `Complete`, `Failed`, `Suspended`.
    #[serde(deserialize_with = "list")]
    pub conditions: Vec<Condition>,
}

/// A Secret or ConfigMap: its name and the names of its keys. Values are skipped by the
/// parser and never stored; a live list reads metadata only, so it has no keys at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KeyedObject {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Keys of `data`, when it had a `data` map.
    #[serde(rename = "data", deserialize_with = "keys")]
    pub data_keys: Option<BTreeSet<String>>,
    /// Keys of `stringData`.
    #[serde(rename = "stringData", deserialize_with = "keys")]
    pub string_data_keys: Option<BTreeSet<String>>,
    /// Keys of `binaryData` (ConfigMaps).
    #[serde(rename = "binaryData", deserialize_with = "keys")]
    pub binary_data_keys: Option<BTreeSet<String>>,
}

impl KeyedObject {
    /// Whether a referenced key is known to be missing: only when the object's `data` was
    /// read (a metadata-only list cannot tell) and no data map has it.
    pub fn lacks_key(&self, key: &str) -> bool {
        let has = |keys: &Option<BTreeSet<String>>| keys.as_ref().is_some_and(|keys| keys.contains(key));
        self.data_keys.is_some()
            && !has(&self.data_keys)
            && !has(&self.string_data_keys)
            && !has(&self.binary_data_keys)
    }
}

/// Any other kind: what it is and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Other {
    /// Its kind.
    pub kind: String,
    /// Its metadata.
    pub metadata: Meta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_never_kept() {
        let secret: KeyedObject = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "s"}, "data": {"password": "aHVudGVyMg=="}, "stringData": {"token": "t0ps3cret"}
        }))
        .unwrap();
        assert!(!format!("{secret:?}").contains("aHVudGVyMg") && !format!("{secret:?}").contains("t0ps3cret"));
        assert!(!secret.lacks_key("password") && !secret.lacks_key("token") && secret.lacks_key("user"));
        let listed: KeyedObject = serde_json::from_value(serde_json::json!({"metadata": {"name": "s"}})).unwrap();
        assert!(!listed.lacks_key("user"), "a metadata-only list cannot tell");
    }

    #[test]
    fn both_event_apis_read_alike() {
        let core: Event = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"}, "message": "m",
            "count": 3, "lastTimestamp": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        let new: Event = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "e"}, "regarding": {"kind": "Pod", "name": "p"}, "note": "m",
            "deprecatedCount": 3, "deprecatedLastTimestamp": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(core, new);
        assert_eq!(core.time(), 1_767_225_600);
    }
}
