//! Jobs that failed.

use super::{Code, Finding, Inventory, Severity, finding, object};
use crate::cluster::model;

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for job in &inventory.jobs {
        if let Some(failed) = model::condition(&job.status.conditions, "Failed").filter(|c| c.status == "True") {
            let message = format!("{}: {}", failed.reason, failed.message);
            let mut f = finding(
                Code::JobFailed,
                Severity::Warning,
                object("Job", &job.metadata),
                format!("job failed ({message})"),
            );
            f.evidence.push(format!("condition Failed=True {message}"));
            f.fix.push(format!(
                "read its pods' logs: `kubectl logs job/{} -n {}`",
                job.metadata.name,
                inventory.namespace()
            ));
            findings.push(f);
        }
    }
}
