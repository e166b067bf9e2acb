//! Pods: evictions, scheduling failures (classified from the scheduler's message) and init
//! containers that fail; each app container is then read by [`super::containers`].

use super::{Code, Finding, Inventory, Severity, containers, finding, object, owner_of};
use crate::cluster::model::{self, Pod};

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for pod in &inventory.pods {
        analyze_pod(inventory, pod, findings);
    }
}

fn analyze_pod(inventory: &Inventory<'_>, pod: &Pod, findings: &mut Vec<Finding>) {
    let pod_ref = object("Pod", &pod.metadata);
    let status = &pod.status;
    if status.phase == "Succeeded" {
        return;
    }
    let owner = owner_of(inventory, pod);
    let workload: Vec<String> = owner.as_ref().map(|o| o.display()).into_iter().collect();
    let new = |code, severity, message| {
        let mut f = finding(code, severity, pod_ref.clone(), message);
        f.workload.clone_from(&owner);
        f
    };
    if status.reason == "Evicted" {
        let mut f = new(Code::Evicted, Severity::Warning, format!("evicted: {}", status.message));
        f.evidence.push(format!("status.reason=Evicted: {}", status.message));
        f.fix.push(format!("check node pressure with `kubectl describe node`; delete the evicted pod record with `kubectl delete pod {} -n {}` once understood", pod_ref.name, pod_ref.namespace));
        findings.push(f);
        return;
    }
    // Scheduling.
    if let Some(scheduled) = model::condition(&status.conditions, "PodScheduled").filter(|c| c.status == "False") {
        let message = &scheduled.message;
        let cause = classify_unschedulable(message);
        let mut f = new(Code::Unschedulable, Severity::Critical, format!("cannot be scheduled ({cause}): {message}"));
        f.evidence.push(format!("condition PodScheduled=False reason={}: {message}", scheduled.reason));
        f.fix.push(unschedulable_fix(cause, &workload));
        f.related.clone_from(&workload);
        findings.push(f);
        return;
    }
    let events = inventory.events_for("Pod", &pod_ref.name);
    // Init containers.
    for status in &status.init_container_statuses {
        let waiting_reason = status.state.waiting.as_ref().map_or("", |w| w.reason.as_str());
        let failed_exit = [&status.state.terminated, &status.last_state.terminated]
            .into_iter()
            .find_map(|t| t.as_ref().map(|t| t.exit_code).filter(|c| *c != 0));
        if failed_exit.is_some()
            || matches!(
                waiting_reason,
                "CrashLoopBackOff" | "ErrImagePull" | "ImagePullBackOff" | "CreateContainerConfigError"
            )
        {
            let container = &status.name;
            let detail = failed_exit.map_or_else(
                || waiting_reason.to_string(),
                |code| match super::explain_exit_code(code) {
                    Some(meaning) => format!("exit code {code}: {meaning}"),
                    None => format!("exit code {code}"),
                },
            );
            let mut f = new(
                Code::InitContainerFailing,
                Severity::Critical,
                format!("init container `{container}` fails ({detail}); the app containers never start"),
            );
            f.container = Some(container.clone());
            f.evidence.push(format!(
                "initContainerStatuses[{container}]: waiting={waiting_reason} restarts={}",
                status.restart_count
            ));
            f.fix.push(format!(
                "read its output: `kubectl logs {} -c {container} -n {} --previous`",
                pod_ref.name, pod_ref.namespace
            ));
            f.related.clone_from(&workload);
            findings.push(f);
        }
    }
    // App containers.
    for status in &status.container_statuses {
        let context =
            containers::Context { inventory, pod, pod_ref: &pod_ref, events, workload: &workload, owner: &owner };
        containers::analyze(&context, status, findings);
    }
}

fn classify_unschedulable(message: &str) -> &'static str {
    let lower = message.to_ascii_lowercase();
    if lower.contains("insufficient cpu") {
        "insufficient cpu"
    } else if lower.contains("insufficient memory") {
        "insufficient memory"
    } else if lower.contains("untolerated taint") || lower.contains("had taint") {
        "untolerated taint"
    } else if lower.contains("unbound") && lower.contains("persistentvolumeclaim") {
        "unbound PersistentVolumeClaim"
    } else if lower.contains("node affinity")
        || lower.contains("node selector")
        || lower.contains("didn't match pod's node")
    {
        "node selector/affinity"
    } else if lower.contains("too many pods") {
        "too many pods"
    } else {
        "scheduler constraints"
    }
}

fn unschedulable_fix(cause: &str, workload: &[String]) -> String {
    let target = workload.first().cloned().unwrap_or_else(|| "the workload".into());
    match cause {
        "insufficient cpu" | "insufficient memory" => format!(
            "lower the {} requests of {target} (e.g. `helm upgrade todo-app manifests/helm/todo-app --set backend.resources.requests.cpu=100m`) or add capacity (`minikube start --cpus 4 --memory 8g`)",
            cause.trim_start_matches("insufficient ")
        ),
        "untolerated taint" => {
            "add a matching toleration or remove the taint (`kubectl describe node` shows it)".into()
        }
        "unbound PersistentVolumeClaim" => "fix the pending PersistentVolumeClaim first (see PvcPending)".into(),
        "node selector/affinity" => format!("relax the nodeSelector/affinity of {target} or label a node to match"),
        "too many pods" => "add nodes or raise the node's pod limit".into(),
        _ => "read the scheduler message and adjust requests, affinity or capacity".into(),
    }
}
