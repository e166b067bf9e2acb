//! Loading a saved cluster state: YAML or JSON as `kubectl get … -o yaml|json` prints it
//! (a `v1 List`), multi-document YAML, single objects, or a directory of such files.
//! Objects are typed by kind; kinds todo-ai does not model yet are kept as JSON.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{ClusterError, Objects};

/// Files larger than this are not read (a snapshot, not a dump of etcd).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Loads a snapshot file or directory.
pub fn load(path: &Path) -> Result<Objects, ClusterError> {
    let mut objects = Objects::default();
    let metadata = std::fs::metadata(path)
        .map_err(|error| ClusterError::Snapshot { path: path.display().to_string(), reason: error.to_string() })?;
    if metadata.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|error| ClusterError::Snapshot { path: path.display().to_string(), reason: error.to_string() })?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|file| {
                file.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(ClusterError::Snapshot {
                path: path.display().to_string(),
                reason: "the directory has no .yaml, .yml or .json files".into(),
            });
        }
        for file in files {
            // Other files in the directory (notes, expectations) are not Kubernetes
            // objects: skip them; a Kubernetes file that does not parse is still an error.
            if !looks_like_kubernetes(&file) {
                tracing::warn!("skipping `{}`: not Kubernetes objects", file.display());
                continue;
            }
            load_file(&file, &mut objects)?;
        }
    } else {
        load_file(path, &mut objects)?;
    }
    Ok(objects)
}

/// Whether a file mentions `apiVersion` and `kind` at all (cheap check before parsing).
fn looks_like_kubernetes(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.contains("apiVersion") && text.contains("kind"))
}

fn load_file(path: &Path, objects: &mut Objects) -> Result<(), ClusterError> {
    let error = |reason: String| ClusterError::Snapshot { path: path.display().to_string(), reason };
    let size = std::fs::metadata(path).map_err(|e| error(e.to_string()))?.len();
    if size > MAX_FILE_BYTES {
        return Err(error(format!("the file is larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024)));
    }
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    parse(&text, objects).map_err(error)
}

/// Parses snapshot text into `objects`; the error says where it went wrong.
pub fn parse(text: &str, objects: &mut Objects) -> Result<(), String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("line {}: {e}", e.line()))?;
        return add(value, objects);
    }
    for document in serde_yaml::Deserializer::from_str(text) {
        let value = Value::deserialize(document).map_err(|e| match e.location() {
            Some(location) => format!("line {}: {e}", location.line()),
            None => e.to_string(),
        })?;
        add(value, objects)?;
    }
    Ok(())
}

fn add(value: Value, objects: &mut Objects) -> Result<(), String> {
    match value {
        Value::Null => Ok(()),
        Value::Array(items) => items.into_iter().try_for_each(|item| add(item, objects)),
        Value::Object(ref map) => {
            let kind = map.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
            if kind == "List" || kind.ends_with("List") && map.contains_key("items") {
                let items = map.get("items").cloned().unwrap_or(Value::Array(Vec::new()));
                return add(items, objects);
            }
            let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_string();
            let name = map
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("<unnamed>")
                .to_string();
            let typed = |error: serde_json::Error| format!("{kind} `{name}`: {error}");
            match (kind.as_str(), api_version.as_str()) {
                ("Pod", "v1") => objects.pods.push(serde_json::from_value(value).map_err(typed)?),
                ("Deployment", "apps/v1") => objects.deployments.push(serde_json::from_value(value).map_err(typed)?),
                ("StatefulSet", "apps/v1") => objects.statefulsets.push(serde_json::from_value(value).map_err(typed)?),
                ("DaemonSet", "apps/v1") => objects.daemonsets.push(serde_json::from_value(value).map_err(typed)?),
                ("ReplicaSet", "apps/v1") => objects.replicasets.push(serde_json::from_value(value).map_err(typed)?),
                ("Event", "v1") => objects.events.push(serde_json::from_value(value).map_err(typed)?),
                ("Event", "events.k8s.io/v1") => {
                    objects.events.push(serde_json::from_value(core_event(value)).map_err(typed)?)
                }
                ("HorizontalPodAutoscaler", "autoscaling/v2") => {
                    objects.hpas.push(serde_json::from_value(value).map_err(typed)?);
                }
                ("", _) => return Err(format!("an object without `kind` (`{name}`)")),
                _ => objects.other.push(value),
            }
            Ok(())
        }
        other => Err(format!("expected Kubernetes objects, found {}", json_kind(&other))),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An `events.k8s.io/v1` Event in the core/v1 shape the printers read.
fn core_event(value: Value) -> Value {
    let get = |key: &str| value.get(key).cloned().unwrap_or(Value::Null);
    let mut event = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": get("metadata"),
        "involvedObject": value.get("regarding").cloned().unwrap_or_else(|| serde_json::json!({})),
        "reason": get("reason"),
        "message": get("note"),
        "type": get("type"),
        "eventTime": get("eventTime"),
        "count": get("deprecatedCount"),
        "firstTimestamp": get("deprecatedFirstTimestamp"),
        "lastTimestamp": get("deprecatedLastTimestamp"),
        "series": get("series"),
        "reportingComponent": get("reportingController"),
    });
    if let Value::Object(map) = &mut event {
        map.retain(|_, v| !v.is_null());
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, namespace: todo}
  spec: {containers: [{name: app, image: x}]}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: todo}
  spec: {selector: {matchLabels: {app: web}}, template: {spec: {containers: [{name: app}]}}}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: todo}
---
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: e1, namespace: todo}
regarding: {kind: Pod, name: web-1}
reason: BackOff
note: Back-off restarting failed container
type: Warning
eventTime: "2026-01-01T00:00:00.000000Z"
"#;

    #[test]
    fn lists_multi_documents_and_event_kinds() {
        let mut objects = Objects::default();
        parse(LIST, &mut objects).unwrap();
        assert_eq!(objects.pods.len(), 1);
        assert_eq!(objects.deployments.len(), 1);
        assert_eq!(objects.other.len(), 1);
        assert_eq!(objects.events.len(), 1);
        assert_eq!(objects.events[0].message.as_deref(), Some("Back-off restarting failed container"));
        assert_eq!(objects.events[0].involved_object.name.as_deref(), Some("web-1"));
    }

    #[test]
    fn json_and_errors_with_location() {
        let mut objects = Objects::default();
        parse(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}"#, &mut objects)
            .unwrap();
        assert_eq!(objects.pods.len(), 1);
        let error = parse("apiVersion: v1\nkind: Pod\nmetadata: [\n", &mut objects).unwrap_err();
        assert!(error.starts_with("line "), "{error}");
        let error =
            parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 3}\n", &mut objects).unwrap_err();
        assert!(error.starts_with("Pod `p`:"), "{error}");
        assert!(parse("just a string", &mut objects).unwrap_err().contains("a string"));
        assert!(parse("metadata: {name: x}", &mut objects).unwrap_err().contains("without `kind`"));
    }

    #[test]
    fn arbitrary_text_never_panics() {
        let samples =
            ["", "---", "- 1\n- 2", "{", "kind: List\nitems: 5", "kind: List", "\u{0}\u{1}", "a: b: c", "[[[]]]"];
        for sample in samples {
            let _ = parse(sample, &mut Objects::default());
        }
    }
}
