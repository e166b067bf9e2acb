//! Logs as evidence, read only from a live cluster and always bounded: the previous log of
//! crashed containers (its most telling line quoted on the crash finding), and for a named
//! target ("diagnose api"), the recent log of its running pods scanned for error lines — so
//! "what's wrong with X" can answer from a pod that runs but misbehaves. Lines are redacted
//! and cut before they are quoted.

use super::{Code, Finding, ObjectRef, Report, Severity};
use crate::cluster::{Cluster, Objects};

/// Crashing containers whose previous logs are read, at most.
const MAX_CRASH_LOGS: usize = 5;
/// Running pods of a named target whose logs are scanned, at most.
const MAX_SCANNED_PODS: usize = 3;
/// Containers per scanned pod, at most.
const MAX_SCANNED_CONTAINERS: usize = 2;
/// Lines read from the end of each log.
const TAIL_LINES: i64 = 100;
/// Error lines quoted per container, at most.
const MAX_QUOTED: usize = 3;
/// The longest quoted line, in characters.
const MAX_LINE: usize = 300;

/// For crashing containers, reads the previous instance's last lines (bounded, concurrently)
/// and quotes the most telling one as evidence. Failures to read are ignored: the finding
/// stands on its status evidence.
pub(super) async fn quote_crash_logs(cluster: &Cluster, namespace: &str, report: &mut Report) {
    let crashing: Vec<usize> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            matches!(f.code, Code::CrashLoopBackOff | Code::OomKilled | Code::ContainerStartError)
                && f.object.kind == "Pod"
        })
        .map(|(index, _)| index)
        .take(MAX_CRASH_LOGS)
        .collect();
    let reads = crashing.iter().map(|index| {
        let finding = &report.findings[*index];
        let (pod, container) = (finding.object.name.clone(), finding.container.clone());
        async move {
            let read = |previous| cluster.pod_logs(namespace, &pod, container.as_deref(), previous, 50, None);
            if let Some(log) = read(true).await.ok().filter(|log| !no_previous_log(log)) {
                return Some(("previous log", log));
            }
            // Between back-offs the container that just exited is still the current one, so its
            // own log is the crash's (a waiting container has none: that read fails).
            read(false).await.ok().filter(|log| !no_previous_log(log)).map(|log| ("log of the exited container", log))
        }
    });
    let logs = futures::future::join_all(reads).await;
    for (index, log) in crashing.into_iter().zip(logs) {
        if let Some((label, line)) = log.as_ref().and_then(|(label, log)| Some((label, telling_line(log)?))) {
            report.findings[index].evidence.push(format!("{label}: {}", crate::redact::text(line)));
        }
    }
}

/// Whether a "previous log" is the kubelet saying there is none: right after a crash, or once
/// the runtime removed the old container, it answers with its own one-line message
/// ("unable to retrieve container logs for containerd://…") instead of the app's output.
/// That line is not the app's, so it is never quoted as if it were.
pub fn no_previous_log(log: &str) -> bool {
    let mut lines = log.lines().map(str::trim).filter(|line| !line.is_empty());
    match (lines.next(), lines.next()) {
        (None, _) => true,
        (Some(only), None) => {
            let lower = only.to_ascii_lowercase();
            lower.starts_with("unable to retrieve container logs for ")
                || lower.starts_with("failed to try resolving symlinks in path")
                || (lower.starts_with("previous terminated container ") && lower.ends_with(" not found"))
        }
        _ => false,
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
        .map(|line| {
            if line.len() > MAX_LINE {
                &line[..line.char_indices().take(MAX_LINE).last().map_or(0, |(i, _)| i)]
            } else {
                line
            }
        })
}

fn cut(line: &str) -> &str {
    match line.char_indices().nth(MAX_LINE) {
        Some((index, _)) => &line[..index],
        None => line,
    }
}

/// Whether a log line reports an error: one of the words that error lines use, as a word
/// (`error`, `ERROR`, `level=error`, `Traceback`), not inside another (`errors=0`).
pub(super) fn is_error_line(line: &str) -> bool {
    const WORDS: [&str; 12] = [
        "error", "err", "exception", "fatal", "panic", "traceback", "failed", "failure", "refused", "denied",
        "unreachable", "critical",
    ];
    let lower = line.to_ascii_lowercase();
    lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| WORDS.contains(&word))
}

/// The running pods (and their running containers) a target names: pods whose name holds
/// it, or whose app label is it. At most [`MAX_SCANNED_PODS`], by name.
pub(super) fn target_pods(objects: &Objects, namespace: &str, target: &str) -> Vec<(String, Vec<String>)> {
    let target = super::target_name(target);
    let mut pods: Vec<(String, Vec<String>)> = objects
        .pods
        .iter()
        .filter(|pod| pod.metadata.namespace_or_default() == namespace && pod.status.phase == "Running")
        .filter(|pod| {
            pod.metadata.name.to_ascii_lowercase().contains(&target)
                || ["app.kubernetes.io/name", "app"]
                    .iter()
                    .any(|key| pod.metadata.labels.get(*key).is_some_and(|v| v.eq_ignore_ascii_case(&target)))
        })
        .map(|pod| {
            let containers: Vec<String> = pod
                .status
                .container_statuses
                .iter()
                .filter(|c| c.state.running.is_some())
                .map(|c| c.name.clone())
                .take(MAX_SCANNED_CONTAINERS)
                .collect();
            (pod.metadata.name.clone(), containers)
        })
        .filter(|(_, containers)| !containers.is_empty())
        .collect();
    pods.sort();
    pods.truncate(MAX_SCANNED_PODS);
    pods
}

/// Reads the recent log of each (pod, container), concurrently, and quotes its error lines:
/// on the pod's existing finding when it has one, else as a `LogErrors` finding.
pub(super) async fn scan_target_logs(
    cluster: &Cluster,
    namespace: &str,
    pods: &[(String, Vec<String>)],
    report: &mut Report,
) {
    let reads = pods.iter().flat_map(|(pod, containers)| {
        containers.iter().map(move |container| async move {
            let log = cluster.pod_logs(namespace, pod, Some(container), false, TAIL_LINES, None).await.ok();
            (pod, container, log)
        })
    });
    let logs = futures::future::join_all(reads).await;
    for (pod, container, log) in logs {
        let Some(log) = log else { continue };
        let lines: Vec<String> = log
            .lines()
            .map(str::trim)
            .filter(|line| is_error_line(line))
            .map(|line| crate::redact::text(cut(line)))
            .collect();
        let quoted = &lines[lines.len().saturating_sub(MAX_QUOTED)..];
        let Some(last) = quoted.last() else { continue };
        let object = ObjectRef { kind: "Pod".into(), name: pod.clone(), namespace: namespace.to_string() };
        if let Some(existing) = report.findings.iter_mut().find(|f| f.object == object) {
            existing.evidence.push(format!("recent log of `{container}`: {last}"));
            continue;
        }
        report.findings.push(Finding {
            code: Code::LogErrors,
            severity: Severity::Warning,
            object,
            message: format!("container `{container}` runs, but its recent log reports errors: {last}"),
            evidence: quoted.iter().map(|line| format!("log of `{container}`: {line}")).collect(),
            fix: vec![format!(
                "read the log around these lines: `todo-ai logs {pod} --tail 200 -n {namespace}`; check what the app connects to (database, other services) and its configuration"
            )],
            related: Vec::new(),
            root_cause: true,
            workload: None,
            container: Some(container.clone()),
            remediations: Vec::new(),
        });
    }
    super::order(&mut report.findings);
    let summary = super::summarize(&report.findings, namespace, report.summary.objects_checked);
    report.summary = super::Summary { unchecked: std::mem::take(&mut report.summary.unchecked), ..summary };
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

    #[test]
    fn the_kubelet_saying_there_is_no_previous_log_is_not_a_log_line() {
        assert!(no_previous_log(
            "unable to retrieve container logs for containerd://4f1c2a9e0b7d3c5a8e6f1b2d4c7a9e0f3b5d7c9a1e2f4b6d8c0a2e4f6b8d0c2\n"
        ));
        assert!(no_previous_log(
            "failed to try resolving symlinks in path \"/var/log/pods/ns_web-1_0f/web/1.log\": lstat /var/log/pods/ns_web-1_0f/web/1.log: no such file or directory"
        ));
        assert!(no_previous_log("\n"));
        // The app's own output, even when it mentions the same words, is a log.
        assert!(!no_previous_log("starting\nunable to retrieve container logs for containerd://x\n"));
        assert!(!no_previous_log("FATAL: cannot reach database\n"));
    }

    #[test]
    fn error_lines_are_words_not_substrings() {
        assert!(is_error_line("2026-01-01 ERROR db: connection refused"));
        assert!(is_error_line(r#"{"level":"error","msg":"boom"}"#));
        assert!(is_error_line("Traceback (most recent call last):"));
        assert!(is_error_line("level=err msg=timeout"));
        assert!(!is_error_line("handled 200 requests, errors=0"));
        assert!(!is_error_line("INFO GET /health 200"));
        assert!(!is_error_line("terrorist_mode=off"));
    }
}
