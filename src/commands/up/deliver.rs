//! How `up` makes the images it built available to a cluster that is not minikube: `docker
//! push` to a registry (`--registry REG`), or a command of the user's (`--load-command 'kind
//! load docker-image {image}'`) that is split into words and run without a shell, with
//! `{image}` replaced, its run time bounded and its output redacted. Both are one internal
//! tool, [`DeliverImage`], so that each delivery goes through the executor (approval, dry run,
//! audit) like every other step of `up`; it is not in the registry, so no planner or model
//! can call it.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tools::{Effect, Hints, Scope, Tool, ToolContext, ToolError, ToolFuture, ToolOutput};
use crate::validate::{self, Limits, ValidationError};

/// How long one push or load command may run (`TODO_AI_EXEC_TIMEOUT` overrides it): a large
/// image over a slow link takes minutes, a hung command must not hold `up` forever.
const DELIVER_TIMEOUT: Duration = Duration::from_secs(900);

/// The most words a load command may have.
const MAX_WORDS: usize = 32;

/// The longest word of a load command, in bytes.
const MAX_WORD: usize = 1024;

/// How many lines of a delivery's output are kept in its result (redacted).
const OUTPUT_LINES: usize = 5;

/// What a load command's words are searched for and replaced with the image reference.
pub const IMAGE_PLACEHOLDER: &str = "{image}";

/// A load command: its words, `{image}` in at least one argument. Made by
/// [`LoadCommand::parse`] from what the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadCommand {
    /// The program (a name on `PATH` or a path) and its arguments.
    pub argv: Vec<String>,
}

impl LoadCommand {
    /// Splits a command line into words as a shell would for plain words and quotes (`'…'`
    /// literal, `"…"` with `\"` and `\\`, `\` outside quotes), and checks it (see
    /// [`check_load_command`]). Nothing is expanded: there is no shell.
    pub fn parse(text: &str) -> Result<LoadCommand, String> {
        let argv = split_words(text)?;
        check_load_command(&argv)?;
        Ok(LoadCommand { argv })
    }

    /// The command for one image: `{image}` replaced in every argument.
    pub fn for_image(&self, image: &str) -> Vec<String> {
        self.argv.iter().map(|word| word.replace(IMAGE_PLACEHOLDER, image)).collect()
    }
}

/// Checks a load command's words: 1 to 32 words of at most 1 KiB without control
/// characters, `{image}` in an argument (not in the program), and no word a person could
/// only have meant for a shell (`|`, `&&`, `;`, `>`, `$VAR`, `` ` ``): it would be passed
/// as a plain argument, so it is refused with a hint instead.
pub fn check_load_command(argv: &[String]) -> Result<(), String> {
    let Some(program) = argv.first().filter(|program| !program.is_empty()) else {
        return Err("the load command is empty: give the program and its arguments, with `{image}`".into());
    };
    if argv.len() > MAX_WORDS {
        return Err(format!("the load command has {} words; at most {MAX_WORDS}", argv.len()));
    }
    for word in argv {
        if word.len() > MAX_WORD {
            return Err(format!("a word of the load command is longer than {MAX_WORD} bytes"));
        }
        if word.chars().any(char::is_control) {
            return Err("the load command has a control character (a newline?)".into());
        }
        let shell_only = matches!(word.as_str(), "|" | "||" | "&" | "&&" | ";" | ">" | ">>" | "<" | "2>" | "2>&1")
            || word.starts_with('$')
            || word.contains("$(")
            || word.contains('`');
        if shell_only {
            return Err(format!(
                "`{word}` in the load command would reach the program as a plain argument: it is not run by a shell; put pipes, redirections and variables in a script and give the script"
            ));
        }
    }
    if program.contains(IMAGE_PLACEHOLDER) {
        return Err("`{image}` names the program of the load command; it belongs in an argument".into());
    }
    if !argv[1..].iter().any(|word| word.contains(IMAGE_PLACEHOLDER)) {
        return Err("the load command must say where the image goes: put `{image}` in it, e.g. `kind load docker-image {image}`".into());
    }
    Ok(())
}

/// Shell-like word splitting without expansion.
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("the load command has an unclosed `'`".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("the load command has an unclosed `\"`".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("the load command has an unclosed `\"`".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("the load command ends with a lone `\\`".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Checks `--registry`: a registry host with an optional path (`ghcr.io/acme`,
/// `localhost:5000`), no scheme, tag or digest. A trailing `/` is dropped.
pub fn parse_registry(text: &str) -> Result<String, String> {
    let registry = text.trim().trim_end_matches('/');
    if registry.contains("://") {
        return Err(format!(
            "give the registry without a scheme, e.g. `{}`",
            registry.split("://").last().unwrap_or("")
        ));
    }
    if registry.is_empty()
        || registry.contains('@')
        || registry.rsplit('/').next().is_some_and(|last| last.contains(':') && registry.contains('/'))
    {
        return Err(format!(
            "`{text}` is not a registry: give a host and optional path, e.g. `ghcr.io/acme` or `localhost:5000`"
        ));
    }
    validate::image(&format!("{registry}/todo-backend:1"))
        .map_err(|error| format!("`{text}` is not a registry: {error}"))?;
    Ok(registry.to_string())
}

/// A word as a person would type it into a shell: as it is when plain, else in single quotes.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,{}".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

/// Arguments of [`DeliverImage`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverImageArgs {
    /// The image, as it was built and tagged.
    pub image: String,
    /// The load command's words with `{image}` still in them; empty: `docker push` the image
    /// to the registry its reference names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_command: Vec<String>,
}

impl DeliverImageArgs {
    /// The program and arguments this delivery runs.
    fn argv(&self) -> Vec<String> {
        if self.load_command.is_empty() {
            vec!["docker".into(), "push".into(), self.image.clone()]
        } else {
            LoadCommand { argv: self.load_command.clone() }.for_image(&self.image)
        }
    }
}

/// Makes one built image available to the cluster (used by `todo-ai up` only; not in the
/// registry).
pub struct DeliverImage;

impl Tool for DeliverImage {
    type Args = DeliverImageArgs;
    const NAME: &'static str = "deliver_image";

    fn description(&self) -> &'static str {
        "Make a built image available to the cluster: push it to its registry, or run the user's load command"
    }

    fn effect(&self) -> Effect {
        Effect::BuildsImages
    }

    fn hints(&self) -> Hints {
        // Adds an image to a registry or to the nodes; never removes one. Pushing or loading
        // the same image again changes nothing more. A registry is outside the cluster.
        Hints { destructive: false, idempotent: true, open_world: true }
    }

    fn scope(&self, args: &DeliverImageArgs, _: &ToolContext) -> Scope {
        Scope { namespace: None, target: Some(args.image.clone()) }
    }

    fn command_line(&self, _: &DeliverImageArgs, _: &ToolContext) -> Option<String> {
        Some("todo-ai up".into())
    }

    fn validate(&self, args: &DeliverImageArgs, _: &Limits, _: &ToolContext) -> Result<(), ValidationError> {
        validate::image(&args.image)?;
        if args.load_command.is_empty() {
            let registry = args.image.split_once('/').map(|(first, _)| first).unwrap_or_default();
            if !(registry.contains('.') || registry.contains(':') || registry == "localhost") {
                return Err(ValidationError::Conflict(format!(
                    "`{}` names no registry to push to: build it as `REGISTRY/{}`",
                    args.image, args.image
                )));
            }
            return Ok(());
        }
        check_load_command(&args.load_command).map_err(ValidationError::Conflict)
    }

    fn preview(&self, args: &DeliverImageArgs, _: &ToolContext) -> String {
        let command = args.argv().iter().map(|word| quoted(word)).collect::<Vec<_>>().join(" ");
        if args.load_command.is_empty() {
            format!("push image {} to its registry (`{command}`)", args.image)
        } else {
            format!("make image {} available to the cluster (`{command}`)", args.image)
        }
    }

    fn run<'a>(&'a self, args: DeliverImageArgs, ctx: &'a ToolContext) -> ToolFuture<'a> {
        Box::pin(async move {
            let argv = args.argv();
            let shown = argv.join(" ");
            let options = crate::exec::Options {
                cancel: Some(ctx.cancel.clone()),
                ..crate::exec::Options::timeout(crate::exec::timeout_or(DELIVER_TIMEOUT))
            };
            let output = crate::exec::run(&argv[0], &argv[1..], options).await.map_err(|error| ToolError::Failed {
                tool: Self::NAME,
                message: crate::redact::text(&error.to_string()),
            })?;
            if !output.status.success() {
                return Err(ToolError::Failed {
                    tool: Self::NAME,
                    message: format!(
                        "`{shown}` failed ({}): {}",
                        output.status,
                        crate::redact::text(&crate::exec::last_line(&output))
                    ),
                });
            }
            // What the command said, without secrets, a few lines at most.
            let said = crate::redact::text(&format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
            let lines: Vec<&str> = said.lines().map(str::trim_end).filter(|line| !line.is_empty()).collect();
            let tail = lines[lines.len().saturating_sub(OUTPUT_LINES)..].to_vec();
            Ok(ToolOutput {
                text: format!("{} is available to the cluster", args.image),
                data: serde_json::json!({"image": args.image, "command": argv, "output": tail}),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        LoadCommand::parse(text).unwrap().argv
    }

    #[test]
    fn load_commands_split_like_a_shell_without_expanding() {
        assert_eq!(words("kind load docker-image {image}"), ["kind", "load", "docker-image", "{image}"]);
        assert_eq!(
            words("'/opt/my tools/load.sh' --name \"a \\\"b\\\"\" {image}"),
            ["/opt/my tools/load.sh", "--name", "a \"b\"", "{image}"]
        );
        assert_eq!(words("  k3s\tctr images import {image}.tar "), ["k3s", "ctr", "images", "import", "{image}.tar"]);
        assert_eq!(
            LoadCommand::parse("lab.sh load-docker-image {image}").unwrap().for_image("todo-backend:ctx-1"),
            ["lab.sh", "load-docker-image", "todo-backend:ctx-1"]
        );
    }

    #[test]
    fn load_commands_that_need_a_shell_or_name_no_image_are_refused() {
        for (text, why) in [
            ("", "empty"),
            ("   ", "empty"),
            ("kind load docker-image", "{image}"),
            ("{image} load", "program"),
            ("docker save {image} | ctr import -", "not run by a shell"),
            ("load {image} && echo done", "not run by a shell"),
            ("load {image} > /tmp/log", "not run by a shell"),
            ("load $IMAGE {image}", "not run by a shell"),
            ("load $(cat x) {image}", "not run by a shell"),
            ("load `x` {image}", "not run by a shell"),
            ("load 'unclosed {image}", "unclosed"),
            ("load \"unclosed {image}", "unclosed"),
            ("load {image} \\", "lone"),
            ("load {image}\nrm -rf /", "control character"),
        ] {
            let error = LoadCommand::parse(text).unwrap_err();
            assert!(error.contains(why), "{text:?}: {error}");
        }
        let long = format!("load {{image}} {}", "x".repeat(MAX_WORD + 1));
        assert!(LoadCommand::parse(&long).unwrap_err().contains("longer"));
        let many = format!("load {{image}}{}", " x".repeat(MAX_WORDS));
        assert!(LoadCommand::parse(&many).unwrap_err().contains("words"));
    }

    #[test]
    fn registries_are_hosts_with_an_optional_path() {
        assert_eq!(parse_registry("ghcr.io/acme/").unwrap(), "ghcr.io/acme");
        assert_eq!(parse_registry("localhost:5000").unwrap(), "localhost:5000");
        assert_eq!(
            parse_registry("registry.example.com:8443/team/apps").unwrap(),
            "registry.example.com:8443/team/apps"
        );
        for bad in ["", "https://ghcr.io/acme", "ghcr.io/acme/app:1.0", "ghcr.io/acme@sha256:abc", "Bad Registry"] {
            assert!(parse_registry(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_delivery_pushes_to_a_named_registry_or_runs_a_checked_command() {
        let ctx = crate::tools::ToolContext::new(
            "todo",
            std::env::temp_dir(),
            std::sync::Arc::new(crate::cluster::ClusterAccess::new(None, None, None)),
            -1,
        );
        let limits = Limits::default();
        let push = DeliverImageArgs { image: "ghcr.io/acme/todo-backend:sha-1".into(), load_command: vec![] };
        assert!(DeliverImage.validate(&push, &limits, &ctx).is_ok());
        assert_eq!(
            DeliverImage.preview(&push, &ctx),
            "push image ghcr.io/acme/todo-backend:sha-1 to its registry (`docker push ghcr.io/acme/todo-backend:sha-1`)"
        );
        let nowhere = DeliverImageArgs { image: "todo-backend:sha-1".into(), load_command: vec![] };
        assert!(DeliverImage.validate(&nowhere, &limits, &ctx).unwrap_err().to_string().contains("no registry"));
        let load = DeliverImageArgs {
            image: "todo-backend:sha-1".into(),
            load_command: LoadCommand::parse("kind load docker-image {image} --name 'my cluster'").unwrap().argv,
        };
        assert!(DeliverImage.validate(&load, &limits, &ctx).is_ok());
        assert_eq!(
            DeliverImage.preview(&load, &ctx),
            "make image todo-backend:sha-1 available to the cluster (`kind load docker-image todo-backend:sha-1 --name 'my cluster'`)"
        );
        let smuggled = DeliverImageArgs {
            image: "todo-backend:sha-1".into(),
            load_command: vec!["sh".into(), "-c".into(), "x | y {image}".into()],
        };
        assert!(
            DeliverImage.validate(&smuggled, &limits, &ctx).is_ok(),
            "one word with a pipe inside is an argument, not a pipeline"
        );
        let bare = DeliverImageArgs {
            image: "todo-backend:sha-1".into(),
            load_command: vec!["load".into(), "|".into(), "{image}".into()],
        };
        assert!(DeliverImage.validate(&bare, &limits, &ctx).is_err());
    }

    #[tokio::test]
    async fn a_load_command_runs_without_a_shell_and_its_output_is_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("load.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\necho \"loading $1\"\necho 'token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 used' >&2\n[ \"$2\" = '*' ] || exit 3\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ctx = crate::tools::ToolContext::new(
            "todo",
            dir.path().to_path_buf(),
            std::sync::Arc::new(crate::cluster::ClusterAccess::new(None, None, None)),
            -1,
        );
        let args = DeliverImageArgs {
            image: "todo-backend:sha-1".into(),
            load_command: vec![script.display().to_string(), "{image}".into(), "*".into()],
        };
        // `*` reaches the program as it is (no shell expands it); the token does not
        // reach the result.
        let output = DeliverImage.run(args.clone(), &ctx).await.unwrap();
        let shown = output.data.to_string();
        assert!(shown.contains("loading todo-backend:sha-1"), "{shown}");
        assert!(!shown.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"), "{shown}");
        let failing = DeliverImageArgs { load_command: vec![script.display().to_string(), "{image}".into()], ..args };
        let error = DeliverImage.run(failing, &ctx).await.unwrap_err().to_string();
        assert!(error.contains("failed") && !error.contains("ghp_abcdefghij"), "{error}");
    }
}
