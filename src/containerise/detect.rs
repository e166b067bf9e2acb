//! Stack detection from an app's files: what it is, how it starts, which port, which health
//! path, which package manager — each with a note saying what it was read from.

use std::path::Path;

use crate::tools::Stack;

/// What was detected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    /// The stack (never `auto`).
    pub stack: Stack,
    /// The port the app listens on.
    pub port: u16,
    /// The health endpoint, when found.
    pub health_path: Option<String>,
    /// How it starts: `main:app` for ASGI, `server.js`, the binary name …
    pub entrypoint: String,
    /// npm, yarn, pnpm, pip, poetry, uv, cargo, go.
    pub package_manager: Option<String>,
    /// Whether Next.js builds a standalone server (`output: 'standalone'`).
    pub standalone: Option<bool>,
    /// What was read from where, and advice.
    pub notes: Vec<String>,
}

/// The stacks todo-ai can containerise, for error messages.
pub const SUPPORTED: &str = "Next.js, FastAPI, Node.js, Python (Flask, Django), Go, Rust, static sites";

/// Detects the stack of `dir`; `forced` overrides the stack but not the details.
pub fn detect(dir: &Path, forced: Stack) -> Result<Detection, String> {
    if !dir.is_dir() {
        return Err(format!("`{}` is not a directory", dir.display()));
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let package = read("package.json").and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let python = ["requirements.txt", "pyproject.toml", "Pipfile"].iter().find_map(|f| read(f).map(|text| (*f, text)));
    let stack = match forced {
        Stack::Auto => {
            if package.as_ref().is_some_and(|p| has_dependency(p, "next")) {
                Stack::Nextjs
            } else if python.as_ref().is_some_and(|(_, text)| text.to_ascii_lowercase().contains("fastapi")) {
                Stack::Fastapi
            } else if package.is_some() {
                Stack::Node
            } else if python.is_some() {
                Stack::Python
            } else if dir.join("go.mod").is_file() {
                Stack::Go
            } else if dir.join("Cargo.toml").is_file() {
                Stack::Rust
            } else if dir.join("index.html").is_file() || dir.join("public/index.html").is_file() {
                Stack::Static
            } else {
                return Err(format!(
                    "cannot tell what `{}` is: no package.json, requirements.txt/pyproject.toml/Pipfile, go.mod, Cargo.toml or index.html (supported: {SUPPORTED})",
                    dir.display()
                ));
            }
        }
        other => other,
    };
    let mut detection = Detection {
        stack,
        port: 8080,
        health_path: None,
        entrypoint: String::new(),
        package_manager: None,
        standalone: None,
        notes: Vec::new(),
    };
    match stack {
        Stack::Nextjs | Stack::Node => node(dir, package.as_ref(), &mut detection),
        Stack::Fastapi | Stack::Python => python_app(dir, python.as_ref(), &mut detection),
        Stack::Go => {
            detection.package_manager = Some("go".into());
            detection.entrypoint = "/app/server".into();
            detection.notes.push("Go module (go.mod); a static binary runs on a distroless base".into());
        }
        Stack::Rust => {
            detection.package_manager = Some("cargo".into());
            let name = read("Cargo.toml")
                .and_then(|text| {
                    text.lines().find_map(|l| {
                        l.trim()
                            .strip_prefix("name")
                            .map(|r| r.trim_start_matches([' ', '=']).trim_matches('"').to_string())
                    })
                })
                .unwrap_or_else(|| "app".into());
            detection.notes.push(format!("Cargo package `{name}`"));
            detection.entrypoint = name;
        }
        Stack::Static => {
            detection.port = 8080;
            detection.entrypoint = "nginx".into();
            detection.health_path = Some("/".into());
            detection.notes.push("static files served by unprivileged nginx on 8080".into());
        }
        Stack::Auto => {}
    }
    Ok(detection)
}

fn has_dependency(package: &serde_json::Value, name: &str) -> bool {
    ["dependencies", "devDependencies"].iter().any(|section| package[section].get(name).is_some())
}

fn node(dir: &Path, package: Option<&serde_json::Value>, detection: &mut Detection) {
    let empty = serde_json::Value::Null;
    let package = package.unwrap_or(&empty);
    let manager = package["packageManager"]
        .as_str()
        .and_then(|field| field.split('@').next())
        .map(str::to_string)
        .or_else(|| {
            [("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("package-lock.json", "npm")]
                .iter()
                .find(|(file, _)| dir.join(file).is_file())
                .map(|(_, manager)| (*manager).to_string())
        })
        .unwrap_or_else(|| "npm".into());
    let source = if package["packageManager"].is_string() { "the packageManager field" } else { "the lockfile" };
    detection.notes.push(format!("package manager {manager} (from {source})"));
    if !["npm", "yarn", "pnpm"].contains(&manager.as_str()) {
        detection.notes.push(format!("unknown package manager `{manager}`; using npm"));
    }
    detection.package_manager = Some(manager);
    let start = package["scripts"]["start"].as_str().unwrap_or_default();
    // Next.js and most Node servers default to 3000.
    let default_port = 3000;
    detection.port = port_from_script(start).unwrap_or(default_port);
    detection.notes.push(match port_from_script(start) {
        Some(port) => format!("port {port} (from the start script `{start}`)"),
        None => format!("port {default_port} (the default; the start script sets none)"),
    });
    if detection.stack == Stack::Nextjs {
        let config = ["next.config.js", "next.config.mjs", "next.config.ts"]
            .iter()
            .find_map(|f| std::fs::read_to_string(dir.join(f)).ok().map(|t| (*f, t)));
        let standalone = config.as_ref().is_some_and(|(_, text)| text.contains("standalone"));
        detection.standalone = Some(standalone);
        detection.entrypoint = "server.js".into();
        if !standalone {
            let file = config.map_or("next.config.js", |(f, _)| f);
            detection.notes.push(format!(
                "`output: 'standalone'` is not set in {file}: add it to nextConfig (the runtime stage copies .next/standalone); `todo-ai dockerfile --write` offers the change"
            ));
        }
        detection.health_path = find_in_tree(
            dir,
            &[
                "app/api/health/route.ts", "app/api/health/route.js", "pages/api/health.ts", "pages/api/health.js",
                "src/app/api/health/route.ts",
            ],
        )
        .map(|_| "/api/health".to_string());
    } else {
        detection.entrypoint = package["main"].as_str().unwrap_or("index.js").to_string();
        detection.health_path = Some("/".into());
    }
    if let Some(path) = &detection.health_path {
        detection.notes.push(format!("health check on {path}"));
    }
}

fn port_from_script(script: &str) -> Option<u16> {
    let words: Vec<&str> = script.split_whitespace().collect();
    words.iter().enumerate().find_map(|(index, word)| {
        if let Some(value) = word.strip_prefix("--port=").or_else(|| word.strip_prefix("-p=")) {
            return value.parse().ok();
        }
        (matches!(*word, "-p" | "--port")).then(|| words.get(index + 1)?.parse().ok()).flatten()
    })
}

fn find_in_tree(dir: &Path, candidates: &[&str]) -> Option<String> {
    candidates.iter().find(|c| dir.join(c).is_file()).map(|c| (*c).to_string())
}

fn python_app(dir: &Path, manifest: Option<&(&str, String)>, detection: &mut Detection) {
    let manager = if dir.join("uv.lock").is_file() {
        "uv"
    } else if manifest.is_some_and(|(file, text)| *file == "pyproject.toml" && text.contains("[tool.poetry")) {
        "poetry"
    } else if manifest.is_some_and(|(file, _)| *file == "Pipfile") {
        "pipenv"
    } else {
        "pip"
    };
    detection.package_manager = Some(manager.into());
    detection.notes.push(format!("dependencies from {} ({manager})", manifest.map_or("requirements.txt", |(f, _)| *f)));
    detection.port = 8000;
    // Find the ASGI/WSGI app and the health route by reading the source.
    let sources = python_sources(dir);
    let framework_call = if detection.stack == Stack::Fastapi { "FastAPI(" } else { "Flask(" };
    let app = sources.iter().find_map(|(module, text)| {
        text.lines().find_map(|line| {
            let (name, value) = line.split_once('=')?;
            let name = name.trim();
            (value.contains(framework_call) && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .then(|| format!("{module}:{name}"))
        })
    });
    let text = manifest.map(|(_, t)| t.to_ascii_lowercase()).unwrap_or_default();
    detection.entrypoint = match (&app, detection.stack) {
        (Some(app), _) => app.clone(),
        (None, Stack::Fastapi) => "main:app".into(),
        (None, _) if text.contains("django") => "config.wsgi:application".into(),
        (None, _) => "app:app".into(),
    };
    detection.notes.push(match &app {
        Some(app) => format!("application `{app}` (from the source)"),
        None => format!("no application object found; assuming `{}`", detection.entrypoint),
    });
    let health = sources.iter().find_map(|(_, text)| {
        ["/healthz", "/api/health", "/health", "/api/healthz"]
            .into_iter()
            .find(|path| text.contains(&format!("(\"{path}\"")) || text.contains(&format!("('{path}'")))
    });
    detection.health_path =
        Some(health.unwrap_or(if detection.stack == Stack::Fastapi { "/docs" } else { "/" }).to_string());
    detection.notes.push(match health {
        Some(path) => format!("health route {path} (from the source)"),
        None => "no health route found; the health check uses /docs (FastAPI) or / — add a /health route".into(),
    });
}

/// Python modules under `dir` (dotted names) with their text; skips virtualenvs and tests.
fn python_sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else { continue };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().to_string();
            let child = entry.path();
            if child.is_dir() {
                if !name.starts_with('.')
                    && !matches!(name.as_str(), "venv" | "node_modules" | "tests" | "test" | "__pycache__")
                    && prefix.matches('.').count() < 4
                {
                    stack.push((child, format!("{prefix}{name}.")));
                }
            } else if let Some(module) = name.strip_suffix(".py")
                && let Ok(text) = std::fs::read_to_string(&child)
            {
                found.push((format!("{prefix}{module}"), text));
            }
        }
    }
    found.sort_by_key(|(module, _)| (module.matches('.').count(), module.clone()));
    found
}
