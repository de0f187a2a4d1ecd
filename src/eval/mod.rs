//! Reach evaluation: parallel Monte Carlo forward simulation, and an exact oracle for tiny graphs.
//!
//! Run `i` draws from stream `(seed, MonteCarlo, i)` and results are summed in integers, so the
//! estimate is bit-identical for any thread count.

pub mod exact;

use crate::diffusion::Model;
use crate::rng::{Purpose, Streams};
use rayon::prelude::*;
use serde::Serialize;

/// Default number of Monte Carlo runs.
pub const DEFAULT_RUNS: u64 = 10_000;

/// Two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A reach estimate with its uncertainty.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct ReachEstimate {
    /// Expected number of people reached, seeds included.
    pub expected_reach: f64,
    /// Standard error of the estimate.
    pub std_error: f64,
    /// 95% confidence interval.
    pub ci95: [f64; 2],
    /// Number of simulations or samples behind it.
    pub runs: u64,
}

impl ReachEstimate {
    /// From integer sums of x and x^2 over `runs` samples (exact, order-independent).
    pub fn from_sums(sum: u128, sum_sq: u128, runs: u64) -> Self {
        let r = runs as f64;
        let mean = sum as f64 / r;
        let var = if runs > 1 {
            ((sum_sq as f64 - (sum as f64) * mean) / (r - 1.0)).max(0.0)
        } else {
            0.0
        };
        let se = (var / r).sqrt();
        ReachEstimate {
            expected_reach: mean,
            std_error: se,
            ci95: [mean - Z95 * se, mean + Z95 * se],
            runs,
        }
    }

    /// From a proportion `hits / samples` scaled to a population of `n` (RR-set estimates).
    pub fn from_fraction(hits: u64, samples: u64, n: f64) -> Self {
        let s = samples.max(1) as f64;
        let f = hits as f64 / s;
        let se = n * (f * (1.0 - f) / s).sqrt();
        ReachEstimate {
            expected_reach: n * f,
            std_error: se,
            // A fraction lies in [0, 1]: the interval never leaves [0, n] (a Wald interval can,
            // with few hits or few misses).
            ci95: [(n * f - Z95 * se).max(0.0), (n * f + Z95 * se).min(n)],
            runs: samples,
        }
    }
}

/// Estimates the expected reach of `seeds` with `runs` forward simulations.
pub fn estimate_reach(model: &Model<'_>, seeds: &[u32], runs: u64, seed: u64) -> ReachEstimate {
    let (sum, sum_sq) = reach_sums(model, seeds, 0..runs, seed);
    ReachEstimate::from_sums(sum, sum_sq, runs)
}

/// Sums of reach and squared reach over the runs in `range`; chunked so a caller can report
/// progress. Integer sums make the order of reduction irrelevant.
pub fn reach_sums(
    model: &Model<'_>,
    seeds: &[u32],
    range: std::ops::Range<u64>,
    seed: u64,
) -> (u128, u128) {
    let streams = Streams::new(seed, Purpose::MonteCarlo);
    range
        .into_par_iter()
        .map_init(
            || model.workspace(),
            |ws, i| {
                let mut rng = streams.rng(i);
                let r = model.simulate(seeds, &mut rng, ws) as u128;
                (r, r * r)
            },
        )
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}
