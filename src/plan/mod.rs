//! The seeding plan: ranked seeds with marginal and cumulative expected reach, and the summary a
//! user needs to trust and reproduce it. One model, several writers (`write.rs`).
//!
//! The reach figures come from RR sets drawn on their own stream (`RrEstimate`), independent of
//! the sets any algorithm used to select, so the estimate is unbiased for the chosen seeds (the
//! pitfall of D-SSA, which reports up to 2x its true spread, is scoring seeds on their own sample).

mod write;

pub use write::{write_plan, PlanFormat};

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
    /// Seeds requested.
    pub k: usize,
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
    /// Peak bytes of RR storage.
    pub rr_bytes: u64,
    /// Total spend when costs are known.
    pub spent: Option<f64>,
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

/// Graph facts recorded in a plan.
#[derive(Debug, Clone, Serialize)]
pub struct GraphInfo {
    /// Input path.
    pub path: String,
    /// Nodes.
    pub nodes: usize,
    /// Arcs.
    pub edges: usize,
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
    let n = model.graph().num_nodes();
    let pop = roots.population();
    let mut coll = RrCollection::new(seed, Purpose::RrEstimate);
    coll.extend_to(model, roots, ESTIMATE_PILOT);
    let mut mask = vec![false; n];
    seeds.iter().for_each(|&s| mask[s as usize] = true);
    let f = (coll.coverage(&mask) as f64 / ESTIMATE_PILOT as f64).max(1.0 / ESTIMATE_PILOT as f64);
    let need = ((1.0 - f) / (f * rse * rse)).ceil() as u64;
    coll.extend_to(model, roots, need.clamp(ESTIMATE_PILOT, ESTIMATE_MAX));
    let hits = coll.first_hits(seeds, n);
    let theta = coll.len() as f64;
    let mut cum = 0u64;
    let mut marginal = Vec::with_capacity(seeds.len());
    let mut cumulative = Vec::with_capacity(seeds.len());
    for h in &hits {
        cum += h;
        marginal.push(*h as f64 * pop / theta);
        cumulative.push(cum as f64 * pop / theta);
    }
    RankedEstimate {
        marginal,
        cumulative,
        total: ReachEstimate::from_fraction(cum, coll.len() as u64, pop),
        samples: coll.len() as u64,
        hits: cum,
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
