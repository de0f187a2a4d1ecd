//! Budgeted seeding: pick influencers under a budget and campaign rules, and prove how good the
//! plan is.
//!
//! 1. Sample RR sets by doubling, as OPIM-C does: R1 selects, R2 validates, until the certificate
//!    holds, R2 estimates reach to 1%, and the last doubling stopped paying (as `auto`).
//! 2. Cost-aware greedy on R1 ∪ R2 (`greedy.rs`): the primary optimizer.
//! 3. A 0/1 program on a reduced pool (greedy picks + best by coverage and by coverage per cost),
//!    warm-started from the greedy plan, with a node budget (`lp.rs`); the better plan is kept.
//!    One-for-one swaps then polish it on every set (`swap.rs`), and what it leaves of the
//!    budget buys more (`extend_plan`).
//! 4. Certificate: the tightest of the LP relaxation (solved when the model is small enough), its
//!    dual by subgradient descent over every candidate (`dual.rs`, no solver, any size) and the
//!    greedy's data-dependent bound bounds the best coverage; with the plan's reach measured on
//!    independent sets this gives "reaches >= X% of the best possible plan".

pub mod constraints;
pub mod dual;
pub mod greedy;
pub mod lp;
pub mod swap;

pub use constraints::{CategoryRule, Constraints, ConstraintsFile};
pub use greedy::{budget_greedy, budget_upper_bound, extend_plan, prune_plan, BudgetSelection};

use crate::diffusion::Model;
use crate::error::Result;
use crate::input::CostTable;
use crate::progress::Progress;
use crate::rng::Purpose;
use crate::rrset::{greedy_order, InvertedIndex, RootSampler, RrCollection};
use crate::select::{relative_bar, DEFAULT_EPSILON, DEFAULT_RESOLUTION, DEFAULT_TOLERANCE};
use serde::Serialize;

/// Parameters of the budgeted optimizer.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetConfig {
    /// ε of the sampling rule.
    pub epsilon: f64,
    /// Failure probability (default 1/n).
    pub delta: Option<f64>,
    /// Random seed.
    pub seed: u64,
    /// Convergence tolerance (see `auto`).
    pub tolerance: f64,
    /// Reach resolution of the stopping rules, in people (see `auto`).
    pub resolution: f64,
    /// Cap on RR sets per collection.
    pub max_rr_sets: Option<u64>,
    /// Candidates in the MIP's reduced pool.
    pub mip_pool: usize,
    /// MIP time limit, seconds.
    pub mip_seconds: f64,
    /// Largest LP relaxation attempted (merged rows).
    pub lp_max_rows: usize,
    /// Largest 0/1 program given to the MIP solver (merged rows); a larger one is solved on a
    /// prefix of the sets and its plan scored on them all (see `mip_on_prefix`).
    pub mip_max_rows: usize,
    /// Largest LP relaxation attempted (candidate columns).
    pub lp_max_cols: usize,
    /// Time, memory and interruption limits.
    #[serde(skip)]
    pub limits: crate::limits::Limits,
    /// A limit already stopped the sampling: the bound gets its least work. (Otherwise its
    /// work follows `mip_seconds` alone, so the certificate does not depend on the clock.)
    #[serde(skip)]
    pub hurry: bool,
}

impl BudgetConfig {
    /// Defaults.
    pub fn new(seed: u64) -> Self {
        BudgetConfig {
            epsilon: DEFAULT_EPSILON,
            delta: None,
            seed,
            tolerance: DEFAULT_TOLERANCE,
            resolution: DEFAULT_RESOLUTION,
            max_rr_sets: None,
            mip_pool: 30,
            mip_seconds: 10.0,
            lp_max_rows: 8_000,
            mip_max_rows: 2_500,
            lp_max_cols: 1_000,
            limits: crate::limits::Limits::none(),
            hurry: false,
        }
    }
}

/// The budgeted plan before reach estimation.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    /// Seeds in rank order (must-include first, then by marginal coverage).
    pub seeds: Vec<u32>,
    /// Spend.
    pub spent: f64,
    /// `greedy` or `mip`: which produced the final plan.
    pub method: String,
    /// The greedy variant that won among greedy plans.
    pub greedy_variant: String,
    /// Solver status of the MIP refinement.
    pub solver_status: String,
    /// Seconds in the solvers (MIP + LP).
    pub solver_seconds: f64,
    /// Coverage (sets, on the selection sample) of the greedy plan.
    pub greedy_coverage: u64,
    /// Coverage of the MIP plan, if it ran.
    pub mip_coverage: Option<f64>,
    /// LP relaxation bound on coverage, if the model was small enough.
    pub lp_bound: Option<f64>,
    /// The greedy's data-dependent bound on coverage.
    pub greedy_bound: f64,
    /// The LP-dual bound on coverage (`dual.rs`; never above `greedy_bound`).
    pub dual_bound: f64,
    /// Upper bound on the best possible (weighted) reach, with concentration slack.
    pub upper_bound: f64,
    /// RR sets sampled.
    pub rr_sets: u64,
    /// Peak RR bytes.
    pub rr_bytes: u64,
    /// Ids stored in the selection's RR sets.
    pub rr_ids: u64,
    /// Doubling rounds.
    pub rounds: u32,
    /// The limit that stopped sampling, if any.
    pub limit: Option<crate::limits::LimitHit>,
    /// How sampling stopped (as a cardinality plan's status says it).
    pub status: crate::select::SelectStatus,
    /// One-for-one swaps that raised the plan's coverage (`swap::improve`).
    pub swaps: usize,
    /// Seeds added to the greedy or MIP plan from what it left of the budget (`extend_plan`).
    pub extended: usize,
}

/// The plan when every account the rules allow can be bought at once: all of them, less those
/// another of them reaches for certain (they add no one; of two that reach each other the dearer
/// goes, as in [`prune_plan`]), if that keeps every rule (the budget, the seed cap, the
/// categories). No plan reaches more, since reach only grows with seeds, so nothing is sampled:
/// a budget buying all of 300 small accounts on soc-Slashdot0902 drew 65,536 forward worlds for
/// 11 s to pick them all. Listed must-includes first, then by followers (ties to the smaller
/// id), as a cardinality plan lists its `all_candidates`. `None` when some rule stops it. Also
/// the plan of must-includes that fill the seed cap (`forced`), the only plan there is.
pub fn take_all(
    model: &Model<'_>,
    roots: &RootSampler,
    costs: &CostTable,
    cons: &Constraints,
) -> Option<Allocation> {
    // Must-includes that fill the seed cap are the only plan there is: nothing to sample (a
    // weighted audience on RR sets drew 140M sets, 9 GB and 40 s on NetHEPT to return them).
    if !cons.include.is_empty() && cons.include.len() >= cons.max_seeds {
        let mut plan = cons.include.clone();
        plan.dedup();
        if cons.violation(costs, &plan).is_some() {
            return None;
        }
        return Some(Allocation {
            spent: crate::input::money(
                plan.iter().filter_map(|&v| costs.cost_of(v)).sum(),
                Some(cons.budget),
            ),
            seeds: plan,
            method: "forced".into(),
            solver_status: "none: the must-includes fill the seed cap".into(),
            status: crate::select::SelectStatus::Forced,
            ..nothing_sampled()
        });
    }
    // Under audience weights an account may reach no one who counts, and would be bought for
    // nothing (2,704 accounts bought, 879,568 spent, for a reach of 1 that one account costing
    // 21 gave): the optimizer, which buys only measured gain, decides there.
    if roots.weights().is_some() {
        return None;
    }
    let g = model.graph();
    let n = g.num_nodes();
    // Accounts priced above what the budget leaves beside the must-includes are in no plan:
    // counted, a plan that bought every account it could was certified at 90%, not as the best.
    let mut could = candidates(costs, cons, n);
    cons.include.iter().for_each(|&v| could[v as usize] = false);
    let mut rest: Vec<u32> = (0..n as u32).filter(|&v| could[v as usize]).collect();
    rest.sort_by_key(|&v| (std::cmp::Reverse(g.out_degree(v)), v));
    // A quick test first: only an account with an in-edge that fires for certain can be
    // pruned, so the others alone must fit the budget and the seed cap.
    let price = |v: u32| costs.cost_of(v).unwrap_or(0.0);
    let fixed: Vec<u32> = cons
        .include
        .iter()
        .chain(&rest)
        .copied()
        .filter(|&v| !greedy::has_certain_in_edge(model, v))
        .collect();
    if cons.budget_violation(costs, &fixed).is_some() {
        return None;
    }
    let mut plan: Vec<u32> = cons.include.clone();
    plan.extend(&rest);
    let mut kept = vec![false; n];
    plan.iter().for_each(|&v| kept[v as usize] = true);
    greedy::drop_certainly_reached(model, costs, cons, &plan, &mut kept);
    plan.retain(|&v| kept[v as usize]);
    if cons.violation(costs, &plan).is_some() {
        return None;
    }
    let spent = crate::input::money(plan.iter().map(|&v| price(v)).sum(), Some(cons.budget));
    Some(Allocation {
        seeds: plan,
        spent,
        method: "all_candidates".into(),
        solver_status: "none: every account the rules allow fits".into(),
        status: crate::select::SelectStatus::AllCandidates,
        ..nothing_sampled()
    })
}

/// An allocation of no seeds chosen without sampling, for [`take_all`] to fill in.
fn nothing_sampled() -> Allocation {
    Allocation {
        seeds: Vec::new(),
        spent: 0.0,
        method: String::new(),
        greedy_variant: String::new(),
        solver_status: String::new(),
        solver_seconds: 0.0,
        greedy_coverage: 0,
        mip_coverage: None,
        lp_bound: None,
        greedy_bound: 0.0,
        dual_bound: 0.0,
        // No bound is measured: the plan is the best there is (its certificate is 1.0).
        upper_bound: f64::NAN,
        rr_sets: 0,
        rr_bytes: 0,
        rr_ids: 0,
        rounds: 0,
        limit: None,
        status: crate::select::SelectStatus::AllCandidates,
        swaps: 0,
        extended: 0,
    }
}

/// Bounds and plans on one fixed collection (also what the tests check against brute force).
#[derive(Debug, Clone)]
pub struct OnSample {
    /// The greedy plan.
    pub greedy: BudgetSelection,
    /// The MIP plan's members and coverage, if solved.
    pub mip: Option<lp::Solved>,
    /// LP relaxation bound on the coverage of the first `lp_sets` sets, if solved.
    pub lp_bound: Option<f64>,
    /// Sets the LP was solved on (a prefix of the collection, itself a random sample; of a
    /// collection of distinct sets, all or none), as stored.
    pub lp_sets: u64,
    /// LP status message.
    pub lp_status: String,
    /// Greedy data-dependent bound.
    pub greedy_bound: f64,
    /// LP-dual bound by subgradient descent (`dual.rs`), never above `greedy_bound`.
    pub dual_bound: f64,
    /// Iterations the descent ran.
    pub dual_iterations: usize,
    /// Solver seconds.
    pub solver_seconds: f64,
}

/// The LP's columns: every allowed node in some set, and the nodes in none that a rule may
/// need: the must-includes (so their cost is spent) and, per category with a minimum, its
/// cheapest such members. Left out, they would force a minimum onto dearer members and the
/// LP's value below the optimum's coverage (a plan meeting its minimum with a free node that
/// covers nothing). Among members covering nothing the cheapest serve any rule best.
fn lp_columns(
    allowed: &[u32],
    index: &InvertedIndex,
    costs: &CostTable,
    cons: &Constraints,
    n: usize,
) -> Vec<u32> {
    let idle = |v: u32| index.sets_of(v).is_empty();
    let mut cols: Vec<u32> = allowed.to_vec();
    cols.extend(cons.include.iter().copied().filter(|&v| idle(v)));
    for (k, &(min, _, _)) in cons.category.iter().enumerate() {
        if min == 0 {
            continue;
        }
        let mut members: Vec<u32> = (0..n as u32)
            .filter(|&v| {
                idle(v)
                    && cons.allowed(costs, v)
                    && costs.category.get(v as usize).copied().flatten() == Some(k as u32)
            })
            .collect();
        members.sort_by(|&a, &b| {
            let c = |v: u32| costs.cost_of(v).unwrap_or(f64::INFINITY);
            c(a).total_cmp(&c(b)).then(a.cmp(&b))
        });
        cols.extend(members.into_iter().take(min));
    }
    cols.sort_unstable();
    cols.dedup();
    cols
}

/// Runs greedy, MIP refinement and bounds on a fixed collection.
pub fn optimize_on(
    coll: &RrCollection,
    n: usize,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
) -> OnSample {
    let index = InvertedIndex::build(coll, n);
    let greedy = budget_greedy(coll, &index, costs, cons, n, true);
    // Past a `--time-limit`, a large plan's bounds get the least work (no bound is still a valid
    // one) and its LP is skipped; the MIP keeps its own clock. A small plan's bounds cost little
    // and keep the certificate what the sample makes it.
    let late = cfg.limits.expired().is_some() && greedy.seeds.len() > greedy::GUESS_MAX_PLAN;
    let greedy_bound = if late {
        f64::INFINITY
    } else {
        budget_upper_bound(coll, &index, costs, cons, &greedy.seeds, n)
    };
    let t0 = std::time::Instant::now();
    let dual = dual::dual_bound(
        coll,
        &index,
        costs,
        cons,
        &greedy.seeds,
        n,
        // Work in proportion to the MIP's allowance, counted in id visits so the bound does not
        // depend on the machine: about a quarter of it, at most 2 s here (the demo market at
        // the default `--mip-seconds`), 0.5 s for each point of a curve.
        dual::Effort {
            iterations: 500,
            visits: ((if cfg.hurry || late {
                0.1
            } else {
                cfg.mip_seconds / 4.0
            })
            .clamp(0.1, 2.0)
                * 1.5e8) as u64,
        },
    );
    let dual_bound = dual.bound.min(greedy_bound);
    // Reduced pool: the greedy plan, then the best by coverage and by coverage per cost.
    let mut pool: Vec<u32> = greedy.seeds.clone();
    // Accounts priced above what the must-includes leave of the budget are in no plan: a pool
    // of hubs at 10,000 under a budget of 35 gave the MIP 148k distinct rows (15 s past a
    // `--mip-seconds 0.3`), and the LP columns it could never use.
    let inc_cost: f64 = cons.include.iter().filter_map(|&v| costs.cost_of(v)).sum();
    let fits = |v: u32| {
        cons.include.contains(&v)
            || costs
                .cost_of(v)
                .is_some_and(|c| c + inc_cost <= cons.budget + 1e-9)
    };
    let allowed: Vec<u32> = (0..n as u32)
        .filter(|&v| cons.allowed(costs, v) && fits(v) && !index.sets_of(v).is_empty())
        .collect();
    // Whether the LP runs is decided on every allowed candidate, affordable or not, as before
    // the filter: counting only the affordable ones put plans under the LP's size limit where
    // it took 1.8 s for the bound the dual already gave (email-Eu-core, 1,005 candidates).
    // RR sets keep only the accounts a plan could hold (`candidates`), so an account priced
    // above what the must-includes leave counts as held by some set, as it all but always was.
    let lp_size = (0..n as u32)
        .filter(|&v| cons.allowed(costs, v) && (!index.sets_of(v).is_empty() || !fits(v)))
        .count();
    let lp_cols = lp_columns(&allowed, &index, costs, cons, n);
    let alone = coll.counts(&index, n);
    let mut by_cov = allowed.clone();
    by_cov.sort_by_key(|&v| (std::cmp::Reverse(alone[v as usize]), v));
    let mut by_ratio = allowed.clone();
    by_ratio.sort_by(|&a, &b| {
        let r = |v: u32| alone[v as usize] as f64 / costs.cost_of(v).unwrap();
        r(b).total_cmp(&r(a)).then(a.cmp(&b))
    });
    let mut i = 0;
    while pool.len() < cfg.mip_pool.max(greedy.seeds.len()) && i < allowed.len() {
        for v in [by_cov[i], by_ratio[i]] {
            if pool.len() < cfg.mip_pool.max(greedy.seeds.len()) && !pool.contains(&v) {
                pool.push(v);
            }
        }
        i += 1;
    }
    for &v in &cons.include {
        if !pool.contains(&v) {
            pool.push(v);
        }
    }
    // Category minimums need their candidates in the pool too: the cheapest covering members
    // the pool lacks, and the cheapest members in no set (`lp_cols` has them), which may meet a
    // minimum best.
    for (k, rule) in cons.category.iter().enumerate() {
        if rule.0 > 0 {
            let in_pool = pool
                .iter()
                .filter(|&&v| costs.category.get(v as usize).copied().flatten() == Some(k as u32))
                .count();
            let idle: Vec<u32> = lp_cols
                .iter()
                .copied()
                .filter(|&v| {
                    index.sets_of(v).is_empty()
                        && costs.category.get(v as usize).copied().flatten() == Some(k as u32)
                        && !pool.contains(&v)
                })
                .collect();
            let mut extra: Vec<u32> = allowed
                .iter()
                .copied()
                .filter(|&v| {
                    costs.category.get(v as usize).copied().flatten() == Some(k as u32)
                        && !pool.contains(&v)
                })
                .collect();
            extra.sort_by(|&a, &b| {
                costs
                    .cost_of(a)
                    .unwrap()
                    .total_cmp(&costs.cost_of(b).unwrap())
            });
            pool.extend(extra.into_iter().take(rule.0.saturating_sub(in_pool)));
            pool.extend(idle);
        }
    }
    let mip = if greedy.seeds.len() <= cfg.mip_pool {
        let reduced = lp::reduce(coll, &pool, n);
        // The MIP's work follows `mip_seconds` (a node budget), as the dual's above does, so
        // the plan does not depend on the clock; a time limit the user gave still holds.
        let effort = lp::MipEffort {
            seconds: cfg.mip_seconds,
            clock: cfg.limits.remaining().map(|left| left.max(0.05)),
        };
        let m = if reduced.rows.len() > cfg.mip_max_rows && coll.weights().is_none() {
            lp::enumerate(&reduced, costs, cons).unwrap_or_else(|| {
                mip_on_prefix(
                    coll,
                    &reduced,
                    &pool,
                    n,
                    costs,
                    cons,
                    cfg,
                    &greedy.seeds,
                    &effort,
                )
            })
        } else {
            lp::mip(&reduced, costs, cons, &greedy.seeds, &effort)
        };
        Some(m)
    } else {
        Some(lp::Solved {
            objective: f64::NAN,
            chosen: Vec::new(),
            status: format!(
                "skipped: the greedy plan has {} seeds, more than the pool of {}",
                greedy.seeds.len(),
                cfg.mip_pool
            ),
        })
    };
    // The LP relaxation over all candidates, on the whole collection when its merged model is
    // small enough, else on a prefix (the sets are i.i.d., so a prefix is a random sample and
    // its LP value still bounds the optimum's coverage there).
    let lp_runs = lp_cols.len().max(lp_size) <= cfg.lp_max_cols;
    // (The clock again: the limit may have passed during the bounds or the MIP.)
    let lp_late =
        late || (cfg.limits.expired().is_some() && greedy.seeds.len() > greedy::GUESS_MAX_PLAN);
    let (lp_bound, lp_sets, lp_status) = if lp_runs && lp_late {
        (None, 0, "skipped: past the time limit".to_string())
    } else if lp_runs {
        let mut m = coll.len();
        loop {
            let (part, sets) = if m == coll.len() {
                (lp::reduce(coll, &lp_cols, n), coll.total_weight())
            } else {
                (lp::reduce_first(coll, m, &lp_cols, n), m as u64)
            };
            if part.rows.len() <= cfg.lp_max_rows {
                break match lp::lp_bound(&part, costs, cons) {
                    Ok(b) => (Some(b), m as u64, format!("optimal on {sets} sets")),
                    Err(e) => (None, 0, e),
                };
            }
            let next = (m as f64 * cfg.lp_max_rows as f64 / part.rows.len() as f64 * 0.9) as usize;
            // A prefix of distinct sets (forward worlds) is no sample: they come in order of
            // first sight, the common ones first.
            if next < 1000 || coll.weights().is_some() {
                break (None, 0, format!("skipped: {} merged rows", part.rows.len()));
            }
            m = next.min(m / 2);
        }
    } else {
        (
            None,
            0,
            format!("skipped: {} candidates", lp_cols.len().max(lp_size)),
        )
    };
    OnSample {
        greedy,
        mip,
        lp_bound,
        lp_sets,
        lp_status,
        greedy_bound,
        dual_bound,
        dual_iterations: dual.iterations,
        solver_seconds: t0.elapsed().as_secs_f64(),
    }
}

/// The 0/1 program of `reduced` (over `pool`, from `coll`) solved on a prefix of `coll`'s sets
/// that merges into at most `cfg.mip_max_rows` rows, its plan scored on every set. Over all
/// the rows microlp rarely finished: on the demo market `--budget 20000 -k 20` (9,646 rows)
/// spent its whole 10 s and kept the greedy's plan; on a prefix it is optimal in about a second
/// and its plan covers 2.6% more of every set. The sets are i.i.d., so a prefix is a random
/// sample of them; the plan must still beat the greedy's on them all.
#[allow(clippy::too_many_arguments)]
fn mip_on_prefix(
    coll: &RrCollection,
    reduced: &lp::Reduced,
    pool: &[u32],
    n: usize,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
    start: &[u32],
    effort: &lp::MipEffort,
) -> lp::Solved {
    let mut sets = coll.len();
    let mut rows = reduced.rows.len();
    let prefix = loop {
        sets = ((sets as f64 * cfg.mip_max_rows as f64 / rows as f64 * 0.9) as usize)
            .min(sets / 2)
            .max(1);
        let part = lp::reduce_first(coll, sets, pool, n);
        rows = part.rows.len();
        if rows <= cfg.mip_max_rows || sets == 1 {
            break part;
        }
    };
    let mut m = lp::solve(&prefix, costs, cons, start, effort);
    if !m.objective.is_nan() {
        m.objective = lp::covered_weight(reduced, &m.chosen);
    }
    m.status = format!("{} on {sets} of {} sets", m.status, coll.len());
    m
}

/// RR sets sampled for budgeted selection: the union of R1 and R2 once the doubling rule stops.
#[derive(Debug)]
pub struct BudgetSample {
    /// All selection and validation sets.
    pub sets: RrCollection,
    /// Concentration slack used by the bounds.
    pub a: f64,
    /// RR sets sampled.
    pub rr_sets: u64,
    /// Doubling rounds.
    pub rounds: u32,
    /// Peak RR bytes so far.
    pub peak_bytes: u64,
    /// The limit that stopped sampling, if any.
    pub limit: Option<crate::limits::LimitHit>,
    /// How sampling stopped.
    pub status: crate::select::SelectStatus,
    /// Forward worlds behind `sets` when they are a small pool's forward sets (see
    /// [`sample_forward`]): a seed set's reach is then its coverage divided by this, and the
    /// bounds are measured on those worlds. 0 for RR sets.
    pub worlds: u64,
    /// Forward worlds drawn, selection and validation (0 for RR sets).
    pub worlds_drawn: u64,
}

/// Samples by doubling until the rule in the module docs is met for `cons`.
pub fn sample(
    model: &Model<'_>,
    roots: &RootSampler,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
    progress: &dyn Progress,
) -> BudgetSample {
    let g = model.graph();
    let n = g.num_nodes();
    let pop = roots.population();
    let delta = cfg.delta.unwrap_or(1.0 / n.max(2) as f64);
    // Largest plan possible: the seed cap, what the budget buys at the cheapest prices, and the
    // candidates available.
    let mut prices: Vec<f64> = (0..n as u32)
        .filter(|&v| cons.allowed(costs, v))
        .filter_map(|v| costs.cost_of(v))
        .collect();
    prices.sort_by(f64::total_cmp);
    let mut room = cons.budget;
    let affordable = prices
        .iter()
        .take_while(|&&p| {
            room -= p;
            room >= -1e-9
        })
        .count();
    let k = affordable.min(cons.max_seeds).max(1);
    let (theta0, mut theta_max) = crate::select::budget_sizes(n, k, cfg.epsilon, delta);
    let user_capped = cfg.max_rr_sets.is_some_and(|cap| (cap as f64) < theta_max);
    if let Some(cap) = cfg.max_rr_sets {
        theta_max = theta_max.min(cap as f64);
    }
    let i_max = ((theta_max / theta0).log2().ceil() as u32).max(1);
    let a = (3.0 * i_max as f64 / delta).ln();
    // The budgeted greedy's a-priori guarantee is (1-1/e)/2 (better-of-two); the certificate
    // must clear it less ε.
    let target = (1.0 - 1.0 / std::f64::consts::E) / 2.0 - cfg.epsilon;

    // The sets keep only the accounts a plan could hold: every count the greedy, the bounds, the
    // LP and the MIP read is of those (an empty set is still a set drawn, covered by none).
    let keep = candidates(costs, cons, n);
    let mut r1 = RrCollection::new(cfg.seed, Purpose::RrSelect);
    let mut r2 = RrCollection::new(cfg.seed, Purpose::RrValidate);
    let mut theta = (theta0.ceil() as u64).min(theta_max as u64).max(1);
    let mut prev: Option<Vec<u32>> = None;
    let mut prev_alpha = f64::NEG_INFINITY;
    let limit;
    let status;
    let mut round = 0u32;
    let mut peak = 0u64;
    loop {
        round += 1;
        progress.begin("sampling RR sets", None);
        let mut hit = r1.extend_onto_limited(model, roots, theta, &cfg.limits, &keep);
        if hit.is_none() {
            hit = r2.extend_onto_limited(model, roots, theta, &cfg.limits, &keep);
        }
        progress.end();
        if r1.is_empty() || r2.is_empty() {
            // Stopped before anything was sampled: take a minimal sample so a plan exists.
            let none = crate::limits::Limits::none();
            r1.extend_onto_limited(model, roots, 1024, &none, &keep);
            r2.extend_onto_limited(model, roots, 1024, &none, &keep);
        }
        if let Some(h) = hit {
            // The round's greedy and bound would only decide whether to stop (3 s at the 82k
            // priced soc-Slashdot0902 accounts), and the plan is chosen again on every set.
            status = h.into();
            limit = hit;
            break;
        }
        let index = InvertedIndex::build(&r1, n);
        peak = peak.max(r1.bytes() + r2.bytes() + index.bytes());
        let sel = budget_greedy(&r1, &index, costs, cons, n, false);
        let ub = budget_upper_bound(&r1, &index, costs, cons, &sel.seeds, n);
        drop(index);
        let th = r1.len() as f64;
        let th2 = r2.len() as f64;
        let mut mask = vec![false; n];
        sel.seeds.iter().for_each(|&s| mask[s as usize] = true);
        let cov2 = r2.coverage(&mask) as f64;
        let lower = crate::select::lower_bound_reach(cov2, a, th2, pop);
        let upper = crate::select::upper_bound_reach(ub, a, th, pop);
        let alpha = if upper > 0.0 {
            (lower / upper).min(1.0)
        } else {
            1.0
        };
        let f = cov2 / th;
        let rse = if f > 0.0 {
            ((1.0 - f) / (f * th)).sqrt()
        } else {
            f64::INFINITY
        };
        let gain = match &prev {
            Some(p) => {
                let mut pm = vec![false; n];
                p.iter().for_each(|&s| pm[s as usize] = true);
                (cov2 - r2.coverage(&pm) as f64) / cov2.max(1.0)
            }
            None => f64::INFINITY,
        };
        progress.note(&format!(
            "round {round}: {theta} RR sets, certified {alpha:.3}, rse {rse:.4}, last gain {gain:.4}"
        ));
        let at_cap = round >= i_max || th >= theta_max;
        // The certificate must clear the a-priori guarantee, unless it has itself stopped
        // improving (its bound, not the plan, is then the limit). A bound-limited certificate
        // creeps up by 1-1.5% a doubling as the slack shrinks: at 1% a plan capped at 2 seeds on
        // the demo market sampled to its cap (9.4M sets, 1.1 GiB); at 2% it stops at 1.2M.
        let cert_ok = alpha >= target || (alpha - prev_alpha).abs() <= 0.02 * alpha;
        // Both bars stop at the reach resolution (see `DEFAULT_RESOLUTION`).
        let reach = cov2 / th2 * pop;
        let converged = rse <= relative_bar(0.01, cfg.resolution, reach)
            && gain <= relative_bar(cfg.tolerance, cfg.resolution, reach);
        let rule_stop = (cert_ok && converged) || at_cap;
        // What the next round would hold at its end: both collections doubled, and then the
        // final optimization's index over them all and the LP-dual's working arrays. Counting
        // only R1's index let a memory-limited plan end 3% past `--max-memory` (4.4 GB of RR
        // storage under 4G, soc-Slashdot0902 with an audience).
        let next_sets = 2 * (r1.len() + r2.len());
        let next_bytes = 2 * (r1.bytes() + r2.bytes())
            + 8 * (r1.total_ids() + r2.total_ids())
            + 8 * n as u64
            + dual::working_bytes(next_sets, n);
        if !rule_stop && hit.is_none() && !cfg.limits.fits(next_bytes) {
            hit = Some(crate::limits::LimitHit::Memory);
        }
        if rule_stop || hit.is_some() {
            use crate::select::SelectStatus as S;
            status = match hit {
                Some(h) => h.into(),
                None if cert_ok && converged => S::Converged,
                None if user_capped => S::SampleCap,
                None => S::SampleBound,
            };
            limit = hit;
            break;
        }
        prev_alpha = alpha;
        prev = Some(sel.seeds);
        theta = ((theta * 2) as f64).min(theta_max) as u64;
    }
    let rr_sets = (r1.len() + r2.len()) as u64;
    let _ = theta;
    r1.absorb(r2);
    BudgetSample {
        sets: r1,
        a,
        rr_sets,
        rounds: round,
        peak_bytes: peak,
        limit,
        status,
        worlds: 0,
        worlds_drawn: 0,
    }
}

/// The accounts a plan under `cons` could hold: the must-includes, and every account the rules
/// let in at a price that fits beside them in the budget.
fn candidates(costs: &CostTable, cons: &Constraints, n: usize) -> Vec<bool> {
    let inc_cost: f64 = cons.include.iter().filter_map(|&v| costs.cost_of(v)).sum();
    let mut keep: Vec<bool> = (0..n as u32)
        .map(|v| {
            cons.priced_and_in_category(costs, v)
                && costs
                    .cost_of(v)
                    .is_some_and(|c| c + inc_cost <= cons.budget + 1e-9)
        })
        .collect();
    cons.exclude.iter().for_each(|&v| keep[v as usize] = false);
    cons.include.iter().for_each(|&v| keep[v as usize] = true);
    keep
}

/// The pool a budgeted plan should be chosen from on forward worlds, if any: every account the
/// rules let in at a price that fits beside the must-includes, and the must-includes (see
/// `select::forward`). An account the budget cannot buy would only weigh in the pilot (under
/// `uniform:0.1`, one hub at 1,000 beside a budget of 2 sent a pool of three back to 5.7 GB of
/// RR sets).
pub fn forward_pool(
    model: &Model<'_>,
    roots: &RootSampler,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
) -> Option<Vec<u32>> {
    let n = model.graph().num_nodes() as u32;
    if cons.include.len() >= cons.max_seeds {
        // The must-includes fill the seed cap: no other account can join them.
        let mut pool = cons.include.clone();
        pool.sort_unstable();
        pool.dedup();
        return crate::select::forward::forward_pool(model, roots, cfg.seed, pool);
    }
    let keep = candidates(costs, cons, n as usize);
    let pool: Vec<u32> = (0..n).filter(|&v| keep[v as usize]).collect();
    crate::select::forward::forward_pool(model, roots, cfg.seed, pool)
}

/// The sample a budgeted plan is chosen on: forward worlds for a small pool that reaches few
/// people ([`forward_pool`], [`sample_forward`]; RR sets would mostly miss it), RR sets
/// ([`sample`]) otherwise. `BudgetSample::worlds` tells which.
pub fn sample_any(
    model: &Model<'_>,
    roots: &RootSampler,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
    progress: &dyn Progress,
) -> BudgetSample {
    match forward_pool(model, roots, costs, cons, cfg) {
        Some(pool) => {
            // `forward_pool` took it, so any audience weights are whole.
            let weights = crate::select::forward::whole_weights(roots).flatten();
            sample_forward(model, &pool, weights.as_deref(), costs, cons, cfg, progress)
        }
        None => sample(model, roots, costs, cons, cfg, progress),
    }
}

/// [`sample`] on forward worlds of `pool` (from [`forward_pool`]): a small pool that reaches few
/// people, which RR sets would mostly miss (a plan of two among three accounts on NetHEPT held
/// 3.5 GB of them). Worlds double until the budgeted greedy's plan, measured on as many
/// independent worlds, is known to 1% and gained at most the tolerance over the last round's
/// (paired on the same worlds, standard error at most half the tolerance). The sets are the
/// selection worlds' (`select::forward`); the bounds `allocate_on` computes on them are measured
/// on those worlds, not certified.
pub fn sample_forward(
    model: &Model<'_>,
    pool: &[u32],
    weights: Option<&[u64]>,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
    progress: &dyn Progress,
) -> BudgetSample {
    use crate::select::forward::{pool_is_certain, validate, Tally, Worlds, FIRST, MAX_WORLDS};
    use crate::select::SelectStatus as S;
    let n = model.graph().num_nodes();
    let pick = Worlds::new(model, cfg.seed, Purpose::Worlds).weighted(weights);
    let check = Worlds::new(model, cfg.seed, Purpose::WorldsValidate).weighted(weights);
    // Distinct sets with their weights: the same greedy, dual, LP and MIP results as every set
    // stored, on a fraction of the sets (NetHEPT's 60 small accounts: 6.4M sets stored, 6.3 s).
    let mut tally = Tally::new(n);
    let mut r = FIRST;
    let mut prev: Option<Vec<u32>> = None;
    let mut peak = 0u64;
    let mut round = 0u32;
    let certain = pool_is_certain(model, pool);
    progress.begin("forward worlds of the pool", None);
    pick.tally_sets(&mut tally, pool, 0..r);
    let mut sets = tally.collection(cfg.seed, Purpose::Worlds);
    let (status, limit) = loop {
        round += 1;
        let index = InvertedIndex::build(&sets, n);
        peak = peak.max(tally.bytes() + tally.node_bytes() + sets.bytes() + index.bytes());
        let sel = budget_greedy(&sets, &index, costs, cons, n, false);
        drop(index);
        let v = validate(&check, &sel.seeds, prev.as_deref(), r);
        if v.precise(r, certain, cfg.resolution) && v.converged(cfg.tolerance, cfg.resolution) {
            break (S::Converged, None);
        }
        if r >= MAX_WORLDS {
            break (S::SampleBound, None);
        }
        let mut hit = cfg.limits.expired();
        if hit.is_none()
            && !cfg.limits.fits(
                2 * (tally.bytes() + sets.bytes()) + 8 * sets.total_ids() + tally.node_bytes(),
            )
        {
            hit = Some(crate::limits::LimitHit::Memory);
        }
        if let Some(h) = hit {
            break (h.into(), Some(h));
        }
        prev = Some(sel.seeds);
        drop(sets);
        pick.tally_sets(&mut tally, pool, r..2 * r);
        sets = tally.collection(cfg.seed, Purpose::Worlds);
        r *= 2;
    };
    progress.end();
    BudgetSample {
        sets,
        a: 0.0,
        rr_sets: 0,
        rounds: round,
        peak_bytes: peak,
        limit,
        status,
        worlds: r,
        worlds_drawn: 2 * r,
    }
}

/// Greedy, MIP refinement and bound on a sample, for one set of rules.
pub fn allocate_on(
    model: &Model<'_>,
    s: &BudgetSample,
    n: usize,
    population: f64,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
) -> Allocation {
    let hurried;
    let cfg = if s.limit.is_some() && !cfg.hurry {
        hurried = BudgetConfig {
            hurry: true,
            ..cfg.clone()
        };
        &hurried
    } else {
        cfg
    };
    let on = optimize_on(&s.sets, n, costs, cons, cfg);
    let mip_plan = on
        .mip
        .as_ref()
        .filter(|m| !m.objective.is_nan() && cons.violation(costs, &m.chosen).is_none());
    let mip_cov = on.mip.as_ref().map(|m| m.objective).filter(|x| !x.is_nan());
    // The MIP's plan goes first when it covers more than the greedy's, as it did before swaps.
    let mut starts: Vec<(&[u32], &str)> = vec![(&on.greedy.seeds, "greedy")];
    if let Some(m) = mip_plan {
        let mip_first = m.objective > on.greedy.covered as f64 + 0.5;
        starts.insert(usize::from(!mip_first), (&m.chosen, "mip"));
    }
    let index = InvertedIndex::build(&s.sets, n);
    // Past a `--time-limit`, or after an interrupt, the polish below waits no longer for a large
    // plan: each start stands as it is (no extension, no swaps) and is pruned once. (82k priced
    // soc-Slashdot0902 accounts at `--budget 23501752` spent 8 s here after 7 s of greedies and
    // bounds.) The limit is then one the plan met, as when it cuts the sampling. A small plan's
    // polish costs little and is worth much (swaps added 10% reach to the demo's `--budget 8000
    // -k 15` when a 1 s limit cut its MIP), so it runs whole.
    let big = on.greedy.seeds.len() > greedy::GUESS_MAX_PLAN;
    let mut cut: Option<crate::limits::LimitHit> = None;
    let mut late = || {
        if big {
            cut = cut.or(cfg.limits.expired());
        }
        cut.is_some()
    };
    // Each start is extended by what it leaves of the budget, then swapped (what a swap frees
    // may buy more), and the plan covering most on the sets wins, ties to the first. Swaps from
    // the greedy's plan sometimes beat swaps from the MIP's, whose node budget cut it short:
    // `--budget 8000 -k 15` on the demo, 349.0 → 356.9 (`--seed 3`) and 352.1 → 361.5
    // (`--seed 2`); BENCHMARKS section 1.
    let mut best: Option<(Vec<u32>, Vec<u32>, swap::Swapped, &str)> = None;
    for (start, label) in starts {
        // Past the limit a start stands as it is (each keeps the rules; the greedy's is
        // maximal already).
        let extended = if late() {
            start.to_vec()
        } else {
            extend_plan(&s.sets, &index, costs, cons, n, start)
        };
        let swapped = if late() {
            swap::unchanged(&s.sets, n, &extended)
        } else {
            swap::improve(&s.sets, &index, costs, cons, n, &extended)
        };
        if best.as_ref().is_none_or(|b| swapped.covered > b.2.covered) {
            best = Some((start.to_vec(), extended, swapped, label));
        }
    }
    let (first, extended, swapped, method) = best.expect("the greedy's plan is a start");
    // Membership by mask: `contains` on plans of 82k seeds took seconds.
    let mask = |plan: &[u32]| {
        let mut m = vec![false; n];
        plan.iter().for_each(|&v| m[v as usize] = true);
        m
    };
    let in_extended = mask(&extended);
    let entered: Vec<u32> = swapped
        .seeds
        .iter()
        .copied()
        .filter(|&v| !in_extended[v as usize])
        .collect();
    let mut chosen = if swapped.swaps > 0 {
        extend_plan(&s.sets, &index, costs, cons, n, &swapped.seeds)
    } else {
        extended
    };
    // Seeds another seed reaches for certain go; what they cost may then buy measured gain,
    // which may in turn leave other seeds reached for certain (a few passes settle it: each
    // pass that changes the plan lowers its spend at the same reach, or raises its coverage).
    for pass in 0..4 {
        if (pass > 0 && late()) || crate::limits::interrupted() {
            break;
        }
        let pruned = prune_plan(model, &s.sets, &index, costs, cons, n, &chosen);
        if pruned.len() == chosen.len() {
            break;
        }
        // Past the limit what the pruned seeds cost stays unspent.
        chosen = if late() {
            pruned
        } else {
            extend_plan(&s.sets, &index, costs, cons, n, &pruned)
        };
    }
    // The seeds the plan holds beyond the greedy or MIP plan it grew from.
    let (in_first, in_entered) = (mask(&first), mask(&entered));
    let added = chosen
        .iter()
        .filter(|&&v| !in_first[v as usize] && !in_entered[v as usize])
        .count();
    debug_assert_eq!(cons.violation(costs, &chosen), None);
    // Rank: must-includes first, then greedy order by marginal coverage within the plan.
    let mut cand = vec![false; n];
    chosen.iter().for_each(|&v| cand[v as usize] = true);
    let ordered = if crate::limits::interrupted() {
        chosen.clone()
    } else {
        greedy_order(&s.sets, &index, n, chosen.len(), Some(&cand), &cons.include).seeds
    };
    let theta_all = s.sets.len() as f64;
    let (ub_greedy, ub_lp) = if s.worlds > 0 {
        // Forward worlds: coverage per world, on the worlds (an LP on a prefix of the sets
        // would end inside a world, so only a whole one counts).
        let w = s.worlds as f64;
        (
            on.greedy_bound.min(on.dual_bound) / w,
            on.lp_bound
                .filter(|_| on.lp_sets == s.sets.len() as u64)
                .map_or(f64::INFINITY, |l| l / w),
        )
    } else {
        (
            crate::select::upper_bound_reach(
                on.greedy_bound.min(on.dual_bound),
                s.a,
                theta_all,
                population,
            ),
            on.lp_bound
                .map(|l| crate::select::upper_bound_reach(l, s.a, on.lp_sets as f64, population))
                .unwrap_or(f64::INFINITY),
        )
    };
    let spent = crate::input::money(
        chosen.iter().filter_map(|&v| costs.cost_of(v)).sum(),
        Some(cons.budget),
    );
    // (Only a `--time-limit` that has passed: the `highs` build's clock also ends on
    // `--mip-seconds`, which is no limit the user met.)
    let mip_cut = on
        .mip
        .as_ref()
        .is_some_and(|m| m.status.starts_with("time limit"))
        && cfg.limits.expired() == Some(crate::limits::LimitHit::Time);
    Allocation {
        seeds: ordered,
        spent,
        method: method.to_string(),
        greedy_variant: on.greedy.method.to_string(),
        solver_status: match &on.mip {
            Some(m) => format!(
                "mip: {}; lp: {}; dual: {} iterations",
                m.status, on.lp_status, on.dual_iterations
            ),
            None => format!(
                "mip failed; lp {}; dual: {} iterations",
                on.lp_status, on.dual_iterations
            ),
        },
        solver_seconds: on.solver_seconds,
        greedy_coverage: on.greedy.covered,
        mip_coverage: mip_cov,
        lp_bound: on.lp_bound,
        greedy_bound: on.greedy_bound,
        dual_bound: on.dual_bound,
        // No plan reaches more than everyone.
        upper_bound: ub_greedy.min(ub_lp).min(population),
        rr_sets: s.rr_sets,
        rr_bytes: s
            .peak_bytes
            .max(s.sets.bytes() + index.bytes() + dual::working_bytes(s.sets.len(), n)),
        rr_ids: s.sets.total_ids(),
        rounds: s.rounds,
        // A `--time-limit` that cut the MIP short is a limit the plan met, as one that cut the
        // sampling is: scripts read it from `status` and `limit_hit` (the MIP's own status
        // alone said so before).
        limit: s
            .limit
            .or(mip_cut.then_some(crate::limits::LimitHit::Time))
            .or(cut),
        status: match (s.limit, mip_cut, cut) {
            (None, true, _) => crate::select::SelectStatus::TimeLimit,
            (None, false, Some(h)) => h.into(),
            _ => s.status,
        },
        extended: added,
        swaps: swapped.swaps,
    }
}

/// The whole budgeted optimizer: sampling (RR sets, or forward worlds for a small pool that
/// reaches few people), greedy, MIP refinement, bound.
pub fn allocate(
    model: &Model<'_>,
    roots: &RootSampler,
    costs: &CostTable,
    cons: &Constraints,
    cfg: &BudgetConfig,
    progress: &dyn Progress,
) -> Result<Allocation> {
    // Every allowed account fits: all of them, as in `seedplan plan`.
    if let Some(all) = take_all(model, roots, costs, cons) {
        return Ok(all);
    }
    // A small pool that reaches few people goes on forward worlds, as in `seedplan plan`.
    let s = sample_any(model, roots, costs, cons, cfg, progress);
    progress.begin("optimizing the budget allocation", None);
    let a = allocate_on(
        model,
        &s,
        model.graph().num_nodes(),
        roots.population(),
        costs,
        cons,
        cfg,
    );
    progress.end();
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `coll`'s distinct sets with how often each occurs, in order of first sight.
    fn distinct(coll: &RrCollection) -> RrCollection {
        let mut seen: std::collections::HashMap<Vec<u32>, usize> = Default::default();
        let mut sets: Vec<(Vec<u32>, u64)> = Vec::new();
        for set in coll.iter() {
            match seen.get(set) {
                Some(&i) => sets[i].1 += 1,
                None => {
                    seen.insert(set.to_vec(), sets.len());
                    sets.push((set.to_vec(), 1));
                }
            }
        }
        RrCollection::from_weighted(1, Purpose::Worlds, sets.iter().map(|(s, w)| (&s[..], *w)))
    }

    /// `m` arcs between `n` nodes from a xorshift stream started at `x`.
    fn random_graph(n: u32, m: usize, mut x: u64) -> crate::graph::Graph {
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as u32
        };
        let edges: Vec<(u32, u32)> = (0..m).map(|_| (next(), next())).collect();
        crate::graph::Graph::from_edges(n as usize, &edges, None)
    }

    fn uniform_ic(g: &crate::graph::Graph, p: f64) -> Model<'_> {
        use crate::diffusion::{ModelKind, ProbScheme};
        Model::new(g, ModelKind::IndependentCascade, ProbScheme::Uniform(p), 1).unwrap()
    }

    /// `optimize_on` on two collections that must plan alike: the same greedy, LP bound and MIP
    /// objective.
    fn optimize_alike(
        x: &RrCollection,
        y: &RrCollection,
        n: u32,
        costs: &CostTable,
        cons: &Constraints,
        what: &str,
    ) -> (OnSample, OnSample) {
        let cfg = BudgetConfig::new(1);
        let (a, b) = (
            optimize_on(x, n as usize, costs, cons, &cfg),
            optimize_on(y, n as usize, costs, cons, &cfg),
        );
        assert_eq!(a.greedy.seeds, b.greedy.seeds, "{what}");
        assert_eq!(a.greedy.gains, b.greedy.gains, "{what}");
        assert_eq!(a.greedy.method, b.greedy.method, "{what}");
        let (la, lb) = (a.lp_bound.unwrap(), b.lp_bound.unwrap());
        assert!((la - lb).abs() < 1e-6 * la, "{what}: LP {la} against {lb}");
        let (ma, mb) = (a.mip.as_ref().unwrap(), b.mip.as_ref().unwrap());
        assert!((ma.objective - mb.objective).abs() < 1e-6, "{what}");
        (a, b)
    }

    /// Distinct sets with weights stand for all their copies: every optimizer and count on
    /// them gives what it gives on every set stored (the dual may run further, as its work is
    /// counted in stored ids, and stays a bound).
    #[test]
    fn distinct_weighted_sets_plan_as_every_set_stored() {
        let n = 40u32;
        let g = random_graph(n, 160, 0x2545_f491_4f6c_dd1d);
        let m = uniform_ic(&g, 0.15);
        let mut coll = RrCollection::new(7, Purpose::RrSelect);
        coll.extend_to(&m, &RootSampler::uniform(n as usize), 4000);
        let weighted = distinct(&coll);
        assert!(
            weighted.len() * 2 < coll.len(),
            "{} distinct of {}",
            weighted.len(),
            coll.len()
        );
        assert_eq!(weighted.total_weight(), coll.len() as u64);
        let costs = CostTable {
            cost: (0..n).map(|v| Some(1.0 + (v * 7 % 5) as f64)).collect(),
            category: (0..n).map(|v| Some(v % 3)).collect(),
            categories: vec!["a".into(), "b".into(), "c".into()],
            priced: n as usize,
            ..Default::default()
        };
        let free = (0, usize::MAX, f64::INFINITY);
        for (budget, max_seeds, category) in [
            (9.0, usize::MAX, vec![free; 3]),
            (12.0, 4, vec![free; 3]),
            (
                10.0,
                5,
                vec![(1, usize::MAX, f64::INFINITY), (0, 1, f64::INFINITY), free],
            ),
        ] {
            let cons = Constraints {
                budget,
                max_seeds,
                include: vec![5],
                exclude: vec![6],
                category: category.clone(),
            };
            let what = format!("budget {budget}, cap {max_seeds}, rules {category:?}");
            let (a, b) = optimize_alike(&coll, &weighted, n, &costs, &cons, &what);
            assert!((a.greedy_bound - b.greedy_bound).abs() < 1e-6, "{what}");
            let ma = a.mip.as_ref().unwrap();
            for on in [&a, &b] {
                let cov = on.greedy.covered as f64;
                assert!(on.dual_bound >= cov.max(ma.objective) - 1e-6, "{what}");
            }
            // The same iterates (a weight stands for its copies, each with the same share),
            // more of them: the work is counted in stored ids.
            assert!(b.dual_bound <= a.dual_bound * (1.0 + 1e-6), "{what}");
            let (ia, ib) = (
                InvertedIndex::build(&coll, n as usize),
                InvertedIndex::build(&weighted, n as usize),
            );
            let plan = &a.greedy.seeds;
            let ext = |c: &RrCollection, ix: &InvertedIndex| {
                greedy::extend_plan(c, ix, &costs, &cons, n as usize, plan)
            };
            assert_eq!(ext(&coll, &ia), ext(&weighted, &ib), "{what}");
            let rank = |c: &RrCollection, ix: &InvertedIndex| {
                let g = crate::rrset::greedy_on_index(c, ix, n as usize, 6, None, &[5]);
                (g.seeds, g.gains, g.upper_bound)
            };
            assert_eq!(rank(&coll, &ia), rank(&weighted, &ib), "{what}");
            let mut mask = vec![false; n as usize];
            plan.iter().for_each(|&v| mask[v as usize] = true);
            assert_eq!(coll.coverage(&mask), weighted.coverage(&mask));
            assert_eq!(
                coll.first_hits(plan, n as usize),
                weighted.first_hits(plan, n as usize)
            );
        }
    }

    /// Sets that keep only the accounts a plan could hold (`candidates`) plan as the full sets:
    /// the same greedy, LP, MIP, extension and ranking. The seed cap's bound no longer counts
    /// accounts the budget cannot buy (it can only tighten); the dual's iterates change with
    /// them, and both results are bounds.
    #[test]
    fn sets_kept_to_the_candidates_plan_as_the_full_sets() {
        let n = 60u32;
        let g = random_graph(n, 260, 0x9e37_79b9_7f4a_7c15);
        let m = uniform_ic(&g, 0.2);
        // A third of the accounts unpriced, a few priced above every budget below.
        let costs = CostTable {
            cost: (0..n)
                .map(|v| match v % 3 {
                    0 => None,
                    _ if v % 11 == 1 => Some(50.0),
                    _ => Some(1.0 + (v * 7 % 5) as f64),
                })
                .collect(),
            category: (0..n).map(|v| Some(v % 2)).collect(),
            categories: vec!["a".into(), "b".into()],
            priced: (0..n).filter(|v| v % 3 != 0).count(),
            ..Default::default()
        };
        let roots = RootSampler::uniform(n as usize);
        let free = (0, usize::MAX, f64::INFINITY);
        for (budget, max_seeds, category) in [
            (9.0, usize::MAX, vec![free; 2]),
            (14.0, 4, vec![free; 2]),
            (10.0, 5, vec![(2, usize::MAX, f64::INFINITY), (0, 1, 6.0)]),
        ] {
            let cons = Constraints {
                budget,
                max_seeds,
                include: vec![3],
                exclude: vec![4],
                category: category.clone(),
            };
            let keep = candidates(&costs, &cons, n as usize);
            assert!(
                keep[3] && !keep[4] && !keep[0] && !keep[12],
                "include, exclude, unpriced, dear"
            );
            let mut full = RrCollection::new(7, Purpose::RrSelect);
            full.extend_to(&m, &roots, 3000);
            let mut kept = RrCollection::new(7, Purpose::RrSelect);
            let none = crate::limits::Limits::none();
            kept.extend_onto_limited(&m, &roots, 1000, &none, &keep);
            kept.extend_onto_limited(&m, &roots, 3000, &none, &keep);
            assert_eq!((kept.len(), kept.sampled()), (3000, 3000));
            for i in 0..3000 {
                let want: Vec<u32> = full
                    .set(i)
                    .iter()
                    .copied()
                    .filter(|&v| keep[v as usize])
                    .collect();
                assert_eq!(kept.set(i), &want[..], "set {i}");
            }
            assert!(
                kept.total_ids() * 5 < full.total_ids() * 4,
                "a third unpriced: fewer ids"
            );
            let what = format!("budget {budget}, cap {max_seeds}, rules {category:?}");
            let (a, b) = optimize_alike(&full, &kept, n, &costs, &cons, &what);
            // The seed cap's bound (the best marginal gains) no longer counts the accounts
            // the budget cannot buy: it can only tighten.
            assert!(b.greedy_bound <= a.greedy_bound + 1e-6, "{what}");
            let (ma, mb) = (a.mip.as_ref().unwrap(), b.mip.as_ref().unwrap());
            assert_eq!(ma.chosen, mb.chosen, "{what}");
            assert!(b.greedy_bound >= mb.objective.max(b.greedy.covered as f64) - 1e-6);
            // The dual's iterates differ (the dear accounts weigh in them on the full sets); both
            // are bounds.
            for on in [&a, &b] {
                assert!(on.dual_bound >= (on.greedy.covered as f64).max(mb.objective) - 1e-6);
            }
            let (ia, ib) = (
                InvertedIndex::build(&full, n as usize),
                InvertedIndex::build(&kept, n as usize),
            );
            let plan = &a.greedy.seeds;
            let ext = |c: &RrCollection, ix: &InvertedIndex| {
                greedy::extend_plan(c, ix, &costs, &cons, n as usize, plan)
            };
            assert_eq!(ext(&full, &ia), ext(&kept, &ib), "{what}");
            let cand: Vec<bool> = (0..n as usize).map(|v| keep[v] && v != 3).collect();
            let rank = |c: &RrCollection, ix: &InvertedIndex| {
                let g = crate::rrset::greedy_on_index(c, ix, n as usize, 4, Some(&cand), &[3]);
                (g.seeds, g.gains)
            };
            assert_eq!(rank(&full, &ia), rank(&kept, &ib), "{what}");
        }
    }

    #[test]
    fn the_lp_bound_holds_when_a_minimum_is_met_by_a_node_in_no_set() {
        // Node 0 (no category, cost 9) is in 100 sets, node 1 (category 0, cost 2) in one, node
        // 2 (category 0, cost 1) in none. Budget 10 and one seed of category 0 at least: the
        // best plan is {0, 2}, 100 sets. Without node 2 among its columns the LP had to meet the
        // minimum with node 1, leaving 8/9 of node 0: 89.9.
        let mut coll = RrCollection::new(1, Purpose::RrSelect);
        for _ in 0..100 {
            coll.push_set(&[0]);
        }
        coll.push_set(&[1]);
        let costs = CostTable {
            cost: vec![Some(9.0), Some(2.0), Some(1.0)],
            category: vec![None, Some(0), Some(0)],
            categories: vec!["a".into()],
            priced: 3,
            ..Default::default()
        };
        let cons = Constraints {
            budget: 10.0,
            max_seeds: 3,
            include: Vec::new(),
            exclude: Vec::new(),
            category: vec![(1, usize::MAX, f64::INFINITY)],
        };
        let on = optimize_on(&coll, 3, &costs, &cons, &BudgetConfig::new(1));
        let lp = on.lp_bound.expect("the LP solves");
        assert!(lp >= 100.0 - 1e-6, "LP bound {lp} below the optimum 100");
        assert!(on.greedy_bound >= 100.0 && on.dual_bound >= 100.0 - 1e-9);
        assert_eq!(on.greedy.covered as f64, 100.0);
        let mip = on.mip.expect("the MIP runs");
        assert_eq!((mip.objective, mip.chosen.as_slice()), (100.0, &[0, 2][..]));
    }
}
