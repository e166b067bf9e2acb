//! Planner and start-up benchmarks.
//!
//! - `offline_planner/corpus`: plans every prompt of the shared sample corpus
//!   (`tests/fixtures/intents.jsonl`); criterion reports the time per corpus pass, and the
//!   per-prompt median is printed at the end (target: ≤ 50 µs), for that corpus and for the
//!   longer prompts of `tests/fixtures/intents_wild.jsonl` (tickets, quoted errors).
//! - `cold_start`: spawns `todo-ai plan --offline "scale backend to 3"` and
//!   `kubectl version --client` (when kubectl is installed) in the same run (target: todo-ai
//!   ≤ 0.25× kubectl).
//!
//! Run with `cargo bench --bench planner`.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use todo_ai::planner::offline;

fn corpus() -> Vec<String> {
    prompts(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/intents.jsonl"))
}

fn prompts(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|case| case["prompt"].as_str().map(str::to_string))
        .collect()
}

fn planner(c: &mut Criterion) {
    let prompts = corpus();
    let mut group = c.benchmark_group("offline_planner");
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for prompt in &prompts {
                black_box(offline::plan(black_box(prompt)));
            }
        });
    });
    group
        .bench_function("scale backend to 3", |b| b.iter(|| black_box(offline::plan(black_box("scale backend to 3")))));
    group.finish();

    // The per-prompt median over each corpus, measured directly (criterion reports means).
    print_median("shared sample", &prompts);
    print_median("wild", &self::prompts(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/intents_wild.jsonl")));
}

fn print_median(name: &str, prompts: &[String]) {
    let mut per_prompt: Vec<Duration> = prompts
        .iter()
        .map(|prompt| {
            let runs = 200;
            let start = Instant::now();
            for _ in 0..runs {
                black_box(offline::plan(black_box(prompt)));
            }
            start.elapsed() / runs
        })
        .collect();
    per_prompt.sort_unstable();
    if let (Some(median), Some(max)) = (per_prompt.get(per_prompt.len() / 2), per_prompt.last()) {
        println!(
            "offline planner ({name}): {} prompts, median {median:?} per prompt, slowest {max:?}",
            per_prompt.len()
        );
    }
}

fn cold_start(c: &mut Criterion) {
    let binary = env!("CARGO_BIN_EXE_todo-ai");
    let mut group = c.benchmark_group("cold_start");
    group.sample_size(30);
    group.bench_function("todo-ai plan --offline", |b| {
        b.iter(|| {
            let status = Command::new(binary)
                .args(["plan", "--offline", "scale backend to 3"])
                .env("HOME", std::env::temp_dir())
                .output()
                .map(|output| output.status.success());
            assert_eq!(status.ok(), Some(true));
        });
    });
    let kubectl_present =
        Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success());
    if kubectl_present {
        group.bench_function("kubectl version --client", |b| {
            b.iter(|| black_box(Command::new("kubectl").args(["version", "--client"]).output().ok()));
        });
    } else {
        println!("kubectl not installed: cold-start comparison skipped");
    }
    group.finish();
}

criterion_group!(benches, planner, cold_start);
criterion_main!(benches);
