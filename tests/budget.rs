//! Budgeted allocation: MIP against exhaustive search, bounds ordered LP >= MIP >= greedy, and
//! every constraint held in every plan (property tests over random instances).

mod common;

use common::random_graph;
use proptest::prelude::*;
use seedplan::budget::{
    allocate_on, budget_greedy, budget_upper_bound, extend_plan, optimize_on, prune_plan, take_all,
    BudgetConfig, BudgetSample, CategoryRule, Constraints, ConstraintsFile,
};
use seedplan::diffusion::{Model, ModelKind, ProbScheme};
use seedplan::graph::Graph;
use seedplan::input::CostTable;
use seedplan::rng::Purpose;
use seedplan::rrset::{InvertedIndex, RootSampler, RrCollection};

struct Instance {
    graph: Graph,
    costs: CostTable,
}

fn instance(n: u32, m: usize, seed: u64, priced: usize) -> Instance {
    let (e, p) = random_graph(n, m, seed);
    let graph = Graph::from_edges(n as usize, &e, Some(&p));
    let mut costs = CostTable {
        cost: vec![None; n as usize],
        category: vec![None; n as usize],
        categories: vec!["a".into(), "b".into(), "c".into()],
        ..Default::default()
    };
    let mut s = seed.wrapping_mul(31) | 1;
    for v in 0..priced.min(n as usize) {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        costs.cost[v] = Some(1.0 + ((s >> 33) % 20) as f64);
        costs.category[v] = Some(((s >> 20) % 3) as u32);
        costs.priced += 1;
    }
    Instance { graph, costs }
}

fn sample(inst: &Instance, sets: u64, seed: u64) -> RrCollection {
    let m = Model::new(
        &inst.graph,
        ModelKind::IndependentCascade,
        ProbScheme::File,
        1,
    )
    .unwrap();
    let mut c = RrCollection::new(seed, Purpose::RrSelect);
    c.extend_to(&m, &RootSampler::uniform(inst.graph.num_nodes()), sets);
    c
}

/// Best coverage over all subsets of the priced nodes that satisfy `cons` (exhaustive).
fn brute_force(coll: &RrCollection, inst: &Instance, cons: &Constraints) -> f64 {
    let n = inst.graph.num_nodes();
    let cands: Vec<u32> = (0..n as u32)
        .filter(|&v| cons.allowed(&inst.costs, v))
        .collect();
    assert!(cands.len() <= 14);
    let mut best = -1.0f64;
    for mask in 0u32..(1 << cands.len()) {
        let set: Vec<u32> = (0..cands.len())
            .filter(|i| mask >> i & 1 == 1)
            .map(|i| cands[i])
            .collect();
        if satisfies(&set, inst, cons).is_err() {
            continue;
        }
        let mut m = vec![false; n];
        set.iter().for_each(|&v| m[v as usize] = true);
        best = best.max(coll.coverage(&m) as f64);
    }
    best
}

fn satisfies(set: &[u32], inst: &Instance, cons: &Constraints) -> Result<(), String> {
    let costs = &inst.costs;
    let spend: f64 = set.iter().map(|&v| costs.cost_of(v).unwrap()).sum();
    if spend > cons.budget + 1e-9 {
        return Err(format!("spend {spend} > budget {}", cons.budget));
    }
    if set.len() > cons.max_seeds {
        return Err("too many seeds".into());
    }
    for &v in &cons.include {
        if !set.contains(&v) {
            return Err(format!("include {v} missing"));
        }
    }
    for &v in set {
        if cons.exclude.contains(&v) || costs.cost_of(v).is_none() {
            return Err(format!("{v} not allowed"));
        }
    }
    for (k, &(min, max, max_spend)) in cons.category.iter().enumerate() {
        let members: Vec<u32> = set
            .iter()
            .copied()
            .filter(|&v| costs.category[v as usize] == Some(k as u32))
            .collect();
        let s: f64 = members.iter().map(|&v| costs.cost_of(v).unwrap()).sum();
        if members.len() < min || members.len() > max || s > max_spend + 1e-9 {
            return Err(format!("category {k} rule broken"));
        }
    }
    let mut d = set.to_vec();
    d.sort();
    d.dedup();
    if d.len() != set.len() {
        return Err("repeated seed".into());
    }
    Ok(())
}

fn cfg() -> BudgetConfig {
    let mut c = BudgetConfig::new(1);
    c.mip_pool = 64;
    c.mip_seconds = 30.0;
    c
}

#[test]
fn mip_matches_exhaustive_optimum_and_bounds_are_ordered() {
    for seed in 0..6u64 {
        let inst = instance(30, 90, seed, 12);
        let coll = sample(&inst, 600, seed);
        let mut file = ConstraintsFile {
            budget: Some(25.0 + seed as f64 * 3.0),
            ..Default::default()
        };
        if seed % 2 == 1 {
            file.max_seeds = Some(3);
            file.category.insert(
                "a".into(),
                CategoryRule {
                    min_count: Some(1),
                    max_count: Some(2),
                    max_spend: None,
                },
            );
        }
        let Ok(cons) = Constraints::resolve(&file, &inst.graph, &inst.costs, "test") else {
            continue;
        };
        let n = inst.graph.num_nodes();
        let on = optimize_on(&coll, n, &inst.costs, &cons, &cfg());
        let opt = brute_force(&coll, &inst, &cons);
        let mip = on.mip.as_ref().expect("mip ran");
        assert_eq!(mip.status, "optimal", "seed {seed}");
        assert_eq!(mip.objective, opt, "seed {seed}: MIP vs exhaustive");
        satisfies(&mip.chosen, &inst, &cons).unwrap();
        let greedy = on.greedy.covered as f64;
        satisfies(&on.greedy.seeds, &inst, &cons).unwrap();
        let lp = on.lp_bound.expect("lp solved");
        assert!(
            lp + 1e-6 >= mip.objective,
            "seed {seed}: LP {lp} < MIP {}",
            mip.objective
        );
        assert!(mip.objective >= greedy, "seed {seed}: MIP below greedy");
        assert!(
            on.greedy_bound + 1e-9 >= opt,
            "seed {seed}: greedy bound below optimum"
        );
        // The LP-dual bound: valid (above the optimum and, by weak duality, above the LP that
        // keeps every rule), never looser than the greedy's, and near the LP it is the dual of.
        assert!(
            on.dual_bound + 1e-9 >= opt,
            "seed {seed}: dual below optimum"
        );
        // (The interior-point LP solves to a relative 1e-6 or so.)
        assert!(
            on.dual_bound >= lp * (1.0 - 1e-5),
            "seed {seed}: dual {} < LP {lp}",
            on.dual_bound
        );
        assert!(on.dual_bound <= on.greedy_bound);
        if seed % 2 == 0 {
            // Without category rules the dual is of this very LP: the descent must close most
            // of the gap the greedy bound leaves above it (it closes all of it here).
            assert!(
                on.dual_bound <= lp + 0.25 * (on.greedy_bound - lp) + 1e-6,
                "seed {seed}: dual {} far from LP {lp} (greedy bound {})",
                on.dual_bound,
                on.greedy_bound
            );
        }
        if seed % 2 == 0 {
            // Budget only: better-of-two greedy is 0.405-approximate (Tang et al. 2021).
            assert!(
                greedy >= 0.405 * opt,
                "seed {seed}: greedy {greedy} vs opt {opt}"
            );
        }
    }
}

#[test]
fn infeasible_rules_are_named() {
    let inst = instance(30, 90, 3, 12);
    let label = |v: u32| inst.graph.label(v).into_owned();
    let over = ConstraintsFile {
        budget: Some(1.0),
        include: vec![label(0), label(1)],
        ..Default::default()
    };
    let e = Constraints::resolve(&over, &inst.graph, &inst.costs, "rules.toml").unwrap_err();
    assert!(e.to_string().contains("must-include"), "{e}");
    assert_eq!(e.exit_code(), 2);
    let mut mins = ConstraintsFile {
        budget: Some(1000.0),
        max_seeds: Some(1),
        ..Default::default()
    };
    for c in ["a", "b"] {
        mins.category.insert(
            c.into(),
            CategoryRule {
                min_count: Some(1),
                ..Default::default()
            },
        );
    }
    let e = Constraints::resolve(&mins, &inst.graph, &inst.costs, "rules.toml").unwrap_err();
    assert!(e.to_string().contains("category minimums"), "{e}");
    let both = ConstraintsFile {
        budget: Some(100.0),
        include: vec![label(2)],
        exclude: vec![label(2)],
        ..Default::default()
    };
    let e = Constraints::resolve(&both, &inst.graph, &inst.costs, "rules.toml").unwrap_err();
    assert!(e.to_string().contains("both included and excluded"), "{e}");
    let unknown = ConstraintsFile {
        budget: Some(100.0),
        category: [("shoes".to_string(), CategoryRule::default())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let e = Constraints::resolve(&unknown, &inst.graph, &inst.costs, "rules.toml").unwrap_err();
    assert!(e.to_string().contains("'shoes'"), "{e}");
    let text = "budget = 20000\nmax_seeds = 3\ninclude = [\"x\"]\n[category.fashion]\nmin_count = 1\nmax_cout = 2\n";
    let e = ConstraintsFile::parse("rules.toml", text).unwrap_err();
    assert!(e.to_string().starts_with("rules.toml:6"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn every_plan_respects_every_rule(
        seed in 0u64..1000,
        budget in 5.0f64..80.0,
        max_seeds in 1usize..6,
        inc in proptest::option::of(0u32..12),
        exc in proptest::collection::vec(0u32..12, 0..3),
        min_a in 0usize..2,
        max_b in 0usize..3,
        spend_c in 5.0f64..60.0,
    ) {
        let inst = instance(25, 70, seed, 12);
        let label = |v: u32| inst.graph.label(v).into_owned();
        let mut file = ConstraintsFile {
            budget: Some(budget),
            max_seeds: Some(max_seeds),
            include: inc.iter().map(|&v| label(v)).collect(),
            exclude: exc.iter().filter(|&&v| Some(v) != inc).map(|&v| label(v)).collect(),
            ..Default::default()
        };
        file.category.insert("a".into(), CategoryRule { min_count: Some(min_a), ..Default::default() });
        file.category.insert("b".into(), CategoryRule { max_count: Some(max_b), ..Default::default() });
        file.category.insert("c".into(), CategoryRule { max_spend: Some(spend_c), ..Default::default() });
        let Ok(cons) = Constraints::resolve(&file, &inst.graph, &inst.costs, "p") else {
            return Ok(());
        };
        let coll = sample(&inst, 300, seed);
        let mut c = cfg();
        c.mip_seconds = 5.0;
        let on = optimize_on(&coll, inst.graph.num_nodes(), &inst.costs, &cons, &c);
        prop_assert!(satisfies(&on.greedy.seeds, &inst, &cons).is_ok(), "greedy: {:?}", satisfies(&on.greedy.seeds, &inst, &cons));
        let opt = brute_force(&coll, &inst, &cons);
        prop_assert!(on.dual_bound + 1e-9 >= opt, "dual {} < optimum {opt}", on.dual_bound);
        prop_assert!(on.dual_bound <= on.greedy_bound);
        if let Some(m) = &on.mip {
            if !m.objective.is_nan() {
                prop_assert!(satisfies(&m.chosen, &inst, &cons).is_ok(), "mip: {:?}", satisfies(&m.chosen, &inst, &cons));
                prop_assert!(m.objective >= on.greedy.covered as f64);
                if let Some(lp) = on.lp_bound {
                    prop_assert!(lp + 1e-6 >= m.objective);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    /// Swaps keep every rule and the must-includes, never lower coverage, and stop where no
    /// single swap that keeps the rules covers more beyond the sample's noise (checked against
    /// every such swap).
    #[test]
    fn swaps_keep_every_rule_and_end_at_a_local_optimum(
        seed in 0u64..1000,
        budget in 5.0f64..80.0,
        max_seeds in 1usize..6,
        inc in proptest::option::of(0u32..12),
        exc in proptest::collection::vec(0u32..12, 0..3),
        min_a in 0usize..2,
        max_b in 0usize..3,
        spend_c in 5.0f64..60.0,
    ) {
        use seedplan::budget::swap;
        let inst = instance(25, 70, seed, 12);
        let label = |v: u32| inst.graph.label(v).into_owned();
        let mut file = ConstraintsFile {
            budget: Some(budget),
            max_seeds: Some(max_seeds),
            include: inc.iter().map(|&v| label(v)).collect(),
            exclude: exc.iter().filter(|&&v| Some(v) != inc).map(|&v| label(v)).collect(),
            ..Default::default()
        };
        file.category.insert("a".into(), CategoryRule { min_count: Some(min_a), ..Default::default() });
        file.category.insert("b".into(), CategoryRule { max_count: Some(max_b), ..Default::default() });
        file.category.insert("c".into(), CategoryRule { max_spend: Some(spend_c), ..Default::default() });
        let Ok(cons) = Constraints::resolve(&file, &inst.graph, &inst.costs, "p") else {
            return Ok(());
        };
        let n = inst.graph.num_nodes();
        let coll = sample(&inst, 3000, seed);
        let index = InvertedIndex::build(&coll, n);
        // A plan that keeps the rules but was picked on 20 other sets, so that swaps have work.
        let few = sample(&inst, 20, seed + 1);
        let start = budget_greedy(&few, &InvertedIndex::build(&few, n), &inst.costs, &cons, n, true).seeds;
        prop_assume!(satisfies(&start, &inst, &cons).is_ok());
        let cover = |plan: &[u32]| {
            let mut m = vec![false; n];
            plan.iter().for_each(|&v| m[v as usize] = true);
            coll.coverage(&m)
        };
        let out = swap::improve(&coll, &index, &inst.costs, &cons, n, &start);
        prop_assert!(satisfies(&out.seeds, &inst, &cons).is_ok(), "{:?}", satisfies(&out.seeds, &inst, &cons));
        prop_assert_eq!(out.seeds.len(), start.len());
        prop_assert_eq!(out.covered, cover(&out.seeds));
        prop_assert!(out.covered >= cover(&start));
        prop_assert_eq!(out.swaps == 0, out.seeds == start);
        for slot in 0..out.seeds.len() {
            for c in (0..n as u32).filter(|&c| !out.seeds.contains(&c) && inst.costs.cost_of(c).is_some()) {
                let mut trial = out.seeds.clone();
                trial[slot] = c;
                if satisfies(&trial, &inst, &cons).is_ok() && cons.violation(&inst.costs, &trial).is_none() {
                    // The sets this swap gains and loses, against the plan.
                    let s = out.seeds[slot];
                    let (mut gained, mut lost) = (0u64, 0u64);
                    for set in coll.iter() {
                        let others = set.iter().any(|v| *v != s && out.seeds.contains(v));
                        if !others && set.contains(&c) && !set.contains(&s) {
                            gained += 1;
                        }
                        if !others && set.contains(&s) && !set.contains(&c) {
                            lost += 1;
                        }
                    }
                    prop_assert_eq!(cover(&trial) as i64 - out.covered as i64, gained as i64 - lost as i64);
                    prop_assert!(!swap::significant(gained, lost), "swap {s} -> {c}: +{gained} -{lost}");
                }
            }
        }
    }
}

/// The two exact solvers behind the MIP refinement agree: trying every plan (small seed caps)
/// and the 0/1 program (everything else), on the same pools, with and without category rules;
/// both satisfy every rule.
#[test]
fn enumeration_and_the_program_find_the_same_optimum() {
    use seedplan::budget::lp;
    for seed in 0..6u64 {
        let inst = instance(30, 90, seed, 12);
        let coll = sample(&inst, 600, seed);
        let mut file = ConstraintsFile {
            budget: Some(25.0 + seed as f64 * 3.0),
            max_seeds: Some(2 + seed as usize % 2),
            ..Default::default()
        };
        if seed % 2 == 1 {
            file.category.insert(
                "a".into(),
                CategoryRule {
                    min_count: Some(1),
                    max_count: Some(2),
                    max_spend: None,
                },
            );
        }
        let Ok(cons) = Constraints::resolve(&file, &inst.graph, &inst.costs, "test") else {
            continue;
        };
        let n = inst.graph.num_nodes();
        let pool: Vec<u32> = (0..n as u32)
            .filter(|&v| cons.allowed(&inst.costs, v))
            .collect();
        let r = lp::reduce(&coll, &pool, n);
        let by_enum = lp::enumerate(&r, &inst.costs, &cons).expect("small enough to enumerate");
        let effort = lp::MipEffort {
            seconds: 30.0,
            clock: None,
        };
        let by_program = lp::solve(&r, &inst.costs, &cons, &[], &effort);
        assert_eq!(by_program.status, "optimal", "seed {seed}");
        assert_eq!(by_enum.objective, by_program.objective, "seed {seed}");
        assert_eq!(
            by_enum.objective,
            brute_force(&coll, &inst, &cons),
            "seed {seed}"
        );
        satisfies(&by_enum.chosen, &inst, &cons).unwrap();
        satisfies(&by_program.chosen, &inst, &cons).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// `resolve` refuses rules exactly when no plan can keep them (checked over every subset of
    /// the priced accounts), and when it accepts them the greedy plan, and that plan grown with
    /// what it leaves of the budget, keep every rule. Minimums together with a category's
    /// `max_spend` or a `max_count` of 0 used to be accepted when impossible and broken when not.
    #[test]
    fn rules_are_refused_exactly_when_impossible(
        seed in 0u64..1000,
        budget in 3.0f64..60.0,
        max_seeds in 1usize..5,
        inc in proptest::option::of(0u32..12),
        min_a in 0usize..3,
        spend_a in proptest::option::of(2.0f64..30.0),
        (min_b, max_b) in (0usize..2, 0usize..3).prop_filter("min <= max", |(a, b)| a <= b),
        spend_c in proptest::option::of(1.0f64..20.0),
    ) {
        let inst = instance(25, 70, seed, 12);
        let label = |v: u32| inst.graph.label(v).into_owned();
        let mut file = ConstraintsFile {
            budget: Some(budget),
            max_seeds: Some(max_seeds),
            include: inc.iter().map(|&v| label(v)).collect(),
            ..Default::default()
        };
        let rules = [
            (min_a, usize::MAX, spend_a.unwrap_or(f64::INFINITY)),
            (min_b, max_b, f64::INFINITY),
            (0, usize::MAX, spend_c.unwrap_or(f64::INFINITY)),
        ];
        for (name, r) in ["a", "b", "c"].iter().zip(rules) {
            file.category.insert(
                name.to_string(),
                CategoryRule {
                    min_count: Some(r.0),
                    max_count: (r.1 != usize::MAX).then_some(r.1),
                    max_spend: r.2.is_finite().then_some(r.2),
                },
            );
        }
        let raw = Constraints {
            budget,
            max_seeds,
            include: inc.into_iter().collect(),
            exclude: Vec::new(),
            category: rules.to_vec(),
        };
        let priced: Vec<u32> = (0..12).collect();
        // A plan of no seed keeps rules without minimums, but is no plan: `resolve` refuses a
        // budget below every price.
        let possible = (1u32..1 << priced.len()).any(|mask| {
            let set: Vec<u32> = priced.iter().copied().filter(|&v| mask >> v & 1 == 1).collect();
            satisfies(&set, &inst, &raw).is_ok()
        });
        match Constraints::resolve(&file, &inst.graph, &inst.costs, "p") {
            Err(e) => prop_assert!(!possible, "refused, yet some plan keeps the rules: {e}"),
            Ok(cons) => {
                prop_assert!(possible, "accepted, yet no plan keeps the rules");
                let coll = sample(&inst, 300, seed);
                let n = inst.graph.num_nodes();
                let mut c = cfg();
                c.mip_seconds = 2.0;
                let on = optimize_on(&coll, n, &inst.costs, &cons, &c);
                prop_assert!(satisfies(&on.greedy.seeds, &inst, &cons).is_ok(), "greedy {:?}", on.greedy.seeds);
                let index = InvertedIndex::build(&coll, n);
                let grown = extend_plan(&coll, &index, &inst.costs, &cons, n, &on.greedy.seeds);
                prop_assert!(satisfies(&grown, &inst, &cons).is_ok(), "grown {grown:?}");
                prop_assert!(grown.starts_with(&on.greedy.seeds));
                prop_assert_eq!(cons.violation(&inst.costs, &grown), None);
                // The plan a user gets: the greedy or the MIP, grown, ranked.
                let s = BudgetSample {
                    sets: coll.clone(),
                    a: 10.0,
                    rr_sets: coll.len() as u64,
                    rounds: 1,
                    peak_bytes: 0,
                    limit: None,
                    status: seedplan::select::SelectStatus::Converged,
                    worlds: 0,
                    worlds_drawn: 0,
                };
                let m = Model::new(&inst.graph, ModelKind::IndependentCascade, ProbScheme::File, 1)
                    .unwrap();
                let al = allocate_on(&m, &s, n, n as f64, &inst.costs, &cons, &c);
                prop_assert!(satisfies(&al.seeds, &inst, &cons).is_ok(), "allocated {:?}", al.seeds);
                prop_assert!(al.upper_bound <= n as f64 + 1e-9);
                // It covers at least what the greedy's plan and the MIP's (when it keeps the
                // rules) cover: each is a start that extending and swapping only improve.
                let cover = |plan: &[u32]| {
                    let mut m = vec![false; n];
                    plan.iter().for_each(|&v| m[v as usize] = true);
                    coll.coverage(&m)
                };
                prop_assert!(cover(&al.seeds) >= cover(&on.greedy.seeds));
                if let Some(mip) = on.mip.as_ref().filter(|m| satisfies(&m.chosen, &inst, &cons).is_ok()) {
                    prop_assert!(cover(&al.seeds) >= cover(&mip.chosen), "below the MIP's plan");
                }
            }
        }
    }
}

/// Of two seeds that reach each other for certain (a 2-cycle under WC), the cheaper stays,
/// whichever the greedy ranks first; a seed reached for certain one way goes, whatever its
/// price.
#[test]
fn pruning_keeps_the_cheaper_of_a_certain_pair() {
    // 0 <-> 1 (each the other's only in-edge), 2 -> 3 (3's only in-edge), 4 alone.
    let graph = Graph::from_edges(5, &[(0, 1), (1, 0), (2, 3)], None);
    let m = Model::new(
        &graph,
        ModelKind::IndependentCascade,
        ProbScheme::WeightedCascade,
        1,
    )
    .unwrap();
    let n = 5;
    let mut coll = RrCollection::new(4, Purpose::RrSelect);
    coll.extend_to(&m, &RootSampler::uniform(n), 500);
    let index = InvertedIndex::build(&coll, n);
    let cons = Constraints {
        budget: 100.0,
        max_seeds: usize::MAX,
        include: Vec::new(),
        exclude: Vec::new(),
        category: Vec::new(),
    };
    for (c0, c1, kept) in [(5.0, 3.0, 1), (3.0, 5.0, 0), (4.0, 4.0, 0)] {
        let costs = CostTable {
            cost: vec![Some(c0), Some(c1), Some(9.0), Some(1.0), Some(1.0)],
            category: vec![None; n],
            categories: vec![],
            priced: n,
            ..Default::default()
        };
        let mut pruned = prune_plan(&m, &coll, &index, &costs, &cons, n, &[0, 1, 2, 3, 4]);
        pruned.sort_unstable();
        assert_eq!(pruned, vec![kept, 2, 4], "prices {c0} and {c1}");
    }
}

/// What a plan leaves is spent by the cost-benefit greedy on what still gains sampled sets, and
/// not on accounts without a sampled gain: on a star under WC the hub reaches every leaf for
/// certain, and a budget that buys the hub and a hundred leaves buys the hub alone.
#[test]
fn leftover_budget_buys_measured_gain_only() {
    let mut edges: Vec<(u32, u32)> = (1..=300).map(|v| (0, v)).collect();
    edges.push((301, 302));
    let graph = Graph::from_edges(303, &edges, None);
    let m = Model::new(
        &graph,
        ModelKind::IndependentCascade,
        ProbScheme::WeightedCascade,
        1,
    )
    .unwrap();
    let mut coll = RrCollection::new(4, Purpose::RrSelect);
    coll.extend_to(&m, &RootSampler::uniform(303), 400);
    let n = 303;
    let mut costs = CostTable {
        cost: vec![Some(1.0); n],
        category: vec![None; n],
        categories: vec![],
        priced: n,
        ..Default::default()
    };
    costs.cost[0] = Some(100.0);
    let cons = Constraints {
        budget: 200.0,
        max_seeds: usize::MAX,
        include: Vec::new(),
        exclude: Vec::new(),
        category: Vec::new(),
    };
    let index = InvertedIndex::build(&coll, n);
    // From the hub alone: 301 (covered by nothing) still gains; no leaf does.
    let grown = extend_plan(&coll, &index, &costs, &cons, n, &[0]);
    assert!(grown.contains(&301) || index.sets_of(301).is_empty());
    assert!(
        grown.iter().all(|&v| v == 0 || v > 300),
        "a leaf the hub reaches for certain was bought: {grown:?}"
    );
    // A seed cap holds.
    let capped = Constraints {
        max_seeds: 1,
        ..cons
    };
    assert_eq!(
        extend_plan(&coll, &index, &costs, &capped, n, &[0]),
        vec![0]
    );
}

/// The greedy variants and the dual's passes run in parallel: the plan and every bound must be
/// the same bits on 1 and 2 threads. (The dual's blocks are chosen by the data, and its sums of
/// f32 shares are exact in f64 here, so this checks the whole optimizer, not the block order.)
#[test]
fn budgeted_optimizer_is_the_same_on_one_and_two_threads() {
    let inst = instance(300, 450, 7, 120);
    let coll = sample(&inst, 30_000, 7);
    let n = inst.graph.num_nodes();
    let mut c = cfg();
    c.mip_seconds = 0.2;
    c.lp_max_cols = 0;
    // A budget alone (guess-one greedies), then a seed cap too (the coverage and blended
    // greedies as well).
    for max_seeds in [None, Some(4)] {
        let file = ConstraintsFile {
            budget: Some(40.0),
            max_seeds,
            ..Default::default()
        };
        let cons = Constraints::resolve(&file, &inst.graph, &inst.costs, "test").unwrap();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| optimize_on(&coll, n, &inst.costs, &cons, &c))
        };
        let (one, two) = (run(1), run(2));
        assert!(one.dual_iterations > 1, "the descent ran");
        assert_eq!(one.greedy.seeds, two.greedy.seeds);
        assert_eq!(one.greedy.method, two.greedy.method);
        assert_eq!(one.dual_bound.to_bits(), two.dual_bound.to_bits());
        assert_eq!(one.greedy_bound.to_bits(), two.greedy_bound.to_bits());
    }
}

/// The greedy's bound, taken after every prefix of the plan, keeps its candidates in order by
/// re-keying only what a pick changed: it must equal the bound written out with a full sort at
/// every prefix, bit for bit (with and without a seed cap and must-includes).
#[test]
fn prefix_bound_matches_a_full_sort_at_every_prefix() {
    for seed in 0..8u64 {
        let inst = instance(150, 320, seed, 100);
        let coll = sample(&inst, 4000, seed);
        let n = inst.graph.num_nodes();
        let label = |v: u32| inst.graph.label(v).into_owned();
        let file = ConstraintsFile {
            budget: Some(30.0 + 10.0 * seed as f64),
            max_seeds: (seed % 2 == 1).then_some(6),
            include: if seed % 4 >= 2 {
                vec![label(3)]
            } else {
                Vec::new()
            },
            ..Default::default()
        };
        let cons = Constraints::resolve(&file, &inst.graph, &inst.costs, "test").unwrap();
        let index = InvertedIndex::build(&coll, n);
        let plan = budget_greedy(&coll, &index, &inst.costs, &cons, n, false).seeds;
        assert!(plan.len() >= 3, "seed {seed}: a plan of several picks");
        let got = budget_upper_bound(&coll, &index, &inst.costs, &cons, &plan, n);

        let cost = |v: u32| inst.costs.cost_of(v).unwrap();
        let mut count = coll.counts(&index, n);
        let mut covered_set = vec![false; coll.len()];
        let mut covered = 0u64;
        let mut chosen = vec![false; n];
        let cap = cons.budget + 1e-9 - cons.include.iter().map(|&v| cost(v)).sum::<f64>();
        let mut want = f64::INFINITY;
        let picks: Vec<u32> = plan
            .iter()
            .copied()
            .filter(|v| !cons.include.contains(v))
            .collect();
        // The bound after the must-includes (all of them, or none), then after each pick.
        let steps = std::iter::once(cons.include.clone()).chain(picks.iter().map(|&v| vec![v]));
        for step in steps {
            for v in step {
                chosen[v as usize] = true;
                for &s in index.sets_of(v) {
                    if !covered_set[s as usize] {
                        covered_set[s as usize] = true;
                        covered += 1;
                        for &w in coll.set(s as usize) {
                            count[w as usize] -= 1;
                        }
                    }
                }
            }
            let mut items: Vec<u32> = (0..n as u32)
                .filter(|&w| count[w as usize] > 0 && !chosen[w as usize])
                .filter(|&w| cons.allowed(&inst.costs, w))
                .collect();
            let ratio = |w: u32| count[w as usize] as f64 / cost(w);
            items.sort_by(|&a, &b| ratio(b).total_cmp(&ratio(a)));
            let (mut room, mut total) = (cap, 0.0);
            for w in items {
                if room <= 0.0 {
                    break;
                }
                let (g, c) = (count[w as usize] as f64, cost(w));
                if c <= room {
                    total += g;
                    room -= c;
                } else {
                    total += g * room / c;
                    room = 0.0;
                }
            }
            let slots = cons.max_seeds.saturating_sub(cons.include.len());
            if slots < n {
                let mut gains: Vec<u64> = (0..n as u32)
                    .filter(|&w| !chosen[w as usize] && cons.allowed(&inst.costs, w))
                    .map(|w| count[w as usize])
                    .collect();
                gains.sort_unstable_by(|a, b| b.cmp(a));
                gains.truncate(slots);
                total = total.min(gains.iter().map(|&g| g as f64).sum());
            }
            want = want.min(covered as f64 + total);
        }
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "seed {seed}: {got} vs {want}"
        );
    }
}

/// A 0/1 program over more merged rows than `mip_max_rows` is solved on a prefix of the sets
/// (microlp checks its time limit only every thousand pivots, and pivots grow with the rows),
/// and the coverage it reports is its plan's on every set, to be compared with the greedy's.
#[test]
fn a_large_program_is_solved_on_a_prefix_and_scored_on_every_set() {
    let inst = instance(300, 450, 7, 120);
    let coll = sample(&inst, 30_000, 7);
    let n = inst.graph.num_nodes();
    let file = ConstraintsFile {
        budget: Some(40.0),
        max_seeds: Some(5),
        ..Default::default()
    };
    let cons = Constraints::resolve(&file, &inst.graph, &inst.costs, "test").unwrap();
    let mut c = cfg();
    c.mip_seconds = 5.0;
    c.lp_max_cols = 0;
    let whole = optimize_on(&coll, n, &inst.costs, &cons, &c);
    // The greedy's picks alone, a part of the program's pool, merge into more rows than this.
    let rows = seedplan::budget::lp::reduce(&coll, &whole.greedy.seeds, n)
        .rows
        .len();
    c.mip_max_rows = 8;
    assert!(rows > c.mip_max_rows, "{rows} merged rows");
    let on = optimize_on(&coll, n, &inst.costs, &cons, &c);
    let mip = on.mip.expect("the program ran");
    assert!(mip.status.ends_with("of 30000 sets"), "{}", mip.status);
    // On a prefix of at most half the sets, small enough for the cap.
    let used: usize = mip
        .status
        .split(" on ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(used <= 15_000, "{}", mip.status);
    let pool_rows = seedplan::budget::lp::reduce(&coll.prefix(used), &mip.chosen, n)
        .rows
        .len();
    assert!(
        pool_rows <= c.mip_max_rows,
        "{pool_rows} rows over the chosen plan alone"
    );
    let mut mask = vec![false; n];
    mip.chosen.iter().for_each(|&v| mask[v as usize] = true);
    assert_eq!(mip.objective, coll.coverage(&mask) as f64);
    satisfies(&mip.chosen, &inst, &cons).unwrap();
    // The greedy and the bounds do not depend on how the program was solved.
    assert_eq!(on.greedy.seeds, whole.greedy.seeds);
    assert_eq!(on.dual_bound.to_bits(), whole.dual_bound.to_bits());
}

/// A budget that buys every account the rules allow takes them all, nothing sampled, less those
/// another reaches for certain (of a certain pair the cheaper stays); a rule that all of them
/// would break (the budget, the seed cap, a category's count or spend) leaves it to the
/// optimizer, and must-includes lead the list.
#[test]
fn a_budget_that_buys_everyone_takes_everyone_it_needs() {
    // 0 <-> 1 (each the other's only in-edge), 2 -> 3 (3's only in-edge), 4 alone, 5 -> 6 and
    // 7 -> 6 (6 has two in-edges: nobody reaches it for certain).
    let graph = Graph::from_edges(8, &[(0, 1), (1, 0), (2, 3), (5, 6), (7, 6)], None);
    let m = Model::new(
        &graph,
        ModelKind::IndependentCascade,
        ProbScheme::WeightedCascade,
        1,
    )
    .unwrap();
    let n = 8;
    let roots = RootSampler::uniform(n);
    let mut costs = CostTable {
        cost: vec![
            Some(5.0),
            Some(3.0),
            Some(9.0),
            Some(1.0),
            Some(1.0),
            Some(2.0),
            Some(2.0),
            None,
        ],
        category: vec![None; n],
        categories: vec![],
        priced: n - 1,
        ..Default::default()
    };
    let open = Constraints {
        budget: 100.0,
        max_seeds: usize::MAX,
        include: Vec::new(),
        exclude: Vec::new(),
        category: Vec::new(),
    };
    let all = take_all(&m, &roots, &costs, &open).expect("everyone fits");
    let mut got = all.seeds.clone();
    got.sort_unstable();
    // 0 goes (dearer than 1, which reaches it for certain), 3 goes (2 reaches it), 7 is unpriced.
    assert_eq!(got, vec![1, 2, 4, 5, 6]);
    assert_eq!(all.spent, 3.0 + 9.0 + 1.0 + 2.0 + 2.0);
    assert_eq!(all.status, seedplan::select::SelectStatus::AllCandidates);
    assert_eq!(all.rr_sets, 0);
    // Must-includes first; an excluded account is not bought.
    let ruled = Constraints {
        include: vec![4],
        exclude: vec![6],
        ..open.clone()
    };
    let all = take_all(&m, &roots, &costs, &ruled).unwrap();
    assert_eq!(all.seeds[0], 4);
    assert!(!all.seeds.contains(&6));
    // The budget, exactly met, takes them all; a cent less does not; nor does a seed cap of 4.
    let exact = Constraints {
        budget: 17.0,
        ..open.clone()
    };
    assert!(take_all(&m, &roots, &costs, &exact).is_some());
    let short = Constraints {
        budget: 16.99,
        ..open.clone()
    };
    assert!(take_all(&m, &roots, &costs, &short).is_none());
    let capped = Constraints {
        max_seeds: 4,
        ..open.clone()
    };
    assert!(take_all(&m, &roots, &costs, &capped).is_none());
    // A category that may hold one of its two members: not everyone.
    costs.categories = vec!["a".into()];
    costs.category[5] = Some(0);
    costs.category[6] = Some(0);
    let one_of_a = Constraints {
        category: vec![(0, 1, f64::INFINITY)],
        ..open.clone()
    };
    assert!(take_all(&m, &roots, &costs, &one_of_a).is_none());
    // A category that may hold two of its three members, 0 among them: the pruning of 0
    // (reached for certain from 1) brings it within, so everyone it needs is taken.
    costs.category[0] = Some(0);
    costs.category[1] = None;
    let two_of_a = Constraints {
        category: vec![(0, 2, f64::INFINITY)],
        ..open.clone()
    };
    let all = take_all(&m, &roots, &costs, &two_of_a).expect("the pruned plan keeps the rule");
    assert!(!all.seeds.contains(&0));
    // ...but not below a minimum: with at least three of them, 0 stays.
    let three_of_a = Constraints {
        category: vec![(3, 3, f64::INFINITY)],
        ..open.clone()
    };
    let all = take_all(&m, &roots, &costs, &three_of_a).expect("all three are allowed");
    assert!(all.seeds.contains(&0));
    // Audience weights: an account may reach no one who counts; the optimizer decides.
    let weighted = RootSampler::weighted(&[1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    assert!(take_all(&m, &weighted, &costs, &open).is_none());
}
