//! `diagnose --watch` and the REPL's `/watch`: diagnose again at each interval and print only
//! what changed — findings that appeared and findings that went away, by stable id (a pod
//! replaced by another with the same fault is no change) — each with the time, until
//! Ctrl-C. The loop takes its diagnosis, its wait and its clock as arguments, so tests drive
//! it with a fake source and no real time.

use std::collections::BTreeMap;
use std::future::Future;

use super::Gated;

/// The shortest interval.
pub const MIN_INTERVAL_SECONDS: i64 = 2;
/// The longest interval.
pub const MAX_INTERVAL_SECONDS: i64 = 3600;
/// The interval when none is given.
pub const DEFAULT_INTERVAL_SECONDS: i64 = 10;

/// Parses an interval (`10s`, `1m`), within [`MIN_INTERVAL_SECONDS`]..=[`MAX_INTERVAL_SECONDS`].
pub fn interval(text: &str) -> Result<std::time::Duration, String> {
    let seconds = crate::validate::duration("interval", text).map_err(|error| error.to_string())?;
    if !(MIN_INTERVAL_SECONDS..=MAX_INTERVAL_SECONDS).contains(&seconds) {
        return Err(format!("interval `{text}` is outside 2s..1h"));
    }
    Ok(std::time::Duration::from_secs(seconds.unsigned_abs()))
}

/// What changed between two diagnoses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Findings that appeared (one line each).
    pub new: Vec<String>,
    /// Findings that went away (one line each, as they were).
    pub resolved: Vec<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.resolved.is_empty()
    }

    /// The lines to print, each stamped with `time`.
    pub fn render(&self, time: &str) -> String {
        let mut text = String::new();
        for line in &self.new {
            text.push_str(&format!("[{time}] new: {line}\n"));
        }
        for line in &self.resolved {
            text.push_str(&format!("[{time}] resolved: {line}\n"));
        }
        text
    }
}

/// The findings seen last, by id.
#[derive(Debug, Clone, Default)]
pub struct Watcher {
    known: BTreeMap<String, String>,
}

impl Watcher {
    /// Starts from a first diagnosis.
    pub fn new(first: &Gated) -> Watcher {
        Watcher { known: lines(first) }
    }

    /// How many findings are known.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether no finding is known.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Takes the next diagnosis; returns what changed since the last.
    pub fn observe(&mut self, next: &Gated) -> Changes {
        let now = lines(next);
        let changes = Changes {
            new: now.iter().filter(|(id, _)| !self.known.contains_key(*id)).map(|(_, l)| l.clone()).collect(),
            resolved: self.known.iter().filter(|(id, _)| !now.contains_key(*id)).map(|(_, l)| l.clone()).collect(),
        };
        self.known = now;
        changes
    }
}

/// Each finding's line, by id.
fn lines(gated: &Gated) -> BTreeMap<String, String> {
    gated
        .report
        .findings
        .iter()
        .zip(&gated.ids)
        .map(|(finding, id)| {
            let namespace = if finding.object.namespace.is_empty() {
                String::new()
            } else {
                format!(" ({})", finding.object.namespace)
            };
            let line = format!(
                "{} {} {}{namespace}: {}",
                finding.severity.name().to_uppercase(),
                finding.code,
                finding.object.display(),
                crate::sanitize::one_line(&finding.message)
            );
            (id.clone(), line)
        })
        .collect()
}

/// The loop: starting from `first`, waits (`wait` returns false to stop: Ctrl-C), diagnoses
/// (`diagnose` returns `None` to stop), and emits the changes stamped with `clock()`. A
/// diagnosis that fails is reported and retried at the next interval. Returns the number
/// of diagnoses made after the first.
pub async fn run<D, DF, W, WF, E>(
    first: &Gated,
    mut diagnose: D,
    mut wait: W,
    clock: impl Fn() -> String,
    mut emit: impl FnMut(&str),
) -> usize
where
    D: FnMut() -> DF,
    DF: Future<Output = Option<Result<Gated, E>>>,
    W: FnMut() -> WF,
    WF: Future<Output = bool>,
    E: std::fmt::Display,
{
    let mut watcher = Watcher::new(first);
    let mut rounds = 0;
    while wait().await {
        let Some(next) = diagnose().await else { break };
        rounds += 1;
        match next {
            Ok(gated) => {
                let changes = watcher.observe(&gated);
                if !changes.is_empty() {
                    emit(&changes.render(&clock()));
                }
            }
            Err(error) => emit(&format!(
                "[{}] diagnose failed: {} (trying again at the next interval)\n",
                clock(),
                crate::sanitize::one_line(&error.to_string())
            )),
        }
    }
    rounds
}
