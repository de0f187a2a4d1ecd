//! Greedy maximum coverage over RR sets: the selection step shared by IMM, OPIM-C and the default
//! engine. Lazy (CELF-style) evaluation over exact integer counts, ties to the smaller node id.
//!
//! Alongside the greedy picks it computes OPIM-C's data-dependent upper bound on the best
//! possible coverage: for every prefix `S_i`, `OPT <= cov(S_i) + (sum of the k largest marginal
//! gains w.r.t. S_i)`, by submodularity; the minimum over `i` is reported.

use super::RrCollection;
use ordered_float::OrderedFloat;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Node -> ids of the sets containing it.
#[derive(Debug, Clone)]
pub struct InvertedIndex {
    offsets: Vec<u64>,
    sets: Vec<u32>,
}

impl InvertedIndex {
    /// Builds the index for nodes `0..n` by counting sort (sets come out in increasing order).
    pub fn build(coll: &RrCollection, n: usize) -> Self {
        let mut offsets = vec![0u64; n + 1];
        for i in 0..coll.len() {
            for &v in coll.set(i) {
                offsets[v as usize + 1] += 1;
            }
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut cursor = offsets[..n].to_vec();
        let mut sets = vec![0u32; offsets[n] as usize];
        for i in 0..coll.len() {
            for &v in coll.set(i) {
                let c = &mut cursor[v as usize];
                sets[*c as usize] = i as u32;
                *c += 1;
            }
        }
        InvertedIndex { offsets, sets }
    }

    /// Sets containing `v`.
    #[inline]
    pub fn sets_of(&self, v: u32) -> &[u32] {
        &self.sets[self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize]
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        (self.sets.capacity() * 4 + self.offsets.capacity() * 8) as u64
    }
}

/// Result of the coverage greedy. Coverage counts sets, plus each picked node's bonus when one
/// is given (so values are whole numbers without a bonus).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageGreedy {
    /// Seeds in pick order (forced seeds first).
    pub seeds: Vec<u32>,
    /// Coverage newly added by each pick.
    pub gains: Vec<f64>,
    /// Coverage of all picks.
    pub covered: f64,
    /// Upper bound on the coverage of the best feasible seed set of the same size.
    pub upper_bound: f64,
}

/// Picks up to `k` seeds greedily by RR-set coverage. `candidates` restricts who may be picked;
/// `forced` seeds are taken first, in the order given.
pub fn greedy_max_coverage(
    coll: &RrCollection,
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
) -> CoverageGreedy {
    let index = InvertedIndex::build(coll, n);
    greedy_on_index(coll, &index, n, k, candidates, forced)
}

/// As [`greedy_max_coverage`] on a prebuilt index.
pub fn greedy_on_index(
    coll: &RrCollection,
    index: &InvertedIndex,
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
) -> CoverageGreedy {
    greedy_with_bonus(coll, index, n, k, candidates, forced, None)
}

/// The coverage greedy where picking node `v` also earns `bonus[v]`, a fixed amount no other
/// node shares: the exactly known singleton sets of stratified roots, in set units. The
/// objective stays monotone submodular, so the greedy's guarantee and its upper bound hold.
pub fn greedy_with_bonus(
    coll: &RrCollection,
    index: &InvertedIndex,
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
    bonus: Option<&[f64]>,
) -> CoverageGreedy {
    let extra = |v: u32| bonus.map_or(0.0, |b| b[v as usize]);
    let mut count: Vec<u32> = (0..n as u32)
        .map(|v| index.sets_of(v).len() as u32)
        .collect();
    let key = |count: &[u32], v: u32| OrderedFloat(count[v as usize] as f64 + extra(v));
    let mut covered_set = vec![false; coll.len()];
    let mut chosen = vec![false; n];
    let mut out = CoverageGreedy {
        seeds: Vec::with_capacity(k),
        gains: Vec::with_capacity(k),
        covered: 0.0,
        upper_bound: f64::INFINITY,
    };
    let mut take = |v: u32, count: &mut Vec<u32>, out: &mut CoverageGreedy| {
        let mut gain = 0u64;
        for &s in index.sets_of(v) {
            if !covered_set[s as usize] {
                covered_set[s as usize] = true;
                gain += 1;
                for &w in coll.set(s as usize) {
                    count[w as usize] -= 1;
                }
            }
        }
        let gain = gain as f64 + extra(v);
        out.seeds.push(v);
        out.gains.push(gain);
        out.covered += gain;
    };
    for &f in forced.iter().take(k) {
        if !chosen[f as usize] {
            chosen[f as usize] = true;
            take(f, &mut count, &mut out);
        }
    }
    let free = k.saturating_sub(out.seeds.len());
    let mut heap: BinaryHeap<(OrderedFloat<f64>, Reverse<u32>)> = (0..n as u32)
        .filter(|&v| !chosen[v as usize] && candidates.is_none_or(|c| c[v as usize]))
        .map(|v| (key(&count, v), Reverse(v)))
        .collect();
    let mut top: Vec<(OrderedFloat<f64>, Reverse<u32>)> = Vec::with_capacity(free);
    for step in 0..=free {
        // Pop the `free - step` best fresh entries (exact top marginal gains), or at least one.
        let want = (free - step).max(1);
        top.clear();
        while top.len() < want {
            let Some((c, Reverse(v))) = heap.pop() else {
                break;
            };
            let fresh = key(&count, v);
            if fresh != c {
                heap.push((fresh, Reverse(v)));
            } else {
                top.push((c, Reverse(v)));
            }
        }
        let bound_sum: f64 = top.iter().take(free - step).map(|t| t.0 .0).sum();
        out.upper_bound = out.upper_bound.min(out.covered + bound_sum);
        if step == free || top.is_empty() {
            heap.extend(top.drain(..));
            break;
        }
        let (_, Reverse(v)) = top[0];
        heap.extend(top.drain(1..));
        chosen[v as usize] = true;
        take(v, &mut count, &mut out);
    }
    out.upper_bound = out.upper_bound.max(out.covered);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{Model, ModelKind, ProbScheme};
    use crate::graph::Graph;
    use crate::rng::Purpose;
    use crate::rrset::RootSampler;

    fn plain_greedy(coll: &RrCollection, n: usize, k: usize) -> (Vec<u32>, u64) {
        let mut covered = vec![false; coll.len()];
        let mut seeds = Vec::new();
        let mut total = 0;
        for _ in 0..k {
            let mut best = (0u64, u32::MAX);
            for v in 0..n as u32 {
                if seeds.contains(&v) {
                    continue;
                }
                let g = (0..coll.len())
                    .filter(|&i| !covered[i] && coll.set(i).contains(&v))
                    .count() as u64;
                if g > best.0 || (g == best.0 && v < best.1) {
                    best = (g, v);
                }
            }
            seeds.push(best.1);
            total += best.0;
            for (i, c) in covered.iter_mut().enumerate() {
                if coll.set(i).contains(&best.1) {
                    *c = true;
                }
            }
        }
        (seeds, total)
    }

    #[test]
    fn lazy_greedy_equals_plain_greedy_and_bound_holds() {
        for seed in 0..5u64 {
            let edges: Vec<(u32, u32)> = (0..150u32)
                .map(|i| ((i * 13 + seed as u32) % 30, (i * 7 + 1) % 30))
                .collect();
            let g = Graph::from_edges(30, &edges, None);
            let m = Model::new(
                &g,
                ModelKind::IndependentCascade,
                ProbScheme::WeightedCascade,
                1,
            )
            .unwrap();
            let mut c = RrCollection::new(seed, Purpose::RrSelect);
            c.extend_to(&m, &RootSampler::uniform(30), 400);
            let r = greedy_max_coverage(&c, 30, 4, None, &[]);
            let (s, total) = plain_greedy(&c, 30, 4);
            assert_eq!(r.seeds, s);
            assert_eq!(r.covered, total as f64);
            assert!(r.upper_bound >= r.covered);
            // The bound must hold against the true optimum (brute force over 4-subsets).
            let mut best = 0;
            for a in 0..30u32 {
                for b in a + 1..30 {
                    for cc in b + 1..30 {
                        for d in cc + 1..30 {
                            let mut mask = vec![false; 30];
                            for x in [a, b, cc, d] {
                                mask[x as usize] = true;
                            }
                            best = best.max(c.coverage(&mask));
                        }
                    }
                }
            }
            assert!(
                r.upper_bound >= best as f64,
                "bound {} < opt {best}",
                r.upper_bound
            );
            assert!(r.covered >= (1.0 - 1.0 / std::f64::consts::E) * best as f64);
        }
    }

    #[test]
    fn bonus_equals_that_many_singleton_sets() {
        let edges: Vec<(u32, u32)> = (0..120u32)
            .map(|i| ((i * 11) % 25, (i * 7 + 2) % 25))
            .collect();
        let g = Graph::from_edges(25, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let mut c = RrCollection::new(3, Purpose::RrSelect);
        c.extend_to(&m, &RootSampler::uniform(25), 300);
        let bonus: Vec<f64> = (0..25).map(|v| ((v * 7) % 5) as f64).collect();
        // The same collection with `bonus[v]` extra sets {v}, built by hand.
        let mut with = c.clone();
        let mut extra = RrCollection::new(0, Purpose::RrSelect);
        for (v, &b) in bonus.iter().enumerate() {
            for _ in 0..b as usize {
                extra.ids.push(v as u32);
                extra.offsets.push(extra.ids.len() as u64);
                extra.sampled += 1;
            }
        }
        with.absorb(extra);
        let idx = InvertedIndex::build(&c, 25);
        let a = greedy_with_bonus(&c, &idx, 25, 5, None, &[], Some(&bonus));
        let b = greedy_max_coverage(&with, 25, 5, None, &[]);
        assert_eq!(a, b);
    }
}
