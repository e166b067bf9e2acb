//! Logs as evidence, read only from a live cluster and always bounded: the previous log of
//! crashed containers, its most telling line quoted (redacted) on the crash finding.

use super::{Code, Report};
use crate::cluster::Cluster;

/// Crashing containers whose previous logs are read, at most.
const MAX_CRASH_LOGS: usize = 5;
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
        async move { cluster.pod_logs(namespace, &pod, container.as_deref(), true, 50, None).await.ok() }
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
        .map(|line| {
            if line.len() > MAX_LINE {
                &line[..line.char_indices().take(MAX_LINE).last().map_or(0, |(i, _)| i)]
            } else {
                line
            }
        })
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
