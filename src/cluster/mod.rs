//! Cluster access behind one seam: [`Cluster::Live`] talks to the API server through kube-rs,
//! [`Cluster::Snapshot`] answers from a saved state (`--snapshot FILE|DIR`) and can never be
//! changed. Tools get a [`ClusterAccess`] that connects lazily, on first use, so commands that
//! never touch the cluster never need a kubeconfig.
//!
//! Reads are paged LISTs per kind with the namespace in the path (never one GET per pod),
//! parsed straight into the typed views of [`model`], and run concurrently, so the number of
//! requests does not grow with the cluster and memory grows only with what is kept.

mod live;
pub mod model;
pub mod print;
pub mod resolve;
pub mod snapshot;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, LogParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

pub use live::PAGE_SIZE;
use live::kinds;
pub use model::Objects;

use resolve::{Candidate, Resolution};

/// Why the cluster could not answer. Each variant renders as one line; [`ClusterError::hint`]
/// says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// No kubeconfig and not running in a cluster.
    #[error("no Kubernetes configuration found: {reason}")]
    NoConfig {
        /// What was tried.
        reason: String,
    },
    /// The kubeconfig exists but cannot be used.
    #[error("cannot use the kubeconfig: {reason}")]
    Kubeconfig {
        /// What is wrong with it.
        reason: String,
    },
    /// The API server did not answer.
    #[error("cannot reach the cluster at {server} (context {context}): {reason}")]
    Unreachable {
        /// The API server URL.
        server: String,
        /// The kube context.
        context: String,
        /// The transport error.
        reason: String,
    },
    /// RBAC said no.
    #[error("forbidden: cannot {verb} {resource} in namespace {namespace}")]
    Forbidden {
        /// The verb (`list`, `patch` …).
        verb: String,
        /// The resource (`deployments`, `deployments/scale` …).
        resource: String,
        /// The namespace.
        namespace: String,
    },
    /// No object of that name; `suggestions` holds the closest names.
    #[error("{kind} `{name}` not found in namespace {namespace}{}", suggest(.suggestions))]
    NotFound {
        /// The kind, lower case (`deployment`).
        kind: String,
        /// What was asked for.
        name: String,
        /// The namespace searched.
        namespace: String,
        /// The closest names, best first.
        suggestions: Vec<String>,
    },
    /// Several objects match a name fragment.
    #[error("`{name}` matches several {kind}s in namespace {namespace}: {}", .candidates.join(", "))]
    Ambiguous {
        /// The kind, lower case.
        kind: String,
        /// What was asked for.
        name: String,
        /// The namespace searched.
        namespace: String,
        /// The matching names.
        candidates: Vec<String>,
    },
    /// The update raced another writer twice.
    #[error("{kind} `{name}` was changed by someone else while updating it")]
    Conflict {
        /// The kind.
        kind: String,
        /// The name.
        name: String,
    },
    /// The request took too long.
    #[error("the cluster at {server} did not answer in time")]
    Timeout {
        /// The API server URL.
        server: String,
    },
    /// A snapshot file cannot be read.
    #[error("cannot read snapshot `{path}`: {reason}")]
    Snapshot {
        /// The file or directory.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Anything else the API server said.
    #[error("the cluster refused the request: {message}")]
    Api {
        /// The server's message.
        message: String,
    },
}

fn suggest(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        names => format!("; did you mean {}?", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")),
    }
}

impl ClusterError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            ClusterError::NoConfig { .. } => {
                "set `KUBECONFIG` or pass `--kubeconfig FILE`; to work without a cluster pass `--snapshot FILE`".into()
            }
            ClusterError::Kubeconfig { .. } => "check it with `kubectl config view`".into(),
            ClusterError::Unreachable { context, .. } => format!(
                "is the cluster running (`minikube status`)? check `kubectl --context {context} cluster-info`"
            ),
            ClusterError::Forbidden { verb, resource, namespace } => {
                format!("check your access with `kubectl auth can-i {verb} {resource} -n {namespace}`")
            }
            ClusterError::NotFound { namespace, .. } => format!("see what is there with `todo-ai status -n {namespace}`"),
            ClusterError::Ambiguous { candidates, .. } => {
                format!("name one exactly, e.g. `{}`", candidates.first().cloned().unwrap_or_default())
            }
            ClusterError::Conflict { .. } => "run the command again".into(),
            ClusterError::Timeout { .. } => "check the network to the API server, then try again".into(),
            ClusterError::Snapshot { .. } => "a snapshot is what `kubectl get … -o yaml` prints (a List, documents separated by `---`, or a directory of them)".into(),
            ClusterError::Api { .. } => {
                "that is the API server's own message; `kubectl` with the same context shows more (`kubectl get events`)".into()
            }
        })
    }
}

/// The live cluster: a kube client and where it points.
#[derive(Clone)]
pub struct Live {
    /// The client.
    pub client: kube::Client,
    /// The kube context name, for messages.
    pub context: String,
    /// The API server URL, for messages.
    pub server: String,
}

/// Where cluster state comes from.
// One per process and never moved around: the size of the snapshot's collections is fine.
#[allow(clippy::large_enum_variant)]
pub enum Cluster {
    /// A real API server.
    Live(Live),
    /// A saved state; read-only.
    Snapshot {
        /// The file or directory it came from.
        path: PathBuf,
        /// Its objects.
        objects: Objects,
    },
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cluster::Live(live) => write!(f, "Live({} at {})", live.context, live.server),
            Cluster::Snapshot { path, .. } => write!(f, "Snapshot({})", path.display()),
        }
    }
}

/// What a changing tool needs to know to change a deployment's replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleTarget {
    /// The resolved deployment name.
    pub name: String,
    /// Its current desired replicas.
    pub replicas: i32,
    /// An autoscaler targeting it: name, min and max.
    pub autoscaler: Option<(String, i32, i32)>,
}

impl Cluster {
    /// Connects as kubectl would: `--kubeconfig` or `KUBECONFIG` (several paths merged) or
    /// `~/.kube/config`, `--context`, else the in-cluster service account.
    pub async fn connect(kubeconfig: Option<PathBuf>, context: Option<String>) -> Result<Cluster, ClusterError> {
        let options = KubeConfigOptions { context: context.clone(), ..KubeConfigOptions::default() };
        let mut file_context = None;
        let config = match &kubeconfig {
            Some(path) => {
                let file = Kubeconfig::read_from(path)
                    .map_err(|error| ClusterError::Kubeconfig { reason: format!("`{}`: {error}", path.display()) })?;
                file_context = file.current_context.clone();
                kube::Config::from_custom_kubeconfig(file, &options)
                    .await
                    .map_err(|error| ClusterError::Kubeconfig { reason: error.to_string() })?
            }
            None if context.is_some() => kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|error| ClusterError::Kubeconfig { reason: error.to_string() })?,
            None => {
                kube::Config::infer().await.map_err(|error| ClusterError::NoConfig { reason: error.to_string() })?
            }
        };
        let mut config = config;
        // No request of ours streams: a stuck API server is reported, not waited on forever.
        let timeout = request_timeout();
        config.connect_timeout = Some(timeout);
        config.read_timeout = Some(timeout);
        let server = config.cluster_url.to_string();
        let context_name =
            context.or(file_context).or_else(current_context).unwrap_or_else(|| "in-cluster".to_string());
        let client =
            kube::Client::try_from(config).map_err(|error| ClusterError::Kubeconfig { reason: error.to_string() })?;
        Ok(Cluster::Live(Live { client, context: context_name, server }))
    }

    /// Loads a snapshot.
    pub fn from_snapshot(path: PathBuf) -> Result<Cluster, ClusterError> {
        let objects = snapshot::load(&path)?;
        Ok(Cluster::Snapshot { path, objects })
    }

    /// A short description for messages: `context minikube` or `snapshot todo.yaml`.
    pub fn describe(&self) -> String {
        match self {
            Cluster::Live(live) => format!("context {}", live.context),
            Cluster::Snapshot { path, .. } => format!("snapshot {}", path.display()),
        }
    }

    /// The namespace of every namespaced object in a snapshot, when there is exactly one.
    pub fn single_namespace(&self) -> Option<String> {
        let Cluster::Snapshot { objects, .. } = self else { return None };
        let mut namespaces: Vec<&str> = objects
            .pods
            .iter()
            .map(|o| &o.metadata)
            .chain(objects.deployments.iter().map(|o| &o.metadata))
            .chain(objects.statefulsets.iter().map(|o| &o.metadata))
            .chain(objects.daemonsets.iter().map(|o| &o.metadata))
            .chain(objects.configuration_metas())
            .map(|meta| meta.namespace.as_str())
            .filter(|namespace| !namespace.is_empty())
            .collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        match namespaces.as_slice() {
            [only] => Some((*only).to_string()),
            _ => None,
        }
    }

    /// Whether changes are impossible (a snapshot).
    pub fn is_snapshot(&self) -> bool {
        matches!(self, Cluster::Snapshot { .. })
    }

    /// Pods, deployments, statefulsets and daemonsets of a namespace: four concurrent paged
    /// LISTs, as views.
    pub async fn workloads(&self, namespace: &str) -> Result<Objects, ClusterError> {
        let live = match self {
            Cluster::Snapshot { objects, .. } => return Ok(objects.workloads_in(namespace)),
            Cluster::Live(live) => live,
        };
        let (pods, deployments, statefulsets, daemonsets) = tokio::try_join!(
            live.views(kinds::PODS, namespace, None),
            live.views(kinds::DEPLOYMENTS, namespace, None),
            live.views(kinds::STATEFULSETS, namespace, None),
            live.views(kinds::DAEMONSETS, namespace, None),
        )?;
        Ok(Objects { pods, deployments, statefulsets, daemonsets, ..Objects::default() })
    }

    /// Core/v1 events of a namespace, oldest first.
    pub async fn events(&self, namespace: &str) -> Result<Vec<Event>, ClusterError> {
        let views: Vec<model::Event> = match self {
            Cluster::Snapshot { objects, .. } => in_namespace(&objects.events, |e| &e.metadata, namespace),
            Cluster::Live(live) => live.views(kinds::EVENTS, namespace, None).await?,
        };
        let mut events: Vec<Event> = views.iter().map(model::Event::to_api).collect();
        events.sort_by_key(print::event_time);
        Ok(events)
    }

    /// Resolves a deployment and reads what scaling it needs: current replicas and any HPA.
    pub async fn scale_target(&self, namespace: &str, query: &str) -> Result<ScaleTarget, ClusterError> {
        let (deployments, hpas): (Vec<model::Deployment>, Vec<model::HorizontalPodAutoscaler>) = match self {
            Cluster::Snapshot { objects, .. } => (
                in_namespace(&objects.deployments, |d| &d.metadata, namespace),
                in_namespace(&objects.hpas, |h| &h.metadata, namespace),
            ),
            Cluster::Live(live) => tokio::try_join!(
                live.views(kinds::DEPLOYMENTS, namespace, None),
                live.views(kinds::HPAS, namespace, None),
            )?,
        };
        let name = resolve_one("deployment", namespace, query, deployments.iter().map(|d| &d.metadata))?;
        let deployment = deployments.iter().find(|d| d.metadata.name == name);
        let replicas = deployment.map_or(1, |d| int32(d.desired()));
        let autoscaler = hpas.iter().find_map(|hpa| {
            let target = &hpa.spec.scale_target_ref;
            (target.kind == "Deployment" && target.name == name).then(|| {
                (hpa.metadata.name.clone(), int32(hpa.spec.min_replicas.unwrap_or(1)), int32(hpa.spec.max_replicas))
            })
        });
        Ok(ScaleTarget { name, replicas, autoscaler })
    }

    /// Sets a deployment's replicas through the scale subresource (a merge PATCH of
    /// `spec.replicas`); with `dry_run` the server validates and changes nothing. Returns the
    /// replicas the server accepted.
    pub async fn scale(&self, namespace: &str, name: &str, replicas: i32, dry_run: bool) -> Result<i32, ClusterError> {
        let Cluster::Live(live) = self else {
            return Err(ClusterError::Api { message: "a snapshot cannot be changed".into() });
        };
        let api: Api<Deployment> = Api::namespaced(live.client.clone(), namespace);
        let params = PatchParams { dry_run, ..PatchParams::default() };
        let patch = serde_json::json!({"spec": {"replicas": replicas}});
        let scale = retry_conflict(|| async {
            api.patch_scale(name, &params, &Patch::Merge(&patch))
                .await
                .map_err(|error| live.error(error, "patch", "deployments/scale", namespace, Some(("deployment", name))))
        })
        .await?;
        Ok(scale.spec.and_then(|s| s.replicas).unwrap_or(replicas))
    }
}

/// Everything diagnosis reads about a namespace, and the kinds it could not read.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    /// The objects.
    pub objects: Objects,
    /// Kinds that could not be listed (RBAC), as `resource: reason`.
    pub unchecked: Vec<String>,
    /// Resources that were listed successfully (`ingressclasses` …): an empty list of one of
    /// these means none exist, not that they could not be seen.
    pub listed: Vec<String>,
    /// API requests made.
    pub requests: usize,
}

/// How long one request to the API server may take.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The request timeout: `TODO_AI_REQUEST_TIMEOUT` seconds, else [`REQUEST_TIMEOUT`].
pub fn request_timeout() -> std::time::Duration {
    std::env::var("TODO_AI_REQUEST_TIMEOUT")
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|seconds| *seconds > 0)
        .map_or(REQUEST_TIMEOUT, std::time::Duration::from_secs)
}

/// The most pods whose logs one call reads.
pub const MAX_LOG_PODS: usize = 10;

impl Cluster {
    fn changeable(&self) -> Result<&Live, ClusterError> {
        match self {
            Cluster::Live(live) => Ok(live),
            Cluster::Snapshot { .. } => Err(ClusterError::Api { message: "a snapshot cannot be changed".into() }),
        }
    }

    /// Resolves a deployment by name, fragment or label, and returns it.
    pub async fn find_deployment(&self, namespace: &str, query: &str) -> Result<Deployment, ClusterError> {
        let deployments: Vec<Deployment> = match self {
            Cluster::Snapshot { objects, .. } => objects
                .deployments
                .iter()
                .filter(|d| d.metadata.namespace_or_default() == namespace)
                .map(model::Deployment::to_api)
                .collect(),
            Cluster::Live(live) => live.list::<Deployment>(namespace, "deployments").await?,
        };
        let name = resolve_one("deployment", namespace, query, deployments.iter().map(|d| &d.metadata))?;
        deployments.into_iter().find(|d| d.metadata.name.as_deref() == Some(name.as_str())).ok_or_else(|| {
            ClusterError::NotFound {
                kind: "deployment".into(),
                name,
                namespace: namespace.into(),
                suggestions: Vec::new(),
            }
        })
    }

    /// ReplicaSets of a namespace.
    pub async fn replicasets(&self, namespace: &str) -> Result<Vec<ReplicaSet>, ClusterError> {
        match self {
            Cluster::Snapshot { objects, .. } => Ok(objects
                .replicasets
                .iter()
                .filter(|r| r.metadata.namespace_or_default() == namespace)
                .map(model::ReplicaSet::to_api)
                .collect()),
            Cluster::Live(live) => live.list::<ReplicaSet>(namespace, "replicasets").await,
        }
    }

    /// HorizontalPodAutoscalers of a namespace.
    pub async fn hpas(&self, namespace: &str) -> Result<Vec<HorizontalPodAutoscaler>, ClusterError> {
        match self {
            Cluster::Snapshot { objects, .. } => Ok(objects
                .hpas
                .iter()
                .filter(|h| h.metadata.namespace_or_default() == namespace)
                .map(model::HorizontalPodAutoscaler::to_api)
                .collect()),
            Cluster::Live(live) => live.list::<HorizontalPodAutoscaler>(namespace, "horizontalpodautoscalers").await,
        }
    }

    /// Pods of a namespace (views), optionally only those matching a label selector (`a=b,c=d`).
    pub async fn pods(&self, namespace: &str, selector: Option<&str>) -> Result<Vec<model::Pod>, ClusterError> {
        let matches = |pod: &model::Pod| {
            selector.is_none_or(|selector| {
                selector.split(',').filter(|r| !r.is_empty()).all(|requirement| {
                    let (key, value) = requirement.split_once('=').unwrap_or((requirement, ""));
                    pod.metadata.labels.get(key.trim()).map(String::as_str) == Some(value.trim())
                })
            })
        };
        match self {
            Cluster::Snapshot { objects, .. } => Ok(objects
                .pods
                .iter()
                .filter(|p| p.metadata.namespace_or_default() == namespace && matches(p))
                .cloned()
                .collect()),
            Cluster::Live(live) => live.views(kinds::PODS, namespace, selector).await,
        }
    }

    /// Patches a deployment (strategic merge when `strategic`, else JSON merge).
    pub async fn patch_deployment(
        &self,
        namespace: &str,
        name: &str,
        patch: &Value,
        strategic: bool,
        dry_run: bool,
    ) -> Result<Deployment, ClusterError> {
        let live = self.changeable()?;
        let api: Api<Deployment> = Api::namespaced(live.client.clone(), namespace);
        let params = PatchParams { dry_run, ..PatchParams::default() };
        let patch = if strategic { Patch::Strategic(patch) } else { Patch::Merge(patch) };
        retry_conflict(|| async {
            api.patch(name, &params, &patch)
                .await
                .map_err(|e| live.error(e, "patch", "deployments", namespace, Some(("deployment", name))))
        })
        .await
    }

    /// Creates an autoscaler, or merge-patches the spec of the existing one of that name.
    pub async fn apply_hpa(
        &self,
        namespace: &str,
        hpa: &HorizontalPodAutoscaler,
        exists: bool,
        dry_run: bool,
    ) -> Result<HorizontalPodAutoscaler, ClusterError> {
        let live = self.changeable()?;
        let api: Api<HorizontalPodAutoscaler> = Api::namespaced(live.client.clone(), namespace);
        let name = hpa.metadata.name.clone().unwrap_or_default();
        let result = if exists {
            let patch = serde_json::json!({"spec": hpa.spec});
            api.patch(&name, &PatchParams { dry_run, ..PatchParams::default() }, &Patch::Merge(&patch)).await
        } else {
            api.create(&PostParams { dry_run, ..PostParams::default() }, hpa).await
        };
        let verb = if exists { "patch" } else { "create" };
        result.map_err(|e| {
            live.error(e, verb, "horizontalpodautoscalers", namespace, Some(("horizontalpodautoscaler", &name)))
        })
    }

    /// The last lines of a container's log (`previous` for the crashed instance).
    pub async fn pod_logs(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
        tail: i64,
        since_seconds: Option<i64>,
    ) -> Result<String, ClusterError> {
        let Cluster::Live(live) = self else {
            return Err(ClusterError::Api {
                message: "a snapshot holds no container logs; run against the live cluster".into(),
            });
        };
        let api: Api<Pod> = Api::namespaced(live.client.clone(), namespace);
        let params = LogParams {
            container: container.map(str::to_string),
            previous,
            tail_lines: Some(tail),
            since_seconds,
            limit_bytes: Some(1024 * 1024),
            ..LogParams::default()
        };
        api.logs(pod, &params).await.map_err(|e| live.error(e, "get", "pods/log", namespace, Some(("pod", pod))))
    }
}

impl Cluster {
    /// Reads everything diagnosis needs about a namespace (live: one paged LIST per kind,
    /// concurrently). A snapshot is analysed where it lies (see [`crate::diagnose::run`]);
    /// here it is copied, for callers that want owned objects.
    pub async fn gather(&self, namespace: &str) -> Result<Gathered, ClusterError> {
        match self {
            Cluster::Snapshot { objects, .. } => {
                Ok(Gathered { objects: objects.clone(), unchecked: Vec::new(), listed: Vec::new(), requests: 0 })
            }
            Cluster::Live(live) => live.gather(namespace).await,
        }
    }

    /// Every namespace with objects (snapshot) or every namespace of the cluster (live).
    pub async fn namespaces(&self) -> Result<Vec<String>, ClusterError> {
        match self {
            Cluster::Snapshot { objects, .. } => {
                let mut names: Vec<String> = objects
                    .pods
                    .iter()
                    .map(|o| &o.metadata)
                    .chain(objects.deployments.iter().map(|o| &o.metadata))
                    .chain(objects.configuration_metas())
                    .filter(|meta| !meta.namespace.is_empty())
                    .map(|meta| meta.namespace.clone())
                    .collect();
                names.sort();
                names.dedup();
                Ok(names)
            }
            Cluster::Live(live) => {
                #[derive(serde::Deserialize)]
                struct Named {
                    #[serde(default, deserialize_with = "model::nullable")]
                    metadata: model::Meta,
                }
                let namespaces: Vec<Named> = live.views(kinds::NAMESPACES, "", None).await?;
                Ok(namespaces.into_iter().map(|n| n.metadata.name).filter(|n| !n.is_empty()).collect())
            }
        }
    }
}

/// The objects of one namespace (an object that names none is in `default`).
fn in_namespace<T: Clone>(items: &[T], meta: fn(&T) -> &model::Meta, namespace: &str) -> Vec<T> {
    items.iter().filter(|item| meta(item).namespace_or_default() == namespace).cloned().collect()
}

/// A replica count for the API types (clamped, never wrapped).
fn int32(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(if value < 0 { 0 } else { i32::MAX })
}

/// Runs an update, and once more if it hit a conflict (someone else changed the object in
/// between). Our patches carry no resourceVersion, so the retry reads fresh state.
async fn retry_conflict<T, F, Fut>(mut attempt: F) -> Result<T, ClusterError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClusterError>>,
{
    match attempt().await {
        Err(ClusterError::Conflict { .. }) => attempt().await,
        other => other,
    }
}

/// Whether an error, or anything in its source chain, is a timeout.
fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut) {
            return true;
        }
        let text = error.to_string().to_ascii_lowercase();
        if text.contains("timed out") || text.contains("deadline has elapsed") || text.contains("timeout") {
            return true;
        }
        current = error.source();
    }
    false
}

/// The kubeconfig's current context name, for messages.
fn current_context() -> Option<String> {
    Kubeconfig::read().ok().and_then(|config| config.current_context)
}

/// An object's name and labels, for target resolution: API metadata or a view's.
pub trait Named {
    /// The name, if it has one.
    fn name(&self) -> Option<&str>;
    /// Its labels, if any.
    fn labels(&self) -> Option<&BTreeMap<String, String>>;
}

impl Named for kube::api::ObjectMeta {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    fn labels(&self) -> Option<&BTreeMap<String, String>> {
        self.labels.as_ref()
    }
}

impl Named for model::Meta {
    fn name(&self) -> Option<&str> {
        Some(self.name.as_str()).filter(|name| !name.is_empty())
    }
    fn labels(&self) -> Option<&BTreeMap<String, String>> {
        Some(&self.labels).filter(|labels| !labels.is_empty())
    }
}

/// Resolves `query` among objects of one kind, as an error the user can act on.
pub fn resolve_one<'a, M: Named + 'a>(
    kind: &str,
    namespace: &str,
    query: &str,
    metas: impl Iterator<Item = &'a M>,
) -> Result<String, ClusterError> {
    let metas: Vec<&M> = metas.collect();
    let candidates: Vec<Candidate<'_>> =
        metas.iter().filter_map(|meta| Some(Candidate { name: meta.name()?, labels: meta.labels() })).collect();
    match resolve::resolve(query, &candidates) {
        Resolution::Found(name) => Ok(name),
        Resolution::Ambiguous(candidates) => Err(ClusterError::Ambiguous {
            kind: kind.into(),
            name: query.into(),
            namespace: namespace.into(),
            candidates,
        }),
        Resolution::NotFound(suggestions) => Err(ClusterError::NotFound {
            kind: kind.into(),
            name: query.into(),
            namespace: namespace.into(),
            suggestions,
        }),
    }
}

/// Lazy, shared access to the cluster for tools: the first tool that needs it connects (or
/// loads the snapshot); commands that never need it never do.
pub struct ClusterAccess {
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    snapshot: Option<PathBuf>,
    cell: tokio::sync::OnceCell<Result<Arc<Cluster>, ClusterError>>,
}

impl fmt::Debug for ClusterAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterAccess").field("snapshot", &self.snapshot).field("context", &self.context).finish()
    }
}

impl ClusterAccess {
    /// Access configured from settings.
    pub fn new(kubeconfig: Option<PathBuf>, context: Option<String>, snapshot: Option<PathBuf>) -> ClusterAccess {
        ClusterAccess { kubeconfig, context, snapshot, cell: tokio::sync::OnceCell::new() }
    }

    /// Access to a cluster that is already there (tests, the MCP server).
    pub fn ready(cluster: Cluster) -> ClusterAccess {
        let context = match &cluster {
            Cluster::Live(live) => Some(live.context.clone()),
            Cluster::Snapshot { .. } => None,
        };
        ClusterAccess {
            kubeconfig: None,
            context,
            snapshot: None,
            cell: tokio::sync::OnceCell::new_with(Some(Ok(Arc::new(cluster)))),
        }
    }

    /// The kubeconfig given on the command line or in settings, if any (for helm).
    pub fn kubeconfig(&self) -> Option<&PathBuf> {
        self.kubeconfig.as_ref()
    }

    /// The kube context this access connects to (for helm, questions and audit lines).
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref()
    }

    /// Whether this session reads a snapshot (known without loading it).
    pub fn is_snapshot(&self) -> bool {
        self.snapshot.is_some() || self.cell.get().is_some_and(|c| c.as_ref().is_ok_and(|c| c.is_snapshot()))
    }

    /// The snapshot path, when there is one.
    pub fn snapshot_path(&self) -> Option<&PathBuf> {
        self.snapshot.as_ref()
    }

    /// The cluster, connecting on first use.
    pub async fn get(&self) -> Result<Arc<Cluster>, ClusterError> {
        self.cell
            .get_or_init(|| async {
                let cluster = match &self.snapshot {
                    Some(path) => Cluster::from_snapshot(path.clone()),
                    None => Cluster::connect(self.kubeconfig.clone(), self.context.clone()).await,
                };
                cluster.map(Arc::new)
            })
            .await
            .clone()
    }
}
