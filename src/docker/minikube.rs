//! Building for minikube: where its nodes can see an image. With the Docker runtime, build on
//! minikube's own daemon (`minikube docker-env`); with containerd or CRI-O, build on the local
//! daemon and `minikube image load` the result. Either way `imagePullPolicy: IfNotPresent`
//! or `Never` then finds the image.

use super::{DockerError, Endpoint};
use crate::exec::{self, ExecError};

/// Where a minikube build goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Build on minikube's Docker daemon.
    Daemon(Endpoint),
    /// Build on the local daemon, then load the image into minikube.
    LoadAfterBuild,
}

/// Asks minikube where to build (`minikube docker-env --shell none`).
pub async fn placement() -> Result<Placement, DockerError> {
    let output = exec::output("minikube", ["docker-env", "--shell", "none"]).await.map_err(not_installed)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.success() {
        return parse_docker_env(&stdout).map(Placement::Daemon).ok_or_else(|| DockerError::Minikube {
            message: "`minikube docker-env` printed no DOCKER_HOST".into(),
            hint: "check `minikube status`; `minikube docker-env` should print the daemon's address".into(),
        });
    }
    let text = format!("{}\n{stdout}", String::from_utf8_lossy(&output.stderr)).to_lowercase();
    if text.contains("runtime")
        && (text.contains("docker-env") || text.contains("containerd") || text.contains("cri-o"))
    {
        // Not the Docker runtime: there is no daemon inside to build on.
        return Ok(Placement::LoadAfterBuild);
    }
    if ["not running", "stopped", "does not exist", "profile \"", "not found"].iter().any(|n| text.contains(n)) {
        return Err(DockerError::Minikube {
            message: "minikube is not running".into(),
            hint: "start it with `minikube start` (or `todo-ai up`), then build again".into(),
        });
    }
    Err(DockerError::Minikube {
        message: format!("`minikube docker-env` failed: {}", exec::last_line(&output)),
        hint: "check `minikube status`".into(),
    })
}

/// Loads a locally built image into minikube (`minikube image load TAG`).
pub async fn image_load(tag: &str) -> Result<(), DockerError> {
    let output = exec::output("minikube", ["image", "load", tag]).await.map_err(not_installed)?;
    if output.status.success() {
        Ok(())
    } else {
        Err(DockerError::Minikube {
            message: format!("`minikube image load {tag}` failed: {}", exec::last_line(&output)),
            hint: "check `minikube status` and that the image exists locally (`docker image ls`)".into(),
        })
    }
}

fn not_installed(error: ExecError) -> DockerError {
    match error {
        ExecError::NotFound { .. } => DockerError::Minikube {
            message: "`minikube` is not installed (not found on PATH)".into(),
            hint: "install minikube (https://minikube.sigs.k8s.io/docs/start/) or build without `--minikube`".into(),
        },
        ExecError::Spawn { .. } => {
            DockerError::Minikube { message: error.to_string(), hint: "check that `minikube` is executable".into() }
        }
        ExecError::TimedOut { .. } | ExecError::Interrupted { .. } => DockerError::Minikube {
            message: error.to_string(),
            hint: "check `minikube status`; the image may not be in minikube yet".into(),
        },
    }
}

/// Reads `KEY=VALUE` lines (`--shell none`), also tolerating `export KEY="VALUE"`.
pub fn parse_docker_env(text: &str) -> Option<Endpoint> {
    let vars: Vec<(String, String)> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, value) = line.split_once('=')?;
            Some((key.trim().to_string(), value.trim().trim_matches('"').to_string()))
        })
        .collect();
    let get = |key: &str| vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    get("DOCKER_HOST")?;
    Some(Endpoint::from_vars(get))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_env_in_both_shapes() {
        let none = "DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://192.168.49.2:2376\nDOCKER_CERT_PATH=/home/u/.minikube/certs\nMINIKUBE_ACTIVE_DOCKERD=minikube\n";
        let bash = "export DOCKER_TLS_VERIFY=\"1\"\nexport DOCKER_HOST=\"tcp://192.168.49.2:2376\"\nexport DOCKER_CERT_PATH=\"/home/u/.minikube/certs\"\n# To point your shell to minikube's docker-daemon, run:\n";
        let want = Endpoint {
            host: "tcp://192.168.49.2:2376".into(),
            tls: Some(std::path::PathBuf::from("/home/u/.minikube/certs")),
        };
        assert_eq!(parse_docker_env(none), Some(want.clone()));
        assert_eq!(parse_docker_env(bash), Some(want));
        assert_eq!(parse_docker_env("nothing here"), None);
    }
}
