//! Selection algorithms against brute force and against each other.

mod common;

use common::*;
use seedplan::diffusion::{Model, ModelKind, ProbScheme};
use seedplan::eval::exact::exact_spread;
use seedplan::graph::Graph;
use seedplan::progress::Silent;
use seedplan::rrset::RootSampler;
use seedplan::select::{Algorithm, SelectConfig, SelectContext, Selection};

fn run(m: &Model<'_>, algo: Algorithm, k: usize, seed: u64, cands: Option<&[bool]>) -> Selection {
    let roots = RootSampler::uniform(m.graph().num_nodes());
    let mut cfg = SelectConfig::new(k, seed);
    cfg.mc_runs = 2000;
    let ctx = SelectContext {
        model: m,
        roots: &roots,
        candidates: cands,
        forced: &[],
        config: cfg,
        progress: &Silent,
    };
    algo.selector().select(&ctx).unwrap()
}

fn best_exact(m: &Model<'_>, k: usize) -> f64 {
    let n = m.graph().num_nodes() as u32;
    let mut best = 0.0f64;
    let mut rec = |set: &[u32]| best = best.max(exact_spread(m, set).unwrap());
    match k {
        1 => (0..n).for_each(|a| rec(&[a])),
        2 => (0..n).for_each(|a| (a + 1..n).for_each(|b| rec(&[a, b]))),
        _ => (0..n).for_each(|a| (a + 1..n).for_each(|b| (b + 1..n).for_each(|c| rec(&[a, b, c])))),
    }
    best
}

fn small_graphs() -> Vec<(Graph, ModelKind)> {
    let (ic, _) = tricky_graph();
    let lt = tricky_lt_graph();
    let (e, p) = random_graph(11, 16, 3);
    let mut out = vec![
        (ic, ModelKind::IndependentCascade),
        (lt, ModelKind::LinearThreshold),
    ];
    out.push((
        Graph::from_edges(11, &e, Some(&p)),
        ModelKind::IndependentCascade,
    ));
    out
}

#[test]
fn rr_engines_meet_their_guarantee_against_brute_force() {
    let factor = 1.0 - 1.0 / std::f64::consts::E - 0.1;
    for (g, kind) in small_graphs() {
        let m = Model::new(&g, kind, ProbScheme::File, 1).unwrap();
        for k in 1..=3 {
            let opt = best_exact(&m, k);
            for algo in [Algorithm::Auto, Algorithm::Opim, Algorithm::Imm] {
                let s = run(&m, algo, k, 5, None);
                assert_eq!(s.seeds.len(), k);
                let got = exact_spread(&m, &s.seeds).unwrap();
                assert!(
                    got >= factor * opt - 1e-9,
                    "{algo:?} k={k} {kind:?}: {got} < {factor} * {opt}"
                );
                // The guarantee is a floor most seed sets of these graphs clear; with thousands
                // of sets on 11 nodes the engines find the optimum or come within a hair of it.
                // OPIM-C stops as soon as its certificate holds, and with its bound on the best
                // reach capped at the population that comes sooner on 11 nodes (95.4% of the
                // optimum at k = 3 on the random graph, with fewer sets).
                let floor = if algo == Algorithm::Opim { 0.93 } else { 0.97 };
                assert!(
                    got >= floor * opt,
                    "{algo:?} k={k} {kind:?}: {got} is far below the optimum {opt}"
                );
                // A certified ratio is a lower bound on the plan's share of the optimum.
                if let Some(alpha) = s.approximation {
                    assert!(
                        alpha * opt <= got + 1e-9,
                        "{algo:?} k={k} {kind:?}: certified {alpha} but reaches {got} of {opt}"
                    );
                }
                // The reported upper bound must hold against the true optimum.
                if let Some(ub) = s.upper_bound {
                    assert!(ub >= opt * 0.999, "{algo:?}: upper bound {ub} < opt {opt}");
                }
            }
            let celf = run(&m, Algorithm::Celf, k, 5, None);
            let got = exact_spread(&m, &celf.seeds).unwrap();
            assert!(
                got >= (1.0 - 1.0 / std::f64::consts::E) * opt,
                "celf {got} vs {opt}"
            );
        }
    }
}

#[test]
fn celf_and_celfpp_equal_plain_greedy() {
    for (i, (g, kind)) in small_graphs().into_iter().enumerate() {
        let m = Model::new(&g, kind, ProbScheme::File, 1).unwrap();
        for k in [1, 3, 6] {
            let plain = run(&m, Algorithm::Greedy, k, i as u64, None);
            let celf = run(&m, Algorithm::Celf, k, i as u64, None);
            let celfpp = run(&m, Algorithm::Celfpp, k, i as u64, None);
            assert_eq!(plain.seeds, celf.seeds, "celf vs greedy, graph {i}, k={k}");
            assert_eq!(
                plain.seeds, celfpp.seeds,
                "celf++ vs greedy, graph {i}, k={k}"
            );
            assert_eq!(plain.gains, celf.gains);
        }
    }
    // A larger graph, where laziness actually skips work.
    let (e, p) = random_graph(120, 500, 9);
    let g = Graph::from_edges(120, &e, Some(&p));
    let m = Model::new(
        &g,
        ModelKind::IndependentCascade,
        ProbScheme::WeightedCascade,
        1,
    )
    .unwrap();
    let plain = run(&m, Algorithm::Greedy, 8, 2, None);
    assert_eq!(plain.seeds, run(&m, Algorithm::Celf, 8, 2, None).seeds);
    assert_eq!(plain.seeds, run(&m, Algorithm::Celfpp, 8, 2, None).seeds);
}

#[test]
fn every_algorithm_respects_candidates_and_returns_distinct_seeds() {
    let (e, p) = random_graph(200, 900, 11);
    let g = Graph::from_edges(200, &e, Some(&p));
    let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::File, 1).unwrap();
    let cands: Vec<bool> = (0..200).map(|v| v % 3 == 0).collect();
    for algo in Algorithm::ALL {
        if algo == Algorithm::Greedy {
            continue;
        }
        let s = run(&m, algo, 7, 3, Some(&cands));
        assert_eq!(s.seeds.len(), 7, "{algo:?}");
        let mut sorted = s.seeds.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 7, "{algo:?} repeated a seed");
        assert!(
            s.seeds.iter().all(|&v| v % 3 == 0),
            "{algo:?} picked a non-candidate"
        );
    }
    // k larger than the candidate pool: every candidate, no padding.
    let few: Vec<bool> = (0..200).map(|v| v < 4).collect();
    assert_eq!(run(&m, Algorithm::Auto, 10, 1, Some(&few)).seeds.len(), 4);
}

#[test]
fn selections_are_identical_across_thread_counts() {
    let (e, p) = random_graph(400, 2500, 21);
    let g = Graph::from_edges(400, &e, Some(&p));
    for kind in [ModelKind::IndependentCascade, ModelKind::LinearThreshold] {
        let m = Model::new(&g, kind, ProbScheme::WeightedCascade, 1).unwrap();
        for algo in [
            Algorithm::Auto,
            Algorithm::Opim,
            Algorithm::Imm,
            Algorithm::Celf,
            Algorithm::Pagerank,
        ] {
            let with = |t: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .unwrap()
                    .install(|| run(&m, algo, 5, 77, None))
            };
            let (a, b) = (with(1), with(2));
            assert_eq!(a.seeds, b.seeds, "{algo:?} {kind:?}");
            assert_eq!(a.gains, b.gains, "{algo:?} {kind:?}");
            assert_eq!(a.approximation, b.approximation, "{algo:?} {kind:?}");
        }
    }
}

#[test]
fn heuristics_match_hand_computed_rankings() {
    // Star 0 -> 1..5, chain 6 -> 7 -> 8, and 9 -> 0.
    let edges = [
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (0, 5),
        (6, 7),
        (7, 8),
        (9, 0),
    ];
    let g = Graph::from_edges(10, &edges, None);
    let m = Model::new(
        &g,
        ModelKind::IndependentCascade,
        ProbScheme::Uniform(0.1),
        1,
    )
    .unwrap();
    assert_eq!(run(&m, Algorithm::Degree, 3, 1, None).seeds, vec![0, 6, 7]);
    // Single discount: after picking 0, node 9 (which points to 0) drops from 1 to 0.
    assert_eq!(
        run(&m, Algorithm::SingleDiscount, 3, 1, None).seeds,
        vec![0, 6, 7]
    );
    // Single discount against plain degree: 10 points to the seed 0 and to two others, 11 to
    // three others. Degree ties 10 and 11 at 3 (the smaller id first); after 0 is picked,
    // single discount counts 10 at 2 and picks 11.
    let mut more = edges.to_vec();
    more.extend([(10, 0), (10, 1), (10, 2), (11, 12), (11, 13), (11, 14)]);
    let g2 = Graph::from_edges(15, &more, None);
    let m2 = Model::new(
        &g2,
        ModelKind::IndependentCascade,
        ProbScheme::Uniform(0.1),
        1,
    )
    .unwrap();
    assert_eq!(run(&m2, Algorithm::Degree, 2, 1, None).seeds, vec![0, 10]);
    assert_eq!(
        run(&m2, Algorithm::SingleDiscount, 2, 1, None).seeds,
        vec![0, 11]
    );
    // PageRank in the influence direction: rank flows from the influenced to their influencer.
    // Leaves hold the base b, so PR(0) = b + 0.85 * 5b = 5.25b; all of it flows to 9, the only
    // influencer of 0: PR(9) = b + 0.85 * 5.25b = 5.46b. The hub's influencer ranks first.
    let pr = run(&m, Algorithm::Pagerank, 2, 1, None).seeds;
    assert_eq!(pr, vec![9, 0]);
}

/// Chen et al.'s degree discount, eagerly: every pick rescans every node with
/// dd_v = d_v - 2 t_v - (d_v - t_v) t_v p, t_v the seeds among v's neighbours (undirected).
fn paper_degree_discount(adj: &[Vec<u32>], k: usize, p: f64) -> Vec<u32> {
    let n = adj.len();
    let mut t = vec![0u32; n];
    let mut chosen = vec![false; n];
    let mut out = Vec::new();
    for _ in 0..k {
        let dd = |v: usize| {
            let (d, t) = (adj[v].len() as f64, t[v] as f64);
            d - 2.0 * t - (d - t) * t * p
        };
        let best = (0..n)
            .filter(|&v| !chosen[v])
            .max_by(|&a, &b| dd(a).total_cmp(&dd(b)).then(b.cmp(&a)))
            .unwrap();
        chosen[best] = true;
        out.push(best as u32);
        for &u in &adj[best] {
            t[u as usize] += 1;
        }
    }
    out
}

#[test]
fn degree_discount_is_the_papers_on_undirected_graphs_and_discounts_both_ways_on_directed() {
    // Undirected (every edge both ways): the paper's eager definition, down to scores below 0.
    for (seed, p) in [(1u64, 0.01), (2, 0.1), (3, 0.5), (4, 1.0)] {
        let (e, _) = random_graph(40, 120, seed);
        let mut both: Vec<(u32, u32)> = e
            .iter()
            .flat_map(|&(a, b)| [(a, b), (b, a)])
            .filter(|(a, b)| a != b)
            .collect();
        both.sort_unstable();
        both.dedup();
        let g = Graph::from_edges(40, &both, None);
        let mut adj = vec![Vec::new(); 40];
        for &(a, b) in &both {
            adj[a as usize].push(b);
        }
        let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::Uniform(p), 1).unwrap();
        for k in [1, 5, 20, 40] {
            let got = run(&m, Algorithm::DegreeDiscount, k, 1, None).seeds;
            assert_eq!(
                got,
                paper_degree_discount(&adj, k, p),
                "seed {seed} p {p} k {k}"
            );
        }
    }
    // Directed: once 0 is picked, 1 (which 0 points to) is discounted and 2, as strong, wins.
    let mut edges = vec![(0, 1), (0, 3), (0, 4), (0, 5)];
    edges.extend([(1, 6), (1, 7), (1, 8), (2, 9), (2, 10), (2, 11)]);
    let g = Graph::from_edges(12, &edges, None);
    let m = Model::new(
        &g,
        ModelKind::IndependentCascade,
        ProbScheme::Uniform(0.1),
        1,
    )
    .unwrap();
    assert_eq!(run(&m, Algorithm::DegreeDiscount, 2, 1, None).seeds, [0, 2]);
}

/// A plan that reaches two people is not held to a hundredth of one: `auto` stops at the reach
/// resolution (0.1 people by default) where the relative bars alone (1% and half of 0.5%)
/// would take it to IMM's sample size. The pick reaches two people either way.
#[test]
fn auto_stops_at_the_reach_resolution_on_a_tiny_reach() {
    // 100 pairs that reach each other for certain among 2,000 people, the rest alone.
    let edges: Vec<(u32, u32)> = (0..100).map(|i| (2 * i, 2 * i + 1)).collect();
    let probs = vec![1.0f32; edges.len()];
    let g = Graph::from_edges(2000, &edges, Some(&probs));
    let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::File, 1).unwrap();
    let roots = RootSampler::uniform(2000);
    let sel = |resolution: f64| {
        let mut cfg = SelectConfig::new(1, 5);
        cfg.resolution = resolution;
        let ctx = SelectContext {
            model: &m,
            roots: &roots,
            candidates: None,
            forced: &[],
            config: cfg,
            progress: &Silent,
        };
        Algorithm::Auto.selector().select(&ctx).unwrap()
    };
    let coarse = sel(seedplan::select::DEFAULT_RESOLUTION);
    let fine = sel(0.0);
    for s in [&coarse, &fine] {
        assert_eq!(exact_spread(&m, &s.seeds).unwrap(), 2.0, "{:?}", s.seeds);
    }
    assert_eq!(coarse.status, seedplan::select::SelectStatus::Converged);
    assert!(
        fine.rr_sets >= 4 * coarse.rr_sets,
        "{} sets at 0.1 people, {} without the floor",
        coarse.rr_sets,
        fine.rr_sets
    );
}

/// Forward worlds count an audience of whole weights: the plan's estimate on worlds matches the
/// exact weighted reach (every live-edge world enumerated), for IC and LT; `auto` on a small
/// pool that reaches few of a large audience picks on worlds, and its pick is the exact weighted
/// best; an audience with a fractional weight stays on RR sets.
#[test]
fn forward_worlds_count_whole_audience_weights_exactly() {
    use seedplan::eval::exact::exact_spread_weighted;
    let (ic, _) = tricky_graph();
    let lt = tricky_lt_graph();
    // People of weight 0 (not in the audience), 1, 2 and 3; the isolated node 9 weighs 2.
    let w: Vec<u64> = vec![0, 1, 3, 0, 2, 1, 0, 2, 1, 2];
    let wf: Vec<f64> = w.iter().map(|&x| x as f64).collect();
    for (g, kind) in [
        (&ic, ModelKind::IndependentCascade),
        (&lt, ModelKind::LinearThreshold),
    ] {
        let m = Model::new(g, kind, ProbScheme::File, 1).unwrap();
        for seeds in [vec![0u32], vec![2, 6], vec![3, 5, 9], vec![4, 7]] {
            let exact = exact_spread_weighted(&m, &seeds, Some(&wf)).unwrap();
            let est = seedplan::plan::estimate_forward(&m, &seeds, Some(&w), 7, 0.002);
            let t = &est.total;
            assert!(
                t.ci95[0] - 1e-9 <= exact && exact <= t.ci95[1] + 1e-9,
                "{kind:?} {seeds:?}: exact {exact}, worlds {} {:?}",
                t.expected_reach,
                t.ci95
            );
            assert!(
                (t.expected_reach - exact).abs() <= 0.02 * exact.max(1.0),
                "{kind:?} {seeds:?}: exact {exact}, worlds {}",
                t.expected_reach
            );
            let last = *est.cumulative.last().unwrap();
            assert!((last - t.expected_reach).abs() < 1e-9);
        }
    }
    // A seed outside the audience that reaches its one member (weight 5) once in 5,000 worlds: a
    // pilot of 1,024 worlds may read 0 throughout, which is no proof of 0 (it stopped there).
    let g = Graph::from_edges(2, &[(0, 1)], Some(&[0.0002]));
    let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::File, 1).unwrap();
    let est = seedplan::plan::estimate_forward(&m, &[0], Some(&[0, 5]), 7, 0.005);
    assert!(est.samples >= 1 << 16, "{} worlds", est.samples);
    let t = &est.total;
    assert!(t.ci95[0] <= 0.001 && 0.001 <= t.ci95[1], "{:?}", t.ci95);
    // Six small cascades among 3,000 people of weight 1, the cascades' people weighing 0 to 3.
    let mut edges: Vec<(u32, u32)> = Vec::new();
    let mut probs: Vec<f32> = Vec::new();
    for c in 0..6u32 {
        let b = 4 * c;
        for (x, y, p) in [(0, 1, 0.6), (0, 2, 0.3), (1, 3, 1.0), (2, 3, 0.5)] {
            edges.push((b + x, b + y));
            probs.push(p);
        }
    }
    let g = Graph::from_edges(3000, &edges, Some(&probs));
    let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::File, 1).unwrap();
    let mut wf = vec![1.0f64; 3000];
    for (v, x) in wf.iter_mut().enumerate().take(24) {
        *x = ((v * 7) % 4) as f64;
    }
    let cands: Vec<bool> = (0..3000).map(|v| v < 24 && v % 4 == 0).collect();
    let best = (0..6u32)
        .map(|c| exact_spread_weighted(&m, &[4 * c], Some(&wf)).unwrap())
        .fold(0.0f64, f64::max);
    let pick = |weights: &[f64]| {
        let roots = RootSampler::weighted(weights);
        let ctx = SelectContext {
            model: &m,
            roots: &roots,
            candidates: Some(&cands),
            forced: &[],
            config: SelectConfig::new(1, 3),
            progress: &Silent,
        };
        Algorithm::Auto.selector().select(&ctx).unwrap()
    };
    let s = pick(&wf);
    assert!(s.worlds > 0, "whole weights go on worlds");
    let got = exact_spread_weighted(&m, &s.seeds, Some(&wf)).unwrap();
    assert!(
        got >= best - 1e-9,
        "picked {:?} ({got}), best {best}",
        s.seeds
    );
    let mut frac = wf.clone();
    frac[1] = 0.5;
    assert_eq!(
        pick(&frac).worlds,
        0,
        "a fractional weight stays on RR sets"
    );
}
