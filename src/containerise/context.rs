//! The build context: which files a build sends, following `.dockerignore` exactly as the
//! Docker CLI does — Go `filepath.Match` globs per path segment (`*`, `?`, `[a-z]`, `\`
//! escapes), `**` for any number of directories, a pattern also matching everything under a
//! matching directory, `!` exceptions, last match wins; the Dockerfile and `.dockerignore`
//! are always sent. Ignored directories are not even opened when no exception could
//! re-include something inside them, so a large ignored `node_modules` costs nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

/// One `.dockerignore` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    segments: Vec<String>,
    exception: bool,
}

/// Parsed `.dockerignore` rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ignore {
    rules: Vec<Rule>,
}

impl Ignore {
    /// Parses `.dockerignore` text (comments and blank lines skipped).
    pub fn parse(text: &str) -> Ignore {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let (exception, pattern) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let segments: Vec<String> = pattern
                    .trim_start_matches("./")
                    .trim_start_matches('/')
                    .trim_end_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty() && *s != ".")
                    .map(str::to_string)
                    .collect();
                (!segments.is_empty()).then_some(Rule { segments, exception })
            })
            .collect();
        Ignore { rules }
    }

    /// Reads `dir/.dockerignore` (none means nothing is ignored).
    pub fn load(dir: &Path) -> Ignore {
        std::fs::read_to_string(dir.join(".dockerignore")).map(|text| Ignore::parse(&text)).unwrap_or_default()
    }

    /// Whether a path (relative, `/`-separated) is excluded: the last matching rule decides.
    pub fn excluded(&self, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut excluded = false;
        for rule in &self.rules {
            // A rule matches the path itself or any directory above it.
            let hit = (1..=segments.len()).any(|length| matches_segments(&rule.segments, &segments[..length]));
            if hit {
                excluded = !rule.exception;
            }
        }
        excluded
    }

    /// Whether some exception rule could re-include a path under `dir`.
    fn may_reinclude_under(&self, dir: &str) -> bool {
        let depth = dir.split('/').filter(|s| !s.is_empty()).count();
        self.rules.iter().any(|rule| {
            rule.exception
                && (rule.segments.iter().any(|s| s == "**") || rule.segments.len() > depth || {
                    let segments: Vec<&str> = dir.split('/').collect();
                    matches_segments(&rule.segments, &segments)
                })
        })
    }
}

fn matches_segments(pattern: &[String], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(first), _) if first == "**" => {
            // `**` swallows zero or more segments.
            (0..=path.len()).any(|skip| matches_segments(&pattern[1..], &path[skip..]))
        }
        (Some(first), Some(segment)) => {
            glob(first.as_bytes(), segment.as_bytes()) && matches_segments(&pattern[1..], &path[1..])
        }
        _ => false,
    }
}

/// Go `filepath.Match` for one segment: `*`, `?`, `[…]` (with `^`/`!` negation and ranges)
/// and `\` escapes.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some(b'*') => (0..=text.len()).any(|skip| glob(&pattern[1..], &text[skip..])),
        Some(b'?') => !text.is_empty() && glob(&pattern[1..], &text[1..]),
        Some(b'[') => {
            let Some(&c) = text.first() else { return false };
            let mut index = 1;
            let negate = matches!(pattern.get(1), Some(b'^' | b'!'));
            if negate {
                index += 1;
            }
            let mut matched = false;
            let mut first = true;
            while let Some(&p) = pattern.get(index) {
                if p == b']' && !first {
                    break;
                }
                first = false;
                let low = if p == b'\\' {
                    index += 1;
                    pattern.get(index).copied().unwrap_or(p)
                } else {
                    p
                };
                if pattern.get(index + 1) == Some(&b'-') && pattern.get(index + 2).is_some_and(|h| *h != b']') {
                    let high = pattern[index + 2];
                    matched |= (low..=high).contains(&c);
                    index += 3;
                } else {
                    matched |= low == c;
                    index += 1;
                }
            }
            if pattern.get(index) != Some(&b']') {
                return false;
            }
            matched != negate && glob(&pattern[index + 1..], &text[1..])
        }
        Some(b'\\') if pattern.len() > 1 => text.first() == Some(&pattern[1]) && glob(&pattern[2..], &text[1..]),
        Some(&p) => text.first() == Some(&p) && glob(&pattern[1..], &text[1..]),
    }
}

/// The files a build of `dir` sends (relative `/` paths, sorted), and how many entries were
/// skipped without being read.
pub fn files(dir: &Path, dockerfile: &str) -> std::io::Result<(Vec<String>, usize)> {
    let ignore = Ignore::load(dir);
    let mut included = Vec::new();
    let mut skipped = 0;
    let mut pending: Vec<(PathBuf, String)> = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, relative)) = pending.pop() {
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            let child = if relative.is_empty() { name.clone() } else { format!("{relative}/{name}") };
            let kind = entry.file_type()?;
            let always = child == dockerfile || child == ".dockerignore";
            if kind.is_dir() {
                if ignore.excluded(&child) && !ignore.may_reinclude_under(&child) {
                    skipped += 1;
                    continue;
                }
                pending.push((entry.path(), child));
            } else if always || !ignore.excluded(&child) {
                included.push(child);
            } else {
                skipped += 1;
            }
        }
    }
    included.sort();
    Ok((included, skipped))
}

/// Writes the build context of `dir` as a tar archive (only the files [`files`] lists).
pub fn tar(dir: &Path, dockerfile: &str, out: impl Write) -> std::io::Result<usize> {
    let (files, _) = files(dir, dockerfile)?;
    let mut builder = tar::Builder::new(out);
    builder.mode(tar::HeaderMode::Deterministic);
    for file in &files {
        builder.append_path_with_name(dir.join(file), file)?;
    }
    builder.finish()?;
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_ignore_semantics() {
        let ignore = Ignore::parse(
            "# comment\nnode_modules\n*.md\n!README.md\n**/*.pyc\n/build/\ntemp?\n[a-c]x\n.env*\n!.env.example\n",
        );
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
    fn ignored_directories_are_not_opened_and_the_dockerfile_always_goes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
        for file in ["node_modules/a.js", "node_modules/b.js", "node_modules/pkg/index.js"] {
            std::fs::write(root.join(file), "x").unwrap();
        }
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/app.js"), "x").unwrap();
        std::fs::write(root.join("Dockerfile"), "FROM scratch").unwrap();
        std::fs::write(root.join(".dockerignore"), "node_modules\nDockerfile\n.dockerignore\n").unwrap();
        let (files, skipped) = files(root, "Dockerfile").unwrap();
        assert_eq!(files, vec![".dockerignore", "Dockerfile", "src/app.js"]);
        // One entry skipped: node_modules as a whole. Walking into it would have skipped 3.
        assert_eq!(skipped, 1);
        let mut archive = Vec::new();
        assert_eq!(tar(root, "Dockerfile", &mut archive).unwrap(), 3);
        let mut reader = ::tar::Archive::new(archive.as_slice());
        let names: Vec<String> =
            reader.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        assert_eq!(names, vec![".dockerignore", "Dockerfile", "src/app.js"]);
    }
}
