//! `todo-ai up`: the whole flow as one resumable plan, on minikube or on the cluster of the
//! kube context in use — prerequisites; the cluster (minikube started with 4 CPUs / 8 GB,
//! ingress + metrics-server; any other context is only asked to answer); Dockerfiles; the
//! images (built into minikube, or built and then pushed to `--registry` or handed to
//! `--load-command`); the Secret from the environment or `.env`; `helm upgrade --install`
//! with `values-dev.yaml` (helm waits for the rollout); `helm test`; the URL or a
//! port-forward. Each step first checks whether it is already done and skips it if so;
//! every changing step goes through the executor (approval, dry run, audit) like any tool
//! call. `todo-ai down` uninstalls.

mod deliver;
mod secrets;
mod state;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use self::state::{MinikubeState, ReleaseState};
use super::{executor, runtime, write_stdout};
use crate::cli::{DownArgs, UpArgs};
use crate::error::{CliError, ExitStatus};
use crate::executor::{Event, EventSink, Executor, StepResult, TerminalApprover};
use crate::settings::Settings;
use crate::tools::{self, CheckedCall, DynTool, HelmTest, HelmUninstall, Minikube};
use deliver::DeliverImage;
pub use deliver::{LoadCommand, parse_registry};

/// The programs `up` drives on minikube, with where to get them.
const PREREQUISITES: [(&str, &str); 4] = [
    ("minikube", "https://minikube.sigs.k8s.io/docs/start/"),
    ("helm", "https://helm.sh/docs/intro/install/"),
    ("kubectl", "https://kubernetes.io/docs/tasks/tools/"),
    ("docker", "https://docs.docker.com/engine/install/"),
];

/// The addons the chart needs: an ingress controller (IngressClass nginx) and metrics for HPAs.
const ADDONS: [&str; 2] = ["ingress", "metrics-server"];

/// How many steps `up` shows.
const STEPS: usize = 8;

/// The values file for development clusters, next to the chart.
const DEV_VALUES: &str = "values-dev.yaml";

/// The chart value that records what `up` installed, so a rerun can tell it is done.
const FINGERPRINT_KEY: &str = "global.todoAiFingerprint";

/// minikube's kube context (and profile) name.
const MINIKUBE: &str = "minikube";

static MINIKUBE_TOOL: Minikube = Minikube;
static HELM_TEST: HelmTest = HelmTest;
static HELM_UNINSTALL: HelmUninstall = HelmUninstall;
static DELIVER_IMAGE: DeliverImage = DeliverImage;

/// Where `up` deploys.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// minikube: started and given its addons when needed; images built into it.
    Minikube,
    /// Any other cluster: its kube context, and whether it is the kubeconfig's current one.
    Context {
        /// The context's name.
        name: String,
        /// Not named by `--context`.
        current: bool,
    },
}

/// `--context`, else the kubeconfig's current context; minikube when that is minikube or
/// when there is no kubeconfig yet (`minikube start` writes one).
fn target(settings: &Settings) -> Target {
    let (context, _) =
        crate::settings::kube_context_defaults(settings.kubeconfig.as_deref(), settings.context.as_deref());
    match context {
        Some(name) if name != MINIKUBE => Target::Context { name, current: settings.context.is_none() },
        _ => Target::Minikube,
    }
}

/// How the built images reach the cluster's nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Delivery {
    /// Built on minikube's own Docker daemon (or loaded into it).
    Minikube,
    /// Pushed to this registry, from which the cluster pulls.
    Registry(String),
    /// Handed to the user's command, once per image.
    Load(LoadCommand),
}

fn delivery(args: &UpArgs, target: &Target) -> Result<Delivery, CliError> {
    match (&args.registry, &args.load_command, target) {
        (Some(registry), _, _) => Ok(Delivery::Registry(registry.clone())),
        (None, Some(command), _) => Ok(Delivery::Load(command.clone())),
        (None, None, Target::Minikube) => Ok(Delivery::Minikube),
        (None, None, Target::Context { name, .. }) => Err(CliError::refused(format!(
            "context `{name}` is not minikube: `up` cannot put the images on its nodes by itself"
        ))
        .hint(
            "push them to a registry the cluster pulls from (`--registry ghcr.io/you`) or give a command that loads an image into its nodes (`--load-command 'kind load docker-image {image}'`)",
        )),
    }
}

/// `todo-ai up`.
#[allow(clippy::too_many_lines)]
pub fn up(settings: &Settings, args: &UpArgs) -> Result<ExitStatus, CliError> {
    if settings.snapshot.is_some() {
        return Err(
            CliError::refused("`up` deploys to a cluster; it cannot run on a snapshot").hint("drop `--snapshot`")
        );
    }
    let target = target(settings);
    let delivery = delivery(args, &target)?;
    let mut settings = settings.clone();
    // helm and the cluster tools all talk to the one context chosen here.
    settings.context = Some(match &target {
        Target::Minikube => settings.context.clone().unwrap_or_else(|| MINIKUBE.into()),
        Target::Context { name, .. } => name.clone(),
    });
    let mut run = Run::new(&settings)?;
    let release = args.release.clone().unwrap_or_else(|| tools::DEFAULT_RELEASE.to_string());
    let namespace = settings.namespace.clone();
    let context = settings.context.clone().unwrap_or_default();
    let dry_run = if settings.dry_run { " — dry run" } else { "" };
    match &target {
        Target::Minikube => eprintln!(
            "todo-ai up: the Todo app on minikube (context {context}, namespace {namespace}, release {release}){dry_run}"
        ),
        Target::Context { .. } => eprintln!(
            "todo-ai up: the Todo app on context {context} (namespace {namespace}, release {release}){dry_run}"
        ),
    }

    // 1. Prerequisites.
    prerequisites(&mut run, &target, &delivery)?;

    // Secrets and values files are read early: a missing one should stop the run before
    // anything changes.
    let env_file = args.env_file.clone().unwrap_or_else(|| settings.workdir.join(".env"));
    let (secrets, sources) = secrets::read_secrets(&env_file, args.env_file.is_some())?;
    let values_files = values_files(&args.values, &settings.workdir)?;

    // 2. The cluster.
    let minikube = match &target {
        Target::Minikube => Some(minikube_step(&mut run)?),
        Target::Context { name, current } => {
            let version = run.block_on(server_version(&settings))?;
            let which = if *current { " (the kubeconfig's current context)" } else { "" };
            run.step("cluster", &format!("context {name}{which} answers: Kubernetes {version}"));
            None
        }
    };
    // A dry run cannot look inside a minikube it did not start.
    let cluster_up = !matches!(minikube, Some(MinikubeState::Stopped(_))) || !settings.dry_run;

    // 3. Dockerfiles.
    let apps = [("frontend", args.frontend.as_str()), ("backend", args.backend.as_str())];
    let mut to_generate = Vec::new();
    for (component, dir) in apps {
        let path = crate::validate::path_inside(dir, &settings.workdir)
            .map_err(|error| CliError::refused(error.to_string()))?;
        if !path.is_dir() {
            return Err(CliError::refused(format!("no {component} app at `{dir}`"))
                .hint(format!("point `--{component} DIR` at the {component}'s source directory")));
        }
        if !path.join("Dockerfile").is_file() {
            to_generate.push(run.tool("generate_dockerfile", json!({"path": dir}))?);
        }
    }
    if to_generate.is_empty() {
        run.step("Dockerfiles", &format!("{}/Dockerfile and {}/Dockerfile exist (done)", apps[0].1, apps[1].1));
    } else {
        run.step("Dockerfiles", &format!("{} to generate", to_generate.len()));
        run.calls(to_generate)?;
    }

    // What the release would be: images tagged by git sha or by the build context's
    // content, the Secret, and a fingerprint of all of it (with the chart and values files).
    let prefix = match &delivery {
        Delivery::Registry(registry) => format!("{registry}/"),
        Delivery::Minikube | Delivery::Load(_) => String::new(),
    };
    let images = run.block_on(async {
        let mut images = Vec::new();
        for (component, dir) in apps {
            let path = settings.workdir.join(dir);
            images.push((component, dir, format!("{prefix}todo-{component}"), state::image_tag(&path).await));
        }
        images
    });
    let references: Vec<String> = images.iter().map(|(_, _, repository, tag)| format!("{repository}:{tag}")).collect();
    let chart = crate::helm::chart_dir(&settings.workdir).map_err(|e| CliError::from(tools::ToolError::Helm(e)))?;
    let mut set: BTreeMap<String, String> = secrets.clone();
    for (component, _, repository, tag) in &images {
        set.insert(format!("{component}.image.repository"), repository.clone());
        set.insert(format!("{component}.image.tag"), tag.clone());
    }
    let fingerprint = state::fingerprint(&chart, &values_files, &set);
    set.insert(FINGERPRINT_KEY.into(), fingerprint.clone());
    let helm_target = crate::helm::Target {
        release: release.clone(),
        namespace: namespace.clone(),
        kube_context: settings.context.clone(),
        kubeconfig: settings.kubeconfig.clone(),
        cancel: None,
    };
    let installed =
        if cluster_up { run.block_on(state::release_state(&helm_target, &fingerprint)) } else { ReleaseState::Absent };

    // 4. Images.
    images_step(&mut run, &settings, args, &delivery, &images, &references, &installed, minikube.as_ref())?;

    // 5. The Secret (created by the release from a 0600 values file; values never shown).
    let secret_names: Vec<&str> = sources.iter().map(|(name, _)| *name).collect();
    run.step(
        "Secret",
        &format!(
            "{release}-secrets in namespace {namespace} with {} ({}; values not shown)",
            secret_names.join(", "),
            secrets::describe_sources(&sources)
        ),
    );

    // 6. The release.
    let mut values = vec![DEV_VALUES.to_string()];
    values.extend(args.values.iter().cloned());
    match installed {
        ReleaseState::UpToDate(revision) => {
            run.step(
                "release",
                &format!("{release} revision {revision} is deployed with these images and values (done)"),
            );
        }
        state => {
            let what = match state {
                ReleaseState::Absent => "to install".to_string(),
                ReleaseState::Changed(revision) => format!("revision {revision} differs: to upgrade"),
                ReleaseState::NotDeployed(status) => format!("{status}: to upgrade"),
                ReleaseState::UpToDate(_) => String::new(),
            };
            let shown: Vec<String> = values.iter().map(|file| format!("`{file}`")).collect();
            run.step("release", &format!("{release} {what} with {} (helm waits for the rollout)", shown.join(", ")));
            let call = run.tool(
                "helm_install",
                json!({"release": release, "namespace": namespace, "values": values, "set": set}),
            )?;
            if cluster_up {
                run.calls(vec![call])?;
            } else {
                run.preview_only(&[call], "once minikube runs (a server-side dry run needs the cluster)");
            }
        }
    }

    // 7. helm test.
    run.step("helm test", "both health endpoints, from inside the cluster");
    let call = run.internal(&HELM_TEST, json!({"release": release, "namespace": namespace}))?;
    if cluster_up {
        run.calls(vec![call])?;
    } else {
        run.preview_only(&[call], "once the release is installed");
    }

    // 8. The URL.
    let url = match &target {
        Target::Minikube => {
            let host = dev_host(&chart);
            run.step(
                "open",
                &format!(
                    "http://{host} — add `$(minikube ip) {host}` to /etc/hosts (or run `minikube tunnel` and map {host} to 127.0.0.1)"
                ),
            );
            format!("http://{host}")
        }
        Target::Context { name, .. } => {
            let port = frontend_port(&chart);
            let service = format!("{}-frontend", full_name(&release));
            run.step(
                "open",
                &format!(
                    "`kubectl port-forward -n {namespace} svc/{service} {port}:{port} --context {name}`, then http://127.0.0.1:{port} (or the Ingress host {}, where an ingress controller serves it)",
                    dev_host(&chart)
                ),
            );
            format!("http://127.0.0.1:{port}")
        }
    };
    write_stdout(&format!("{url}\n"))?;
    Ok(ExitStatus::Success)
}

/// Step 1: the programs this run needs are on `PATH`.
fn prerequisites(run: &mut Run, target: &Target, delivery: &Delivery) -> Result<(), CliError> {
    let mut needed: Vec<(String, &str)> = match target {
        Target::Minikube => PREREQUISITES.iter().map(|(name, url)| ((*name).to_string(), *url)).collect(),
        Target::Context { .. } => vec![("helm".into(), PREREQUISITES[1].1)],
    };
    match delivery {
        Delivery::Registry(_) if !needed.iter().any(|(name, _)| name == "docker") => {
            needed.push(("docker".into(), PREREQUISITES[3].1));
        }
        Delivery::Load(command) => needed.push((command.argv[0].clone(), "the load command you gave")),
        Delivery::Registry(_) | Delivery::Minikube => {}
    }
    let missing: Vec<&(String, &str)> =
        needed.iter().filter(|(program, _)| crate::exec::find_program(program).is_none()).collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|(name, _)| name.as_str()).collect();
        let hints: Vec<String> = missing.iter().map(|(name, url)| format!("{name}: {url}")).collect();
        return Err(CliError::new(format!("missing prerequisites: {}", names.join(", ")))
            .hint(format!("install them and run `todo-ai up` again ({})", hints.join("; "))));
    }
    let names: Vec<&str> = needed.iter().map(|(name, _)| name.as_str()).collect();
    let listed = match names.as_slice() {
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    run.step("prerequisites", &format!("{listed} {} installed", if names.len() == 1 { "is" } else { "are" }));
    Ok(())
}

/// Step 2 on minikube: start it or enable its addons when needed.
fn minikube_step(run: &mut Run) -> Result<MinikubeState, CliError> {
    let minikube = state::minikube_state(run)?;
    match &minikube {
        MinikubeState::Running { missing_addons } if missing_addons.is_empty() => {
            run.step("minikube", &format!("running with {} (done)", ADDONS.join(", ")));
        }
        MinikubeState::Running { missing_addons } => {
            run.step("minikube", &format!("running; addons {} to enable", missing_addons.join(", ")));
            let call = run.internal(
                &MINIKUBE_TOOL,
                json!({"start": false, "cpus": 4, "memory": "8g", "addons": missing_addons}),
            )?;
            run.calls(vec![call])?;
        }
        MinikubeState::Stopped(state) => {
            run.step("minikube", &format!("{state}: to start with 4 CPUs, 8 GB and {}", ADDONS.join(", ")));
            let call =
                run.internal(&MINIKUBE_TOOL, json!({"start": true, "cpus": 4, "memory": "8g", "addons": ADDONS}))?;
            run.calls(vec![call])?;
        }
    }
    Ok(minikube)
}

/// Step 2 on another cluster: it answers (before anything is built for it).
async fn server_version(settings: &Settings) -> Result<String, CliError> {
    let cluster = crate::cluster::Cluster::connect(settings.kubeconfig.clone(), settings.context.clone()).await?;
    match cluster {
        crate::cluster::Cluster::Live(live) => match live.client.apiserver_version().await {
            Ok(info) => Ok(info.git_version),
            Err(error) => Err(CliError::new(format!(
                "the cluster of context `{}` does not answer",
                settings.context.as_deref().unwrap_or_default()
            ))
            .cause(crate::redact::text(&error.to_string()))
            .hint("check it with `kubectl cluster-info`, or pick another context with `--context`")),
        },
        crate::cluster::Cluster::Snapshot { .. } => Err(CliError::new("`up` needs a live cluster, not a snapshot")),
    }
}

/// Step 4: build what is missing and make it available to the cluster.
#[allow(clippy::too_many_arguments)]
fn images_step(
    run: &mut Run,
    settings: &Settings,
    args: &UpArgs,
    delivery: &Delivery,
    images: &[(&str, &str, String, String)],
    references: &[String],
    installed: &ReleaseState,
    minikube: Option<&MinikubeState>,
) -> Result<(), CliError> {
    let build_args: BTreeMap<String, String> = args.build_args.iter().cloned().collect();
    // What is there already: minikube lists its images; for another cluster, a release
    // deployed with exactly these tags proves the nodes could get them.
    let present: Vec<String> = match (delivery, minikube) {
        (Delivery::Minikube, Some(state)) if matches!(state, MinikubeState::Running { .. }) || !settings.dry_run => {
            state::images_in_minikube(run)
        }
        (Delivery::Minikube, _) => Vec::new(),
        (Delivery::Registry(_) | Delivery::Load(_), _) => {
            if matches!(installed, ReleaseState::UpToDate(_)) {
                references.to_vec()
            } else {
                Vec::new()
            }
        }
    };
    let mut calls = Vec::new();
    let mut waiting = Vec::new();
    for ((_, dir, _, _), reference) in images.iter().zip(references) {
        if present.iter().any(|image| state::image_matches(image, reference)) {
            continue;
        }
        let mut build = json!({"path": dir, "tag": reference, "minikube": *delivery == Delivery::Minikube});
        if !build_args.is_empty() {
            build["build_args"] = json!(build_args);
        }
        if args.network != crate::docker::Network::Default {
            build["network"] = json!(args.network);
        }
        let mut steps = vec![run.tool("build_image", build)?];
        match delivery {
            Delivery::Minikube => {}
            Delivery::Registry(_) => steps.push(run.internal(&DELIVER_IMAGE, json!({"image": reference}))?),
            Delivery::Load(command) => {
                steps.push(run.internal(&DELIVER_IMAGE, json!({"image": reference, "load_command": command.argv}))?)
            }
        }
        if settings.workdir.join(dir).join("Dockerfile").is_file() {
            calls.extend(steps);
        } else {
            // A dry run did not write the Dockerfile this build needs.
            waiting.extend(steps);
        }
    }
    let (done, todo) = match delivery {
        Delivery::Minikube => ("are in minikube".to_string(), "to build into minikube".to_string()),
        Delivery::Registry(registry) => ("are deployed".to_string(), format!("to build and push to {registry}")),
        Delivery::Load(command) => {
            ("are deployed".to_string(), format!("to build, then load with `{}`", command.argv.join(" ")))
        }
    };
    if calls.is_empty() && waiting.is_empty() {
        run.step("images", &format!("{} {done} (done)", references.join(", ")));
    } else {
        run.step("images", &format!("{} {todo}", references.join(", ")));
        run.calls(calls)?;
        run.preview_only(&waiting, "once its Dockerfile is written");
    }
    Ok(())
}

/// `--values` files: inside the working tree, and there.
fn values_files(values: &[String], workdir: &Path) -> Result<Vec<PathBuf>, CliError> {
    values
        .iter()
        .map(|file| {
            let path =
                crate::validate::path_inside(file, workdir).map_err(|error| CliError::refused(error.to_string()))?;
            if path.is_file() {
                Ok(path)
            } else {
                Err(CliError::refused(format!("no values file `{file}`"))
                    .hint("give a YAML file of chart values inside the working tree"))
            }
        })
        .collect()
}

/// `todo-ai down`: uninstalls the release (asks first).
pub fn down(settings: &Settings, args: &DownArgs) -> Result<ExitStatus, CliError> {
    if settings.snapshot.is_some() {
        return Err(CliError::refused("`down` changes a live cluster; it cannot run on a snapshot"));
    }
    let target = target(settings);
    let mut settings = settings.clone();
    settings.context = Some(match &target {
        Target::Minikube => settings.context.clone().unwrap_or_else(|| MINIKUBE.into()),
        Target::Context { name, .. } => name.clone(),
    });
    let mut run = Run::new(&settings)?;
    let release = args.release.clone().unwrap_or_else(|| tools::DEFAULT_RELEASE.to_string());
    let call = run.internal(&HELM_UNINSTALL, json!({"release": release, "namespace": settings.namespace}))?;
    run.calls(vec![call])?;
    if target == Target::Minikube {
        eprintln!("minikube keeps running; `minikube stop` stops it, `minikube delete` removes it");
    }
    Ok(ExitStatus::Success)
}

/// One run of `up`/`down`: the executor, the runtime, and step numbering.
struct Run {
    executor: Executor,
    runtime: tokio::runtime::Runtime,
    step: usize,
}

impl Run {
    fn new(settings: &Settings) -> Result<Run, CliError> {
        Ok(Run { executor: executor(settings), runtime: runtime()?, step: 0 })
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    fn step(&mut self, name: &str, text: &str) {
        self.step += 1;
        eprintln!("[{}/{STEPS}] {name}: {text}", self.step);
    }

    /// A registry tool call, checked like any planned step.
    fn tool(&self, name: &str, args: Value) -> Result<CheckedCall, CliError> {
        Ok(tools::check(name, args, &self.executor.ctx)?)
    }

    /// One of `up`'s own steps (not in the registry), checked the same way.
    fn internal(&self, tool: &'static dyn DynTool, args: Value) -> Result<CheckedCall, CliError> {
        Ok(tools::check_tool(tool, args, &self.executor.ctx)?)
    }

    /// Shows what calls would do, in a dry run that cannot run them yet.
    /// (The executor's own events are rendered by [`UpEvents`].)
    fn preview_only(&self, calls: &[CheckedCall], when: &str) {
        for call in calls {
            eprintln!("    dry run: would {} {when}", call.preview());
        }
    }

    /// Runs calls through the executor; a denial, refusal or failure ends `up` (a rerun
    /// resumes: what was done is detected and skipped).
    fn calls(&mut self, calls: Vec<CheckedCall>) -> Result<(), CliError> {
        let mut stderr = std::io::stderr();
        let results = self.runtime.block_on(self.executor.run_all(&calls, &mut TerminalApprover, &mut UpEvents));
        for result in results {
            match result {
                StepResult::Ran(output) => {
                    let _ = writeln!(stderr, "    {}", output.text.trim_end().replace('\n', "\n    "));
                }
                StepResult::DryRun(text) => {
                    // The first line says what would happen; file contents and manifests are
                    // for `todo-ai dockerfile` and `todo-ai --dry-run deploy`.
                    let mut lines = text.lines();
                    let first = lines.next().unwrap_or_default().trim_end_matches(':');
                    let more = lines.filter(|l| !l.trim().is_empty()).count();
                    let rest = if more > 0 { format!(" ({more} more lines not shown)") } else { String::new() };
                    let _ = writeln!(stderr, "    {first}{rest}");
                }
                StepResult::Denied => {
                    return Err(CliError::refused("stopped: a step was not approved")
                        .hint("run `todo-ai up` again to resume; finished steps are skipped"));
                }
                StepResult::Forbidden(reason) => {
                    return Err(CliError::refused(format!("refused: {reason}"))
                        .hint("run `todo-ai up --yes` to approve every step, or run it in a terminal to be asked"));
                }
                StepResult::Failed(error) => {
                    let error = CliError::from(error);
                    let hint = error.hint.clone().unwrap_or_default();
                    return Err(error.hint(format!(
                        "{hint}{}run `todo-ai up` again to resume",
                        if hint.is_empty() { "" } else { "; then " }
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The largest values file read for the ingress host.
const MAX_VALUES_BYTES: u64 = 4 * 1024 * 1024;

/// A value of the chart's values files: the dev values first, then the defaults.
fn chart_value(chart: &Path, path: &[&str]) -> Option<Value> {
    [DEV_VALUES, "values.yaml"].iter().find_map(|file| {
        // Never blocking on a FIFO planted in the app's chart; helm follows links there too.
        let text =
            crate::bounded::read_text(&chart.join(file), crate::bounded::Links::Follow, MAX_VALUES_BYTES).ok()?;
        let values: Value = serde_yaml::from_str(&text).ok()?;
        let value = path.iter().fold(&values, |value, key| &value[*key]);
        (!value.is_null()).then(|| value.clone())
    })
}

/// The Ingress host in the chart's dev values (`todo.local` when it cannot be read).
fn dev_host(chart: &Path) -> String {
    chart_value(chart, &["ingress", "host"])
        .and_then(|host| host.as_str().map(str::to_string))
        .unwrap_or_else(|| "todo.local".into())
}

/// The frontend's port in the chart's values (3000 when it cannot be read).
fn frontend_port(chart: &Path) -> u64 {
    chart_value(chart, &["frontend", "port"]).and_then(|port| port.as_u64()).unwrap_or(3000)
}

/// The chart's resource-name prefix for a release (its `todo-app.fullname`): the release
/// name when it contains the chart's name, else `<release>-todo-app`.
fn full_name(release: &str) -> String {
    if release.contains("todo-app") { release.to_string() } else { format!("{release}-todo-app") }
}

/// `up`'s rendering of executor events: its step lines already say what each dry run would
/// do, so that event is not repeated; the rest go to stderr as usual.
struct UpEvents;

impl EventSink for UpEvents {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::DryRun { .. } => {}
            Event::NotApproved { .. } | Event::Skipped { .. } | Event::AuditFailed { .. } => {
                std::io::stderr().event(event);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_follow_the_chart() {
        assert_eq!(full_name("todo-app"), "todo-app");
        assert_eq!(full_name("todo-app-staging"), "todo-app-staging");
        assert_eq!(full_name("shop"), "shop-todo-app");
        let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests/helm/todo-app");
        assert_eq!(frontend_port(&chart), 3000);
        assert_eq!(dev_host(&chart), "todo.local");
        assert_eq!(frontend_port(Path::new("/nonexistent")), 3000);
    }
}
