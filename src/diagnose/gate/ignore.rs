//! Accepted findings: `.todo-ai/ignore.yaml` (or `--ignore-file`), a list of entries
//!
//! ```yaml
//! - code: HpaMaxedOut                      # a finding code, or `*`
//!   object: HorizontalPodAutoscaler/shop/* # Kind/namespace/name, namespace/name, Kind/name or name; `*` and `?` glob
//!   reason: sale week, capacity approved   # required
//!   expires: 2026-12-31                    # optional, YYYY-MM-DD (UTC); from that day on it hides nothing
//! ```
//!
//! A pod's finding also matches through its owning workload (`Deployment/shop/api*`).
//! Matched findings are hidden but counted; an expired entry hides nothing and is reported;
//! a bad entry is an error naming the file and line.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::diagnose::{Code, Finding, ObjectRef};

/// The most an ignore file may hold.
pub const MAX_IGNORE_BYTES: u64 = 1024 * 1024;

/// The ignore file read when none is named.
pub const DEFAULT_PATH: &str = ".todo-ai/ignore.yaml";

/// Why an ignore file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IgnoreError {
    /// It cannot be read.
    #[error("cannot read the ignore file {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// It is larger than the bound.
    #[error("the ignore file {path} is larger than 1 MiB")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// An entry is wrong.
    #[error("bad entry in {path}{}: {reason}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Bad {
        /// The file.
        path: String,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        reason: String,
    },
}

impl IgnoreError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            IgnoreError::Read { .. } | IgnoreError::TooLarge { .. } => "check the path given to --ignore-file",
            IgnoreError::Bad { .. } => {
                "each entry is `- code: CODE` with `object: Kind/namespace/name` (globs allowed), `reason:` and optional `expires: YYYY-MM-DD`"
            }
        }
    }
}

/// One accepted finding (pattern).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A finding code, or `*`.
    #[serde(deserialize_with = "code")]
    pub code: String,
    /// The object pattern.
    #[serde(deserialize_with = "non_empty")]
    pub object: String,
    /// Why it is accepted.
    #[serde(deserialize_with = "non_empty")]
    pub reason: String,
    /// The first day it no longer applies (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "date")]
    pub expires: Option<String>,
}

impl Entry {
    /// Whether it has expired on `today` (`YYYY-MM-DD`; dates in that form order as text).
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|expires| expires <= today)
    }

    /// Whether it matches a finding (its object, or a pod's owning workload).
    pub fn matches(&self, finding: &Finding) -> bool {
        if self.code != "*" && finding.code.as_str() != self.code {
            return false;
        }
        let workload = finding.workload.as_ref().map(|workload| ObjectRef {
            namespace: if workload.namespace.is_empty() {
                finding.object.namespace.clone()
            } else {
                workload.namespace.clone()
            },
            ..workload.clone()
        });
        std::iter::once(&finding.object).chain(workload.as_ref()).any(|object| object_matches(&self.object, object))
    }
}

/// Whether an object pattern matches an object: `Kind/namespace/name`, `namespace/name`,
/// `Kind/name` (a first part starting with a capital is a kind) or `name`.
pub fn object_matches(pattern: &str, object: &ObjectRef) -> bool {
    let parts: Vec<&str> = pattern.split('/').collect();
    let kind = |p: &str| glob(&p.to_ascii_lowercase(), &object.kind.to_ascii_lowercase());
    match parts.as_slice() {
        [kind_pattern, namespace, name] => {
            kind(kind_pattern) && glob(namespace, &object.namespace) && glob(name, &object.name)
        }
        [first, name] if first.starts_with(|c: char| c.is_ascii_uppercase()) => kind(first) && glob(name, &object.name),
        [namespace, name] => glob(namespace, &object.namespace) && glob(name, &object.name),
        [name] => glob(name, &object.name),
        _ => false,
    }
}

/// A glob match: `*` any run of characters, `?` any one; everything else literal.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// An ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreFile {
    /// Where it was read from (as given).
    pub path: String,
    /// Its entries, in order.
    pub entries: Vec<Entry>,
}

impl IgnoreFile {
    /// Reads an ignore file (at most [`MAX_IGNORE_BYTES`]).
    pub fn load(path: &Path) -> Result<IgnoreFile, IgnoreError> {
        let shown = path.display().to_string();
        let read_error = |error: std::io::Error| IgnoreError::Read { path: shown.clone(), reason: error.to_string() };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut text = String::new();
        file.take(MAX_IGNORE_BYTES + 1).read_to_string(&mut text).map_err(read_error)?;
        if text.len() as u64 > MAX_IGNORE_BYTES {
            return Err(IgnoreError::TooLarge { path: shown });
        }
        IgnoreFile::parse(&shown, &text)
    }

    /// Parses an ignore file's text (`path` names it in errors).
    pub fn parse(path: &str, text: &str) -> Result<IgnoreFile, IgnoreError> {
        if text.trim().is_empty() {
            return Ok(IgnoreFile { path: path.to_string(), entries: Vec::new() });
        }
        let entries: Option<Vec<Entry>> = serde_yaml::from_str(text).map_err(|error| {
            let line = error.location().map(|location| location.line());
            let mut reason = error.to_string();
            if let Some(at) = reason.find(" at line ") {
                reason.truncate(at);
            }
            IgnoreError::Bad { path: path.to_string(), line, reason: crate::sanitize::one_line(&reason) }
        })?;
        Ok(IgnoreFile { path: path.to_string(), entries: entries.unwrap_or_default() })
    }

    /// The index of the first entry matching a finding.
    pub fn matching(&self, finding: &Finding) -> Option<usize> {
        self.entries.iter().position(|entry| entry.matches(finding))
    }
}

fn code<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let code = String::deserialize(deserializer)?;
    if code == "*" || Code::parse(&code).is_some() {
        Ok(code)
    } else {
        Err(serde::de::Error::custom(format!(
            "`{}` is not a finding code (see `todo-ai diagnose -o json` for the codes)",
            crate::sanitize::one_line(&code)
        )))
    }
}

fn non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.trim().is_empty() { Err(serde::de::Error::custom("it is empty")) } else { Ok(text) }
}

fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else { return Ok(None) };
    let valid = text.len() == 10
        && text.as_bytes()[4] == b'-'
        && text.as_bytes()[7] == b'-'
        && text.split('-').all(|part| part.chars().all(|c| c.is_ascii_digit()))
        && text[5..7].parse::<u32>().is_ok_and(|month| (1..=12).contains(&month))
        && text[8..10].parse::<u32>().is_ok_and(|day| (1..=31).contains(&day));
    if valid {
        Ok(Some(text))
    } else {
        Err(serde::de::Error::custom(format!(
            "expires `{}` is not a date like 2026-12-31",
            crate::sanitize::one_line(&text)
        )))
    }
}
