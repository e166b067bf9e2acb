//! The app's Secret for `up`: DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY from the
//! environment or a `.env` file (never shown, never on a command line), and where each came
//! from, for the step line.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::CliError;

/// The Secret's variables: (environment name, chart value, required).
const SECRET_VARIABLES: [(&str, &str, bool); 3] = [
    ("DATABASE_URL", "secrets.databaseUrl", true),
    ("BETTER_AUTH_SECRET", "secrets.betterAuthSecret", true),
    ("OPENAI_API_KEY", "secrets.openaiApiKey", false),
];

/// The Secret's values (chart keys → values) and where each came from (env name → source).
#[allow(clippy::type_complexity)]
pub(super) fn read_secrets(
    env_file: &Path,
    explicit: bool,
) -> Result<(BTreeMap<String, String>, Vec<(&'static str, &'static str)>), CliError> {
    let file = match read_env_file(env_file, explicit) {
        Ok(Some(text)) => parse_env_file(&text),
        Ok(None) => BTreeMap::new(),
        Err(error) => return Err(error),
    };
    let mut values = BTreeMap::new();
    let mut sources = Vec::new();
    let mut missing = Vec::new();
    for (name, key, required) in SECRET_VARIABLES {
        let from_env = std::env::var(name).ok().filter(|v| !v.is_empty());
        match (from_env, file.get(name).filter(|v| !v.is_empty())) {
            (Some(value), _) => {
                values.insert(key.to_string(), value);
                sources.push((name, "environment"));
            }
            (None, Some(value)) => {
                values.insert(key.to_string(), value.clone());
                sources.push((name, ".env"));
            }
            (None, None) if required => missing.push(name),
            (None, None) => eprintln!("note: {name} is not set: the chatbot cannot answer without it"),
        }
    }
    if !missing.is_empty() {
        return Err(CliError::refused(format!("missing {} for the app's Secret", missing.join(", "))).hint(format!(
            "export them or put `NAME=value` lines in `{}` (never committed); values are never shown or put on a command line",
            env_file.display()
        )));
    }
    Ok((values, sources))
}

/// The largest `.env` read: a few secrets, never a stream.
const MAX_ENV_FILE_BYTES: u64 = 64 * 1024;

/// The `.env` text: a regular file of at most [`MAX_ENV_FILE_BYTES`], opened without blocking
/// (a FIFO or a device planted as `.env` would hang or flood the read). The default `.env` of
/// the working tree must not be a link (it could point anywhere); one named with `--env-file`
/// may be. `None` when the default is absent.
fn read_env_file(env_file: &Path, explicit: bool) -> Result<Option<String>, CliError> {
    use crate::bounded::{Error, Links};

    let shown = crate::sanitize::one_line(&env_file.display().to_string());
    let hint = "give a regular file of `NAME=value` lines with `--env-file FILE`, or export the variables";
    let links = if explicit { Links::Follow } else { Links::Refuse };
    match crate::bounded::read(env_file, links, MAX_ENV_FILE_BYTES) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(Error::Missing) if !explicit => Ok(None),
        Err(Error::Link) => {
            Err(CliError::refused(format!("`{shown}` is a symlink; todo-ai does not follow it")).hint(hint))
        }
        Err(Error::NotRegular) => Err(CliError::refused(format!("`{shown}` is not a regular file")).hint(hint)),
        Err(Error::TooLarge(limit)) => {
            Err(CliError::refused(format!("`{shown}` is larger than {limit} bytes")).hint(hint))
        }
        Err(error) => Err(CliError::refused(format!("cannot read `{shown}`: {error}")).hint(hint)),
    }
}

/// `KEY=value` lines, `export KEY=value`, quotes stripped, `#` comments skipped.
pub(super) fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, value) = line.split_once('=')?;
            let value = value.trim();
            let unquoted = ['"', '\'']
                .iter()
                .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
                .unwrap_or(value);
            Some((key.trim().to_string(), unquoted.to_string()))
        })
        .collect()
}

pub(super) fn describe_sources(sources: &[(&str, &str)]) -> String {
    let from = |place: &str| sources.iter().filter(|(_, s)| *s == place).map(|(n, _)| *n).collect::<Vec<_>>();
    let mut parts = Vec::new();
    if !from("environment").is_empty() {
        parts.push("from the environment".to_string());
    }
    if !from(".env").is_empty() {
        parts.push("from .env".to_string());
    }
    parts.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files() {
        let parsed = parse_env_file(
            "# comment\nexport DATABASE_URL=\"postgresql://u:p@db/todo\"\nOPENAI_API_KEY='sk-x'\nEMPTY=\n",
        );
        assert_eq!(parsed["DATABASE_URL"], "postgresql://u:p@db/todo");
        assert_eq!(parsed["OPENAI_API_KEY"], "sk-x");
        assert_eq!(parsed["EMPTY"], "");
    }
}
