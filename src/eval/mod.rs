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
    /// The interval is Wilson's score interval: it stays within [0, n] and keeps a width when
    /// no sample (or every one) is hit, where the plain f ± z·se would claim certainty.
    pub fn from_fraction(hits: u64, samples: u64, n: f64) -> Self {
        let s = samples.max(1) as f64;
        let f = hits as f64 / s;
        let se = n * (f * (1.0 - f) / s).sqrt();
        let z2 = Z95 * Z95;
        let centre = (f + z2 / (2.0 * s)) / (1.0 + z2 / s);
        let half = Z95 / (1.0 + z2 / s) * (f * (1.0 - f) / s + z2 / (4.0 * s * s)).sqrt();
        ReachEstimate {
            expected_reach: n * f,
            std_error: se,
            // At no hit (every hit) the bound is exactly 0 (n); rounding would leave a speck.
            ci95: [
                if hits == 0 {
                    0.0
                } else {
                    n * (centre - half).max(0.0)
                },
                if hits as f64 >= s {
                    n
                } else {
                    n * (centre + half).min(1.0)
                },
            ],
            runs: samples,
        }
    }
}

/// Estimates the expected reach of `seeds` with `runs` forward simulations.
pub fn estimate_reach(model: &Model<'_>, seeds: &[u32], runs: u64, seed: u64) -> ReachEstimate {
    let (sum, sum_sq) = reach_sums(model, seeds, 0..runs, seed);
    let mut e = ReachEstimate::from_sums(sum, sum_sq, runs);
    e.unless_certain(model, seeds);
    e
}

/// The fewest and the most people `seeds` reach in any live-edge world: through the arcs that
/// always fire (probability 1; an LT arc of weight 1 is always the one chosen), and through every
/// arc that can fire.
pub fn reach_bounds(model: &Model<'_>, seeds: &[u32]) -> (u64, u64) {
    reach_bounds_in(model, seeds, &mut model.workspace())
}

/// [`reach_bounds`] with each person counted at `weights` (whole audience weights; `None`:
/// every person counts 1).
pub fn weighted_reach_bounds(
    model: &Model<'_>,
    seeds: &[u32],
    weights: Option<&[u64]>,
) -> (u64, u64) {
    bounds_counted(model, seeds, &mut model.workspace(), |q| {
        weight_of(q, weights)
    })
}

/// The weight of the people in `q`: their number without weights.
pub fn weight_of(q: &[u32], weights: Option<&[u64]>) -> u64 {
    match weights {
        None => q.len() as u64,
        Some(w) => q.iter().map(|&v| w[v as usize]).sum(),
    }
}

/// [`reach_bounds`] in a given workspace (many calls on one graph allocate it once).
pub fn reach_bounds_in(
    model: &Model<'_>,
    seeds: &[u32],
    ws: &mut crate::diffusion::Workspace,
) -> (u64, u64) {
    bounds_counted(model, seeds, ws, |q| q.len() as u64)
}

/// [`reach_bounds_in`], the people reached counted by `count`.
fn bounds_counted(
    model: &Model<'_>,
    seeds: &[u32],
    ws: &mut crate::diffusion::Workspace,
    count: impl Fn(&[u32]) -> u64,
) -> (u64, u64) {
    ws.reset();
    let lt = model.kind() == crate::diffusion::ModelKind::LinearThreshold;
    // LT: a node whose in-weight from nodes reached for certain adds up to 1 is reached for
    // certain too, however many arcs bring it (`a c` and `b c` at 0.5 each from seeds a, b).
    let mut weight_in: rustc_hash::FxHashMap<u32, f64> = Default::default();
    model.spread_where(seeds, ws, |_, j, _, v, row| {
        let p = model.out_prob(row, j, v);
        if lt {
            let w = weight_in.entry(v).or_insert(0.0);
            *w += p;
            *w >= 1.0 - 1e-12
        } else {
            p >= 1.0
        }
    });
    let least = count(&ws.queue);
    ws.reset();
    model.spread_where(seeds, ws, |_, j, _, v, row| model.out_prob(row, j, v) > 0.0);
    (least, count(&ws.queue))
}

/// [`reach_bounds`] of every prefix of `seeds` (`seeds[..=j]` at `j`), in one pass: the
/// searches only grow as seeds are added, so each goes on from where the last prefix left it
/// (for LT with its in-weights kept), where a search per prefix repeated the whole reachable
/// part of the graph for every seed.
pub fn prefix_reach_bounds(model: &Model<'_>, seeds: &[u32]) -> Vec<(u64, u64)> {
    weighted_prefix_reach_bounds(model, seeds, None)
}

/// [`prefix_reach_bounds`] with each person counted at `weights` (see
/// [`weighted_reach_bounds`]).
pub fn weighted_prefix_reach_bounds(
    model: &Model<'_>,
    seeds: &[u32],
    weights: Option<&[u64]>,
) -> Vec<(u64, u64)> {
    let lt = model.kind() == crate::diffusion::ModelKind::LinearThreshold;
    let (mut least, mut most) = (model.workspace(), model.workspace());
    least.reset();
    most.reset();
    let mut weight_in: rustc_hash::FxHashMap<u32, f64> = Default::default();
    // The queues only grow: each prefix adds the weight of what it newly reached.
    let (mut seen, mut sums) = ([0usize; 2], [0u64; 2]);
    let mut grow = |i: usize, q: &[u32]| {
        sums[i] += weight_of(&q[seen[i]..], weights);
        seen[i] = q.len();
        sums[i]
    };
    seeds
        .iter()
        .map(|&s| {
            model.spread_where(&[s], &mut least, |_, j, _, v, row| {
                let p = model.out_prob(row, j, v);
                if lt {
                    let w = weight_in.entry(v).or_insert(0.0);
                    *w += p;
                    *w >= 1.0 - 1e-12
                } else {
                    p >= 1.0
                }
            });
            model.spread_where(&[s], &mut most, |_, j, _, v, row| {
                model.out_prob(row, j, v) > 0.0
            });
            (grow(0, &least.queue), grow(1, &most.queue))
        })
        .collect()
}

impl ReachEstimate {
    /// Keeps the interval within what any world can give, and honest when every simulation gave
    /// the same reach. Such runs prove little about rare cascades, and their standard error of 0
    /// claimed certainty (seeds whose reach is 2.19 through an arc of probability 1e-4 read
    /// 2.0 ± 0). Unless no world can differ, that interval becomes the rule of three's: a world
    /// that differs has probability under 3/R at 95%, and lies between the fewest and the most
    /// people the seeds can reach ([`reach_bounds`]), which also bound every interval (the
    /// normal one went below the seeds themselves).
    pub fn unless_certain(&mut self, model: &Model<'_>, seeds: &[u32]) {
        if self.runs == 0 {
            return;
        }
        let (least, most) = reach_bounds(model, seeds);
        self.within(least as f64, most as f64);
    }

    /// [`unless_certain`](Self::unless_certain) with the range of one world's value given:
    /// `least..=most` (equal when no world can differ).
    pub fn within(&mut self, least: f64, most: f64) {
        if self.runs == 0 {
            return;
        }
        if self.std_error == 0.0 {
            // The standard error stays the runs' own (0): callers that build intervals from it
            // (bench's summaries) would make a symmetric one that leaves these bounds.
            let mean = self.expected_reach;
            let p = (3.0 / self.runs as f64).min(1.0);
            let lo = mean - (mean - least).max(0.0) * p;
            let hi = mean + (most - mean).max(0.0) * p;
            self.ci95 = [lo, hi];
        }
        self.ci95 = [self.ci95[0].max(least), self.ci95[1].min(most)];
    }
}

/// Sums of reach and squared reach over the runs in `range`; chunked so a caller can report
/// progress. Integer sums make the order of reduction irrelevant. After an interrupt the runs
/// left are skipped, so the sums are partial: callers check `limits::interrupted()` and discard
/// them (a billion runs went on for minutes past Ctrl-C).
pub fn reach_sums(
    model: &Model<'_>,
    seeds: &[u32],
    range: std::ops::Range<u64>,
    seed: u64,
) -> (u128, u128) {
    let streams = Streams::new(seed, Purpose::MonteCarlo);
    // A world's coins are drawn in the order the spread meets the edges, which starts from the
    // seed list: in id order, the same set scores the same however it was listed (two engines'
    // identical picks scored 0.66% apart at 1,000 runs in `bench`).
    let mut seeds = seeds.to_vec();
    seeds.sort_unstable();
    let seeds = &seeds[..];
    range
        .into_par_iter()
        .map_init(
            || model.workspace(),
            |ws, i| {
                if crate::limits::interrupted() {
                    return (0, 0);
                }
                let mut rng = streams.rng(i);
                let r = model.simulate(seeds, &mut rng, ws) as u128;
                (r, r * r)
            },
        )
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass bounds of every prefix are those of each prefix searched alone, for IC
    /// (arcs of probability 0, 1 and between) and LT (in-weights that add up to 1 from several
    /// certain sources).
    #[test]
    fn prefix_bounds_are_each_prefix_searched_alone() {
        use crate::diffusion::{ModelKind, ProbScheme};
        use crate::graph::Graph;
        let mut x = 7u64;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for round in 0..20 {
            let n = 30u32;
            let mut edges = Vec::new();
            for _ in 0..70 {
                let (u, v) = (next(n as u64) as u32, next(n as u64) as u32);
                if u != v && !edges.contains(&(u, v)) {
                    edges.push((u, v));
                }
            }
            // IC: a third certain, a third dead, a third in between.
            let ic: Vec<f32> = edges
                .iter()
                .map(|_| [1.0, 0.0, 0.4][next(3) as usize])
                .collect();
            // LT: each in-row's weights add up to 1 or to 0.5.
            let mut lt = vec![0.0f32; edges.len()];
            for v in 0..n {
                let row: Vec<usize> = (0..edges.len()).filter(|&i| edges[i].1 == v).collect();
                let total = if round % 2 == 0 { 1.0 } else { 0.5 };
                for &i in &row {
                    lt[i] = total / row.len() as f32;
                }
            }
            let seeds: Vec<u32> = (0..8).map(|_| next(n as u64) as u32).collect();
            let mut seeds_unique = Vec::new();
            for s in seeds {
                if !seeds_unique.contains(&s) {
                    seeds_unique.push(s);
                }
            }
            for (kind, probs) in [
                (ModelKind::IndependentCascade, &ic),
                (ModelKind::LinearThreshold, &lt),
            ] {
                let g = Graph::from_edges(n as usize, &edges, Some(probs));
                let m = Model::new(&g, kind, ProbScheme::File, 1).unwrap();
                let all = prefix_reach_bounds(&m, &seeds_unique);
                for j in 0..seeds_unique.len() {
                    assert_eq!(
                        all[j],
                        reach_bounds(&m, &seeds_unique[..=j]),
                        "{kind:?} round {round} prefix {j}"
                    );
                }
            }
        }
    }

    /// Wilson's interval: inside [0, n], with a width at no hit and at every hit, and close to
    /// f ± z·se where that one is sound.
    #[test]
    fn fraction_intervals_keep_a_width_at_the_edges() {
        let none = ReachEstimate::from_fraction(0, 10_000, 100.0);
        assert_eq!(none.expected_reach, 0.0);
        assert_eq!(none.ci95[0], 0.0);
        // z² / (s + z²) of the population: the "rule of three" order.
        let want = 100.0 * Z95 * Z95 / (10_000.0 + Z95 * Z95);
        assert!((none.ci95[1] - want).abs() < 1e-9, "{:?}", none.ci95);
        let all = ReachEstimate::from_fraction(10_000, 10_000, 100.0);
        assert_eq!(all.ci95[1], 100.0);
        assert!((100.0 - all.ci95[0] - want).abs() < 1e-9, "{:?}", all.ci95);
        let mid = ReachEstimate::from_fraction(300_000, 1_000_000, 100.0);
        let wald = [30.0 - Z95 * mid.std_error, 30.0 + Z95 * mid.std_error];
        for (w, c) in wald.iter().zip(mid.ci95) {
            assert!((w - c).abs() < 1e-3, "{wald:?} against {:?}", mid.ci95);
        }
        assert!(mid.ci95[0] < mid.expected_reach && mid.expected_reach < mid.ci95[1]);
    }
}
