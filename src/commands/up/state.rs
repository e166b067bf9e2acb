//! What `up` finds already done: minikube's state and images, the tag that names an app's
//! code, and whether the release is installed with exactly these images and values (a
//! fingerprint of the chart, the values files and the values).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ADDONS, Run};
use crate::error::CliError;

/// What minikube is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MinikubeState {
    /// Up, with the listed addons still disabled.
    Running { missing_addons: Vec<String> },
    /// Not up: "stopped", "not created" …
    Stopped(String),
}

pub(super) fn minikube_state(run: &Run) -> Result<MinikubeState, CliError> {
    let status = run
        .block_on(crate::exec::output("minikube", ["status", "-o", "json"]))
        .map_err(|error| CliError::new(error.to_string()))?;
    let parsed: Option<Value> = serde_json::from_slice(&status.stdout).ok();
    let field = |name: &str| parsed.as_ref().and_then(|v| v[name].as_str().map(str::to_string)).unwrap_or_default();
    let running = field("Host") == "Running" && field("APIServer") == "Running";
    if !running {
        let state = match field("Host").as_str() {
            "" => "not created".to_string(),
            host => host.to_lowercase(),
        };
        return Ok(MinikubeState::Stopped(state));
    }
    let addons = run
        .block_on(crate::exec::output("minikube", ["addons", "list", "-o", "json"]))
        .map_err(|error| CliError::new(error.to_string()))?;
    let list: Value = serde_json::from_slice(&addons.stdout).unwrap_or(Value::Null);
    let missing_addons = ADDONS
        .iter()
        .filter(|addon| list[**addon]["Status"].as_str() != Some("enabled"))
        .map(|addon| (*addon).to_string())
        .collect();
    Ok(MinikubeState::Running { missing_addons })
}

/// The images minikube has (`minikube image ls`); empty when it cannot say.
pub(super) fn images_in_minikube(run: &Run) -> Vec<String> {
    run.block_on(crate::exec::output("minikube", ["image", "ls"]))
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim().to_string()).collect())
        .unwrap_or_default()
}

/// `docker.io/library/todo-frontend:sha-1a2b3c4` matches `todo-frontend:sha-1a2b3c4`.
pub(super) fn image_matches(listed: &str, reference: &str) -> bool {
    let listed = listed.strip_prefix("docker.io/").unwrap_or(listed);
    let listed = listed.strip_prefix("library/").unwrap_or(listed);
    listed == reference
}

/// A tag that names the code: `sha-<git sha>` for a clean checkout, else `ctx-<hash of the
/// files the build sends>` — so an unchanged app is never rebuilt and a changed one always is.
pub(super) async fn image_tag(dir: &Path) -> String {
    let version = crate::docker::version_tag(dir).await;
    if version != "dev" && !version.ends_with("-dirty") {
        return format!("sha-{version}");
    }
    let mut hash = Fnv::default();
    if let Ok((files, _)) = crate::containerise::context::files(dir, "Dockerfile") {
        for file in files {
            hash.write(file.as_bytes());
            hash.write_file(&dir.join(&file), false);
        }
    }
    format!("ctx-{:012x}", hash.finish() & 0xffff_ffff_ffff)
}

/// Where the release stands against what `up` would install.
pub(super) enum ReleaseState {
    Absent,
    UpToDate(i64),
    Changed(i64),
    NotDeployed(String),
}

pub(super) async fn release_state(target: &crate::helm::Target, fingerprint: &str) -> ReleaseState {
    let Ok(Some(status)) = crate::helm::status(target).await else {
        return ReleaseState::Absent;
    };
    if status.status != "deployed" {
        return ReleaseState::NotDeployed(status.status);
    }
    let values = crate::helm::user_values(target).await.ok().flatten().unwrap_or(Value::Null);
    if values["global"]["todoAiFingerprint"].as_str() == Some(fingerprint) {
        ReleaseState::UpToDate(status.revision)
    } else {
        ReleaseState::Changed(status.revision)
    }
}

/// A stable digest of what a release would get: the chart's files, the extra values files
/// and the values (secrets included, so a changed `.env` upgrades). FNV-1a: stable across
/// builds, not a secret.
pub(super) fn fingerprint(chart: &Path, values_files: &[PathBuf], set: &BTreeMap<String, String>) -> String {
    let mut hash = Fnv::default();
    let mut files = Vec::new();
    collect_files(chart, 0, &mut files);
    files.sort();
    for (file, link) in files {
        hash.write(file.strip_prefix(chart).unwrap_or(&file).to_string_lossy().as_bytes());
        match link {
            // A link is hashed as what it says, never followed (it could loop or lead anywhere).
            Some(target) => hash.write(target.to_string_lossy().as_bytes()),
            None => hash.write_file(&file, false),
        }
    }
    for file in values_files {
        hash.write(file.to_string_lossy().as_bytes());
        // Checked to be inside the tree (through links) by `values_files`.
        hash.write_file(file, true);
    }
    for (key, value) in set {
        hash.write(key.as_bytes());
        hash.write(&[0]);
        hash.write(value.as_bytes());
        hash.write(&[0]);
    }
    format!("fp-{:016x}", hash.finish())
}

/// The deepest directory and the most entries of a chart that are hashed: a chart is a few
/// dozen files, and a hostile one must not make the walk endless.
const MAX_CHART_DEPTH: usize = 16;
const MAX_CHART_ENTRIES: usize = 10_000;

/// The chart's files and links (with their targets), without following a link: a link to a
/// parent directory would otherwise recurse forever.
fn collect_files(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, Option<PathBuf>)>) {
    if depth > MAX_CHART_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if out.len() >= MAX_CHART_ENTRIES {
            return;
        }
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else { continue };
        if file_type.is_symlink() {
            let target = std::fs::read_link(&path).unwrap_or_default();
            out.push((path, Some(target)));
        } else if file_type.is_dir() {
            collect_files(&path, depth + 1, out);
        } else {
            out.push((path, None));
        }
    }
}

/// The most file content one fingerprint reads; past it, files count by size and modification
/// time. A hostile or merely huge app (a 64 GB sparse file, a million files) must not make
/// `up` read for minutes before it asks anything.
const MAX_CONTENT_HASHED: u64 = 64 * 1024 * 1024;

/// 64-bit FNV-1a, with what is left of [`MAX_CONTENT_HASHED`].
struct Fnv(u64, u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325, MAX_CONTENT_HASHED)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Hashes a regular file: its content as it streams (never whole in memory) while the
    /// content budget lasts, else its size and modification time. Opened without blocking;
    /// `follow` lets a final link be followed. Anything else (a FIFO, a device, an unreadable
    /// file) adds nothing.
    fn write_file(&mut self, path: &Path, follow: bool) {
        use std::io::Read as _;
        use std::os::unix::fs::MetadataExt as _;

        let links = if follow { crate::bounded::Links::Follow } else { crate::bounded::Links::Refuse };
        let Ok((file, metadata)) = crate::bounded::open(path, links) else { return };
        if metadata.len() > self.1 {
            self.write(&metadata.len().to_le_bytes());
            self.write(&metadata.mtime().to_le_bytes());
            self.write(&metadata.mtime_nsec().to_le_bytes());
            return;
        }
        let mut content = file.take(self.1);
        let mut buffer = [0u8; 64 * 1024];
        loop {
            match content.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => {
                    self.write(&buffer[..read]);
                    self.1 = self.1.saturating_sub(read as u64);
                }
            }
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert!(image_matches("docker.io/library/todo-frontend:sha-1a2b3c4", "todo-frontend:sha-1a2b3c4"));
        assert!(!image_matches("docker.io/library/todo-frontend:sha-1a2b3c4", "todo-frontend:sha-ffffff"));
    }

    #[test]
    fn fingerprints_change_with_values_values_files_and_chart() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Chart.yaml"), "name: x\n").unwrap();
        let values = dir.path().join("lab.yaml");
        std::fs::write(&values, "a: 1\n").unwrap();
        let set = BTreeMap::from([("a".to_string(), "1".to_string())]);
        let first = fingerprint(dir.path(), &[], &set);
        assert_eq!(first, fingerprint(dir.path(), &[], &set));
        let other = BTreeMap::from([("a".to_string(), "2".to_string())]);
        assert_ne!(first, fingerprint(dir.path(), &[], &other));
        let with_file = fingerprint(dir.path(), std::slice::from_ref(&values), &set);
        assert_ne!(first, with_file);
        std::fs::write(&values, "a: 2\n").unwrap();
        assert_ne!(with_file, fingerprint(dir.path(), &[values], &set));
        std::fs::write(dir.path().join("Chart.yaml"), "name: y\n").unwrap();
        assert_ne!(first, fingerprint(dir.path(), &[], &set));
    }
}
