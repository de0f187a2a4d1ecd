//! Reverse-reachable (RR) sets.
//!
//! An RR set of a uniformly random root `r` holds every node that reaches `r` in one random
//! live-edge world; a seed set `S` reaches `r` exactly when it intersects the set, so
//! `n * Pr[S ∩ R ≠ ∅]` is the expected reach of `S` (Borgs et al. 2014). Sets are stored flat:
//! one `u32` arena plus `u64` offsets (4 bytes per stored id). Set `i` is drawn from its own stream
//! `(seed, purpose, i)`, so a collection is the same whatever the thread count.

mod coverage;
mod roots;

pub use coverage::{
    greedy_max_coverage, greedy_on_index, greedy_with_bonus, CoverageGreedy, InvertedIndex,
};
pub use roots::RootSampler;

use crate::diffusion::Model;
use crate::rng::{Purpose, Streams};
use rayon::prelude::*;

/// Sets sampled per parallel work item: big enough to amortise scheduling, small enough to
/// balance two cores on skewed set sizes.
const CHUNK: u64 = 1024;

/// A collection of RR sets.
#[derive(Debug, Clone)]
pub struct RrCollection {
    offsets: Vec<u64>,
    ids: Vec<u32>,
    /// Sets drawn; more than stored for a projected collection (see `extend_projected`).
    sampled: u64,
    seed: u64,
    purpose: Purpose,
}

impl RrCollection {
    /// An empty collection whose set `i` will be drawn from stream `(seed, purpose, i)`.
    pub fn new(seed: u64, purpose: Purpose) -> Self {
        RrCollection {
            offsets: vec![0],
            ids: Vec::new(),
            sampled: 0,
            seed,
            purpose,
        }
    }

    /// Number of sets.
    #[inline]
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of sets drawn: `len()` for a full collection; for a projected one, also the sets
    /// dropped because they held no kept node. Estimates divide by this.
    #[inline]
    pub fn sampled(&self) -> u64 {
        self.sampled
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total ids stored over all sets.
    pub fn total_ids(&self) -> u64 {
        self.ids.len() as u64
    }

    /// Members of set `i` (root first).
    #[inline]
    pub fn set(&self, i: usize) -> &[u32] {
        &self.ids[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Bytes held by the arena and offsets.
    pub fn bytes(&self) -> u64 {
        (self.ids.capacity() * 4 + self.offsets.capacity() * 8) as u64
    }

    /// Grows the collection toward `target` in batches, stopping early (between batches) when a
    /// limit is hit; returns the limit. Without a hit the result equals `extend_to`.
    pub fn extend_limited(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        limits: &crate::limits::Limits,
    ) -> Option<crate::limits::LimitHit> {
        const BATCH: u64 = CHUNK * 64;
        loop {
            if let Some(h) = limits.expired() {
                return Some(h);
            }
            let cur = self.len() as u64;
            if cur >= target {
                return None;
            }
            self.extend_to(model, roots, (cur + BATCH).min(target));
        }
    }

    /// Grows the collection to `target` sets (no-op when already that large).
    pub fn extend_to(&mut self, model: &Model<'_>, roots: &RootSampler, target: u64) {
        self.extend_inner(model, roots, target, None);
    }

    /// Draws sets up to `target` in all, but stores of each only its members marked in `keep`,
    /// and nothing of a set with none. Estimating the reach of seed lists within `keep` needs no
    /// more (which seeds a set holds), and the sets themselves, most of them, need not be kept:
    /// a plan's estimate would otherwise hold millions of sets it only ever intersects with 50
    /// seeds. Estimates divide by `sampled()`, not `len()`.
    pub fn extend_projected(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        keep: &[bool],
    ) {
        self.extend_inner(model, roots, target, Some(keep));
    }

    fn extend_inner(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        keep: Option<&[bool]>,
    ) {
        let start = self.sampled;
        if target <= start {
            return;
        }
        debug_assert!(keep.is_some() || self.sampled == self.len() as u64);
        let streams = Streams::new(self.seed, self.purpose);
        let stratified = roots.is_stratified();
        let chunks: Vec<(Vec<u32>, Vec<u32>)> = (start..target)
            .step_by(CHUNK as usize)
            .collect::<Vec<u64>>()
            .into_par_iter()
            .map_init(
                || (model.workspace(), Vec::new()),
                |(ws, scratch), c0| {
                    let c1 = (c0 + CHUNK).min(target);
                    let mut ids = Vec::with_capacity(((c1 - c0) * 8) as usize);
                    let mut lens = Vec::with_capacity((c1 - c0) as usize);
                    for i in c0..c1 {
                        let mut rng = streams.rng(i);
                        let root = roots.sample(&mut rng);
                        let before = ids.len();
                        let draw = |rng: &mut _, ws: &mut _, out: &mut Vec<u32>| {
                            if stratified {
                                model.sample_rr_live_root(root, rng, ws, out)
                            } else {
                                model.sample_rr(root, rng, ws, out)
                            }
                        };
                        match keep {
                            None => draw(&mut rng, ws, &mut ids),
                            Some(keep) => {
                                scratch.clear();
                                draw(&mut rng, ws, scratch);
                                ids.extend(scratch.iter().filter(|&&v| keep[v as usize]));
                                if ids.len() == before {
                                    continue;
                                }
                            }
                        }
                        lens.push((ids.len() - before) as u32);
                    }
                    (ids, lens)
                },
            )
            .collect();
        // Copy the chunks into place in parallel, like the sampling: each owns a contiguous slice
        // of the arena and of the offsets.
        let added: usize = chunks.iter().map(|c| c.0.len()).sum();
        let sets: usize = chunks.iter().map(|c| c.1.len()).sum();
        let (id0, set0) = (self.ids.len(), self.offsets.len());
        let base = *self.offsets.last().unwrap();
        self.ids.reserve_exact(added);
        self.ids.resize(id0 + added, 0);
        self.offsets.reserve_exact(sets);
        self.offsets.resize(set0 + sets, 0);
        let mut jobs = Vec::with_capacity(chunks.len());
        let (mut id_rest, mut off_rest) = (&mut self.ids[id0..], &mut self.offsets[set0..]);
        let mut off = base;
        for (ids, lens) in &chunks {
            let (a, b) = std::mem::take(&mut id_rest).split_at_mut(ids.len());
            let (c, d) = std::mem::take(&mut off_rest).split_at_mut(lens.len());
            jobs.push((a, c, ids, lens, off));
            off += ids.len() as u64;
            (id_rest, off_rest) = (b, d);
        }
        jobs.into_par_iter()
            .for_each(|(dst, offs, ids, lens, mut off)| {
                dst.copy_from_slice(ids);
                for (o, &l) in offs.iter_mut().zip(lens.iter()) {
                    off += l as u64;
                    *o = off;
                }
            });
        self.sampled = target;
    }

    /// A copy of the first `m` sets.
    pub fn prefix(&self, m: usize) -> RrCollection {
        assert_eq!(
            self.sampled,
            self.len() as u64,
            "prefix of a projected collection"
        );
        let m = m.min(self.len());
        RrCollection {
            offsets: self.offsets[..=m].to_vec(),
            ids: self.ids[..self.offsets[m] as usize].to_vec(),
            sampled: m as u64,
            seed: self.seed,
            purpose: self.purpose,
        }
    }

    /// Moves all sets of `other` to the end of this collection.
    pub fn absorb(&mut self, other: RrCollection) {
        let base = *self.offsets.last().unwrap();
        self.sampled += other.sampled;
        self.ids.extend_from_slice(&other.ids);
        self.offsets
            .extend(other.offsets[1..].iter().map(|&o| o + base));
    }

    /// Number of sets that contain at least one node marked in `in_seed`.
    pub fn coverage(&self, in_seed: &[bool]) -> u64 {
        (0..self.len())
            .into_par_iter()
            .with_min_len(4096)
            .filter(|&i| self.set(i).iter().any(|&v| in_seed[v as usize]))
            .count() as u64
    }

    /// Coverage of two seed sets on the same sets, with the sets only the first covers and those
    /// only the second covers: `(cov_a, cov_b, only_a, only_b)`. The difference of the two
    /// coverages is `only_a - only_b`, and its sampling variance about `only_a + only_b`.
    pub fn coverage_pair(&self, a: &[bool], b: &[bool]) -> (u64, u64, u64, u64) {
        (0..self.len())
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| {
                let s = self.set(i);
                let ha = s.iter().any(|&v| a[v as usize]) as u64;
                let hb = s.iter().any(|&v| b[v as usize]) as u64;
                (ha, hb, ha & (1 - hb), hb & (1 - ha))
            })
            .reduce(
                || (0, 0, 0, 0),
                |x, y| (x.0 + y.0, x.1 + y.1, x.2 + y.2, x.3 + y.3),
            )
    }

    /// For seeds in rank order, how many sets each one covers first (`hits[r]` = sets whose
    /// earliest-ranked member is seed `r`). Prefix sums give the coverage of every prefix.
    pub fn first_hits(&self, seeds: &[u32], n: usize) -> Vec<u64> {
        let mut rank = vec![u32::MAX; n];
        for (r, &s) in seeds.iter().enumerate() {
            rank[s as usize] = rank[s as usize].min(r as u32);
        }
        let k = seeds.len();
        (0..self.len())
            .into_par_iter()
            .with_min_len(4096)
            .fold(
                || vec![0u64; k],
                |mut acc, i| {
                    let best = self.set(i).iter().map(|&v| rank[v as usize]).min();
                    if let Some(r) = best.filter(|&r| r != u32::MAX) {
                        acc[r as usize] += 1;
                    }
                    acc
                },
            )
            .reduce(
                || vec![0u64; k],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{ModelKind, ProbScheme};
    use crate::graph::Graph;

    #[test]
    fn collection_is_thread_count_independent_and_extends_consistently() {
        let edges: Vec<(u32, u32)> = (0..200u32).map(|i| (i % 37, (i * 7 + 3) % 41)).collect();
        let g = Graph::from_edges(41, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::Uniform(0.3),
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(g.num_nodes());
        let mut a = RrCollection::new(5, Purpose::RrSelect);
        a.extend_to(&m, &roots, 3000);
        let mut b = RrCollection::new(5, Purpose::RrSelect);
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| {
                b.extend_to(&m, &roots, 1000);
                b.extend_to(&m, &roots, 3000);
            });
        assert_eq!(a.offsets, b.offsets);
        assert_eq!(a.ids, b.ids);
    }
}
