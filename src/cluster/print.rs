//! Tables the way kubectl prints them: pod STATUS computed with kubectl's rules
//! (CrashLoopBackOff, Init:0/1, Completed, Terminating …), READY and RESTARTS columns,
//! and ages in kubectl's human duration format. Pure functions of the objects and "now".

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::model::{self, DaemonSet, Deployment, Pod, StatefulSet, Timestamp};

/// The reason kubectl shows when the node of a terminating pod is unreachable.
const NODE_UNREACHABLE: &str = "NodeLost";

/// A pod's STATUS column, computed like kubectl's `printPod`.
pub fn pod_status(pod: &Pod) -> String {
    let status = &pod.status;
    let mut reason = if status.reason.is_empty() {
        if status.phase.is_empty() { "Unknown".to_string() } else { status.phase.clone() }
    } else {
        status.reason.clone()
    };
    let init_specs = pod.spec.init_containers.len();
    let mut initializing = false;
    for (index, container) in status.init_container_statuses.iter().enumerate() {
        let terminated = container.state.terminated.as_ref();
        let waiting = container.state.waiting.as_ref();
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        // A restartable init container (sidecar) that has started does not block.
        let sidecar =
            pod.spec.init_containers.get(index).is_some_and(|c| c.restart_policy.as_deref() == Some("Always"));
        if sidecar && container.started == Some(true) {
            continue;
        }
        reason = if let Some(terminated) = terminated {
            match (terminated.reason.as_str(), terminated.signal) {
                (r, _) if !r.is_empty() => format!("Init:{r}"),
                (_, Some(signal)) if signal != 0 => format!("Init:Signal:{signal}"),
                _ => format!("Init:ExitCode:{}", terminated.exit_code),
            }
        } else if let Some(r) = waiting.map(|w| w.reason.as_str()).filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            format!("Init:{r}")
        } else {
            format!("Init:{index}/{init_specs}")
        };
        initializing = true;
        break;
    }
    if !initializing || model::condition_true(&status.conditions, "Initialized") {
        let mut has_running = false;
        for container in status.container_statuses.iter().rev() {
            let state = &container.state;
            let waiting = state.waiting.as_ref().map(|w| w.reason.as_str()).filter(|r| !r.is_empty());
            if let Some(waiting) = waiting {
                reason = waiting.to_string();
            } else if let Some(terminated) = &state.terminated {
                reason = match (terminated.reason.as_str(), terminated.signal) {
                    (r, _) if !r.is_empty() => r.to_string(),
                    (_, Some(signal)) if signal != 0 => format!("Signal:{signal}"),
                    _ => format!("ExitCode:{}", terminated.exit_code),
                };
            } else if container.ready && state.running.is_some() {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            reason =
                if model::condition_true(&status.conditions, "Ready") { "Running" } else { "NotReady" }.to_string();
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = if status.reason == NODE_UNREACHABLE { "Unknown".to_string() } else { "Terminating".to_string() };
    }
    reason
}

/// READY as `ready/total` containers.
pub fn pod_ready(pod: &Pod) -> String {
    let total = pod.spec.containers.len();
    let ready = pod.status.container_statuses.iter().filter(|c| c.ready).count();
    format!("{ready}/{total}")
}

/// RESTARTS: the sum over containers, with the last restart's age like kubectl (`5 (2m ago)`).
pub fn pod_restarts(pod: &Pod, now: i64) -> String {
    let statuses = &pod.status.container_statuses;
    let restarts: i64 = statuses.iter().map(|c| c.restart_count).sum();
    let last = statuses.iter().filter_map(|c| c.last_state.terminated.as_ref()?.finished_at).map(|t| t.0).max();
    match last {
        Some(last) if restarts > 0 => format!("{restarts} ({} ago)", human_duration(now - last)),
        _ => restarts.to_string(),
    }
}

/// Seconds since the epoch of a Kubernetes time.
pub fn seconds(time: &Time) -> i64 {
    time.0.as_second()
}

/// kubectl's `HumanDuration`: `45s`, `3m20s`, `5h`, `3d4h`, `2y`.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    let seconds = seconds.max(0);
    let minutes = seconds / 60;
    let hours = seconds / 3600;
    let days = hours / 24;
    let years = days / 365;
    if seconds < 120 {
        format!("{seconds}s")
    } else if minutes < 10 {
        let rest = seconds % 60;
        if rest == 0 { format!("{minutes}m") } else { format!("{minutes}m{rest}s") }
    } else if minutes < 180 {
        format!("{minutes}m")
    } else if hours < 8 {
        let rest = minutes % 60;
        if rest == 0 { format!("{hours}h") } else { format!("{hours}h{rest}m") }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let rest = hours % 24;
        if rest == 0 { format!("{days}d") } else { format!("{days}d{rest}h") }
    } else if days < 365 * 2 {
        format!("{days}d")
    } else if days < 365 * 8 {
        let rest = days % 365;
        if rest == 0 { format!("{years}y") } else { format!("{years}y{rest}d") }
    } else {
        format!("{years}y")
    }
}

fn age(created: Option<Timestamp>, now: i64) -> String {
    created.map_or_else(|| "<unknown>".to_string(), |t| human_duration(now - t.0))
}

/// Left-aligned columns separated by three spaces, like kubectl.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        for (index, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if index < last {
                out.push_str(&" ".repeat(widths[index] - cell.chars().count() + 3));
            }
        }
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// `kubectl get deployments` rows.
pub fn deployment_rows(deployments: &[&Deployment], now: i64) -> Vec<Vec<String>> {
    deployments
        .iter()
        .map(|d| {
            let status = &d.status;
            vec![
                d.metadata.name.clone(),
                format!("{}/{}", status.ready_replicas.unwrap_or(0), d.desired()),
                status.updated_replicas.unwrap_or(0).to_string(),
                status.available_replicas.unwrap_or(0).to_string(),
                age(d.metadata.creation_timestamp, now),
            ]
        })
        .collect()
}

/// `kubectl get statefulsets` rows.
pub fn statefulset_rows(sets: &[&StatefulSet], now: i64) -> Vec<Vec<String>> {
    sets.iter()
        .map(|s| {
            vec![
                s.metadata.name.clone(),
                format!("{}/{}", s.status.ready_replicas.unwrap_or(0), s.spec.replicas.unwrap_or(1)),
                age(s.metadata.creation_timestamp, now),
            ]
        })
        .collect()
}

/// `kubectl get daemonsets` rows.
pub fn daemonset_rows(sets: &[&DaemonSet], now: i64) -> Vec<Vec<String>> {
    sets.iter()
        .map(|d| {
            let status = &d.status;
            let node_selector = &d.spec.template.spec.node_selector;
            let selector = if node_selector.is_empty() {
                "<none>".to_string()
            } else {
                node_selector.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
            };
            vec![
                d.metadata.name.clone(),
                status.desired_number_scheduled.to_string(),
                status.current_number_scheduled.to_string(),
                status.number_ready.to_string(),
                status.updated_number_scheduled.unwrap_or(0).to_string(),
                status.number_available.unwrap_or(0).to_string(),
                selector,
                age(d.metadata.creation_timestamp, now),
            ]
        })
        .collect()
}

/// `kubectl get pods` rows.
pub fn pod_rows(pods: &[&Pod], now: i64) -> Vec<Vec<String>> {
    pods.iter()
        .map(|pod| {
            vec![
                pod.metadata.name.clone(),
                pod_ready(pod),
                pod_status(pod),
                pod_restarts(pod, now),
                age(pod.metadata.creation_timestamp, now),
            ]
        })
        .collect()
}

/// The time an event happened last (series, lastTimestamp, eventTime, firstTimestamp, creation).
pub fn event_time(event: &Event) -> i64 {
    event
        .series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0.as_second())
        .or_else(|| event.last_timestamp.as_ref().map(seconds))
        .or_else(|| event.event_time.as_ref().map(|t| t.0.as_second()))
        .or_else(|| event.first_timestamp.as_ref().map(seconds))
        .or_else(|| event.metadata.creation_timestamp.as_ref().map(seconds))
        .unwrap_or(0)
}

/// `kubectl events` rows: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.
pub fn event_rows(events: &[&Event], now: i64) -> Vec<Vec<String>> {
    events
        .iter()
        .map(|event| {
            let object = &event.involved_object;
            let count = event.count.filter(|c| *c > 1).map(|c| format!(" (x{c})")).unwrap_or_default();
            vec![
                human_duration(now - event_time(event)),
                event.type_.clone().unwrap_or_else(|| "Normal".to_string()),
                // Any field a workload can write may carry a secret; the reason too.
                crate::redact::text(event.reason.as_deref().unwrap_or_default()),
                format!(
                    "{}/{}",
                    object.kind.as_deref().unwrap_or("Object").to_ascii_lowercase(),
                    object.name.as_deref().unwrap_or_default()
                ),
                format!("{}{count}", crate::redact::text(event.message.as_deref().unwrap_or_default().trim())),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn durations_like_kubectl() {
        let cases = [
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (200, "3m20s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 5 * 60, "3h5m"),
            (47 * 3600, "47h"),
            (3 * 86_400 + 4 * 3600, "3d4h"),
            (30 * 86_400, "30d"),
            (800 * 86_400, "2y70d"),
            (3000 * 86_400, "8y"),
            (-5, "<invalid>"),
        ];
        for (seconds, want) in cases {
            assert_eq!(human_duration(seconds), want, "{seconds}");
        }
    }

    #[test]
    fn pod_status_like_kubectl() {
        let crashing = pod(serde_json::json!({
            "metadata": {"name": "b"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "app", "ready": false, "restartCount": 7, "image": "x", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-01-01T00:00:00Z"}}
            }]}
        }));
        assert_eq!(pod_status(&crashing), "CrashLoopBackOff");
        assert_eq!(pod_ready(&crashing), "0/1");
        let finished = seconds(&serde_json::from_value(serde_json::json!("2026-01-01T00:00:00Z")).unwrap());
        assert_eq!(pod_restarts(&crashing, finished + 125), "7 (2m5s ago)");

        let init = pod(serde_json::json!({
            "metadata": {"name": "i"},
            "spec": {"containers": [{"name": "app"}], "initContainers": [{"name": "migrate"}, {"name": "wait"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "migrate", "ready": false, "restartCount": 0, "image": "x", "imageID": "", "state": {"running": {}}},
                {"name": "wait", "ready": false, "restartCount": 0, "image": "x", "imageID": "", "state": {"waiting": {"reason": "PodInitializing"}}}
            ]}
        }));
        assert_eq!(pod_status(&init), "Init:0/2");

        let init_failed = pod(serde_json::json!({
            "metadata": {"name": "i"},
            "spec": {"containers": [{"name": "app"}], "initContainers": [{"name": "migrate"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "migrate", "ready": false, "restartCount": 3, "image": "x", "imageID": "", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}
        }));
        assert_eq!(pod_status(&init_failed), "Init:CrashLoopBackOff");

        let completed = pod(serde_json::json!({
            "metadata": {"name": "j"},
            "spec": {"containers": [{"name": "job"}]},
            "status": {"phase": "Succeeded", "containerStatuses": [{
                "name": "job", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}
            }]}
        }));
        assert_eq!(pod_status(&completed), "Completed");

        let terminating = pod(serde_json::json!({
            "metadata": {"name": "t", "deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running"}
        }));
        assert_eq!(pod_status(&terminating), "Terminating");

        let evicted = pod(serde_json::json!({
            "metadata": {"name": "e"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Failed", "reason": "Evicted"}
        }));
        assert_eq!(pod_status(&evicted), "Evicted");

        let oom = pod(serde_json::json!({
            "metadata": {"name": "o"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "app", "ready": false, "restartCount": 1, "image": "x", "imageID": "",
                "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}
            }]}
        }));
        assert_eq!(pod_status(&oom), "OOMKilled");
    }

    #[test]
    fn tables_align_like_kubectl() {
        let text =
            table(&["NAME", "READY"], &[vec!["todo-backend".into(), "1/2".into()], vec!["x".into(), "0/1".into()]]);
        assert_eq!(text, "NAME           READY\ntodo-backend   1/2\nx              0/1\n");
    }
}

#[cfg(test)]
mod event_tests {
    use super::*;

    #[test]
    fn event_reasons_and_messages_are_redacted() {
        let event: Event = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "e", "namespace": "todo"},
            "involvedObject": {"kind": "Pod", "name": "p"},
            "reason": "token=sk-live-abcdefghijklmnopqrstuv",
            "message": "password=hunter2 in env",
            "type": "Warning"
        }))
        .unwrap();
        let rows = event_rows(&[&event], 0);
        let row = rows[0].join(" ");
        assert!(!row.contains("sk-live-abcdefghijklmnopqrstuv") && !row.contains("hunter2"), "{row}");
        assert_eq!(rows[0][3], "pod/p");
    }
}
