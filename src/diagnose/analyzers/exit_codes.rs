//! What a container's exit code says. By convention a shell exits 126 when the command is
//! not executable and 127 when it is not found; 128 + N means the process was killed by
//! signal N (137 = SIGKILL, which is what the OOM killer and a failed liveness probe's
//! kill look like; 143 = SIGTERM); small numbers are the application's own.

/// A short explanation of an exit code, when it has a conventional meaning.
pub fn explain(code: i64) -> Option<&'static str> {
    Some(match code {
        0 => "exited successfully",
        1 => "application error",
        2 => "misuse of a shell builtin or bad arguments",
        126 => "command not executable: wrong permissions or format",
        127 => "command not found: a typo in `command`/`args`, or not in the image",
        128 => "the runtime could not start the process",
        130 => "interrupted by SIGINT",
        134 => "aborted by SIGABRT: the process crashed itself, e.g. a failed assertion",
        137 => "killed by SIGKILL: out of memory, or after a failed liveness probe",
        139 => "segmentation fault, SIGSEGV",
        143 => "terminated by SIGTERM: asked to stop, e.g. by a rollout or a failed liveness probe",
        255 => "exit status out of range, often `exit -1`",
        code if (129..=159).contains(&code) => return signal(code - 128),
        _ => return None,
    })
}

fn signal(number: i64) -> Option<&'static str> {
    Some(match number {
        4 => "killed by SIGILL: an illegal instruction, e.g. a binary built for another CPU",
        6 => "killed by SIGABRT",
        7 => "killed by SIGBUS",
        8 => "killed by SIGFPE: an arithmetic error",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventional_exit_codes_are_explained() {
        assert!(explain(127).is_some_and(|s| s.starts_with("command not found")));
        assert!(explain(137).is_some_and(|s| s.contains("out of memory")));
        assert!(explain(126).is_some_and(|s| s.contains("not executable")));
        assert!(explain(137).is_some_and(|s| s.contains("SIGKILL")));
        assert!(explain(139).is_some_and(|s| s.contains("segmentation fault")));
        assert!(explain(143).is_some_and(|s| s.contains("SIGTERM")));
        assert_eq!(explain(1), Some("application error"));
        assert!(explain(132).is_some_and(|s| s.contains("SIGILL")));
        assert_eq!(explain(42), None);
    }
}
