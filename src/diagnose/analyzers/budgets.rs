//! PodDisruptionBudgets that allow no disruption at all: node drains and upgrades hang.

use super::{Code, Finding, Inventory, Severity, finding, object};
use crate::cluster::model::{IntOrString, json_number};

pub(super) fn analyze(inventory: &Inventory<'_>, findings: &mut Vec<Finding>) {
    for budget in &inventory.budgets {
        let status = &budget.status;
        let expected = status.expected_pods.unwrap_or(0);
        if status.disruptions_allowed != Some(0) || expected <= 0 {
            continue;
        }
        let budget_ref = object("PodDisruptionBudget", &budget.metadata);
        // Quoted as the API has them (`1`, `"50%"`).
        let rule = match &budget.spec.min_available {
            None => format!("maxUnavailable={}", IntOrString::json(budget.spec.max_unavailable.as_ref())),
            Some(min) => format!("minAvailable={}", IntOrString::json(Some(min))),
        };
        let mut f = finding(
            Code::PdbBlocksDisruption,
            Severity::Warning,
            budget_ref.clone(),
            format!(
                "{rule} with {} healthy of {expected} pods allows no disruption: node drains and upgrades will hang",
                json_number(status.current_healthy)
            ),
        );
        f.evidence.push(format!(
            "status.disruptionsAllowed=0 currentHealthy={} desiredHealthy={} expectedPods={expected}",
            json_number(status.current_healthy),
            json_number(status.desired_healthy)
        ));
        f.fix.push("run more replicas than minAvailable (e.g. `todo-ai scale …`), or lower minAvailable / use maxUnavailable: 1".into());
        findings.push(f);
    }
}
