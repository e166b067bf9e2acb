//! Cluster benchmarks on a generated 2,000-pod snapshot of the Todo app:
//! - `snapshot/load_2000_pods`: parsing the YAML List into typed objects (reported);
//! - `status/2000_pods`: the `status` tool end to end on that snapshot (target ≤ 20 ms);
//! - `diagnose/2000_pods`: the `diagnose` tool end to end on it (target ≤ 50 ms).
//!
//! Run with `cargo bench --bench cluster`. Set `TODO_AI_BENCH_WRITE=FILE` to also write the
//! generated snapshot, e.g. to measure peak memory of the binary with `/usr/bin/time -v`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use todo_ai::cluster::{Cluster, ClusterAccess, Objects, snapshot};
use todo_ai::tools::{self, ToolContext};

/// A snapshot with `pods` pods spread over 4 deployments, with a mix of states.
pub fn generate(pods: usize) -> String {
    let mut items = Vec::new();
    let names = ["todo-frontend", "todo-backend", "todo-worker", "todo-api"];
    for name in names {
        items.push(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "todo", "creationTimestamp": "2026-11-01T00:00:00Z"},
            "spec": {"replicas": pods / names.len(), "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": format!("{name}:1")}]}}},
            "status": {"replicas": pods / names.len(), "readyReplicas": pods / names.len() - 3, "updatedReplicas": pods / names.len(), "availableReplicas": pods / names.len() - 3}
        }));
    }
    for index in 0..pods {
        let name = names[index % names.len()];
        let state = match index % 50 {
            0 => json!({"waiting": {"reason": "CrashLoopBackOff"}}),
            1 => json!({"waiting": {"reason": "ImagePullBackOff"}}),
            _ => json!({"running": {"startedAt": "2026-11-01T00:00:00Z"}}),
        };
        items.push(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{name}-7d9f8b6c5-{index:05}"), "namespace": "todo", "labels": {"app": name},
                         "creationTimestamp": "2026-11-01T00:00:00Z"},
            "spec": {"containers": [{"name": "app", "image": format!("{name}:1")}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": index % 50 > 1, "restartCount": index % 7,
                       "image": format!("{name}:1"), "imageID": "", "state": state}]}
        }));
    }
    serde_yaml::to_string(&json!({"apiVersion": "v1", "kind": "List", "items": items})).unwrap_or_default()
}

fn benches(c: &mut Criterion) {
    let text = generate(2_000);
    if let Ok(path) = std::env::var("TODO_AI_BENCH_WRITE") {
        let _ = std::fs::write(path, &text);
    }
    println!("generated snapshot: {} pods, {:.1} MB of YAML", 2_000, text.len() as f64 / 1e6);
    c.bench_function("snapshot/load_2000_pods", |b| {
        b.iter(|| {
            let mut objects = Objects::default();
            snapshot::parse(black_box(&text), &mut objects).unwrap_or_default();
            black_box(objects)
        });
    });

    let mut objects = Objects::default();
    snapshot::parse(&text, &mut objects).unwrap_or_default();
    let ctx = ToolContext::new(
        "todo",
        std::env::temp_dir(),
        Arc::new(ClusterAccess::ready(Cluster::Snapshot { path: "bench.yaml".into(), objects })),
        -1,
    );
    let runtime = tokio::runtime::Builder::new_current_thread().build().ok();
    let Some(runtime) = runtime else { return };
    c.bench_function("status/2000_pods", |b| {
        b.iter(|| {
            let call = tools::check("status", json!({}), &ctx).ok();
            black_box(call.map(|call| runtime.block_on(call.run(&ctx)).map(|output| output.text.len())))
        });
    });
    c.bench_function("diagnose/2000_pods", |b| {
        b.iter(|| {
            let call = tools::check("diagnose", json!({}), &ctx).ok();
            black_box(call.map(|call| runtime.block_on(call.run(&ctx)).map(|output| output.text.len())))
        });
    });
    c.bench_function("status/2000_pods_one_target", |b| {
        b.iter(|| {
            let call = tools::check("status", json!({"target": "backend"}), &ctx).ok();
            black_box(call.map(|call| runtime.block_on(call.run(&ctx)).map(|output| output.text.len())))
        });
    });
}

criterion_group!(cluster, benches);
criterion_main!(cluster);
