//! Values read from an app (package.json fields, module names, paths, routes, package
//! managers) that end up inside a generated Dockerfile. An app is untrusted input: a `main`
//! field with a newline would otherwise add `USER root` or `RUN …` lines to the file the user
//! is asked to approve. Every such value becomes an [`AppValue`] only through one of the
//! grammars here (short, no control characters, a small character set per kind); a value
//! that fails is ignored with a note and never interpolated.

use std::fmt;
use std::ops::Deref;

/// The longest value accepted from an app.
pub const MAX_LENGTH: usize = 200;

/// A value that passed one of the grammars below (or a constant of todo-ai's own).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct AppValue(String);

impl AppValue {
    /// A constant chosen by todo-ai itself, e.g. a default entrypoint.
    pub fn constant(value: &'static str) -> AppValue {
        AppValue(value.to_string())
    }

    /// A relative file path: `/`-separated segments of letters, digits and `._@+-`, no
    /// segment `..` or `.`, not starting with `-` or `/`.
    pub fn relative_path(value: &str) -> Option<AppValue> {
        let value = value.strip_prefix("./").unwrap_or(value);
        let ok = bounded(value)
            && !value.starts_with(['-', '/'])
            && value.split('/').all(|segment| {
                !segment.is_empty()
                    && segment != "."
                    && segment != ".."
                    && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-'))
            });
        ok.then(|| AppValue(value.to_string()))
    }

    /// A Python import target `package.module:attribute` (or `package.module` alone): dotted
    /// identifiers.
    pub fn python_target(value: &str) -> Option<AppValue> {
        let (module, attribute) = match value.split_once(':') {
            Some((module, attribute)) => (module, Some(attribute)),
            None => (value, None),
        };
        let ok = bounded(value)
            && module.split('.').all(identifier)
            && attribute.is_none_or(|attribute| attribute.split('.').all(identifier));
        ok.then(|| AppValue(value.to_string()))
    }

    /// A binary or package name: letters, digits, `_` and `-`, starting with a letter or digit.
    pub fn name(value: &str) -> Option<AppValue> {
        let ok = bounded(value)
            && value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        ok.then(|| AppValue(value.to_string()))
    }

    /// An HTTP path for a health check: `/` then letters, digits and `._~/-`, no `//`.
    pub fn http_path(value: &str) -> Option<AppValue> {
        let ok = bounded(value)
            && value.starts_with('/')
            && !value.contains("//")
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '~' | '-'));
        ok.then(|| AppValue(value.to_string()))
    }

    /// One of the package managers todo-ai writes install steps for.
    pub fn package_manager(value: &str) -> Option<AppValue> {
        ["npm", "yarn", "pnpm", "pip", "poetry", "uv", "pipenv", "cargo", "go"]
            .contains(&value)
            .then(|| AppValue(value.to_string()))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn bounded(value: &str) -> bool {
    !value.is_empty() && value.len() <= MAX_LENGTH && !value.chars().any(char::is_control)
}

fn identifier(part: &str) -> bool {
    part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Deref for AppValue {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AppValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<&str> for AppValue {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<str> for AppValue {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

/// A value from the app shown in a note: control characters escaped, cut to 60 characters.
pub fn shown(value: &str) -> String {
    let escaped: String = value.chars().flat_map(char::escape_debug).collect();
    if escaped.chars().count() > 60 { format!("{}…", escaped.chars().take(60).collect::<String>()) } else { escaped }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammars_refuse_what_could_change_a_dockerfile() {
        for good in ["server.js", "dist/index.mjs", "@scope/x.js", "./app.js"] {
            assert!(AppValue::relative_path(good).is_some(), "{good}");
        }
        for bad in ["", "/etc/passwd", "../x.js", "a//b", "x\"]\nUSER root", "a b.js", "-rf", &"a".repeat(201)] {
            assert!(AppValue::relative_path(bad).is_none(), "{bad:?}");
        }
        assert!(AppValue::python_target("app.main:app").is_some());
        assert!(AppValue::python_target("config.wsgi:application").is_some());
        for bad in ["app.main:app\nUSER root", "1app:x", "app:", "a-b:c", "x\"]"] {
            assert!(AppValue::python_target(bad).is_none(), "{bad:?}");
        }
        assert!(AppValue::http_path("/api/v1/health").is_some());
        for bad in ["health", "/a'b", "/a\"", "/a b", "//x", "/{id}", "/\n"] {
            assert!(AppValue::http_path(bad).is_none(), "{bad:?}");
        }
        assert!(AppValue::name("todo-svc").is_some() && AppValue::name("x y").is_none());
        assert!(AppValue::package_manager("npm").is_some() && AppValue::package_manager("npm\nRUN id").is_none());
        assert_eq!(shown("a\nb"), "a\\nb");
    }
}
