//! The interactive session: rustyline with history and completion, `/` meta commands, and
//! one turn per line (plan → show → approve each change → run → show results). Ctrl-C
//! cancels the running action and keeps the session; Ctrl-D exits.

use std::borrow::Cow;
use std::io::Write as _;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper, history::DefaultHistory};

use crate::approval::Decision;
use crate::commands::{self, CheckedPlan, check_plan};
use crate::engine::render::{PlanPlacement, Renderer as _, Terminal};
use crate::error::{CliError, ExitStatus};
use crate::executor::Approver;
use crate::planner::{PlannerKind, offline};
use crate::settings::{self, Settings};
use crate::tools;
use crate::validate;

/// The meta commands, with their help lines.
pub const META_COMMANDS: [(&str, &str); 12] = [
    ("/help", "show this help"),
    ("/tools", "list the tools"),
    ("/status", "show the planner, context, namespace and modes"),
    ("/offline", "plan with the built-in rules only"),
    ("/online", "plan with the LLM when one is configured"),
    ("/namespace", "/namespace NS — switch the default namespace"),
    ("/context", "/context NAME — switch the kube context"),
    ("/dry-run", "toggle dry-run mode (nothing changes)"),
    ("/read-only", "toggle read-only mode (changing tools refused)"),
    ("/clear", "forget the conversation so far"),
    ("/watch", "/watch [10s] — diagnose the namespace at each interval, print what changes (Ctrl-C stops)"),
    ("/exit", "leave (Ctrl-D works too)"),
];

/// What the session remembers between turns: the engine's session, and the modes it started
/// with (which `/dry-run` and `/read-only` may tighten but never loosen).
pub struct Session {
    /// The turn engine's session: executor (policy, context, audit) and planner.
    pub engine: crate::engine::Session,
    /// `--dry-run` (flag, environment or config) was on at start.
    pub started_dry_run: bool,
    /// `--read-only` was on at start.
    pub started_read_only: bool,
}

/// What a meta command asks the loop to do.
#[derive(Debug, PartialEq, Eq)]
pub enum MetaOutcome {
    /// Print this and go on.
    Print(String),
    /// Leave the session.
    Exit,
}

impl Session {
    /// The prompt: kube context and namespace, plus active modes.
    pub fn prompt(&self) -> String {
        let context = if self.engine.executor.ctx.cluster.is_snapshot() {
            "snapshot"
        } else {
            self.engine.executor.ctx.kube_context().unwrap_or("-")
        };
        let mut modes = String::new();
        if self.engine.executor.policy.dry_run {
            modes.push_str(" dry-run");
        }
        if self.engine.executor.policy.read_only {
            modes.push_str(" read-only");
        }
        format!("todo-ai [{context}:{}{modes}]> ", self.engine.executor.ctx.namespace)
    }

    /// Handles a `/` command.
    pub fn meta(&mut self, line: &str) -> MetaOutcome {
        let mut parts = line.split_whitespace();
        let command = parts.next().unwrap_or_default();
        let argument = parts.next();
        let text = match (command, argument) {
            ("/exit" | "/quit" | "/q", _) => return MetaOutcome::Exit,
            ("/help" | "/?", _) => help(),
            ("/tools", _) => crate::commands::tools_table(),
            ("/status", _) => self.status(),
            ("/offline", _) => {
                self.engine.planner.offline = true;
                "planning offline (built-in rules)".to_string()
            }
            ("/online", _) => match &self.engine.planner.llm {
                Some(client) => {
                    self.engine.planner.offline = false;
                    format!("planning with the LLM: {}", client.config.describe())
                }
                None => {
                    format!("no LLM planner is available ({}); planning stays offline", self.engine.planner.llm_reason)
                }
            },
            ("/namespace" | "/ns", Some(namespace)) => match validate::label_name("namespace", namespace) {
                Ok(()) => {
                    self.engine.executor.ctx.namespace = namespace.to_string();
                    // "Always" answers were given for objects in the old namespace.
                    self.engine.executor.policy.approved_for_session.clear();
                    format!("namespace is now {namespace} (approvals for this session were reset)")
                }
                Err(error) => format!("error: {error}"),
            },
            ("/namespace" | "/ns", None) => {
                format!("namespace is {}; change it with `/namespace NS`", self.engine.executor.ctx.namespace)
            }
            ("/context", Some(context)) => self.switch_context(context),
            ("/context", None) => format!(
                "kube context is {}; change it with `/context NAME`",
                self.engine.executor.ctx.kube_context().unwrap_or("the kubeconfig's current one")
            ),
            // These may tighten what the session started with, never loosen it: a mode a flag,
            // the environment or the config file turned on stays on.
            ("/dry-run", _) if self.started_dry_run => {
                "dry-run stays on: this session was started with it (flag, TODO_AI_DRY_RUN or config)".to_string()
            }
            ("/dry-run", _) => {
                self.engine.executor.policy.dry_run = !self.engine.executor.policy.dry_run;
                format!("dry-run is {}", on_off(self.engine.executor.policy.dry_run))
            }
            ("/read-only", _) if self.started_read_only => {
                "read-only stays on: this session was started with it (flag, TODO_AI_READ_ONLY or config)".to_string()
            }
            ("/read-only", _) => {
                self.engine.executor.policy.read_only = !self.engine.executor.policy.read_only;
                format!("read-only is {}", on_off(self.engine.executor.policy.read_only))
            }
            ("/clear", _) => {
                self.engine.executor.policy.approved_for_session.clear();
                self.engine.planner.conversation.clear();
                "conversation cleared (session approvals too)".to_string()
            }
            (other, _) => format!("unknown command `{other}`; `/help` lists them"),
        };
        MetaOutcome::Print(text)
    }

    /// `/context NAME`: connects to another kube context. The name must exist in the
    /// kubeconfig (else nothing changes); the connection itself is rebuilt, so the label,
    /// the approval question, the audit line, kube tools and helm all use the new cluster;
    /// approvals given "for this session" are forgotten.
    fn switch_context(&mut self, name: &str) -> String {
        if self.engine.executor.ctx.cluster.is_snapshot() {
            return "error: this session reads a snapshot, which has no kube contexts; restart without `--snapshot`"
                .into();
        }
        let kubeconfig = self.engine.executor.ctx.cluster.kubeconfig().cloned();
        let contexts = settings::kube_contexts(kubeconfig.as_deref());
        let Some(found) = contexts.iter().find(|(context, _)| context == name) else {
            let known: Vec<&str> = contexts.iter().map(|(context, _)| context.as_str()).collect();
            return format!(
                "error: there is no kube context `{}` in the kubeconfig; nothing changed\n\nhint: the contexts are: {}",
                crate::sanitize::terminal(name),
                if known.is_empty() { "(none)".to_string() } else { known.join(", ") }
            );
        };
        let access = crate::cluster::ClusterAccess::new(kubeconfig, Some(found.0.clone()), None);
        self.engine.executor.ctx.cluster = std::sync::Arc::new(access);
        self.engine.executor.policy.approved_for_session.clear();
        let mut text = format!("kube context is now {name}");
        if let Some(namespace) = &found.1 {
            self.engine.executor.ctx.namespace = namespace.clone();
            text.push_str(&format!(", namespace {namespace}"));
        }
        text.push_str(" (approvals for this session were reset)");
        text
    }

    fn status(&self) -> String {
        let policy = &self.engine.executor.policy;
        format!(
            "planner: {}\ncontext: {}\nnamespace: {}\ndry-run: {}\nread-only: {}\nauto-approve (--yes): {}\napproved for this session: {}",
            self.planner_line(),
            self.engine.executor.ctx.kube_context().unwrap_or("kubeconfig default"),
            self.engine.executor.ctx.namespace,
            on_off(policy.dry_run),
            on_off(policy.read_only),
            on_off(policy.assume_yes),
            if policy.approved_for_session.is_empty() {
                "none".to_string()
            } else {
                policy
                    .approved_for_session
                    .iter()
                    .map(|approval| {
                        let target = approval.scope.target.as_deref().unwrap_or("-");
                        match &approval.scope.namespace {
                            Some(namespace) => format!("{} on {namespace}/{target}", approval.tool),
                            None => format!("{} on {target}", approval.tool),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        )
    }

    /// Which planner answers and why.
    pub fn planner_line(&self) -> String {
        match (&self.engine.planner.llm, self.engine.planner.offline) {
            (Some(client), false) => {
                format!("llm — {} ({} turns kept)", client.config.describe(), self.engine.planner.conversation.len())
            }
            (Some(_), true) => "offline (/offline; `/online` switches back to the LLM)".to_string(),
            (None, _) => format!("offline ({})", self.engine.planner.llm_reason),
        }
    }

    /// Plans a line with the offline rules and checks it against the registry.
    pub fn plan(&self, line: &str) -> CheckedPlan {
        check_plan(offline::plan(line), PlannerKind::Offline, &self.engine.executor.ctx)
    }

    /// A session for these settings.
    pub fn new(settings: &Settings) -> Session {
        Session {
            engine: commands::session(settings),
            started_dry_run: settings.dry_run,
            started_read_only: settings.read_only,
        }
    }
}

fn on_off(value: bool) -> &'static str {
    if value { "on" } else { "off" }
}

/// The `/help` text.
pub fn help() -> String {
    let mut text = String::from(
        "Type a request in plain language, e.g. `scale backend to 3` or `why is the frontend crashing?`.\nChanges are shown and need your approval (y = yes, N = no, a = always for this tool).\n\n",
    );
    for (command, description) in META_COMMANDS {
        text.push_str(&format!("  {command:12} {description}\n"));
    }
    text
}

/// Asks approval questions through the line editor, so Ctrl-C or Ctrl-D at the question
/// denies the call and the session goes on.
struct EditorApprover<'a> {
    editor: &'a mut Editor<ReplHelper, DefaultHistory>,
}

impl Approver for EditorApprover<'_> {
    fn ask(&mut self, question: &str) -> Decision {
        // The editor draws one line; the lines above it go to stderr first.
        let (above, prompt) = question.rsplit_once('\n').unwrap_or(("", question));
        if !above.is_empty() {
            eprintln!("{above}");
        }
        match self.editor.readline(prompt) {
            Ok(answer) => Decision::parse(&answer),
            Err(_) => Decision::Denied,
        }
    }
}

/// Tab completion for meta commands and tool names.
struct ReplHelper;

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos].rfind(char::is_whitespace).map_or(0, |index| index + 1);
        let word = &line[start..pos];
        let names = META_COMMANDS
            .iter()
            .map(|(command, _)| *command)
            .filter(|_| start == 0)
            .chain(tools::all().iter().map(|tool| tool.name()));
        let candidates = names
            .filter(|name| name.starts_with(word) && !word.is_empty())
            .map(|name| Pair { display: name.to_string(), replacement: name.to_string() })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _default: bool) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

/// Runs the interactive session until `/exit` or Ctrl-D.
pub fn run(settings: Settings) -> Result<ExitStatus, CliError> {
    let mut editor: Editor<ReplHelper, DefaultHistory> = Editor::new()
        .map_err(|error| CliError::new("cannot start the interactive session").cause(error.to_string()))?;
    editor.set_helper(Some(ReplHelper));
    let history = settings::state_dir().map(|dir| dir.join("history.txt")).filter(|path| history_file_ok(path));
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let runtime = commands::runtime()?;
    let mut session = Session::new(&settings);
    if settings.verbosity >= 0 {
        eprintln!("todo-ai {} — type a request, `/help` for commands, Ctrl-D to leave", env!("CARGO_PKG_VERSION"));
    }
    loop {
        let line = match editor.readline(&session.prompt()) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(error) => return Err(CliError::new("cannot read input").cause(error.to_string())),
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        // The history file outlives the session: a line that carries a secret (a database
        // URL, a key) is not kept, in memory or on disk.
        if !crate::redact::has_secret(line) {
            let _ = editor.add_history_entry(line);
        }
        if line == "/watch" || line.starts_with("/watch ") {
            watch(&session, &runtime, line.split_whitespace().nth(1));
            continue;
        }
        if line.starts_with('/') {
            match session.meta(line) {
                MetaOutcome::Exit => break,
                MetaOutcome::Print(text) => println!("{text}"),
            }
            continue;
        }
        turn(&mut session, &mut editor, &runtime, line, &settings);
    }
    if let Some(path) = &history {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        // Checked again: the file may have been replaced while the session ran.
        if history_file_ok(path) {
            let _ = editor.save_history(path);
        }
    }
    Ok(ExitStatus::Success)
}

/// Whether the history file may be read and written: absent, or a regular file (not a link
/// planted in its place, which saving would follow to overwrite the file it names).
fn history_file_ok(path: &std::path::Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata.is_file(),
        Err(error) => error.kind() == std::io::ErrorKind::NotFound,
    }
}

/// `/watch [interval]`: diagnoses the session's namespace (hiding the accepted findings of
/// `.todo-ai/ignore.yaml`), prints the report, then only what changes at each interval, until
/// Ctrl-C; the session goes on.
fn watch(session: &Session, runtime: &tokio::runtime::Runtime, argument: Option<&str>) {
    use crate::diagnose::gate::{self, watch};
    let interval = match argument {
        Some(text) => match watch::interval(text) {
            Ok(interval) => interval,
            Err(error) => {
                eprintln!("error: {error}\n\nhint: give an interval from 2s to 1h, such as `/watch 30s`");
                return;
            }
        },
        None => std::time::Duration::from_secs(watch::DEFAULT_INTERVAL_SECONDS.unsigned_abs()),
    };
    let ignore = match commands::diagnose::load_ignore(None) {
        Ok(ignore) => ignore,
        Err(error) => {
            eprint!("{}", error.render());
            return;
        }
    };
    let ctx = &session.engine.executor.ctx;
    let cancel = tokio_util::sync::CancellationToken::new();
    let report =
        match commands::block_on_cancellable(runtime, &cancel, commands::diagnose::diagnose_report(ctx, false, None)) {
            None => return,
            Some(Err(error)) => {
                eprintln!("error: {}", crate::sanitize::one_line(&error.to_string()));
                return;
            }
            Some(Ok(report)) => report,
        };
    if cancel.is_cancelled() {
        return;
    }
    let first = gate::apply(report, None, ignore.as_ref(), &gate::today());
    let _ = commands::write_stdout(&gate::render_text(&first, false));
    eprintln!("watching every {}s; only changes are printed (Ctrl-C stops)", interval.as_secs());
    let watched = commands::diagnose::watch_loop(ctx, &first, interval, false, None, None, ignore.as_ref(), &cancel);
    commands::block_on_cancellable(runtime, &cancel, watched);
    eprintln!("stopped watching");
}

/// One request, through the turn engine. The first Ctrl-C cancels it cleanly (a running
/// helm is interrupted and waited for, nothing new starts); a second abandons it at once. The
/// session goes on either way.
fn turn(
    session: &mut Session,
    editor: &mut Editor<ReplHelper, DefaultHistory>,
    runtime: &tokio::runtime::Runtime,
    line: &str,
    settings: &Settings,
) {
    let mut approver = EditorApprover { editor };
    let mut renderer = Terminal::new(settings.output, PlanPlacement::Stderr, settings.verbosity < 0);
    let engine = &mut session.engine;
    // A cancelled token stays cancelled: every turn gets its own.
    let cancel = tokio_util::sync::CancellationToken::new();
    engine.executor.ctx.cancel = cancel.clone();
    let finished =
        commands::block_on_cancellable(runtime, &cancel, engine.turn(line, &mut approver, &mut renderer)).is_some();
    if !finished {
        eprintln!("cancelled");
        return;
    }
    if let Err(error) = renderer.finish() {
        eprint!("{}", error.render());
    }
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_watch() {
        assert!(help().contains("/watch [10s]"));
    }

    #[cfg(unix)]
    #[test]
    fn history_is_never_kept_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.txt");
        assert!(history_file_ok(&path), "absent: created on exit");
        std::fs::write(&path, "scale backend to 3\n").unwrap();
        assert!(history_file_ok(&path));
        let link = dir.path().join("linked.txt");
        std::os::unix::fs::symlink(dir.path().join("victim"), &link).unwrap();
        assert!(!history_file_ok(&link));
        assert!(!history_file_ok(dir.path()), "a directory");
    }
    use crate::approval::Policy;
    use crate::executor::Executor;
    use crate::tools::ToolContext;

    fn session() -> Session {
        Session {
            engine: crate::engine::Session {
                guard: None,
                executor: Executor::new(
                    Policy::default(),
                    ToolContext::new(
                        "todo",
                        std::env::temp_dir(),
                        std::sync::Arc::new(crate::cluster::ClusterAccess::new(None, Some("minikube".into()), None)),
                        0,
                    ),
                    None,
                ),
                planner: crate::engine::Planner {
                    llm: None,
                    offline: true,
                    llm_reason: "no LLM configured".into(),
                    conversation: Default::default(),
                },
            },
            started_dry_run: false,
            started_read_only: false,
        }
    }

    #[test]
    fn meta_commands_change_the_session() {
        let mut session = session();
        assert_eq!(session.prompt(), "todo-ai [minikube:todo]> ");
        session.meta("/namespace staging");
        session.meta("/dry-run");
        session.meta("/read-only");
        assert_eq!(session.prompt(), "todo-ai [minikube:staging dry-run read-only]> ");
        assert!(session.engine.executor.policy.dry_run);
        assert_eq!(session.meta("/namespace Bad_Name"), MetaOutcome::Print("error: namespace `Bad_Name` is not a valid Kubernetes name: use only lowercase letters, digits and `-`".into()));
        assert_eq!(session.meta("/exit"), MetaOutcome::Exit);
        assert!(matches!(session.meta("/bogus"), MetaOutcome::Print(text) if text.contains("unknown command")));
    }

    #[test]
    fn plans_use_the_session_namespace() {
        let mut session = session();
        session.meta("/namespace staging");
        let checked = session.plan("scale backend to 3");
        assert_eq!(checked.calls[0].preview(), "scale deployment staging/backend to 3 replicas");
    }

    #[test]
    fn completes_meta_commands_and_tools() {
        let history = DefaultHistory::new();
        let context = Context::new(&history);
        let (start, candidates) = ReplHelper.complete("/na", 3, &context).unwrap();
        assert_eq!(start, 0);
        assert_eq!(candidates.iter().map(|c| c.replacement.as_str()).collect::<Vec<_>>(), vec!["/namespace"]);
        let (start, candidates) = ReplHelper.complete("run roll", 8, &context).unwrap();
        assert_eq!(start, 4);
        assert_eq!(candidates.len(), 3);
    }
}
