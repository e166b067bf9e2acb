//! `.dockerignore` as the Docker CLI reads it (moby `dockerignore.ReadAll` and
//! `patternmatcher`): a UTF-8 BOM dropped, lines starting with `#` skipped before trimming,
//! `!` exceptions, each pattern lexically cleaned with a leading `/` dropped, bad patterns
//! refused; a path is excluded when the last rule matching it or one of its parent
//! directories is not an exception. Matching is linear ([`super::glob`]) and every bound is
//! explicit: the file's size, its number of rules, each pattern's length, and the steps a
//! caller lets a whole listing spend.

use super::glob::{Pattern, PatternError};

/// The largest `.dockerignore` read.
pub const MAX_BYTES: u64 = 256 * 1024;

/// The most rules one `.dockerignore` may have.
pub const MAX_RULES: usize = 4_096;

/// The longest pattern, in characters.
pub const MAX_PATTERN_CHARS: usize = 1_024;

/// Why a `.dockerignore` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    /// A pattern does not compile (Docker refuses it too).
    #[error("line {line} of .dockerignore: `{pattern}`: {reason}")]
    BadPattern {
        /// The 1-based line.
        line: usize,
        /// The pattern as written (shortened when long).
        pattern: String,
        /// What is wrong.
        reason: String,
    },
    /// More rules than [`MAX_RULES`].
    #[error(".dockerignore has more than {MAX_RULES} rules")]
    TooManyRules,
}

/// One rule.
#[derive(Debug, Clone)]
struct Rule {
    /// The cleaned pattern, without `!` (Docker compares it as text to decide whether an
    /// excluded directory must still be walked).
    text: String,
    pattern: Pattern,
    exception: bool,
}

/// Parsed `.dockerignore` rules.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    rules: Vec<Rule>,
}

impl Ignore {
    /// Parses `.dockerignore` text.
    pub fn parse(text: &str) -> Result<Ignore, IgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            // Docker skips comments before trimming: `  # x` is a pattern.
            if raw.starts_with('#') {
                continue;
            }
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            let (exception, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let bad = |reason: &str| IgnoreError::BadPattern {
                line: index + 1,
                pattern: line.chars().take(80).collect(),
                reason: reason.to_string(),
            };
            if pattern.is_empty() {
                return Err(bad("an exception needs a pattern after `!`"));
            }
            if pattern.chars().count() > MAX_PATTERN_CHARS {
                return Err(bad(&format!("longer than {MAX_PATTERN_CHARS} characters")));
            }
            let mut cleaned = clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let compiled = Pattern::compile(&cleaned).map_err(|PatternError(reason)| bad(reason))?;
            if rules.len() == MAX_RULES {
                return Err(IgnoreError::TooManyRules);
            }
            rules.push(Rule { text: cleaned, pattern: compiled, exception });
        }
        Ok(Ignore { rules })
    }

    /// Whether a path (relative, `/`-separated) is excluded.
    pub fn excluded(&self, path: &str) -> bool {
        self.excluded_counting(path, &mut 0)
    }

    /// [`Ignore::excluded`], adding the matching work done to `steps`.
    pub fn excluded_counting(&self, path: &str, steps: &mut u64) -> bool {
        let mut excluded = false;
        for rule in &self.rules {
            // As Docker: an exception can only re-include, a pattern only exclude.
            if rule.exception != excluded {
                continue;
            }
            let outcome = rule.pattern.run(path, steps);
            if outcome.itself || outcome.parent {
                excluded = !rule.exception;
            }
        }
        excluded
    }

    /// Whether an excluded directory must still be walked because an exception names
    /// something under it. Docker's own rule: some exception's text starts with `dir/`
    /// (so `!**/keep` does not reach into an excluded directory, while `!dir/keep` does).
    pub fn may_reinclude_under(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.rules.iter().any(|rule| rule.exception && format!("{}/", rule.text).starts_with(&prefix))
    }

    /// Makes sure `path` is sent even when a rule excludes it (the Docker CLI appends
    /// `!Dockerfile` and `!.dockerignore` the same way).
    pub fn keep(&mut self, path: &str) {
        if self.excluded(path) {
            let text = clean(path);
            if let Ok(pattern) = Pattern::compile(&escape(&text)) {
                self.rules.push(Rule { text, pattern, exception: true });
            }
        }
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// A path as a pattern that matches only itself.
fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | '\\' | '^') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Go's `filepath.Clean` for `/`-separated paths: repeated slashes collapse, `.` goes, `..`
/// removes the element before it (and is dropped at the root), no trailing slash; empty is `.`.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_ignore_semantics() {
        let ignore = Ignore::parse(
            "# comment\nnode_modules\n*.md\n!README.md\n**/*.pyc\n/build/\ntemp?\n[a-c]x\n.env*\n!.env.example\n",
        )
        .unwrap();
        let cases = [
            ("node_modules", true),
            ("node_modules/react/index.js", true),
            ("src/node_modules", false),
            ("CHANGELOG.md", true),
            ("README.md", false),
            ("docs/guide.md", false),
            ("app/x/y.pyc", true),
            ("y.pyc", true),
            ("build/out.js", true),
            ("temp1", true),
            ("temp12", false),
            ("bx", true),
            ("dx", false),
            (".env", true),
            (".env.local", true),
            (".env.example", false),
            ("main.py", false),
        ];
        for (path, want) in cases {
            assert_eq!(ignore.excluded(path), want, "{path}");
        }
    }

    #[test]
    fn parsing_follows_docker_read_all() {
        let ignore = Ignore::parse("\u{feff}a\r\n  # not a comment\n./b/../c/\n!  d\n/\n").unwrap();
        let texts: Vec<(&str, bool)> = ignore.rules.iter().map(|r| (r.text.as_str(), r.exception)).collect();
        assert_eq!(texts, vec![("a", false), ("# not a comment", false), ("c", false), ("d", true), ("/", false)]);
        assert!(matches!(Ignore::parse("ok\n!\n"), Err(IgnoreError::BadPattern { line: 2, .. })));
        assert!(matches!(Ignore::parse("[z-a]\n"), Err(IgnoreError::BadPattern { line: 1, .. })));
        assert_eq!(Ignore::parse(&"x\n".repeat(MAX_RULES + 1)).unwrap_err(), IgnoreError::TooManyRules);
        assert!(Ignore::parse(&"a".repeat(MAX_PATTERN_CHARS + 1)).is_err());
    }

    #[test]
    fn excluded_directories_are_walked_only_for_exceptions_under_them() {
        let ignore = Ignore::parse("node_modules\n!node_modules/keep.js\nvendor\n!**/*.go\n").unwrap();
        assert!(ignore.may_reinclude_under("node_modules"));
        assert!(!ignore.may_reinclude_under("vendor"), "Docker does not walk into it for `!**/*.go`");
        assert!(!ignore.excluded("node_modules/keep.js"));
        assert!(ignore.excluded("node_modules/other.js"));
    }

    #[test]
    fn kept_paths_are_re_included() {
        let mut ignore = Ignore::parse("Dockerfile*\n.dockerignore\ndocker\n").unwrap();
        for path in ["Dockerfile", ".dockerignore", "docker/Dockerfile.prod"] {
            ignore.keep(path);
            assert!(!ignore.excluded(path), "{path}");
        }
        assert!(ignore.may_reinclude_under("docker"));
        assert!(ignore.excluded("Dockerfile.dev"));
    }

    #[test]
    fn clean_is_go_filepath_clean() {
        for (path, want) in [
            ("", "."),
            ("./a/", "a"),
            ("a//b", "a/b"),
            ("a/../../b", "../b"),
            ("/../a", "/a"),
            ("/", "/"),
            ("a/./b/..", "a"),
        ] {
            assert_eq!(clean(path), want, "{path}");
        }
    }

    mod properties {
        //! The matcher against a reference: Docker's own translation of a pattern into a
        //! regular expression (moby/patternmatcher), run by the `regex` crate, with Docker's
        //! parent-directory and exception rules on top.

        use proptest::prelude::*;

        use super::super::{Ignore, clean};

        /// moby/patternmatcher's `Pattern.compile`, ported line by line.
        fn docker_regex(pattern: &str) -> regex::Regex {
            let chars: Vec<char> = pattern.chars().collect();
            let mut expression = String::from("^");
            let mut index = 0;
            while index < chars.len() {
                let c = chars[index];
                index += 1;
                if c == '*' {
                    if chars.get(index) == Some(&'*') {
                        index += 1;
                        if chars.get(index) == Some(&'/') {
                            index += 1;
                        }
                        expression.push_str(if index == chars.len() { ".*" } else { "(.*/)?" });
                    } else {
                        expression.push_str("[^/]*");
                    }
                } else if c == '?' {
                    expression.push_str("[^/]");
                } else if ".+()|{}$".contains(c) {
                    expression.push('\\');
                    expression.push(c);
                } else if c == '\\' {
                    expression.push('\\');
                    if let Some(next) = chars.get(index) {
                        expression.push(*next);
                        index += 1;
                    }
                } else {
                    expression.push(c);
                }
            }
            expression.push('$');
            regex::Regex::new(&expression).unwrap()
        }

        /// moby/patternmatcher's `MatchesOrParentMatches`.
        fn reference(rules: &[(String, bool)], path: &str) -> bool {
            let parents: Vec<String> = {
                let parts: Vec<&str> = path.split('/').collect();
                (1..parts.len()).map(|length| parts[..length].join("/")).collect()
            };
            let mut matched = false;
            for (pattern, exception) in rules {
                if *exception != matched {
                    continue;
                }
                let regex = docker_regex(&clean_pattern(pattern));
                if regex.is_match(path) || parents.iter().any(|parent| regex.is_match(parent)) {
                    matched = !exception;
                }
            }
            matched
        }

        fn clean_pattern(pattern: &str) -> String {
            let mut cleaned = clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            cleaned
        }

        fn pattern() -> impl Strategy<Value = String> {
            let token = prop::sample::select(vec![
                "a", "b", ".", "x", "/", "*", "**", "?", "[ab]", "[^a]", "[a-b]", "\\*", "^", "**/",
            ]);
            prop::collection::vec(token, 1..8).prop_map(|tokens| tokens.concat())
        }

        fn path() -> impl Strategy<Value = String> {
            let segment = prop::collection::vec(prop::sample::select(vec!['a', 'b', '.', 'x', '*']), 1..6)
                .prop_map(|chars| chars.into_iter().collect::<String>());
            prop::collection::vec(segment, 1..5).prop_map(|segments| segments.join("/"))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn agrees_with_dockers_regular_expressions(
                rules in prop::collection::vec((pattern(), prop::bool::weighted(0.3)), 1..5),
                paths in prop::collection::vec(path(), 1..8),
            ) {
                let text: String = rules
                    .iter()
                    .map(|(pattern, exception)| format!("{}{pattern}\n", if *exception { "!" } else { "" }))
                    .collect();
                let ignore = Ignore::parse(&text).unwrap();
                for path in &paths {
                    prop_assert_eq!(ignore.excluded(path), reference(&rules, path), "rules {:?} path {}", rules, path);
                }
            }

            #[test]
            fn matching_costs_at_most_linear_steps(pattern in pattern(), length in 1usize..3000) {
                let compiled = super::super::Pattern::compile(&clean_pattern(&pattern)).unwrap();
                let path: String = "ab/".chars().cycle().take(length).collect();
                let mut steps = 0;
                compiled.run(&path, &mut steps);
                let bound = (length as u64 + 1) * 2 * compiled.len() as u64;
                prop_assert!(steps <= bound, "{} steps > {} for {:?}", steps, bound, pattern);
            }
        }
    }
}
