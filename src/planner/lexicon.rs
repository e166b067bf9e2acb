//! The offline planner's vocabulary: every word list the rules look at, and the sets derived
//! from them. Words are data; the rules that read them live in [`super::scope`] (what is
//! refused), [`super::intents`] (what a clause asks for), [`super::clauses`] (how a prompt
//! splits) and [`super::slots`] (what fills each argument). Keeping the lists in one place
//! means the typo corrector ([`INTENT_VOCABULARY`]) and the target extractor ([`NOISE`]) see
//! exactly the words the rules see: adding a word to a list here teaches every rule at once.

use std::collections::HashSet;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------
// Intent words: what a clause asks for.

/// Words that ask for a horizontal pod autoscaler.
pub(super) const AUTOSCALE_WORDS: &[&str] = &[
    "autoscale", "autoscaler", "autoscaling", "autoscaled", "auto-scale", "auto-scaling", "auto-scaler", "hpa", "hpas",
    "horizontalpodautoscaler",
];
/// Words that ask for logs outright.
pub(super) const LOG_WORDS: &[&str] = &["log", "logs", "stdout", "stderr", "tail", "logfile", "logging", "logged"];
/// Words that suggest logs ("what is it printing") when nothing stronger is asked.
pub(super) const WEAK_LOG_WORDS: &[&str] = &[
    "print", "printed", "prints", "printing", "outputting", "saying", "output", "outputs", "said", "say", "saying",
    "wrote", "spit", "spat", "emit", "emitted",
];
/// Words that ask for Kubernetes events.
pub(super) const EVENT_WORDS: &[&str] = &["event", "events", "ev"];
/// Words that ask for warning events only.
pub(super) const WARNING_WORDS: &[&str] = &["warning", "warnings", "alerts"];
/// Words that ask for a diagnosis whatever else the clause says.
pub(super) const STRONG_DIAGNOSE_WORDS: &[&str] = &[
    "why", "wrong", "diagnose", "diagnosis", "diagnostics", "diagnostic", "troubleshoot", "troubleshooting", "debug",
    "debugging", "investigate", "analyze", "analyse", "analysis", "broken", "rca", "triage", "diag",
];
/// Symptoms: a diagnosis when no other intent matches.
pub(super) const WEAK_DIAGNOSE_WORDS: &[&str] = &[
    "health", "healthy", "unhealthy", "crash", "crashing", "crashes", "crashed", "crashloop", "crashloopbackoff",
    "failing", "fails", "failed", "failure", "failures", "error", "errors", "erroring", "down", "problem", "problems",
    "issue", "issues", "pending", "stuck", "restarting", "restarts", "restarted", "oom", "oomkilled", "evicted",
    "imagepullbackoff", "errimagepull", "dead", "died", "dying", "unavailable", "unreachable", "sick", "flapping",
    "healthcheck", "checkup", "misbehaving", "weird", "odd", "strange", "slow", "flaky", "acting", "crashlooping",
    "crashloops", "sluggish", "throwing", "throws", "borked", "broke", "500s", "502s", "503s", "504s", "5xx",
    "hanging", "hung", "timeouts", "unresponsive", "degraded", "outage", "incident", "panicking", "panic", "exception",
    "exceptions", "traceback", "oddly", "behaving",
];
/// Verbs that, negated ("won't start", "isn't working"), describe a symptom.
pub(super) const NEGATABLE_WORDS: &[&str] = &[
    "start", "starting", "started", "work", "working", "run", "running", "come", "coming", "load", "loading",
    "respond", "responding", "boot", "booting", "ready", "serve", "serving", "connect", "connecting", "reachable",
];
/// Negations that, before a [`NEGATABLE_WORDS`] verb, describe a symptom.
pub(super) const NEGATIONS: &[&str] = &[
    "not", "won't", "wont", "isn't", "isnt", "doesn't", "doesnt", "can't", "cant", "cannot", "never", "aren't",
    "don't", "didn't", "no", "unable",
];
/// Words that ask for a Dockerfile.
pub(super) const DOCKERFILE_WORDS: &[&str] = &[
    "dockerfile", "dockerfiles", "dockerize", "dockerise", "dockerizing", "dockerising", "containerize",
    "containerise", "containerizing", "containerising", "containerization", "containerisation",
];
/// Words that ask for an image build.
pub(super) const BUILD_WORDS: &[&str] = &["build", "builds", "rebuild", "re-build", "buildx", "rebuilding", "building"];
/// Words that name a rollout.
pub(super) const ROLLOUT_WORDS: &[&str] = &["rollout", "rollouts", "rolled", "rolls"];
/// Words that, next to a rollout, ask how it is going.
pub(super) const ROLLOUT_STATUS_WORDS: &[&str] = &[
    "status", "done", "finished", "finish", "complete", "completed", "progress", "progressing", "over", "through",
    "succeeded", "successful", "succeed", "success", "wait", "watch", "follow", "track", "monitor", "yet", "fully",
    "check", "verify", "confirm", "see", "completes", "finishes", "succeeds", "cleanly", "eye",
];
/// Question openers: "is the rollout …", "did the rollout …".
pub(super) const QUESTION_OPENERS: &[&str] =
    &["is", "did", "has", "have", "was", "are", "does", "do", "how", "what's", "whats"];
/// Verbs that change a count even without a number ("bump replicas" → how many?).
pub(super) const STRONG_COUNT_WORDS: &[&str] =
    &["bump", "increase", "decrease", "reduce", "raise", "lower", "grow", "shrink", "double", "halve"];
/// Words that ask to go back to an earlier revision.
pub(super) const ROLLBACK_WORDS: &[&str] = &["rollback", "undo", "revert", "downgrade", "roll-back"];
/// Words that make a rollback the Helm release's rather than a deployment's.
pub(super) const HELM_WORDS: &[&str] = &["helm", "release", "chart"];
/// Words that ask for a rolling restart.
pub(super) const RESTART_WORDS: &[&str] =
    &["restart", "bounce", "recycle", "reboot", "cycle", "kick", "redeploy", "reload", "respawn"];
/// Words that ask to change a replica count.
pub(super) const SCALE_WORDS: &[&str] = &["scale", "scaled", "scaling", "upscale", "downscale", "rescale", "resize"];
/// Words that count replicas ("3 copies", "more pods").
pub(super) const REPLICA_WORDS: &[&str] =
    &["replica", "replicas", "copies", "copy", "instance", "instances", "pods", "pod", "containers", "nodes-worth"];
/// Verbs that, next to an image reference, ask to change a deployment's image.
pub(super) const IMAGE_CHANGE_WORDS: &[&str] =
    &["set", "update", "change", "use", "switch", "point", "swap", "upgrade", "bump", "move", "roll", "pin", "image"];
/// Words that ask to install or upgrade the Helm release.
pub(super) const DEPLOY_WORDS: &[&str] =
    &["deploy", "deploying", "install", "reinstall", "upgrade", "ship", "launch", "provision"];
/// Words that ask to see what is running.
pub(super) const STATUS_WORDS: &[&str] = &[
    "status", "show", "list", "get", "display", "running", "ready", "describe", "overview", "state", "top", "view",
    "check", "pods", "deployments", "workloads", "statefulsets", "daemonsets",
];
/// Verbs that only say "make it": never targets.
pub(super) const GENERATE_WORDS: &[&str] =
    &["generate", "create", "write", "produce", "craft", "add", "scaffold", "prepare", "draft"];

/// Words that, before "build"/"upgrade"/"deploy", make it a noun ("the new api build is
/// broken", "last upgrade broke everything").
pub(super) const NOUN_BEFORE: &[&str] = &[
    "the", "a", "new", "latest", "last", "this", "that", "my", "our", "your", "their", "chart", "previous", "failed",
    "broken", "yesterday's", "today's",
];
/// Words that, after "build"/"upgrade"/"deploy", make it a noun ("the build failed").
pub(super) const NOUN_AFTER: &[&str] = &[
    "is", "was", "isn't", "wasn't", "has", "had", "failed", "fails", "broke", "borked", "broken", "keeps", "kept",
    "throws", "throwing", "went", "succeeded", "worked", "crashed", "didn't", "did", "seems", "looks", "log", "logs",
];

/// Words that ask to repair what is broken: the fix flow.
pub(super) const FIX_WORDS: &[&str] =
    &["fix", "fixing", "repair", "repairing", "remediate", "remediation", "heal", "mend", "unbreak", "unstick"];
/// States a fix should bring something back to ("make it work again", "get it healthy").
pub(super) const WORKING_WORDS: &[&str] =
    &["work", "working", "healthy", "running", "ready", "up", "green", "happy", "functional", "operational"];
/// Words that make a relative scale go down ("down by one", "reduce by 25%").
pub(super) const DOWN_WORDS: &[&str] =
    &["down", "decrease", "reduce", "lower", "shrink", "cut", "fewer", "less", "minus", "downscale", "drop"];
/// Words that name a container resource ("memory limit", "cpu request").
pub(super) const MEMORY_WORDS: &[&str] = &["memory", "mem", "ram"];
/// Words that name CPU; "cores" after a number makes it an amount of CPU.
pub(super) const CPU_WORDS: &[&str] = &["cpu", "cpus", "vcpu", "vcpus", "core", "cores", "millicores"];
/// Words that say an amount is a limit (the most a container may use).
pub(super) const LIMIT_WORDS: &[&str] = &["limit", "limits", "cap", "ceiling"];
/// Words that say an amount is a request (what the scheduler reserves).
pub(super) const REQUEST_WORDS: &[&str] = &["request", "requests", "reservation", "reserve", "guaranteed"];
/// Verbs that change an amount ("raise the memory limit to 2Gi", "give it 1 cpu").
pub(super) const AMOUNT_CHANGE_WORDS: &[&str] = &[
    "set", "raise", "increase", "bump", "lower", "reduce", "decrease", "give", "put", "change", "update", "make",
    "allow", "up", "adjust", "resize", "tune", "configure",
];
/// todo-ai's own subcommand names, typed as commands: never targets.
pub(super) const COMMAND_WORDS: &[&str] = &["todo-ai", "set-image", "set-resources"];
/// Words for a container's requests and limits as a whole.
pub(super) const RESOURCE_NOUNS: &[&str] = &["resources", "resource", "requests/limits", "limits/requests"];
/// Verbs that take a number of replicas away ("remove two replicas", "take 1 pod off"): with a
/// count and a replica word they scale down, they do not delete anything.
pub(super) const TAKE_AWAY_WORDS: &[&str] =
    &["remove", "removing", "drop", "dropping", "take", "cut", "shed", "trim", "subtract", "lose"];
/// Multipliers that scale relative to the current count, as a change in percent.
pub(super) const MULTIPLIER_WORDS: &[(&str, i64)] = &[
    ("double", 100),
    ("doubled", 100),
    ("twice", 100),
    ("triple", 200),
    ("tripled", 200),
    ("treble", 200),
    ("quadruple", 300),
    ("halve", -50),
    ("halved", -50),
];
/// Words that ask about the images or versions that run.
pub(super) const IMAGE_QUESTION_WORDS: &[&str] = &["image", "images", "version", "versions", "tag", "tags"];
/// Words that ask to read across the whole cluster.
pub(super) const CLUSTER_WIDE_WORDS: &[&str] =
    &["everywhere", "cluster-wide", "clusterwide", "all-namespaces", "cluster-level"];
/// Pod phases, container states and conditions: what something is "in", never a namespace
/// or a target.
pub(super) const STATE_WORDS: &[&str] = &[
    "pending", "containercreating", "crashloopbackoff", "imagepullbackoff", "errimagepull", "terminating", "evicted",
    "oomkilled", "completed", "unknown", "notready", "succeeded", "init", "createcontainerconfigerror",
    "createcontainererror", "runcontainererror", "invalidimagename", "podinitializing", "backoff", "loop", "half",
    "error", "failed", "running", "ready", "state", "status", "phase", "mode", "trouble", "place", "production-mode",
];
/// Words after "in X" that make X a state rather than a namespace ("in Error state").
pub(super) const STATE_NOUNS: &[&str] = &["state", "status", "phase", "mode", "condition"];
/// Words that make a prompt about more than one namespace ("all namespaces").
pub(super) const ALL_WORDS: &[&str] = &["all", "every", "each", "across", "any"];

// ---------------------------------------------------------------------------------------
// Refusal vocabulary: asking for any of these refuses the whole prompt.

/// Destructive verbs: todo-ai never deletes or tears down.
pub(super) const DESTRUCTIVE_WORDS: &[&str] = &[
    "delete", "del", "remove", "rm", "rmdir", "destroy", "drop", "purge", "wipe", "erase", "truncate", "kill", "pkill",
    "terminate", "evict", "drain", "cordon", "uncordon", "taint", "uninstall", "nuke", "prune", "mkfs", "shutdown",
    "poweroff", "dd",
];
/// Running commands or opening shells: todo-ai only runs its vetted tools.
pub(super) const EXEC_WORDS: &[&str] = &[
    "exec", "ssh", "shell", "bash", "sh", "zsh", "powershell", "attach", "port-forward", "portforward", "sudo", "su",
    "chmod", "chown", "curl", "wget", "scp", "cp", "netcat", "nc", "eval", "execute", "terminal", "command",
    "commands", "script",
];
/// Access control: todo-ai never changes who may do what.
pub(super) const ACCESS_WORDS: &[&str] = &[
    "cluster-admin", "rbac", "clusterrole", "clusterroles", "clusterrolebinding", "clusterrolebindings", "rolebinding",
    "rolebindings", "role", "roles", "permission", "permissions", "privilege", "privileges", "privileged",
    "impersonate", "admin", "root", "superuser", "sudoers",
];
/// Systems outside the cluster's API (monitoring, tracing, log stores, cloud services) and
/// kinds of answer todo-ai does not give (graphs, dashboards, latency percentiles): asking for
/// them refuses the request.
pub(super) const OUTSIDE_WORDS: &[&str] = &[
    "graph", "graphs", "graphed", "plot", "dashboard", "dashboards", "grafana", "datadog", "splunk", "loki", "logql",
    "jaeger", "zipkin", "kibana", "newrelic", "new-relic", "honeycomb", "promql", "cloudwatch", "stackdriver",
    "opensearch", "traces", "tracing", "p99", "p95", "p90", "p50", "percentile", "percentiles", "s3", "rds", "iam",
    "ec2", "ebs", "elb", "alb", "lambda", "dynamodb", "aurora", "route53", "cloudfront", "gcs", "bigquery", "cloudsql",
    "weather", "forecast", "recipe", "joke", "poem", "bitcoin",
];
/// Two-word names of systems outside the cluster's API ("new relic").
pub(super) const OUTSIDE_PHRASES: &[&str] = &[
    "new relic", "app insights", "application insights", "azure monitor", "cloud monitoring", "cloud logging",
    "elastic apm", "google analytics",
];
/// Live resource usage (what `kubectl top` reads from metrics-server): todo-ai shows requests
/// and limits, not usage, so a request to see usage is refused rather than answered with a
/// status that does not hold it.
pub(super) const USAGE_WORDS: &[&str] = &["usage", "utilization", "utilisation", "consumption", "top"];
/// Words that label a line of a ticket ("Task:", "Summary:"): never a target's name.
pub(super) const TICKET_LABELS: &[&str] = &[
    "task", "summary", "description", "subject", "title", "priority", "severity", "impact", "reporter", "assignee",
    "background", "details", "expected", "actual", "steps", "ticket", "jira", "fyi", "acceptance", "criteria",
    "objective", "requester",
];
/// Words that make up a ticket's line label ("Task:", "Action requested:", "Step 2:"): the
/// sentence after the label is read on its own.
pub(super) const LABEL_WORDS: &[&str] = &[
    "task", "tasks", "summary", "description", "subject", "title", "background", "details", "ticket", "fyi",
    "objective", "goal", "action", "actions", "request", "requested", "ask", "item", "todo", "to-do", "step", "next",
    "note", "notes", "update", "required", "needed", "problem", "issue", "context", "impact", "expected", "actual",
    "acceptance", "criteria", "priority", "severity", "owner", "resolution", "workaround", "follow-up",
];
/// Other forms of the destructive verbs.
pub(super) const DESTRUCTIVE_FORMS: &[&str] = &[
    "deleting", "deletes", "removing", "removes", "destroying", "wiping", "purging", "erasing", "truncating",
    "killing", "terminating-them", "draining", "cordoning", "uninstalling", "nuking", "pruning", "cleanup", "clean-up",
];
/// Secret values: todo-ai never reads or prints them.
pub(super) const SECRET_WORDS: &[&str] = &[
    "secret", "secrets", "password", "passwords", "passwd", "credential", "credentials", "token", "tokens", "apikey",
    "api-key", "api_key", "openai_api_key", "database_url", "better_auth_secret", "kubeconfig", "private-key",
    "passphrase", ".env",
];
/// Verbs of other actions: a clause built around one of these is not ours to guess at.
pub(super) const OTHER_ACTION_WORDS: &[&str] = &[
    "create", "add", "stop", "pause", "resume", "suspend", "disable", "open", "close", "edit", "rename", "move",
    "clone", "expose", "apply", "patch", "annotate", "label", "send", "email", "notify", "post", "migrate", "backup",
    "restore", "connect", "login", "logout", "write-off", "tell", "translate", "explain", "calculate", "compute",
    "sing", "draw", "order", "buy", "book", "cancel", "forward", "copy", "mount", "unmount", "encrypt", "decrypt",
    "decode", "encode", "print-secret", "dump", "export", "import", "upload", "download",
];

/// `kubectl` subcommands behind vetted tools; any other refuses the prompt.
pub(super) const KUBECTL_SUBCOMMANDS: &[&str] =
    &["get", "describe", "logs", "log", "scale", "rollout", "set", "autoscale", "events"];
/// `helm` subcommands behind vetted tools (or words that merely follow "helm").
pub(super) const HELM_SUBCOMMANDS: &[&str] = &[
    "install", "upgrade", "rollback", "chart", "release", "releases", "charts", "as", "with", "using", "for", "to",
    "into", "on", "in", "and", "or",
];
/// `docker` subcommands behind vetted tools (or words that merely follow "docker").
pub(super) const DOCKER_SUBCOMMANDS: &[&str] = &["build", "buildx", "image", "images", "file"];
/// Words that make a prompt about a problem: a secret named in it is being diagnosed, not read.
pub(super) const SYMPTOM_WORDS: &[&str] = &[
    "missing", "wrong", "error", "errors", "failing", "failed", "broken", "notfound", "crashing", "diagnose",
    "troubleshoot",
];
/// What "ignore …" must be about to be a prompt injection ("ignore your instructions").
pub(super) const INJECTION_OBJECTS: &[&str] = &["instructions", "instruction", "rules", "prompt", "guidelines"];
/// Access words that only matter when someone asks to be given them.
pub(super) const ROLE_WORDS: &[&str] = &["admin", "root", "superuser"];
/// Words that ask to be given access ("give me admin", "run as root").
pub(super) const GRANT_WORDS: &[&str] = &["give", "grant", "make", "become", "as", "escalate"];

// ---------------------------------------------------------------------------------------
// Clause words: how a prompt splits and what a clause is.

/// Words that make a diagnose clause a request rather than a stated symptom.
pub(super) const EXPLICIT_DIAGNOSE_WORDS: &[&str] = &[
    "why", "what", "what's", "whats", "diagnose", "diagnosis", "diagnostics", "troubleshoot", "troubleshooting",
    "debug", "investigate", "analyze", "analyse", "analysis", "check", "find", "look", "help", "triage", "rca",
    "explain", "health", "healthy", "diag",
];

/// Verbs that, first in a sentence, ask for something ("restart the api", "show me …").
pub(super) const IMPERATIVE_VERBS: &[&str] = &[
    "scale", "restart", "roll", "undo", "revert", "show", "list", "get", "display", "describe", "diagnose",
    "investigate", "check", "fetch", "pull", "grab", "give", "set", "update", "change", "bump", "deploy", "build",
    "generate", "write", "create", "fix", "repair", "make", "tail", "find", "confirm", "report", "retrieve",
    "determine", "identify", "double", "halve", "triple", "add", "increase", "reduce", "decrease", "autoscale",
    "watch", "follow", "bounce", "upgrade", "install", "use", "switch", "move", "take", "bring", "run", "look", "tell",
    "keep", "cut", "query", "search", "graph", "plot", "delete", "remove", "print", "open", "exec", "forward",
    "attach", "pin", "verify", "ensure", "wait", "debug", "troubleshoot", "analyze", "analyse", "explain", "help",
    "requesting", "recycle", "redeploy", "reload", "containerize", "containerise", "dockerize", "grant", "expose",
    "edit", "patch", "apply", "drain", "cordon", "kill", "stop", "start", "send", "read", "paste", "copy", "decode",
    "export", "upload", "download", "port-forward", "inspect", "audit", "review",
];

/// Words that may open a request before its verb ("please", "can you", "then").
pub(super) const POLITE_OPENERS: &[&str] = &[
    "please", "pls", "plz", "can", "could", "would", "will", "you", "u", "kindly", "then", "also", "now", "just", "ok",
    "okay", "so", "and", "hey", "hi", "go", "ahead", "let's", "lets", "quickly",
];

// ---------------------------------------------------------------------------------------
// Words around a target: what makes a word a name, and what never is one.

/// Words that never name a target: grammar, politeness, kinds of object, units.
pub(super) const FILLER_WORDS: &[&str] = &[
    "a", "an", "the", "my", "our", "your", "their", "this", "these", "of", "for", "to", "from", "into", "in", "on",
    "at", "with", "by", "as", "onto", "inside", "within", "using", "via", "about", "please", "pls", "plz", "kindly",
    "can", "could", "would", "will", "should", "shall", "you", "me", "i", "we", "us", "let's", "lets", "let", "want",
    "wanna", "need", "like", "just", "now", "quickly", "asap", "again", "some", "all", "any", "every", "is", "are",
    "was", "were", "be", "been", "being", "do", "does", "did", "have", "has", "had", "what", "what's", "whats",
    "which", "who", "where", "when", "how", "many", "much", "there", "here", "it's", "its", "it", "them", "they",
    "that", "those", "thanks", "thank", "thx", "hey", "hi", "hello", "ok", "okay", "so", "up", "down", "out", "off",
    "over", "back", "only", "also", "then", "still", "keep", "keeps", "not", "no", "isn't", "aren't", "won't",
    "doesn't", "don't", "can't", "cannot", "current", "currently", "latest", "new", "last", "previous", "prev",
    "prior", "recent", "recently", "before", "after", "same", "right", "help", "find", "look", "tell", "give", "make",
    "made", "run", "running", "set", "setup", "enable", "turn", "between", "min", "minimum", "max", "maximum", "least",
    "most", "upto", "limit", "cap", "target", "targeting", "cpu", "percent", "utilization", "utilisation", "memory",
    "lines", "line", "revision", "rev", "version", "image", "images", "tag", "tagged", "named", "called", "name",
    "new", "fresh", "whole", "entire", "everything", "anything", "something", "stuff", "thing", "things", "one",
    "ones", "each", "both", "rolling", "load", "loaded", "push", "minikube", "locally", "local", "cluster", "clusters",
    "k8s", "kubernetes", "kubectl", "docker", "namespace", "namespaces", "ns", "deployment", "deployments", "deploy",
    "pod", "pods", "container", "containers", "service", "services", "svc", "app", "apps", "application",
    "applications", "project", "repo", "folder", "directory", "dir", "code", "workload", "workloads", "statefulset",
    "statefulsets", "daemonset", "daemonsets", "replicaset", "replicasets", "replica", "replicas", "copies",
    "instance", "instances", "node", "nodes", "release", "chart", "helm", "values", "file", "files", "multi-stage",
    "multistage", "production-ready", "optimized", "optimised", "small", "slim", "secure", "good", "proper", "best",
    "simple", "basic", "quick", "currently", "doing", "going", "gone", "get", "got", "getting", "go", "see", "why",
    "because", "start", "started", "happening", "happened", "happen", "seems", "seem", "web-app", "webapp", "site",
    "website", "server", "instead", "either", "too", "very", "really", "again", "or", "if", "up-to", "there's", "wait",
    "until", "till", "once", "first", "second", "next", "soon", "time", "times", "way", "ever", "yet", "oh", "um",
    "hmm", "yo", "dear", "sir", "folks", "team", "guys", "quick", "could've", "i'd", "i'm", "im", "we're", "you're",
    "it'll", "via", "lot", "lots", "bit", "more", "less", "few", "fewer", "total", "overall", "full", "u", "ur", "em",
    "af", "lol", "wtf", "cheers", "grab", "fetch", "pull", "bring", "gimme", "q", "k", "morning", "someone", "anyone",
    "anybody", "somebody", "figure", "put", "pop", "spin", "asap", "horizontal", "vertical", "number", "count", "shut",
    "fully", "yet", "take", "off", "status", "state", "health", "problem", "problems", "issue", "issues",
];

/// Words that refer back to the previous clause's targets.
pub(super) const PRONOUNS: &[&str] = &["it", "them", "they", "that", "those", "these", "its", "this", "their"];
/// Words that mean both of the app's components in a docker clause.
pub(super) const BOTH_WORDS: &[&str] = &["both", "images", "dockerfiles", "everything", "all"];

/// The Todo app's two components, used when a request names "both" or "the images".
pub(super) const DEFAULT_COMPONENTS: [&str; 2] = ["frontend", "backend"];

/// Words that name a Dockerfile stack, with the stack they stand for.
pub(super) const STACK_WORDS: &[(&str, &str)] = &[
    ("next", "nextjs"),
    ("next.js", "nextjs"),
    ("nextjs", "nextjs"),
    ("fastapi", "fastapi"),
    ("node", "node"),
    ("node.js", "node"),
    ("nodejs", "node"),
    ("express", "node"),
    ("nestjs", "node"),
    ("python", "python"),
    ("flask", "python"),
    ("django", "python"),
    ("go", "go"),
    ("golang", "go"),
    ("rust", "rust"),
    ("cargo", "rust"),
    ("static", "static"),
    ("html", "static"),
];

/// Environment names that read as namespaces after "in"/"on".
pub(super) const ENVIRONMENT_WORDS: &[&str] =
    &["staging", "prod", "production", "dev", "development", "qa", "uat", "test", "testing", "preview", "sandbox"];

/// Well-known component names: a word like these is almost surely the target.
pub(super) const COMPONENT_WORDS: &[&str] = &[
    "frontend", "backend", "api", "web", "ui", "worker", "workers", "db", "database", "postgres", "postgresql",
    "redis", "nginx", "gateway", "auth", "server", "client", "cache", "queue", "scheduler", "cron", "proxy", "mysql",
    "mongo", "mongodb", "kafka", "rabbitmq", "celery", "frontends", "backends",
];
/// Nouns that follow a target's name ("the frontend deployment", "backend pods").
pub(super) const KIND_NOUNS: &[&str] = &[
    "deployment", "deployments", "deploy", "pod", "pods", "container", "containers", "service", "services", "svc",
    "app", "image", "images", "replicas", "replica", "logs", "log", "rollout", "folder", "directory", "dir",
    "dockerfile", "statefulset", "hpa", "instance", "instances", "copies", "workload", "side", "tier", "build",
    "events", "job", "cronjob", "daemonset", "replicaset", "controller",
];
/// Words skipped when looking at what comes before a candidate name.
pub(super) const DETERMINERS: &[&str] =
    &["the", "my", "our", "a", "an", "this", "that", "your", "their", "its", "whole", "new"];
/// Words that may stand beside a lone name in a list ("and the backend pods too").
pub(super) const LIST_FILLER: &[&str] = &[
    "the", "my", "our", "a", "an", "also", "too", "both", "deployment", "deployments", "pod", "pods", "service",
    "services", "app", "container", "containers", "image", "images", "one", "as", "well", "for", "of", "on", "please",
    "pls",
];
/// Kinds written before a name with a slash (`deployment/x`, `po/x`).
pub(super) const KIND_PREFIXES: &[&str] = &[
    "deployment", "deployments", "deploy", "deployment.apps", "pod", "pods", "po", "statefulset", "sts", "daemonset",
    "ds", "svc", "service", "job", "rs", "replicaset", "hpa",
];

/// Grammar words and units that cannot stand where a Kubernetes name stands: personal
/// pronouns, subordinating conjunctions, prepositions of place and time, and time units.
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "he", "him", "his", "she", "her", "hers", "mine", "yours", "ours", "theirs", "itself", "themselves", "whether",
    "although", "though", "unless", "whereas", "while", "since", "behind", "beneath", "under", "above", "below",
    "near", "around", "through", "during", "without", "against", "toward", "towards", "along", "among", "beside",
    "besides", "beyond", "per", "than", "whose", "whom", "second", "seconds", "sec", "secs", "minute", "minutes",
    "mins", "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks", "month", "months", "ago",
];

// ---------------------------------------------------------------------------------------
// Derived sets.

/// Words that are never a target's name: every word that carries meaning for a rule.
pub(super) static NOISE: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let mut set: HashSet<&'static str> = HashSet::new();
    for list in [
        AUTOSCALE_WORDS,
        LOG_WORDS,
        WEAK_LOG_WORDS,
        EVENT_WORDS,
        WARNING_WORDS,
        STRONG_DIAGNOSE_WORDS,
        WEAK_DIAGNOSE_WORDS,
        DOCKERFILE_WORDS,
        BUILD_WORDS,
        ROLLOUT_WORDS,
        ROLLOUT_STATUS_WORDS,
        ROLLBACK_WORDS,
        HELM_WORDS,
        RESTART_WORDS,
        SCALE_WORDS,
        REPLICA_WORDS,
        IMAGE_CHANGE_WORDS,
        DEPLOY_WORDS,
        STATUS_WORDS,
        FILLER_WORDS,
        FUNCTION_WORDS,
        TICKET_LABELS,
        MEMORY_WORDS,
        CPU_WORDS,
        LIMIT_WORDS,
        REQUEST_WORDS,
        RESOURCE_NOUNS,
        COMMAND_WORDS,
        AMOUNT_CHANGE_WORDS,
        PRONOUNS,
        BOTH_WORDS,
        OTHER_ACTION_WORDS,
        GENERATE_WORDS,
        NEGATABLE_WORDS,
        NEGATIONS,
        FIX_WORDS,
        WORKING_WORDS,
        DOWN_WORDS,
        IMAGE_QUESTION_WORDS,
        CLUSTER_WIDE_WORDS,
        STATE_WORDS,
        OUTSIDE_WORDS,
        &["roll", "percent", "pct", "cpu", "namespace", "whatever", "whichever", "sort", "sorting", "more"],
        &[
            "job", "cronjob", "cronjobs", "controller", "anywhere", "across", "throughout", "half", "yes", "plan",
            "sure", "eye", "sitting",
        ],
        &["determine", "identify", "retrieve", "confirm", "ensure", "verify", "inspect", "query", "requesting"],
        &["cause", "causes", "needs", "needed", "requires", "required"],
        &["ourselves", "yourself", "myself", "themselves", "himself", "herself", "itself"],
    ] {
        set.extend(list.iter().copied());
    }
    set.extend(STACK_WORDS.iter().map(|(word, _)| *word));
    set.extend(MULTIPLIER_WORDS.iter().map(|(word, _)| *word));
    set
});

/// Words the typo corrector may correct towards: the words that carry intent.
pub(super) static INTENT_VOCABULARY: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut words: Vec<&'static str> = [
        AUTOSCALE_WORDS,
        LOG_WORDS,
        EVENT_WORDS,
        STRONG_DIAGNOSE_WORDS,
        WEAK_DIAGNOSE_WORDS,
        DOCKERFILE_WORDS,
        BUILD_WORDS,
        ROLLOUT_WORDS,
        ROLLBACK_WORDS,
        RESTART_WORDS,
        SCALE_WORDS,
        DEPLOY_WORDS,
        FIX_WORDS,
        &["status", "replicas", "rolling", "image", "previous", "namespace", "warnings", "revision"],
    ]
    .concat();
    words.retain(|word| word.len() >= 4);
    words.sort_unstable();
    words.dedup();
    words
});
