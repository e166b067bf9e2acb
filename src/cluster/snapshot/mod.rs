//! Loading a saved cluster state: YAML or JSON as `kubectl get … -o yaml|json` prints it
//! (a `v1 List`), multi-document YAML, single objects, or a directory of such files, read
//! straight into the model's views.
//!
//! Everything about a snapshot is bounded, because a snapshot is a file someone handed you:
//! only regular files are read (a FIFO, `/dev/zero` or a socket is refused before a byte is
//! read), a directory's symbolic links are not followed, bytes are read through a limit
//! (256 MiB by default, `TODO_AI_SNAPSHOT_MAX_BYTES` to change it), YAML aliases are bounded
//! (how many, and how much they replay: they are how a 100 KB file becomes gigabytes),
//! documents, objects and files are counted, and the memory the views take — strings and
//! collections — is charged while they are read (see [`crate::cluster::model::budget`]).

mod document;
mod parallel;

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeSeed;

use super::{ClusterError, Objects};
use crate::cluster::model::budget;

/// How much a snapshot may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes read over all files.
    pub max_bytes: u64,
    /// Objects over all files.
    pub max_objects: usize,
    /// YAML documents per file.
    pub max_documents: usize,
    /// Files in a directory.
    pub max_files: usize,
    /// Collection and string memory per file; `None`: [`memory_budget`] of its size.
    pub max_memory: Option<usize>,
}

/// The default byte limit: generous for a snapshot, far below a dump of etcd.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_objects: 1_000_000,
            max_documents: 100_000,
            max_files: 10_000,
            max_memory: None,
        }
    }
}

impl Limits {
    /// The defaults, with `TODO_AI_SNAPSHOT_MAX_BYTES` (bytes, or with a `K`, `M` or `G`
    /// suffix in binary units) as the byte limit when it is set and valid.
    pub fn from_env() -> Limits {
        let max_bytes = std::env::var("TODO_AI_SNAPSHOT_MAX_BYTES").ok().and_then(|text| parse_size(&text));
        Limits { max_bytes: max_bytes.unwrap_or(DEFAULT_MAX_BYTES), ..Limits::default() }
    }
}

/// `1048576`, `512K`, `300M`, `1G` → bytes.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last()? {
        (index, 'k' | 'K') => (&text[..index], 1 << 10),
        (index, 'm' | 'M') => (&text[..index], 1 << 20),
        (index, 'g' | 'G') => (&text[..index], 1 << 30),
        _ => (text, 1),
    };
    digits.trim().parse::<u64>().ok().and_then(|n| n.checked_mul(unit)).filter(|n| *n > 0)
}

/// What loading cost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes of text read.
    pub bytes: u64,
    /// Objects read.
    pub objects: usize,
    /// Memory charged to the budget (the most of any one file).
    pub charged: usize,
}

/// Memory (collections and strings) a text of `bytes` may take: twice its size plus a fixed
/// allowance.
/// Real snapshots take less than their size (managedFields and specs are skipped); the
/// hostile shapes that take more (`[{},{},…]` into wide structs) stop here.
pub fn memory_budget(bytes: usize) -> usize {
    32 * 1024 * 1024 + bytes.saturating_mul(2)
}

/// Loads a snapshot file or directory with the limits from the environment.
pub fn load(path: &Path) -> Result<Objects, ClusterError> {
    load_with(path, &Limits::from_env()).map(|(objects, _)| objects)
}

/// Loads a snapshot file or directory within `limits`.
pub fn load_with(path: &Path, limits: &Limits) -> Result<(Objects, Stats), ClusterError> {
    let error = |reason: String| ClusterError::Snapshot { path: path.display().to_string(), reason };
    let mut objects = Objects::default();
    let mut stats = Stats::default();
    // The path the user gave may be a link; what it names must be a file or a directory.
    let metadata = std::fs::metadata(path).map_err(|e| error(e.to_string()))?;
    if metadata.is_dir() {
        let files = directory_files(path, limits).map_err(error)?;
        for file in files {
            let text = read_limited(&file, true, limits.max_bytes - stats.bytes, limits)
                .map_err(|reason| ClusterError::Snapshot { path: file.display().to_string(), reason })?;
            stats.bytes += text.len() as u64;
            // Other files in the directory (notes, expectations) are not Kubernetes
            // objects: skip them; a Kubernetes file that does not parse is still an error.
            if !(text.contains("apiVersion") && text.contains("kind")) {
                skipping(&file, "not Kubernetes objects");
                continue;
            }
            let file_stats = parse_into(&text, &mut objects, limits)
                .map_err(|reason| ClusterError::Snapshot { path: file.display().to_string(), reason })?;
            stats.charged = stats.charged.max(file_stats.charged);
        }
    } else if metadata.is_file() {
        let text = read_limited(path, false, limits.max_bytes, limits).map_err(error)?;
        stats.bytes = text.len() as u64;
        stats.charged = parse_into(&text, &mut objects, limits).map_err(error)?.charged;
    } else {
        return Err(error(not_regular()));
    }
    stats.objects = objects.len();
    Ok((objects, stats))
}

/// Warns that a file of a snapshot directory is not read. The name is the directory's own
/// text: it is shown on one line, without control characters.
fn skipping(file: &Path, why: &str) {
    tracing::warn!("skipping `{}`: {why}", crate::sanitize::one_line(&file.display().to_string()));
}

fn not_regular() -> String {
    "not a regular file or directory (a FIFO, device or socket is never read)".to_string()
}

/// The `.yaml`, `.yml` and `.json` regular files of a directory, sorted; links are skipped.
fn directory_files(path: &Path, limits: &Limits) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| e.to_string())?.filter_map(Result::ok) {
        let file = entry.path();
        let wanted = file.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
        if !wanted {
            continue;
        }
        // `file_type` does not follow links: a link could lead anywhere (`/dev/zero`, a
        // file outside the directory), so it is not read.
        match entry.file_type() {
            Ok(kind) if kind.is_file() => files.push(file),
            Ok(kind) if kind.is_symlink() => skipping(&file, "a symbolic link"),
            _ => skipping(&file, "not a regular file"),
        }
        if files.len() > limits.max_files {
            return Err(format!("the directory has more than {} snapshot files", limits.max_files));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err("the directory has no .yaml, .yml or .json files".into());
    }
    Ok(files)
}

/// Reads a regular file as text, at most `remaining` bytes ([`crate::bounded`]: never
/// blocking, the type checked on the opened file). A file found in a directory is not read
/// through a link; the path the user gave may be one.
fn read_limited(path: &Path, in_directory: bool, remaining: u64, limits: &Limits) -> Result<String, String> {
    use crate::bounded::{self, Error, Links};
    let links = if in_directory { Links::Refuse } else { Links::Follow };
    bounded::read_text(path, links, remaining).map_err(|error| match error {
        Error::TooLarge(_) => format!(
            "larger than the snapshot limit of {} (set `TODO_AI_SNAPSHOT_MAX_BYTES` to raise it)",
            human_size(limits.max_bytes)
        ),
        Error::NotRegular => not_regular(),
        other => other.to_string(),
    })
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Parses snapshot text into `objects` with the default limits; the error says where it
/// went wrong.
pub fn parse(text: &str, objects: &mut Objects) -> Result<(), String> {
    parse_into(text, objects, &Limits::default()).map(|_| ())
}

/// Parses snapshot text into `objects` within `limits` (objects already in `objects` count
/// against `max_objects`), and reports what it cost.
pub fn parse_into(text: &str, objects: &mut Objects, limits: &Limits) -> Result<Stats, String> {
    let context = document::Context::enter(limits.max_objects.saturating_sub(objects.len()));
    let scope = budget::Scope::enter(limits.max_memory.unwrap_or_else(|| memory_budget(text.len())));
    let trimmed = text.trim_start();
    let json = trimmed.starts_with('{') || trimmed.starts_with('[');
    let before = objects.len();
    let result = if json { parse_json(text, objects).map(|()| 0) } else { parse_yaml(text, objects, limits) };
    match result {
        Ok(elsewhere) => Ok(Stats {
            bytes: text.len() as u64,
            objects: objects.len() - before,
            charged: scope.charged() + elsewhere,
        }),
        Err(message) => match context.typed_error() {
            // Objects are typed as they are read, so broken text can first show up as an
            // object of the wrong shape; the text's own error is the one to report.
            Some(typed) => Err(syntax_error(text, json, limits).unwrap_or(typed)),
            None => Err(message),
        },
    }
}

/// The syntax error of a text, if it has one (read again without building anything).
fn syntax_error(text: &str, json: bool, limits: &Limits) -> Option<String> {
    if json {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let checked = serde::de::IgnoredAny::deserialize(&mut deserializer).and_then(|_| deserializer.end());
        checked.err().map(|e| format!("line {}: {}", e.line(), document::without_location(&e.to_string())))
    } else {
        serde_saphyr::from_str_multiple_with_options::<serde::de::IgnoredAny, Vec<_>>(text, yaml_options(text, limits))
            .err()
            .map(|error| yaml_error(&error))
    }
}

fn parse_json(text: &str, objects: &mut Objects) -> Result<(), String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    document::Node { objects: &mut *objects }
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end())
        .map_err(|e| format!("line {}: {}", e.line(), document::without_location(&e.to_string())))
}

/// One YAML document's objects.
struct YamlDocument(Objects);

impl<'de> serde::Deserialize<'de> for YamlDocument {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut objects = Objects::default();
        document::Node { objects: &mut objects }.deserialize(deserializer)?;
        Ok(YamlDocument(objects))
    }
}

/// All documents' objects, moved together as each document is read.
#[derive(Default)]
struct Documents(Objects);

impl Extend<YamlDocument> for Documents {
    fn extend<I: IntoIterator<Item = YamlDocument>>(&mut self, documents: I) {
        for document in documents {
            self.0.append(document.0);
        }
    }
}

/// Bounds in parser terms, derived from the text: an event needs at least one byte of
/// text, so the event and node counts only stop what aliases replay; replayed scalars count
/// against the same memory as the views. Aliases are bounded in number.
fn yaml_options(text: &str, limits: &Limits) -> serde_saphyr::Options {
    let events = text.len().saturating_mul(4).saturating_add(1 << 20);
    let scalar_bytes = limits.max_memory.unwrap_or_else(|| memory_budget(text.len()));
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: events,
            max_nodes: events,
            max_total_scalar_bytes: scalar_bytes,
            // Some tools (PyYAML) write an anchor for an object that appears twice.
            max_aliases: 10_000,
            max_anchors: 10_000,
            max_documents: limits.max_documents,
            max_depth: 128,
        },
        // A value read before its object's `kind` is buffered untyped: keep `n`, `on`,
        // `0755` and `1_000` the strings Kubernetes means (YAML 1.1 would guess otherwise).
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        with_snippet: false,
    }
}

/// Reads YAML into `objects`; returns what was charged on other threads (a big List is read
/// on several cores, see [`parallel`]).
fn parse_yaml(text: &str, objects: &mut Objects, limits: &Limits) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(4);
    if let Some(pieces) = parallel::pieces(text, cores) {
        let remaining = Limits { max_objects: limits.max_objects.saturating_sub(objects.len()), ..limits.clone() };
        if let Some((read, charged)) = parallel::read(&pieces, &remaining, text.len()) {
            objects.append(read);
            return Ok(charged);
        }
    }
    let options = yaml_options(text, limits);
    let documents = serde_saphyr::from_str_multiple_with_options::<YamlDocument, Documents>(text, options)
        .map_err(|error| yaml_error(&error))?;
    objects.append(documents.0);
    Ok(0)
}

fn yaml_error(error: &serde_saphyr::Error) -> String {
    let message = error.to_string();
    let message = document::without_location(&message);
    let message = match message.strip_prefix("budget breached: ") {
        Some(detail) => format!("{OVER_LIMIT} ({})", detail.split(" (").next().unwrap_or(detail)),
        None => message.to_string(),
    };
    match error.location() {
        Some(location) if location.line() > 0 => format!("line {}: {message}", location.line()),
        _ => message,
    }
}

/// How a text that expands past the parser's bounds (aliases, nesting) is reported.
pub const OVER_LIMIT: &str = "the YAML expands beyond the snapshot limits";

#[cfg(test)]
mod tests;
