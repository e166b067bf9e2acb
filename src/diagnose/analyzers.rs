//! The analyzers: one function per area, each reading the inventory and adding findings.

use serde_json::Value;

use super::{Finding, Inventory, ObjectRef, Severity};

/// Exit codes that mean the command could not be started at all.
const START_FAILURE_EXIT_CODES: [i64; 2] = [126, 127];

fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

fn object(kind: &str, value: &Value) -> ObjectRef {
    ObjectRef {
        kind: kind.to_string(),
        name: name(value).to_string(),
        namespace: value["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
    }
}

fn finding(code: &'static str, severity: Severity, object: ObjectRef, message: String) -> Finding {
    Finding {
        code,
        severity,
        object,
        message,
        evidence: Vec::new(),
        fix: Vec::new(),
        related: Vec::new(),
        root_cause: true,
    }
}

fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object["status"]["conditions"].as_array()?.iter().find(|c| c["type"] == kind)
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// Recent events about an object, newest last.
fn events_for<'a>(inventory: &'a Inventory, kind: &str, object_name: &str) -> Vec<&'a Value> {
    inventory
        .of("Event")
        .iter()
        .filter(|e| e["involvedObject"]["kind"] == kind && e["involvedObject"]["name"] == object_name)
        .collect()
}

fn event_line(event: &Value) -> String {
    let count = event["count"].as_i64().filter(|c| *c > 1).map(|c| format!(" (x{c})")).unwrap_or_default();
    format!("event {} {}: {}{count}", text(&event["type"]), text(&event["reason"]), text(&event["message"]).trim())
}

/// Whether `labels` satisfy a `matchLabels` selector (an empty selector matches nothing here).
fn selects(selector: &Value, labels: &Value) -> bool {
    let Some(selector) = selector.as_object() else { return false };
    !selector.is_empty() && selector.iter().all(|(key, value)| labels[key] == *value)
}

/// The workload that owns a pod (through its ReplicaSet for Deployments).
fn owner_of(inventory: &Inventory, pod: &Value) -> Option<ObjectRef> {
    let Some(owner) = pod["metadata"]["ownerReferences"].as_array().and_then(|owners| owners.first()) else {
        // No owner recorded: the workload whose selector matches the pod's labels.
        let labels = &pod["metadata"]["labels"];
        return ["Deployment", "StatefulSet", "DaemonSet"].into_iter().find_map(|kind| {
            inventory
                .of(kind)
                .iter()
                .find(|w| selects(&w["spec"]["selector"]["matchLabels"], labels))
                .map(|w| ObjectRef { kind: kind.into(), name: name(w).into(), namespace: inventory.namespace().into() })
        });
    };
    let kind = text(&owner["kind"]);
    let owner_name = text(&owner["name"]);
    if kind == "ReplicaSet" {
        let replicaset = inventory.of("ReplicaSet").iter().find(|rs| name(rs) == owner_name);
        if let Some(deployment) = replicaset
            .and_then(|rs| rs["metadata"]["ownerReferences"].as_array())
            .and_then(|owners| owners.iter().find(|o| o["kind"] == "Deployment"))
        {
            return Some(ObjectRef {
                kind: "Deployment".into(),
                name: text(&deployment["name"]).into(),
                namespace: inventory.namespace().into(),
            });
        }
        // A pod-template-hash suffix: the Deployment is the name before it.
        if let Some((deployment, _)) = owner_name.rsplit_once('-')
            && inventory.has("Deployment", deployment)
        {
            return Some(ObjectRef {
                kind: "Deployment".into(),
                name: deployment.into(),
                namespace: inventory.namespace().into(),
            });
        }
    }
    Some(ObjectRef {
        kind: kind.to_string(),
        name: owner_name.to_string(),
        namespace: inventory.namespace().to_string(),
    })
}

/// Runs every analyzer.
pub fn run(inventory: &Inventory) -> Vec<Finding> {
    let mut findings = Vec::new();
    pods(inventory, &mut findings);
    workloads(inventory, &mut findings);
    services(inventory, &mut findings);
    ingresses(inventory, &mut findings);
    autoscalers(inventory, &mut findings);
    volumes(inventory, &mut findings);
    nodes(inventory, &mut findings);
    budgets(inventory, &mut findings);
    jobs(inventory, &mut findings);
    findings
}

fn pods(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for pod in inventory.of("Pod") {
        let pod_ref = object("Pod", pod);
        let phase = text(&pod["status"]["phase"]);
        if phase == "Succeeded" {
            continue;
        }
        let workload = owner_of(inventory, pod).map(|o| o.display()).into_iter().collect::<Vec<_>>();
        if text(&pod["status"]["reason"]) == "Evicted" {
            let mut f = finding(
                "Evicted",
                Severity::Warning,
                pod_ref.clone(),
                format!("evicted: {}", text(&pod["status"]["message"])),
            );
            f.evidence.push(format!("status.reason=Evicted: {}", text(&pod["status"]["message"])));
            f.fix.push(format!("check node pressure with `kubectl describe node`; delete the evicted pod record with `kubectl delete pod {} -n {}` once understood", pod_ref.name, pod_ref.namespace));
            findings.push(f);
            continue;
        }
        // Scheduling.
        if let Some(scheduled) = condition(pod, "PodScheduled").filter(|c| c["status"] == "False") {
            let message = text(&scheduled["message"]);
            let cause = classify_unschedulable(message);
            let mut f = finding(
                "Unschedulable",
                Severity::Critical,
                pod_ref.clone(),
                format!("cannot be scheduled ({cause}): {message}"),
            );
            f.evidence.push(format!("condition PodScheduled=False reason={}: {message}", text(&scheduled["reason"])));
            f.fix.push(unschedulable_fix(cause, &workload));
            f.related = workload.clone();
            findings.push(f);
            continue;
        }
        let events = events_for(inventory, "Pod", &pod_ref.name);
        // Init containers.
        for status in pod["status"]["initContainerStatuses"].as_array().into_iter().flatten() {
            let waiting = &status["state"]["waiting"];
            let last = &status["lastState"]["terminated"];
            let current = &status["state"]["terminated"];
            let failed_exit = [current, last].into_iter().find_map(|t| t["exitCode"].as_i64().filter(|c| *c != 0));
            let waiting_reason = text(&waiting["reason"]);
            if failed_exit.is_some()
                || matches!(
                    waiting_reason,
                    "CrashLoopBackOff" | "ErrImagePull" | "ImagePullBackOff" | "CreateContainerConfigError"
                )
            {
                let container = text(&status["name"]);
                let detail = failed_exit.map_or_else(|| waiting_reason.to_string(), |code| format!("exit code {code}"));
                let mut f = finding(
                    "InitContainerFailing",
                    Severity::Critical,
                    pod_ref.clone(),
                    format!("init container `{container}` fails ({detail}); the app containers never start"),
                );
                f.evidence.push(format!(
                    "initContainerStatuses[{container}]: waiting={waiting_reason} restarts={}",
                    status["restartCount"]
                ));
                f.fix.push(format!(
                    "read its output: `kubectl logs {} -c {container} -n {} --previous`",
                    pod_ref.name, pod_ref.namespace
                ));
                f.related = workload.clone();
                findings.push(f);
            }
        }
        // App containers.
        for status in pod["status"]["containerStatuses"].as_array().into_iter().flatten() {
            container_findings(inventory, pod, &pod_ref, status, &events, &workload, findings);
        }
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

#[allow(clippy::too_many_lines)]
fn container_findings(
    inventory: &Inventory,
    pod: &Value,
    pod_ref: &ObjectRef,
    status: &Value,
    events: &[&Value],
    workload: &[String],
    findings: &mut Vec<Finding>,
) {
    let container = text(&status["name"]);
    let waiting = &status["state"]["waiting"];
    let reason = text(&waiting["reason"]);
    let message = text(&waiting["message"]);
    let last = &status["lastState"]["terminated"];
    let current_terminated = &status["state"]["terminated"];
    let restarts = status["restartCount"].as_i64().unwrap_or(0);
    let ready = status["ready"].as_bool().unwrap_or(false);
    let image = text(&status["image"]);
    let namespace = &pod_ref.namespace;
    let push = |findings: &mut Vec<Finding>, mut f: Finding| {
        f.related = workload.to_vec();
        findings.push(f);
    };
    match reason {
        "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" | "ErrImageNeverPull" => {
            let spec_image = pod["spec"]["containers"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["name"] == container))
                .map_or(image, |c| text(&c["image"]));
            let pull_error = events
                .iter()
                .rev()
                .find(|e| text(&e["message"]).contains("ailed to pull"))
                .map(|e| text(&e["message"]).to_string());
            let mut f = finding(
                "ImagePullBackOff",
                Severity::Critical,
                pod_ref.clone(),
                format!(
                    "image `{spec_image}` of container `{container}` cannot be pulled ({reason}){}",
                    pull_error.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
                ),
            );
            f.evidence.push(
                format!("containerStatuses[{container}].state.waiting.reason={reason} {message}").trim().to_string(),
            );
            f.evidence.extend(events.iter().filter(|e| text(&e["reason"]) == "Failed").take(2).map(|e| event_line(e)));
            f.fix.push(format!("check the image name and tag exist: `docker manifest inspect {spec_image}`"));
            f.fix.push(format!("on minikube, build or load it locally: `minikube image load {spec_image}` and set `imagePullPolicy: IfNotPresent`"));
            if let Some(deployment) = workload.first().and_then(|w| w.strip_prefix("Deployment/")) {
                f.fix.push(format!(
                    "or point to a good tag: `todo-ai set-image {deployment} <image:tag> -n {namespace}`"
                ));
            }
            push(findings, f);
        }
        "CreateContainerConfigError" => {
            let mut f = finding(
                "CreateContainerConfigError",
                Severity::Critical,
                pod_ref.clone(),
                format!("container `{container}` cannot be created: {message}"),
            );
            f.evidence
                .push(format!("containerStatuses[{container}].state.waiting: CreateContainerConfigError: {message}"));
            f.fix.push("create the missing Secret/ConfigMap or key, or fix the reference in the pod spec".into());
            push(findings, f);
            missing_references(inventory, pod, pod_ref, message, findings);
        }
        "RunContainerError" | "StartError" | "ContainerCannotRun" => {
            container_start_error(pod_ref, container, reason, message, restarts, workload, findings);
        }
        "CrashLoopBackOff" => {
            let last_reason = text(&last["reason"]);
            let exit = last["exitCode"].as_i64();
            if last_reason == "OOMKilled" {
                oom(pod, pod_ref, container, restarts, workload, findings);
            } else if exit.is_some_and(|c| START_FAILURE_EXIT_CODES.contains(&c))
                || matches!(last_reason, "StartError" | "ContainerCannotRun")
            {
                container_start_error(
                    pod_ref,
                    container,
                    last_reason,
                    text(&last["message"]),
                    restarts,
                    workload,
                    findings,
                );
            } else {
                let exit_text = exit.map_or_else(|| "an unknown exit code".to_string(), |c| format!("exit code {c}"));
                let mut f = finding(
                    "CrashLoopBackOff",
                    Severity::Critical,
                    pod_ref.clone(),
                    format!(
                        "container `{container}` keeps crashing: {exit_text}{} after {restarts} restarts",
                        if last_reason.is_empty() { String::new() } else { format!(" ({last_reason})") }
                    ),
                );
                f.evidence.push(format!(
                    "containerStatuses[{container}].state.waiting.reason=CrashLoopBackOff restartCount={restarts}"
                ));
                f.evidence.push(format!(
                    "lastState.terminated: exitCode={} reason={last_reason}",
                    exit.map_or_else(|| "?".into(), |c| c.to_string())
                ));
                f.evidence
                    .extend(events.iter().filter(|e| text(&e["reason"]) == "BackOff").take(1).map(|e| event_line(e)));
                f.fix.push(format!("read why it exits: `todo-ai logs {} --previous -n {namespace}`", pod_ref.name));
                f.fix.push(
                    "check its configuration (env, DATABASE_URL, command) against what the app needs at start-up"
                        .into(),
                );
                push(findings, f);
            }
        }
        _ => {
            if text(&current_terminated["reason"]) == "OOMKilled" || (text(&last["reason"]) == "OOMKilled" && !ready) {
                oom(pod, pod_ref, container, restarts, workload, findings);
                return;
            }
            probe_failures(pod_ref, container, ready, restarts, events, workload, findings);
        }
    }
}

fn container_start_error(
    pod_ref: &ObjectRef,
    container: &str,
    reason: &str,
    message: &str,
    restarts: i64,
    workload: &[String],
    findings: &mut Vec<Finding>,
) {
    let mut f = finding(
        "ContainerStartError",
        Severity::Critical,
        pod_ref.clone(),
        format!(
            "container `{container}` cannot start its command ({}){}",
            if reason.is_empty() { "start error" } else { reason },
            if message.is_empty() { String::new() } else { format!(": {message}") }
        ),
    );
    f.evidence
        .push(format!("containerStatuses[{container}]: {reason} {message} restartCount={restarts}").trim().to_string());
    f.fix.push(
        "check `command`/`args` and the image's entrypoint: the executable must exist in the image and be executable"
            .into(),
    );
    f.related = workload.to_vec();
    findings.push(f);
}

fn oom(
    pod: &Value,
    pod_ref: &ObjectRef,
    container: &str,
    restarts: i64,
    workload: &[String],
    findings: &mut Vec<Finding>,
) {
    let limit = pod["spec"]["containers"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == container))
        .and_then(|c| c["resources"]["limits"]["memory"].as_str())
        .unwrap_or("none set");
    let mut f = finding(
        "OOMKilled",
        Severity::Critical,
        pod_ref.clone(),
        format!("container `{container}` was killed for exceeding its memory limit ({limit}), {restarts} restarts"),
    );
    f.evidence.push(format!("containerStatuses[{container}].lastState.terminated.reason=OOMKilled exitCode=137"));
    f.fix.push(format!("raise the memory limit (e.g. `helm upgrade todo-app manifests/helm/todo-app --set backend.resources.limits.memory=1Gi`) or reduce the app's memory use; current limit {limit}"));
    f.related = workload.to_vec();
    findings.push(f);
}

fn probe_failures(
    pod_ref: &ObjectRef,
    container: &str,
    ready: bool,
    restarts: i64,
    events: &[&Value],
    workload: &[String],
    findings: &mut Vec<Finding>,
) {
    let probe_events: Vec<&&Value> = events
        .iter()
        .filter(|e| {
            text(&e["reason"]) == "Unhealthy"
                && text(&e["involvedObject"]["fieldPath"]).contains(&format!("{{{container}}}"))
                || text(&e["reason"]) == "Unhealthy" && e["involvedObject"]["fieldPath"].is_null()
        })
        .collect();
    let readiness = probe_events.iter().find(|e| text(&e["message"]).starts_with("Readiness probe failed"));
    let liveness = probe_events.iter().find(|e| text(&e["message"]).starts_with("Liveness probe failed"));
    // Liveness failures restart the container; readiness failures keep it out of Services.
    let (kind, event) = match (liveness, readiness) {
        (Some(event), _) if restarts > 0 => ("liveness", event),
        (_, Some(event)) if !ready => ("readiness", event),
        _ => return,
    };
    let message = text(&event["message"]);
    let mut f = finding(
        "ProbeFailing",
        if kind == "liveness" { Severity::Critical } else { Severity::Warning },
        pod_ref.clone(),
        format!(
            "{kind} probe of container `{container}` fails: {}",
            message.split_once(": ").map_or(message, |(_, rest)| rest)
        ),
    );
    f.evidence.push(event_line(event));
    f.fix.push(format!("check the probe's path and port match the app's health endpoint (`kubectl get pod {} -o jsonpath='{{.spec.containers[*].{kind}Probe}}'`)", pod_ref.name));
    if kind == "liveness" {
        f.fix.push("give slow starts a startupProbe or a larger initialDelaySeconds so liveness does not kill the app while it boots".into());
    }
    f.related = workload.to_vec();
    findings.push(f);
}

/// Secrets and ConfigMaps a pod references that do not exist (names from the spec, checked
/// against metadata only — secret values are never read).
fn missing_references(
    inventory: &Inventory,
    pod: &Value,
    pod_ref: &ObjectRef,
    message: &str,
    findings: &mut Vec<Finding>,
) {
    let mut references: Vec<(&'static str, String, Option<String>)> = Vec::new();
    let spec = &pod["spec"];
    for container in spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(spec["initContainers"].as_array().into_iter().flatten())
    {
        for env in container["env"].as_array().into_iter().flatten() {
            let from = &env["valueFrom"];
            if let Some(secret) = from["secretKeyRef"]["name"].as_str() {
                references.push(("Secret", secret.into(), from["secretKeyRef"]["key"].as_str().map(str::to_string)));
            }
            if let Some(config) = from["configMapKeyRef"]["name"].as_str() {
                references.push((
                    "ConfigMap",
                    config.into(),
                    from["configMapKeyRef"]["key"].as_str().map(str::to_string),
                ));
            }
        }
        for from in container["envFrom"].as_array().into_iter().flatten() {
            if let Some(secret) = from["secretRef"]["name"].as_str() {
                references.push(("Secret", secret.into(), None));
            }
            if let Some(config) = from["configMapRef"]["name"].as_str() {
                references.push(("ConfigMap", config.into(), None));
            }
        }
    }
    for volume in spec["volumes"].as_array().into_iter().flatten() {
        if let Some(secret) = volume["secret"]["secretName"].as_str() {
            references.push(("Secret", secret.into(), None));
        }
        if let Some(config) = volume["configMap"]["name"].as_str() {
            references.push(("ConfigMap", config.into(), None));
        }
    }
    for (kind, reference, key) in references {
        let existing = inventory.of(kind).iter().find(|o| name(o) == reference);
        let code = if kind == "Secret" { "MissingSecret" } else { "MissingConfigMap" };
        let problem = match existing {
            None => Some(format!("{kind} `{reference}` does not exist")),
            // Key names only: values are never looked at.
            Some(object) => key
                .as_ref()
                .filter(|key| {
                    object["data"].get(key.as_str()).is_none()
                        && object["stringData"].get(key.as_str()).is_none()
                        && object["data"].is_object()
                })
                .map(|key| format!("{kind} `{reference}` has no key `{key}`")),
        };
        let Some(problem) = problem else { continue };
        let object_ref = ObjectRef { kind: kind.into(), name: reference.clone(), namespace: pod_ref.namespace.clone() };
        if let Some(existing) = findings.iter_mut().find(|f| f.code == code && f.object == object_ref) {
            existing.related.push(pod_ref.display());
            continue;
        }
        let mut f = finding(code, Severity::Critical, object_ref, format!("{problem}, but pods reference it"));
        f.evidence.push(format!("pod {}: {message}", pod_ref.name));
        f.fix.push(if kind == "Secret" {
            format!("create it without putting values on the command line: `kubectl create secret generic {reference} -n {} --from-env-file=.env`, or set `secrets.existingSecret` in the Helm values", pod_ref.namespace)
        } else {
            format!("create it: `kubectl create configmap {reference} -n {} --from-literal=KEY=value`, or deploy the chart that provides it", pod_ref.namespace)
        });
        f.related.push(pod_ref.display());
        findings.push(f);
    }
}

fn workloads(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for deployment in inventory.of("Deployment") {
        let deployment_ref = object("Deployment", deployment);
        let desired = deployment["spec"]["replicas"].as_i64().unwrap_or(1);
        let available = deployment["status"]["availableReplicas"].as_i64().unwrap_or(0);
        let progressing = condition(deployment, "Progressing");
        if progressing.is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded") {
            let message = progressing.map(|c| text(&c["message"])).unwrap_or_default();
            let mut f = finding(
                "RolloutStuck",
                Severity::Critical,
                deployment_ref.clone(),
                format!("the rollout exceeded its progress deadline: {message}"),
            );
            f.evidence.push(format!("condition Progressing=False reason=ProgressDeadlineExceeded: {message}"));
            f.fix.push(format!(
                "fix the new pods (see the pod findings), or roll back: `todo-ai rollout undo {} -n {}`",
                deployment_ref.name, deployment_ref.namespace
            ));
            findings.push(f);
        }
        if desired > 0 && available < desired {
            let mut f = finding(
                "DeploymentUnavailable",
                Severity::Warning,
                deployment_ref.clone(),
                format!("{available} of {desired} replicas available"),
            );
            f.evidence.push(format!("status.availableReplicas={available} spec.replicas={desired}"));
            f.fix.push("see the findings about its pods for the cause".into());
            findings.push(f);
        }
    }
    for replicaset in inventory.of("ReplicaSet") {
        if let Some(failure) = condition(replicaset, "ReplicaFailure").filter(|c| c["status"] == "True") {
            let message = text(&failure["message"]);
            let mut f = finding(
                "ReplicaCreateFailed",
                Severity::Critical,
                object("ReplicaSet", replicaset),
                format!("cannot create pods: {message}"),
            );
            f.evidence.push(format!("condition ReplicaFailure=True reason={}: {message}", text(&failure["reason"])));
            f.fix.push(if message.contains("exceeded quota") {
                "lower the pods' requests/limits or raise the ResourceQuota (`kubectl describe resourcequota`)".into()
            } else {
                "read the admission error and fix the pod template (policy, quota, service account)".into()
            });
            if let Some(owner) = replicaset["metadata"]["ownerReferences"].as_array().and_then(|o| o.first()) {
                f.related.push(format!("{}/{}", text(&owner["kind"]), text(&owner["name"])));
            }
            findings.push(f);
        }
    }
    for set in inventory.of("StatefulSet") {
        let desired = set["spec"]["replicas"].as_i64().unwrap_or(1);
        let ready = set["status"]["readyReplicas"].as_i64().unwrap_or(0);
        if desired > 0 && ready < desired {
            let mut f = finding(
                "StatefulSetUnavailable",
                Severity::Warning,
                object("StatefulSet", set),
                format!("{ready} of {desired} replicas ready"),
            );
            f.evidence.push(format!("status.readyReplicas={ready} spec.replicas={desired}"));
            f.fix.push("see the findings about its pods and volume claims".into());
            findings.push(f);
        }
    }
}

fn services(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for service in inventory.of("Service") {
        let spec = &service["spec"];
        if spec["type"] == "ExternalName" {
            continue;
        }
        let Some(selector) = spec["selector"].as_object().filter(|s| !s.is_empty()) else { continue };
        let service_ref = object("Service", service);
        let selector_value = Value::Object(selector.clone());
        let pods: Vec<&Value> = inventory
            .of("Pod")
            .iter()
            .filter(|p| {
                text(&p["status"]["phase"]) != "Succeeded" && selects(&selector_value, &p["metadata"]["labels"])
            })
            .collect();
        let ready_pods = pods.iter().filter(|p| condition(p, "Ready").is_some_and(|c| c["status"] == "True")).count();
        let selector_text = selector.iter().map(|(k, v)| format!("{k}={}", text(v))).collect::<Vec<_>>().join(",");
        // Target ports against the selected pods' container ports.
        let container_ports: Vec<&Value> = pods
            .iter()
            .flat_map(|p| p["spec"]["containers"].as_array().into_iter().flatten())
            .flat_map(|c| c["ports"].as_array().into_iter().flatten())
            .collect();
        if !container_ports.is_empty() {
            for port in spec["ports"].as_array().into_iter().flatten() {
                let target = if port["targetPort"].is_null() { &port["port"] } else { &port["targetPort"] };
                let matches = match target {
                    Value::Number(number) => {
                        container_ports.iter().any(|p| p["containerPort"].as_i64() == number.as_i64())
                    }
                    Value::String(port_name) => container_ports.iter().any(|p| p["name"] == port_name.as_str()),
                    _ => true,
                };
                if !matches {
                    let declared = container_ports
                        .iter()
                        .map(|p| match p["name"].as_str() {
                            Some(n) => format!("{n}:{}", p["containerPort"]),
                            None => p["containerPort"].to_string(),
                        })
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect::<Vec<_>>()
                        .join(", ");
                    let target_text = target.as_str().map_or_else(|| target.to_string(), str::to_string);
                    let mut f = finding(
                        "ServiceTargetPortMismatch",
                        Severity::Critical,
                        service_ref.clone(),
                        format!("port {} targets {target_text}, but the selected pods expose {declared}", port["port"]),
                    );
                    f.evidence.push(format!(
                        "spec.ports[{}].targetPort={target_text}; pod containerPorts: {declared}",
                        text(&port["name"])
                    ));
                    f.fix.push(format!("set the Service's targetPort to the container port (`kubectl edit service {} -n {}` or the chart's `port` value)", service_ref.name, service_ref.namespace));
                    findings.push(f);
                }
            }
        }
        let endpoints = inventory.of("Endpoints").iter().find(|e| name(e) == service_ref.name);
        let ready_addresses = endpoints
            .map(|e| {
                e["subsets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| s["addresses"].as_array().map_or(0, Vec::len))
                    .sum::<usize>()
            })
            .unwrap_or(ready_pods);
        if ready_addresses == 0 {
            let (message, severity) = if pods.is_empty() {
                (format!("selector {selector_text} matches no pods"), Severity::Critical)
            } else {
                (format!("none of the {} pods it selects is ready", pods.len()), Severity::Warning)
            };
            // The pods' own findings explain a Service whose pods are not ready.
            let pod_names: Vec<String> = pods.iter().map(|p| format!("Pod/{}", name(p))).collect();
            for pod_finding in findings.iter_mut().filter(|f| pod_names.contains(&f.object.display())) {
                pod_finding.related.push(service_ref.display());
            }
            let mut f = finding("ServiceNoEndpoints", severity, service_ref.clone(), message);
            f.evidence.push(format!("endpoints {}: no ready addresses; selector {selector_text}", service_ref.name));
            f.fix.push(if pods.is_empty() {
                format!(
                    "make the selector match the pods' labels (`kubectl get pods -n {} --show-labels`)",
                    service_ref.namespace
                )
            } else {
                "fix the pods (see their findings); the Service recovers when they are ready".into()
            });
            findings.push(f);
        }
    }
}

fn ingresses(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for ingress in inventory.of("Ingress") {
        let ingress_ref = object("Ingress", ingress);
        let spec = &ingress["spec"];
        if let Some(class) = spec["ingressClassName"].as_str()
            && !inventory.of("IngressClass").is_empty()
            && !inventory.has("IngressClass", class)
        {
            let mut f = finding(
                "IngressClassMissing",
                Severity::Critical,
                ingress_ref.clone(),
                format!("IngressClass `{class}` does not exist, so no controller serves this Ingress"),
            );
            f.evidence.push(format!("spec.ingressClassName={class}"));
            f.fix.push("install the ingress controller (`minikube addons enable ingress`) or set `ingress.className` to an existing class".into());
            findings.push(f);
        }
        let mut backends: Vec<(String, Value)> = Vec::new();
        if let Some(service) = spec["defaultBackend"]["service"].as_object() {
            backends.push((text(&service["name"]).to_string(), service["port"].clone()));
        }
        for rule in spec["rules"].as_array().into_iter().flatten() {
            for path in rule["http"]["paths"].as_array().into_iter().flatten() {
                let service = &path["backend"]["service"];
                backends.push((text(&service["name"]).to_string(), service["port"].clone()));
            }
        }
        for (service_name, port) in backends {
            let service = inventory.of("Service").iter().find(|s| name(s) == service_name);
            let problem = match service {
                None => Some(format!("backend Service `{service_name}` does not exist")),
                Some(service) => {
                    let ports = service["spec"]["ports"].as_array().cloned().unwrap_or_default();
                    let found = if let Some(number) = port["number"].as_i64() {
                        ports.iter().any(|p| p["port"].as_i64() == Some(number))
                    } else if let Some(port_name) = port["name"].as_str() {
                        ports.iter().any(|p| p["name"] == port_name)
                    } else {
                        true
                    };
                    (!found).then(|| {
                        format!(
                            "backend Service `{service_name}` has no port {}",
                            port["number"].as_i64().map_or_else(|| text(&port["name"]).to_string(), |n| n.to_string())
                        )
                    })
                }
            };
            if let Some(problem) = problem {
                let mut f = finding("IngressBackendMissing", Severity::Critical, ingress_ref.clone(), problem.clone());
                f.evidence.push(format!("spec.rules backend service={service_name}"));
                f.fix.push(
                    "point the Ingress at an existing Service and port (the chart's `/` → frontend, `/api` → backend)"
                        .into(),
                );
                findings.push(f);
            }
        }
        for tls in spec["tls"].as_array().into_iter().flatten() {
            if let Some(secret) = tls["secretName"].as_str()
                // Only when Secrets could be listed at all (RBAC may hide them).
                && !inventory.has("Secret", secret)
                && !inventory.of("Secret").is_empty()
            {
                let mut f = finding(
                    "IngressTlsSecretMissing",
                    Severity::Warning,
                    ingress_ref.clone(),
                    format!("TLS Secret `{secret}` does not exist; the controller serves its default certificate"),
                );
                f.evidence.push(format!("spec.tls.secretName={secret}"));
                f.fix.push(format!("create it: `kubectl create secret tls {secret} --cert=tls.crt --key=tls.key -n {}` or use cert-manager", ingress_ref.namespace));
                findings.push(f);
            }
        }
    }
}

fn autoscalers(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for hpa in inventory.of("HorizontalPodAutoscaler") {
        let hpa_ref = object("HorizontalPodAutoscaler", hpa);
        let target = &hpa["spec"]["scaleTargetRef"];
        let target_name = text(&target["name"]);
        let target_kind = text(&target["kind"]);
        if !target_kind.is_empty() && !inventory.has(target_kind, target_name) {
            let mut f = finding(
                "HpaTargetMissing",
                Severity::Warning,
                hpa_ref.clone(),
                format!("it scales {target_kind} `{target_name}`, which does not exist"),
            );
            f.evidence.push(format!("spec.scaleTargetRef={target_kind}/{target_name}"));
            f.fix.push("point scaleTargetRef at the right workload or delete the autoscaler".into());
            findings.push(f);
            continue;
        }
        if let Some(active) = condition(hpa, "ScalingActive").filter(|c| c["status"] == "False") {
            let message = text(&active["message"]);
            let mut f = finding(
                "HpaMetricsUnavailable",
                Severity::Warning,
                hpa_ref.clone(),
                format!("cannot read metrics, so it does not scale: {message}"),
            );
            f.evidence.push(format!("condition ScalingActive=False reason={}: {message}", text(&active["reason"])));
            f.fix.push(if message.contains("missing request") {
                "set CPU requests on every container of the target (`resources.requests.cpu`)".into()
            } else {
                "make sure metrics-server runs (`minikube addons enable metrics-server`; `kubectl top pods`)".into()
            });
            findings.push(f);
            continue;
        }
        let max = hpa["spec"]["maxReplicas"].as_i64().unwrap_or(0);
        let current = hpa["status"]["currentReplicas"].as_i64().unwrap_or(0);
        let desired = hpa["status"]["desiredReplicas"].as_i64().unwrap_or(0);
        let limited =
            condition(hpa, "ScalingLimited").is_some_and(|c| c["status"] == "True" && c["reason"] == "TooManyReplicas");
        if max > 0 && current >= max && (desired >= max || limited) {
            let mut f = finding(
                "HpaMaxedOut",
                Severity::Warning,
                hpa_ref.clone(),
                format!("running at its maximum of {max} replicas; load may need more"),
            );
            f.evidence
                .push(format!("status.currentReplicas={current} desiredReplicas={desired} spec.maxReplicas={max}"));
            f.fix.push(format!(
                "raise the ceiling: `todo-ai autoscale {target_name} --max {} -n {}`, or make each pod cheaper",
                max * 2,
                hpa_ref.namespace
            ));
            findings.push(f);
        }
    }
}

fn volumes(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for claim in inventory.of("PersistentVolumeClaim") {
        if text(&claim["status"]["phase"]) != "Pending" {
            continue;
        }
        let claim_ref = object("PersistentVolumeClaim", claim);
        let class = claim["spec"]["storageClassName"].as_str();
        let events = events_for(inventory, "PersistentVolumeClaim", &claim_ref.name);
        let cause = match class {
            Some(class) if !inventory.of("StorageClass").is_empty() && !inventory.has("StorageClass", class) => {
                format!("StorageClass `{class}` does not exist")
            }
            _ => events
                .last()
                .map_or_else(|| "no volume has been provisioned".to_string(), |e| text(&e["message"]).to_string()),
        };
        let mut f =
            finding("PvcPending", Severity::Critical, claim_ref.clone(), format!("claim is not bound: {cause}"));
        f.evidence.push(format!("status.phase=Pending storageClassName={}", class.unwrap_or("<default>")));
        f.evidence.extend(events.iter().rev().take(1).map(|e| event_line(e)));
        f.fix.push("use an existing StorageClass (`kubectl get storageclass`; minikube has `standard`) or enable a provisioner".into());
        // Pods waiting on this claim are explained by it.
        for pod in inventory.of("Pod") {
            let uses = pod["spec"]["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| v["persistentVolumeClaim"]["claimName"] == claim_ref.name.as_str());
            if uses {
                f.related.push(format!("Pod/{}", name(pod)));
            }
        }
        findings.push(f);
    }
}

fn nodes(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for node in inventory.of("Node") {
        let node_ref = ObjectRef { kind: "Node".into(), name: name(node).into(), namespace: String::new() };
        let ready = condition(node, "Ready");
        if ready.is_some_and(|c| c["status"] != "True") {
            let reason = ready.map(|c| format!("{}: {}", text(&c["reason"]), text(&c["message"]))).unwrap_or_default();
            let mut f =
                finding("NodeNotReady", Severity::Critical, node_ref.clone(), format!("node is not Ready ({reason})"));
            f.evidence
                .push(format!("condition Ready={} {reason}", ready.map(|c| text(&c["status"])).unwrap_or_default()));
            f.fix.push(format!("check the kubelet on the node (`kubectl describe node {}`; for minikube `minikube ssh -n {} -- sudo systemctl status kubelet`)", node_ref.name, node_ref.name));
            findings.push(f);
        }
        for pressure in ["MemoryPressure", "DiskPressure", "PIDPressure"] {
            if condition(node, pressure).is_some_and(|c| c["status"] == "True") {
                let mut f = finding(
                    "NodePressure",
                    Severity::Warning,
                    node_ref.clone(),
                    format!("node reports {pressure}; pods may be evicted"),
                );
                f.evidence.push(format!("condition {pressure}=True"));
                f.fix.push("free resources on the node or add capacity".into());
                findings.push(f);
            }
        }
    }
}

fn budgets(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for budget in inventory.of("PodDisruptionBudget") {
        let allowed = budget["status"]["disruptionsAllowed"].as_i64();
        let expected = budget["status"]["expectedPods"].as_i64().unwrap_or(0);
        if allowed == Some(0) && expected > 0 {
            let budget_ref = object("PodDisruptionBudget", budget);
            let rule = if budget["spec"]["minAvailable"].is_null() {
                format!("maxUnavailable={}", budget["spec"]["maxUnavailable"])
            } else {
                format!("minAvailable={}", budget["spec"]["minAvailable"])
            };
            let mut f = finding(
                "PdbBlocksDisruption",
                Severity::Warning,
                budget_ref.clone(),
                format!(
                    "{rule} with {} healthy of {expected} pods allows no disruption: node drains and upgrades will hang",
                    budget["status"]["currentHealthy"]
                ),
            );
            f.evidence.push(format!(
                "status.disruptionsAllowed=0 currentHealthy={} desiredHealthy={} expectedPods={expected}",
                budget["status"]["currentHealthy"], budget["status"]["desiredHealthy"]
            ));
            f.fix.push("run more replicas than minAvailable (e.g. `todo-ai scale …`), or lower minAvailable / use maxUnavailable: 1".into());
            findings.push(f);
        }
    }
}

fn jobs(inventory: &Inventory, findings: &mut Vec<Finding>) {
    for job in inventory.of("Job") {
        if let Some(failed) = condition(job, "Failed").filter(|c| c["status"] == "True") {
            let message = format!("{}: {}", text(&failed["reason"]), text(&failed["message"]));
            let mut f = finding("JobFailed", Severity::Warning, object("Job", job), format!("job failed ({message})"));
            f.evidence.push(format!("condition Failed=True {message}"));
            f.fix.push(format!("read its pods' logs: `kubectl logs job/{} -n {}`", name(job), inventory.namespace()));
            findings.push(f);
        }
    }
}
