//! Helm tools: `helm_install` (upgrade --install) and `helm_rollback`. The argument types and
//! previews are final; the helm driver arrives with the deploy work, and until then `run`
//! says so plainly.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Effect, Tool, ToolContext, ToolFuture, not_available, ns};
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

impl Tool for HelmInstall {
    type Args = HelmInstallArgs;
    const NAME: &'static str = "helm_install";

    fn description(&self) -> &'static str {
        "Install or upgrade the Todo app's Helm release (helm upgrade --install --atomic --wait)"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
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

    fn run<'a>(&'a self, _: HelmInstallArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
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

    fn validate(&self, args: &HelmRollbackArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        args.release.as_deref().map_or(Ok(()), validate::release)?;
        args.revision.map_or(Ok(()), |revision| validate::range("revision", revision, 1, i64::from(i32::MAX)))
    }

    fn preview(&self, args: &HelmRollbackArgs, _: &ToolContext) -> String {
        let to = args.revision.map_or_else(|| "the previous revision".to_string(), |r| format!("revision {r}"));
        format!("roll back Helm release {} to {to}", args.release.as_deref().unwrap_or(DEFAULT_RELEASE))
    }

    fn run<'a>(&'a self, _: HelmRollbackArgs, _: &'a ToolContext) -> ToolFuture<'a> {
        not_available(Self::NAME)
    }
}
