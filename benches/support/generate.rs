//! A realistic namespace of any size, as `kubectl get … -o yaml|json` prints it, for the
//! diagnose and snapshot benchmarks: full pod specs with `managedFields`, probes, resources,
//! env references and volumes (about 3 KB of YAML per pod, like a real cluster's output),
//! one Deployment per 100 pods with its current and two old ReplicaSets, a Service and
//! Endpoints per Deployment, HPAs, PDBs, an Ingress, ConfigMaps, Secrets, nodes and events.
//! A few per cent of the pods carry faults (crash loops, image pulls, failing readiness,
//! unschedulable), so the analyzers do real work.

use std::io::Write;

use serde_json::{Value, json};

/// How to write the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `kubectl get … -o yaml`: a `v1 List` with `items` before `kind`.
    Yaml,
    /// `kubectl get … -o json`: the same List, pretty-printed.
    Json,
}

const NAMESPACE: &str = "shop";
const CREATED: &str = "2026-11-20T10:00:00Z";
const PODS_PER_DEPLOYMENT: usize = 100;
const PODS_PER_NODE: usize = 100;

/// Writes a snapshot with `pods` pods.
pub fn write(pods: usize, format: Format, out: &mut impl Write) -> std::io::Result<()> {
    let items = items(pods);
    match format {
        Format::Yaml => {
            writeln!(out, "apiVersion: v1\nitems:")?;
            for item in &items {
                let text = serde_yaml::to_string(item).map_err(std::io::Error::other)?;
                let mut first = true;
                for line in text.lines() {
                    writeln!(out, "{}{line}", if first { "- " } else { "  " })?;
                    first = false;
                }
            }
            writeln!(out, "kind: List\nmetadata:\n  resourceVersion: \"\"")?;
        }
        Format::Json => {
            writeln!(out, "{{\n    \"apiVersion\": \"v1\",\n    \"items\": [")?;
            for (index, item) in items.iter().enumerate() {
                let text = serde_json::to_string_pretty(item).map_err(std::io::Error::other)?;
                let separator = if index + 1 == items.len() { "" } else { "," };
                for (line_index, line) in text.lines().enumerate() {
                    let end = if line_index + 1 == text.lines().count() { separator } else { "" };
                    writeln!(out, "        {line}{end}")?;
                }
            }
            writeln!(
                out,
                "    ],\n    \"kind\": \"List\",\n    \"metadata\": {{\n        \"resourceVersion\": \"\"\n    }}\n}}"
            )?;
        }
    }
    Ok(())
}

/// The snapshot as text.
pub fn text(pods: usize, format: Format) -> String {
    let mut out = Vec::new();
    let _ = write(pods, format, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// A deterministic pseudo-random suffix like the ones Kubernetes generates.
fn suffix(seed: usize, length: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut state = (seed as u64).wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    (0..length)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ALPHABET[((state >> 33) % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

fn uid(seed: usize) -> String {
    let hex = format!("{:032x}", (seed as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834));
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn managed_fields(manager: &str, subresource: Option<&str>) -> Value {
    let mut entry = json!({
        "apiVersion": "v1",
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:metadata": {"f:generateName": {}, "f:labels": {}, "f:ownerReferences": {}},
            "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {"f:env": {}, "f:image": {}, "f:ports": {}, "f:resources": {}}}}
        },
        "manager": manager,
        "operation": "Update",
        "time": CREATED
    });
    if let Some(subresource) = subresource {
        entry["subresource"] = json!(subresource);
        entry["fieldsV1"] =
            json!({"f:status": {"f:conditions": {}, "f:containerStatuses": {}, "f:phase": {}, "f:podIP": {}}});
    }
    entry
}

fn container(app: &str, image: &str) -> Value {
    json!({
        "env": [
            {"name": "PORT", "value": "8000"},
            {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"key": "databaseUrl", "name": format!("{app}-secrets")}}},
            {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"key": "logLevel", "name": format!("{app}-config")}}}
        ],
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": {"httpGet": {"path": "/health", "port": 8000}, "periodSeconds": 10},
        "name": "app",
        "ports": [{"containerPort": 8000, "name": "http", "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8000}, "periodSeconds": 5},
        "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
        "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true},
        "volumeMounts": [{"mountPath": "/tmp", "name": "tmp"}]
    })
}

fn pod_spec(app: &str, image: &str, node: Option<&str>) -> Value {
    let mut spec = json!({
        "containers": [container(app, image)],
        "restartPolicy": "Always",
        "securityContext": {"runAsNonRoot": true, "runAsUser": 1001},
        "serviceAccountName": "default",
        "volumes": [{"emptyDir": {}, "name": "tmp"}]
    });
    if let Some(node) = node {
        spec["nodeName"] = json!(node);
    }
    spec
}

fn condition(kind: &str, status: bool, reason: Option<&str>, message: Option<&str>) -> Value {
    let mut condition = json!({"lastProbeTime": null, "lastTransitionTime": CREATED, "status": if status { "True" } else { "False" }, "type": kind});
    if let Some(reason) = reason {
        condition["reason"] = json!(reason);
    }
    if let Some(message) = message {
        condition["message"] = json!(message);
    }
    condition
}

/// What is wrong with a pod, if anything.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    CrashLoop,
    ImagePull,
    Readiness,
    Unschedulable,
}

fn fault(index: usize) -> Fault {
    match index % 100 {
        7 => Fault::CrashLoop,
        23 => Fault::ImagePull,
        41 => Fault::Readiness,
        97 if index % 1000 == 97 => Fault::Unschedulable,
        _ => Fault::None,
    }
}

fn event(index: usize, pod: &str, kind: &str, reason: &str, message: &str, count: i64) -> Value {
    json!({
        "apiVersion": "v1",
        "count": count,
        "firstTimestamp": CREATED,
        "involvedObject": {"apiVersion": "v1", "fieldPath": "spec.containers{app}", "kind": "Pod", "name": pod,
                           "namespace": NAMESPACE, "resourceVersion": "1000", "uid": uid(index)},
        "kind": "Event",
        "lastTimestamp": "2026-11-20T10:12:00Z",
        "message": message,
        "metadata": {"creationTimestamp": CREATED, "name": format!("{pod}.{:016x}", index * 7919),
                     "namespace": NAMESPACE, "resourceVersion": "1000", "uid": uid(index + 1_000_000)},
        "reason": reason,
        "reportingComponent": "kubelet",
        "reportingInstance": "node-0",
        "source": {"component": "kubelet", "host": "node-0"},
        "type": kind
    })
}

fn pod(index: usize, app: &str, hash: &str, replicaset_uid: &str, items: &mut Vec<Value>) {
    let name = format!("{app}-{hash}-{}", suffix(index, 5));
    let node = format!("node-{}", index / PODS_PER_NODE);
    let fault = fault(index);
    let image = if fault == Fault::ImagePull {
        format!("registry.local/{app}:9.9.9-missing")
    } else {
        format!("registry.local/{app}:1.4.2")
    };
    let scheduled = fault != Fault::Unschedulable;
    let ready = fault == Fault::None;
    let running = json!({"running": {"startedAt": CREATED}});
    let (state, last_state, restarts) = match fault {
        Fault::CrashLoop => (
            json!({"waiting": {"message": "back-off 5m0s restarting failed container=app", "reason": "CrashLoopBackOff"}}),
            json!({"terminated": {"containerID": format!("containerd://{:064x}", index), "exitCode": 1, "finishedAt": "2026-11-20T10:11:00Z", "reason": "Error", "startedAt": "2026-11-20T10:10:58Z"}}),
            14,
        ),
        Fault::ImagePull => (
            json!({"waiting": {"message": format!("Back-off pulling image \"{image}\""), "reason": "ImagePullBackOff"}}),
            json!({}),
            0,
        ),
        _ => (running, json!({}), 0),
    };
    let mut status = json!({
        "conditions": [
            condition("Initialized", true, None, None),
            condition("Ready", ready, (!ready).then_some("ContainersNotReady"), (!ready).then_some("containers with unready status: [app]")),
            condition("ContainersReady", ready, (!ready).then_some("ContainersNotReady"), (!ready).then_some("containers with unready status: [app]")),
            condition("PodScheduled", scheduled, (!scheduled).then_some("Unschedulable"),
                      (!scheduled).then_some("0/100 nodes are available: 100 Insufficient cpu. preemption: 0/100 nodes are available: 100 No preemption victims found for incoming pod.")),
        ],
        "phase": if scheduled { "Running" } else { "Pending" },
        "qosClass": "Burstable",
    });
    if scheduled {
        status["containerStatuses"] = json!([{
            "containerID": format!("containerd://{:064x}", index + 7),
            "image": image,
            "imageID": format!("registry.local/{app}@sha256:{:064x}", index % 97),
            "lastState": last_state,
            "name": "app",
            "ready": ready,
            "restartCount": restarts,
            "started": ready || fault == Fault::Readiness,
            "state": state
        }]);
        status["hostIP"] = json!(format!("10.0.{}.{}", index / PODS_PER_NODE / 250, (index / PODS_PER_NODE) % 250 + 1));
        status["podIP"] = json!(format!("10.244.{}.{}", (index / 250) % 250, index % 250 + 2));
        status["startTime"] = json!(CREATED);
    }
    items.push(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": CREATED,
            "generateName": format!("{app}-{hash}-"),
            "labels": {"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": app, "pod-template-hash": hash},
            "managedFields": [managed_fields("kubelet", Some("status"))],
            "name": name,
            "namespace": NAMESPACE,
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet",
                                 "name": format!("{app}-{hash}"), "uid": replicaset_uid}],
            "resourceVersion": format!("{}", 10_000 + index),
            "uid": uid(index)
        },
        "spec": pod_spec(app, &image, scheduled.then_some(node.as_str())),
        "status": status
    }));
    match fault {
        Fault::CrashLoop => {
            items.push(event(
                index,
                &name,
                "Warning",
                "BackOff",
                "Back-off restarting failed container app in pod",
                60,
            ));
        }
        Fault::ImagePull => {
            items.push(event(index, &name, "Warning", "Failed", &format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found"), 6));
            items.push(event(index + 1, &name, "Warning", "Failed", "Error: ImagePullBackOff", 80));
        }
        Fault::Readiness => {
            items.push(event(
                index,
                &name,
                "Warning",
                "Unhealthy",
                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                120,
            ));
        }
        Fault::Unschedulable | Fault::None => {
            if index.is_multiple_of(5) {
                items.push(event(index, &name, "Normal", "Started", "Started container app", 1));
            }
        }
    }
}

fn items(pods: usize) -> Vec<Value> {
    let mut items = Vec::new();
    for node in 0..pods.div_ceil(PODS_PER_NODE).max(1) {
        items.push(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"creationTimestamp": CREATED, "labels": {"kubernetes.io/hostname": format!("node-{node}"), "kubernetes.io/os": "linux"},
                         "name": format!("node-{node}"), "resourceVersion": "1000", "uid": uid(node + 5_000_000)},
            "spec": {"podCIDR": format!("10.244.{}.0/24", node % 250)},
            "status": {"allocatable": {"cpu": "16", "memory": "64Gi", "pods": "110"},
                       "capacity": {"cpu": "16", "memory": "64Gi", "pods": "110"},
                       "conditions": [condition("MemoryPressure", false, Some("KubeletHasSufficientMemory"), Some("ok")),
                                      condition("DiskPressure", false, Some("KubeletHasNoDiskPressure"), Some("ok")),
                                      condition("PIDPressure", false, Some("KubeletHasSufficientPID"), Some("ok")),
                                      condition("Ready", true, Some("KubeletReady"), Some("kubelet is posting ready status"))],
                       "nodeInfo": {"kubeletVersion": "v1.33.0", "osImage": "Debian GNU/Linux 13", "architecture": "amd64"}}
        }));
    }
    items.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                      "metadata": {"name": "nginx", "creationTimestamp": CREATED}, "spec": {"controller": "k8s.io/ingress-nginx"}}));
    items.push(json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                      "metadata": {"name": "standard", "creationTimestamp": CREATED}, "provisioner": "rancher.io/local-path"}));
    let deployments = pods.div_ceil(PODS_PER_DEPLOYMENT).max(1);
    let mut rules = Vec::new();
    for deployment in 0..deployments {
        let app = format!("app-{deployment:03}");
        let first = deployment * PODS_PER_DEPLOYMENT;
        let count = PODS_PER_DEPLOYMENT.min(pods.saturating_sub(first));
        let ready = (first..first + count).filter(|index| fault(*index) == Fault::None).count();
        let hash = suffix(deployment + 77, 10);
        let deployment_uid = uid(deployment + 3_000_000);
        let selector = json!({"matchLabels": {"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": app}});
        let template = |hash: Option<&str>, image: &str| {
            let mut labels = json!({"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": app});
            if let Some(hash) = hash {
                labels["pod-template-hash"] = json!(hash);
            }
            json!({"metadata": {"labels": labels}, "spec": pod_spec(&app, image, None)})
        };
        items.push(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"annotations": {"deployment.kubernetes.io/revision": "3", "meta.helm.sh/release-name": "shop"},
                         "creationTimestamp": CREATED, "generation": 3,
                         "labels": {"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": app},
                         "managedFields": [managed_fields("helm", None)],
                         "name": app, "namespace": NAMESPACE, "resourceVersion": "2000", "uid": deployment_uid},
            "spec": {"progressDeadlineSeconds": 600, "replicas": count, "revisionHistoryLimit": 10, "selector": selector,
                     "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                     "template": template(None, &format!("registry.local/{app}:1.4.2"))},
            "status": {"availableReplicas": ready, "conditions": [
                           condition("Available", ready == count, Some(if ready == count { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" }), Some("Deployment has minimum availability.")),
                           condition("Progressing", true, Some("NewReplicaSetAvailable"), Some(&format!("ReplicaSet \"{app}-{hash}\" has successfully progressed.")))],
                       "observedGeneration": 3, "readyReplicas": ready, "replicas": count, "updatedReplicas": count,
                       "unavailableReplicas": count - ready}
        }));
        for (revision, revision_hash, image, replicas) in [
            (1, suffix(deployment + 11, 10), format!("registry.local/{app}:1.4.0"), 0),
            (2, suffix(deployment + 22, 10), format!("registry.local/{app}:1.4.1"), 0),
            (3, hash.clone(), format!("registry.local/{app}:1.4.2"), count),
        ] {
            let replicaset_uid = uid(deployment * 10 + revision + 4_000_000);
            items.push(json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"annotations": {"deployment.kubernetes.io/desired-replicas": count.to_string(),
                                             "deployment.kubernetes.io/max-replicas": (count + 1).to_string(),
                                             "deployment.kubernetes.io/revision": revision.to_string()},
                             "creationTimestamp": CREATED, "generation": 1,
                             "labels": {"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": app, "pod-template-hash": revision_hash},
                             "name": format!("{app}-{revision_hash}"), "namespace": NAMESPACE,
                             "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                                                  "kind": "Deployment", "name": app, "uid": deployment_uid}],
                             "uid": replicaset_uid},
                "spec": {"replicas": replicas, "selector": selector, "template": template(Some(&revision_hash), &image)},
                "status": {"availableReplicas": if replicas > 0 { ready } else { 0 }, "fullyLabeledReplicas": replicas,
                           "observedGeneration": 1, "readyReplicas": if replicas > 0 { ready } else { 0 }, "replicas": replicas}
            }));
            if revision == 3 {
                for index in first..first + count {
                    pod(index, &app, &revision_hash, &replicaset_uid, &mut items);
                }
            }
        }
        items.push(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"creationTimestamp": CREATED, "labels": {"app.kubernetes.io/name": app}, "name": app, "namespace": NAMESPACE},
            "spec": {"clusterIP": format!("10.96.{}.{}", deployment / 250, deployment % 250 + 1), "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
                     "selector": {"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": app}, "type": "ClusterIP"}
        }));
        let addresses: Vec<Value> = (first..first + count)
            .filter(|index| fault(*index) == Fault::None)
            .map(|index| json!({"ip": format!("10.244.{}.{}", (index / 250) % 250, index % 250 + 2), "nodeName": format!("node-{}", index / PODS_PER_NODE),
                                "targetRef": {"kind": "Pod", "name": format!("{app}-{hash}-{}", suffix(index, 5))}}))
            .collect();
        items.push(json!({
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"creationTimestamp": CREATED, "name": app, "namespace": NAMESPACE},
            "subsets": [{"addresses": addresses, "ports": [{"name": "http", "port": 8000, "protocol": "TCP"}]}]
        }));
        items.push(json!({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"creationTimestamp": CREATED, "name": format!("{app}-config"), "namespace": NAMESPACE},
                          "data": {"logLevel": "info"}}));
        items.push(json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                          "metadata": {"creationTimestamp": CREATED, "name": format!("{app}-secrets"), "namespace": NAMESPACE},
                          "data": {"databaseUrl": ""}}));
        if deployment.is_multiple_of(5) {
            items.push(json!({
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"creationTimestamp": CREATED, "name": app, "namespace": NAMESPACE},
                "spec": {"maxReplicas": count * 2, "minReplicas": 1,
                         "metrics": [{"resource": {"name": "cpu", "target": {"averageUtilization": 70, "type": "Utilization"}}, "type": "Resource"}],
                         "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app}},
                "status": {"currentReplicas": count, "desiredReplicas": count,
                           "conditions": [condition("AbleToScale", true, Some("ReadyForNewScale"), None),
                                          condition("ScalingActive", true, Some("ValidMetricFound"), None)]}
            }));
        }
        if deployment.is_multiple_of(3) {
            items.push(json!({
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                "metadata": {"creationTimestamp": CREATED, "name": app, "namespace": NAMESPACE},
                "spec": {"maxUnavailable": 1, "selector": selector},
                "status": {"currentHealthy": ready, "desiredHealthy": count.saturating_sub(1), "disruptionsAllowed": i64::from(ready + 1 >= count), "expectedPods": count}
            }));
        }
        if deployment < 10 {
            rules.push(json!({"host": format!("{app}.shop.example"), "http": {"paths": [{"backend": {"service": {"name": app, "port": {"number": 80}}}, "path": "/", "pathType": "Prefix"}]}}));
        }
    }
    items.push(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"creationTimestamp": CREATED, "name": "shop", "namespace": NAMESPACE},
        "spec": {"ingressClassName": "nginx", "rules": rules}
    }));
    items
}
