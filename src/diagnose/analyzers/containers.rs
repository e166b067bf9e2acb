//! App containers, from what the kubelet reports: images that cannot be pulled, containers
//! that cannot be created (a missing Secret or ConfigMap) or started, crash loops (with the
//! exit code explained), out-of-memory kills and failing probes.

use super::{Code, Finding, Inventory, ObjectRef, Severity, config_refs, event_line, finding};
use crate::cluster::model::{ContainerStatus, Event, Pod};

/// Reasons the runtime gives when it could not start a container's process at all (as
/// opposed to a process that started and exited, whatever its code).
const START_FAILURE_REASONS: [&str; 3] = ["StartError", "RunContainerError", "ContainerCannotRun"];

/// Exit codes a shell uses for a command it could not run (not found, not executable).
const COMMAND_EXIT_CODES: [i64; 2] = [126, 127];

/// What the container analyzers know about the pod.
pub(super) struct Context<'i, 'a> {
    pub inventory: &'i Inventory<'a>,
    pub pod: &'i Pod,
    pub pod_ref: &'i ObjectRef,
    pub events: &'i [&'a Event],
    /// The owning workload as `Kind/name`, for `related`.
    pub workload: &'i [String],
    pub owner: &'i Option<ObjectRef>,
}

impl Context<'_, '_> {
    /// A finding about a container of this pod, related to its workload.
    fn finding(&self, code: Code, container: &str, message: String) -> Finding {
        let mut f = finding(code, Severity::Critical, self.pod_ref.clone(), message);
        f.workload.clone_from(self.owner);
        f.container = Some(container.to_string());
        f.related = self.workload.to_vec();
        f
    }
}

pub(super) fn analyze(context: &Context<'_, '_>, status: &ContainerStatus, findings: &mut Vec<Finding>) {
    let container = status.name.as_str();
    let (reason, message) = status.state.waiting.as_ref().map_or(("", ""), |w| (w.reason.as_str(), w.message.as_str()));
    let last = status.last_state.terminated.as_ref();
    let restarts = status.restart_count;
    let pod_ref = context.pod_ref;
    let namespace = &pod_ref.namespace;
    match reason {
        "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" | "ErrImageNeverPull" => {
            let spec_image = context.pod.container(container).map_or(status.image.as_str(), |c| c.image.as_str());
            let pull_error = context
                .events
                .iter()
                .rev()
                .filter_map(|e| e.message.as_deref())
                .find(|message| message.contains("ailed to pull"));
            let mut f = context.finding(
                Code::ImagePullBackOff,
                container,
                format!(
                    "image `{spec_image}` of container `{container}` cannot be pulled ({reason}){}",
                    pull_error.map(|e| format!(": {e}")).unwrap_or_default()
                ),
            );
            f.evidence.push(
                format!("containerStatuses[{container}].state.waiting.reason={reason} {message}").trim().to_string(),
            );
            f.evidence.extend(
                context.events.iter().filter(|e| e.reason.as_deref() == Some("Failed")).take(2).map(|e| event_line(e)),
            );
            f.fix.push(format!("check the image name and tag exist: `docker manifest inspect {spec_image}`"));
            f.fix.push(format!("on minikube, build or load it locally: `minikube image load {spec_image}` and set `imagePullPolicy: IfNotPresent`"));
            if let Some(deployment) = context.workload.first().and_then(|w| w.strip_prefix("Deployment/")) {
                f.fix.push(format!(
                    "or point to a good tag: `todo-ai set-image {deployment} <image:tag> -n {namespace}`"
                ));
            }
            findings.push(f);
        }
        "CreateContainerConfigError" => {
            let mut f = context.finding(
                Code::CreateContainerConfigError,
                container,
                format!("container `{container}` cannot be created: {message}"),
            );
            f.evidence
                .push(format!("containerStatuses[{container}].state.waiting: CreateContainerConfigError: {message}"));
            f.fix.push("create the missing Secret/ConfigMap or key, or fix the reference in the pod spec".into());
            findings.push(f);
            config_refs::missing(context.inventory, context.pod, pod_ref, message, findings);
        }
        "RunContainerError" | "StartError" | "ContainerCannotRun" => {
            findings.push(start_error(context, container, reason, message, restarts));
        }
        "CrashLoopBackOff" => {
            let last_reason = last.map_or("", |t| t.reason.as_str());
            let exit = last.map(|t| t.exit_code);
            if last_reason == "OOMKilled" {
                findings.push(oom(context, container, restarts));
            } else if START_FAILURE_REASONS.contains(&last_reason) {
                let last_message = last.map_or("", |t| t.message.as_str());
                findings.push(start_error(context, container, last_reason, last_message, restarts));
            } else {
                let seen = Crash { state: "state.waiting.reason=CrashLoopBackOff", exited: "lastState.terminated" };
                findings.push(crash_loop(context, container, exit, last_reason, restarts, &seen));
            }
        }
        _ => {
            let current_oom = status.state.terminated.as_ref().is_some_and(|t| t.reason == "OOMKilled");
            if current_oom || (last.is_some_and(|t| t.reason == "OOMKilled") && !status.ready) {
                findings.push(oom(context, container, restarts));
                return;
            }
            // A container its liveness probe keeps killing is that probe's finding; any other
            // container that exited in failure between back-offs is a crash loop.
            let probe = probe_failure(context, container, status.ready, restarts);
            let liveness = probe.as_ref().is_some_and(|f| f.message.starts_with("liveness"));
            if !liveness && let Some(f) = between_restarts(context, status) {
                findings.push(f);
                return;
            }
            if let Some(f) = probe {
                findings.push(f);
            }
        }
    }
}

/// Where a crash was read from, for the evidence lines.
struct Crash<'s> {
    /// The container's current state, as an evidence fragment.
    state: &'s str,
    /// Which terminated state holds the exit code.
    exited: &'s str,
}

/// A crash loop seen between two back-offs: right after a crash the kubelet reports the
/// container `terminated` (kubectl shows `Error`), or waiting with no reason yet, until it
/// re-syncs the pod and says CrashLoopBackOff. With earlier restarts and a failed exit, it is
/// the same crash loop. A running container, or one that exited 0, is not reported here.
fn between_restarts(context: &Context<'_, '_>, status: &ContainerStatus) -> Option<Finding> {
    let container = status.name.as_str();
    let restarts = status.restart_count;
    // A pod being deleted has its containers stopped on purpose.
    if restarts == 0 || status.state.running.is_some() || context.pod.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let (crash, seen) = match (&status.state.terminated, &status.state.waiting) {
        (Some(now), _) => (now, Crash { state: "state.terminated", exited: "state.terminated" }),
        // Waiting for its next start (no reason yet, or being created again).
        (None, Some(waiting)) if matches!(waiting.reason.as_str(), "" | "ContainerCreating" | "PodInitializing") => {
            (status.last_state.terminated.as_ref()?, Crash { state: "state.waiting", exited: "lastState.terminated" })
        }
        (None, None) => {
            (status.last_state.terminated.as_ref()?, Crash { state: "state=(none)", exited: "lastState.terminated" })
        }
        _ => return None,
    };
    if START_FAILURE_REASONS.contains(&crash.reason.as_str()) {
        return Some(start_error(context, container, &crash.reason, &crash.message, restarts));
    }
    if crash.exit_code == 0 {
        return None;
    }
    Some(crash_loop(context, container, Some(crash.exit_code), &crash.reason, restarts, &seen))
}

/// A process that starts and exits, restarted with back-off: the kubelet's CrashLoopBackOff,
/// whatever the exit code (127 is a shell that could not find the command, which the
/// kubelet reports as a crash loop all the same), with the code explained.
fn crash_loop(
    context: &Context<'_, '_>,
    container: &str,
    exit: Option<i64>,
    last_reason: &str,
    restarts: i64,
    seen: &Crash<'_>,
) -> Finding {
    let namespace = &context.pod_ref.namespace;
    let meaning = exit.and_then(super::explain_exit_code);
    let exit_text = match (exit, meaning) {
        (None, _) => "an unknown exit code".to_string(),
        (Some(code), Some(meaning)) => format!("exit code {code} ({meaning})"),
        (Some(code), None) if !last_reason.is_empty() => format!("exit code {code} ({last_reason})"),
        (Some(code), None) => format!("exit code {code}"),
    };
    let mut f = context.finding(
        Code::CrashLoopBackOff,
        container,
        format!("container `{container}` keeps crashing: {exit_text} after {restarts} restarts"),
    );
    f.evidence.push(format!("containerStatuses[{container}].{} restartCount={restarts}", seen.state));
    f.evidence.push(format!(
        "{}: exitCode={} reason={last_reason}",
        seen.exited,
        exit.map_or_else(|| "?".into(), |c| c.to_string())
    ));
    f.evidence.extend(
        context.events.iter().filter(|e| e.reason.as_deref() == Some("BackOff")).take(1).map(|e| event_line(e)),
    );
    if exit.is_some_and(|code| COMMAND_EXIT_CODES.contains(&code)) {
        f.fix.push(
            "check `command`/`args` and the image's entrypoint: the executable must exist in the image and be executable"
                .into(),
        );
    }
    if exit == Some(137) {
        f.fix.push("if it was killed for memory, raise `resources.limits.memory`; if by its liveness probe, see the probe's events".into());
    }
    f.fix.push(format!("read why it exits: `todo-ai logs {} --previous -n {namespace}`", context.pod_ref.name));
    f.fix.push("check its configuration (env, DATABASE_URL, command) against what the app needs at start-up".into());
    f
}

fn start_error(context: &Context<'_, '_>, container: &str, reason: &str, message: &str, restarts: i64) -> Finding {
    let mut f = context.finding(
        Code::ContainerStartError,
        container,
        format!(
            "container `{container}` cannot start its command ({}){}",
            if reason.is_empty() { "start error" } else { reason },
            if message.is_empty() { String::new() } else { format!(": {message}") }
        ),
    );
    f.evidence
        .push(format!("containerStatuses[{container}]: {reason} {message} restartCount={restarts}").trim().to_string());
    f.fix.push(
        "check `command`/`args` and the image's entrypoint: the executable must exist in the image and be executable"
            .into(),
    );
    f
}

fn oom(context: &Context<'_, '_>, container: &str, restarts: i64) -> Finding {
    let limit = context
        .pod
        .container(container)
        .and_then(|c| c.resources.limits.get("memory"))
        .map_or("none set", String::as_str);
    let mut f = context.finding(
        Code::OomKilled,
        container,
        format!("container `{container}` was killed for exceeding its memory limit ({limit}), {restarts} restarts"),
    );
    f.evidence.push(format!("containerStatuses[{container}].lastState.terminated.reason=OOMKilled exitCode=137"));
    f.fix.push(format!("raise the memory limit (e.g. `helm upgrade todo-app manifests/helm/todo-app --set backend.resources.limits.memory=1Gi`) or reduce the app's memory use; current limit {limit}"));
    f
}

fn probe_failure(context: &Context<'_, '_>, container: &str, ready: bool, restarts: i64) -> Option<Finding> {
    let marker = format!("{{{container}}}");
    let probe_events: Vec<&&Event> = context
        .events
        .iter()
        .filter(|e| {
            e.reason.as_deref() == Some("Unhealthy")
                && e.involved_object.field_path.as_deref().is_none_or(|path| path.contains(&marker))
        })
        .collect();
    let message_of = |e: &&&Event| e.message.as_deref().unwrap_or_default().to_string();
    let readiness = probe_events.iter().find(|e| message_of(e).starts_with("Readiness probe failed"));
    let liveness = probe_events.iter().find(|e| message_of(e).starts_with("Liveness probe failed"));
    // Liveness failures restart the container; readiness failures keep it out of Services.
    let (kind, event) = match (liveness, readiness) {
        (Some(event), _) if restarts > 0 => ("liveness", event),
        (_, Some(event)) if !ready => ("readiness", event),
        _ => return None,
    };
    let message = message_of(event);
    let mut f = context.finding(
        Code::ProbeFailing,
        container,
        format!(
            "{kind} probe of container `{container}` fails: {}",
            message.split_once(": ").map_or(message.as_str(), |(_, rest)| rest)
        ),
    );
    if kind != "liveness" {
        f.severity = Severity::Warning;
    }
    f.evidence.push(event_line(event));
    f.fix.push(format!("check the probe's path and port match the app's health endpoint (`kubectl get pod {} -o jsonpath='{{.spec.containers[*].{kind}Probe}}'`)", context.pod_ref.name));
    if kind == "liveness" {
        f.fix.push("give slow starts a startupProbe or a larger initialDelaySeconds so liveness does not kill the app while it boots".into());
    }
    Some(f)
}
