//! Where an app's health route really is. Web frameworks compose routes: FastAPI's
//! `include_router(router, prefix=…)` and `APIRouter(prefix=…)`, Flask's blueprints with
//! `url_prefix`, Express's `app.use('/api', router)`, Fastify's `register(plugin, { prefix })`,
//! Koa routers with `prefix`, Next.js's file-system routes under a `basePath`. A route found by
//! its text alone (`"/health"`) is often served somewhere else, and a health check on the
//! wrong path marks a healthy container unhealthy. So each language's scanner reads the
//! sources into one [`Graph`] — routing scopes (an app, a router, a blueprint, a plugin), their
//! own prefixes, their GET routes, and which scope is mounted under which with what prefix —
//! and the paths are resolved from the app that is actually served.
//!
//! Scanning is textual (regular expressions, which match in linear time, and a bounded
//! bracket matcher), so it reads what people write, not every program that could be written;
//! when it cannot tell, detection falls back to a path that exists and says so in a note.

pub mod nextjs;
pub mod node;
pub mod python;

use std::collections::{BTreeMap, BTreeSet};

/// A routing scope: a variable (or plugin function) in a source file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    /// The source file (or module) it lives in.
    pub file: String,
    /// The variable or function name; `*` for a file's anonymous default.
    pub name: String,
}

impl Scope {
    /// A scope in `file` named `name`.
    pub fn new(file: &str, name: &str) -> Scope {
        Scope { file: file.to_string(), name: name.to_string() }
    }
}

/// One scope mounted under another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Where it is mounted.
    pub parent: Scope,
    /// What is mounted.
    pub child: Scope,
    /// The prefix given at the mount, if any.
    pub prefix: Option<String>,
    /// Whether a prefix given at the mount replaces the child's own (Flask's
    /// `register_blueprint(url_prefix=…)`) instead of coming before it.
    pub replaces: bool,
}

/// Routes, scopes and mounts read from an app's sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    /// Each scope's own prefix (`APIRouter(prefix=…)`, `Blueprint(url_prefix=…)` …).
    pub prefixes: BTreeMap<Scope, String>,
    /// GET routes, by scope.
    pub routes: Vec<(Scope, String)>,
    /// Mounts.
    pub mounts: Vec<Mount>,
}

/// The most scope visits one resolution makes (mount cycles and fan-out stay bounded).
const MAX_VISITS: usize = 10_000;

/// The deepest mount chain followed.
const MAX_DEPTH: usize = 12;

impl Graph {
    /// The full path of every GET route served under `root`.
    pub fn paths_from(&self, root: &Scope) -> Vec<String> {
        let mut paths = Vec::new();
        let own = self.prefixes.get(root).cloned().unwrap_or_default();
        let mut pending = vec![(root.clone(), own, 0usize, BTreeSet::from([root.clone()]))];
        let mut visits = 0;
        while let Some((scope, prefix, depth, chain)) = pending.pop() {
            visits += 1;
            if visits > MAX_VISITS {
                break;
            }
            for (owner, route) in &self.routes {
                if *owner == scope {
                    paths.push(join(&prefix, route));
                }
            }
            if depth == MAX_DEPTH {
                continue;
            }
            for mount in self.mounts.iter().filter(|mount| mount.parent == scope && !chain.contains(&mount.child)) {
                let own = self.prefixes.get(&mount.child).map(String::as_str).unwrap_or_default();
                let added = match (&mount.prefix, mount.replaces) {
                    (Some(given), true) => given.clone(),
                    (Some(given), false) => join(given, own),
                    (None, _) => own.to_string(),
                };
                let mut chain = chain.clone();
                chain.insert(mount.child.clone());
                pending.push((mount.child.clone(), join(&prefix, &added), depth + 1, chain));
            }
        }
        paths.sort();
        paths.dedup();
        paths
    }

    /// Every GET route in scopes that nothing resolved reaches from `roots`, with the scope's
    /// own prefix (for a note: "found, but not where it is mounted").
    pub fn unreached(&self, reached: &[String], roots: &[Scope]) -> Vec<String> {
        let mut reachable: BTreeSet<&Scope> = roots.iter().collect();
        let mut changed = true;
        while changed {
            changed = false;
            for mount in &self.mounts {
                if reachable.contains(&mount.parent) && reachable.insert(&mount.child) {
                    changed = true;
                }
            }
        }
        let mut paths: Vec<String> = self
            .routes
            .iter()
            .filter(|(scope, _)| !reachable.contains(scope))
            .map(|(scope, route)| join(self.prefixes.get(scope).map(String::as_str).unwrap_or_default(), route))
            .filter(|path| !reached.contains(path))
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

/// Joins URL path parts the way the frameworks do: one `/` between, no trailing `/` from an
/// empty route.
pub fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let joined = match path {
        "" => prefix.to_string(),
        path if path.starts_with('/') => format!("{prefix}{path}"),
        path => format!("{prefix}/{path}"),
    };
    if joined.is_empty() { "/".into() } else { joined }
}

/// Last path segments that name a health endpoint, best first.
const HEALTH_NAMES: [&str; 9] =
    ["healthz", "health", "healthcheck", "health-check", "livez", "readyz", "ready", "ping", "status"];

/// The best health route among `paths`: by name (`healthz`, `health` … `status`), then the
/// shortest. Paths with parameters (`{id}`, `:id`, `<id>`, `[id]`) never qualify.
pub fn pick_health(paths: &[String]) -> Option<String> {
    paths
        .iter()
        .filter(|path| !path.contains(['{', '<', ':', '[', '*']))
        .filter_map(|path| {
            let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
            HEALTH_NAMES.iter().position(|name| *name == last).map(|rank| (rank, path.len(), path))
        })
        .min()
        .map(|(_, _, path)| path.clone())
}

/// A call found in source text: `receiver.method(args)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The dotted name before `.method`, e.g. `app` or `health.router`.
    pub receiver: String,
    /// The method.
    pub method: String,
    /// The text between the parentheses.
    pub args: String,
    /// Where the call starts in the text.
    pub offset: usize,
    /// Where it ends (after its closing parenthesis, or where reading stopped).
    pub end: usize,
}

/// The longest argument list read (a call longer than this is cut, and its arguments are
/// parsed from what was read).
const MAX_ARGS: usize = 4_096;

/// Every `receiver.method(…)` call in `text` whose method is one of `methods`.
pub fn calls(text: &str, methods: &[&str]) -> Vec<Call> {
    static CALL: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*\.\s*([A-Za-z_]\w*)\s*\(").ok()
    });
    let Some(pattern) = CALL.as_ref() else { return Vec::new() };
    pattern
        .captures_iter(text)
        .filter_map(|captures| {
            let whole = captures.get(0)?;
            let method = captures.get(2)?.as_str();
            if !methods.contains(&method) {
                return None;
            }
            let receiver: String = captures.get(1)?.as_str().chars().filter(|c| !c.is_whitespace()).collect();
            let args = balanced(text, whole.end() - 1)?;
            let end = (whole.end() + args.len() + 1).min(text.len());
            Some(Call { receiver, method: method.to_string(), args: args.to_string(), offset: whole.start(), end })
        })
        .collect()
}

/// The text inside the bracket at byte `open` up to its match (strings skipped), at most
/// [`MAX_ARGS`] bytes.
pub fn balanced(text: &str, open: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let (opening, closing) = match bytes.get(open)? {
        b'(' => (b'(', b')'),
        b'{' => (b'{', b'}'),
        b'[' => (b'[', b']'),
        _ => return None,
    };
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut index = open;
    let end = (open + MAX_ARGS).min(bytes.len());
    while index < end {
        let byte = bytes[index];
        match quote {
            Some(_) if byte == b'\\' => index += 1,
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if matches!(byte, b'"' | b'\'' | b'`') => quote = Some(byte),
            None if byte == opening => depth += 1,
            None if byte == closing => {
                depth -= 1;
                if depth == 0 {
                    return text.get(open + 1..index);
                }
            }
            None => {}
        }
        index += 1;
    }
    text.get(open + 1..end)
}

/// Splits an argument list at its top-level commas.
pub fn split_arguments(args: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    let mut escaped = false;
    for (index, c) in args.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(args[start..index].trim());
                start = index + 1;
            }
            _ => {}
        }
    }
    let last = args[start..].trim();
    if !last.is_empty() {
        parts.push(last);
    }
    parts
}

/// A string literal at the start of `text` (`'…'`, `"…"`, a template without `${}`, and
/// Python's `r`/`u` prefixes), unescaped simply; `None` for anything else.
pub fn string_literal(text: &str) -> Option<String> {
    let text = text.trim_start();
    let text = text.strip_prefix(['r', 'u', 'R', 'U']).filter(|rest| rest.starts_with(['"', '\''])).unwrap_or(text);
    let quote = text.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let mut value = String::new();
    let mut chars = text[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?),
            c if c == quote => {
                return (!(quote == '`' && value.contains("${"))).then_some(value);
            }
            c => value.push(c),
        }
    }
    None
}

/// The string value of `name=…` (Python keyword) or `name: …` (JavaScript object key) among
/// top-level arguments, or inside a top-level object literal argument.
pub fn keyword_string(args: &str, name: &str) -> Option<String> {
    for part in split_arguments(args) {
        if let Some(inner) = part.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
            if let Some(found) = keyword_string(inner, name) {
                return Some(found);
            }
            continue;
        }
        let Some(rest) = part.strip_prefix(name) else { continue };
        let rest = rest.trim_start();
        let value = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))?;
        if value.starts_with('=') {
            continue;
        }
        return string_literal(value);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_compose_prefixes() {
        let app = Scope::new("main", "app");
        let router = Scope::new("health", "router");
        let blueprint = Scope::new("bp", "bp");
        let mut graph = Graph::default();
        graph.prefixes.insert(router.clone(), "/v1".into());
        graph.prefixes.insert(blueprint.clone(), "/own".into());
        graph.routes.push((router.clone(), "/healthz".into()));
        graph.routes.push((blueprint.clone(), "/ping".into()));
        graph.routes.push((app.clone(), "/".into()));
        graph.mounts.push(Mount {
            parent: app.clone(),
            child: router.clone(),
            prefix: Some("/api".into()),
            replaces: false,
        });
        graph.mounts.push(Mount {
            parent: app.clone(),
            child: blueprint.clone(),
            prefix: Some("/ops".into()),
            replaces: true,
        });
        // A cycle is not followed twice.
        graph.mounts.push(Mount { parent: router.clone(), child: app.clone(), prefix: None, replaces: false });
        assert_eq!(graph.paths_from(&app), vec!["/", "/api/v1/healthz", "/ops/ping"]);
        assert_eq!(pick_health(&graph.paths_from(&app)).as_deref(), Some("/api/v1/healthz"));
        assert_eq!(pick_health(&["/users/{id}/health".into(), "/status".into()]).as_deref(), Some("/status"));
    }

    #[test]
    fn calls_and_arguments() {
        let text =
            "app.include_router(\n    health.router,\n    prefix=\"/api\", dependencies=[Depends(x)],\n)\nx = f(1)";
        let found = calls(text, &["include_router"]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].receiver, "app");
        assert_eq!(split_arguments(&found[0].args)[0], "health.router");
        assert_eq!(keyword_string(&found[0].args, "prefix").as_deref(), Some("/api"));
        assert_eq!(keyword_string("r, { prefix: '/v1', x: 1 }", "prefix").as_deref(), Some("/v1"));
        assert_eq!(string_literal("`/a/${x}`"), None);
        assert_eq!(string_literal(r#""a\"b""#).as_deref(), Some("a\"b"));
        assert_eq!(join("/api/", "/x"), "/api/x");
        assert_eq!(join("", ""), "/");
        assert_eq!(join("/health", ""), "/health");
    }
}
