//! The offline planner: deterministic rules from English (and kubectl/helm/docker syntax) to
//! tool calls. No model, no network, microseconds per prompt. This file is only the entry
//! point and the orchestration; each stage lives in its own module under `planner/`.
//!
//! How it reads a prompt:
//! 1. The scope gate ([`scope::check`]) trims and tokenizes the prompt ([`super::text`]:
//!    words, numbers, ranges, flags, clause separators) and refuses anything outside the
//!    vetted tools (delete, exec, shell, secrets, RBAC …) for the whole prompt, so a mixed
//!    request never half-runs. [`plan_in_scope`] starts from its tokens.
//! 2. `clauses` splits the prompt into clauses at separators and `intents` gives each one an
//!    intent from ordered keyword rules (with typo tolerance as a second try). A clause
//!    without an intent either adds targets to the previous one ("frontend and backend") or,
//!    if it carries its own values, repeats the previous intent ("frontend to 2 and backend
//!    to 4"). A part that asks for another action ("… and create a configmap") refuses the
//!    prompt here.
//! 3. `slots` fills each clause's arguments, one file per tool: targets, namespace, numbers,
//!    images, tags, values files, `--set` pairs. "it" refers to the previous clause's
//!    targets; a namespace named once applies to every clause. A missing required slot turns
//!    the whole plan into a clarifying question.
//! 4. A stated symptom next to an action ("the backend is broken, roll it back") only
//!    explains the action: it adds no diagnose step of its own.
//!
//! Every word the rules look at is data in `lexicon`. Ranges and name syntax are checked
//! later by the registry, not here.

use serde_json::{Value, json};

use super::clauses::{Clause, clauses};
use super::intents::Intent;
use super::lexicon::{NEGATIONS, OUTSIDE_PHRASES, OUTSIDE_WORDS, USAGE_WORDS};
pub use super::scope::CAPABILITIES;
use super::scope::{self, InScope, unsupported};
use super::shapes::service_dns;
use super::slots::{Built, build, namespace_of};
use super::text::Quote;
use super::{Plan, Step};

/// Plans a prompt: the scope gate ([`scope::check`]), then [`plan_in_scope`]. Pure and
/// deterministic: the same prompt always gives the same plan.
pub fn plan(prompt: &str) -> Plan {
    match scope::check(prompt) {
        Ok(in_scope) => plan_in_scope(in_scope),
        Err(plan) => plan,
    }
}

/// Plans a prompt that passed the scope gate, reading the tokens the gate already made.
pub fn plan_in_scope(in_scope: InScope<'_>) -> Plan {
    let mut tokens = in_scope.into_tokens();
    // Services named by their cluster DNS name (`api.shop.svc.cluster.local`), even inside a
    // quoted error: each may later say which namespace its service is in.
    let services: Vec<(String, String)> = tokens
        .iter()
        .filter_map(|t| service_dns(&t.lower).map(|(service, namespace)| (service.into(), namespace.into())))
        .collect();
    // A quotation of several words (an error message, a log line) is what someone saw, not
    // what they ask for: it names no target, namespace or action.
    tokens.retain(|token| token.quote != Quote::Text);
    let clauses = match clauses(tokens) {
        Ok(clauses) => clauses,
        Err(plan) => return plan,
    };
    if clauses.is_empty() {
        return Plan::nothing(format!("I can't map that to a todo-ai tool. {CAPABILITIES}"));
    }
    let acting = clauses.iter().any(|clause| clause.intent != Intent::Diagnose);
    if let Some(word) = clauses.iter().filter(|c| !(acting && c.is_stated_symptom())).find_map(outside_request) {
        return Plan::refuse(unsupported(word));
    }
    // A namespace named once applies to every clause that names none.
    let prompt_namespace = clauses.iter().find_map(|clause| {
        namespace_of(&clause.tokens).or_else(|| namespace_of(&clause.context)).map(|found| found.name)
    });
    if clauses.iter().any(|clause| clause.intent == Intent::Fix) {
        return fix_plan(&clauses, prompt_namespace.as_deref());
    }
    let mut steps = Vec::new();
    let mut previous_targets: Vec<String> = Vec::new();
    for clause in &clauses {
        match build(clause, &previous_targets, prompt_namespace.as_deref()) {
            Built::Steps { steps: built, targets } => {
                // A stated symptom next to an action only explains it; its targets still
                // count for "it".
                if !(acting && clause.is_stated_symptom()) {
                    steps.extend(built);
                }
                if !targets.is_empty() {
                    previous_targets = targets;
                }
            }
            Built::Clarify(question) => return Plan::clarify(question),
        }
    }
    if prompt_namespace.is_none() {
        dns_namespaces(&mut steps, &services);
    }
    follow_changes(&mut steps);
    // The same call twice in a row ("…, that means triple it") is asked once.
    steps.dedup();
    Plan { steps, ..Plan::default() }
}

/// A word in a request (not in a stated fact or a negation: "we don't need graphs") that asks
/// for something outside the cluster's API: a graph, a tracing or monitoring system, a cloud
/// service.
///
/// Live usage (`kubectl top`, "cpu usage of the api") is outside too when the clause asks to see
/// it; asking why usage is high is a diagnosis.
fn outside_request(clause: &Clause) -> Option<&str> {
    let mut negated = false;
    let mut previous: Option<&str> = None;
    let sees = clause.intent == Intent::Status;
    for token in &clause.tokens {
        if !token.is_word() {
            negated = false;
            previous = None;
            continue;
        }
        let word = token.lower.as_str();
        negated |= NEGATIONS.contains(&word) || word.ends_with("n't");
        let phrase = previous.and_then(|previous| {
            OUTSIDE_PHRASES.iter().copied().find(|phrase| phrase.split_once(' ') == Some((previous, word)))
        });
        if !negated && let Some(named) = phrase.or_else(|| OUTSIDE_WORDS.contains(&word).then_some(word)) {
            return Some(named);
        }
        // "on top of that" is not `kubectl top`.
        let usage = USAGE_WORDS.contains(&word) && !(word == "top" && previous == Some("on"));
        if !negated && sees && usage {
            return Some("live CPU/memory usage (kubectl top)");
        }
        previous = Some(word);
    }
    None
}

/// "restart the web and check the status": a status with no target right after a change to a
/// deployment asks how that change is rolling out.
fn follow_changes(steps: &mut [Step]) {
    for index in 1..steps.len() {
        let (before, after) = steps.split_at_mut(index);
        let (previous, step) = (&before[index - 1], &mut after[0]);
        let changed = matches!(previous.tool.as_str(), "rollout_restart" | "rollout_undo" | "set_image");
        let bare = step.args.as_object().is_some_and(|args| args.keys().all(|key| key == "namespace"));
        if changed
            && step.tool == Intent::Status.tool()
            && bare
            && let Some(deployment) = previous.args.get("deployment")
        {
            let mut args = serde_json::Map::new();
            args.insert("deployment".into(), deployment.clone());
            if let Some(namespace) = previous.args.get("namespace").or_else(|| step.args.get("namespace")) {
                args.insert("namespace".into(), namespace.clone());
            }
            *step = Step { tool: Intent::RolloutStatus.tool().to_string(), args: Value::Object(args) };
        }
    }
}

/// A target that is a service named by its cluster DNS name gets that name's namespace.
fn dns_namespaces(steps: &mut [Step], services: &[(String, String)]) {
    for step in steps {
        let Some(args) = step.args.as_object_mut() else { continue };
        let target = ["target", "deployment"].iter().find_map(|key| args.get(*key).and_then(Value::as_str));
        let namespace = target.and_then(|target| services.iter().find(|(service, _)| service == target));
        if let Some((_, namespace)) = namespace
            && !args.contains_key("namespace")
        {
            args.insert("namespace".into(), json!(namespace));
        }
    }
}

/// A request to fix something is one `fix` step: the flow diagnoses first, so a "diagnose and
/// fix" or a stated symptom beside it adds nothing. Its target is the fix clause's own (or
/// what "it" meant there), else the first target named before it.
fn fix_plan(clauses: &[Clause], prompt_namespace: Option<&str>) -> Plan {
    let mut previous_targets: Vec<String> = Vec::new();
    let mut earlier: Option<String> = None;
    let mut args = serde_json::Map::new();
    for clause in clauses {
        let Built::Steps { steps, targets } = build(clause, &previous_targets, prompt_namespace) else { continue };
        if clause.intent == Intent::Fix {
            let target = targets.first().cloned().or(earlier);
            if let Some(target) = target {
                args.insert("target".into(), json!(target));
            }
            if let Some(namespace) = steps.first().and_then(|step| step.args.get("namespace")) {
                args.insert("namespace".into(), namespace.clone());
            }
            break;
        }
        if earlier.is_none() {
            earlier = targets.first().cloned();
        }
        if !targets.is_empty() {
            previous_targets = targets;
        }
    }
    Plan { steps: vec![Step { tool: Intent::Fix.tool().to_string(), args: Value::Object(args) }], ..Plan::default() }
}

/// The planned calls as (tool, arguments) pairs, for tests across the planner.
#[cfg(test)]
pub(super) fn steps(prompt: &str) -> Vec<(String, Value)> {
    plan(prompt).steps.into_iter().map(|step| (step.tool, step.args)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mixed_requests_are_refused_whole() {
        for prompt in [
            "scale backend to 3 and delete the frontend",
            "restart backend; rm -rf /",
            "show pods | sh",
            "scale backend to 3 and create a configmap",
        ] {
            let plan = plan(prompt);
            assert!(plan.steps.is_empty(), "{prompt}");
            assert!(plan.refused, "{prompt}");
        }
    }

    #[test]
    fn pronouns_refer_back() {
        assert_eq!(
            steps("generate a dockerfile for backend, build it and deploy"),
            vec![
                ("generate_dockerfile".into(), json!({"path": "backend"})),
                ("build_image".into(), json!({"path": "backend", "minikube": false})),
                ("helm_install".into(), json!({})),
            ]
        );
    }

    #[test]
    fn fix_requests_plan_one_fix_step() {
        assert_eq!(
            steps("repair the ledger -n money"),
            vec![("fix".into(), json!({"target": "ledger", "namespace": "money"}))]
        );
        // A stated symptom names the target; "diagnose and" adds nothing to a fix.
        assert_eq!(
            steps("the billing pods keep crashing, please diagnose and fix it"),
            vec![("fix".into(), json!({"target": "billing"}))]
        );
        assert_eq!(steps("fix it"), vec![("fix".into(), json!({}))]);
    }

    #[test]
    fn tickets_take_the_request_not_the_quoted_text() {
        let prompt = "Since this morning ingest has been failing with \"dial tcp: lookup queue.jobs.svc.cluster.local: \
                      no such host\" in every pod. Nothing changed on our side as far as we know. Could you show me \
                      the warning events for queue?";
        assert_eq!(
            steps(prompt),
            vec![("events".into(), json!({"target": "queue", "warnings_only": true, "namespace": "jobs"}))]
        );
    }

    #[test]
    fn requests_outside_the_cluster_api_are_refused() {
        for prompt in ["plot cpu per pod for the last hour", "open the kibana view for web", "resize the rds database"]
        {
            let plan = plan(prompt);
            assert!(plan.refused && plan.steps.is_empty(), "{prompt}");
        }
        // Mentioned as background, they are not asked for.
        assert!(!plan("our dashboards look fine but we don't need graphs; restart web").refused);
        // Two-word product names, and live usage (todo-ai shows requests and limits, not usage).
        for prompt in [
            "show the web errors in new relic",
            "kubectl top pod web",
            "top containers in shop",
            "show memory usage of web",
        ] {
            let plan = plan(prompt);
            assert!(plan.refused && plan.steps.is_empty(), "{prompt}");
        }
        let named = plan("show the web errors in new relic").message.unwrap_or_default();
        assert!(named.contains("`new relic`"), "the product is named whole: {named}");
        // Asking why usage is high is a diagnosis; "on top of that" is not `kubectl top`.
        assert_eq!(steps("why is memory usage so high on web")[0].0, "diagnose");
        assert_eq!(steps("on top of that, show the status of web")[0].0, "status");
    }

    #[test]
    fn labels_joined_verbs_and_counts_after_context() {
        // A ticket's line label is not a name.
        assert_eq!(
            steps("Summary: web keeps crashing since noon. Task: restart the web deployment please."),
            vec![("rollout_restart".into(), json!({"deployment": "web"}))]
        );
        // "diagnose+fix" is "diagnose and fix": one fix.
        assert_eq!(
            steps("diagnose+fix web -n shop"),
            vec![("fix".into(), json!({"target": "web", "namespace": "shop"}))]
        );
        // A name and its namespace between "make" and "work again".
        assert_eq!(
            steps("make the web deployment in namespace shop work again"),
            vec![("fix".into(), json!({"target": "web", "namespace": "shop"}))]
        );
        // "add N replicas" after a sentence of context is a request of its own.
        assert_eq!(
            steps("latency is high, not errors. add 2 replicas to web"),
            vec![("scale".into(), json!({"deployment": "web", "change": "+2"}))]
        );
    }

    #[test]
    fn deterministic() {
        let prompt = "build the images and deploy with values-dev.yaml --set backend.replicaCount=3 -n todo";
        assert_eq!(plan(prompt), plan(prompt));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// A tiny deterministic generator, so failures reproduce.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> usize {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(self.0 >> 33).unwrap_or(0)
        }
    }

    #[test]
    fn arbitrary_prompts_never_panic_and_plan_the_same_twice() {
        let pieces = [
            "scale", "backend", "to", "3", "-n", "--replicas=", "=", "é", "🙂", "..", "./", "/", "?", ",", "and",
            "then", "it", "helm", "upgrade", "--set", "a.b=c", "-f", "x.yaml", "kubectl", "logs", "-p", "--tail",
            "between", "twenty", "minus", "%", "deploy/", "image", "ghcr.io/a/b:1", "@sha256:", "'s", "\"", "(", ")",
            "\u{0}", "ß", "İ", "-", "--", "in", "namespace", "build", "the", "new", "why", "delete", "secret", "k",
            "1-2", "a hundred", "dockerfile", "fastapi", "roll", "back", "out",
        ];
        let mut random = Lcg(0x5eed);
        for _ in 0..5_000 {
            let length = random.next() % 14;
            let prompt: Vec<&str> = (0..length).map(|_| pieces[random.next() % pieces.len()]).collect();
            let glue = if random.next().is_multiple_of(3) { "" } else { " " };
            let prompt = prompt.join(glue);
            let first = plan(&prompt);
            assert_eq!(first, plan(&prompt), "{prompt:?}");
            // A plan has steps, or says why not — never nothing at all.
            assert!(!first.steps.is_empty() || first.message.is_some() || first.clarify.is_some(), "{prompt:?}");
        }
    }
}
