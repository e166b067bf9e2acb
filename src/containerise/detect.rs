//! Stack detection from an app's files: what it is, how it starts, which port, which health
//! path, which package manager — each with a note saying what it was read from. The app is
//! untrusted: files are read only when they are bounded regular files inside it
//! ([`super::files`]), and every value that reaches a Dockerfile passes a grammar
//! ([`super::values`]) or is ignored with a note.

use std::path::Path;

use serde_json::Value;

use super::files::{self, ReadError};
use super::routes::{self, Scope, nextjs, node, python};
use super::values::{AppValue, shown};
use crate::tools::Stack;

/// What was detected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    /// The stack (never `auto`).
    pub stack: Stack,
    /// The port the app listens on.
    pub port: u16,
    /// The health endpoint, when found.
    pub health_path: Option<AppValue>,
    /// How it starts: `main:app` for ASGI, `server.js`, the binary name …
    pub entrypoint: AppValue,
    /// npm, yarn, pnpm, pip, poetry, uv, pipenv, cargo, go.
    pub package_manager: Option<AppValue>,
    /// Whether Next.js builds a standalone server (`output: 'standalone'`).
    pub standalone: Option<bool>,
    /// The Next.js config file, when there is one.
    pub next_config: Option<AppValue>,
    /// Whether a lockfile that matches the manifest pins the dependencies (Node.js), so the
    /// install is exact; else versions are resolved at build time.
    pub locked: bool,
    /// What was read from where, and advice.
    pub notes: Vec<String>,
}

/// The stacks todo-ai can containerise, for error messages.
pub const SUPPORTED: &str = "Next.js, FastAPI, Node.js, Python (Flask, Django), Go, Rust, static sites";

/// The most source files scanned for routes and ports.
const MAX_SOURCES: usize = 2_000;

/// The most source bytes scanned in all.
const MAX_SOURCE_TOTAL: usize = 32 * 1024 * 1024;

/// The deepest directory scanned for sources.
const MAX_SOURCE_DEPTH: usize = 6;

/// Directories that never hold the app's own sources.
const SKIPPED_DIRECTORIES: [&str; 14] = [
    "node_modules", "venv", "__pycache__", "tests", "test", "__tests__", "coverage", ".next", "dist", "build", "out",
    "public", "static", "site-packages",
];

/// Detects the stack of `dir`; `forced` overrides the stack but not the details.
pub fn detect(dir: &Path, forced: Stack) -> Result<Detection, String> {
    if !dir.is_dir() {
        return Err(format!("`{}` is not a directory", dir.display()));
    }
    let mut notes = Vec::new();
    let package = read(dir, "package.json", &mut notes).and_then(|text| match serde_json::from_str::<Value>(&text) {
        Ok(value) => Some(value),
        Err(error) => {
            notes.push(format!("package.json does not parse ({error}); ignored"));
            None
        }
    });
    let python = ["requirements.txt", "pyproject.toml", "Pipfile"]
        .iter()
        .find_map(|file| read(dir, file, &mut notes).map(|text| (*file, text)));
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
            } else if files::is_regular(dir, "go.mod") {
                Stack::Go
            } else if files::is_regular(dir, "Cargo.toml") {
                Stack::Rust
            } else if files::is_regular(dir, "index.html") || files::is_regular(dir, "public/index.html") {
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
        entrypoint: AppValue::constant("app"),
        package_manager: None,
        standalone: None,
        next_config: None,
        locked: true,
        notes,
    };
    match stack {
        Stack::Nextjs | Stack::Node => node_app(dir, package.as_ref(), &mut detection),
        Stack::Fastapi | Stack::Python => python_app(dir, python.as_ref(), &mut detection),
        Stack::Go => {
            detection.package_manager = AppValue::package_manager("go");
            detection.entrypoint = AppValue::constant("/app/server");
            detection.notes.push("Go module (go.mod); a static binary runs on a minimal base".into());
        }
        Stack::Rust => {
            detection.package_manager = AppValue::package_manager("cargo");
            let raw = read(dir, "Cargo.toml", &mut detection.notes).and_then(|text| {
                text.lines().find_map(|line| {
                    let (key, value) = line.split_once('=')?;
                    (key.trim() == "name").then(|| value.trim().trim_matches('"').to_string())
                })
            });
            detection.entrypoint = match raw.as_deref().map(|name| (name, AppValue::name(name))) {
                Some((_, Some(name))) => {
                    detection.notes.push(format!("Cargo package `{name}`"));
                    name
                }
                Some((raw, None)) => {
                    detection.notes.push(format!(
                        "ignored the package name `{}` in Cargo.toml: not a plain name; using `app`",
                        shown(raw)
                    ));
                    AppValue::constant("app")
                }
                None => AppValue::constant("app"),
            };
        }
        Stack::Static => {
            detection.port = 8080;
            detection.entrypoint = AppValue::constant("nginx");
            detection.health_path = Some(AppValue::constant("/"));
            detection.notes.push("static files served by unprivileged nginx on 8080".into());
        }
        Stack::Auto => {}
    }
    Ok(detection)
}

/// Reads a manifest; a file that exists but is a link, special or too large is noted and
/// ignored.
fn read(dir: &Path, name: &str, notes: &mut Vec<String>) -> Option<String> {
    match files::read_regular(dir, name, files::MAX_MANIFEST_BYTES) {
        Ok(text) => Some(text),
        Err(ReadError::Missing(_)) => None,
        Err(error) => {
            notes.push(format!("ignored {error}"));
            None
        }
    }
}

fn has_dependency(package: &Value, name: &str) -> bool {
    ["dependencies", "devDependencies"].iter().any(|section| package[section].get(name).is_some())
}

fn node_app(dir: &Path, package: Option<&Value>, detection: &mut Detection) {
    let empty = Value::Null;
    let package = package.unwrap_or(&empty);
    let lockfile = [("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("package-lock.json", "npm")]
        .iter()
        .find(|(file, _)| files::is_regular(dir, file))
        .map(|(_, manager)| *manager);
    let declared = package["packageManager"].as_str().map(|field| field.split('@').next().unwrap_or_default());
    let manager = match declared {
        Some(name) if ["npm", "yarn", "pnpm"].contains(&name) => {
            detection.notes.push(format!("package manager {name} (from the packageManager field)"));
            name
        }
        other => {
            if let Some(raw) = other {
                detection.notes.push(format!(
                    "ignored the `packageManager` field of package.json (`{}`): not npm, yarn or pnpm",
                    shown(raw)
                ));
            }
            let manager = lockfile.unwrap_or("npm");
            let source = if lockfile.is_some() { "the lockfile" } else { "the default" };
            detection.notes.push(format!("package manager {manager} (from {source})"));
            manager
        }
    };
    detection.package_manager = AppValue::package_manager(manager);
    detection.locked = lockfile_matches(dir, manager, package, &mut detection.notes);
    let start = package["scripts"]["start"].as_str().unwrap_or_default();
    let script_port = port_from_script(start);
    if detection.stack == Stack::Nextjs {
        detection.port = script_port.unwrap_or(3000);
        detection.notes.push(match script_port {
            Some(port) => format!("port {port} (from the start script)"),
            None => "port 3000 (Next.js's default; the start script sets none)".into(),
        });
        nextjs_app(dir, detection);
        return;
    }
    detection.entrypoint = node_entrypoint(dir, package, start, detection);
    // The entrypoint first: its port and routes are the app's.
    let sources = node_sources(dir, &detection.entrypoint);
    let source_port = node::port(&sources);
    detection.port = script_port.or(source_port.map(|(port, _)| port)).unwrap_or(3000);
    detection.notes.push(match (script_port, source_port) {
        (Some(port), _) => format!("port {port} (from the start script)"),
        (None, Some((port, true))) => format!("port {port} (the default of `process.env.PORT` in the source)"),
        (None, Some((port, false))) => format!("port {port} (from `listen({port})` in the source; it ignores PORT)"),
        (None, None) => "port 3000 (the default; neither the start script nor the source sets one)".into(),
    });
    let (graph, roots) = node::graph(&sources);
    choose_health(detection, &graph, &roots, "/");
}

/// The largest lockfile read.
const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;

/// Whether the package manager's lockfile exists and (for npm, whose `npm ci` refuses a
/// stale one) records the same dependencies as package.json; a note says why not.
fn lockfile_matches(dir: &Path, manager: &str, package: &Value, notes: &mut Vec<String>) -> bool {
    let file = match manager {
        "pnpm" => "pnpm-lock.yaml",
        "yarn" => "yarn.lock",
        _ => "package-lock.json",
    };
    let unlocked = |notes: &mut Vec<String>, why: String| {
        notes.push(format!(
            "{why}: the image resolves versions at build time; run `{manager} install` and commit {file} for exact builds"
        ));
        false
    };
    if manager != "npm" {
        return files::is_regular(dir, file) || unlocked(notes, format!("no {file}"));
    }
    let lock = match files::read_regular(dir, file, MAX_LOCKFILE_BYTES) {
        Ok(text) => serde_json::from_str::<Value>(&text).ok(),
        Err(ReadError::Missing(_)) => return unlocked(notes, format!("no {file}")),
        Err(error) => return unlocked(notes, format!("ignored {error}")),
    };
    let Some(lock) = lock else { return unlocked(notes, format!("{file} does not parse")) };
    // Lockfile v2/v3 record the root's specs under `packages[""]`; v1 only names packages.
    let root = &lock["packages"][""];
    for section in ["dependencies", "devDependencies", "optionalDependencies"] {
        let Some(wanted) = package[section].as_object() else { continue };
        for (name, spec) in wanted {
            let recorded = if root.is_object() {
                root[section].get(name) == Some(spec)
            } else {
                lock["dependencies"].get(name).is_some()
            };
            if !recorded {
                return unlocked(
                    notes,
                    format!("{file} does not match package.json (it does not record `{}` in {section})", shown(name)),
                );
            }
        }
    }
    true
}

/// `main`, else `node X` in the start script, else a conventional file; each validated.
fn node_entrypoint(dir: &Path, package: &Value, start: &str, detection: &mut Detection) -> AppValue {
    if let Some(main) = package["main"].as_str() {
        match AppValue::relative_path(main) {
            Some(value) => return value,
            None => detection.notes.push(format!(
                "ignored the `main` field of package.json (`{}`): not a plain relative path",
                shown(main)
            )),
        }
    }
    let words: Vec<&str> = start.split_whitespace().collect();
    if let [node, script, ..] = words.as_slice()
        && *node == "node"
        && let Some(value) = AppValue::relative_path(script)
    {
        return value;
    }
    ["index.js", "server.js", "app.js", "main.js", "index.mjs", "server.mjs"]
        .iter()
        .find(|file| files::is_regular(dir, file))
        .map_or_else(|| AppValue::constant("index.js"), |file| AppValue::constant(file))
}

fn nextjs_app(dir: &Path, detection: &mut Detection) {
    let config = ["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"]
        .iter()
        .find_map(|file| files::read_optional(dir, file, files::MAX_SOURCE_BYTES).map(|text| (*file, text)));
    let standalone = config.as_ref().is_some_and(|(_, text)| text.contains("standalone"));
    detection.standalone = Some(standalone);
    detection.next_config = config.as_ref().map(|(file, _)| AppValue::constant(file));
    detection.entrypoint = AppValue::constant("server.js");
    if !standalone {
        let file = config.as_ref().map_or("next.config.js", |(file, _)| file);
        detection.notes.push(format!(
            "`output: 'standalone'` is not set in {file}: add it to nextConfig (the runtime stage copies .next/standalone); `todo-ai dockerfile --write` offers the change"
        ));
    }
    if let Some((file, _)) = super::missing_root_layout(dir) {
        detection.notes.push(format!(
            "no root layout covers the App Router's pages: `next build` fails without one; `todo-ai dockerfile --write` creates {file}, the one `next dev` would"
        ));
    }
    let base = config.as_ref().and_then(|(_, text)| nextjs::base_path(text)).unwrap_or_default();
    if !base.is_empty() {
        detection.notes.push(format!("basePath {} (from the Next.js config)", shown(&base)));
    }
    let paths: Vec<String> = nextjs::routes(dir).iter().map(|route| routes::join(&base, route)).collect();
    let health = routes::pick_health(&paths).and_then(|path| AppValue::http_path(&path));
    match &health {
        Some(path) => detection.notes.push(format!("health check on {path} (from the route files)")),
        None if !base.is_empty() => {
            detection.notes.push(format!("no health route found; the health check uses {}", shown(&base)));
        }
        None => {}
    }
    detection.health_path = health.or_else(|| (!base.is_empty()).then(|| AppValue::http_path(&base)).flatten());
}

/// The health route among what `roots` serve, or `fallback` with a note saying why.
fn choose_health(detection: &mut Detection, graph: &routes::Graph, roots: &[Scope], fallback: &'static str) {
    let served: Vec<String> = roots.iter().flat_map(|root| graph.paths_from(root)).collect();
    let health = routes::pick_health(&served);
    match health.as_deref().map(|path| (path, AppValue::http_path(path))) {
        Some((_, Some(path))) => {
            detection.notes.push(format!("health route {path} (from the source, with its prefixes)"));
            detection.health_path = Some(path);
        }
        Some((raw, None)) => {
            detection
                .notes
                .push(format!("ignored the health route `{}`: not a plain path; using {fallback}", shown(raw)));
            detection.health_path = Some(AppValue::constant(fallback));
        }
        None => {
            let elsewhere = routes::pick_health(&graph.unreached(&served, roots));
            detection.notes.push(match elsewhere {
                Some(path) => {
                    format!(
                        "found a {} route, but not where the app mounts it; the health check uses {fallback}",
                        shown(&path)
                    )
                }
                None => format!("no health route found; the health check uses {fallback} — add a /health route"),
            });
            detection.health_path = Some(AppValue::constant(fallback));
        }
    }
}

/// A port set by the start script: `-p N`, `--port N`, `--port=N`, `-p=N` or `PORT=N …`.
fn port_from_script(script: &str) -> Option<u16> {
    let words: Vec<&str> = script.split_whitespace().collect();
    words.iter().enumerate().find_map(|(index, word)| {
        if let Some(value) =
            word.strip_prefix("--port=").or_else(|| word.strip_prefix("-p=")).or_else(|| word.strip_prefix("PORT="))
        {
            return value.parse().ok();
        }
        (matches!(*word, "-p" | "--port")).then(|| words.get(index + 1)?.parse().ok()).flatten()
    })
}

fn python_app(dir: &Path, manifest: Option<&(&str, String)>, detection: &mut Detection) {
    let manager = if files::is_regular(dir, "uv.lock") {
        "uv"
    } else if manifest.is_some_and(|(file, text)| *file == "pyproject.toml" && text.contains("[tool.poetry")) {
        "poetry"
    } else if manifest.is_some_and(|(file, _)| *file == "Pipfile") {
        "pipenv"
    } else {
        "pip"
    };
    detection.package_manager = AppValue::package_manager(manager);
    detection.notes.push(format!("dependencies from {} ({manager})", manifest.map_or("requirements.txt", |(f, _)| *f)));
    detection.port = 8000;
    let modules = python_sources(dir);
    let framework = if detection.stack == Stack::Fastapi { "fastapi" } else { "flask" };
    let application = python::applications(&modules).into_iter().find(|(_, _, kind)| *kind == framework).and_then(
        |(module, name, _)| AppValue::python_target(&format!("{module}:{name}")).map(|target| (target, module, name)),
    );
    let text = manifest.map(|(_, t)| t.to_ascii_lowercase()).unwrap_or_default();
    detection.entrypoint = match (&application, detection.stack) {
        (Some((target, ..)), _) => target.clone(),
        (None, Stack::Fastapi) => AppValue::constant("main:app"),
        (None, _) if text.contains("django") => AppValue::constant("config.wsgi:application"),
        (None, _) => AppValue::constant("app:app"),
    };
    detection.notes.push(match &application {
        Some((target, ..)) => format!("application `{target}` (from the source)"),
        None => format!("no application object found; assuming `{}`", detection.entrypoint),
    });
    let fallback = if detection.stack == Stack::Fastapi { "/docs" } else { "/" };
    let graph = python::graph(&modules);
    let roots: Vec<Scope> = application.iter().map(|(_, module, name)| Scope::new(module, name)).collect();
    choose_health(detection, &graph, &roots, fallback);
}

/// Python modules under `dir` (dotted names; a package's `__init__.py` is the package) with
/// their text. Links are not followed; virtualenvs, tests and build output are skipped; only
/// files whose path is a valid module name; bounded in count, size and depth.
fn python_sources(dir: &Path) -> Vec<python::Module> {
    let mut modules = Vec::new();
    let mut total = 0;
    walk_sources(dir, &["py"], &mut |relative, text| {
        let stem = relative.strip_suffix(".py").unwrap_or(relative);
        let (name, package) = match stem.strip_suffix("/__init__") {
            Some(package) => (package.replace('/', "."), true),
            None if stem == "__init__" => return,
            None => (stem.replace('/', "."), false),
        };
        if AppValue::python_target(&name).is_none() || total > MAX_SOURCE_TOTAL {
            return;
        }
        total += text.len();
        modules.push(python::Module { name, package, text });
    });
    modules.sort_by_key(|module| (module.name.matches('.').count(), module.name.clone()));
    modules
}

/// JavaScript/TypeScript sources, the entrypoint first.
fn node_sources(dir: &Path, entrypoint: &str) -> Vec<node::Source> {
    let mut sources = Vec::new();
    let mut total = 0;
    walk_sources(dir, &["js", "mjs", "cjs", "ts", "mts", "cts"], &mut |relative, text| {
        if total > MAX_SOURCE_TOTAL {
            return;
        }
        total += text.len();
        sources.push(node::Source { path: relative.to_string(), text });
    });
    sources.sort_by_key(|source| (source.path != entrypoint, source.path.matches('/').count(), source.path.clone()));
    sources
}

/// Calls `found(relative path, text)` for each source file with one of `extensions`, in a
/// stable order; directories are entered without following links.
fn walk_sources(dir: &Path, extensions: &[&str], found: &mut dyn FnMut(&str, String)) {
    let mut pending = vec![(String::new(), 0usize)];
    let mut count = 0;
    while let Some((relative, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&relative)) else { continue };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().to_string();
            let child = if relative.is_empty() { name.clone() } else { format!("{relative}/{name}") };
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if depth < MAX_SOURCE_DEPTH && !name.starts_with('.') && !SKIPPED_DIRECTORIES.contains(&name.as_str()) {
                    pending.push((child, depth + 1));
                }
            } else if kind.is_file()
                && name.rsplit_once('.').is_some_and(|(_, extension)| extensions.contains(&extension))
                && !name.contains(".test.")
                && !name.contains(".spec.")
            {
                if count == MAX_SOURCES {
                    return;
                }
                count += 1;
                if let Some(text) = files::read_optional(dir, &child, files::MAX_SOURCE_BYTES) {
                    found(&child, text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_script_ports() {
        assert_eq!(port_from_script("next start -p 4000"), Some(4000));
        assert_eq!(port_from_script("next start --port=3100"), Some(3100));
        assert_eq!(port_from_script("PORT=8080 node server.js"), Some(8080));
        assert_eq!(port_from_script("node server.js"), None);
    }
}
