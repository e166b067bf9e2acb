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

use std::path::Path;

use serde::Deserialize;

use crate::diagnose::{Code, Finding, ObjectRef};
use crate::sanitize::one_line;

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
    pub code: String,
    /// The object pattern.
    pub object: String,
    /// Why it is accepted.
    pub reason: String,
    /// The first day it no longer applies (`YYYY-MM-DD`).
    #[serde(default)]
    pub expires: Option<String>,
}

impl Entry {
    /// Checks the fields: the field that is wrong, and why.
    fn check(&self) -> Result<(), (&'static str, String)> {
        if self.code != "*" && Code::parse(&self.code).is_none() {
            return Err((
                "code",
                format!(
                    "`{}` is not a finding code (see `todo-ai diagnose -o json` for the codes)",
                    one_line(&self.code)
                ),
            ));
        }
        if self.object.trim().is_empty() {
            return Err(("object", "`object` is empty".into()));
        }
        if self.reason.trim().is_empty() {
            return Err(("reason", "`reason` is empty: say why the finding is accepted".into()));
        }
        if let Some(expires) = &self.expires
            && !is_date(expires)
        {
            return Err(("expires", format!("expires `{}` is not a date like 2026-12-31", one_line(expires))));
        }
        Ok(())
    }

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
    /// Reads an ignore file (at most [`MAX_IGNORE_BYTES`]). `links`: follow a link for a file
    /// the user named, refuse one for the default file found in the repository (it could
    /// name any file of the machine).
    pub fn load(path: &Path, links: super::Links) -> Result<IgnoreFile, IgnoreError> {
        let shown = path.display().to_string();
        let text = super::read_bounded(path, MAX_IGNORE_BYTES, links).map_err(|failure| match failure {
            super::ReadFailure::Io(reason) => IgnoreError::Read { path: shown.clone(), reason },
            super::ReadFailure::TooLarge => IgnoreError::TooLarge { path: shown.clone() },
        })?;
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
            // serde_yaml prefixes the path (`[2]: `, `.[0].code: `): the line says where.
            if reason.starts_with(['.', '['])
                && let Some((_, rest)) = reason.split_once(": ")
            {
                reason = rest.to_string();
            }
            IgnoreError::Bad { path: path.to_string(), line, reason: one_line(&reason) }
        })?;
        let entries = entries.unwrap_or_default();
        for (index, entry) in entries.iter().enumerate() {
            if let Err((field, reason)) = entry.check() {
                let line = field_line(text, index, field);
                return Err(IgnoreError::Bad { path: path.to_string(), line, reason });
            }
        }
        Ok(IgnoreFile { path: path.to_string(), entries })
    }

    /// The index of the first entry matching a finding.
    pub fn matching(&self, finding: &Finding) -> Option<usize> {
        self.entries.iter().position(|entry| entry.matches(finding))
    }
}

/// Whether text is a date `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && text.split('-').all(|part| part.chars().all(|c| c.is_ascii_digit()))
        && text[5..7].parse::<u32>().is_ok_and(|month| (1..=12).contains(&month))
        && text[8..10].parse::<u32>().is_ok_and(|day| (1..=31).contains(&day))
}

/// The line (from 1) of `field` in the `index`th entry of a block-style list, else the
/// entry's first line, when it can be found.
fn field_line(text: &str, index: usize, field: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let items: Vec<usize> =
        lines.iter().enumerate().filter(|(_, line)| line.trim_start().starts_with('-')).map(|(n, _)| n).collect();
    let top = items.iter().map(|&n| indent(lines[n])).min()?;
    let starts: Vec<usize> = items.into_iter().filter(|&n| indent(lines[n]) == top).collect();
    let start = *starts.get(index)?;
    let end = starts.get(index + 1).copied().unwrap_or(lines.len());
    let key = format!("{field}:");
    let found = (start..end).find(|&n| {
        let line = lines[n].trim_start();
        let line = line.strip_prefix('-').map_or(line, str::trim_start);
        line.starts_with(&key)
    });
    Some(found.unwrap_or(start) + 1)
}
