//! Diagnose at scale: the snapshot loader (YAML and JSON) and the analyzers on generated
//! namespaces of 1,000, 10,000 and 50,000 pods (`support/generate.rs`: realistic objects with
//! `managedFields`, about 3 KB of YAML per pod, a few per cent of them faulty).
//!
//! `cargo bench --bench diagnose` runs the criterion groups. With
//! `TODO_AI_BENCH_GENERATE=DIR` it only writes `DIR/pods-{N}.yaml` and `DIR/pods-{N}.json`
//! for each size (or for the sizes in `TODO_AI_BENCH_SIZES`, comma-separated) and exits:
//! `benches/diagnose-scale.sh` uses that to measure the whole binary.

#[path = "support/generate.rs"]
mod generate;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use todo_ai::cluster::{Objects, snapshot};

const SIZES: [usize; 3] = [1_000, 10_000, 50_000];

fn sizes() -> Vec<usize> {
    std::env::var("TODO_AI_BENCH_SIZES")
        .ok()
        .map(|text| text.split(',').filter_map(|size| size.trim().parse().ok()).collect())
        .unwrap_or_else(|| SIZES.to_vec())
}

fn load(text: &str) -> Objects {
    let mut objects = Objects::default();
    if let Err(error) = snapshot::parse(text, &mut objects) {
        eprintln!("the generated snapshot does not load: {error}");
    }
    objects
}

fn benches(c: &mut Criterion) {
    for pods in sizes() {
        let yaml = generate::text(pods, generate::Format::Yaml);
        let json = generate::text(pods, generate::Format::Json);
        println!("{pods} pods: {:.1} MB of YAML, {:.1} MB of JSON", yaml.len() as f64 / 1e6, json.len() as f64 / 1e6);
        let mut group = c.benchmark_group("snapshot");
        group.sample_size(10).measurement_time(Duration::from_secs(if pods > 10_000 { 30 } else { 10 }));
        group.bench_with_input(BenchmarkId::new("load_yaml", pods), &yaml, |b, text| b.iter(|| load(black_box(text))));
        group.bench_with_input(BenchmarkId::new("load_json", pods), &json, |b, text| b.iter(|| load(black_box(text))));
        group.finish();
        let objects = load(&yaml);
        drop((yaml, json));
        let mut group = c.benchmark_group("analyze");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new("namespace", pods), &objects, |b, objects| {
            b.iter(|| todo_ai::diagnose::analyze(black_box(objects), "shop", None).findings.len());
        });
        group.bench_with_input(BenchmarkId::new("one_target", pods), &objects, |b, objects| {
            b.iter(|| todo_ai::diagnose::analyze(black_box(objects), "shop", Some("app-007")).findings.len());
        });
        group.finish();
    }
}

fn write_snapshots(directory: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(directory)?;
    for pods in sizes() {
        for (format, extension) in [(generate::Format::Yaml, "yaml"), (generate::Format::Json, "json")] {
            let path = directory.join(format!("pods-{pods}.{extension}"));
            let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
            generate::write(pods, format, &mut file)?;
            std::io::Write::flush(&mut file)?;
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn main() {
    if let Some(directory) = std::env::var_os("TODO_AI_BENCH_GENERATE") {
        if let Err(error) = write_snapshots(std::path::Path::new(&directory)) {
            eprintln!("error: cannot write the snapshots: {error}");
            std::process::exit(2);
        }
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
