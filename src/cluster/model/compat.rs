//! Views as API objects, for the tools that take k8s-openapi types (scale, rollouts,
//! set-image, autoscale, events) when they read a snapshot. The result carries what the view
//! has — names, labels, annotations, owners, replicas, conditions, container names, images
//! and resources — which is what those tools read before a change; a snapshot is never
//! changed, so nothing is ever written back from these.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::autoscaling::v2 as autoscaling;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString as ApiIntOrString;

use super::{
    Condition, Container, Deployment, Event, HorizontalPodAutoscaler, IntOrString, Meta, PodTemplate, ReplicaSet,
};

fn some_text(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn some_map<V: Clone>(map: &std::collections::BTreeMap<String, V>) -> Option<std::collections::BTreeMap<String, V>> {
    (!map.is_empty()).then(|| map.clone())
}

fn int32(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl Meta {
    /// As API metadata.
    pub fn to_api(&self) -> meta::ObjectMeta {
        meta::ObjectMeta {
            name: some_text(&self.name),
            namespace: some_text(&self.namespace),
            uid: some_text(&self.uid),
            labels: some_map(&self.labels),
            annotations: some_map(&self.annotations),
            owner_references: (!self.owner_references.is_empty()).then(|| {
                self.owner_references
                    .iter()
                    .map(|owner| meta::OwnerReference {
                        kind: owner.kind.clone(),
                        name: owner.name.clone(),
                        uid: owner.uid.clone(),
                        controller: owner.controller.then_some(true),
                        ..meta::OwnerReference::default()
                    })
                    .collect()
            }),
            creation_timestamp: self.creation_timestamp.and_then(super::Timestamp::to_time),
            deletion_timestamp: self.deletion_timestamp.and_then(super::Timestamp::to_time),
            generation: self.generation,
            ..meta::ObjectMeta::default()
        }
    }
}

impl IntOrString {
    fn to_api(&self) -> ApiIntOrString {
        match self {
            IntOrString::Int(number) => ApiIntOrString::Int(int32(*number)),
            IntOrString::String(text) => ApiIntOrString::String(text.clone()),
        }
    }
}

fn quantities(
    map: &std::collections::BTreeMap<String, String>,
) -> Option<std::collections::BTreeMap<String, Quantity>> {
    (!map.is_empty()).then(|| map.iter().map(|(k, v)| (k.clone(), Quantity(v.clone()))).collect())
}

impl Container {
    fn to_api(&self) -> core::Container {
        let resources = &self.resources;
        core::Container {
            name: self.name.clone(),
            image: some_text(&self.image),
            resources: (!resources.requests.is_empty() || !resources.limits.is_empty()).then(|| {
                core::ResourceRequirements {
                    requests: quantities(&resources.requests),
                    limits: quantities(&resources.limits),
                    ..core::ResourceRequirements::default()
                }
            }),
            ports: (!self.ports.is_empty()).then(|| {
                self.ports
                    .iter()
                    .map(|p| core::ContainerPort {
                        name: p.name.clone(),
                        container_port: int32(p.container_port),
                        ..core::ContainerPort::default()
                    })
                    .collect()
            }),
            restart_policy: self.restart_policy.clone(),
            ..core::Container::default()
        }
    }
}

impl PodTemplate {
    /// As an API pod template (containers with names, images, ports and resources).
    pub fn to_api(&self) -> core::PodTemplateSpec {
        core::PodTemplateSpec {
            metadata: Some(self.metadata.to_api()),
            spec: Some(core::PodSpec {
                containers: self.spec.containers.iter().map(Container::to_api).collect(),
                init_containers: (!self.spec.init_containers.is_empty())
                    .then(|| self.spec.init_containers.iter().map(Container::to_api).collect()),
                node_selector: some_map(&self.spec.node_selector),
                ..core::PodSpec::default()
            }),
        }
    }
}

fn conditions<T>(conditions: &[Condition], make: impl Fn(&Condition) -> T) -> Option<Vec<T>> {
    (!conditions.is_empty()).then(|| conditions.iter().map(make).collect())
}

impl Deployment {
    /// As an API Deployment.
    pub fn to_api(&self) -> apps::Deployment {
        let status = &self.status;
        apps::Deployment {
            metadata: self.metadata.to_api(),
            spec: Some(apps::DeploymentSpec {
                replicas: self.spec.replicas.map(int32),
                selector: meta::LabelSelector {
                    match_labels: some_map(&self.spec.selector.match_labels),
                    ..meta::LabelSelector::default()
                },
                strategy: Some(apps::DeploymentStrategy {
                    type_: self.spec.strategy.type_.clone(),
                    rolling_update: self.spec.strategy.rolling_update.as_ref().map(|r| apps::RollingUpdateDeployment {
                        max_surge: r.max_surge.as_ref().map(IntOrString::to_api),
                        max_unavailable: r.max_unavailable.as_ref().map(IntOrString::to_api),
                    }),
                }),
                template: self.spec.template.to_api(),
                ..apps::DeploymentSpec::default()
            }),
            status: Some(apps::DeploymentStatus {
                replicas: status.replicas.map(int32),
                ready_replicas: status.ready_replicas.map(int32),
                updated_replicas: status.updated_replicas.map(int32),
                available_replicas: status.available_replicas.map(int32),
                observed_generation: status.observed_generation,
                conditions: conditions(&status.conditions, |c| apps::DeploymentCondition {
                    type_: c.type_.clone(),
                    status: c.status.clone(),
                    reason: some_text(&c.reason),
                    message: some_text(&c.message),
                    ..apps::DeploymentCondition::default()
                }),
                ..apps::DeploymentStatus::default()
            }),
        }
    }
}

impl ReplicaSet {
    /// As an API ReplicaSet.
    pub fn to_api(&self) -> apps::ReplicaSet {
        apps::ReplicaSet {
            metadata: self.metadata.to_api(),
            spec: Some(apps::ReplicaSetSpec {
                replicas: self.spec.replicas.map(int32),
                selector: meta::LabelSelector {
                    match_labels: some_map(&self.spec.selector.match_labels),
                    ..meta::LabelSelector::default()
                },
                template: Some(self.spec.template.to_api()),
                ..apps::ReplicaSetSpec::default()
            }),
            status: Some(apps::ReplicaSetStatus {
                replicas: int32(self.status.replicas),
                ready_replicas: self.status.ready_replicas.map(int32),
                available_replicas: self.status.available_replicas.map(int32),
                ..apps::ReplicaSetStatus::default()
            }),
        }
    }
}

impl HorizontalPodAutoscaler {
    /// As an API autoscaler (autoscaling/v2; a v1 CPU target becomes a resource metric).
    pub fn to_api(&self) -> autoscaling::HorizontalPodAutoscaler {
        let target = &self.spec.scale_target_ref;
        autoscaling::HorizontalPodAutoscaler {
            metadata: self.metadata.to_api(),
            spec: Some(autoscaling::HorizontalPodAutoscalerSpec {
                scale_target_ref: autoscaling::CrossVersionObjectReference {
                    api_version: some_text(&target.api_version),
                    kind: target.kind.clone(),
                    name: target.name.clone(),
                },
                min_replicas: self.spec.min_replicas.map(int32),
                max_replicas: int32(self.spec.max_replicas),
                metrics: self.cpu_target().map(|percent| {
                    vec![autoscaling::MetricSpec {
                        type_: "Resource".into(),
                        resource: Some(autoscaling::ResourceMetricSource {
                            name: "cpu".into(),
                            target: autoscaling::MetricTarget {
                                type_: "Utilization".into(),
                                average_utilization: Some(int32(percent)),
                                ..autoscaling::MetricTarget::default()
                            },
                        }),
                        ..autoscaling::MetricSpec::default()
                    }]
                }),
                ..autoscaling::HorizontalPodAutoscalerSpec::default()
            }),
            status: Some(autoscaling::HorizontalPodAutoscalerStatus {
                current_replicas: self.status.current_replicas.map(int32),
                desired_replicas: int32(self.status.desired_replicas),
                conditions: conditions(&self.status.conditions, |c| autoscaling::HorizontalPodAutoscalerCondition {
                    type_: c.type_.clone(),
                    status: c.status.clone(),
                    reason: some_text(&c.reason),
                    message: some_text(&c.message),
                    ..autoscaling::HorizontalPodAutoscalerCondition::default()
                }),
                ..autoscaling::HorizontalPodAutoscalerStatus::default()
            }),
        }
    }
}

impl Event {
    /// As an API core/v1 Event.
    pub fn to_api(&self) -> core::Event {
        let about = &self.involved_object;
        core::Event {
            metadata: self.metadata.to_api(),
            involved_object: core::ObjectReference {
                kind: about.kind.clone(),
                name: about.name.clone(),
                namespace: about.namespace.clone(),
                field_path: about.field_path.clone(),
                ..core::ObjectReference::default()
            },
            reason: self.reason.clone(),
            message: self.message.clone(),
            type_: self.type_.clone(),
            count: self.count.map(int32),
            first_timestamp: self.first_timestamp.and_then(super::Timestamp::to_time),
            last_timestamp: self.last_timestamp.and_then(super::Timestamp::to_time),
            event_time: self.event_time.and_then(super::Timestamp::to_time).map(|time| meta::MicroTime(time.0)),
            series: self.series.as_ref().map(|series| core::EventSeries {
                count: series.count.map(int32),
                last_observed_time: series
                    .last_observed_time
                    .and_then(super::Timestamp::to_time)
                    .map(|time| meta::MicroTime(time.0)),
            }),
            reporting_component: self.reporting_component.clone(),
            ..core::Event::default()
        }
    }
}
