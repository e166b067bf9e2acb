//! Python sources → the route [`Graph`]: FastAPI apps and `APIRouter(prefix=…)`s,
//! `include_router(router, prefix=…)` and `mount("/p", sub_app)`; Flask apps and
//! `Blueprint(url_prefix=…)`s, `register_blueprint(bp, url_prefix=…)` (which replaces the
//! blueprint's own prefix); routes declared with `@x.get/.head/.route/.api_route(…)` or
//! `x.add_api_route/add_url_rule(…)`. Names are resolved through `import` and `from … import`
//! (relative or absolute, with `as`), so a router defined in one module and mounted in
//! another gets its prefixes.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{Graph, Mount, Scope, calls, keyword_string, split_arguments, string_literal};

/// One Python module of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Its dotted name (`app.main`; a package's `__init__.py` is the package, `app`).
    pub name: String,
    /// Whether it is a package (`__init__.py`), for relative imports.
    pub package: bool,
    /// Its text.
    pub text: String,
}

/// What a local name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Module(String),
    Name(String, String),
}

static ASSIGNMENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*(?:[A-Za-z_][\w.]*\.)?(FastAPI|APIRouter|Flask|Blueprint)[ \t]*\(").ok()
});
static FROM_IMPORT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)").ok());
static IMPORT: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?m)^[ \t]*import[ \t]+([^\n#]+)").ok());

/// The application objects: `(module, variable, framework)` for every `x = FastAPI(…)` or
/// `x = Flask(…)`, in module order.
pub fn applications(modules: &[Module]) -> Vec<(String, String, &'static str)> {
    let Some(assignment) = ASSIGNMENT.as_ref() else { return Vec::new() };
    let mut found = Vec::new();
    for module in modules {
        for captures in assignment.captures_iter(&module.text) {
            let (Some(name), Some(kind)) = (captures.get(1), captures.get(2)) else { continue };
            let framework = match kind.as_str() {
                "FastAPI" => "fastapi",
                "Flask" => "flask",
                _ => continue,
            };
            found.push((module.name.clone(), name.as_str().to_string(), framework));
        }
    }
    found
}

/// Reads every module into one graph.
pub fn graph(modules: &[Module]) -> Graph {
    let mut graph = Graph::default();
    let known: Vec<&str> = modules.iter().map(|module| module.name.as_str()).collect();
    for module in modules {
        let names = imports(module, &known);
        let resolve = |reference: &str| resolve(reference, &module.name, &names, &known);
        if let Some(assignment) = ASSIGNMENT.as_ref() {
            for captures in assignment.captures_iter(&module.text) {
                let (Some(name), Some(kind), Some(whole)) = (captures.get(1), captures.get(2), captures.get(0)) else {
                    continue;
                };
                let args = super::balanced(&module.text, whole.end() - 1).unwrap_or_default();
                let key = match kind.as_str() {
                    "APIRouter" => "prefix",
                    "Blueprint" => "url_prefix",
                    _ => continue,
                };
                if let Some(prefix) = keyword_string(args, key) {
                    graph.prefixes.insert(Scope::new(&module.name, name.as_str()), prefix);
                }
            }
        }
        for call in calls(&module.text, &["get", "head", "route", "api_route", "add_api_route", "add_url_rule"]) {
            if call.receiver.contains('.') && !is_decorated(&module.text, call.offset) {
                // `requests.get(…)`, `self.client.get(…)`: calls, not routes.
                continue;
            }
            let arguments = split_arguments(&call.args);
            let path = arguments
                .first()
                .and_then(|first| string_literal(first))
                .or_else(|| keyword_string(&call.args, "path"))
                .or_else(|| keyword_string(&call.args, "rule"));
            let Some(path) = path.filter(|path| path.is_empty() || path.starts_with('/')) else { continue };
            let is_get = match call.method.as_str() {
                "get" | "head" => true,
                _ => methods_allow_get(&call.args),
            };
            if is_get && (is_decorated(&module.text, call.offset) || call.method.starts_with("add_")) {
                graph.routes.push((Scope::new(&module.name, &call.receiver), path));
            }
        }
        for call in calls(&module.text, &["include_router", "register_blueprint", "mount"]) {
            let arguments = split_arguments(&call.args);
            let (child, prefix, replaces) = match call.method.as_str() {
                "mount" => (arguments.get(1).copied(), arguments.first().and_then(|a| string_literal(a)), false),
                "register_blueprint" => (arguments.first().copied(), keyword_string(&call.args, "url_prefix"), true),
                _ => (arguments.first().copied(), keyword_string(&call.args, "prefix"), false),
            };
            let Some(child) = child.and_then(|child| resolve(child.trim())) else { continue };
            let parent = Scope::new(&module.name, &call.receiver);
            graph.mounts.push(Mount { parent, child, prefix, replaces });
        }
    }
    graph
}

/// Whether the call at `offset` is a decorator (`@` before it on its line).
fn is_decorated(text: &str, offset: usize) -> bool {
    text[..offset].rsplit('\n').next().is_some_and(|line| line.trim_end().ends_with('@'))
}

/// Whether a `methods=[…]` argument is absent (GET by default) or lists GET.
fn methods_allow_get(args: &str) -> bool {
    split_arguments(args)
        .iter()
        .find_map(|part| part.strip_prefix("methods").map(str::trim_start).and_then(|rest| rest.strip_prefix('=')))
        .is_none_or(|methods| {
            methods.to_ascii_uppercase().contains("\"GET\"") || methods.to_ascii_uppercase().contains("'GET'")
        })
}

/// The names a module imports, resolved to modules of the app where possible.
fn imports(module: &Module, known: &[&str]) -> BTreeMap<String, Target> {
    let mut names = BTreeMap::new();
    let base = if module.package {
        module.name.clone()
    } else {
        module.name.rsplit_once('.').map(|(parent, _)| parent.to_string()).unwrap_or_default()
    };
    if let Some(pattern) = FROM_IMPORT.as_ref() {
        for captures in pattern.captures_iter(&module.text) {
            let dots = captures.get(1).map_or(0, |m| m.as_str().len());
            let path = captures.get(2).map_or("", |m| m.as_str());
            let source = if dots == 0 {
                path.to_string()
            } else {
                let mut anchor: Vec<&str> = base.split('.').filter(|p| !p.is_empty()).collect();
                for _ in 1..dots {
                    anchor.pop();
                }
                anchor.extend(path.split('.').filter(|p| !p.is_empty()));
                anchor.join(".")
            };
            let list = captures.get(3).map_or("", |m| m.as_str()).trim_matches(|c| c == '(' || c == ')');
            for item in list.split(',') {
                let item = item.split('#').next().unwrap_or_default().trim();
                let (name, alias) = item.split_once(" as ").map_or((item, item), |(n, a)| (n.trim(), a.trim()));
                if name.is_empty() || name == "*" {
                    continue;
                }
                let submodule = if source.is_empty() { name.to_string() } else { format!("{source}.{name}") };
                let target = match find(known, &submodule) {
                    Some(found) => Target::Module(found),
                    None => Target::Name(find(known, &source).unwrap_or(source.clone()), name.to_string()),
                };
                names.insert(alias.to_string(), target);
            }
        }
    }
    if let Some(pattern) = IMPORT.as_ref() {
        for captures in pattern.captures_iter(&module.text) {
            for item in captures.get(1).map_or("", |m| m.as_str()).split(',') {
                let item = item.trim();
                match item.split_once(" as ") {
                    Some((path, alias)) => {
                        let path = path.trim();
                        names
                            .insert(alias.trim().to_string(), Target::Module(find(known, path).unwrap_or(path.into())));
                    }
                    None => {
                        let first = item.split('.').next().unwrap_or(item);
                        names.insert(first.to_string(), Target::Module(find(known, first).unwrap_or(first.into())));
                    }
                }
            }
        }
    }
    names
}

/// An app module named `name`, or whose name ends with `.name` (a `src/` layout imports
/// `api.routes` for `src.api.routes`); the shortest wins.
fn find(known: &[&str], name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let suffix = format!(".{name}");
    known
        .iter()
        .filter(|module| **module == name || module.ends_with(&suffix))
        .min_by_key(|m| m.len())
        .map(|m| (*m).to_string())
}

/// The scope a reference in `module` names: `router`, `health.router`, `routers.health.router`.
fn resolve(reference: &str, module: &str, names: &BTreeMap<String, Target>, known: &[&str]) -> Option<Scope> {
    if !reference.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') || reference.is_empty() {
        return None;
    }
    let parts: Vec<&str> = reference.split('.').collect();
    let (head, rest) = parts.split_first()?;
    match (names.get(*head), rest) {
        (None, []) => Some(Scope::new(module, head)),
        (None, _) => None,
        (Some(Target::Name(source, name)), []) => Some(Scope::new(source, name)),
        (Some(Target::Name(..)), _) => None,
        (Some(Target::Module(_)), []) => None,
        (Some(Target::Module(target)), [path @ .., last]) => {
            let mut path_name = target.clone();
            for part in path {
                path_name = format!("{path_name}.{part}");
            }
            let resolved = find(known, &path_name).unwrap_or(path_name);
            Some(Scope::new(&resolved, last))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(name: &str, package: bool, text: &str) -> Module {
        Module { name: name.into(), package, text: text.into() }
    }

    #[test]
    fn fastapi_routers_and_flask_blueprints_get_their_prefixes() {
        let modules = vec![
            module(
                "app.main",
                false,
                "from fastapi import FastAPI\nfrom .routers import health\nfrom app.routers.items import router as items_router\nimport app.routers.ops as ops\n\napp = FastAPI()\napp.include_router(health.router, prefix=\"/api\")\napp.include_router(items_router)\napp.include_router(\n    ops.router,\n    prefix='/ops',\n    tags=['ops'],\n)\n\n@app.get('/')\ndef root():\n    return {}\n\nrequests.get('/not-a-route')\n",
            ),
            module("app.routers", true, ""),
            module(
                "app.routers.health",
                false,
                "router = APIRouter(prefix=\"/v1\")\n\n@router.get(\"/healthz\")\ndef h():\n    pass\n\n@router.post('/health')\ndef p():\n    pass\n",
            ),
            module(
                "app.routers.items",
                false,
                "router: APIRouter = APIRouter(prefix='/items')\n@router.get('/{id}')\ndef item(id): ...\n",
            ),
            module(
                "app.routers.ops",
                false,
                "from fastapi import APIRouter\nrouter = APIRouter()\n@router.api_route('/ready', methods=['GET', 'HEAD'])\ndef ready(): ...\n",
            ),
        ];
        assert_eq!(applications(&modules), vec![("app.main".into(), "app".into(), "fastapi")]);
        let graph = graph(&modules);
        let paths = graph.paths_from(&Scope::new("app.main", "app"));
        assert_eq!(paths, vec!["/", "/api/v1/healthz", "/items/{id}", "/ops/ready"]);

        let flask = vec![
            module(
                "server",
                false,
                "from flask import Flask\nfrom blueprints.status import bp as status\nserver = Flask(__name__)\nserver.register_blueprint(status, url_prefix='/ops')\n",
            ),
            module(
                "blueprints.status",
                false,
                "bp = Blueprint('status', __name__, url_prefix='/status')\n@bp.route('/health')\ndef health(): ...\n@bp.route('/reset', methods=['POST'])\ndef reset(): ...\n",
            ),
        ];
        let paths = super::graph(&flask).paths_from(&Scope::new("server", "server"));
        assert_eq!(paths, vec!["/ops/health"]);
    }
}
