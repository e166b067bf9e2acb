//! What a turn reports, and the renderers that show it. The engine and the executor never
//! print: they emit [`TurnEvent`]s, and each front end decides where and how each one goes.
//! `ask` and direct commands print results on stdout (data) and everything else on stderr;
//! `plan` prints the plan itself on stdout; the REPL prints the same way as `ask`; the MCP
//! server collects notes for its log.
//!
//! Every renderer here makes text from outside the user's keyboard safe for the terminal
//! ([`crate::sanitize::terminal`]) before printing it.

use std::io::Write;

use serde_json::Value;

use super::plan::{CheckedPlan, render_plan_text};
use crate::cli::OutputFormat;
use crate::error::CliError;
use crate::executor::{self, EventSink, StepResult};
use crate::sanitize;
use crate::tools::CheckedCall;

/// Something a turn reports.
#[derive(Debug)]
pub enum TurnEvent<'a> {
    /// A plan about to run (or, when it has no calls, why nothing will).
    Planned(&'a CheckedPlan),
    /// A one-line note ("planning offline instead …").
    Notice(&'a str),
    /// Something the executor reports (dry-run preview, not approved, skipped steps …).
    Step(executor::Event<'a>),
    /// The model asks for several calls at once (each is approved on its own).
    ModelCalls(&'a [CheckedCall]),
    /// A call ended.
    StepDone {
        /// The call.
        call: &'a CheckedCall,
        /// How it ended.
        result: &'a StepResult,
    },
    /// A line of the model's answer (already redacted).
    Answer(&'a str),
    /// The turn failed after some steps ran (nothing is retried).
    Failed(&'a CliError),
    /// What `fix` did: before, each proposal, after.
    Fixed(&'a super::fix::FixReport),
}

/// A front end's rendering of turn events.
pub trait Renderer: Send {
    /// Shows one event.
    fn render(&mut self, event: TurnEvent<'_>);

    /// Called once at the end of a turn (renderers that collect, such as `-o json`, print
    /// here).
    fn finish(&mut self) -> Result<(), CliError> {
        Ok(())
    }
}

/// Adapts a renderer to the executor's event sink.
pub struct StepEvents<'a>(pub &'a mut dyn Renderer);

impl EventSink for StepEvents<'_> {
    fn event(&mut self, event: executor::Event<'_>) {
        self.0.render(TurnEvent::Step(event));
    }
}

/// Where the plan of an `ask`-style turn goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanPlacement {
    /// On stderr, before the results (progress for `ask`, direct commands and the REPL).
    Stderr,
    /// Nowhere (a direct command has nothing to plan).
    Hidden,
}

/// The terminal renderer of `ask`, direct commands and the REPL: results (data) on stdout
/// in the chosen format, everything else on stderr.
pub struct Terminal {
    output: OutputFormat,
    plan: PlanPlacement,
    quiet: bool,
    /// `-o json|yaml`: the results of the turn, printed together at the end.
    collected: Vec<Value>,
    /// Set when writing to stdout failed for a reason other than a closed pipe.
    write_error: Option<CliError>,
}

impl Terminal {
    /// A renderer for `output`; `quiet` (`-q`) keeps only errors on stderr.
    pub fn new(output: OutputFormat, plan: PlanPlacement, quiet: bool) -> Terminal {
        Terminal { output, plan, quiet, collected: Vec::new(), write_error: None }
    }

    fn data(&self) -> bool {
        matches!(self.output, OutputFormat::Json | OutputFormat::Yaml)
    }

    fn stdout(&mut self, text: &str) {
        if self.write_error.is_none()
            && let Err(error) = crate::commands::write_stdout(&ensure_newline(&sanitize::terminal(text)))
        {
            self.write_error = Some(error);
        }
    }

    fn stderr(&self, text: &str) {
        let _ = std::io::stderr().write_all(ensure_newline(&sanitize::terminal(text)).as_bytes());
    }
}

impl Renderer for Terminal {
    fn render(&mut self, event: TurnEvent<'_>) {
        match event {
            TurnEvent::Planned(plan) if plan.is_empty() => {
                // Nothing will run: the plan's message is the answer, as data when asked.
                if self.data() {
                    self.collected.push(plan.to_json());
                } else {
                    self.stdout(&render_plan_text(plan));
                }
            }
            TurnEvent::Planned(plan) => {
                if self.plan == PlanPlacement::Stderr && !self.quiet {
                    self.stderr(&render_plan_text(plan));
                }
            }
            TurnEvent::Notice(text) => {
                if !self.quiet {
                    self.stderr(text);
                }
            }
            TurnEvent::Step(event) => {
                let quiet_about_it = matches!(event, executor::Event::DryRun { .. } | executor::Event::Skipped { .. });
                if !(self.quiet && quiet_about_it) {
                    self.stderr(&event.text());
                }
            }
            TurnEvent::ModelCalls(calls) => {
                if !self.quiet {
                    let mut text = format!("the model asks for {} steps (each is approved on its own):", calls.len());
                    for (index, call) in calls.iter().enumerate() {
                        text.push_str(&format!("\n  {}. {} [{}]", index + 1, call.preview(), call.effect()));
                    }
                    self.stderr(&text);
                }
            }
            TurnEvent::StepDone { call, result } => {
                if self.data() {
                    self.collected.push(result.to_json(call));
                    return;
                }
                match result {
                    StepResult::Ran(output) => self.stdout(&output.text),
                    StepResult::DryRun(text) => self.stdout(text),
                    StepResult::Denied => {}
                    StepResult::Forbidden(reason) => self.stderr(&format!("refused: {reason}")),
                    StepResult::Failed(tool_error) => {
                        let mut error = CliError::new(crate::redact::text(&tool_error.to_string()));
                        error.hint = tool_error.hint();
                        error.cause = tool_error.cause().map(|cause| crate::redact::text(&cause));
                        self.stderr(error.render().trim_end());
                    }
                }
            }
            TurnEvent::Answer(line) => self.stdout(line.trim_end_matches('\n')),
            TurnEvent::Failed(error) => self.stderr(error.render().trim_end()),
            TurnEvent::Fixed(report) => {
                if self.data() {
                    // The fix report holds each proposal's outcome: it replaces the steps'.
                    self.collected.clear();
                    self.collected.push(serde_json::to_value(report).unwrap_or_default());
                } else {
                    self.stdout(&report.text());
                }
            }
        }
    }

    fn finish(&mut self) -> Result<(), CliError> {
        if let Some(error) = self.write_error.take() {
            return Err(error);
        }
        if self.data() && !self.collected.is_empty() {
            let value = if self.collected.len() == 1 {
                self.collected.remove(0)
            } else {
                Value::Array(std::mem::take(&mut self.collected))
            };
            crate::commands::write_stdout(&crate::commands::render_data(&value, self.output)?)?;
        }
        Ok(())
    }
}

/// A renderer that keeps the text of notes and executor events (the MCP server's log, tests).
#[derive(Debug, Default)]
pub struct Collect {
    /// The lines, in order.
    pub lines: Vec<String>,
}

impl Renderer for Collect {
    fn render(&mut self, event: TurnEvent<'_>) {
        let line = match event {
            TurnEvent::Notice(text) | TurnEvent::Answer(text) => text.to_string(),
            TurnEvent::Step(event) => event.text(),
            TurnEvent::Failed(error) => error.render(),
            TurnEvent::Fixed(report) => report.text(),
            TurnEvent::Planned(_) | TurnEvent::ModelCalls(_) | TurnEvent::StepDone { .. } => return,
        };
        self.lines.push(line);
    }
}

fn ensure_newline(text: &str) -> String {
    if text.ends_with('\n') { text.to_string() } else { format!("{text}\n") }
}
