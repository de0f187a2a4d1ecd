//! The seeding plan: ranked seeds with marginal and cumulative expected reach, and the summary a
//! user needs to trust and reproduce it. One model, several writers (`write.rs`).
//!
//! The reach figures come from RR sets drawn on their own stream (`RrEstimate`), independent of
//! the sets any algorithm used to select, so the estimate is unbiased for the chosen seeds (the
//! pitfall of D-SSA, which reports up to 2x its true spread, is scoring seeds on their own sample).

mod write;

pub use write::{csv_writer, floor_tenth, money_text, write_plan, PlanFormat};

use crate::diffusion::Model;
use crate::eval::{ReachEstimate, Z95};
use crate::rng::Purpose;
use crate::rrset::{RootSampler, RrCollection};
use serde::Serialize;

/// Version of the plan JSON contract; bumped on breaking changes.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// One row of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// 1-based rank in greedy order.
    pub rank: usize,
    /// Node label as in the input.
    pub node: String,
    /// Expected additional reach this seed brings after the ones ranked above it.
    pub marginal_reach: f64,
    /// Expected reach of seeds 1..=rank together.
    pub cumulative_reach: f64,
    /// Cost from the cost table.
    pub cost: Option<f64>,
    /// Category from the cost table.
    pub category: Option<String>,
    /// Spend of seeds 1..=rank.
    pub cumulative_spend: Option<f64>,
    /// Expected audience this seed reaches that no other seed in the plan reaches.
    pub exclusive_reach: f64,
    /// Cost per thousand unique people reached: cost / marginal reach x 1000.
    pub cp1k_u: Option<f64>,
    /// 95% interval of `marginal_reach` (each row's on its own, not jointly).
    pub marginal_ci95: [f64; 2],
    /// 95% interval of `cumulative_reach`; the last row's is the plan's `ci95`.
    pub cumulative_ci95: [f64; 2],
}

/// Timing of the phases, in seconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Reading and building the graph.
    pub load_seconds: f64,
    /// The selection algorithm alone.
    pub algorithm_seconds: f64,
    /// The independent reach estimate.
    pub estimate_seconds: f64,
    /// Wall time of the whole command.
    pub total_seconds: f64,
}

/// How the plan's reach was estimated.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateInfo {
    /// `rr` (independent RR sets).
    pub method: String,
    /// Samples used.
    pub samples: u64,
    /// Relative standard error of the total.
    pub relative_std_error: f64,
    /// Part of the expected reach credited exactly rather than sampled: the seeds' own
    /// singleton sets under stratified roots (see README, "How reach is estimated").
    pub exact_reach: f64,
}

/// A complete plan (the JSON contract; see README "Plan JSON").
#[derive(Debug, Clone, Serialize)]
pub struct SeedingPlan {
    /// Contract version.
    pub format_version: u32,
    /// Ranked seeds.
    pub seeds: Vec<PlanRow>,
    /// Expected reach of all seeds (weighted when targeting).
    pub expected_reach: f64,
    /// Standard error of `expected_reach`.
    pub std_error: f64,
    /// 95% confidence interval of `expected_reach`.
    pub ci95: [f64; 2],
    /// Approximation ratio achieved or guaranteed, when the algorithm has one.
    pub approximation: Option<f64>,
    /// Upper bound on the best possible reach, when known.
    pub upper_bound: Option<f64>,
    /// Algorithm name.
    pub algorithm: String,
    /// How the algorithm stopped.
    pub status: crate::select::SelectStatus,
    /// Whether a --time-limit or --max-memory stopped the run early (see `status`).
    pub limit_hit: bool,
    /// Seeds requested; for a budgeted plan, the seeds it holds.
    pub k: usize,
    /// A budgeted plan's cap on its seeds (`-k` or the rules' `max_seeds`), `None` without one
    /// and for cardinality plans.
    pub max_seeds: Option<usize>,
    /// `ic` or `lt`.
    pub model: String,
    /// Probability scheme.
    pub probs: String,
    /// Random seed.
    pub seed: u64,
    /// ε of the RR engines.
    pub epsilon: f64,
    /// δ used.
    pub delta: f64,
    /// RR sets sampled by the algorithm.
    pub rr_sets: u64,
    /// Peak bytes of RR storage (sets, their offsets and the node-to-sets index).
    pub rr_bytes: u64,
    /// Ids stored in the algorithm's RR sets (each counted once; the index holds them again).
    pub rr_ids: u64,
    /// Forward live-edge worlds the selection drew (`auto` on a small pool reaching few
    /// people; 0 otherwise). The estimate is then on forward worlds (`estimate.method`
    /// `"worlds"`) and the approximation is measured on the worlds, not certified.
    pub worlds: u64,
    /// Total spend when costs are known.
    pub spent: Option<f64>,
    /// Budget, for budgeted plans.
    pub budget: Option<f64>,
    /// Certified lower bound on (this plan's reach / best possible reach), 0..1.
    pub certificate: Option<f64>,
    /// `greedy` or `mip` for budgeted plans; the selection algorithm otherwise.
    pub method: String,
    /// Solver status and seconds for budgeted plans.
    pub solver: Option<SolverInfo>,
    /// Spend per thousand unique people reached, for the whole plan.
    pub cp1k_u: Option<f64>,
    /// Targeting: the audience file and its total weight, when reach is weighted.
    pub target: Option<TargetInfo>,
    /// Must-include accounts (`--include`, or the rules' `include`): the certificate compares
    /// the plan with the best plan that holds them too.
    pub include: Vec<String>,
    /// Accounts never seeded (`--exclude`, or the rules' `exclude`).
    pub exclude: Vec<String>,
    /// Reach estimate details.
    pub estimate: EstimateInfo,
    /// Phase timings.
    pub timings: Timings,
    /// Peak resident memory of the process, bytes (Linux).
    pub peak_memory_bytes: Option<u64>,
    /// Graph summary.
    pub graph: GraphInfo,
    /// The command line that reproduces this plan.
    pub command: String,
    /// seedplan version.
    pub version: String,
}

/// Solver details of a budgeted plan.
#[derive(Debug, Clone, Serialize)]
pub struct SolverInfo {
    /// Status line (MIP and LP).
    pub status: String,
    /// Seconds spent in the solvers.
    pub seconds: f64,
    /// Greedy variant that produced the greedy plan.
    pub greedy_variant: String,
    /// Coverage of the greedy plan on the selection sample (none when nothing was sampled:
    /// `all_candidates`, `forced`).
    pub greedy_coverage: Option<u64>,
    /// Coverage of the MIP plan, if solved.
    pub mip_coverage: Option<f64>,
    /// LP relaxation bound on coverage, if solved.
    pub lp_bound: Option<f64>,
    /// Greedy data-dependent bound on coverage (none when not counted, or nothing sampled).
    pub greedy_bound: Option<f64>,
    /// LP-dual bound on coverage over all candidates (subgradient descent; never above
    /// `greedy_bound`; none when nothing was sampled).
    pub dual_bound: Option<f64>,
    /// Seeds added after the greedy or MIP plan, from the budget and seed slots it left
    /// (`method` and `mip_coverage` describe the plan before them).
    pub extended: usize,
    /// One-for-one swaps that then raised the plan's coverage on the same sample, each within
    /// every rule (`budget::swap`); seeds swapped in are not counted in `extended`.
    pub swaps: usize,
}

/// Targeted (weighted) reach.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    /// The `--target` file.
    pub path: String,
    /// Sum of the weights: the largest possible weighted reach.
    pub total_weight: f64,
}

/// Graph facts recorded in a plan.
#[derive(Debug, Clone, Serialize)]
pub struct GraphInfo {
    /// Input path.
    pub path: String,
    /// Nodes.
    pub nodes: usize,
    /// Arcs.
    pub edges: usize,
    /// Self-loops the load dropped (the stderr note says so too, unless `-q`).
    pub self_loops_dropped: u64,
    /// Duplicate arcs the load merged into one.
    pub duplicates_merged: u64,
    /// What an edge line meant (`influences` or `follows`).
    pub edge_meaning: String,
    /// Whether `--undirected` added reverse arcs.
    pub undirected: bool,
    /// A first line read as an edge that looks like a header: `{"line": L, "text": "..."}`
    /// (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_like: Option<serde_json::Value>,
}

/// Per-rank estimate of a ranked seed list on independent RR sets.
#[derive(Debug, Clone)]
pub struct RankedEstimate {
    /// Marginal reach per rank.
    pub marginal: Vec<f64>,
    /// Cumulative reach per rank.
    pub cumulative: Vec<f64>,
    /// Total.
    pub total: ReachEstimate,
    /// RR sets used.
    pub samples: u64,
    /// Sets covered by the whole seed list.
    pub hits: u64,
    /// Per rank, reach no other seed of the list has.
    pub exclusive: Vec<f64>,
    /// Per rank, the 95% interval of the marginal reach (each interval on its own, not
    /// jointly).
    pub marginal_ci95: Vec<[f64; 2]>,
    /// Per rank, the 95% interval of the cumulative reach; the last is the total's.
    pub cumulative_ci95: Vec<[f64; 2]>,
    /// Reach credited exactly rather than sampled (stratified roots; 0 otherwise).
    pub exact: f64,
}

/// Default relative standard error targeted by the plan estimate.
pub const DEFAULT_ESTIMATE_RSE: f64 = 0.005;
/// Sets drawn before sizing the estimate.
pub const ESTIMATE_PILOT: u64 = 10_000;
/// Cap on estimate sets.
pub const ESTIMATE_MAX: u64 = 4_000_000;

/// Estimates marginal and cumulative reach of `seeds` (in rank order) on fresh RR sets, sized so
/// the total has relative standard error about `rse` (pilot, then one extension).
pub fn estimate_ranked(
    model: &Model<'_>,
    roots: &RootSampler,
    seeds: &[u32],
    seed: u64,
    rse: f64,
) -> RankedEstimate {
    let coll = estimate_sets(model, roots, &[seeds], seed, rse);
    estimate_on(model, &coll, seeds, roots)
}

/// Fresh RR sets (stream `RrEstimate`) sized so that every seed list in `lists` gets about the
/// relative standard error `rse` (a pilot, then one extension sized for the least-covered list).
/// The sets are projected on the union of the lists (`RrCollection::extend_projected`): only
/// seed lists within that union can be estimated on them.
pub fn estimate_sets(
    model: &Model<'_>,
    roots: &RootSampler,
    lists: &[&[u32]],
    seed: u64,
    rse: f64,
) -> RrCollection {
    let n = model.graph().num_nodes();
    let keep = union_mask(n, lists);
    let mut coll = RrCollection::new(seed, Purpose::RrEstimate);
    coll.extend_projected(model, roots, ESTIMATE_PILOT, &keep);
    let mut need = ESTIMATE_PILOT;
    let pop = roots.population();
    for seeds in lists.iter().filter(|s| !s.is_empty()) {
        let mut mask = vec![false; n];
        seeds.iter().for_each(|&s| mask[s as usize] = true);
        let f =
            (coll.coverage(&mask) as f64 / ESTIMATE_PILOT as f64).max(1.0 / ESTIMATE_PILOT as f64);
        // rse = pop * sqrt(f (1 - f) / theta) / (exact + pop * f).
        let reach = roots.exact_of(seeds) + pop * f;
        if reach > 0.0 {
            let theta = pop * pop * f * (1.0 - f) / (rse * rse * reach * reach);
            need = need.max(theta.ceil().min(u64::MAX as f64 / 2.0) as u64);
        }
    }
    coll.extend_projected(
        model,
        roots,
        need.clamp(ESTIMATE_PILOT, ESTIMATE_MAX),
        &keep,
    );
    coll
}

/// Estimates marginal, cumulative and exclusive reach of `seeds` (in rank order) on forward
/// live-edge worlds (stream `WorldsEstimate`, independent of any selection), sized from a pilot
/// so that the total has relative standard error about `rse`. For plans of a small pool that
/// reaches few people (`auto`'s forward worlds): RR sets would mostly miss them, and 4M sets left
/// a plan reaching 3 people of 82k at 6.5% error, where a few thousand worlds give 0.5%. The
/// interval is the normal one from the worlds' own variance. Each person reached counts at their
/// whole audience weight (`weights`, from `select::forward::whole_weights`; `None`: 1).
pub fn estimate_forward(
    model: &Model<'_>,
    seeds: &[u32],
    weights: Option<&[u64]>,
    seed: u64,
    rse: f64,
) -> RankedEstimate {
    const PILOT: u64 = 1024;
    const MAX: u64 = 1 << 22;
    const WORK: u64 = 1 << 30;
    use crate::select::forward::ZERO_VARIANCE_WORLDS;
    let worlds =
        crate::select::forward::Worlds::new(model, seed, Purpose::WorldsEstimate).weighted(weights);
    let k = seeds.len();
    // Each world's row holds two counts per seed: batches of about 2^20 counts in all (16k
    // worlds of 4,096 seeds held 1.1 GB).
    let batch = ((1u64 << 20) / (k as u64 + 1)).clamp(64, 1 << 14);
    let mut acc = ForwardSums::new(k);
    let run = |range: std::ops::Range<u64>, acc: &mut ForwardSums| {
        worlds.for_each_batched(
            range,
            batch,
            |key, ws| one_world(&worlds, key, ws, seeds),
            |(total, first, only, work)| acc.add(total, &first, &only, work),
        );
    };
    run(0..PILOT, &mut acc);
    let (least, most) = crate::eval::weighted_reach_bounds(model, seeds, weights);
    let certain = least == most;
    // Grows until the total is known to `rse` (re-checked after each extension: reach is
    // heavy-tailed and a pilot's variance runs low), to at least `ZERO_VARIANCE_WORLDS` unless
    // no world can differ: a rare large cascade (an arc of probability 1e-4 into 2,000 people)
    // is missed by 1,024 worlds whose small noise already met the precision, and read 1.02 where
    // the reach is 1.22. Work (arcs asked and people reached) is capped at `WORK` in all (a
    // few seconds), so a heavy plan stops early rather than run for minutes (its interval then
    // widens, below); so does Ctrl-C.
    loop {
        let (mean, se) = acc.mean_se();
        let r = acc.worlds;
        let per_world = (acc.work as f64 / r.max(1) as f64).max(1.0);
        let cap = ((WORK as f64 / per_world) as u64).clamp(PILOT, MAX);
        // (A mean of 0 goes on to the floor as any other certain-looking one: with audience
        // weights, 1,024 worlds that all read 0 said nothing of a reach of 14.)
        if r >= cap || crate::limits::interrupted() {
            break;
        }
        let floor = if certain { PILOT } else { ZERO_VARIANCE_WORLDS };
        let want = if se == 0.0 || se <= rse * mean {
            if certain || r >= floor {
                break;
            }
            floor
        } else {
            let var = se * se * r as f64;
            let need = (var / (rse * rse * mean * mean)).ceil();
            let need = if need.is_finite() { need as u64 } else { MAX };
            // At least a quarter more, so a near miss does not crawl.
            need.max(r + r / 4).max(floor)
        };
        run(r..want.min(cap), &mut acc);
    }
    let rf = acc.worlds as f64;
    let marginal: Vec<f64> = acc.first.iter().map(|&h| h as f64 / rf).collect();
    let mut cum = 0u64;
    let cumulative: Vec<f64> = acc
        .first
        .iter()
        .map(|&h| {
            cum += h;
            cum as f64 / rf
        })
        .collect();
    let mut total = crate::eval::ReachEstimate::from_sums(acc.sum as u128, acc.sum_sq, acc.worlds);
    // Within what any world can give; the rule of three's when every world agreed.
    total.within(least as f64, most as f64);
    if !certain && acc.worlds < ZERO_VARIANCE_WORLDS && acc.worlds > 0 {
        // The work cap stopped short of the floor: cascades rarer than 3/R may be unseen, and
        // the top of the interval says so (an account with 20,000 arcs of 1e-6 and one of 1e-4
        // into 2,000 people read 1.02 to 1.03 on 6,710 worlds; its reach is 1.22).
        let p = (3.0 / acc.worlds as f64).min(1.0);
        let top = total.expected_reach + (most as f64 - total.expected_reach).max(0.0) * p;
        total.ci95[1] = total.ci95[1].max(top).min(most as f64);
    }
    let (marginal_ci95, cumulative_ci95) = rank_intervals(model, seeds, weights, &acc, &total);
    RankedEstimate {
        marginal,
        cumulative,
        marginal_ci95,
        cumulative_ci95,
        exclusive: acc.only.iter().map(|&h| h as f64 / rf).collect(),
        total,
        samples: acc.worlds,
        hits: acc.sum,
        exact: 0.0,
    }
}

/// Per rank, the intervals of the marginal and cumulative reach over forward worlds, built as
/// the total's is: the normal interval from the worlds' own variance, kept within what one
/// world can give, the rule of three's when every world agreed, and widened the same way when
/// the work cap stopped short of `ZERO_VARIANCE_WORLDS`. The last cumulative is the total's.
fn rank_intervals(
    model: &Model<'_>,
    seeds: &[u32],
    weights: Option<&[u64]>,
    acc: &ForwardSums,
    total: &ReachEstimate,
) -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    use crate::select::forward::ZERO_VARIANCE_WORLDS;
    // Fewest and most people each prefix of the list can reach in one world.
    let prefix: Vec<(f64, f64)> = crate::eval::weighted_prefix_reach_bounds(model, seeds, weights)
        .into_iter()
        .map(|(lo, hi)| (lo as f64, hi as f64))
        .collect();
    let short = acc.worlds > 0 && acc.worlds < ZERO_VARIANCE_WORLDS;
    let interval = |sum: u128, sum_sq: u128, least: f64, most: f64| {
        let mut e = ReachEstimate::from_sums(sum, sum_sq, acc.worlds);
        e.within(least, most);
        if short && least < most {
            let p = (3.0 / acc.worlds as f64).min(1.0);
            let top = e.expected_reach + (most - e.expected_reach).max(0.0) * p;
            e.ci95[1] = e.ci95[1].max(top).min(most);
        }
        e.ci95
    };
    let mut cum = 0u128;
    let mut marginal = Vec::with_capacity(seeds.len());
    let mut cumulative = Vec::with_capacity(seeds.len());
    for j in 0..seeds.len() {
        let (lo, hi) = prefix[j];
        let (lo_before, hi_before) = if j == 0 { (0.0, 0.0) } else { prefix[j - 1] };
        cum += acc.first[j] as u128;
        // A world's marginal is its reach with this seed less its reach without it.
        marginal.push(interval(
            acc.first[j] as u128,
            acc.first_sq[j],
            (lo - hi_before).max(0.0),
            hi - lo_before,
        ));
        cumulative.push(interval(cum, acc.cum_sq[j], lo, hi));
    }
    debug_assert!(cumulative.last().is_none_or(|c| *c == total.ci95));
    (marginal, cumulative)
}

/// One world of [`estimate_forward`]: the reach of all seeds, what each adds in rank order, and
/// what each reaches that no other seed does.
fn one_world(
    worlds: &crate::select::forward::Worlds<'_>,
    key: u64,
    ws: &mut crate::diffusion::Workspace,
    seeds: &[u32],
) -> (u64, Vec<u64>, Vec<u64>, u64) {
    let k = seeds.len();
    let mut work = 0u64;
    // A world's arcs are live or not whatever the seeds, so the seeds reach together exactly
    // the union of what each reaches alone: one exploration per seed gives all three counts.
    // (A first pass over the seeds together, in rank order, for the marginals doubled the
    // work.) Per person: how many seeds reach them alone, and the first of those in rank order.
    let mut by: rustc_hash::FxHashMap<u32, (u32, u32)> = Default::default();
    for (r, &s) in seeds.iter().enumerate() {
        ws.reset();
        work += worlds.explore(key, &[s], ws) + ws.queue.len() as u64;
        for &u in &ws.queue {
            by.entry(u).or_insert((0, r as u32)).0 += 1;
        }
    }
    let mut first = vec![0u64; k];
    let mut only = vec![0u64; k];
    let mut total = 0u64;
    for (&u, &(count, r)) in &by {
        let w = worlds.weight(u);
        total += w;
        first[r as usize] += w;
        if count == 1 {
            only[r as usize] += w;
        }
    }
    (total, first, only, work + by.len() as u64)
}

/// Integer sums over forward worlds (exact, so the same in any thread order).
struct ForwardSums {
    worlds: u64,
    sum: u64,
    sum_sq: u128,
    first: Vec<u64>,
    /// Per rank, the sum over worlds of the squared marginal, and of the squared cumulative.
    first_sq: Vec<u128>,
    cum_sq: Vec<u128>,
    only: Vec<u64>,
    /// Arcs asked and people reached, over all worlds.
    work: u64,
}

impl ForwardSums {
    fn new(k: usize) -> Self {
        ForwardSums {
            worlds: 0,
            sum: 0,
            sum_sq: 0,
            first: vec![0; k],
            first_sq: vec![0; k],
            cum_sq: vec![0; k],
            only: vec![0; k],
            work: 0,
        }
    }

    fn add(&mut self, total: u64, first: &[u64], only: &[u64], work: u64) {
        self.worlds += 1;
        self.work += work;
        self.sum += total;
        self.sum_sq += (total as u128) * (total as u128);
        self.first.iter_mut().zip(first).for_each(|(a, b)| *a += b);
        let mut cum = 0u128;
        for (j, &x) in first.iter().enumerate() {
            cum += x as u128;
            self.first_sq[j] += (x as u128) * (x as u128);
            self.cum_sq[j] += cum * cum;
        }
        self.only.iter_mut().zip(only).for_each(|(a, b)| *a += b);
    }

    /// Mean reach per world and its standard error.
    fn mean_se(&self) -> (f64, f64) {
        let e = crate::eval::ReachEstimate::from_sums(self.sum as u128, self.sum_sq, self.worlds);
        (e.expected_reach, e.std_error)
    }
}

/// As [`estimate_sets`] with the number of sets given.
pub fn estimate_sets_sized(
    model: &Model<'_>,
    roots: &RootSampler,
    lists: &[&[u32]],
    seed: u64,
    sets: u64,
) -> RrCollection {
    let keep = union_mask(model.graph().num_nodes(), lists);
    let mut coll = RrCollection::new(seed, Purpose::RrEstimate);
    coll.extend_projected(model, roots, sets, &keep);
    coll
}

/// Marks every node of every list.
fn union_mask(n: usize, lists: &[&[u32]]) -> Vec<bool> {
    let mut keep = vec![false; n];
    lists
        .iter()
        .flat_map(|l| l.iter())
        .for_each(|&v| keep[v as usize] = true);
    keep
}

/// Per-rank estimate of `seeds` on given (independent) sets drawn with `roots`, each
/// cumulative reach (and the total) kept within what its prefix of the list reaches in every
/// world and in some world (`model`): 2 seeds were estimated to reach 1.98 people.
pub fn estimate_on(
    model: &Model<'_>,
    coll: &RrCollection,
    seeds: &[u32],
    roots: &RootSampler,
) -> RankedEstimate {
    let mut e = estimate_unbounded(coll, seeds, roots);
    // Fractional audience weights have no whole bounds; whole ones weigh each person reached.
    if let Some(weights) = crate::select::forward::whole_weights(roots) {
        let prefix = crate::eval::weighted_prefix_reach_bounds(model, seeds, weights.as_deref());
        let mut moved_before = false;
        for (j, &(lo, hi)) in prefix.iter().enumerate() {
            let (lo, hi) = (lo as f64, hi as f64);
            let was = e.cumulative[j];
            e.cumulative[j] = was.clamp(lo, hi.max(lo));
            e.cumulative_ci95[j] = within(e.cumulative_ci95[j], e.cumulative[j], lo, hi);
            // The marginals stay the steps of the cumulative (bounds and counts both grow with
            // the prefix, so a step is never negative), inside their own intervals.
            let moved = e.cumulative[j] != was;
            if moved || moved_before {
                let before = if j == 0 { 0.0 } else { e.cumulative[j - 1] };
                let m = e.cumulative[j] - before;
                e.marginal[j] = m;
                let ci = &mut e.marginal_ci95[j];
                *ci = [ci[0].min(m), ci[1].max(m)];
            }
            moved_before = moved;
        }
        if let Some(&(lo, hi)) = prefix.last() {
            let (lo, hi) = (lo as f64, hi as f64);
            let t = &mut e.total;
            t.expected_reach = t.expected_reach.clamp(lo, hi.max(lo));
            t.ci95 = within(t.ci95, t.expected_reach, lo, hi);
        }
    }
    e
}

/// An interval moved inside `lo..=hi` and around `point` (already inside): a sampled interval
/// wholly below the certain reach became one whose low end passed its high end.
fn within(ci: [f64; 2], point: f64, lo: f64, hi: f64) -> [f64; 2] {
    let hi = hi.max(lo);
    [
        ci[0].clamp(lo, hi).min(point),
        ci[1].clamp(lo, hi).max(point),
    ]
}

/// [`estimate_on`] as sampled, without the bounds.
fn estimate_unbounded(coll: &RrCollection, seeds: &[u32], roots: &RootSampler) -> RankedEstimate {
    let n = roots.num_nodes();
    let pop = roots.population();
    let exact_v = |v: u32| roots.exact().map_or(0.0, |e| e[v as usize]);
    let hits = coll.first_hits(seeds, n);
    let theta = coll.sampled() as f64;
    let mut cum = 0u64;
    let mut exact = 0.0;
    let mut marginal = Vec::with_capacity(seeds.len());
    let mut cumulative = Vec::with_capacity(seeds.len());
    let mut marginal_ci95 = Vec::with_capacity(seeds.len());
    let mut cumulative_ci95 = Vec::with_capacity(seeds.len());
    // A rank's marginal counts the sets it is the first of the list to hit, its cumulative the
    // sets hit by it or a seed above it: each is a binomial count on the same sets as the
    // total, with the same interval; the exact part has no variance and shifts it.
    let interval = |hits: u64, shift: f64| {
        let e = ReachEstimate::from_fraction(hits, theta as u64, pop);
        [e.ci95[0] + shift, e.ci95[1] + shift]
    };
    for (h, &s) in hits.iter().zip(seeds) {
        cum += h;
        exact += exact_v(s);
        marginal.push(*h as f64 * pop / theta + exact_v(s));
        cumulative.push(cum as f64 * pop / theta + exact);
        marginal_ci95.push(interval(*h, exact_v(s)));
        cumulative_ci95.push(interval(cum, exact));
    }
    let exclusive = exclusive_hits(coll, seeds, n)
        .into_iter()
        .zip(seeds)
        .map(|(h, &s)| h as f64 * pop / theta + exact_v(s))
        .collect();
    let mut total = ReachEstimate::from_fraction(cum, theta as u64, pop);
    total.expected_reach += exact;
    total.ci95 = [total.ci95[0] + exact, total.ci95[1] + exact];
    if seeds.is_empty() {
        // No seed reaches no one, exactly (a run stopped before its first pick showed an
        // interval up to 4.6 from the sampling bound on zero hits).
        total.ci95 = [0.0, 0.0];
        total.std_error = 0.0;
    }
    RankedEstimate {
        exclusive,
        marginal,
        cumulative,
        marginal_ci95,
        cumulative_ci95,
        total,
        samples: theta as u64,
        hits: cum,
        exact,
    }
}

impl RankedEstimate {
    /// Relative standard error of the total.
    pub fn rse(&self) -> f64 {
        if self.total.expected_reach > 0.0 {
            self.total.std_error / self.total.expected_reach
        } else {
            0.0
        }
    }

    /// Half-width of the 95% interval.
    pub fn half_width(&self) -> f64 {
        Z95 * self.total.std_error
    }
}

/// Per seed, the sets in which it is the only seed present.
pub fn exclusive_hits(coll: &RrCollection, seeds: &[u32], n: usize) -> Vec<u64> {
    let mut rank = vec![u32::MAX; n];
    for (r, &s) in seeds.iter().enumerate() {
        rank[s as usize] = r as u32;
    }
    let mut out = vec![0u64; seeds.len()];
    for i in 0..coll.len() {
        let mut only = u32::MAX;
        let mut count = 0;
        for &v in coll.set(i) {
            let r = rank[v as usize];
            if r != u32::MAX {
                count += 1;
                only = r;
                if count > 1 {
                    break;
                }
            }
        }
        if count == 1 {
            out[only as usize] += 1;
        }
    }
    out
}

/// As [`overlap_matrix`] on the first `worlds` forward worlds of the estimate's stream (those a
/// forward estimate of the same plan used): entry (a, b) is the expected number of people both a
/// and b reach, each explored alone (at their audience weight, `weights` as in
/// [`estimate_forward`]); the diagonal is each seed's own reach.
pub fn overlap_forward(
    model: &Model<'_>,
    seeds: &[u32],
    weights: Option<&[u64]>,
    seed: u64,
    worlds: u64,
) -> Vec<Vec<f64>> {
    let k = seeds.len();
    let w =
        crate::select::forward::Worlds::new(model, seed, Purpose::WorldsEstimate).weighted(weights);
    let mut counts = vec![0u64; k * k];
    // Per world a k x k matrix (at most 40 x 40 in the report): a list of cells, a person reached
    // by r seeds adding r^2, ran to gigabytes when 40 seeds share 600 people.
    let batch = ((1u64 << 22) / (k * k).max(1) as u64).clamp(16, 4096);
    w.for_each_batched(
        0..worlds,
        batch,
        |key, ws| {
            let mut by: rustc_hash::FxHashMap<u32, Vec<u32>> = Default::default();
            for (r, &s) in seeds.iter().enumerate() {
                ws.reset();
                w.explore(key, &[s], ws);
                for &u in &ws.queue {
                    by.entry(u).or_default().push(r as u32);
                }
            }
            let mut m = vec![0u64; k * k];
            for (&u, rs) in &by {
                let wu = w.weight(u);
                for &a in rs {
                    for &b in rs {
                        m[a as usize * k + b as usize] += wu;
                    }
                }
            }
            m
        },
        |m| {
            counts.iter_mut().zip(m).for_each(|(c, x)| *c += x);
        },
    );
    let per = 1.0 / worlds.max(1) as f64;
    counts
        .chunks(k.max(1))
        .take(k)
        .map(|row| row.iter().map(|&c| c as f64 * per).collect())
        .collect()
}

/// The audience weights forward worlds count with (see `estimate_forward`): `None` without an
/// audience, and for one whose weights are not all whole numbers (whose plans never go on
/// worlds: `forward_suits` turns them down).
pub fn forward_weights(roots: &RootSampler) -> Option<Vec<u64>> {
    crate::select::forward::whole_weights(roots).flatten()
}

/// Whether a plan of `seeds` that no engine sampled for (must-includes filling `-k`, every
/// candidate, nothing spreading) is estimated on forward worlds: the test a pool passes to be
/// selected on them (`select::forward`), with the seeds as the pool.
pub fn forward_suits(model: &Model<'_>, roots: &RootSampler, seeds: &[u32], seed: u64) -> bool {
    let mut pool = seeds.to_vec();
    pool.sort_unstable();
    pool.dedup();
    crate::select::forward::forward_pool(model, roots, seed, pool).is_some()
}

/// Pairwise expected shared audience of `seeds`: entry (a, b) is the expected number of people
/// both a and b would reach; the diagonal is each seed's own reach.
pub fn overlap_matrix(coll: &RrCollection, seeds: &[u32], roots: &RootSampler) -> Vec<Vec<f64>> {
    let n = roots.num_nodes();
    let population = roots.population();
    let k = seeds.len();
    let mut rank = vec![u32::MAX; n];
    for (r, &s) in seeds.iter().enumerate() {
        rank[s as usize] = r as u32;
    }
    let mut counts = vec![vec![0u64; k]; k];
    let mut present: Vec<u32> = Vec::new();
    for i in 0..coll.len() {
        present.clear();
        present.extend(
            coll.set(i)
                .iter()
                .map(|&v| rank[v as usize])
                .filter(|&r| r != u32::MAX),
        );
        for &a in &present {
            for &b in &present {
                counts[a as usize][b as usize] += 1;
            }
        }
    }
    let scale = population / coll.sampled().max(1) as f64;
    // A seed's own singleton set (stratified roots) counts on the diagonal only.
    counts
        .into_iter()
        .enumerate()
        .map(|(a, row)| {
            row.into_iter()
                .enumerate()
                .map(|(b, c)| {
                    let own = if a == b {
                        roots.exact_of(&seeds[a..=a])
                    } else {
                        0.0
                    };
                    c as f64 * scale + own
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// A sampled interval wholly below the certain reach becomes the certain point, never one
    /// whose ends cross (a forest of certain trees showed [154.0, 153.9]); one inside the bounds
    /// is left as it is.
    #[test]
    fn intervals_kept_within_bounds_never_cross() {
        assert_eq!(
            super::within([149.4, 153.9], 154.0, 154.0, 160.0),
            [154.0, 154.0]
        );
        assert_eq!(super::within([1.0, 3.0], 2.0, 0.0, 10.0), [1.0, 3.0]);
        assert_eq!(super::within([5.0, 8.0], 6.0, 6.0, 7.0), [6.0, 7.0]);
        assert_eq!(
            super::within([161.0, 170.0], 160.0, 154.0, 160.0),
            [160.0, 160.0]
        );
    }
}
