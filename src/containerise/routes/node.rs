//! JavaScript/TypeScript sources → the route [`Graph`] and the default port. Express
//! (`express()`, `express.Router()`, `app.use('/p', router)`, `app.get/head/all('/p', …)`,
//! `app.route('/p').get(…)`), Fastify (`Fastify()`, `register(plugin, { prefix })`, routes on
//! a plugin's parameter, `route({ method: 'GET', url })`), Koa with `@koa/router`
//! (`new Router({ prefix })`, `router.prefix('/p')`, `app.use(router.routes())`). Files refer
//! to each other through `require('./x')` and `import x from './x'`; a file's export is its
//! `module.exports`/`export default` (a router, or a plugin function). The port is the
//! default in `process.env.PORT || N` (or `?? N`, `Number(…) || N`, `{ PORT = N } =
//! process.env`), else a literal `listen(N)` / `listen({ port: N })`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{Graph, Mount, Scope, calls, keyword_string, split_arguments, string_literal};

/// One source file: its path inside the app (`/`-separated) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path inside the app.
    pub path: String,
    /// Its text.
    pub text: String,
}

fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

static ROOT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r#"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]{0,40})?=\s*(?:await\s+)?(?:express\s*\(\s*\)|require\(\s*['"]express['"]\s*\)\s*\(\s*\)|[Ff]astify\s*\(|require\(\s*['"]fastify['"]\s*\)\s*\(|new\s+Koa\s*\()"#,
    )
});
static ROUTER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r#"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]{0,40})?=\s*(?:express\s*\.\s*Router|require\(\s*['"]express['"]\s*\)\s*\.\s*Router|Router|new\s+(?:Koa)?Router)\s*\("#,
    )
});
static REQUIRE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r#"(?:const|let|var)\s+(\{[^}]{0,400}\}|[A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"](\.[^'"]{0,200})['"]\s*\)"#)
});
static IMPORT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r#"import\s+([A-Za-z_$][\w$]*)?\s*,?\s*(\{[^}]{0,400}\})?\s*from\s+['"](\.[^'"]{0,200})['"]"#)
});
static EXPORT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?:module\.exports|exports\.default)\s*=\s*([A-Za-z_$][\w$]*)\s*;?\s*(?:\n|$)|export\s+default\s+([A-Za-z_$][\w$]*)\s*;?\s*(?:\n|$)",
    )
});
static FUNCTION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?:(module\.exports\s*=|export\s+default)\s*)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)?\s*\(\s*([A-Za-z_$][\w$]*)|(?:(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=|(module\.exports\s*=|export\s+default))\s*(?:async\s+)?\(?\s*([A-Za-z_$][\w$]*)\s*(?:,[^)]{0,200})?\)?\s*=>",
    )
});
static PORT_ENV: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r#"process\.env\.PORT[^|?\n;]{0,24}(?:\|\||\?\?)\s*['"]?(\d{1,5})"#));
static PORT_DESTRUCTURED: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r#"\{[^}]{0,200}\bPORT\s*=\s*['"]?(\d{1,5})['"]?[^}]{0,200}\}\s*=\s*process\.env"#));
static PORT_LITERAL: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"\.listen\(\s*(?:(\d{1,5})\b|\{[^}]{0,200}\bport\s*:\s*(\d{1,5})\b)"));

/// A function whose first parameter receives a router (a Fastify plugin).
struct Function {
    name: String,
    parameter: String,
    body: std::ops::Range<usize>,
}

/// What a file's names refer to in other files.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Import {
    /// The whole export of a file.
    Default(String),
    /// A named export.
    Named(String, String),
}

/// Reads every source into one graph; returns it with the application scopes (the roots).
pub fn graph(sources: &[Source]) -> (Graph, Vec<Scope>) {
    let mut graph = Graph::default();
    let mut roots = Vec::new();
    let paths: Vec<&str> = sources.iter().map(|source| source.path.as_str()).collect();
    let exports: BTreeMap<&str, Scope> = sources.iter().map(|source| (source.path.as_str(), export(source))).collect();
    for source in sources {
        let text = &source.text;
        let file = source.path.as_str();
        let mut routers: Vec<String> = Vec::new();
        for (pattern, is_root) in [(&*ROOT, true), (&*ROUTER, false)] {
            let Some(pattern) = pattern.as_ref() else { continue };
            for captures in pattern.captures_iter(text) {
                let (Some(name), Some(whole)) = (captures.get(1), captures.get(0)) else { continue };
                let scope = Scope::new(file, name.as_str());
                if is_root {
                    roots.push(scope.clone());
                } else if let Some(prefix) =
                    super::balanced(text, whole.end() - 1).and_then(|args| keyword_string(args, "prefix"))
                {
                    graph.prefixes.insert(scope.clone(), prefix);
                }
                routers.push(name.as_str().to_string());
            }
        }
        let functions = functions(text);
        let imports = imports(source, &paths);
        let scope_of = |receiver: &str, offset: usize| -> Scope {
            if routers.iter().any(|router| router == receiver) {
                return Scope::new(file, receiver);
            }
            functions
                .iter()
                .filter(|function| function.parameter == receiver && function.body.contains(&offset))
                .min_by_key(|function| function.body.len())
                .map_or_else(|| Scope::new(file, "*"), |function| Scope::new(file, &function.name))
        };
        let child_of = |reference: &str| -> Option<Scope> {
            let reference = reference.trim();
            let reference = reference.strip_suffix(".routes()").unwrap_or(reference);
            let literal = reference
                .strip_prefix("require(")
                .or_else(|| reference.strip_prefix("import("))
                .or_else(|| reference.strip_prefix("await import("))
                .and_then(string_literal);
            if let Some(target) = literal {
                return resolve_file(file, &target, &paths).and_then(|path| exports.get(path.as_str()).cloned());
            }
            if !reference.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$') || reference.is_empty() {
                return None;
            }
            match imports.get(reference) {
                Some(Import::Default(path)) => exports.get(path.as_str()).cloned(),
                Some(Import::Named(path, name)) => Some(Scope::new(path, name)),
                None => Some(Scope::new(file, reference)),
            }
        };
        for call in calls(text, &["get", "head", "all", "route", "use", "register", "prefix"]) {
            if call.receiver.contains('.') {
                continue;
            }
            let arguments = split_arguments(&call.args);
            let scope = scope_of(&call.receiver, call.offset);
            match call.method.as_str() {
                "get" | "head" | "all" if arguments.len() >= 2 => {
                    if let Some(path) = arguments.first().and_then(|a| string_literal(a)).filter(|p| p.starts_with('/'))
                    {
                        graph.routes.push((scope, path));
                    }
                }
                "route" => {
                    if let Some(path) = arguments.first().and_then(|a| string_literal(a)) {
                        // Express: `app.route('/p').get(…)`.
                        let chained = text.get(call.end..).is_some_and(|after| after.trim_start().starts_with(".get("));
                        if chained && path.starts_with('/') {
                            graph.routes.push((scope, path));
                        }
                    } else if keyword_string(&call.args, "method").is_some_and(|m| m.eq_ignore_ascii_case("GET"))
                        || call.args.contains("'GET'") && call.args.contains('[')
                    {
                        // Fastify: `route({ method: 'GET', url: '/p', … })`.
                        if let Some(url) = keyword_string(&call.args, "url").filter(|u| u.starts_with('/')) {
                            graph.routes.push((scope, url));
                        }
                    }
                }
                "use" => {
                    let prefix = arguments.first().and_then(|a| string_literal(a));
                    let children = if prefix.is_some() { &arguments[1..] } else { &arguments[..] };
                    for child in children.iter().filter_map(|child| child_of(child)) {
                        graph.mounts.push(Mount {
                            parent: scope.clone(),
                            child,
                            prefix: prefix.clone(),
                            replaces: false,
                        });
                    }
                }
                "register" => {
                    let Some(child) = arguments.first().and_then(|child| child_of(child)) else { continue };
                    let prefix = arguments.get(1).and_then(|options| keyword_string(options, "prefix"));
                    graph.mounts.push(Mount { parent: scope, child, prefix, replaces: false });
                }
                "prefix" => {
                    if let Some(prefix) = arguments.first().and_then(|a| string_literal(a)) {
                        graph.prefixes.insert(scope, prefix);
                    }
                }
                _ => {}
            }
        }
    }
    (graph, roots)
}

/// The scope a file exports: `module.exports = router` → that router; a default-exported
/// function → the file's anonymous plugin scope `*`.
fn export(source: &Source) -> Scope {
    let name = EXPORT
        .as_ref()
        .and_then(|pattern| pattern.captures(&source.text))
        .and_then(|captures| captures.get(1).or_else(|| captures.get(2)))
        .map_or("*", |m| m.as_str());
    Scope::new(&source.path, name)
}

/// Functions taking a router as their first parameter, with their bodies' byte ranges.
fn functions(text: &str) -> Vec<Function> {
    let Some(pattern) = FUNCTION.as_ref() else { return Vec::new() };
    pattern
        .captures_iter(text)
        .filter_map(|captures| {
            let whole = captures.get(0)?;
            let exported = captures.get(1).or_else(|| captures.get(5)).is_some();
            let name = captures.get(2).or_else(|| captures.get(4)).map(|m| m.as_str().to_string());
            let parameter = captures.get(3).or_else(|| captures.get(6))?.as_str().to_string();
            let name = if exported { "*".to_string() } else { name? };
            let open = whole.end() + text[whole.end()..].find('{')?;
            let body = super::balanced(text, open)?;
            Some(Function { name, parameter, body: open..open + body.len() + 2 })
        })
        .collect()
}

/// The names a file imports from other files of the app.
fn imports(source: &Source, paths: &[&str]) -> BTreeMap<String, Import> {
    let mut names = BTreeMap::new();
    let mut add = |binding: &str, target: &str| {
        let Some(path) = resolve_file(&source.path, target, paths) else { return };
        if let Some(list) = binding.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
            for item in list.split(',') {
                let item = item.trim();
                let (name, alias) = item
                    .split_once(':')
                    .or_else(|| item.split_once(" as "))
                    .map_or((item, item), |(name, alias)| (name.trim(), alias.trim()));
                if !name.is_empty() {
                    names.insert(alias.to_string(), Import::Named(path.clone(), name.to_string()));
                }
            }
        } else {
            names.insert(binding.to_string(), Import::Default(path));
        }
    };
    if let Some(pattern) = REQUIRE.as_ref() {
        for captures in pattern.captures_iter(&source.text) {
            if let (Some(binding), Some(target)) = (captures.get(1), captures.get(2)) {
                add(binding.as_str(), target.as_str());
            }
        }
    }
    if let Some(pattern) = IMPORT.as_ref() {
        for captures in pattern.captures_iter(&source.text) {
            let Some(target) = captures.get(3) else { continue };
            if let Some(default) = captures.get(1) {
                add(default.as_str(), target.as_str());
            }
            if let Some(named) = captures.get(2) {
                add(named.as_str(), target.as_str());
            }
        }
    }
    names
}

/// `./routes/health` from `src/server.js` → `src/routes/health.js` (or `.ts`, `/index.js` …)
/// when that file is one of the app's sources.
fn resolve_file(from: &str, target: &str, paths: &[&str]) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let base = parts.join("/");
    let stem = ["", ".js", ".ts", ".mjs", ".cjs", ".mts", ".cts", "/index.js", "/index.ts", "/index.mjs"];
    let strip = base.strip_suffix(".js").map(|s| format!("{s}.ts"));
    stem.iter()
        .map(|suffix| format!("{base}{suffix}"))
        .chain(strip)
        .find(|candidate| paths.contains(&candidate.as_str()))
}

/// The port an app listens on by default, from its sources (the first file that says):
/// `(port, whether it reads PORT from the environment)`.
pub fn port(sources: &[Source]) -> Option<(u16, bool)> {
    let first = |pattern: &Option<Regex>| -> Option<u16> {
        let pattern = pattern.as_ref()?;
        sources.iter().find_map(|source| {
            pattern.captures_iter(&source.text).find_map(|captures| {
                captures.iter().skip(1).flatten().next().and_then(|m| m.as_str().parse::<u16>().ok()).filter(|p| *p > 0)
            })
        })
    };
    if let Some(port) = first(&PORT_ENV).or_else(|| first(&PORT_DESTRUCTURED)) {
        return Some((port, true));
    }
    first(&PORT_LITERAL).map(|port| (port, sources.iter().any(|source| source.text.contains("process.env.PORT"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> Source {
        Source { path: path.into(), text: text.into() }
    }

    #[test]
    fn express_routers_mounted_from_other_files() {
        let sources = vec![
            source(
                "server.js",
                "const express = require('express');\nconst health = require('./routes/health');\nconst { api } = require('./routes/api');\nconst app = express();\nconst PORT = process.env.PORT || 8081;\napp.use(express.json());\napp.use('/ops', health);\napp.use('/api', api);\napp.route('/status').get((req, res) => res.send('ok'));\napp.listen(PORT);\n",
            ),
            source(
                "routes/health.js",
                "const router = require('express').Router();\nrouter.get('/healthz', (req, res) => res.sendStatus(200));\nmodule.exports = router;\n",
            ),
            source(
                "routes/api.js",
                "const api = express.Router();\napi.get('/items', list);\nmodule.exports = { api };\n",
            ),
        ];
        let (graph, roots) = graph(&sources);
        assert_eq!(roots, vec![Scope::new("server.js", "app")]);
        assert_eq!(graph.paths_from(&roots[0]), vec!["/api/items", "/ops/healthz", "/status"]);
        assert_eq!(port(&sources), Some((8081, true)));
    }

    #[test]
    fn fastify_plugins_and_koa_routers() {
        let sources = vec![
            source(
                "app.js",
                "const fastify = require('fastify')({ logger: true });\nfastify.register(require('./routes/health'), { prefix: '/v1' });\nasync function local(instance, opts) {\n  instance.get('/ready', async () => 'ok');\n}\nfastify.register(local, { prefix: '/local' });\nfastify.listen({ port: Number(process.env.PORT) || 4001, host: '0.0.0.0' });\n",
            ),
            source(
                "routes/health.js",
                "module.exports = async function (fastify, opts) {\n  fastify.get('/health', async () => ({ ok: true }));\n  fastify.route({ method: 'GET', url: '/livez', handler: h });\n};\n",
            ),
        ];
        let (graph, roots) = graph(&sources);
        assert_eq!(graph.paths_from(&roots[0]), vec!["/local/ready", "/v1/health", "/v1/livez"]);
        assert_eq!(port(&sources), Some((4001, true)));

        let koa = vec![source(
            "index.ts",
            "import Koa from 'koa';\nimport Router from '@koa/router';\nconst app = new Koa();\nconst router = new Router({ prefix: '/api' });\nrouter.get('/health', (ctx) => { ctx.body = 'ok'; });\napp.use(router.routes());\napp.listen(process.env.PORT ?? 5050);\n",
        )];
        let (graph, roots) = super::graph(&koa);
        assert_eq!(graph.paths_from(&roots[0]), vec!["/api/health"]);
        assert_eq!(port(&koa), Some((5050, true)));
        assert_eq!(port(&[source("s.js", "require('express')().listen(3000);")]), Some((3000, false)));
    }
}
