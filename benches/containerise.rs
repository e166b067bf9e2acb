//! Detection + Dockerfile generation per fixture app (target ≤ 5 ms each).
//!
//! Run with `cargo bench --bench containerise`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use todo_ai::containerise;
use todo_ai::tools::Stack;

fn benches(c: &mut Criterion) {
    let apps = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps");
    for name in ["nextjs-npm", "fastapi-requirements", "fastapi-uv", "go-mod"] {
        let dir = apps.join(name);
        c.bench_function(&format!("containerise/{name}"), |b| {
            b.iter(|| black_box(containerise::containerise(black_box(&dir), Stack::Auto).ok()));
        });
    }
}

criterion_group!(containerise_benches, benches);
criterion_main!(containerise_benches);
