//! Deterministic root-cause analysis of a namespace: pure functions from cluster objects to
//! findings. Each finding has a fixed `code`, a severity, the object, a specific message,
//! the evidence it rests on, concrete fixes, and the symptoms it explains (`related`).
//! Root causes come first, then severity, then kind and name — stable across runs.
//!
//! Rules come from Kubernetes semantics: container states and reasons, pod conditions,
//! scheduler messages, controller conditions, Service/Endpoints/Ingress wiring, autoscaler
//! and disruption-budget status. Healthy things produce nothing: succeeded pods, restarts
//! long ago on a ready pod, ExternalName and selector-less Services, an HPA at its minimum.

mod analyzers;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::cluster::Objects;

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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    pub code: &'static str,
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
}

/// The analysis of a namespace.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Findings, root causes first.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
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

/// Every object as JSON, by kind, for one namespace (plus cluster-scoped kinds).
pub struct Inventory {
    by_kind: BTreeMap<String, Vec<Value>>,
    namespace: String,
}

const CLUSTER_SCOPED: [&str; 5] = ["Node", "IngressClass", "StorageClass", "PersistentVolume", "Namespace"];

impl Inventory {
    /// Builds the inventory of `namespace` from loaded objects.
    pub fn new(objects: &Objects, namespace: &str) -> Inventory {
        let mut by_kind: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut add = |kind: &str, value: Value| {
            let object_namespace = value["metadata"]["namespace"].as_str().unwrap_or("default");
            if CLUSTER_SCOPED.contains(&kind) || object_namespace == namespace {
                by_kind.entry(kind.to_string()).or_default().push(value);
            }
        };
        for pod in &objects.pods {
            add("Pod", serde_json::to_value(pod).unwrap_or_default());
        }
        for deployment in &objects.deployments {
            add("Deployment", serde_json::to_value(deployment).unwrap_or_default());
        }
        for set in &objects.statefulsets {
            add("StatefulSet", serde_json::to_value(set).unwrap_or_default());
        }
        for set in &objects.daemonsets {
            add("DaemonSet", serde_json::to_value(set).unwrap_or_default());
        }
        for set in &objects.replicasets {
            add("ReplicaSet", serde_json::to_value(set).unwrap_or_default());
        }
        for event in &objects.events {
            add("Event", serde_json::to_value(event).unwrap_or_default());
        }
        for hpa in &objects.hpas {
            add("HorizontalPodAutoscaler", serde_json::to_value(hpa).unwrap_or_default());
        }
        for other in &objects.other {
            if let Some(kind) = other["kind"].as_str() {
                add(kind, other.clone());
            }
        }
        Inventory { by_kind, namespace: namespace.to_string() }
    }

    /// Objects of a kind.
    pub fn of(&self, kind: &str) -> &[Value] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    /// Whether an object of that kind and name exists.
    pub fn has(&self, kind: &str, name: &str) -> bool {
        self.of(kind).iter().any(|o| o["metadata"]["name"] == name)
    }

    /// The namespace analysed.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn count(&self) -> usize {
        self.by_kind.values().map(Vec::len).sum()
    }
}

/// Gathers a namespace from the cluster (or snapshot) and analyses it. Kinds that could not
/// be read are listed in the report's summary.
pub async fn run(
    cluster: &crate::cluster::Cluster,
    namespace: &str,
    target: Option<&str>,
) -> Result<Report, crate::cluster::ClusterError> {
    let gathered = cluster.gather(namespace).await?;
    let mut report = analyze(&gathered.objects, namespace, target);
    report.summary.unchecked = gathered.unchecked;
    if !cluster.is_snapshot() {
        quote_crash_logs(cluster, namespace, &mut report).await;
    }
    Ok(report)
}

/// Crashing containers whose previous logs are read, at most.
const MAX_CRASH_LOGS: usize = 5;

/// For crashing containers, reads the previous instance's last lines (bounded, concurrently)
/// and quotes the most telling one as evidence. Failures to read are ignored: the finding
/// stands on its status evidence.
async fn quote_crash_logs(cluster: &crate::cluster::Cluster, namespace: &str, report: &mut Report) {
    let crashing: Vec<usize> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            matches!(f.code, "CrashLoopBackOff" | "OOMKilled" | "ContainerStartError") && f.object.kind == "Pod"
        })
        .map(|(index, _)| index)
        .take(MAX_CRASH_LOGS)
        .collect();
    let reads = crashing.iter().map(|index| {
        let pod = report.findings[*index].object.name.clone();
        async move { cluster.pod_logs(namespace, &pod, None, true, 50, None).await.ok() }
    });
    let logs = futures::future::join_all(reads).await;
    for (index, log) in crashing.into_iter().zip(logs) {
        if let Some(line) = log.as_deref().and_then(telling_line) {
            report.findings[index].evidence.push(format!("previous log: {}", crate::redact::text(line)));
        }
    }
}

/// The most telling line of a crash log: the last one that names an error, else the last line.
pub fn telling_line(log: &str) -> Option<&str> {
    const MARKERS: [&str; 10] =
        ["error", "exception", "fatal", "panic", "traceback", "failed", "refused", "denied", "not found", "cannot"];
    let lines: Vec<&str> = log.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines
        .iter()
        .rev()
        .find(|line| {
            let lower = line.to_ascii_lowercase();
            MARKERS.iter().any(|marker| lower.contains(marker))
        })
        .or(lines.last())
        .map(
            |line| {
                if line.len() > 300 {
                    &line[..line.char_indices().take(300).last().map_or(0, |(i, _)| i)]
                } else {
                    line
                }
            },
        )
}

/// Analyses a namespace; `target` limits the report to findings about that name (and the
/// root causes behind them).
pub fn analyze(objects: &Objects, namespace: &str, target: Option<&str>) -> Report {
    let inventory = Inventory::new(objects, namespace);
    let mut findings = analyzers::run(&inventory);
    link_root_causes(&mut findings);
    if let Some(target) = target {
        let target = target.split_once('/').map_or(target, |(_, name)| name).to_ascii_lowercase();
        let about = |f: &Finding| f.object.name.contains(target.as_str());
        let keep: Vec<bool> = findings
            .iter()
            .map(|f| about(f) || f.related.iter().any(|r| r.to_ascii_lowercase().contains(target.as_str())))
            .collect();
        let mut index = 0;
        findings.retain(|_| {
            index += 1;
            keep[index - 1]
        });
    }
    findings.sort_by(|a, b| {
        (!a.root_cause, a.severity, &a.object.namespace, &a.object.kind, &a.object.name, a.code)
            .cmp(&(!b.root_cause, b.severity, &b.object.namespace, &b.object.kind, &b.object.name, b.code))
    });
    for finding in &mut findings {
        finding.message = crate::redact::text(&finding.message);
        for line in &mut finding.evidence {
            *line = crate::redact::text(line);
        }
    }
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let summary = Summary {
        namespace: namespace.to_string(),
        critical: count(Severity::Critical),
        warning: count(Severity::Warning),
        info: count(Severity::Info),
        root_causes: findings.iter().filter(|f| f.root_cause).count(),
        objects_checked: inventory.count(),
        unchecked: Vec::new(),
    };
    Report { findings, summary }
}

/// Marks which findings are explained by others: a finding listing another's object in
/// `related` is its cause; anything not explained by another finding is a root cause.
fn link_root_causes(findings: &mut [Finding]) {
    let explained: Vec<String> = findings.iter().flat_map(|f| f.related.iter().cloned()).collect();
    for finding in findings.iter_mut() {
        let me = finding.object.display();
        finding.root_cause = !explained.contains(&me);
        finding.related.sort();
        finding.related.dedup();
    }
}

/// The text report: root causes first, each with its evidence, fix and the symptoms it
/// explains. `colour` adds ANSI colour to severities.
pub fn render_text(report: &Report, colour: bool) -> String {
    let paint = |severity: Severity| -> String {
        let label = severity.name().to_uppercase();
        if !colour {
            return label;
        }
        let code = match severity {
            Severity::Critical => "31;1",
            Severity::Warning => "33;1",
            Severity::Info => "36",
        };
        format!("\u{1b}[{code}m{label}\u{1b}[0m")
    };
    let mut text = String::new();
    let summary = &report.summary;
    if !summary.unchecked.is_empty() {
        text.push_str(&format!("not checked (no access): {}\n", summary.unchecked.join(", ")));
    }
    if report.findings.is_empty() {
        text.push_str(&format!(
            "No problems found in namespace {} ({} objects checked).\n",
            summary.namespace, summary.objects_checked
        ));
        return text;
    }
    text.push_str(&format!(
        "Namespace {}: {} critical, {} warning, {} info ({} root cause{}, {} objects checked)\n",
        summary.namespace,
        summary.critical,
        summary.warning,
        summary.info,
        summary.root_causes,
        if summary.root_causes == 1 { "" } else { "s" },
        summary.objects_checked
    ));
    for finding in &report.findings {
        text.push('\n');
        let marker = if finding.root_cause { "root cause" } else { "symptom" };
        text.push_str(&format!(
            "{} {} {} ({marker})\n  {}\n",
            paint(finding.severity),
            finding.code,
            finding.object.display(),
            finding.message
        ));
        for line in &finding.evidence {
            text.push_str(&format!("  evidence: {line}\n"));
        }
        for line in &finding.fix {
            text.push_str(&format!("  fix: {line}\n"));
        }
        if !finding.related.is_empty() {
            text.push_str(&format!("  explains: {}\n", finding.related.join(", ")));
        }
    }
    text
}

/// The Markdown report (for CI comments and tickets).
pub fn render_markdown(report: &Report) -> String {
    let summary = &report.summary;
    let mut text = format!(
        "## todo-ai diagnose: namespace `{}`\n\n{} critical, {} warning, {} info\n",
        summary.namespace, summary.critical, summary.warning, summary.info
    );
    for finding in &report.findings {
        text.push_str(&format!(
            "\n### {} `{}` — {}\n\n{}\n",
            finding.severity.name(),
            finding.object.display(),
            finding.code,
            finding.message
        ));
        for line in &finding.evidence {
            text.push_str(&format!("- evidence: `{line}`\n"));
        }
        for line in &finding.fix {
            text.push_str(&format!("- fix: {line}\n"));
        }
        if !finding.related.is_empty() {
            text.push_str(&format!("- explains: {}\n", finding.related.join(", ")));
        }
    }
    text
}

/// One report for several namespaces (`-A`).
pub fn merge(mut reports: Vec<Report>, all: bool) -> Report {
    if reports.len() == 1 && !all {
        return reports.remove(0);
    }
    let mut findings = Vec::new();
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
    }
    summary.unchecked.sort();
    summary.unchecked.dedup();
    Report { findings, summary }
}

/// Diagnoses several namespaces and merges the reports (`all`: every namespace, so the
/// summary says "all namespaces" even when there is one).
pub async fn run_namespaces(
    cluster: &crate::cluster::Cluster,
    namespaces: &[String],
    target: Option<&str>,
    all: bool,
) -> Result<Report, crate::cluster::ClusterError> {
    let mut reports = Vec::new();
    for namespace in namespaces {
        reports.push(run(cluster, namespace, target).await?);
    }
    Ok(merge(reports, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_telling_log_line() {
        let log =
            "INFO starting\nINFO connecting\nsqlalchemy.exc.OperationalError: connection refused\nINFO shutting down\n";
        assert_eq!(telling_line(log), Some("sqlalchemy.exc.OperationalError: connection refused"));
        assert_eq!(telling_line("just\nlines\n"), Some("lines"));
        assert_eq!(telling_line(""), None);
    }
}
