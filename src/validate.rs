//! Argument rules a JSON Schema cannot express: Kubernetes name syntax (RFC 1123), replica
//! and autoscaler bounds, image references, Helm keys and paths that must stay inside the
//! working tree. Pure functions, so planners, the CLI and models all meet the same rules.

use std::path::{Component, Path, PathBuf};

/// Bounds that settings can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most replicas `scale` and `autoscale` will set (`--max-replicas`).
    pub max_replicas: i64,
    /// The most CPU, in millicores, `set_resources` will set for one container.
    pub max_cpu_milli: i128,
    /// The most memory, in millibytes, `set_resources` will set for one container.
    pub max_memory_milli: i128,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_replicas: DEFAULT_MAX_REPLICAS,
            max_cpu_milli: DEFAULT_MAX_CPU_MILLI,
            max_memory_milli: DEFAULT_MAX_MEMORY_MILLI,
        }
    }
}

/// The default CPU ceiling of one container: 8 cores.
pub const DEFAULT_MAX_CPU_MILLI: i128 = 8_000;

/// The default memory ceiling of one container: 16 GiB.
pub const DEFAULT_MAX_MEMORY_MILLI: i128 = 16 * (1 << 30) * 1_000;

/// The default replica ceiling.
pub const DEFAULT_MAX_REPLICAS: i64 = 100;

/// Checks a resource quantity (`cpu` or `memory`) against its grammar and ceiling; returns it.
pub fn quantity(
    field: &'static str,
    value: &str,
    ceiling_milli: i128,
) -> Result<crate::quantity::Quantity, ValidationError> {
    let quantity = crate::quantity::Quantity::parse(value)
        .map_err(|error| ValidationError::Conflict(format!("{field}: {error}")))?;
    if quantity.milli > ceiling_milli {
        let ceiling = crate::quantity::Quantity { milli: ceiling_milli, format: quantity.format };
        return Err(ValidationError::Conflict(format!(
            "{field} {value} is above the ceiling of {ceiling} (raise it with `TODO_AI_MAX_CPU` / `TODO_AI_MAX_MEMORY` or the config's `max_cpu` / `max_memory`)"
        )));
    }
    Ok(quantity)
}

/// The most log lines one `logs` call returns.
pub const MAX_TAIL_LINES: i64 = 5_000;

/// A broken argument rule, phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A Kubernetes object or namespace name breaks RFC 1123.
    #[error("{field} `{value}` is not a valid Kubernetes name: {reason}")]
    Name {
        /// The argument.
        field: &'static str,
        /// What was given.
        value: String,
        /// The broken rule.
        reason: &'static str,
    },
    /// A number is outside its range.
    #[error("{field} must be between {min} and {max} (got {value}){hint}")]
    Range {
        /// The argument.
        field: &'static str,
        /// What was given.
        value: i64,
        /// Lowest allowed.
        min: i64,
        /// Highest allowed.
        max: i64,
        /// Extra advice, starting with "; " when present.
        hint: &'static str,
    },
    /// Two arguments contradict each other.
    #[error("{0}")]
    Conflict(String),
    /// An image reference does not parse.
    #[error("image `{value}` is not a valid image reference: {reason}")]
    Image {
        /// What was given.
        value: String,
        /// The broken rule.
        reason: &'static str,
    },
    /// A Dockerfile stage or build-arg name breaks its syntax.
    #[error("{field} `{value}` is not valid: {reason}")]
    Syntax {
        /// The argument.
        field: &'static str,
        /// What was given.
        value: String,
        /// The rule.
        reason: &'static str,
    },
    /// A build argument would put a secret into the image history.
    #[error(
        "build arg `{0}` looks like a secret: build args stay readable in the image history (`docker history`); give secrets to the running container instead (the chart's Secret)"
    )]
    SecretBuildArg(String),
    /// A path leaves the working tree.
    #[error("path `{value}` is outside the working tree `{workdir}`")]
    PathOutside {
        /// What was given.
        value: String,
        /// The working tree.
        workdir: String,
    },
    /// A Helm `--set` key has characters Helm would misread.
    #[error("helm key `{0}` is not valid: use dotted keys like `backend.replicaCount`")]
    HelmKey(String),
    /// A Helm release name breaks Helm's rules.
    #[error("release `{value}` is not a valid Helm release name: {reason}")]
    Release {
        /// What was given.
        value: String,
        /// The broken rule.
        reason: &'static str,
    },
}

/// Checks an RFC 1123 DNS subdomain (Deployment, Pod and most object names).
pub fn object_name(field: &'static str, value: &str) -> Result<(), ValidationError> {
    let error = |reason| ValidationError::Name { field, value: value.to_string(), reason };
    if value.is_empty() {
        return Err(error("it is empty"));
    }
    if value.len() > 253 {
        return Err(error("it is longer than 253 characters"));
    }
    for label in value.split('.') {
        label_rules(label).map_err(error)?;
    }
    Ok(())
}

/// Checks an RFC 1123 label (namespaces, Service names).
pub fn label_name(field: &'static str, value: &str) -> Result<(), ValidationError> {
    let error = |reason| ValidationError::Name { field, value: value.to_string(), reason };
    if value.len() > 63 {
        return Err(error("it is longer than 63 characters"));
    }
    label_rules(value).map_err(error)
}

fn label_rules(label: &str) -> Result<(), &'static str> {
    let bytes = label.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return Err("it has an empty part");
    };
    if !bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-') {
        return Err("use only lowercase letters, digits and `-`");
    }
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Err("it must start and end with a letter or digit");
    }
    Ok(())
}

/// Checks an optional namespace.
pub fn namespace(value: Option<&str>) -> Result<(), ValidationError> {
    value.map_or(Ok(()), |value| label_name("namespace", value))
}

/// Checks a target as the read tools take it: a name or name fragment, `kind/name`, or a
/// label selector such as `app=backend` or `app.kubernetes.io/name=backend`.
pub fn target(value: &str) -> Result<(), ValidationError> {
    if value.contains('=') {
        return label_selector(value);
    }
    let name = match value.split_once('/') {
        Some((kind, name))
            if kind.starts_with(|c: char| c.is_ascii_alphabetic())
                && kind.chars().all(|c| c.is_ascii_alphabetic() || c == '.') =>
        {
            name
        }
        Some(_) => {
            return Err(ValidationError::Name {
                field: "target",
                value: value.to_string(),
                reason: "write it as `name`, `kind/name` or a label selector like `app=backend`",
            });
        }
        None => value,
    };
    object_name("target", name)
}

fn label_selector(value: &str) -> Result<(), ValidationError> {
    let valid_part = |part: &str| {
        !part.is_empty()
            && part.len() <= 253
            && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    let ok = value.split(',').all(|requirement| {
        let requirement = requirement.trim();
        let (key, val) = requirement
            .split_once("!=")
            .or_else(|| requirement.split_once("=="))
            .or_else(|| requirement.split_once('='))
            .unwrap_or((requirement, ""));
        valid_part(key) && (val.is_empty() || valid_part(val))
    });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::Name {
            field: "target",
            value: value.to_string(),
            reason: "a label selector is `key=value` pairs separated by commas",
        })
    }
}

/// Checks a replica count against the limits.
pub fn replicas(field: &'static str, value: i64, min: i64, limits: &Limits) -> Result<(), ValidationError> {
    if value < min || value > limits.max_replicas {
        return Err(ValidationError::Range {
            field,
            value,
            min,
            max: limits.max_replicas,
            hint: if value > limits.max_replicas { "; raise the ceiling with `--max-replicas`" } else { "" },
        });
    }
    Ok(())
}

/// Checks a number against a fixed range.
pub fn range(field: &'static str, value: i64, min: i64, max: i64) -> Result<(), ValidationError> {
    if (min..=max).contains(&value) { Ok(()) } else { Err(ValidationError::Range { field, value, min, max, hint: "" }) }
}

/// Checks a container image reference (`[registry[:port]/]path[:tag][@digest]`) with the
/// Checks an image tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (the Docker distribution grammar).
pub fn image_tag(value: &str) -> Result<(), ValidationError> {
    let valid = !value.is_empty()
        && value.len() <= 128
        && value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(ValidationError::Syntax {
            field: "tag",
            value: value.chars().take(140).collect(),
            reason: "a tag is up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`",
        })
    }
}

/// grammar of the distribution reference library that Docker and Kubernetes use.
pub fn image(value: &str) -> Result<(), ValidationError> {
    let error = |reason| ValidationError::Image { value: value.to_string(), reason };
    if value.is_empty() {
        return Err(error("it is empty"));
    }
    if value.len() > 255 + 128 + 72 {
        return Err(error("it is too long"));
    }
    if value.chars().any(char::is_control) {
        return Err(error("it contains control characters"));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(error("it contains spaces"));
    }
    let (name_and_tag, digest) = match value.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (value, None),
    };
    if let Some(digest) = digest {
        let Some((algorithm, hex)) = digest.split_once(':') else {
            return Err(error("a digest is `algorithm:hex`, e.g. `sha256:…`"));
        };
        let algorithm_ok = !algorithm.is_empty()
            && algorithm
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '_' | '-'));
        if !algorithm_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(error("the digest is malformed"));
        }
    }
    // A tag follows the last `:` only if no `/` comes after it (else it is a registry port).
    let (name, tag) = match name_and_tag.rfind(':') {
        Some(index) if !name_and_tag[index..].contains('/') => {
            (&name_and_tag[..index], Some(&name_and_tag[index + 1..]))
        }
        _ => (name_and_tag, None),
    };
    if let Some(tag) = tag {
        let mut chars = tag.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok
            || tag.len() > 128
            || !tag.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Err(error("the tag may hold letters, digits, `_`, `.` and `-` (at most 128)"));
        }
    }
    let mut components: Vec<&str> = name.split('/').collect();
    if components.len() > 1 {
        let first = components[0];
        let looks_like_registry = first.contains('.') || first.contains(':') || first == "localhost";
        if looks_like_registry {
            let (host, port) = first.split_once(':').unwrap_or((first, ""));
            let host_ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
            let port_ok =
                port.is_empty() && !first.contains(':') || !port.is_empty() && port.chars().all(|c| c.is_ascii_digit());
            if !host_ok || !port_ok {
                return Err(error("the registry host is malformed"));
            }
            components.remove(0);
        }
    }
    for component in components {
        if !path_component_ok(component) {
            return Err(error(
                "repository names use lowercase letters, digits and single `.`, `_`, `__` or `-` separators",
            ));
        }
    }
    Ok(())
}

fn path_component_ok(component: &str) -> bool {
    let bytes = component.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(first) || !alnum(last) {
        return false;
    }
    // Separators: `.`, `_`, `__`, or one or more `-`, always between alphanumerics.
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if alnum(&byte) {
            index += 1;
            continue;
        }
        let start = index;
        while index < bytes.len() && !alnum(&bytes[index]) {
            index += 1;
        }
        let separator = &component[start..index];
        let ok = separator == "." || separator == "_" || separator == "__" || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// Parses a duration like `30s`, `10m`, `2h`, `1d` or `1h30m` into seconds.
pub fn duration(field: &'static str, value: &str) -> Result<i64, ValidationError> {
    let error = || ValidationError::Conflict(format!("{field} `{value}` is not a duration like 30s, 10m, 2h or 1h30m"));
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in value.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => return Err(error()),
        };
        let amount: i64 = digits.parse().map_err(|_| error())?;
        total = total.checked_add(amount.checked_mul(unit).ok_or_else(error)?).ok_or_else(error)?;
        digits.clear();
    }
    if !digits.is_empty() || total == 0 {
        return Err(error());
    }
    Ok(total)
}

/// Checks a Helm release name (an RFC 1123 label of at most 53 characters).
pub fn release(value: &str) -> Result<(), ValidationError> {
    if value.len() > 53 {
        return Err(ValidationError::Release { value: value.to_string(), reason: "it is longer than 53 characters" });
    }
    label_rules(value).map_err(|reason| ValidationError::Release { value: value.to_string(), reason })
}

/// Checks a Dockerfile stage name (`FROM … AS name`): a letter, then letters, digits, `_`, `.`, `-`.
pub fn stage_name(value: &str) -> Result<(), ValidationError> {
    let mut chars = value.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && value.len() <= 128;
    if ok {
        Ok(())
    } else {
        Err(ValidationError::Syntax {
            field: "target",
            value: value.to_string(),
            reason: "a stage name starts with a letter and has only letters, digits, `_`, `.` and `-`",
        })
    }
}

/// Checks a build-arg name (`[A-Za-z_][A-Za-z0-9_]*`) and refuses secret-looking ones.
pub fn build_arg(name: &str) -> Result<(), ValidationError> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(ValidationError::Syntax {
            field: "build arg",
            value: name.to_string(),
            reason: "a build-arg name has only letters, digits and `_`, and does not start with a digit",
        });
    }
    if crate::redact::is_secret_key(name) {
        return Err(ValidationError::SecretBuildArg(name.to_string()));
    }
    Ok(())
}

/// Checks a Helm `--set` key: dotted names with optional list indexes.
pub fn helm_key(key: &str) -> Result<(), ValidationError> {
    let ok = !key.is_empty()
        && !key.starts_with('.')
        && !key.ends_with('.')
        && !key.contains("..")
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']'));
    if ok { Ok(()) } else { Err(ValidationError::HelmKey(key.to_string())) }
}

/// Resolves a path argument against the working tree and refuses anything that leaves it,
/// lexically (`..`, absolute paths elsewhere) and, when it exists, through symlinks.
pub fn path_inside(value: &str, workdir: &Path) -> Result<PathBuf, ValidationError> {
    let outside = || ValidationError::PathOutside { value: value.to_string(), workdir: workdir.display().to_string() };
    let candidate = Path::new(value);
    let joined = if candidate.is_absolute() { candidate.to_path_buf() } else { workdir.join(candidate) };
    let normalised = normalise(&joined).ok_or_else(outside)?;
    let root = normalise(workdir).ok_or_else(outside)?;
    if !normalised.starts_with(&root) {
        return Err(outside());
    }
    // A symlink inside the tree may still point out of it.
    if let (Ok(real), Ok(real_root)) = (normalised.canonicalize(), root.canonicalize())
        && !real.starts_with(&real_root)
    {
        return Err(outside());
    }
    Ok(normalised)
}

/// Lexical normalisation: drops `.`, resolves `..`; `None` if `..` climbs above the root.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => out.push(prefix.as_os_str()),
            Component::RootDir => out.push(Component::RootDir.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(part) => out.push(part),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_follow_rfc_1123() {
        for good in ["todo-backend", "a", "web-1", "my.app", "x0"] {
            assert!(object_name("deployment", good).is_ok(), "{good}");
        }
        for bad in ["", "Todo", "-x", "x-", "a_b", "a..b", "über", &"a".repeat(254)] {
            assert!(object_name("deployment", bad).is_err(), "{bad}");
        }
        assert!(label_name("namespace", "my.ns").is_err());
        assert!(label_name("namespace", &"a".repeat(64)).is_err());
    }

    #[test]
    fn targets_accept_kinds_and_selectors() {
        for good in
            ["backend", "deploy/todo-backend", "pod/web-0", "app=backend", "app.kubernetes.io/name=backend,tier!=db"]
        {
            assert!(target(good).is_ok(), "{good}");
        }
        for bad in ["../etc", "a/b/c", "Backend", "app=x y", "=x"] {
            assert!(target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn replicas_respect_limits() {
        let limits = Limits::default();
        assert!(replicas("replicas", 0, 0, &limits).is_ok());
        assert!(replicas("replicas", 100, 0, &limits).is_ok());
        let error = replicas("replicas", 101, 0, &limits).unwrap_err().to_string();
        assert_eq!(error, "replicas must be between 0 and 100 (got 101); raise the ceiling with `--max-replicas`");
        assert_eq!(
            replicas("replicas", -2, 0, &limits).unwrap_err().to_string(),
            "replicas must be between 0 and 100 (got -2)"
        );
        assert!(replicas("replicas", 150, 0, &Limits { max_replicas: 200, ..Limits::default() }).is_ok());
    }

    #[test]
    fn image_references() {
        for good in [
            "nginx",
            "todo-backend:1.0.1",
            "ghcr.io/acme/todo-frontend:v3",
            "localhost:5000/x/y:latest",
            "registry.example.com:443/team/app",
            "my_app__x.y-z:TAG_1.2",
            "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(image(good).is_ok(), "{good}");
        }
        for bad in ["", "Todo:1", "a b", "x:", "x:-tag", "-x", "x//y", "a:b:c", "host:port/x", "x@md5", "x___y"] {
            assert!(image(bad).is_err(), "{bad}");
        }
        // The reason names what is wrong (a pasted escape sequence is not a space).
        let reason = |value: &str| image(value).unwrap_err().to_string();
        assert!(reason("api:\u{1b}[31mred").contains("control characters"), "{}", reason("api:\u{1b}[31mred"));
        assert!(reason("api: 1").contains("spaces"), "{}", reason("api: 1"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration("since", "30s"), Ok(30));
        assert_eq!(duration("since", "1h30m"), Ok(5_400));
        assert_eq!(duration("since", "2d"), Ok(172_800));
        for bad in ["", "10", "m", "5x", "0s", "99999999999999999999h"] {
            assert!(duration("since", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn helm_rules() {
        assert!(release("todo-app").is_ok());
        assert!(release(&"a".repeat(54)).is_err());
        assert!(helm_key("backend.replicaCount").is_ok());
        assert!(helm_key("ingress.tls[0].hosts[0]").is_ok());
        for bad in ["", ".x", "x.", "a..b", "a b", "a=b", "a,b"] {
            assert!(helm_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_stay_in_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(path_inside("backend", root).unwrap(), root.join("backend"));
        assert_eq!(path_inside("./web/", root).unwrap(), root.join("web"));
        assert_eq!(path_inside(".", root).unwrap(), root.to_path_buf());
        assert!(path_inside("../elsewhere", root).is_err());
        assert!(path_inside("a/../../b", root).is_err());
        assert!(path_inside("/etc", root).is_err());
        assert!(path_inside(&root.join("x").display().to_string(), root).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_tree_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        assert!(path_inside("link", dir.path()).is_err());
    }
}
