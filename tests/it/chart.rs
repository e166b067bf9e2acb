//! The Helm chart in `manifests/helm/todo-app`, checked with the real tools: `helm lint
//! --strict` over the default, dev and prod values; the rendered manifests against the chart's
//! contract (replicas or an HPA, probes on the health paths, bounded resources, zero-downtime
//! rollouts, hardened pods, checksums that roll pods on config or secret changes, ClusterIP
//! Services, the Ingress routes, PDBs, labels, secret handling, NetworkPolicies, the in-cluster
//! PostgreSQL, the `helm test` hook); the strict values schema; `kubernetes-validate --strict`
//! against the Kubernetes API schemas; and checkov's Kubernetes checks with no failure beyond
//! the skips the chart itself declares and justifies. The tools come from
//! `.ci/install-chart-validators`; a test whose tool is missing is skipped, except under `CI`,
//! where it fails. Each values profile is rendered once and shared by the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_yaml::Value;
use todo_ai::containerise;
use todo_ai::tools::Stack;

const RELEASE: &str = "todo-app";
const NAMESPACE: &str = "todo";
const CHART_VERSION: &str = "0.1.0";
const APP_VERSION: &str = "1.0.0";
/// The numeric user of the generated Dockerfiles (cross-checked below).
const UID: i64 = 10001;
/// The oldest Kubernetes the chart supports (Chart.yaml `kubeVersion`), and the API version the
/// crate's k8s-openapi is built for.
const KUBE_VERSIONS: [&str; 2] = ["1.30.0", "1.33.0"];
const INSTALL: &str = "run `.ci/install-chart-validators` and put the directory it prints last on PATH";

fn chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests/helm/todo-app")
}

/// A tool on PATH. The tests that need one are `#[ignore]`d, so a missing tool means
/// someone asked for them without it: that fails, it never passes by skipping.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|p| p.is_file()));
    assert!(found.is_some(), "`{name}` is not installed: {INSTALL}");
    found
}

// ---- profiles and renders ---------------------------------------------------------------------

/// A way of installing the chart: a values file and `--set`s, and the checkov configuration
/// (inside the chart) that its render is checked with.
#[derive(Debug, Clone, Copy)]
struct Profile {
    name: &'static str,
    values: Option<&'static str>,
    set: &'static [&'static str],
    checkov: &'static str,
}

const DEFAULT: Profile = Profile { name: "default", values: None, set: &[], checkov: ".checkov-default.yaml" };
const DEV: Profile = Profile { name: "dev", values: Some("values-dev.yaml"), set: &[], checkov: ".checkov-dev.yaml" };
const PROD: Profile = Profile { name: "prod", values: Some("values-prod.yaml"), set: &[], checkov: ".checkov.yaml" };
/// Every optional feature on: in-cluster PostgreSQL, NetworkPolicies, TLS, secrets from values.
const FULL: Profile = Profile {
    name: "full",
    values: None,
    set: &[
        "postgresql.enabled=true",
        "postgresql.auth.password=test-only-pg-password",
        "networkPolicy.enabled=true",
        "ingress.tls[0].secretName=todo-tls",
        "secrets.openaiApiKey=sk-test-only-key",
        "secrets.betterAuthSecret=test-only-auth-secret",
    ],
    checkov: ".checkov.yaml",
};
const PROFILES: [Profile; 4] = [DEFAULT, DEV, PROD, FULL];

fn values_args(profile: &Profile, extra: &[&str]) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(file) = profile.values {
        args.push("--values".to_string());
        args.push(chart_dir().join(file).display().to_string());
    }
    for set in profile.set.iter().chain(extra) {
        args.push("--set".to_string());
        args.push((*set).to_string());
    }
    args
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_string()).collect()
}

fn run(program: &Path, args: &[String]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

/// `helm template` of a profile plus `--set`s: the rendered YAML, or helm's error.
fn template(helm: &Path, profile: &Profile, extra: &[&str]) -> Result<String, String> {
    template_chart(helm, &chart_dir(), profile, extra)
}

fn template_chart(helm: &Path, chart: &Path, profile: &Profile, extra: &[&str]) -> Result<String, String> {
    let chart = chart.display().to_string();
    let mut args =
        strings(&["template", RELEASE, chart.as_str(), "--namespace", NAMESPACE, "--kube-version", KUBE_VERSIONS[0]]);
    args.extend(values_args(profile, extra));
    let output = run(helm, &args);
    if output.status.success() {
        Ok(String::from_utf8(output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The four profiles' renders, made once per test binary.
fn renders(helm: &Path) -> &'static [(Profile, String)] {
    static RENDERS: OnceLock<Vec<(Profile, String)>> = OnceLock::new();
    RENDERS.get_or_init(|| {
        PROFILES
            .iter()
            .map(|profile| {
                let text = template(helm, profile, &[])
                    .unwrap_or_else(|e| panic!("helm template ({}) failed:\n{e}", profile.name));
                (*profile, text)
            })
            .collect()
    })
}

fn render_of(helm: &Path, name: &str) -> Manifests {
    let (_, text) = renders(helm).iter().find(|(profile, _)| profile.name == name).unwrap();
    Manifests::parse(text)
}

// ---- the rendered objects ---------------------------------------------------------------------

struct Manifests(Vec<Value>);

impl Manifests {
    fn parse(text: &str) -> Self {
        let docs = serde_yaml::Deserializer::from_str(text)
            .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("rendered YAML does not parse: {e}")))
            .filter(|doc| !doc.is_null())
            .collect();
        Self(docs)
    }

    fn of_kind(&self, kind: &str) -> Vec<&Value> {
        self.0.iter().filter(|doc| doc["kind"] == kind).collect()
    }

    fn find(&self, kind: &str, name: &str) -> Option<&Value> {
        self.0.iter().find(|doc| doc["kind"] == kind && doc["metadata"]["name"] == name)
    }

    fn get(&self, kind: &str, name: &str) -> &Value {
        self.find(kind, name).unwrap_or_else(|| {
            let have: Vec<String> =
                self.0.iter().map(|doc| format!("{}/{}", text(&doc["kind"]), text(&doc["metadata"]["name"]))).collect();
            panic!("no {kind} {name} in the render; it has {have:?}")
        })
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or_else(|| panic!("not an integer: {value:?}"))
}

fn items(value: &Value) -> &[Value] {
    value.as_sequence().map_or(&[], Vec::as_slice)
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_mapping()
        .map(|map| {
            map.iter()
                .map(|(key, value)| {
                    (text(key).to_string(), value.as_str().map_or_else(|| format!("{value:?}"), String::from))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn name(component: &str) -> String {
    format!("{RELEASE}-{component}")
}

fn service_host(component: &str) -> String {
    format!("{}.{NAMESPACE}.svc.cluster.local", name(component))
}

fn selector(component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), "todo-app".to_string()),
        ("app.kubernetes.io/instance".to_string(), RELEASE.to_string()),
        ("app.kubernetes.io/component".to_string(), component.to_string()),
    ])
}

/// The env entries of a container that come from a Secret: (variable, secret, key), in order.
fn secret_refs(container: &Value) -> Vec<(String, String, String)> {
    items(&container["env"])
        .iter()
        .filter_map(|env| {
            let reference = &env["valueFrom"]["secretKeyRef"];
            reference.is_mapping().then(|| {
                (
                    text(&env["name"]).to_string(),
                    text(&reference["name"]).to_string(),
                    text(&reference["key"]).to_string(),
                )
            })
        })
        .collect()
}

fn only_container<'a>(workload: &'a Value, name: &str) -> &'a Value {
    let containers = items(&workload["spec"]["template"]["spec"]["containers"]);
    assert_eq!(containers.len(), 1, "{name}: one container expected");
    &containers[0]
}

/// Standard base64, for comparing Secret data.
fn base64(input: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.as_bytes().chunks(3) {
        let bytes = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---- what each profile must render ------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Scaling {
    Hpa { min: i64, max: i64 },
    Fixed(i64),
}

struct Expected {
    host: &'static str,
    tls: bool,
    network_policy: bool,
    pull_policy: &'static str,
    frontend_image: &'static str,
    backend_image: &'static str,
    frontend: Scaling,
    backend: Scaling,
    /// The Secret the pods read, when they read one.
    secret: Option<&'static str>,
}

fn expected(profile: &str) -> Expected {
    match profile {
        "default" => Expected {
            host: "todo.local",
            tls: false,
            network_policy: false,
            pull_policy: "Always",
            frontend_image: "todo-frontend:1.0.0",
            backend_image: "todo-backend:1.0.0",
            frontend: Scaling::Hpa { min: 2, max: 10 },
            backend: Scaling::Hpa { min: 2, max: 20 },
            secret: None,
        },
        "dev" => Expected {
            host: "todo.local",
            tls: false,
            network_policy: false,
            pull_policy: "IfNotPresent",
            frontend_image: "todo-frontend:dev",
            backend_image: "todo-backend:dev",
            frontend: Scaling::Fixed(1),
            backend: Scaling::Fixed(1),
            secret: None,
        },
        "prod" => Expected {
            host: "todo.example.com",
            tls: true,
            network_policy: true,
            pull_policy: "Always",
            frontend_image: "ghcr.io/example/todo-frontend:1.0.0",
            backend_image: "ghcr.io/example/todo-backend:1.0.0",
            frontend: Scaling::Hpa { min: 3, max: 10 },
            backend: Scaling::Hpa { min: 3, max: 20 },
            secret: Some("todo-app-secrets"),
        },
        "full" => Expected {
            host: "todo.local",
            tls: true,
            network_policy: true,
            pull_policy: "Always",
            frontend_image: "todo-frontend:1.0.0",
            backend_image: "todo-backend:1.0.0",
            frontend: Scaling::Hpa { min: 2, max: 10 },
            backend: Scaling::Hpa { min: 2, max: 20 },
            secret: Some("todo-app-secrets"),
        },
        other => panic!("no expectations for profile {other}"),
    }
}

/// (component, port, health path, writable directories)
const COMPONENTS: [(&str, i64, &str, &[&str]); 2] =
    [("frontend", 3000, "/api/health", &["/tmp", "/app/.next/cache"]), ("backend", 8000, "/health", &["/tmp"])];

fn assert_hardened_container(container: &Value, context: &str) {
    let security = &container["securityContext"];
    assert_eq!(security["allowPrivilegeEscalation"], false, "{context}: allowPrivilegeEscalation");
    assert_ne!(security["privileged"], true, "{context}: privileged");
    assert_eq!(security["readOnlyRootFilesystem"], true, "{context}: readOnlyRootFilesystem");
    assert_eq!(security["runAsNonRoot"], true, "{context}: runAsNonRoot");
    assert_eq!(int(&security["runAsUser"]), UID, "{context}: runAsUser");
    assert!(items(&security["capabilities"]["drop"]).iter().any(|c| c == "ALL"), "{context}: capabilities.drop ALL");
    assert!(security["capabilities"]["add"].is_null(), "{context}: no capability added");
    assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault", "{context}: seccompProfile");
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            let value = &container["resources"][kind][resource];
            assert!(
                value.as_str().is_some_and(|v| !v.is_empty()) || value.is_number(),
                "{context}: resources.{kind}.{resource} missing"
            );
        }
    }
    let image = text(&container["image"]);
    assert!(!image.ends_with(":latest") && image.rsplit('/').next().unwrap().contains(':'), "{context}: {image}");
}

fn assert_hardened_pod(pod_spec: &Value, context: &str) {
    let security = &pod_spec["securityContext"];
    assert_eq!(security["runAsNonRoot"], true, "{context}: pod runAsNonRoot");
    assert_eq!(int(&security["runAsUser"]), UID, "{context}: pod runAsUser");
    assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault", "{context}: pod seccompProfile");
    assert_eq!(pod_spec["automountServiceAccountToken"], false, "{context}: automountServiceAccountToken");
    assert!(pod_spec["hostNetwork"].is_null() && pod_spec["hostPID"].is_null(), "{context}: host namespaces");
}

fn check_deployment(manifests: &Manifests, profile: &str, component: &str, port: i64, health: &str, writable: &[&str]) {
    let want = expected(profile);
    let (image, scaling) = match component {
        "frontend" => (want.frontend_image, want.frontend),
        _ => (want.backend_image, want.backend),
    };
    let deployment_name = name(component);
    let context = format!("{profile}: Deployment {deployment_name}");
    let deployment = manifests.get("Deployment", &deployment_name);
    let spec = &deployment["spec"];

    // Replicas: an HPA owns them, or a fixed count.
    let hpa = manifests.find("HorizontalPodAutoscaler", &deployment_name);
    match scaling {
        Scaling::Hpa { min, max } => {
            assert!(spec["replicas"].is_null(), "{context}: HPA-managed, so replicas must be omitted");
            let hpa = hpa.unwrap_or_else(|| panic!("{context}: no HPA"));
            assert_eq!(hpa["apiVersion"], "autoscaling/v2", "{context}");
            assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment", "{context}");
            assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], deployment_name.as_str(), "{context}");
            assert_eq!((int(&hpa["spec"]["minReplicas"]), int(&hpa["spec"]["maxReplicas"])), (min, max), "{context}");
            assert!(min >= 2, "{context}: at least two replicas");
            let metric = &items(&hpa["spec"]["metrics"])[0];
            assert_eq!(metric["resource"]["name"], "cpu", "{context}");
            assert_eq!(metric["resource"]["target"]["type"], "Utilization", "{context}");
            assert_eq!(int(&metric["resource"]["target"]["averageUtilization"]), 70, "{context}");
        }
        Scaling::Fixed(replicas) => {
            assert!(hpa.is_none(), "{context}: no HPA expected");
            assert_eq!(int(&spec["replicas"]), replicas, "{context}: replicas");
        }
    }
    if profile == "default" || profile == "prod" {
        assert!(
            spec["replicas"].as_i64().is_some_and(|n| n >= 2) || hpa.is_some(),
            "{context}: two replicas or more, or an HPA"
        );
    }

    // Zero-downtime rollouts.
    assert_eq!(spec["strategy"]["type"], "RollingUpdate", "{context}");
    assert_eq!(int(&spec["strategy"]["rollingUpdate"]["maxSurge"]), 1, "{context}: maxSurge");
    assert_eq!(int(&spec["strategy"]["rollingUpdate"]["maxUnavailable"]), 0, "{context}: maxUnavailable");

    // Selector and pod labels.
    let template = &spec["template"];
    assert_eq!(string_map(&spec["selector"]["matchLabels"]), selector(component), "{context}: selector");
    let pod_labels = string_map(&template["metadata"]["labels"]);
    assert!(selector(component).iter().all(|(k, v)| pod_labels.get(k) == Some(v)), "{context}: pod labels");

    // Config and secret checksums roll the pods.
    let annotations = string_map(&template["metadata"]["annotations"]);
    for key in ["checksum/config", "checksum/secret"] {
        let sum = annotations.get(key).unwrap_or_else(|| panic!("{context}: no {key} annotation"));
        assert!(sum.len() == 64 && sum.chars().all(|c| c.is_ascii_hexdigit()), "{context}: {key} = {sum}");
    }

    // The pod.
    let pod = &template["spec"];
    assert_hardened_pod(pod, &context);
    let account = text(&pod["serviceAccountName"]);
    assert_eq!(manifests.get("ServiceAccount", account)["automountServiceAccountToken"], false, "{context}");
    let grace = int(&pod["terminationGracePeriodSeconds"]);
    assert!(grace >= 10, "{context}: terminationGracePeriodSeconds {grace}");

    // Spread: soft anti-affinity on the node and topology spread, both on the pod's own labels.
    let anti = &pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"];
    let term =
        &items(anti).first().unwrap_or_else(|| panic!("{context}: no preferred anti-affinity"))["podAffinityTerm"];
    assert_eq!(term["topologyKey"], "kubernetes.io/hostname", "{context}");
    assert_eq!(string_map(&term["labelSelector"]["matchLabels"]), selector(component), "{context}: anti-affinity");
    let spread = items(&pod["topologySpreadConstraints"]);
    assert!(!spread.is_empty(), "{context}: no topologySpreadConstraints");
    let keys: BTreeSet<&str> = spread.iter().map(|c| text(&c["topologyKey"])).collect();
    assert!(keys.contains("topology.kubernetes.io/zone") && keys.contains("kubernetes.io/hostname"), "{context}");
    for constraint in spread {
        assert_eq!(string_map(&constraint["labelSelector"]["matchLabels"]), selector(component), "{context}: spread");
    }

    // The container.
    let container = only_container(deployment, &context);
    assert_eq!(container["name"], component, "{context}");
    assert_hardened_container(container, &context);
    assert_eq!(text(&container["image"]), image, "{context}: image");
    assert_eq!(text(&container["imagePullPolicy"]), want.pull_policy, "{context}: imagePullPolicy");
    let ports = items(&container["ports"]);
    let http = ports.iter().find(|p| p["name"] == "http").unwrap_or_else(|| panic!("{context}: no http port"));
    assert_eq!(int(&http["containerPort"]), port, "{context}: port");
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        let get = &container[probe]["httpGet"];
        assert_eq!(text(&get["path"]), health, "{context}: {probe} path");
        let probe_port = get["port"].as_i64().unwrap_or_else(|| {
            let named = text(&get["port"]);
            int(&ports.iter().find(|p| p["name"] == named).unwrap_or_else(|| panic!("{context}: {probe} port"))["containerPort"])
        });
        assert_eq!(probe_port, port, "{context}: {probe} port");
        assert!(int(&container[probe]["periodSeconds"]) >= 1, "{context}: {probe} periodSeconds");
    }
    // Graceful shutdown: the kubelet's sleep action (no shell in the image), well inside the grace period.
    let sleep = int(&container["lifecycle"]["preStop"]["sleep"]["seconds"]);
    assert!(sleep > 0 && sleep < grace, "{context}: preStop sleep {sleep}s vs grace {grace}s");
    assert!(container["lifecycle"]["preStop"]["exec"].is_null(), "{context}: preStop must not need a shell");

    // Writable paths are emptyDirs; the root filesystem is read-only.
    let volumes = items(&pod["volumes"]);
    for path in writable {
        let mount = items(&container["volumeMounts"])
            .iter()
            .find(|m| m["mountPath"] == *path)
            .unwrap_or_else(|| panic!("{context}: nothing mounted at {path}"));
        let volume = volumes.iter().find(|v| v["name"] == mount["name"]).unwrap();
        assert!(volume["emptyDir"].is_mapping(), "{context}: {path} must be an emptyDir");
    }

    // Settings come from the ConfigMap.
    let config = text(&items(&container["envFrom"])[0]["configMapRef"]["name"]);
    manifests.get("ConfigMap", config);

    // Secrets only through secretKeyRef, from the expected Secret and keys.
    let refs = secret_refs(container);
    let keys: BTreeSet<&str> = refs.iter().map(|(env, ..)| env.as_str()).collect();
    let want_keys: BTreeSet<&str> = match component {
        "frontend" => ["BETTER_AUTH_SECRET", "DATABASE_URL"].into(),
        _ => ["DATABASE_URL", "OPENAI_API_KEY"].into(),
    };
    match want.secret {
        None => assert!(refs.is_empty(), "{context}: no secret was given, yet the pods read {refs:?}"),
        Some(secret) if profile == "full" => {
            // DATABASE_URL is composed from the in-cluster PostgreSQL's password instead.
            let app_keys: BTreeSet<&str> = want_keys.iter().copied().filter(|k| *k != "DATABASE_URL").collect();
            let from_app: BTreeSet<&str> =
                refs.iter().filter(|(_, s, _)| s == secret).map(|(env, ..)| env.as_str()).collect();
            assert_eq!(from_app, app_keys, "{context}");
        }
        Some(secret) => {
            assert_eq!(keys, want_keys, "{context}: secret variables");
            for (env, from, key) in &refs {
                assert_eq!((from.as_str(), key.as_str()), (secret, env.as_str()), "{context}: {env}");
            }
        }
    }
    for env in items(&container["env"]) {
        let variable = text(&env["name"]);
        if want_keys.contains(variable) && !(profile == "full" && variable == "DATABASE_URL") {
            assert!(env["value"].is_null(), "{context}: {variable} must not be inlined");
        }
    }
}

fn check_service(manifests: &Manifests, profile: &str, component: &str, port: i64) {
    let context = format!("{profile}: Service {}", name(component));
    let service = manifests.get("Service", &name(component));
    assert_eq!(service["spec"]["type"], "ClusterIP", "{context}");
    assert_eq!(string_map(&service["spec"]["selector"]), selector(component), "{context}: selector");
    let http = &items(&service["spec"]["ports"])[0];
    assert_eq!(
        (text(&http["name"]), int(&http["port"]), text(&http["targetPort"])),
        ("http", port, "http"),
        "{context}"
    );
}

fn check_ingress(manifests: &Manifests, profile: &str) {
    let want = expected(profile);
    let context = format!("{profile}: Ingress");
    let ingress = manifests.get("Ingress", RELEASE);
    assert_eq!(ingress["apiVersion"], "networking.k8s.io/v1", "{context}");
    assert_eq!(ingress["spec"]["ingressClassName"], "nginx", "{context}: className");
    let rules = items(&ingress["spec"]["rules"]);
    assert_eq!(rules.len(), 1, "{context}");
    assert_eq!(text(&rules[0]["host"]), want.host, "{context}: host");
    let paths: BTreeMap<&str, (&str, &str)> = items(&rules[0]["http"]["paths"])
        .iter()
        .map(|p| (text(&p["path"]), (text(&p["backend"]["service"]["name"]), text(&p["pathType"]))))
        .collect();
    let frontend = name("frontend");
    let backend = name("backend");
    assert_eq!(paths.get("/"), Some(&(frontend.as_str(), "Prefix")), "{context}: / → frontend");
    assert_eq!(paths.get("/api"), Some(&(backend.as_str(), "Prefix")), "{context}: /api → backend");
    assert_eq!(paths.get("/api/auth"), Some(&(frontend.as_str(), "Prefix")), "{context}: better-auth → frontend");
    for path in items(&rules[0]["http"]["paths"]) {
        let service = manifests.get("Service", text(&path["backend"]["service"]["name"]));
        let port = text(&path["backend"]["service"]["port"]["name"]);
        assert!(items(&service["spec"]["ports"]).iter().any(|p| p["name"] == port), "{context}: port {port}");
    }
    let tls = items(&ingress["spec"]["tls"]);
    if want.tls {
        assert!(!tls.is_empty() && !text(&tls[0]["secretName"]).is_empty(), "{context}: TLS");
        assert!(items(&tls[0]["hosts"]).iter().any(|h| h == want.host), "{context}: TLS host");
    } else {
        assert!(tls.is_empty(), "{context}: no TLS expected");
    }
}

fn check_pdb(manifests: &Manifests, profile: &str, component: &str, scaling: Scaling) {
    let context = format!("{profile}: PodDisruptionBudget {}", name(component));
    let pdb = manifests.get("PodDisruptionBudget", &name(component));
    assert_eq!(pdb["apiVersion"], "policy/v1", "{context}");
    assert_eq!(string_map(&pdb["spec"]["selector"]["matchLabels"]), selector(component), "{context}: selector");
    let (min_available, max_unavailable) = (&pdb["spec"]["minAvailable"], &pdb["spec"]["maxUnavailable"]);
    assert!(
        min_available.is_null() != max_unavailable.is_null(),
        "{context}: exactly one of minAvailable/maxUnavailable"
    );
    let fewest = match scaling {
        Scaling::Hpa { min, .. } => min,
        Scaling::Fixed(n) => n,
    };
    // A budget that leaves no pod evictable would block every node drain.
    if let Some(max) = max_unavailable.as_i64() {
        assert!(max >= 1, "{context}: maxUnavailable {max}");
    }
    if let Some(min) = min_available.as_i64() {
        assert!(min < fewest, "{context}: minAvailable {min} blocks drains with {fewest} replicas");
    }
}

fn check_labels_and_images(manifests: &Manifests, profile: &str) {
    let want = [
        ("helm.sh/chart", format!("todo-app-{CHART_VERSION}")),
        ("app.kubernetes.io/name", "todo-app".to_string()),
        ("app.kubernetes.io/instance", RELEASE.to_string()),
        ("app.kubernetes.io/version", APP_VERSION.to_string()),
        ("app.kubernetes.io/part-of", "todo-app".to_string()),
        ("app.kubernetes.io/managed-by", "Helm".to_string()),
    ];
    for doc in &manifests.0 {
        let what = format!("{profile}: {}/{}", text(&doc["kind"]), text(&doc["metadata"]["name"]));
        assert_eq!(doc["metadata"]["namespace"], NAMESPACE, "{what}: namespace (never default)");
        let mut label_sets = vec![("metadata", &doc["metadata"]["labels"])];
        if doc["spec"]["template"]["metadata"].is_mapping() {
            label_sets.push(("pod template", &doc["spec"]["template"]["metadata"]["labels"]));
        }
        for (place, labels) in label_sets {
            let labels = string_map(labels);
            for (key, value) in &want {
                assert_eq!(labels.get(*key), Some(value), "{what}: {place} label {key}");
            }
            assert!(labels.get("app.kubernetes.io/component").is_some_and(|c| !c.is_empty()), "{what}: component");
        }
        // checkov skips written on a resource: only the ones this chart justifies, with a reason.
        for (key, value) in string_map(&doc["metadata"]["annotations"]) {
            if key.starts_with("checkov.io/skip") {
                let (check, reason) = value.split_once('=').unwrap_or_else(|| panic!("{what}: {key} has no reason"));
                let allowed = matches!(
                    (text(&doc["kind"]), check),
                    ("Deployment", "CKV_K8S_35") | ("Pod", "CKV_K8S_8" | "CKV_K8S_9")
                );
                assert!(allowed && reason.len() > 20, "{what}: unexpected checkov skip {value}");
            }
        }
    }
    // Every image is pinned to a tag, never latest.
    fn images<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Mapping(map) => {
                for (key, value) in map {
                    if key == "image"
                        && let Some(image) = value.as_str()
                    {
                        found.push(image);
                    }
                    images(value, found);
                }
            }
            Value::Sequence(seq) => seq.iter().for_each(|v| images(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    manifests.0.iter().for_each(|doc| images(doc, &mut found));
    assert!(found.len() >= 3, "{profile}: images {found:?}");
    for image in found {
        let last = image.split('@').next().unwrap().rsplit('/').next().unwrap();
        let tag = last.split_once(':').map(|(_, tag)| tag);
        assert!(tag.is_some_and(|t| !t.is_empty() && t != "latest"), "{profile}: image {image} must have a pinned tag");
    }
}

fn check_test_hook(manifests: &Manifests, profile: &str) {
    let hooks: Vec<&Value> = manifests
        .of_kind("Pod")
        .into_iter()
        .filter(|pod| pod["metadata"]["annotations"]["helm.sh/hook"] == "test")
        .collect();
    assert_eq!(hooks.len(), 1, "{profile}: one helm test pod");
    let pod = hooks[0];
    let context = format!("{profile}: test pod");
    assert_hardened_pod(&pod["spec"], &context);
    assert_eq!(pod["spec"]["restartPolicy"], "Never", "{context}");
    let mut urls = BTreeSet::new();
    for container in items(&pod["spec"]["containers"]) {
        assert_hardened_container(container, &context);
        let image = text(&container["image"]);
        let version = image.strip_prefix("busybox:").unwrap_or_else(|| panic!("{context}: {image} is not busybox"));
        assert!(version.split('.').count() == 3 && version.split('.').all(|p| p.parse::<u32>().is_ok()), "{image}");
        let command: Vec<&str> = items(&container["command"]).iter().map(text).collect();
        assert_eq!(command[..2], ["wget", "-qO-"], "{context}: {command:?}");
        urls.insert(command.last().unwrap().to_string());
    }
    // Through the Services' environment variables (no cluster DNS needed), so the pod has them.
    assert_eq!(pod["spec"]["enableServiceLinks"], true, "{context}: enableServiceLinks");
    let want: BTreeSet<String> = COMPONENTS
        .iter()
        .map(|(component, _, health, _)| {
            let variable = name(component).to_uppercase().replace('-', "_");
            format!("http://$({variable}_SERVICE_HOST):$({variable}_SERVICE_PORT){health}")
        })
        .collect();
    assert_eq!(urls, want, "{context}: both health endpoints through their Services");
}

fn check_network_policies(manifests: &Manifests, profile: &str) {
    let policies = manifests.of_kind("NetworkPolicy");
    if !expected(profile).network_policy {
        assert!(policies.is_empty(), "{profile}: NetworkPolicies are opt-in");
        return;
    }
    let backend = manifests.get("NetworkPolicy", &name("backend"));
    let context = format!("{profile}: NetworkPolicy {}", name("backend"));
    assert_eq!(string_map(&backend["spec"]["podSelector"]["matchLabels"]), selector("backend"), "{context}");
    assert!(items(&backend["spec"]["policyTypes"]).iter().any(|t| t == "Ingress"), "{context}");
    let rules = items(&backend["spec"]["ingress"]);
    assert_eq!(rules.len(), 1, "{context}");
    let peers = items(&rules[0]["from"]);
    assert!(
        peers.iter().any(|p| string_map(&p["podSelector"]["matchLabels"]) == selector("frontend")
            && p["namespaceSelector"].is_null()),
        "{context}: frontend pods"
    );
    assert!(
        peers.iter().any(|p| string_map(&p["namespaceSelector"]["matchLabels"])
            == BTreeMap::from([("kubernetes.io/metadata.name".to_string(), "ingress-nginx".to_string())])),
        "{context}: the ingress controller's namespace"
    );
    for peer in peers {
        // Nothing broader: no empty selector (all pods) and no ipBlock.
        assert!(peer["ipBlock"].is_null(), "{context}: {peer:?}");
        if peer["namespaceSelector"].is_null() {
            assert!(!string_map(&peer["podSelector"]["matchLabels"]).is_empty(), "{context}: {peer:?}");
        }
    }
    let ports: Vec<i64> = items(&rules[0]["ports"]).iter().map(|p| int(&p["port"])).collect();
    assert_eq!(ports, [8000], "{context}: ports");
    manifests.get("NetworkPolicy", &name("frontend"));
}

fn check_profile(manifests: &Manifests, profile: &str) {
    for (component, port, health, writable) in COMPONENTS {
        check_deployment(manifests, profile, component, port, health, writable);
        check_service(manifests, profile, component, port);
        let scaling = if component == "frontend" { expected(profile).frontend } else { expected(profile).backend };
        check_pdb(manifests, profile, component, scaling);
    }
    check_ingress(manifests, profile);
    check_labels_and_images(manifests, profile);
    check_test_hook(manifests, profile);
    check_network_policies(manifests, profile);

    // The Next.js server calls the backend's Service inside the cluster.
    let config = string_map(&manifests.get("ConfigMap", &format!("{RELEASE}-config"))["data"]);
    assert_eq!(config["API_URL"], format!("http://{}:8000", service_host("backend")), "{profile}: API_URL");
    let scheme = if expected(profile).tls { "https" } else { "http" };
    assert_eq!(config["PUBLIC_URL"], format!("{scheme}://{}", expected(profile).host), "{profile}: PUBLIC_URL");
    for key in config.keys() {
        assert!(
            !["SECRET", "PASSWORD", "API_KEY", "DATABASE_URL", "TOKEN"].iter().any(|word| key.contains(word)),
            "{profile}: {key} does not belong in a ConfigMap"
        );
    }

    // Secrets: none from the defaults; none either when an existing Secret is named.
    let secrets: Vec<&str> = manifests.of_kind("Secret").iter().map(|s| text(&s["metadata"]["name"])).collect();
    match profile {
        "default" | "dev" | "prod" => assert!(secrets.is_empty(), "{profile}: no Secret expected, got {secrets:?}"),
        _ => {}
    }
}

// ---- the tests --------------------------------------------------------------------------------

#[test]
fn chart_metadata() {
    let chart: Value = serde_yaml::from_str(&std::fs::read_to_string(chart_dir().join("Chart.yaml")).unwrap()).unwrap();
    assert_eq!(chart["apiVersion"], "v2");
    assert_eq!(chart["name"], "todo-app");
    assert_eq!(chart["version"], CHART_VERSION);
    assert_eq!(chart["appVersion"], APP_VERSION);
    assert_eq!(chart["kubeVersion"], ">=1.30.0-0", "the preStop sleep action needs Kubernetes 1.30");
    for file in [".helmignore", "values.schema.json", "values-dev.yaml", "values-prod.yaml", "templates/NOTES.txt"] {
        assert!(chart_dir().join(file).is_file(), "{file} is missing");
    }
    let ignored = std::fs::read_to_string(chart_dir().join(".helmignore")).unwrap();
    assert!(ignored.lines().any(|line| line.trim() == ".checkov*.yaml"), "CI configuration stays out of the package");
}

#[test]
fn the_chart_runs_as_the_user_of_the_generated_dockerfiles() {
    let values: Value =
        serde_yaml::from_str(&std::fs::read_to_string(chart_dir().join("values.yaml")).unwrap()).unwrap();
    for app in ["nextjs-npm", "fastapi-requirements"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps").join(app);
        let (_, generated) = containerise::containerise(&dir, Stack::Auto).unwrap();
        let user = generated.dockerfile.lines().rev().find_map(|line| line.strip_prefix("USER ")).unwrap();
        let want = format!("{UID}:{UID}");
        assert_eq!(user.trim(), want, "{app}: the chart's UID must match the Dockerfile's USER");
    }
    for context in ["podSecurityContext", "containerSecurityContext"] {
        assert_eq!(int(&values[context]["runAsUser"]), UID, "{context}.runAsUser");
        assert_eq!(int(&values[context]["runAsGroup"]), UID, "{context}.runAsGroup");
        assert_eq!(values[context]["runAsNonRoot"], true, "{context}.runAsNonRoot");
    }
}

#[test]
fn values_files_document_every_key_and_hold_no_secret() {
    for file in ["values.yaml", "values-dev.yaml", "values-prod.yaml"] {
        let content = std::fs::read_to_string(chart_dir().join(file)).unwrap();
        let mut previous = "";
        let mut undocumented = Vec::new();
        for (number, line) in content.lines().enumerate() {
            let trimmed = line.trim();
            let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
            let is_key = !item.starts_with('#')
                && item.split_once(':').is_some_and(|(key, rest)| {
                    !key.is_empty()
                        && !key.contains(' ')
                        && (rest.is_empty() || rest.starts_with(' '))
                        && key.chars().all(|c| c.is_ascii_alphanumeric() || "._/-\"".contains(c))
                });
            if is_key && !(previous.starts_with('#') || previous.starts_with("- #")) {
                undocumented.push(format!("{file}:{}: {trimmed}", number + 1));
            }
            if !trimmed.is_empty() {
                previous = trimmed;
            }
        }
        assert!(undocumented.is_empty(), "keys without a comment above them:\n{}", undocumented.join("\n"));

        // Nothing secret has a value in the repository.
        let values: Value = serde_yaml::from_str(&content).unwrap();
        for key in ["databaseUrl", "openaiApiKey", "betterAuthSecret"] {
            assert!(values["secrets"][key].is_null() || values["secrets"][key] == "", "{file}: secrets.{key}");
        }
        let password = &values["postgresql"]["auth"]["password"];
        assert!(password.is_null() || password == "", "{file}: postgresql.auth.password");
    }
    let prod: Value =
        serde_yaml::from_str(&std::fs::read_to_string(chart_dir().join("values-prod.yaml")).unwrap()).unwrap();
    assert!(!text(&prod["secrets"]["existingSecret"]).is_empty(), "prod reads an existing Secret");
}

/// Every object of the schema rejects unknown keys, and the contract's keys are all there.
#[test]
fn the_values_schema_is_strict_and_holds_the_contract() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(chart_dir().join("values.schema.json")).unwrap()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");

    fn resolve<'a>(root: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
        match node["$ref"].as_str() {
            Some(reference) => {
                let name = reference.strip_prefix("#/definitions/").unwrap();
                resolve(root, &root["definitions"][name])
            }
            None => node,
        }
    }
    fn walk(root: &serde_json::Value, node: &serde_json::Value, path: &str, loose: &mut Vec<String>) {
        let node = resolve(root, node);
        if node["type"] == "object" || node.get("properties").is_some() {
            let closed = node["additionalProperties"] == false;
            // A map (labels, env, ...) has no fixed keys but a schema for every value.
            let typed_map = node.get("properties").is_none() && node["additionalProperties"].is_object();
            if !(closed || typed_map || path == ".global") {
                loose.push(path.to_string());
            }
            if let Some(properties) = node["properties"].as_object() {
                for (key, child) in properties {
                    walk(root, child, &format!("{path}.{key}"), loose);
                }
            }
            if node["additionalProperties"].is_object() {
                walk(root, &node["additionalProperties"], &format!("{path}.*"), loose);
            }
        }
        if let Some(item) = node.get("items") {
            walk(root, item, &format!("{path}[]"), loose);
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            for (i, child) in node[combinator].as_array().into_iter().flatten().enumerate() {
                walk(root, child, &format!("{path}<{combinator}{i}>"), loose);
            }
        }
    }
    let mut loose = Vec::new();
    walk(&schema, &schema, "", &mut loose);
    assert!(loose.is_empty(), "objects that accept unknown keys: {loose:?}");

    let has = |path: &str| {
        let mut node = &schema;
        for key in path.split('.') {
            node = resolve(&schema, &resolve(&schema, node)["properties"][key]);
            if node.is_null() {
                return false;
            }
        }
        true
    };
    let mut missing = Vec::new();
    for component in ["frontend", "backend"] {
        for key in [
            "image.repository",
            "image.tag",
            "image.pullPolicy",
            "replicaCount",
            "resources",
            "port",
            "healthPath",
            "autoscaling.enabled",
            "autoscaling.minReplicas",
            "autoscaling.maxReplicas",
            "autoscaling.targetCPUUtilizationPercentage",
        ] {
            missing.extend((!has(&format!("{component}.{key}"))).then(|| format!("{component}.{key}")));
        }
    }
    for key in [
        "ingress.enabled", "ingress.className", "ingress.host", "ingress.tls", "config", "secrets.databaseUrl",
        "secrets.openaiApiKey", "secrets.betterAuthSecret", "secrets.existingSecret", "postgresql.enabled",
        "networkPolicy.enabled",
    ] {
        missing.extend((!has(key)).then(|| key.to_string()));
    }
    assert!(missing.is_empty(), "contract keys missing from the schema: {missing:?}");
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn helm_lint_strict_passes_for_every_values_file() {
    let Some(helm) = tool("helm") else { return };
    for profile in PROFILES {
        let chart = chart_dir().display().to_string();
        let mut args = strings(&["lint", "--strict", chart.as_str(), "--namespace", NAMESPACE]);
        args.extend(values_args(&profile, &[]));
        let output = run(&helm, &args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 chart(s) linted, 0 chart(s) failed"),
            "helm lint --strict ({}):\n{stdout}{}",
            profile.name,
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!stdout.contains("[WARNING]") && !stdout.contains("[ERROR]"), "{}:\n{stdout}", profile.name);
    }
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn every_profile_renders_the_contract() {
    let Some(helm) = tool("helm") else { return };
    for profile in PROFILES {
        check_profile(&render_of(&helm, profile.name), profile.name);
    }
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn secret_values_make_a_secret_and_a_change_rolls_the_pods() {
    let Some(helm) = tool("helm") else { return };
    let given = [
        ("DATABASE_URL", "databaseUrl", "postgresql://todo:pw-test-1@db.example:5432/todo"),
        ("OPENAI_API_KEY", "openaiApiKey", "sk-test-only-1"),
        ("BETTER_AUTH_SECRET", "betterAuthSecret", "auth-test-only-1"),
    ];
    let sets: Vec<String> = given.iter().map(|(_, key, value)| format!("secrets.{key}={value}")).collect();
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let rendered = template(&helm, &DEFAULT, &sets).unwrap();
    let manifests = Manifests::parse(&rendered);

    let secret = manifests.get("Secret", "todo-app-secrets");
    assert_eq!(secret["type"], "Opaque");
    let data = string_map(&secret["data"]);
    let want: BTreeMap<String, String> = given.iter().map(|(env, _, value)| (env.to_string(), base64(value))).collect();
    assert_eq!(data, want, "the Secret holds exactly the three keys");
    for (_, _, value) in given {
        assert!(!rendered.contains(value), "{value} appears in clear text in the render");
    }
    let backend = only_container(manifests.get("Deployment", &name("backend")), "backend");
    let frontend = only_container(manifests.get("Deployment", &name("frontend")), "frontend");
    let refs = |container: &Value| {
        secret_refs(container).into_iter().map(|(env, s, k)| format!("{env}<-{s}/{k}")).collect::<Vec<_>>()
    };
    assert_eq!(
        refs(backend),
        ["DATABASE_URL<-todo-app-secrets/DATABASE_URL", "OPENAI_API_KEY<-todo-app-secrets/OPENAI_API_KEY"]
    );
    assert_eq!(
        refs(frontend),
        ["BETTER_AUTH_SECRET<-todo-app-secrets/BETTER_AUTH_SECRET", "DATABASE_URL<-todo-app-secrets/DATABASE_URL"]
    );

    let checksums = |text: &str| -> Vec<(String, String)> {
        let manifests = Manifests::parse(text);
        ["frontend", "backend"]
            .iter()
            .map(|component| {
                let annotations = string_map(
                    &manifests.get("Deployment", &name(component))["spec"]["template"]["metadata"]["annotations"],
                );
                (annotations["checksum/config"].clone(), annotations["checksum/secret"].clone())
            })
            .collect()
    };
    let before = checksums(&rendered);
    let mut changed_secret = sets.clone();
    changed_secret[1] = "secrets.openaiApiKey=sk-test-only-2";
    let after_secret = checksums(&template(&helm, &DEFAULT, &changed_secret).unwrap());
    let mut changed_config = sets.clone();
    changed_config.push("config.logLevel=debug");
    let after_config = checksums(&template(&helm, &DEFAULT, &changed_config).unwrap());
    for i in 0..2 {
        assert_ne!(before[i].1, after_secret[i].1, "a secret change must change checksum/secret");
        assert_eq!(before[i].0, after_secret[i].0, "a secret change leaves checksum/config");
        assert_ne!(before[i].0, after_config[i].0, "a config change must change checksum/config");
        assert_eq!(before[i].1, after_config[i].1, "a config change leaves checksum/secret");
    }
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn an_existing_secret_is_referenced_and_not_created() {
    let Some(helm) = tool("helm") else { return };
    let rendered =
        template(&helm, &DEFAULT, &["secrets.existingSecret=todo-external", "secrets.openaiApiKey=sk-ignored-x"])
            .unwrap();
    let manifests = Manifests::parse(&rendered);
    assert!(manifests.of_kind("Secret").is_empty(), "no Secret with existingSecret");
    assert!(!rendered.contains(&base64("sk-ignored-x")), "a value beside existingSecret is ignored");
    for (component, keys) in
        [("backend", ["DATABASE_URL", "OPENAI_API_KEY"]), ("frontend", ["BETTER_AUTH_SECRET", "DATABASE_URL"])]
    {
        let refs = secret_refs(only_container(manifests.get("Deployment", &name(component)), component));
        let want: Vec<(String, String, String)> =
            keys.iter().map(|k| (k.to_string(), "todo-external".to_string(), k.to_string())).collect();
        assert_eq!(refs, want, "{component}");
    }
    // Without DATABASE_URL for the frontend when better-auth does not use the database.
    let manifests = Manifests::parse(
        &template(&helm, &DEFAULT, &["secrets.existingSecret=todo-external", "frontend.injectDatabaseUrl=false"])
            .unwrap(),
    );
    let refs = secret_refs(only_container(manifests.get("Deployment", &name("frontend")), "frontend"));
    assert_eq!(refs.iter().map(|(env, ..)| env.as_str()).collect::<Vec<_>>(), ["BETTER_AUTH_SECRET"]);
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn the_in_cluster_postgresql_is_a_statefulset_that_needs_a_password() {
    let Some(helm) = tool("helm") else { return };
    let manifests = render_of(&helm, "full");
    let context = "postgresql";
    let statefulset = manifests.get("StatefulSet", &name("postgresql"));
    let claims = items(&statefulset["spec"]["volumeClaimTemplates"]);
    assert_eq!(claims.len(), 1, "{context}: a volumeClaimTemplate");
    assert_eq!(claims[0]["spec"]["resources"]["requests"]["storage"], "1Gi", "{context}");
    assert_eq!(statefulset["spec"]["serviceName"], format!("{}-headless", name("postgresql")).as_str());
    manifests.get("Service", &format!("{}-headless", name("postgresql")));
    let service = manifests.get("Service", &name("postgresql"));
    assert_eq!(service["spec"]["type"], "ClusterIP");
    assert_eq!(int(&items(&service["spec"]["ports"])[0]["port"]), 5432);
    assert_hardened_pod(&statefulset["spec"]["template"]["spec"], context);
    let container = only_container(statefulset, context);
    assert_hardened_container(container, context);
    let mounts: BTreeSet<&str> = items(&container["volumeMounts"]).iter().map(|m| text(&m["mountPath"])).collect();
    assert!(mounts.contains("/var/lib/postgresql/data") && mounts.contains("/tmp"), "{context}: {mounts:?}");
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        assert_eq!(items(&container[probe]["exec"]["command"])[0], "pg_isready", "{context}: {probe}");
    }
    // The password reaches PostgreSQL as a file and the apps through secretKeyRef.
    assert!(secret_refs(container).is_empty(), "{context}: the password is mounted, not in the environment");
    let secret = manifests.get("Secret", &name("postgresql"));
    assert_eq!(string_map(&secret["data"]).get("password"), Some(&base64("test-only-pg-password")));
    let app_secret = manifests.get("Secret", "todo-app-secrets");
    assert!(!string_map(&app_secret["data"]).contains_key("DATABASE_URL"), "DATABASE_URL points at the StatefulSet");
    for component in ["backend", "frontend"] {
        let container = only_container(manifests.get("Deployment", &name(component)), component);
        let env = items(&container["env"]);
        let position =
            |n: &str| env.iter().position(|e| e["name"] == n).unwrap_or_else(|| panic!("{component}: no {n}"));
        let (password, url) = (position("POSTGRES_PASSWORD"), position("DATABASE_URL"));
        assert!(password < url, "{component}: $(POSTGRES_PASSWORD) must be defined before DATABASE_URL uses it");
        assert_eq!(env[password]["valueFrom"]["secretKeyRef"]["name"], name("postgresql").as_str());
        let value = text(&env[url]["value"]);
        assert_eq!(value, format!("postgresql://todo:$(POSTGRES_PASSWORD)@{}:5432/todo", service_host("postgresql")));
    }
    // PostgreSQL accepts only the app pods.
    let policy = manifests.get("NetworkPolicy", &name("postgresql"));
    let peers: Vec<BTreeMap<String, String>> = items(&items(&policy["spec"]["ingress"])[0]["from"])
        .iter()
        .map(|p| string_map(&p["podSelector"]["matchLabels"]))
        .collect();
    assert_eq!(peers, [selector("backend"), selector("frontend")]);

    // No password, no database: the chart ships no default.
    let error = template(&helm, &DEFAULT, &["postgresql.enabled=true"]).unwrap_err();
    assert!(error.contains("postgresql.auth.password"), "{error}");
    let existing =
        template(&helm, &DEFAULT, &["postgresql.enabled=true", "postgresql.auth.existingSecret=pg-credentials"])
            .unwrap();
    let manifests = Manifests::parse(&existing);
    assert!(manifests.find("Secret", &name("postgresql")).is_none(), "existingSecret: the chart creates no Secret");
    let volumes = items(&manifests.get("StatefulSet", &name("postgresql"))["spec"]["template"]["spec"]["volumes"]);
    assert!(volumes.iter().any(|v| v["secret"]["secretName"] == "pg-credentials"));
    let error = template(
        &helm,
        &DEFAULT,
        &["postgresql.enabled=true", "postgresql.auth.password=x", "secrets.databaseUrl=postgresql://a@b/c"],
    )
    .unwrap_err();
    assert!(error.contains("conflict"), "{error}");
    // Without the StatefulSet there is nothing of it.
    let default = render_of(&helm, "default");
    assert!(default.of_kind("StatefulSet").is_empty() && default.find("Service", &name("postgresql")).is_none());
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn network_policies_follow_the_configured_ingress_controller() {
    let Some(helm) = tool("helm") else { return };
    let manifests = Manifests::parse(
        &template(
            &helm,
            &DEFAULT,
            &[
                "networkPolicy.enabled=true",
                "networkPolicy.ingressControllerPodSelector.app\\.kubernetes\\.io/name=ingress-nginx",
            ],
        )
        .unwrap(),
    );
    check_network_policies(&Manifests::parse(&template(&helm, &PROD, &[]).unwrap()), "prod");
    for component in ["backend", "frontend"] {
        let policy = manifests.get("NetworkPolicy", &name(component));
        let peers = items(&items(&policy["spec"]["ingress"])[0]["from"]);
        let controller = peers.iter().find(|p| p["namespaceSelector"].is_mapping()).unwrap();
        assert_eq!(
            string_map(&controller["podSelector"]["matchLabels"]),
            BTreeMap::from([("app.kubernetes.io/name".to_string(), "ingress-nginx".to_string())]),
            "{component}: the controller's pods only"
        );
        // The helm test pod may reach both components.
        assert!(peers.iter().any(|p| string_map(&p["podSelector"]["matchLabels"]) == selector("test")), "{component}");
    }
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn the_schema_rejects_unknown_keys_and_bad_values() {
    let Some(helm) = tool("helm") else { return };
    // The same command with a good value passes, so a failure below is the value's.
    template(&helm, &DEFAULT, &["backend.replicaCount=3", "frontend.image.pullPolicy=IfNotPresent"]).unwrap();
    let rejected = [
        ("frontend.unknownKey=1", "unknownKey"),
        ("unknownTopLevel=1", "unknownTopLevel"),
        ("backend.image.unknown=1", "unknown"),
        ("backend.replicaCount=0", "backend.replicaCount"),
        ("frontend.replicaCount=0", "frontend.replicaCount"),
        ("frontend.image.pullPolicy=Sometimes", "frontend.image.pullPolicy"),
        ("backend.image.pullPolicy=always", "backend.image.pullPolicy"),
        ("backend.image.tag=latest", "backend.image.tag"),
        ("frontend.port=0", "frontend.port"),
        ("backend.port=65536", "backend.port"),
        ("backend.autoscaling.targetCPUUtilizationPercentage=101", "targetCPUUtilizationPercentage"),
        ("frontend.autoscaling.minReplicas=0", "minReplicas"),
        ("frontend.resources.limits.gpu=1", "gpu"),
        ("frontend.healthPath=health", "frontend.healthPath"),
        ("ingress.tls=yes", "ingress.tls"),
        ("config.logLevel=loud", "config.logLevel"),
        ("containerSecurityContext.allowPrivilegeEscalation=true", "allowPrivilegeEscalation"),
        ("podSecurityContext.runAsNonRoot=false", "runAsNonRoot"),
        ("postgresql.auth.password=p@ss/word", "postgresql.auth.password"),
    ];
    let mut accepted = Vec::new();
    for (set, needle) in rejected {
        match template(&helm, &DEFAULT, &[set]) {
            Ok(_) => accepted.push(set.to_string()),
            Err(error) => assert!(error.contains(needle), "{set}: the error should name {needle}:\n{error}"),
        }
    }
    assert!(accepted.is_empty(), "the schema accepted {accepted:?}");
    // helm lint --strict fails on them as well.
    for set in ["frontend.unknownKey=1", "backend.replicaCount=0", "frontend.image.pullPolicy=Sometimes"] {
        let chart = chart_dir().display().to_string();
        let output = run(&helm, &strings(&["lint", "--strict", chart.as_str(), "--set", set]));
        assert!(!output.status.success(), "helm lint --strict accepted {set}");
    }
    // minReplicas above maxReplicas is caught by the chart itself.
    let error = template(&helm, &DEFAULT, &["backend.autoscaling.minReplicas=30"]).unwrap_err();
    assert!(error.contains("minReplicas"), "{error}");
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn notes_explain_access_and_next_steps() {
    let Some(helm) = tool("helm") else { return };
    // `helm template` does not print NOTES.txt: render it through `tpl` in a copy of the chart.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("todo-app");
    crate::support::copy_dir(&chart_dir(), &copy);
    std::fs::copy(copy.join("templates/NOTES.txt"), copy.join("notes-under-test.txt")).unwrap();
    std::fs::write(
        copy.join("templates/zz-notes.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-under-test\n  namespace: {{ .Release.Namespace }}\n\
         data:\n  notes: {{ tpl (.Files.Get \"notes-under-test.txt\") . | quote }}\n",
    )
    .unwrap();
    let notes = |profile: &Profile, extra: &[&str]| -> String {
        let rendered = template_chart(&helm, &copy, profile, extra).unwrap();
        text(&Manifests::parse(&rendered).get("ConfigMap", "notes-under-test")["data"]["notes"]).to_string()
    };
    let default = notes(&DEFAULT, &[]);
    for needle in [
        "http://todo.local", "/etc/hosts", "minikube ip", "minikube tunnel", "todo-ai status",
        "kubectl -n todo get pods", "helm test todo-app -n todo", "WARNING: no secrets were given",
    ] {
        assert!(default.contains(needle), "NOTES lack {needle:?}:\n{default}");
    }
    let prod = notes(&PROD, &[]);
    assert!(prod.contains("https://todo.example.com") && !prod.contains("WARNING"), "{prod}");
    assert!(!prod.contains("/etc/hosts"), "a public host needs no /etc/hosts entry:\n{prod}");
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn kubernetes_validate_strict_accepts_every_render() {
    let Some(helm) = tool("helm") else { return };
    let Some(validator) = tool("kubernetes-validate") else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (profile, text) in renders(&helm) {
        let path = dir.path().join(format!("{}.yaml", profile.name));
        std::fs::write(&path, text).unwrap();
        files.push(path.display().to_string());
    }
    for version in KUBE_VERSIONS {
        let mut args = strings(&["--strict", "--quiet", "--kubernetes-version", version]);
        args.extend(files.iter().cloned());
        let output = run(&validator, &args);
        let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        // --quiet prints only warnings and failures: a clean pass prints nothing.
        assert!(output.status.success() && report.trim().is_empty(), "kubernetes-validate {version}:\n{report}");
    }
    // The validator is strict for real: an unknown field in a pod spec fails.
    let mut docs = Manifests::parse(&renders(&helm)[0].1).0;
    let deployment = docs.iter_mut().find(|doc| doc["kind"] == "Deployment").unwrap();
    deployment["spec"]["template"]["spec"]
        .as_mapping_mut()
        .unwrap()
        .insert(Value::from("hostNetworkk"), Value::from(true));
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, docs.iter().map(|d| serde_yaml::to_string(d).unwrap()).collect::<Vec<_>>().join("---\n"))
        .unwrap();
    let broken = broken.display().to_string();
    let output = run(&validator, &strings(&["--strict", "--quiet", "--kubernetes-version", KUBE_VERSIONS[0], &broken]));
    assert!(!output.status.success(), "kubernetes-validate --strict accepted an unknown field");
    assert!(String::from_utf8_lossy(&output.stdout).contains("hostNetworkk"));
}

/// A checkov configuration's skips, with the text of each entry's line.
fn checkov_skips(file: &str) -> Vec<(String, String)> {
    let content = std::fs::read_to_string(chart_dir().join(file)).unwrap();
    let config: Value = serde_yaml::from_str(&content).unwrap();
    items(&config["skip-check"])
        .iter()
        .map(|id| {
            let id = text(id).to_string();
            let line =
                content.lines().find(|line| line.trim_start().starts_with(&format!("- {id}"))).unwrap_or_default();
            (id, line.to_string())
        })
        .collect()
}

#[test]
fn checkov_skip_lists_are_justified_and_narrow() {
    let base = checkov_skips(".checkov.yaml");
    let default = checkov_skips(".checkov-default.yaml");
    let dev = checkov_skips(".checkov-dev.yaml");
    // Checks a chart must pass for real; skipping one would hide a hardening regression.
    let never = [
        "CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13", "CKV_K8S_14", "CKV_K8S_20",
        "CKV_K8S_21", "CKV_K8S_22", "CKV_K8S_23", "CKV_K8S_28", "CKV_K8S_29", "CKV_K8S_30", "CKV_K8S_31", "CKV_K8S_37",
        "CKV_K8S_38", "CKV_K8S_40",
    ];
    for (file, skips) in [(".checkov.yaml", &base), (".checkov-default.yaml", &default), (".checkov-dev.yaml", &dev)] {
        for (id, line) in skips.iter() {
            let reason = line.split_once('#').map(|(_, reason)| reason.trim()).unwrap_or_default();
            assert!(reason.len() >= 30, "{file}: {id} needs a justification comment on its line");
            assert!(!never.contains(&id.as_str()), "{file}: {id} must pass, not be skipped");
        }
    }
    let ids = |skips: &[(String, String)]| skips.iter().map(|(id, _)| id.clone()).collect::<BTreeSet<_>>();
    assert!(ids(&base).is_subset(&ids(&default)) && ids(&default).is_subset(&ids(&dev)), "dev ⊇ default ⊇ base");
    // The production render is checked for pull policy and NetworkPolicies.
    assert!(!ids(&base).contains("CKV_K8S_15") && !ids(&base).contains("CKV2_K8S_6"));
    assert!(!ids(&default).contains("CKV_K8S_15"), "the defaults pull with Always");
}

/// checkov's JSON report: (failed checks as "ID resource", skipped checks without a reason,
/// passed count, parsing errors).
fn checkov_report(output: &Output) -> (Vec<String>, Vec<String>, u64, u64) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("checkov printed no JSON report ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    });
    let reports = if json.is_array() { json.as_array().unwrap().clone() } else { vec![json] };
    let report = reports
        .iter()
        .find(|r| r["check_type"] == "kubernetes")
        .unwrap_or_else(|| panic!("no kubernetes report from checkov:\n{stdout}"));
    let failed = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            format!("{} {} ({})", text_json(&c["check_id"]), text_json(&c["resource"]), text_json(&c["check_name"]))
        })
        .collect();
    let unjustified = report["results"]["skipped_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| text_json(&c["check_result"]["suppress_comment"]).trim().len() < 20)
        .map(|c| format!("{} {}", text_json(&c["check_id"]), text_json(&c["resource"])))
        .collect();
    let summary = &report["summary"];
    (failed, unjustified, summary["passed"].as_u64().unwrap_or(0), summary["parsing_errors"].as_u64().unwrap_or(0))
}

fn text_json(value: &serde_json::Value) -> &str {
    value.as_str().unwrap_or("")
}

#[test]
#[ignore = "needs helm, kubernetes-validate and checkov: .ci/install-chart-validators"]
fn checkov_finds_nothing_beyond_the_charts_own_skips() {
    let Some(helm) = tool("helm") else { return };
    let Some(checkov) = tool("checkov") else { return };
    let dir = tempfile::tempdir().unwrap();
    // The four profiles, and a canary that must fail: a writable root filesystem and a cached
    // image under the defaults' configuration prove the checks run and the skips are narrow.
    let canary = template(
        &helm,
        &DEFAULT,
        &["containerSecurityContext.readOnlyRootFilesystem=false", "backend.image.pullPolicy=IfNotPresent"],
    )
    .unwrap();
    let mut runs: Vec<(String, String, &str)> = renders(&helm)
        .iter()
        .map(|(profile, text)| (profile.name.to_string(), text.clone(), profile.checkov))
        .collect();
    runs.push(("canary".to_string(), canary, DEFAULT.checkov));
    // checkov takes seconds to start: run them side by side.
    let children: Vec<_> = runs
        .iter()
        .map(|(name, text, config)| {
            let path = dir.path().join(format!("{name}.yaml"));
            std::fs::write(&path, text).unwrap();
            let child = Command::new(&checkov)
                .arg("--config-file")
                .arg(chart_dir().join(config))
                .arg("--file")
                .arg(&path)
                .args(["--framework", "kubernetes", "--output", "json", "--skip-download"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (name.clone(), child)
        })
        .collect();
    let mut problems = Vec::new();
    for (name, child) in children {
        let output = child.wait_with_output().unwrap();
        let (failed, unjustified, passed, parsing_errors) = checkov_report(&output);
        if name == "canary" {
            for check in ["CKV_K8S_22", "CKV_K8S_15"] {
                assert!(
                    failed.iter().any(|f| f.starts_with(&format!("{check} "))),
                    "checkov missed {check} in the canary; it reported {failed:?}"
                );
            }
            continue;
        }
        assert!(
            passed >= 100 && parsing_errors == 0,
            "{name}: checkov ran {passed} checks, {parsing_errors} parse errors"
        );
        if !failed.is_empty() || !output.status.success() {
            problems.push(format!("{name}: failed {failed:?}"));
        }
        if !unjustified.is_empty() {
            problems.push(format!("{name}: skipped without a reason {unjustified:?}"));
        }
    }
    assert!(problems.is_empty(), "checkov:\n{}", problems.join("\n"));
}
