//! Helm tools: `helm_install` (upgrade --install --atomic --wait, secrets through a 0600
//! values file, a server-side dry run shown as a diff) and `helm_rollback` (history first).
//! Also the steps `todo-ai up`/`down` need that are deliberately *not* in the registry, so no
//! planner or model can call them: starting minikube, `helm test`, `helm uninstall`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag,
    namespaced, ns, shell_word,
};
use crate::helm::{self, HelmError};
use crate::redact;
use crate::validate::{self, Limits, ValidationError};

/// The release name used when none is given.
pub const DEFAULT_RELEASE: &str = "todo-app";

/// The chart todo-ai ships and installs.
pub const CHART_PATH: &str = "manifests/helm/todo-app";

/// Arguments of `helm_install`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmInstallArgs {
    /// Release name (default `todo-app`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Namespace to install into (created when missing); the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Values files, applied in order (e.g. `values-dev.yaml`).
    #[serde(default)]
    pub values: Vec<String>,
    /// Individual values, like `--set backend.replicaCount=3`.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

/// Installs or upgrades the Todo app's Helm release.
pub struct HelmInstall;

fn target(release: &Option<String>, namespace: &Option<String>, ctx: &ToolContext) -> helm::Target {
    helm::Target {
        release: release.clone().unwrap_or_else(|| DEFAULT_RELEASE.to_string()),
        namespace: ns(namespace, ctx).to_string(),
        kube_context: ctx.kube_context().map(str::to_string),
        kubeconfig: ctx.cluster.kubeconfig().cloned(),
        cancel: Some(ctx.cancel.clone()),
    }
}

/// A values file as given, found in the working tree or else next to the chart
/// (`values-dev.yaml` means the chart's own).
fn values_file(file: &str, chart: &std::path::Path, ctx: &ToolContext) -> Result<PathBuf, ToolError> {
    let invalid = |source| ToolError::Invalid { tool: HelmInstall::NAME, source };
    let path = validate::path_inside(file, &ctx.workdir).map_err(invalid)?;
    if path.is_file() {
        return Ok(path);
    }
    let beside_chart = chart.join(file);
    if beside_chart.is_file() {
        return Ok(beside_chart);
    }
    Err(ToolError::Failed {
        tool: HelmInstall::NAME,
        message: format!("values file `{file}` not found (looked in the working tree and in `{}`)", chart.display()),
    })
}

fn install_plan(
    args: &HelmInstallArgs,
    ctx: &ToolContext,
    description: Option<String>,
) -> Result<helm::Install, ToolError> {
    let chart = helm::chart_dir(&ctx.workdir)?;
    let values = args.values.iter().map(|file| values_file(file, &chart, ctx)).collect::<Result<Vec<_>, _>>()?;
    let (set, secrets) = helm::split_secrets(&args.set);
    Ok(helm::Install { chart, values, set, secrets, description })
}

impl Tool for HelmInstall {
    type Args = HelmInstallArgs;
    const NAME: &'static str = "helm_install";

    fn description(&self) -> &'static str {
        "Install or upgrade the Todo app's Helm release (helm upgrade --install --atomic --wait)"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn touches(&self) -> super::Touches {
        super::Touches::Release
    }

    fn hints(&self) -> Hints {
        // `helm upgrade --install` converges on the values, and may delete objects the chart
        // no longer renders.
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn scope(&self, args: &HelmInstallArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(args.release.as_deref().unwrap_or(DEFAULT_RELEASE)), ctx)
    }

    fn command_line(&self, args: &HelmInstallArgs, ctx: &ToolContext) -> Option<String> {
        let mut line = String::from("todo-ai deploy");
        if let Some(release) = &args.release {
            line.push_str(&format!(" --release {}", shell_word(release)));
        }
        for file in &args.values {
            line.push_str(&format!(" -f {}", shell_word(file)));
        }
        for (key, value) in &args.set {
            line.push_str(&format!(" --set {}", shell_word(&format!("{key}={}", redact::helm_value(key, value)))));
        }
        line.push_str(&namespace_flag(&args.namespace, ctx));
        Some(line)
    }

    fn validate(&self, args: &HelmInstallArgs, _: &Limits, ctx: &ToolContext) -> Result<(), ValidationError> {
        args.release.as_deref().map_or(Ok(()), validate::release)?;
        validate::namespace(args.namespace.as_deref())?;
        for file in &args.values {
            validate::path_inside(file, &ctx.workdir)?;
        }
        args.set.keys().try_for_each(|key| validate::helm_key(key))
    }

    fn preview(&self, args: &HelmInstallArgs, ctx: &ToolContext) -> String {
        let mut text = format!(
            "install or upgrade Helm release {} in namespace {} from `{CHART_PATH}`",
            args.release.as_deref().unwrap_or(DEFAULT_RELEASE),
            ns(&args.namespace, ctx)
        );
        text.push_str(&values_summary(args));
        text
    }

    fn prepare<'a>(&'a self, args: HelmInstallArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, HelmInstallArgs> {
        Box::pin(async move {
            let plan = install_plan(&args, ctx, None)?;
            let target = target(&args.release, &args.namespace, ctx);
            let verb = match helm::status(&target).await? {
                Some(status) => format!(
                    "upgrade Helm release {} in namespace {} from revision {} ({}) to {}",
                    target.release,
                    target.namespace,
                    status.revision,
                    status.status,
                    status.revision + 1
                ),
                None => format!("install Helm release {} in namespace {} (new)", target.release, target.namespace),
            };
            let mut preview = format!("{verb} from `{}`", display(&plan.chart, ctx));
            preview.push_str(&values_summary(&args));
            preview.push_str(" (--atomic: a failed upgrade rolls back)");
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a HelmInstallArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(back_to_current_revision(&args.release, &args.namespace, ctx))
    }

    fn run<'a>(&'a self, args: HelmInstallArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let target = target(&args.release, &args.namespace, ctx);
            let plan = install_plan(&args, ctx, None)?;
            let status = helm::upgrade_install(&plan, &target).await?;
            Ok(ToolOutput { text: status.line(&target), data: status_json(&status, &target) })
        })
    }

    fn dry_run<'a>(&'a self, args: HelmInstallArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let target = target(&args.release, &args.namespace, ctx);
            let plan = install_plan(&args, ctx, None)?;
            let (rendered, current) = helm::dry_run_install(&plan, &target).await?;
            let diff = crate::containerise::diff_compact(current.as_deref().unwrap_or_default(), &rendered, 3);
            let what = if current.is_some() { "upgrade" } else { "install" };
            let text = if diff.trim().is_empty() {
                format!("dry run (server side): the {what} of {} would change nothing", target.release)
            } else {
                format!(
                    "dry run (server side): the {what} of {} in {} would change (Secret data hidden):\n{diff}",
                    target.release, target.namespace
                )
            };
            Ok(ToolOutput {
                text,
                data: serde_json::json!({"release": target.release, "namespace": target.namespace, "dry_run": true, "installed": current.is_some()}),
            })
        })
    }
}

fn values_summary(args: &HelmInstallArgs) -> String {
    let mut text = String::new();
    if !args.values.is_empty() {
        text.push_str(&format!(" with values {}", args.values.join(", ")));
    }
    if !args.set.is_empty() {
        let pairs: Vec<String> =
            args.set.iter().map(|(key, value)| format!("{key}={}", redact::helm_value(key, value))).collect();
        text.push_str(&format!(" setting {}", pairs.join(", ")));
    }
    text
}

fn display(path: &std::path::Path, ctx: &ToolContext) -> String {
    path.strip_prefix(&ctx.workdir).unwrap_or(path).display().to_string()
}

fn status_json(status: &helm::Status, target: &helm::Target) -> serde_json::Value {
    serde_json::json!({
        "release": target.release,
        "namespace": target.namespace,
        "revision": status.revision,
        "status": status.status,
        "chart": status.chart,
        "app_version": status.app_version,
        "last_deployed": status.last_deployed,
    })
}

/// Arguments of `helm_rollback`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmRollbackArgs {
    /// Release name (default `todo-app`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Revision to return to; the previous one when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub revision: Option<i64>,
    /// The release's namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Rolls the Helm release back.
pub struct HelmRollback;

impl Tool for HelmRollback {
    type Args = HelmRollbackArgs;
    const NAME: &'static str = "helm_rollback";

    fn description(&self) -> &'static str {
        "Roll the Helm release back to its previous or a given revision"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn touches(&self) -> super::Touches {
        super::Touches::Release
    }

    fn hints(&self) -> Hints {
        // Every rollback is a new revision.
        Hints { destructive: true, idempotent: false, open_world: false }
    }

    fn scope(&self, args: &HelmRollbackArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(args.release.as_deref().unwrap_or(DEFAULT_RELEASE)), ctx)
    }

    fn command_line(&self, args: &HelmRollbackArgs, ctx: &ToolContext) -> Option<String> {
        let mut line = String::from("todo-ai helm-rollback");
        if let Some(release) = &args.release {
            line.push_str(&format!(" --release {}", shell_word(release)));
        }
        if let Some(revision) = args.revision {
            line.push_str(&format!(" --revision {revision}"));
        }
        line.push_str(&namespace_flag(&args.namespace, ctx));
        Some(line)
    }

    fn validate(&self, args: &HelmRollbackArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        args.release.as_deref().map_or(Ok(()), validate::release)?;
        validate::namespace(args.namespace.as_deref())?;
        args.revision.map_or(Ok(()), |revision| validate::range("revision", revision, 1, i64::from(i32::MAX)))
    }

    fn preview(&self, args: &HelmRollbackArgs, _: &ToolContext) -> String {
        let to = args.revision.map_or_else(|| "the previous revision".to_string(), |r| format!("revision {r}"));
        format!("roll back Helm release {} to {to}", args.release.as_deref().unwrap_or(DEFAULT_RELEASE))
    }

    fn prepare<'a>(&'a self, mut args: HelmRollbackArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, HelmRollbackArgs> {
        Box::pin(async move {
            let target = target(&args.release, &args.namespace, ctx);
            let history = helm::history(&target).await?;
            let failed = |message: String| ToolError::Failed { tool: Self::NAME, message };
            let Some(current) = history.iter().max_by_key(|r| r.revision) else {
                return Err(failed(format!(
                    "release {} has no history in namespace {}",
                    target.release, target.namespace
                )));
            };
            let revision = match args.revision {
                Some(revision) if history.iter().any(|r| r.revision == revision) => revision,
                Some(revision) => {
                    let known: Vec<String> = history.iter().map(|r| r.revision.to_string()).collect();
                    return Err(failed(format!(
                        "release {} has no revision {revision} (it has {})",
                        target.release,
                        known.join(", ")
                    )));
                }
                None => helm::previous_revision(&history).ok_or_else(|| {
                    failed(format!("release {} has no earlier successful revision to roll back to", target.release))
                })?,
            };
            if revision == current.revision {
                return Err(failed(format!("revision {revision} is the current one: nothing to roll back")));
            }
            let chart = history.iter().find(|r| r.revision == revision).map(|r| r.chart.clone()).unwrap_or_default();
            let preview = format!(
                "roll back Helm release {} in namespace {} from revision {} to revision {revision} ({chart})\n{}",
                target.release,
                target.namespace,
                current.revision,
                helm::history_table(&history).trim_end()
            );
            args.revision = Some(revision);
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a HelmRollbackArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(back_to_current_revision(&args.release, &args.namespace, ctx))
    }

    fn run<'a>(&'a self, args: HelmRollbackArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(rollback(args, ctx, false))
    }

    fn dry_run<'a>(&'a self, args: HelmRollbackArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(rollback(args, ctx, true))
    }
}

async fn rollback(args: HelmRollbackArgs, ctx: &ToolContext, dry_run: bool) -> Result<ToolOutput, ToolError> {
    let target = target(&args.release, &args.namespace, ctx);
    let revision = args.revision.unwrap_or(0);
    let status = helm::rollback(&target, revision, dry_run).await?;
    Ok(match status {
        None => ToolOutput {
            text: format!("dry run: helm accepts the rollback of {} to revision {revision}", target.release),
            data: serde_json::json!({"release": target.release, "revision": revision, "dry_run": true}),
        },
        Some(status) => {
            ToolOutput { text: format!("rolled back: {}", status.line(&target)), data: status_json(&status, &target) }
        }
    })
}

impl From<HelmError> for ToolError {
    fn from(error: HelmError) -> ToolError {
        ToolError::Helm(error)
    }
}

/// Arguments of the `up` step that starts minikube or enables its addons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinikubeArgs {
    /// Start the cluster (else only enable addons).
    pub start: bool,
    /// CPUs for a new cluster.
    pub cpus: u32,
    /// Memory for a new cluster, e.g. `8g`.
    pub memory: String,
    /// Addons to enable.
    pub addons: Vec<String>,
}

/// Starts minikube / enables addons (used by `todo-ai up` only; not in the registry).
pub struct Minikube;

impl Tool for Minikube {
    type Args = MinikubeArgs;
    const NAME: &'static str = "minikube_start";

    fn description(&self) -> &'static str {
        "Start minikube with the resources and addons the Todo app needs"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn hints(&self) -> Hints {
        // Starts a whole cluster or changes its addons.
        Hints { destructive: true, idempotent: true, open_world: true }
    }

    fn scope(&self, _: &MinikubeArgs, _: &ToolContext) -> Scope {
        Scope { namespace: None, target: Some("minikube".into()) }
    }

    fn command_line(&self, _: &MinikubeArgs, _: &ToolContext) -> Option<String> {
        Some("todo-ai up".into())
    }

    fn dry_run<'a>(&'a self, args: MinikubeArgs, _: &'a str, _: &'a ToolContext) -> ToolFuture<'a> {
        let commands = minikube_commands(&args);
        let shown: Vec<String> = commands.iter().map(|argv| format!("`minikube {}`", argv.join(" "))).collect();
        Box::pin(async move {
            Ok(ToolOutput {
                text: format!("dry run: would run {}", shown.join(", then ")),
                data: serde_json::json!({"dry_run": true, "commands": commands}),
            })
        })
    }

    fn validate(&self, args: &MinikubeArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        for addon in &args.addons {
            validate::object_name("addon", addon)?;
        }
        validate::range("cpus", i64::from(args.cpus), 1, 64)
    }

    fn preview(&self, args: &MinikubeArgs, _: &ToolContext) -> String {
        if args.start {
            format!(
                "start minikube with {} CPUs and {} of memory, addons {}",
                args.cpus,
                args.memory,
                args.addons.join(", ")
            )
        } else {
            format!("enable the minikube addons {}", args.addons.join(", "))
        }
    }

    fn run<'a>(&'a self, args: MinikubeArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let commands = minikube_commands(&args);
            for argv in &commands {
                let output = crate::exec::output("minikube", argv)
                    .await
                    .map_err(|error| ToolError::Failed { tool: Self::NAME, message: error.to_string() })?;
                if !output.status.success() {
                    return Err(ToolError::Failed {
                        tool: Self::NAME,
                        message: format!("`minikube {}` failed: {}", argv.join(" "), crate::exec::last_line(&output)),
                    });
                }
            }
            Ok(ToolOutput {
                text: format!("done: {}", self.preview(&args, ctx)),
                data: serde_json::json!({"commands": commands}),
            })
        })
    }
}

/// The minikube command lines a [`MinikubeArgs`] stands for.
fn minikube_commands(args: &MinikubeArgs) -> Vec<Vec<String>> {
    let mut commands: Vec<Vec<String>> = Vec::new();
    if args.start {
        let mut argv =
            vec!["start".to_string(), "--cpus".into(), args.cpus.to_string(), "--memory".into(), args.memory.clone()];
        for addon in &args.addons {
            argv.extend(["--addons".into(), addon.clone()]);
        }
        commands.push(argv);
    } else {
        commands.extend(args.addons.iter().map(|addon| vec!["addons".into(), "enable".into(), addon.clone()]));
    }
    commands
}

/// Arguments of the release steps of `up` and `down`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseArgs {
    /// Release name.
    pub release: String,
    /// Its namespace.
    pub namespace: String,
}

impl ReleaseArgs {
    fn validate(&self) -> Result<(), ValidationError> {
        validate::release(&self.release)?;
        validate::namespace(Some(&self.namespace))
    }

    fn target(&self, ctx: &ToolContext) -> helm::Target {
        target(&Some(self.release.clone()), &Some(self.namespace.clone()), ctx)
    }
}

/// `helm test` (used by `todo-ai up`; it starts test pods, so it asks like a change).
pub struct HelmTest;

impl Tool for HelmTest {
    type Args = ReleaseArgs;
    const NAME: &'static str = "helm_test";

    fn description(&self) -> &'static str {
        "Run the release's helm test hooks (a pod that calls both health endpoints)"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn hints(&self) -> Hints {
        Hints { destructive: false, idempotent: false, open_world: false }
    }

    fn scope(&self, args: &ReleaseArgs, _: &ToolContext) -> Scope {
        Scope { namespace: Some(args.namespace.clone()), target: Some(args.release.clone()) }
    }

    fn command_line(&self, args: &ReleaseArgs, _: &ToolContext) -> Option<String> {
        Some(format!("todo-ai up --release {} -n {}", shell_word(&args.release), args.namespace))
    }

    fn dry_run<'a>(&'a self, args: ReleaseArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        let text = format!("dry run: would {}", self.preview(&args, ctx));
        Box::pin(async move { Ok(ToolOutput { text, data: serde_json::json!({"dry_run": true}) }) })
    }

    fn validate(&self, args: &ReleaseArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        args.validate()
    }

    fn preview(&self, args: &ReleaseArgs, _: &ToolContext) -> String {
        format!(
            "run `helm test` for release {} in namespace {} (starts a short-lived test pod)",
            args.release, args.namespace
        )
    }

    fn run<'a>(&'a self, args: ReleaseArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let target = args.target(ctx);
            let text = helm::test(&target).await?;
            let phase: Vec<String> = text
                .lines()
                .filter(|l| l.trim_start().starts_with("Phase:"))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            Ok(ToolOutput {
                text: format!("helm test passed for {} ({})", target.release, phase.join("; ")),
                data: serde_json::json!({"release": target.release, "passed": true}),
            })
        })
    }
}

/// `helm uninstall` (only `todo-ai down`; never offered to a planner).
pub struct HelmUninstall;

impl Tool for HelmUninstall {
    type Args = ReleaseArgs;
    const NAME: &'static str = "helm_uninstall";

    fn description(&self) -> &'static str {
        "Uninstall the Helm release and everything it created"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn hints(&self) -> Hints {
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn scope(&self, args: &ReleaseArgs, _: &ToolContext) -> Scope {
        Scope { namespace: Some(args.namespace.clone()), target: Some(args.release.clone()) }
    }

    fn command_line(&self, args: &ReleaseArgs, _: &ToolContext) -> Option<String> {
        Some(format!("todo-ai down --release {} -n {}", shell_word(&args.release), args.namespace))
    }

    fn dry_run<'a>(&'a self, args: ReleaseArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        let text = format!("dry run: would {}", self.preview(&args, ctx));
        Box::pin(async move { Ok(ToolOutput { text, data: serde_json::json!({"dry_run": true}) }) })
    }

    fn validate(&self, args: &ReleaseArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        args.validate()
    }

    fn preview(&self, args: &ReleaseArgs, _: &ToolContext) -> String {
        format!(
            "UNINSTALL Helm release {} from namespace {}: its Deployments, Services, Ingress, Secret and PVCs it owns are deleted",
            args.release, args.namespace
        )
    }

    fn prepare<'a>(&'a self, args: ReleaseArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, ReleaseArgs> {
        Box::pin(async move {
            let target = args.target(ctx);
            match helm::status(&target).await? {
                Some(status) => {
                    let preview = format!("{} (now {})", self.preview(&args, ctx), status.line(&target));
                    Ok((args, preview))
                }
                None => Err(ToolError::Failed {
                    tool: Self::NAME,
                    message: format!("there is no release {} in namespace {}", target.release, target.namespace),
                }),
            }
        })
    }

    fn run<'a>(&'a self, args: ReleaseArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let target = args.target(ctx);
            helm::uninstall(&target).await?;
            Ok(ToolOutput {
                text: format!("uninstalled release {} from namespace {}", target.release, target.namespace),
                data: serde_json::json!({"release": target.release, "namespace": target.namespace, "uninstalled": true}),
            })
        })
    }
}

/// Options of `deploy`.
#[derive(Debug, clap::Args)]
pub struct DeployCommand {
    /// Release name [default: todo-app]
    #[arg(long)]
    pub release: Option<String>,
    /// Values files, in order
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Values as KEY=VALUE
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::parse_key_value)]
    pub set: Vec<(String, String)>,
}

impl Direct for HelmInstall {
    type Command = DeployCommand;

    fn args(&self, command: DeployCommand, namespace: Option<String>) -> HelmInstallArgs {
        HelmInstallArgs {
            release: command.release,
            namespace,
            values: command.values,
            set: command.set.into_iter().collect(),
        }
    }
}

/// Options of `helm-rollback`.
#[derive(Debug, clap::Args)]
pub struct HelmRollbackCommand {
    /// Release name [default: todo-app]
    #[arg(long)]
    pub release: Option<String>,
    /// Revision to return to [default: previous]
    #[arg(long)]
    pub revision: Option<i64>,
}

impl Direct for HelmRollback {
    type Command = HelmRollbackCommand;

    fn args(&self, command: HelmRollbackCommand, namespace: Option<String>) -> HelmRollbackArgs {
        HelmRollbackArgs { release: command.release, revision: command.revision, namespace }
    }
}

/// The undo of a change to a Helm release: roll back to the revision it has now. A first
/// install has no vetted undo (uninstalling is not a tool).
async fn back_to_current_revision(
    release: &Option<String>,
    namespace: &Option<String>,
    ctx: &ToolContext,
) -> Result<Option<super::Undo>, ToolError> {
    let target = target(release, namespace, ctx);
    let Some(status) = helm::status(&target).await? else { return Ok(None) };
    let back = HelmRollbackArgs {
        release: Some(target.release.clone()),
        revision: Some(status.revision),
        namespace: Some(target.namespace.clone()),
    };
    let description = format!("roll Helm release {} back to revision {}", target.release, status.revision);
    Ok(super::Undo::by(&HelmRollback, &back, description))
}
