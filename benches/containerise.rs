//! Detection + Dockerfile generation per fixture app (target ≤ 5 ms each), and the build
//! context of a 10,000-file tree whose 8,000-file `node_modules` is ignored: tarred without
//! ever being opened.
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

fn context(c: &mut Criterion) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let root = dir.path();
    for index in 0..10_000 {
        let path = if index < 8_000 {
            root.join(format!("node_modules/pkg{}/file{index}.js", index / 100))
        } else {
            root.join(format!("src/module{}/file{index}.js", index / 100))
        };
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, "module.exports = 1;\n");
    }
    let _ = std::fs::write(root.join("Dockerfile"), "FROM scratch\n");
    let _ = std::fs::write(root.join(".dockerignore"), "node_modules\n.git\n");
    if let Ok((files, skipped)) = containerise::context::files(root, "Dockerfile") {
        println!("context: {} files sent, {skipped} entries skipped unread (node_modules as one)", files.len());
    }
    c.bench_function("context/tar_10000_files_8000_ignored", |b| {
        b.iter(|| black_box(containerise::context::tar(root, "Dockerfile", std::io::sink()).ok()));
    });
}

criterion_group!(containerise_benches, benches, context);
criterion_main!(containerise_benches);
