//! The inventory the analyzers read: the typed views of one namespace (plus the cluster-
//! scoped kinds), borrowed from the loaded objects, with the indexes that keep analysis
//! linear in the number of objects (events by the object they are about, ReplicaSets and
//! workloads by name).

use std::collections::{HashMap, HashSet};

use crate::cluster::model::{
    CLUSTER_SCOPED, DaemonSet, Deployment, Endpoints, Event, HorizontalPodAutoscaler, Ingress, IngressClass, Job,
    KeyedObject, Meta, Node, Objects, Other, PersistentVolumeClaim, Pod, PodDisruptionBudget, ReplicaSet, Service,
    StatefulSet, StorageClass,
};

/// What is known about the source beyond its objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// IngressClasses were listed from a live cluster successfully, so none listed means none
    /// exist (a snapshot may simply not include them).
    pub ingress_classes_listed: bool,
    /// The ceilings remediations stay within (replicas, CPU, memory).
    pub ceilings: crate::validate::Limits,
}

/// The objects of one namespace, by kind, with indexes.
pub struct Inventory<'a> {
    namespace: &'a str,
    /// What is known about where they came from.
    pub source: Source,
    /// Pods.
    pub pods: Vec<&'a Pod>,
    /// Deployments.
    pub deployments: Vec<&'a Deployment>,
    /// StatefulSets.
    pub statefulsets: Vec<&'a StatefulSet>,
    /// DaemonSets.
    pub daemonsets: Vec<&'a DaemonSet>,
    /// ReplicaSets.
    pub replicasets: Vec<&'a ReplicaSet>,
    /// Events, in the order read.
    pub events: Vec<&'a Event>,
    /// Autoscalers.
    pub hpas: Vec<&'a HorizontalPodAutoscaler>,
    /// Services.
    pub services: Vec<&'a Service>,
    /// Endpoints.
    pub endpoints: Vec<&'a Endpoints>,
    /// Ingresses.
    pub ingresses: Vec<&'a Ingress>,
    /// IngressClasses.
    pub ingress_classes: Vec<&'a IngressClass>,
    /// PersistentVolumeClaims.
    pub claims: Vec<&'a PersistentVolumeClaim>,
    /// StorageClasses.
    pub storage_classes: Vec<&'a StorageClass>,
    /// Nodes.
    pub nodes: Vec<&'a Node>,
    /// PodDisruptionBudgets.
    pub budgets: Vec<&'a PodDisruptionBudget>,
    /// Jobs.
    pub jobs: Vec<&'a Job>,
    /// Secrets (names and key names).
    pub secrets: Vec<&'a KeyedObject>,
    /// ConfigMaps (names and key names).
    pub config_maps: Vec<&'a KeyedObject>,
    /// Everything else.
    pub other: Vec<&'a Other>,
    /// Events by the kind, then the name, of the object they are about.
    events_by_object: HashMap<&'a str, HashMap<&'a str, Vec<&'a Event>>>,
    replicasets_by_name: HashMap<&'a str, &'a ReplicaSet>,
    /// Pods by label key, then value, in the order read (so a selector is not checked
    /// against every pod of the namespace).
    pods_by_label: HashMap<&'a str, HashMap<&'a str, Vec<&'a Pod>>>,
    /// Names of the objects of each kind.
    names: HashMap<&'a str, HashSet<&'a str>>,
}

fn keep<'a, T>(items: &'a [T], meta: fn(&T) -> &Meta, namespace: &str) -> Vec<&'a T> {
    items.iter().filter(|item| meta(item).namespace_or_default() == namespace).collect()
}

impl<'a> Inventory<'a> {
    /// The inventory of `namespace` in `objects`.
    pub fn new(objects: &'a Objects, namespace: &'a str, source: Source) -> Inventory<'a> {
        let mut inventory = Inventory {
            namespace,
            source,
            pods: keep(&objects.pods, |o| &o.metadata, namespace),
            deployments: keep(&objects.deployments, |o| &o.metadata, namespace),
            statefulsets: keep(&objects.statefulsets, |o| &o.metadata, namespace),
            daemonsets: keep(&objects.daemonsets, |o| &o.metadata, namespace),
            replicasets: keep(&objects.replicasets, |o| &o.metadata, namespace),
            events: keep(&objects.events, |o| &o.metadata, namespace),
            hpas: keep(&objects.hpas, |o| &o.metadata, namespace),
            services: keep(&objects.services, |o| &o.metadata, namespace),
            endpoints: keep(&objects.endpoints, |o| &o.metadata, namespace),
            ingresses: keep(&objects.ingresses, |o| &o.metadata, namespace),
            // Cluster-scoped kinds belong to every namespace's analysis.
            ingress_classes: objects.ingress_classes.iter().collect(),
            claims: keep(&objects.claims, |o| &o.metadata, namespace),
            storage_classes: objects.storage_classes.iter().collect(),
            nodes: objects.nodes.iter().collect(),
            budgets: keep(&objects.budgets, |o| &o.metadata, namespace),
            jobs: keep(&objects.jobs, |o| &o.metadata, namespace),
            secrets: keep(&objects.secrets, |o| &o.metadata, namespace),
            config_maps: keep(&objects.config_maps, |o| &o.metadata, namespace),
            other: objects
                .other
                .iter()
                .filter(|o| CLUSTER_SCOPED.contains(&o.kind.as_str()) || o.metadata.namespace_or_default() == namespace)
                .collect(),
            events_by_object: HashMap::new(),
            replicasets_by_name: HashMap::new(),
            pods_by_label: HashMap::new(),
            names: HashMap::new(),
        };
        for event in &inventory.events {
            let about = &event.involved_object;
            let (kind, name) = (about.kind.as_deref().unwrap_or_default(), about.name.as_deref().unwrap_or_default());
            inventory.events_by_object.entry(kind).or_default().entry(name).or_default().push(event);
        }
        inventory.replicasets_by_name = inventory.replicasets.iter().map(|r| (r.metadata.name.as_str(), *r)).collect();
        for pod in &inventory.pods {
            for (key, value) in &pod.metadata.labels {
                inventory.pods_by_label.entry(key).or_default().entry(value).or_default().push(pod);
            }
        }
        let mut names: HashMap<&'a str, HashSet<&'a str>> = HashMap::new();
        let mut add = |kind: &'a str, meta: &'a Meta| {
            names.entry(kind).or_default().insert(meta.name.as_str());
        };
        inventory.deployments.iter().for_each(|o| add("Deployment", &o.metadata));
        inventory.statefulsets.iter().for_each(|o| add("StatefulSet", &o.metadata));
        inventory.daemonsets.iter().for_each(|o| add("DaemonSet", &o.metadata));
        inventory.replicasets.iter().for_each(|o| add("ReplicaSet", &o.metadata));
        inventory.pods.iter().for_each(|o| add("Pod", &o.metadata));
        inventory.services.iter().for_each(|o| add("Service", &o.metadata));
        inventory.ingress_classes.iter().for_each(|o| add("IngressClass", &o.metadata));
        inventory.storage_classes.iter().for_each(|o| add("StorageClass", &o.metadata));
        inventory.secrets.iter().for_each(|o| add("Secret", &o.metadata));
        inventory.config_maps.iter().for_each(|o| add("ConfigMap", &o.metadata));
        inventory.jobs.iter().for_each(|o| add("Job", &o.metadata));
        inventory.hpas.iter().for_each(|o| add("HorizontalPodAutoscaler", &o.metadata));
        inventory.endpoints.iter().for_each(|o| add("Endpoints", &o.metadata));
        inventory.ingresses.iter().for_each(|o| add("Ingress", &o.metadata));
        inventory.claims.iter().for_each(|o| add("PersistentVolumeClaim", &o.metadata));
        inventory.nodes.iter().for_each(|o| add("Node", &o.metadata));
        inventory.budgets.iter().for_each(|o| add("PodDisruptionBudget", &o.metadata));
        inventory.other.iter().for_each(|o| add(o.kind.as_str(), &o.metadata));
        inventory.names = names;
        inventory
    }

    /// The namespace analysed.
    pub fn namespace(&self) -> &str {
        self.namespace
    }

    /// Events about an object, in the order read (newest last).
    pub fn events_for(&self, kind: &str, name: &str) -> &[&'a Event] {
        self.events_by_object.get(kind).and_then(|by_name| by_name.get(name)).map_or(&[], Vec::as_slice)
    }

    /// The pods that carry a label, in the order read.
    pub fn pods_labelled(&self, key: &str, value: &str) -> &[&'a Pod] {
        self.pods_by_label.get(key).and_then(|values| values.get(value)).map_or(&[], Vec::as_slice)
    }

    /// A ReplicaSet by name.
    pub fn replicaset(&self, name: &str) -> Option<&'a ReplicaSet> {
        self.replicasets_by_name.get(name).copied()
    }

    /// Whether an object of that kind and name exists.
    pub fn has(&self, kind: &str, name: &str) -> bool {
        self.names.get(kind).is_some_and(|names| names.contains(name))
    }

    /// Objects looked at.
    pub fn count(&self) -> usize {
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
}
