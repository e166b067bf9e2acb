//! The harness of the real-cluster suite (`real_cluster`, `real_diagnose`, `real_helm`): the
//! prerequisites (a kubeconfig in `TODO_AI_TEST_KUBECONFIG`, the lab kit for images), a scratch
//! namespace per test that is deleted whatever happens, the tools called through
//! `tools::check` and the `Executor` as the CLI would, small workload builders on the node's
//! busybox image, and bounded polling: kubelet timings vary, so every wait polls up to a bound
//! and fails saying what it last saw, and nothing asserts on elapsed time.
//!
//! Every real-cluster test is `#[ignore]`d with [`NEEDS`]; run them with
//! `TODO_AI_TEST_KUBECONFIG=… cargo test --test it -- --ignored real_` (`.ci/real-cluster`
//! does, on the lab). Run without the variable, they panic with that message instead of
//! passing.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures::FutureExt;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use todo_ai::approval::{Decision, Policy};
use todo_ai::cluster::{Cluster, ClusterAccess};
use todo_ai::executor::{Approver, Executor, StepResult};
use todo_ai::tools::{self, CheckedCall, DynTool, ToolContext, ToolOutput};

/// Why the real-cluster tests are ignored, and the panic of one run without its cluster.
pub const NEEDS: &str = "needs a real cluster: set TODO_AI_TEST_KUBECONFIG (../shared/lab/lab.sh up --node)";

/// How long a pod may take to become Ready (image already on the node).
pub const READY_WITHIN: Duration = Duration::from_secs(90);

/// How long the kubelet may take to report a fault: CrashLoopBackOff shows ~30-35 s after
/// the first start (two restarts), so 90 s leaves room on a loaded machine.
pub const FAULT_WITHIN: Duration = Duration::from_secs(90);

/// The admin kubeconfig of the cluster under test; panics (with [`NEEDS`]) when unset.
pub fn kubeconfig() -> PathBuf {
    match std::env::var_os("TODO_AI_TEST_KUBECONFIG") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => panic!("{NEEDS}"),
    }
}

/// A kubeconfig whose user has no RBAC rights: `TODO_AI_TEST_DEV_KUBECONFIG`, else the lab's
/// `kubeconfig-dev` beside the admin one.
pub fn dev_kubeconfig() -> PathBuf {
    let path = std::env::var_os("TODO_AI_TEST_DEV_KUBECONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| kubeconfig().with_file_name("kubeconfig-dev"));
    assert!(
        path.is_file(),
        "needs a kubeconfig without RBAC rights: set TODO_AI_TEST_DEV_KUBECONFIG ({path:?} is missing)"
    );
    path
}

/// The lab kit's `lab.sh`: `TODO_AI_TEST_LAB` (its directory), else `shared/lab` beside the
/// checkout or one of its parents. Tests that make images need it.
pub fn lab_script() -> PathBuf {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("TODO_AI_TEST_LAB")
        .map(|dir| PathBuf::from(dir).join("lab.sh"))
        .or_else(|| checkout.ancestors().skip(1).map(|dir| dir.join("shared/lab/lab.sh")).find(|path| path.is_file()))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| panic!("needs the lab kit: set TODO_AI_TEST_LAB to the directory of lab.sh"))
}

/// The node's busybox image (`TODO_AI_TEST_BUSYBOX_IMAGE`, default the lab's).
pub fn busybox() -> String {
    std::env::var("TODO_AI_TEST_BUSYBOX_IMAGE")
        .ok()
        .filter(|image| !image.is_empty())
        .unwrap_or_else(|| "localhost/busybox:lab".into())
}

/// A name no other run uses: `prefix-<pid><counter><time>` in hex, lowercase, ≤ 40 characters.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    format!("{prefix}-{:x}{count:x}{:04x}", std::process::id(), nanos & 0xffff)
}

/// Makes a busybox-based image on the node with the lab kit: `files` (path → content, mode
/// 0755) at `/`, `command` as its `Cmd`.
pub async fn lab_image(reference: &str, files: &[(&str, &str)], command: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut argv = vec!["image".to_string(), reference.to_string(), dir.path().display().to_string()];
    argv.extend(command.iter().map(|part| (*part).to_string()));
    let output = tokio::process::Command::new(lab_script()).args(&argv).output().await.unwrap();
    assert!(output.status.success(), "lab.sh image {reference}: {}", String::from_utf8_lossy(&output.stderr));
}

/// Removes an image from the lab node's containerd, best effort, so repeated runs do not
/// fill the disk (the kubelet's image garbage collection would then remove the lab's own
/// images). Uses `ctr` on the lab's socket when both are there; otherwise does nothing.
pub async fn remove_node_image(reference: &str) {
    let state = kubeconfig().parent().map(Path::to_path_buf).unwrap_or_default();
    let socket = state.join("run/containerd.sock");
    if !socket.exists() {
        return;
    }
    let full = if reference.contains('/') && reference.split('/').next().is_some_and(|host| host.contains('.')) {
        reference.to_string()
    } else if reference.contains('/') {
        format!("docker.io/{reference}")
    } else {
        format!("docker.io/library/{reference}")
    };
    for name in [reference.to_string(), full] {
        let _ = tokio::process::Command::new("ctr")
            .args(["--address", &socket.display().to_string(), "-n", "k8s.io", "images", "rm", &name])
            .output()
            .await;
    }
}

/// Runs `test`, then `cleanup` whether `test` passed or panicked (then panics again): images
/// made for a test are removed even when it fails.
pub async fn then_always<C: Future<Output = ()>>(test: impl Future<Output = ()>, cleanup: C) {
    let outcome = std::panic::AssertUnwindSafe(test).catch_unwind().await;
    cleanup.await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Polls `probe` every second until it returns `Ok`, for at most `within`; panics with
/// `what` and the last `Err` it returned.
pub async fn poll<T, F, Fut>(what: &str, within: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) if started.elapsed() >= within => {
                panic!("{what}: not within {} s; last seen: {last}", within.as_secs())
            }
            Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

/// Approves everything (the executor runs with `--yes` anyway).
struct Yes;

impl Approver for Yes {
    fn ask(&mut self, _: &str) -> Decision {
        Decision::Approved
    }
}

/// A scratch namespace on the cluster under test, with the tool context that targets it.
pub struct Scratch {
    /// Its name.
    pub namespace: String,
    /// An admin client.
    pub client: kube::Client,
    /// The tools' context: this namespace, the admin kubeconfig, no progress output.
    pub ctx: ToolContext,
    /// The admin kubeconfig.
    pub kubeconfig: PathBuf,
    /// A working tree for tools that want one.
    pub workdir: tempfile::TempDir,
}

/// Runs `body` in a fresh namespace `<prefix>-<unique>`, then deletes the namespace whether
/// the body passed or panicked (printing the namespace's status and events first when it
/// panicked, to see what the kubelet did).
pub async fn in_scratch_namespace<F, Fut>(prefix: &str, body: F)
where
    F: FnOnce(Arc<Scratch>) -> Fut,
    Fut: Future<Output = ()>,
{
    let _ = rustls::crypto::ring::default_provider().install_default();
    let kubeconfig = kubeconfig();
    let client = match Cluster::connect(Some(kubeconfig.clone()), None).await.unwrap() {
        Cluster::Live(live) => live.client,
        Cluster::Snapshot { .. } => unreachable!("a kubeconfig is never a snapshot"),
    };
    let namespace = unique(&format!("it-{prefix}"));
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let object: Namespace = serde_json::from_value(json!({
        "metadata": {"name": namespace, "labels": {"todo-ai.test/real-cluster": "true"}}
    }))
    .unwrap();
    namespaces.create(&PostParams::default(), &object).await.unwrap();
    let workdir = tempfile::tempdir().unwrap();
    let ctx = ToolContext::new(
        namespace.clone(),
        workdir.path().to_path_buf(),
        Arc::new(ClusterAccess::new(Some(kubeconfig.clone()), None, None)),
        -1,
    );
    let scratch = Arc::new(Scratch { namespace: namespace.clone(), client, ctx, kubeconfig, workdir });
    let outcome = std::panic::AssertUnwindSafe(body(scratch.clone())).catch_unwind().await;
    if outcome.is_err() {
        scratch.print_state().await;
    }
    let _ = namespaces.delete(&namespace, &DeleteParams::background()).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

impl Scratch {
    /// Creates a namespaced object in this namespace from its JSON.
    pub async fn create<K>(&self, object: Value) -> K
    where
        K: kube::Resource<Scope = NamespaceResourceScope> + Clone + DeserializeOwned + Serialize + std::fmt::Debug,
        K::DynamicType: Default,
    {
        let typed: K = serde_json::from_value(object).unwrap();
        Api::<K>::namespaced(self.client.clone(), &self.namespace).create(&PostParams::default(), &typed).await.unwrap()
    }

    /// A registry tool call, checked as a plan step is.
    pub fn check(&self, tool: &str, args: Value) -> CheckedCall {
        tools::check(tool, args, &self.ctx).unwrap_or_else(|error| panic!("{tool} refused its arguments: {error}"))
    }

    /// Runs a read-only tool; panics with the error if it fails.
    pub async fn read(&self, tool: &str, args: Value) -> ToolOutput {
        let call = self.check(tool, args.clone());
        call.run(&self.ctx).await.unwrap_or_else(|error| panic!("{tool} {args}: {error}"))
    }

    /// Runs a changing tool through the executor with `--yes`, as `todo-ai --yes` would;
    /// panics unless it ran.
    pub async fn change(&self, tool: &str, args: Value) -> ToolOutput {
        self.change_call(self.check(tool, args)).await
    }

    /// Runs a checked call (a registry tool or one of `up`'s own) through the executor.
    pub async fn change_call(&self, call: CheckedCall) -> ToolOutput {
        let mut executor = Executor::new(Policy { assume_yes: true, ..Policy::default() }, self.ctx.clone(), None);
        match executor.run_one(&call, &mut Yes, &mut Vec::new()).await {
            StepResult::Ran(output) => output,
            other => panic!("{}: {other:?}", call.preview()),
        }
    }

    /// Runs one of `up`'s internal tools (e.g. `helm test`) through the executor.
    pub async fn change_internal(&self, tool: &'static dyn DynTool, args: Value) -> ToolOutput {
        let call = tools::check_tool(tool, args, &self.ctx).unwrap();
        self.change_call(call).await
    }

    /// `diagnose` of this namespace (or one target): the findings as JSON.
    pub async fn findings(&self, target: Option<&str>) -> Vec<Value> {
        let args = target.map_or_else(|| json!({}), |target| json!({"target": target}));
        let report = self.read("diagnose", args).await;
        report.data["findings"].as_array().cloned().unwrap_or_default()
    }

    /// Polls `diagnose` until its findings, as `Code Kind/name-prefix` (see [`codes`]), are
    /// exactly `expected`; returns those findings. A workload's pod is named by the
    /// workload's name and a trailing `-` (`Pod/crasher-`).
    pub async fn diagnose_until(&self, expected: &[&str]) -> Vec<Value> {
        self.diagnose_until_with(expected, |_| true).await
    }

    /// [`Scratch::diagnose_until`], and until `also` holds for the findings too (evidence
    /// that the kubelet provides a moment later, such as a crashed container's log).
    pub async fn diagnose_until_with(&self, expected: &[&str], also: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let expected: BTreeSet<String> = expected.iter().map(|code| (*code).to_string()).collect();
        poll(&format!("diagnose reports exactly {expected:?}"), FAULT_WITHIN, || async {
            let findings = self.findings(None).await;
            let seen = codes(&findings);
            if seen == expected && also(&findings) { Ok(findings) } else { Err(format!("{findings:#?}")) }
        })
        .await
    }

    /// A deployment of this namespace.
    pub async fn deployment(&self, name: &str) -> Deployment {
        Api::<Deployment>::namespaced(self.client.clone(), &self.namespace).get(name).await.unwrap()
    }

    /// The pods matching a label selector.
    pub async fn pods(&self, selector: &str) -> Vec<Pod> {
        Api::<Pod>::namespaced(self.client.clone(), &self.namespace)
            .list(&ListParams::default().labels(selector))
            .await
            .unwrap()
            .items
    }

    /// Waits until deployment `name` has exactly `replicas` available, updated and ready
    /// replicas, and no other pods.
    pub async fn wait_available(&self, name: &str, replicas: i32) {
        poll(&format!("deployment {name} with {replicas} available replicas"), READY_WITHIN, || async {
            let status = self.deployment(name).await.status.unwrap_or_default();
            let pods = self.pods(&format!("app={name}")).await.len();
            let counts = (
                status.replicas.unwrap_or(0),
                status.available_replicas.unwrap_or(0),
                status.updated_replicas.unwrap_or(0),
            );
            if counts == (replicas, replicas, replicas) && pods == usize::try_from(replicas).unwrap() {
                Ok(())
            } else {
                Err(format!("replicas/available/updated {counts:?}, {pods} pods"))
            }
        })
        .await;
    }

    /// The `todo-ai` binary pointed at this cluster and namespace.
    pub fn todo_ai(&self) -> assert_cmd::Command {
        let mut command = crate::support::todo_ai(&self.workdir);
        command.arg("--kubeconfig").arg(&self.kubeconfig).args(["-n", &self.namespace]);
        command
    }

    /// What the namespace looks like, on stderr, for a failed test.
    async fn print_state(&self) {
        for (tool, args) in [("status", json!({})), ("events", json!({}))] {
            match self.check(tool, args).run(&self.ctx).await {
                Ok(output) => eprintln!("--- {tool} of {}:\n{}", self.namespace, output.text),
                Err(error) => eprintln!("--- {tool} of {}: {error}", self.namespace),
            }
        }
    }
}

/// Findings as `Code Kind/name`, with the generated suffix of a workload's pod cut after the
/// workload's name (`CrashLoopBackOff Pod/crasher-`), so sets can be compared exactly.
pub fn codes(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|finding| {
            let kind = finding["object"]["kind"].as_str().unwrap_or_default();
            let name = finding["object"]["name"].as_str().unwrap_or_default();
            let name = if kind == "Pod" { workload_prefix(name) } else { name.to_string() };
            format!("{} {kind}/{name}", finding["code"].as_str().unwrap_or_default())
        })
        .collect()
}

/// `crasher-7d9f8c6b5-x2x9z` → `crasher-`; a bare pod's name stays as it is.
fn workload_prefix(pod: &str) -> String {
    let parts: Vec<&str> = pod.rsplitn(3, '-').collect();
    match parts.as_slice() {
        [random, hash, workload] if random.len() == 5 && (8..=10).contains(&hash.len()) => format!("{workload}-"),
        _ => pod.to_string(),
    }
}

/// The one finding with this code; panics when there is not exactly one.
pub fn finding<'a>(findings: &'a [Value], code: &str) -> &'a Value {
    let matching: Vec<&Value> = findings.iter().filter(|finding| finding["code"] == code).collect();
    assert_eq!(matching.len(), 1, "one {code} in {findings:#?}");
    matching[0]
}

/// A finding's evidence lines.
pub fn evidence(finding: &Value) -> Vec<String> {
    finding["evidence"].as_array().into_iter().flatten().filter_map(|line| line.as_str().map(str::to_string)).collect()
}

/// A Deployment `name` (label `app=name`) of one container `app` on `image` running
/// `command` (empty: the image's own), merged with `container` (extra container fields) and
/// `pod` (extra pod spec fields). Pods stop within a second.
pub fn deployment(name: &str, replicas: i32, image: &str, command: &[&str], container: Value, pod: Value) -> Value {
    let mut app = json!({
        "name": "app",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
    });
    if !command.is_empty() {
        app["command"] = json!(command);
    }
    merge(&mut app, container);
    let mut spec = json!({"terminationGracePeriodSeconds": 1, "containers": [app]});
    merge(&mut spec, pod);
    json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec}
        }
    })
}

/// A busybox web server on port 8080 serving `/index.html` (its text: `page`), with a
/// readiness probe on `/`.
pub fn web_server(name: &str, replicas: i32, page: &str) -> Value {
    let script =
        format!("mkdir -p /tmp/www && echo '{page}' > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www");
    deployment(
        name,
        replicas,
        &busybox(),
        &["sh", "-c", &script],
        json!({
            "ports": [{"containerPort": 8080, "name": "http"}],
            "readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}
        }),
        json!({}),
    )
}

/// Merges object `extra` into `target`, key by key (objects recursively).
fn merge(target: &mut Value, extra: Value) {
    match (target, extra) {
        (Value::Object(target), Value::Object(extra)) => {
            for (key, value) in extra {
                match target.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
                    _ => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, extra) => *target = extra,
    }
}

#[test]
fn pod_names_are_cut_to_their_workload() {
    assert_eq!(workload_prefix("crasher-7d9f8c6b5-x2x9z"), "crasher-");
    assert_eq!(workload_prefix("todo-app-backend-5c4d8f9b7c-abcde"), "todo-app-backend-");
    assert_eq!(workload_prefix("broken-0"), "broken-0");
    assert_eq!(workload_prefix("web"), "web");
}
