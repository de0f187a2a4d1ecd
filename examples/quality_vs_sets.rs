//! Research aid: reach of the coverage greedy's k = 50 seeds against the number of RR sets it
//! selects on, with plain and with stratified roots, scored on independent estimate sets.
//! Run: `cargo run --release --example quality_vs_sets -- GRAPH [--undirected]`.

use seedplan::diffusion::{Model, ModelKind, ProbScheme};
use seedplan::graph::{BuildOptions, EdgeMeaning};
use seedplan::input::{load_graph, EdgeReadOptions};
use seedplan::rng::Purpose;
use seedplan::rrset::{greedy_with_bonus, InvertedIndex, RootSampler, RrCollection};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let build = BuildOptions {
        meaning: EdgeMeaning::Influences,
        undirected: args.iter().any(|a| a == "--undirected"),
        merge: Default::default(),
    };
    let g = load_graph(&args[1], &EdgeReadOptions::default(), &build).unwrap();
    let n = g.num_nodes();
    let m = Model::new(
        &g,
        ModelKind::IndependentCascade,
        ProbScheme::WeightedCascade,
        1,
    )
    .unwrap();
    let plain = RootSampler::uniform(n);
    let strat = plain.stratified(&m);
    let est_sets = 8_000_000u64;
    let mut all = Vec::new();
    for seed in 1..=3u64 {
        for theta in [65_536u64, 131_072, 262_144, 524_288, 1_048_576] {
            for (name, roots) in [("plain", &plain), ("stratified", &strat)] {
                let mut c = RrCollection::new(seed, Purpose::RrSelect);
                c.extend_to(&m, roots, theta);
                let ix = InvertedIndex::build(&c, n);
                let bonus: Option<Vec<f64>> = roots.exact().map(|e| {
                    e.iter()
                        .map(|&x| x * theta as f64 / roots.population())
                        .collect()
                });
                let gr = greedy_with_bonus(&c, &ix, n, 50, None, &[], bonus.as_deref());
                all.push((name, seed, theta, gr.seeds));
            }
        }
    }
    let mut lists: Vec<&[u32]> = all.iter().map(|a| a.3.as_slice()).collect();
    lists.dedup();
    let est = seedplan::plan::estimate_sets_sized(&m, &strat, &lists, 99, est_sets);
    for (name, seed, theta, seeds) in &all {
        let e = seedplan::plan::estimate_on(&est, seeds, &strat);
        println!(
            "{name}\t{seed}\t{theta}\t{:.1}\t{:.1}",
            e.total.expected_reach, e.total.std_error
        );
    }
}
