//! How many RR sets the selection needs: reach of the coverage greedy's k = 50 seeds against the
//! number of sets it selects on (64k to 1M), with plain and with stratified roots, seeds 1-3,
//! scored on 8M independent stratified estimate sets, on the reference graphs in
//! `../shared/datasets` (those present). Prints TSV: graph, roots, seed, sets, reach, std error.
//! Run: `cargo bench --bench quality_vs_sets` (about a minute per graph on two cores).

use seedplan::diffusion::{Model, ModelKind, ProbScheme};
use seedplan::graph::{BuildOptions, EdgeMeaning};
use seedplan::input::{load_graph, EdgeReadOptions};
use seedplan::rng::Purpose;
use seedplan::rrset::{greedy_with_bonus, InvertedIndex, RootSampler, RrCollection};

fn main() {
    let graphs = [
        ("NetHEPT", "../shared/datasets/nethept/graph.txt", true),
        (
            "wiki-Vote",
            "../shared/datasets/wiki-vote/wiki-Vote.txt",
            false,
        ),
        (
            "soc-Slashdot0902",
            "../shared/datasets/soc-slashdot0902/soc-Slashdot0902.txt.gz",
            false,
        ),
    ];
    println!("graph\troots\tseed\tsets\treach\tstd_error");
    for (name, path, undirected) in graphs {
        if !std::path::Path::new(path).exists() {
            eprintln!("{path} not found; skipped");
            continue;
        }
        let build = BuildOptions {
            meaning: EdgeMeaning::Influences,
            undirected,
            merge: Default::default(),
        };
        let g = load_graph(path, &EdgeReadOptions::default(), &build).unwrap();
        run(name, &g);
    }
}

fn run(name: &str, g: &seedplan::graph::Graph) {
    let n = g.num_nodes();
    let m = Model::new(
        g,
        ModelKind::IndependentCascade,
        ProbScheme::WeightedCascade,
        1,
    )
    .unwrap();
    let plain = RootSampler::uniform(n);
    let strat = plain.stratified(&m);
    let mut all = Vec::new();
    for seed in 1..=3u64 {
        for theta in [65_536u64, 131_072, 262_144, 524_288, 1_048_576] {
            for (label, roots) in [("plain", &plain), ("stratified", &strat)] {
                let mut c = RrCollection::new(seed, Purpose::RrSelect);
                c.extend_to(&m, roots, theta);
                let ix = InvertedIndex::build(&c, n);
                let bonus: Option<Vec<f64>> = roots.exact().map(|e| {
                    e.iter()
                        .map(|&x| x * theta as f64 / roots.population())
                        .collect()
                });
                let gr = greedy_with_bonus(&[(&c, &ix)], n, 50, None, &[], bonus.as_deref());
                all.push((label, seed, theta, gr.seeds));
            }
        }
    }
    let lists: Vec<&[u32]> = all.iter().map(|a| a.3.as_slice()).collect();
    let est = seedplan::plan::estimate_sets_sized(&m, &strat, &lists, 99, 8_000_000);
    for (label, seed, theta, seeds) in &all {
        let e = seedplan::plan::estimate_on(&m, &est, seeds, &strat);
        println!(
            "{name}\t{label}\t{seed}\t{theta}\t{:.1}\t{:.1}",
            e.total.expected_reach, e.total.std_error
        );
    }
}
