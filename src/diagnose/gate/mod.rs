//! Diagnose as a CI gate: stable finding ids, a baseline to compare against (`new`,
//! `unchanged`, `resolved`), accepted findings (`.todo-ai/ignore.yaml`), the gate on new
//! findings only, and the formats pipelines read (SARIF, JUnit, GitHub annotations); plus
//! the watch loop that prints only what changed.
//!
//! Everything here is a pure function of a [`Report`] and the files read for it, so the
//! command, the REPL and the tests share it.

pub mod baseline;
pub mod github;
pub mod ignore;
pub mod junit;
mod rules;
pub mod sarif;
mod text;
pub mod watch;

use serde_json::{Map, Value};

pub use crate::bounded::Links;

use super::{Finding, ObjectRef, Report, Severity};

pub use baseline::{Baseline, BaselineError, Resolved};
pub use ignore::{IgnoreError, IgnoreFile};
pub use text::{render_markdown, render_text};

/// The annotation Helm sets to the release that manages an object.
pub const HELM_RELEASE_ANNOTATION: &str = "meta.helm.sh/release-name";

/// An object diagnose looked at that findings can be about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Checked {
    /// The object.
    pub object: ObjectRef,
    /// Its Helm release (`meta.helm.sh/release-name`), when a chart manages it.
    pub helm_release: Option<String>,
    /// Its `helm.sh/chart` label (`<chart>-<version>`), when it has one.
    pub helm_chart: Option<String>,
}

/// The objects of an inventory that findings can be about: workloads, pods, Services,
/// Ingresses, autoscalers, claims, budgets and nodes (not events, ReplicaSets, Endpoints or
/// key-only Secrets and ConfigMaps, which are evidence).
pub(super) fn checked_objects(inventory: &super::Inventory<'_>) -> Vec<Checked> {
    use crate::cluster::model::Meta;
    let mut checked = Vec::new();
    let mut add = |kind: &str, meta: &Meta| {
        checked.push(Checked {
            object: ObjectRef { kind: kind.to_string(), name: meta.name.clone(), namespace: meta.namespace.clone() },
            helm_release: meta.annotations.get(HELM_RELEASE_ANNOTATION).cloned(),
            helm_chart: meta.labels.get("helm.sh/chart").cloned(),
        });
    };
    inventory.deployments.iter().for_each(|o| add("Deployment", &o.metadata));
    inventory.statefulsets.iter().for_each(|o| add("StatefulSet", &o.metadata));
    inventory.daemonsets.iter().for_each(|o| add("DaemonSet", &o.metadata));
    inventory.jobs.iter().for_each(|o| add("Job", &o.metadata));
    inventory.pods.iter().for_each(|o| add("Pod", &o.metadata));
    inventory.services.iter().for_each(|o| add("Service", &o.metadata));
    inventory.ingresses.iter().for_each(|o| add("Ingress", &o.metadata));
    inventory.hpas.iter().for_each(|o| add("HorizontalPodAutoscaler", &o.metadata));
    inventory.claims.iter().for_each(|o| add("PersistentVolumeClaim", &o.metadata));
    inventory.budgets.iter().for_each(|o| add("PodDisruptionBudget", &o.metadata));
    inventory.nodes.iter().for_each(|o| add("Node", &o.metadata));
    checked.sort();
    checked.dedup();
    checked
}

/// A finding's stable id: the first 16 hex digits of the 64-bit FNV-1a hash of its
/// [`Finding::identity`] (code, kind, namespace, owning workload, container), so a new pod
/// name gives the same id.
pub fn finding_id(finding: &Finding) -> String {
    id_of(&finding.identity())
}

/// The id of an identity string.
pub fn id_of(identity: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = identity.bytes().fold(OFFSET, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME));
    format!("{hash:016x}")
}

/// A finding compared with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not in the baseline.
    New,
    /// In the baseline too.
    Unchanged,
}

impl Status {
    /// The name in output.
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Unchanged => "unchanged",
        }
    }
}

/// What fails the gate (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// The least severe finding that fails; `None` never fails.
    pub severity: Option<Severity>,
    /// Only findings new since the baseline fail.
    pub new_only: bool,
}

impl Threshold {
    /// Critical findings fail (the default).
    pub const CRITICAL: Threshold = Threshold { severity: Some(Severity::Critical), new_only: false };
}

/// An ignore entry that has expired, so hides nothing any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    /// Its place: `file` entry number (from 1).
    pub entry: usize,
    /// Its code.
    pub code: String,
    /// Its object pattern.
    pub object: String,
    /// When it expired (`YYYY-MM-DD`).
    pub expires: String,
    /// How many findings it would have hidden (now shown).
    pub matched: usize,
}

/// A report with the gate applied: accepted findings hidden (and counted), every finding
/// with its id and, against a baseline, its status; baseline findings that are gone.
#[derive(Debug, Clone)]
pub struct Gated {
    /// The shown findings (summary counts recomputed for them).
    pub report: Report,
    /// The id of each shown finding, in order.
    pub ids: Vec<String>,
    /// The status of each shown finding, when there is a baseline.
    pub statuses: Option<Vec<Status>>,
    /// Baseline findings that are gone (empty without a baseline).
    pub resolved: Vec<Resolved>,
    /// Findings hidden by the ignore file.
    pub accepted: usize,
    /// The ignore file used, if any (for the "hidden" note).
    pub ignore_file: Option<String>,
    /// Ignore entries that expired.
    pub expired: Vec<Expired>,
}

impl Gated {
    /// The status of the `index`th finding (`New` without a baseline: everything is new).
    pub fn status(&self, index: usize) -> Status {
        self.statuses.as_ref().and_then(|s| s.get(index).copied()).unwrap_or(Status::New)
    }

    /// Whether the `index`th finding meets the threshold.
    pub fn fails(&self, index: usize, threshold: Threshold) -> bool {
        let Some(finding) = self.report.findings.get(index) else { return false };
        threshold.severity.is_some_and(|severity| finding.severity <= severity)
            && (!threshold.new_only || self.status(index) == Status::New)
    }

    /// Whether any finding meets the threshold (exit 1).
    pub fn failing(&self, threshold: Threshold) -> bool {
        (0..self.report.findings.len()).any(|index| self.fails(index, threshold))
    }

    /// How many shown findings have a status.
    pub fn count(&self, status: Status) -> usize {
        (0..self.report.findings.len()).filter(|&index| self.status(index) == status).count()
    }

    /// The JSON document: the report's fields unchanged, plus `id` (and `status`) on each
    /// finding, `new`/`unchanged`/`resolved` and `accepted` counts in the summary, and the
    /// `resolved` findings and `expired_ignores` entries.
    pub fn to_json(&self) -> Value {
        let mut findings = Vec::with_capacity(self.report.findings.len());
        for (index, finding) in self.report.findings.iter().enumerate() {
            let mut object = Map::new();
            object.insert("id".into(), Value::String(self.ids.get(index).cloned().unwrap_or_default()));
            if self.statuses.is_some() {
                object.insert("status".into(), Value::String(self.status(index).name().into()));
            }
            if let Ok(Value::Object(fields)) = serde_json::to_value(finding) {
                object.extend(fields);
            }
            findings.push(Value::Object(object));
        }
        let mut summary = match serde_json::to_value(&self.report.summary) {
            Ok(Value::Object(summary)) => summary,
            _ => Map::new(),
        };
        if self.statuses.is_some() {
            summary.insert("new".into(), self.count(Status::New).into());
            summary.insert("unchanged".into(), self.count(Status::Unchanged).into());
            summary.insert("resolved".into(), self.resolved.len().into());
        }
        if self.ignore_file.is_some() {
            summary.insert("accepted".into(), self.accepted.into());
        }
        let mut document = Map::new();
        document.insert("findings".into(), Value::Array(findings));
        document.insert("summary".into(), Value::Object(summary));
        if self.statuses.is_some() {
            document.insert("resolved".into(), Value::Array(self.resolved.iter().map(Resolved::to_json).collect()));
        }
        if !self.expired.is_empty() {
            let expired = self
                .expired
                .iter()
                .map(|e| {
                    serde_json::json!({"entry": e.entry, "code": e.code, "object": e.object, "expires": e.expires, "matched": e.matched})
                })
                .collect();
            document.insert("expired_ignores".into(), Value::Array(expired));
        }
        Value::Object(document)
    }
}

/// Applies the ignore file (as of `today`, `YYYY-MM-DD`) and the baseline to a report.
pub fn apply(report: Report, baseline: Option<&Baseline>, ignore: Option<&IgnoreFile>, today: &str) -> Gated {
    let all_ids: Vec<String> = report.findings.iter().map(finding_id).collect();
    let resolved = baseline.map(|baseline| baseline.resolved(&all_ids)).unwrap_or_default();
    let mut report = report;
    let mut expired = Vec::new();
    let mut accepted = 0;
    let mut ids = Vec::with_capacity(all_ids.len());
    if let Some(ignore) = ignore {
        let mut matched_expired = vec![0usize; ignore.entries.len()];
        let mut keep = Vec::with_capacity(report.findings.len());
        for (finding, id) in std::mem::take(&mut report.findings).into_iter().zip(all_ids) {
            match ignore.matching(&finding) {
                Some(index) if !ignore.entries[index].expired(today) => accepted += 1,
                Some(index) => {
                    matched_expired[index] += 1;
                    keep.push(finding);
                    ids.push(id);
                }
                None => {
                    keep.push(finding);
                    ids.push(id);
                }
            }
        }
        report.findings = keep;
        for (index, entry) in ignore.entries.iter().enumerate() {
            if entry.expired(today) {
                expired.push(Expired {
                    entry: index + 1,
                    code: entry.code.clone(),
                    object: entry.object.clone(),
                    expires: entry.expires.clone().unwrap_or_default(),
                    matched: matched_expired[index],
                });
            }
        }
        recount(&mut report);
    } else {
        ids = all_ids;
    }
    let statuses = baseline.map(|baseline| {
        ids.iter().map(|id| if baseline.contains(id) { Status::Unchanged } else { Status::New }).collect()
    });
    Gated { report, ids, statuses, resolved, accepted, ignore_file: ignore.map(|ignore| ignore.path.clone()), expired }
}

/// Recounts the summary after findings were hidden.
fn recount(report: &mut Report) {
    let count = |severity| report.findings.iter().filter(|f| f.severity == severity).count();
    let (critical, warning, info) = (count(Severity::Critical), count(Severity::Warning), count(Severity::Info));
    report.summary.critical = critical;
    report.summary.warning = warning;
    report.summary.info = info;
    report.summary.root_causes = report.findings.iter().filter(|f| f.root_cause).count();
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    date_of(seconds)
}

/// The UTC date of a Unix time, `YYYY-MM-DD`.
pub fn date_of(unix_seconds: u64) -> String {
    let mut time = crate::audit::rfc3339(unix_seconds);
    time.truncate(10);
    time
}

pub(crate) enum ReadFailure {
    /// The system said no, or the path is not a regular file.
    Io(String),
    /// Over the bound.
    TooLarge,
}

/// Reads a gate file as text, at most `limit` bytes, through [`crate::bounded`]. It may sit in
/// a repository someone else wrote: opening never blocks (a FIFO), the type is checked on the
/// opened file (no device or directory), and the bound is on what is read. A file found in
/// the tree (the default ignore file) is not read through a link.
pub(crate) fn read_bounded(path: &std::path::Path, limit: u64, links: Links) -> Result<String, ReadFailure> {
    crate::bounded::read_text(path, links, limit).map_err(|error| match error {
        crate::bounded::Error::TooLarge(_) => ReadFailure::TooLarge,
        other => ReadFailure::Io(other.to_string()),
    })
}

/// The UTC time of day of a Unix time, `HH:MM:SS`.
pub fn time_of(unix_seconds: u64) -> String {
    let seconds = unix_seconds % 86_400;
    format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

#[cfg(test)]
mod tests;
