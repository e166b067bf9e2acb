//! `--baseline FILE`: an earlier `diagnose -o json` report, read by finding id. Findings of
//! a report written before ids existed get the id their code and object give (a pod's
//! finding then cannot be matched across pod names; a note says so).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// The most a baseline file may hold.
pub const MAX_BASELINE_BYTES: u64 = 32 * 1024 * 1024;

/// Why a baseline cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// It cannot be read.
    #[error("cannot read the baseline {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// It is larger than the bound.
    #[error("the baseline {path} is larger than {} MiB", MAX_BASELINE_BYTES / 1024 / 1024)]
    TooLarge {
        /// The file.
        path: String,
    },
    /// It is not a diagnose JSON report.
    #[error("the baseline {path} is not a `diagnose -o json` report: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong (with line and column for bad JSON).
        reason: String,
    },
}

impl BaselineError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            BaselineError::Read { .. } => {
                "check the path; create a baseline with `todo-ai diagnose -n NS -o json > FILE`"
            }
            BaselineError::TooLarge { .. } => {
                "a baseline is one `diagnose -o json` report; check the file is the right one"
            }
            BaselineError::Invalid { .. } => {
                "create the baseline with `todo-ai diagnose -n NS -o json > FILE` (JSON, not text or YAML)"
            }
        }
    }
}

/// A baseline finding that is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Its id.
    pub id: String,
    /// Its code.
    pub code: String,
    /// Its severity.
    pub severity: String,
    /// `Kind/name`.
    pub object: String,
    /// Its namespace.
    pub namespace: String,
    /// Its message then.
    pub message: String,
}

impl Resolved {
    /// As JSON.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "code": self.code,
            "severity": self.severity,
            "object": self.object,
            "namespace": self.namespace,
            "message": self.message,
        })
    }
}

/// The findings of an earlier report, by id.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    findings: BTreeMap<String, Resolved>,
    /// Findings without an id (a report from before ids): matched by code and object.
    pub without_id: usize,
}

impl Baseline {
    /// Reads a baseline file (at most [`MAX_BASELINE_BYTES`]), the one the user named (a link
    /// to it is followed).
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text =
            super::read_bounded(path, MAX_BASELINE_BYTES, super::Links::Follow).map_err(|failure| match failure {
                super::ReadFailure::Io(reason) => BaselineError::Read { path: shown.clone(), reason },
                super::ReadFailure::TooLarge => BaselineError::TooLarge { path: shown.clone() },
            })?;
        Baseline::parse(&text).map_err(|reason| BaselineError::Invalid { path: shown, reason })
    }

    /// Parses a baseline document.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let document: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
        let findings = document
            .get("findings")
            .and_then(Value::as_array)
            .ok_or_else(|| "it has no `findings` list".to_string())?;
        let mut baseline = Baseline::default();
        for (index, finding) in findings.iter().enumerate() {
            let field = |name: &str| finding.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
            let object = finding.get("object").cloned().unwrap_or_default();
            let object_field = |name: &str| object.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
            let (code, kind, name, namespace) =
                (field("code"), object_field("kind"), object_field("name"), object_field("namespace"));
            if code.is_empty() || kind.is_empty() {
                return Err(format!("finding {} has no `code` or `object.kind`", index + 1));
            }
            let id = match finding.get("id").and_then(Value::as_str) {
                Some(id) => id.to_string(),
                None => {
                    baseline.without_id += 1;
                    super::id_of(&format!("{code}/{kind}/{namespace}/{name}/"))
                }
            };
            let resolved = Resolved {
                id: id.clone(),
                code,
                severity: field("severity"),
                object: format!("{kind}/{name}"),
                namespace,
                message: crate::sanitize::one_line(&field("message")),
            };
            baseline.findings.insert(id, resolved);
        }
        Ok(baseline)
    }

    /// Whether the baseline has a finding with that id.
    pub fn contains(&self, id: &str) -> bool {
        self.findings.contains_key(id)
    }

    /// How many findings it has.
    pub fn len(&self) -> usize {
        self.findings.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// The baseline findings whose id is not among `current`.
    pub fn resolved(&self, current: &[String]) -> Vec<Resolved> {
        let current: std::collections::HashSet<&str> = current.iter().map(String::as_str).collect();
        self.findings.values().filter(|f| !current.contains(f.id.as_str())).cloned().collect()
    }
}
