//! Reading a live cluster: paged LISTs (`limit`/`continue`, [`PAGE_SIZE`] objects a page, so
//! memory stays bounded whatever the namespace holds), parsed straight into the model's
//! views (or, for the tools that change objects, into full API types), the concurrent
//! gathering of a namespace for diagnosis, and turning API errors into ones people can act on.

use std::fmt;

use kube::api::{Api, ListParams};
use serde::de::DeserializeOwned;

use super::model::{self, budget};
use super::{ClusterError, Gathered, Live, Objects};

/// Objects per LIST page (kubectl's `--chunk-size` default).
pub const PAGE_SIZE: u32 = 500;

/// Pages one LIST may take before it is refused (a million objects of one kind).
const MAX_PAGES: usize = 2_000;

/// One page of a LIST, straight into views.
#[derive(serde::Deserialize)]
#[serde(bound = "V: DeserializeOwned")]
struct Page<V> {
    #[serde(default)]
    metadata: PageMeta,
    #[serde(default, deserialize_with = "budget::list")]
    items: Vec<V>,
}

#[derive(serde::Deserialize, Default)]
struct PageMeta {
    #[serde(rename = "continue", default, deserialize_with = "model::nullable")]
    continue_: String,
}

/// Where a kind lives and how it is listed.
#[derive(Clone, Copy)]
pub(super) struct Kind {
    /// The plural resource name, for errors (`pods`).
    pub resource: &'static str,
    /// The API path prefix (`/api/v1`, `/apis/apps/v1`).
    pub api: &'static str,
    /// Whether it is namespaced.
    pub namespaced: bool,
    /// Metadata only (Secrets, ConfigMaps: their values are never fetched).
    pub metadata_only: bool,
}

impl Kind {
    const fn namespaced(resource: &'static str, api: &'static str) -> Kind {
        Kind { resource, api, namespaced: true, metadata_only: false }
    }

    const fn cluster(resource: &'static str, api: &'static str) -> Kind {
        Kind { resource, api, namespaced: false, metadata_only: false }
    }

    const fn metadata(resource: &'static str) -> Kind {
        Kind { resource, api: "/api/v1", namespaced: true, metadata_only: true }
    }

    fn path(&self, namespace: &str) -> String {
        if self.namespaced {
            format!("{}/namespaces/{namespace}/{}", self.api, self.resource)
        } else {
            format!("{}/{}", self.api, self.resource)
        }
    }
}

/// The kinds status and diagnose read.
pub(super) mod kinds {
    use super::Kind;

    pub const PODS: Kind = Kind::namespaced("pods", "/api/v1");
    pub const DEPLOYMENTS: Kind = Kind::namespaced("deployments", "/apis/apps/v1");
    pub const REPLICASETS: Kind = Kind::namespaced("replicasets", "/apis/apps/v1");
    pub const STATEFULSETS: Kind = Kind::namespaced("statefulsets", "/apis/apps/v1");
    pub const DAEMONSETS: Kind = Kind::namespaced("daemonsets", "/apis/apps/v1");
    pub const EVENTS: Kind = Kind::namespaced("events", "/api/v1");
    pub const HPAS: Kind = Kind::namespaced("horizontalpodautoscalers", "/apis/autoscaling/v2");
    pub const SERVICES: Kind = Kind::namespaced("services", "/api/v1");
    pub const ENDPOINTS: Kind = Kind::namespaced("endpoints", "/api/v1");
    pub const INGRESSES: Kind = Kind::namespaced("ingresses", "/apis/networking.k8s.io/v1");
    pub const CLAIMS: Kind = Kind::namespaced("persistentvolumeclaims", "/api/v1");
    pub const BUDGETS: Kind = Kind::namespaced("poddisruptionbudgets", "/apis/policy/v1");
    pub const JOBS: Kind = Kind::namespaced("jobs", "/apis/batch/v1");
    pub const QUOTAS: Kind = Kind::namespaced("resourcequotas", "/api/v1");
    pub const SECRETS: Kind = Kind::metadata("secrets");
    pub const CONFIG_MAPS: Kind = Kind::metadata("configmaps");
    pub const NODES: Kind = Kind::cluster("nodes", "/api/v1");
    pub const INGRESS_CLASSES: Kind = Kind::cluster("ingressclasses", "/apis/networking.k8s.io/v1");
    pub const STORAGE_CLASSES: Kind = Kind::cluster("storageclasses", "/apis/storage.k8s.io/v1");
    pub const NAMESPACES: Kind = Kind::cluster("namespaces", "/api/v1");
}

impl Live {
    /// Every object of a kind, as views, page by page; `selector` is a label selector.
    pub(super) async fn views<V: DeserializeOwned>(
        &self,
        kind: Kind,
        namespace: &str,
        selector: Option<&str>,
    ) -> Result<Vec<V>, ClusterError> {
        let scope = if kind.namespaced { namespace } else { "(cluster)" };
        let request = kube::core::Request::new(kind.path(namespace));
        let mut items = Vec::new();
        let mut token = String::new();
        for _ in 0..MAX_PAGES {
            let mut params = ListParams::default().limit(PAGE_SIZE);
            if let Some(selector) = selector {
                params = params.labels(selector);
            }
            if !token.is_empty() {
                params = params.continue_token(&token);
            }
            let http = if kind.metadata_only { request.list_metadata(&params) } else { request.list(&params) }
                .map_err(|e| ClusterError::Api { message: e.to_string() })?;
            let text = self
                .client
                .request_text(http)
                .await
                .map_err(|error| self.error(error, "list", kind.resource, scope, None))?;
            let page = {
                // A page is charged like a snapshot of its size: a hostile server cannot
                // make a small page take unbounded memory.
                let _budget = budget::Scope::enter(crate::cluster::snapshot::memory_budget(text.len()));
                serde_json::from_str::<Page<V>>(&text).map_err(|e| ClusterError::Api {
                    message: format!("cannot read the {} list: {e}", kind.resource),
                })?
            };
            drop(text);
            items.extend(page.items);
            if page.metadata.continue_.is_empty() {
                return Ok(items);
            }
            token = page.metadata.continue_;
        }
        Err(ClusterError::Api { message: format!("the {} list has more than {MAX_PAGES} pages", kind.resource) })
    }

    /// Every object of a namespaced kind as full API types (for the tools that change
    /// objects and need all of them), page by page.
    pub(super) async fn list<K>(&self, namespace: &str, resource: &str) -> Result<Vec<K>, ClusterError>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + fmt::Debug
            + serde::de::DeserializeOwned,
        <K as kube::Resource>::DynamicType: Default,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut params = ListParams::default().limit(PAGE_SIZE);
            if let Some(token) = &token {
                params = params.continue_token(token);
            }
            let page = api.list(&params).await.map_err(|error| self.error(error, "list", resource, namespace, None))?;
            items.extend(page.items);
            match page.metadata.continue_ {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(items),
            }
        }
        Err(ClusterError::Api { message: format!("the {resource} list has more than {MAX_PAGES} pages") })
    }

    /// Reads everything diagnosis needs about a namespace: one paged LIST per kind, all
    /// concurrently, whatever the cluster size. Secrets and ConfigMaps are read as metadata
    /// only. A kind the user may not list is reported in `unchecked` instead of failing the
    /// whole run.
    pub(super) async fn gather(&self, namespace: &str) -> Result<Gathered, ClusterError> {
        use kinds::*;
        let (pods, deployments, replicasets, statefulsets, daemonsets, events, hpas) = tokio::join!(
            self.views(PODS, namespace, None),
            self.views(DEPLOYMENTS, namespace, None),
            self.views(REPLICASETS, namespace, None),
            self.views(STATEFULSETS, namespace, None),
            self.views(DAEMONSETS, namespace, None),
            self.views(EVENTS, namespace, None),
            self.views(HPAS, namespace, None),
        );
        let (services, endpoints, ingresses, claims, budgets, jobs, quotas) = tokio::join!(
            self.views(SERVICES, namespace, None),
            self.views(ENDPOINTS, namespace, None),
            self.views(INGRESSES, namespace, None),
            self.views(CLAIMS, namespace, None),
            self.views(BUDGETS, namespace, None),
            self.views(JOBS, namespace, None),
            self.views::<MetadataOnly>(QUOTAS, namespace, None),
        );
        let (secrets, config_maps, nodes, ingress_classes, storage_classes) = tokio::join!(
            self.views(SECRETS, namespace, None),
            self.views(CONFIG_MAPS, namespace, None),
            self.views(NODES, namespace, None),
            self.views(INGRESS_CLASSES, namespace, None),
            self.views(STORAGE_CLASSES, namespace, None),
        );
        let mut unchecked = Vec::new();
        let mut listed = Vec::new();
        macro_rules! keep {
            ($result:expr, $resource:expr) => {
                keep($result, $resource, &mut unchecked, &mut listed)
            };
        }
        let objects = Objects {
            pods: keep!(pods, "pods")?,
            deployments: keep!(deployments, "deployments")?,
            replicasets: keep!(replicasets, "replicasets")?,
            statefulsets: keep!(statefulsets, "statefulsets")?,
            daemonsets: keep!(daemonsets, "daemonsets")?,
            events: keep!(events, "events")?,
            hpas: keep!(hpas, "horizontalpodautoscalers")?,
            services: keep!(services, "services")?,
            endpoints: keep!(endpoints, "endpoints")?,
            ingresses: keep!(ingresses, "ingresses")?,
            claims: keep!(claims, "persistentvolumeclaims")?,
            budgets: keep!(budgets, "poddisruptionbudgets")?,
            jobs: keep!(jobs, "jobs")?,
            other: keep!(quotas, "resourcequotas")?
                .into_iter()
                .map(|quota: MetadataOnly| model::Other { kind: "ResourceQuota".into(), metadata: quota.metadata })
                .collect(),
            secrets: keep!(secrets, "secrets")?,
            config_maps: keep!(config_maps, "configmaps")?,
            nodes: keep!(nodes, "nodes")?,
            ingress_classes: keep!(ingress_classes, "ingressclasses")?,
            storage_classes: keep!(storage_classes, "storageclasses")?,
        };
        // Nothing in the namespace could be read: that is a refusal, not a healthy namespace.
        if !listed.iter().any(|resource| !CLUSTER_SCOPED.contains(&resource.as_str())) {
            return Err(ClusterError::Forbidden {
                verb: "list".into(),
                resource: "pods".into(),
                namespace: namespace.into(),
            });
        }
        unchecked.sort();
        Ok(Gathered { objects, unchecked, listed, requests: 19 })
    }

    /// Turns a kube error into one the user can act on.
    pub(super) fn error(
        &self,
        error: kube::Error,
        verb: &str,
        resource: &str,
        namespace: &str,
        object: Option<(&str, &str)>,
    ) -> ClusterError {
        match error {
            kube::Error::Api(status) => match status.code {
                403 => ClusterError::Forbidden {
                    verb: verb.into(),
                    resource: resource.into(),
                    namespace: namespace.into(),
                },
                404 => {
                    let (kind, name) = object.unwrap_or((resource, ""));
                    ClusterError::NotFound {
                        kind: kind.into(),
                        name: name.into(),
                        namespace: namespace.into(),
                        suggestions: Vec::new(),
                    }
                }
                409 => {
                    let (kind, name) = object.unwrap_or((resource, ""));
                    ClusterError::Conflict { kind: kind.into(), name: name.into() }
                }
                504 => ClusterError::Timeout { server: self.server.clone() },
                _ => ClusterError::Api { message: crate::redact::text(&status.message) },
            },
            kube::Error::HyperError(error) if super::timed_out(&error) => {
                ClusterError::Timeout { server: self.server.clone() }
            }
            kube::Error::HyperError(error) => self.unreachable(error.to_string()),
            kube::Error::Service(error) if super::timed_out(error.as_ref()) => {
                ClusterError::Timeout { server: self.server.clone() }
            }
            kube::Error::Service(error) => self.unreachable(error.to_string()),
            other => ClusterError::Api { message: crate::redact::text(&other.to_string()) },
        }
    }

    fn unreachable(&self, reason: String) -> ClusterError {
        ClusterError::Unreachable { server: self.server.clone(), context: self.context.clone(), reason }
    }
}

/// The kinds a gathering lists that are not in the namespace (a user with rights in one
/// namespace only is refused these, and still gets a diagnosis of the namespace).
const CLUSTER_SCOPED: [&str; 3] = ["nodes", "ingressclasses", "storageclasses"];

/// A kind's LIST result in a gathering: RBAC gaps degrade (the kind is reported unchecked),
/// anything else (unreachable …) is an error. Kinds that were listed are remembered, so an
/// analyzer can tell "none exist" from "could not look".
fn keep<T>(
    result: Result<Vec<T>, ClusterError>,
    resource: &str,
    unchecked: &mut Vec<String>,
    listed: &mut Vec<String>,
) -> Result<Vec<T>, ClusterError> {
    match result {
        Ok(items) => {
            listed.push(resource.to_string());
            Ok(items)
        }
        Err(ClusterError::Forbidden { resource, .. }) => {
            unchecked.push(format!("{resource}: forbidden"));
            Ok(Vec::new())
        }
        Err(other) => Err(other),
    }
}

/// An item of a kind nothing reads beyond its identity (ResourceQuotas).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MetadataOnly {
    #[serde(deserialize_with = "model::nullable")]
    metadata: model::Meta,
}
