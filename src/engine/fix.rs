//! `fix`: the flow from "something is broken" to a verified change. Diagnose the target; turn
//! each finding's typed remediations (calls to the vetted tools, never free-form commands)
//! into proposals; show them with their reasons and evidence; ask for each under the usual
//! policy; apply; follow the rollout; diagnose again and report what was resolved, what is
//! still there and what is new — and offer to undo a step that made things worse.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tools::ToolContext;
use crate::validate::{self, ValidationError};

/// What to fix: a workload (or the whole namespace when no target is given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixArgs {
    /// The workload or pod to fix (a name, name fragment or `kind/name`); every finding in the
    /// namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Namespace; the current namespace when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl FixArgs {
    /// Checks the target and namespace syntax.
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate::namespace(self.namespace.as_deref())?;
        self.target.as_deref().map_or(Ok(()), validate::target)
    }

    /// What the flow will do, in one sentence.
    pub fn preview(&self, ctx: &ToolContext) -> String {
        let namespace = ctx.namespace_or_default(self.namespace.as_deref());
        let what = match &self.target {
            Some(target) => format!("`{target}` in namespace {namespace}"),
            None => format!("namespace {namespace}"),
        };
        format!(
            "diagnose {what}, propose typed fixes for what it finds (each asked for before it runs), apply them and verify"
        )
    }
}
