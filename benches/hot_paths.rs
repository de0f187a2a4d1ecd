//! Hot paths on seeded synthetic graphs of three sizes: edge-list parsing, RR sampling (IC-WC,
//! IC-uniform, LT-WC), coverage greedy and Monte Carlo simulation. Future performance work is
//! measured against these. Run: `cargo bench --bench hot_paths` (`-- --quick` for a fast pass).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use seedplan::diffusion::{Model, ModelKind, ProbScheme};
use seedplan::generate::{follower_graph, GenerateConfig};
use seedplan::graph::{BuildOptions, EdgeMeaning, Graph, NodeTable};
use seedplan::input::{read_edges, EdgeReadOptions};
use seedplan::rng::Purpose;
use seedplan::rrset::{greedy_max_coverage, RootSampler, RrCollection};
use std::io::Write;

const SIZES: [(&str, usize); 3] = [("small", 2_000), ("medium", 20_000), ("large", 200_000)];

fn graph(nodes: usize) -> Graph {
    let fg = follower_graph(&GenerateConfig {
        nodes,
        seed: 42,
        ..Default::default()
    });
    // follows -> influence: the followee influences the follower.
    let edges: Vec<(u32, u32)> = fg.follows.iter().map(|&(a, b)| (b, a)).collect();
    Graph::from_edges(nodes, &edges, None)
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_edge_list");
    for (name, nodes) in SIZES {
        let fg = follower_graph(&GenerateConfig {
            nodes: nodes * 5,
            seed: 42,
            ..Default::default()
        });
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let mut text = Vec::new();
        for &(a, b) in &fg.follows {
            writeln!(text, "{a}\t{b}").unwrap();
        }
        file.write_all(&text).unwrap();
        let path = file.path().to_str().unwrap().to_string();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(BenchmarkId::new("read", name), |b| {
            b.iter(|| {
                let mut nodes = NodeTable::new();
                read_edges(&path, &EdgeReadOptions::default(), &mut nodes).unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("read_and_build", name), |b| {
            b.iter(|| {
                let opts = BuildOptions {
                    meaning: EdgeMeaning::Follows,
                    ..Default::default()
                };
                seedplan::input::load_graph(&path, &EdgeReadOptions::default(), &opts).unwrap()
            })
        });
    }
    group.finish();
}

fn rr_sampling(c: &mut Criterion) {
    let mut group = c.benchmark_group("rr_sampling_10k_sets");
    group.sample_size(10);
    for (name, nodes) in SIZES {
        let g = graph(nodes);
        for (label, kind, scheme) in [
            (
                "ic_wc",
                ModelKind::IndependentCascade,
                ProbScheme::WeightedCascade,
            ),
            (
                "ic_uniform_0.01",
                ModelKind::IndependentCascade,
                ProbScheme::Uniform(0.01),
            ),
            (
                "lt_wc",
                ModelKind::LinearThreshold,
                ProbScheme::WeightedCascade,
            ),
        ] {
            let m = Model::new(&g, kind, scheme, 1).unwrap();
            let roots = RootSampler::uniform(g.num_nodes());
            group.throughput(Throughput::Elements(10_000));
            group.bench_function(BenchmarkId::new(label, name), |b| {
                b.iter(|| {
                    let mut r = RrCollection::new(7, Purpose::RrSelect);
                    r.extend_to(&m, &roots, 10_000);
                    r.total_ids()
                })
            });
        }
    }
    group.finish();
}

/// The reference datasets beside the repository (`../shared/datasets`), when present: NetHEPT is
/// undirected, the others are read as published.
fn real_graphs() -> Vec<(&'static str, Graph)> {
    let specs = [
        ("nethept", "../shared/datasets/nethept/graph.txt", true),
        (
            "wiki-vote",
            "../shared/datasets/wiki-vote/wiki-Vote.txt",
            false,
        ),
        (
            "slashdot",
            "../shared/datasets/soc-slashdot0902/soc-Slashdot0902.txt.gz",
            false,
        ),
    ];
    specs
        .into_iter()
        .filter(|(_, p, _)| std::path::Path::new(p).exists())
        .map(|(name, path, undirected)| {
            let build = BuildOptions {
                meaning: EdgeMeaning::Influences,
                undirected,
                merge: Default::default(),
            };
            let g = seedplan::input::load_graph(path, &EdgeReadOptions::default(), &build).unwrap();
            (name, g)
        })
        .collect()
}

/// IC-WC RR sampling on the reference graphs, one thread, with the count-table sampler against
/// the coin-per-edge / geometric-skip sampler it replaced (same distribution, both in one run),
/// and with stratified roots (bigger sets, fewer needed: see BENCHMARKS.md).
fn rr_sampling_real(c: &mut Criterion) {
    let mut group = c.benchmark_group("rr_sampling_real_100k_sets_1_thread");
    group.sample_size(10);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for (name, g) in real_graphs() {
        let plain = RootSampler::uniform(g.num_nodes());
        for (label, tables, stratified) in [
            ("count_tables", true, false),
            ("coins_and_skips", false, false),
            ("count_tables_stratified", true, true),
        ] {
            let mut m = Model::new(
                &g,
                ModelKind::IndependentCascade,
                ProbScheme::WeightedCascade,
                1,
            )
            .unwrap();
            m.use_count_tables(tables);
            let roots = if stratified {
                plain.stratified(&m)
            } else {
                plain.clone()
            };
            group.throughput(Throughput::Elements(100_000));
            group.bench_function(BenchmarkId::new(label, name), |b| {
                b.iter(|| {
                    pool.install(|| {
                        let mut r = RrCollection::new(7, Purpose::RrSelect);
                        r.extend_to(&m, &roots, 100_000);
                        r.total_ids()
                    })
                })
            });
        }
    }
    group.finish();
}

/// How RR sampling alone scales from one thread to two: `auto`'s stratified sets on the
/// reference graphs, 200k sets per iteration (BENCHMARKS.md compares this with the two-thread
/// speed-up of whole runs, whose serial steps sampling does not have).
fn rr_sampling_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("rr_sampling_threads_200k_stratified_sets");
    group.sample_size(20);
    for (name, g) in real_graphs() {
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(g.num_nodes()).stratified(&m);
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            group.throughput(Throughput::Elements(200_000));
            group.bench_function(BenchmarkId::new(format!("{threads}_threads"), name), |b| {
                b.iter(|| {
                    pool.install(|| {
                        let mut r = RrCollection::new(7, Purpose::RrSelect);
                        r.extend_to(&m, &roots, 200_000);
                        r.total_ids()
                    })
                })
            });
        }
    }
    group.finish();
}

fn coverage_greedy(c: &mut Criterion) {
    let mut group = c.benchmark_group("coverage_greedy_k50");
    group.sample_size(10);
    for (name, nodes) in SIZES {
        let g = graph(nodes);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let mut r = RrCollection::new(7, Purpose::RrSelect);
        r.extend_to(&m, &RootSampler::uniform(nodes), 100_000);
        group.throughput(Throughput::Elements(r.total_ids()));
        group.bench_function(BenchmarkId::new("100k_sets", name), |b| {
            b.iter(|| greedy_max_coverage(&r, nodes, 50, None, &[]).covered)
        });
    }
    group.finish();
}

fn monte_carlo(c: &mut Criterion) {
    let mut group = c.benchmark_group("monte_carlo_1000_runs");
    group.sample_size(10);
    for (name, nodes) in SIZES {
        let g = graph(nodes);
        for (label, kind) in [
            ("ic_wc", ModelKind::IndependentCascade),
            ("lt_wc", ModelKind::LinearThreshold),
        ] {
            let m = Model::new(&g, kind, ProbScheme::WeightedCascade, 1).unwrap();
            let seeds: Vec<u32> = (0..10).collect();
            group.throughput(Throughput::Elements(1000));
            group.bench_function(BenchmarkId::new(label, name), |b| {
                b.iter(|| seedplan::eval::estimate_reach(&m, &seeds, 1000, 3).expected_reach)
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    parsing,
    rr_sampling,
    rr_sampling_real,
    rr_sampling_threads,
    coverage_greedy,
    monte_carlo
);
criterion_main!(benches);
