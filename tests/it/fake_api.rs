//! A small in-process Kubernetes API server behind `tower_test::mock`: a real `kube::Client`
//! sends real requests, this routes the real REST paths (`/api/v1/namespaces/{ns}/pods`,
//! `/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale` …), answers with Kubernetes JSON
//! and records every request (method, path, query, body) so tests can assert them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use http::{Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};
use todo_ai::cluster::{Cluster, ClusterAccess, Live};
use todo_ai::tools::ToolContext;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: Value,
}

/// What the controllers do after a write (see [`State::after_write`]).
pub type Hook = Box<dyn FnOnce(&mut State) + Send>;

/// The fake's state: objects by (namespace, plural), forced errors, and the request log.
#[derive(Default)]
pub struct State {
    objects: HashMap<(String, String), Vec<Value>>,
    /// `plural` → HTTP status to answer with instead.
    pub errors: HashMap<String, u16>,
    /// `METHOD plural` → HTTP status to answer with once, then behave.
    pub errors_once: HashMap<String, u16>,
    /// Honour `limit` and `continue` on LISTs, like a real API server (off: every LIST is
    /// answered whole, whatever it asks).
    pub paging: bool,
    /// Pod name → its log (others log a start-up failure with a database URL).
    pub logs: HashMap<String, String>,
    pub requests: Vec<Recorded>,
    /// What every container log read answers instead of the default three lines.
    pub log: Option<String>,
    /// Runs once, after the first write that is not a dry run (what controllers would do
    /// next: a new ReplicaSet and its pods).
    pub after_write: Option<Hook>,
}

fn plural(kind: &str) -> String {
    match kind {
        "Pod" => "pods".into(),
        "Deployment" => "deployments".into(),
        "StatefulSet" => "statefulsets".into(),
        "DaemonSet" => "daemonsets".into(),
        "ReplicaSet" => "replicasets".into(),
        "Event" => "events".into(),
        "HorizontalPodAutoscaler" => "horizontalpodautoscalers".into(),
        "Service" => "services".into(),
        "Endpoints" => "endpoints".into(),
        other => {
            let lower = other.to_ascii_lowercase();
            if lower.ends_with('s') {
                format!("{lower}es")
            } else if let Some(stem) = lower.strip_suffix('y') {
                format!("{stem}ies")
            } else {
                format!("{lower}s")
            }
        }
    }
}

impl State {
    /// Adds objects (each with `kind` and `metadata.namespace`).
    pub fn add(&mut self, objects: impl IntoIterator<Item = Value>) {
        for object in objects {
            let kind = object["kind"].as_str().unwrap_or_default().to_string();
            let namespace = match kind.as_str() {
                "Node" | "IngressClass" | "StorageClass" | "PersistentVolume" | "Namespace" => String::new(),
                _ => object["metadata"]["namespace"].as_str().unwrap_or("default").to_string(),
            };
            self.objects.entry((namespace, plural(&kind))).or_default().push(object);
        }
    }

    /// Removes an object.
    pub fn remove(&mut self, kind: &str, namespace: &str, name: &str) {
        if let Some(items) = self.objects.get_mut(&(namespace.to_string(), plural(kind))) {
            items.retain(|item| item["metadata"]["name"] != name);
        }
    }

    /// Merges a patch into a stored object (as a controller would change it).
    pub fn update(&mut self, kind: &str, namespace: &str, name: &str, patch: &Value) {
        if let Some(items) = self.objects.get_mut(&(namespace.to_string(), plural(kind))) {
            for item in items.iter_mut().filter(|item| item["metadata"]["name"] == name) {
                merge(item, patch);
            }
        }
    }

    fn respond(&mut self, method: &str, path: &str, query: &str, body: &Value) -> (u16, Value) {
        let answer = self.answer(method, path, query, body);
        if method != "GET"
            && !query.contains("dryRun=All")
            && answer.0 < 300
            && let Some(hook) = self.after_write.take()
        {
            hook(self);
        }
        answer
    }

    fn answer(&mut self, method: &str, path: &str, query: &str, body: &Value) -> (u16, Value) {
        // /api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]] or /apis/{group}/{version}/namespaces/…
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let cluster_scoped;
        let rest = match parts.as_slice() {
            // The namespaces themselves are a cluster-scoped kind.
            ["api", _version, "namespaces"] => {
                cluster_scoped = ["", "namespaces"];
                &cluster_scoped[..]
            }
            ["api", _version, "namespaces", rest @ ..] => rest,
            ["apis", _group, _version, "namespaces", rest @ ..] => rest,
            // Cluster-scoped kinds (nodes, ingressclasses …) live under the empty namespace.
            ["api", _version, plural] | ["apis", _, _version, plural] => {
                cluster_scoped = ["", *plural];
                &cluster_scoped[..]
            }
            _ => return (404, status(404, "NotFound", &format!("no route for {path}"))),
        };
        let (namespace, plural_name, name, sub) = match rest {
            [ns, plural] => (*ns, *plural, None, None),
            [ns, plural, name] => (*ns, *plural, Some(*name), None),
            [ns, plural, name, sub] => (*ns, *plural, Some(*name), Some(*sub)),
            _ => return (404, status(404, "NotFound", "bad path")),
        };
        let once = format!("{method} {plural_name}");
        if let Some(code) = self.errors.get(plural_name).copied().or_else(|| self.errors_once.remove(&once)) {
            let reason = if code == 403 { "Forbidden" } else { "Error" };
            return (code, status(code, reason, &format!("{plural_name} is {reason}")));
        }
        let key = (namespace.to_string(), plural_name.to_string());
        let items = self.objects.get(&key).cloned().unwrap_or_default();
        let dry_run = query.contains("dryRun=All");
        match (method, name, sub) {
            ("GET", None, None) => {
                // `labelSelector=a%3Db` (equality only, enough for the tools).
                let selector = query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("labelSelector="))
                    .map(|s| s.replace("%3D", "=").replace("%2C", ","));
                let items: Vec<Value> = items
                    .into_iter()
                    .filter(|item| {
                        selector.as_deref().is_none_or(|selector| {
                            selector.split(',').all(|requirement| {
                                let (k, v) = requirement.split_once('=').unwrap_or((requirement, ""));
                                item["metadata"]["labels"][k] == v
                            })
                        })
                    })
                    .collect();
                let param = |name: &str| {
                    query.split('&').find_map(|pair| pair.strip_prefix(name)).and_then(|v| v.parse::<usize>().ok())
                };
                let (items, next) = match param("limit=") {
                    Some(limit) if self.paging => {
                        let start = param("continue=").unwrap_or(0).min(items.len());
                        let end = (start + limit).min(items.len());
                        let next = if end < items.len() { end.to_string() } else { String::new() };
                        (items[start..end].to_vec(), next)
                    }
                    _ => (items, String::new()),
                };
                (
                    200,
                    json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": "1", "continue": next}, "items": items}),
                )
            }
            ("GET", Some(name), Some("log")) => (
                200,
                Value::String(
                    // `{pod}/previous`: what only a read of the previous container answers.
                    query.contains("previous=true")
                        .then(|| self.logs.get(&format!("{name}/previous")).cloned())
                        .flatten()
                        .or_else(|| self.logs.get(name).cloned())
                        .or_else(|| self.log.clone())
                        .unwrap_or_else(|| {
                    format!(
                        "{name} starting\n{name} DATABASE_URL=postgresql://todo:pw-123@db/todo\n{name} exited with 1\n"
                    )
                }),
                ),
            ),
            ("PATCH", Some(name), None) => {
                let Some(position) = items.iter().position(|o| o["metadata"]["name"] == name) else {
                    return (404, status(404, "NotFound", &format!("{plural_name} \"{name}\" not found")));
                };
                let mut object = items[position].clone();
                merge(&mut object, body);
                if !dry_run {
                    self.objects.get_mut(&key).unwrap()[position] = object.clone();
                }
                (200, object)
            }
            ("POST", None, None) => {
                let mut object = body.clone();
                object["metadata"]["namespace"] = json!(namespace);
                if !dry_run {
                    self.objects.entry(key).or_default().push(object.clone());
                }
                (201, object)
            }
            ("PATCH", Some(name), Some("scale")) => {
                let Some(object) = items.iter().find(|o| o["metadata"]["name"] == name) else {
                    return (404, status(404, "NotFound", &format!("deployments.apps \"{name}\" not found")));
                };
                let current = object["spec"]["replicas"].as_i64().unwrap_or(1);
                let wanted = body["spec"]["replicas"].as_i64().unwrap_or(current);
                (
                    200,
                    json!({
                        "apiVersion": "autoscaling/v1", "kind": "Scale",
                        "metadata": {"name": name, "namespace": namespace},
                        "spec": {"replicas": wanted}, "status": {"replicas": current}
                    }),
                )
            }
            _ => (405, status(405, "MethodNotAllowed", &format!("{method} {path}"))),
        }
    }
}

/// JSON merge with strategic-merge's one rule the tools rely on: lists of objects with a
/// `name` merge by name (containers); other lists are replaced.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (Value::Array(target), Value::Array(patch))
            if !target.is_empty() && patch.iter().all(|p| p.get("name").is_some()) =>
        {
            for item in patch {
                match target.iter_mut().find(|t| t["name"] == item["name"]) {
                    Some(existing) => merge(existing, item),
                    None => target.push(item.clone()),
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Status", "status": "Failure", "code": code, "reason": reason, "message": message})
}

/// Starts the fake on the current tokio runtime; returns a tool context bound to it.
pub fn start(state: Arc<Mutex<State>>) -> ToolContext {
    let (service, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let served = state.clone();
    tokio::spawn(async move {
        while let Some((request, send)) = handle.next_request().await {
            let method = request.method().to_string();
            let path = request.uri().path().to_string();
            let query = request.uri().query().unwrap_or_default().to_string();
            let content_type =
                request.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            let bytes = request.into_body().collect_bytes().await.unwrap_or_default();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let (code, answer) = {
                let mut state = served.lock().unwrap();
                state.requests.push(Recorded {
                    method: method.clone(),
                    path: path.clone(),
                    query: query.clone(),
                    content_type,
                    body: body.clone(),
                });
                state.respond(&method, &path, &query, &body)
            };
            let (content_type, bytes) = match answer {
                Value::String(text) => ("text/plain", text.into_bytes()),
                other => ("application/json", serde_json::to_vec(&other).unwrap()),
            };
            let response = Response::builder()
                .status(StatusCode::from_u16(code).unwrap())
                .header("content-type", content_type)
                .body(Body::from(bytes))
                .unwrap();
            send.send_response(response);
        }
    });
    let client = kube::Client::new(service, "default");
    let live = Live { client, context: "fake".into(), server: "https://fake:6443".into() };
    ToolContext::new("todo", std::env::temp_dir(), Arc::new(ClusterAccess::ready(Cluster::Live(live))), -1)
}

/// The example snapshot's objects, as the fake's initial state.
pub fn example_objects() -> Vec<Value> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifests/examples/todo-snapshot.yaml")).unwrap();
    let list: Value = serde_yaml::from_str(&text).unwrap();
    list["items"].as_array().unwrap().clone()
}

/// `count` running pods of the backend deployment.
pub fn backend_pods(count: usize) -> Vec<Value> {
    (0..count)
        .map(|index| {
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("todo-backend-abc-{index:05}"), "namespace": "todo",
                             "labels": {"app.kubernetes.io/name": "backend"},
                             "creationTimestamp": "2026-01-01T00:00:00Z"},
                "spec": {"containers": [{"name": "backend", "image": "todo-backend:1"}]},
                "status": {"phase": "Running", "containerStatuses": [{
                    "name": "backend", "ready": true, "restartCount": 0, "image": "todo-backend:1", "imageID": "",
                    "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
                }]}
            })
        })
        .collect()
}
