//! `up` against a hostile working tree: a `.env` that is a FIFO, a device or a link; a chart
//! whose links loop; an app holding a file far larger than memory. Each must end promptly
//! with a one-line error or carry on, never hang, never read a stream or follow a link out.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::deploy::{fake_minikube, workspace};
use crate::support::{chart_dir, copy_dir, fake_helm};

/// Runs `command`; `None` if it is still running after `limit` (then it is killed). A watchdog
/// so a hang fails the test instead of stalling the suite, not a speed measurement.
fn output_within(mut command: Command, limit: Duration) -> Option<Output> {
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

/// `todo-ai` as `deploy` sets it up for `up`, as a plain command for the watchdog.
fn up_command(home: &tempfile::TempDir) -> Command {
    crate::deploy::up_command_std(home)
}

fn setup(home: &Path) {
    workspace(home, true);
    fake_helm(home);
    fake_minikube(home);
}

#[test]
fn a_hostile_env_file_is_refused_without_blocking_or_reading_a_stream() {
    let home = tempfile::tempdir().unwrap();
    setup(home.path());
    let env = home.path().join(".env");
    let cases: [(&str, &dyn Fn()); 3] = [
        ("a FIFO", &|| {
            nix::unistd::mkfifo(&env, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        }),
        ("a link to a device", &|| std::os::unix::fs::symlink("/dev/zero", &env).unwrap()),
        ("a link out of the tree", &|| std::os::unix::fs::symlink("/etc/hostname", &env).unwrap()),
    ];
    for (what, make) in cases {
        let _ = std::fs::remove_file(&env);
        make();
        let mut command = up_command(&home);
        command.args(["--dry-run", "-n", "todo", "up"]);
        let output = output_within(command, Duration::from_secs(60)).unwrap_or_else(|| panic!("{what}: `up` hung"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{what}: {stderr}");
        let error: Vec<&str> = stderr.lines().filter(|line| line.starts_with("error: ")).collect();
        assert_eq!(error.len(), 1, "{what}: {stderr}");
        assert!(error[0].contains(".env"), "{what}: {stderr}");
        assert!(stderr.contains("hint: "), "{what}: {stderr}");
    }
    // Named explicitly, a FIFO is still refused; a regular file through a link is read.
    let _ = std::fs::remove_file(&env);
    nix::unistd::mkfifo(&env, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let mut command = up_command(&home);
    command.args(["--dry-run", "-n", "todo", "up", "--env-file"]).arg(&env);
    let output = output_within(command, Duration::from_secs(60)).expect("`up --env-file FIFO` hung");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_chart_with_a_link_loop_and_an_app_with_a_huge_file_are_fingerprinted_in_bounds() {
    let home = tempfile::tempdir().unwrap();
    setup(home.path());
    let chart = home.path().join("chart");
    copy_dir(&chart_dir(), &chart);
    // Two links back up the tree: followed, the walk branches twice at every level until the
    // kernel's link limit, 2^40 directory reads.
    std::os::unix::fs::symlink("..", chart.join("templates/a")).unwrap();
    std::os::unix::fs::symlink("..", chart.join("templates/b")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", chart.join("templates/zero")).unwrap();
    // A sparse file far larger than memory: read whole into memory before anything is asked.
    let huge = std::fs::File::create(home.path().join("backend/data.bin")).unwrap();
    huge.set_len(1 << 40).unwrap();
    let mut command = up_command(&home);
    command.env("TODO_AI_CHART", &chart).args(["--dry-run", "-n", "todo", "up"]);
    let output = output_within(command, Duration::from_secs(120)).expect("`up` never finished");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("release:"), "{stderr}");
}
