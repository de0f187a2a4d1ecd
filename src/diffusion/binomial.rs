//! Live in-edges of a constant-probability row, drawn as a count and then positions.
//!
//! In a row of `d` edges that all fire with probability `p` (every weighted-cascade in-row, every
//! row of a uniform scheme), the number of live edges is Binomial(d, p) and, given the count, the
//! live edges are a uniform subset. So one 64-bit draw against a precomputed CDF gives the count,
//! and Floyd's algorithm picks that many distinct positions: the work is one draw plus one per
//! live edge, with no logarithm. For weighted cascade the mean count is exactly 1 whatever the
//! degree, which is why this beats both a coin per edge (short rows) and geometric skipping (a
//! logarithm per live edge plus one to stop) on every row length. This is the subset-sampling
//! idea of SUBSIM (Guo et al., SIGMOD 2020) specialised to equal probabilities.
//!
//! Counts are exact up to the 2^-64 resolution of the thresholds, the same resolution as every
//! other coin in the crate.

use super::prob_threshold;
use crate::rng::Bits;

/// Rows whose mean live count exceeds this use geometric skipping instead: their CDF tables would
/// be long and Floyd's algorithm is quadratic in the count.
pub(super) const MAX_TABLED_MEAN: f64 = 8.0;

/// CDF tables of Binomial(d, p(d)) for the row lengths `d` a graph has.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountTables {
    /// Start of degree `d`'s table in `cdf`, or `u32::MAX` when `d` has none.
    start: Vec<u32>,
    /// Concatenated tables: entry `k` is `P(K <= k) * 2^64`; each table ends with `u64::MAX`.
    cdf: Vec<u64>,
}

impl CountTables {
    /// Tables for every degree in `degrees` whose mean `d * p(d)` is at most `MAX_TABLED_MEAN`.
    pub(super) fn build(degrees: impl Iterator<Item = usize>, p_of: impl Fn(usize) -> f64) -> Self {
        let mut t = CountTables::default();
        for d in degrees {
            if d >= t.start.len() {
                t.start.resize(d + 1, u32::MAX);
            }
            if t.start[d] != u32::MAX || d == 0 {
                continue;
            }
            let p = p_of(d).clamp(0.0, 1.0);
            if d as f64 * p > MAX_TABLED_MEAN {
                continue;
            }
            t.start[d] = t.cdf.len() as u32;
            t.push_table(d, p);
        }
        // Held for the whole run: the slack of the doubling pushes was half a MiB on
        // soc-Slashdot0902.
        t.cdf.shrink_to_fit();
        t.start.shrink_to_fit();
        t
    }

    fn push_table(&mut self, d: usize, p: f64) {
        if p >= 1.0 {
            // Every edge fires: the count is d with certainty.
            self.cdf.extend(std::iter::repeat_n(0, d));
            self.cdf.push(u64::MAX);
            return;
        }
        let q = 1.0 - p;
        let ratio = p / q;
        // P(K = 0) = q^d, then P(K = k + 1) = P(K = k) * (d - k) / (k + 1) * p / q.
        let mut pk = q.powi(d as i32);
        let mut cum = 0.0f64;
        for k in 0..=d {
            cum += pk;
            let t = prob_threshold(cum);
            if t == u64::MAX || k == d || cum >= 1.0 {
                break;
            }
            self.cdf.push(t);
            pk *= (d - k) as f64 / (k + 1) as f64 * ratio;
        }
        self.cdf.push(u64::MAX);
    }

    /// Degree `d`'s table and everything after it (the scan stops at its closing u64::MAX),
    /// if `d` has one.
    #[inline]
    fn cdf_from(&self, d: usize) -> Option<&[u64]> {
        let s = *self.start.get(d)?;
        (s != u32::MAX).then(|| &self.cdf[s as usize..])
    }

    /// The table of rows of length `d`, if there is one.
    #[cfg(test)]
    pub(super) fn table(&self, d: usize) -> Option<&[u64]> {
        let cdf = self.cdf_from(d)?;
        // Each table ends with u64::MAX; its length is at most d + 1.
        let end = cdf
            .iter()
            .position(|&t| t == u64::MAX)
            .map_or(cdf.len(), |i| i + 1);
        Some(&cdf[..end])
    }

    /// Draws the count from degree `d`'s table (`None` when the degree is not tabled).
    #[inline]
    pub(super) fn draw(&self, d: usize, rng: &mut impl Bits) -> Option<usize> {
        let cdf = self.cdf_from(d)?;
        Some(invert(cdf, rng.next_u64()))
    }

    /// As [`CountTables::draw`], conditioned on at least one live edge: the uniform draw is
    /// restricted to the part of the CDF above `P(K = 0)`. `None` when the degree has no table or
    /// the row can never have a live edge.
    #[inline]
    pub(super) fn draw_positive(&self, d: usize, rng: &mut impl Bits) -> Option<usize> {
        let cdf = self.cdf_from(d)?;
        let t0 = cdf[0];
        if t0 == u64::MAX {
            return None;
        }
        let u = if t0 == 0 {
            rng.next_u64()
        } else {
            t0 + rng.below(u64::MAX - t0 + 1)
        };
        Some(invert(cdf, u))
    }
}

/// The count whose CDF interval holds `u`: every table ends with u64::MAX, where the scan stops
/// whatever `u` is.
#[inline]
fn invert(cdf: &[u64], u: u64) -> usize {
    let mut k = 0;
    while u >= cdf[k] && cdf[k] != u64::MAX {
        k += 1;
    }
    k
}

/// Calls `take(j)` for `count` distinct uniform positions `j` in `0..d` (Floyd's algorithm;
/// `pick` is scratch space).
#[inline]
pub(super) fn for_each_subset(
    d: usize,
    count: usize,
    rng: &mut impl Bits,
    pick: &mut Vec<u32>,
    mut take: impl FnMut(usize),
) {
    match count {
        0 => {}
        1 => take(rng.below(d as u64) as usize),
        c if c >= d => (0..d).for_each(take),
        c => {
            pick.clear();
            for j in (d - c)..d {
                let t = rng.below(j as u64 + 1) as u32;
                let x = if pick.contains(&t) { j as u32 } else { t };
                pick.push(x);
                take(x as usize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Rng};

    fn binom_pmf(d: usize, p: f64) -> Vec<f64> {
        (0..=d)
            .map(|k| {
                let mut c = 1.0f64;
                for i in 0..k {
                    c *= (d - i) as f64 / (i + 1) as f64;
                }
                c * p.powi(k as i32) * (1.0 - p).powi((d - k) as i32)
            })
            .collect()
    }

    #[test]
    fn tables_hold_the_binomial_cdf() {
        let t = CountTables::build([1usize, 2, 3, 7, 40, 500].into_iter(), |d| 1.0 / d as f64);
        for d in [1usize, 2, 3, 7, 40, 500] {
            let tab = t.table(d).unwrap();
            assert_eq!(*tab.last().unwrap(), u64::MAX);
            let pmf = binom_pmf(d, 1.0 / d as f64);
            let mut cum = 0.0;
            for (k, &th) in tab.iter().enumerate().take(tab.len() - 1) {
                cum += pmf[k];
                let want = cum * 18_446_744_073_709_551_616.0;
                assert!(
                    (th as f64 - want).abs() <= want * 1e-12 + 4096.0,
                    "d={d} k={k}"
                );
            }
        }
        assert!(t.table(4).is_none());
        // Mean above the limit: not tabled.
        let u = CountTables::build([100usize].into_iter(), |_| 0.5);
        assert!(u.table(100).is_none());
        // p = 1 and p = 0.
        let one = CountTables::build([3usize].into_iter(), |_| 1.0);
        let zero = CountTables::build([3usize].into_iter(), |_| 0.0);
        let mut rng = Rng::stream(1, Purpose::RrSelect, 0);
        for _ in 0..100 {
            assert_eq!(one.draw(3, &mut rng), Some(3));
            assert_eq!(zero.draw(3, &mut rng), Some(0));
        }
    }

    #[test]
    fn every_edge_fires_with_probability_p_and_independently_in_pairs() {
        // d = 5, p = 1/5: each edge's marginal is 0.2 and each pair's joint is 0.04.
        let d = 5;
        let t = CountTables::build([d].into_iter(), |d| 1.0 / d as f64);
        let runs = 400_000;
        let mut single = [0u64; 5];
        let mut pair01 = 0u64;
        let mut pick = Vec::new();
        for i in 0..runs {
            let mut rng = Rng::stream(9, Purpose::RrSelect, i);
            let k = t.draw(d, &mut rng).unwrap();
            let mut live = [false; 5];
            for_each_subset(d, k, &mut rng, &mut pick, |j| {
                assert!(!live[j], "position drawn twice");
                live[j] = true;
            });
            for j in 0..d {
                single[j] += live[j] as u64;
            }
            pair01 += (live[0] && live[3]) as u64;
        }
        for s in single {
            let f = s as f64 / runs as f64;
            // 0.2 with standard error 0.00063: 5 standard errors.
            assert!((f - 0.2).abs() < 0.0032, "marginal {f}");
        }
        let f = pair01 as f64 / runs as f64;
        assert!((f - 0.04).abs() < 0.0016, "joint {f}");
    }

    #[test]
    fn positive_draws_follow_the_conditional_binomial() {
        let d = 4;
        let p = 0.3;
        let t = CountTables::build([d].into_iter(), |_| p);
        let pmf = binom_pmf(d, p);
        let runs = 300_000u64;
        let mut hist = [0u64; 5];
        for i in 0..runs {
            let mut rng = Rng::stream(4, Purpose::RrSelect, i);
            hist[t.draw_positive(d, &mut rng).unwrap()] += 1;
        }
        assert_eq!(hist[0], 0);
        for k in 1..=d {
            let want = pmf[k] / (1.0 - pmf[0]);
            let got = hist[k] as f64 / runs as f64;
            let se = (want * (1.0 - want) / runs as f64).sqrt();
            assert!(
                (got - want).abs() < 5.0 * se + 1e-9,
                "k={k}: {got} vs {want}"
            );
        }
        let zero = CountTables::build([3usize].into_iter(), |_| 0.0);
        let mut rng = Rng::stream(1, Purpose::RrSelect, 0);
        assert_eq!(zero.draw_positive(3, &mut rng), None);
    }
}
