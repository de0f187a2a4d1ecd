//! Seed selection: every algorithm behind one trait, chosen by name.
//!
//! | name | what | guarantee |
//! |---|---|---|
//! | `auto` (`converge`) | OPIM-C sampling, stops when the validated reach has converged *and* the certificate holds | certified ratio (a-posteriori) |
//! | `opim` | OPIM-C (Tang et al. 2018) | 1-1/e-ε w.p. 1-δ |
//! | `imm` | IMM (Tang et al. 2015) with Chen's (2018) fix | 1-1/e-ε w.p. 1-n^-ℓ |
//! | `celf`, `celfpp` | Monte Carlo greedy, lazy (Leskovec 2007; Goyal 2011) | 1-1/e on the sampled worlds |
//! | `degree`, `single-discount`, `degree-discount`, `pagerank`, `random` | heuristics | none |

pub(crate) mod forward;
mod heuristics;
mod imm;
pub mod mc_greedy;
mod opim;

use crate::diffusion::Model;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::rrset::RootSampler;
use serde::Serialize;

/// Default ε of the RR engines.
pub const DEFAULT_EPSILON: f64 = 0.1;
/// Default ℓ of IMM (failure probability n^-ℓ).
pub const DEFAULT_ELL: f64 = 1.0;
/// Default live-edge worlds of the Monte Carlo greedy.
pub const DEFAULT_MC_RUNS: u32 = 1000;
/// Default convergence tolerance of the `auto` engine: relative reach gained by the last doubling.
pub const DEFAULT_TOLERANCE: f64 = 0.005;
/// Default reach resolution of the stopping rules, in people (audience weight with `--target`):
/// a standard error or a gain below it is not worth more samples, whatever its share of the
/// reach. A plan that reaches two people otherwise has to be known to 0.02 of a person and
/// its last doubling to have gained at most 0.01: a budget of 12 on NetHEPT with every
/// account priced drew 140M RR sets (45 s, 5.9 GB) for one account that reaches 1.97.
pub const DEFAULT_RESOLUTION: f64 = 0.1;

/// The selection algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// The default engine: OPIM-C sampling with convergence-validated stopping.
    Auto,
    /// OPIM-C.
    Opim,
    /// IMM with Chen's correction.
    Imm,
    /// Monte Carlo greedy with CELF.
    Celf,
    /// Monte Carlo greedy with CELF++.
    Celfpp,
    /// Monte Carlo greedy without laziness (reference; slow).
    Greedy,
    /// Highest out-degree.
    Degree,
    /// Degree with single discount.
    SingleDiscount,
    /// Degree discount (Chen et al. KDD 2009).
    DegreeDiscount,
    /// PageRank in the direction of influence.
    Pagerank,
    /// Uniformly random candidates.
    Random,
}

impl Algorithm {
    /// All algorithms, in documentation order.
    pub const ALL: [Algorithm; 11] = [
        Algorithm::Auto,
        Algorithm::Opim,
        Algorithm::Imm,
        Algorithm::Celf,
        Algorithm::Celfpp,
        Algorithm::Greedy,
        Algorithm::Degree,
        Algorithm::SingleDiscount,
        Algorithm::DegreeDiscount,
        Algorithm::Pagerank,
        Algorithm::Random,
    ];

    /// The CLI name.
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Auto => "auto",
            Algorithm::Opim => "opim",
            Algorithm::Imm => "imm",
            Algorithm::Celf => "celf",
            Algorithm::Celfpp => "celfpp",
            Algorithm::Greedy => "greedy",
            Algorithm::Degree => "degree",
            Algorithm::SingleDiscount => "single-discount",
            Algorithm::DegreeDiscount => "degree-discount",
            Algorithm::Pagerank => "pagerank",
            Algorithm::Random => "random",
        }
    }

    /// Parses a CLI name.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if s == "converge" {
            return Ok(Algorithm::Auto);
        }
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown algorithm '{s}'; expected one of {}",
                    Algorithm::ALL.map(|a| a.name()).join(", ")
                ))
            })
    }

    /// The selector implementing this algorithm.
    pub fn selector(&self) -> Box<dyn Selector> {
        match self {
            Algorithm::Auto => Box::new(opim::Opim {
                stop: opim::StopRule::Converged,
                pool: Some(opim::PoolRule::DEFAULT),
            }),
            Algorithm::Opim => Box::new(opim::Opim {
                stop: opim::StopRule::Certificate,
                pool: None,
            }),
            Algorithm::Imm => Box::new(imm::Imm),
            Algorithm::Celf => Box::new(mc_greedy::McGreedy(mc_greedy::Laziness::Celf)),
            Algorithm::Celfpp => Box::new(mc_greedy::McGreedy(mc_greedy::Laziness::CelfPlusPlus)),
            Algorithm::Greedy => Box::new(mc_greedy::McGreedy(mc_greedy::Laziness::None)),
            Algorithm::Degree => Box::new(heuristics::Degree),
            Algorithm::SingleDiscount => Box::new(heuristics::SingleDiscount),
            Algorithm::DegreeDiscount => Box::new(heuristics::DegreeDiscount),
            Algorithm::Pagerank => Box::new(heuristics::PageRank),
            Algorithm::Random => Box::new(heuristics::RandomSeeds),
        }
    }

    /// Whether the algorithm samples RR sets.
    pub fn uses_rr_sets(&self) -> bool {
        matches!(self, Algorithm::Auto | Algorithm::Opim | Algorithm::Imm)
    }
}

/// Parameters of a selection run (defaults in the `DEFAULT_*` constants).
#[derive(Debug, Clone, Serialize)]
pub struct SelectConfig {
    /// Number of seeds.
    pub k: usize,
    /// Approximation slack ε of the RR engines.
    pub epsilon: f64,
    /// Failure probability δ (default 1/n).
    pub delta: Option<f64>,
    /// IMM's ℓ.
    pub ell: f64,
    /// Random seed.
    pub seed: u64,
    /// Worlds of the Monte Carlo greedy.
    pub mc_runs: u32,
    /// Convergence tolerance of `auto`.
    pub tolerance: f64,
    /// Reach resolution of `auto`'s stopping rule, in people (see [`DEFAULT_RESOLUTION`]).
    pub resolution: f64,
    /// Cap on RR sets per collection (None: the algorithm's own bound).
    pub max_rr_sets: Option<u64>,
    /// Time, memory and interruption limits.
    pub limits: crate::limits::Limits,
}

impl SelectConfig {
    /// Defaults for `k` seeds.
    pub fn new(k: usize, seed: u64) -> Self {
        SelectConfig {
            k,
            epsilon: DEFAULT_EPSILON,
            delta: None,
            ell: DEFAULT_ELL,
            seed,
            mc_runs: DEFAULT_MC_RUNS,
            tolerance: DEFAULT_TOLERANCE,
            resolution: DEFAULT_RESOLUTION,
            max_rr_sets: None,
            limits: crate::limits::Limits::none(),
        }
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<()> {
        if self.k == 0 {
            return Err(Error::usage("--k must be at least 1"));
        }
        check_epsilon(self.epsilon, "--epsilon")?;
        if self.max_rr_sets == Some(0) {
            return Err(Error::usage("--max-rr-sets must be at least 1"));
        }
        if let Some(d) = self.delta {
            if !(d > 0.0 && d < 1.0) {
                return Err(Error::usage("--delta must be in (0, 1)"));
            }
        }
        if self.ell <= 0.0 {
            return Err(Error::usage("--ell must be > 0"));
        }
        if self.mc_runs == 0 {
            return Err(Error::usage("--mc-runs must be at least 1"));
        }
        if !(self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(Error::usage("--tolerance must be in (0, 1)"));
        }
        check_resolution(self.resolution)
    }
}

/// `--reach-resolution`: finite and not negative (0 turns the floor off).
pub fn check_resolution(r: f64) -> Result<()> {
    if r.is_finite() && r >= 0.0 {
        Ok(())
    } else {
        Err(Error::usage(
            "--reach-resolution must be a number of people, 0 or more",
        ))
    }
}

/// The relative bar a stopping rule holds a reach of `reach` people to: `rel`, or the
/// resolution's share of the reach when that is looser.
pub fn relative_bar(rel: f64, resolution: f64, reach: f64) -> f64 {
    if reach > 0.0 {
        rel.max(resolution / reach)
    } else {
        rel
    }
}

/// Largest `--epsilon` (exclusive): 1 - 1/e, where the guarantee 1 - 1/e - ε reaches 0. Above
/// it IMM reported a negative ratio and OPIM-C "certified" a negative target at once.
pub const MAX_EPSILON: f64 = 1.0 - 1.0 / std::f64::consts::E;

/// `--epsilon` (or the suite's `epsilons`, named `what`) in (0, 1 - 1/e).
pub fn check_epsilon(e: f64, what: &str) -> Result<()> {
    if e > 0.0 && e < MAX_EPSILON {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "{what} must be in (0, {MAX_EPSILON:.4}): the guarantee 1 - 1/e - ε must be positive"
        )))
    }
}

/// Largest `--epsilon` (exclusive) of a budgeted plan: its certificate's target is the
/// budgeted greedy's guarantee (1 - 1/e)/2 less ε, which is met at once above it.
pub const MAX_BUDGET_EPSILON: f64 = MAX_EPSILON / 2.0;

/// `--epsilon` of a budgeted plan or a curve in (0, (1 - 1/e)/2).
pub fn check_budget_epsilon(e: f64) -> Result<()> {
    if e > 0.0 && e < MAX_BUDGET_EPSILON {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "--epsilon must be in (0, {MAX_BUDGET_EPSILON:.4}) for a budgeted plan: its \
             guarantee (1 - 1/e)/2 - ε must be positive"
        )))
    }
}

/// Everything a selector needs.
pub struct SelectContext<'a> {
    /// Graph and diffusion model.
    pub model: &'a Model<'a>,
    /// How RR roots (the audience) are drawn.
    pub roots: &'a RootSampler,
    /// Who may be picked (None: everyone).
    pub candidates: Option<&'a [bool]>,
    /// Seeds that must be in the plan, picked first.
    pub forced: &'a [u32],
    /// Parameters.
    pub config: SelectConfig,
    /// Progress sink.
    pub progress: &'a dyn Progress,
}

impl SelectContext<'_> {
    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.model.graph().num_nodes()
    }

    /// Whether `v` may be picked.
    #[inline]
    pub fn is_candidate(&self, v: u32) -> bool {
        self.candidates.is_none_or(|c| c[v as usize])
    }

    /// Number of seeds actually possible (k capped by the candidates available).
    pub fn effective_k(&self) -> usize {
        let avail = match self.candidates {
            Some(c) => c.iter().filter(|&&x| x).count(),
            None => self.n(),
        };
        let extra_forced = self
            .forced
            .iter()
            .filter(|&&f| !self.is_candidate(f))
            .count();
        self.config.k.min(avail + extra_forced)
    }

    /// δ, defaulting to 1/n.
    pub fn delta(&self) -> f64 {
        self.config.delta.unwrap_or(1.0 / self.n().max(2) as f64)
    }
}

/// How the selection stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectStatus {
    /// The approximation certificate reached its target.
    Certified,
    /// The validated reach converged (and the certificate holds).
    Converged,
    /// The sample size the theory asks for was used (IMM; OPIM-C at its cap).
    SampleBound,
    /// A sample cap set by the user was hit before the stopping rule was met.
    SampleCap,
    /// Greedy over Monte Carlo worlds finished.
    Finished,
    /// A heuristic: no guarantee.
    Heuristic,
    /// `--time-limit` stopped the run; the best plan so far is returned.
    TimeLimit,
    /// `--max-memory` stopped the sampling; the best plan so far is returned.
    MemoryLimit,
    /// SIGINT/SIGTERM stopped the run.
    Interrupted,
    /// Every seed was a must-include (`--include` filled `-k`): nothing was selected.
    Forced,
    /// Every candidate fit in `-k` (`auto`): all are taken, the best plan there is.
    AllCandidates,
    /// No edge can fire into anyone the reach counts (`auto`): a plan reaches its seeds' own
    /// weight, known exactly, and the heaviest candidates are the best plan.
    Exact,
}

impl SelectStatus {
    /// The word the plan JSON writes (`sample_cap`), so the table says the same.
    pub fn as_str(self) -> &'static str {
        match self {
            SelectStatus::Certified => "certified",
            SelectStatus::Converged => "converged",
            SelectStatus::SampleBound => "sample_bound",
            SelectStatus::SampleCap => "sample_cap",
            SelectStatus::Finished => "finished",
            SelectStatus::Heuristic => "heuristic",
            SelectStatus::TimeLimit => "time_limit",
            SelectStatus::MemoryLimit => "memory_limit",
            SelectStatus::Interrupted => "interrupted",
            SelectStatus::Forced => "forced",
            SelectStatus::AllCandidates => "all_candidates",
            SelectStatus::Exact => "exact",
        }
    }
}

impl From<crate::limits::LimitHit> for SelectStatus {
    /// The status of a run a limit stopped.
    fn from(h: crate::limits::LimitHit) -> Self {
        match h {
            crate::limits::LimitHit::Time => SelectStatus::TimeLimit,
            crate::limits::LimitHit::Memory => SelectStatus::MemoryLimit,
            crate::limits::LimitHit::Interrupt => SelectStatus::Interrupted,
        }
    }
}

impl std::fmt::Display for SelectStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ranked seed list with the algorithm's own marginal estimates and what it guarantees.
#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    /// Seeds in greedy order.
    pub seeds: Vec<u32>,
    /// The algorithm's own marginal reach estimate per seed, where it has one.
    pub gains: Option<Vec<f64>>,
    /// Approximation ratio achieved (certified a posteriori) or guaranteed (a priori).
    pub approximation: Option<f64>,
    /// Upper bound on the best possible reach, when the algorithm computes one.
    pub upper_bound: Option<f64>,
    /// How the run stopped.
    pub status: SelectStatus,
    /// RR sets sampled, over all collections.
    pub rr_sets: u64,
    /// Peak bytes of RR storage (arenas, offsets and inverted index).
    pub rr_bytes: u64,
    /// RR ids stored at the end, over all collections.
    pub rr_ids: u64,
    /// Doubling rounds or phases run.
    pub rounds: u32,
    /// The approximation should be certified on the plan's independent estimate sets: the
    /// lower bound on the seeds' reach comes from those sets, the upper bound on the optimum is
    /// `upper_bound` (already a high-probability bound).
    pub certify_on_estimate: bool,
    /// Forward live-edge worlds drawn (selection and validation; `auto` on a small pool that
    /// reaches few people, see `forward`); 0 for every other run. The plan is then estimated on
    /// forward worlds too.
    pub worlds: u64,
}

impl Selection {
    pub(crate) fn heuristic(seeds: Vec<u32>) -> Self {
        Selection {
            seeds,
            gains: None,
            approximation: None,
            upper_bound: None,
            status: SelectStatus::Heuristic,
            rr_sets: 0,
            rr_bytes: 0,
            rr_ids: 0,
            rounds: 0,
            certify_on_estimate: false,
            worlds: 0,
        }
    }
}

/// A seed-selection algorithm.
pub trait Selector: Send + Sync {
    /// Picks up to `ctx.config.k` seeds (forced seeds first, then in greedy order).
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection>;
}

/// Certified approximation ratio of a seed set from an independent sample: OPIM-C's lower bound
/// on its reach (`exact`, the part credited without sampling, plus the bound from `hits` of
/// `samples` RR sets) over `upper`, an upper bound on the best possible reach that fails with
/// probability at most `delta / 3`; the ratio fails with probability at most `delta`.
pub fn certify(
    hits: u64,
    samples: u64,
    population: f64,
    exact: f64,
    delta: f64,
    upper: f64,
) -> f64 {
    // `upper` failed with probability at most δ/3 (OPIM-C's allowance over its rounds); the
    // lower bound here takes the other 2δ/3, so the ratio holds with probability 1 - δ.
    let a = (1.5 / delta).ln();
    let lower = exact + opim::lower_bound(hits as f64, a, samples as f64, population);
    if upper > 0.0 {
        (lower / upper).min(1.0)
    } else {
        1.0
    }
}

/// OPIM-C's lower bound on reach from `cov` covered sets out of `theta` (slack `a = ln(1/δ')`).
pub fn lower_bound_reach(cov: f64, a: f64, theta: f64, population: f64) -> f64 {
    opim::lower_bound(cov, a, theta, population)
}

/// OPIM-C's upper bound on optimal reach from an upper bound on optimal coverage.
pub fn upper_bound_reach(cov_ub: f64, a: f64, theta: f64, population: f64) -> f64 {
    opim::upper_bound(cov_ub, a, theta, population)
}

pub use opim::{budget_sizes, opim_sizes};

/// ln C(n, k), exactly summed (k is small).
pub fn ln_choose(n: usize, k: usize) -> f64 {
    let k = k.min(n);
    (0..k)
        .map(|i| ((n - i) as f64).ln() - ((i + 1) as f64).ln())
        .sum()
}

/// ln Σ_{j ≤ k} C(n, j): how many sets of at most k of n nodes there are, in logs. At least
/// ln C(n, k), and never falling as k grows. Summed exactly up to `k` of about a million
/// (30 ms); above, the entropy bound n·H(k/n) (n ln 2 past n/2), which is never below the sum
/// and only a few nats above it: summing 100M terms took 3 s.
pub fn ln_choose_at_most(n: usize, k: usize) -> f64 {
    let k = k.min(n);
    if k > 1 << 20 {
        let a = (k as f64 / n as f64).min(0.5);
        return -(n as f64) * (a * a.ln() + (1.0 - a) * (1.0 - a).ln());
    }
    let mut term = 0.0f64; // ln C(n, j), from j = 0
    let mut sum = 0.0f64; // ln of the sum so far
    for j in 0..k {
        term += ((n - j) as f64).ln() - ((j + 1) as f64).ln();
        let (hi, lo) = if term > sum { (term, sum) } else { (sum, term) };
        sum = hi + (lo - hi).exp().ln_1p();
    }
    sum
}

/// Completes a heuristic ranking: forced seeds first, then `ranked` candidates, up to k.
pub(crate) fn with_forced(ctx: &SelectContext<'_>, ranked: impl Iterator<Item = u32>) -> Vec<u32> {
    let k = ctx.effective_k();
    let mut out: Vec<u32> = Vec::with_capacity(k);
    let mut taken = std::collections::HashSet::new();
    for &f in ctx.forced {
        if out.len() < k && taken.insert(f) {
            out.push(f);
        }
    }
    for v in ranked {
        if out.len() >= k {
            break;
        }
        if ctx.is_candidate(v) && taken.insert(v) {
            out.push(v);
        }
    }
    out
}
