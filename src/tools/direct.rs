//! The command-line shape of a tool: its clap arguments (whose doc comments are `--help`)
//! and the one mapping from them to the tool's typed arguments. `todo-ai scale backend 3`
//! parses into [`crate::tools::ScaleCommand`], becomes a [`crate::tools::ScaleArgs`] here, and
//! from then on is the same checked call a planner would make.

use std::fmt;

use super::Tool;

/// A tool offered as a direct subcommand.
pub trait Direct: Tool {
    /// The subcommand's arguments.
    type Command: clap::Args + fmt::Debug;

    /// The tool's arguments for a parsed command. `namespace` is `-n` when it was given.
    fn args(&self, command: Self::Command, namespace: Option<String>) -> Self::Args;

    /// Whether the command asks to follow the deployment's rollout after the change
    /// (`scale --wait`).
    fn waits_for_rollout(&self, command: &Self::Command) -> bool {
        let _ = command;
        false
    }
}

/// Parses `KEY=VALUE` (for `--set` and `--build-arg`).
pub fn parse_key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{text}`"))
}
