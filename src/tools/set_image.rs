//! `set_image`: changes the image of one container of a deployment (strategic merge by
//! container name), which starts a rollout. The question shows the old and new reference.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rollout_restart::dry_prefix;
use super::{
    Direct, Effect, Hints, PrepareFuture, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput, namespace_flag,
    namespaced, ns, rollout, shell_word,
};
use crate::validate::{self, Limits, ValidationError};

/// Arguments of `set_image`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetImageArgs {
    /// Deployment name or unique fragment.
    pub deployment: String,
    /// The new image reference, e.g. `ghcr.io/acme/todo-backend:1.2.0`. Give this or `tag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Only a new tag for the container's current image (e.g. `1.22`, `v2.3.1`), instead of
    /// `image`; the rest of the reference stays as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Container to update; optional when the pod has one container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Changes a container image of a deployment (starting a rollout).
pub struct SetImage;

impl Tool for SetImage {
    type Args = SetImageArgs;
    const NAME: &'static str = "set_image";

    fn description(&self) -> &'static str {
        "Change the image of a deployment's container, which starts a rollout"
    }

    fn effect(&self) -> Effect {
        Effect::ChangesCluster
    }

    fn touches(&self) -> super::Touches {
        super::Touches::Deployment
    }

    fn hints(&self) -> Hints {
        // Setting a value (idempotent) that replaces the running pods.
        Hints { destructive: true, idempotent: true, open_world: false }
    }

    fn scope(&self, args: &SetImageArgs, ctx: &ToolContext) -> Scope {
        namespaced(&args.namespace, Some(&args.deployment), ctx)
    }

    fn command_line(&self, args: &SetImageArgs, ctx: &ToolContext) -> Option<String> {
        let container = args.container.as_deref().map(|c| format!(" -c {}", shell_word(c))).unwrap_or_default();
        let image = match (&args.image, &args.tag) {
            (Some(image), _) => shell_word(image),
            (None, Some(tag)) => format!("--tag {}", shell_word(tag)),
            (None, None) => return None,
        };
        Some(format!(
            "todo-ai set-image {} {image}{container}{}",
            shell_word(&args.deployment),
            namespace_flag(&args.namespace, ctx)
        ))
    }

    fn validate(&self, args: &SetImageArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::object_name("deployment", &args.deployment)?;
        match (&args.image, &args.tag) {
            (Some(image), None) => validate::image(image)?,
            (None, Some(tag)) => validate::image_tag(tag)?,
            (Some(_), Some(_)) => {
                return Err(ValidationError::Conflict("give either `image` or `tag`, not both".into()));
            }
            (None, None) => {
                return Err(ValidationError::Conflict("say which image (`image`) or which tag (`tag`) to run".into()));
            }
        }
        if let Some(container) = &args.container {
            validate::label_name("container", container)?;
        }
        validate::namespace(args.namespace.as_deref())
    }

    fn preview(&self, args: &SetImageArgs, ctx: &ToolContext) -> String {
        let container =
            args.container.as_deref().map_or_else(|| "its container".to_string(), |c| format!("container `{c}`"));
        let to = match (&args.image, &args.tag) {
            (Some(image), _) => image.clone(),
            (None, Some(tag)) => format!("tag {tag}"),
            (None, None) => "?".to_string(),
        };
        format!(
            "set the image of {container} in deployment {}/{} to {to} (starts a rollout)",
            ns(&args.namespace, ctx),
            args.deployment
        )
    }

    fn prepare<'a>(&'a self, mut args: SetImageArgs, ctx: &'a ToolContext) -> PrepareFuture<'a, SetImageArgs> {
        Box::pin(async move {
            let namespace = ns(&args.namespace, ctx).to_string();
            let deployment = ctx.cluster.get().await?.find_deployment(&namespace, &args.deployment).await?;
            let name = deployment.metadata.name.clone().unwrap_or_default();
            let containers: Vec<(String, String)> = deployment
                .spec
                .as_ref()
                .and_then(|s| s.template.spec.as_ref())
                .map(|s| s.containers.iter().map(|c| (c.name.clone(), c.image.clone().unwrap_or_default())).collect())
                .unwrap_or_default();
            let names = || containers.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            let (container, old) = match &args.container {
                Some(wanted) => {
                    containers.iter().find(|(n, _)| n == wanted).cloned().ok_or_else(|| ToolError::Failed {
                        tool: Self::NAME,
                        message: format!(
                            "deployment {namespace}/{name} has no container `{wanted}`; its containers: {}",
                            names()
                        ),
                    })?
                }
                None => match containers.as_slice() {
                    [only] => only.clone(),
                    _ => {
                        return Err(ToolError::Failed {
                            tool: Self::NAME,
                            message: format!(
                                "deployment {namespace}/{name} has several containers ({}); say which with `container`",
                                names()
                            ),
                        });
                    }
                },
            };
            // A tag alone is resolved against the image the container runs now.
            let image = match (&args.image, &args.tag) {
                (Some(image), _) => image.clone(),
                (None, Some(tag)) => {
                    let image = with_tag(&old, tag);
                    validate::image(&image).map_err(|source| ToolError::Invalid { tool: Self::NAME, source })?;
                    image
                }
                (None, None) => return Err(ToolError::Failed { tool: Self::NAME, message: "no image given".into() }),
            };
            let unchanged = if old == image { " (unchanged)" } else { "" };
            let preview = format!(
                "set the image of container `{container}` in deployment {namespace}/{name} from {old} to {image}{unchanged} (starts a rollout)"
            );
            args.image = Some(image);
            args.deployment = name;
            args.container = Some(container);
            Ok((args, preview))
        })
    }

    fn undo<'a>(&'a self, args: &'a SetImageArgs, ctx: &'a ToolContext) -> super::UndoFuture<'a> {
        Box::pin(async move { rollout::undo_to_current(ctx, ns(&args.namespace, ctx), &args.deployment).await })
    }

    fn run<'a>(&'a self, args: SetImageArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(set_image(args, ctx, false))
    }

    fn dry_run<'a>(&'a self, args: SetImageArgs, _: &'a str, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(set_image(args, ctx, true))
    }
}

async fn set_image(args: SetImageArgs, ctx: &ToolContext, dry_run: bool) -> Result<ToolOutput, ToolError> {
    let namespace = ns(&args.namespace, ctx).to_string();
    // `prepare` resolves the container and, for a tag, the full reference.
    let (Some(container), Some(image)) = (args.container.clone(), args.image.clone()) else {
        return Err(ToolError::Failed { tool: SetImage::NAME, message: "no container or image resolved".into() });
    };
    // Strategic merge keys containers by name: only this container's image changes.
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}});
    ctx.cluster.get().await?.patch_deployment(&namespace, &args.deployment, &patch, true, dry_run).await?;
    let text = format!(
        "{}deployment {namespace}/{}: container `{container}` now runs {}",
        dry_prefix(dry_run),
        args.deployment,
        image
    );
    Ok(ToolOutput {
        text,
        data: json!({"namespace": namespace, "deployment": args.deployment, "container": container, "image": image, "dry_run": dry_run}),
    })
}

/// `image` with its tag (and any digest) replaced by `tag`: `ghcr.io/acme/api:1.2@sha256:…`
/// with `1.3` gives `ghcr.io/acme/api:1.3`. A registry port (`host:5000/api`) is not a tag.
pub fn with_tag(image: &str, tag: &str) -> String {
    let name = image.split_once('@').map_or(image, |(name, _)| name);
    let last_slash = name.rfind('/').map_or(0, |at| at + 1);
    let repository = match name[last_slash..].rfind(':') {
        Some(colon) => &name[..last_slash + colon],
        None => name,
    };
    format!("{repository}:{tag}")
}

/// Options of `set-image`.
#[derive(Debug, clap::Args)]
pub struct SetImageCommand {
    /// Deployment name or unique fragment
    pub deployment: String,
    /// New image reference (or give only `--tag`)
    #[arg(required_unless_present = "tag")]
    pub image: Option<String>,
    /// Only a new tag for the image the container runs now
    #[arg(long, conflicts_with = "image")]
    pub tag: Option<String>,
    /// Container to update (optional when there is one)
    #[arg(short = 'c', long)]
    pub container: Option<String>,
}

impl Direct for SetImage {
    type Command = SetImageCommand;

    fn args(&self, command: SetImageCommand, namespace: Option<String>) -> SetImageArgs {
        SetImageArgs {
            deployment: command.deployment,
            image: command.image,
            tag: command.tag,
            container: command.container,
            namespace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_replaces_only_the_tag() {
        assert_eq!(with_tag("nginx:1.21", "1.22"), "nginx:1.22");
        assert_eq!(with_tag("nginx", "1.22"), "nginx:1.22");
        assert_eq!(with_tag("ghcr.io/acme/api:1.2@sha256:abc", "1.3"), "ghcr.io/acme/api:1.3");
        assert_eq!(with_tag("registry.local:5000/team/api", "v2"), "registry.local:5000/team/api:v2");
        assert_eq!(with_tag("registry.local:5000/team/api:v1", "v2"), "registry.local:5000/team/api:v2");
    }
}
