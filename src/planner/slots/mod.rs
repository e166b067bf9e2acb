//! Slot filling: turning one clause with a known intent into tool calls. Each tool (or small
//! family of tools) has its own file that reads the clause's words for its arguments:
//! [`scale`], [`autoscale`], [`logs`], [`events`], [`reads`] (status and diagnose),
//! [`rollout`] (restart, status, undo), [`set_image`], [`resources`], [`helm`] (install, rollback) and
//! [`containerise`] (Dockerfile, build). What they share lives beside this file: [`targets`]
//! (which words name the objects to act on, and what "it" refers to), [`namespace`] and
//! [`numbers`] (each number handed out once).
//!
//! A clause is filled through one [`Fill`]: the namespace is read first, so its words are
//! never taken for a target; then the tool's file takes flags, numbers and names, marking
//! each token it uses. A missing required slot makes a clarifying question ([`Built::Clarify`])
//! instead of steps. Argument keys are the tools' schema names; values are checked later by
//! the registry, not here.

mod autoscale;
mod containerise;
mod events;
mod helm;
mod logs;
mod namespace;
mod numbers;
mod reads;
mod resources;
mod rollout;
mod scale;
mod set_image;
mod targets;

use serde_json::{Map, Value, json};

use self::numbers::Numbers;
use self::targets::{Refs, targets};
use super::Step;
use super::clauses::Clause;
use super::intents::Intent;
use super::text::{Kind, Token};

use self::namespace::all_namespaces;
pub(super) use self::namespace::namespace_of;

/// What filling a clause gave.
pub(super) enum Built {
    /// The calls to make, and the targets they act on (what "it" means in the next clause).
    Steps {
        /// One call per target, or one call when the tool takes none.
        steps: Vec<Step>,
        /// The targets named, for the next clause's "it".
        targets: Vec<String>,
    },
    /// A required slot is missing: the question to ask instead.
    Clarify(String),
}

/// Fills a clause's slots. `previous_targets` are what "it" refers to; `prompt_namespace` is
/// a namespace named elsewhere in the prompt, used when the clause names none.
pub(super) fn build(clause: &Clause, previous_targets: &[String], prompt_namespace: Option<&str>) -> Built {
    let fill = Fill::new(clause, previous_targets, prompt_namespace);
    match clause.intent {
        Intent::Scale => scale::scale(fill),
        Intent::Autoscale => autoscale::autoscale(fill),
        Intent::Logs => logs::logs(fill),
        Intent::Events => events::events(fill),
        Intent::Status | Intent::Diagnose => reads::status_or_diagnose(fill),
        Intent::Fix => fill.optional_target(),
        Intent::RolloutRestart | Intent::RolloutStatus => rollout::restart_or_status(fill),
        Intent::RolloutUndo => rollout::undo(fill),
        Intent::SetImage => set_image::set_image(fill),
        Intent::SetResources => resources::set_resources(fill),
        Intent::HelmInstall => helm::install(fill),
        Intent::HelmRollback => helm::rollback(fill),
        Intent::GenerateDockerfile => containerise::dockerfile(fill),
        Intent::BuildImage => containerise::build_image(fill),
    }
}

/// One clause being filled: its words, what it may refer back to, and the slots so far.
struct Fill<'a> {
    /// What the clause asks for.
    intent: Intent,
    /// The clause's tokens.
    tokens: &'a [Token],
    /// The clause's words, lower case.
    words: Vec<&'a str>,
    /// What a target search may use besides the clause's own words.
    refs: Refs<'a>,
    /// Tokens already read as a slot, so they are not read again as a target.
    used: Vec<bool>,
    /// The clause's numbers, each handed out once.
    numbers: Numbers<'a>,
    /// The arguments filled so far, by schema name.
    args: Map<String, Value>,
    /// A namespace only "in X" named: X may be the deployment instead.
    weak_namespace: Option<String>,
}

impl<'a> Fill<'a> {
    /// Starts filling a clause: reads its namespace (or takes the prompt's) first.
    fn new(clause: &'a Clause, previous_targets: &'a [String], prompt_namespace: Option<&str>) -> Fill<'a> {
        let tokens = clause.tokens.as_slice();
        let mut used = vec![false; tokens.len()];
        let mut args = Map::new();
        let mut weak_namespace = None;
        if clause.intent.takes_namespace() {
            if let Some(found) = namespace_of(tokens) {
                for index in &found.used {
                    used[*index] = true;
                }
                if found.weak {
                    weak_namespace = Some(found.name.clone());
                }
                args.insert("namespace".into(), json!(found.name));
            } else if let Some(name) = prompt_namespace {
                args.insert("namespace".into(), json!(name));
            }
        }
        Fill {
            intent: clause.intent,
            tokens,
            words: tokens.iter().filter(|t| t.is_word()).map(|t| t.lower.as_str()).collect(),
            refs: Refs { previous: previous_targets, roles: &clause.roles, context: &clause.context },
            used,
            numbers: Numbers::new(tokens),
            args,
            weak_namespace,
        }
    }

    /// Whether the clause has the word `word` (lower case).
    fn has_word(&self, word: &str) -> bool {
        self.words.contains(&word)
    }

    /// The first flag named one of `wanted`: its token index and its value.
    fn flag(&self, wanted: &[&str]) -> Option<(usize, Option<&'a str>)> {
        self.tokens.iter().enumerate().find_map(|(index, t)| match &t.kind {
            Kind::Flag { name, value } if wanted.contains(&name.as_str()) => Some((index, value.as_deref())),
            _ => None,
        })
    }

    /// The clause's targets ([`targets::targets`]), marking their tokens used.
    fn targets(&mut self) -> Vec<String> {
        targets(self.tokens, &mut self.used, self.intent, &self.refs)
    }

    /// One step per target, each with the clause's arguments and `key` set to the target.
    fn per_target(&self, key: &str, targets: Vec<String>) -> Built {
        let steps = targets
            .iter()
            .map(|target| {
                let mut args = self.args.clone();
                args.insert(key.to_string(), json!(target));
                Step { tool: self.intent.tool().to_string(), args: Value::Object(args) }
            })
            .collect();
        Built::Steps { steps, targets }
    }

    /// One step with the clause's arguments, acting on no named target.
    fn single(self) -> Built {
        Built::Steps {
            steps: vec![Step { tool: self.intent.tool().to_string(), args: Value::Object(self.args) }],
            targets: Vec::new(),
        }
    }

    /// One step per target named (as `target`), or one step for everything when none is.
    fn optional_target(mut self) -> Built {
        let targets = self.targets();
        if targets.is_empty() { self.single() } else { self.per_target("target", targets) }
    }

    /// [`Fill::optional_target`], or every namespace when the clause asks for that and names
    /// no namespace of its own.
    fn cluster_wide_target(mut self) -> Built {
        let targets = self.targets();
        let own_namespace = namespace_of(self.tokens).is_some();
        if !own_namespace && all_namespaces(self.tokens, !targets.is_empty()) {
            self.args.remove("namespace");
            self.args.insert("all_namespaces".into(), json!(true));
        }
        if targets.is_empty() { self.single() } else { self.per_target("target", targets) }
    }

    /// The revision to go back to: `--to-revision`, "revision 3", or the clause's number.
    fn revision(&mut self) -> Option<i64> {
        self.tokens
            .iter()
            .find_map(|t| match &t.kind {
                Kind::Flag { name, value: Some(value) } if name == "to-revision" || name == "revision" => {
                    value.parse().ok()
                }
                _ => None,
            })
            .or_else(|| self.numbers.after(&["revision", "rev", "version", "v"]))
            .or_else(|| self.numbers.first())
    }
}
