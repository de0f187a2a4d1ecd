//! Choosing RR roots: uniform over nodes, or in proportion to per-node audience weights (targeted
//! reach), with Walker's alias method so each draw costs O(1).
//!
//! A stratified sampler splits the population in two. With probability `q_r` a root `r` has no
//! live in-edge and its RR set is `{r}` alone; that part of the reach is known exactly
//! (`sum over seeds of w_v q_v`) and is credited without sampling. Only the rest is sampled:
//! roots in proportion to `w_r (1 - q_r)`, each set drawn given that its root has a live in-edge.
//! Reach = exact part + (sampled weight) x (fraction of sampled sets hit). The singleton sets
//! were pure noise for every seed but their root; on wiki-Vote (two thirds of the accounts have no
//! in-edge) the same precision needs about a quarter of the sets.

use crate::diffusion::Model;
use crate::rng::Bits as _;
use crate::rng::Rng;

#[derive(Debug, Clone)]
enum Draw {
    Uniform(u32),
    /// Walker's alias table: slot `i` keeps `i` when a uniform u64 is below `keep`, else
    /// gives `alias`. One 16-byte entry per slot, so a draw touches one cache line and compares
    /// integers; with two separate arrays and a float compare, root draws took 10% of a
    /// stratified plan's time in the profile.
    Alias(Vec<AliasSlot>),
}

#[derive(Debug, Clone, Copy)]
struct AliasSlot {
    keep: u64,
    alias: u32,
}

/// How RR roots are drawn.
#[derive(Debug, Clone)]
pub struct RootSampler {
    draw: Draw,
    /// Weight of the sampled population (what a coverage fraction scales to).
    population: f64,
    /// Audience weight of each node (`None`: every node weighs 1).
    weights: Option<Vec<f64>>,
    /// Stratified samplers: the reach each node gets exactly, as its own singleton set.
    exact: Option<Vec<f64>>,
}

/// Walker's alias table for `w` (finite, >= 0, positive sum).
fn alias_table(w: &[f64], total: f64) -> Draw {
    let n = w.len();
    let mut prob: Vec<f64> = w.iter().map(|&x| x * n as f64 / total).collect();
    let mut alias: Vec<u32> = (0..n as u32).collect();
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
    Draw::Alias(
        prob.iter()
            .zip(alias)
            .map(|(&p, a)| AliasSlot {
                keep: crate::diffusion::prob_threshold(p),
                alias: a,
            })
            .collect(),
    )
}

impl RootSampler {
    /// Uniform roots over `n` nodes.
    pub fn uniform(n: usize) -> Self {
        RootSampler {
            draw: Draw::Uniform(n as u32),
            population: n as f64,
            weights: None,
            exact: None,
        }
    }

    /// Roots drawn in proportion to `w` (finite, >= 0, not all zero).
    pub fn weighted(w: &[f64]) -> Self {
        let total: f64 = w.iter().sum();
        RootSampler {
            draw: alias_table(w, total),
            population: total,
            weights: Some(w.to_vec()),
            exact: None,
        }
    }

    /// The stratified version of this sampler for `model` (see the module notes).
    pub fn stratified(&self, model: &Model<'_>) -> Self {
        let n = self.num_nodes();
        let base = |v: usize| self.weights.as_ref().map_or(1.0, |w| w[v]);
        let mut exact = vec![0.0; n];
        let mut live = vec![0.0; n];
        for v in 0..n {
            let q = model.no_live_in_prob(v as u32);
            exact[v] = base(v) * q;
            live[v] = base(v) * (1.0 - q);
        }
        let total: f64 = live.iter().sum();
        RootSampler {
            // Nothing to sample when no node can have a live in-edge: every set would weigh 0.
            draw: if total > 0.0 {
                alias_table(&live, total)
            } else {
                Draw::Uniform(n as u32)
            },
            population: total.max(0.0),
            weights: self.weights.clone(),
            exact: Some(exact),
        }
    }

    /// Number of nodes roots are drawn from.
    pub fn num_nodes(&self) -> usize {
        match &self.draw {
            Draw::Uniform(n) => *n as usize,
            Draw::Alias(slots) => slots.len(),
        }
    }

    /// The weight that coverage fractions of sampled sets scale to (n, the total audience
    /// weight, or for a stratified sampler the weight of the sampled stratum).
    pub fn population(&self) -> f64 {
        self.population
    }

    /// The whole audience: sampled stratum plus the exactly known part.
    pub fn total_population(&self) -> f64 {
        self.population + self.exact.as_ref().map_or(0.0, |e| e.iter().sum::<f64>())
    }

    /// Whether sets must be drawn with a live root (`Model::sample_rr_live_root`).
    #[inline]
    pub fn is_stratified(&self) -> bool {
        self.exact.is_some()
    }

    /// Audience weight of each node (`None`: every node weighs 1).
    pub fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// Per-node exactly credited reach (stratified samplers only).
    pub fn exact(&self) -> Option<&[f64]> {
        self.exact.as_deref()
    }

    /// Exactly credited reach of a seed list (0 for plain samplers).
    pub fn exact_of(&self, seeds: &[u32]) -> f64 {
        self.exact
            .as_ref()
            .map_or(0.0, |e| seeds.iter().map(|&v| e[v as usize]).sum())
    }

    /// Draws a root.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        match &self.draw {
            Draw::Uniform(n) => rng.below(*n as u64) as u32,
            Draw::Alias(slots) => {
                let i = rng.below(slots.len() as u64) as usize;
                let slot = slots[i];
                // A slot with keep = u64::MAX (probability 1) keeps i for every draw but
                // u64::MAX itself, where its alias is i too (`alias_table` leaves it so).
                if rng.next_u64() < slot.keep {
                    i as u32
                } else {
                    slot.alias
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
