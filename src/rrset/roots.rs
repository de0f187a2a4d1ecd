//! Choosing RR roots: uniform over nodes, or in proportion to per-node audience weights (targeted
//! reach), with Walker's alias method so each draw costs O(1).

use crate::rng::Bits as _;
use crate::rng::Rng;

/// How RR roots are drawn.
#[derive(Debug, Clone)]
pub enum RootSampler {
    /// Uniform over `0..n`.
    Uniform(u32),
    /// In proportion to weights, via an alias table.
    Weighted {
        /// Acceptance probability of each slot.
        prob: Vec<f64>,
        /// Alias of each slot.
        alias: Vec<u32>,
        /// Sum of the weights (the population the coverage fraction scales to).
        total: f64,
    },
}

impl RootSampler {
    /// Uniform roots over `n` nodes.
    pub fn uniform(n: usize) -> Self {
        RootSampler::Uniform(n as u32)
    }

    /// Roots drawn in proportion to `w` (finite, >= 0, not all zero).
    pub fn weighted(w: &[f64]) -> Self {
        let n = w.len();
        let total: f64 = w.iter().sum();
        let mut prob: Vec<f64> = w.iter().map(|&x| x * n as f64 / total).collect();
        let mut alias = vec![0u32; n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| prob[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            prob[l] -= 1.0 - prob[s];
            if prob[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in large.into_iter().chain(small) {
            prob[i] = 1.0;
        }
        RootSampler::Weighted { prob, alias, total }
    }

    /// The population size that coverage fractions scale to (n, or the total weight).
    pub fn population(&self) -> f64 {
        match self {
            RootSampler::Uniform(n) => *n as f64,
            RootSampler::Weighted { total, .. } => *total,
        }
    }

    /// Draws a root.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        match self {
            RootSampler::Uniform(n) => rng.below(*n as u64) as u32,
            RootSampler::Weighted { prob, alias, .. } => {
                let i = rng.below(prob.len() as u64) as usize;
                if rng.unit() < prob[i] {
                    i as u32
                } else {
                    alias[i]
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Purpose;

    #[test]
    fn weighted_roots_follow_weights() {
        let w = [0.0, 1.0, 3.0, 0.0, 4.0];
        let s = RootSampler::weighted(&w);
        let mut rng = Rng::stream(3, Purpose::RrSelect, 0);
        let mut c = [0u32; 5];
        let draws = 200_000;
        for _ in 0..draws {
            c[s.sample(&mut rng) as usize] += 1;
        }
        assert_eq!(c[0], 0);
        assert_eq!(c[3], 0);
        for (i, &x) in w.iter().enumerate() {
            let expect = x / 8.0 * draws as f64;
            assert!(
                (c[i] as f64 - expect).abs() < 5.0 * (expect.max(1.0)).sqrt(),
                "{i}: {c:?}"
            );
        }
    }
}
