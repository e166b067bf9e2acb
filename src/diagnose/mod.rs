//! Deterministic root-cause analysis of a namespace: pure functions from typed cluster views
//! to findings. Each finding has a fixed [`Code`], a severity, the object, a specific
//! message, the evidence it rests on, concrete fixes, and the symptoms it explains
//! (`related`). Root causes come first, then severity, then kind and name — stable across
//! runs.
//!
//! Rules come from Kubernetes semantics: container states, reasons and exit codes, pod
//! conditions, scheduler messages, controller conditions, Service/Endpoints/Ingress wiring,
//! autoscaler and disruption-budget status. Healthy things produce nothing: succeeded pods,
//! restarts long ago on a ready pod, ExternalName and selector-less Services, an HPA at its
//! minimum.
//!
//! The analyzers read an [`Inventory`] of typed views (`crate::cluster::model`), split one
//! module per area in `analyzers/`; `run` gathers live (paged LISTs) or reads a snapshot in
//! place, then reads logs where they help: crashed containers' previous logs, and for a named
//! target, the recent logs of its running pods.

mod analyzers;
mod code;
pub mod gate;
mod inventory;
mod logs;
pub mod remediate;
mod render;

use serde::Serialize;

use crate::cluster::Objects;

pub use analyzers::explain_exit_code;
pub use code::Code;
pub use inventory::{Inventory, Source};
pub use logs::telling_line;
pub use render::{render_markdown, render_text};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something is down or cannot start.
    Critical,
    /// Degraded, or will fail under change.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The name used in output and `--fail-on`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    /// Kind, e.g. `Pod`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Namespace (empty for cluster-scoped objects).
    pub namespace: String,
}

impl ObjectRef {
    /// `Kind/name`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The fixed code (`CrashLoopBackOff`, `MissingSecret` …).
    pub code: Code,
    /// How bad.
    pub severity: Severity,
    /// What it is about.
    pub object: ObjectRef,
    /// What is wrong, specifically.
    pub message: String,
    /// The status lines and events it rests on.
    pub evidence: Vec<String>,
    /// What to do.
    pub fix: Vec<String>,
    /// Symptoms this explains (`Kind/name` of other findings' objects).
    pub related: Vec<String>,
    /// Whether it is a root cause (nothing else explains it).
    pub root_cause: bool,
    /// The workload that owns the object (a pod's Deployment, an autoscaler's target), for
    /// acting on the finding; not part of the report's JSON.
    #[serde(skip)]
    pub workload: Option<ObjectRef>,
    /// The container it is about, when it is about one; not part of the report's JSON.
    #[serde(skip)]
    pub container: Option<String>,
    /// Typed fixes todo-ai can apply (calls to the vetted tools, with why and evidence).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remediations: Vec<remediate::Remediation>,
}

impl Finding {
    /// A stable identity for the problem, whatever the pod's generated name: code, kind,
    /// namespace, owning workload (else the object's name) and container.
    pub fn identity(&self) -> String {
        let owner = self.workload.as_ref().map_or_else(|| self.object.name.clone(), ObjectRef::display);
        format!(
            "{}/{}/{}/{owner}/{}",
            self.code,
            self.object.kind,
            self.object.namespace,
            self.container.as_deref().unwrap_or_default()
        )
    }
}

/// The analysis of a namespace.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Findings, root causes first.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
    /// The objects looked at that findings can be about (workloads, pods, Services …), with
    /// their Helm release; for JUnit test cases and SARIF locations, not part of the JSON.
    #[serde(skip)]
    pub checked: Vec<gate::Checked>,
}

/// Counts for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The namespace analysed.
    pub namespace: String,
    /// Findings by severity.
    pub critical: usize,
    /// Findings by severity.
    pub warning: usize,
    /// Findings by severity.
    pub info: usize,
    /// Root causes among them.
    pub root_causes: usize,
    /// Objects looked at.
    pub objects_checked: usize,
    /// Kinds that could not be read (RBAC), so were not checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
}

/// Gathers a namespace from the cluster (or reads the snapshot in place) and analyses it.
/// Kinds that could not be read are listed in the report's summary.
pub async fn run(
    cluster: &crate::cluster::Cluster,
    namespace: &str,
    target: Option<&str>,
    ceilings: &crate::validate::Limits,
) -> Result<Report, crate::cluster::ClusterError> {
    let report = match cluster {
        crate::cluster::Cluster::Snapshot { objects, .. } => {
            analyze_with(objects, namespace, target, Source { ceilings: *ceilings, ..Source::default() })
        }
        crate::cluster::Cluster::Live(_) => {
            let gathered = cluster.gather(namespace).await?;
            let source = Source {
                ingress_classes_listed: gathered.listed.iter().any(|kind| kind == "ingressclasses"),
                ceilings: *ceilings,
            };
            let mut report = analyze_with(&gathered.objects, namespace, target, source);
            let pods = target.map(|target| logs::target_pods(&gathered.objects, namespace, target)).unwrap_or_default();
            report.summary.unchecked = gathered.unchecked;
            logs::quote_crash_logs(cluster, namespace, &mut report).await;
            if !pods.is_empty() {
                logs::scan_target_logs(cluster, namespace, &pods, &mut report).await;
            }
            report
        }
    };
    Ok(report)
}

/// Analyses a namespace of a snapshot; `target` limits the report to findings about that
/// name (and the root causes behind them).
pub fn analyze(objects: &Objects, namespace: &str, target: Option<&str>) -> Report {
    analyze_with(objects, namespace, target, Source::default())
}

/// Analyses a namespace, knowing more about where the objects came from.
pub fn analyze_with(objects: &Objects, namespace: &str, target: Option<&str>, source: Source) -> Report {
    let inventory = Inventory::new(objects, namespace, source);
    let mut findings = analyzers::run(&inventory);
    link_root_causes(&mut findings);
    remediate::attach(&inventory, &mut findings, &inventory.source.ceilings);
    if let Some(target) = target {
        let target = target_name(target);
        findings.retain(|f| {
            f.object.name.contains(target.as_str())
                || f.related.iter().any(|r| r.to_ascii_lowercase().contains(target.as_str()))
        });
    }
    order(&mut findings);
    redact(&mut findings);
    let summary = summarize(&findings, namespace, inventory.count());
    let checked = gate::checked_objects(&inventory);
    Report { findings, summary, checked }
}

/// Root causes first, then severity, namespace, kind, name and code.
fn order(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (!a.root_cause, a.severity, &a.object.namespace, &a.object.kind, &a.object.name, a.code)
            .cmp(&(!b.root_cause, b.severity, &b.object.namespace, &b.object.kind, &b.object.name, b.code))
    });
}

/// The name a target means (`deploy/api` → `api`), lower case.
fn target_name(target: &str) -> String {
    target.split_once('/').map_or(target, |(_, name)| name).to_ascii_lowercase()
}

/// Redacts what findings quote (any field a workload writes may carry a secret).
fn redact(findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        finding.message = crate::redact::text(&finding.message);
        for line in &mut finding.evidence {
            *line = crate::redact::text(line);
        }
    }
}

/// Counts findings.
fn summarize(findings: &[Finding], namespace: &str, objects_checked: usize) -> Summary {
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    Summary {
        namespace: namespace.to_string(),
        critical: count(Severity::Critical),
        warning: count(Severity::Warning),
        info: count(Severity::Info),
        root_causes: findings.iter().filter(|f| f.root_cause).count(),
        objects_checked,
        unchecked: Vec::new(),
    }
}

/// Marks which findings are explained by others: a finding listing another's object in
/// `related` is its cause; anything not explained by another finding is a root cause.
fn link_root_causes(findings: &mut [Finding]) {
    let explained: std::collections::HashSet<String> =
        findings.iter().flat_map(|f| f.related.iter().cloned()).collect();
    for finding in findings.iter_mut() {
        finding.root_cause = !explained.contains(&finding.object.display());
        finding.related.sort();
        finding.related.dedup();
    }
}

/// One report for several namespaces (`-A`).
pub fn merge(mut reports: Vec<Report>, all: bool) -> Report {
    if reports.len() == 1 && !all {
        return reports.remove(0);
    }
    let mut findings = Vec::new();
    let mut checked = Vec::new();
    let mut summary = Summary {
        namespace: "all namespaces".into(),
        critical: 0,
        warning: 0,
        info: 0,
        root_causes: 0,
        objects_checked: 0,
        unchecked: Vec::new(),
    };
    for report in reports {
        summary.critical += report.summary.critical;
        summary.warning += report.summary.warning;
        summary.info += report.summary.info;
        summary.root_causes += report.summary.root_causes;
        summary.objects_checked += report.summary.objects_checked;
        summary.unchecked.extend(report.summary.unchecked);
        findings.extend(report.findings);
        checked.extend(report.checked);
    }
    summary.unchecked.sort();
    summary.unchecked.dedup();
    checked.sort();
    checked.dedup();
    Report { findings, summary, checked }
}

/// Diagnoses several namespaces and merges the reports (`all`: every namespace, so the
/// summary says "all namespaces" even when there is one).
pub async fn run_namespaces(
    cluster: &crate::cluster::Cluster,
    namespaces: &[String],
    target: Option<&str>,
    all: bool,
    ceilings: &crate::validate::Limits,
) -> Result<Report, crate::cluster::ClusterError> {
    let mut reports = Vec::new();
    for namespace in namespaces {
        reports.push(run(cluster, namespace, target, ceilings).await?);
    }
    Ok(merge(reports, all))
}

#[cfg(test)]
mod tests;
