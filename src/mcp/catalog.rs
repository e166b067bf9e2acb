//! The registry's tools as MCP tool definitions: name, description, input schema and the
//! MCP annotations (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`) all
//! come straight from each tool's type ([`crate::tools::Tool::hints`]) — there is no second
//! list of tools or of their hints here.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool as McpTool, ToolAnnotations};
use serde_json::Value;

use crate::tools::{DynTool, Effect};

/// The MCP annotations of a tool.
pub fn annotations(tool: &dyn DynTool) -> ToolAnnotations {
    let hints = tool.hints();
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
