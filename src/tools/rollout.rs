//! Deployment revisions from ReplicaSets, the way `kubectl rollout history/undo/status` read
//! them: history by owner and revision annotation, the revision to return to, the template
//! without its pod-template-hash, and kubectl's rollout status rules.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;

const REVISION: &str = "deployment.kubernetes.io/revision";

/// One revision: its number and pod template.
pub struct Revision {
    /// The revision number.
    pub revision: i64,
    /// Its pod template.
    pub template: PodTemplateSpec,
}

/// Where a rollout stands.
pub enum State {
    /// Every replica is updated and available.
    Complete,
    /// Still rolling out: kubectl's progress line.
    Progressing(String),
    /// The progress deadline passed: the condition's message.
    DeadlineExceeded(String),
}

/// The deployment's ReplicaSets with their revisions, oldest first.
pub fn history(deployment: &Deployment, replicasets: &[ReplicaSet]) -> Vec<Revision> {
    let uid = deployment.metadata.uid.as_deref();
    let name = deployment.metadata.name.as_deref().unwrap_or_default();
    let mut revisions: Vec<Revision> = replicasets
        .iter()
        .filter(|rs| {
            let owners = rs.metadata.owner_references.as_deref().unwrap_or_default();
            owners
                .iter()
                .any(|o| o.kind == "Deployment" && (Some(o.uid.as_str()) == uid || uid.is_none() && o.name == name))
        })
        .filter_map(|rs| {
            let revision = rs.metadata.annotations.as_ref()?.get(REVISION)?.parse().ok()?;
            Some(Revision { revision, template: rs.spec.as_ref()?.template.clone()? })
        })
        .collect();
    revisions.sort_by_key(|r| r.revision);
    revisions
}

/// The deployment's current revision (its annotation, else the newest ReplicaSet's).
pub fn current_revision(deployment: &Deployment, history: &[Revision]) -> i64 {
    deployment
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .or_else(|| history.last().map(|r| r.revision))
        .unwrap_or(0)
}

/// The revision to return to: the one asked for, else the newest before the current.
pub fn target_revision(history: &[Revision], current: i64, wanted: Option<i64>) -> Result<i64, String> {
    let known = || history.iter().map(|r| r.revision.to_string()).collect::<Vec<_>>().join(", ");
    match wanted {
        Some(wanted) if wanted == current => Err(format!("revision {wanted} is the current revision")),
        Some(wanted) if history.iter().any(|r| r.revision == wanted) => Ok(wanted),
        Some(wanted) => Err(format!("revision {wanted} not found; known revisions: {}", known())),
        None => history
            .iter()
            .rev()
            .map(|r| r.revision)
            .find(|r| *r < current)
            .ok_or_else(|| format!("no previous revision to roll back to (known revisions: {})", known())),
    }
}

/// A resolved rollback: the deployment, its current revision (and template) and the
/// revision to return to (and its template).
pub struct Undo {
    /// The deployment's name.
    pub name: String,
    /// Its current revision.
    pub current: i64,
    /// The current revision's template.
    pub current_template: PodTemplateSpec,
    /// The revision to return to.
    pub target: i64,
    /// That revision's template.
    pub template: PodTemplateSpec,
}

/// Resolves the deployment and the revision to return to (shared by preview and run).
pub async fn plan_undo(
    ctx: &crate::tools::ToolContext,
    namespace: &str,
    query: &str,
    wanted: Option<i64>,
) -> Result<Undo, crate::tools::ToolError> {
    let cluster = ctx.cluster.get().await?;
    let deployment = cluster.find_deployment(namespace, query).await?;
    let replicasets = cluster.replicasets(namespace).await?;
    let history = history(&deployment, &replicasets);
    let name = deployment.metadata.name.clone().unwrap_or_default();
    let current = current_revision(&deployment, &history);
    let failed = |message: String| crate::tools::ToolError::Failed {
        tool: "rollout_undo",
        message: format!("deployment {namespace}/{name}: {message}"),
    };
    let target = target_revision(&history, current, wanted).map_err(failed)?;
    let template_of = |revision: i64| history.iter().find(|r| r.revision == revision).map(|r| r.template.clone());
    let template = template_of(target).ok_or_else(|| failed(format!("revision {target} not found")))?;
    let current_template = template_of(current).unwrap_or_default();
    Ok(Undo { name, current, current_template, target, template })
}

/// The images of a template, for previews.
pub fn images(template: Option<&PodTemplateSpec>) -> String {
    template
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.iter().filter_map(|c| c.image.clone()).collect::<Vec<_>>().join(", "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".to_string())
}

/// A ReplicaSet's template without the pod-template-hash label it added.
pub fn without_hash(mut template: PodTemplateSpec) -> PodTemplateSpec {
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove("pod-template-hash");
    }
    template
}

/// kubectl's rollout status rules for a deployment.
pub fn status(deployment: &Deployment) -> State {
    let spec_replicas = deployment.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let Some(status) = deployment.status.as_ref() else {
        return State::Progressing("waiting for the deployment to be observed".into());
    };
    let generation = deployment.metadata.generation.unwrap_or(0);
    if status.observed_generation.unwrap_or(0) < generation {
        return State::Progressing("waiting for deployment spec update to be observed...".into());
    }
    let progressing = status.conditions.as_deref().unwrap_or_default().iter().find(|c| c.type_ == "Progressing");
    if let Some(condition) = progressing.filter(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
        return State::DeadlineExceeded(condition.message.clone().unwrap_or_default());
    }
    let updated = status.updated_replicas.unwrap_or(0);
    let replicas = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    if updated < spec_replicas {
        return State::Progressing(format!(
            "Waiting for rollout to finish: {updated} out of {spec_replicas} new replicas have been updated..."
        ));
    }
    if replicas > updated {
        return State::Progressing(format!(
            "Waiting for rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        ));
    }
    if available < updated {
        return State::Progressing(format!(
            "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
        ));
    }
    State::Complete
}

/// The undo of a change to a deployment's pod template (image, resources, restart, rollback):
/// a rollout undo to the revision it has now. `None` when it has no revision yet.
pub async fn undo_to_current(
    ctx: &crate::tools::ToolContext,
    namespace: &str,
    query: &str,
) -> Result<Option<crate::tools::Undo>, crate::tools::ToolError> {
    let cluster = ctx.cluster.get().await?;
    let deployment = cluster.find_deployment(namespace, query).await?;
    let replicasets = cluster.replicasets(namespace).await?;
    let current = current_revision(&deployment, &history(&deployment, &replicasets));
    if current == 0 {
        return Ok(None);
    }
    let name = deployment.metadata.name.clone().unwrap_or_default();
    let args = crate::tools::RolloutUndoArgs {
        deployment: name.clone(),
        revision: Some(current),
        namespace: Some(namespace.to_string()),
    };
    Ok(crate::tools::Undo::by(
        &crate::tools::RolloutUndo,
        &args,
        format!("roll deployment {namespace}/{name} back to revision {current}"),
    ))
}
