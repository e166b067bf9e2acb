//! The registry's tools as MCP tool definitions: name, description and input schema come
//! straight from [`crate::tools::all`] — there is no second list of tools — plus the MCP
//! annotations (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`).
//!
//! `readOnlyHint` follows the tool's [`Effect`]. Whether a changing tool is destructive or
//! idempotent is not something the effect says, so [`Hints::for_tool`] decides it per tool
//! (the table is in the README); a tool nobody has decided about yet gets the cautious
//! answer (destructive, not idempotent) and a unit test fails until someone does.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool as McpTool, ToolAnnotations};
use serde_json::Value;

use crate::tools::{DynTool, Effect};

/// What a changing tool does to what already exists, for the MCP annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    /// It may replace or remove existing state (pods, a running image, files).
    pub destructive: bool,
    /// Calling it again with the same arguments changes nothing more.
    pub idempotent: bool,
    /// It reaches beyond the cluster and the working tree (image registries).
    pub open_world: bool,
    /// Whether the decision was made for this tool (false: the cautious default).
    pub decided: bool,
}

impl Hints {
    const fn new(destructive: bool, idempotent: bool, open_world: bool) -> Hints {
        Hints { destructive, idempotent, open_world, decided: true }
    }

    /// The hints of a registry tool, by name. Read-only tools only use `open_world`.
    pub fn for_tool(name: &str) -> Hints {
        match name {
            // Reads of the cluster (or snapshot): a closed world.
            "status" | "diagnose" | "logs" | "events" | "rollout_status" => Hints::new(false, true, false),
            // Setting a value: the same call twice is one change. Each can take capacity away
            // (fewer replicas, a lower autoscaler ceiling) or replace the running pods.
            "scale" | "set_image" | "autoscale" => Hints::new(true, true, false),
            // `helm upgrade --install` converges on the values, and may delete objects the
            // chart no longer renders.
            "helm_install" => Hints::new(true, true, false),
            // Each call restarts, undoes or rolls back once more.
            "rollout_restart" | "rollout_undo" | "helm_rollback" => Hints::new(true, false, false),
            // The same files every time; it can overwrite an existing Dockerfile (the
            // approval question shows the diff first), so it is not marked harmless.
            "generate_dockerfile" => Hints::new(true, true, false),
            // Adds an image (a tag may move; no image is deleted), pulls base images from
            // registries, and every build is a new image.
            "build_image" => Hints::new(false, false, true),
            _ => Hints { destructive: true, idempotent: false, open_world: true, decided: false },
        }
    }
}

/// The MCP annotations of a tool.
pub fn annotations(tool: &dyn DynTool) -> ToolAnnotations {
    let hints = Hints::for_tool(tool.name());
    let annotations = ToolAnnotations::new().read_only(tool.effect().is_read_only()).open_world(hints.open_world);
    match tool.effect() {
        // The other hints mean nothing for a tool that changes nothing.
        Effect::ReadOnly => annotations,
        Effect::ChangesCluster | Effect::WritesFiles | Effect::BuildsImages => {
            annotations.destructive(hints.destructive).idempotent(hints.idempotent)
        }
    }
}

/// A registry tool as an MCP tool definition.
pub fn definition(tool: &dyn DynTool) -> McpTool {
    let schema = match tool.schema() {
        Value::Object(map) => map,
        // Every registry schema is an object (a unit test in `tools` holds it to that).
        _ => JsonObject::new(),
    };
    McpTool::new(tool.name(), tool.description(), Arc::new(schema)).with_annotations(annotations(tool))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools;

    #[test]
    fn every_registry_tool_has_decided_hints() {
        for tool in tools::all() {
            assert!(Hints::for_tool(tool.name()).decided, "decide the MCP hints of `{}`", tool.name());
        }
        assert!(!Hints::for_tool("no_such_tool").decided);
        assert!(Hints::for_tool("no_such_tool").destructive);
    }

    #[test]
    fn definitions_come_from_the_registry() {
        for tool in tools::all() {
            let definition = definition(*tool);
            assert_eq!(definition.name, tool.name());
            assert_eq!(definition.description.as_deref(), Some(tool.description()));
            assert_eq!(Value::Object((*definition.input_schema).clone()), tool.schema());
            let annotations = definition.annotations.unwrap_or_default();
            assert_eq!(annotations.read_only_hint, Some(tool.effect().is_read_only()), "{}", tool.name());
            assert_eq!(annotations.destructive_hint.is_some(), !tool.effect().is_read_only(), "{}", tool.name());
        }
    }

    #[test]
    fn the_table() {
        let hint = |name: &str| annotations(tools::find(name).unwrap());
        assert_eq!(hint("scale").idempotent_hint, Some(true));
        assert_eq!(hint("scale").destructive_hint, Some(true));
        assert_eq!(hint("rollout_restart").idempotent_hint, Some(false));
        assert_eq!(hint("helm_rollback").idempotent_hint, Some(false));
        assert_eq!(hint("build_image").destructive_hint, Some(false));
        assert_eq!(hint("build_image").open_world_hint, Some(true));
        assert_eq!(hint("status").read_only_hint, Some(true));
        assert_eq!(hint("status").destructive_hint, None);
    }
}
