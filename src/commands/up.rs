//! `todo-ai up`: the whole local flow on minikube as one resumable plan — prerequisites,
//! minikube (4 CPUs / 8 GB, ingress + metrics-server), Dockerfiles, images built into
//! minikube, the Secret from the environment or `.env`, `helm upgrade --install` with
//! `values-dev.yaml` (helm waits for the rollout), `helm test`, the URL. Each step first
//! checks whether it is already done and skips it if so; every changing step goes through
//! the executor (approval, dry run, audit) like any tool call. `todo-ai down` uninstalls.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{executor, runtime, write_stdout};
use crate::cli::{DownArgs, UpArgs};
use crate::error::{CliError, ExitStatus};
use crate::executor::{Event, EventSink, Executor, StepResult, TerminalApprover};
use crate::settings::Settings;
use crate::tools::{self, CheckedCall, DynTool, HelmTest, HelmUninstall, Minikube};

/// The programs `up` drives, with where to get them.
const PREREQUISITES: [(&str, &str); 4] = [
    ("minikube", "https://minikube.sigs.k8s.io/docs/start/"),
    ("helm", "https://helm.sh/docs/intro/install/"),
    ("kubectl", "https://kubernetes.io/docs/tasks/tools/"),
    ("docker", "https://docs.docker.com/engine/install/"),
];

/// The addons the chart needs: an ingress controller (IngressClass nginx) and metrics for HPAs.
const ADDONS: [&str; 2] = ["ingress", "metrics-server"];

/// The Secret's variables: (environment name, chart value, required).
const SECRET_VARIABLES: [(&str, &str, bool); 3] = [
    ("DATABASE_URL", "secrets.databaseUrl", true),
    ("BETTER_AUTH_SECRET", "secrets.betterAuthSecret", true),
    ("OPENAI_API_KEY", "secrets.openaiApiKey", false),
];

/// How many steps `up` shows.
const STEPS: usize = 8;

/// The values file for minikube, next to the chart.
const DEV_VALUES: &str = "values-dev.yaml";

/// The chart value that records what `up` installed, so a rerun can tell it is done.
const FINGERPRINT_KEY: &str = "global.todoAiFingerprint";

static MINIKUBE: Minikube = Minikube;
static HELM_TEST: HelmTest = HelmTest;
static HELM_UNINSTALL: HelmUninstall = HelmUninstall;

/// `todo-ai up`.
pub fn up(settings: &Settings, args: &UpArgs) -> Result<ExitStatus, CliError> {
    if settings.snapshot.is_some() {
        return Err(
            CliError::refused("`up` deploys to minikube; it cannot run on a snapshot").hint("drop `--snapshot`")
        );
    }
    let mut settings = settings.clone();
    // helm and the cluster tools talk to minikube's context unless told otherwise.
    settings.context.get_or_insert_with(|| "minikube".into());
    let mut run = Run::new(&settings)?;
    let release = args.release.clone().unwrap_or_else(|| tools::DEFAULT_RELEASE.to_string());
    let namespace = settings.namespace.clone();
    eprintln!(
        "todo-ai up: the Todo app on minikube (context {}, namespace {namespace}, release {release}){}",
        settings.context.as_deref().unwrap_or("minikube"),
        if settings.dry_run { " — dry run" } else { "" }
    );

    // 1. Prerequisites.
    let missing: Vec<&(&str, &str)> =
        PREREQUISITES.iter().filter(|(program, _)| crate::exec::find_program(program).is_none()).collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|(name, _)| *name).collect();
        let hints: Vec<String> = missing.iter().map(|(name, url)| format!("{name}: {url}")).collect();
        return Err(CliError::new(format!("missing prerequisites: {}", names.join(", ")))
            .hint(format!("install them and run `todo-ai up` again ({})", hints.join("; "))));
    }
    run.step("prerequisites", "minikube, helm, kubectl and docker are installed");

    // Secrets are read early: a missing one should stop the run before anything changes.
    let env_file = args.env_file.clone().unwrap_or_else(|| settings.workdir.join(".env"));
    let (secrets, sources) = read_secrets(&env_file, args.env_file.is_some())?;

    // 2. minikube.
    let minikube = minikube_state(&run)?;
    match &minikube {
        MinikubeState::Running { missing_addons } if missing_addons.is_empty() => {
            run.step("minikube", &format!("running with {} (done)", ADDONS.join(", ")));
        }
        MinikubeState::Running { missing_addons } => {
            run.step("minikube", &format!("running; addons {} to enable", missing_addons.join(", ")));
            let call =
                run.internal(&MINIKUBE, json!({"start": false, "cpus": 4, "memory": "8g", "addons": missing_addons}))?;
            run.calls(vec![call])?;
        }
        MinikubeState::Stopped(state) => {
            run.step("minikube", &format!("{state}: to start with 4 CPUs, 8 GB and {}", ADDONS.join(", ")));
            let call = run.internal(&MINIKUBE, json!({"start": true, "cpus": 4, "memory": "8g", "addons": ADDONS}))?;
            run.calls(vec![call])?;
        }
    }

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

    // 4. Images, tagged by git sha or by the build context's content.
    let images = run.block_on(async {
        let mut images = Vec::new();
        for (component, dir) in apps {
            let path = settings.workdir.join(dir);
            images.push((component, dir, format!("todo-{component}"), image_tag(&path).await));
        }
        images
    });
    let present = if matches!(minikube, MinikubeState::Running { .. }) || !settings.dry_run {
        images_in_minikube(&run)
    } else {
        Vec::new()
    };
    let mut builds = Vec::new();
    let mut waiting = Vec::new();
    for (_, dir, repository, tag) in &images {
        let reference = format!("{repository}:{tag}");
        if present.iter().any(|image| image_matches(image, &reference)) {
            continue;
        }
        let call = run.tool("build_image", json!({"path": dir, "tag": reference, "minikube": true}))?;
        if settings.workdir.join(dir).join("Dockerfile").is_file() {
            builds.push(call);
        } else {
            // A dry run did not write the Dockerfile this build needs.
            waiting.push(call);
        }
    }
    let references: Vec<String> = images.iter().map(|(_, _, repository, tag)| format!("{repository}:{tag}")).collect();
    if builds.is_empty() && waiting.is_empty() {
        run.step("images", &format!("{} are in minikube (done)", references.join(", ")));
    } else {
        run.step("images", &format!("{} to build into minikube", references.join(", ")));
        run.calls(builds)?;
        run.preview_only(&waiting, "once its Dockerfile is written");
    }

    // 5. The Secret (created by the release from a 0600 values file; values never shown).
    let secret_names: Vec<&str> = sources.iter().map(|(name, _)| *name).collect();
    run.step(
        "Secret",
        &format!(
            "{release}-secrets in namespace {namespace} with {} ({}; values not shown)",
            secret_names.join(", "),
            describe_sources(&sources)
        ),
    );

    // 6. The release.
    let chart = crate::helm::chart_dir(&settings.workdir).map_err(|e| CliError::from(tools::ToolError::Helm(e)))?;
    let mut set: BTreeMap<String, String> = secrets.clone();
    for (component, _, repository, tag) in &images {
        set.insert(format!("{component}.image.repository"), repository.clone());
        set.insert(format!("{component}.image.tag"), tag.clone());
    }
    let fingerprint = fingerprint(&chart, &set);
    set.insert(FINGERPRINT_KEY.into(), fingerprint.clone());
    let helm_target = crate::helm::Target {
        release: release.clone(),
        namespace: namespace.clone(),
        kube_context: settings.context.clone(),
        kubeconfig: settings.kubeconfig.clone(),
        cancel: None,
    };
    // A dry run cannot look inside a minikube it did not start.
    let cluster_up = matches!(minikube, MinikubeState::Running { .. }) || !settings.dry_run;
    let installed =
        if cluster_up { run.block_on(release_state(&helm_target, &fingerprint)) } else { ReleaseState::Absent };
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
            run.step("release", &format!("{release} {what} with `{DEV_VALUES}` (helm waits for the rollout)"));
            let call = run.tool(
                "helm_install",
                json!({"release": release, "namespace": namespace, "values": [DEV_VALUES], "set": set}),
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
    let host = dev_host(&chart);
    run.step(
        "open",
        &format!(
            "http://{host} — add `$(minikube ip) {host}` to /etc/hosts (or run `minikube tunnel` and map {host} to 127.0.0.1)"
        ),
    );
    write_stdout(&format!("http://{host}\n"))?;
    Ok(ExitStatus::Success)
}

/// `todo-ai down`: uninstalls the release (asks first).
pub fn down(settings: &Settings, args: &DownArgs) -> Result<ExitStatus, CliError> {
    if settings.snapshot.is_some() {
        return Err(CliError::refused("`down` changes a live cluster; it cannot run on a snapshot"));
    }
    let mut settings = settings.clone();
    settings.context.get_or_insert_with(|| "minikube".into());
    let mut run = Run::new(&settings)?;
    let release = args.release.clone().unwrap_or_else(|| tools::DEFAULT_RELEASE.to_string());
    let call = run.internal(&HELM_UNINSTALL, json!({"release": release, "namespace": settings.namespace}))?;
    run.calls(vec![call])?;
    eprintln!("minikube keeps running; `minikube stop` stops it, `minikube delete` removes it");
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

/// What minikube is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MinikubeState {
    /// Up, with the listed addons still disabled.
    Running { missing_addons: Vec<String> },
    /// Not up: "stopped", "not created" …
    Stopped(String),
}

fn minikube_state(run: &Run) -> Result<MinikubeState, CliError> {
    let status = run
        .block_on(crate::exec::output("minikube", ["status", "-o", "json"]))
        .map_err(|error| CliError::new(error.to_string()))?;
    let parsed: Option<Value> = serde_json::from_slice(&status.stdout).ok();
    let field = |name: &str| parsed.as_ref().and_then(|v| v[name].as_str().map(str::to_string)).unwrap_or_default();
    let running = field("Host") == "Running" && field("APIServer") == "Running";
    if !running {
        let state = match field("Host").as_str() {
            "" => "not created".to_string(),
            host => host.to_lowercase(),
        };
        return Ok(MinikubeState::Stopped(state));
    }
    let addons = run
        .block_on(crate::exec::output("minikube", ["addons", "list", "-o", "json"]))
        .map_err(|error| CliError::new(error.to_string()))?;
    let list: Value = serde_json::from_slice(&addons.stdout).unwrap_or(Value::Null);
    let missing_addons = ADDONS
        .iter()
        .filter(|addon| list[**addon]["Status"].as_str() != Some("enabled"))
        .map(|addon| (*addon).to_string())
        .collect();
    Ok(MinikubeState::Running { missing_addons })
}

/// The images minikube has (`minikube image ls`); empty when it cannot say.
fn images_in_minikube(run: &Run) -> Vec<String> {
    run.block_on(crate::exec::output("minikube", ["image", "ls"]))
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim().to_string()).collect())
        .unwrap_or_default()
}

/// `docker.io/library/todo-frontend:sha-1a2b3c4` matches `todo-frontend:sha-1a2b3c4`.
fn image_matches(listed: &str, reference: &str) -> bool {
    let listed = listed.strip_prefix("docker.io/").unwrap_or(listed);
    let listed = listed.strip_prefix("library/").unwrap_or(listed);
    listed == reference
}

/// A tag that names the code: `sha-<git sha>` for a clean checkout, else `ctx-<hash of the
/// files the build sends>` — so an unchanged app is never rebuilt and a changed one always is.
async fn image_tag(dir: &Path) -> String {
    let version = crate::docker::version_tag(dir).await;
    if version != "dev" && !version.ends_with("-dirty") {
        return format!("sha-{version}");
    }
    let mut hash = Fnv::default();
    if let Ok((files, _)) = crate::containerise::context::files(dir, "Dockerfile") {
        for file in files {
            hash.write(file.as_bytes());
            hash.write(&std::fs::read(dir.join(&file)).unwrap_or_default());
        }
    }
    format!("ctx-{:012x}", hash.finish() & 0xffff_ffff_ffff)
}

/// Where the release stands against what `up` would install.
enum ReleaseState {
    Absent,
    UpToDate(i64),
    Changed(i64),
    NotDeployed(String),
}

async fn release_state(target: &crate::helm::Target, fingerprint: &str) -> ReleaseState {
    let Ok(Some(status)) = crate::helm::status(target).await else {
        return ReleaseState::Absent;
    };
    if status.status != "deployed" {
        return ReleaseState::NotDeployed(status.status);
    }
    let values = crate::helm::user_values(target).await.ok().flatten().unwrap_or(Value::Null);
    if values["global"]["todoAiFingerprint"].as_str() == Some(fingerprint) {
        ReleaseState::UpToDate(status.revision)
    } else {
        ReleaseState::Changed(status.revision)
    }
}

/// A stable digest of what a release would get: the chart's files and the values (secrets
/// included, so a changed `.env` upgrades). FNV-1a: stable across builds, not a secret.
fn fingerprint(chart: &Path, set: &BTreeMap<String, String>) -> String {
    let mut hash = Fnv::default();
    let mut files = Vec::new();
    collect_files(chart, &mut files);
    files.sort();
    for file in files {
        hash.write(file.strip_prefix(chart).unwrap_or(&file).to_string_lossy().as_bytes());
        hash.write(&std::fs::read(&file).unwrap_or_default());
    }
    for (key, value) in set {
        hash.write(key.as_bytes());
        hash.write(&[0]);
        hash.write(value.as_bytes());
        hash.write(&[0]);
    }
    format!("fp-{:016x}", hash.finish())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// 64-bit FNV-1a.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The Secret's values (chart keys → values) and where each came from (env name → source).
#[allow(clippy::type_complexity)]
fn read_secrets(
    env_file: &Path,
    explicit: bool,
) -> Result<(BTreeMap<String, String>, Vec<(&'static str, &'static str)>), CliError> {
    let file = match std::fs::read_to_string(env_file) {
        Ok(text) => parse_env_file(&text),
        Err(_) if !explicit => BTreeMap::new(),
        Err(error) => {
            return Err(CliError::refused(format!("cannot read `{}`: {error}", env_file.display())));
        }
    };
    let mut values = BTreeMap::new();
    let mut sources = Vec::new();
    let mut missing = Vec::new();
    for (name, key, required) in SECRET_VARIABLES {
        let from_env = std::env::var(name).ok().filter(|v| !v.is_empty());
        match (from_env, file.get(name).filter(|v| !v.is_empty())) {
            (Some(value), _) => {
                values.insert(key.to_string(), value);
                sources.push((name, "environment"));
            }
            (None, Some(value)) => {
                values.insert(key.to_string(), value.clone());
                sources.push((name, ".env"));
            }
            (None, None) if required => missing.push(name),
            (None, None) => eprintln!("note: {name} is not set: the chatbot cannot answer without it"),
        }
    }
    if !missing.is_empty() {
        return Err(CliError::refused(format!("missing {} for the app's Secret", missing.join(", "))).hint(format!(
            "export them or put `NAME=value` lines in `{}` (never committed); values are never shown or put on a command line",
            env_file.display()
        )));
    }
    Ok((values, sources))
}

/// `KEY=value` lines, `export KEY=value`, quotes stripped, `#` comments skipped.
fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, value) = line.split_once('=')?;
            let value = value.trim();
            let unquoted = ['"', '\'']
                .iter()
                .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
                .unwrap_or(value);
            Some((key.trim().to_string(), unquoted.to_string()))
        })
        .collect()
}

fn describe_sources(sources: &[(&str, &str)]) -> String {
    let from = |place: &str| sources.iter().filter(|(_, s)| *s == place).map(|(n, _)| *n).collect::<Vec<_>>();
    let mut parts = Vec::new();
    if !from("environment").is_empty() {
        parts.push("from the environment".to_string());
    }
    if !from(".env").is_empty() {
        parts.push("from .env".to_string());
    }
    parts.join(" and ")
}

/// The Ingress host in the chart's dev values (`todo.local` when it cannot be read).
fn dev_host(chart: &Path) -> String {
    std::fs::read_to_string(chart.join(DEV_VALUES))
        .ok()
        .and_then(|text| serde_yaml::from_str::<Value>(&text).ok())
        .and_then(|values| values["ingress"]["host"].as_str().map(str::to_string))
        .unwrap_or_else(|| "todo.local".into())
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
    fn env_files_and_image_names() {
        let parsed = parse_env_file(
            "# comment\nexport DATABASE_URL=\"postgresql://u:p@db/todo\"\nOPENAI_API_KEY='sk-x'\nEMPTY=\n",
        );
        assert_eq!(parsed["DATABASE_URL"], "postgresql://u:p@db/todo");
        assert_eq!(parsed["OPENAI_API_KEY"], "sk-x");
        assert_eq!(parsed["EMPTY"], "");
        assert!(image_matches("docker.io/library/todo-frontend:sha-1a2b3c4", "todo-frontend:sha-1a2b3c4"));
        assert!(!image_matches("docker.io/library/todo-frontend:sha-1a2b3c4", "todo-frontend:sha-ffffff"));
    }

    #[test]
    fn fingerprints_change_with_values_and_chart() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Chart.yaml"), "name: x\n").unwrap();
        let set = BTreeMap::from([("a".to_string(), "1".to_string())]);
        let first = fingerprint(dir.path(), &set);
        assert_eq!(first, fingerprint(dir.path(), &set));
        let other = BTreeMap::from([("a".to_string(), "2".to_string())]);
        assert_ne!(first, fingerprint(dir.path(), &other));
        std::fs::write(dir.path().join("Chart.yaml"), "name: y\n").unwrap();
        assert_ne!(first, fingerprint(dir.path(), &set));
    }
}
