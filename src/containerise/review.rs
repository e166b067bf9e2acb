//! Reviewing an existing Dockerfile against the rules the generator follows, with a concrete
//! fix for each finding — the "rate my Dockerfile" job. Pure: text in, findings out.

use crate::redact;

/// One problem in a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// A short rule name, e.g. `pin-base-image`.
    pub rule: &'static str,
    /// The 1-based line, when it is about one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
}

fn issue(rule: &'static str, line: Option<usize>, message: impl Into<String>, fix: impl Into<String>) -> Issue {
    Issue { rule, line, message: message.into(), fix: fix.into() }
}

/// Reviews Dockerfile text; `has_dockerignore` says whether a `.dockerignore` sits beside it.
pub fn review(text: &str, has_dockerignore: bool) -> Vec<Issue> {
    let mut issues = Vec::new();
    // Join continuation lines, remembering where each instruction starts.
    let mut instructions: Vec<(usize, String)> = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if current.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        if current.is_empty() {
            start = index + 1;
        }
        if let Some(body) = line.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
        } else {
            current.push_str(line);
            instructions.push((start, std::mem::take(&mut current)));
        }
    }
    let keyword = |instruction: &str| instruction.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
    // No rule asks for a `# syntax=` line: it makes BuildKit pull a frontend image from a
    // registry on every build, and the Engine's built-in frontend (Docker 20.10+) already
    // understands cache mounts.
    let froms: Vec<&(usize, String)> = instructions.iter().filter(|(_, i)| keyword(i) == "FROM").collect();
    let args: Vec<(String, String)> = instructions
        .iter()
        .filter(|(_, i)| keyword(i) == "ARG")
        .filter_map(|(_, i)| i.split_whitespace().nth(1)?.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    for (line, from) in &froms {
        let image = from
            .split_whitespace()
            .find(|w| !w.starts_with("--") && !w.eq_ignore_ascii_case("FROM"))
            .unwrap_or_default();
        let resolved = image
            .strip_prefix("${")
            .and_then(|rest| rest.strip_suffix('}'))
            .and_then(|name| args.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()))
            .unwrap_or(image);
        let stage_reference = froms
            .iter()
            .any(|(_, other)| other.to_ascii_lowercase().ends_with(&format!(" as {}", resolved.to_ascii_lowercase())));
        if resolved == "scratch" || stage_reference || resolved.contains('$') {
            continue;
        }
        let tag = resolved.rsplit_once(':').map(|(_, t)| t).filter(|t| !t.contains('/'));
        match tag {
            None if !resolved.contains('@') => issues.push(issue(
                "pin-base-image",
                Some(*line),
                format!("`{resolved}` has no tag"),
                format!("pin a version, e.g. `{resolved}:<version>`, and keep versions in ARGs at the top"),
            )),
            Some("latest") => issues.push(issue(
                "pin-base-image",
                Some(*line),
                format!("`{resolved}` uses `latest`"),
                "pin a version tag so builds are repeatable",
            )),
            _ => {}
        }
    }
    if froms.len() < 2 {
        issues.push(issue(
            "multi-stage",
            None,
            "a single stage ships build tools and caches in the image",
            "split into stages: dependencies → build → a minimal runtime that copies only what runs",
        ));
    }
    let last_stage: Vec<&(usize, String)> =
        instructions.iter().skip_while(|(line, _)| froms.last().is_some_and(|(l, _)| line < l)).collect();
    match last_stage.iter().rev().find(|(_, i)| keyword(i) == "USER") {
        None => issues.push(issue(
            "non-root-user",
            None,
            "the image runs as root",
            "add `USER 10001:10001` (a numeric, non-root user) before CMD",
        )),
        Some((line, user)) => {
            let name = user.split_whitespace().nth(1).unwrap_or_default();
            let id = name.split(':').next().unwrap_or_default();
            if id == "root" || id == "0" {
                issues.push(issue(
                    "non-root-user",
                    Some(*line),
                    "the last USER is root",
                    "switch to a numeric non-root user: `USER 10001:10001`",
                ));
            } else if id.parse::<u32>().is_err() {
                issues.push(issue(
                    "numeric-user",
                    Some(*line),
                    format!("USER `{name}` is a name"),
                    "use a numeric UID (e.g. `USER 10001:10001`) so Kubernetes `runAsNonRoot` can verify it",
                ));
            }
        }
    }
    for (line, instruction) in &instructions {
        let word = keyword(instruction);
        let rest = instruction[word.len()..].trim();
        match word.as_str() {
            "CMD" | "ENTRYPOINT" if !rest.starts_with('[') => {
                issues.push(issue(
                    "exec-form",
                    Some(*line),
                    format!("{word} uses shell form"),
                    format!(
                        "use exec form, e.g. `{word} [\"…\", \"…\"]`, so the app gets signals and shuts down cleanly"
                    ),
                ));
            }
            "ADD" if !rest.contains("http://") && !rest.contains("https://") && !rest.contains(".tar") => {
                issues.push(issue(
                    "copy-not-add",
                    Some(*line),
                    "ADD for local files",
                    "use COPY: ADD also unpacks archives and fetches URLs, which surprises",
                ));
            }
            "ARG" | "ENV" => {
                for pair in rest.split_whitespace() {
                    let key = pair.split('=').next().unwrap_or_default();
                    if redact::is_secret_key(key) && !key.eq_ignore_ascii_case("PIP_DISABLE_PIP_VERSION_CHECK") {
                        issues.push(issue("no-secrets", Some(*line), format!("{word} `{key}` looks like a secret baked into the image"), "pass secrets at runtime (Kubernetes Secret, `--mount=type=secret` at build time), never in ARG/ENV"));
                    }
                }
            }
            "HEALTHCHECK" if rest.contains("curl") => {
                issues.push(issue(
                    "healthcheck-no-curl",
                    Some(*line),
                    "the HEALTHCHECK needs curl",
                    "check with the runtime you already have: python urllib, node fetch, or busybox wget",
                ));
            }
            "RUN"
                if (rest.contains("pip install")
                    || rest.contains("npm ci")
                    || rest.contains("npm install")
                    || rest.contains("yarn install")
                    || rest.contains("pnpm install")
                    || rest.contains("go mod download")
                    || rest.contains("cargo build"))
                    && !rest.contains("--mount=type=cache") =>
            {
                issues.push(issue("cache-mount", Some(*line), "package installs without a cache mount", "add `--mount=type=cache,target=<cache dir>` (e.g. /root/.cache/pip, /root/.npm) to reuse downloads across builds"));
            }
            _ => {}
        }
    }
    // Dependencies before source: installing after `COPY . .` re-installs on every code change.
    let copy_all = instructions.iter().find(|(_, i)| keyword(i) == "COPY" && i.split_whitespace().nth(1) == Some("."));
    let install_after = copy_all.and_then(|(copy_line, _)| {
        instructions.iter().find(|(line, i)| {
            line > copy_line
                && keyword(i) == "RUN"
                && (i.contains("pip install")
                    || i.contains("npm ci")
                    || i.contains("npm install")
                    || i.contains("yarn install")
                    || i.contains("pnpm install"))
        })
    });
    if let Some((line, _)) = install_after {
        issues.push(issue(
            "dependency-layer",
            Some(*line),
            "dependencies are installed after copying all the source",
            "copy only the manifests (package.json + lockfile, requirements.txt …), install, then `COPY . .`",
        ));
    }
    if !instructions.iter().any(|(_, i)| keyword(i) == "HEALTHCHECK") {
        issues.push(issue("healthcheck", None, "no HEALTHCHECK", "add one that needs no curl, e.g. `HEALTHCHECK CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]`"));
    }
    if !instructions.iter().any(|(_, i)| keyword(i) == "EXPOSE") {
        issues.push(issue("expose", None, "no EXPOSE", "document the port the app listens on with `EXPOSE <port>`"));
    }
    if !has_dockerignore {
        issues.push(issue(
            "dockerignore",
            None,
            "no .dockerignore beside the Dockerfile",
            "add one (e.g. `todo-ai dockerfile --write`) so .git, .env and local build output stay out of the context",
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_naive_dockerfile_gets_concrete_fixes() {
        let text = "FROM python:latest\nENV OPENAI_API_KEY=sk-abc\nADD . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\nCMD python main.py\n";
        let rules: Vec<&str> = review(text, false).iter().map(|i| i.rule).collect();
        for rule in [
            "pin-base-image", "multi-stage", "non-root-user", "no-secrets", "copy-not-add", "cache-mount", "exec-form",
            "healthcheck", "expose", "dockerignore",
        ] {
            assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
        }
    }

    #[test]
    fn a_generated_dockerfile_is_clean() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps/fastapi-requirements");
        let (_, generated) = crate::containerise::containerise(&dir, crate::tools::Stack::Auto).unwrap();
        assert_eq!(review(&generated.dockerfile, true), Vec::<Issue>::new());
    }
}
