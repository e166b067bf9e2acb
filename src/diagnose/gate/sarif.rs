//! `-o sarif`: SARIF 2.1.0 for code-scanning dashboards. Each finding code used is a rule
//! (short description and help); each finding is a result with its object as a logical
//! location (`Kind/namespace/name`) and its stable id as a partial fingerprint. When the
//! object came from this repository's chart (Helm's `meta.helm.sh/release-name`, and the
//! `helm.sh/chart` label, when present, names that chart), the result also points at the
//! chart template that renders its kind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Checked, Gated, Threshold, rules};
use crate::diagnose::{Code, Finding, ObjectRef, Severity};

/// The schema URI SARIF files name.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The partial fingerprint key of the stable finding id.
pub const FINGERPRINT: &str = "todoAiFindingId/v1";

/// The most of a template file read to find its kinds.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;
/// The most template files looked at (a chart has tens).
const MAX_TEMPLATES: usize = 1000;

/// A chart in the repository: its name and, for each template, the kinds it renders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartIndex {
    /// The chart's name (`Chart.yaml`).
    pub name: String,
    /// Template files (relative to the repository root, `/`-separated), with each
    /// `kind: X` line (kind, line number from 1).
    pub templates: Vec<(String, Vec<(String, usize)>)>,
    /// The chart's `Chart.yaml`, relative to the repository root: where a finding about an
    /// object of the chart with no template of its own points.
    pub chart_file: String,
}

impl ChartIndex {
    /// Finds the chart in `root`: `TODO_AI_CHART`, the chart todo-ai installs, then the
    /// usual places (`chart`, `charts/*`, `deploy/chart`, `deploy/helm`, `helm`).
    pub fn discover(root: &Path) -> Option<ChartIndex> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Ok(dir) = crate::helm::chart_dir(root) {
            candidates.push(dir);
        }
        for dir in ["chart", "deploy/chart", "deploy/helm", "helm"] {
            candidates.push(root.join(dir));
        }
        for parent in ["charts", "deploy/charts", "deploy"] {
            if let Ok(entries) = std::fs::read_dir(root.join(parent)) {
                let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
                dirs.sort();
                candidates.extend(dirs);
            }
        }
        let chart = candidates.into_iter().find(|dir| dir.join("Chart.yaml").is_file())?;
        let name = read_bounded(&chart.join("Chart.yaml"))
            .and_then(|text| {
                text.lines().find_map(|line| line.strip_prefix("name:").map(|n| n.trim().trim_matches('"').to_string()))
            })
            .unwrap_or_default();
        let relative = chart.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| chart.clone());
        let mut files: Vec<PathBuf> = std::fs::read_dir(chart.join("templates"))
            .map(|entries| entries.flatten().take(MAX_TEMPLATES).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        let mut templates = Vec::new();
        for file in files {
            let Some(file_name) = file.file_name().and_then(|n| n.to_str()) else { continue };
            if file_name.starts_with('_') || !(file_name.ends_with(".yaml") || file_name.ends_with(".yml")) {
                continue;
            }
            let kinds = read_bounded(&file)
                .map(|text| {
                    text.lines()
                        .enumerate()
                        .filter_map(|(n, line)| line.strip_prefix("kind:").map(|k| (k.trim().to_string(), n + 1)))
                        .collect()
                })
                .unwrap_or_default();
            let path = relative.join("templates").join(file_name);
            templates.push((path.to_string_lossy().replace('\\', "/"), kinds));
        }
        let chart_file = relative.join("Chart.yaml").to_string_lossy().replace('\\', "/");
        Some(ChartIndex { name, templates, chart_file })
    }

    /// The template that most likely renders an object: it has a `kind:` line for its kind
    /// or its file name names the kind, and its file name shares most words with the name.
    pub fn template_for(&self, object: &ObjectRef) -> Option<(String, Option<usize>)> {
        let kind = object.kind.to_ascii_lowercase();
        let aliases: &[&str] = match kind.as_str() {
            "deployment" => &["deployment", "deployments", "deploy"],
            "service" => &["service", "services", "svc"],
            "horizontalpodautoscaler" => &["hpa", "horizontalpodautoscaler", "autoscaler"],
            "poddisruptionbudget" => &["pdb", "poddisruptionbudget"],
            "persistentvolumeclaim" => &["pvc", "persistentvolumeclaim"],
            "statefulset" => &["statefulset", "sts"],
            "ingress" => &["ingress"],
            "job" => &["job", "jobs"],
            _ => &[],
        };
        let name_words: Vec<&str> = object.name.split(['-', '.']).filter(|w| !w.is_empty()).collect();
        let mut best: Option<(usize, &str, Option<usize>)> = None;
        let mut tie = false;
        for (path, kinds) in &self.templates {
            let stem = path.rsplit('/').next().unwrap_or(path);
            let stem = stem.trim_end_matches(".yaml").trim_end_matches(".yml").to_ascii_lowercase();
            let words: Vec<&str> = stem.split(['-', '_', '.']).collect();
            let line = kinds.iter().find(|(k, _)| k.eq_ignore_ascii_case(&object.kind)).map(|(_, line)| *line);
            let named_kind = words.iter().any(|w| *w == kind || aliases.contains(w));
            if line.is_none() && !named_kind {
                continue;
            }
            let score = 2 * usize::from(line.is_some())
                + 2 * usize::from(named_kind)
                + words.iter().filter(|w| name_words.contains(w)).count();
            match best {
                Some((top, _, _)) if top > score => {}
                Some((top, _, _)) if top == score => tie = true,
                _ => {
                    best = Some((score, path, line));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(_, path, line)| (path.to_string(), line))
    }
}

/// A chart file's text: a regular file of the repository, never through a link, never a FIFO
/// (a planted one would hang the CI job), at most [`MAX_TEMPLATE_BYTES`].
fn read_bounded(path: &Path) -> Option<String> {
    crate::bounded::read_text(path, crate::bounded::Links::Refuse, MAX_TEMPLATE_BYTES).ok()
}

/// The SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The checked object a finding is about, or its owning workload, with a Helm release.
fn helm_object<'a>(
    finding: &Finding,
    checked: &'a BTreeMap<(String, String, String), &'a Checked>,
) -> Option<&'a Checked> {
    let key = |object: &ObjectRef| {
        let namespace = if object.namespace.is_empty() { &finding.object.namespace } else { &object.namespace };
        (object.kind.clone(), namespace.clone(), object.name.clone())
    };
    finding
        .workload
        .iter()
        .chain(std::iter::once(&finding.object))
        .filter_map(|object| checked.get(&key(object)).copied())
        .find(|c| c.helm_release.is_some())
}

/// The SARIF document. `threshold` only sets each result's `properties.gate` (whether it
/// fails the gate); the level follows the severity.
pub fn render(gated: &Gated, chart: Option<&ChartIndex>, threshold: Threshold) -> Value {
    let mut codes: Vec<Code> = gated.report.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| {
            let (short, help) = rules::describe(*code);
            json!({
                "id": code.as_str(),
                "name": code.as_str(),
                "shortDescription": {"text": short},
                "fullDescription": {"text": help},
                "help": {"text": help, "markdown": format!("**{}**: {help}", code.as_str())},
            })
        })
        .collect();
    let checked: BTreeMap<(String, String, String), &Checked> = gated
        .report
        .checked
        .iter()
        .map(|c| ((c.object.kind.clone(), c.object.namespace.clone(), c.object.name.clone()), c))
        .collect();
    let mut results = Vec::with_capacity(gated.report.findings.len());
    for (index, finding) in gated.report.findings.iter().enumerate() {
        let rule_index = codes.iter().position(|c| *c == finding.code).unwrap_or_default();
        let mut text = finding.message.clone();
        for fix in &finding.fix {
            text.push_str(&format!("\nFix: {fix}"));
        }
        let qualified = format!("{}/{}/{}", finding.object.kind, finding.object.namespace, finding.object.name);
        let mut location = json!({
            "logicalLocations": [{
                "name": finding.object.name,
                "fullyQualifiedName": qualified,
                "kind": "resource",
            }],
        });
        // Code scanning needs a file for every result: the template that renders the object,
        // else the chart of a Helm-managed object, else a path that names the object itself
        // (`kubernetes/<namespace>/<Kind>/<name>`, no file behind it).
        let from = chart.and_then(|chart| helm_object(finding, &checked).filter(|from| from_chart(from, chart)));
        let (uri, line) = match (chart, from) {
            (Some(chart), Some(from)) => {
                chart.template_for(&from.object).unwrap_or_else(|| (chart.chart_file.clone(), None))
            }
            _ => {
                let part = |text: &str| -> String {
                    let kept: String = text
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
                        .collect();
                    // Never `.` or `..`: the path stays where it is put.
                    if kept.chars().all(|c| c == '.') { kept.replace('.', "_") } else { kept }
                };
                // A pod's file is its workload's: it outlives the pod's hashed name.
                let object = finding.workload.as_ref().unwrap_or(&finding.object);
                (format!("kubernetes/{}/{}/{}", part(&object.namespace), part(&object.kind), part(&object.name)), None)
            }
        };
        let mut physical = json!({"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}});
        if let Some(line) = line {
            physical["region"] = json!({"startLine": line});
        }
        location["physicalLocation"] = physical;
        let mut properties = json!({
            "severity": finding.severity.name(),
            "rootCause": finding.root_cause,
            "failsGate": gated.fails(index, threshold),
        });
        if gated.statuses.is_some() {
            properties["status"] = json!(gated.status(index).name());
        }
        let mut result = json!({
            "ruleId": finding.code.as_str(),
            "ruleIndex": rule_index,
            "level": level(finding.severity),
            "message": {"text": text},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT: gated.ids.get(index).cloned().unwrap_or_default()},
            "properties": properties,
        });
        if gated.statuses.is_some() {
            result["baselineState"] = json!(match gated.status(index) {
                super::Status::New => "new",
                super::Status::Unchanged => "unchanged",
            });
        }
        results.push(result);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "todo-ai",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// Whether a Helm-managed object came from this chart: its `helm.sh/chart` label, when it
/// has one, is `<chart name>-<version>`.
fn from_chart(checked: &Checked, chart: &ChartIndex) -> bool {
    match &checked.helm_chart {
        Some(label) => !chart.name.is_empty() && label.starts_with(&format!("{}-", chart.name)),
        None => true,
    }
}
