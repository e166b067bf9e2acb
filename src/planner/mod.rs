//! Planning: turning what a person typed into a [`Plan`] of tool calls. The offline planner
//! is deterministic and needs nothing but the prompt; an LLM planner (`crate::llm`) produces the same
//! shape. Plans are data: nothing here runs anything, and every step is still checked against
//! the registry before it is shown or run.

mod clauses;
mod intents;
mod lexicon;
pub mod offline;
pub mod scope;
mod shapes;
mod slots;
pub mod text;

use serde::Serialize;
use serde_json::Value;

/// One planned tool call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The tool's registry name.
    pub tool: String,
    /// Its arguments as JSON (checked against the tool's schema before use).
    pub args: Value,
}

/// What a planner made of a prompt.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    /// The calls to make, in order. Empty when refused or unclear.
    pub steps: Vec<Step>,
    /// A note for the user: why nothing was planned, or what was assumed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A question to ask when a required detail is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clarify: Option<String>,
    /// Set when the prompt asked for something outside the vetted tools.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
}

impl Plan {
    /// A plan that asks a question instead of acting.
    pub fn clarify(question: impl Into<String>) -> Plan {
        Plan { clarify: Some(question.into()), ..Plan::default() }
    }

    /// A plan that refuses the whole prompt.
    pub fn refuse(reason: impl Into<String>) -> Plan {
        Plan { message: Some(reason.into()), refused: true, ..Plan::default() }
    }

    /// A plan with nothing to do and a note saying why.
    pub fn nothing(message: impl Into<String>) -> Plan {
        Plan { message: Some(message.into()), ..Plan::default() }
    }
}

/// Which planner made a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlannerKind {
    /// The deterministic rules in [`offline`].
    Offline,
    /// A language model through tool calling.
    Llm,
}

impl PlannerKind {
    /// The name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            PlannerKind::Offline => "offline",
            PlannerKind::Llm => "llm",
        }
    }
}
